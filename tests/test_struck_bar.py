"""The band keeps its bar on the beat the player strikes more (issues 11 and 12, session 25 meter25): while the
listener is not sure of its bar, the band does not move its bar line onto a "1" the player strikes less often
than the beat the band's bar starts on.

GuitarSet's bossa comping BN1 (129 BPM, Eb): the band came in on the player's 1; the listener's pointer heard the
4 as the 1 for the first 14 s (confidence 0.74) and the band moved there at 7.0 s, onto a beat struck 0.76 times
as often as the mean beat, and back at 14.9 s (band_eval bar F 0.57)."""

from pathlib import Path

import pytest
from conftest import entry_bar_kept

from engine.bars import STRUCK_LESS, SURE, BarWatch
from engine.listen.bar_pointer import BarTracker
from engine.state import BeatGrid

ROOT = Path(__file__).resolve().parents[1]
BN1 = ROOT.parent / "shared" / "data" / "guitarset-dev" / "gscomp_00_BN1-129-Eb.mid"


def grid(confidence: float) -> BeatGrid:
    """A 4/4 grid of 0.5 s beats whose downbeats are the beat numbers n with n % 4 == 1."""
    return BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=1,
                    meter_confidence=confidence)


def test_an_unsure_listener_does_not_move_the_bar_onto_a_one_struck_less_than_the_bands():
    # band bar lines on beat 4, 8, 12 ...: the listener's 1 is the next beat; its bar's beats struck 0.8, 1, 1, 1.2
    # times the mean: the band's own line, the listener's 4, is struck half as often again (BN1: 0.71 and 1.41)
    watch = BarWatch(patience=2)
    less = (0.8, 1.0, 1.0, 1.2)
    assert [watch.bar_line(t, grid(0.7), by_beat=less) for t in (2.0, 4.0, 6.0)] == [None, None, None]
    more = (1.2, 1.0, 1.0, 0.8)
    assert [watch.bar_line(t, grid(0.7), by_beat=more) for t in (8.0, 10.0)] == [None, 1]
    assert watch.bar_line(12.0, grid(SURE), by_beat=less) == 1          # sure: followed at once
    assert [watch.bar_line(t, grid(0.7), by_beat=()) for t in (14.0, 16.0)] == [None, 1]    # not known
    # even strums (sim4's funk sixteenths: the 1 struck 0.83-0.96 times the band's line): no beat is struck less
    even = (0.95, 1.0, 1.0, 1.05)
    assert STRUCK_LESS * even[-1] < even[0]
    assert [watch.bar_line(t, grid(0.7), by_beat=even) for t in (18.0, 20.0)] == [None, 1]


def test_played_by_beat_counts_each_beat_of_the_bar_against_the_mean_beat():
    # a chord of three on every 1, a single note on the 2, 3 and 4: the mean beat holds 1.5 notes
    bars = BarTracker()
    period = 0.5
    for k in range(16):
        t = k * period
        for pitch in ((48, 52, 55) if k % 4 == 0 else (60,)):
            bars.note(t, pitch, 0.7, False)
        bars.advance(t + 0.3, lambda s: s / period, lambda n: n * period)
    by_beat = bars.played_by_beat(4, 0)
    assert by_beat == (2.0, 2 / 3, 2 / 3, 2 / 3)
    assert bars.played(4, 1) == by_beat[1] and bars.played(4, 0) == by_beat[0]


@pytest.mark.skipif(not BN1.exists(), reason="GuitarSet dev takes not here (../shared)")
def test_the_band_keeps_bn1s_one_it_came_in_on():
    off, moves = entry_bar_kept(BN1)
    assert off < 0.07 and moves == 0
