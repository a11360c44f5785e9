"""Meter and downbeat from accents: compound or simple time, beats per bar, and which beat starts the bar.

Off-beat onsets tell how the beat divides: near the half or the quarters of a beat in simple time, near its
thirds in compound time (6/8: two dotted-quarter beats to the bar). Bass onsets on beats and chord changes
(accents) are counted by beat number mod 2, 3 and 4 (decaying); three beats to the bar when the mod-3 counts
are clearly more peaked than the mod-4 ones (3/4), else four (4/4). The downbeat is the phase (beat number
mod the bar) with the most accents. Bass onsets and chord changes are the strongest downbeat cues in pop and
rock (../shared/notes/ALGORITHMS.md, "Tempo, beat, downbeat").

The division's memory decays per onset (`DECAY`), so a song long in one division took 7-8 s to be heard in the
other after the player changed (bench/meter_follow.py: the simulators' 2/4 -> 6/8 changes). A short memory
(`FAST`) runs beside it: once the long one has settled (`SETTLED`) and the short one hears only the other
division (`SWITCH` of its off-beat weight, at least `SWITCH_MIN`), the player has changed how the beat divides and
the long memory starts again from the short one's counts.

Beat positions are float beats on the beat tracker's grid; beat numbers are integers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

# The division counts weigh each off-beat onset by its weight (a note's velocity / 127, a strum the sum of its notes',
# a bass 2.5 times: engine/listen/listener.py), so a strum of four to six notes weighs about 3.
DECAY = 0.97        # per onset: how much of the division counts stays (the long memory)
FAST = 0.85         # ... of the short memory's (half-life four onsets: a bar or two of strumming)
SWITCH = 0.85       # share of the short memory's off-beat weight in the other division that changes the division
SWITCH_MIN = 3.0    # ... with at least this much weight there (a strum's)
SETTLED = 6.0       # the long memory's weight in its division from which a disagreement is a change, not a start
# A meter heard for less than this (s) in a row is not a section of its own (MeterHeard.sections): review24's waltz
# heard its rallentando in 4/4 for 3.6 s, its polka came in heard 4/4 for 1.1 s; a section is 4 bars of 4/4 at 120.
SECTION = 8.0
# FAST 0.9 followed the simulators' 2/4 -> 6/8 changes 1.1 and 2.2 s sooner, 0.85 3.4 and 3.9 s sooner; neither
# moved a take of the dev sets otherwise (bench/README.md, session 19).

class MeterTracker:
    """Counts divisions and accents on the beat tracker's grid; its counts refer to one metrical level (beat
    period) and start again when that changes."""

    def __init__(self) -> None:
        self.meter_margin = 1.3     # how much more peaked accents every third beat must be for 3/4
        self.classified = 0                     # onsets already counted for the meter and bar
        self._duple = 0.0
        self._triple = 0.0
        self._recent = [0.0, 0.0]               # the short memory's (duple, triple) counts (`FAST`)
        self._bars = {2: [0.0, 0.0], 3: [0.0, 0.0, 0.0], 4: [0.0, 0.0, 0.0, 0.0]}  # accents by beat number mod n
        self._triple_meter = False
        self._level: float | None = None        # the beat period the meter and bar counts refer to

    def forget(self, count: int) -> None:
        """The oldest `count` onsets left the tracker's window (their indices shift down)."""
        self.classified = max(0, self.classified - count)

    def classify(self, t: Sequence[float], w: Sequence[float], bass: Sequence[bool] | None, period: float,
                 beat_at: Callable[[float], float]) -> None:
        """Count the onsets not yet counted (times t in s, weights w, bass flags; all but the newest, whose
        strum may still be growing) on the grid of `period` (s per beat) whose `beat_at(t)` gives the beat
        position (float beats) of a time (s). `bass` None: count the division only, not the accents (the bar
        pointer hears the bars)."""
        if self._level is None or not 0.8 < period / self._level < 1.25:
            self._restart(period)
        for i in range(self.classified, len(t) - 1):  # the newest strum may still be growing
            p = beat_at(t[i])
            beat = math.floor(p + 0.5)
            f = p - math.floor(p)
            self._duple *= DECAY
            self._triple *= DECAY
            recent = self._recent
            recent[0] *= FAST
            recent[1] *= FAST
            if abs(f - 0.5) < 0.08 or abs(f - 0.25) < 0.06 or abs(f - 0.75) < 0.06:
                self._duple += w[i]
                recent[0] += w[i]
                self._changed_division()
            elif abs(f - 1 / 3) < 0.07 or abs(f - 2 / 3) < 0.07:
                self._triple += w[i]
                recent[1] += w[i]
                self._changed_division()
            if bass is not None and abs(p - beat) < 0.12 and bass[i]:
                self.accent_beat(beat, float(w[i]))
        self.classified = max(self.classified, len(t) - 1)

    def _changed_division(self) -> None:
        """The player changed how the beat divides (see the module docstring): the long memory, settled in one
        division, starts again from the short memory's counts once those are all but wholly in the other."""
        duple, triple = self._recent
        now, other = (triple, duple) if self.compound else (duple, triple)
        if (max(self._duple, self._triple) >= SETTLED and other >= SWITCH_MIN
                and other >= SWITCH * (now + other)):
            self._duple, self._triple = duple, triple

    def expect(self, period: float, compound: bool) -> None:
        """The beat, `period` s long, divides in three (`compound`) or two, as one who heard the song whole says (a
        look-ahead render's first pass, engine/look_ahead.py): the long memory starts settled in that division
        (SETTLED), so the player's first strums leave it and a change is heard as any change of division is."""
        self._restart(period)
        if compound:
            self._triple = SETTLED
        else:
            self._duple = SETTLED

    def _restart(self, period: float) -> None:
        """Another metrical level (`period`, s): what was counted on the old grid says nothing about this one."""
        self._level = period
        self._duple = self._triple = 0.0
        self._recent = [0.0, 0.0]
        for acc in self._bars.values():
            acc[:] = [0.0] * len(acc)
        self._triple_meter = False

    def accent(self, p: float, weight: float) -> None:
        """Evidence of a bar start at beat position p (float beats; a chord change, say): counts when p is
        within 0.12 beats of a beat."""
        beat = math.floor(p + 0.5)
        if abs(p - beat) < 0.12:
            self.accent_beat(beat, weight)

    def accent_beat(self, beat: int, weight: float) -> None:
        """An accent of `weight` on beat number `beat`: decays the older counts and re-decides 3/4 against 4/4."""
        for n, acc in self._bars.items():
            for r in range(n):
                acc[r] *= 0.95
            acc[beat % n] += weight
        # Three beats to the bar when accents recur every third beat clearly more than every fourth (an
        # accent pattern of the wrong length smears over all its residues); switching back needs the same lead.
        p3, p4 = self._peak(3), self._peak(4)
        if self._triple_meter:
            self._triple_meter = not p4 > self.meter_margin * p3
        else:
            self._triple_meter = p3 > self.meter_margin * p4

    def _peak(self, n: int) -> float:
        """How peaked the accents by beat number mod n are: the largest count over the mean (1: flat)."""
        acc = self._bars[n]
        total = sum(acc)
        return max(acc) * n / total if total > 0 else 1.0

    @property
    def compound(self) -> bool:
        """True when the beat divides in three (6/8), False when in two, by the off-beat onsets counted."""
        return self._triple > 1.2 * self._duple

    @property
    def confidence(self) -> float:
        """How sure the meter is, 0..1: the lesser of how clearly the beat divides in two or three (the
        winning share of off-beat onsets: the 1.2 ratio that decides is 0, a 4:1 share 1), how clearly one
        accent pattern is more peaked than the other (for 3 against 4: the deciding margin is 0, twice its
        lead 1), and how much accent evidence there is (four full accents for 1)."""
        divides = self.division_confidence
        if self.compound:
            bars = 1.0
        else:
            p3, p4 = self._peak(3), self._peak(4)
            lead = max(p3, p4) / min(p3, p4)
            bars = min(1.0, max(0.0, (lead - 1.0) / (2 * (self.meter_margin - 1.0))))
        evidence = min(1.0, sum(self._bars[4]) / 4.0)
        return min(divides, bars) * evidence

    @property
    def division_confidence(self) -> float:
        """How clearly the beat divides in two or three, 0..1: the winning share of off-beat onsets (the 1.2
        ratio that decides is 0, a 4:1 share 1)."""
        division = self._triple + self._duple
        share = max(self._triple, self._duple) / division if division > 0 else 0.5
        return min(1.0, max(0.0, (share - 1.2 / 2.2) / (0.8 - 1.2 / 2.2)))

    @property
    def beats_per_bar(self) -> int:
        """2 in compound time (6/8: two dotted-quarter beats), else 3 or 4 from the accents."""
        if self.compound:
            return 2
        return 3 if self._triple_meter else 4

    @property
    def meter(self) -> str:
        """The meter: 6/8, 3/4 or 4/4."""
        return {2: "6/8", 3: "3/4", 4: "4/4"}[self.beats_per_bar]

    @property
    def downbeat_phase(self) -> int:
        """Beat numbers n with n % beats_per_bar equal to this get the most accents: the downbeats."""
        acc = self._bars[self.beats_per_bar]
        return max(range(len(acc)), key=acc.__getitem__)


class MeterHeard:
    """How long each meter was heard while the guitar played: the take's meter is the one heard longest, not the
    one at the end (a waltz whose rallentando and held final chord were heard in 4/4 was called 4/4: review24).

    `tick(now, meter, confidence, gap)` at each strum (times in s, never going back): the time since the previous
    one, up to `gap` s (a rest counts no more than a bar), counts for `meter` (e.g. "3/4"). `seconds` maps each meter
    to the seconds it was heard, `sure` to those seconds weighted by the meter confidence (0..1)."""

    __slots__ = ("seconds", "sure", "changes", "_since", "_last")

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.sure: dict[str, float] = {}
        self.changes: list[tuple[float, str]] = []     # (time s, meter) where the heard meter changed
        self._since: float | None = None
        self._last = 0.0                                # the end (s) of the latest playing time

    def tick(self, now: float, meter: str, confidence: float, gap: float) -> None:
        """Count the time since the previous tick, up to `gap` s, for `meter`."""
        since, self._since = self._since, now
        if since is None:
            return
        start = max(since, now - gap)
        if not self.changes or self.changes[-1][1] != meter:
            self.changes.append((start, meter))
        dt, self._last = now - start, now
        self.seconds[meter] = self.seconds.get(meter, 0.0) + dt
        self.sure[meter] = self.sure.get(meter, 0.0) + dt * confidence

    def longest(self) -> tuple[str, float] | None:
        """The meter heard longest and its mean confidence over the time it was heard (0..1), or None before any
        playing time."""
        if not self.seconds:
            return None
        meter = max(self.seconds, key=self.seconds.__getitem__)
        return meter, self.confidence(meter)

    def confidence(self, meter: str) -> float:
        """The mean meter confidence (0..1) over the time `meter` was heard; 0 when it never was."""
        seconds = self.seconds.get(meter, 0.0)
        return self.sure[meter] / seconds if seconds > 0 else 0.0

    def sections(self) -> list[tuple[float, str]]:
        """The meters the take was heard in, in order, as (start s, meter): a run of one meter shorter than
        SECTION (s) is not a section (it joins its neighbours); one item when the take keeps one meter, none before
        any playing time."""
        ends = [t for t, _ in self.changes[1:]] + [self._last]
        kept: list[tuple[float, str]] = []
        for (start, meter), end in zip(self.changes, ends):
            if end - start < SECTION or (kept and kept[-1][1] == meter):
                continue
            kept.append((start if kept else self.changes[0][0], meter))
        return kept or self.changes[:1]
