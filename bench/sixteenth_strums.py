"""Slow 2/4 strummed in sixteenths, written with mido, with a truth JSON each (converter-set-b sim_01's kind, issue
11): the listener's first guess may be the eighth (double time), corrected a few seconds later; does the band,
come in on that guess, get onto the player's beat without a ramp through tempos on none of its beats?

    python bench/sixteenth_strums.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (beat F, jumps, bar F)

Figures, one stroke a sixteenth ("D" down from the bass string, six notes; "U" up from the top, four; "." none),
the accented sixteenths loud (velocity 92 against 62, up-strokes 8 softer): `D.DUD.DU` accented on the beats,
`D.DUD.DU` every stroke accented (no accent tells the beat), and `DUDUDUDU` accented on the beats, each at 66, 72,
78, 84 and 92 BPM. One chord a bar (I IV V I vi IV V I), 32 bars, then a final chord; strokes humanised by a fixed
seed (6 ms; bench/compound_strums.py `take` with four strokes a beat). Our own takes: a check of a kind, not evidence
(bench/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import take, write_table  # noqa: E402

TEMPI = ((66, "C"), (72, "D"), (78, "E"), (84, "G"), (92, "A"))
# name: (strokes, accented sixteenths, meter, sixteenths a beat, tempi as (BPM, key))
FIGURES = {
    "DxDU-beats": ("D.DUD.DU", (0, 4), "2/4", 4, TEMPI),
    "DxDU-even": ("D.DUD.DU", tuple(range(8)), "2/4", 4, TEMPI),
    "DUDU-beats": ("DUDUDUDU", (0, 4), "2/4", 4, TEMPI),
}


def main() -> None:
    """Write every figure at each of its tempi into --out (seeds 201, 202, ... in order)."""
    write_table(__doc__, FIGURES, take, lambda name, _, bpm, key: f"2-4_{name}_{bpm}_{key}", 201)


if __name__ == "__main__":
    main()
