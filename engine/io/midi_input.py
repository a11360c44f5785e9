"""Read a guitar MIDI file into time-stamped input messages (seconds from the file's start).

What a file from the wild may hold, and what is done (the Standard MIDI File 1.0 spec, MMA, 1996; RIFF RMID
from Microsoft's RIFF multimedia spec): a RIFF `RMID` wrapper is unwrapped; an SMPTE time division (frames
per second and ticks per frame in the header) is played as seconds, its tempo metas ignored, as the spec
says; a tempo meta of 0 microseconds is skipped (the tempo before it holds); a meta event mido cannot
decode (a key signature of 9 sharps, a time signature cut short: engine/io/smf_metas.py) is ignored with one
warning, as aqyn hears key, meter and tempo itself; at one tick, the note-off of a
note already sounding goes before a note-on (a quantized re-strike); a header division of 0 ticks,
an unknown SMPTE frame rate, a file cut short or any other unreadable file is one line naming what is
wrong. Events after a silence of more than `STRAY_GAP` seconds after the music (a stray event hours or years
later) are left out and said in `GuitarFile.warnings`; music longer than `MAX_SECONDS` is refused.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import mido

from engine.errors import InputFileError
from engine.events import InputMessage
from engine.io.smf_metas import unreadable_metas
from engine.midi import GM_DRUMS, NOTE_ON
from engine.tempomap import TempoMap

STRAY_GAP = 600.0       # s without a message after which what follows is a stray event, not music
MAX_SECONDS = 7200.0    # the longest take aqyn renders (2 h)
SMPTE_RATES = {24: 24.0, 25: 25.0, 29: 30000 / 1001, 30: 30.0}   # frames per second of an SMPTE division


@dataclass(frozen=True)
class GuitarFile:
    """A guitar performance read from a file: its channel messages in time order (seconds from
    the file's start), the time of the last one (s) and how many note-ons it has."""

    path: Path
    messages: list[InputMessage]     # channel messages in time order
    duration: float                  # seconds to the last message
    notes: int
    warnings: tuple[str, ...] = field(default=())    # what was left out, for the user (one line each)

    def check_heard(self, channels: tuple[int, ...] | None) -> None:
        """Raise InputFileError when every note-on is on GM's drum channel 10 and `channels` (0-based, the
        player's --channels) is None, so none is heard (engine/listen/guitar.py) nor copied as the guitar
        (engine/render.py): the render wrote a file of neither guitar nor band, exit 0, and a warning that did
        not say why. With --channels given the player chose; a render then writes the guitar alone and says
        the band never played."""
        if channels is not None or any(m.channel != GM_DRUMS for m in self.messages
                                       if m.kind == NOTE_ON and m.data2 > 0):
            return
        raise InputFileError(f"{self.path}: all its {self.notes} notes are on channel 10, General MIDI's drums, "
                             "which aqyn does not hear as the guitar; give --channels 10 if your guitar is there")

    def channels_warning(self, channels: tuple[int, ...] | None) -> tuple[str, ...]:
        """One warning line when the player's `channels` (0-based, --channels) hold none of the file's note-ons,
        naming the channels that do (1-based, as --channels takes them); () otherwise. The render then writes the
        guitar alone, as the player chose (`check_heard`), but "the band never played ... (is it on the channels
        given?)" left the player to find where the notes are (review34: --channels 7-9 on a take on 1-6)."""
        played = sorted({m.channel for m in self.messages if m.kind == NOTE_ON and m.data2 > 0})
        if channels is None or set(played) & set(channels):
            return ()
        return (f"none of the {self.notes} notes of {self.path.name} is on channels {channel_ranges(channels)}: "
                f"they are on channels {channel_ranges(played)} (give --channels {channel_ranges(played)}, "
                "or leave --channels out)",)

    @property
    def first_onset(self) -> float:
        """Time (s) of the first note-on, 0 without any."""
        return next((m.time for m in self.messages if m.kind == NOTE_ON and m.data2 > 0), 0.0)


def channel_ranges(channels) -> str:
    """0-based MIDI channels as --channels writes them, 1-based with runs as ranges.

    >>> channel_ranges((0, 1, 2, 3, 4, 5, 9))
    '1-6,10'
    """
    runs: list[list[int]] = []
    for c in sorted(set(channels)):
        if runs and c == runs[-1][1] + 1:
            runs[-1][1] = c
        else:
            runs.append([c, c])
    return ",".join(f"{a + 1}-{b + 1}" if b > a else f"{a + 1}" for a, b in runs)


def read_guitar_file(path: str | Path) -> GuitarFile:
    """Raises InputFileError (one line: what is wrong and what to do) for a missing, unreadable,
    non-MIDI, note-less or over-long file (see the module docstring)."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"input file not found: {p} (check the path)")
    if not p.is_file():
        raise InputFileError(f"input is not a file: {p} (give a .mid file)")
    data = _smf_bytes(p)
    seconds_per_tick = _smpte_seconds_per_tick(p, data)
    data, undecodable = unreadable_metas(data)
    try:
        mid = mido.MidiFile(file=io.BytesIO(data), clip=True)
    except EOFError:
        # Shorter than a header: not a MIDI file at all (a text file), unless it starts as one.
        reason = "it ends inside a track: cut short?" if data[:4] == b"MThd" else "too short for a MIDI header"
        raise InputFileError(f"not a readable MIDI file: {p} ({reason}); give a Standard MIDI File (.mid)") from None
    except (OSError, ValueError, KeyError, IndexError) as exc:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, KeyError):
            reason = f"a meta event that cannot be decoded: {reason}"
        raise InputFileError(f"not a readable MIDI file: {p} ({reason}); give a Standard MIDI File (.mid)") from None
    if mid.type == 2:
        raise InputFileError(f"{p} is a type-2 MIDI file (independent sequences); save it as type 0 or 1")
    messages, notes = _messages(mid, seconds_per_tick)
    if notes == 0:
        raise InputFileError(f"{p} has no notes to accompany; record the guitar part into it first")
    messages, warnings = _without_strays(messages)
    if undecodable:
        warnings = (_ignored(undecodable), *warnings)
    if messages[-1].time > MAX_SECONDS:
        raise InputFileError(f"{p} is {messages[-1].time / 3600:.1f} hours long; aqyn renders at most "
                             f"{MAX_SECONDS / 3600:.0f} hours: cut it into songs")
    return GuitarFile(p, messages, messages[-1].time, notes, warnings)


def _ignored(names: list[str]) -> str:
    """The warning for meta events that could not be decoded: how many, of which kinds."""
    kinds = ", ".join(dict.fromkeys(n.replace("_", " ") for n in names))
    return (f"ignored {len(names)} meta event{'s' if len(names) > 1 else ''} that cannot be decoded ({kinds}); "
            "aqyn hears the key, meter and tempo itself")


def _smf_bytes(p: Path) -> bytes:
    """The Standard MIDI File in `p`: its bytes, or the `data` chunk of a RIFF RMID wrapper."""
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputFileError(f"cannot read {p}: {exc.strerror or exc}") from None
    if not data:
        raise InputFileError(f"{p} is empty (0 bytes); give a Standard MIDI File (.mid)")
    if data[:4] == b"RIFF" and data[8:12] == b"RMID":
        at = 12
        while at + 8 <= len(data):
            size = int.from_bytes(data[at + 4:at + 8], "little")
            if data[at:at + 4] == b"data":
                return data[at + 8:at + 8 + size]
            at += 8 + size + (size & 1)
        raise InputFileError(f"{p} is a RIFF MIDI file (.rmi) without a data chunk; export it as a .mid file")
    return data


def _smpte_seconds_per_tick(p: Path, data: bytes) -> float | None:
    """Seconds per tick of an SMPTE time division (None for ticks per beat). Raises InputFileError for a
    division of 0 or an SMPTE frame rate the spec does not have."""
    if data[:4] != b"MThd" or len(data) < 14:
        return None                        # mido says what is wrong
    division = int.from_bytes(data[12:14], "big")
    if division == 0:
        raise InputFileError(f"{p}: its header says 0 ticks per beat, so no event has a time; re-export it")
    if not division & 0x8000:
        return None
    fps, ticks = 256 - data[12], data[13]
    if fps not in SMPTE_RATES or ticks == 0:
        raise InputFileError(f"{p}: SMPTE time division of {fps} frames per second and {ticks} ticks per frame "
                             "(the spec has 24, 25, 29.97 and 30); re-export it")
    return 1.0 / (SMPTE_RATES[fps] * ticks)


def _messages(mid: mido.MidiFile, seconds_per_tick: float | None) -> tuple[list[InputMessage], int]:
    """The channel messages of every track in time order, in seconds, and how many note-ons."""
    # Absolute ticks of every message, tempo changes from any track (type 1 keeps them in the first).
    timed: list[tuple[int, int, int, mido.Message]] = []
    tempos: list[tuple[int, int]] = []
    for ti, track in enumerate(mid.tracks):
        tick = 0
        for order, msg in enumerate(track):
            tick += msg.time
            if msg.type == "set_tempo":
                if msg.tempo > 0:           # a tempo of 0 would stop time: the one before it holds
                    tempos.append((tick, msg.tempo))
            elif not msg.is_meta and msg.type not in ("sysex",) and hasattr(msg, "channel"):
                timed.append((tick, ti, order, msg))
    timed.sort(key=lambda x: (x[0], x[1], x[2]))
    timed = _offs_first(timed)
    tempo_map = _tempo_map(tempos, mid.ticks_per_beat)
    ppq = mid.ticks_per_beat
    messages: list[InputMessage] = []
    notes = 0
    for tick, _, _, msg in timed:
        data = msg.bytes()
        d1 = data[1] if len(data) > 1 else 0
        d2 = data[2] if len(data) > 2 else 0
        t = tick * seconds_per_tick if seconds_per_tick else float(tempo_map.seconds_at(Fraction(tick, ppq)))
        messages.append(InputMessage(t, data[0], d1, d2))
        if msg.type == "note_on" and msg.velocity > 0:
            notes += 1
    return messages, notes


def _offs_first(timed: list[tuple[int, int, int, mido.Message]]) -> list[tuple[int, int, int, mido.Message]]:
    """The messages with, at each tick, the note-offs of notes already sounding before the note-ons: a DAW that
    quantizes a re-strike writes the new note-on and the old note's note-off on one tick, in either order,
    and the off belongs to the old note (else the new one would end at once and be dropped as a glitch)."""
    out: list[tuple[int, int, int, mido.Message]] = []
    sounding: dict[tuple[int, int], int] = {}
    i = 0
    while i < len(timed):
        j = i
        while j < len(timed) and timed[j][0] == timed[i][0]:
            j += 1
        group = timed[i:j]
        early = [x for x in group if _is_off(x[3]) and sounding.get((x[3].channel, x[3].note), 0) > 0]
        if early:
            moved = {id(x) for x in early}
            group = early + [x for x in group if id(x) not in moved]
        for x in group:
            msg = x[3]
            if msg.type in ("note_on", "note_off"):
                key = (msg.channel, msg.note)
                sounding[key] = max(0, sounding.get(key, 0) + (-1 if _is_off(msg) else 1))
        out += group
        i = j
    return out


def _is_off(msg: mido.Message) -> bool:
    """A note-off, or a note-on of velocity 0."""
    return msg.type == "note_off" or (msg.type == "note_on" and msg.velocity == 0)


def _without_strays(messages: list[InputMessage]) -> tuple[list[InputMessage], tuple[str, ...]]:
    """The messages up to the first silence longer than STRAY_GAP after a note, and a warning for what came
    after it (a stray event hours or years after the music)."""
    first_note = next(i for i, m in enumerate(messages) if m.kind == NOTE_ON and m.data2 > 0)
    for i in range(first_note + 1, len(messages)):
        gap = messages[i].time - messages[i - 1].time
        if gap > STRAY_GAP:
            left = len(messages) - i
            return messages[:i], (f"left out {left} event{'s' if left > 1 else ''} {_span(gap)} after the "
                                  f"music (at {messages[i - 1].time:.1f} s): a stray event, not the song",)
    return messages, ()


def _span(seconds: float) -> str:
    """A long time span in words: '3.2 years', '5.0 hours', '12 minutes'."""
    if seconds >= 365 * 86400:
        return f"{seconds / (365 * 86400):.1f} years"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"


def _tempo_map(tempos: list[tuple[int, int]], ppq: int) -> TempoMap:
    changes: list[tuple[Fraction, int]] = [(Fraction(0), 500_000)]
    for tick, us in sorted(tempos):
        beat = Fraction(tick, ppq)
        if beat == changes[-1][0]:
            changes[-1] = (beat, us)
        else:
            changes.append((beat, us))
    return TempoMap(changes)
