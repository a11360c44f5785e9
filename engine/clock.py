"""Clocks: one protocol, two implementations. Times are seconds as floats.

Live play passes a `SystemClock`; offline render and tests pass a `VirtualClock`, so the same engine code
produces exactly what a gig would have produced.

>>> c = VirtualClock(); c.advance_to(1.5); c.now()
1.5
"""

from __future__ import annotations

import math
import time
from typing import Protocol

TICK = 0.01   # seconds between engine ticks (live and offline alike)


def first_step(t: float, tick: float = TICK) -> int:
    """The number of the first step at or after t (s) on the absolute grid of `tick` s (step n at n * tick); a t
    on a step up to float rounding (1e-9 of a step) is that step."""
    return math.ceil(t / tick - 1e-9)


class Clock(Protocol):
    """Seconds since an origin, and a way to wait for a time. `realtime` says whether time passes by itself
    (a live source then waits for input on it) or only when told (a virtual clock)."""

    realtime: bool

    def now(self) -> float:
        """Seconds since the clock's origin."""
        ...

    def sleep_until(self, t: float) -> None:
        """Return at (not before) time t in this clock's seconds."""
        ...


class SystemClock:
    """Monotonic wall clock with origin at construction.

    sleep_until sleeps to ~1 ms before the deadline and busy-waits the rest: measured here, plain sleeps are
    late by up to 0.4 ms, the spin brings that to microseconds. Deadlines are absolute, so lateness never
    accumulates.
    """

    SPIN = 0.001
    realtime = True

    def __init__(self) -> None:
        self._origin = time.monotonic()

    def now(self) -> float:
        """Seconds since this clock was made."""
        return time.monotonic() - self._origin

    def sleep_until(self, t: float) -> None:
        """Return at (not before) time t, in this clock's seconds."""
        remaining = t - self.now()
        if remaining > self.SPIN:
            time.sleep(remaining - self.SPIN)
        while self.now() < t:
            pass


class VirtualClock:
    """A clock that moves only when told to. Time never goes backwards."""

    realtime = False

    def __init__(self, start: float = 0.0) -> None:
        self._t = float(start)

    def now(self) -> float:
        """The time (s) the clock was last moved to."""
        return self._t

    def advance_to(self, t: float) -> None:
        """Move the clock to t seconds. Raises ValueError when t is before now."""
        if t < self._t:
            raise ValueError(f"VirtualClock cannot go back from {self._t} s to {t} s")
        self._t = float(t)

    def sleep_until(self, t: float) -> None:
        """Move the clock to t seconds at once (never back): a virtual wait."""
        if t > self._t:
            self._t = float(t)
