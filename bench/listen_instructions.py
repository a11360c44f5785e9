"""Listen-stage cost as instructions: what the live listener's replay executes, counted by valgrind's callgrind.

    python bench/listen_instructions.py [FILE.mid ...] [--decisions | --tempo]   (default: the first example, once)

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
"""

from __future__ import annotations

import argparse
import collections
import functools
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from listen_speed import long_input  # noqa: E402

from engine.listen import Listener  # noqa: E402
from engine.listen.replay import UPDATE  # noqa: E402
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--decisions", action="store_true", help="count only the ticks that decide a strum")
    ap.add_argument("--tempo", action="store_true", help="count only the decisions that re-estimate the tempo")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
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
