"""Comping whose strong hits are off the 1 (issues 11 and 12, review23's L5): the band keeps the bar it came in
on when the listener's 1 moves to a beat the player leaves.

tests/data/offbeat/: review23's reggae skank in A dorian at 76 (chops on 2 and 4, a double skank every 4th bar, no
bass; written by the reviewer), and three takes of bench/offbeat_comping.py (a skank at 72, a funk chop on 2 and 4
with ghost scratches, pop strumming with the chord pushed to the "and" of 4)."""

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import entry_bar_kept

from engine.bars import LEFT, SURE, BarWatch
from engine.io.midi_input import read_guitar_file
from engine.listen.bar_pointer import BarTracker
from engine.listen.beat import BeatTracker
from engine.state import BeatGrid

DATA = Path(__file__).parent / "data" / "offbeat"
SKANK = DATA / "reggae-skank-76-am-review23.mid"


def pointer(name: str, until: float = 40.0) -> BarTracker:
    """A bar pointer fed take `name`'s notes (the first `until` s; no bass flags) and weighed on the truth's beats
    (truth beat 0 is a downbeat in all four takes)."""
    truth = json.loads((DATA / f"{name}.json").read_text())
    beats = np.array(truth["beats"])
    numbers = np.arange(len(beats), dtype=float)

    def beat_at(t: float) -> float:
        return float(np.interp(t, beats, numbers, left=(t - beats[0]) / (beats[1] - beats[0]), right=numbers[-1]))

    def seconds_at(n: float) -> float:
        return float(np.interp(n, numbers, beats, left=beats[0] + n * (beats[1] - beats[0]), right=beats[-1]))

    bars = BarTracker()
    for m in read_guitar_file(DATA / f"{name}.mid").messages:
        if m.status & 0xF0 == 0x90 and m.data2 and m.time < until:
            bars.note(m.time, m.data1, m.data2 / 127, False)
            bars.advance(m.time, beat_at, seconds_at)
    bars.advance(until, beat_at, seconds_at)
    return bars


def played(name: str, beat: int) -> float:
    """`BarTracker.played` for `beat` (0..3) of the truth's 4/4 bars of take `name` (`pointer`)."""
    return pointer(name).played(4, beat)


@pytest.mark.parametrize("name", ["reggae-skank-76-am-review23", "4-4_skank_72_G"])
def test_the_three_under_a_skank_is_a_beat_the_player_leaves(name):
    # the beat review23's take turned the listener's bar to; the 1 is reached by the double skank's "and" of 4
    # every fourth bar
    assert played(name, 2) == 0.0 < LEFT <= played(name, 0) < 1.0 < played(name, 1)


@pytest.mark.parametrize("name", ["4-4_push_92_G", "4-4_funk-chop_96_A"])
def test_a_one_reached_by_a_push_or_a_ghost_just_before_it_is_played(name):
    # the chord pushed to the "and" of 4 and held over the bar line, the ghost scratch on the "a" of 4: the
    # player's 1 is struck early, not left
    assert played(name, 0) >= LEFT


def test_the_band_does_not_move_its_bar_onto_a_beat_the_player_leaves_unless_sure():
    watch = BarWatch(patience=2)
    unsure = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=1,
                      meter_confidence=0.8)
    assert [watch.bar_line(t, unsure, played=0.1) for t in (2.0, 4.0, 6.0)] == [None, None, None]
    assert [watch.bar_line(t, unsure, played=LEFT) for t in (8.0, 10.0)] == [None, 1]
    sure = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=1,
                    meter_confidence=SURE)
    assert watch.bar_line(12.0, sure, played=0.0) == 1


def test_the_band_keeps_the_bar_it_came_in_on_under_a_reggae_skank():
    # review23: the band came in on the 1 and at 21.5 s moved its bars onto the listener's 1, the silent beat 3
    # (band_eval bar F 0.18); both are beats the skank leaves
    off, moves = entry_bar_kept(SKANK)
    assert off < 0.07 and moves == 0


def test_a_grid_held_on_the_bass_takes_the_fits_tempo():
    # A grid sure and standing at 0.480 s a beat; the player's bass stays on its beats at 0.478 s while the strums
    # between them pull the fit half a beat off. The grid is held on the bass (`BeatTracker._offbeat_bass`) at the
    # fit's tempo: held at the period it had when the hold began, it slid 0.2 beat off the player's in 10 s (player_sim
    # seed 7 waltz E-major s19's soft section; tests/test_bar_level.py).
    tracker = BeatTracker()
    played = 0.478
    tracker.period, tracker.anchor_beat, tracker.anchor_time = 0.480, 0, 10.0 + 15 * played   # on the last bass
    tracker.confidence, tracker._grid_from = 1.0, 0.0
    for k in range(16):
        tracker.onset(10.0 + k * played, 1.0, True, True)                  # the bass alone on the beat
        tracker.onset(10.0 + (k + 0.5) * played, 2.0, True, False)         # a heavier strum on its "and"
    now = 10.0 + 15.6 * played
    fit = (10.0 + 0.5 * played, played, 0.9)
    phase, period, confidence = tracker._offbeat_bass(now, fit)
    assert abs(tracker.beat_at(phase) - round(tracker.beat_at(phase))) < 1e-9     # the grid's own beat, held ...
    assert (period, confidence) == (played, 0.9)                                  # ... at the fit's tempo


@pytest.mark.parametrize("name", ["reggae-skank-76-am-review23", "4-4_skank_72_G"])
def test_under_a_skank_the_one_is_the_empty_beat_before_the_new_chord(name):
    # chops on 2 and 4 only: the pointer hears off-beat comping, and the chord's first chop after the bar line (its
    # harmonic news) places the 1 on the beat before it, not on the 3 (which the chop on 4 follows)
    bars = pointer(name)
    assert bars.offbeat
    assert bars.bar()[:2] == (4, 0)


def test_without_the_off_beat_cues_the_skanks_one_is_on_the_three_or_a_guess(monkeypatch):
    # never heard as off-beat comping, review23's skank has its 1 on the 3 (the rests' fitted evidence, session 22);
    # heard so but with the chord's news weighing nothing, the 1 and the 3 are a coin flip
    monkeypatch.setattr("engine.listen.bar_pointer.OFFBEAT_CHORDS", 99)
    assert pointer("reggae-skank-76-am-review23").bar()[:2] == (4, 2)
    monkeypatch.setattr("engine.listen.bar_pointer.OFFBEAT_CHORDS", 3)
    monkeypatch.setattr("engine.listen.bar_pointer.AFTER", 0.0)
    assert pointer("reggae-skank-76-am-review23").bar()[2] < 0.5


@pytest.mark.parametrize("name", ["4-4_push_92_G", "4-4_funk-chop_96_A"])
def test_strokes_just_before_the_one_and_the_three_are_no_off_beat_comping(name):
    # the push's chord on the "and" of 4 held over the bar line (and its up-strum on the "and" of 2 before the 3),
    # the funk chop's ghost scratches on the "a" of each beat: the beats between the chords are no rests
    assert not pointer(name).offbeat


def test_under_a_doubled_skank_the_one_is_the_empty_beat_before_the_new_chord():
    # reggae's doubled skank (bench/offbeat_comping.py `bubble`: chops on 2, the "and" of 2, 4 and the "and" of 4):
    # the "and" after each chop falls in the window of the beat the player leaves, which is then no rest; the chords
    # are struck out of a rest (nothing before them) and nothing is on the beats between, so it is off-beat comping,
    # and the 1 is the empty beat before the new chord (session 30: sim4 reggae Bb-dorian's bubble had its 1 on the 3)
    bars = pointer("4-4_bubble_76_D")
    assert bars.offbeat
    assert bars.bar()[:2] == (4, 0)
