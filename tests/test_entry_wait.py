"""bench/entry_wait.py: the cause it gives a band's wait before coming in, from what the scheduler did."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import entry_wait as ew  # noqa: E402

from engine.bars import Meter  # noqa: E402

FOUR, THREE = Meter(4, False), Meter(3, False)


def log(planned=8.0, before=FOUR, entry=8.0, after=FOUR, heard="4/4", pending=False) -> dict:
    out = {"planned": (planned, before), "in": (entry, after, heard)}
    return out | ({"pending": True} if pending else {})


def test_no_cause_within_half_a_bar_and_the_grid_before_the_truth():
    assert ew.cause(log(), 0.3, 2.0, "4/4") == ""
    assert ew.cause(log(), -0.5, 2.0, "4/4") == "grid"     # in before the truth's next downbeat: off it


def test_causes_in_order():
    assert ew.cause(log(pending=True, before=THREE), 1.0, 2.0, "7/8") == "aqsaq"
    assert ew.cause(log(before=FOUR, after=THREE, heard="3/4"), 1.0, 2.0, "3/4") == "meter"
    assert ew.cause(log(), 1.0, 2.0, "2/4") == "4/4 over 2/4"
    assert ew.cause(log(entry=10.0), 1.0, 2.0, "4/4") == "moved"
    assert ew.cause(log(entry=8.5), 1.0, 2.0, "4/4") == "grid"
