"""Fitting a beat grid to onsets: where the beats fall, and the tempo now, at about a given period.

1. The circular mean of recent onsets at that period (recent, loud and bass onsets weigh more) gives the grid's
   phase; it is re-centred twice on the onsets near the grid, because off-beat strums pull the mean towards
   them.
2. A weighted least-squares parabola through the on-beat onsets (beat number -> time) refines period and
   phase: its slope at now is the tempo now, so drift, accelerando and ritardando are followed (a straight
   line, which averages the last bars' tempo, lagged a steady ramp by ~45 ms; the parabola ~8 ms). Correcting
   phase and period from the latest onsets is the idea of Toiviainen's 1998 interactive MIDI accompanist and
   of Large–Kolen's adaptive oscillators (../shared/notes/ALGORITHMS.md, "Tempo, beat, downbeat").
3. The confidence is the share of the recent onset weight that falls on the grid's beats.

A few dozen onsets per call: plain Python loops beat numpy's per-call overhead here, and the sums are
accumulated in onset order (the results must not change by a bit). Times are seconds, periods seconds per
beat, beat numbers integers counted from the beat nearest `now`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import repeat
from typing import NamedTuple

import numpy as np

NEAR = 0.15     # share of the period: onsets this close to a beat count for the re-centring and the fit
PEAK_LEAD = 2.0        # the strongest cluster of onsets replaces the mean's when it holds this many times its weight
# A narrow comb for that cluster: the first four harmonics of the onsets at the period, Fejér-weighted (a kernel
# about a fifth of a period wide), read at STEPS phases.
HARMONICS = (1.0, 0.75, 0.5, 0.25)
STEPS = 32
_TURNS = [[(math.cos(2 * math.pi * j * h / STEPS) * c, math.sin(2 * math.pi * j * h / STEPS) * c)
           for h, c in enumerate(HARMONICS, 1)] for j in range(STEPS)]
TIGHT = 0.08    # ... and this close, as on the beat for the confidence
BASS_COUNT = 2        # bass notes (at least) ...
BASS_TOGETHER = 0.7   # ... of which this share falls together place the beat (`bass_phase`)
DISAGREE_FITS = 3      # fits in a row off the grid's beats ...
DISAGREE_BEATS = 3.0   # ... over at least this many of its beats, and the grid jumps to them
HELD_FOLLOW = 0.04     # share of the way the held pulse moves to the grid at each fit (some 25 fits, two bars)
HELD_NEAR = 0.12       # beats: a fit's beat this close to the held pulse's is on it ...
HELD_FIT = 0.5         # ... and a fit this confident is sure (under it: weak)


class Moments(NamedTuple):
    """Weighted sums over the onsets near the grid, beat numbers k counted from the beat nearest now and times
    d from now (s), weights r: s_n = sum r k^n, t_n = sum r k^n d; `count` onsets on `beats` distinct beat
    numbers, `on_beat` their weight within TIGHT of a beat."""

    count: int
    beats: int
    on_beat: float
    s0: float
    s1: float
    s2: float
    s3: float
    s4: float
    t0: float
    t1: float
    t2: float


def fit_grid(t: Sequence[float] | np.ndarray, w: Sequence[float] | np.ndarray, now: float, period: float, *,
             recency: float, curve: float, slope_range: float) -> tuple[float, float, float] | None:
    """(phase, period, confidence) of the grid at about `period` (s) that fits onsets t (s) weighted w (lists
    or arrays of one length), at `now` (s): `phase` is the time (s) of a beat, `period` the fitted seconds per
    beat, `confidence` 0..1. Onsets weigh exp((t - now) / recency) (recency in s) times w. `slope_range`: the
    fitted line may change the period by this share at most; `curve` > 0: fit a parabola, whose tempo now may
    differ from the line's by this share. None when the onsets carry no weight."""
    ts, rs, total, mean = _weights_and_mean(t, w, now, recency, period)
    if total <= 0:
        return None
    return fit_at(ts, rs, total, now, _phase(ts, rs, mean, period, total), period, curve=curve,
                  slope_range=slope_range)


def fit_at(ts: Sequence[float], rs: Sequence[float], total: float, now: float, phase: float, period: float, *,
           curve: float, slope_range: float) -> tuple[float, float, float]:
    """(phase, period, confidence) as `fit_grid` gives them, for the grid through `phase` (s, a beat's time) at
    about `period` (s): the line or parabola through the onsets ts (s) near its beats, weighted rs (recency
    already applied; their sum is `total`)."""
    k_now = round((now - phase) * (1.0 / period))
    m = moments(ts, rs, now, phase + k_now * period, period, curve)
    fitted = fit_line(m, period, slope_range, curve)
    if fitted is not None:
        at_now, slope = fitted
        period = slope
        phase = now + at_now - k_now * slope
    return phase, period, confidence(m, total)


def beat_phase(t: Sequence[float] | np.ndarray, w: Sequence[float] | np.ndarray, now: float, period: float, *,
               recency: float) -> float | None:
    """The phase (s, a beat time) alone of the grid at `period` (s) through onsets t (s) weighted w, as
    `fit_grid` places it before fitting a line (which a zero `slope_range` always refuses): the same float,
    without the line's sums. None when the onsets carry no weight."""
    ts, rs, total, mean = _weights_and_mean(t, w, now, recency, period)
    return None if total <= 0 else _phase(ts, rs, mean, period, total)


def recent_weights(t, w, now: float, recency: float) -> tuple[Sequence[float], list[float], float]:
    """The onset times t (s; list or array) as a list, their weights w times exp((t - now) / recency) (recency
    in s), and those weights' sum."""
    ts = t.tolist() if isinstance(t, np.ndarray) else t
    ws = w.tolist() if isinstance(w, np.ndarray) else w
    inv = 1.0 / recency
    exp = math.exp
    rs = [wi * exp((ti - now) * inv) for ti, wi in zip(ts, ws)]
    return ts, rs, sum(rs)


def _weights_and_mean(t, w, now: float, recency: float, period: float) -> tuple[Sequence[float], list[float], float,
                                                                                 float]:
    """`recent_weights` (the times as a list, the weights, their sum) and the `circular_mean` of the onsets at
    `period` (s) with those weights, in one pass over the onsets: the same products and sums, in the same order,
    as the two passes."""
    ts = t.tolist() if isinstance(t, np.ndarray) else t
    ws = w.tolist() if isinstance(w, np.ndarray) else w
    inv = 1.0 / recency
    omega = 2 * math.pi / period
    exp, cos, sin = math.exp, math.cos, math.sin
    rs: list[float] = []
    keep = rs.append
    total = zr = zi = 0.0
    for ti, wi in zip(ts, ws):
        r = wi * exp((ti - now) * inv)
        keep(r)
        total += r
        a = omega * ti
        zr += r * cos(a)
        zi += r * sin(a)
    return ts, rs, total, math.atan2(zi, zr) / omega


def _phase(ts: Sequence[float], rs: list[float], mean: float, period: float, total: float) -> float:
    """The circular `mean` (s) of onsets ts (s) weighted rs (summing to `total`) at `period` (s), re-centred, or
    the strongest cluster's phase (s)."""
    return strongest_cluster(ts, rs, recentre(ts, rs, mean, period), period, total)


def bass_phase(ts: Sequence[float], bass: Sequence[bool], now: float, period: float,
               recency: float) -> float | None:
    """Where the bass keeps the beat: the time (s) of a beat of `period` s on which the recent bass notes
    fall, when BASS_TOGETHER of them (or more) fall within NEAR of it and there are BASS_COUNT or more, else None.
    Onsets ts (s), `bass` True for a strum with a bass note, each counting exp((t - now) / recency) (recency
    in s; a strum's size does not count: a full chord whose lowest string is low is one bass note). A 6/8
    bass-and-chord figure (the bass on the beat, its chord two eighths later) sums more weight on the chord
    than on the bass, and the latest chord is the most recent onset: the fit alone lands on the chord, or
    between the two, every other strum, while a player hears the bass as the beat (DOMAIN.md: the bass keeps
    the beat when a guitarist comps)."""
    tb = [ti for ti, bi in zip(ts, bass) if bi]
    if len(tb) < BASS_COUNT:
        return None
    exp = math.exp
    rs = [exp((ti - now) / recency) for ti in tb]
    phase = recentre(tb, rs, circular_mean(tb, rs, period), period)
    return phase if near_weight(tb, rs, phase, period) >= BASS_TOGETHER * sum(rs) else None


def long_eighth(ts: Sequence[float], rs: Sequence[float], loud: Sequence[float], period: float, *, on: float,
                empty: float, count: int) -> float | None:
    """A beat (s) on a shuffle's long eighth, or None: onsets ts (s) weighted rs whose beats of `period` (s) divide in
    triplet eighths struck long-short, on the first and the last third of the beat with the middle third empty.
    `on` (0..1) of the onset weight lies within NEAR of the thirds, the empty third holds at most `empty` of that,
    and the other two are struck `count` times or more each. The beat is the third before the empty one: the long
    note, which the short one leads into (Povel & Essens 1985: of two tones close together the second is accented;
    a boogie's or a slow shuffle's walking bass is long on the beat, the note a musician counts), when its onsets
    are on average as loud as the short one's or louder (`loud`: each onset's loudness, 0..1). The same onsets read
    from the short note are an eighth and a quarter (a jig's D U . figure: sim2-held jig_6-8 B-minor), whose first,
    struck harder, is the beat: the two tell apart by the accent alone."""
    third = period / 3
    at = recentre(ts, rs, circular_mean(ts, rs, third), third)
    sums, counts, louds = thirds(ts, rs, at, third, loud)
    held = sums[0] + sums[1] + sums[2]
    if held <= 0 or held < on * sum(rs):
        return None
    k = long_short(sums, counts, held, empty, count)
    if k is None:
        return None
    last = (k + 2) % 3
    return at + k * third if louds[k] / counts[k] >= louds[last] / counts[last] else None


def thirds(ts: Sequence[float], rs: Sequence[float], at: float, third: float,
           loud: Sequence[float] | None = None) -> tuple[list[float], list[int], list[float]]:
    """Per third of a beat (0, 1, 2: the grid of `third` s from `at`, s, counted in threes): the weights rs, the
    number and the summed loudness `loud` (0..1; 0 when None) of the onsets ts (s) within NEAR of its places."""
    sums, counts, louds = [0.0] * 3, [0] * 3, [0.0] * 3
    for ti, r, v in zip(ts, rs, repeat(0.0) if loud is None else loud):
        e = (ti - at) / third
        k = round(e)
        if abs(e - k) < NEAR:
            sums[k % 3] += r
            counts[k % 3] += 1
            louds[k % 3] += v
    return sums, counts, louds


def long_short(sums: Sequence[float], counts: Sequence[int], held: float, empty: float, count: int) -> int | None:
    """The third (0..2) on which a beat struck long-short on its triplet eighths starts, from the weights `sums`
    and onset `counts` per third (`thirds`), `held` their total: the first k whose next third holds at most `empty`
    of `held` while k and the third after next are struck `count` times or more each; None when none is."""
    for k in range(3):
        middle, last = (k + 1) % 3, (k + 2) % 3
        if sums[middle] <= empty * held and min(counts[k], counts[last]) >= count:
            return k
    return None


def circular_mean(ts: Sequence[float], rs: Sequence[float], period: float) -> float:
    """The weighted circular mean of onset times ts (s) with weights rs on a circle of `period` (s): a time
    (s, in -period/2..period/2) where beats fall."""
    omega = 2 * math.pi / period
    cos, sin = math.cos, math.sin
    zr = zi = 0.0
    for ti, r in zip(ts, rs):
        a = omega * ti
        zr += r * cos(a)
        zi += r * sin(a)
    return math.atan2(zi, zr) / omega


def strongest_cluster(ts: Sequence[float], rs: Sequence[float], phase: float, period: float,
                      total: float) -> float:
    """`phase` (s, a beat time from the re-centred circular mean of onsets ts (s) weighted rs, whose sum is
    `total`), or the phase of the heaviest cluster of onsets at `period` (s) when that holds PEAK_LEAD times
    the weight within NEAR of `phase` (re-centred as well). The circular mean is the first harmonic alone:
    strums as heavy on the half beat as on the beat cancel in it (sixteenth-note strumming, D . D U), and what
    is left points at the lighter up-strums, onto which the re-centring then locks. When the mean found no
    onsets at all (syncopated comping, a solo line), it is kept: there is no cluster it missed."""
    held = near_weight(ts, rs, phase, period)
    if held <= 0 or PEAK_LEAD * held > total:
        return phase    # (no cluster can hold PEAK_LEAD times more than the mean's: the usual case, and quick)
    omega = 2 * math.pi / period
    n = len(HARMONICS)
    zr = [0.0] * n
    zi = [0.0] * n
    for ti, r in zip(ts, rs):
        a = omega * ti
        c, s = math.cos(a), math.sin(a)
        pr, pi = r * c, r * s
        for h in range(n):
            zr[h] += pr
            zi[h] += pi
            pr, pi = pr * c - pi * s, pr * s + pi * c
    best, best_v = 0, -math.inf
    for j, turns in enumerate(_TURNS):
        v = 0.0
        for h, (c, s) in enumerate(turns):
            v += zr[h] * c + zi[h] * s
        if v > best_v:
            best, best_v = j, v
    peak = best * period / STEPS
    if near_weight(ts, rs, peak, period) < PEAK_LEAD * held:
        return phase
    return recentre(ts, rs, peak - period * round(peak / period), period)


def near_sums(ts: Sequence[float], rs: Sequence[float], phase: float, period: float) -> tuple[float, float]:
    """(sum of r x offset (s), sum of r) over the onsets ts (s) weighted rs within NEAR of the grid of `period`
    (s) through `phase` (s), each offset from its nearest grid beat."""
    half = 0.5 * period
    near = NEAR * period
    low = -near                  # (once, not an UNARY_NEGATIVE per onset)
    shift = half - phase
    num = den = 0.0
    for ti, r in zip(ts, rs):
        e = (ti + shift) % period - half
        if e > low and e < near:   # (low < e < near without the chain's stack shuffling: fewer bytecodes)
            num += r * e
            den += r
    return num, den


def near_weight(ts: Sequence[float], rs: Sequence[float], phase: float, period: float) -> float:
    """The weight rs of the onsets ts (s) within NEAR of the grid of `period` (s) through `phase` (s)."""
    return near_sums(ts, rs, phase, period)[1]


def recentre(ts: Sequence[float], rs: Sequence[float], phase: float, period: float) -> float:
    """`phase` (s) moved, twice, to the weighted mean of the onsets within NEAR of its grid: off-beat strums
    pull the circular mean towards them."""
    for _ in range(2):
        num, den = near_sums(ts, rs, phase, period)
        if den == 0:
            break
        phase += num / den
    return phase


def moments(ts: Sequence[float], rs: Sequence[float], now: float, base: float, period: float,
            curve: float) -> Moments:
    """The sums for a weighted fit of beat number -> time through the onsets ts (s, rising) weighted rs within
    NEAR of the grid whose beat 0 is at `base` (s), in one pass; s3 and s4 (for the parabola) only when `curve`."""
    near, tight = NEAR * period, TIGHT * period
    low, low_tight = -near, -tight
    count = beats = 0
    on_beat = s0 = s1 = s2 = s3 = s4 = t0 = t1 = t2 = 0.0
    last = None                   # the beat number of the last onset counted: with ts rising, the beat numbers
    inv_period = 1.0 / period     # never fall, and a new one is a new beat (no set of them to keep)
    for ti, r in zip(ts, rs):
        # The beat number as (x + 0.5) // 1.0, a whole float, not round(x), an int: no builtin call, and float
        # products (an int converts to the same double in each). The two differ only for x about half-way
        # between beats, whose onset is outside NEAR of either: the same sums to the bit, 21 % fewer
        # instructions here (tests/test_phase_moments.py).
        x = ti - base
        k = (x * inv_period + 0.5) // 1.0
        e = x - k * period
        if e > low and e < near:
            count += 1
            if k != last:
                beats += 1
                last = k
            d = ti - now
            rk = r * k
            rkk = rk * k
            s0 += r
            s1 += rk
            s2 += rkk
            t0 += r * d
            t1 += rk * d
            t2 += rkk * d
            if curve:
                s3 += rkk * k
                s4 += rkk * k * k
            if e > low_tight and e < tight:
                on_beat += r
    return Moments(count, beats, on_beat, s0, s1, s2, s3, s4, t0, t1, t2)


def fit_line(m: Moments, period: float, slope_range: float, curve: float) -> tuple[float, float] | None:
    """(time of beat 0 less now (s), seconds per beat) of the weighted line through the onsets of `m`, or of
    the parabola (its value and slope at beat 0) when `curve` and the evidence allow and its slope is within
    `curve` of the line's. None with fewer than three onsets on three beats, or a slope more than
    `slope_range` away from `period` (s)."""
    if m.count < 3 or m.beats < 3:
        return None
    s0, s1, s2, t0, t1 = m.s0, m.s1, m.s2, m.t0, m.t1
    km, tm = s1 / s0, t0 / s0
    var = s2 - s0 * km * km
    if not var > 1e-12 * s2:
        return None
    slope = (t1 - s0 * km * tm) / var
    if not (1 - slope_range) * period < slope < (1 + slope_range) * period:
        return None
    at_now = tm - km * slope           # the fitted time of beat k_now, less now
    if curve and m.beats >= 4:
        fitted = fit_parabola(m)
        if fitted is not None and abs(fitted[1] / slope - 1) < curve:
            at_now, slope = fitted
    return at_now, slope


def fit_parabola(m: Moments) -> tuple[float, float] | None:
    """(a, b) of the weighted least-squares parabola t = a + b k + c k^2 through the onsets of `m` (a in s from
    now, b in s per beat), by Cramer's rule on the 3x3 normal equations; None when they are near singular."""
    s0, s1, s2, s3, s4, t0, t1, t2 = m.s0, m.s1, m.s2, m.s3, m.s4, m.t0, m.t1, m.t2
    det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2)
    if not abs(det) > 1e-9 * s0 * s2 * s4:
        return None
    a = (t0 * (s2 * s4 - s3 * s3) - s1 * (t1 * s4 - s3 * t2) + s2 * (t1 * s3 - s2 * t2)) / det
    b = (s0 * (t1 * s4 - s3 * t2) - t0 * (s1 * s4 - s3 * s2) + s2 * (s1 * t2 - t1 * s2)) / det
    return a, b


def confidence(m: Moments, total: float) -> float:
    """0..1: how much of the recent onset weight (`total`) falls on the grid's beats (a steady strummer puts
    about 60 % there, random onsets about 15 %), once there are enough of them (eight onsets near beats)."""
    return min(1.0, max(0.0, (m.on_beat / total - 0.15) / 0.35)) * min(1.0, m.count / 8.0)


class GridState(NamedTuple):
    """A beat grid being tracked: beat number `anchor_beat` at `anchor_time` (s), `period` s per beat (None
    before any), its `confidence` (0..1), how many fits in a row disagreed with it, and since when (s)."""

    anchor_beat: int
    anchor_time: float
    period: float | None
    confidence: float
    disagree: int
    disagree_since: float = math.inf   # s: when the fits began to disagree (inf while they agree)


def blend(grid: GridState, now: float, phase: float, period: float, confidence: float, follow: float,
          hold_tempo: bool, at_once: bool = False, wait: float = DISAGREE_BEATS) -> GridState:
    """The grid after a new fit (a beat at `phase` s, `period` s per beat, `confidence`) at `now` (s): `follow`
    (0..1) of the fit when its next beat is within 0.3 beats of one of the grid's, else, once the fits have
    disagreed DISAGREE_FITS times in a row over `wait` beats (DISAGREE_BEATS), a jump to it, forward (beat numbers
    never go back); `hold_tempo` keeps the period. Counting beats, not fits: in syncopated comping (funk,
    bossa) a bar's anticipations pull several fits in a row onto the off-beat, and three fits within one beat
    threw the grid half a beat off; a player holds the beat through a bar of syncopation, and so does this.
    `at_once`: the fit's beat is where the bass keeps it (compound time, `BeatTracker._bass_beat`): a fit off the
    grid is jumped to at once, the bass being the beat a player hears (waiting three beats kept a grid locked on
    a 6/8's chords an eighth early for four seconds, sim2 tempo_6-8_Eb-phrygian_s13)."""
    nxt = phase + math.ceil((now - phase) / period) * period  # the fit's next beat after now
    if grid.period is None:
        return GridState(0, nxt, period, confidence, grid.disagree)
    beat, at, old_period, disagree = grid.anchor_beat, grid.anchor_time, grid.period, grid.disagree
    since = grid.disagree_since
    pos_old = beat + (nxt - at) / old_period
    k = round(pos_old)
    if abs(pos_old - k) < 0.3:
        disagree, since = 0, math.inf
        old_time = at + (k - beat) * old_period
        beat, at = k, old_time + follow * (nxt - old_time)
        if not hold_tempo:
            old_period = old_period + follow * (period - old_period)
    else:
        disagree += 1
        since = min(since, now)
        if at_once or (disagree >= DISAGREE_FITS and now - since >= wait * old_period):
            disagree, since = 0, math.inf    # the old grid is wrong: jump, never backwards
            beat, at = math.floor(pos_old) + 1, nxt
            if not hold_tempo:
                old_period = period
    return GridState(beat, at, old_period, 0.7 * grid.confidence + 0.3 * confidence, disagree, since)


def follow_held(held: tuple[int, float] | None, beat: int, time: float, period: float) -> tuple[int, float]:
    """The held pulse after a fit: a slow memory of the grid's beats (a player's sense of where the beat was over
    the last bars), `held` (beat number, time s; None: none yet) moved HELD_FOLLOW of the way to the grid's beat
    number `beat` at `time` (s), `period` s a beat, taken modulo a beat (a jump of the grid's numbering moves it
    no faster). Returns (beat, time). HELD_FOLLOW set on GuitarSet dev Funk3 (its grid crept a beat in 2 s of
    syncopation, session 17: bench/README.md)."""
    if held is None:
        return beat, time
    at = held[1] + (beat - held[0]) * period
    off = ((time - at) / period + 0.5) % 1.0 - 0.5
    return beat, at + HELD_FOLLOW * off * period


def off_held(held: tuple[int, float], t: float, period: float) -> float:
    """How far t (s) lies from the nearest beat of the `held` pulse (beat number, time s) every `period` s, in
    beats (0..0.5)."""
    e = (t - held[1]) / period
    return abs(e - round(e))
