"""Where a strum's decision goes: the listener's decision ticks by kind, and the time spent in each part.

    python bench/listen_parts.py [FILE.mid ...] [--runs 5] [--parts MOD:CLASS.METHOD,...]
                                                          (default: every example, once; the parts in PARTS)

`bench/listen_speed.py` says what a note costs; the p99 note is a strum's decision, and this says which decisions
and what in them. The replay is `listen_speed.py`'s (`engine.listen.replay`: messages fed as they arrive, an update
every engine tick); each decision tick (an update that returns True) is timed whole, and each part below is timed
inclusive (the outermost call only, when one part calls itself through another), by wrapping the method for the
run. Decisions are told apart by what they did: "tempo" (the tempo's re-estimate, `BeatTracker._level`, ran: every
`tempo_every` s, or every strum while the grid is unsure), "key" (the key's re-score, about every second), "plain"
(neither). Each decision's and each part's least time over `--runs` replays (the replay is deterministic: the same
calls every run) filters out the preemptions of a shared machine; the reference workload of `listen_speed.py` is
timed beside, and the medians are printed also as multiples of it (x ref). The wrappers cost a few hundred ns a
call: compare parts within one run, not with `listen_speed.py`.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from listen_speed import long_input, reference_us  # noqa: E402

from engine.listen import Listener  # noqa: E402
from engine.listen.replay import UPDATE  # noqa: E402
from engine.listen.replay import replay as listen  # noqa: E402

PARTS = ("engine.listen.beat:BeatTracker.update", "engine.listen.beat:BeatTracker._phase",
         "engine.listen.beat:BeatTracker._refine", "engine.listen.beat:BeatTracker._adopt",
         "engine.listen.beat:BeatTracker._level", "engine.listen.tempo:TempoEstimator.estimate",
         "engine.listen.tempo:TempoEstimator.autocorrelation", "engine.listen.beat:BeatTracker._bar_level",
         "engine.listen.tempo:TempoEstimator.accent_level", "engine.listen.tempo:TempoEstimator.dotted_level",
         "engine.listen.tempo:TempoEstimator.oompah_level", "engine.listen.tempo:TempoEstimator.picking_level",
         "engine.listen.chord:ChordTracker.decide", "engine.listen.key:KeyTracker.update",
         "engine.listen.guitar:GuitarConditioner.update", "engine.listen.beat:BeatTracker.advance")


def wrap(parts: list[str], spent: Counter) -> None:
    """Replace each method named "module:Class.method" in `parts` by a wrapper adding its inclusive time (ns, the
    outermost call only) to `spent[name]`."""
    clock, depth = time.perf_counter_ns, Counter()
    for name in parts:
        module, attr = name.split(":")
        cls, method = attr.split(".")
        owner = getattr(importlib.import_module(module), cls)
        original = getattr(owner, method)

        def timed(*args, _original=original, _name=name, **kwargs):
            depth[_name] += 1
            t0 = clock()
            try:
                return _original(*args, **kwargs)
            finally:
                depth[_name] -= 1
                if not depth[_name]:
                    spent[_name] += clock() - t0

        setattr(owner, method, timed)


def replay(messages, spent: Counter) -> list[tuple[str, int, dict[str, int]]]:
    """One replay: per decision tick, (kind, its time ns, each part's time ns in it)."""
    listener = Listener()
    out = []
    tempo_at, key_at = listener.beat.tempo_estimated_at, listener._key_at   # as the next call finds them
    for kind, _, _, decided, _, dt in listen(listener, messages, messages[-1].time + 1.0, clock=time.perf_counter_ns):
        if kind == UPDATE and decided:
            kind = ("tempo" if listener.beat.tempo_estimated_at != tempo_at
                    else "key" if listener._key_at != key_at else "plain")
            out.append((kind, dt, dict(spent)))
        spent.clear()                   # the parts' time in the next call alone
        tempo_at, key_at = listener.beat.tempo_estimated_at, listener._key_at
    return out


def report(runs: list[list], parts: list[str], ref: float) -> None:
    """Per kind of decision: how many, the whole decision's and each part's median and max of the least time
    over runs (us), the medians also as multiples of the reference workload `ref` (us)."""
    least = [(runs[0][k][0], min(r[k][1] for r in runs) / 1000,
              {p: min(r[k][2].get(p, 0) for r in runs) / 1000 for p in parts}) for k in range(len(runs[0]))]
    print(f"reference workload: {ref:.1f} us")
    for kind in ("plain", "key", "tempo"):
        rows = [r for r in least if r[0] == kind]
        if not rows:
            continue
        whole = [r[1] for r in rows]
        print(f"{kind} decisions: {len(rows)}, median {statistics.median(whole):.1f} us "
              f"({statistics.median(whole) / ref:.2f} x ref), max {max(whole):.1f} us")
        for p in parts:
            v = [r[2][p] for r in rows]
            if max(v) > 0:
                med = statistics.median(v)
                print(f"    {p.split(':')[1]:<40} median {med:7.1f} ({med / ref:5.2f} x ref)  max {max(v):7.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--parts", default=",".join(PARTS), help="comma-separated module:Class.method")
    args = ap.parse_args()
    paths = [Path(p) for p in args.files] or sorted((ROOT / "examples").glob("*.mid"))
    parts = args.parts.split(",")
    spent: Counter = Counter()
    wrap(parts, spent)
    messages = long_input(paths, repeat=1)
    runs, refs = [], []
    for _ in range(args.runs):
        refs.append(reference_us())
        runs.append(replay(messages, spent))
    report(runs, parts, min(refs))


if __name__ == "__main__":
    main()
