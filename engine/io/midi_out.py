"""The band as MIDI to another port (a hardware synth, a DAW), sent on time by one sender thread.

A port has no sequencer of its own, so a thread sends each message at its due time: it sleeps to ~1 ms
before, then spins (measured here: p99 lateness in microseconds with the other core idle, a few ms when
another Python thread holds the GIL — fine for MIDI, which is why the audio goes through FluidSynth's
sequencer instead).
"""

from __future__ import annotations

import heapq
import threading

from engine.events import Control, Event, Note, Program
from engine.io.ports import MidiOutput
from engine.midi import CC_ALL_NOTES_OFF, CC_ALL_SOUND_OFF, CC_SUSTAIN, NOTE_OFF, NOTE_ON, PROGRAM
from engine.midi import CONTROL as CC


class TimedSender:
    """Sends byte messages to a port at given clock times, in time order; never raises."""

    def __init__(self, output: MidiOutput, clock):
        self.output, self.clock = output, clock
        self._heap: list[tuple[float, int, list[int]]] = []
        self._order = 0
        self._cv = threading.Condition()
        self._closed = False
        self.sent = 0
        self.late = 0       # messages sent more than 2 ms after their time
        self._thread = threading.Thread(target=self._run, name="aqyn-midi-out", daemon=True)
        self._thread.start()

    def at(self, t: float, message: list[int]) -> None:
        """Send `message` (bytes) at clock time `t` (s); messages go out in time order."""
        with self._cv:
            self._order += 1
            heapq.heappush(self._heap, (t, self._order, message))
            self._cv.notify()

    def drop_pending(self) -> None:
        """Forget every message not yet sent."""
        with self._cv:
            self._heap.clear()

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
                if not self._heap or self._heap[0][0] != t:
                    continue
                _, _, message = heapq.heappop(self._heap)
            if self.clock.now() - t > 0.002:
                self.late += 1
            if self.output.send(message):
                self.sent += 1

    def close(self, final: list[list[int]] = ()) -> None:
        """Stop the thread, drop what is pending and send `final` (e.g. all-notes-off) at once."""
        with self._cv:
            self._closed = True
            self._heap.clear()
            self._cv.notify()
        self._thread.join(timeout=1.0)
        for message in final:
            self.output.send(message)


class MidiOutSink:
    """A `Sink` sending the band's notes and controls to a MIDI port; all-notes-off on every used channel at close."""

    def __init__(self, sender: TimedSender):
        self.sender = sender
        self._used: set[int] = set()

    def send(self, event: Event) -> None:
        """Queue a note's on and off, a controller or a program change for its time; other events are ignored."""
        s = self.sender
        if isinstance(event, Note):
            s.at(event.time, [NOTE_ON | event.channel, event.pitch, event.velocity])
            s.at(event.time + event.duration, [NOTE_OFF | event.channel, event.pitch, 0])
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
        """Stop sending and silence every channel used, at once."""
        self.sender.close(self.panic_messages())
