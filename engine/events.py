"""Small frozen event types. Times are seconds (float) on the output timeline.

Made once, validated where they are made: a bad field raises ValueError naming the field and its range.
A `Note` carries its duration, so every note-on that leaves the engine has its note-off already decided.
"""

from __future__ import annotations

from dataclasses import dataclass

# Parts name the output tracks.
GUITAR = "guitar"
DOMBRA = "dombra"
PERCUSSION = "percussion"


def _check(name: str, value: int, low: int, high: int) -> None:
    if not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer {low}..{high}, got {value!r}")


def _check_time(name: str, value: float) -> None:
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{name} must be >= 0 seconds, got {value!r}")


@dataclass(frozen=True, slots=True)
class InputMessage:
    """One raw MIDI channel message from the guitar, stamped on arrival (seconds)."""

    time: float
    status: int
    data1: int = 0
    data2: int = 0

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        _check("status", self.status, 0x80, 0xEF)
        _check("data1", self.data1, 0, 127)
        _check("data2", self.data2, 0, 127)

    @property
    def kind(self) -> int:
        """The status byte's high nibble: NOTE_ON, NOTE_OFF, CONTROL ... (engine/midi.py)."""
        return self.status & 0xF0

    @property
    def channel(self) -> int:
        """The MIDI channel, 0-based (0..15)."""
        return self.status & 0x0F


@dataclass(frozen=True, slots=True)
class Note:
    """A note the band plays: at `time` (s) for `duration` (s) on `channel` (0-15), `pitch` and
    `velocity` MIDI numbers (1..127), in the output track `part`. Its note-off is decided with it."""

    time: float
    duration: float
    channel: int
    pitch: int
    velocity: int
    part: str

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        if not self.duration > 0:
            raise ValueError(f"duration must be > 0 seconds, got {self.duration!r}")
        _check("channel", self.channel, 0, 15)
        _check("pitch", self.pitch, 0, 127)
        _check("velocity", self.velocity, 1, 127)


@dataclass(frozen=True, slots=True)
class Control:
    """A controller message at `time` (s): `control` number and `value` (0..127) on `channel` (0-15)."""

    time: float
    channel: int
    control: int
    value: int
    part: str

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        _check("channel", self.channel, 0, 15)
        _check("control", self.control, 0, 127)
        _check("value", self.value, 0, 127)


@dataclass(frozen=True, slots=True)
class Program:
    """A program change at `time` (s): General MIDI `program` (0..127, 0-based) on `channel` (0-15)."""

    time: float
    channel: int
    program: int
    part: str

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        _check("channel", self.channel, 0, 15)
        _check("program", self.program, 0, 127)


@dataclass(frozen=True, slots=True)
class Raw:
    """A MIDI channel message passed through unchanged (the guitar's own notes, bends and controls)."""

    time: float
    status: int
    data1: int
    data2: int
    part: str

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        _check("status", self.status, 0x80, 0xEF)
        _check("data1", self.data1, 0, 127)
        _check("data2", self.data2, 0, 127)


@dataclass(frozen=True, slots=True)
class Beat:
    """The band played beat `index` (counted from its first beat) at `time` (s), beat `beat_in_bar` of a
    cycle of `beats_per_bar` (0 = the bar's first), at a tracked beat of `period` seconds. `merged` 2 or 3: the
    beat before this one was the band's first at the grid's beat, that many of its earlier beats long (a fresh
    lock's double-time first guess counted onto the grid's beat, engine/timeline.py `_merge`), else 1. `restarted`:
    the band's count started again at this beat, `beat_in_bar` beats of `period` s after the player's downbeat
    back from a stop (engine/timeline.py `restart`): their bar began there, not on the band's old count."""

    time: float
    index: int
    beat_in_bar: int
    beats_per_bar: int
    period: float = 0.5
    merged: int = 1
    restarted: bool = False

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        if not self.period > 0:
            raise ValueError(f"period must be > 0 seconds, got {self.period!r}")
        if not 0 <= self.beat_in_bar < self.beats_per_bar:
            raise ValueError(f"beat_in_bar must be 0..{self.beats_per_bar - 1}, got {self.beat_in_bar!r}")


@dataclass(frozen=True, slots=True)
class KeyChange:
    """The band's key from `time` (s): `tonic` spelled as the key signature writes it, `mode` a mode name."""

    time: float
    tonic: str
    mode: str


@dataclass(frozen=True, slots=True)
class Marker:
    """A marker at `time` (s) for the file and the live log (band in, section, band out, style)."""

    time: float
    text: str


@dataclass(frozen=True, slots=True)
class TimeSignature:
    """The band's meter from `time` (s): `numerator`/`denominator`, with `beat_eighths` eighths per beat."""

    time: float
    numerator: int
    denominator: int
    beat_eighths: int = 2   # eighth notes per listener beat: 3 in compound meters (6/8: a dotted quarter)


@dataclass(frozen=True, slots=True)
class LeadIn:
    """The player's beats `beats` (s, increasing, each in (0, `time`)) before the band's first beat at `time` (s),
    as the listener heard them (engine/lead_in.py): the file's tempo map and bars before the band."""

    time: float
    beats: tuple[float, ...]

    def __post_init__(self) -> None:
        _check_time("time", self.time)
        if any(not 0 < b < self.time for b in self.beats) or any(b >= c for b, c in zip(self.beats, self.beats[1:])):
            raise ValueError(f"beats must increase within (0, {self.time!r}) seconds, got {self.beats!r}")


Event = Note | Control | Program | Raw | Beat | KeyChange | Marker | TimeSignature | LeadIn
