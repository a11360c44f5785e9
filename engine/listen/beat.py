"""Causal tempo and beat tracking from guitar onsets.

1. Tempo (`engine.listen.tempo`): the autocorrelation of the onsets, a comb and a log-normal prior pick the
   beat period; re-estimated every strum until confident, then every `tempo_every` seconds. The level sticks
   unless a rival level keeps leading: octave errors are the dominant failure of beat trackers. When the level
   changes, the meter and bar counts start again. Hints: `tap()` (tap tempo, count-in), `hold_tempo` (the
   lock switch), and a tempo range.
2. Phase (`engine.listen.phase`): a circular mean and a weighted line or parabola through the on-beat onsets
   fit the grid and the tempo now, so drift, accelerando and ritardando are followed. Each update takes
   `follow` (0.8) of the new fit.
3. Sudden tempo changes (`engine.listen.tempo_change`): when the grid explains less than `switch_below` of
   the recent onsets, the last `switch_window` seconds alone are searched for a tempo at the same level; if it
   explains them clearly better, it is adopted at once and the older onsets are forgotten.
4. Meter and downbeat: bass onsets on beats and chord changes (`accent`) are counted by beat number mod 2,
   3 and 4 (decaying); three beats to the bar when the mod-3 counts are clearly more peaked than the mod-4
   ones (3/4), else four (4/4), and two dotted-quarter beats in compound time (6/8). The downbeat is the
   phase (beat number mod the bar) with the most accents.
5. A continuous beat count: the tracker's grid is re-anchored so beat numbers never jump backwards, and a
   small correction is blended in rather than snapped, so the band glides with the player.

Positions are beats (float): `beat_at(t)` and `seconds_at(position)` convert with the current estimate.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from engine.listen.phase import fit_grid
from engine.listen.tempo import FPS, TapTempo, TempoEstimator
from engine.listen.tempo_change import sudden_change

__all__ = ["FPS", "BeatTracker"]


class _Part:
    """A `BeatTracker` setting that lives on one of its parts: reading and setting it go through."""

    def __init__(self, part: str) -> None:
        self.part = part

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, tracker: BeatTracker | None, owner: type | None = None):
        return self if tracker is None else getattr(getattr(tracker, self.part), self.name)

    def __set__(self, tracker: BeatTracker, value) -> None:
        setattr(getattr(tracker, self.part), self.name, value)


class BeatTracker:
    # Settings of the tempo estimate, set and read here as before (after changing bpm_prior or prior_octaves,
    # call `_rebuild_prior`).
    bpm_prior = _Part("_tempo")
    prior_octaves = _Part("_tempo")
    window = _Part("_tempo")
    comb2 = _Part("_tempo")
    comb_bar = _Part("_tempo")
    rival_needed = _Part("_tempo")
    early_span = _Part("_tempo")
    early_bonus = _Part("_tempo")

    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0, recency: float = 2.0):
        self._tempo = TempoEstimator(bpm_prior, prior_octaves, min_bpm, max_bpm, window)
        self.recency = recency
        self.tempo_every = 2.0      # s between tempo re-estimates (the phase follows every strum)
        self._tempo_at = -1.0
        self._acf_period: float | None = None
        self.phase_bass = 2.5       # a bass onset's weight is multiplied by this when placing the beat
        self.switch_window = 3.0    # s of recent onsets that may overrule the tempo at once (sudden change)
        self.switch_below = 0.7     # ... tried when the grid explains less than this of the recent onsets
        self.meter_margin = 1.3     # how much more peaked accents every third beat must be for 3/4
        self.follow = 0.8           # share of a new fit's phase and period taken at each update
        self.slope_range = 0.15     # the fitted line may change the period by this share at most
        self.curve = 0.05           # > 0: fit a parabola; its tempo now may differ from the line's by this share

        self._t: deque[float] = deque()
        self._w: deque[float] = deque()
        self._bass: deque[bool] = deque()
        self._pending = False
        self.period: float | None = None        # seconds per beat
        self.anchor_beat = 0                   # a beat number ...
        self.anchor_time = 0.0                  # ... and its time
        self.confidence = 0.0
        self.hold_tempo = False                 # the lock switch: keep the tempo, follow only the phase
        self._taps = TapTempo()
        self.led_by_master = False              # a MIDI clock master sets the grid ...
        self._master_until = -math.inf          # ... until then (two beats after its last beat)
        self._master_origin: int | None = None  # ... and this beat number was its first downbeat
        self.usual_gap = 0.0                    # seconds: 90th percentile of recent gaps between onsets
        self._disagree = 0
        self._classified = 0                    # onsets already counted for the meter and bar
        self._duple = 0.0
        self._triple = 0.0
        self._bars = {2: [0.0, 0.0], 3: [0.0, 0.0, 0.0], 4: [0.0, 0.0, 0.0, 0.0]}  # accents by beat number mod 2, 3, 4
        self._triple_meter = False
        self._level: float | None = None        # the beat period the meter and bar counts refer to

    def _rebuild_prior(self) -> None:
        """The log-normal tempo prior over lags (call again after changing bpm_prior or prior_octaves)."""
        self._tempo.rebuild_prior()

    # ---- input -------------------------------------------------------------------------------------
    def onset(self, t: float, weight: float, new: bool, bass: bool) -> None:
        """A note started at t. `new` is False when it belongs to the strum started by the last onset."""
        if new or not self._t:
            self._t.append(t)
            self._w.append(weight)
            self._bass.append(bass)
        else:
            self._w[-1] += weight
            if bass:
                self._bass[-1] = True
        self._pending = True

    # ---- estimation ----------------------------------------------------------------------------------
    def update(self, now: float) -> bool:
        """Re-estimate with onsets up to now. Returns True when anything changed."""
        if not self._pending:
            return False
        self._pending = False
        while self._t and self._t[0] < now - self.window:
            self._t.popleft()
            self._w.popleft()
            self._bass.popleft()
            self._classified = max(0, self._classified - 1)
        if len(self._t) < 8 or self._t[-1] - self._t[0] < 2.5:
            return False
        # A few dozen onsets: plain lists for the per-strum work, numpy only for the tempo's autocorrelation.
        ts, ws = list(self._t), list(self._w)
        gaps = sorted(b - a for a, b in zip(ts, ts[1:]))
        self.usual_gap = gaps[int(0.9 * (len(gaps) - 1))]
        if now < self._master_until:
            self._classify(ts, ws)          # the master sets the grid; the guitar still tells the meter
            return True
        self.led_by_master = False
        # The tempo changes slowly next to the phase: re-estimate it at most every `tempo_every` seconds.
        if self.confidence < 0.5 or now - self._tempo_at >= self.tempo_every:
            self._tempo_at = now
            self._acf_period = self._tempo.estimate(np.array(ts), np.array(ws), self.period)
        period = self._acf_period
        if self.hold_tempo and self.period is not None:
            period = self.period            # the lock switch: phase still follows, the tempo does not
        if period is None:
            return False
        pb = self.phase_bass
        pws = [wi * pb if bi else wi for wi, bi in zip(ws, self._bass)] if pb != 1.0 else ws
        grid = self._phase(ts, pws, now, period)
        if grid is None:
            return False
        if (self.switch_window and self.period is not None and not self.hold_tempo
                and grid[2] < self.switch_below):
            alt = sudden_change(self._tempo, np.array(ts), np.array(ws), np.array(pws), now, self.period,
                                window=self.switch_window, fit=self._phase)
            if alt is not None:
                self._switch(now, *alt)
                return True
        self._adopt(now, *grid)
        self._classify(ts, ws)
        return True

    def _phase(self, t, w, now: float, period: float) -> tuple[float, float, float] | None:
        """(phase (s), period (s), confidence) of the grid at about `period` that fits onsets t (s) weighted w:
        see `engine.listen.phase.fit_grid`."""
        return fit_grid(t, w, now, period, recency=self.recency, curve=self.curve, slope_range=self.slope_range)

    def _switch(self, now: float, phase: float, period: float, confidence: float) -> None:
        """Adopt a new tempo at once; the onsets before the change stop counting."""
        nxt = phase + math.ceil((now - phase) / period) * period
        self.anchor_beat = math.floor(self.beat_at(nxt)) + 1
        self.anchor_time = nxt
        self.period = period
        self.confidence = confidence
        self._acf_period, self._tempo_at = period, now
        self._disagree = self._tempo.rival_count = 0
        while self._t and self._t[0] < now - self.switch_window:
            self._t.popleft()
            self._w.popleft()
            self._bass.popleft()
            self._classified = max(0, self._classified - 1)

    def _adopt(self, now: float, phase: float, period: float, confidence: float) -> None:
        nxt = phase + math.ceil((now - phase) / period) * period  # the fit's next beat after now
        if self.period is None:
            self.period, self.anchor_beat, self.anchor_time = period, 0, nxt
            self.confidence = confidence
            return
        pos_old = self.beat_at(nxt)
        k = round(pos_old)
        d = pos_old - k
        if abs(d) < 0.3:
            self._disagree = 0
            old_time = self.seconds_at(k)
            self.anchor_beat = k
            self.anchor_time = old_time + self.follow * (nxt - old_time)
            if not self.hold_tempo:
                self.period = self.period + self.follow * (period - self.period)
        else:
            self._disagree += 1
            if self._disagree >= 3:  # the old grid is wrong: jump, never backwards
                self._disagree = 0
                self.anchor_beat = math.floor(pos_old) + 1
                self.anchor_time = nxt
                if not self.hold_tempo:
                    self.period = period
        self.confidence = 0.7 * self.confidence + 0.3 * confidence

    def tap(self, t: float) -> None:
        """A tap (tap-tempo key, footswitch, count-in click) at t seconds. From the second tap on, the
        beat is the taps' median interval and the latest tap is a beat: this overrides the estimate at once,
        and later onsets refine it as usual."""
        period = self._taps.tap(t)
        if period is None:
            return
        index = 0 if self.period is None else round(self.beat_at(t))
        self.period, self.anchor_beat, self.anchor_time = period, index, t
        self._acf_period, self._tempo_at = period, t
        self.confidence = 1.0
        self._tempo.rival_count = 0

    def follow_master(self, t: float, period: float, number: int | None) -> None:
        """A beat of a MIDI clock master: at t, `period` s long, `number` beats after the song's top (a
        downbeat; None: not known, the bar stays the guitar's). For the next two beats the grid is the
        master's alone; the onsets only count for the meter."""
        index = 0 if self.period is None else round(self.beat_at(t))
        self.period, self.anchor_beat, self.anchor_time = period, index, t
        self._acf_period, self._tempo_at = period, t
        self.confidence = 1.0
        self._tempo.rival_count = self._disagree = 0
        self._master_until = t + 2.0 * period
        self._master_origin = None if number is None else index - number
        self.led_by_master = True

    def _classify(self, t: list[float], w: list[float]) -> None:
        """Compound or simple time, and the bar's phase, from onsets not yet counted."""
        bass = self._bass
        if self._level is None or not 0.8 < self.period / self._level < 1.25:
            # Another metrical level: what was counted on the old grid says nothing about this one.
            self._level = self.period
            self._duple = self._triple = 0.0
            for acc in self._bars.values():
                acc[:] = [0.0] * len(acc)
            self._triple_meter = False
        for i in range(self._classified, len(t) - 1):  # the newest strum may still be growing
            p = self.beat_at(t[i])
            beat = math.floor(p + 0.5)
            f = p - math.floor(p)
            self._duple *= 0.97
            self._triple *= 0.97
            if abs(f - 0.5) < 0.08 or abs(f - 0.25) < 0.06 or abs(f - 0.75) < 0.06:
                self._duple += w[i]
            elif abs(f - 1 / 3) < 0.07 or abs(f - 2 / 3) < 0.07:
                self._triple += w[i]
            if abs(p - beat) < 0.12 and bass[i]:
                self._accent_beat(beat, float(w[i]))
        self._classified = max(self._classified, len(t) - 1)

    def accent(self, t: float, weight: float) -> None:
        """Evidence of a bar start at t (a chord change, say): counts towards meter and downbeat when t is on a
        beat."""
        if self.period is None:
            return
        p = self.beat_at(t)
        beat = math.floor(p + 0.5)
        if abs(p - beat) < 0.12:
            self._accent_beat(beat, weight)

    def _accent_beat(self, beat: int, weight: float) -> None:
        for n, acc in self._bars.items():
            for r in range(n):
                acc[r] *= 0.95
            acc[beat % n] += weight
        # Three beats to the bar when accents recur every third beat clearly more than every fourth (an
        # accent pattern of the wrong length smears over all its residues); switching back needs the same lead.
        p3, p4 = self._peak(3), self._peak(4)
        if self._triple_meter:
            self._triple_meter = not p4 > self.meter_margin * p3
        else:
            self._triple_meter = p3 > self.meter_margin * p4

    def _peak(self, n: int) -> float:
        acc = self._bars[n]
        total = sum(acc)
        return max(acc) * n / total if total > 0 else 1.0

    # ---- queries -----------------------------------------------------------------------------------
    @property
    def compound(self) -> bool:
        """True when the beat divides in three (6/8), False when in two, by the off-beat onsets counted."""
        return self._triple > 1.2 * self._duple

    @property
    def beats_per_bar(self) -> int:
        """2 in compound time (6/8: two dotted-quarter beats), else 3 or 4 from the accents."""
        if self.compound:
            return 2
        return 3 if self._triple_meter else 4

    @property
    def meter(self) -> str:
        """The tracked meter: 6/8, 3/4 or 4/4."""
        return {2: "6/8", 3: "3/4", 4: "4/4"}[self.beats_per_bar]

    @property
    def downbeat_phase(self) -> int:
        """Beat numbers n with n % beats_per_bar equal to this are downbeats."""
        if self.led_by_master and self._master_origin is not None:   # its start was a downbeat
            return self._master_origin % self.beats_per_bar
        acc = self._bars[self.beats_per_bar]
        return max(range(len(acc)), key=acc.__getitem__)

    @property
    def tempo_estimated_at(self) -> float:
        """When (s) the tempo was last re-estimated (the costly step of an update)."""
        return self._tempo_at

    @property
    def bpm(self) -> float | None:
        """Beats per minute of the tracked beat, None before there is one."""
        return None if self.period is None else 60.0 / self.period

    def beat_at(self, t: float) -> float:
        """The beat position (float beats) at t seconds, on the current grid (needs a period)."""
        return self.anchor_beat + (t - self.anchor_time) / self.period

    def seconds_at(self, position: float) -> float:
        """The time (s) of beat position `position` on the current grid (needs a period)."""
        return self.anchor_time + (position - self.anchor_beat) * self.period
