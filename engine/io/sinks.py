"""Sinks: where timed events go. The protocol, a recording sink, and the note-flattening all file sinks share."""

from __future__ import annotations

from typing import Iterable, Iterator, Protocol

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


# A message on its way to a file or synth: (time s, rank, seq, status, data1, data2, part). Sorting by
# (time, rank, seq) puts note-offs (rank 0) before controls and programs (1) before note-ons (2) at one time,
# and otherwise keeps the order the events came in (seq).
Message = tuple[float, int, int, int, int, int, str]


def event_messages(event: Event, seq: int) -> list[Message]:
    """The MIDI messages of one event, numbered `seq`: a note's on and off, a raw message, a control or a
    program change; nothing for markers and other meta events."""
    if isinstance(event, Note):
        return [(event.time, 2, seq, NOTE_ON | event.channel, event.pitch, event.velocity, event.part),
                (event.time + event.duration, 0, seq, NOTE_OFF | event.channel, event.pitch, 0, event.part)]
    if isinstance(event, Raw):
        kind = event.status & 0xF0
        is_off = kind == NOTE_OFF or (kind == NOTE_ON and event.data2 == 0)
        rank = 0 if is_off else (2 if kind == NOTE_ON else 1)
        return [(event.time, rank, seq, event.status, event.data1, event.data2, event.part)]
    if isinstance(event, Control):
        return [(event.time, 1, seq, CONTROL | event.channel, event.control, event.value, event.part)]
    if isinstance(event, Program):
        return [(event.time, 1, seq, PROGRAM | event.channel, event.program, 0, event.part)]
    return []


class Restrikes:
    """Takes messages in time order and gives them back as they may be played: a note struck again while
    still sounding on the same channel is ended first (as a string restruck stops ringing), and the ended
    note's own note-off, when it comes, is dropped, so no note-off ever cuts a later note short, and every
    note-on has its note-off. A note's on and off share their `seq` (`event_messages`), which tells whose
    note-off is whose; a raw note-off (a seq of its own) belongs to the oldest note of its channel and pitch.
    Gives (time, status, data1, data2, seq, part) tuples."""

    def __init__(self) -> None:
        self.sounding: dict[tuple[int, int], list[int]] = {}   # (channel, pitch) -> seqs of the notes sounding
        self.ended: dict[tuple[int, int], list[int]] = {}      # ... of the notes a restrike ended

    def feed(self, message: Message) -> list[tuple[float, int, int, int, int, str]]:
        """The messages to play for `message` (none, it, or a note-off and it)."""
        t, _, seq, status, d1, d2, part = message
        kind, ch = status & 0xF0, status & 0x0F
        key = (ch, d1)
        if kind == NOTE_ON and d2 > 0:
            out = []
            sounding = self.sounding.setdefault(key, [])
            if sounding:
                out.append((t, NOTE_OFF | ch, d1, 0, seq, part))
                self.ended.setdefault(key, []).extend(sounding)
                sounding.clear()
            sounding.append(seq)
            out.append((t, status, d1, d2, seq, part))
            return out
        if kind == NOTE_OFF or kind == NOTE_ON:
            return [(t, status, d1, d2, seq, part)] if self._note_off(key, seq) else []
        return [(t, status, d1, d2, seq, part)]

    def _note_off(self, key: tuple[int, int], seq: int) -> bool:
        """Whether the note-off numbered `seq` of `key` is played: not when its note was already ended by a
        restrike, nor when no note of `key` sounds."""
        sounding, ended = self.sounding.get(key), self.ended.get(key)
        if ended and seq in ended:
            ended.remove(seq)
            return False
        if sounding and seq in sounding:
            sounding.remove(seq)
            return True
        if ended:                      # a raw note-off (first in, first out): of a note a restrike ended ...
            ended.pop(0)
            return False
        if sounding:                   # ... or the oldest still sounding
            sounding.pop(0)
            return True
        return False


def sorted_messages(events: Iterable[Event]) -> list[Message]:
    """The messages of `events` (numbered in their order) in the order they play: by time, note-offs before
    other messages at one time (see `Message`)."""
    msgs = [m for seq, ev in enumerate(events, 1) for m in event_messages(ev, seq)]
    msgs.sort(key=lambda m: (m[0], m[1], m[2]))
    return msgs


def played_messages(events: Iterable[Event]) -> Iterator[tuple[float, int, int, int, int, str]]:
    """Notes, controls, programs and raw messages flattened to (time, status, data1, data2, seq, part),
    sorted by time with note-offs before other messages at the same time, restrikes ended (`Restrikes`);
    made as they are read (one list of the sorted messages is held, not two)."""
    restrikes = Restrikes()
    for m in sorted_messages(events):
        yield from restrikes.feed(m)


def channel_messages(events: Iterable[Event]) -> list[tuple[float, int, int, int, int, str]]:
    """`played_messages` as a list."""
    return list(played_messages(events))
