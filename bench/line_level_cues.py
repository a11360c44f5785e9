"""Which cues of a single-note line tell its beat from the level 3:2 slower (a straight line's dotted quarters).

    python bench/line_level_cues.py [--limit 60] [--held] [--per-take]

A fast straight line (a bossa solo at 166 BPM) is heard at 3:2 of its beat when its 3+3+2 figures put its notes
a dotted quarter apart. Per take (first 60 s, notes as the listener confirms them, strums of notes within
TOGETHER): the gaps between strums in the truth's beats (how many near 1/2, 1, 3/2 and 2 beats); strums on the
truth's beats and on their "ands", single notes and double stops apart; and in 8 s windows every 2 s (as the
tracker's), how often the true period out-scores 3:2 of it in the tempo comb (`TempoEstimator.scores`) with plain
onsets and with their durational accents (as the tracker weighs a line), and how often the true grid, at its best
fixed phase over the window, holds more of the onsets within ON_BEAT of its beats than the 3:2 grid does (a
3+3+2 line's dotted quarters lose their phase every bar; a jig's keep it). Sets: GuitarSet's dev solos and the
`solo` lines (dev); `--held` adds solo-held (reported, never tuned on).
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
from fit_line_accents import confirmed  # noqa: E402

from engine.listen.line_accents import ON_BEAT, TOGETHER, durational_accent  # noqa: E402
from engine.listen.tempo import FPS, TempoEstimator  # noqa: E402

WINDOW, STEP, SPAN = 8.0, 2.0, 60.0
GAPS = (0.5, 1.0, 1.5, 2.0)   # gaps between strums counted, in the truth's beats (within 1/8 beat)


def strums(notes) -> tuple[np.ndarray, np.ndarray]:
    """(onset times s, notes per strum) of confirmed notes (time-ordered), notes within TOGETHER one strum."""
    t, size = [], []
    for n in notes:
        if t and n[0] - t[-1] < TOGETHER:
            size[-1] += 1
        else:
            t.append(n[0])
            size.append(1)
    return np.array(t), np.array(size)


def on_share(t: np.ndarray, period: float) -> float:
    """The largest share of onsets t (s) within ON_BEAT of the beats of a grid of `period` (s), over 24 phases."""
    e = np.subtract.outer(np.arange(24) / 24, t / period) % 1.0
    return float(((e < ON_BEAT) | (e > 1.0 - ON_BEAT)).sum(axis=1).max() / len(t))


def take_cues(piece, messages, tempo: TempoEstimator) -> dict[str, float]:
    """The cues of one take (see the module): counts, and windows won by the true level."""
    t, size = strums(confirmed(accuracy.cut(messages, SPAN)))
    beats = piece.beats[piece.beats <= SPAN]
    out = dict.fromkeys(("gap 1/2", "gap 1", "gap 3/2", "gap 2", "on 1", "and 1", "on 2+", "and 2+",
                         "comb plain", "comb accent", "phase", "windows"), 0.0)
    if len(t) < 8 or len(beats) < 4:
        return out
    period = float(np.median(np.diff(beats)))
    x = np.interp(t, beats, np.arange(len(beats)), left=np.nan, right=np.nan)
    for g in np.diff(x[~np.isnan(x)]):
        for label, want in zip(("gap 1/2", "gap 1", "gap 3/2", "gap 2"), GAPS):
            out[label] += abs(g - want) < 0.125
    e = x - np.round(x)
    for where, sel in (("on", np.abs(e) < ON_BEAT), ("and", np.abs(np.abs(e) - 0.5) < ON_BEAT)):
        out[f"{where} 1"] += float((sel & (size == 1)).sum())
        out[f"{where} 2+"] += float((sel & (size > 1)).sum())
    accent = np.array([durational_accent(g) for g in np.append(np.diff(t), 0.5)])
    for end in np.arange(WINDOW, t[-1] + 1e-9, STEP):
        m = (t > end - WINDOW) & (t <= end)
        if m.sum() < 8 or 1.5 * period * FPS > tempo.lag_hi:
            continue
        out["windows"] += 1
        for label, w in (("comb plain", np.ones(m.sum())), ("comb accent", accent[m])):
            score = tempo.scores(t[m], w)
            at = np.interp((period * FPS, 1.5 * period * FPS), tempo.lags, score)
            out[label] += at[0] > at[1]
        out["phase"] += on_share(t[m], period) > on_share(t[m], 1.5 * period)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--held", action="store_true", help="also report solo-held (never tuned on)")
    ap.add_argument("--per-take", action="store_true", help="a row per take")
    args = ap.parse_args()
    sets = {"gssolo": accuracy.gs_solo_pieces(),
            "solo": accuracy.solo_pieces(args.limit)}
    if args.held:
        sets["solo-held"] = accuracy.solo_pieces(args.limit, held=True)
    tempo = TempoEstimator()
    for name, items in sets.items():
        total: dict[str, float] = {}
        for piece, messages in items:
            cues = take_cues(piece, messages, tempo)
            for k, v in cues.items():
                total[k] = total.get(k, 0.0) + v
            if args.per_take:
                print(f"{piece.name:40s} " + " ".join(f"{k}={v:.0f}" for k, v in cues.items()))
        n = max(1.0, total["windows"])
        print(f"{name:10s} gaps 1/2 {total['gap 1/2']:.0f}, 1 {total['gap 1']:.0f}, 3/2 {total['gap 3/2']:.0f}, "
              f"2 {total['gap 2']:.0f}; strums on/and: single {total['on 1']:.0f}/{total['and 1']:.0f}, "
              f"double stops {total['on 2+']:.0f}/{total['and 2+']:.0f}; windows where the true level beats 3:2: "
              f"comb plain {total['comb plain'] / n:.2f}, comb accent {total['comb accent'] / n:.2f}, "
              f"phase {total['phase'] / n:.2f} (of {n:.0f})")


if __name__ == "__main__":
    main()
