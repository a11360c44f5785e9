"""bench/band_bars.py: where a bar line falls in the truth's bar, and the cause read from where the band's bar lines
and the listener's downbeats fell (GuitarSet's Rock3 solo at main: every band bar line and listener downbeat on the
truth's 2, cause `listener`)."""

import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_bars as bb  # noqa: E402
import band_eval as be  # noqa: E402


def truth() -> be.Truth:
    """Eight bars of 4/4 at 120 BPM from 1.0 s."""
    beats = 1.0 + 0.5 * np.arange(32)
    return be.Truth(beats=beats, downbeats=beats[::4], meter="4/4")


def test_a_bar_line_is_placed_on_the_truths_beat_of_the_bar_within_the_window():
    t = truth()
    assert [bb.place(x, t) for x in (1.0, 1.5, 2.03, 2.5, 3.0)] == ["1", "2", "3", "4", "1"]
    assert bb.place(1.25, t) == "x"                          # between two beats
    assert bb.place(1.0 + be.TOL + 0.01, t) == "x"           # just past the window
    assert bb.places(np.array([1.0, 3.0, 3.5, 1.25]), t) == Counter({"1": 2, "2": 1, "x": 1})


def test_the_cause_names_who_holds_the_wrong_bar():
    rotated = Counter({"2": 14})
    assert bb.cause(Counter({"1": 9, "2": 1}), rotated) == "ok"            # ON_ONE of the lines on the 1
    assert bb.cause(rotated, Counter({"2": 13, "3": 1})) == "listener"     # the band plays the listener's bar
    assert bb.cause(rotated, Counter({"1": 10})) == "band"                 # the listener on the 1, the band not
    assert bb.cause(Counter({"x": 6, "2": 4}), Counter({"1": 10})) == "beat"
