"""The band's entry when the meter heard changes after the entry was planned (engine/schedule.py `_replan`): it
comes in on the new meter's first downbeat it can still reach once that meter has been heard a beat
(REPLAN_HOLD), not on a downbeat after the one it first planned.

The takes are bench/player_sim.py's (sim3): meter_change_3-4to4-4_Eb-lydian+tuning_tail_s23 (3/4 at 112 BPM,
then 4/4) and aqsaq_5-8_C-minor_s04 (5/8 heard 3/4 for a moment before the aqsaq watch leans), with their truth."""

from __future__ import annotations

import json
from pathlib import Path

from engine.events import Marker, Note
from engine.io.midi_input import read_guitar_file
from engine.render import play

DATA = Path(__file__).parent / "data"
TOL = 0.07      # s: an entry this near a truth downbeat is on it (bench/band_eval.py's TOL)


def entry(name: str) -> tuple[float, str, list[float]]:
    """The take `name`'s band entry: its first note (s), its "band in" marker's text, and the truth's downbeats."""
    mid = DATA / name
    _, events = play(read_guitar_file(mid))
    first = min(e.time for e in events if isinstance(e, Note))
    marker = next(e.text for e in events if isinstance(e, Marker) and e.text.startswith("band in"))
    return first, marker, json.loads(mid.with_suffix(".json").read_text())["downbeats"]


def test_a_meter_heard_after_the_plan_brings_the_entry_to_its_first_downbeat():
    # Planned at 5.44 s on a 4/4 downbeat (7.52 s, none of the player's), 3/4 heard from 5.62 s: the band comes in
    # on the player's fourth downbeat (6.39 s) in 3/4; deciding only at the planned time it came in on the fifth.
    first, marker, downbeats = entry("meter-change-3-4-to-4-4-sim3.mid")
    assert abs(first - downbeats[3]) <= TOL
    assert "3/4" in marker


def test_a_meter_heard_for_a_moment_does_not_bring_the_entry_in_early():
    # 3/4 heard at 4.78 s for a third of a beat, then 4/4 and the 5/8 lean: planned at once in the 3/4 the band came
    # in at 5.12 s, off the player's bars; held a beat, it waits for the lean and comes in on the 5/8 downbeat.
    first, marker, downbeats = entry("aqsaq-5-8-c-minor-sim3.mid")
    assert min(abs(first - d) for d in downbeats) <= TOL
    assert "5/8" in marker
