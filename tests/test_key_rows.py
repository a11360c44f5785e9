"""The key's profile rows are worked out once per set of profiles, shared read-only by every tracker, and hold the
floats of the profiles rolled, centred and normed one row at a time (the way they were built before they were
gathered in one step: a listener's every key score reads them)."""

from itertools import combinations

import numpy as np
import pytest

from engine.listen.key import MODE_DEGREES, PROFILES, KeyTracker, _profile_rows, modal_profile


def rolled(profiles) -> np.ndarray:
    """7 x 12 x 12 as built row by row: np.roll to each tonic, less its mean, over its norm."""
    out = np.zeros((len(MODE_DEGREES), 12, 12))
    for m, (mode, _) in enumerate(MODE_DEGREES):
        base = modal_profile(profiles, mode)
        for tonic in range(12):
            row = np.roll(base, tonic)
            row = row - row.mean()
            out[m, tonic] = row / np.linalg.norm(row)
    return out


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_the_gathered_rows_are_the_rolled_rows_to_the_bit(name):
    assert np.array_equal(_profile_rows(PROFILES[name]), rolled(PROFILES[name]))


def test_trackers_share_one_read_only_copy_per_set_of_profiles():
    names = tuple(sorted(PROFILES))
    for pair in combinations(names, 2):
        a, b = KeyTracker(profiles=pair), KeyTracker(profiles=pair)
        assert a._stack is b._stack and a._all_rows is b._all_rows
        with pytest.raises(ValueError):
            a._stack[0, 0] = 1.0         # (read-only: one tracker cannot change another's scores)
    assert KeyTracker(profiles=names[:1])._stack is not KeyTracker(profiles=names[:2])._stack
