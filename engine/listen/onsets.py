"""The recent onsets the beat tracker reads (`OnsetWindow`): one entry per strum, with what the tempo, phase and
meter ask of it (its salience, bass, loudness, lowest pitch, notes, durational accent), and what the window's
onsets say of the playing: a single-note line (`line`), a riff in double stops (`riff`), the bar's deep basses
(`deep`). Kept apart from the tracker (engine/listen/beat.py), which only adds onsets, reads them and forgets the old.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from engine.listen.line_accents import durational_accent

LINE_SHARE = 0.8     # share of the window's onsets that are lone notes on a single-note line (a solo, not comping)
LINE_BASS = 0.1      # share of its onsets with a bass note over which it is fingerpicking (a bass every beat or two)
RIFF_STOPS = 0.5     # share of the window's onsets that are double stops in a riff (`OnsetWindow.riff`)
# semitones: a strum's lowest note this far under its neighbours' is the bar's bass (`OnsetWindow.deep`; 3 missed a
# C bass after a G7 chord's D3, 1 found too few in a G-major waltz with a melody)
DEEP_BASS = 2


class OnsetWindow:
    """The recent onsets the tracker reads, one entry per strum: times `t` (s, rising), saliences `w` (its notes'
    weights summed), `bass` flags (True when the strum has a bass note), `loud`, its loudest note's velocity
    / 127 (0 until a note of it is told, `pitch`), `notes`, how many notes it holds, and `accent`, its durational
    accent on a single-note line (1 elsewhere), which weighs it for the tempo estimate alone: a line's long notes
    mark the beat's period, while a syncopated line's long notes often start before the beat (an anticipation),
    so the phase keeps the plain saliences. `low` is its lowest MIDI pitch (128 until a note of it is told), `pcs`
    its pitch classes (bit k for pitch class k; 0 until a note of it is told)."""

    def __init__(self) -> None:
        self.t: deque[float] = deque()
        self.low: deque[int] = deque()
        self.pcs: deque[int] = deque()
        self.w: deque[float] = deque()
        self.bass: deque[bool] = deque()
        self.loud: deque[float] = deque()
        self.notes: deque[int] = deque()
        self.accent: deque[float] = deque()   # durational accent of each onset (1 off a single-note line)
        self._lone = 0           # onsets of one note in the window ...
        self._stops = 0          # ... of two (a double stop) ...
        self._basses = 0         # ... and with a bass note

    def add(self, t: float, weight: float, new: bool, bass: bool) -> None:
        """A note started at t (s) with salience `weight`; `new` is False when it belongs to the last strum. On a
        single-note line (`_line`) a new onset ends the last one, whose `accent` becomes its durational accent
        (`durational_accent`); the new one is given the same until its own end is heard."""
        if new or not self.t:
            accent = 1.0
            if self.line():
                accent = durational_accent(t - self.t[-1])
                self.accent[-1] = accent
            self.t.append(t)
            self.w.append(weight)
            self.accent.append(accent)
            self.bass.append(bass)
            self.loud.append(0.0)
            self.low.append(128)
            self.pcs.append(0)
            self.notes.append(1)
            self._lone += 1
            self._basses += bass
        else:
            self._lone -= self.notes[-1] == 1
            self._stops += (self.notes[-1] == 1) - (self.notes[-1] == 2)
            self.w[-1] += weight
            self.accent[-1] = 1.0
            self.notes[-1] += 1
            if bass and not self.bass[-1]:
                self.bass[-1] = True
                self._basses += 1

    def line(self) -> bool:
        """True while a single-note line is being played: the last two onsets were lone notes, and so were
        `LINE_SHARE` of the window's, and at most `LINE_BASS` of them had a bass note (a solo stays over the bass
        register)."""
        n = len(self.t)
        return (n >= 2 and self.notes[-1] == 1 and self.notes[-2] == 1 and self._lone >= LINE_SHARE * n
                and self._basses <= LINE_BASS * n)

    def riff(self) -> bool:
        """True while a riff in double stops is being played (rhythm guitar's two-note figures, Chuck Berry's boogie
        or a rock riff in thirds and sixths): `LINE_SHARE` of the window's onsets are lone notes or double stops,
        `RIFF_STOPS` of them double stops, and at most `LINE_BASS` of them have a bass note. Not a `line`, whose
        onsets are lone notes; not comping, whose chords have three notes or more."""
        n = len(self.t)
        return (n >= 2 and self._lone + self._stops >= LINE_SHARE * n and self._stops >= RIFF_STOPS * n
                and self._basses <= LINE_BASS * n)

    def pitch(self, loudness: float, midi: int) -> None:
        """A note of `loudness` (velocity / 127) and MIDI pitch `midi` in the last strum (the one its onset started or
        joined)."""
        if self.loud and loudness > self.loud[-1]:
            self.loud[-1] = loudness
        if self.low and midi < self.low[-1]:
            self.low[-1] = midi
        if self.pcs:
            self.pcs[-1] |= 1 << midi % 12

    def deep(self) -> np.ndarray:
        """Per onset, True where its lowest note lies DEEP_BASS semitones or more under the lowest notes of the onsets
        before and after it: the bar's bass of a figure whose other strums (a waltz's chords on 2 and 3, a melody
        note on every beat) sound higher. Unlike `bass` (a note under E3), a chord's open D string is not one."""
        # In plain Python over the window's few dozen integer pitches, one numpy call at the end (seven small ones
        # before, 35 k of a re-estimate's 845 k instructions; by timeit 11 -> 6 us on 22 onsets): the same booleans
        low = list(self.low)
        deep = [False] * len(low)
        for i in range(1, len(low) - 1):
            deep[i] = low[i] <= low[i - 1] - DEEP_BASS and low[i] <= low[i + 1] - DEEP_BASS
        return np.array(deep, dtype=bool)

    def mark_bass(self, t: float, factor: float) -> bool:
        """The onset before the last, when it starts at `t` (s) and is not a bass yet, becomes one: its weight
        times `factor`. True when it was marked."""
        if len(self.t) < 2 or self.bass[-2] or abs(self.t[-2] - t) > 1e-9:
            return False
        self.bass[-2] = True
        self._basses += 1
        self.w[-2] *= factor
        return True

    def forget_before(self, cut: float) -> int:
        """Drop the onsets before `cut` (s); returns how many were dropped."""
        dropped = 0
        while self.t and self.t[0] < cut:
            self.t.popleft()
            self.w.popleft()
            self.accent.popleft()
            self._basses -= self.bass.popleft()
            self.loud.popleft()
            self.low.popleft()
            self.pcs.popleft()
            notes = self.notes.popleft()
            self._lone -= notes == 1
            self._stops -= notes == 2
            dropped += 1
        return dropped
