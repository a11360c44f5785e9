"""Listen-stage speed: what each guitar note costs the live listener (conditioning, key, beat, chord).

    python bench/listen_speed.py [FILE.mid ...] [--beat-model acf|joint]   (default: every example, back to back)

It replays the input exactly as the engine does (`engine.listen.replay`: the engine loop's calls, messages fed as
they arrive, an update every 10 ms tick) and times every call. A note's cost is its own `feed` plus every update
until the next note arrives (the strum decision, with the tempo's re-estimate and the key's re-score when due,
lands on one of those ticks: moving work from one tick to another within a note's time leaves its note's cost as it
was). A call's cost is one `feed` or one update that gets past the listener's idle shortcut: how long a single call
holds the engine's loop, where spreading work over ticks shows. Printed: the per-note and per-call median and p99
(targets 30 us and 300 us per note), a strum's decision, the other working ticks, and the ticks with nothing to do;
and the listener's whole cost per second of input.

The replay is deterministic, so every run times the same calls. On a shared machine a call the scheduler
preempts costs milliseconds of wall time that are not the listener's; each call's least time over the runs
(`--runs`, as `timeit` takes the least of its repeats) filters that out, and is printed beside the median
over runs of each run's own figures.

A machine's speed (and a shared machine's load) moves every figure. Before each run a fixed reference
workload is timed in the same process (`reference`: plain-Python float loops and small numpy calls, the
listener's own mix, none of aqyn's code, so a change to the listener leaves it alone); its least time over the
runs is printed, and the per-note and per-decision figures again as multiples of it ("x ref"), which compare
across machines and sessions where microseconds do not.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.events import InputMessage  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import Listener, ListenerConfig  # noqa: E402
from engine.listen.replay import FEED, replay  # noqa: E402


def long_input(paths: list[Path], repeat: int = 3) -> list[InputMessage]:
    """The files back to back, `repeat` times, with a 2 s gap between takes."""
    out: list[InputMessage] = []
    offset = 0.0
    for _ in range(repeat):
        for p in paths:
            g = read_guitar_file(p)
            out += [InputMessage(m.time + offset, m.status, m.data1, m.data2) for m in g.messages]
            offset = out[-1].time + 2.0
    return out


REFERENCE_VALUES = [((i * 37) % 64) / 64.0 for i in range(48)]   # fixed inputs: the same work on every machine


def reference() -> float:
    """One pass of the reference workload, its cost in us: a plain-Python loop over 48 floats (exp, products,
    a running sum, as the phase fit's loops) and 24 numpy calls on arrays of 12 and 48 values (as the chord's
    scores and the tempo's checks): ~70 us on session 16's machine, quiet or loaded (a median note there: 54 us
    quiet, 0.78 x ref). The same instructions every call: its least time over many calls is the machine's speed."""
    clock = time.perf_counter_ns
    t0 = clock()
    acc = 0.0
    for x in REFERENCE_VALUES:
        for k in range(4):
            acc += math.exp(-x * k) * (x - 0.5) * k
    a = np.array(REFERENCE_VALUES)
    c = a[:12].copy()
    for _ in range(4):
        b = np.maximum(a * 0.5 - 0.1, 0.0)
        acc += float(np.add.reduce(b)) + float(b.max())
        c = np.minimum(c + 0.25, 1.0)
        acc += float(c @ c) + int(c.argmax())
    assert math.isfinite(acc)
    return (clock() - t0) / 1000


def reference_us(calls: int = 500) -> float:
    """The reference workload's least time (us) over `calls` passes."""
    return min(reference() for _ in range(calls))


def measure(messages: list[InputMessage], config: ListenerConfig | None = None) -> dict[str, np.ndarray]:
    """One replay's costs (us): "note" (a note-on's own feed and every call after it until the next note-on:
    all the work there is, nothing left out), "decision" (the ticks that decide a strum), "work tick" (the other
    ticks that get past the listener's idle shortcut, `Listener._idle`: confirming notes, the bar pointer's
    steps), "settle tick" (a tick that runs the tempo re-estimate a strum's decision left for it,
    `BeatTracker.settle`), "idle tick" (the
    rest, those that took a measurable time), and "call" (every feed and every tick that gets past the shortcut,
    in the order made: how long a single call holds the engine's loop)."""
    listener = Listener(config)
    costs: dict[str, list[int]] = {"note": [], "decision": [], "settle tick": [], "work tick": [], "idle tick": [],
                                   "call": []}
    current = None          # ns spent since the last note-on
    deferred = False        # a strum's tempo re-estimate waits (`BeatTracker.estimate_due`, read before the update)
    for kind, _, m, decided, idle, dt in replay(listener, messages, messages[-1].time + 1.0,
                                                 clock=time.perf_counter_ns):
        if kind == FEED:
            costs["call"].append(dt)
            if m.kind == 0x90 and m.data2 > 0:
                if current is not None:
                    costs["note"].append(current)
                current = dt
            elif current is not None:
                current += dt
        else:
            if not idle:
                costs["call"].append(dt)
            tick = "decision" if decided else "settle tick" if deferred else "idle tick" if idle else "work tick"
            if dt or tick != "idle tick":
                costs[tick].append(dt)
            if current is not None:
                current += dt
        deferred = getattr(listener.beat, "estimate_due", False)
    if current is not None:
        costs["note"].append(current)
    return {name: np.array(values) / 1000 for name, values in costs.items()}


def least_over_runs(runs: list[dict[str, np.ndarray]], name: str) -> np.ndarray | None:
    """Each call's least cost (us) over the runs, or None when the runs timed different numbers of calls
    (idle ticks: a tick's update may or may not decide, by the clock)."""
    arrays = [r[name] for r in runs]
    if len({len(a) for a in arrays}) != 1:
        return None
    return np.min(np.stack(arrays), axis=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--beat-model", default=ListenerConfig.beat_model, choices=("acf", "joint", "hybrid"))
    ap.add_argument("--runs", type=int, default=5, help="timed replays (each call's least time is taken)")
    args = ap.parse_args()
    config = ListenerConfig(beat_model=args.beat_model)
    paths = [Path(p) for p in args.files] or sorted((ROOT / "examples").glob("*.mid"))
    messages = long_input(paths)
    notes = sum(1 for m in messages if m.kind == 0x90 and m.data2 > 0)
    measure(messages[:2000], config)               # warm up numpy and the caches
    refs, runs = [], []
    for _ in range(args.runs):                     # interleaved: the reference sees each run's load
        refs.append(reference_us())
        runs.append(measure(messages, config))
    ref = min(refs)
    print(f"input: {len(paths)} file(s) x3, {messages[-1].time:.0f} s, {notes} notes, {len(messages)} messages")
    print(f"reference workload: {ref:.1f} us (least of {args.runs} x 500 passes; each run's least: "
          f"{', '.join(f'{r:.1f}' for r in refs)})")
    print(f"{'cost (us)':22}{'median':>9}{'p99':>9}{'max':>9}{'count':>8}{'median':>9}{'p99':>7}  (x ref)")
    for name in ("note", "call", "decision", "settle tick", "work tick"):
        least = least_over_runs(runs, name)
        if least is not None and len(least):
            med, p99 = np.median(least), np.percentile(least, 99)
            print(f"{name + ', least of runs':22}{med:9.1f}{p99:9.1f}{least.max():9.1f}{len(least):8d}"
                  f"{med / ref:9.2f}{p99 / ref:7.2f}")
    for name in ("note", "call", "decision", "settle tick", "work tick", "idle tick"):
        if not len(runs[0][name]):
            continue
        med = statistics.median(float(np.median(r[name])) for r in runs)
        p99 = statistics.median(float(np.percentile(r[name], 99)) for r in runs)
        mx = statistics.median(float(r[name].max()) for r in runs)
        print(f"{name:22}{med:9.1f}{p99:9.1f}{mx:9.1f}{len(runs[0][name]):8d}")
    total = statistics.median(float(r["note"].sum()) for r in runs)
    print(f"amortised: {total / notes:.1f} us per note ({total / notes / ref:.2f} x ref); targets: median <= 30 us, "
          "p99 <= 300 us per note (a note: all the calls from its note-on to the next; a call: one feed or one tick "
          "past the idle shortcut)")
    print(f"per second of input: {total / messages[-1].time / 1000:.2f} ms ({args.beat_model} beat model)")


if __name__ == "__main__":
    main()
