"""Which cue of a single melody line names its tonic (aqyn issue 12): over the solo lines (bench/accuracy.py's
`solo` set, `--held`: solo-held; `--gs`: GuitarSet's dev solos), per cue, in how many takes it weighs the true
tonic above its relative's tonic, its fourth and its fifth (ahead / behind / tied), and with -v each take's counts.

    python -P bench/line_key_cues.py [--limit 60] [--held | --gs] [-v]

Cues, each a weight per pitch class over the take's first 60 s: `count` (onsets), `duration` (seconds held, at most
2 s a note), `downbeat` and `beat` (onsets within 60 ms of the truth's downbeats and beats: what a listener that
found them could use), `longer` (notes at least twice the take's median length), `step up` (reached a semitone up),
`step down` (reached a step down), `leap` (reached by a leap of a fourth or more), `fifth leap` (reached up a
fourth or down a fifth from its fifth, key.LEAPS: a tune's upbeat, a cadence), `up a fourth`, `down a fifth`,
`triad` (three notes in a row that are a major or minor triad, for its root). Notes struck within 30 ms of the one
before (a chord's) start no interval.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
import metrics  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402

GS = ROOT.parent / "shared" / "data" / "guitarset-dev"
MINOR_THIRD = ("minor", "dorian", "phrygian", "locrian")
TOGETHER = 0.03     # s: onsets this close are one chord's, no interval (key.TOGETHER)


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
    v = {name: np.zeros(12) for name in ("count", "duration", "downbeat", "beat", "longer", "step up", "step down",
                                         "leap", "fifth leap", "up a fourth", "down a fifth", "triad")}
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
    return v


def takes(args) -> list[tuple[str, tuple[str, str], list, list, list]]:
    """(name, (tonic, mode), messages of the first 60 s, beats, downbeats) of the chosen set."""
    if args.gs:
        out = []
        for midi in sorted(GS.glob("gssolo_*.mid")):
            truth = json.loads(midi.with_suffix(".json").read_text())
            out.append((midi.stem, (truth["key"]["tonic"], truth["key"]["mode"]),
                        accuracy.cut(read_guitar_file(midi).messages, 60.0), truth["beats"], truth["downbeats"]))
        return out
    return [(p.name, p.key, accuracy.cut(m, 60.0), [b for b in p.beats if b < 60], [d for d in p.downbeats if d < 60])
            for p, m in accuracy.solo_pieces(args.limit, held=args.held)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--held", action="store_true", help="solo-held (kept out of all tuning)")
    ap.add_argument("--gs", action="store_true", help="GuitarSet's dev solos")
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
