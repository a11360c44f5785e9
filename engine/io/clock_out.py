"""MIDI clock out: the band's beats as MIDI clock, start and stop on a MIDI output (24 clocks per quarter
note, so 24 per beat, or 36 when the beat is a dotted quarter as in 6/8).

The band's beats arrive as `Beat` events a look-ahead early; the time signature says how many eighths a
beat holds. A beat's clocks are planned at the beat's period and each is handed to the sender only
CLOCK_COMMIT before it is due; when the next beat's time is known, the clocks of the current beat not yet
committed are spread evenly up to it, so a DAW following us always counts exactly 24 per quarter and lands
on our beats. Start (0xFA) goes out with the band's first beat, stop (0xFC) when the band stops.
"""

from __future__ import annotations

from engine.events import Beat, Event, Marker, TimeSignature
from engine.midi import CLOCK, CLOCK_PPQ, START, STOP, clocks_per_beat

CLOCK_COMMIT = 0.03   # s: a clock is committed to the sender this long before it is due


class ClockOutSink:
    """A `Sink` that turns the band's beats into MIDI clock on a `TimedSender` (engine/io/midi_out.py); call
    `flush(now)` each tick (now in the sender's clock seconds)."""

    def __init__(self, sender):
        self.sender = sender
        self.per_beat = CLOCK_PPQ                # clocks per band beat, from the time signature
        self._pending: list[float] = []    # clock times of the current beat not yet committed
        self._last_committed = 0.0
        self._beat_time = 0.0
        self._beat_clocks = CLOCK_PPQ            # clocks in the current beat
        self._running = False

    def send(self, event: Event) -> None:
        """Plan the clocks of a `Beat`, follow a `TimeSignature`'s beat, stop after "band out"."""
        if isinstance(event, TimeSignature):
            self.per_beat = clocks_per_beat(event.beat_eighths)     # from the next beat on
        elif isinstance(event, Beat):
            if not self._running:
                self._running = True
                self.sender.at(event.time - 0.001, [START])
            elif self._pending:
                # The next beat is known now: the rest of this beat's clocks fit evenly up to it.
                done = self._beat_clocks - len(self._pending)
                if done == 0:
                    step = (event.time - self._beat_time) / self._beat_clocks
                    self._pending = [self._beat_time + i * step for i in range(self._beat_clocks)]
                else:
                    step = (event.time - self._last_committed) / (len(self._pending) + 1)
                    self._pending = [self._last_committed + (i + 1) * step for i in range(len(self._pending))]
                self._commit(float("inf"))
            period = event.period
            self._beat_time = event.time
            self._beat_clocks = n = self.per_beat
            self._pending = [event.time + k * period / n for k in range(n)]
        elif isinstance(event, Marker) and event.text.startswith("band out") and self._running:
            self._commit(event.time)
            self._pending = []
            self._running = False
            self.sender.at(event.time, [STOP])

    def _commit(self, limit: float) -> None:
        while self._pending and self._pending[0] <= limit:
            t = self._pending.pop(0)
            self.sender.at(t, [CLOCK])
            self._last_committed = t

    def flush(self, now: float) -> None:
        """Commit the clocks due within CLOCK_COMMIT of `now` (s) to the sender."""
        self._commit(now + CLOCK_COMMIT)

    def close(self) -> None:
        """Send stop at once when the clock is running."""
        if self._running:
            self.sender.output.send([STOP])
            self._running = False
