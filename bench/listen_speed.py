"""Listen-stage speed: what each guitar note costs the live listener (conditioning, key, beat, chord).

    python bench/listen_speed.py [FILE.mid ...] [--beat-model acf|joint]   (default: every example, back to back)

It replays the input exactly as the engine does (messages fed as they arrive, an update every 10 ms tick)
and times every call. A note's cost is its own `feed` plus every update until the next note arrives (the
strum decision, with tempo, beat, key and chord re-estimation, lands on one of those ticks). Printed: the
per-note median and p99 (targets 30 us and 300 us), the cost of a whole strum's decision, and the ticks
with nothing to do; and the listener's whole cost per second of input.

The replay is deterministic, so every run times the same calls. On a shared machine a call the scheduler
preempts costs milliseconds of wall time that are not the listener's; each call's least time over the runs
(`--runs`, as `timeit` takes the least of its repeats) filters that out, and is printed beside the median
over runs of each run's own figures.
"""

from __future__ import annotations

import argparse
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
from engine.pipeline import TICK  # noqa: E402


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


def measure(messages: list[InputMessage], config: ListenerConfig | None = None) -> dict[str, np.ndarray]:
    listener = Listener(config)
    clock = time.perf_counter_ns
    per_note: list[int] = []
    idle_ticks: list[int] = []
    decisions: list[int] = []
    current = None          # ns spent since the last note-on
    i, n = 0, 0
    end = messages[-1].time + 1.0
    while n * TICK <= end:
        now = n * TICK
        n += 1
        while i < len(messages) and messages[i].time <= now:
            m = messages[i]
            i += 1
            t0 = clock()
            listener.feed(m)
            dt = clock() - t0
            if m.kind == 0x90 and m.data2 > 0:
                if current is not None:
                    per_note.append(current)
                current = dt
            elif current is not None:
                current += dt
        t0 = clock()
        decided = listener.update(now)
        dt = clock() - t0
        if decided:
            decisions.append(dt)
        elif dt:
            idle_ticks.append(dt)
        if current is not None:
            current += dt
    if current is not None:
        per_note.append(current)
    return {"note": np.array(per_note) / 1000, "decision": np.array(decisions) / 1000,
            "idle tick": np.array(idle_ticks) / 1000}


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
    runs = [measure(messages, config) for _ in range(args.runs)]
    print(f"input: {len(paths)} file(s) x3, {messages[-1].time:.0f} s, {notes} notes, {len(messages)} messages")
    print(f"{'cost (us)':22}{'median':>9}{'p99':>9}{'max':>9}{'count':>8}")
    for name in ("note", "decision"):
        least = least_over_runs(runs, name)
        if least is not None:
            print(f"{name + ', least of runs':22}{np.median(least):9.1f}{np.percentile(least, 99):9.1f}"
                  f"{least.max():9.1f}{len(least):8d}")
    for name in ("note", "decision", "idle tick"):
        med = statistics.median(float(np.median(r[name])) for r in runs)
        p99 = statistics.median(float(np.percentile(r[name], 99)) for r in runs)
        mx = statistics.median(float(r[name].max()) for r in runs)
        print(f"{name:22}{med:9.1f}{p99:9.1f}{mx:9.1f}{len(runs[0][name]):8d}")
    total = statistics.median(float(r["note"].sum()) for r in runs)
    print(f"amortised: {total / notes:.1f} us per note; targets: median <= 30 us, p99 <= 300 us per note")
    print(f"per second of input: {total / messages[-1].time / 1000:.2f} ms ({args.beat_model} beat model)")


if __name__ == "__main__":
    main()
