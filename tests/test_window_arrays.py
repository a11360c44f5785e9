"""The onset window's arrays the tempo re-estimate reads, built more cheaply (speed25): the autocorrelation's onset
pairs and the deep basses are the same as the numpy formulas they replaced, on real takes' windows."""

from __future__ import annotations

import random

import numpy as np

from engine.listen.onsets import DEEP_BASS
from engine.listen.tempo import TempoEstimator
from tests.conftest import strum_decisions


def test_onset_pairs_are_triu_indices_for_any_count_in_any_order():
    estimator = TempoEstimator()
    counts = list(range(2, 150))
    random.Random(3).shuffle(counts)       # the kept triangle grows past 64 on the way
    for n in counts:
        i, j = estimator._pairs(n)
        a, b = np.triu_indices(n, 1)
        assert i.dtype == a.dtype and j.dtype == b.dtype
        assert np.array_equal(i, a) and np.array_equal(j, b)


def _deep_by_numpy(low: list[int]) -> np.ndarray:
    """The deep basses as the window worked them out before (session 24's numpy formula)."""
    low_a = np.array(low)
    out = np.zeros(len(low_a), dtype=bool)
    if len(low_a) >= 3:
        out[1:-1] = (low_a[1:-1] <= low_a[:-2] - DEEP_BASS) & (low_a[1:-1] <= low_a[2:] - DEEP_BASS)
    return out


def test_deep_basses_match_the_numpy_formula_on_every_strum_of_the_examples():
    checked = deep_seen = 0
    for listener in strum_decisions():
        window = listener.beat._onsets
        deep = window.deep()
        assert deep.dtype == bool and np.array_equal(deep, _deep_by_numpy(list(window.low)))
        checked += 1
        deep_seen += int(deep.any())
    assert checked > 100 and deep_seen > 0      # windows with deep basses were compared, not only empty ones
