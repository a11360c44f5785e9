"""Even eighths (issues 11 and 12, review25): strums on every eighth, the beat no louder than its "and" or a little,
are counted from the player's first strum, not on the half of whichever strum the beat tracker locked at.

tests/data/even-eighths/: two takes of bench/guitar_idioms.py with their truth: palm-muted chugs at 100 BPM, one
chord a bar, only the 1 louder (`4-4_palm8_100_E`), and six-string down-strums at 80, each beat louder
(`4-4_eighths_80_G`). At main before this, the listener's beats fell on every "and" of both (beat F 0.0)."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.analyze import analyze

DATA = Path(__file__).parent / "data" / "even-eighths"


@pytest.mark.parametrize("name", ["4-4_palm8_100_E", "4-4_eighths_80_G"])
def test_even_eighths_are_counted_on_the_beat_not_on_the_and(name):
    truth = np.array(json.loads((DATA / f"{name}.json").read_text())["beats"])
    period = float(np.median(np.diff(truth)))
    heard = np.array([b for b in analyze(DATA / f"{name}.mid").beats if truth[0] + 8 * period < b < truth[-1]])
    off = np.array([np.min(np.abs(truth - b)) for b in heard]) / period      # in beats from the nearest truth beat
    assert len(heard) > 0.9 * np.sum(truth > truth[0] + 8 * period)           # the beat's level, not its eighths'
    assert np.mean(off < 0.1) > 0.95, f"{np.mean(off > 0.4):.2f} of the beats on the 'and'"
