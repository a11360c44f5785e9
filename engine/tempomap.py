"""Tempo map: beats <-> seconds with tempo changes, exact.

Tempi are integer microseconds per beat (quarter note), as in a MIDI file, and every computation uses
`Fraction`, so `beat_at(seconds_at(b)) == b` and `seconds_at(beat_at(s)) == s` hold exactly.

>>> m = TempoMap([(0, 500_000), (4, 250_000)])   # 120 BPM, then 240 BPM from beat 4
>>> m.seconds_at(6)
Fraction(5, 2)
>>> m.beat_at(Fraction(5, 2))
Fraction(6, 1)
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from fractions import Fraction
from typing import Iterable, Sequence

Number = int | float | Fraction
MICRO = 1_000_000


def _frac(x: Number) -> Fraction:
    return x if isinstance(x, Fraction) else Fraction(x)


class TempoMap:
    """Piecewise-constant tempo. `changes` are (beat, microseconds per beat) pairs; the first is at beat 0."""

    def __init__(self, changes: Iterable[tuple[Number, int]]):
        beats: list[Fraction] = []
        tempi: list[int] = []
        for beat, us in changes:
            b = _frac(beat)
            if not isinstance(us, int) or isinstance(us, bool) or not 1 <= us <= 0xFFFFFF:
                raise ValueError(f"tempo must be an integer 1..16777215 µs per beat, got {us!r}")
            if beats and b <= beats[-1]:
                raise ValueError(f"tempo change beats must increase, got {b} after {beats[-1]}")
            if not beats and b != 0:
                raise ValueError(f"the first tempo change must be at beat 0, got {b}")
            if tempi and us == tempi[-1]:
                continue  # a repeated tempo is no change
            beats.append(b)
            tempi.append(us)
        if not beats:
            raise ValueError("a tempo map needs at least one tempo")
        self._beats = beats
        self._tempi = tempi
        self._seconds = [Fraction(0)]
        for i in range(1, len(beats)):
            self._seconds.append(self._seconds[-1] + (beats[i] - beats[i - 1]) * tempi[i - 1] / MICRO)
        self._seconds_f = [float(s) for s in self._seconds]
        self._beats_f = [float(b) for b in beats]

    @classmethod
    def constant(cls, bpm: float) -> TempoMap:
        """A map at one tempo, `bpm` quarter notes per minute."""
        return cls([(0, round(60 * MICRO / bpm))])

    @classmethod
    def through_beats(cls, times: Sequence[float], beats_per_bar: int = 1) -> tuple[TempoMap, int]:
        """A map whose integer beats land on `times` (seconds, increasing, at least two).

        Beat 0 is at second 0: the time before `times[0]` is filled with whole bars at about the first
        tempo (none when times[0] is 0). Returns the map and the beat number that `times[0]` got.
        Each beat lands within 0.5 µs of its time, with no accumulated rounding.
        """
        if len(times) < 2:
            raise ValueError("through_beats needs at least two beat times")
        us = [round(t * MICRO) for t in times]
        if any(b <= a for a, b in zip(us, us[1:])) or us[0] < 0:
            raise ValueError("beat times must be non-negative and strictly increasing")
        changes: list[tuple[int, int]] = []
        first = 0
        if us[0] > 0:
            period = us[1] - us[0]
            bars = max(1, round(us[0] / (period * beats_per_bar)))
            first = bars * beats_per_bar
            base, extra = divmod(us[0], first)
            if base == 0:
                raise ValueError("first beat time too small to fill with a lead-in")
            changes.append((0, base))
            if extra:
                changes.append((first - 1, base + extra))
        for i in range(len(us) - 1):
            changes.append((first + i, us[i + 1] - us[i]))
        return cls(changes), first

    @property
    def changes(self) -> list[tuple[Fraction, int]]:
        """The (beat, microseconds per beat) pairs where the tempo changes, the first at beat 0."""
        return list(zip(self._beats, self._tempi))

    def tempo_at(self, beat: Number) -> int:
        """Microseconds per beat in force at `beat`."""
        return self._tempi[max(0, bisect_right(self._beats, _frac(beat)) - 1)]

    def seconds_at(self, beat: Number) -> Fraction:
        """The time (s, exact) of `beat`."""
        b = _frac(beat)
        i = max(0, bisect_right(self._beats, b) - 1)
        return self._seconds[i] + (b - self._beats[i]) * self._tempi[i] / MICRO

    def beat_at(self, seconds: Number) -> Fraction:
        """The beat (exact) at `seconds`."""
        s = _frac(seconds)
        i = max(0, bisect_right(self._seconds, s) - 1)
        return self._beats[i] + (s - self._seconds[i]) * MICRO / self._tempi[i]

    def beat_at_float(self, seconds: float) -> float:
        """Float fast path of `beat_at` for bulk conversion of event times (error below 1e-9 beats)."""
        i = max(0, bisect_right(self._seconds_f, seconds) - 1)
        return self._beats_f[i] + (seconds - self._seconds_f[i]) * MICRO / self._tempi[i]


def median_bpm(times: Sequence[float]) -> float | None:
    """The tempo (BPM) of beats at `times` (s, in order): 60 over the median of the gaps between consecutive
    beats that move forward; None with fewer than three such gaps. The median, not the last beat: a flurry at a
    take's end does not name its tempo."""
    gaps = [b - a for a, b in zip(times, times[1:]) if b > a]
    return 60.0 / statistics.median(gaps) if len(gaps) >= 3 else None
