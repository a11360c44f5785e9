"""Fit the bar pointer's downbeat evidence: logistic regression of 'this beat is a downbeat' on the beat features.

    python bench/fit_bar_pointer.py [--sets sim2,guitarset-dev] [--check converter-set-b,sim2-held]

For every take of the fitting sets, the guitar's notes go through the listener's conditioner (confirmed notes,
bass flags, the declared 30 ms converter latency on simulated takes) and `engine.listen.bar_pointer.BeatFeatures`
computes each *annotated* beat's features in order; the label is whether the beat is an annotated downbeat.
Takes whose beats are uneven (aqsaq 5/8, 7/8) are left out: the bar pointer counts even beats. An L2-regularised
logistic regression (Newton's method) gives log-odds = b + w . x; the bar pointer's log-likelihood ratio is that
less the fitting data's prior log-odds of a downbeat, printed as BIAS and WEIGHTS to paste into bar_pointer.py.
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
from engine.listen.bar_pointer import EARLY, FEATURES, LATE, BeatFeatures  # noqa: E402
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


def beat_rows(piece) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of the annotated beats of a take (features: beats x len(FEATURES))."""
    notes = notes_of(piece)
    beats = piece.beats
    downs = set(np.round(piece.downbeats, 3))
    f = BeatFeatures()
    rows, labels = [], []
    for i in range(1, len(beats) - 1):
        before, after = beats[i] - beats[i - 1], beats[i + 1] - beats[i]
        window = [n for n in notes if beats[i] - before <= n[0] < beats[i] + after]
        rows.append(f.of(window, beats[i] - EARLY * before, beats[i], beats[i] + LATE * after))
        labels.append(float(round(beats[i], 3) in downs))
    return np.array(rows), np.array(labels)


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


def bar_hits(piece, bias: float, w: np.ndarray) -> tuple[int, int]:
    """(bars whose true downbeat has the highest evidence among its bar's beats, bars) for one take."""
    x, y = beat_rows(piece)
    score = bias + x @ w
    starts = np.flatnonzero(y)
    hits = total = 0
    for a, b in zip(starts, starts[1:]):
        total += 1
        hits += int(np.argmax(score[a:b]) == 0)
    return hits, total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="sim2,guitarset-dev")
    ap.add_argument("--check", default="converter-set-b,sim2-held")
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args()
    xs, ys = [], []
    for name in args.sets.split(","):
        for piece in datasets.load(name):
            if even(piece):
                x, y = beat_rows(piece)
                xs.append(x)
                ys.append(y)
    x, y = np.vstack(xs), np.concatenate(ys)
    b, w = fit(x, y, args.l2)
    prior = float(np.mean(y))
    bias = b - math.log(prior / (1 - prior))
    print(f"{len(y)} beats, {int(y.sum())} downbeats, from {len(xs)} takes of {args.sets}")
    for name, v in zip(FEATURES, w):
        print(f"  {name:22} {v:+.2f}")
    print(f"WEIGHTS = ({', '.join(f'{v:.2f}' for v in w)})\nBIAS = {bias:.2f}")
    for name in filter(None, args.check.split(",")):
        hits = total = 0
        for piece in datasets.load(name):
            if even(piece):
                h, t = bar_hits(piece, bias, w)
                hits, total = hits + h, total + t
        print(f"{name}: the true downbeat has the most evidence in {hits} of {total} bars ({hits / max(total, 1):.2f})")


if __name__ == "__main__":
    main()
