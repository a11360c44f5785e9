"""Timed inputs to the engine besides the guitar's MIDI: cues, MIDI clock and the count-in.

Everything a player does live apart from playing — a footswitch, tap tempo, the tempo lock, a style change,
a MIDI clock master, a count-in — reaches the engine as one of these, stamped in the same seconds as the
guitar's `InputMessage`s. So an offline render can replay a gig (`aqyn render --cues`) and a test can replay
a live session exactly.

>>> Cue("fill") is Cue.FILL, Cue.TAP_TEMPO.value
(True, 'tap_tempo')
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Union

from engine.events import InputMessage
from engine.midi import CLOCK, CONTINUE, SONG_POSITION, START, STOP

if TYPE_CHECKING:
    from engine.arrange.patterns import Style


class Cue(StrEnum):
    """What a footswitch (or a cue file) can ask of the band. The form knows fill, next and ending."""

    FILL = "fill"              # a one-bar fill at the next bar
    NEXT = "next"              # the next section from the next bar (intro -> main A, A <-> B, break -> main)
    ENDING = "ending"          # the ending from the next bar, then stay out until start
    START = "start"            # allow the band in again (and end a keep-going)
    STOP = "stop"              # stop at the next beat, silently, and stay out until start
    START_STOP = "start_stop"  # start when the band is out, else stop
    TAP_TEMPO = "tap_tempo"    # a tap: the beat is the taps' interval, the latest tap a beat
    LOCK = "lock"              # toggle the tempo lock: the phase follows, the tempo does not
    STYLE = "style"            # switch style at the next bar (a cue file names it; a program change picks it)
    KEEP_GOING = "keep_going"  # the input vanished: keep the groove instead of breaking (live only)
    RESUME = "resume"          # the input is back: allow the band in again, as start, without starting it
    LEVEL = "level"            # move a part's level by some dB (a footswitch map's "level dombra -3")


FORM_CUES = (Cue.FILL, Cue.NEXT, Cue.ENDING)
SWITCH_CUES = (Cue.FILL, Cue.NEXT, Cue.ENDING, Cue.START, Cue.STOP, Cue.START_STOP, Cue.TAP_TEMPO, Cue.LOCK)
FILE_CUES = SWITCH_CUES + (Cue.STYLE,)


@dataclass(frozen=True, slots=True)
class CueInput:
    """A cue at `time` (s). `style` is the (already loaded) style of a `Cue.STYLE`, None otherwise; `level`
    the (part, step in dB) of a `Cue.LEVEL`, None otherwise. `placed`: an ending timed to its bar by one who
    knows the song (a chart: engine/chart/listener.py), begun at the next bar whichever bar of a pair it is;
    a footswitch's or cue file's ending waits for the bar that puts its final stroke on the player's 1."""

    time: float
    cue: Cue
    style: Style | None = None
    level: tuple[str, float] | None = None
    placed: bool = False

    def __post_init__(self) -> None:
        if not self.time >= 0:
            raise ValueError(f"time must be >= 0 seconds, got {self.time!r}")
        if (self.cue is Cue.STYLE) != (self.style is not None):
            raise ValueError("a style cue needs a style, and only a style cue has one")
        if (self.cue is Cue.LEVEL) != (self.level is not None):
            raise ValueError("a level cue needs a (part, dB) level, and only a level cue has one")
        if self.placed and self.cue is not Cue.ENDING:
            raise ValueError("only an ending cue is placed")


@dataclass(frozen=True, slots=True)
class ClockInput:
    """A MIDI clock master's message at `time` (s): clock, start, continue, stop, or a song position
    (`position`: 16th notes from the song's top, 0..16383)."""

    time: float
    status: int
    position: int = 0

    def __post_init__(self) -> None:
        if self.status not in (CLOCK, START, CONTINUE, STOP, SONG_POSITION):
            raise ValueError(f"status must be a clock, start, continue, stop or song position, got {self.status!r}")
        if not 0 <= self.position < 1 << 14:
            raise ValueError(f"position must be 0..16383 sixteenths, got {self.position!r}")


COUNT_PERIOD = (0.2, 3.0)   # s: a count-in click's shortest and longest beat (300 and 20 BPM)


@dataclass(frozen=True, slots=True)
class CountIn:
    """`beats` count-in clicks `period` seconds apart, the first at `time` (s; may be before the input's
    start, offline); each is a tap for the beat tracker, and the first of every `beats_per_bar` is the bar's.
    `clicks`: play them (live) or only tell the beat tracker (offline: the recording holds no clicks).
    `groups`: an aqsaq bar's accent groups in eighths ((2, 2, 3) in 7/8), `period` then being a quarter: the
    clicks fall on the groups' starts, limping as the bar does, `beats_per_bar` (one per group) to a bar;
    empty: even clicks. `eighths`: the eighths a click (3: a 6/8 count's dotted quarters, 2: quarters) when the
    count tells how the beat divides (a look-ahead render's, engine/look_ahead.py), None when it does not (a
    player's: the guitar's off-beats say)."""

    time: float
    beats: int
    period: float
    beats_per_bar: int
    clicks: bool = True
    groups: tuple[int, ...] = ()
    eighths: int | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.beats <= 64 or not COUNT_PERIOD[0] <= self.period <= COUNT_PERIOD[1] \
                or not 1 <= self.beats_per_bar <= 16:
            raise ValueError(f"a count-in needs 1..64 beats of 0.2..3 s, got {self.beats} of {self.period!r} s")
        if self.groups and (len(self.groups) != self.beats_per_bar or min(self.groups) < 1):
            raise ValueError(f"a count-in's groups are one per click of the bar, got {self.groups!r} for "
                             f"{self.beats_per_bar} clicks")
        if self.eighths not in (None, 2, 3):
            raise ValueError(f"a count-in's click is 2 or 3 eighths (or None), got {self.eighths!r}")

    @classmethod
    def of_bars(cls, bars: int, bpm: float, beats_per_bar: int, start: float | None = None,
                downbeat: float | None = None, clicks: bool = True, eighths: int | None = None) -> CountIn:
        """A count-in of `bars` bars of `beats_per_bar` even clicks at `bpm`: its first click at `start` (s), or
        its last bar ending on the player's first `downbeat` (s) (give one of the two). The one place the
        player's settings (--count-in BARS, --bpm, the meter) become clicks, live and offline; `eighths` as for
        the class."""
        period = 60.0 / bpm
        beats = bars * beats_per_bar
        if start is None:
            start = downbeat - beats * period
        return cls(start, beats, period, beats_per_bar, clicks, eighths=eighths)

    @property
    def downbeat(self) -> float:
        """The time (s) of the beat after the last even click: the player's first downbeat."""
        return self.time + self.beats * self.period

    def tap_times(self) -> list[float]:
        """The clicks' times (s)."""
        if not self.groups:
            return [self.time + k * self.period for k in range(self.beats)]
        starts = [sum(self.groups[:i]) for i in range(len(self.groups))]     # eighths into the bar
        bar, per = sum(self.groups), len(self.groups)
        return [self.time + (k // per * bar + starts[k % per]) * self.period / 2 for k in range(self.beats)]


@dataclass(frozen=True, slots=True)
class SongEnd:
    """The player's final chord of a song falls at `at` (s), known from `time` (s) on: an offline render
    reads it off the whole take (engine/listen/phrases.py), so the band's ending lands on it."""

    time: float
    at: float

    def __post_init__(self) -> None:
        if not 0 <= self.time <= self.at:
            raise ValueError(f"a song end must come after it is known: {self.at!r} s announced at {self.time!r} s")


@dataclass(frozen=True, slots=True)
class PlayerBreak:
    """The player's guitar is silent (no note sounding) from `begin` to their next strum at `end` (s), known
    from `time` (s) on: an offline render reads it off the whole take (engine/listen/phrases.py), so the band
    stops with a stop-time break instead of playing through it. `struck` (s): their last strum before the
    silence, when known (a one-beat stop leaves the silenced beat unstruck; a rest in a figure follows a strum
    on it: engine/presence.py); `then` (s): their strum after the one at `end`, when known (a pickup leads into
    the 1)."""

    time: float
    begin: float
    end: float
    struck: float | None = None
    then: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.time <= self.begin <= self.end:
            raise ValueError(f"a break must come after it is known: {self.begin!r}-{self.end!r} s at {self.time!r} s")


@dataclass(frozen=True, slots=True)
class KeyHint:
    """The song's key, told at `time` (s) by one who heard it whole (an offline render's first pass,
    engine/look_ahead.py): `tonic` a name (C, C#, Db, ... B), `mode` a mode name. The key tracker starts from it
    and the guitar's notes overturn it as they would any key it believed."""

    time: float
    tonic: str
    mode: str

    def __post_init__(self) -> None:
        if not self.time >= 0:
            raise ValueError(f"time must be >= 0 seconds, got {self.time!r}")


TimedInput = Union[InputMessage, CueInput, ClockInput, CountIn, SongEnd, PlayerBreak, KeyHint]


def input_order(item: TimedInput) -> tuple[float, int]:
    """Sort key for merging inputs: by time; at the same time the player's MIDI and clock first, then cues."""
    return (item.time, 1 if isinstance(item, (CueInput, CountIn, SongEnd, PlayerBreak, KeyHint)) else 0)
