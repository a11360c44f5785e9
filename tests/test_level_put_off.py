"""The tempo's figure tests put off to the next strum (`BeatTracker._level`, `settle_put_off`; bench/README.md
speed29): a strum decision that re-estimates the tempo on a sure grid leaves the tests to the next strum's first
note-on, which runs them on what the decision read (the same level and tracker state as had they run at once), and
the decision's own note no longer pays for them."""

import copy

import numpy as np
import pytest

from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from engine.listen.beat import BeatTracker
from engine.listen.replay import FEED, UPDATE, replay
from tests.conftest import example

NOTE_ON = 0x90


def _tests_state(beat: BeatTracker) -> tuple:
    """What the figure tests decide and leave behind: the period the next fit starts from, whether the level
    moved, the votes for a move, a figure's level heard, a line's or 6/8's beat and the bar's accents."""
    return (beat._acf_period, beat._moved, beat._bass_wins, beat._figure_heard, beat._line_beat, beat._bar_accents)


@pytest.mark.parametrize("name", ["a_minor_66_6-8", "d_dorian_96_4-4", "e_mixolydian_ramp_88-116_4-4"])
def test_put_off_tests_decide_as_at_once(name):
    """Each put-off's tests, run at the next strum's first note-on, leave the state they leave when run at once on
    a copy of the tracker taken at the decision: the onsets and autocorrelation they read did not change between;
    and run at once they keep the estimate (`_may_put_off`): the decision fitted the level it fits without the
    put-off. Every put-off is settled before the next strum is decided, by its first note-on's feed."""
    msgs = read_guitar_file(example(name)).messages
    listener = Listener()
    beat = listener.beat
    at_once, put_offs, settled_by_feed = None, 0, 0
    for kind, _, item, decided, _, _ in replay(listener, msgs, msgs[-1].time + 1.0):
        if kind == FEED and item.kind == NOTE_ON and item.data2 and at_once is not None:
            assert beat._put_off is None            # the feed ran the tests
            assert _tests_state(beat) == at_once
            at_once, settled_by_feed = None, settled_by_feed + 1
        elif kind == UPDATE and decided:
            assert at_once is None                  # no decision before the put-off was settled
            if beat._put_off is not None:
                twin = copy.deepcopy(beat)
                t, w, period, current, heard, compound = twin._put_off
                twin._put_off = None
                twin._tempo.hear_again(heard)
                level = twin._level_tests(t, w, period, current, compound)
                assert level == period and not twin._moved      # a put-off never moves the level: the decision
                at_once, put_offs = _tests_state(twin), put_offs + 1   # fitted the level the tests keep
    assert put_offs >= 5 and settled_by_feed >= put_offs - 1     # (the take's last one may wait for no strum)


def test_unsure_grid_runs_tests_at_once():
    """Before the grid is sure (confidence under 0.5) the estimate's tests run in the decision: nothing put off."""
    beat = BeatTracker()
    t = np.arange(0.0, 6.0, 0.5)
    for ti in t:
        beat.onset(float(ti), 1.0, True, False)
    beat.confidence, beat.period = 0.3, 0.5
    beat._level(t, np.ones_like(t), 0.5)
    assert beat._put_off is None


def test_onset_settles_without_listener():
    """A caller that feeds the tracker alone (no `Listener.feed`): the next strum's onset runs the waiting tests."""
    beat = BeatTracker()
    t = np.arange(0.0, 8.0, 0.5)
    for ti in t:
        for k in range(3):                      # three-note strums: comping, not a single-note line
            beat.onset(float(ti), 1.0, k == 0, k == 0)
    beat.confidence, beat.period = 0.9, 0.5
    assert beat._level(t, np.ones_like(t), 0.5) == pytest.approx(0.5, rel=0.05)
    assert beat._put_off is not None
    beat.onset(8.0, 1.0, False, False)          # a later note of the same strum: still waiting
    assert beat._put_off is not None
    beat.onset(8.5, 1.0, True, False)
    assert beat._put_off is None


def test_settle_reads_the_decisions_autocorrelation():
    """A `scores` call between the decision and the next strum (a sudden change's check: `_accents_keep`) leaves
    the waiting tests reading the decision's autocorrelation: the same state as the tests run at once."""
    beat = BeatTracker()
    t = np.arange(0.0, 8.0, 0.5)
    for ti in t:
        for k in range(3):
            beat.onset(float(ti), 1.0 if k else 1.5, k == 0, k == 0)
    beat.confidence, beat.period = 0.9, 0.5
    beat._onsets.loud = type(beat._onsets.loud)([0.9 if i % 2 == 0 else 0.5 for i in range(len(t))])
    beat._acf_period = beat._level(t, np.ones_like(t), 0.5)
    twin = copy.deepcopy(beat)
    twin.settle_put_off()
    other = np.arange(0.0, 8.0, 0.37)
    beat._tempo.scores(other, np.ones_like(other))
    beat.onset(8.5, 1.0, True, False)
    assert _tests_state(beat) == _tests_state(twin)
    assert beat._tempo.last_acf is not None and np.array_equal(beat._tempo.last_acf, twin._tempo.last_acf)
