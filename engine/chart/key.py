"""A chart's key from its chords, when the chart names none.

Every tonic and mode is scored on the chords as played (each weighted by its beats): how many of their tones
lie in the mode's scale (the main term: a key whose scale the chords leave is out), how long the tonic chord
sounds (a chord on the tonic whose third is the mode's, or a power chord), and whether the chart starts and
ends on it. Among keys with the same notes (D dorian, C major, A minor ...) the tonic terms decide; a last
tie goes to the commoner mode (minor, major, dorian, mixolydian, phrygian, lydian, locrian). Our own rule of
thumb, the way a musician reads a lead sheet with no key signature.

>>> from fractions import Fraction as F
>>> key_of([(F(8), (2, "min")), (F(4), (0, "maj")), (F(4), (7, "maj")), (F(4), (2, "min"))])
(2, 'dorian')
"""

from __future__ import annotations

from fractions import Fraction

from engine.arrange.dombra import chord_pcs
from engine.state import Chord
from engine.theory import SCALES, scale_pcs

COMMON = ("minor", "major", "dorian", "mixolydian", "phrygian", "lydian", "locrian")
TONIC_WEIGHT, LAST_WEIGHT, FIRST_WEIGHT, MODE_TIE = 0.5, 0.3, 0.15, 0.001


def _on_tonic(chord: Chord | None, tonic: int, mode: str) -> bool:
    """True when `chord` is the tonic chord of the key: its root the tonic, its third (if any) the mode's."""
    if chord is None or chord[0] != tonic:
        return False
    third = SCALES[mode][2]
    return (tonic + (7 - third)) % 12 not in chord_pcs(chord)     # no third of the other kind


def key_of(spans: list[tuple[Fraction, Chord | None]]) -> tuple[int, str]:
    """(tonic pitch class 0..11, mode) for chords played for (beats, chord) in order; (0, "major") when
    there is no chord at all (only N.C.)."""
    chords = [(beats, c) for beats, c in spans if c is not None]
    if not chords:
        return 0, "major"
    total = float(sum(beats for beats, _ in chords))
    first, last = chords[0][1], chords[-1][1]
    best, best_score = (0, "major"), -1.0
    for tonic in range(12):
        for rank, mode in enumerate(COMMON):
            scale = scale_pcs(tonic, mode)
            fit = sum(float(b) * len(chord_pcs(c) & scale) / len(chord_pcs(c)) for b, c in chords) / total
            home = sum(float(b) for b, c in chords if _on_tonic(c, tonic, mode)) / total
            score = (fit + TONIC_WEIGHT * home + LAST_WEIGHT * _on_tonic(last, tonic, mode)
                     + FIRST_WEIGHT * _on_tonic(first, tonic, mode) - MODE_TIE * rank)
            if score > best_score:
                best, best_score = (tonic, mode), score
    return best
