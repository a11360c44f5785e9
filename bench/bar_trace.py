"""The bar pointer beat by beat on one take with a truth: where each weighed beat falls in the truth's bar, its
downbeat and half-bar evidence, the pointer's bar position for it, and how often the player strikes each beat of
the truth's bar.

    python bench/bar_trace.py TAKE.mid [--latency 0.03]

Runs the online listener (engine.analyze.run_online) on TAKE.mid with its truth TAKE.json beside it (`beats`,
`downbeats`, s) and prints, per beat the pointer weighs (engine/listen/bar_pointer.py `BarTracker._step`): the beat
number, its time (s), its place in the truth's bar (1 = the downbeat; x: no truth beat within 0.12 s), the
log-likelihood ratios of a downbeat and a half bar (`_evidence`), the pointer's 4/4 position for the beat with its
share of the 4/4 belief (a rotated bar shows as a position other than the truth's), the meter it reads with its
confidence and the 2, 3 and 4 beat beliefs, whether the player comps off the beat, and `played_by_beat` for the
truth's bar (how often each of its beats is struck against the mean beat; with a new grid the count starts anew).
Use `--latency 0.03` on the simulated sets (their declared converter latency, as accuracy.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402
from engine.listen import bar_pointer as bp  # noqa: E402
from engine.listen.guitar import GuitarConfig  # noqa: E402

NEAR = 0.12     # s: a weighed beat this near a truth beat is on it


class Truth:
    """A take's truth beats and downbeats (s), and where a time falls in its bars."""

    def __init__(self, path: Path):
        truth = json.loads(path.read_text())
        self.beats, self.downbeats = np.array(truth["beats"]), np.array(truth["downbeats"])

    def place(self, t: float) -> int | None:
        """The beat of the truth's bar (1 = the downbeat) at `t` (s), None when no truth beat lies within NEAR."""
        j = int(np.argmin(np.abs(self.beats - t)))
        k = int(np.searchsorted(self.downbeats, self.beats[j] + 1e-3)) - 1
        if abs(self.beats[j] - t) > NEAR or k < 0:
            return None
        return int(np.sum((self.beats >= self.downbeats[k] - 1e-3) & (self.beats < self.beats[j] - 1e-3))) + 1


def row(bars: bp.BarTracker, n: int, t: float, place: int | None, evidence: tuple[float, float]) -> str:
    """One printed line for beat number `n` at `t` s, weighed with `evidence` (downbeat, half-bar LLRs)."""
    four = bars._belief[bars._span[3]]
    k = max(range(4), key=four.__getitem__)
    beats, _, confidence = bars.bar()
    mass = {b: sum(sum(bars._belief[bars._span[c]]) for c, (m, _, _) in enumerate(bp.COUNTINGS) if m == b)
            for b in bp.METERS}
    struck = ""
    if place is not None:
        one = (n - (place - 1)) % 4                 # the beat number of the truth's 1, mod 4
        struck = " ".join(f"{x:.2f}" for x in bars.played_by_beat(4, one))
    return (f"{n:5d} {t:7.2f}  truth {place or 'x'}  down {evidence[0]:+5.2f} half {evidence[1]:+5.2f}  "
            f"pointer 4/4 pos {k + 1} ({four[k] / max(1e-12, sum(four)):.2f})  reads {beats} conf {confidence:.2f}  "
            f"2/3/4 {mass[2]:.2f} {mass[3]:.2f} {mass[4]:.2f}  offbeat {bars.offbeat}  struck 1-4 {struck}")


def trace(midi: Path, latency: float) -> None:
    """Print `row` for every beat the listener's bar pointer weighs on `midi` (truth beside it)."""
    truth = Truth(midi.with_suffix(".json"))
    step, evidence = bp.BarTracker._step, bp.BarTracker._evidence

    def weighed(self, n, seconds_at):
        self._traced = evidence(self, n, seconds_at)
        return self._traced

    def stepped(self, n, seconds_at):
        step(self, n, seconds_at)
        t = seconds_at(n)
        print(row(self, n, t, truth.place(t), self._traced))

    bp.BarTracker._evidence, bp.BarTracker._step = weighed, stepped
    try:
        config = ListenerConfig(guitar=GuitarConfig(converter_latency=latency))
        run_online(read_guitar_file(midi).messages, config)
    finally:
        bp.BarTracker._evidence, bp.BarTracker._step = evidence, step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("take", type=Path)
    ap.add_argument("--latency", type=float, default=0.0)
    args = ap.parse_args()
    trace(args.take, args.latency)


if __name__ == "__main__":
    main()
