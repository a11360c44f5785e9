"""A straight groove whose accents group its eighths or sixteenths 3+3+2 (engine/listen/tempo.py `figure_level`,
engine/listen/beat.py `_figure_holds`): heard at its straight beat and in 4/4, not at the dotted level the
accents repeat at. Takes from sim4 (bench/player_sim.py --grooves, seed 6, dev)."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.analyze import run_online
from engine.io.midi_input import read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.tempo import TempoEstimator, _at_lag

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name", ["bossa-3-3-2-sim4", "funk-scratch-sim4"])
def test_a_three_three_two_groove_is_heard_at_its_straight_beat(name):
    # bossa 3-3-2 (pinches on 1, &2, 4 | 2, &3) at 129 was heard in 6/8 at 86, its dotted quarters; funk scratch
    # (chops every three sixteenths) at 98 at 131, its dotted eighths, then at 197 (main: meter 6/8 for both).
    truth = json.loads((DATA / f"{name}.json").read_text())
    messages = [m for m in read_guitar_file(DATA / f"{name}.mid").messages if m.time < 40.0]
    a, _ = run_online(messages, ListenerConfig())
    bpm = float(np.median(truth["bpm"]))
    late = np.array([e["bpm"] for e in a.tempo if e["time"] > 15.0])
    assert len(late) and np.mean(np.abs(late / bpm - 1) < 0.08) >= 0.8, (bpm, late)
    assert truth["meter"] == "4/4" and a.meter == "4/4"


def test_the_dotted_level_of_a_bar_long_figure_moves_to_its_beat():
    # units of 0.25 s accented 3+3+2, the same figure every bar: the dotted level (0.75 s) moves to two units (0.5 s)
    # when the units sounding are the accented ones (a bossa's eighths), to four (1 s) when every unit is struck
    # (funk's sixteenths); the two-unit level itself stays.
    est = TempoEstimator()
    t = np.array([bar * 2.0 + k * 0.25 for bar in range(6) for k in range(8)])
    w = np.array([1.0 if k in (0, 3, 6) else 0.3 for _ in range(6) for k in range(8)])
    est.scores(t, w)
    assert est.figure_level(0.75, t[w == 1.0]) == pytest.approx(0.5)    # (the pinches: eighths, not all struck)
    assert est.figure_level(0.5, t) == 0.5
    assert est.figure_level(0.75, t) == pytest.approx(1.0)      # every unit struck: sixteenths, four to the beat


def test_a_compound_figure_keeps_its_dotted_beat():
    # 6/8 at 0.75 s a dotted quarter, eighths accented on 1 and 4: no 3+3+2 figure, the dotted level stays.
    est = TempoEstimator()
    t = np.arange(64) * 0.25
    w = np.where(np.arange(64) % 3 == 0, 1.0, 0.3)
    est.scores(t, w)
    assert est.figure_level(0.75, t) == 0.75


@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=64), st.floats(0.0, 1.0))
def test_the_autocorrelation_read_between_frames_is_np_interp_to_the_bit(values, where):
    acf = np.array(values)
    lag = where * (len(acf) - 1.000001)
    assert _at_lag(acf, lag) == float(np.interp(lag, np.arange(len(acf), dtype=float), acf))


def test_funk_scratch_is_counted_at_its_beat_before_the_band_comes_in():
    # sim4's funk scratch at 98 (chops every three sixteenths): main heard its dotted eighth, 131, until 13 s, and the
    # band came in at 127-131; the accents every four running sixteenths give the beat from the first estimates.
    truth = json.loads((DATA / "funk-scratch-sim4.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "funk-scratch-sim4.mid").messages if m.time < 14.0]
    a, _ = run_online(messages, ListenerConfig())
    bpm = float(np.median(truth["bpm"]))
    early = np.array([e["bpm"] for e in a.tempo if 4.5 < e["time"] < 13.0])
    assert len(early) and np.mean(np.abs(early / bpm - 1) < 0.08) >= 0.8, (bpm, early)


def sixteenths(accented, bars: int = 4, unit: float = 0.153) -> tuple[np.ndarray, np.ndarray]:
    """Running units (s) over `bars` bars of 16 and each one's loudness: 0.8 on the `accented` slots of the bar, 0.35
    elsewhere, times 1.15 on the bar's first unit and 1.04 on every fourth (funk's 1 and its beats)."""
    slots = np.arange(16 * bars)
    loud = np.where(np.isin(slots % 16, accented), 0.8, 0.35) * np.where(slots % 16 == 0, 1.15,
                                                                          np.where(slots % 4 == 0, 1.04, 1.0))
    return slots * unit, loud


@pytest.mark.parametrize("chops, units", [
    ((0, 3, 6, 9, 10, 12, 15), 3),   # funk scratch's chops, heard at three sixteenths
    ((0, 5, 10, 14), 5),             # review33's syncopated vamp: chops on 1, the "e" of 2, the "and" of 3 and 4
])                                   # (five, five, four, two sixteenths apart: autocorrelation peaks at five)
def test_running_sixteenths_accented_off_the_beat_move_their_level_to_the_beat(chops, units):
    # the chops over scratches on every sixteenth: the accent repeats every four units, so the beat is four
    est = TempoEstimator()
    t, loud = sixteenths(chops)
    est.scores(t, loud)
    assert est.sixteenth_level(t, loud, units * 0.153) == pytest.approx(4 * 0.153)


@pytest.mark.parametrize("units", [3, 5])
def test_running_eighths_accented_in_threes_or_fives_keep_their_level(units):
    # a 6/8 strummed on every eighth accented on 1 and 4, or a 5/8 bar accented on its 1: no accent every four
    # units, so the level stays what it is
    est = TempoEstimator()
    t = np.arange(64) * 0.153
    loud = np.where(np.arange(64) % units == 0, 0.8, 0.35)
    est.scores(t, loud)
    assert est.sixteenth_level(t, loud, units * 0.153) == pytest.approx(units * 0.153)


def test_a_jigs_eighths_accented_in_threes_with_a_louder_first_bass_keep_their_dotted_beat():
    # review32's jig: bass, chord, chord on every eighth, the bar's first bass louder than its second; over the first
    # estimates' 15 units (2.6 s) its accents every four units reach SIXTEENTH_OVER (1.11), but the loudness repeats
    # every three units
    est = TempoEstimator()
    t = np.arange(15) * 0.172
    loud = np.tile([0.75, 0.43, 0.47, 0.67, 0.43, 0.47], 3)[:15]
    est.scores(t, loud)
    assert est.sixteenth_level(t, loud, 3 * 0.172) == pytest.approx(3 * 0.172)


@pytest.mark.parametrize("bpm", [116, 120])
def test_a_jig_at_its_usual_tempo_is_heard_at_its_dotted_quarter(bpm):
    # review32's 6/8 jigs (bass, chord, chord; bench/README.md "review32"): at 108-126 dotted quarters main heard four
    # eighths as the beat (funk's sixteenths, `sixteenth_level`), never locked, and the band never came in
    messages = read_guitar_file(DATA / f"jig-6-8-bass-chord-chord-{bpm}-review32.mid").messages
    a, _ = run_online(messages, ListenerConfig())
    heard = np.array([e["bpm"] for e in a.tempo if e["time"] > 8.0])
    assert len(heard) and np.mean(np.abs(heard / bpm - 1) < 0.05) >= 0.9, heard
    assert a.meter == "6/8"


def test_funk_scratch_beats_fall_on_the_beat_not_its_sixteenths():
    # funk scratch's chops on 1, &2, &3, 4 and on three "a"s: at its tempo main's beats slid to the "a" or the "and"
    # for bars (sim4's C-minor take: 12-24 s and 42-54 s); the beat is the accented sixteenth (the 1, the backbeats)
    # (main: 0.37 of its beats within an eighth of a beat of the truth's, 15-55 s; the branch 0.86)
    truth = json.loads((DATA / "funk-scratch-tempo-sim4.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "funk-scratch-tempo-sim4.mid").messages if m.time < 60.0]
    a, _ = run_online(messages, ListenerConfig())
    beats = np.array(truth["beats"])
    ours = np.array([b for b in a.beats if 15.0 < b < 55.0])
    k = np.clip(np.searchsorted(beats, ours), 1, len(beats) - 1)
    off = (ours - beats[k - 1]) / (beats[k] - beats[k - 1])
    off = (off + 0.5) % 1.0 - 0.5                     # (beats, -0.5..0.5 of the truth's beat)
    assert np.mean(np.abs(off) < 0.125) >= 0.8, np.round(off, 2)
