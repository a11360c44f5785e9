"""Fit the bar pointer's evidence on a single-note line: logistic regression of 'this beat is a downbeat' on the
line features of `engine.listen.line_accents` (a note on the beat, its durational accent, the leap into it, a
phrase opening after a rest).

    python bench/fit_line_accents.py [--limit 60] [--check]

The takes: the `solo` set of bench/accuracy.py (Nottingham and POP909 melody tracks alone, one velocity;
`solo-held` is never read here) and GuitarSet's dev solos. Each take's notes go through the listener's
conditioner; every *annotated* beat's features are computed as the bar pointer computes them a beat late (the
notes known up to `LATE` beats after the next beat); its class is downbeat, the half-bar beat of a bar of
four, or weak (bench/fit_bar_pointer.py's `beat_class`). The log-likelihood ratios against a weak beat are the
regression's log-odds less the data's prior log-odds, printed as LINE_DOWNBEAT and LINE_HALF_BAR.
Only takes in simple time count: in compound time (6/8: two dotted-quarter beats) a line has a note on nearly
every beat and its accents did not tell the bars (jigs: downbeats 1.00/0.25/0.23 of the features' means,
weak beats 1.00/0.27/0.21), so the bar pointer weighs them in simple time only.
`--check` prints how often the fitted downbeat evidence ranks the true downbeat first in its bar, on solo-held.
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
from fit_bar_pointer import DOWN, HALF, beat_class, even, ratio, show  # noqa: E402

from engine.listen.bar_pointer import LATE  # noqa: E402
from engine.listen.guitar import GuitarConditioner, GuitarConfig  # noqa: E402
from engine.listen.line_accents import LINE_DOWNBEAT, LINE_FEATURES, line_features  # noqa: E402


def confirmed(messages) -> list[tuple[float, int, float, bool]]:
    """The confirmed notes of a take's messages as the listener gets them: (time s, pitch, velocity / 127, bass)."""
    g = GuitarConditioner(GuitarConfig())
    out = []
    g.on_note = lambda n: out.append((n.time, n.pitch, n.velocity / 127, n.bass))
    for m in messages:
        while g.next_update() <= m.time:      # each pending note confirmed when due, as the listener's ticks do
            g.update(g.next_update() + 1e-9)
        g.feed(m)
    g.update(messages[-1].time + 5.0)
    return sorted(out)


def rows(piece, messages) -> tuple[np.ndarray, np.ndarray]:
    """(line features, classes) of a take's annotated beats (in its first 60 s, as accuracy.py scores)."""
    notes = confirmed(accuracy.cut(messages, 60.0))
    beats = piece.beats[piece.beats <= 60.0]
    downs = np.round(piece.downbeats, 3)
    x, c = [], []
    for i in range(1, len(beats) - 1):
        period = beats[i + 1] - beats[i]
        x.append(line_features(notes, beats[i], period, beats[i + 1] + LATE * period))
        c.append(beat_class(beats, downs, i))
    return np.array(x), np.array(c)


SIMPLE = ("2/4", "3/4", "4/4")   # the bar pointer weighs a line's accents in simple time (its beats' meters)


def takes(limit: int, held: bool) -> list:
    """(piece, messages) of the solo lines (`solo` or, `held`, `solo-held`) and, unless held, GuitarSet's solos."""
    out = accuracy.solo_pieces(limit, held=held)
    if not held:
        out += accuracy.gs_solo_pieces()
    return [(p, m) for p, m in out if even(p) and p.meter in SIMPLE]


def hits(items, down) -> float:
    """Share of bars whose true downbeat has the highest downbeat evidence among the bar's beats."""
    h = n = 0
    for piece, messages in items:
        x, c = rows(piece, messages)
        score = down[0] + x @ np.asarray(down[1])
        starts = np.flatnonzero(c == DOWN)
        for a, b in zip(starts, starts[1:]):
            n += 1
            h += int(score[a] > max(score[a + 1:b], default=-np.inf))   # a tie is no hit
    return h / max(1, n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--check", action="store_true", help="rank the true downbeats on solo-held")
    args = ap.parse_args()
    items = takes(args.limit, held=False)
    data = [rows(p, m) for p, m in items]
    x = np.vstack([d[0] for d in data])
    c = np.concatenate([d[1] for d in data])
    print(f"{len(items)} takes, {len(c)} beats ({int((c == DOWN).sum())} downbeats, {int((c == HALF).sum())} "
          f"half-bar); features {', '.join(LINE_FEATURES)}")
    down, half = ratio(x, c, DOWN, 1.0), ratio(x, c, HALF, 1.0)
    show("LINE_DOWNBEAT", down)
    show("LINE_HALF_BAR", half)
    print(f"true downbeat ranked first in its bar: dev {hits(items, down):.3f}")
    if args.check:
        print(f"... held out (solo-held, constants in the code: {LINE_DOWNBEAT}): "
              f"{hits(takes(args.limit, held=True), LINE_DOWNBEAT):.3f}")


if __name__ == "__main__":
    main()
