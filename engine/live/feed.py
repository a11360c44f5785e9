"""The live session's `Source`: MIDI bytes and requests from other threads, turned into timed engine inputs.

The MIDI backend's callback thread only stamps the bytes and queues them (DESIGN habit 7); other threads
(the port watchdog, the session's start) queue requests the same way. On the engine thread, `pull` waits on
the queue until the tick is due and turns what came into engine inputs: bytes are decoded
(engine/io/midi_bytes.py), footswitch and program-change messages become cues through the footswitch map
(engine/live/controls.py), and a count-in request becomes a `CountIn`. Garbage is counted, never fatal.
With a count-in planned (`--count-in`), a start pressed while the band is out and the guitar silent (after an
ending or a stop: `band_waits`) brings the count-in again, the band coming in after its clicks, as at the
session's start: a player practising gets the clicks at every restart, not once. A start pressed while a
count-in's clicks are still to come (a second press of the pedal, or a press during the session's own count-in)
lets the count go on: no new clicks, the band comes in after the clicks under way (two counts laid over each
other clicked both and moved the band's first downbeat to the press).

The same object replays a recorded session under a `VirtualClock` (the queue filled beforehand), which is how
the tests show that live and offline give the same band.
"""

from __future__ import annotations

import queue
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.arrange.patterns import Style
from engine.arrange.styles import list_styles, load_style
from engine.clock import Clock
from engine.events import InputMessage
from engine.inputs import ClockInput, CountIn, Cue, CueInput, TimedInput
from engine.io.midi_bytes import Garbage, decode
from engine.live.controls import Controls, FootswitchMap
from engine.midi import CONTINUE, NOTE_OFF, NOTE_ON, START, STOP

COUNT_IN = "count_in"        # a request: play the count-in now
# A request: the input's connection broke (a pulled cable, a JACK server gone, a connection removed in a
# patchbay). The note-offs of the guitar notes sounding then are lost with it, and a note never ended rings on
# in the listener: review30, the D dorian example's cable pulled for 8 s at 13.3 s, the G2 and D3 held at the
# pull weighed on for good and the band came back in G mixolydian (main too; the take with those note-offs
# kept, offline: D dorian). So each of them is ended where the break was seen.
INPUT_GAP = "input_gap"
COUNT_IN_LEAD = 0.3          # s between the request and the first click
CLOCK_ACTIONS = {START: Cue.START, CONTINUE: Cue.START, STOP: Cue.STOP}
RATE_WINDOW = 2.0            # s over which the status view's notes per second are counted


@dataclass
class FeedCounters:
    """What came in: MIDI messages, malformed ones dropped, footswitch and program messages acted on; and the
    note-offs the feed added at a broken input (`ended`: in the take too, so its render hears what live did)."""

    messages: int = 0
    garbage: int = 0
    controls: int = 0
    ended: int = 0


@dataclass(frozen=True)
class CountInPlan:
    """A count-in of `bars` bars of `beats_per_bar` clicks at `bpm`, played when the session starts and at a
    start pressed while the band waits."""

    bars: int
    bpm: float
    beats_per_bar: int = 4


class LiveFeed:
    """Collects what arrives; `pull(clock, due)` hands it to the engine as timed inputs.

    `footswitch`: the map turning switches into cues; `clock_in`: follow MIDI clock from the input;
    `pattern_dirs`: where program changes find their styles; `on_event(kind, data)`: what to tell the player.
    The styles program changes may select are read and checked when the feed is made, never on stage:
    raises StyleNotFound or PatternError (file:line:col) for a missing or broken one.
    """

    def __init__(self, footswitch: FootswitchMap | None = None, clock_in: bool = False,
                 pattern_dirs: list[Path] | None = None, count_in: CountInPlan | None = None,
                 on_event: Callable[[str, dict], None] | None = None):
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.counters = FeedCounters()
        self.clock_in = clock_in
        self.pattern_dirs = pattern_dirs
        self.count_in = count_in
        self.on_event = on_event or (lambda kind, data: None)
        self.footswitch = footswitch or FootswitchMap()
        self._styles = self._program_styles()
        self.controls = Controls(self.footswitch, self._act)
        self.arrivals: list[float] = []                       # stamps of the guitar messages pulled this tick
        self.log: list[TimedInput] | None = None              # a list: every input handed on is kept here
        self.on_inputs: Callable[[list[TimedInput]], None] | None = None   # also told every input (the take)
        # True when a start would bring the band in with no guitar (band out, guitar silent): the session's
        # engine tells it, read on the engine thread; never, by default (a start is only a start)
        self.band_waits: Callable[[], bool] = lambda: False
        self._notes: deque[float] = deque()                   # stamps of recent note-ons
        self._sounding: set[tuple[int, int]] = set()          # (status, note) of the guitar's notes not yet ended
        self._held: tuple | None = None                       # a queued item not yet due (replays)
        self._due = 0.0                                       # s: the time the tick being pulled reads up to
        self._counted_until = -1.0                            # s: the first downbeat after the last count-in
        self._out: list[TimedInput] = []

    # -- from any thread ---------------------------------------------------------------------------------
    def put(self, data: list[int], stamp: float) -> None:
        """MIDI bytes that arrived at `stamp` (s, the session's clock): the input port's callback."""
        self.queue.put((data, stamp))

    def post(self, request: str, stamp: float) -> None:
        """A request from another thread at `stamp` (s): a cue name, or COUNT_IN."""
        self.queue.put(((request,), stamp))

    # -- on the engine thread ----------------------------------------------------------------------------
    def pull(self, clock: Clock, due: float) -> list[TimedInput]:
        """Everything that arrived by `due` (s) as engine inputs; waits for the clock to reach `due`
        (a virtual clock is moved there)."""
        self._out = []
        self._due = due
        self.arrivals.clear()
        while True:
            item = self._next(clock, due)
            if item is None:
                break
            data, stamp = item
            if isinstance(data, tuple):
                self._request(data[0], stamp)
            else:
                self._message(data, stamp)
        clock.sleep_until(due)
        # Holds and double-tap windows that ran out by `due`, the time up to which messages were read: at the
        # clock's now, after a stall of the engine thread, a second tap stamped between `due` and now (still
        # queued) found its first tap's window closed, and a double tap became two fills.
        self.controls.tick(due)
        if self.log is not None:
            self.log.extend(self._out)
        if self.on_inputs is not None and self._out:
            self.on_inputs(self._out)
        return self._out

    def _next(self, clock: Clock, due: float):
        """The next queued item stamped by `due`, waiting for it on a real clock; None when there is none."""
        if self._held is None:
            wait = due - clock.now() if clock.realtime else 0.0
            try:
                self._held = self.queue.get(timeout=wait) if wait > 0 else self.queue.get_nowait()
            except queue.Empty:
                return None
        if self._held[1] > due:
            return None                      # stamped after this tick: it waits for the next
        item, self._held = self._held, None
        return item

    def _message(self, data: list[int], stamp: float) -> None:
        self.counters.messages += 1
        try:
            item = decode(data, stamp, self.clock_in)
        except Garbage:
            self.counters.garbage += 1       # a malformed message: counted, never fatal
            return
        if item is None:
            return
        if isinstance(item, ClockInput):
            action = CLOCK_ACTIONS.get(item.status)
            if action is not None:              # the master's start, continue or stop, told as the cue it is
                self.on_event("control", {"action": action, "value": None})
            self._out.append(item)
            return
        if self.controls.feed(item):
            self.counters.controls += 1
            return
        if item.kind == NOTE_ON and item.data2 > 0:
            self._notes.append(stamp)
        self._track(item)
        self.arrivals.append(stamp)
        self._out.append(item)

    def _track(self, item) -> None:
        """Keep which guitar notes sound (a note-on not yet ended by a note-off or a note-on of velocity 0)."""
        if not isinstance(item, InputMessage) or item.kind not in (NOTE_ON, NOTE_OFF):
            return
        key = (NOTE_OFF | item.channel, item.data1)
        if item.kind == NOTE_ON and item.data2 > 0:
            self._sounding.add(key)
        else:
            self._sounding.discard(key)

    def _end_sounding(self, stamp: float) -> None:
        """The input's connection broke at `stamp` (s): a note-off for every guitar note still sounding."""
        for status, note in sorted(self._sounding):
            self._out.append(InputMessage(stamp, status, note, 0))
            self.counters.ended += 1
        self._sounding.clear()

    def _request(self, request: str, stamp: float) -> None:
        if request == COUNT_IN:
            self._count_in(stamp)
        elif request == INPUT_GAP:
            self._end_sounding(stamp)
        else:
            self._act(request, stamp)

    def _act(self, action: str, t: float, value: int | tuple[str, float] | None = None) -> None:
        """A footswitch action (or a posted cue) at t seconds; `value` is a program change's number, or a
        level action's (part, step in dB)."""
        self.on_event("control", {"action": action, "value": value})
        if action == Cue.LEVEL:
            self._out.append(CueInput(t, Cue.LEVEL, level=value))
            return
        if action != Cue.STYLE:
            starts = action in (Cue.START, Cue.START_STOP) and self.count_in is not None and self.band_waits()
            if starts and max(t, self._due) < self._counted_until:
                self.on_event("count-in", {"goes_on": True, "first_beat_after": round(self._counted_until, 3)})
                return                   # counting already: the count goes on, the band comes in after it
            self._out.append(CueInput(t, Cue(action)))
            if starts:
                self._count_in(t)        # after the start: its clicks' end, not the start's lead, is the downbeat
            return
        if value is None or not self._styles:
            return
        self._out.append(CueInput(t, Cue.STYLE, self._styles[value % len(self._styles)]))

    def _program_styles(self) -> list[Style]:
        """The styles by program number (the map's list, else every style by name), loaded now; [] when the
        map takes no program changes. Raises StyleNotFound or PatternError."""
        if not self.footswitch.program_change:
            return []
        names = list(self.footswitch.program_styles) or sorted(list_styles(self.pattern_dirs))
        return [load_style(n, self.pattern_dirs) for n in names]

    def _count_in(self, stamp: float) -> None:
        """The count-in's clicks, the first COUNT_IN_LEAD s after `stamp` (s), or after the tick being pulled when
        it is taken late (a stalled engine thread): no clicks in the past."""
        plan = self.count_in
        if plan is None:
            return
        count = CountIn.of_bars(plan.bars, plan.bpm, plan.beats_per_bar, start=max(stamp, self._due) + COUNT_IN_LEAD)
        self._out.append(count)
        self._counted_until = count.downbeat
        self.on_event("count-in", {"bars": plan.bars, "bpm": plan.bpm,
                                   "first_beat_after": round(self._counted_until, 3)})

    def notes_per_second(self, now: float) -> float:
        """Guitar note-ons per second over the last RATE_WINDOW seconds (for the status view)."""
        while self._notes and now - self._notes[0] > RATE_WINDOW:
            self._notes.popleft()
        return round(len(self._notes) / RATE_WINDOW, 1)

