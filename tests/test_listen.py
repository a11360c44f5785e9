import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import InputMessage
from engine.listen import Listener, ListenerConfig
from engine.listen.key import KeyTracker
from tests.conftest import example, metronome, ticks, truth

NOTE_ON, NOTE_OFF = 0x90, 0x80


def run(listener: Listener, msgs, until: float, tick: float = 0.01):
    for _ in ticks(listener, msgs, until, tick=tick):
        pass


@pytest.mark.parametrize("bpm", [72, 100, 132])
def test_beat_tracker_finds_a_steady_pulse(bpm):
    L = Listener()
    msgs = metronome(bpm, 40)
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(bpm, rel=0.02)
    period = 60 / bpm
    # The predicted next beat lands on the metronome's grid.
    predicted = L.beat.seconds_at(round(L.beat.beat_at(msgs[-1].time)) + 1)
    expected = 0.5 + round((predicted - 0.5) / period) * period
    assert abs(predicted - expected) < 0.01
    assert L.beat.confidence > 0.8


def test_beat_tracker_prefers_the_beat_over_eighths():
    # Strong quarter notes with soft eighths between: the beat is the quarter.
    msgs = []
    for k in range(48):
        t = 0.5 + k * 0.3
        msgs.append(InputMessage(t, NOTE_ON, 50 if k % 2 == 0 else 60, 110 if k % 2 == 0 else 55))
        msgs.append(InputMessage(t + 0.25, NOTE_OFF, 50 if k % 2 == 0 else 60, 0))
    msgs.sort(key=lambda m: m.time)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(100, rel=0.03)


def chord_messages(chords, start=0.5, length=1.0):
    msgs = []
    for i, chord in enumerate(chords):
        t = start + i * length
        for j, p in enumerate(chord):
            msgs.append(InputMessage(t + 0.01 * j, NOTE_ON, p, 90))
            msgs.append(InputMessage(t + length - 0.05, NOTE_OFF, p, 0))
    return sorted(msgs, key=lambda m: m.time)


def test_key_tracker_major():
    L = Listener()
    C, F, G = (48, 52, 55, 60), (41, 53, 57, 60), (43, 55, 59, 62)
    run(L, chord_messages([C, F, G, C] * 4), until=17)
    assert (L.key.tonic, L.key.mode) == (0, "major")


def test_key_tracker_minor():
    L = Listener()
    Am, Dm, E = (45, 57, 60, 64), (50, 57, 62, 65), (40, 56, 59, 64)
    run(L, chord_messages([Am, Dm, E, Am] * 4), until=17)
    assert (L.key.tonic, L.key.mode) == (9, "minor")


def test_key_tracker_is_sticky_but_follows_a_modulation():
    k = KeyTracker(half_life=6.0)
    t = 0.0
    for _ in range(30):   # C major evidence
        for p in (60, 64, 67, 65, 62, 71):
            t += 0.1
            k.note_on(t, p, 90, False)
        k.update(t)
    assert (k.tonic, k.mode) == (0, "major")
    changes = 0
    last = k.key
    for _ in range(80):   # then E major
        for p in (64, 68, 71, 69, 66, 63):
            t += 0.1
            k.note_on(t, p, 90, False)
        k.update(t)
        changes += k.key != last
        last = k.key
    assert (k.tonic, k.mode) == (4, "major")
    assert changes <= 2


def test_key_bass_on_the_relative_does_not_outvote_the_melody():
    # Pop: the bass walks vi-vi-IV-V-I (A A F G C), more often on A than on C, while the melody
    # settles on a long C over the last chord. The tonic is C; the bass names chord roots, not the key.
    k = KeyTracker(half_life=1e9)
    bars = [(45, (57, 60, 64), (64, 72, 67, 72)), (45, (57, 60, 64), (67, 72, 76, 72)),
            (41, (57, 60, 65), (65, 72, 69, 72)), (43, (55, 59, 62), (67, 62, 67, 71)), (48, (55, 60, 64), (72,))]
    t = 0.0
    for _ in range(4):
        for bass, chord, tune in bars:
            k.note_on(t, bass, 90, True, 2.0)
            for p in chord:
                k.note_on(t + 0.01, p, 70, False, 2.0)
            step = 2.0 / len(tune)
            for j, p in enumerate(tune):
                k.note_on(t + j * step, p, 80, False, 2.0 if j == 0 else 1.4)
                k.note_off(t + (j + 0.9) * step, p, 0.9 * step, False)
            for p in (bass, *chord):
                k.note_off(t + 1.95, p, 1.95, p == bass)
            t += 2.0
    k.update(t)
    assert k.key == (0, "major")


def test_quiet_ghost_notes_are_dropped_and_counted():
    L = Listener()
    L.feed(InputMessage(0.1, NOTE_ON, 80, 5))
    L.feed(InputMessage(0.2, NOTE_ON, 52, 90))
    L.update(0.3)
    assert L.dropped["quiet"] == 1 and L.notes_in == 1


@pytest.mark.parametrize("name", ["d_dorian_96_4-4", "a_minor_66_6-8", "e_mixolydian_ramp_88-116_4-4"])
def test_examples_tempo_and_feel(name):
    from engine.io.midi_input import read_guitar_file

    g = read_guitar_file(example(name))
    t = truth(name)
    L = Listener()
    run(L, g.messages, until=g.duration)
    assert L.beat.bpm == pytest.approx(t["tempo"]["end"], rel=0.04)
    assert L.beat.compound == (t["meter"] == "6/8")


@pytest.mark.parametrize("profile", ["krumhansl-kessler", "temperley", "aarden-essen", "albrecht-shanahan"])
def test_every_published_profile_finds_a_plain_major_key(profile):
    from engine.listen import ListenerConfig

    L = Listener(ListenerConfig(key_profiles=(profile,)))
    G, C, D = (43, 55, 59, 62), (48, 52, 55, 60), (50, 54, 57, 62)
    run(L, chord_messages([G, C, D, G] * 4), until=17)
    assert (L.key.tonic, L.key.mode) == (7, "major")


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="unknown key profile"):
        KeyTracker(profiles=("bach",))


def test_tap_tempo_sets_tempo_and_phase_at_once():
    L = Listener()
    for k in range(4):                       # four taps at 120 BPM, the last at 2.0 s
        L.beat.tap(0.5 + 0.5 * k)
    assert L.beat.bpm == pytest.approx(120) and L.beat.confidence == 1.0
    assert L.beat.seconds_at(L.beat.beat_at(2.0) + 1) == pytest.approx(2.5)
    L.beat.tap(9.0)                          # a lone tap much later starts a new count, changes nothing
    assert L.beat.bpm == pytest.approx(120)


@pytest.mark.parametrize("started", [True, False])
def test_a_clock_master_leads_the_grid_and_the_downbeat_until_it_goes_quiet(started):
    """The guitar plays 100 BPM, its bars from 0.5 s (accents every four beats); a drum machine's clock says
    96 BPM and its start falls on the guitar's beat 10, a beat after a bar line. While the clock comes the
    grid is the master's, and so is the bar when it said where its song starts; after it stops, the guitar's."""
    L = Listener()
    msgs = metronome(100, 60)
    period, top = 60.0 / 96, 0.5 + 9 * 0.6
    beats = [top + k * period for k in range(1, 13)]             # the master's beats 1..12
    for now in ticks(L, msgs, until=msgs[-1].time):
        while beats and beats[0] <= now:
            L.beat.follow_master(beats.pop(0), period, 12 - len(beats) if started else None)
        if top + 2.0 <= now <= top + 7.0:
            b = L.beat
            assert b.bpm == pytest.approx(96) and b.led_by_master
            at_top = b.beat_at(top)
            assert at_top == pytest.approx(round(at_top), abs=0.01)
            on_downbeat = (round(at_top) - b.downbeat_phase) % b.beats_per_bar == 0
            assert on_downbeat == started, now
    # Two beats after the master's last one, the guitar leads again.
    assert not L.beat.led_by_master and L.beat.bpm == pytest.approx(100, rel=0.02)


def test_lock_switch_holds_the_tempo_while_the_phase_follows():
    L = Listener()
    msgs = metronome(100, 20)
    run(L, msgs, until=msgs[-1].time)
    L.lock_tempo(True)
    later = [InputMessage(m.time + 12.5, m.status, m.data1, m.data2) for m in metronome(112, 20, start=0.0)]
    for _ in ticks(L, later, later[-1].time, since=msgs[-1].time):
        pass
    assert L.beat.bpm == pytest.approx(100, rel=0.01)


def test_tempo_range_hint_keeps_the_beat_inside_it():
    from engine.listen import ListenerConfig

    msgs = metronome(150, 40)                # with a 50-90 BPM range, the 75 BPM level is the beat
    L = Listener(ListenerConfig(tempo_range=(50, 90)))
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(75, rel=0.03)
    with pytest.raises(ValueError, match="tempo_range"):
        Listener(ListenerConfig(tempo_range=(120, 60)))


def strummed(segments, start=0.5, eighths=True):
    """Four-note down-strums on every beat (louder on bar starts) and soft three-note up-strums on the
    eighths, through segments of (bpm, beats). Returns the messages and the true beat times."""
    msgs, beats, t = [], [], start
    for bpm, count in segments:
        p = 60 / bpm
        for k in range(count):
            beats.append(t)
            for j, pitch in enumerate((40, 47, 52, 56)):
                msgs.append(InputMessage(t + 0.008 * j, NOTE_ON, pitch, 100 if k % 4 == 0 else 85))
                msgs.append(InputMessage(t + 0.45 * p, NOTE_OFF, pitch, 0))
            if eighths:
                for j, pitch in enumerate((56, 52, 47)):
                    msgs.append(InputMessage(t + p / 2 + 0.008 * j, NOTE_ON, pitch, 60))
                    msgs.append(InputMessage(t + 0.95 * p, NOTE_OFF, pitch, 0))
            t += p
    return sorted(msgs, key=lambda m: m.time), beats


@pytest.mark.parametrize("before,after", [
    (100, 130), (130, 100), (90, 110), (90, 120), (100, 133), (80, 106),
    # 3:4 steps, offered as a fill in dotted eighths is (engine.listen.tempo_change.step_goes_on); 160 BPM strummed
    # in eighths is heard at 80 even when steady (TempoEstimator.figure_level's 3+3+2 from its estimate's 0.56 s)
    pytest.param(120, 160, marks=pytest.mark.xfail(strict=True, reason="160 strummed in eighths heard at 80")),
])
def test_beat_tracker_recovers_from_a_sudden_tempo_change_within_two_bars(before, after):
    msgs, beats = strummed([(before, 32), (after, 40)])
    change = beats[32]
    L = Listener()
    wrong_until = change
    for now in ticks(L, msgs, beats[-1] - 60 / after):
        if now > change:
            predicted = L.beat.seconds_at(round(L.beat.beat_at(now)) + 1)
            off = min(abs(predicted - b) for b in beats)
            if not (abs(L.beat.bpm / after - 1) < 0.04 and off < 0.05):
                wrong_until = now
    # The band follows again (tempo within 4 %, next beat within 50 ms, from then on) within two bars.
    assert wrong_until - change < 8 * 60 / after * 0.75


def bars(meter_beats, bpm=100, count=16, start=0.5):
    """Bass root on the bar's first beat, the chord strummed on the others; the chord changes every bar
    (C, G, Am, F). Returns the messages and the true downbeat times."""
    chords = [(48, (64, 67, 72)), (43, (62, 67, 71)), (45, (64, 69, 72)), (41, (65, 69, 72))]
    p = 60 / bpm
    msgs, downbeats = [], []
    for b in range(count):
        root, upper = chords[b % 4]
        for k in range(meter_beats):
            t = start + (b * meter_beats + k) * p
            if k == 0:
                downbeats.append(t)
                notes = (root,)
            else:
                notes = upper
            for j, pitch in enumerate(notes):
                msgs.append(InputMessage(t + 0.008 * j, NOTE_ON, pitch, 100 if k == 0 else 75))
                msgs.append(InputMessage(t + 0.8 * p, NOTE_OFF, pitch, 0))
    return sorted(msgs, key=lambda m: m.time), downbeats


@pytest.mark.parametrize("meter_beats,meter", [(3, "3/4"), (4, "4/4")])
def test_meter_and_downbeat_from_bass_and_chord_changes(meter_beats, meter):
    msgs, downbeats = bars(meter_beats)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    b = L.beat
    assert b.beats_per_bar == meter_beats and b.meter == meter
    # The predicted downbeats fall on the bar starts.
    first = math.ceil(b.beat_at(downbeats[-4]))
    predicted = [b.seconds_at(n) for n in range(first, first + 3 * meter_beats)
                 if (n - b.downbeat_phase) % meter_beats == 0]
    for t in predicted:
        assert min(abs(t - d) for d in downbeats) < 0.05
    assert len(predicted) == 3


def eighth_strums(bars, eighth: float, per_bar: int = 6) -> list:
    """Note messages for bars of `per_bar` eighths each, a bar given as (eighth, MIDI pitches, velocity) strums
    (notes 8 ms apart, held 0.9 of an eighth), from 0.5 s; `eighth` in seconds."""
    msgs = []
    for bar, strums in enumerate(bars):
        for pos, notes, vel in strums:
            t = 0.5 + (bar * per_bar + pos) * eighth
            for j, p in enumerate(notes):
                msgs.append(InputMessage(t + 0.008 * j, NOTE_ON, p, vel))
                msgs.append(InputMessage(t + 0.9 * eighth, NOTE_OFF, p, 0))
    return sorted(msgs, key=lambda m: m.time)


def test_compound_strum_pattern_settles_on_the_dotted_quarter():
    # 6/8 at 66 dotted quarters per minute: bass, up, down, up on eighths 0, 2, 3, 5 of each bar, after an
    # intro of two bars strummed in quarters (eighths 0, 2, 4), which favours a quarter-note level. The first
    # guess must not stick: once the window fills, the level is chosen afresh.
    eighth = 60 / 66 / 3
    intro = ((0, (45,), 100), (2, (52, 57, 60, 64), 88), (4, (52, 57, 60, 64), 88))
    six_eight = ((0, (45,), 100), (2, (64, 69, 72), 64), (3, (52, 57, 60, 64), 88), (5, (64, 69, 72), 64))
    msgs = eighth_strums([intro] * 2 + [six_eight] * 16, eighth)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(66, rel=0.03)
    assert L.beat.meter == "6/8"


@pytest.mark.parametrize("second_bass, bpm", [(40, 132), (52, 88)])
def test_a_waltz_whose_bass_keeps_the_quarters_is_not_heard_in_dotted_quarters(second_bass, bpm):
    # A waltz at 132 BPM strummed down, down-up, -up (eighths 0, 2, 3, 5: the 6/8 pattern of the test above)
    # with the bass on beats one and two: the bass keeps the quarter notes, 2:3 of the dotted quarters the
    # strums suggest. With beat two's bass an octave up, in the chord's register, the same strums are 6/8.
    eighth = 60 / 132 / 2
    waltz = ((0, (45, 57, 60, 64), 100), (2, (second_bass, 57, 60, 64), 96), (3, (57, 60, 64), 70),
             (5, (57, 60, 64), 66))
    msgs = eighth_strums([waltz] * 16, eighth)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(bpm, rel=0.03)


def test_when_the_bass_moves_the_level_the_grid_follows_at_once():
    # The waltz above (bass on beats one and two): the bass moves the level from the strums' dotted quarters to
    # the quarters at about 5.3 s. Blending the new grid in waited for three fits off the old grid's beats, so
    # the band kept the dotted quarters a second longer (88 BPM at 6 s); now the grid jumps at once.
    eighth = 60 / 132 / 2
    waltz = ((0, (45, 57, 60, 64), 100), (2, (40, 57, 60, 64), 96), (3, (57, 60, 64), 70), (5, (57, 60, 64), 66))
    msgs = [m for m in eighth_strums([waltz] * 16, eighth) if m.time <= 6.0]
    L = Listener()
    run(L, msgs, until=6.0)
    assert L.beat.bpm == pytest.approx(132, rel=0.03)
    quarters = [0.5 + (bar * 6 + pos) * eighth for bar in (3, 4) for pos in (0, 2, 4)]
    assert all(abs(L.beat.beat_at(t) - round(L.beat.beat_at(t))) < 0.1 for t in quarters)


# C, G, Am, F: a bass note and the chord over it, one a bar.
FOUR_BARS = [(48, (55, 60, 64, 67)), (43, (55, 59, 62, 67)), (45, (57, 60, 64, 69)), (41, (57, 60, 65, 69))]


def figure_bars(figure, count=24):
    """Bars of 4/4 from `figure`, (eighth, "D" down-strum | "U" up-strum | "B" the bass alone | "A" the chord's
    lowest note alone (an alternating bass, above E3) | "C" the chord alone, velocity) strums, over FOUR_BARS'
    chords."""
    parts = {"D": lambda b, c: (b, *c), "U": lambda b, c: c[:0:-1], "B": lambda b, c: (b,), "A": lambda b, c: c[:1],
             "C": lambda b, c: c}
    return [tuple((pos, parts[kind](*FOUR_BARS[n % 4]), vel) for pos, kind, vel in figure) for n in range(count)]


@pytest.mark.parametrize("bpm,figure", [
    # D . D U . U D U: the big strums on beats 1, 2 and 4 repeat every two beats as often as every beat.
    (146, ((0, "D", 100), (2, "D", 100), (3, "U", 68), (5, "U", 68), (6, "D", 100), (7, "U", 68))),
    # Boom-chick: the bass alone on 1 and 3, the chord on 2 and 4, an up-strum after it.
    (119, ((0, "B", 80), (2, "C", 80), (3, "U", 55), (4, "B", 80), (6, "C", 80), (7, "U", 55))),
])
def test_a_figure_whose_beats_are_accented_alike_is_heard_at_its_beat(bpm, figure):
    """Two bar-long figures the autocorrelation heard at half tempo (converter-set-b's sim_07, sim2's
    twice_4-4): every beat is struck as loud as the others and the off-beat up-strums softer, so the half
    level's half-way strums are beats (`TempoEstimator.accent_level`)."""
    msgs = eighth_strums(figure_bars(figure), 60 / bpm / 2, per_bar=8)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(bpm, rel=0.03)
    assert L.beat.meter == "4/4"


def test_a_boom_chick_with_an_alternating_bass_keeps_its_tempo_from_the_lock():
    # The bass alone on 1 and 3, one of them the chord's lowest note above E3 (sim2's twice_4-4_C-phrygian
    # alternates C3 and G3), a down-strum on 2 and 4 with an up-strum after it. Since commit 6e76a14 a single note
    # half-way, not a bass, was taken for a melody's eighth: the tracker went to half tempo for bars after its
    # lock (in the sim2 take from the band's entry at 6.4 s to 10.4 s). A single note between strums is a bass.
    from tests.conftest import ticks

    bpm = 119
    figure = ((0, "A", 82), (2, "D", 78), (3, "U", 55), (4, "B", 82), (6, "D", 78), (7, "U", 55))
    msgs = eighth_strums(figure_bars(figure, 12), 60 / bpm / 2, per_bar=8)
    L = Listener()
    ratios = [L.beat.period * bpm / 60 for _ in ticks(L, msgs, msgs[-1].time) if L.locked]
    assert ratios and max(ratios) < 1.04 and min(ratios) > 0.96   # beat periods / the true one


def test_the_accent_level_needs_loudness_and_a_softer_off_beat():
    """The accent check halves a level only with loudness to go by: strums all at one loudness (GuitarSet's
    notes have no velocity), or half-way strums softer than the beats, leave the level as it is."""
    from engine.listen.tempo import TempoEstimator

    beat = 60 / 146
    pattern = ((0, 1.0), (2, 1.0), (3, 0.55), (5, 0.55), (6, 1.0), (7, 0.55))   # eighth, loudness
    t = np.array([0.5 + (bar * 8 + pos) * beat / 2 for bar in range(5) for pos, _ in pattern])
    loud = np.array([v for _ in range(5) for _, v in pattern])
    w = 4 * loud
    est = TempoEstimator()
    est.scores(t, w)
    half_tempo = 2 * beat
    assert est.accent_level(t, w, loud, half_tempo) == pytest.approx(beat)
    assert est.accent_level(t, w, np.ones_like(loud), half_tempo) == half_tempo
    softer = np.where(np.arange(len(t)) % 6 == 0, 0.8, loud)   # beat 1 softer than beats 2 and 4
    assert est.accent_level(t, w, softer, half_tempo) == half_tempo
    # The same loudness, every onset a single note: a melody's picked eighths, as loud off the beat as on it.
    assert est.accent_level(t, w, loud, half_tempo, np.ones(len(t), dtype=int)) == half_tempo


def test_a_picked_melody_with_hammer_ons_keeps_its_tempo():
    # ../shared/cases/bug-reports: A dorian as picked eighths (velocity 90) and hammer-ons (70) at 100 BPM; its
    # off-beat picks are as loud as its beats, which the accent check took for beats (200 BPM, 6/8).
    from pathlib import Path

    from engine.analyze import run_online
    from engine.io.midi_input import read_guitar_file

    take = read_guitar_file(Path(__file__).parent / "data" / "a-dorian-hammer-ons-as-notes.mid")
    analysis, listener = run_online(take.messages)
    assert listener.beat.bpm == pytest.approx(100, rel=0.04) and analysis.meter == "4/4"


@pytest.mark.parametrize("basses", [(44, 51), (56, 58)])
def test_a_jigs_lone_bass_then_chord_puts_the_beat_on_the_bass(basses):
    """6/8 oom-pa at 95 dotted quarters per minute: a bass note alone on each beat, a chord of four on the
    beat's third eighth (sim2's jig and 6/8 takes). The chord's four notes outweigh the lone note, and a bass
    above E3 (56, 58) is no bass by register: the beat sat on the chords, 0.7 of a beat late, until the lone
    note under a chord was heard as its bass."""
    eighth = 60 / 95 / 3
    chord = (63, 66, 68, 71)
    bar = tuple((pos, (bass,), 82) for pos, bass in zip((0, 3), basses))
    bar = tuple(sorted(bar + ((2, chord, 55), (5, chord, 55))))
    msgs = eighth_strums([bar] * 16, eighth)
    L = Listener()
    run(L, msgs, until=msgs[-1].time)
    assert L.beat.bpm == pytest.approx(95, rel=0.03)
    basses_at = [0.5 + (b * 6 + pos) * eighth for b in range(10, 16) for pos in (0, 3)]
    offsets = [L.beat.beat_at(t) - round(L.beat.beat_at(t)) for t in basses_at]
    assert max(abs(o) for o in offsets) < 0.1, offsets


def key_after(chords, until, model="hmm"):
    k = KeyTracker(model=model)
    t = 0.0
    for chord in chords:
        for j, p in enumerate(chord):
            k.note_on(t + 0.01 * j, p, 90, j == 0)
        t += 1.0
        for p in chord:
            k.note_off(t - 0.05, p, 0.95, p == chord[0])
        if t > until:
            break
        for step in range(4):     # re-scored every 0.25 s, as the listener does
            k.update(t - 0.75 + 0.25 * step)
    return k



def test_key_filter_gives_up_a_guess_from_the_opening_chords():
    # The song opens on two bars of its ii chord (Dm), then C major's progression follows: the guess from
    # the opening (D minor) gives way to C major within about nine chords.
    C, F, G, Dm = (48, 52, 55, 60), (41, 53, 57, 60), (43, 55, 59, 62), (50, 57, 62, 65)
    chords = [Dm, Dm] + [C, F, G, C] * 6
    assert key_after(chords, until=2.5).key == (2, "minor")
    assert key_after(chords, until=10.5).key == (0, "major")


def test_key_filter_holds_a_long_key_through_a_short_excursion():
    # Thirty-two seconds of C major, then four chords of A minor's cadence (Am Dm E Am): the key holds;
    # twenty seconds of A minor do move it.
    C, F, G = (48, 52, 55, 60), (41, 53, 57, 60), (43, 55, 59, 62)
    Am, Dm, E = (45, 57, 60, 64), (50, 57, 62, 65), (40, 56, 59, 64)
    major = [C, F, G, C] * 8
    assert key_after(major + [Am, Dm, E, Am], until=36).key == (0, "major")
    assert key_after(major + [Am, Dm, E, Am] * 6, until=56).key == (9, "minor")


def test_key_model_is_selectable_and_checked():
    L = Listener(ListenerConfig(key_model="rules"))
    C, F, G = (48, 52, 55, 60), (41, 53, 57, 60), (43, 55, 59, 62)
    run(L, chord_messages([C, F, G, C] * 4), until=17)
    assert L.key.model == "rules" and L.key.key == (0, "major")
    with pytest.raises(ValueError, match="key model"):
        KeyTracker(model="viterbi")


@pytest.mark.parametrize("start,end", [(90, 120), (120, 90)])
def test_beat_tracker_follows_an_accelerando_and_a_ritardando(start, end):
    # 16 beats steady, 48 beats of a steady tempo ramp, 16 steady: during the ramp the predicted next beat
    # stays close to the played one (the fit's tempo is the tempo now, not the average of the last bars).
    beats, ramp = [0.5], 48
    for k in range(16 + ramp + 16):
        bpm = start if k < 16 else end if k >= 16 + ramp else start + (end - start) * (k - 16) / ramp
        beats.append(beats[-1] + 60 / bpm)
    msgs = []
    for k, t in enumerate(beats):
        for j, p in enumerate((40, 47, 52, 56)):
            msgs += [InputMessage(t + 0.008 * j, NOTE_ON, p, 100 if k % 4 == 0 else 85),
                     InputMessage(t + 0.2, NOTE_OFF, p, 0)]
    msgs.sort(key=lambda m: m.time)
    L = Listener()
    errors = []
    for now in ticks(L, msgs, beats[-1]):
        if beats[16] < now < beats[16 + ramp]:
            predicted = L.beat.seconds_at(round(L.beat.beat_at(now)) + 1)
            errors.append(min(abs(predicted - b) for b in beats))
    assert sum(errors) / len(errors) < 0.02 and max(errors) < 0.06


def test_the_tempo_refinement_stays_within_half_a_frame_of_a_window_edge():
    """The level search may stop at the edge of its window, on a slope rather than a peak: the parabola
    through it must not move the period by more than half a frame (it once gave a negative period)."""
    from engine.listen.tempo import FPS, TempoEstimator

    est = TempoEstimator(100.0, 1.0, 40.0, 220.0, 8.0)
    score = np.zeros(est.lag_hi - est.lag_lo + 1)
    L = est.lag_lo + 20
    score[20 - 1], score[20], score[20 + 1] = 1.0, 0.6, 0.19     # rising to the left: no peak at L
    period = est.refine(score, L)
    assert abs(period * FPS - L) <= 0.5 and period > 0


@settings(max_examples=200, deadline=None)
@given(gaps=st.lists(st.floats(0.05, 1.2), min_size=2, max_size=60),
       weights=st.lists(st.floats(0.05, 3.0), min_size=60, max_size=60),
       bass=st.lists(st.booleans(), min_size=60, max_size=60),
       bpm=st.floats(45.0, 215.0))
def test_the_bass_level_check_answers_one_of_the_three_levels(gaps, weights, bass, bpm):
    """Any onsets, weights, bass flags and period: the level the bass keeps is the period, or its 2:3 or 3:2
    relative inside the searched tempo range, never anything else (and never an exception)."""
    from engine.listen.tempo import FPS, TempoEstimator

    est = TempoEstimator()
    t = np.cumsum(gaps)
    w = np.array(weights[:len(t)])
    est.scores(t, w)                         # the estimate's autocorrelation, as the tracker computes it first
    period = 60.0 / bpm
    level = est.bass_level(t, w, np.array(bass[:len(t)], dtype=bool), period)
    # (period * 2 / 3 and period * (2 / 3) may differ in the last bit: compared to a relative 1e-12)
    assert any(level == pytest.approx(p, rel=1e-12) for p in (period, period * 2 / 3, period * 1.5)), level
    assert level == period or est.lag_lo <= level * FPS <= est.lag_hi


def test_the_grid_holds_through_syncopation_but_follows_a_player_who_moved_the_beat():
    """phase.blend: fits half a beat off the grid, three in a row within one beat (a bar's anticipations),
    leave the grid where it is; fits off it for three beats and more move it there (forward)."""
    from engine.listen.phase import GridState, blend

    grid = GridState(0, 0.0, 0.5, 1.0, 0)
    for now in (4.05, 4.2, 4.35):                 # three off-beat fits within a beat
        grid = blend(grid, now, 0.25, 0.5, 0.8, 0.8, False)
    assert grid.anchor_time % 0.5 == pytest.approx(0.0, abs=1e-9)
    assert grid.disagree == 3
    for now in (4.8, 5.3, 5.9):                   # still off after three beats: the player moved the beat
        grid = blend(grid, now, 0.25, 0.5, 0.8, 0.8, False)
    assert grid.anchor_time % 0.5 == pytest.approx(0.25, abs=1e-9)
    assert grid.disagree == 0


def predicted_offsets(msgs: list, beats: list[float], p: float) -> tuple[Listener, np.ndarray]:
    """Replay `msgs` (time-ordered after sorting) through a Listener; from the 17th beat on, each tick's
    predicted next beat against the nearest true beat (`beats`, s), in beats of `p` s. Returns the listener
    and those offsets."""
    msgs.sort(key=lambda m: m.time)
    L = Listener()
    offs = []
    for now in ticks(L, msgs, beats[-1]):
        if now > beats[16] and L.beat.period is not None:
            predicted = L.beat.seconds_at(round(L.beat.beat_at(now)) + 1)
            offs.append(min(abs(predicted - b) for b in beats) / p)
    return L, np.array(offs)


@pytest.mark.parametrize("bpm", [100, 137])
def test_sixteenth_strums_keep_the_beat_on_the_down_strum_not_the_up_strum(bpm):
    # 2/4 strummed D . D U in sixteenths: a full down-strum from the bass on the beat, a lighter one on its half,
    # a light up-strum on its last sixteenth. The beat and its half weigh nearly alike, so the circular mean of
    # the strums points at the up-strum; the beat must stay on the first down-strum (converter-set-b sim_01: the
    # band's beats were a sixteenth early). (At 78 BPM the tracker starts at double tempo and keeps the half
    # beat's strum when it moves to the beat: the two down-strums differ too little to say which is the beat.)
    p = 60 / bpm
    msgs, beats = [], []
    roots = (45, 43, 50, 45)     # A, G, D, A: two bars each
    for k in range(64):
        t = 0.5 + k * p
        beats.append(t)
        root = roots[(k // 4) % 4]
        for at, notes, vel in ((0.0, (root, root + 7, root + 12, root + 16, root + 19), 100),
                               (0.5, (root, root + 7, root + 12, root + 16, root + 19), 84),
                               (0.75, (root + 19, root + 16, root + 12), 66)):
            for j, pitch in enumerate(notes):
                msgs.append(InputMessage(t + at * p + 0.006 * j, NOTE_ON, pitch, vel))
                msgs.append(InputMessage(t + (at + 0.2) * p, NOTE_OFF, pitch, 0))
    L, offs = predicted_offsets(msgs, beats, p)
    assert L.beat.bpm == pytest.approx(bpm, rel=0.03)
    assert np.mean(offs < 0.1) > 0.9


@pytest.mark.parametrize("bpm", [100, 129, 150])
def test_chords_on_every_and_keep_the_beat_where_the_thumb_plays(bpm):
    # Bossa-like comping (GuitarSet's BN takes): after two bars strummed on the beats, the thumb alone plays the
    # bass on beats 1 and 3 and the chord (four notes) is struck on every "and", tied over the next beat. The
    # strums' weight sits on the off-beats (16 notes a bar against 2), so the phase fit goes there; the bass has
    # not moved, and neither does the beat (before: the grid went half a beat off within a bar and stayed).
    p = 60 / bpm
    msgs, beats = [], []
    for bar in range(12):
        root, chord = ((51, (58, 63, 67, 70)), (44, (56, 60, 63, 68)))[(bar // 2) % 2]
        t0 = 0.5 + 4 * bar * p
        beats += [t0 + k * p for k in range(4)]
        if bar < 2:
            events = [(k, (root, *chord)) for k in range(4)]
        else:
            events = [(0, (root,)), (2, (root,))] + [(k + 0.5, chord) for k in range(4)]
        for at, notes in events:
            for j, pitch in enumerate(notes):
                msgs.append(InputMessage(t0 + at * p + 0.008 * j, NOTE_ON, pitch, 90))
                msgs.append(InputMessage(t0 + (at + 0.9) * p, NOTE_OFF, pitch, 0))
    L, offs = predicted_offsets(msgs, beats, p)
    assert L.beat.bpm == pytest.approx(bpm, rel=0.03)
    assert np.mean(offs > 0.25) < 0.05
