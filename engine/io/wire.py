"""A sink that keeps the band as the synth's wire would carry it: note-ons, note-offs, controls, the panic.

It stands where the live synth (`FluidLiveSink`) stands and keeps its contract, with no sound card: a note's
on goes out when the note is sent, its off waits in a queue until a `flush` commits it `OFF_WINDOW` before
it is due (a string struck again ends the previous note 2 ms before), and `close` is the panic: whatever was
still to come is dropped and every channel gets all-notes-off. Tests and the soak read what was sent:
`stuck()` counts the notes that would sound on after the end, `late` the notes sent after their time.

>>> from engine.clock import VirtualClock
>>> from engine.events import Note
>>> clock = VirtualClock()
>>> wire = WireSink(clock)
>>> wire.send(Note(0.5, 1.0, 0, 62, 90, "dombra"))
>>> wire.stuck()      # sent, its off not yet committed and no panic: it would ring on
1
>>> wire.flush(1.5); wire.stuck()
0
"""

from __future__ import annotations

import heapq
from collections import Counter

from engine.events import Control, Event, Note, Program
from engine.midi import CC_ALL_NOTES_OFF, NOTE_OFF, NOTE_ON, PROGRAM
from engine.midi import CONTROL as CC

OFF_WINDOW = 0.05    # s: note-offs are committed this long before they are due (as FluidLiveSink does)
RESTRIKE = 0.002     # s: a string struck again ends its previous note this long before the new one


class WireSink:
    """A `Sink` sending the band down a recorded wire; see the module docstring.

    `clock` gives engine time (s) at sending, against which lateness is counted. Takes `FluidLiveSink`'s
    place in a live session (`WireSink(clock, soundfont, audio)` is accepted, the last two ignored).
    `keep`: keep every event sent (`sent`) and every message (`messages`: (time heard s, bytes) in the order
    sent); without it (a three-hour soak) only the notes sounding are tracked, in flat memory.
    """

    def __init__(self, clock, *_synth_args, keep: bool = True) -> None:
        self.clock = clock
        self.keep = keep
        self.messages: list[tuple[float, list[int]]] = []
        self.sent: list[Event] = []
        self.muted: set[int] = set()         # FluidLiveSink's: channels whose voice failed (none here)
        self.notes = 0
        self.late = 0                        # notes sent after their time had passed
        self.after_close = 0                 # events sent after close (ignored, as the synth ignores them)
        self.closed_at: float | None = None  # clock time (s) of close
        self.faded_at: float | None = None   # clock time (s) of the fade before it (FluidLiveSink.fade_out)
        self._offs: list[tuple[float, int, int, int]] = []            # heap: (time, order, channel, pitch)
        self._open: dict[tuple[int, int], float] = {}                 # (channel, pitch) -> its pending off
        self._wire: list[tuple[float, int, list[int]]] = []           # heap: messages committed, not yet heard
        self._sounding: Counter[tuple[int, int]] = Counter()          # notes heard and not yet ended
        self._order = 0

    def send(self, event: Event) -> None:
        """Take one event (engine seconds); notes, controls and programs go on the wire, the rest is kept."""
        if self.closed_at is not None:
            self.after_close += 1
            return
        if self.keep:
            self.sent.append(event)
        if isinstance(event, Note):
            self._note(event)
        elif isinstance(event, Control):
            self._put(event.time, [CC | event.channel, event.control, event.value])
        elif isinstance(event, Program):
            self._put(event.time, [PROGRAM | event.channel, event.program])

    def _put(self, t: float, message: list[int]) -> None:
        self._order += 1
        heapq.heappush(self._wire, (t, self._order, message))
        if self.keep:
            self.messages.append((t, message))

    def _note(self, n: Note) -> None:
        key = (n.channel, n.pitch)
        if self._open.get(key, -1.0) > n.time:
            self._push_off(max(n.time - RESTRIKE, 0.0), *key)
        self.late += n.time < self.clock.now() - 1e-9
        self._put(n.time, [NOTE_ON | n.channel, n.pitch, n.velocity])
        self.notes += 1
        self._push_off(n.time + n.duration, *key)

    def _push_off(self, t: float, channel: int, pitch: int) -> None:
        self._order += 1
        heapq.heappush(self._offs, (t, self._order, channel, pitch))
        self._open[(channel, pitch)] = t

    def flush(self, now: float) -> None:
        """Commit the note-offs due by `now` + OFF_WINDOW (s), and play what is due by `now`; the engine loop
        calls this every tick."""
        while self._offs and self._offs[0][0] <= now + OFF_WINDOW:
            t, _, channel, pitch = heapq.heappop(self._offs)
            if self._open.get((channel, pitch)) == t:
                del self._open[(channel, pitch)]
            self._put(t, [NOTE_OFF | channel, pitch, 0])
        while self._wire and self._wire[0][0] <= now:
            _hear(self._sounding, heapq.heappop(self._wire)[2])

    def fade_out(self, seconds: float = 0.0) -> None:
        """FluidLiveSink's fade before a stop's close: a wire carries no gain, so only the clock time (s) of the
        first fade is kept (`faded_at`); `seconds` is ignored."""
        if self.faded_at is None and self.closed_at is None:
            self.faded_at = self.clock.now()

    def close(self) -> None:
        """The panic: what is due now is heard, the queued offs and everything later dropped, all-notes-off
        on all 16 channels."""
        if self.closed_at is not None:
            return
        now = self.clock.now()
        self.closed_at = now
        while self._wire and self._wire[0][0] <= now:
            _hear(self._sounding, heapq.heappop(self._wire)[2])
        self._offs.clear()
        self._open.clear()
        self._wire.clear()
        self.messages = [(t, m) for t, m in self.messages if t <= now]
        for ch in range(16):
            self._put(now, [CC | ch, CC_ALL_NOTES_OFF, 0])
        self.flush(now)

    def sounding(self) -> int:
        """Notes sounding at the last flush (heard, not yet ended)."""
        return sum(self._sounding.values())

    def stuck(self) -> int:
        """Notes left sounding once everything on the wire has been heard: per channel and pitch, note-ons not
        followed by a note-off or an all-notes-off on their channel (no flush or close commits more)."""
        sounding = Counter(self._sounding)
        for _, _, message in sorted(self._wire):
            _hear(sounding, message)
        return sum(sounding.values())

    def describe(self) -> str:
        """One line for people, as the synth's."""
        return "wire recorder (no sound)"


def _hear(sounding: Counter, m: list[int]) -> None:
    """Apply one message to the count of notes sounding per (channel, pitch)."""
    kind, ch = m[0] & 0xF0, m[0] & 0x0F
    if kind == NOTE_ON and m[2] > 0:
        sounding[(ch, m[1])] += 1
    elif kind in (NOTE_ON, NOTE_OFF) and sounding[(ch, m[1])] > 0:
        sounding[(ch, m[1])] -= 1
    elif kind == CC and m[1] == CC_ALL_NOTES_OFF:
        for key in [k for k in sounding if k[0] == ch]:
            del sounding[key]
