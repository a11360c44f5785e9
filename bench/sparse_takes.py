"""review28's sparse takes: the kinds the pulse rule (engine/listen/beat.py `_hear_pulse`, intro14) could starve, on
guitar_idioms.py's fretboard (six strings, one MIDI channel each), with a truth JSON each for band_eval.py.

    python bench/sparse_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1

Kinds (the name says meter, kind, tempo and key): one strum a bar (4/4 at 60, 3/4 at 90), whole notes (80, 100),
ballads of half notes (60, 72) or on 1, 3 and 4 (60), a waltz of 1 and 3 (72), fingerpicked eighths (p-i-m-a at 70
and 56, a Travis-like order at 96), two bars of single bass notes (quarters, on 1, on 1 and 3) before strummed
eighths, and a control of quarters at 60. Our own takes: a check of a kind, not evidence (bench/README.md, review28).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402
from guitar_idioms import Take, perform, song, truth_of, voicing  # noqa: E402

EIGHTHS = "D...D.U...U.D.U."            # D . D U . U D U on a sixteenth grid
WHOLE = "D" + "." * 15                  # one strum a 4/4 bar


def plain(take: Take, seed: int) -> tuple:
    """A take played from 1 s as written: (MIDI file, truth)."""
    events, beats = perform(take, seed)
    return midi_of(events), truth_of(take, beats, min(e[0] for e in events))


def arpeggio(bpm: float, key: str, chords: str, order: tuple, seed: int) -> tuple:
    """Fingerpicked eighths in 4/4 at `bpm` over `chords` (one a bar, four times), the string of each eighth its
    index into the shape's played strings in `order` (8 a bar), each note ringing to the bar's end; a final chord."""
    take = Take("4/4", bpm, (key, "major"), song(chords, WHOLE, 4))
    rnd, beat = random.Random(seed), 60.0 / bpm
    beats = [1.0 + i * beat for i in range(len(take.bars) * 4 + 1)]
    events = []
    for b, (shape, _) in enumerate(take.bars):
        pitches = voicing(take, shape)
        played = [s for s, p in enumerate(pitches) if p is not None]
        for e in range(8):
            s = played[min(order[e], len(played) - 1)]
            t = beats[b * 4] + e * beat / 2 + rnd.gauss(0, 0.008)
            level = 62 + rnd.randint(-6, 6) + (10 if e == 0 else 0)
            events += [(t, 1, pitches[s], level, s), (beats[b * 4 + 4] - 0.01, 0, pitches[s], 0, s)]
    for s, p in enumerate(voicing(take, take.bars[0][0])):
        if p is not None:
            events += [(beats[-1] + 0.01 * s, 1, p, 70, s), (beats[-1] + 3.0, 0, p, 0, s)]
    return midi_of(events), truth_of(take, beats, 1.0)


def bass_start(bpm: float, key: str, chords: str, intro: str, seed: int) -> tuple:
    """Two bars of single bass notes (`intro`, a 4/4 bar's figure of B strokes), then strummed eighths."""
    bars = [(c, intro) for c in chords.split()[:2]] + song(chords, EIGHTHS, 4)
    return plain(Take("4/4", bpm, (key, "major"), bars), seed)


def takes() -> list[tuple[str, tuple]]:
    """Every take of the docstring as (stem, (MIDI file, truth)), seeds fixed."""
    def four(bpm: float, key: str, chords: str, figure: str) -> Take:
        return Take("4/4", bpm, (key, "major"), song(chords, figure, 4))

    return [
        ("4-4_one-strum-a-bar_60_G", plain(four(60, "G", "G C D G", WHOLE), 501)),
        ("4-4_whole-notes_80_C", plain(four(80, "C", "C Am F G", WHOLE), 502)),
        ("4-4_whole-notes_100_D", plain(four(100, "D", "D G A D", WHOLE), 503)),
        ("4-4_ballad-halves_60_G", plain(four(60, "G", "G Em C D", "D.......D......."), 504)),
        ("4-4_ballad-halves_72_C", plain(four(72, "C", "C Am F G", "D.......D......."), 505)),
        ("4-4_ballad-1-3-4_60_G", plain(four(60, "G", "G Em C D", "D.......D...D..."), 506)),
        ("3-4_one-strum-a-bar_90_G", plain(Take("3/4", 90, ("G", "major"), song("G C D G", "D" + "." * 11, 4)), 507)),
        ("3-4_waltz-bass-first_72_G", plain(Take("3/4", 72, ("G", "major"), song("G C D G", "D.......D...", 4)), 508)),
        ("4-4_arpeggio-pima_70_C", arpeggio(70, "C", "C Am F G", (0, 2, 3, 4, 5, 4, 3, 2), 509)),
        ("4-4_arpeggio-travis_96_G", arpeggio(96, "G", "G C D G", (0, 4, 2, 5, 1, 4, 2, 5), 510)),
        ("4-4_arpeggio-slow_56_Am", arpeggio(56, "A", "Am F C G", (0, 2, 3, 4, 5, 4, 3, 2), 511)),
        ("4-4_bass-start-quarters_96_G", bass_start(96, "G", "G C D G", "B...B...B...B...", 512)),
        ("4-4_bass-start-on-1_96_G", bass_start(96, "G", "G C D G", "B...............", 513)),
        ("4-4_bass-start-1-3_80_C", bass_start(80, "C", "C Am F G", "B.......B.......", 514)),
        ("4-4_quarters-control_60_G", plain(four(60, "G", "G C D G", "D...D...D...D..."), 515)),
    ]


if __name__ == "__main__":
    write_all(__doc__, takes())
