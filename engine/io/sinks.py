"""Sinks: where timed events go. The protocol, a recording sink, and the note-flattening all file sinks share."""

from __future__ import annotations

from typing import Iterable, Protocol

from engine.events import Control, Event, Note, Program, Raw
from engine.midi import CONTROL, NOTE_OFF, NOTE_ON, PROGRAM


class Sink(Protocol):
    """Where timed events go: FluidSynth live, a MIDI port, a MIDI clock, a file, a recording."""

    def send(self, event: Event) -> None:
        """Take one event. Events arrive roughly in time order (a look-ahead window early)."""
        ...

    def close(self) -> None:
        """Finish: flush, write files, silence every channel used."""
        ...


class RecordingSink:
    """Keeps every event, for tests and for the file writers."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def send(self, event: Event) -> None:
        """Keep the event."""
        self.events.append(event)

    def close(self) -> None:
        """Nothing to finish."""
        pass


def channel_messages(events: Iterable[Event]) -> list[tuple[float, int, int, int, int, str]]:
    """Flatten notes, controls, programs and raw messages to (time, status, data1, data2, seq, part),
    sorted by time with note-offs before other messages at the same time.

    A note struck again while still sounding on the same channel is ended first (as a string restruck
    stops ringing), so no note-off ever cuts a later note short and every note-on has its note-off.
    """
    msgs: list[tuple[float, int, int, int, int, int, str]] = []  # time, rank, seq, status, d1, d2, part
    seq = 0
    for ev in events:
        seq += 1
        if isinstance(ev, Note):
            msgs.append((ev.time, 2, seq, NOTE_ON | ev.channel, ev.pitch, ev.velocity, ev.part))
            msgs.append((ev.time + ev.duration, 0, seq, NOTE_OFF | ev.channel, ev.pitch, 0, ev.part))
        elif isinstance(ev, Raw):
            kind = ev.status & 0xF0
            is_off = kind == NOTE_OFF or (kind == NOTE_ON and ev.data2 == 0)
            rank = 0 if is_off else (2 if kind == NOTE_ON else 1)
            msgs.append((ev.time, rank, seq, ev.status, ev.data1, ev.data2, ev.part))
        elif isinstance(ev, Control):
            msgs.append((ev.time, 1, seq, CONTROL | ev.channel, ev.control, ev.value, ev.part))
        elif isinstance(ev, Program):
            msgs.append((ev.time, 1, seq, PROGRAM | ev.channel, ev.program, 0, ev.part))
    msgs.sort(key=lambda m: (m[0], m[1], m[2]))

    out: list[tuple[float, int, int, int, int, str]] = []
    sounding: dict[tuple[int, int], int] = {}   # (channel, pitch) -> count of open note-ons
    for t, rank, seq, status, d1, d2, part in msgs:
        kind, ch = status & 0xF0, status & 0x0F
        if kind == NOTE_ON and d2 > 0:
            if sounding.get((ch, d1)):
                out.append((t, NOTE_OFF | ch, d1, 0, seq, part))
                sounding[(ch, d1)] -= 1
            sounding[(ch, d1)] = sounding.get((ch, d1), 0) + 1
        elif kind == NOTE_OFF or kind == NOTE_ON:
            if not sounding.get((ch, d1)):
                continue  # its note was already ended by a restrike
            sounding[(ch, d1)] -= 1
        out.append((t, status, d1, d2, seq, part))
    return out
