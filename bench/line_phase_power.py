"""How often each cue of a single-note line places the beat's phase right, measured before any is wired in.

    python bench/line_phase_power.py [--limit 60] [--held]

The takes: the `solo` set of bench/accuracy.py and GuitarSet's dev solos (or, --held, `solo-held`: report only).
Each take's notes go through the listener's conditioner (lone onsets, 50 ms apart); every 2 s from 8 s to 60 s
the onsets of the last 8 s, faded with the beat tracker's 2 s recency, are placed on the *true* beats (each
onset's position in beats, interpolated between annotated beats). Per cue, two readings of the window:

- `rank`: the cue's weight near each of 4 phases (0, 1/4, 1/2, 3/4 of a beat, within 1/8): a hit when the true
  phase (0) scores highest; `/half` when it beats the half-beat-off phase alone (the tracker's usual mistake);
- `mean`: the weighted circular mean of the onsets, as the tracker's phase starts from it (phase.fit_grid): a
  hit within 1/8 of a beat of the truth; `/half` within 1/4. A cue silent in a window leaves it to the plain
  onsets.

Cues: plain onsets; Parncutt's durational accent; the tonic triad and the tonic of the true key and of the
window's Krumhansl-Schmuckler key (tonal accent: Prince & Schmuckler 2014, "The tonal-metric hierarchy",
Music Perception 31; Temperley 2007, Music and Probability); a contour turn and a leap of 5+ semitones into the
note (melodic accent, Thomassen 1982); a phrase opening after a gap of k times the median gap; the note's pitch
class share of the window's note time; and plain onsets weighted up by some of them.
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
from fit_bar_pointer import even  # noqa: E402
from fit_line_accents import confirmed  # noqa: E402

from engine.listen.line_accents import durational_accent  # noqa: E402
from engine.theory import pitch_class  # noqa: E402

PHASES = 4
NEAR = 0.125       # beats
WINDOW, RECENCY, STEP = 8.0, 2.0, 2.0
KK_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KK_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def window_key(pcs: np.ndarray, dur: np.ndarray) -> tuple[int, bool]:
    """(tonic pc, minor) of the Krumhansl-Schmuckler key of pitch classes weighted by duration."""
    h = np.bincount(pcs, weights=dur, minlength=12)
    best, arg = -np.inf, (0, False)
    for minor, prof in ((False, KK_MAJOR), (True, KK_MINOR)):
        for k in range(12):
            r = np.corrcoef(h, np.roll(prof, k))[0, 1]
            if r > best:
                best, arg = r, (k, minor)
    return arg


def triad(pcs: np.ndarray, tonic: int, minor: bool) -> np.ndarray:
    """1.0 where a pitch class of `pcs` is in the tonic triad of the key on `tonic` (minor or major), else 0."""
    d = (pcs - tonic) % 12
    return ((d == 0) | (d == (3 if minor else 4)) | (d == 7)).astype(float)


def cues(t, p, true_key) -> dict[str, np.ndarray]:
    """Each cue's per-onset evidence over the line's onsets t (s) and pitches p."""
    n = len(t)
    ioi = np.append(np.diff(t), 0.5)
    before = np.insert(np.diff(t), 0, 9.0)
    dp_in = np.insert(np.diff(p), 0, 0)
    dp_out = np.append(np.diff(p), 0)
    pcs = p % 12
    out = {"plain": np.ones(n), "durational": np.array([durational_accent(x) for x in ioi])}
    if true_key is not None:
        out["triad (true key)"] = triad(pcs, pitch_class(true_key[0]), true_key[1] != "major")
        out["tonic (true key)"] = ((pcs - pitch_class(true_key[0])) % 12 == 0).astype(float)
    out["turn"] = ((dp_in * dp_out) < 0).astype(float)
    out["leap in"] = (np.abs(dp_in) >= 5).astype(float)
    med = np.median(before[1:]) if n > 2 else 1.0
    for k in (1.5, 2.0, 3.0):
        out[f"after rest {k}"] = (before >= k * med).astype(float)
    out["pc share"] = np.zeros(n)     # filled per window (the window's own pitch-class weights)
    out["triad (window key)"] = np.zeros(n)
    for w in (1.0, 2.0, 4.0):
        out[f"plain + {w} rest 1.5"] = 1 + w * out["after rest 1.5"]
        out[f"plain + {w} leap"] = 1 + w * out["leap in"]
        out[f"plain + {w} dur"] = 1 + w * out["durational"]
        out[f"dur + {w} rest 1.5"] = out["durational"] + w * out["after rest 1.5"]
        if true_key is not None:
            out[f"plain + {w} triad (true key)"] = 1 + w * out["triad (true key)"]
    return out


def take_rows(piece, messages) -> list[dict]:
    """Per window of the take, each cue's `rank` scores (array of PHASES) and `mean` phase error (beats)."""
    notes = confirmed(accuracy.cut(messages, 60.0))
    # lone notes: onsets more than 50 ms apart (a line)
    t, p = [], []
    for time, pitch, _, _ in notes:
        if t and time - t[-1] < 0.05:
            continue
        t.append(time)
        p.append(pitch)
    t, p = np.array(t), np.array(p)
    beats = piece.beats[piece.beats <= 61.0]
    ok = (t >= beats[0]) & (t <= beats[-1])
    pos = np.interp(t, beats, np.arange(len(beats)))
    c = cues(t, p, piece.key)
    ioi = np.append(np.diff(t), 0.5)
    rows = []
    for end in np.arange(WINDOW, 60.0 + 1e-9, STEP):
        sel = ok & (t > end - WINDOW) & (t <= end)
        if sel.sum() < 6:
            continue
        rec = np.exp(-(end - t[sel]) / RECENCY)
        frac = pos[sel] % 1.0
        pcs = p[sel] % 12
        h = np.bincount(pcs, weights=ioi[sel], minlength=12)
        c["pc share"][sel] = h[pcs] / h.max()
        k, minor = window_key(pcs, ioi[sel])
        c["triad (window key)"][sel] = triad(pcs, k, minor)
        score = {}
        for name, e in c.items():
            s = []
            for ph in np.arange(PHASES) / PHASES:
                d = np.abs((frac - ph + 0.5) % 1.0 - 0.5)
                s.append(float(((d < NEAR) * e[sel] * rec).sum()))
            score[name] = np.array(s)
            z = (np.exp(2j * np.pi * frac) * e[sel] * rec).sum()
            if abs(z) < 1e-6 * rec.sum():      # the cue is silent in this window: the plain onsets decide
                z = (np.exp(2j * np.pi * frac) * rec).sum()
            score["mean " + name] = abs(((np.angle(z) / (2 * np.pi)) + 0.5) % 1.0 - 0.5)
        rows.append(score)
    return rows


def summary(rows) -> dict[str, tuple[float, float]]:
    """Each cue's (hit share, /half share) over the windows `rows` (see the module's docstring)."""
    out = {}
    for name in rows[0]:
        hit = half = 0
        for r in rows:
            if name.startswith("mean "):
                hit += int(r[name] < NEAR)
                half += int(r[name] < 0.25)
                continue
            s = r[name]
            hit += int(s[0] > np.delete(s, 0).max())
            half += int(s[0] > s[PHASES // 2])
        out[name] = (hit / len(rows), half / len(rows))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--held", action="store_true")
    args = ap.parse_args()
    items = accuracy.solo_pieces(args.limit, held=args.held)
    if not args.held:
        items += accuracy.gs_solo_pieces()
    items = [(p, m) for p, m in items if even(p)]
    groups = {"nottingham": [], "pop909": [], "gssolo": []}
    for piece, messages in items:
        rows = take_rows(piece, messages)
        if not rows:
            continue
        g = next(k for k in groups if k in piece.name)
        groups[g].extend(rows)
        s = summary(rows)
        print(f"{piece.name:40s} mean: plain {s['mean plain'][0]:.2f}  durational {s['mean durational'][0]:.2f}  "
              f"window-key triad {s['mean triad (window key)'][0]:.2f}  after rest {s['mean after rest 1.5'][0]:.2f}")
    for g, rows in groups.items():
        if not rows:
            continue
        print(f"\n{g}: {len(rows)} windows; cue: hit / half (rank; `mean`: circular mean)")
        for name, (h, hf) in summary(rows).items():
            print(f"  {name:32s} {h:.3f} / {hf:.3f}")


if __name__ == "__main__":
    main()
