"""Listen-stage cost as instructions: what the live listener's replay executes, counted by valgrind's callgrind.

    python bench/listen_instructions.py [FILE.mid ...] [--decisions | --tempo]   (default: the first example, once)
    python bench/listen_instructions.py --notes [--save COUNTS.txt] [FILE.mid ...]   (default: every example, x3)
    python bench/listen_instructions.py --kinds COUNTS.txt [FILE.mid ...]   (a saved --notes run's table by kind)

`bench/listen_speed.py` times the replay; on a shared machine under load (8 engineers on 2 cores) its figures
move by 10-20 % run to run, more than most speed-ups change them. An instruction count hardly moves: the
replay is deterministic, and it runs with PYTHONHASHSEED=0 (string hashes, and so dict and set work, the same
each run). It is a proxy (a cache miss costs more than an add), good for telling whether a change does less
work. The replay runs under callgrind (about 50 times slower) with collection on
only inside `functools.reduce` (`--toggle-collect=functools_reduce`), through which the counted part is called:
the whole replay (`engine.listen.replay` drained by a deque: the listener's calls and the loop's own ~15.7 M on the
first example, measured with a listener whose calls do nothing; main's inline loop before session 25 cost ~19.9 M),
or with `--decisions` only the ticks whose update decides a strum (a first, uncounted replay
finds them), the ticks behind the p99 note; with `--tempo` only those of them that re-estimate the tempo
(`BeatTracker.tempo_estimated_at` moved: `listen_parts.py`'s "tempo" decisions, the p99 note's own). Needs valgrind
(`apt-get install valgrind`).

`--notes` counts each note as `listen_speed.py` times it (its note-on's feed and every call after it until the next
note-on, over `listen_speed.py`'s input: the files back to back, three times): callgrind dumps its counts after each
note (`--dump-after=functools_reduce`, one file a note in a scratch folder, read and removed), and the per-note
median, p99 and max are printed in instructions, with the costliest notes (their number and time): the
listen_speed per-note p99, deterministic (a note's instructions, not its microseconds: a cache miss or a page
fault costs more than its instructions say). About ten minutes for the three examples (half an hour at load 25).
Then a table by what each note decides (`note_kinds`: a strum decision that re-estimated the tempo, re-scored the
key, neither, or no decision; a replay outside callgrind, a second or two): how many notes of each kind, their
median and p90, and how many are over the p99 target (`TARGET`); `--kinds` prints it for a saved run.
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from listen_speed import long_input  # noqa: E402

from engine.listen import Listener  # noqa: E402
from engine.listen.replay import FEED, UPDATE  # noqa: E402
from engine.listen.replay import replay as listen  # noqa: E402


def replay(messages, counted: set[int] | None = None, tempo: bool = False) -> list[int]:
    """The engine's tick replay of `messages` (`engine.listen.replay`); the updates of the ticks numbered in
    `counted` (all when None) run inside `functools.reduce`. Returns the numbers of the ticks that decided a strum
    (with `tempo`, only those that re-estimated the tempo)."""
    listener = Listener()
    if counted is not None:
        update, ticks = listener.update, itertools.count()
        listener.update = lambda now: (functools.reduce(lambda _a, _b: update(now), (0, 0)) if next(ticks) in counted
                                       else update(now))
    decided, n, estimated = [], 0, listener.beat.tempo_estimated_at
    for kind, _, _, strum, _, _ in listen(listener, messages, messages[-1].time + 1.0):
        if kind == UPDATE:
            if strum and (not tempo or listener.beat.tempo_estimated_at != estimated):
                decided.append(n)
            n += 1
        estimated = listener.beat.tempo_estimated_at
    return decided


def whole(messages) -> None:
    """The engine's tick replay of `messages` with no more work than the listener's calls (`engine.listen.replay`
    drained by a deque that keeps nothing)."""
    collections.deque(listen(Listener(), messages, messages[-1].time + 1.0), maxlen=0)


def inner(paths: list[Path], decisions: bool, tempo: bool = False) -> None:
    """The part run under callgrind."""
    messages = long_input(paths, repeat=1)
    if decisions or tempo:
        ticks = set(replay(messages, tempo=tempo))
        replay(messages, ticks)
        print(f"counted: {len(ticks)} decision ticks{' (tempo re-estimates)' if tempo else ''}")
    else:
        functools.reduce(lambda _a, _b: whole(messages), (0, 0))
        print("counted: the whole replay")


class _Silent:
    """A listener whose calls do nothing: `engine.listen.replay` on it gives the order of the calls alone (the
    order does not depend on what the listener does)."""

    _idle = 0.0

    def feed(self, message) -> None:
        """Nothing."""

    def tap(self, t: float) -> None:
        """Nothing."""

    def update(self, now: float) -> bool:
        """Nothing decided."""
        return False


def note_calls(messages):
    """The engine's tick replay of `messages` (`engine.listen.replay`, as `listen_speed.measure`), pausing (a bare
    `yield`) before each note-on's feed: each step from one pause to the next is one note's calls. The calls'
    order comes from a first replay on a listener that does nothing."""
    end = messages[-1].time + 1.0
    order = [(kind, item) for kind, _, item, *_ in listen(_Silent(), messages, end)]
    steps = listen(Listener(), messages, end)
    for kind, item in order:
        if kind == FEED and item.kind == 0x90 and item.data2 > 0:
            yield
        next(steps)


def inner_notes(paths: list[Path]) -> None:
    """The part run under callgrind with `--notes`: each note's calls inside its own `functools.reduce` (counted,
    then dumped); the calls before the first note-on are not counted."""
    messages = long_input(paths)
    steps, done = note_calls(messages), object()
    next(steps)
    count = 0
    while functools.reduce(lambda _a, _b: next(steps, done), (0, 0)) is not done:
        count += 1
    print(f"counted: {count + 1} notes")


def note_counts(folder: Path) -> list[int]:
    """The instructions of each dump callgrind wrote in `folder` (`OUT.N`, in order of N: one a note)."""
    dumps = sorted(folder.glob("out.*"), key=lambda f: int(f.suffix[1:]))
    counts = []
    for f in dumps:
        with f.open() as fh:
            counts.append(next(int(line.split()[1]) for line in fh if line.startswith("totals:")))
    return counts


def notes_report(paths: list[Path], save: Path | None = None) -> None:
    """`--notes`: the replay under callgrind, a dump after each note; prints the per-note figures (and writes each
    note's count, one a line in note order, to `save` when given: two trees' runs compared note by note)."""
    with tempfile.TemporaryDirectory(prefix="listen_notes") as tmp:
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/out", "--collect-atstart=no",
               "--toggle-collect=functools_reduce", "--dump-after=functools_reduce", "--dump-line=no",
               sys.executable, "-P", __file__, "--inner", "--notes", *map(str, paths)]
        p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if p.returncode:
            sys.exit(f"valgrind failed ({p.returncode}): {p.stderr.strip().splitlines()[-1:] or ''}")
        counts = note_counts(Path(tmp))
    if save is not None:
        save.write_text("".join(f"{c}\n" for c in counts))
    ranked = sorted(counts)
    p99 = ranked[min(len(ranked) - 1, round(0.99 * (len(ranked) - 1)))]
    print(p.stdout.strip())
    print(f"instructions per note ({len(counts)} notes; {', '.join(pa.name for pa in paths)} x3): median "
          f"{statistics.median(counts) / 1e3:.1f} k, p99 {p99 / 1e3:.1f} k, max {ranked[-1] / 1e3:.1f} k, "
          f"all {sum(counts) / 1e6:.2f} M")
    top = sorted(range(len(counts)), key=counts.__getitem__, reverse=True)[:len(counts) // 100 + 1]
    print("the top 1 %: " + ", ".join(f"#{k} {counts[k] / 1e3:.0f} k" for k in top))
    kinds_report(paths, counts)


TARGET = 2.17e6    # instructions: issue 12's p99 of 300 us a note at some 7.2 k instructions a microsecond here


def note_kinds(paths: list[Path]) -> list[str]:
    """What each note of `--notes`' replay decides (the note's calls as counted there; outside callgrind, the replay
    is deterministic): "tempo" when a strum decision in it re-estimated the tempo (`BeatTracker.tempo_estimated_at`
    moved), "key" when one re-scored the key (`Listener._key_at` moved), "plain" for another decision, "none" for no
    decision (`listen_parts.py`'s kinds); kinds joined by "+" when one note holds two decisions."""
    messages = long_input(paths)
    listener = Listener()
    kinds: list[set[str]] = []
    tempo_at, key_at = listener.beat.tempo_estimated_at, listener._key_at
    for kind, _, item, decided, _, _ in listen(listener, messages, messages[-1].time + 1.0):
        if kind == FEED and item.kind == 0x90 and item.data2 > 0:
            kinds.append(set())
        if decided and kinds:
            kinds[-1].add("tempo" if listener.beat.tempo_estimated_at != tempo_at
                          else "key" if listener._key_at != key_at else "plain")
        tempo_at, key_at = listener.beat.tempo_estimated_at, listener._key_at
    return ["+".join(sorted(k)) or "none" for k in kinds]


def kinds_report(paths: list[Path], counts: list[int]) -> None:
    """Per kind of note (`note_kinds`): how many, their median and p90 instructions, and how many are over TARGET (a
    p99 under it allows 1 % of all the notes over it)."""
    kinds = note_kinds(paths)
    if len(kinds) != len(counts):
        print(f"(kinds: {len(kinds)} notes replayed, {len(counts)} counted: not the same input)")
        return
    over = sum(c >= TARGET for c in counts)
    print(f"notes over {TARGET / 1e6:.2f} M: {over} ({len(counts) // 100} allowed for a p99 under it); by kind:")
    for kind in sorted(set(kinds), key=lambda k: (k == "none", k)):
        v = sorted(c for c, k in zip(counts, kinds) if k == kind)
        print(f"  {kind:<12}{len(v):6} notes, median {statistics.median(v) / 1e3:7.1f} k, "
              f"p90 {v[int(0.9 * (len(v) - 1))] / 1e3:7.1f} k, over {sum(c >= TARGET for c in v)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--decisions", action="store_true", help="count only the ticks that decide a strum")
    ap.add_argument("--tempo", action="store_true", help="count only the decisions that re-estimate the tempo")
    ap.add_argument("--notes", action="store_true", help="count each note (listen_speed's per-note figures)")
    ap.add_argument("--save", type=Path, help="with --notes: write each note's instructions here, one a line")
    ap.add_argument("--kinds", type=Path, metavar="COUNTS",
                    help="the per-kind table of a --notes --save file alone (no callgrind run)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.kinds:
        kinds_report([Path(p) for p in args.files] or sorted((ROOT / "examples").glob("*.mid")),
                     [int(x) for x in args.kinds.read_text().split()])
        return
    if args.notes:
        paths = [Path(p) for p in args.files] or sorted((ROOT / "examples").glob("*.mid"))
        if args.inner:
            inner_notes(paths)
        else:
            notes_report(paths, args.save)
        return
    paths = [Path(p) for p in args.files] or sorted((ROOT / "examples").glob("*.mid"))[:1]
    if args.inner:
        inner(paths, args.decisions, args.tempo)
        return
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", "--collect-atstart=no",
           "--toggle-collect=functools_reduce", sys.executable, "-P", __file__, "--inner", *map(str, paths)]
    flags = (["--decisions"] if args.decisions else []) + (["--tempo"] if args.tempo else [])
    p = subprocess.run(cmd + flags, capture_output=True, text=True,
                       env={**os.environ, "PYTHONHASHSEED": "0"})
    refs = re.search(r"I\s+refs:\s+([\d,]+)", p.stderr)
    if p.returncode or refs is None:
        sys.exit(f"valgrind failed ({p.returncode}): {p.stderr.strip().splitlines()[-1:] or ''}")
    print(p.stdout.strip())
    print(f"instructions: {refs.group(1)} ({', '.join(pa.name for pa in paths)})")


if __name__ == "__main__":
    main()
