"""bench/meter_follow.py: how soon a meter change is followed, from the meters heard and the band's signatures."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import meter_follow as mf  # noqa: E402


def test_named_held_and_band_after_each_change():
    changes = [(0.0, "2/4"), (40.0, "6/8"), (70.0, "2/4")]
    heard = [(3.0, "4/4"), (6.0, "2/4"), (44.0, "6/8"), (45.0, "2/4"), (47.5, "6/8"), (73.0, "2/4")]
    band = [(5.0, "4/4"), (9.0, "2/4"), (50.0, "6/8"), (76.0, "2/4")]
    rows = mf.follow(changes, heard, band)
    assert rows == [(40.0, "2/4 -> 6/8", 4.0, 7.5, 10.0), (70.0, "6/8 -> 2/4", 3.0, 3.0, 6.0)]


def test_a_change_never_followed_is_none():
    rows = mf.follow([(0.0, "3/4"), (30.0, "4/4")], [(2.0, "3/4")], [(4.0, "3/4")])
    assert rows == [(30.0, "3/4 -> 4/4", None, None, None)]
