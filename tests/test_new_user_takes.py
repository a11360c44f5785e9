"""bench/new_user_takes.py: its takes are what their truth says (silences, beats, the free intro)."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import new_user_takes as nut  # noqa: E402


def notes_of(mid) -> list[tuple[float, float]]:
    """(on, off) seconds of every note of a one-track file written by compound_strums.midi_of."""
    t, sounding, out = 0.0, {}, []
    for msg in mid:
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            sounding[(msg.channel, msg.note)] = t
        elif msg.type in ("note_on", "note_off") and (msg.channel, msg.note) in sounding:
            out.append((sounding.pop((msg.channel, msg.note)), t))
    return out


def test_every_half_bar_stop_is_silent_from_its_start_to_the_next_downbeat():
    mid, truth = nut.half_bar_stops(406)
    spans = notes_of(mid)
    assert len(truth["stops"]) == 8
    for stop in truth["stops"]:
        assert not [s for s in spans if s[0] < stop["end"] - 0.02 and s[1] > stop["start"] + 0.001], stop


def test_the_meter_change_keeps_the_eighth_and_moves_the_beat():
    _, truth = nut.six8_then_34(403, "B.C.C.")
    change = truth["meters"][1]["time"]
    beats = np.array(truth["beats"])
    before, after = np.diff(beats[beats <= change]), np.diff(beats[beats >= change])
    assert np.allclose(before, 60 / 66, atol=1e-3) and np.allclose(after, 60 / 99, atol=1e-3)
    assert np.allclose(np.diff(truth["pulse"]), 60 / 66 / 3, atol=2e-3)       # one eighth throughout


def test_the_free_intro_has_no_beat_and_the_groove_starts_where_playing_does():
    mid, truth = nut.rubato_intro(411, nut.FREE_GAPS, 88, 0.012)
    onsets = sorted({round(on, 2) for on, _ in notes_of(mid)})
    groove = truth["playing"][0][0]
    strums = [t for i, t in enumerate(onsets) if t < groove - 0.01 and (i == 0 or t - onsets[i - 1] > 0.5)]
    assert len(strums) == 6 and np.allclose(np.diff(strums + [groove]), nut.FREE_GAPS, atol=0.02)
    assert truth["beats"][0] == groove and truth["first_onset"] == 1.0


def intro_heard(tmp_path, roll: float, after: float):
    """(a Listener, a generator of its tick times (s) over review27's free intro at 88 rolled `roll` s a string and
    `after` s of its groove, the groove's start (s)): the listener is read between ticks."""
    from engine.io.midi_input import read_guitar_file
    from engine.listen import Listener
    from tests.conftest import ticks

    mid, truth = nut.rubato_intro(411, nut.FREE_GAPS, 88, roll)
    mid.save(tmp_path / "intro.mid")
    groove = truth["playing"][0][0]
    listener = Listener()
    return listener, ticks(listener, read_guitar_file(tmp_path / "intro.mid").messages, groove + after), groove


def test_the_band_may_come_in_only_once_the_groove_after_a_free_intro_is_heard(tmp_path):
    # Six chords struck once and held 2.2-4.0 s (rolled 12 ms a string), then the groove at 88 from 19.8 s. On main
    # the listener locked on the held chords at 65 BPM and the band came in at 15.4 s, on beats never played.
    listener, heard, groove = intro_heard(tmp_path, 0.012, 6.0)
    locked = [now for now in heard if listener.locked]
    assert locked and min(locked) > groove + 1.0          # the band waits a bar or so of the groove (2.7 s)
    assert listener.beat.bpm == pytest.approx(88, rel=0.03)  # ... and takes the groove's tempo


def test_a_free_intros_chords_do_not_lean_the_groove_to_an_aqsaq_meter(tmp_path):
    # The free intro rolled 25 ms a string (review28): the aqsaq watch, fed the held chords still in the window, leaned
    # to 7/8 just after the pulse was heard and the band came in as "Aqsaq 7/8" on a 4/4 groove. After a free intro
    # the watch starts afresh on the pulse.
    listener, heard, _ = intro_heard(tmp_path, 0.025, 8.0)
    leaning = [now for now in heard
               if listener.locked and (listener.beat.leaning_bar is not None or listener.beat.meter in ("5/8", "7/8"))]
    assert not leaning, f"an aqsaq meter offered at {leaning[:3]}"
