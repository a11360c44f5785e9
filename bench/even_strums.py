"""4/4 strummed evenly with a chord a bar or every two bars, and 2/4 oom-pah and polka controls, written with
mido, with a truth JSON each (review22's 4/4 takes written as 2/4, issue 11): is a 4/4 whose beats are all as loud
heard in 4/4, and an oom-pah in two still in 2/4?

    python bench/even_strums.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (meter, beat F, bar F)

Figures, one stroke an eighth ("D" down from the bass string, six notes; "U" up from the top, four; "B" the bass
alone, the root, on every second bass the fifth below it when `alternate`; "C" the chord on the four top strings;
"." none): 4/4 `D.DUDUDU` and quarter strums `D.D.D.D.`, every stroke at one level (velocity 88, up-strums 8
softer, +-8 at random: no beat accented), one chord a bar or each chord held two bars, at 80, 96, 112 and 130 BPM;
2/4 oom-pah `B.C.` (bass 90, chord 72) and polka `B.CU` with an alternate bass, each chord held two bars, at 80,
100 and 120. Progression I IV V I vi IV V I, 32 bars, then a final chord; strokes humanised by a fixed seed.
The truth holds what band_eval.py reads (as bench/compound_strums.py writes it). Our own takes: a check of a kind,
not evidence (bench/README.md).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import PROGRESSION, bar, finish, write_table  # noqa: E402

# name: (strokes, meter, bars a chord, alternate bass, velocities by stroke kind, tempi as (BPM, key))
FIGURES = {
    "even-DxDUDUDU-bar": ("D.DUDUDU", "4/4", 1, False, {"D": 88, "U": 80},
                          ((80, "C"), (96, "E"), (112, "G"), (130, "D"))),
    "even-DxDUDUDU-two": ("D.DUDUDU", "4/4", 2, False, {"D": 88, "U": 80},
                          ((80, "A"), (96, "D"), (112, "C"), (130, "E"))),
    "even-quarters-bar": ("D.D.D.D.", "4/4", 1, False, {"D": 88}, ((80, "G"), (96, "A"), (112, "E"), (130, "C"))),
    "even-quarters-two": ("D.D.D.D.", "4/4", 2, False, {"D": 88}, ((80, "D"), (96, "G"), (112, "A"), (130, "C"))),
    "oompah": ("B.C.", "2/4", 2, False, {"B": 90, "C": 72}, ((80, "C"), (100, "G"), (120, "D"))),
    "polka": ("B.CU", "2/4", 2, True, {"B": 90, "C": 72, "U": 64}, ((80, "E"), (100, "A"), (120, "C"))),
}
STRINGS = {"D": range(6), "U": range(5, 1, -1), "C": range(2, 6)}


def take(strokes: str, meter: str, per_chord: int, alternate: bool, levels: dict, bpm: float, key: str, seed: int,
         bars: int = 32) -> tuple[mido.MidiFile, dict]:
    """The MIDI file (one channel per string, 960 ticks a second) and truth of one take."""
    rnd = random.Random(seed)
    eighth = 60.0 / bpm / 2
    bar_len, start = len(strokes) * eighth, 1.0
    events, beats, downbeats, chords = [], [], [], []
    for b in range(bars):
        at = start + b * bar_len
        its_beats = [at + i * 2 * eighth for i in range(len(strokes) // 2)]
        notes = bar(key, PROGRESSION[b // per_chord % len(PROGRESSION)], at, its_beats, beats, downbeats, chords)
        for e, stroke in enumerate(strokes):
            if stroke == ".":
                continue
            t = at + e * eighth + rnd.gauss(0, 0.006)
            if stroke == "B":
                pitches = [notes[0] - 5 if alternate and b % 2 else notes[0]]
            else:
                pitches = [notes[s] for s in STRINGS[stroke]]
            for j, pitch in enumerate(pitches):
                v = levels[stroke] + rnd.randint(-8, 8)
                events += [(t + 0.008 * j, 1, pitch, v, j), (t + 0.008 * j + 0.9 * eighth, 0, pitch, 0, j)]
    return finish(events, key, meter, start, bar_len, eighth, bars, beats, downbeats, chords, len(strokes))


def main() -> None:
    """Write every figure at each of its tempi into --out (seeds 101, 102, ... in order)."""
    write_table(__doc__, FIGURES, take,
                lambda name, figure, bpm, key: f"{figure[1].replace('/', '-')}_{name}_{bpm}_{key}", 101)


if __name__ == "__main__":
    main()
