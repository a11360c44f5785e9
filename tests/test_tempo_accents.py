"""The tempo's accent level (TempoEstimator.accent_level): half the period when the strums half-way between the
beats are as loud as those on them and the strums elsewhere softer; the period when a place has too few strums.
The half-tempo level (TempoEstimator.quarter_level): half the period when the strums fill a slow beat's quarters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.events import InputMessage
from engine.listen import Listener
from engine.listen.tempo import TempoEstimator
from tests.conftest import ticks


def strums(half_notes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8 s of 60 BPM: a loud strum on every beat and half-way (velocity / 127 = 0.8), soft ones on the quarters
    between (0.4); the beat's strums weigh most for the phase. Half-way strums hold `half_notes` notes."""
    t, w, loud, notes = [], [], [], []
    for k in range(8):
        for offset, weight, level, size in ((0.0, 1.0, 0.8, 3), (0.25, 0.3, 0.4, 3), (0.5, 0.6, 0.8, half_notes),
                                             (0.75, 0.3, 0.4, 3)):
            t.append(k + offset)
            w.append(weight)
            loud.append(level)
            notes.append(size)
    return np.array(t), np.array(w), np.array(loud), np.array(notes)


def test_half_way_strums_as_loud_as_the_beat_halve_the_period():
    est = TempoEstimator()
    t, w, loud, notes = strums(3)
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 0.5


def test_single_notes_half_way_are_no_beat():
    est = TempoEstimator()
    t, w, loud, notes = strums(1)      # a melody's eighths half-way: not counted, too few strums there
    notes[1::4] = notes[3::4] = 1      # (a line: the notes beside them single too; a lone one is a boom-chick's bass)
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 1.0


def test_a_louder_half_way_strum_keeps_the_period():
    est = TempoEstimator()
    t, w, loud, notes = strums(3)
    loud[2::4] = 1.0                   # half-way strums louder than the beat's (1.25 x): the grid is off the beat
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 1.0


# ---- half tempo (TempoEstimator.quarter_level) -------------------------------------------------------------------

def onsets_at(places: tuple[float, ...], period: float, beats: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Onsets at `places` (shares of a beat) of every beat of a grid of `period` s, all of weight 1."""
    t = [k * period + p * period for k in range(beats) for p in places]
    return np.array(t), np.ones(len(t))


def test_strums_on_a_slow_beats_quarters_halve_the_period():
    est = TempoEstimator()
    t, w = onsets_at((0.0, 0.25, 0.5), 0.97)       # chord, its "and", bass, rest: a 2/4 figure at 124 heard at 62
    est.scores(t, w)
    assert est.quarter_level(t, w, 0.97) == 0.485


def test_a_slow_songs_eighths_keep_the_period():
    est = TempoEstimator()
    t, w = onsets_at((0.0, 0.5), 0.97)             # strums on the beat and its half only
    est.scores(t, w)
    assert est.quarter_level(t, w, 0.97) == 0.97


def test_funk_sixteenths_keep_the_period():
    est = TempoEstimator()
    t, w = onsets_at((0.0, 0.25, 0.5, 0.75), 0.612)   # 98 BPM: twice is past QUARTER_BPM
    est.scores(t, w)
    assert est.quarter_level(t, w, 0.612) == 0.612


def figure_take(bpm: float, seed: int, bars: int = 40) -> list[InputMessage]:
    """A 2/4 figure, humanised by a fixed seed: a chord on beat 1 and on its "and", a lone louder bass note on beat
    2, nothing on its "and" (sim3's tuning_tail_2-4 F-major): it repeats every two beats."""
    rng = np.random.RandomState(seed)
    period = 60.0 / bpm
    chords = [((53, 57, 60, 65), 41), ((55, 58, 62, 67), 43), ((52, 55, 60, 64), 48), ((53, 57, 60, 65), 41)]
    msgs = []
    for bar in range(bars):
        chord, bass = chords[(bar // 2) % 4]
        for at, velocity, notes in ((0.0, 62, chord), (0.5, 54, chord), (1.0, 83, (bass,))):
            t = 0.5 + (2 * bar + at) * period + rng.normal(0, 0.008)
            for j, pitch in enumerate(notes):
                msgs.append(InputMessage(t + 0.008 * j, 0x90, pitch, velocity))
                msgs.append(InputMessage(t + 0.45 * period, 0x80, pitch, 0))
    return sorted(msgs, key=lambda m: m.time)


@pytest.mark.parametrize(("bpm", "seed"), [(128, 2), (132, 1), (140, 1)])
def test_a_two_beat_figure_keeps_its_tempo(bpm, seed):
    # On main the comb's bar repeat took these to half tempo (62-70 BPM) for the rest of the take.
    listener = Listener()
    msgs = figure_take(bpm, seed)
    slowest = math.inf
    for now in ticks(listener, msgs, msgs[-1].time):
        if now >= 6.0:
            slowest = min(slowest, listener.beat.bpm)
    assert slowest > 0.9 * bpm


def test_a_two_beat_figure_heard_at_half_tempo_comes_back():
    # At 140 BPM the figure drops to 70 for a while (the rival level), and doubles back within the take.
    listener = Listener()
    msgs = figure_take(140, 0)
    run = list(ticks(listener, msgs, msgs[-1].time))
    assert run and listener.beat.bpm == pytest.approx(140, rel=0.03)


# ---- a level that splits the bar (TempoEstimator.bar_level) -------------------------------------------------------

def waltz_take(bpm: float, seed: int, bars: int = 40) -> list[InputMessage]:
    """A fast waltz, humanised by a fixed seed: a bass note on beat 1, a four-note chord on beats 2 and 3 (review21's
    fastwaltz takes): the figure repeats every three beats."""
    rng = np.random.RandomState(seed)
    period = 60.0 / bpm
    shapes = [(45, (57, 60, 64, 69)), (50, (57, 62, 65, 69)), (40, (56, 59, 62, 64)), (45, (57, 60, 64, 69))]
    msgs = []
    for bar in range(bars):
        bass, chord = shapes[(bar // 2) % 4]
        for beat, velocity, notes in ((0, 85, (bass,)), (1, 70, chord), (2, 68, chord)):
            t = 0.5 + (3 * bar + beat) * period + rng.normal(0, 0.004)
            for j, pitch in enumerate(notes):
                msgs.append(InputMessage(t + 0.012 * j, 0x90, pitch, velocity))
                msgs.append(InputMessage(t + 0.8 * period, 0x80, pitch, 0))
    return sorted(msgs, key=lambda m: m.time)


def test_a_figure_one_and_a_half_beats_long_halves_the_period():
    est = TempoEstimator()
    t, w = onsets_at((0.0, 1 / 3, 2 / 3), 1.2)                # bass, chord, chord at 150 heard two quarters a beat
    w[::3] = 2.0                                                # the bass weighs more: the figure is three quarters
    est.scores(t, w)
    assert est.bar_level(0.8) == pytest.approx(0.4)


def test_a_two_beat_figure_keeps_the_period_that_splits_nothing():
    est = TempoEstimator()
    t, w = onsets_at((0.0, 0.5), 0.8)                           # a polka's bass and chord at 150, heard at 75
    w[::2] = 2.0
    est.scores(t, w)
    assert est.bar_level(0.8) == 0.8


@pytest.mark.parametrize(("bpm", "seed"), [(150, 1), (168, 2), (180, 3)])
def test_a_fast_waltz_is_heard_at_its_quarter(bpm, seed):
    # On main the tempo prior took two quarters as the beat (75-90 BPM): the band's 3/4 bar spanned two of the
    # player's, its beats on his 1, 3, 2.
    listener = Listener()
    msgs = waltz_take(bpm, seed)
    run = list(ticks(listener, msgs, msgs[-1].time))
    assert run and listener.beat.bpm == pytest.approx(bpm, rel=0.03)


# ---- compound time's accents heard in quarters (TempoEstimator.dotted_level) ---------------------------------------

def eighths(accented: tuple[int, ...], eighth: float, bars: int = 12) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Six strummed eighths a bar of `eighth` s each, all of weight 1: loud (0.75) on the `accented` eighths of the
    bar, soft (0.5) on the others. Returns (times, weights, loudness)."""
    t = np.array([(6 * bar + e) * eighth for bar in range(bars) for e in range(6)])
    loud = np.array([0.75 if e in accented else 0.5 for _ in range(bars) for e in range(6)])
    return t, np.ones(len(t)), loud


def test_accents_on_one_and_four_lengthen_the_quarter_to_the_dotted_quarter():
    est = TempoEstimator()
    t, w, loud = eighths((0, 3), 0.317)             # 6/8 at 63 dotted quarters, heard in quarters (94.6 BPM)
    est.scores(t, w)
    assert est.dotted_level(t, w, loud, 0.634) == pytest.approx(0.951)


def test_accents_on_the_quarters_keep_the_quarter():
    est = TempoEstimator()
    t, w, loud = eighths((0, 2, 4), 0.317)          # 3/4 strummed in eighths, its beats accented
    est.scores(t, w)
    assert est.dotted_level(t, w, loud, 0.634) == 0.634
    t, w, loud = eighths((0,), 0.317)               # ... or only its first beat
    est.scores(t, w)
    assert est.dotted_level(t, w, loud, 0.634) == 0.634


def test_strums_all_alike_keep_the_quarter():
    est = TempoEstimator()
    t, w, loud = eighths((), 0.317)
    est.scores(t, w)
    assert est.dotted_level(t, w, np.zeros(len(t)), 0.634) == 0.634    # no loudness known (GuitarSet)


def six_eight_take(dotted_bpm: float, figure: str, seed: int, bars: int = 24) -> list[InputMessage]:
    """6/8 strummed on every eighth, humanised by a fixed seed: `figure` "DUDUDU" or "DDUDDU" (down strums from the
    bass string up, six notes; up strums from the top, four), accents on eighths 1 and 4 (velocity 92 against 62;
    review20's 6/8 takes), one chord a bar (I IV V I)."""
    rng = np.random.RandomState(seed)
    eighth = 60.0 / dotted_bpm / 3
    chords = [(40, 47, 52, 56, 59, 64), (45, 52, 57, 61, 64, 69), (47, 54, 59, 63, 66, 71), (40, 47, 52, 56, 59, 64)]
    msgs = []
    for bar in range(bars):
        chord = chords[bar % 4]
        for e, stroke in enumerate(figure):
            t = 0.5 + (6 * bar + e) * eighth + rng.normal(0, 0.006)
            velocity = 92 if e in (0, 3) else 62
            strings = chord if stroke == "D" else chord[:1:-1]
            for j, pitch in enumerate(strings):
                msgs.append(InputMessage(t + 0.008 * j, 0x90, pitch, velocity))
                msgs.append(InputMessage(t + 0.9 * eighth, 0x80, pitch, 0))
    return sorted(msgs, key=lambda m: m.time)


@pytest.mark.parametrize(("bpm", "seed"), [(63, 1), (56, 2), (72, 3)])
def test_six_eight_strummed_in_eighths_is_heard_in_dotted_quarters(bpm, seed):
    # On main the quarter (two eighths) was the beat and the meter 3/4: the band's tökpe-waltz at 94.5 (review20).
    # The grid's beats fall on the accents (a grid at the dotted quarter may sit on any of the eighths).
    listener = Listener()
    msgs = six_eight_take(bpm, "DUDUDU", seed)
    beat = 60.0 / bpm
    heard = []
    for now in ticks(listener, msgs, msgs[-1].time):
        if now >= 12.0 and listener.beat.period is not None:
            grid = listener.grid()
            on = grid.beat_at(0.5 + round((now - 0.5) / beat) * beat)      # the player's beat nearest now
            heard.append(abs(listener.beat.bpm / bpm - 1) < 0.04 and grid.meter == "6/8" and abs(on - round(on)) < 0.1)
    assert heard and sum(heard) >= 0.9 * len(heard)
