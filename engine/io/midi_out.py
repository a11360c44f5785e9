"""The band as MIDI to another port (a hardware synth, a DAW), sent on time by one sender thread.

A port has no sequencer of its own, so a thread sends each message at its due time: it sleeps to ~1 ms
before, then spins (measured here: p99 lateness in microseconds with the other core idle, a few ms when
another Python thread holds the GIL — fine for MIDI, which is why the audio goes through FluidSynth's
sequencer instead).

A hardware synth cuts (or stacks) a second note-on of a pitch that is still sounding on its channel, and a
note-off meant for an earlier note then ends the later one. So the sender, which sends in time order, keeps
which note sounds on each (channel, pitch): a note-on of a sounding pitch first sends that note's note-off,
and a note-off whose note was already ended that way is not sent. At close, every sounding note gets its
note-off (then all-notes-off): no note is left hanging, however the session ends.
"""

from __future__ import annotations

import heapq
import threading

from engine.events import Control, Event, Note, Program
from engine.io.ports import MidiOutput
from engine.midi import CC_ALL_NOTES_OFF, CC_ALL_SOUND_OFF, CC_SUSTAIN, NOTE_OFF, NOTE_ON, PROGRAM
from engine.midi import CONTROL as CC


class TimedSender:
    """Sends byte messages to a port at given clock times (seconds), in time order; never raises.

    A message given with `note=` (a number naming the note, the same for its on and its off) is a note's on or
    off, and the sender keeps the port's notes well formed (see the module's docstring); `sounding` is how
    many notes sound on the port now."""

    def __init__(self, output: MidiOutput, clock):
        self.output, self.clock = output, clock
        self._heap: list[tuple[float, int, list[int], int | None]] = []
        self._order = 0
        self._cv = threading.Condition()
        self._closed = False
        self._voices: dict[tuple[int, int], int] = {}   # (channel, pitch) -> the note sounding there
        self._voices_lock = threading.Lock()
        self.sent = 0
        self.late = 0       # messages sent more than 2 ms after their time
        self.cut = 0        # notes ended early because their pitch was struck again on their channel
        self._thread = threading.Thread(target=self._run, name="aqyn-midi-out", daemon=True)
        self._thread.start()

    def at(self, t: float, message: list[int], note: int | None = None) -> None:
        """Send `message` (bytes) at clock time `t` (s); messages go out in time order (as given, at one time).
        `note`: for a note-on or note-off, the number of its note (see the class docstring)."""
        with self._cv:
            self._order += 1
            heapq.heappush(self._heap, (t, self._order, message, note))
            self._cv.notify()

    @property
    def sounding(self) -> int:
        """Notes sent on and not yet off."""
        with self._voices_lock:
            return len(self._voices)

    def _run(self) -> None:
        while True:
            with self._cv:
                while not self._closed and not self._heap:
                    self._cv.wait()
                if self._closed:
                    return
                t = self._heap[0][0]
                wait = t - self.clock.now() - 0.001
                if wait > 0:
                    self._cv.wait(timeout=wait)   # woken early by an earlier message or by close()
                    continue
            while self.clock.now() < t:
                pass
            with self._cv:
                if self._closed or not self._heap or self._heap[0][0] != t:
                    continue
                _, _, message, note = heapq.heappop(self._heap)
            if self.clock.now() - t > 0.002:
                self.late += 1
            self._deliver(message, note)

    def _deliver(self, message: list[int], note: int | None) -> None:
        """Send one message; a note's on or off through the sounding notes (never two ons of a key without an
        off between, no off for a note already ended)."""
        if note is None:
            self._send(message)
            return
        key = (message[0] & 0x0F, message[1])
        with self._voices_lock:
            if message[0] & 0xF0 == NOTE_ON:
                if key in self._voices:
                    self.cut += 1
                    self._send([NOTE_OFF | key[0], key[1], 0])
                self._voices[key] = note
            elif self._voices.get(key) == note:
                del self._voices[key]
            else:
                return               # its note was ended when the pitch was struck again
            self._send(message)

    def _send(self, message: list[int]) -> None:
        if self.output.send(message):
            self.sent += 1

    def close(self, final: list[list[int]] = ()) -> None:
        """Stop the thread, drop what is pending, send a note-off for every sounding note and then `final`
        (e.g. all-notes-off), at once."""
        with self._cv:
            self._closed = True
            self._heap.clear()
            self._cv.notify()
        self._thread.join(timeout=1.0)
        with self._voices_lock:
            for channel, pitch in sorted(self._voices):
                self._send([NOTE_OFF | channel, pitch, 0])
            self._voices.clear()
            for message in final:
                self._send(message)


class MidiOutSink:
    """A `Sink` sending the band's notes and controls to a MIDI port; all-notes-off on every used channel at close."""

    def __init__(self, sender: TimedSender):
        self.sender = sender
        self._used: set[int] = set()
        self._notes = 0

    def send(self, event: Event) -> None:
        """Queue a note's on and off (the off at time + duration, s), a controller or a program change for its
        time; other events are ignored."""
        s = self.sender
        if isinstance(event, Note):
            self._notes += 1
            s.at(event.time, [NOTE_ON | event.channel, event.pitch, event.velocity], note=self._notes)
            s.at(event.time + event.duration, [NOTE_OFF | event.channel, event.pitch, 0], note=self._notes)
            self._used.add(event.channel)
        elif isinstance(event, Control):
            s.at(event.time, [CC | event.channel, event.control, event.value])
            self._used.add(event.channel)
        elif isinstance(event, Program):
            s.at(event.time, [PROGRAM | event.channel, event.program])
            self._used.add(event.channel)

    def panic_messages(self) -> list[list[int]]:
        """Sustain off, all notes off and all sound off for every channel the band used."""
        out = []
        for ch in sorted(self._used):
            out += [[CC | ch, CC_SUSTAIN, 0], [CC | ch, CC_ALL_NOTES_OFF, 0], [CC | ch, CC_ALL_SOUND_OFF, 0]]
        return out

    def close(self) -> None:
        """Stop sending; a note-off for every sounding note, then silence every channel used, at once."""
        self.sender.close(self.panic_messages())
