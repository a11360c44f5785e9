"""MIDI clock: follow one coming in, send one going out (24 clocks per quarter-note beat).

Out: the band's beats arrive as `Beat` events a look-ahead early. The 24 clocks of a beat are planned at
the current period and each is handed to the sender only CLOCK_COMMIT before it is due; when the next
beat's time is known, the clocks of the current beat not yet committed are spread evenly up to it, so a
DAW following us always counts exactly 24 per beat and lands on our beats. Start (0xFA) goes out with
the band's first beat, stop (0xFC) when the band stops.

In: `ClockFollower` counts clocks from a start (0xFA) or continue (0xFB) and reports every 24th as a beat
time, which the session gives the beat tracker as a tap (the tempo and the phase follow the master).
"""

from __future__ import annotations

from typing import Callable

from engine.events import Beat, Event, Marker

CLOCK, START, CONTINUE, STOP = 0xF8, 0xFA, 0xFB, 0xFC
PPQ = 24
CLOCK_COMMIT = 0.03   # s: a clock is committed to the sender this long before it is due


class ClockFollower:
    def __init__(self) -> None:
        self.running = True       # a master that never sent start still drives us
        self.count = 0

    def start(self, t: float, restart: bool) -> None:
        self.running = True
        if restart:
            self.count = 0

    def stop(self) -> None:
        self.running = False

    def clock(self, t: float) -> float | None:
        """One clock at t: the beat time when it is the first of a beat, else None."""
        if not self.running:
            return None
        beat = t if self.count % PPQ == 0 else None
        self.count += 1
        return beat


class ClockOutSink:
    """A `Sink` that turns the band's beats into MIDI clock on a `TimedSender`; call `flush(now)` each tick."""

    def __init__(self, sender, period: Callable[[], float | None]):
        self.sender = sender
        self.period = period
        self._pending: list[float] = []    # clock times of the current beat not yet committed
        self._last_committed = 0.0
        self._beat_time = 0.0
        self._running = False

    def send(self, event: Event) -> None:
        if isinstance(event, Beat):
            if not self._running:
                self._running = True
                self.sender.at(event.time - 0.001, [START])
            elif self._pending:
                # The next beat is known now: the rest of this beat's clocks fit evenly up to it.
                done = PPQ - len(self._pending)
                if done == 0:
                    step = (event.time - self._beat_time) / PPQ
                    self._pending = [self._beat_time + i * step for i in range(PPQ)]
                else:
                    step = (event.time - self._last_committed) / (len(self._pending) + 1)
                    self._pending = [self._last_committed + (i + 1) * step for i in range(len(self._pending))]
                self._commit(float("inf"))
            period = self.period() or 0.5
            self._beat_time = event.time
            self._pending = [event.time + k * period / PPQ for k in range(PPQ)]
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
        self._commit(now + CLOCK_COMMIT)

    def close(self) -> None:
        if self._running:
            self.sender.output.send([STOP])
            self._running = False
