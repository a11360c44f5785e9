"""The tempo re-estimate's tests with fewer numpy calls (speed26) give the floats and answers of the numpy formulas they
replaced: the autocorrelation's bins and overlap, the autocorrelation read between lags (`_at_lag` for np.interp, in
`bar_level` and `_comb`), and the oom-pah test's places in plain Python, on every decision window of two examples and
on oom-pah windows that reach the test's last step. So do speed28's: `struck` without np.unique, and `bass_level`'s
fits on recency weights worked out once (`phase.fit_weighted`), the comb read before a fit."""

from __future__ import annotations

import math

import numpy as np

from engine.listen.phase import NEAR, fit_grid
from engine.listen.tempo import (
    BASS_RECENCY,
    FPS,
    OOMPAH_BPM,
    OOMPAH_COUNT,
    OOMPAH_SHARE,
    TempoEstimator,
    _at_lag,
    _beat_or_half,
    struck,
)
from tests.conftest import strum_decisions


def _acf_by_numpy(est: TempoEstimator, t: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The autocorrelation as session 25 worked it out (two concatenations, the overlap's floor of one frame)."""
    n = est._acf_len
    i, j = est._pairs(len(t))
    d = (t[j] - t[i]) * FPS
    ww = w[i] * w[j]
    np.minimum(d, n - 2, out=d)
    base = d.astype(np.intp)
    upper = (d - base) * ww
    acf = np.bincount(np.concatenate((base, base + 1)), weights=np.concatenate((ww - upper, upper)), minlength=n)[:n]
    span = (t[-1] - t[0]) * FPS + 1.0
    cut = min(n - 2, math.ceil(0.6 * span))
    acf[cut:] = 0.0
    acf[:cut] *= span / np.maximum(1.0, span - est._acf_lag[:cut])
    return np.convolve(acf, est._kernel, mode="same")


def _oompah_by_numpy(est: TempoEstimator, t, w, bass, notes, period: float) -> float:
    """`oompah_level` past its tempo checks as session 25 worked it out (numpy masks and counts)."""
    half = 0.5 * period
    phase = est._phase(t, w, period)
    if phase is None:
        return period
    e = ((t - phase) / period) % 1.0
    on, mid = (e < NEAR) | (e > 1 - NEAR), np.abs(e - 0.5) < NEAR
    n_on, n_mid = np.count_nonzero(on), np.count_nonzero(mid)
    if min(n_on, n_mid) < max(OOMPAH_COUNT, OOMPAH_SHARE * (t[-1] - t[0]) / period):
        return period
    lone, chord = bass & (notes == 1), notes >= 3

    def holds(place, count, kind) -> bool:
        return np.count_nonzero(place & kind) >= OOMPAH_SHARE * count

    if not (holds(on, n_on, lone) and holds(mid, n_mid, chord) or holds(on, n_on, chord) and holds(mid, n_mid, lone)):
        return period
    return half if est._keeps(half, period) else period


def _windows(names=("d_dorian_96_4-4", "a_minor_66_6-8")):
    """(t, w, bass, notes) of the onset window at every strum decision of the examples `names` (real takes)."""
    for listener in strum_decisions(names):
        window = listener.beat._onsets
        if len(window.t) >= 8:
            yield np.array(window.t), np.array(window.w), np.array(window.bass, dtype=bool), np.array(window.notes)


def _oompahs():
    """Oom-pah windows (a lone bass on the beat, a chord half-way, jittered) at several tempos, some with strays."""
    rng = np.random.default_rng(26)
    for k in range(160):
        beat = 0.3 + 0.02 * k
        count = 12 + k % 20
        t = np.sort(np.arange(count) * 0.5 * beat + rng.normal(0, (0.02 + 0.002 * (k % 40)) * beat, count))
        bass = np.arange(count) % 2 == k % 2
        notes = np.where(bass, 1, rng.choice([1, 3, 4], count, p=[0.1 * (k % 3), 1 - 0.1 * (k % 3) - 0.3, 0.3]))
        yield t, rng.uniform(0.5, 1.5, count), bass, notes, beat


def test_autocorrelation_and_its_reads_are_the_numpy_floats_on_real_windows():
    checked = 0
    for t, w, _, _ in _windows():
        est, ref = TempoEstimator(), TempoEstimator()
        acf = est.autocorrelation(t, w)
        assert acf.tobytes() == _acf_by_numpy(ref, t, w).tobytes()
        for lag in np.linspace(0.0, len(acf) + 3.0, 97):
            got, want = _at_lag(acf, float(lag)), np.interp(float(lag), est._acf_lag, acf)
            assert type(got) is float and got == want
        checked += 1
    assert checked > 100


def test_autocorrelation_of_a_span_under_three_frames_keeps_the_overlap_floor():
    est, ref = TempoEstimator(), TempoEstimator()
    for gap in (0.0, 0.005, 0.01, 0.015, 0.02, 0.03):      # s: spans of 1 to 4 frames
        t, w = np.array([1.0, 1.0 + gap]), np.array([0.7, 1.3])
        assert est.autocorrelation(t, w).tobytes() == _acf_by_numpy(ref, t, w).tobytes()


def test_beat_or_half_places_are_the_numpy_masks_on_real_windows():
    rng = np.random.default_rng(5)
    on_seen = mid_seen = 0
    for t, _, _, _ in _windows():
        for period in rng.uniform(0.2, 1.2, 4):
            phase = float(rng.uniform(0.0, 10.0))
            e = ((t - phase) / period) % 1.0
            on, mid = (e < NEAR) | (e > 1 - NEAR), np.abs(e - 0.5) < NEAR
            want = np.where(on, 0, np.where(mid, 1, -1)).tolist()
            assert _beat_or_half(t.tolist(), phase, period) == want
            on_seen, mid_seen = on_seen + int(on.sum()), mid_seen + int(mid.sum())
    assert on_seen > 1000 and mid_seen > 1000


def test_oompah_level_answers_as_the_numpy_masks_did():
    moved = compared = 0
    cases = [(t, w, bass, notes, p) for t, w, bass, notes in _windows() for p in (0.5, 0.62, 0.8)]
    for t, w, bass, notes, period in cases + list(_oompahs()):
        est = TempoEstimator()
        est.scores(t, w)
        got = est.oompah_level(t, w, bass, notes, period)
        half = 0.5 * period      # (past the tempo checks, which are as before)
        if OOMPAH_BPM[0] <= 60.0 / half <= OOMPAH_BPM[1] and half * FPS >= est.lag_lo and len(t) >= 2 * OOMPAH_COUNT:
            ref = TempoEstimator()
            ref.scores(t, w)
            want = _oompah_by_numpy(ref, t, w, bass, notes, period)
            assert got == want
            compared += 1
        moved += got != period
    assert compared > 100 and moved >= 10       # windows that reach the last step and move were compared too


def _bass_level_by_fit_grid(est: TempoEstimator, t, w, bass, period: float) -> float:
    """`bass_level` past its checks as session 27 worked it out: `fit_grid` at each period, the comb read after."""
    tb, wb, now = t[bass], w[bass], float(t[-1])

    def held(p: float) -> float:
        fit = fit_grid(tb, wb, now, p, recency=BASS_RECENCY, curve=0.0, slope_range=0.0)
        return 0.0 if fit is None else fit[2]

    here = est._comb(period)
    best, need = period, max(est.bass_held, held(period) + est.bass_margin)
    for ratio in (2 / 3, 1.5):
        q = period * ratio
        if not est.lag_lo <= q * FPS <= est.lag_hi:
            continue
        share = held(q)
        if share >= need and est._comb(q) >= est.bass_keep * here:
            best, need = q, share
    return best


def test_struck_counts_the_slots_np_unique_counted_on_real_windows():
    rng = np.random.default_rng(28)
    compared = 0
    for t, _, _, _ in _windows():
        for unit in [*rng.uniform(0.05, 0.4, 3), 0.5 * (t[-1] - t[-2]) if t[-1] > t[-2] else 0.1]:
            recent = t[t >= t[-1] - 4.0]
            want = len(np.unique(np.round((recent - recent[-1]) / unit))) / ((recent[-1] - recent[0]) / unit + 1)
            got = struck(recent, float(unit))
            assert type(got) is type(want) and got == want
            compared += 1
    assert compared > 400


def test_bass_level_answers_as_fit_grid_at_each_period_did():
    rng = np.random.default_rng(27)
    # eighths with a bass on every beat, asked at 3:2 and 2:3 of the beat (jittered): the bass moves those back
    basses = []
    for k in range(40):
        beat = 0.4 + 0.01 * k
        t = np.sort(np.arange(32) * 0.5 * beat + rng.normal(0, 0.01 * (1 + k % 4), 32))
        bass = np.arange(32) % 2 == 0
        basses.append((t, rng.uniform(0.5, 1.5, 32), bass, (1.5 * beat, beat / 1.5)))
    real = [(t, w, bass, (0.42, 0.5, 0.62, 0.75, 0.94))
            for t, w, bass, _ in _windows(("e_mixolydian_ramp_88-116_4-4", "d_dorian_96_4-4"))]   # (its bass heard)
    compared = moved = 0
    for t, w, bass, periods in real + basses:
        for period in periods:
            est, ref = TempoEstimator(), TempoEstimator()
            est.scores(t, w)
            ref.scores(t, w)
            got = est.bass_level(t, w, bass, period)
            if len(t[bass]) >= 6 and t[bass][-1] - t[bass][0] >= 2.0:
                assert got == _bass_level_by_fit_grid(ref, t, w, bass, period)
                compared += 1
            moved += got != period
    assert compared > 150, compared
    assert moved > 20, moved     # windows whose bass moves the level were compared too
