"""MIDI clock in: follow a master's clock, start, stop, continue and song position (24 clocks per quarter
note, so 24 per beat, or 36 when the beat is a dotted quarter as in 6/8).

`ClockFollower` counts clocks from a start (0xFA), or a continue (0xFB) from where the master stopped or
its song position pointer (0xF2) says. At the first clock of every beat (24 or 36 clocks: the guitar's meter
says which) it reports the beat: its time and period from a straight line fitted (least squares) through the
recent clocks, and its number since the song's top. A line, not the median gap: a JACK client stamps every
clock of an audio period alike (256 frames at 48 kHz: 5.3 ms), so at 120 BPM the gaps are 4 periods or 3,
the median gap is 4 and reads 117.2; the line through 49 clocks reads 120 within 0.1 %. The line is fitted
to the clocks near a robust first one, so a clock delayed on the way by a busy machine or a USB interface
moves nothing.
At the start itself it reports the coming beat at once when the tempo is known (many masters send clock
while stopped). The listener hands each to the beat tracker, which then follows the master alone (tempo,
phase, and the bar when a start or song position said where it begins) while the clock keeps coming. A
pause in the clock (no stop) forgets the clocks before it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.midi import CLOCK_PPQ as PPQ

CLOCK_GAP = 0.1      # s: a longer gap between clocks is a pause (24 clocks a beat: 0.1 s is 25 BPM)
MIN_CLOCKS = 12      # clocks (half a beat) before a tempo is read from them
MIN_BPM, MAX_BPM = 20.0, 400.0
OUTLIER_FLOOR = 0.001  # s: a clock this far off the line is never dropped as late (robust spread below it)
OUTLIER_SPREADS = 4.0  # a clock more than this many robust spreads (1.4826 x median absolute residual) off is late


def fit_clocks(stamps: list[float]) -> tuple[float, float]:
    """A straight line through clock stamps (seconds) taken one clock apart: (seconds per clock, the line's
    time at the last clock). Least squares through the clocks near a robust first line: a delayed clock is
    left out, the spread of the rest (e.g. stamping per JACK period) is kept. Needs two stamps or more;
    raises ValueError with fewer.

    >>> step, last = fit_clocks([0.0, 0.02, 0.04, 0.06, 0.08, 0.10 + 0.015])   # the last one delayed 15 ms
    >>> round(step * 1000, 3), round(last, 4)
    (20.0, 0.1)
    """
    if len(stamps) < 2:
        raise ValueError(f"fit_clocks needs at least 2 stamps, got {len(stamps)}")
    y = np.asarray(stamps, dtype=float)
    x = np.arange(len(y), dtype=float)
    # A first line no late clock can pull (Theil-Sen: the median slope over all pairs), then least squares
    # through the clocks near it.
    i, j = np.triu_indices(len(y), k=1)
    slope = float(np.median((y[j] - y[i]) / (j - i)))
    residual = y - slope * x
    residual -= np.median(residual)
    spread = 1.4826 * np.median(np.abs(residual))
    keep = np.abs(residual) <= max(OUTLIER_SPREADS * spread, OUTLIER_FLOOR)
    slope, intercept = np.polyfit(x[keep], y[keep], 1)
    return float(slope), float(intercept + slope * x[-1])


@dataclass(frozen=True)
class MasterBeat:
    """A beat of the MIDI clock master, as `ClockFollower` reports it: when it falls and how long it lasts
    (seconds), and its number since the song's top."""

    time: float            # s: when the beat falls
    period: float          # s per beat
    number: int | None     # beats since the song's top (0: its first downbeat); None: not known


class ClockFollower:
    """Follows a MIDI clock master (MIDI 1.0 system real-time messages: clock 0xF8, start 0xFA, continue 0xFB,
    stop 0xFC; the song position pointer 0xF2) and reports its beats as `MasterBeat`s; times in seconds.
    `running`: whether clocks advance the count; `started`: whether a start or song position said where the
    song's top is; `count`: clocks since the song's top."""

    def __init__(self) -> None:
        self.running = True       # a master that never sent start still drives the beat ...
        self.started = False      # ... but only a start or a song position says where its bars begin
        self.count = 0            # clocks since the song's top
        self._stamps: list[float] = []    # the last 2 * PPQ + 1 clocks, running or not, with no pause

    def start(self, t: float, restart: bool, fallback_period: float | None = None,
              per_beat: int = PPQ) -> MasterBeat | None:
        """Start (restart) or continue at t: the master's next beat, when a tempo is known from its clocks
        (or `fallback_period`, the tempo we had). `per_beat`: clocks per beat (36 when the beat is a dotted
        quarter)."""
        self.running = True
        if restart:
            self.count = 0
            self.started = True
        step = self.step()
        period = step * per_beat if step else fallback_period
        if not period:
            return None
        ahead = -self.count % per_beat             # clocks to the next beat
        number = -(-self.count // per_beat) if self.started else None
        return MasterBeat(t + ahead * period / per_beat, period, number)

    def stop(self) -> None:
        """Stop (0xFC): later clocks still time the tempo but advance no count and report no beat, until a start
        or continue."""
        self.running = False

    def position(self, sixteenths: int) -> None:
        """Song position pointer: the next continue starts this many 16ths (6 clocks each) into the song."""
        self.count = 6 * sixteenths
        self.started = True

    def step(self) -> float | None:
        """Seconds per clock from the line through the recent clocks; None until there are enough, or when absurd."""
        fit = self._fit()
        return fit[0] if fit else None

    def _fit(self) -> tuple[float, float] | None:
        """(seconds per clock, the line's time at the last clock), or None (too few clocks, an absurd tempo)."""
        s = self._stamps
        if len(s) < MIN_CLOCKS:
            return None
        step, last = fit_clocks(s)
        if not 60.0 / (MAX_BPM * PPQ) <= step <= 60.0 / (MIN_BPM * PPQ):
            return None
        return step, last

    def clock(self, t: float, per_beat: int = PPQ) -> MasterBeat | None:
        """One clock at t: the beat when it is the first of a beat of `per_beat` clocks (and the tempo is
        known), else None."""
        s = self._stamps
        if s and not 0.0 <= t - s[-1] <= CLOCK_GAP:
            s.clear()                     # a pause (or a stamp out of order): start counting time afresh
        s.append(t)
        if len(s) > 2 * PPQ + 1:
            del s[0]
        if not self.running:
            return None
        n = self.count
        self.count += 1
        if n % per_beat:
            return None
        fit = self._fit()
        if fit is None:
            return None
        step, at = fit            # the beat is where the line puts this clock, late or not
        return MasterBeat(at, step * per_beat, n // per_beat if self.started else None)
