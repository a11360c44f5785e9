"""The band's own time line: when each of its beats falls, following the listener's beat grid smoothly.

The listener's grid moves at every strum: a phase correction, a new tempo, now and then a jump or a new beat
count. Notes placed straight on it would stumble (one beat a third of the one before). A drummer does not
jump: a correction is spread over the next beats. So the band counts its own beats and decides each when it is
due (a look-ahead before it sounds), never moving it once decided; a beat's length is planned when the beat is
decided, from the grid then, and the notes inside it fall at that length:

    length(n) = period + gain x phase error          T(n + 1) = T(n) + length(n)

The phase error is the distance from where the band's next beat would fall at the grid's tempo to the
nearest beat of the grid (at the band's level), so a grid that renumbers its beats moves nothing; in an aqsaq
bar the listener hears too, to the grid eighth that keeps the band's bar lines on the player's (`bars`), so a
quarter grid that moves half a beat moves nothing either. Each beat
lies within `max_change` of the one before (a ratio of 1/1.12 to 1.12: below what a listener hears as a
stumble).

A tempo step: when the grid's tempo is more than 12 % from the band's settled one at the same level and its
nearest beat lies the way the tempo moved (the player's beats have kept coming later since they slowed, or
earlier since they sped up), the player really changed tempo: the band catches up in two beats, the first
taking the usual correction without the 12 % bound, the second landing on the grid's beat (issue 11 allows
it: "unless the player's tempo really jumped, then it converges within two beats"). A beat's planned length is
kept when its end is due unless the grid by then shows such a step, or both the plan and the grid now are at
the band's level and within MAX_CHANGE of its last beat's length, and the meter no aqsaq, heard or played (a
quarter grid moves by half a beat now and then there: re-planned, sim-aqsaq files with jumps over 15 % went 2 -> 3;
a 7/8 chart's ramp, its tempo changing on a half beat, put a pass's bar line 7 ticks late), past
the band's first beat (whose length the file's lead-in before the band takes): then the beat ends where the
grid says now (the notes already sent stay where they were: `_span`). The band hears a step, and a phase or
tempo correction near its own, as soon as the listener does, and a far tempo or another level a beat later.
(Taking every change of the grid as soon as it came, a far or other-level one too, followed the grid's short
misreadings on real guitar: session 13, GuitarSet dev bar F median 0.41 -> 0.24; session 19, funk comping beat
F 0.85 -> 0.76. Keeping every plan, sessions 13 to 18, left GuitarSet's bossa comping off the player's beats
three beats longer after the listener corrected a fresh lock: beat F 0.81, 0.88 re-planned; bench/band_eval.py.)

Tempo level: when the grid's beat is about twice, half, three times, a third, 3/2 or 2/3 of the band's, it is
the same music counted at another level (a tracker's octave error, a double-time feel): the band keeps its
level and lines up with the grid's beats. Only when the grid stays at another level for `level_beats` beats (or
half the beats it had agreed with the band's tempo before, up to 32, if more: a level held long has more to
lose), or its tempo stays more than 12 % away for two beats without being another level (the player really changed
tempo), does the band go there faster: half the way, in ratio, each beat, so it is there within two more; to a far
tempo, no beat more than FOLLOW_MOST longer or shorter than the one before (issue 11's stumble; from twice the grid's
tempo: five beats), and to a level the grid kept (the player went to double or half time) as fast as before.
A level and a step are judged against the band's tempo (the median of its last four beats, of eight once settled:
SETTLED_BEATS), not its last beat, which carries a phase correction (a step of 25 % against a beat a phase
correction had shortened looked like the 3:2 level, and one a correction had lengthened towards it like no step
at all). A tempo the band reached by more
than SETTLE in four beats (phase corrections pulling it after a grid that ran off the player's beats) has agreed
with nothing yet: its count starts again. A settled band keeps its time through a tempo no step reaches (STEP_MAX
or more off, at no level) as long as it would through another level: that is the listener's misreading.
A tempo the grid has not yet agreed with for `steady_beats` beats in a row (or one the band stepped to
STEP_SETTLE beats ago or less) is a fresh lock's first guess, not the music's level: a grid at another level
then is followed at once, the same way (on GuitarSet a bossa at 166 BPM locked at 84 and a funk at 98 at 130;
the corrections came a beat or two after the band came in, and it kept its first guess for eight beats).
A ramp to a grid's tempo more than two beats' bound away (and less than 1.9 times or 1/1.9 of the band's) chooses
each beat's length, within the bound, by the grid's beats the band's will meet after it (`_ramp`), so it ends on
them. At another level whose tempo is more than `LEVEL_TEMPO` from the band's
(the median of its last four beats), the grid is a misreading, not the same music: the band keeps its time and
does not line up with it (GuitarSet's funk comping read at 0.45 s a beat for two beats against the band's 0.61:
lined up with as a 3:2 level, the band went 11 % slower and came out of it nearly a beat late).

A slow beat (HEARD_SLOW or longer) at the grid's level and tempo takes its length from the player's last two beats
as heard (the grid's nearest beat to each band beat half a beat after it), when they lie within HEARD_MOST of the
grid's period: the grid's period is a fit over seconds and trails a player who swells beat by beat (`_heard_length`).

>>> from engine.state import BeatGrid
>>> grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=0)
>>> line = BandTimeline()
>>> line.start(4, grid)
>>> [round(line.seconds_at(b, grid), 3) for b in (4, 4.5, 5, 6)]
[2.0, 2.25, 2.5, 3.0]
>>> _ = line.seconds_at(10, grid)      # the grid agreed with the band's tempo for four beats: established
>>> fast = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.25, beats_per_bar=4, downbeat_phase=0)
>>> round(line.seconds_at(12, fast) - line.seconds_at(11, fast), 3)   # an octave error: the band keeps 0.5 s
0.5
"""

from __future__ import annotations

import math
from fractions import Fraction

from engine.state import BeatGrid

GAIN = 0.5            # share of the phase error taken off per beat
MAX_CHANGE = 0.12     # a beat's length stays within this ratio of the one before, as a tempo follows
LEVELS = (Fraction(1), Fraction(2), Fraction(1, 2), Fraction(3), Fraction(1, 3), Fraction(3, 2), Fraction(2, 3))
# (level, its float): Fraction arithmetic and hashing, per tick, were a fifth of a render's time
_LEVEL_FLOATS = tuple((level, float(level)) for level in LEVELS)
LEVEL_BEATS = 8       # band beats the grid must stay at another level before the band goes there
STEADY_BEATS = 4      # band beats in a row the grid must agree with the band's tempo before another level is
                      # taken as the same music (until then the band's tempo is the first guess of a fresh lock)
HELD_SHARE = 2        # ... or 1/HELD_SHARE of the beats the grid has agreed with the band's tempo (`_steady`),
                      # if more: a level held for long is not left for a misreading of a few bars (sim2 waltz_3-4
                      # +dynamics: a soft verse strummed on 1 and the "and" of 2, read at the 3:2 level for 16 beats)
HELD_MOST = 32        # ... but never more than this many
SETTLE = 0.08         # log ratio: a band tempo that moved this far in four beats is not settled (sim2 s09: 0.69 ->
                      # 0.61 s a beat in four beats by phase corrections alone; a ramp or rubato moves 1-3 %)
JUMP_BEATS = 2        # band beats a tempo far from the band's must last to be followed faster
LEVEL_TEMPO = 0.05    # a grid at another level whose tempo there is this far (log ratio) from the band's is misheard
FOLLOW_MOST = 0.145   # a far tempo (a fresh lock's correction too) is followed half the way a beat, but no beat
                      # more than this share longer or shorter than the one before: issue 11's stumble is a beat over
                      # 15 % longer or shorter (less a margin for the file's rounding). sim-aqsaq aqsaq_5-8_Ab-minor
                      # s00 went half the way from 0.53 s a beat to a grid at 0.378: one beat 16 % shorter
STEP_MAX = 1.35       # the largest tempo ratio followed as a step: a quarter slower (1 / 0.75; the simulators'
                      # steps are 15-25 %); a grid further off is another level or a misreading
STEP_BEATS = 2        # band beats a tempo step takes: the first corrects unbounded, the second lands on the grid
SETTLED_BEATS = 8     # a band whose grid has agreed with its tempo this many beats in a row (`_steady`) takes its
                      # tempo from this many beats: its last four carry the grid's wobble at a player's step
                      # (review31's step_up_90_120: 0.712, 0.689, 0.620, 0.685 s after 40 beats of 0.667, a median
                      # of 0.685 that put the grid's 0.502 within MAX_CHANGE of the 3:2 level: kept to the end)
STEP_SETTLE = 8       # band beats after a tempo step during which its stepped tempo is still a fresh lock's guess
                      # (`_fresh`): review31's step_up_100_125, 100 -> 125 BPM heard first as 80 and stepped to, then
                      # as 0.484 s a beat 3 s later: held as the stepped tempo's 3:2 level for 23 beats
HEARD_AT = 0.5        # beats after a band beat at which the grid's nearest beat to it counts as the player's, heard
HEARD_MOST = 0.04     # log ratio: a heard beat's length this close to the grid's period is the player's tempo now
                      # (`_heard_length`; review32's 3/4 swells at 66: 0.08 cost the 12 % phrase-end broadening)
HEARD_SLOW = 0.75     # s: ... for a beat this long or longer (80 BPM or slower), where a beat's extrapolation of a
                      # tempo a few % off misses by 30 ms or more (faster, on GuitarSet's 98-166 BPM: BN1 solo beat F
                      # 0.907 -> 0.853, BN2 comping 1.00 -> 0.977 from the heard beats' jitter)
KEEP = 64             # decided beats kept (only the last few are ever asked for again)
HOLD_BEATS = 8        # band beats after a restart during which it keeps its time until the grid agrees with it
AGREE = 0.15          # beats: a grid beat this close to the band's next one agrees with it
MERGE_AGREED = 2      # band beats the grid must have agreed with its tempo before its beats are counted onto the grid's
                      # (`_merge`): a band at its first beats has no beats on the grid's yet (sim3's 5/8 F-minor take
                      # came in at 0.44 s a beat on a grid that read 0.87, then 0.40: merged there, two jumps of 33 %)
RAMP_BEATS = 8        # grid beats over which a far ramp's next beat is chosen (`_ramp`)
RAMP_CHOICES = 9      # lengths tried for it, within MAX_CHANGE of the last beat's either way
RAMP_MOST = 1.9       # ... only for a grid's tempo less than this ratio from the band's: a band twice or half as
                      # fast as the grid is on every other beat of it already, and a ramp chosen for its hits stayed
                      # there (test_timeline's fresh lock corrected at the 2:1 level): there half the way a beat


def nearest_beat(anchor: float, t: float, period: float) -> float:
    """The time (s) of the beat nearest `t` (s) on a grid of `period` s with a beat at `anchor` (s)."""
    return anchor + round((t - anchor) / period) * period


class BandTimeline:
    """Decided beat times of the band (s), by the band's beat number; see the module docstring."""

    def __init__(self, gain: float = GAIN, max_change: float = MAX_CHANGE, level_beats: int = LEVEL_BEATS,
                 steady_beats: int = STEADY_BEATS):
        self.gain = gain
        self.max_change = max_change
        self.level_beats = level_beats
        self.steady_beats = steady_beats
        self._times: dict[int, float] = {}
        self._first = 0          # the first beat number decided
        self._last = -1          # the last beat number decided
        self._length = 0.5       # s: the length of the last decided beat
        self._coming: int | None = None   # the band's first beat, until it is due
        self._other_level = 0    # beats in a row the grid has been at another level
        self._jumped = 0         # beats in a row the grid's tempo has been far from the band's
        self._steady = 0         # beats in a row the grid has agreed with the band's tempo (level 1, not far)
        self._moving = False     # on its way to the level the grid kept for `level_beats` beats
        self._stepped = 0        # beats decided since a tempo step began, counted down from STEP_BEATS (`_step`)
        self._step_beat = -math.inf   # the band beat whose length began the last tempo step
        self._plan: tuple[float, Fraction, int, bool, int] | None = None   # the next beat as planned (`_due`)
        self._reached = -math.inf   # s: the latest time asked for (`beat_at`): the band's notes up to it are sent
        self._knots: dict[int, tuple[float, float, float | None]] = {}   # band beat -> its knot (`_span`)
        self.level = LEVELS[0]  # grid beats per band beat at the last beat decided
        self._bars = (0.0, 0)    # (band beat where its bars start, eighths to its bar): an aqsaq bar, else 0
        self._hold = 0           # beats still to keep its own time after a restart, until the grid agrees
        self._ramp_memo: tuple[tuple[float, ...], float] = ((), 0.0)   # `_ramp`'s last inputs and answer
        self._heard: dict[int, float] = {}   # band beat -> the grid's nearest beat to it, HEARD_AT beats later (s)
        self._heard_move = -math.inf   # s: the listener's last level move on evidence taken (`_take_move`)
        self._move_merge = 0     # band beats left to count every second of them onto a moved grid's beat
        self._longest = 0.0      # s: the longest band beat decided after the first (`_merge_moved`)
        self.merges: dict[int, int] = {}   # band beat -> 2 or 3: its first beat at the grid's, as many long (`_merge`)
        self.restarts: set[int] = set()     # band beats whose count started again, mid-bar (`restart`)
        self._regroup: tuple[int, float] | None = None   # (band beat, factor) a meter change regroups from (`regroup`)
        self._units: list[tuple[int, float]] = []        # (band beat, factor) of the regroups done: the beats before
                                                         # each count as `factor` of their length (`_median_length`)

    def start(self, beat: int, grid: BeatGrid) -> None:
        """The band comes in: its beat number `beat` will fall where the grid's does when it is due (until
        then the grid's count stands for the band's), at the grid's tempo."""
        # the heard beats too: band beats numbered as an entry before's (a grid counted again from a lower beat,
        # or band numbers run ahead of the grid's at a level twice its) read that entry's (`_heard_length`)
        self._times, self._knots, self._heard = {}, {}, {}
        self._coming = beat
        self._length = grid.period
        self._other_level = self._jumped = self._steady = 0
        self._moving, self._stepped, self._plan = False, 0, None
        self._step_beat = -math.inf
        self.level = LEVELS[0]
        self._heard_move = grid.moved_at
        self.merges, self.restarts = {}, set()
        self._regroup, self._units = None, []

    def bars(self, origin: float, eighths: int) -> None:
        """The band's bars start at its beat position `origin` and last `eighths` eighths (5 or 7: an aqsaq bar, whose
        second bar line falls between two beats), or 0 when they are whole beats. While the listener hears a
        bar of as many eighths, the band's beats aim at the grid's eighths that keep its bar lines on the
        player's downbeats (`_bar_eighth`)."""
        self._bars = (origin, eighths)

    def regroup(self, beat: int | None, factor: float = 1.0) -> bool:
        """From band beat `beat` on, the band's beat is `factor` times as long as its beat before: a meter change on
        the same eighth (6/8 to 3/4: a dotted quarter to a quarter, 2/3), whose new beat the grid already counts at
        another level (3:2): the band's eighths go on and its beat regroups them at the bar line at once, as a
        player does (held as a misreading, the level took 16 beats, 15 s, to move: review27's 6/8 then 3/4 take).
        The beats before it count as `factor` of their length for the band's tempo, so the new beat is no step.
        `beat` None calls a regroup not yet begun off. Returns False (nothing set) when `beat` is already decided."""
        if beat is None:
            self._regroup = None
            return True
        if self._coming is not None or beat <= self._last:
            return False
        self._regroup = (beat, factor)
        return True

    def _regrouped(self) -> None:
        """The last decided beat is the one a regroup begins on: its beat's length and the band's tempo are counted
        in the new beat from here, at the grid's own level (`regroup`)."""
        beat, factor = self._regroup
        self._regroup = None
        self._units = [(b, f) for b, f in self._units if b > self._last - 2 * STEADY_BEATS] + [(beat, factor)]
        self._length *= factor
        self.level, self._other_level, self._moving, self._jumped = LEVELS[0], 0, False, 0

    @property
    def started(self) -> bool:
        """True once `start` was called."""
        return bool(self._times) or self._coming is not None

    def restart(self, at: float, period: float, not_before: float) -> tuple[int, int]:
        """The band's count starts again from `at` (s), a beat of the player's, `period` s a beat: its next beat
        is decided at once at `at` + k x `period`, the first such after `not_before` (s) and half a beat after
        its last decided beat, however long that makes the beat between (the band is silent: a player who
        starts again after a rest sets a new phase, and easing into it took bars). Returns (the number of that
        band beat, k)."""
        last = self._times[self._last]
        k = max(0, math.ceil((max(not_before, last + 0.5 * period) - at) / period - 1e-9))
        self._last += 1
        self._times[self._last] = at + k * period
        self._length = period
        self._jumped = self._stepped = 0
        self._hold = HOLD_BEATS
        self._plan = None
        self.restarts.add(self._last)
        return self._last, k

    def _first_beat(self, grid: BeatGrid, not_before: float = -math.inf) -> None:
        """Decide the band's first beat: where the grid has it now, not before `not_before` (s: a grid that
        jumped back must not put it in the past)."""
        beat, self._coming = self._coming, None
        self._times, self._knots = {beat: max(grid.seconds_at(beat), not_before)}, {}
        self._first = self._last = beat
        self._plan = self._next(grid)

    def seconds_at(self, position: float, grid: BeatGrid) -> float:
        """The time (s) of band beat position `position`: beats up to its own are decided; within the last decided
        beat, at its planned length (`length`: the beat after is decided only when it is due); before the first
        beat, counted back from it at its length (a section marker for a bar the band came into mid-way)."""
        n = math.floor(position)
        self._decide_to(n, grid)
        if n < self._first:     # a bar that began before the band's first beat (a start cue mid-bar): counted back
            return self._times[self._first] - (self._first - position) * self.length(self._first, grid)
        if n < self._last:
            return self._time(position, n, self._times[n + 1] - self._times[n], self._bent(n))
        return self._time(position, n, *self._span(grid))

    def length(self, n: int, grid: BeatGrid) -> float:
        """The length (s) of band beat `n` (not before the first beat), deciding the beats up to it: its own once
        the beat after it is decided, else its planned one (`_span`), without deciding the beat after (decided
        only when it is due, so a tempo step heard by then still moves it)."""
        self._decide_to(n, grid)
        return self._times[n + 1] - self._times[n] if n < self._last else self._span(grid)[0]

    def _decide_to(self, n: int, grid: BeatGrid) -> None:
        """Decide the band's beats up to beat `n` (the first one first)."""
        if self._coming is not None:
            self._first_beat(grid)
        while self._last < n:
            self._decide(grid)

    def _span(self, grid: BeatGrid) -> tuple[float, tuple[float, float, float | None] | None]:
        """(the length s the last decided beat gets as planned now (`_due`), its knot when that is not the
        plan the band's notes were sent by, else None).

        A beat's knot is (band position, time s, the planned length s then, or None once re-planned) where the
        band's time stood when it was last asked (`beat_at`) within the beat: its notes up to there are sent.
        A plan changed after it (a tempo step heard within the beat) keeps the beat's end where the plan says
        (not before the time reached, as `_decide` does) and fits the rest of the beat between the knot and
        that end, for good: re-planned from the beat's start, the rest fell before the notes already sent
        (late notes: a 2/4 at 78 BPM going straight into 189 BPM, tests/test_band_properties.py)."""
        length = self._due(grid)[0]
        knot = self._knots.get(self._last)
        if knot is None or knot[2] == length:
            return length, None
        return max(length, self._reached - self._times[self._last]), knot

    def _bent(self, n: int) -> tuple[float, float, float | None] | None:
        """The knot of decided band beat `n` when it was re-planned after it (`_span`), else None."""
        knot = self._knots.get(n)
        return knot if knot is not None and knot[2] is None else None

    def _time(self, position: float, n: int, length: float, knot: tuple[float, float, float | None] | None) -> float:
        """The time (s) of band position `position` in beat `n`, `length` s long, bent at `knot` (`_span`)."""
        start = self._times[n]
        if knot is None:
            return start + (position - n) * length
        pos, at, _ = knot
        if position < pos:
            return start + (position - n) * (at - start) / (pos - n)
        return at + (position - pos) * (start + length - at) / (n + 1 - pos)

    def _position(self, t: float, n: int, length: float, knot: tuple[float, float, float | None] | None) -> float:
        """The band position at time `t` (s) in beat `n`, `length` s long, bent at `knot` (`_span`)."""
        start = self._times[n]
        if knot is None:
            return n + (t - start) / length
        pos, at, _ = knot
        if t < at:
            return n + (t - start) * (pos - n) / (at - start)
        return pos + (t - at) * (n + 1 - pos) / (start + length - at)

    def beat_at(self, t: float, grid: BeatGrid, now: float = -math.inf) -> float:
        """The band's beat position at time `t` (s), deciding the beats that have begun by then (before the first
        is due, the grid's position; the first not before `now`, s)."""
        if self._coming is not None:
            if t < grid.seconds_at(self._coming):
                return grid.beat_at(t)
            self._first_beat(grid, now)
        while True:
            length, knot = self._span(grid)
            if self._times[self._last] + length > t:
                break
            self._decide(grid)
        self._reached = max(self._reached, t)
        last = self._last
        self._hear(last, t, grid)
        if t >= self._times[last]:
            position = self._position(t, last, length, knot)
            held = self._knots.get(last)
            if held is None or t >= held[1]:            # the band's time stands here now: the knot moves on
                self._knots[last] = (position, t, length if knot is None else None)
            return position
        if last == self._first:
            return last + (t - self._times[last]) / length
        n = last - 1
        while n > self._first and self._times[n] > t:
            n -= 1
        return self._position(t, n, self._times[n + 1] - self._times[n], self._bent(n))

    def length_now(self, grid: BeatGrid) -> float:
        """The length (s) the band's next beat would get now: its tempo now."""
        return self._length if self._coming is not None else self._due(grid)[0]

    def drift(self, grid: BeatGrid) -> float:
        """How far (s) the grid's nearest beat lies from where the band's next beat would fall at the grid's
        tempo: what the band still has to catch up (0 before its first beat)."""
        if self._coming is not None:
            return 0.0
        _, _, expected, nearest = self._aim(grid)
        return nearest - expected

    def _aim(self, grid: BeatGrid) -> tuple[Fraction, float, float, float]:
        """(level, the band's beat length at the grid's tempo (s), where its next beat would fall at it (s),
        the grid's nearest beat to that (s))."""
        level, level_float = self._level(grid.period, self._tempo())
        period = grid.period * level_float
        if level is not LEVELS[0]:
            tempo = self._tempo()
            if abs(math.log(period / tempo)) > LEVEL_TEMPO:     # another level, another tempo: keep time
                expected = self._times[self._last] + tempo
                return level, tempo, expected, expected
        unit = grid.period / level.denominator          # the grid's beats at the finer of the two levels
        expected = self._times[self._last] + period
        nearest = self._bar_eighth(grid, expected) if level is LEVELS[0] else None
        if nearest is None:
            nearest = nearest_beat(grid.anchor_time, expected, unit)
        if self._hold:
            if abs(nearest - expected) > AGREE * unit:
                return level, period, expected, expected    # restarted: the grid has not found the player's phase
            self._hold = 0                                  # ... it has: the band follows it again
        return level, period, expected, nearest

    def _bar_eighth(self, grid: BeatGrid, expected: float) -> float | None:
        """In an aqsaq bar the listener hears too (`bars`): the time (s) of the grid eighth within an eighth of
        `expected` (s) that lies as far into the player's bar as the band's next beat lies into its own; None
        otherwise. In 5/8 and 7/8 a quarter-note grid has no phase of its own (the groups' starts fall on both
        halves of its beats) and the listener's moves by half a beat now and then, renumbering its downbeats to
        match: aiming at its nearest beat moved the band's bars an eighth off the player's for bars on end,
        until the bar watch cut a bar short. (An offset of more eighths is the bar watch's: `BarWatch`.)"""
        origin, eighths = self._bars
        if not eighths or sum(grid.groups) != eighths:
            return None
        place = round(2 * (self._last + 1 - origin)) % eighths        # eighths into the band's bar
        x = round(2 * grid.beat_at(expected))                   # the grid's nearest eighth
        for eighth in (x, x - 1, x + 1):
            if (eighth - 2 * grid.downbeat_phase) % eighths == place:
                return grid.seconds_at(eighth / 2)
        return None

    def _tempo(self) -> float:
        """The band's tempo: the median length (s) of its last four beats (one beat's length carries its phase
        correction), or of its last SETTLED_BEATS once the grid has agreed with it that long since its last step and
        the median of their first four lies within SETTLE of the last four's."""
        last = self._last
        recent = self._median_length(max(self._first, last - 4), last) or self._length
        if self._steady < SETTLED_BEATS or last - SETTLED_BEATS <= max(self._first, self._step_beat):
            return recent
        before = self._median_length(last - SETTLED_BEATS, last - 4)
        if abs(math.log(recent / before)) > SETTLE:
            return recent           # (a merge or a far tempo the count has not yet seen: `_moved`)
        return self._median_length(last - SETTLED_BEATS, last)

    def _median_length(self, a: int, b: int) -> float | None:
        """The median length (s; the upper of the middle two) of the band's decided beats a..b-1, None for none."""
        lengths = sorted((self._times[n + 1] - self._times[n]) * self._unit(n) for n in range(a, b))
        return lengths[len(lengths) // 2] if lengths else None

    def _unit(self, n: int) -> float:
        """The factor band beat `n`'s length counts as in the band's beat now (1 but before a regroup: `regroup`)."""
        factor = 1.0
        for beat, f in self._units:
            if n < beat:
                factor *= f
        return factor

    def _moved(self) -> bool:
        """True when the band's tempo (the median of its last four beats) lies more than SETTLE from the median of
        the four before: a tempo reached that fast is not yet the band's own (unless the band followed the player's
        tempo step there: `_step`)."""
        last = self._last
        if last - 8 < max(self._first, self._step_beat):
            return False
        return abs(math.log(self._median_length(last - 4, last) / self._median_length(last - 8, last - 4))) > SETTLE

    def _next(self, grid: BeatGrid) -> tuple[float, Fraction, int, bool, int]:
        """The length (s) the beat after the last decided one would get from the grid now, within the allowed
        change; the level it was measured at; whether the tempo is far from the band's (0, else the beats it
        must last before the band follows it faster: `_far_hold`); whether it is a tempo step's first beat
        (`_step`); 2 or 3 when it is the band's first beat at the grid's, that many of its beats long (`_merge`),
        else 1."""
        prev = self._length
        level, period, expected, nearest = self._aim(grid)
        pull = nearest - expected
        q = 1 + self.max_change
        jump = max(period / prev, prev / period)
        far = self._far_hold(period) if level is LEVELS[0] and jump > q else 0
        if self._stepped == STEP_BEATS:                 # the beat after a step's: onto the grid's beat
            return min(max(period + pull, prev / q), prev * q), level, far, False, 1
        length = period + self.gain * pull
        if level is LEVELS[0] and not grid.groups and not self._bars[1]:
            if self._merge(period, pull) or self._merge_moved(period, pull):
                return period + pull, level, far, False, round(period / self._tempo())
            if self._merging():             # the band's next beat is on the moved grid's "and": keep time to its beat
                return min(max(self._tempo(), prev / q), prev * q), level, far, False, 1
        if level is LEVELS[0] and self._step(period, pull):      # (a step far from the band's tempo, if not from
            return length, level, far or JUMP_BEATS, True, 1       # its last beat: a phase correction towards it)
        if far > JUMP_BEATS and self._jumped + 1 < far:         # a misreading while it lasts: keep time
            return min(max(self._tempo(), prev / q), prev * q), level, far, False, 1
        shortest, longest = prev / q, prev * q
        if far and self._jumped + 1 >= far and not self._stepped:      # a real tempo change (it lasted):
            q = math.sqrt(jump)                                          # half the way per beat
            shortest, longest = prev / q, prev * q
            if not self._moving:        # ... but no stumble, except to a level the grid kept (the player's own)
                shortest, longest = max(shortest, prev * (1 - FOLLOW_MOST)), min(longest, prev * (1 + FOLLOW_MOST))
        off = abs(math.log(period / self._tempo()))     # a ramp of more beats than one: onto the grid's beats
        if (level is LEVELS[0] and not grid.groups and not self._hold and not self._stepped and self._last > self._first
                and 2 * math.log(1 + self.max_change) < off < math.log(RAMP_MOST)):
            return self._ramp(prev, period, grid.anchor_time), level, far, False, 1
        if level is LEVELS[0] and not far and not grid.groups and not self._bars[1] and not self._stepped:
            length = self._heard_length(period, length)
        return min(max(length, shortest), longest), level, far, False, 1

    def _hear(self, n: int, t: float, grid: BeatGrid) -> None:
        """Once the band's time reaches `t` (s), HEARD_AT of a beat after band beat `n`: keep the grid's nearest beat
        to it then (the player's beat there as the listener has heard it by now: review32's swells at 66, within 70
        ms of the truth's on every beat, where the grid's beat predicted a beat ahead was on 86 %;
        bench/rubato_lag.py)."""
        if n in self._heard or n <= self._first or not grid.period:
            return
        if t >= self._times[n] + HEARD_AT * (self._times[n] - self._times[n - 1]):
            x = self._times[n]
            self._heard[n] = nearest_beat(grid.anchor_time, x, grid.period)

    def _heard_length(self, period: float, length: float) -> float:
        """The length (s) of the band's next beat from the player's last heard beat (`_hear`): the last two heard
        beats' interval plus GAIN of the band's last beat's offset from its heard one, when that interval lies within
        HEARD_MOST of the grid's `period` (s); else `length` (s, the grid's). The grid's period is a fit over 8 s
        and trails a player who swells beat by beat by two or three beats (review32's ballad34_a04_s00: truth 0.909,
        0.891, 0.879 s, grid 0.946, 0.929, 0.907), so its next beat, extrapolated a beat ahead, came 60-80 ms late at
        the push's peak; the heard beats' interval turns with the player."""
        n = self._last
        before, last = self._heard.get(n - 1), self._heard.get(n)
        if before is None or last is None:
            return length
        heard = last - before
        # Two band beats heard on one beat of a grid at another level (a half-time misreading, then back) give no
        # interval: a live session's engine died on log(0) (the property test, session 29).
        if heard <= 0 or period < HEARD_SLOW or abs(math.log(heard / period)) >= HEARD_MOST:
            return length
        return heard + self.gain * (last - self._times[n])

    def _ramp(self, prev: float, period: float, anchor: float) -> float:
        """The length (s) of the next beat of a ramp from the band's last beat, `prev` s, to the grid's tempo,
        `period` s a beat (its beats at `anchor` + k x `period`, s), when the band's tempo lies more than two beats'
        MAX_CHANGE from it: of RAMP_CHOICES lengths within MAX_CHANGE of `prev` either way, the one whose beats,
        followed on as the band follows a grid (`_course`), miss fewest of the grid's beats in RAMP_BEATS of them
        (ties: the nearest the grid's tempo). Bounded beat by beat regardless of phase, a ramp ended where it
        happened to: GuitarSet BN2 comping came in on a 2:3 misreading (0.55 s a beat for 0.36) corrected 1.8 s
        later, and its ramp, half the way a beat then 12 %, ended between the grid's beats for four of them;
        chosen so, it lands on them with one beat fewer in its count (band_eval beat F 0.875 -> 0.917)."""
        # Asked on every tick until the beat is decided, with the same grid most ticks: the last answer is kept
        # with everything it was worked out from (~0.25 ms a tick saved during a far ramp).
        inputs = (self._times[self._last], prev, period, anchor)
        if self._ramp_memo[0] == inputs:
            return self._ramp_memo[1]
        end = self._times[self._last] + RAMP_BEATS * period
        near = math.log(1 + self.max_change)      # never more: issue 11's 15 % (half the way went up to 16 %)
        best, choice = -math.inf, prev
        for i in range(RAMP_CHOICES):
            x = prev * math.exp(-near + 2 * near * i / (RAMP_CHOICES - 1))
            score = self._course(x, period, anchor, end) - 1e-6 * abs(math.log(x / period))
            if score > best:
                best, choice = score, x
        self._ramp_memo = inputs, choice
        return choice

    def _course(self, x: float, period: float, anchor: float, end: float) -> int:
        """How well the band's beats up to `end` (s) fall on the grid's (`anchor` + k x `period`, s) when its next
        beat is `x` s long and each after it takes the phase correction within MAX_CHANGE (as `_next` does at the
        band's tempo): twice its beats within AGREE of a grid beat, less its beats and the grid's (an F-measure's
        hits against its misses)."""
        q = 1 + self.max_change
        t, length, hits, beats = self._times[self._last], x, 0, 0
        while t + length <= end:
            t += length
            beats += 1
            nearest = nearest_beat(anchor, t, period)
            hits += abs(t - nearest) <= AGREE * period
            aim = nearest_beat(anchor, t + period, period)
            length = min(max(period + self.gain * (aim - t - period), length / q), length * q)
        return 2 * hits - beats - math.floor((end - self._times[self._last]) / period)

    def _far_hold(self, period: float) -> int:
        """Band beats a tempo of `period` s far from the band's (and no step) must last before the band follows it
        faster: JUMP_BEATS; but a tempo no step reaches (STEP_MAX or more from the band's settled one, and no
        other level) as long as another level must (`HELD_SHARE`): a listener's misreading, not the player's
        change (a soft 4/4 verse read at 0.77 s a beat against the band's 0.43 for two beats, then at half
        tempo: the band followed the first and so took the second for a fresh tempo; bench/player_sim.py seed 1,
        dynamics_4-4_F-major+tempo_s03)."""
        tempo = self._tempo()
        if (self._steady < self.steady_beats or self._last - self._step_beat <= STEP_BEATS + 2
                or max(period / tempo, tempo / period) < STEP_MAX):
            return JUMP_BEATS                   # a fresh tempo, a step's catch-up, or a change a step may be
        return max(JUMP_BEATS, min(self._steady // HELD_SHARE, HELD_MOST))

    def _merge(self, period: float, pull: float) -> bool:
        """True when the band should go to the grid's beat of `period` s in one beat by counting every second (or
        third) of its own beats: the grid's beat is about 2 or 3 of the band's (within MAX_CHANGE), the band's tempo
        is still a fresh lock's first guess counted in the grid's beats (`_fresh`), and the grid's nearest beat lies
        within AGREE of the band's next at the grid's tempo (`pull`, s): the band's beats are already on every
        second of the grid's, so the beat after lands on one. A ramp within MAX_CHANGE a beat (or half the way a
        beat) from a double-time first guess passes through tempos on none of the player's beats: converter-set-b
        sim_01 (2/4 at 78 BPM in sixteenths, locked at 154 and corrected 2.1 s later) missed 2 beats and had 11 too
        many in 7 s (band beat F 0.84)."""
        ratio = period / self._tempo()
        whole = round(ratio)
        return (whole in (2, 3) and abs(math.log(ratio / whole)) < math.log(1 + self.max_change)
                and MERGE_AGREED <= self._steady and self._fresh(whole) and abs(pull) <= AGREE * period)

    def _merge_moved(self, period: float, pull: float) -> bool:
        """True when the listener moved its grid on evidence to a beat of `period` s, twice the band's (`_take_move`
        set `_move_merge`), and the grid's nearest beat lies within AGREE of the band's next at the grid's tempo
        (`pull`, s): the band counts every second of its beats at once, as a drummer who hears he has been playing
        double time does, and as `_merge` does for a fresh lock. Ramping there within FOLLOW_MOST a beat took 5-7
        beats on none of the player's (sim4's fermata_3-4 A-major, a picked 3/4 at 66 entered at 132 and heard at 66
        1.0 s later; sixteenths_4-4 C-major, 163 corrected to 81 after 25 beats: 21 band beats too many over 14 s).
        Only for the take's first merge with no band beat before it as long as the grid's level (`merge_beat`
        writes the beats before such a merge as eighths): later in a take, after beats at the grid's level, a
        merge is a tempo halving in the file (sim4 funk_4-4 A-dorian back from 14 s of double time at 91.5 s: a
        jump of 100 %), and the band ramps there as before."""
        return self._merging() and abs(pull) <= AGREE * period

    def _merging(self) -> bool:
        """True while the band may count every second of its beats onto a moved grid's (`_merge_moved`)."""
        return bool(self._move_merge) and not self.merges and self._longest < math.sqrt(2) * self._tempo()

    def _fresh(self, whole: int = 1) -> bool:
        """True while the band's tempo is a fresh lock's first guess: the grid has agreed with it for fewer than
        `steady_beats` beats of a grid `whole` times as long as the band's beat (four of the band's beats at double
        time are two of the music's: sim_01's band agreed with its first guess for six beats, 2.3 s, when the
        listener corrected it), or for STEP_SETTLE beats after a tempo step: the stepped tempo is the listener's
        first guess at the player's new one."""
        return self._steady < self.steady_beats * whole or self._last - self._step_beat <= STEP_SETTLE

    def _step(self, period: float, pull: float) -> bool:
        """True when the grid's beat of `period` s is the player's tempo step: the band's tempo was settled
        (`steady_beats`) and the grid at its level on the beat before (a far tempo right after a misheard level
        is the misreading going on: GuitarSet's funk comping read 0.45 s a beat, then 0.51, against the band's
        0.64), the grid's is more than MAX_CHANGE and less than STEP_MAX from it (its tempo, the
        median beat: a beat shortened or stretched by a phase correction is no tempo), and the grid's nearest
        beat lies the way the tempo moved (`pull`, s: later when it slowed, earlier when it sped up), as when
        the player's beats have kept coming late or early since the step. The band then converges in two beats,
        as issue 11 allows when the tempo really jumped: this beat takes the usual correction unbounded, the
        next lands on the grid's beat. (A step of 15 % in a slow 6/8, 62 to 53 BPM, is heard by the listener
        two beats late; bounded to 12 % a beat, the band then took five more beats to be back within 70 ms.)"""
        if self._moving or self._other_level or self._steady < self.steady_beats:
            return False
        tempo = self._tempo()
        return 1 + self.max_change < max(period / tempo, tempo / period) < STEP_MAX and pull * (period - tempo) > 0

    def _due(self, grid: BeatGrid) -> tuple[float, Fraction, int, bool, int]:
        """The beat after the last decided one, as `_next` tells it: as planned when the last was decided (from
        the grid then), unless the grid now shows a tempo step or the step's second beat is due, or the plan and
        the grid now are both at the band's level and not far from its last beat, in no aqsaq meter (then from the
        grid now: a misreading far from the band's tempo or at another level waits a beat; module docstring)."""
        fresh = self._next(grid)
        if self._plan is None or fresh[3] or self._stepped == STEP_BEATS:
            return fresh
        plan = self._plan
        if (plan[1] is LEVELS[0] and fresh[1] is LEVELS[0] and not plan[2] and not fresh[2] and not grid.groups
                and not self._bars[1] and self._last > self._first):   # (the first beat's length: the file's lead-in)
            return fresh
        return plan

    def _decide(self, grid: BeatGrid) -> None:
        """Decide the next beat's time (see `_due`); it never moves again."""
        self._take_move(grid)
        length, level, far, step, merged = self._due(grid)
        if merged > 1:
            self.merges[self._last] = merged
        knot = self._knots.pop(self._last, None)
        if knot is not None and knot[2] != length:    # re-planned after the knot: the beat stays bent there
            self._knots[self._last] = (knot[0], knot[1], None)
        length = max(length, self._reached - self._times[self._last])   # a step heard late: not before what was sent
        self._stepped = STEP_BEATS if step else max(0, self._stepped - 1)
        if step:
            self._step_beat, self._steady = self._last, 0
        self._hold = max(0, self._hold - 1)
        self._move_merge = 0 if merged > 1 else max(0, self._move_merge - 1)
        self.level = level
        self._jumped = self._jumped + 1 if far else 0
        self._count_level(level, far)
        if self._last > self._first:    # (the first beat's length: the file's lead-in)
            self._longest = max(self._longest, length)
        self._times[self._last + 1] = self._times[self._last] + length
        self._last += 1
        self._length = length
        if self._regroup is not None and self._regroup[0] == self._last:
            self._regrouped()
        if len(self._times) > KEEP:
            del self._times[self._first]
            self._knots.pop(self._first, None)
            self._heard.pop(self._first, None)
            self._first += 1
        self._plan = self._next(grid)

    def _take_move(self, grid: BeatGrid) -> None:
        """When the listener has moved the grid to another level on evidence since the band last looked
        (`BeatGrid.moved_at`) and the grid's tempo is now more than MAX_CHANGE from the band's, the band's tempo
        is a fresh lock's first guess again: its steady count starts over, so from the beat after the one planned
        it follows the grid as a fresh lock does (within two beats, 12 % a beat) instead of holding its level as against
        a misreading. (GuitarSet BN2 solo: band and listener at 110 BPM, 2:3 of the player's, until the listener
        heard the straight line's 166 at 14.1 s; the band followed only because SETTLE happened to reset its
        count: bench/README.md, gsband11.)"""
        if grid.moved_at <= self._heard_move:
            return
        self._heard_move = grid.moved_at
        ratio = grid.period / self._tempo()
        if abs(math.log(ratio)) > math.log(1 + self.max_change):
            self._steady = self._other_level = 0
        if abs(math.log(ratio / 2)) < math.log(1 + self.max_change):
            self._move_merge = 3    # beats the band may wait for one on the grid's beat (`_merge_moved`: the beat
                                    # decided now was planned before the move, the next may fall on its "and")

    def _level(self, grid_period: float, band_period: float) -> tuple[Fraction, float]:
        """How many grid beats make a band beat, as a Fraction and a float: 1, or another level the grid is at
        (see the module docstring); after `level_beats` decided beats at another level, 1: the band goes there."""
        ratio = band_period / grid_period
        level, value = min(_LEVEL_FLOATS, key=lambda pair: abs(math.log(ratio / pair[1])))
        if (self._moving or level is LEVELS[0] or abs(math.log(ratio / value)) > math.log(1 + self.max_change)
                or self._fresh(level.denominator if level.numerator == 1 else 1)):
            return _LEVEL_FLOATS[0]
        return (level, value)

    def _count_level(self, level: Fraction, far: int) -> None:
        """Count the decided beats in a row with the grid at another level, and those with the grid agreeing
        with the band's tempo (reset when the band follows a tempo far from its own: `far` (`_far_hold`) far beats
        in a row; a single one is a phase correction at another level pushing a beat past MAX_CHANGE; and when
        the band's own tempo moved more than SETTLE in four beats: `_moved`)."""
        self._other_level = self._other_level + 1 if level is not LEVELS[0] else 0
        if self._other_level >= max(self.level_beats, min(self._steady // HELD_SHARE, HELD_MOST)):
            self._moving, self._other_level = True, 0       # the grid kept the other level: the band goes there
        elif self._moving and not self._jumped:
            self._moving = False                            # ... and is there
        if (far and self._jumped >= far) or self._moved():
            self._steady = 0
        elif level is LEVELS[0] and not self._jumped:
            self._steady += 1
