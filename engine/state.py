"""The contract between listening and playing: what the listener believes at one moment.

The listener hands the scheduler a frozen `MusicalState` each tick; the scheduler reads nothing else of the
listener. Its `BeatGrid` is the beat as the listener tracks it now: beat numbers are a continuous count
(the grid's `anchor_beat` at `anchor_time`), beats are `period` seconds apart, and beat numbers n with
`n % beats_per_bar == downbeat_phase` are downbeats. Conversions are named as in `TempoMap`.

>>> grid = BeatGrid(anchor_time=1.0, anchor_beat=4, period=0.5, beats_per_bar=4, downbeat_phase=0)
>>> grid.beat_at(2.0), grid.seconds_at(8), grid.is_downbeat(8), grid.bpm
(6.0, 3.0, True, 120.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Chord = tuple[int, str]   # (root pitch class 0..11, quality as engine/listen/chord.py labels it)


@dataclass(frozen=True, slots=True)
class BeatGrid:
    """The tracked beat: a straight line from beat numbers to seconds, with the bar laid over it.

    `anchor_time` (s) is when beat number `anchor_beat` falls; `period` is seconds per beat (a quarter note in
    2/4, 3/4, 4/4, 5/8 and 7/8, a dotted quarter in compound meters: `compound`); `beats_per_bar` counts
    beats of the guitar's meter as tracked, and `downbeat_phase` (0..beats_per_bar-1) says which beat
    numbers start its bars. `meter_confidence` (0..1) says how sure the listener is of the meter. In an aqsaq
    meter `groups` gives the bar's groups in eighths ((3, 2) in 5/8, (2, 2, 3) in 7/8), the beat is still the
    quarter, and `beats_per_bar` (5 or 7) counts two bars: the beat numbers that `is_downbeat` names start the
    first, and the second starts half a beat off the grid (`group_starts` gives them all). `moved_at` (s) is
    when the listener last moved the grid to another tempo level on evidence (the bass, the accents, a straight
    line: `BeatTracker._adopt`), -inf when it never did: the band takes such a move as a fresh lock, not as
    a misreading to hold its level through (engine/timeline.py). `cued`: the bar's 1 is a cue's the band takes at
    once, as it would a sure listener's: a groove's first downbeat after a free intro of a strum a bar
    (`BeatTracker.groove_cued`).
    """

    anchor_time: float
    anchor_beat: int
    period: float
    beats_per_bar: int
    downbeat_phase: int
    compound: bool = False
    meter_confidence: float = 1.0
    groups: tuple[int, ...] = ()
    moved_at: float = -math.inf
    cued: bool = False

    def beat_at(self, seconds: float) -> float:
        """The beat position (float beats) at `seconds`."""
        return self.anchor_beat + (seconds - self.anchor_time) / self.period

    def seconds_at(self, beat: float) -> float:
        """The time (s) of beat position `beat`."""
        return self.anchor_time + (beat - self.anchor_beat) * self.period

    def is_downbeat(self, beat: int) -> bool:
        """True when whole beat number `beat` starts a bar of the guitar's meter."""
        return (beat - self.downbeat_phase) % self.beats_per_bar == 0

    def beat_in_bar(self, beat: int) -> int:
        """0 for a downbeat, 1 for the beat after it, ... (whole beat number `beat`)."""
        return (beat - self.downbeat_phase) % self.beats_per_bar

    def group_starts(self, beat: int) -> tuple[tuple[float, bool], ...]:
        """The beats as a player counts them from whole beat number `beat` to the next: (beat position, starts a
        bar) pairs. One per beat, except in an aqsaq meter, where they are its groups' starts (none, one or two
        in a quarter-note beat).

        >>> grid = BeatGrid(0.0, 0, 0.2, 7, 0, groups=(2, 2, 3))
        >>> [grid.group_starts(n) for n in (0, 3, 4)]
        [((0, True),), ((3.5, True),), ((4.5, False),)]
        """
        if not self.groups:
            return ((beat, self.is_downbeat(beat)),)
        bar = sum(self.groups)
        starts = {sum(self.groups[:i]) for i in range(len(self.groups))}
        eighth = 2 * self.beat_in_bar(beat)
        return tuple((beat + k / 2 if k else beat, (eighth + k) % bar == 0) for k in (0, 1)
                     if (eighth + k) % bar in starts)

    @property
    def bpm(self) -> float:
        """Beats per minute of this grid's beat."""
        return 60.0 / self.period

    @property
    def meter(self) -> str:
        """The meter as a time signature: 6/8 when compound (two beats), 5/8 or 7/8 with groups, else 2/4, 3/4 or
        4/4."""
        if self.groups:
            return f"{sum(self.groups)}/8"
        if self.compound:
            return f"{3 * self.beats_per_bar}/8"
        return f"{self.beats_per_bar}/4"


@dataclass(frozen=True, slots=True)
class MusicalState:
    """What the listener believes at `time` (s): key, chord, beat, and how the player is playing.

    `tonic` is a pitch class 0..11 (None before any evidence) in `mode` (major minor dorian phrygian lydian
    mixolydian locrian); confidences are 0..1. `grid` is None until a beat period is known. `locked` says the
    listener is sure enough of beat and key for the band to play. `loudness` is the guitar's recent mean
    note-on velocity (0..127), `density` its strums per beat over the recent beats, `intensity` (0..1) how
    hard the player plays (as they play: a stop leaves it as it was), `silent` whether the guitar is pausing
    (no onset for longer than its usual gaps allow), `last_onset` the time (s) of its latest onset. `cued` is
    the time (s) of a downbeat the player was cued to (a count-in's end, a start from a pedal or a clock
    master) while the guitar has not played since.
    `chords_ahead` is empty for a listener, which knows only the chord heard now; a chart knows every chord in
    advance: (grid beat number, chord from that beat on) pairs sorted by beat, so each note the band commits
    is voiced for the chord at its own beat rather than the one sounding when it is committed.
    `meter_pending` says the grid's meter may be about to change: the listener leans towards an aqsaq meter it
    has not named yet (a band not yet playing waits a little for it); `leaning`, once the evidence for it is a
    quarter of what naming asks, is the grid as it will be if named (its downbeats the aqsaq bar starts the listener
    believes; a band may come in on one). `level_contested` says a single-note line so far fits a grid 3:2 as fast
    as well as the beat heard (a fast straight line's notes a dotted quarter apart): a band not yet playing waits for
    the level (engine/schedule.py `LEVEL_WAIT`). `phrase_start` is where the player began
    again after the last rest of a bar or more (s): the first strong chord or bass note since, a downbeat of
    theirs (engine/listen/activity.py); None before any rest. `strum_notes` counts the notes of the latest strum
    (a tuning pluck is one or two; a chord three or more). `downbeat_played` says how often the player strikes the
    beat the grid calls 1, against the mean beat over the last bars (0.0: a beat they leave, as the 1 under a reggae
    skank; 1.0 when not known; engine/listen/bar_pointer.py `BarTracker.played`); `played_by_beat` the same for
    each beat of that bar, the 1 first (the band keeps its bar on a beat struck clearly more: engine/bars.py).
    `bar_pulse` says the grid is the bar of a player striking one chord a bar (engine/listen/bar_pulse.py): a
    phrase though its density is low. `written_mode` is the mode a lead sheet writes the key in where it is not
    `mode` (a blues: major, its scale mixolydian), else None (`named_mode`).
    """

    time: float
    tonic: int | None
    mode: str
    key_confidence: float
    grid: BeatGrid | None
    beat_confidence: float
    locked: bool = False
    chord: Chord | None = None
    loudness: float = 0.0
    density: float = 0.0
    intensity: float = 0.0
    silent: bool = True
    last_onset: float | None = None
    cued: float | None = None
    chords_ahead: tuple[tuple[float, Chord | None], ...] = ()
    meter_pending: bool = False
    level_contested: bool = False
    phrase_start: float | None = None
    leaning: BeatGrid | None = None
    strum_notes: int = 0
    downbeat_played: float = 1.0
    played_by_beat: tuple[float, ...] = ()
    bar_pulse: bool = False
    written_mode: str | None = None

    @property
    def named_mode(self) -> str:
        """The mode a lead sheet writes the key in (`written_mode`, else `mode`): a blues's major, where `mode`, the
        scale the band plays by, keeps the blues's minor seventh (mixolydian; engine/listen/key.py `written`)."""
        return self.written_mode or self.mode

    @property
    def bpm(self) -> float | None:
        """Beats per minute of the tracked beat, None before the grid exists."""
        return None if self.grid is None else self.grid.bpm
