"""A joint online model of tempo, beat phase, meter and downbeat from guitar strums: `JointFilter`, and
`JointTracker`, a `BeatTracker` whose grid and bar come from it (`ListenerConfig.beat_model = "joint"`).

The state is a bar pointer (Whiteley, Cemgil and Godsill, "Bayesian modelling of temporal structure in musical
audio", ISMIR 2006): (meter, tempo, position in the bar). As in Krebs, Böck and Widmer ("An efficient state-space
model for joint tempo and meter tracking", ISMIR 2015; madmom's bar tracker) tempo moves only between
neighbouring tempo states with an exponential preference for small changes, and the meter is a state variable
that changes rarely, at bar boundaries. Unlike theirs (audio frames), the filter here is event-driven: it
advances from one strum to the next in one step, each tempo row shifted by the exact number of position bins
its tempo covers in the gap (linear interpolation between bins, which doubles as a little phase noise).

- Tempo is the eighth note's period, `rows` log-spaced values (`JointParams`); a beat is two eighths in 2/4,
  3/4 and 4/4, three in 6/8. So hypotheses 2:3 and 3:4 apart are simply other rows (and 3/4 against 6/8 is
  the same bar, grouped otherwise): the evidence can move the belief there, as an octave-only search cannot.
- Meters (`METERS`): 2/4, 3/4, 4/4, 6/8 and the aqsaq 5/8 (3+2) and 7/8 (2+2+3) of ../shared/DOMAIN.md.
- Positions: `bins` per eighth, so a bar of E eighths has E x bins positions at every tempo.
- Each grid point (an eighth) is a downbeat, a beat (a group start), or an off-beat eighth; between the eighths
  lies "other". A strum is weighed by the class of the position it falls on (within a timing tolerance
  `sigma` s), through a log-linear likelihood ratio of its features (`FEATURES`: loudness against the recent
  strums, a bass note low in the player's recent register, pitch classes new against the last beat or so,
  the strum's size). A grid point passed without a strum costs log(1 - q) for its class (`silence`); only
  the last `silence_span` seconds of a gap count (a rest is not evidence against a slow tempo).
- The likelihood ratios and the silence probabilities are fitted on the development takes only
  (`bench/fit_joint.py`: GuitarSet dev and the simulator's seed-1 takes; sim2-held and converter-set-b are
  kept out and reported apart).

Output: the most believed meter, its tempo (a weighted mean over the neighbouring rows) and bar position (a
circular mean around the best position). `JointTracker` turns that into the listener's beat grid (beat number
`anchor_beat` at `anchor_time`, `period` s per beat; `phase.blend` keeps the count continuous). The beat is
the quarter note in 2/4, 3/4, 4/4, the dotted quarter in 6/8, and in the aqsaq meters the eighth-note pulse:
`beats_per_bar` is then 5 or 7 and `groups` gives the bar's grouping in those pulses ((3, 2) or (2, 2, 3));
the grid's group starts are its beats. (The band's BeatGrid has no grouping yet, so it reads an aqsaq bar as
5 or 7 beats of the pulse; this model is an option, not the default.) Times are seconds throughout.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from engine.listen.beat import BeatTracker
from engine.listen.phase import GridState, blend

__all__ = ["FEATURES", "METERS", "JointFilter", "JointParams", "JointTracker", "JointView", "Meter"]


@dataclass(frozen=True)
class Meter:
    """A meter of the state space: its name, eighths to the bar, beat groups in eighths, and whether the beat
    the listener reports is the eighth pulse (aqsaq) rather than the group."""

    name: str
    eighths: int
    groups: tuple[int, ...]
    pulse: bool = False

    @property
    def starts(self) -> tuple[int, ...]:
        """The eighths (0-based) that start a group: the bar's beats."""
        return tuple(sum(self.groups[:i]) for i in range(len(self.groups)))

    @property
    def beat_eighths(self) -> int:
        """Eighths per reported beat: 1 for the aqsaq pulse, else the (equal) group size."""
        return 1 if self.pulse else self.groups[0]

    @property
    def beats_per_bar(self) -> int:
        """Reported beats to the bar."""
        return self.eighths // self.beat_eighths


METERS = (Meter("2/4", 4, (2, 2)), Meter("3/4", 6, (2, 2, 2)), Meter("4/4", 8, (2, 2, 2, 2)),
          Meter("6/8", 6, (3, 3)), Meter("5/8", 5, (3, 2), True), Meter("7/8", 7, (2, 2, 3), True))
FEATURES = ("loud", "low", "new", "moved", "size")   # a strum's features (see `strum_features`)
CLASSES = ("downbeat", "beat", "offbeat", "sixteenth", "other")


@dataclass
class JointParams:
    """The model's settings. Tempo rows: `rows` eighth periods from `min_eighth` to `max_eighth` s; `bins`
    positions per eighth; `sigma` s of timing tolerance; `tempo_rate` chance per beat that the tempo moves,
    to a row drawn by exp(-|log ratio| / `tempo_width`); `meter_change` chance per bar that the meter changes;
    `diffusion` bins^2 of phase noise per eighth; `silence` q of each grid class (downbeat, beat, off-beat):
    a point passed without a strum costs log(1 - q); `silence_span` s of a gap that count; `rest` s: a longer
    gap fades the belief towards the prior with time constant `forget` s; `octaves`: width of the log-normal
    tempo prior; `meter_prior`: log prior of each of `METERS`; `bias`, `weights`: the log-likelihood ratio of
    a strum on each class of `CLASSES` (weights in `FEATURES` order)."""

    rows: int = 48
    min_eighth: float = 0.09
    max_eighth: float = 0.75
    bins: int = 8
    sigma: float = 0.035
    tempo_rate: float = 0.05
    tempo_width: float = 0.04
    meter_change: float = 0.01
    diffusion: float = 0.02
    silence: tuple[float, float, float, float] = (0.95, 0.89, 0.55, 0.05)
    silence_span: float = 1.5
    rest: float = 2.0
    forget: float = 6.0
    octaves: float = 0.8
    meter_prior: tuple[float, ...] = (-1.0, -1.0, 0.0, -1.0, -2.5, -2.5)
    bias: tuple[float, ...] = (2.15, 1.62, 0.41, -2.76, -5.29)
    weights: tuple[tuple[float, ...], ...] = field(default_factory=lambda: (
        (1.31, 0.5, 0.53, 0.6, -0.07), (0.27, 0.46, -0.15, -0.4, 0.38), (-1.52, -1.04, -0.34, -0.13, 0.04),
        (-0.08, -0.12, -0.04, -0.08, -0.17), (0.0, 0.0, 0.0, 0.0, 0.0)))


@dataclass(frozen=True)
class JointView:
    """The filter's belief after a strum, summarised: the meter (one of `METERS`), the eighth's period `eighth`
    (s), the bar position `position` (eighths since the last downbeat) at `time` (s), the belief in that meter
    and in the beat grid (period and phase, whatever the meter) as `meter_confidence` and `confidence`."""

    meter: Meter
    eighth: float
    position: float
    time: float
    meter_confidence: float
    confidence: float


class _Space:
    """One meter's states: a (rows, positions) belief with the arrays its step and its likelihood need."""

    def __init__(self, meter: Meter, eighth: np.ndarray, p: JointParams) -> None:
        b, e_count = p.bins, meter.eighths
        self.meter, self.bins = meter, b
        self.size = e_count * b
        cols = np.arange(self.size)
        self.cols = cols
        off = cols % b
        dist = np.minimum(off, b - off)                        # bins from the nearest eighth
        dist16 = np.abs(off - b / 2)                           # ... and from the sixteenth between two
        nearest = ((cols + b // 2) // b) % e_count
        cls = np.array([0 if e == 0 else 1 if e in meter.starts else 2 for e in range(e_count)])
        sig = np.sqrt(p.sigma ** 2 + (eighth / b) ** 2 / 12)[:, None]
        on = np.exp(-0.5 * (dist[None, :] * (eighth / b)[:, None] / sig) ** 2)
        on16 = np.exp(-0.5 * (dist16[None, :] * (eighth / b)[:, None] / sig) ** 2)
        self.member = np.stack([on * (cls[nearest] == c)[None, :] for c in range(3)]
                               + [on16, np.clip(1.0 - on - on16, 0.0, 1.0)])
        # the lattice of points a strum may fall on: every eighth (its class), and the sixteenth after it
        lattice = np.ravel(np.column_stack([cls, np.full(e_count, 3)]))
        pen = np.log1p(-np.asarray(p.silence))[lattice]
        self.cum = np.concatenate([[0.0], np.cumsum(pen)])
        self.total = float(self.cum[-1])
        self.half = (cols - b / 4) / (b / 2)                   # half-eighths a point must be behind to be passed
        beat = eighth * meter.beat_eighths
        self.log_beat = np.log(beat)
        self.phase = ((cols / b) % meter.beat_eighths) / meter.beat_eighths
        self.bar = eighth * e_count

    def passed(self, n: np.ndarray) -> np.ndarray:
        """Summed silence log-probabilities of lattice points 0..n-1 (n any integers, the pattern repeating)."""
        size = 2 * self.meter.eighths
        return (n // size) * self.total + self.cum[n % size]


def _log_prior(meter: Meter, eighth: np.ndarray, p: JointParams, bpm_prior: float, lo: float, hi: float,
               meter_prior: float) -> np.ndarray:
    """Log prior over the tempo rows of `meter`: log-normal in the beat's BPM (the mean group for aqsaq) around
    `bpm_prior`, `p.octaves` wide, nothing outside lo..hi BPM."""
    beat = eighth * meter.eighths / len(meter.groups)
    bpm = 60.0 / beat
    lp = -0.5 * (np.log2(bpm / bpm_prior) / p.octaves) ** 2 + meter_prior
    return np.where((bpm >= lo) & (bpm <= hi), lp, -np.inf)


class JointFilter:
    """The forward filter over (meter, tempo, bar position): `observe(t, features)` for each strum in time
    order, `view()` for the summary. `bpm_prior` (BPM) centres the tempo prior, lo..hi BPM bound the beat."""

    def __init__(self, params: JointParams | None = None, bpm_prior: float = 100.0, lo: float = 40.0,
                 hi: float = 220.0) -> None:
        p = self.params = params or JointParams()
        self.eighth = np.geomspace(p.min_eighth, p.max_eighth, p.rows)
        self.spaces = [_Space(m, self.eighth, p) for m in METERS]
        priors = [_log_prior(m, self.eighth, p, bpm_prior, lo, hi, mp) for m, mp in zip(METERS, p.meter_prior)]
        top = max(float(np.max(lp)) for lp in priors)
        self.prior = [np.repeat(np.exp(lp - top)[:, None], s.size, axis=1) for lp, s in zip(priors, self.spaces)]
        z = sum(float(a.sum()) for a in self.prior)
        self.prior = [a / z for a in self.prior]
        self.allowed = [np.isfinite(lp)[:, None] for lp in priors]   # tempo rows inside the BPM range
        self.belief = [a.copy() for a in self.prior]
        d = np.abs(np.log(self.eighth)[:, None] - np.log(self.eighth)[None, :])
        k = np.exp(-d / p.tempo_width)
        self.tempo_kernel = k / k.sum(axis=0, keepdims=True)   # column j: where row j's mass moves
        self.time: float | None = None
        self.strums = 0

    def observe(self, t: float, features: np.ndarray) -> None:
        """A strum at t (s) with `features` (in `FEATURES` order): advance to t, weigh the strum."""
        if self.time is not None:
            self._advance(max(0.0, t - self.time))
        self.time = t if self.time is None else max(t, self.time)
        p = self.params
        ratio = np.exp(np.asarray(p.bias) + np.asarray(p.weights) @ features)
        total = 0.0
        for s, b in zip(self.spaces, self.belief):
            b *= np.tensordot(ratio, s.member, axes=1)
            total += float(b.sum())
        if not total > 0 or not math.isfinite(total):
            self.belief = [a.copy() for a in self.prior]
            return
        for b in self.belief:
            b /= total
        self.strums += 1

    def _advance(self, dt: float) -> None:
        """Move every state on by dt seconds: position by its tempo, silence costs, tempo and meter moves."""
        p = self.params
        pool = None
        for i, (s, b) in enumerate(zip(self.spaces, self.belief)):
            shift = dt / self.eighth * s.bins                  # bins moved, per row
            whole = np.floor(shift).astype(int)
            frac = (shift - whole)[:, None]
            idx = (s.cols[None, :] - whole[:, None]) % s.size
            moved = (1 - frac) * np.take_along_axis(b, idx, 1) + frac * np.take_along_axis(b, (idx - 1) % s.size, 1)
            # the grid points passed in the last silence_span seconds, each without a strum
            span = 2 * np.minimum(dt, p.silence_span) / self.eighth     # in half-eighths
            n1 = np.floor(s.half).astype(int) + 1
            n0 = np.floor(s.half[None, :] - span[:, None]).astype(int) + 1
            moved *= np.exp(s.passed(n1)[None, :] - s.passed(n0))
            # the tempo moves, more likely the more beats passed
            w = (1.0 - np.exp(-p.tempo_rate * dt / np.exp(s.log_beat)))[:, None]
            leaving = w * moved
            moved = (moved - leaving + self.tempo_kernel @ leaving) * self.allowed[i]
            a = np.minimum(0.25, 0.5 * p.diffusion * dt / self.eighth)[:, None]
            moved = (1 - 2 * a) * moved + a * (np.roll(moved, 1, 1) + np.roll(moved, -1, 1))
            # bars that started in the gap may change meter
            crossed = s.cols[None, :] < shift[:, None]
            out = moved * crossed * p.meter_change
            moved -= out
            if pool is None:
                pool = np.zeros((len(self.eighth), max(x.size for x in self.spaces)))
            pool[:, :s.size] += out
            self.belief[i] = moved
        for s, b in zip(self.spaces, self.belief):
            b += pool[:, :s.size] / len(self.spaces)
        if dt > p.rest:
            u = 1.0 - math.exp(-(dt - p.rest) / p.forget)
            z = sum(float(b.sum()) for b in self.belief) or 1.0
            self.belief = [(1 - u) * b / z + u * a for b, a in zip(self.belief, self.prior)]

    def view(self) -> JointView | None:
        """The belief summarised (see `JointView`); None before the first strum."""
        if self.time is None:
            return None
        mass = np.array([float(b.sum()) for b in self.belief])
        total = float(mass.sum())
        i = int(np.argmax(mass))
        s, b = self.spaces[i], self.belief[i]
        rows = b.sum(axis=1)
        j = int(np.argmax(rows))
        lo, hi = max(0, j - 2), min(len(rows), j + 3)
        eighth = float(np.exp(np.average(np.log(self.eighth[lo:hi]), weights=rows[lo:hi] + 1e-300)))
        cols = b[max(0, j - 1):j + 2].sum(axis=0)
        k = int(np.argmax(cols))
        near = np.arange(k - s.bins // 2, k + s.bins // 2 + 1)
        k_fine = float(np.average(near, weights=cols[near % s.size] + 1e-300))
        position = (k_fine / s.bins) % s.meter.eighths
        return JointView(s.meter, eighth, position, self.time, float(mass[i] / total),
                         self._grid_belief(s, j, position) / total)

    def _grid_belief(self, chosen: _Space, row: int, position: float) -> float:
        """The belief in states (of any meter) whose beat has the chosen beat's period (within 6 %) and phase
        (within 0.2 beats): how sure the beat grid is, whatever the bar."""
        log_beat = chosen.log_beat[row]
        be = chosen.meter.beat_eighths
        phase = (position % be) / be
        total = 0.0
        for s, b in zip(self.spaces, self.belief):
            rows = np.abs(s.log_beat - log_beat) < 0.06
            if not rows.any():
                continue
            d = np.abs(s.phase - phase)
            cols = np.minimum(d, 1 - d) < 0.2
            total += float(b[np.ix_(rows, cols)].sum())
        return total


def strum_features(peak: float, pitches: list[int], lows: list[int], loudness: float, memory: np.ndarray,
                   last_bass: int | None) -> np.ndarray:
    """A strum's features in `FEATURES` order: `loud` log of its loudest note's weight `peak` against the
    recent median `loudness` (clipped to +-1.5); `low` 1 when its lowest pitch lies in the lower half of the
    range of `lows`, the lowest pitches of the player's recent strums (within two semitones of their lowest
    when that range is under a fourth: a bass relative to the register, so a transposed take keeps its beat);
    `new` the share of its pitch classes under 0.15 of the strongest in the decaying pitch-class `memory` (12
    weights: what the last beats sounded; the threshold is the bar pointer's, engine/listen/bar_pointer.py);
    `moved` 1 when it is low and its pitch class differs from the last low strum's (`last_bass`, None: none
    yet); `size` (notes - 1) / 3, at most 1."""
    loud = 0.0 if loudness <= 0 or peak <= 0 else max(-1.5, min(1.5, math.log(peak / loudness)))
    low = False
    if pitches:
        bottom, top = min(lows, default=min(pitches)), max(lows, default=min(pitches))
        low = min(pitches) <= (bottom + (top - bottom) / 2 if top - bottom >= 5 else bottom + 2)
    pcs = {q % 12 for q in pitches}
    most = float(memory.max())
    new = sum(memory[pc] < 0.15 * most for pc in pcs) / len(pcs) if pcs and most > 0 else 0.0
    moved = float(low and last_bass is not None and min(pitches) % 12 != last_bass)
    return np.array([loud, float(low), new, moved, min(1.0, (len(pitches) - 1) / 3) if pitches else 0.0])


class _Strum:
    """A strum being gathered: time (s), summed and loudest note weight, pitches."""

    __slots__ = ("peak", "pitches", "t", "weight")

    def __init__(self, t: float, weight: float) -> None:
        self.t, self.weight, self.peak, self.pitches = t, weight, weight, []


class JointTracker(BeatTracker):
    """A `BeatTracker` whose tempo, grid, meter and downbeat come from the joint filter (`JointFilter`); taps,
    a count-in, the tempo lock and a MIDI clock master act as in `BeatTracker`. Arguments as BeatTracker's,
    plus `params` (`JointParams`; None: the fitted defaults).

    Eighth-note strums at 120 BPM, the off-beats softer, the chord and its bass changing every bar:

    >>> j = JointTracker()
    >>> for k in range(64):
    ...     t, bass = 0.25 * k, (40, 45, 43, 38)[k // 8 % 4]
    ...     for i, pitch in enumerate((bass, 52, 55) if k % 8 == 0 else (52, 55, 59)):
    ...         j.onset(t + 0.005 * i, 0.8 if k % 2 == 0 else 0.4, i == 0, pitch == bass)
    ...         j.note(t + 0.005 * i, pitch, 0.8 if k % 2 == 0 else 0.4, pitch == bass)
    ...     _ = j.update(t + 0.06)
    >>> abs(j.bpm - 120) < 4, j.meter
    (True, '4/4')
    """

    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0, params: JointParams | None = None) -> None:
        super().__init__(bpm_prior, prior_octaves, min_bpm, max_bpm, window, bar_model="accents", aqsaq=False)
        self.filter = JointFilter(params, bpm_prior, min_bpm, max_bpm)
        self._pending: list[_Strum] = []
        self._recent: deque[tuple[float, frozenset[int], int, float]] = deque()   # (t, pcs, lowest, peak)
        self._view: JointView | None = None
        self._memory = np.zeros(12)              # decaying weight of each pitch class heard
        self._memory_at: float | None = None
        self._last_bass: int | None = None       # pitch class of the last low strum's bass
        self._bar_read = (4, 0, 0.0)
        self.follow_share = 0.7     # share of the filter's phase and period taken at each strum
        self.first_strums = 6       # strums before the grid is set
        self.max_back = 1e9         # beats the count may run back at a strum (inf: no clamp)

    # ---- input -------------------------------------------------------------------------------------
    def onset(self, t: float, weight: float, new: bool, bass: bool) -> None:
        """A note started at t (s) with salience `weight`; `new` is False when it belongs to the last strum."""
        if new or not self._pending:
            self._pending.append(_Strum(t, weight))
        else:
            self._pending[-1].weight += weight
            self._pending[-1].peak = max(self._pending[-1].peak, weight)

    def note(self, t: float, pitch: int, weight: float, bass: bool) -> None:
        """A confirmed note at t (s) of MIDI `pitch`: its pitch joins the strum being gathered."""
        if self._pending:
            self._pending[-1].pitches.append(pitch)

    def advance(self, now: float) -> None:
        """Nothing to do between strums: the filter moves on at the next strum."""

    def next_advance(self) -> float:
        """inf: `advance` never has anything to do."""
        return math.inf

    def accent(self, t: float, weight: float) -> None:
        """Ignored: the filter hears chord changes in the notes themselves."""

    # ---- estimation ----------------------------------------------------------------------------------
    def update(self, now: float) -> bool:
        """Weigh the strums gathered since the last call, then set the grid from the belief. True when the
        grid or the bar was re-read."""
        if not self._pending:
            return False
        for s in sorted(self._pending, key=lambda x: x.t):
            self.filter.observe(s.t, self._features(s))
        self._pending = []
        view = self._view = self.filter.view()
        if view is None or self.filter.strums < self.first_strums:
            return False
        if now < self._master_until:
            self._read_bar(view, now)
            return True
        self.led_by_master = False
        self._set_grid(view, now)
        self._fitted_at = now
        return True

    def _features(self, s: _Strum) -> np.ndarray:
        """The strum's features against the recent strums (see `strum_features`); then it joins them."""
        recent = self._recent
        while recent and recent[0][0] < s.t - self.window:
            recent.popleft()
        if self._memory_at is not None:    # the pitch-class memory halves every two beats
            self._memory *= 0.5 ** (max(0.0, s.t - self._memory_at) / (2 * (self.period or 0.5)))
        self._memory_at = s.t
        lows = [r[2] for r in recent if r[0] >= s.t - 6.0]
        peaks = sorted(r[3] for r in recent)
        loudness = peaks[len(peaks) // 2] if peaks else s.peak
        x = strum_features(s.peak, s.pitches, lows, loudness, self._memory, self._last_bass)
        if s.pitches:
            for q in s.pitches:
                self._memory[q % 12] += s.weight / len(s.pitches)
            if x[1]:
                self._last_bass = min(s.pitches) % 12
            recent.append((s.t, frozenset(q % 12 for q in s.pitches), min(s.pitches), s.peak))
            gaps = sorted(b[0] - a[0] for a, b in zip(recent, list(recent)[1:]))
            if gaps:
                self.usual_gap = gaps[int(0.75 * (len(gaps) - 1))]
        return x

    def _set_grid(self, view: JointView, now: float) -> None:
        """Blend the filter's beat (see `phase.blend`) into the grid, then read the bar against it."""
        m = view.meter
        period = view.eighth * m.beat_eighths
        into_beat = view.position % m.beat_eighths
        last_beat = view.time - into_beat * view.eighth
        before = None if self.period is None else self.beat_at(now)
        state = GridState(self.anchor_beat, self.anchor_time, self.period, self.confidence, self._disagree,
                          self._disagree_since)
        new = blend(state, now, last_beat, period, view.confidence, self.follow_share, self.hold_tempo)
        (self.anchor_beat, self.anchor_time, self.period, self.confidence, self._disagree,
         self._disagree_since) = new
        if before is not None and self.beat_at(now) < before - self.max_back:   # the count waits, not runs back
            self.anchor_time += (self.beat_at(now) - before) * self.period
        self._read_bar(view, now)

    def _read_bar(self, view: JointView, now: float) -> None:
        """Beats to the bar and the downbeat phase on the grid's beat numbers, from the filter's bar position."""
        m = view.meter
        if self.period is None:
            return
        bar = m.eighths * view.eighth
        downbeat = view.time - view.position * view.eighth      # the last downbeat's time
        downbeat += bar * round((now - downbeat) / bar)          # the one nearest now
        n = round(self.beat_at(downbeat))
        self._bar_read = (m.beats_per_bar, n % m.beats_per_bar, view.meter_confidence)

    # ---- queries -----------------------------------------------------------------------------------
    def _bar(self) -> tuple[int, int, float]:
        """(beats to the bar, downbeat phase, meter confidence) as last read from the filter."""
        return self._bar_read

    @property
    def compound(self) -> bool:
        """True in 6/8 (the beat divides in three)."""
        return self._view is not None and self._view.meter.name == "6/8"

    @property
    def meter(self) -> str:
        """The meter the filter believes most: 2/4, 3/4, 4/4, 6/8, 5/8 or 7/8 (4/4 before any strum)."""
        return "4/4" if self._view is None else self._view.meter.name

    @property
    def groups(self) -> tuple[int, ...]:
        """The bar's beat groups in reported beats: (3, 2) in 5/8 and (2, 2, 3) in 7/8 (the beat is the eighth
        pulse there), else one per beat."""
        m = METERS[2] if self._view is None else self._view.meter
        return m.groups if m.pulse else (1,) * m.beats_per_bar
