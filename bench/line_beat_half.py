"""Beat or off-beat on a single-note line: which of a grid's beats and the half-beats between them hold the line's
accents, scored by a logistic regression of "this is a beat" on the line features of a position.

    python bench/line_beat_half.py [--limit 60] [--held] [--per-take]

Positions: every annotated beat (class 1) and the midpoint between two beats (class 0), first 60 s, of the
`solo` set's lines (fit) and GuitarSet's dev solos (check); `solo-held` only with --held (reported, never fit).
Features: `engine.listen.line_accents.line_features` (a note there, its durational accent, the leap into it, a
phrase opening) plus tonal ones: the note is in the tonic triad of the window's Krumhansl-Schmuckler key, its
pitch class's share of the window's note time, a contour turn. The fitted log-likelihood ratios are then summed
over 8 s windows (2 s recency, as the tracker's) on the beats and on the half-beats: a window is a hit when the
beats score higher.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
from fit_bar_pointer import even, fit  # noqa: E402
from fit_line_accents import confirmed  # noqa: E402
from line_phase_power import triad, window_key  # noqa: E402

from engine.listen.bar_pointer import LATE  # noqa: E402
from engine.listen.line_accents import line_features  # noqa: E402

NAMES = ("note", "durational", "leap", "after rest", "tonic triad", "pc share", "turn")
WINDOW, RECENCY, STEP = 8.0, 2.0, 2.0


def positions(piece, messages):
    """(times, classes, features) of a take's beats and half-beats in its first 60 s."""
    notes = confirmed(accuracy.cut(messages, 60.0))
    beats = piece.beats[piece.beats <= 60.0]
    t = np.array([n[0] for n in notes])
    p = np.array([n[1] for n in notes])
    dur = np.append(np.diff(t), 0.5)
    rows, times, cls = [], [], []
    for i in range(1, len(beats) - 1):
        period = beats[i + 1] - beats[i]
        for at, c in ((beats[i], 1), (0.5 * (beats[i] + beats[i + 1]), 0)):
            x = line_features(notes, at, period, at + (1 + LATE) * period)
            sel = (t > at - WINDOW) & (t <= at + period)
            tonal = [0.0, 0.0, 0.0]
            if x[0] and sel.sum() >= 4:
                j = int(np.argmin(np.abs(t - at)))
                pcs = p[sel] % 12
                k, minor = window_key(pcs, dur[sel])
                h = np.bincount(pcs, weights=dur[sel], minlength=12)
                turn = 0 < j < len(p) - 1 and (p[j] - p[j - 1]) * (p[j + 1] - p[j]) < 0
                tonal = [float(triad(np.array([p[j] % 12]), k, minor)[0]), h[p[j] % 12] / h.max(), float(turn)]
            rows.append(x + tonal)
            times.append(at)
            cls.append(c)
    return np.array(times), np.array(cls), np.array(rows)


def windows(times, cls, llr) -> tuple[int, int]:
    """(hits, windows): 8 s windows whose beats' recency-weighted LLR sum exceeds the half-beats'."""
    hit = n = 0
    for end in np.arange(WINDOW, 60.0 + 1e-9, STEP):
        sel = (times > end - WINDOW) & (times <= end)
        if sel.sum() < 8:
            continue
        r = np.exp(-(end - times[sel]) / RECENCY) * llr[sel]
        on, off = r[cls[sel] == 1].sum(), r[cls[sel] == 0].sum()
        n += 1
        hit += int(on > off)
    return hit, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--held", action="store_true", help="also report solo-held (never fitted on)")
    ap.add_argument("--per-take", action="store_true", help="each take's hits with the line features' fit")
    args = ap.parse_args()
    sets = {"solo": accuracy.solo_pieces(args.limit),
            "gssolo": accuracy.gs_solo_pieces()}
    if args.held:
        sets["solo-held"] = accuracy.solo_pieces(args.limit, held=True)
    data = {name: [positions(p, m) for p, m in items if even(p)] for name, items in sets.items()}
    x = np.vstack([d[2] for d in data["solo"]])
    y = np.concatenate([d[1] for d in data["solo"]]).astype(float)
    subsets = {"line features": [0, 1, 2, 3], "+ tonal": [0, 1, 2, 3, 4, 5, 6], "note only": [0],
               "note+dur": [0, 1], "+ triad": [0, 1, 2, 3, 4], "+ pc share": [0, 1, 2, 3, 5], "+ turn": [0, 1, 2, 3, 6]}
    for label, cols in subsets.items():
        b, w = fit(x[:, cols], y, 1.0)
        print(f"{label:14s} w = ({b:.2f}, ({', '.join(f'{v:.2f}' for v in w)}))  [{', '.join(NAMES[c] for c in cols)}]")
        for name, takes in data.items():
            h = n = 0
            for times, cls, feats in takes:
                hh, nn = windows(times, cls, b + feats[:, cols] @ w)
                h, n = h + hh, n + nn
            print(f"    {name:10s} beats beat half-beats in {h}/{n} = {h / max(1, n):.3f} windows")
    if args.per_take:
        b, w = fit(x[:, :4], y, 1.0)
        for name, items in sets.items():
            for (piece, _), (times, cls, feats) in zip([i for i in items if even(i[0])], data[name]):
                h, n = windows(times, cls, b + feats[:, :4] @ w)
                print(f"{piece.name:40s} {h}/{n}")


if __name__ == "__main__":
    main()

