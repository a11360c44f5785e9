"""bench/entry_wait.py: the cause it gives a band's wait before coming in, from what the scheduler did."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import entry_wait as ew  # noqa: E402

from engine.bars import Meter  # noqa: E402

FOUR, THREE = Meter(4, False), Meter(3, False)


def log(planned=8.0, before=FOUR, entry=8.0, after=FOUR, heard="4/4", pending=False, contested=False) -> dict:
    out = {"planned": (planned, before), "in": (entry, after, heard)}
    return out | ({"pending": True} if pending else {}) | ({"contested": True} if contested else {})


def test_no_cause_within_half_a_bar_and_the_grid_before_the_truth():
    assert ew.cause(log(), 0.3, 2.0, "4/4") == ""
    assert ew.cause(log(), -0.5, 2.0, "4/4") == "grid"     # in before the truth's next downbeat: off it


def test_causes_in_order():
    assert ew.cause(log(pending=True, before=THREE), 1.0, 2.0, "7/8") == "aqsaq"
    assert ew.cause(log(pending=True, before=THREE), 1.0, 2.0, "7/8", offered=7.0) == "aqsaq"
    assert ew.cause(log(pending=True, before=THREE), 1.0, 2.0, "7/8", offered=8.0) == "aqsaq evidence"
    assert ew.cause(log(pending=True, before=THREE), 1.0, 2.0, "7/8", offered=10.0) == "aqsaq"   # in without it
    assert ew.cause(log(contested=True), 1.0, 2.0, "4/4") == "level"      # a line's level contested
    assert ew.cause(log(pending=True, contested=True, before=THREE), 1.0, 2.0, "7/8") == "aqsaq"
    assert ew.cause(log(before=FOUR, after=Meter(2, False), heard="2/4"), 1.0, 2.0, "2/4") == "4/4 over 2/4"
    assert ew.cause(log(before=FOUR, after=THREE, heard="3/4"), 1.0, 2.0, "3/4") == "meter"
    assert ew.cause(log(), 1.0, 2.0, "2/4") == "4/4 over 2/4"
    assert ew.cause(log(entry=10.0), 1.0, 2.0, "4/4") == "moved"
    assert ew.cause(log(entry=8.5), 1.0, 2.0, "4/4") == "grid"


def test_a_take_s_readiness_is_split_into_the_first_grid_the_beat_alone_and_the_key():
    """The D dorian example: the first grid's onsets come before the beat alone is ready, that before the band
    is (beat and key), and the first downbeat the beat alone reaches is no later than the one the band reaches;
    the band comes in on that one (within 0.05 bar: the band's beat is a few ms off the truth's)."""
    row = ew.take(ROOT / "examples" / "d_dorian_96_4-4.mid")
    assert row["onsets"] <= row["beat"] <= row["ready"] < row["drummer"] <= row["earliest"]
    assert abs(row["entry"] - row["earliest"]) < 0.05 and row["cause"] == "" and row["on"]


def test_beat_alone_the_band_is_ready_when_the_beat_is_and_comes_in_on_the_same_downbeat_here():
    """The D dorian example with the band coming in on the beat alone (the drummer first): it is ready when the
    beat alone is (1.02 bars, where beat and key are ready at 1.27), and that earlier readiness reaches no earlier
    downbeat: the entry is the same, on the player's bar 2 (the 4/4 takes' case, bench/README session 23)."""
    row, alone = (ew.take(ROOT / "examples" / "d_dorian_96_4-4.mid", beat_alone) for beat_alone in (False, True))
    assert alone["ready"] == alone["beat"] == row["beat"] < row["ready"]
    assert alone["entry"] == row["entry"] and alone["on"] and alone["heard"] == "4/4"


def test_by_meter_and_the_summary_count_what_the_beat_alone_would_reach_sooner():
    rows = [{"take": "a", "meter": "2/4", "onsets": 2.5, "ready": 2.6, "drummer": 3.0, "earliest": 3.0,
             "entry": 3.0, "slack": 0.0, "entry_s": 3.0, "cause": "", "on": True},
            {"take": "b", "meter": "4/4", "onsets": 0.9, "ready": 1.2, "drummer": 1.0, "earliest": 2.0,
             "entry": 2.0, "slack": 0.0, "entry_s": 4.0, "cause": "", "on": False},
            {"take": "c", "meter": "4/4"}]                 # never came in
    assert ew.by_meter(rows) == ["  2/4 (1): onsets 2.50, ready 2.60, earliest 3.00, entry 3.00 bars (3.00 s)",
                                 "  4/4 (1): onsets 0.90, ready 1.20, earliest 2.00, entry 2.00 bars (4.00 s)"]
    assert ew.summary("set", rows).startswith("set: 2/3 came in, 1 on a downbeat;")
    assert ew.summary("set", rows).endswith("the beat alone reaches an earlier downbeat on 1; later than 2.05 bars: "
                                            "none; the onsets kind's gate: none")
    rows[0] |= {"late": "onsets", "gate": "count"}
    assert ew.summary("set", rows).endswith("later than 2.05 bars: onsets 1; the onsets kind's gate: count 1")


def test_the_first_gate_and_the_onsets_by_the_third_downbeat_s_decision():
    """The gate that opened: the DENSE_ONSETS-th onset (count), more onsets waiting for the 2 s (span: a fast
    figure), fewer over SPARSE_SPAN (sparse); the onsets heard by the decision of a third downbeat at 3.0 s
    (REACH + ENTRY_DECIDE before it: 2.82 s) and their span."""
    n = ew.beat.DENSE_ONSETS
    assert ew.gate([0.3 * i for i in range(n)]) == "count"
    assert ew.gate([0.2 * i for i in range(n + 3)]) == "span"
    assert ew.gate([2.0 * i for i in range(ew.beat.SPARSE_ONSETS)]) == "sparse"
    assert ew.by_decision([0.5, 1.0, 1.5, 2.0, 2.5, 2.8, 2.9, 3.0], 3.0) == (6, 2.3)
    assert ew.by_decision([], 3.0) == (0, 0.0)


def test_a_late_entry_s_kind_in_order():
    """An entry past 2 bars: off the downbeat first, then the third downbeat itself past 2 bars, the schedule's
    wait, else the first readiness step not there at the third downbeat (at 8.0 s here), else the look-ahead:
    ready before that downbeat but less than REACH s before it (the plan's reach missed it)."""
    steps = {"onsets": 7.0, "beat": 7.5, "ready": 8.05}
    row = {"entry": 3.0, "on": True, "slack": 0.0, "cause": "", "entry_s": 9.0, "first": 1.0}
    assert ew.late(steps, row | {"entry": 2.0}, 8.0) == ""
    assert ew.late(steps, row | {"on": False}, 8.0) == "downbeat"
    assert ew.late(steps, row | {"entry_s": 7.0}, 8.0) == "third downbeat"     # a pickup: bar 3 at 2.2 bars
    assert ew.late(steps, row | {"slack": 1.0, "cause": "aqsaq evidence"}, 8.0) == "meter"
    assert ew.late(steps, row | {"slack": 1.0, "cause": "4/4 over 2/4"}, 8.0) == "bar line"
    assert ew.late(steps, row, 8.0) == "key/presence"
    assert ew.late(steps | {"beat": 8.05}, row, 8.0) == "beat lock"
    assert ew.late(steps | {"onsets": 8.05}, row, 8.0) == "onsets"
    assert ew.late(steps | {"ready": 8.0 - ew.REACH / 2}, row, 8.0) == "look-ahead"
    assert ew.late(steps | {"ready": 8.0 - 2 * ew.REACH}, row, 8.0) == "other"
