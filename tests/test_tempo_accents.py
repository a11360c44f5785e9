"""The tempo's accent level (TempoEstimator.accent_level): half the period when the strums half-way between the
beats are as loud as those on them and the strums elsewhere softer; the period when a place has too few strums.
The half-tempo level (TempoEstimator.quarter_level): half the period when the strums fill a slow beat's quarters."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from engine.events import InputMessage
from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from engine.listen.tempo import TempoEstimator
from tests.conftest import ticks

DATA = Path(__file__).parent / "data"


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


def strum(msgs: list[InputMessage], t: float, pitches, velocity: int, length: float, spread: float = 0.008) -> None:
    """Append a strum of `pitches` from t (s), one string every `spread` s, all ended `length` s after t."""
    for j, pitch in enumerate(pitches):
        msgs.append(InputMessage(t + spread * j, 0x90, pitch, velocity))
        msgs.append(InputMessage(t + length, 0x80, pitch, 0))


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
            strum(msgs, t, notes, velocity, 0.45 * period)
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


def test_old_faithful_repeating_every_bar_splits_nothing():
    # D . D U . U D U: eighths 0, 2, 3, 5, 6, 7 of a 4/4 bar, the downbeat louder. Its eighths repeat 3+3+2, so the
    # onsets repeat more every 1.5 beats than every beat or two, but most every bar (four beats): on main review27's
    # grooves at 88 flipped to 176 for 13 s at a time.
    est = TempoEstimator()
    t, w = onsets_at((0.0, 0.25, 0.375, 0.625, 0.75, 0.875), 2.727, beats=3)    # a bar of four beats at 88
    w[::6] = 2.0
    est.scores(t, w)
    assert est.bar_level(0.682) == 0.682


def test_free_chords_seconds_apart_split_nothing():
    # Four chords held 3.0, 2.2 and 3.6 s (review27's rubato intro): the autocorrelation is zero at the lags a split
    # reads; on main the split took 75 BPM to 150 and the groove after it was heard at double time.
    est = TempoEstimator()
    t, w = np.array([1.0, 4.0, 6.2, 9.8]), np.ones(4)
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


# ---- the bar's bass 1.5 beats apart (TempoEstimator.deep_split, OnsetWindow.deep) ---------------------------------

def melody_waltz_take(bpm: float, seed: int, bars: int = 40) -> list[InputMessage]:
    """A fast waltz with a melody note on every beat, humanised by a fixed seed: a bass note on beat 1 and chords on
    2 and 3 whose lowest note is the open D string (D3) in the G7 and D7 bars, a melody note of the chord over each
    beat. Every beat sounds alike and the open D string is under E3 (a `bass` note), so only the bar's bass, lower
    than the strums beside it, tells the bar."""
    rng = np.random.RandomState(seed)
    period = 60.0 / bpm
    shapes = [(48, (52, 55, 60, 64), (67, 72, 76)), (41, (53, 57, 60, 65), (65, 69, 72)),
              (43, (50, 55, 59, 65), (67, 71, 74)), (45, (52, 57, 60, 64), (69, 72, 76)),
              (38, (50, 57, 60, 66), (66, 69, 72))]
    msgs = []
    for bar in range(bars):
        bass, chord, tones = shapes[bar % len(shapes)]
        for beat in range(3):
            t = 0.5 + (3 * bar + beat) * period + rng.normal(0, 0.004)
            notes = (bass,) if beat == 0 else chord
            for j, pitch in enumerate(notes + (int(rng.choice(tones)),)):
                msgs.append(InputMessage(t + 0.01 * j, 0x90, pitch, 85 if beat == 0 else 70))
                msgs.append(InputMessage(t + 0.9 * period, 0x80, pitch, 0))
    return sorted(msgs, key=lambda m: m.time)


def test_deep_basses_one_and_a_half_beats_apart_split_the_bar():
    est = TempoEstimator()
    bass = 0.5 + 1.2 * np.array([0, 1, 2, 4, 5, 6])      # a bar of 1.2 s at 0.8 s a beat, one bar without its bass
    assert est.deep_split(bass, 0.8)
    assert not est.deep_split(bass, 0.4)                   # at the quarter the bar is three beats: whole
    assert not est.deep_split(bass[:2], 0.8)               # too few


def test_deep_basses_off_the_grid_split_nothing():
    est = TempoEstimator()
    assert not est.deep_split(0.5 + np.array([0.0, 1.2, 2.2, 3.6, 4.8]), 0.8)     # a gap of 1.25 periods


@pytest.mark.parametrize(("bpm", "seed"), [(156, 4), (172, 5), (200, 6)])
def test_a_fast_waltz_with_a_melody_on_every_beat_is_heard_at_its_quarter(bpm, seed):
    # On main every lag repeated alike (bar_level's contrast 1.02-1.06) and the open D string in the chords made the
    # bass keep every beat (bass_level): heard at two quarters a beat, the band's bar over two of the player's.
    listener = Listener()
    msgs = melody_waltz_take(bpm, seed)
    run = list(ticks(listener, msgs, msgs[-1].time))
    assert run and listener.beat.bpm == pytest.approx(bpm, rel=0.03)


# ---- slow fingerpicking heard at its eighths (TempoEstimator.picking_level) -----------------------------------------

def picked(thumb_every: int, places: tuple[float, ...] = (0.0,)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """12 s of single notes at `places` of every beat of 0.5 s (120 BPM), the thumb's bass on every `thumb_every`th
    beat: onset times, bass flags, note counts."""
    t = np.array([0.5 * (k + p) for k in range(24) for p in places])
    bass = np.array([p == 0.0 and k % thumb_every == 0 for k in range(24) for p in places])
    return t, bass, np.ones(len(t), dtype=int)


def test_a_thumb_every_fourth_beat_under_one_note_a_beat_doubles_the_period():
    est = TempoEstimator()
    t, bass, notes = picked(4)
    est.scores(t, np.where(bass, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.5) == 1.0


def test_a_thumb_every_second_beat_or_notes_between_the_beats_keep_the_period():
    est = TempoEstimator()
    t, bass, notes = picked(2)                               # the thumb keeps the half bar: a 4/4 at 120
    est.scores(t, np.where(bass, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.5) == 0.5
    t, bass, notes = picked(4, (0.0, 0.5))                   # eighths at 120: picked fast, the beat holds
    est.scores(t, np.where(bass, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.5) == 0.5


def heard_bpm(tmp_path, mid) -> float | None:
    """The tempo (BPM) the listener hears at the end of the mido file `mid`, played on the engine's tick grid."""
    from engine.io.midi_input import read_guitar_file

    mid.save(tmp_path / "take.mid")
    msgs = read_guitar_file(tmp_path / "take.mid").messages
    listener = Listener()
    assert list(ticks(listener, msgs, msgs[-1].time))
    return listener.beat.bpm


@pytest.mark.parametrize("index", [0, 4, 7])
def test_slow_fingerpicking_is_heard_at_its_beat(tmp_path, index):
    # bench/slow_fingerpick.py's takes at 50, 60 and 66 BPM (eighths over a thumb on 1 and 3): on main heard at their
    # eighths, twice the tempo.
    from bench.slow_fingerpick import PATTERNS, TEMPI, take

    mid, truth = take(TEMPI[index], index % 4, PATTERNS[index % 3], seed=index)
    assert heard_bpm(tmp_path, mid) == pytest.approx(truth["bpm"], rel=0.03)


def test_fingerpicked_eighths_at_124_stay_at_124(tmp_path):
    from bench.slow_fingerpick import take

    mid, _ = take(124, 0, "p012p210", seed=1)
    assert heard_bpm(tmp_path, mid) == pytest.approx(124, rel=0.03)


def picked_deep(thumb_every: int, bass_every: int, period: float) -> tuple[np.ndarray, ...]:
    """12 s of single notes a `period` s apart, the thumb's note (deep: under the fingers' either side) on every
    `thumb_every`th, a bass under E3 on every `bass_every`th: onset times, bass flags, note counts, deep flags."""
    n = int(12 / period)
    t = period * np.arange(n)
    k = np.arange(n)
    return t, k % bass_every == 0, np.ones(n, dtype=int), k % thumb_every == 0


def test_a_thumb_on_1_and_3_above_e3_is_heard_by_its_depth():
    # A capo lifts the thumb's note on 3 over E3: the bass falls once a bar (every 8 eighths), the thumb every 4
    est = TempoEstimator()
    t, bass, notes, deep = picked_deep(4, 8, 0.5)
    est.scores(t, np.where(deep, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.5) == 0.5           # the bass alone: no thumb on 1 and 3
    assert est.picking_level(t, bass, notes, 0.5, deep) == 1.0


def test_a_thumb_on_every_second_note_is_a_travis_beat_at_75_to_110_bpm():
    est = TempoEstimator()
    t, bass, notes, deep = picked_deep(2, 1000, 0.357)              # eighths at 168: Travis picking at 84
    est.scores(t, np.where(deep, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.357, deep) == pytest.approx(0.714)
    for period in (0.25, 0.5):                  # the thumb on 120 (eighths at 240), on 60 (a p-i-p-i arpeggio at 120)
        t, bass, notes, deep = picked_deep(2, 1000, period)
        est.scores(t, np.where(deep, 1.5, 1.0))
        assert est.picking_level(t, bass, notes, period, deep) == period


@pytest.mark.parametrize("name", ["dorian_ballad_capo2_58_e", "travis_mixolydian_capo2_84_e"])
def test_fingerpicking_under_a_capo_is_heard_at_its_beat(tmp_path, name):
    # bench/picked_songs.py: a ballad (thumb on 1 and 3) and a Travis tune (thumb on every beat) under capo 2, few
    # of the thumb's notes under E3 and so heard as a single-note line: on main at their eighths (106.8, 170 BPM).
    from bench.picked_songs import SONGS, take
    from engine.analyze import run_online

    i = next(i for i, s in enumerate(SONGS) if s.name == name)
    mid, truth = take(SONGS[i], seed=i)
    mid.save(tmp_path / "take.mid")
    a, _ = run_online(read_guitar_file(tmp_path / "take.mid").messages)
    assert 60.0 / float(np.median(np.diff(a.beats))) == pytest.approx(truth["bpm"], rel=0.04)


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
            strum(msgs, t, strings, velocity, 0.9 * eighth)
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


def test_accents_on_one_and_four_take_strummed_eighths_to_the_dotted_quarter():
    est = TempoEstimator()
    t, w, loud = eighths((0, 3), 0.4)               # 6/8 at 50 dotted quarters, heard at its eighths (150 BPM)
    est.scores(t, w)
    assert est.eighth_level(t, w, loud, np.full(len(t), 6), 0.4) == pytest.approx(1.2)
    notes = np.where(np.arange(len(t)) % 3 == 0, 1, 4)  # a bass alone on each accent: a fast waltz's bar, not 6/8
    assert est.eighth_level(t, w, loud, notes, 0.4) == 0.4
    t, w, loud = eighths((0, 2, 4), 0.4)            # accents every two eighths
    est.scores(t, w)
    assert est.eighth_level(t, w, loud, np.full(len(t), 6), 0.4) == 0.4


@pytest.mark.parametrize(("bpm", "seed"), [(50, 1), (56, 2)])
def test_six_eight_strummed_down_down_up_is_heard_in_dotted_quarters(bpm, seed):
    # bench/compound_strums.py's kind: on main heard at the eighths (150) for the whole take at 50, for 24 s at 56.
    listener = Listener()
    msgs = six_eight_take(bpm, "DDUDDU", seed)
    heard = [abs(listener.beat.bpm / bpm - 1) < 0.04 for now in ticks(listener, msgs, msgs[-1].time)
             if now >= 12.0 and listener.beat.period is not None]
    assert heard and sum(heard) >= 0.9 * len(heard)


# ---- an oom-pah heard at half tempo (TempoEstimator.oompah_level) ---------------------------------------------------

def oompah(period: float, half_notes: int = 4, beats: int = 10) -> tuple[np.ndarray, ...]:
    """Onsets t, w, bass, notes of a grid of `period` s: a lone bass note on every beat, a strum of `half_notes` notes
    (no bass) half-way; the strums weigh more."""
    t = np.arange(2 * beats) * 0.5 * period
    bass = np.arange(len(t)) % 2 == 0
    notes = np.where(bass, 1, half_notes)
    return t, np.where(bass, 1.0, 2.0), bass, notes


def test_a_bass_and_a_chord_taking_turns_at_90_are_a_beat_each():
    est = TempoEstimator()
    t, w, bass, notes = oompah(0.667)
    est.scores(t, w)
    assert est.oompah_level(t, w, bass, notes, 0.667) == pytest.approx(0.3335)


def test_an_oom_pah_at_a_slow_level_or_without_chords_keeps_the_period():
    est = TempoEstimator()
    t, w, bass, notes = oompah(1.2)                   # bass on the beat, chord on its "and" at 50: 100 is no polka
    est.scores(t, w)
    assert est.oompah_level(t, w, bass, notes, 1.2) == 1.2
    t, w, bass, notes = oompah(0.667, half_notes=1)         # a line of single notes: no chord on the "pah"
    est.scores(t, w)
    assert est.oompah_level(t, w, bass, notes, 0.667) == 0.667
    t, w, bass, notes = oompah(0.645, beats=12)
    turns = np.isin(np.arange(len(t)) % 4, (0, 3))         # a bass every second beat, a chord on the next one's "and"
    t, w, bass, notes = t[turns], w[turns], bass[turns], notes[turns]      # (sim2's dynamics_2-4 Bb-minor at 93)
    est.scores(t, w)
    assert est.oompah_level(t, w, bass, notes, 0.645) == 0.645


@pytest.mark.parametrize(("bpm", "key"), [(150, "C"), (180, "G"), (210, "Am")])
def test_an_oom_pah_polka_is_heard_at_its_quarter(tmp_path, bpm, key):
    # bench/fast_waltz.py's oom-pah (review22's polka_C_180_2-4): on main heard at half, the band's beat on the "pah".
    from bench.fast_waltz import oompah as oompah_take

    take = oompah_take(bpm, key, 2, seed=bpm)
    take.save(tmp_path / "take.mid", "2/4", key, bpm)
    msgs = read_guitar_file(tmp_path / "take.mid").messages
    listener = Listener()
    assert list(ticks(listener, msgs, msgs[-1].time))
    assert listener.beat.bpm == pytest.approx(bpm, rel=0.03)


def test_a_bass_and_a_chord_taking_turns_at_132_are_a_beat_each():
    # review36's polka_F_132_2bar (2/4 oom-pah at 132) was heard at 66, under OOMPAH_BPM's old 140
    est = TempoEstimator()
    t, w, bass, notes = oompah(60 / 66)
    est.scores(t, w)
    assert est.oompah_level(t, w, bass, notes, 60 / 66) == pytest.approx(30 / 66)


@pytest.mark.parametrize(("name", "bpm", "key", "seed"), [("polka-1bar", 132, "F", 316), ("bluegrass", 140, "C", 323)])
def test_a_polka_or_boom_chick_at_132_140_is_heard_at_its_quarter(tmp_path, name, bpm, key, seed):
    # bench/polka_takes.py's converter-like takes: on main heard at 61-71 from the first grid on, the band at half
    from bench.polka_takes import FIGURES, take

    mid, _ = take(*FIGURES[name], bpm, key, seed, bars=16)
    mid.save(tmp_path / "take.mid")
    msgs = read_guitar_file(tmp_path / "take.mid").messages
    listener = Listener()
    heard = [listener.beat.bpm for now in ticks(listener, msgs, msgs[-1].time) if now > 6.0]
    assert heard and listener.beat.bpm == pytest.approx(bpm, rel=0.03)
    assert np.mean([b is not None and abs(b / bpm - 1) < 0.03 for b in heard]) > 0.9


def test_a_thumb_once_a_3_4_bar_under_one_note_a_beat_doubles_the_period():
    # T 3 2 1 2 3 on the eighths of a 3/4 (sim4's picked fermata ballad at 66, heard at 132): the thumb every sixth
    est = TempoEstimator()
    t, bass, notes, deep = picked_deep(6, 6, 0.45)
    est.scores(t, np.where(bass, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.45) == pytest.approx(0.9)
    assert est.picking_level(t, bass, notes, 0.45, bar_only=True) == pytest.approx(0.9)
    t, bass, notes, deep = picked_deep(4, 4, 0.45)                  # a thumb on 1 and 3: not in compound time
    est.scores(t, np.where(bass, 1.5, 1.0))
    assert est.picking_level(t, bass, notes, 0.45) == pytest.approx(0.9)
    assert est.picking_level(t, bass, notes, 0.45, bar_only=True) == 0.45


# ---- a beat and its "and" heard as two beats (TempoEstimator.pair_level) ---------------------------------------------

def paired(places: tuple[float, ...], louds: tuple[float, ...], beat: float = 0.8,
           bars: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """`bars` bars of 4/4 at `beat` s a beat, a strum at each of `places` (beats) of every bar with loudness `louds`
    (velocity / 127): onset times, loudness."""
    t = np.array([beat * (4 * b + p) for b in range(bars) for p in places])
    loud = np.array([v for _ in range(bars) for v in louds])
    return t, loud


def test_skanks_on_2_and_their_ands_halve_the_tempo_at_twice_the_period():
    # A reggae bubble (skanks on 2, &2, 4, &4, the "and"s softer) at 75: heard at 150, each skank and its "and" a beat
    est = TempoEstimator()
    t, loud = paired((1.0, 1.5, 3.0, 3.5), (0.6, 0.43) * 2)
    w = np.ones(len(t))
    est.scores(t, w)
    assert est.pair_level(t, w, loud, 0.4) == pytest.approx(0.8)
    off = ((est.pair_beat - 0.8) / 0.8 + 0.5) % 1.0 - 0.5           # beats of the slow grid from a loud skank
    assert off == pytest.approx(0.0, abs=0.02)


@pytest.mark.parametrize("places, louds", [
    ((1.0, 1.5, 3.0, 3.5), (0.5, 0.5) * 2),                      # the "and" as loud as the beat: two beats
    ((1.0, 3.0), (0.6, 0.6)),                                    # one drop: lone skanks, no pairs
    ((0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5), (0.6, 0.43) * 4),  # down-up on every beat: no rest before a pair
])
def test_strums_that_are_no_pairs_keep_the_period(places, louds):
    est = TempoEstimator()
    t, loud = paired(places, louds)
    w = np.ones(len(t))
    est.scores(t, w)
    assert est.pair_level(t, w, loud, 0.4) == 0.4


# ---- sixteenths heard at their eighths (TempoEstimator.bar_accent_level) ---------------------------------------------

def sixteenths(accent_every: int, bars: int = 6, sixteenth: float = 0.185) -> tuple[np.ndarray, np.ndarray]:
    """`bars` bars of 4/4 strummed down-up on every sixteenth (`sixteenth` s; downs 0.47, ups 0.4 of velocity 127),
    every `accent_every`th sixteenth accented (0.74; 0: none): onset times, loudness."""
    n = 16 * bars
    t = sixteenth * np.arange(n)
    loud = np.where(np.arange(n) % 2 == 0, 0.47, 0.4)
    if accent_every:
        loud[::accent_every] = 0.74
    return t, loud


def test_sixteenths_accented_once_a_bar_double_the_period_of_their_eighths():
    # sim4's sixteenths (only the 1 accented) at 81 were heard at 162: the accent falls every eight of its beats
    est = TempoEstimator()
    t, loud = sixteenths(16)
    w = np.ones(len(t))
    est.scores(t, w)
    assert est.bar_accent_level(t, loud, 0.37) == pytest.approx(0.74)
    assert est.accent_beat == pytest.approx(t[-16])                   # the last bar's one


@pytest.mark.parametrize("accent_every", [8, 0])
def test_sixteenths_accented_every_four_eighths_or_never_keep_the_period(accent_every):
    est = TempoEstimator()
    t, loud = sixteenths(accent_every)                   # a 4/4 bar at 162 accented on its one; no accent at all
    w = np.ones(len(t))
    est.scores(t, w)
    assert est.bar_accent_level(t, loud, 0.37) == 0.37


@pytest.mark.parametrize("name, bpm", [("reggae-bubble-bb-dorian-75-sim4", 75.0), ("picked-3-4-a-major-66-sim4", 66.2),
                                       ("sixteenths-db-mixolydian-81-sim4", 81.1),
                                       ("bluegrass-d-major-235-sim4", 234.7)])
def test_sim4_grooves_heard_at_double_tempo_are_heard_at_their_beat(name, bpm):
    # sim4 (bench/player_sim.py --grooves, seed 6): a reggae bubble heard at 150, a picked 3/4 ballad (T 3 2 1 2 3)
    # heard at 132, sixteenths (only the 1 accented) heard at 162 and a bluegrass boom-chuck at 235 heard at its bar,
    # 116 (over the tempo range's top, 220), on main; the first 25 s (before the ballad's held bar)
    msgs = [m for m in read_guitar_file(DATA / f"{name}.mid").messages if m.time < 25.0]
    listener = Listener()
    assert list(ticks(listener, msgs, msgs[-1].time))
    assert listener.beat.bpm == pytest.approx(bpm, rel=0.04)
