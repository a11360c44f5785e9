"""The player's beats before the band came in, as the listener heard them: the output file's lead-in.

Before the band's first beat the file has no band beat to follow. Continuing that beat's length back to the
file's start drew bar lines that drift off the guitar's downbeats wherever the player's tempo before the entry
was not the band's first beat (issue 11: the D dorian example's first downbeat 0.10 s off its bar line, the
4/4 ramp's first bars at 100 BPM for a guitar at 89). The listener heard those beats: `HeardBeats` keeps its
grids from the first note to the band's first beat, and `before` walks back from that beat one beat at a time:

- each beat falls where the grid had it once it had heard it (the grid `HINDSIGHT` beats later, no later
  than the last before the band's first beat; before the lock, the lock's grid: it was fitted to those notes);
- an earlier grid whose tempo or phase there disagrees with the later one (`AGREE`) was a misreading the later
  one corrected, and is passed over (sim2's slow 6/8 locked a third of a beat off, mended 0.3 s later);
- at the band's level: a grid counting twice or half as fast gives every other or half beats; at any other
  level (a 6/8 heard over a 7/8's quarters) the walk ends there;
- no beat is more than `STEP` from the grid's length, so a grid that moved its phase is followed smoothly, nor
  more than the band's MAX_CHANGE (engine/timeline.py) from the beat after it: the file's tempo does not
  stumble where the heard beats meet the band's first;
- the guitar's first note is the beat nearest it, when within `SNAP` of a beat (`on_first_note`, applied where
  the file is written, which has the guitar's notes: the beats after it, up to the band's first, are stretched
  to it evenly): a DAW then shows the first chord on the grid.

The walk stops half a beat before the guitar's first note; the file continues from there (engine/io/midi_file.py
`file_grid`), and counts the bars back from the band's first downbeat, so the entry stays on a bar line. Tuned
with bench/band_eval.py's pre-entry figures on the examples, guitarset-dev, sim2, sim3 and sim-aqsaq (session 20).
"""

from __future__ import annotations

import math
from bisect import bisect_right

from engine.state import BeatGrid, MusicalState
from engine.timeline import MAX_CHANGE

HINDSIGHT = 1.0    # beats: a beat's time is the grid's a beat after it (0 and 2 beats scored alike or worse)
STEP = 0.08        # a lead-in beat's length within this share of the grid's (0.15: as good; none: jumps of 17 %)
AGREE = 0.25       # beats: an earlier grid this far off the later one in phase there was a misreading (0.15 worse)
SAME_TEMPO = 0.10  # ... or this far off in tempo
LEVEL = 1.3        # a grid period within this ratio of the band's beat, or of twice or half of it, is that level
SNAP = 0.15        # beats: the guitar's first note this close to a lead-in beat is that beat
KEEP = 512         # grids kept at most (about two minutes of playing before an entry): the oldest go first
LEVELS = (1.0, 2.0, 0.5)   # grid beats per band beat the walk follows
SHORTEST, LONGEST = 0.2, 4.0   # s: lead-in beats only of a length the file writes (engine/io/midi_file.py)


class HeardBeats:
    """The listener's grids from the guitar's first note until the band's first beat (`hear`), and the beats
    they give before it (`before`). After `before`, nothing more is kept."""

    def __init__(self) -> None:
        self._since: list[float] = []
        self._grids: list[BeatGrid] = []
        self.first_onset: float | None = None   # s: the guitar's first note heard
        self.closed = False

    def hear(self, now: float, state: MusicalState) -> None:
        """The listener's `state` at `now` (s): its grid kept when it changed, its first onset noted."""
        if self.closed:
            return
        if self.first_onset is None:
            self.first_onset = state.last_onset
        grid = state.grid
        if grid is not None and (not self._grids or self._grids[-1] != grid):
            if len(self._grids) == KEEP:
                del self._since[0], self._grids[0]
            self._since.append(now)
            self._grids.append(grid)

    def before(self, first: float, length: float) -> tuple[float, ...]:
        """The player's beats (s, increasing, all in (0, `first`)) before the band's first beat at `first` (s),
        whose length is `length` (s), from the guitar's first note on (half a beat before it at most); () when
        no grid was heard. Closes the record."""
        self.closed = True
        grids, since = self._grids, self._since
        self._grids, self._since = [], []
        if not grids:
            return ()
        floor = max(0.0, (self.first_onset or 0.0))
        beats: list[float] = []
        t, step, later = first, length, None
        while t - 0.5 * step > floor:
            guess = t - step
            grid = grids[max(0, bisect_right(since, min(guess + HINDSIGHT * step, since[-1])) - 1)]
            if later is not None and grid is not later and not _agrees(grid, later, guess):
                grid = later
            level = next((q for q in LEVELS if abs(math.log(step / (q * grid.period))) < math.log(LEVEL)), None)
            if level is None or not SHORTEST <= level * grid.period <= LONGEST:
                break                   # another level: the file continues at the last beat's length
            t, step = _beat_before(grid, t, level, step)
            beats.append(t)
            later = grid
        return tuple(b for b in reversed(beats) if b > 0)


def _agrees(earlier: BeatGrid, later: BeatGrid, t: float) -> bool:
    """True when grid `earlier` has the later grid's tempo and beats near time `t` (s), within SAME_TEMPO and
    AGREE beats."""
    if abs(earlier.period / later.period - 1) > SAME_TEMPO:
        return False
    phase = earlier.beat_at(later.seconds_at(round(later.beat_at(t))))
    return abs(phase - round(phase)) <= AGREE


def _beat_before(grid: BeatGrid, t: float, level: float, after: float) -> tuple[float, float]:
    """(time s, length s) of the beat before the one at `t` (s), which lasts `after` (s): the grid's beat `level`
    grid beats back (an aqsaq grid's or a half-level's on its half beats), its length within STEP of `level`
    grid beats and within MAX_CHANGE of `after` (where the two disagree, MAX_CHANGE towards the grid's)."""
    halves = 2 if grid.groups or level < 1 else 1
    at = grid.seconds_at(round((grid.beat_at(t) - level) * halves) / halves)
    expected = level * grid.period
    low = max(expected * (1 - STEP), after / (1 + MAX_CHANGE))
    high = min(expected * (1 + STEP), after * (1 + MAX_CHANGE))
    if low > high:
        low = high = after * (1 + MAX_CHANGE) if expected > after else after / (1 + MAX_CHANGE)
    length = min(max(t - at, low), high)
    return t - length, length


def on_first_note(beats: tuple[float, ...], first: float, note: float | None) -> tuple[float, ...]:
    """`beats` (s, increasing, before the band's first beat at `first` s) with the one nearest the guitar's first
    note `note` (s) moved onto it when within SNAP of its length: the beats before it move as far, those after
    it up to `first` evenly less. Unchanged without a note, or a note at or after `first`.

    >>> [round(b, 3) for b in on_first_note((0.52, 1.14, 1.76), 2.38, 0.5)]
    [0.5, 1.127, 1.753]
    """
    if note is None or not beats or note >= first:
        return beats
    k = min(range(len(beats)), key=lambda i: abs(beats[i] - note))
    pivot = beats[k]
    shift = note - pivot
    if abs(shift) >= SNAP * ((beats[k + 1] if k + 1 < len(beats) else first) - pivot):
        return beats
    moved = (b + shift * (1.0 if b <= pivot else (first - b) / (first - pivot)) for b in beats)
    return tuple(b for b in moved if b > 0)
