"""Fit the bar pointer's downbeat evidence: logistic regression of 'this beat is a downbeat' on the beat features.

    python bench/fit_bar_pointer.py [--sets sim2,guitarset-dev] [--check converter-set-b,sim2-held]

For every take of the fitting sets, the guitar's notes go through the listener's conditioner (confirmed notes,
bass flags, the declared 30 ms converter latency on simulated takes) and `engine.listen.bar_pointer.BeatFeatures`
computes each *annotated* beat's features in order; the label is whether the beat is an annotated downbeat.
Takes whose beats are uneven (aqsaq 5/8, 7/8) are left out: the bar pointer counts even beats. An L2-regularised
logistic regression (Newton's method) gives log-odds = b + w . x for a downbeat against a weak beat, and for the
half-bar beat of a four-beat bar against a weak beat; the bar pointer's log-likelihood ratios are those less the
fitting data's prior log-odds, printed as DOWNBEAT and HALF_BAR to paste into bar_pointer.py.
`--accents` prints, over the takes with dynamics of its sets, how much louder the loudest note on a downbeat
is than two beats before (and softer two beats after), as the log of their ratio: the bar pointer's ACCENT and
ACCENT_SPREAD.
`--check` prints how often the fitted evidence ranks the true downbeat first among each bar's beats, on sets
not used for fitting.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import datasets  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen.bar_pointer import DOWNBEAT, EARLY, FEATURES, LATE, LEVEL, ON_BEAT, BeatFeatures  # noqa: E402
from engine.listen.guitar import GuitarConditioner, GuitarConfig  # noqa: E402

SIMULATED = ("converter-set-b", "sim2", "sim2-held")


def notes_of(piece) -> list[tuple[float, int, float, bool]]:
    """The confirmed notes of a take as the listener gets them: (time s, MIDI pitch, velocity / 127, bass)."""
    latency = 0.03 if piece.dataset in SIMULATED else 0.0
    g = GuitarConditioner(GuitarConfig(converter_latency=latency))
    out = []
    g.on_note = lambda n: out.append((n.time, n.pitch, n.velocity / 127, n.bass))
    messages = read_guitar_file(piece.midi).messages
    for m in messages:
        g.feed(m)
        g.update(m.time)
    g.update(messages[-1].time + 5.0)
    return sorted(out)


WEAK, DOWN, HALF = 0, 1, 2     # a beat's class: weak, downbeat, the half-bar beat of a four-beat bar


def beat_rows(piece) -> tuple[np.ndarray, np.ndarray]:
    """(features, classes) of the annotated beats of a take (features: beats x len(FEATURES); classes WEAK,
    DOWN or HALF from the beat's place between the annotated downbeats)."""
    notes = notes_of(piece)
    beats = piece.beats
    downs = np.round(piece.downbeats, 3)
    f = BeatFeatures()
    rows, classes = [], []
    for i in range(1, len(beats) - 1):
        before, after = beats[i] - beats[i - 1], beats[i + 1] - beats[i]
        window = [n for n in notes if beats[i] - before <= n[0] < beats[i] + after]
        rows.append(f.of(window, beats[i] - EARLY * before, beats[i], beats[i] + LATE * after))
        classes.append(beat_class(beats, downs, i))
    return np.array(rows), np.array(classes)


def beat_class(beats: np.ndarray, downs: np.ndarray, i: int) -> int:
    """DOWN for an annotated downbeat, HALF for the third beat of a bar of four, else WEAK."""
    t = round(float(beats[i]), 3)
    if t in downs:
        return DOWN
    j = int(np.searchsorted(downs, t)) - 1
    if j < 0 or j + 1 >= len(downs):
        return WEAK
    inside = np.flatnonzero((beats >= downs[j] - 5e-4) & (beats < downs[j + 1] - 5e-4))
    return HALF if len(inside) == 4 and i == inside[2] else WEAK


def even(piece) -> bool:
    """True when a take's beats are even (not aqsaq): its inter-beat intervals within 25 % of their median."""
    d = np.diff(piece.beats)
    return bool(np.all(np.abs(d / np.median(d) - 1) < 0.25)) if len(d) > 2 else False


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 30) -> tuple[float, np.ndarray]:
    """(b, w) of the logistic regression log-odds = b + w . x, L2 penalty `l2` on w (Newton's method)."""
    a = np.hstack([np.ones((len(x), 1)), x])
    theta = np.zeros(a.shape[1])
    penalty = np.diag([0.0] + [l2] * x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-a @ theta))
        grad = a.T @ (p - y) + penalty @ theta
        hess = (a * (p * (1 - p))[:, None]).T @ a + penalty
        theta -= np.linalg.solve(hess, grad)
    return float(theta[0]), theta[1:]


def bar_hits(piece, down: tuple[float, np.ndarray]) -> tuple[int, int]:
    """(bars whose true downbeat has the highest downbeat evidence among its bar's beats, bars) for one take."""
    x, c = beat_rows(piece)
    score = down[0] + x @ down[1]
    starts = np.flatnonzero(c == DOWN)
    hits = total = 0
    for a, b in zip(starts, starts[1:]):
        total += 1
        hits += int(np.argmax(score[a:b]) == 0)
    return hits, total


def ratio(x: np.ndarray, c: np.ndarray, positive: int, l2: float) -> tuple[float, np.ndarray]:
    """(bias, weights) of the log-likelihood ratio of class `positive` against WEAK: a logistic regression on the
    beats of those two classes, less their prior log-odds."""
    keep = (c == positive) | (c == WEAK)
    y = (c[keep] == positive).astype(float)
    b, w = fit(x[keep], y, l2)
    prior = float(np.mean(y))
    return b - math.log(prior / (1 - prior)), w


def show(name: str, r: tuple[float, np.ndarray]) -> None:
    print(f"{name} = ({r[0]:.2f}, ({', '.join(f'{v:.2f}' for v in r[1])}))")


def accent_rows(piece) -> list[tuple[bool, bool, float]]:
    """(downbeat, downbeat two beats before, accent) of the annotated beats of a take with notes on both at one
    dynamic level: the log of the loudest note's weight (velocity / 127) within `ON_BEAT` of the beat over that
    two beats before, as the bar pointer's accent cue compares them (a ratio beyond `LEVEL` is another
    dynamic level, left out as the bar pointer leaves it). Empty when the take has no dynamics (one velocity)."""
    notes = notes_of(piece)
    if len({round(n[2], 4) for n in notes}) < 2:
        return []
    t, w = np.array([n[0] for n in notes]), np.array([n[2] for n in notes])
    beats, downs = piece.beats, set(np.round(piece.downbeats, 3))
    near = ON_BEAT * float(np.median(np.diff(beats)))
    loud = [float(w[np.abs(t - b) < near].max()) if np.any(np.abs(t - b) < near) else None for b in beats]
    is_down = [round(float(b), 3) in downs for b in beats]
    return [(is_down[i], is_down[i - 2], math.log(loud[i] / loud[i - 2])) for i in range(2, len(beats))
            if loud[i] is not None and loud[i - 2] is not None and LEVEL < loud[i] / loud[i - 2] < 1 / LEVEL]


def show_accents(names: list[str]) -> None:
    """Print the accent (log loudness ratio) against two beats before (mean, spread) by whether the beat and the one
    two before are downbeats, over the takes with dynamics of `names`: ACCENT and ACCENT_SPREAD."""
    rows = [r for name in names for piece in datasets.load(name) if even(piece) for r in accent_rows(piece)]
    for now, before, label in ((True, False, "downbeat after a weaker beat"), (False, True, "two beats after a "
                               "downbeat"), (True, True, "downbeat after a downbeat (2/4)"), (False, False, "weak")):
        d = np.array([a for n, b, a in rows if n == now and b == before])
        if len(d):
            print(f"  accent, {label:34} {len(d):5d} beats: mean {d.mean():+.3f} spread {d.std():.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="sim2,guitarset-dev")
    ap.add_argument("--check", default="converter-set-b,sim2-held")
    ap.add_argument("--l2", type=float, default=1.0)
    ap.add_argument("--accents", default="sim2,sim3", help="sets whose takes with dynamics give ACCENT")
    args = ap.parse_args()
    show_accents(args.accents.split(","))
    xs, ys = [], []
    for name in args.sets.split(","):
        for piece in datasets.load(name):
            if even(piece):
                x, y = beat_rows(piece)
                xs.append(x)
                ys.append(y)
    x, c = np.vstack(xs), np.concatenate(ys)
    down, half = ratio(x, c, DOWN, args.l2), ratio(x, c, HALF, args.l2)
    print(f"{len(c)} beats: {int((c == DOWN).sum())} downbeats, {int((c == HALF).sum())} half-bar beats, "
          f"from {len(xs)} takes of {args.sets}")
    print(f"  {'feature':22} {'downbeat':>9} {'half-bar':>9}")
    for name, a, b in zip(FEATURES, down[1], half[1]):
        print(f"  {name:22} {a:+9.2f} {b:+9.2f}")
    show("DOWNBEAT", down)
    show("HALF_BAR", half)
    for name in filter(None, args.check.split(",")):
        for label, d in (("fitted", down), ("in bar_pointer.py", (DOWNBEAT[0], np.array(DOWNBEAT[1])))):
            hits = total = 0
            for piece in datasets.load(name):
                if even(piece):
                    h, t = bar_hits(piece, d)
                    hits, total = hits + h, total + t
            print(f"{name}, {label}: the true downbeat has the most evidence in {hits} of {total} bars "
                  f"({hits / max(total, 1):.2f})")


if __name__ == "__main__":
    main()
