"""Which cue of a single melody line names its tonic (aqyn issue 12): over the solo lines (bench/accuracy.py's
`solo` set, `--held`: solo-held; `--gs`: GuitarSet's dev solos; `--reels`: the dev reels), per cue, in how many
takes it weighs the true tonic above its relative's tonic, its fourth and its fifth (ahead / behind / tied), and
with -v each take's counts.

    python -P bench/line_key_cues.py [--limit 60] [--held | --gs | --reels] [-v]

Cues, each a weight per pitch class over the take's first 60 s: `count` (onsets), `duration` (seconds held, at most
2 s a note), `downbeat` and `beat` (onsets within 60 ms of the truth's downbeats and beats: what a listener that
found them could use), `longer` (notes at least twice the take's median length), `step up` (reached a semitone up),
`step down` (reached a step down), `leap` (reached by a leap of a fourth or more), `fifth leap` (reached up a
fourth or down a fifth from its fifth, key.LEAPS: a tune's upbeat, a cadence), `up a fourth`, `down a fifth`,
`triad` (three notes in a row that are a major or minor triad, for its root); where phrases close and open (key.py's
rule: the note before a gap of 2.5 times the typical one and 0.6 s or more ends a phrase): `phrase end` (weighted by
the gap, as key.FINAL does), `cadence` (a phrase end reached by a step, 1 or 2 semitones: the 2-1 and 7-1 of a close),
`phrase start` (the note after such a gap, and the first), `last` (the excerpt's last note: the piece's end on
GuitarSet, where the take ends; mid-tune on the 60 s cuts); the line's own bass: `bar low` (the lowest note struck in
each of the truth's bars), `low` (seconds held below the line's median pitch); `to beat` (a note on the truth's beat
reached a semitone up: a leading tone resolving on the beat). Notes struck within 30 ms of the one before (a chord's)
start no interval.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
import metrics  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import key  # noqa: E402

GS = ROOT.parent / "shared" / "data" / "guitarset-dev"
MINOR_THIRD = ("minor", "dorian", "phrygian", "locrian")
TOGETHER = 0.03     # s: onsets this close are one chord's, no interval (key.TOGETHER)
CUES = ("count", "duration", "downbeat", "beat", "longer", "step up", "step down", "leap", "fifth leap", "up a fourth",
        "down a fifth", "triad", "phrase end", "cadence", "phrase start", "last", "bar low", "low", "to beat")


def notes_of(messages: list) -> list[tuple[float, float, int]]:
    """(onset s, release s, pitch) of each note in time-ordered InputMessages."""
    on, out = {}, []
    for m in messages:
        if m.kind == 0x90 and m.data2 > 0:
            on[m.data1] = m.time
        elif m.kind in (0x80, 0x90) and m.data1 in on:
            out.append((on.pop(m.data1), m.time, m.data1))
    return sorted(out)


def cues(notes: list[tuple[float, float, int]], beats: list[float], downbeats: list[float]) -> dict:
    """Each cue's weight per pitch class (12 values) over the notes (see the module docstring)."""
    v = {name: np.zeros(12) for name in CUES}
    median = float(np.median([e - s for s, e, _ in notes]))
    for s, e, p in notes:
        pc = p % 12
        v["count"][pc] += 1
        v["duration"][pc] += min(e - s, 2.0)
        v["downbeat"][pc] += any(abs(s - d) < 0.06 for d in downbeats)
        v["beat"][pc] += any(abs(s - b) < 0.06 for b in beats)
        v["longer"][pc] += e - s >= 2 * median
    for (s1, _, p1), (s2, _, p2) in zip(notes, notes[1:]):
        if s2 - s1 < TOGETHER:
            continue
        d, pc = p2 - p1, p2 % 12
        v["step up"][pc] += d == 1
        v["step down"][pc] += d in (-1, -2)
        v["leap"][pc] += abs(d) >= 5
        v["fifth leap"][pc] += d in (5, -7)
        v["up a fourth"][pc] += d == 5
        v["down a fifth"][pc] += d == -7
    for trio in zip(notes, notes[1:], notes[2:]):
        pcs = {p % 12 for _, _, p in trio}
        for root in range(12):
            if pcs in ({root, (root + 4) % 12, (root + 7) % 12}, {root, (root + 3) % 12, (root + 7) % 12}):
                v["triad"][root] += 1
    phrases(notes, v)
    bass_of_line(notes, beats, downbeats, v)
    return v


def phrases(notes: list[tuple[float, float, int]], v: dict) -> None:
    """The phrase cues into `v` (`phrase end`, `cadence`, `phrase start`, `last`), phrase ends by key.py's rule
    (KeyTracker._final: a gap FINAL_RATIO times the running geometric mean gap, FINAL_MIN s or more)."""
    lone = [n for i, n in enumerate(notes) if i == 0 or n[0] - notes[i - 1][0] >= TOGETHER]
    v["phrase start"][lone[0][2] % 12] += 1
    v["last"][lone[-1][2] % 12] += 1
    typical = 0.0
    for before, (s1, _, p1), (s2, _, p2) in zip([None] + lone, lone, lone[1:]):
        gap = s2 - s1
        if typical and key.FINAL_MIN <= gap < key.OPENING_GAP and gap >= key.FINAL_RATIO * math.exp(typical):
            v["phrase end"][p1 % 12] += gap
            v["cadence"][p1 % 12] += gap * (before is not None and 1 <= abs(p1 - before[2]) <= 2)
            v["phrase start"][p2 % 12] += 1
        log = math.log(min(gap, key.OPENING_GAP))
        typical = 0.9 * typical + 0.1 * log if typical else log


def bass_of_line(notes: list[tuple[float, float, int]], beats: list[float], downbeats: list[float], v: dict) -> None:
    """The line's own bass into `v`: the lowest note struck in each truth bar (`bar low`), the seconds held below
    the line's median pitch (`low`); and `to beat`, a note on a truth beat reached a semitone up."""
    median = float(np.median([p for _, _, p in notes]))
    for s, e, p in notes:
        if p < median:
            v["low"][p % 12] += min(e - s, 2.0)
    for a, b in zip(downbeats, downbeats[1:] + [math.inf]):
        inside = [p for s, _, p in notes if a - 0.06 <= s < b - 0.06]
        if inside:
            v["bar low"][min(inside) % 12] += 1
    for (s1, _, p1), (s2, _, p2) in zip(notes, notes[1:]):
        if s2 - s1 >= TOGETHER and p2 - p1 == 1 and any(abs(s2 - b) < 0.06 for b in beats):
            v["to beat"][p2 % 12] += 1


def takes(args) -> list[tuple[str, tuple[str, str], list, list, list]]:
    """(name, (tonic, mode), messages of the first 60 s, beats, downbeats) of the chosen set."""
    if args.gs:
        out = []
        for midi in sorted(GS.glob("gssolo_*.mid")):
            truth = json.loads(midi.with_suffix(".json").read_text())
            out.append((midi.stem, (truth["key"]["tonic"], truth["key"]["mode"]),
                        accuracy.cut(read_guitar_file(midi).messages, 60.0), truth["beats"], truth["downbeats"]))
        return out
    pieces = accuracy.reel_pieces(args.limit) if args.reels else accuracy.solo_pieces(args.limit, held=args.held)
    return [(p.name, p.key, accuracy.cut(m, 60.0), [b for b in p.beats if b < 60], [d for d in p.downbeats if d < 60])
            for p, m in pieces]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--held", action="store_true", help="solo-held (kept out of all tuning)")
    ap.add_argument("--gs", action="store_true", help="GuitarSet's dev solos")
    ap.add_argument("--reels", action="store_true", help="the dev reels (accuracy.reel_pieces)")
    ap.add_argument("-v", action="store_true", help="each take's counts: tonic / relative / fourth / fifth")
    args = ap.parse_args()
    tally: dict[tuple[str, str], list[int]] = {}
    for name, (tonic, mode), messages, beats, downbeats in takes(args):
        t = metrics.pitch_class(tonic)
        others = {"relative": (t + 3) % 12 if mode in MINOR_THIRD else (t - 3) % 12,
                  "fourth": (t + 5) % 12, "fifth": (t + 7) % 12}
        v = cues(notes_of(messages), beats, downbeats)
        for cue, w in v.items():
            for other, pc in others.items():
                row = tally.setdefault((cue, other), [0, 0, 0])
                row[0 if w[t] > w[pc] else 1 if w[t] < w[pc] else 2] += 1
        if args.v:
            print(f"{name} {tonic} {mode}: " + " ".join(
                f"{cue}={w[t]:.0f}/{w[others['relative']]:.0f}/{w[others['fourth']]:.0f}/{w[others['fifth']]:.0f}"
                for cue, w in v.items()))
    print(f"{'cue':14s}" + "".join(f"{'tonic vs ' + o:>22s}" for o in ("relative", "fourth", "fifth")))
    for cue in dict.fromkeys(c for c, _ in tally):
        print(f"{cue:14s}" + "".join(f"{'%d / %d / %d' % tuple(tally[cue, o]):>22s}"
                                     for o in ("relative", "fourth", "fifth")))
    print("(takes where the cue weighs the tonic ahead / behind / tied)")


if __name__ == "__main__":
    main()
