"""Slow 12/8 blues figures at 45-70 dotted quarters a minute, written with bench/guitar_idioms.py's fretboard, with
their truth (blues14; issues 11 and 12): is a slow 12/8 heard in dotted quarters, not in its triplet eighths?

    python bench/slow_shuffles.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1

A 12-bar blues in E or A (E7 A7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7 and its A form), three choruses, each bar one of
FIGURES on its twelve triplet eighths (guitar_idioms' strokes: "B" the shape's bass string, "A" the next string up,
"D" a down-strum, "U" an up-strum of the top four, "." nothing), at each of TEMPI, in each key; the accented eighths
are 14 velocity louder. The truth's beat is the dotted quarter, its meter 12/8. Our own takes: a check of a kind,
not evidence (bench/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402
from guitar_idioms import Take, perform, truth_of  # noqa: E402

FORMS = {"E": "E7 A7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7", "A": "A7 D7 A7 A7 D7 D7 A7 A7 E7 D7 A7 E7"}
# name: (figure of a 12/8 bar, accented eighths): the shuffle bass (guitar_idioms' slow blues), a boogie bass, a bass
# on every beat under up-strums, an all-strummed shuffle, every triplet strummed (accents on 1 and 3, or every beat)
FIGURES = {"shuf": ("B.UD.UB.UD.U", (0, 6)), "boog": ("B.AB.AB.AB.A", (0, 6)), "bassup": ("B.UB.UB.UB.U", (0, 6)),
           "strum": ("D.UD.UD.UD.U", (0, 6)), "trip": ("BUDDUDBUDDUD", (0, 6)),
           "tripacc": ("BUDDUDBUDDUD", (0, 3, 6, 9))}
TEMPI = (45, 48, 51, 54, 57, 60, 66, 70)


def main() -> None:
    """Write every figure at each tempo in each key into --out (seeds 501, 502, ... in order)."""
    runs = [(f"12-8_{name}_{bpm}_{key}", Take("12/8", bpm, (key, "mixolydian"),
                                              [(c, figure) for c in FORMS[key].split()] * 3, steps=3, accents=accents))
            for name, (figure, accents) in FIGURES.items() for bpm in TEMPI for key in FORMS]
    out = []
    for seed, (stem, take) in enumerate(runs, 501):
        events, beats = perform(take, seed)
        out.append((stem, (midi_of(events), truth_of(take, beats, min(e[0] for e in events)))))
    write_all(__doc__, out)


if __name__ == "__main__":
    main()
