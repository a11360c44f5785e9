"""bench/metrics.py's tempo scores on hand-made truths: the quarter of an aqsaq take, and a take whose tempo steps."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import metrics  # noqa: E402

GROUPS = {"5/8": (3, 2), "7/8": (2, 2, 3)}


def aqsaq_truth(meter: str, quarter_bpm: float, bars: int) -> tuple[np.ndarray, np.ndarray]:
    """(beats, pulse) in s of `bars` bars of an aqsaq `meter` at `quarter_bpm`: the beats its groups' starts, the
    pulse every eighth."""
    eighth = 30.0 / quarter_bpm
    pulse = np.arange(bars * sum(GROUPS[meter]) + 1) * eighth
    starts = np.cumsum((0,) + GROUPS[meter])[:-1]
    beats = np.array([(b * sum(GROUPS[meter]) + s) * eighth for b in range(bars) for s in starts])
    return beats, pulse


@pytest.mark.parametrize("meter", list(GROUPS))
@pytest.mark.parametrize("bars", [20, 21])
def test_an_aqsaq_takes_reference_tempo_is_its_quarter(meter, bars):
    beats, pulse = aqsaq_truth(meter, 120.0, bars)
    assert metrics.reference_tempo(beats, pulse) == pytest.approx(120.0)
    assert metrics.tempo_scores(120.0, beats, pulse=pulse) == {"strict": 1.0, "octave": 1.0}
    # the mean beat (2.5 eighths in 5/8, 7/3 in 7/8) is no tempo a score or a DAW shows
    mean_beat = 120.0 * len(GROUPS[meter]) * 2 / sum(GROUPS[meter])
    assert metrics.tempo_scores(mean_beat, beats, pulse=pulse)["strict"] == 0.0


@pytest.mark.parametrize("bars", [20, 21])
def test_without_the_pulse_a_5_8_median_beat_is_no_tempo(bars):
    # why the pulse is needed: the median interval of 3+2 groups is half the dotted quarter or the mean of the
    # two, by the parity of the count (80 or 96 BPM for a 120 BPM quarter), never the quarter's 120
    beats, _ = aqsaq_truth("5/8", 120.0, bars)
    assert metrics.reference_tempo(beats) in (pytest.approx(80.0), pytest.approx(96.0))


@pytest.mark.parametrize("meter", list(GROUPS))
def test_a_reported_quarter_tempo_scores_against_an_aqsaq_pulse(meter):
    _, pulse = aqsaq_truth(meter, 150.0, 24)
    assert metrics.tempo_track_scores([{"time": 0.0, "bpm": 150.0}], pulse, per_quarter=True) == \
        {"strict": 1.0, "octave": 1.0}
    assert metrics.tempo_track_scores([{"time": 0.0, "bpm": 100.0}], pulse, per_quarter=True)["strict"] == 0.0


def step_truth(before: float, after: float, n_before: int, n_after: int) -> np.ndarray:
    """Beat times (s): `n_before` beats at `before` BPM, then `n_after` at `after`."""
    ibi = [60.0 / before] * n_before + [60.0 / after] * n_after
    return np.concatenate([[0.0], np.cumsum(ibi)])


@pytest.mark.parametrize(("n_before", "n_after"), [(30, 31), (31, 30)])
def test_a_tempo_step_is_judged_beat_by_beat(n_before, n_after):
    beats = step_truth(70.0, 60.0, n_before, n_after)
    step = beats[n_before]
    # a listener that followed the step a beat late is right, whichever side has more beats ...
    followed = [{"time": 0.0, "bpm": 70.0}, {"time": step + 1.0, "bpm": 60.0}]
    assert metrics.tempo_track_scores(followed, beats) == {"strict": 1.0, "octave": 1.0}
    # ... and one that kept either tempo is right only where more beats were played at it
    for kept, more in ((70.0, n_before > n_after), (60.0, n_after > n_before)):
        assert metrics.tempo_track_scores([{"time": 0.0, "bpm": kept}], beats)["strict"] == float(more)


def test_a_tempo_an_octave_off_is_octave_right_not_strict():
    beats = step_truth(80.0, 80.0, 20, 20)
    assert metrics.tempo_track_scores([{"time": 0.0, "bpm": 160.0}], beats) == {"strict": 0.0, "octave": 1.0}
    assert metrics.tempo_track_scores([{"time": 100.0, "bpm": 80.0}], beats) == {"strict": 0.0, "octave": 0.0}


def test_a_take_heard_at_half_tempo_for_a_while_is_octave_right_and_strict_as_long_as_most_beats_are():
    beats = step_truth(130.0, 130.0, 40, 40)
    half_later = [{"time": 0.0, "bpm": 130.0}, {"time": beats[30], "bpm": 65.0}]
    assert metrics.tempo_track_scores(half_later, beats) == {"strict": 0.0, "octave": 1.0}
    half_at_the_end = [{"time": 0.0, "bpm": 130.0}, {"time": beats[60], "bpm": 65.0}]
    assert metrics.tempo_track_scores(half_at_the_end, beats) == {"strict": 1.0, "octave": 1.0}


def test_aqyns_one_tempo_is_what_it_reported_at_its_beats_against_the_same_reference_as_the_peers():
    # accuracy.tempo_scores_ours: aqyn's aqsaq beats are the groups (no tempo by their median), its reported
    # tempo the quarter; the one-tempo summary is the reported tempo's median, scored as the peers' are
    import types

    import accuracy  # noqa: PLC0415

    from engine.analyze import Analysis  # noqa: PLC0415

    beats, pulse = aqsaq_truth("5/8", 120.0, 21)
    piece = types.SimpleNamespace(beats=beats, info={"truth": {"pulse": list(pulse)}})
    heard = Analysis(file="x", duration=30.0, mode="online", beats=list(beats[4:]),
                     tempo=[{"time": 0.5, "bpm": 90.0}, {"time": beats[4], "bpm": 121.0}])
    scores = accuracy.tempo_scores_ours(piece, heard, 60.0)
    assert scores["strict"] == 1.0 and scores["track strict"] == 1.0
    wrong = Analysis(file="x", duration=30.0, mode="online", beats=list(beats[4:]),
                     tempo=[{"time": 0.5, "bpm": 96.0}])     # the groups' mean beat, as the old median read it
    scores = accuracy.tempo_scores_ours(piece, wrong, 60.0)
    assert scores["strict"] == 0.0 and scores["track strict"] == 0.0
