"""bench/live_song.py: the input stamps as live makes them, the band's stuck notes, and its entry row."""

import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jack")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import live_song as ls  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402

BN1 = ROOT.parent / "shared" / "data" / "guitarset-dev" / "gscomp_00_BN1-129-Eb.mid"
EXAMPLE = ROOT / "examples" / "d_dorian_96_4-4.mid"


def test_arrival_stamps_are_late_by_at_most_a_period_and_the_gil_and_keep_their_order():
    messages = read_guitar_file(EXAMPLE).messages[:400]
    stamped = ls.arrival_stamps(messages, ls.JACK_PERIOD, seed=3)
    true = np.array([m.time for m in messages])
    got = np.array([m.time for m in stamped])
    late = got - true
    assert late.min() >= 0.0 and late.max() <= ls.JACK_PERIOD + ls.GIL_WAIT + 1e-9
    assert np.all(np.diff(got) >= 0)
    assert [(m.status, m.data1, m.data2) for m in stamped] == [(m.status, m.data1, m.data2) for m in messages]
    assert late.std() > 0.001                                   # jitter, not a constant delay
    again = ls.arrival_stamps(messages, ls.JACK_PERIOD, seed=3)
    assert [m.time for m in again] == list(got)                 # a seed gives the same stamps


def test_stuck_notes_counts_band_notes_left_sounding():
    on, off = 0x90 | 6, 0x80 | 6
    assert ls.stuck_notes([(0, bytes([on, 50, 90]))]) == 1
    assert ls.stuck_notes([(0, bytes([on, 50, 90])), (10, bytes([off, 50, 0]))]) == 0
    assert ls.stuck_notes([(0, bytes([on, 50, 90])), (10, bytes([on, 50, 0]))]) == 0       # velocity 0 is an off
    assert ls.stuck_notes([(0, bytes([on, 50, 90])), (10, bytes([0xB0 | 6, 123, 0]))]) == 0  # all notes off
    assert ls.stuck_notes([(0, bytes([0x90, 50, 90]))]) == 0                                 # the guitar's channel
    assert ls.stuck_notes([(0, bytes([on, 50, 90])), (5, bytes([0x90 | 9, 36, 90]))]) == 2


def test_entry_row_in_seconds_after_the_guitar_and_beats_from_the_nearest_downbeat():
    run = ls.Run(notes=[(3.25, 90), (3.5, 80)])
    beats = np.arange(0.0, 10.0, 0.5)
    bars = beats[::4]
    row = ls.entry_row(run, np.array([1.0, 1.5]), beats, bars)
    assert row == {"entry_s": 2.25, "entry_from_downbeat_beats": 1.5}
    assert ls.entry_row(ls.Run(), np.array([1.0]), beats, bars) == {"entry_s": None}


@pytest.mark.skipif(not BN1.exists(), reason="GuitarSet dev takes not here")
def test_virtual_run_with_live_stamps_moves_only_the_inputs_not_the_take():
    exact = ls.virtual_run(BN1, "auto", until=8.0)
    live = ls.virtual_run(BN1, "auto", until=8.0, jitter=1)
    assert exact.notes and live.notes
    assert abs(live.notes[0][0] - exact.notes[0][0]) < 0.6     # the same entry, give or take a beat at 129 BPM
