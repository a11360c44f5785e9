"""The dombra: two strings tuned to the key, strokes turned into timed notes.

Quartal tuning (a fourth between the strings, as D3-G3) transposed so the high string sounds the tonic and
the low string the fifth below it: the open dyad then fits both the major and the minor tonic chord, and
the low string drones as on the real instrument.
"""

from __future__ import annotations

TUNINGS = {"quartal": 5, "quintal": 7, "second": 2, "unison": 0}  # semitones low -> high string
HIGH_LOWEST = 50   # the high string's open pitch is placed in 50..61 (D3..C#4)


def open_strings(tonic: int, tuning: str = "quartal") -> tuple[int, int]:
    """(low, high) open-string MIDI pitches for a key's tonic pitch class."""
    high = HIGH_LOWEST + (tonic - HIGH_LOWEST) % 12
    return high - TUNINGS[tuning], high


def stroke_notes(symbol: str, low: int, high: int) -> tuple[tuple[int, ...], float]:
    """Pitches in sounding order for a stroke, and how much softer (velocity factor) it is.

    A down-stroke sounds the low string first, an up-stroke the high string first; a pluck is the high
    string alone.
    """
    if symbol == "D" or symbol == "M":
        return (low, high), 1.0
    if symbol == "U":
        return (high, low), 0.85
    if symbol == "P":
        return (high,), 1.0
    raise ValueError(f"unknown dombra stroke {symbol!r}")
