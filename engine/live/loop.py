"""The engine thread's work live: the one loop (`engine.pipeline.run`) over the live feed.

After each tick the sinks that hold events back (FluidSynth's note-offs, the MIDI sender's clock) commit what
is now due, lateness is counted, and the time from each guitar message's arrival to the engine having
listened to it is measured (at most a tick plus the tick's work).
"""

from __future__ import annotations

from typing import Callable

from engine.clock import Clock
from engine.live.feed import LiveFeed
from engine.live.stats import LatencyStats
from engine.pipeline import TICK, Engine, run


class LiveLoop:
    """Drives `engine` from `feed` on `clock` until `stop(now)` says so; see `play`."""

    def __init__(self, engine: Engine, feed: LiveFeed, clock: Clock):
        self.engine, self.feed, self.clock = engine, feed, clock
        self.latency = LatencyStats()    # s from a guitar message's arrival to the end of the tick that took it
        self.tick_late = 0               # ticks that ran more than a tick late (the band still plays on time)

    def play(self, stop: Callable[[float], bool]) -> float:
        """Run until `stop(now)` is true after a tick; returns the clock's time then (s)."""
        return run(self.engine, self.feed, self.clock, stop=stop, after_tick=self._after_tick,
                   tick=self.engine.config.tick)

    def _after_tick(self, now: float, due: float) -> None:
        if now - due > TICK:
            self.tick_late += 1
        for sink in self.engine.sinks:
            flush = getattr(sink, "flush", None)
            if flush is not None:
                flush(now)
        if self.feed.arrivals:
            done = self.clock.now()
            for stamp in self.feed.arrivals:
                self.latency.add(done - stamp)
