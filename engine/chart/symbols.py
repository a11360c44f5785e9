"""Chord symbols as guitarists write them, read by pychord, as the band's chords (root, quality).

pychord (a maintained chord library, the `[chart]` extra) reads the symbol: `Dm`, `G/B`, `A5`, `Dsus4`,
`Em7b5`, `F#m7`, `Bbmaj7`, `Cadd9`, ... Jazz shorthands pychord does not know are spelled out first (`D-7` ->
`Dm7`, `C^7` -> `Cmaj7`, `Bø` / `Bh7` -> `Bm7b5`, `C°` / `Co7` -> `Cdim` / `Cdim7`). The band knows the
qualities of engine/arrange/dombra.py's CHORD_TONES (maj min 7 maj7 min7 sus2 sus4 5 dim); any other chord is
reduced to the nearest of them by its intervals: a third decides major or minor, a seventh adds 7 / maj7,
a flat fifth over a minor third is dim (m7b5 too), a chord without a third is sus2, sus4 or 5. A slash bass
(`G/B`) counts as a chord tone (G/B is G, G/F is G7, Am/G is Am7), but the band's chord keeps its root: the
dombra plays G's position, not a B in the bass.
`N.C.` is no chord (the band's dombra drones the key).

>>> read_symbol("Em7b5"), read_symbol("G/B"), read_symbol("A5"), read_symbol("D-7"), read_symbol("N.C.")
((4, 'dim'), (7, 'maj'), (9, '5'), (2, 'min7'), None)
"""

from __future__ import annotations

import re
from functools import lru_cache

from engine.state import Chord

NO_CHORD = ("N.C.", "NC", "N.C")
_SHORTHANDS = (                       # iReal / jazz spellings -> pychord's
    (re.compile(r"^([A-G][#b]?)-"), r"\1m"),
    (re.compile(r"^([A-G][#b]?)\^7?"), r"\1maj7"),
    (re.compile(r"^([A-G][#b]?)(ø7?|h7?)"), r"\1m7b5"),
    (re.compile(r"^([A-G][#b]?)(°|o)7"), r"\1dim7"),
    (re.compile(r"^([A-G][#b]?)(°|o)(?![a-z])"), r"\1dim"),
)


class SymbolError(ValueError):
    """A chord symbol pychord cannot read; the message says why."""


def _pychord():
    try:
        from pychord import Chord as PyChord  # noqa: PLC0415 (an optional extra)
    except ImportError:
        raise SymbolError("reading chord symbols needs pychord; install it with pip install 'aqyn[chart]'") from None
    return PyChord


def spelled(symbol: str) -> str:
    """`symbol` with the jazz shorthands pychord does not read spelled out (`D-7` -> `Dm7`)."""
    for pattern, replacement in _SHORTHANDS:
        symbol = pattern.sub(replacement, symbol, count=1)
    return symbol


def quality_of(intervals: set[int]) -> str:
    """The band's quality for a chord with these intervals (semitones above the root, 0..11)."""
    third = 3 if 3 in intervals and 4 not in intervals else 4 if 4 in intervals else None
    if third == 3 and 6 in intervals and 7 not in intervals:
        return "dim"
    if third is None:
        return "sus4" if 5 in intervals else "sus2" if 2 in intervals else "5"
    seventh = "7" if 10 in intervals else "maj7" if 11 in intervals else ""
    if third == 3:
        return "min7" if seventh == "7" else "min"
    return {"7": "7", "maj7": "maj7"}.get(seventh, "maj")


@lru_cache(maxsize=512)
def read_symbol(symbol: str) -> Chord | None:
    """The band's chord (root pitch class 0..11, quality) for a chord `symbol`, None for N.C. Raises
    SymbolError with pychord's reason when the symbol is not a chord (or pychord is not installed)."""
    if symbol in NO_CHORD:
        return None
    PyChord = _pychord()
    try:
        chord = PyChord(spelled(symbol))
        pitches = chord.components(visible=False)     # semitones; the first of a slash chord is its bass
    except (ValueError, KeyError, IndexError) as exc:
        raise SymbolError(str(exc) or "not a chord") from None
    root = pitches[1] if chord.on else pitches[0]
    intervals = {(p - root) % 12 for p in pitches}        # a slash bass is a chord tone (G/F: G7)
    return root % 12, quality_of(intervals)


def transposed(chord: Chord | None, semitones: int) -> Chord | None:
    """`chord` moved by `semitones` (None stays None)."""
    return None if chord is None else ((chord[0] + semitones) % 12, chord[1])
