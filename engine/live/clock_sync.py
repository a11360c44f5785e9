"""MIDI clock: follow one coming in, send one going out (24 clocks per quarter-note beat).

Out: the band's beats arrive as `Beat` events a look-ahead early. The 24 clocks of a beat are planned at
the current period and each is handed to the sender only CLOCK_COMMIT before it is due; when the next
beat's time is known, the clocks of the current beat not yet committed are spread evenly up to it, so a
DAW following us always counts exactly 24 per beat and lands on our beats. Start (0xFA) goes out with
the band's first beat, stop (0xFC) when the band stops.

In: `ClockFollower` counts clocks from a start (0xFA), or a continue (0xFB) from where the master stopped or
its song position pointer (0xF2) says. At every 24th it reports the beat:
its time and period fitted to the last two beats' clocks (medians, so a clock delayed on the way by a busy
machine or a USB interface moves nothing), and its number since the start. The session hands that to the
beat tracker, which then follows the master alone (tempo, phase and downbeat) while the clock keeps coming.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from engine.events import Beat, Event, Marker

CLOCK, START, CONTINUE, STOP = 0xF8, 0xFA, 0xFB, 0xFC
PPQ = 24
CLOCK_COMMIT = 0.03   # s: a clock is committed to the sender this long before it is due


@dataclass(frozen=True)
class MasterBeat:
    time: float       # s: when the beat falls
    period: float     # s per beat
    number: int       # beats since the master's start (0: its first downbeat)


class ClockFollower:
    def __init__(self) -> None:
        self.running = True       # a master that never sent start still drives us
        self.count = 0
        self._times: list[float] = []     # the last 2 * PPQ + 1 clocks since the start ...
        self._counts: list[int] = []      # ... and their numbers

    def start(self, t: float, restart: bool) -> None:
        self.running = True
        self._times.clear()
        self._counts.clear()
        if restart:
            self.count = 0

    def stop(self) -> None:
        self.running = False

    def position(self, sixteenths: int) -> None:
        """Song position pointer: the next continue starts this many 16ths (6 clocks each) into the song."""
        self.count = 6 * sixteenths
        self._times.clear()
        self._counts.clear()

    def clock(self, t: float) -> MasterBeat | None:
        """One clock at t: the beat when it is the first of a beat (and two clocks are known), else None."""
        if not self.running:
            return None
        n = self.count
        self.count += 1
        self._times.append(t)
        self._counts.append(n)
        if len(self._times) > 2 * PPQ + 1:
            del self._times[0], self._counts[0]
        if n % PPQ or len(self._times) < 2:
            return None
        times, counts = self._times, self._counts
        step = _median([(b - a) / (j - i) for a, b, i, j in zip(times, times[1:], counts, counts[1:])])
        # Every clock of the last beat says where this beat is; a few late ones do not move the median.
        at = _median([ti + (n - ni) * step for ti, ni in zip(times[-PPQ - 1:], counts[-PPQ - 1:])])
        return MasterBeat(at, step * PPQ, n // PPQ)


def _median(values: list[float]) -> float:
    s = sorted(values)
    m = len(s) // 2
    return s[m] if len(s) % 2 else 0.5 * (s[m - 1] + s[m])


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
