"""Read a guitar MIDI file into time-stamped input messages (seconds from the file's start)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mido

from engine.errors import InputFileError
from engine.events import InputMessage
from engine.midi import NOTE_ON
from engine.tempomap import TempoMap


@dataclass(frozen=True)
class GuitarFile:
    """A guitar performance read from a file: its channel messages in time order (seconds from
    the file's start), the time of the last one (s) and how many note-ons it has."""

    path: Path
    messages: list[InputMessage]     # channel messages in time order
    duration: float                  # seconds to the last message
    notes: int

    @property
    def first_onset(self) -> float:
        """Time (s) of the first note-on, 0 without any."""
        return next((m.time for m in self.messages if m.kind == NOTE_ON and m.data2 > 0), 0.0)


def read_guitar_file(path: str | Path) -> GuitarFile:
    """Raises InputFileError (one line: what is wrong and what to do) for a missing, unreadable,
    non-MIDI or note-less file."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(f"input file not found: {p} (check the path)")
    if not p.is_file():
        raise InputFileError(f"input is not a file: {p} (give a .mid file)")
    try:
        mid = mido.MidiFile(p, clip=True)
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise InputFileError(f"not a readable MIDI file: {p} ({exc}); give a Standard MIDI File (.mid)") from None
    if mid.type == 2:
        raise InputFileError(f"{p} is a type-2 MIDI file (independent sequences); save it as type 0 or 1")

    # Absolute ticks of every message, tempo changes from any track (type 1 keeps them in the first).
    timed: list[tuple[int, int, int, mido.Message]] = []
    tempos: list[tuple[int, int]] = []
    for ti, track in enumerate(mid.tracks):
        tick = 0
        for order, msg in enumerate(track):
            tick += msg.time
            if msg.type == "set_tempo":
                tempos.append((tick, msg.tempo))
            elif not msg.is_meta and msg.type not in ("sysex",) and hasattr(msg, "channel"):
                timed.append((tick, ti, order, msg))
    timed.sort(key=lambda x: (x[0], x[1], x[2]))
    tempo_map = _tempo_map(tempos, mid.ticks_per_beat)
    ppq = mid.ticks_per_beat

    messages: list[InputMessage] = []
    notes = 0
    for tick, _, _, msg in timed:
        data = msg.bytes()
        status = data[0]
        d1 = data[1] if len(data) > 1 else 0
        d2 = data[2] if len(data) > 2 else 0
        t = float(tempo_map.seconds_at(Fraction(tick, ppq)))
        messages.append(InputMessage(t, status, d1, d2))
        if msg.type == "note_on" and msg.velocity > 0:
            notes += 1
    if notes == 0:
        raise InputFileError(f"{p} has no notes to accompany; record the guitar part into it first")
    return GuitarFile(p, messages, messages[-1].time, notes)


def _tempo_map(tempos: list[tuple[int, int]], ppq: int) -> TempoMap:
    changes: list[tuple[Fraction, int]] = [(Fraction(0), 500_000)]
    for tick, us in sorted(tempos):
        beat = Fraction(tick, ppq)
        if beat == changes[-1][0]:
            changes[-1] = (beat, us)
        else:
            changes.append((beat, us))
    return TempoMap(changes)
