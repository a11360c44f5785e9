"""The band's time line (engine/timeline.py) against a listener's grid that changes level: a fresh lock's tempo
corrected soon after the band came in is followed, an established tempo keeps its level through a tracker's
octave error, a tempo step is followed within two beats of the listener hearing it (also in a render of a
slow 6/8 take of the second simulator, bench/player_sim.py seed 1, `tempo_6-8_Eb-phrygian_s13`)."""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.analyze import run_online
from engine.events import Beat
from engine.io.midi_file import file_grid, merge_beat
from engine.io.midi_input import read_guitar_file
from engine.render import play, render
from engine.state import BeatGrid
from engine.timeline import FOLLOW_MOST, LEVEL_BEATS, MAX_CHANGE, STEADY_BEATS, BandTimeline

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))


def grid(period: float, anchor: float = 0.0) -> BeatGrid:
    """A 4/4 grid of `period` s beats with a beat at `anchor` s."""
    return BeatGrid(anchor_time=anchor, anchor_beat=0, period=period, beats_per_bar=4, downbeat_phase=0)


def beats(line: BandTimeline, first: int, count: int, g: BeatGrid) -> list[float]:
    """The times (s) of band beats first .. first + count - 1, decided against grid `g`."""
    return [line.seconds_at(float(b), g) for b in range(first, first + count)]


def lengths(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


@pytest.mark.parametrize("ratio", [1.5, 2 / 3, 2.0, 0.5])
def test_a_fresh_locks_tempo_corrected_at_another_level_is_followed(ratio):
    # GuitarSet's bossa at 166 BPM locked at 84 and the funk at 98 locked at 130 (a 4:3 guess corrected to a
    # 3:2 level): the band came in on the first guess, the grid corrected it a beat or two later, and the band
    # kept the first guess for eight beats as if the correction were another level of the same music, then
    # swung between levels on its way (a length on the way looked like the level again).
    line = BandTimeline()
    first = grid(0.5)
    line.start(8, first)
    beats(line, 8, 2, first)                          # two beats at the first guess
    right = grid(0.5 / ratio, anchor=first.seconds_at(9))
    times = beats(line, 9, 13, right)                # converged within about ten beats (each beat's length is
                                                     # planned when the beat before it is decided)
    last = lengths(times)[-2:]
    assert all(b == pytest.approx(right.period, rel=0.03) for b in last), (lengths(times), right.period)
    nearest = min(abs(times[-1] - right.seconds_at(k)) for k in range(0, 64))
    assert nearest < 0.03                             # and on the grid's beats, not between them


def test_two_band_beats_heard_on_one_beat_of_a_half_time_grid_do_not_stop_the_band():
    # Found by the live property test (session 29: an engine error "math domain error" in a waltz at 112 with a
    # count-in): at 0.93 s a beat the grid went to half time for 1.7 s and back. Two of the band's beats were
    # heard then on one beat of the half-time grid, and back at the band's level their interval, 0, reached
    # log(): ValueError on the engine thread, the gig over. Now the band plays on, on the grid's beats.
    line = BandTimeline()
    g = grid(0.9305)
    line.start(0, g)
    changes = [(2.85, grid(1.8611, anchor=3.2906)), (4.57, grid(0.9305, anchor=5.4968))]
    t = 0.0
    while t < 15.0:
        if changes and t >= changes[0][0]:
            g = changes.pop(0)[1]
        position = line.beat_at(t, g)
        t += 0.01
    assert min(abs(line.seconds_at(math.floor(position), g) - g.seconds_at(k)) for k in range(-5, 20)) < 0.03


@pytest.mark.parametrize("whole", [2, 3])
def test_a_first_guess_at_double_time_corrected_goes_to_the_grids_beat_by_counting_every_other(whole):
    # converter-set-b sim_01 (2/4 at 78 BPM strummed in sixteenths): the listener locked at 154 BPM, the band came
    # in on it and the grid went to the player's 0.77 s beat 2.1 s later, six band beats in: four of the music's
    # beats had not yet agreed with the first guess, but the band held it as another level for eight beats and
    # then ramped through tempos on none of the player's beats (2 missed, 11 too many; band beat F 0.84). Its
    # beats are on every other of the grid's already: it counts every other and is on the grid's tempo at once.
    line = BandTimeline()
    first = grid(0.385)
    line.start(0, first)
    times = beats(line, 0, STEADY_BEATS + 3, first)       # the grid agreed for six of the band's beats
    right = grid(0.385 * whole, anchor=times[-1])
    later = beats(line, STEADY_BEATS + 2, 8, right)
    steps = lengths(later)        # the beat planned, then the band's beats up to one on the grid's, then its tempo
    assert all(b == pytest.approx(0.385, rel=0.03) for b in steps[:whole]), steps
    assert all(b == pytest.approx(right.period, rel=0.03) for b in steps[whole:]), steps
    for t in later[whole:]:
        assert min(abs(t - right.seconds_at(k)) for k in range(-64, 64)) < 0.01, later


def test_a_double_time_first_guess_merged_shows_in_the_file_as_eighths_not_a_halved_tempo(tmp_path):
    # converter-set-b sim_01's kind (our own take of it: bench/sixteenth_strums.py, 2/4 at 72 BPM strummed in
    # sixteenths, seed 7): the band came in on the listener's double-time first guess and counted every other of its
    # beats onto the grid's beat when the grid corrected it (`_merge`). Written as the band's beats, the file's tempo
    # halved in one beat (a jump of 100 %, bench/band_eval.py); the beats before the merge are the music's eighths,
    # and the file shows them so (2/8 bars), the quarter's tempo going on.
    be = pytest.importorskip("band_eval")
    out = tmp_path / "out.mid"
    render(DATA / "sixteenths-2-4-72-double-time.mid", out)
    mid = be.read_midi(out)
    grid_ = be.daw_grid(mid)
    assert any(seg.meter == "2/8" for seg in grid_.segments), [seg.meter for seg in grid_.segments]
    band = be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS)
    truth = be.load_truth(DATA / "sixteenths-2-4-72-double-time.json")
    windows = be.compare_windows(be.band_spans(band, grid_), truth)
    assert be.jump_scores(grid_, windows, truth)["jumps_over"] == 0
    quarter_bpm = [bpm for t, bpm in grid_.tempi if t >= band[0]]
    assert max(quarter_bpm) / min(quarter_bpm) < 1.15, quarter_bpm
    assert be.beat_scores(grid_, windows, truth)["f"] > 0.95      # the band's beats where they were


def test_only_a_merge_with_every_beat_before_it_at_the_first_guess_halves_them_in_the_file():
    # The file writes the beats before a merge as eighths (`merge_beat`): right for a band that came in on a
    # double-time first guess, wrong for one that played at the music's beat before (its beats would be halved).
    early = [Beat(1.0 + 0.4 * k, k, k % 2, 2, 0.4) for k in range(6)]       # the first guess, 0.4 s a beat
    early += [Beat(3.4, 6, 0, 2, 0.8), Beat(4.2, 7, 1, 2, 0.8, merged=2)]     # the merge: beat 6 lasts two of them
    times, _ = file_grid(early)
    at = merge_beat(early, times)
    assert at is not None and times[at[0]] == pytest.approx(3.4) and at[1] == 2
    late = [Beat(1.0 + 0.8 * k, k, k % 2, 2, 0.8) for k in range(6)]
    late += [Beat(5.4 + 0.4 * k, 6 + k, k % 2, 2, 0.4) for k in range(3)] + [Beat(7.0, 9, 1, 2, 0.8, merged=2)]
    times, _ = file_grid(late)
    assert merge_beat(late, times) is None


def test_a_far_tempo_is_followed_with_no_beat_changing_by_more_than_a_stumble():
    # A fresh lock at 0.5 s a beat corrected to twice as fast: the band went half the way a beat, one beat 25 %
    # shorter than the one before (bench/.cache/sim-aqsaq aqsaq_5-8_Ab-minor_s00 likewise, heard in 6/8 at 0.53 s a
    # beat, then at the 5/8's quarter, 0.378 s: 16 %), a stumble (issue 11: over 15 %). Half the way, but never more
    # than FOLLOW_MOST a beat, and on the grid's tempo within a few beats more.
    line = BandTimeline()
    first = grid(0.5)
    line.start(8, first)
    beats(line, 8, 2, first)
    fast = grid(0.25, anchor=first.seconds_at(9))
    steps = lengths(beats(line, 9, 13, fast))
    assert all(abs(b / a - 1) <= FOLLOW_MOST + 1e-9 for a, b in zip(steps, steps[1:])), steps   # band_eval.py's measure
    assert all(b == pytest.approx(fast.period, rel=0.03) for b in steps[-4:]), steps
    nearest = min(abs(line.seconds_at(21.0, fast) - fast.seconds_at(k)) for k in range(0, 128))
    assert nearest < 0.03, nearest                    # and on the grid's beats


def test_a_first_guess_held_for_eight_beats_of_the_slower_level_keeps_its_level():
    # Counted in the grid's beats the band's tempo is established after STEADY_BEATS of them: at double time,
    # twice as many of its own. A grid at half its tempo then is an octave error the band keeps its time through.
    line = BandTimeline()
    first = grid(0.385)
    line.start(0, first)
    times = beats(line, 0, 2 * STEADY_BEATS + 4, first)
    half = grid(0.77, anchor=times[-1])
    later = beats(line, 2 * STEADY_BEATS + 3, LEVEL_BEATS - 2, half)
    assert all(b == pytest.approx(0.385, rel=0.02) for b in lengths(later)), lengths(later)


@pytest.mark.parametrize("ratio", [2.0, 0.5, 1.5])
def test_an_established_tempo_keeps_its_level_through_an_octave_error(ratio):
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    beats(line, 0, STEADY_BEATS + 4, steady)
    flip = grid(0.5 / ratio)                          # the same music counted at another level, for a while
    times = beats(line, STEADY_BEATS + 3, LEVEL_BEATS - 2, flip)
    assert all(b == pytest.approx(0.5, rel=0.02) for b in lengths(times))


@pytest.mark.parametrize("ratio", [2.0, 0.5])
def test_an_established_tempo_goes_to_another_level_the_grid_keeps(ratio):
    # The player really went to double (or half) time: after LEVEL_BEATS beats at the other level the band
    # follows it, half the way per beat.
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    beats(line, 0, STEADY_BEATS + 4, steady)
    moved = grid(0.5 / ratio)
    times = beats(line, STEADY_BEATS + 3, LEVEL_BEATS + 16, moved)
    assert all(b == pytest.approx(moved.period, rel=0.03) for b in lengths(times)[-4:]), lengths(times)


def test_a_level_held_for_long_keeps_through_a_verse_heard_at_its_3_2_level():
    # bench/.cache/sim2 waltz_3-4_G-dorian+dynamics_s16: twenty seconds of a waltz at 120 BPM, then a soft verse
    # strummed on 1 and the "and" of 2; the listener's grid went to the dotted quarter (81 BPM) for sixteen beats
    # and the band, after LEVEL_BEATS, followed it for seven seconds (beat F 0.78). A level the grid agreed with for
    # forty beats is kept through sixteen beats at another.
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    times = beats(line, 0, 41, steady)
    hemiola = grid(0.75, anchor=times[-1])
    times = beats(line, 40, 17, hemiola)
    assert all(b == pytest.approx(0.5, rel=0.02) for b in lengths(times)), lengths(times)


@pytest.mark.parametrize("ratio", [1.5, 2 / 3])
def test_a_level_the_listener_moved_to_on_evidence_is_followed_as_a_fresh_lock(ratio):
    # GuitarSet BN2 solo: band and listener at 110 BPM (2:3 of the player's 166) for twelve beats, then the
    # listener heard the straight line's beat and moved its grid there (`BeatGrid.moved_at`). Such a move is not
    # a misreading to hold the level through: the band follows it as a fresh lock, 12 % a beat at most, and is on
    # the grid's beats (without the mark it held the old level for eight beats: band beat F 0.70 -> 0.36 when
    # SETTLE did not happen to reset its count; bench/README.md, gsband11).
    line = BandTimeline()
    misread = grid(0.55)
    line.start(0, misread)
    times = beats(line, 0, STEADY_BEATS + 9, misread)
    heard = BeatGrid(anchor_time=times[-1], anchor_beat=0, period=0.55 / ratio, beats_per_bar=4, downbeat_phase=0,
                     moved_at=times[-2])
    times = beats(line, STEADY_BEATS + 8, 14, heard)
    steps = lengths(times)
    moving = [abs(np.log(b / 0.55)) > np.log(1 + MAX_CHANGE / 2) for b in steps]
    assert moving[2], steps                                       # moving from the beat after the one planned
    assert all(max(b / a, a / b) <= 1 + MAX_CHANGE + 1e-9 for a, b in zip(steps, steps[1:])), steps
    assert all(b == pytest.approx(heard.period, rel=0.03) for b in steps[-2:]), steps
    assert min(abs(times[-1] - heard.seconds_at(k)) for k in range(-8, 64)) < 0.03


def test_the_listeners_grid_marks_a_level_it_moved_to_on_the_bass():
    # player_sim seed 7 waltz_3-4_C-major+dynamics_s07 (125 BPM): its first bars are read at the dotted quarter
    # (0.71 s a beat, half the bar); at 6.4 s the bass takes the listener to the quarter (0.48 s) at once
    # (`BeatTracker._level`'s `_moved`), and the grid says when, so the band can tell that move from a misreading
    # (`BandTimeline._take_move`). (sim2's waltz G-dorian+dynamics made the same move at the end of its soft verse
    # until a quiet passage kept the quarter: `BeatTracker._quiet`.)
    messages = [m for m in read_guitar_file(DATA / "waltz-dynamics-c-major-seed7.mid").messages if m.time < 8.0]
    _, listener = run_online(messages)
    heard = listener.grid()
    assert heard.period == pytest.approx(0.479, rel=0.05)
    assert 6.0 < heard.moved_at < 7.0, heard.moved_at


def aqsaq_grid(anchor: float, phase: int) -> BeatGrid:
    """A 7/8 (2+2+3) grid of 0.5 s quarter beats with a beat at `anchor` s: two bars to its 7 beats."""
    return BeatGrid(anchor_time=anchor, anchor_beat=0, period=0.5, beats_per_bar=7, downbeat_phase=phase,
                    groups=(2, 2, 3))


@pytest.mark.parametrize("eighths, expected", [(7, 6.0), (0, None)])
def test_a_quarter_grid_sliding_half_a_beat_in_7_8_leaves_the_band_on_the_players_bars(eighths, expected):
    # In 7/8 the listener's quarter grid moved half a beat (an eighth) and renumbered its downbeats so they
    # stayed where the player's are; the band followed the nearest beat and its bars went an eighth off the
    # player's for bars on end. With its bars known (an aqsaq bar of 7 eighths) it keeps them.
    line = BandTimeline()
    first = aqsaq_grid(0.0, 0)                 # downbeats at 0, 1.75, 3.5, 5.25 s
    line.start(0, first)
    line.bars(0.0, eighths)
    beats(line, 0, 4, first)
    slid = aqsaq_grid(0.25, 3)                 # the same downbeats, the beats half a beat later
    at = line.seconds_at(12.0, slid)           # band beat 12: 24 eighths in, 6.0 s at the player's tempo
    if expected is None:
        assert abs(at - 6.0) > 0.1             # without its bars the band slid towards the grid's beats
    else:
        assert at == pytest.approx(expected, abs=1e-6)
        assert max(abs(x - 0.5) for x in lengths(beats(line, 4, 9, slid))) < 1e-6


@pytest.mark.parametrize("ratio", [1.35, 1 / 1.35, 1.8, 1 / 1.8])
def test_a_misheard_level_for_a_few_beats_leaves_the_band_in_time(ratio):
    # GuitarSet's funk comping (Funk3, 98 BPM): the listener's grid read the syncopated sixteenths at 0.45 s a
    # beat for two beats, twice, against the band's 0.61 s: near enough a 3:2 level that the band lined up with
    # it, at 0.68-0.72 s a beat, and came out of it nearly a beat late (bar F 0.27). A level whose tempo is not
    # the band's is the listener's slip, not the music's: a drummer keeps time through it.
    line = BandTimeline()
    steady = grid(0.61)
    line.start(0, steady)
    beats(line, 0, STEADY_BEATS + 4, steady)
    slip = grid(0.61 / ratio, anchor=steady.seconds_at(STEADY_BEATS + 3) + 0.1)
    beats(line, STEADY_BEATS + 3, 3, slip)
    times = beats(line, STEADY_BEATS + 5, 4, steady)      # back on the player's beat
    assert all(b == pytest.approx(0.61, rel=0.02) for b in lengths(times)), lengths(times)
    assert min(abs(times[0] - steady.seconds_at(k)) for k in range(64)) < 0.03


def test_a_level_at_the_bands_tempo_is_still_lined_up_with():
    # The same music at another level with the band's tempo (a tracker's octave error, a little late) is
    # lined up with: the band's beats move onto the grid's.
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    beats(line, 0, STEADY_BEATS + 4, steady)
    double = grid(0.25, anchor=0.04)
    times = beats(line, STEADY_BEATS + 3, 5, double)
    assert abs(times[-1] - double.seconds_at(round(double.beat_at(times[-1])))) < 0.01


@pytest.mark.parametrize("step", [1 / 0.85, 0.85])
def test_a_tempo_step_heard_late_is_caught_up_within_two_beats(step):
    # The player goes 15 % slower (or faster) at beat 8 and the listener's grid hears it two beats later: the
    # band's beats 8-10 fell at the old tempo, so it is a third of a beat off. Bounded to 12 % a beat it took
    # five more beats to be back on the player's; a real step may be followed faster (issue 11).
    line = BandTimeline()
    old = grid(0.97)
    line.start(0, old)
    beats(line, 0, 11, old)
    new = grid(0.97 * step, anchor=old.seconds_at(8))     # the player's beats from beat 8 on
    times = beats(line, 11, 6, new)
    assert min(abs(times[0] - new.seconds_at(k)) for k in range(64)) > 0.07   # the step's first beat: on the way
    assert min(abs(times[1] - new.seconds_at(k)) for k in range(64)) < 0.01, times   # the second lands on one
    for t in times[2:]:                       # and the beats after stay on them (a beat within 12 % of the last)
        assert min(abs(t - new.seconds_at(k)) for k in range(64)) < 0.07, times
    assert lengths(times)[-1] == pytest.approx(new.period, rel=0.03)


def test_a_far_tempo_whose_beats_say_otherwise_is_followed_within_the_bound():
    # A grid 17 % slower whose nearest beat lies earlier than the band's next (the player's beats did not come
    # late): no step the player played, so the band keeps within MAX_CHANGE a beat.
    line = BandTimeline()
    old = grid(0.97)
    line.start(0, old)
    times = beats(line, 0, 11, old)
    slow = grid(1.138, anchor=times[-1] + 1.138 - 0.3)
    later = beats(line, 10, 4, slow)
    assert all(1 / (1 + MAX_CHANGE) - 1e-9 <= b / a <= 1 + MAX_CHANGE + 1e-9
               for a, b in zip(lengths(later), lengths(later)[1:])), lengths(later)
    assert lengths(later)[0] <= 0.97 * (1 + MAX_CHANGE) + 1e-9


def test_a_far_tempo_right_after_a_misheard_level_is_no_step():
    # GuitarSet's funk comping (Funk3, 98 BPM): the grid read the syncopated sixteenths at 0.45 s a beat for two
    # beats (a 3:2 level whose tempo is not the band's: kept time through), then at 0.51 s, which is no level
    # and 20 % faster than the band's 0.64, its nearest beat early: taken as the player's tempo step, the band
    # jumped to it and came out of it half a beat off (bar F 0.60 -> 0.39). A step is a change from a grid that
    # agreed with the band, not from one that was misreading it.
    line = BandTimeline()
    steady = grid(0.61)
    line.start(0, steady)
    beats(line, 0, STEADY_BEATS + 4, steady)
    n = STEADY_BEATS + 4
    misread = grid(0.61 / 1.4, anchor=steady.seconds_at(n))
    times = beats(line, n, 2, misread)
    fast = grid(0.61 / 1.2, anchor=times[-1] + 0.61 / 1.2 - 0.1)   # its nearest beat early, as a speed-up's
    later = beats(line, n + 1, 3, fast)
    assert all(1 / (1 + MAX_CHANGE) - 1e-9 <= b / 0.61 for b in lengths(later)), lengths(later)


def test_a_step_heard_late_in_a_beat_does_not_end_it_before_what_the_band_has_sent():
    # The band has sent its notes up to 0.4 s into a beat planned at 0.5 s when the grid shows a step 20 % faster
    # whose beat lies 0.05 s before that: the step's first beat ends no sooner than that point (the notes sent
    # are not put after the next beat, none comes late).
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    times = beats(line, 0, 8, steady)
    line.beat_at(times[-1] + 0.4, steady)
    fast = grid(0.5 / 1.2, anchor=times[-1] + 0.35)
    assert line.seconds_at(8, fast) >= times[-1] + 0.4 - 1e-9


def test_a_change_at_the_bands_level_and_tempo_moves_the_beats_end_when_due_not_what_was_sent():
    # The grid moves 8 % slower (no step, near the band's tempo) while a beat sounds, after the band has sent its
    # notes up to the beat's middle: those stay where they were sent, and the beat's end follows the grid now
    # (GuitarSet BN2 comping: a beat later, the band stayed off the player's beats three beats longer).
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    times = beats(line, 0, 8, steady)
    middle = times[-1] + 0.25
    assert line.beat_at(middle, steady) == pytest.approx(7.5)
    slower = grid(0.54, anchor=times[-1] + 0.04)
    assert line.seconds_at(7.5, slower) == pytest.approx(middle)
    after = beats(line, 8, 3, slower)
    assert 0.5 < after[0] - times[-1] <= 0.5 * (1 + MAX_CHANGE) + 1e-9
    assert after[2] - after[1] > 0.51


def test_the_bands_first_beat_keeps_the_length_planned_when_it_came_in():
    # The file's lead-in before the band (engine/io/midi_file.py `_lead_in`) counts back at the band's first
    # beat's length: re-planned when due, it carried the grid's phase correction of that moment, and the file
    # showed 134 BPM before a 100 BPM GuitarSet take (band_eval pre-entry tempo ok, sim2 21 -> 19 of 24).
    line = BandTimeline()
    steady = grid(0.5)
    line.start(4, steady)
    first = line.seconds_at(4, steady)
    slower = grid(0.54, anchor=first + 0.04)
    assert line.seconds_at(5, slower) - first == pytest.approx(0.5)


def test_in_an_aqsaq_meter_a_beats_length_is_the_one_planned_when_it_began():
    # In 7/8 the listener's quarter grid moves by half a beat now and then (the groups' starts fall on both halves
    # of its beats): a beat's end re-planned when due from it gave sim-aqsaq a third file with jumps over 15 %
    # (aqsaq_7-8_Ab-major+tempo_s04, 0.12 -> 0.34). There the change is followed from the next beat on.
    line = BandTimeline()
    steady = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=7, downbeat_phase=0,
                      groups=(2, 2, 3))
    line.start(0, steady)
    times = beats(line, 0, 8, steady)
    slower = BeatGrid(anchor_time=times[-1] + 0.04, anchor_beat=0, period=0.54, beats_per_bar=7,
                      downbeat_phase=0, groups=(2, 2, 3))
    after = beats(line, 8, 3, slower)
    assert after[0] - times[-1] == pytest.approx(0.5)
    assert after[2] - after[1] > 0.51


@pytest.mark.parametrize("beats_misread", [1, 2])
def test_a_misreading_far_from_the_bands_tempo_waits_a_beat_before_it_moves_the_band(beats_misread):
    # Session 13's guard (a beat's end re-planned from whatever the grid shows when due followed the listener's
    # short misreadings on real guitar: GuitarSet funk comping beat F 0.83 -> 0.76 in session 19): a settled band
    # at 0.5 s a beat, the grid read at 0.44 s (14 % faster: no step, its nearest beat lies later) for one or two
    # beats right when a beat's end is due, then right again: the band stays on the player's beats.
    line = BandTimeline()
    steady = grid(0.5)
    line.start(0, steady)
    times = beats(line, 0, 12, steady)
    misread = grid(0.44, anchor=times[-1] + 0.2)
    t = times[-1]
    while t < times[-1] + 6.0:                       # the scheduler asks a tenth of a second ahead, every 10 ms
        line.beat_at(t + 0.1, misread if t < times[-1] + 0.5 * beats_misread else steady)
        t += 0.01
    band = beats(line, 11, 12, steady)
    assert max(abs(b - steady.seconds_at(round(steady.beat_at(b)))) for b in band) < 0.025, band


def band_beats_off_truth(name: str, lo: float, hi: float):
    """tests/data/NAME.mid played through the engine: (the band's beat times s, those between lo and hi s, each
    of those beats' distance s to the nearest of the truth's beats in NAME.json)."""
    path = DATA / f"{name}.mid"
    truth = np.array(json.loads(path.with_suffix(".json").read_text())["beats"])
    _, events = play(read_guitar_file(path))
    band = np.array(sorted(e.time for e in events if isinstance(e, Beat)))
    after = band[(band > lo) & (band < hi)]
    return band, after, [float(np.min(np.abs(truth - t))) for t in after]


def beat_changes(band: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Each change (a ratio less 1, absolute) of a band beat's length from the one before, over the band's beat times
    `band` (s) between lo and hi s."""
    ibi = np.diff(band[(band > lo) & (band < hi)])
    return np.abs(ibi[1:] / ibi[:-1] - 1)

def test_the_band_is_on_the_players_beats_two_beats_after_the_listener_hears_a_tempo_step():
    # bench/.cache/sim2 tempo_6-8_Eb-phrygian_s13: a slow 6/8 at 62 BPM stepping to 53 at 32.1 s. The listener
    # hears the step at 34.5 s (two late beats); the band's beats were 0.3-0.5 s off the player's until 40 s
    # (beat F 0.73). From the player's fourth beat after the step every band beat is on one of theirs (70 ms), and
    # no beat-to-beat change exceeds 15 % except in the two beats that catch up.
    band, after, off = band_beats_off_truth("tempo-step-6-8-sim2", 36.5, 50.0)
    assert len(after) >= 10 and max(off) < 0.07, list(zip(after.round(2), np.round(off, 3)))
    change = beat_changes(band, 20.0, 50.0)
    assert int((change > 0.15).sum()) <= 2, change.round(3)


def test_a_tempo_step_is_told_from_another_level_by_the_bands_tempo_not_its_last_beat():
    # bench/.cache/sim2 strum_4-4_F-lydian+tempo_s00: the player steps from 0.74 s a beat to 0.92 (25 % slower); the
    # listener's grid first slid earlier, the band's last beat was shortened to 0.66 s by that phase correction,
    # and 0.92 against 0.66 looked like the 3:2 level of the band's beat: it kept its time and came back on the
    # player's beats five beats later (beat F 0.92). Against its tempo (0.74) the grid is a step, caught up in two.
    line = BandTimeline()
    old = grid(0.74)
    line.start(0, old)
    beats(line, 0, 12, old)
    early = grid(0.74, anchor=old.seconds_at(11) - 0.16)     # the grid's beats slid earlier: a shortened beat
    beats(line, 11, 2, early)
    new = grid(0.92, anchor=early.seconds_at(13) + 0.3)      # the player's beats at the new tempo, late
    times = beats(line, 13, 6, new)
    for t in times[1:]:
        assert min(abs(t - new.seconds_at(k)) for k in range(-8, 64)) < 0.07, (lengths(times), times)


def test_a_settled_band_keeps_its_time_through_a_tempo_no_step_reaches():
    # A soft 4/4 verse (bench/player_sim.py seed 1, dynamics_4-4_F-major+tempo_s03): the band at 0.43 s a beat for
    # eighty beats; the listener read 0.77 s (no level of the band's beat, and further than a step goes) for a
    # few beats, then half tempo. Followed as a tempo change, the band's beats swung by 12 % and more, and the
    # half tempo after it looked like a fresh tempo. A settled band keeps its time through a tempo no step reaches.
    line = BandTimeline()
    steady = grid(0.43)
    line.start(0, steady)
    beats(line, 0, 80, steady)
    misread = grid(0.74, anchor=steady.seconds_at(79) + 0.1)
    times = beats(line, 79, 5, misread)
    half = grid(0.86, anchor=steady.seconds_at(79))
    times += beats(line, 84, 10, half)
    assert all(b == pytest.approx(0.43, rel=0.05) for b in lengths(times)), lengths(times)


def test_a_band_tempo_reached_by_phase_corrections_is_not_held_as_a_level():
    # bench/.cache/sim2 meter_change_6-8to2-4_Eb-minor+tempo_s09: the player steps from 0.69 s a beat to 0.89 at
    # 17.7 s. The listener's grid ran two eighths off for three seconds and its phase corrections pulled the band
    # to 0.60 s a beat; when the grid came to 0.88 the band took it for the 3:2 level of its own beat, a tempo it
    # had "agreed with" for the 24 beats before the slide, and kept 0.60 s for eleven beats (beat F 0.82). A tempo
    # the band moved to by more than 8 % in four beats is no settled one: from 22.3 s every band beat is on one of
    # the player's (70 ms).
    _, after, off = band_beats_off_truth("meter-change-tempo-step-sim2", 22.3, 34.0)
    assert len(after) >= 10 and max(off) < 0.07, list(zip(after.round(2), np.round(off, 3)))


def test_a_tempo_step_is_caught_up_though_a_phase_correction_brought_the_last_beat_near_it():
    # bench/player_sim.py seed 1 jig_6-8_Ab-phrygian+tempo_s06: the player speeds up from 0.60 s a beat to 0.51; the
    # listener's grid slid there over two beats and the band's last beat, pulled by it, was 0.54 s: within 12 % of
    # the new tempo, so no step, while its beats lay a quarter beat late for four beats more. Against the band's
    # tempo (0.60 s) the grid is a step: caught up within two beats.
    line = BandTimeline()
    old = grid(0.6)
    line.start(0, old)
    times = beats(line, 0, 41, old)
    slid = grid(0.567, anchor=times[-1] - 0.05)
    times = beats(line, 40, 3, slid)
    new = grid(0.51, anchor=times[-1] - 0.2)
    times = beats(line, 42, 6, new)
    for t in times[2:]:
        assert min(abs(t - new.seconds_at(k)) for k in range(-8, 64)) < 0.07, lengths(times)


def test_a_fresh_locks_far_tempo_corrected_is_ramped_onto_the_grids_beats_within_the_bound():
    # GuitarSet BN2 comping: the band came in on a 2:3 misreading (0.55 s a beat for 0.36), corrected 1.8 s
    # later; bounded beat by beat regardless of phase, the ramp ended where it happened to, and between the
    # grid's beats for four of them. Chosen among the lengths the bound allows for the beats that follow, the
    # ramp lands on them sooner: band and grid beats meeting none (an F-measure's misses), over five phases of
    # the corrected grid, 31 -> 23; and no beat more than MAX_CHANGE from the one before (half the way was 16 %).
    misses = 0
    for offset in (0.0, 0.1, 0.2, 0.25, 0.3):
        line = BandTimeline()
        first = grid(0.55)
        line.start(8, first)
        times = beats(line, 8, 3, first)
        right = grid(0.3667, anchor=times[-1] + offset)
        times += beats(line, 11, 13, right)
        steps = lengths(times)
        assert all(max(b / a, a / b) <= 1 + MAX_CHANGE + 1e-9 for a, b in zip(steps, steps[1:])), steps
        grid_beats = [right.seconds_at(k) for k in range(-8, 64) if times[3] < right.seconds_at(k) <= times[-1] + 0.035]
        hits = sum(any(abs(t - g) <= 0.07 for g in grid_beats) for t in times[3:])
        misses += len(times) - 3 - hits + len(grid_beats) - hits
    assert misses <= 24


@pytest.mark.parametrize("planned_on_and", [False, True])
def test_a_settled_double_time_the_listener_moves_from_is_counted_every_other_beat(planned_on_and):
    # sim4's sixteenths_4-4 C-major (163 for 81 for 25 beats) and fermata_3-4 A-major (a picked 3/4 at 66 entered
    # at 132): the listener moved its grid to twice the band's beat on evidence (`BeatGrid.moved_at`); the band
    # ramped there within FOLLOW_MOST a beat, 5-7 beats on none of the player's (21 and 8 band beats too many). It
    # counts every other of its beats at once, from the first of them on the grid's beat (the next, or the one
    # after when the next falls on the grid's "and").
    line = BandTimeline()
    first = grid(0.37)
    line.start(0, first)
    times = beats(line, 0, 3 * STEADY_BEATS, first)        # settled: no longer a fresh lock's first guess
    anchor = times[-1] + (0.0 if planned_on_and else 0.37)     # the beat planned before the move: on its "and"?
    moved = BeatGrid(anchor_time=anchor, anchor_beat=0, period=0.74, beats_per_bar=4, downbeat_phase=0,
                     moved_at=times[-1])
    later = beats(line, 3 * STEADY_BEATS - 1, 8, moved)
    steps = lengths(later)
    short = 2 if planned_on_and else 1     # the beat planned before the move, and one more from the grid's "and"
    assert all(b == pytest.approx(0.37, rel=0.03) for b in steps[:short]), steps
    assert all(b == pytest.approx(0.74, rel=0.03) for b in steps[short:]), steps
    for t in later[short:]:
        assert min(abs(t - moved.seconds_at(k)) for k in range(-64, 64)) < 0.01, later


def test_a_move_to_another_level_without_evidence_is_still_held():
    # the same double time with the grid at twice its beat but no move on evidence: a misreading the band holds
    # its level against (LEVEL_BEATS), as before
    line = BandTimeline()
    first = grid(0.37)
    line.start(0, first)
    times = beats(line, 0, 3 * STEADY_BEATS, first)
    slow = grid(0.74, anchor=times[-1])
    steps = lengths(beats(line, 3 * STEADY_BEATS - 1, 6, slow))
    assert all(b == pytest.approx(0.37, rel=0.03) for b in steps), steps


def test_no_merge_back_to_a_level_the_band_played_before():
    # sim4 funk_4-4 A-dorian: the band at the player's 0.61 s beat followed the listener to double time, 14 s later
    # the listener moved back; counted every other beat there, the file shows the tempo halving in one beat (a jump
    # of 100 %: `merge_beat` writes only a first guess's beats as eighths). The band ramps back instead.
    line = BandTimeline()
    right = grid(0.74)
    line.start(0, right)
    beats(line, 0, 3 * STEADY_BEATS, right)
    fast = BeatGrid(anchor_time=line.seconds_at(3 * STEADY_BEATS - 1, right), anchor_beat=0, period=0.37,
                    beats_per_bar=4, downbeat_phase=0, moved_at=line.seconds_at(3 * STEADY_BEATS - 1, right))
    times = beats(line, 3 * STEADY_BEATS - 1, 24, fast)
    assert lengths(times)[-1] == pytest.approx(0.37, rel=0.03)
    back = BeatGrid(anchor_time=times[-1], anchor_beat=0, period=0.74, beats_per_bar=4, downbeat_phase=0,
                    moved_at=times[-1])
    steps = lengths(beats(line, 3 * STEADY_BEATS + 22, 12, back))
    assert all(abs(b / a - 1) <= FOLLOW_MOST + 1e-9 for a, b in zip(steps, steps[1:])), steps


def test_a_3_4_step_up_is_a_step_though_the_players_last_beats_slowed_the_band_towards_the_3_2_level():
    # /work/scratch/s26/review31 step_up_90_120 (a mido take, seed 26): the band settled at 0.667 s a beat, the
    # listener's grid wobbled at the player's step to 120 BPM and its phase corrections left the band's last four
    # beats at a median of 0.685 s; against the grid's 0.502 that is 1.365, within MAX_CHANGE of the 3:2 level
    # (1.5) and past a step's reach: the band kept 88 BPM to the end. A settled band's tempo is the median of its
    # last eight beats (0.667: a 4:3 step), so the step is followed within two beats.
    line = BandTimeline()
    old = grid(0.667)
    line.start(0, old)
    times = beats(line, 0, 41, old)
    slow = grid(0.70, anchor=times[-1] + 0.02)               # the player's last beats before the step, stretched
    times = beats(line, 39, 5, slow)
    tempo = sorted(lengths(times))[2]                            # the band's last four beats' median ...
    assert abs(math.log(tempo / (1.5 * 0.502))) < math.log(1 + MAX_CHANGE), lengths(times)   # ... near 3:2's
    new = grid(0.502, anchor=times[-1] - 0.1)                  # the listener's grid after the step
    times = beats(line, 43, 10, new)
    for t in times[2:]:                                         # on the new grid's beats in two beats
        assert min(abs(t - new.seconds_at(k)) for k in range(-8, 160)) < 0.07, lengths(times)


def test_a_grid_at_another_level_right_after_a_step_is_followed_as_a_fresh_tempo():
    # /work/scratch/s26/review31 step_up_100_125 (seed 34): the player went from 100 to 125 BPM; the listener first
    # heard 80 (0.75 s, five of the player's new eighths), the band stepped there, and 3 s later the listener
    # heard 0.484 s: the 3:2 level of the band's stepped tempo, held as a misreading for 23 beats. A tempo the
    # band stepped to has agreed with nothing yet: a grid at another level within STEP_SETTLE beats of the step
    # is followed as a fresh lock's correction is.
    line = BandTimeline()
    old = grid(0.6)
    line.start(0, old)
    times = beats(line, 0, 45, old)
    misread = grid(0.75, anchor=times[-1] + 0.1)                # heard slower, the way a step goes: a step
    times = beats(line, 44, 5, misread)
    assert lengths(times)[-1] == pytest.approx(0.75, rel=0.06)
    new = grid(0.484, anchor=times[-1] + 0.1)
    times = beats(line, 48, 16, new)
    assert lengths(times)[-1] == pytest.approx(0.484, rel=0.04), lengths(times)
    for t in times[8:]:
        assert min(abs(t - new.seconds_at(k)) for k in range(-8, 160)) < 0.07, lengths(times)


def test_the_band_follows_a_3_4_step_up_it_had_heard_as_the_3_2_level_of_its_beat():
    # /work/scratch/s26/review31/mk.py step_up_90_120 (seed 26, written with mido): rock eighths at 90 BPM, then 120
    # from 33.0 s; the listener hears 120 from 36.6 s. The band, its last beats stretched by the grid's wobble at
    # the step, took the grid for the 3:2 level of its beat and kept 88 BPM to the end (beat F 0.54). From two
    # beats after the listener heard the step every band beat is on one of the player's (70 ms), and only the
    # step's beats change by more than 15 %.
    band, after, off = band_beats_off_truth("step-up-90-120-review31", 37.5, 64.5)
    assert len(after) >= 50 and max(off) < 0.07, list(zip(after.round(2), np.round(off, 3)))
    change = beat_changes(band, 20.0, 64.5)
    assert int((change > 0.15).sum()) <= 2, change.round(3)


def test_a_bar_begun_before_the_bands_first_beat_is_counted_back_from_it():
    # A live session whose start cue came mid-bar (tests/test_live_properties.py, found by a random draw: MIDI
    # Start at 0 s, a footswitch start at 0 s, a one-second session) asked for the section marker of the bar the
    # band came into, two beats before its first beat: the time line had no such beat and the engine stopped
    # with KeyError(2). It is counted back from the first beat at that beat's length.
    line = BandTimeline()
    g = grid(0.5)
    line.start(3, g)
    first = line.seconds_at(3.0, g)
    length = line.length(3, g)
    assert line.seconds_at(1.0, g) == pytest.approx(first - 2 * length)
    assert line.seconds_at(2.5, g) == pytest.approx(first - 0.5 * length)


def test_a_second_entry_on_a_grid_counted_from_a_lower_beat_reads_no_heard_beat_of_the_first():
    # The band's beat numbers are its own: held at a level twice the grid's through a song, they run ahead of the
    # grid's, and a grid counted again from its start (a second song) numbers its beats lower still. A re-entry
    # (`start`) that kept the first entry's heard beats (`_hear`) read them for its own at the same numbers: a slow
    # beat (HEARD_SLOW) took the first song's beat interval plus half of its offset, minutes back, and stumbled
    # 12 % a beat (0.80 s -> 0.64 s, 0.97 s, ...) where the grid stood still at 0.80 s.
    line = BandTimeline()
    first = grid(0.8)
    line.start(0, first)
    for k in range(600):                          # the first song: 30 s at 75 BPM, its beats heard
        line.beat_at(0.05 * k, first)
    second = grid(0.8, anchor=100.0)             # the second song, counted from beat 0 again at 100 s
    line.start(0, second)
    for k in range(400):
        line.beat_at(100.0 + 0.05 * k, second)
    steps = lengths(beats(line, 0, 24, second))
    assert all(b == pytest.approx(0.8, rel=0.02) for b in steps), [round(b, 3) for b in steps]


# step28/tempo29: a step's catch-up beats between the two tempi (scratch s29/tempo29 v4_engine.patch) cost
# held-out sim4-held blues_12-8 C-major+tempo (beat F 0.664 -> 0.651): not merged
STEP_CATCH_UP = pytest.mark.xfail(strict=True, reason="a step's catch-up beats: not merged (tempo29)")


@STEP_CATCH_UP
def test_a_step_down_heard_half_a_beat_late_passes_neither_tempo():
    # review33's step43_132to99_D (/work/scratch/s27/review33/mk2.py, step28's test): strummed eighths stepping from
    # 132 BPM to 99 (4:3) at 22.8 s; the listener hears it at 25.6 s, the band's next beat then half a beat off the
    # player's. Caught up to the grid's beat after, the band went 131 -> 80 -> 80 -> 90 -> 100 BPM (two beats of 0.75
    # s, then one held to 0.67 by the bound from the last, for the player's 0.606). Of the grid's two beats, the one
    # that keeps the step's two beats between the old tempo and the new: no band beat longer than the player's new
    # one, and every band beat on one of the player's from the step's second beat (26.6 s) on.
    band, after, off = band_beats_off_truth("step-down-132-99-review33", 26.6, 40.0)
    assert len(after) >= 20 and max(off) < 0.07, list(zip(after.round(2), np.round(off, 3)))
    ibi = np.diff(band[(band > 20.0) & (band < 40.0)])
    assert ibi.max() < 0.606 * 1.05, ibi.round(3)


@STEP_CATCH_UP
def test_a_step_whose_grid_beat_falls_on_the_bands_next_is_taken_at_once():
    # review33's step43_120to90_A (step28's test): the listener heard 120 -> 90 BPM with the grid's beat 0.010 s
    # before the band's next at the new tempo, no way yet; the band took 12 % (0.555 s) as for a misreading, then two
    # beats of 0.72 s to catch up with the player's 0.667. The step's first beat is the new tempo's.
    line = BandTimeline()
    old = grid(0.5)
    line.start(0, old)
    times = beats(line, 0, 12, old)
    new = grid(0.66, anchor=times[-1] + 0.66 - 0.01)
    later = beats(line, 11, 4, new)
    assert all(b == pytest.approx(0.66, rel=0.03) for b in lengths(later)), lengths(later)


def test_a_step_whose_grid_beat_lies_past_both_tempi_either_way_lands_on_the_nearest():
    # sim4 blues_12-8_A-major+tempo_s13 (dev), 63 -> 73 BPM heard on a grid a third of a beat off the player's: the
    # nearest grid beat asked for two beats of 0.63 s (for 0.95 and 0.82), the one a beat later for two of 1.03 s, a
    # step up played slower than before; the nearest is kept, and the beat after eases out of it within MAX_CHANGE.
    line = BandTimeline()
    old = grid(0.95)
    line.start(0, old)
    times = beats(line, 0, 16, old)
    new = grid(0.815, anchor=times[-1] + 0.815 - 0.38)   # the grid's nearest beat 0.38 s before the band's next
    later = lengths(beats(line, 15, 5, new))
    assert later[0] < 0.95 and later[1] < 0.95, later      # never slower than the old tempo on a step up
    assert later[2] <= later[1] * (1 + MAX_CHANGE) + 1e-9, later
