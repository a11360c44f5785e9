"""bench/aqsaq_entries.py: an aqsaq take's row says when the band came in and when the watch heard the meter."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import aqsaq_entries as ae  # noqa: E402

DATA = Path(__file__).parent / "data"


def test_a_5_8_take_s_row_orders_the_watch_s_moments_and_a_square_take_has_none():
    # sim-aqsaq's 5/8 Bb-minor: the entry filter stirs before the listener, which stirs before it leans and names,
    # and the band comes in on a downbeat in 5/8 (engine/listen/aqsaq.py `stirring`).
    row = ae.take(DATA / "aqsaq-5-8-bb-minor-simaqsaq.mid")
    assert row["meter"] == "5/8" and row["on"] and "3+2" in row["heard"]
    assert row["filter"] < row["stir"] <= row["lean"] <= row["named"]
    assert row["in"] > row["filter"]
    assert ae.take(ROOT / "examples" / "a_minor_66_6-8.mid") is None
