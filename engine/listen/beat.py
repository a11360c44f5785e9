"""Causal tempo and beat tracking from guitar onsets.

1. Tempo: the autocorrelation of the last `window` seconds of onsets (weighted by salience; computed from
   their pairwise gaps at 100 lags per second, unbiased over their span), plus half of it at twice the lag
   and a quarter at the bar (three or four beats) — a comb favouring a level whose multiples also recur —
   times a log-normal tempo prior, picks the beat period; re-estimated every strum until confident, then
   every `tempo_every` seconds. Until the window is three-quarters full the level is chosen afresh at each
   estimate (the current one only gets a 10 % head start: a first guess from three seconds of strumming
   must not stick). After that the search stays within a third of the current period unless another level
   keeps leading (its log score lead, summed over consecutive updates, reaches `rival_needed`): octave
   errors are the dominant failure of beat trackers, and this keeps the band from flipping to double time.
   When the level changes, the meter and bar counts start again. Hints: `tap()` (tap tempo,
   count-in), `hold_tempo` (the lock switch), and a tempo range.
2. Phase (`engine.listen.phase`): a circular mean and a weighted line or parabola through the on-beat onsets
   fit the grid and the tempo now, so drift, accelerando and ritardando are followed. Each update takes
   `follow` (0.8) of the new fit.
3. Sudden tempo changes: when the grid explains less than `switch_below` of the recent onsets, the last
   `switch_window` seconds alone are searched for a tempo at the same level (up to 1.5x either way); if it
   explains them clearly better, it is adopted at once and the older onsets are forgotten (recovery in
   about two seconds instead of the long window's five or more).
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

FPS = 100


class BeatTracker:
    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0, recency: float = 2.0):
        self.bpm_prior = bpm_prior
        self.prior_octaves = prior_octaves
        self.window = window
        self.recency = recency
        self._frames = int(window * FPS)
        self.tempo_every = 2.0      # s between tempo re-estimates (the phase follows every strum)
        self._tempo_at = -1.0
        self._acf_period: float | None = None
        self._lag_lo = int(math.ceil(60.0 * FPS / max_bpm))
        self._lag_hi = min(int(60.0 * FPS / min_bpm), self._frames // 2 - 1)
        self._lag_axis = np.arange(self._frames, dtype=float)
        self.comb2 = 0.5            # weight of twice the lag in the tempo comb
        self.comb_bar = 0.25        # weight of the bar (three or four beats)
        self.phase_bass = 2.5       # a bass onset's weight is multiplied by this when placing the beat
        self.switch_window = 3.0    # s of recent onsets that may overrule the tempo at once (sudden change)
        self.switch_below = 0.7     # ... tried when the grid explains less than this of the recent onsets
        self.meter_margin = 1.3     # how much more peaked accents every third beat must be for 3/4
        self.follow = 0.8           # share of a new fit's phase and period taken at each update
        self.slope_range = 0.15     # the fitted line may change the period by this share at most
        self.curve = 0.05           # > 0: fit a parabola; its tempo now may differ from the line's by this share
        self._lags = np.arange(self._lag_lo, self._lag_hi + 1)
        self._lags2, self._lags3, self._lags4 = 2 * self._lags, 3 * self._lags, 4 * self._lags
        self._acf_len = 4 * self._lag_hi + 6
        self._acf_lag = np.arange(self._acf_len, dtype=float)
        self._pair_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._rebuild_prior()
        k = np.arange(-4, 5)
        self._kernel = np.exp(-0.5 * (k / 1.5) ** 2)

        self._t: deque[float] = deque()
        self._w: deque[float] = deque()
        self._bass: deque[bool] = deque()
        self._pending = False
        self.period: float | None = None        # seconds per beat
        self.anchor_beat = 0                   # a beat number ...
        self.anchor_time = 0.0                  # ... and its time
        self.confidence = 0.0
        self.hold_tempo = False                 # the lock switch: keep the tempo, follow only the phase
        self._taps: list[float] = []
        self.led_by_master = False              # a MIDI clock master sets the grid ...
        self._master_until = -math.inf          # ... until then (two beats after its last beat)
        self._master_origin: int | None = None  # ... and this beat number was its first downbeat
        self.usual_gap = 0.0                    # seconds: 90th percentile of recent gaps between onsets
        self._disagree = 0
        self._rival: float | None = None
        self._rival_count = 0
        self._rival_lead = 0.0
        self.rival_needed = 2.4     # summed log score lead another tempo level needs to take over
        self.early_span = 0.75      # below this fraction of the window of onsets, the level is chosen afresh
        self.early_bonus = 1.1      # ... with this head start for the current level
        self._classified = 0                    # onsets already counted for the meter and bar
        self._duple = 0.0
        self._triple = 0.0
        self._bars = {2: [0.0, 0.0], 3: [0.0, 0.0, 0.0], 4: [0.0, 0.0, 0.0, 0.0]}  # accents by beat number mod 2, 3, 4
        self._triple_meter = False
        self._level: float | None = None        # the beat period the meter and bar counts refer to

    def _rebuild_prior(self) -> None:
        """The log-normal tempo prior over lags (call again after changing bpm_prior or prior_octaves)."""
        lags = self._lag_axis
        with np.errstate(divide="ignore"):
            bpm = 60.0 * FPS / lags
        prior = np.zeros(self._frames)
        sl = slice(self._lag_lo, self._lag_hi + 1)
        prior[sl] = np.exp(-0.5 * (np.log2(bpm[sl] / self.bpm_prior) / self.prior_octaves) ** 2)
        self._prior = prior
        self._prior_at_lags = prior[self._lags]

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
            self._acf_period = self._tempo(np.array(ts), np.array(ws), now)
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
            alt = self._sudden_change(np.array(ts), np.array(ws), np.array(pws), now)
            if alt is not None:
                self._switch(now, *alt)
                return True
        self._adopt(now, *grid)
        self._classify(ts, ws)
        return True

    def _scores(self, t: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The tempo score of every candidate lag in `self._lags` (frames of 1/FPS s)."""
        # Autocorrelation of the onset train, straight from the pairwise gaps of the (few dozen, sorted)
        # onsets: cheaper than an FFT of the frame signal, the same numbers. Each gap's weight is split
        # between its two neighbouring whole lags, so no rounding biases a peak.
        n = self._acf_len
        i, j = self._pairs(len(t))
        d = (t[j] - t[i]) * FPS
        ww = w[i] * w[j]
        # Gaps beyond the longest lag counted are parked in the last bins, which are zeroed below (no comb
        # index reaches them), so no mask is needed.
        np.minimum(d, n - 2, out=d)
        base = d.astype(np.intp)
        upper = (d - base) * ww
        acf = np.bincount(np.concatenate((base, base + 1)), weights=np.concatenate((ww - upper, upper)),
                          minlength=n)[:n]
        # Unbias for the overlap of the onsets' own span at each lag (no overlap: no evidence).
        span = (t[-1] - t[0]) * FPS + 1.0
        cut = min(n - 2, math.ceil(0.6 * span))
        acf[cut:] = 0.0
        acf[:cut] *= span / np.maximum(1.0, span - self._acf_lag[:cut])
        acf = np.convolve(acf, self._kernel, mode="same")
        # A beat level's multiples recur too: twice the beat, and the bar (three or four beats).
        return (acf[self._lags] + self.comb2 * acf[self._lags2]
                + self.comb_bar * np.maximum(acf[self._lags3], acf[self._lags4])) * self._prior_at_lags

    def _pairs(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Index pairs (i < j) of `count` onsets, cached per count."""
        pairs = self._pair_cache.get(count)
        if pairs is None:
            pairs = self._pair_cache[count] = np.triu_indices(count, 1)
        return pairs

    def _refine(self, score: np.ndarray, L: int) -> float | None:
        """Seconds per beat at lag L, with parabolic interpolation for a sub-frame lag."""
        lo, hi = self._lag_lo, self._lag_hi
        if score[L - lo] <= 0:
            return None
        if lo < L < hi:
            a, b, c = score[L - lo - 1], score[L - lo], score[L - lo + 1]
            den = a - 2 * b + c
            L = L + (0.5 * (a - c) / den if den < 0 else 0.0)
        return float(L) / FPS

    def _tempo(self, t: np.ndarray, w: np.ndarray, now: float) -> float | None:
        score = self._scores(t, w)
        lo = self._lag_lo
        best = int(score.argmax())                # indices into score: lag - lo
        if self.period is not None:
            # Stay near the current level (within a third) unless a rival level wins repeatedly; while the
            # window is still filling, the current level only gets a head start of `early_bonus`.
            cur = self.period * FPS
            a = max(0, math.ceil(cur / 1.33) - lo)
            b = min(len(score), math.floor(cur * 1.33) - lo + 1)
            if a < b:
                local = a + int(score[a:b].argmax())
                inside = a <= best < b
                if t[-1] - t[0] < self.early_span * self.window:
                    if not inside and score[local] * self.early_bonus >= score[best]:
                        best = local
                elif not inside and score[local] > 0:
                    # Another level leads: its lead (log of the score ratio) adds up over consecutive updates,
                    # and it takes over once the sum reaches `rival_needed`.
                    lead = math.log(score[best] / score[local])
                    rival = lo + best
                    same = self._rival is not None and abs(rival / self._rival - 1) < 0.05
                    self._rival_lead = (self._rival_lead if same else 0.0) + lead
                    self._rival_count = self._rival_count + 1 if same else 1
                    self._rival = rival
                    if self._rival_lead < self.rival_needed:
                        best = local
                    else:
                        self._rival_lead, self._rival_count = 0.0, 0
                else:
                    self._rival_lead, self._rival_count = 0.0, 0
                    best = local
        return self._refine(score, lo + best)

    def _phase(self, t, w, now: float, period: float) -> tuple[float, float, float] | None:
        """(phase (s), period (s), confidence) of the grid at about `period` that fits onsets t (s) weighted w:
        see `engine.listen.phase.fit_grid`."""
        return fit_grid(t, w, now, period, recency=self.recency, curve=self.curve, slope_range=self.slope_range)

    def _sudden_change(self, t: np.ndarray, w: np.ndarray, pw: np.ndarray, now: float):
        """A grid from the last `switch_window` seconds alone, at the same metrical level (up to 1.5x faster or
        slower), when it explains those onsets clearly better than the current tempo can: the player changed
        tempo, and waiting for the long window to agree would cost several bars."""
        m = t >= now - self.switch_window
        if int(m.sum()) < 5:
            return None
        ts, ws, ps = t[m], w[m], pw[m]
        score = self._scores(ts, ws)
        cur = self.period * FPS
        lags = self._lags
        near = (lags >= cur / 1.5) & (lags <= cur * 1.5)
        if not near.any():
            return None
        period = self._refine(score, self._lag_lo + int(np.argmax(np.where(near, score, -np.inf))))
        if period is None or abs(period / self.period - 1) < 0.08:
            return None
        new = self._phase(ts, ps, now, period)
        old = self._phase(ts, ps, now, self.period)
        if new is None or new[2] < 0.5 or (old is not None and new[2] < old[2] + 0.25):
            return None
        return new

    def _switch(self, now: float, phase: float, period: float, confidence: float) -> None:
        """Adopt a new tempo at once; the onsets before the change stop counting."""
        nxt = phase + math.ceil((now - phase) / period) * period
        self.anchor_beat = math.floor(self.beat_at(nxt)) + 1
        self.anchor_time = nxt
        self.period = period
        self.confidence = confidence
        self._acf_period, self._tempo_at = period, now
        self._disagree = self._rival_count = 0
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
        taps = self._taps
        if taps and not 0.25 <= t - taps[-1] <= 2.0:
            taps.clear()                    # too fast or too slow to be the same count: start again
        taps.append(t)
        del taps[:-8]
        if len(taps) < 2:
            return
        gaps = sorted(b - a for a, b in zip(taps, taps[1:]))
        period = gaps[len(gaps) // 2]
        index = 0 if self.period is None else round(self.beat_at(t))
        self.period, self.anchor_beat, self.anchor_time = period, index, t
        self._acf_period, self._tempo_at = period, t
        self.confidence = 1.0
        self._rival_count = 0

    def follow_master(self, t: float, period: float, number: int | None) -> None:
        """A beat of a MIDI clock master: at t, `period` s long, `number` beats after the song's top (a
        downbeat; None: not known, the bar stays the guitar's). For the next two beats the grid is the
        master's alone; the onsets only count for the meter."""
        index = 0 if self.period is None else round(self.beat_at(t))
        self.period, self.anchor_beat, self.anchor_time = period, index, t
        self._acf_period, self._tempo_at = period, t
        self.confidence = 1.0
        self._rival_count = self._disagree = 0
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
