"""A meter change on the same eighth (6/8 to 3/4: a dotted quarter beat to a quarter) regroups the band's beat at
the player's next downbeat (engine/timeline.py `BandTimeline.regroup`, engine/schedule.py `_into_heard`), instead
of the time line holding the new beat as another level for sixteen beats (review27's take, bench/README.md)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from engine.events import Beat, TimeSignature
from engine.io.midi_input import read_guitar_file
from engine.render import play
from engine.state import BeatGrid
from engine.timeline import MAX_CHANGE, BandTimeline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import new_user_takes as nut  # noqa: E402


def grid(period: float, beats_per_bar: int, anchor: float = 0.0) -> BeatGrid:
    """A grid of `period` s beats with a downbeat at `anchor` s."""
    return BeatGrid(anchor_time=anchor, anchor_beat=0, period=period, beats_per_bar=beats_per_bar, downbeat_phase=0)


def times(line: BandTimeline, first: int, count: int, g: BeatGrid) -> list[float]:
    return [line.seconds_at(float(b), g) for b in range(first, first + count)]


@pytest.mark.parametrize("factor", [2 / 3, 3 / 2])
def test_a_regrouped_beat_takes_the_new_length_at_once_on_the_grids_beats(factor):
    # An established band at 0.9 s a beat (6/8's dotted quarter); the grid counts 0.6 s (3/4's quarter: the same
    # eighth), or 1.35 s the other way (3/4 to 6/8 from a 0.9 s quarter). From beat 18 (5.4 s after beat 12, on a
    # grid beat either way) the band's beat is the grid's, with no ramp between: every beat after lands on one.
    line = BandTimeline()
    old = grid(0.9, 2)
    line.start(0, old)
    before = times(line, 0, 13, old)
    new = grid(0.9 * factor, 3, anchor=before[-1])
    times(line, 12, 4, new)             # held as another level meanwhile
    assert line.regroup(18, factor)
    after = times(line, 15, 12, new)
    lengths = np.diff(after)
    assert lengths[:3] == pytest.approx(0.9, rel=0.02)            # beats 15-17: the old beat
    assert lengths[3:] == pytest.approx(new.period, rel=0.02)      # beat 18 on: the grid's
    assert all(abs((t - new.anchor_time) / new.period - round((t - new.anchor_time) / new.period)) < 0.05
               for t in after[3:])


def test_a_regroup_called_off_or_asked_for_a_decided_beat_leaves_the_beat_alone():
    line = BandTimeline()
    old = grid(0.9, 2)
    line.start(0, old)
    times(line, 0, 13, old)
    new = grid(0.6, 3, anchor=line.seconds_at(12.0, old))
    assert not line.regroup(12, 2 / 3)          # beat 12 has begun: too late
    assert line.regroup(16, 2 / 3)
    line.regroup(None)
    lengths = np.diff(times(line, 12, 8, new))
    assert all(abs(np.log(b / 0.9)) <= np.log(1 + MAX_CHANGE) for b in lengths), lengths


def test_the_band_follows_six_eight_into_three_four_on_the_same_eighth(tmp_path):
    # review27's take: 16 bars of 6/8 at 66, then 3/4 at 99 from 30.1 s. The listener names 3/4 at 37.4 s; before,
    # the band kept 6/8 until 55.5 s, its beat at 0.91 s over the player's 0.61.
    mid, truth = nut.six8_then_34(403, "B.C.C.")
    path = tmp_path / "take.mid"
    mid.save(path)
    _, events = play(read_guitar_file(path))
    change = truth["meters"][1]["time"]
    signatures = [(e.time, e.numerator, e.denominator) for e in events if isinstance(e, TimeSignature)]
    into = next(t for t, n, d in signatures if t > change and (n, d) == (3, 4))
    assert into < change + 14.0, signatures
    beats = np.array([e.time for e in events if isinstance(e, Beat) and into <= e.time < truth["playing"][0][1] - 2])
    assert len(beats) > 8 and np.median(np.diff(beats)) == pytest.approx(60 / 99, rel=0.03)
