"""The bar pointer (engine/listen/bar_pointer.py): meter and downbeat over the tracked beats.

Unit checks drive it on a fixed beat grid; the case files are converter-set-b takes from an independent
simulator (../shared/cases, copied to tests/data): the kinds the accent counts got wrong."""

import json
import math
import random
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analyze import run_online
from engine.io.midi_input import read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.bar_pointer import ACCENT, ACCENT_SPREAD, COUNTINGS, FEATURES, BarTracker, BeatFeatures
from engine.listen.guitar import GuitarConfig

DATA = Path(__file__).parent / "data"
PERIOD = 0.5


def beat_at(t: float) -> float:
    return t / PERIOD


def seconds_at(b: float) -> float:
    return b * PERIOD


def play(bars: list[tuple[int, ...]], pattern: list[str], offset: int = 0, pairs: bool = True) -> BarTracker:
    """A bar pointer (`pairs` as BarTracker's) fed a guitar part on a 120 BPM grid whose beat numbers start
    `offset` beats before the first bar: per bar a chord (root pitch class, then the chord's pitch classes), per
    beat of `pattern` 'B' (the bass alone, the chord's root), 'C' (the chord over the bass) or 'c' (the chord
    alone)."""
    bp = BarTracker(pairs)
    beats = len(pattern)
    for i, chord in enumerate(bars):
        for k, what in enumerate(pattern):
            t = seconds_at(offset + i * beats + k)
            if what == "B":
                bp.note(t, 40 + chord[0], 0.8, True)
            if what in "Cc":
                if what == "C":
                    bp.note(t, 40 + chord[0], 0.8, True)
                for j, pc in enumerate(chord[1:]):
                    bp.note(t + 0.01 * (j + 1), 52 + pc, 0.6, False)
            bp.advance(t + 0.3 * PERIOD, beat_at, seconds_at)
    return bp


I_IV_V_I = [(0, 0, 4, 7), (5, 5, 9, 0), (7, 7, 11, 2), (0, 0, 4, 7)] * 4


def test_a_waltz_is_three_beats_and_the_bass_alone_starts_the_bar():
    bp = play(I_IV_V_I, ["B", "c", "c"], offset=1)
    beats, phase, confidence = bp.bar((3, 4))
    assert beats == 3 and phase == 1 and confidence > 0.5


def test_four_four_with_bass_on_one_and_three_keeps_the_bar_on_the_chord_change():
    bp = play(I_IV_V_I, ["B", "c", "B", "c"], offset=2)
    beats, phase, confidence = bp.bar((3, 4))
    assert beats == 4 and phase == 2 and confidence > 0.5


def test_in_compound_time_the_bar_is_two_beats_and_starts_on_the_change():
    bp = play(I_IV_V_I, ["C", "c"], offset=1)
    beats, phase, _ = bp.bar((2,))
    assert beats == 2 and phase == 1


def boom_chick(strummed: bool) -> BarTracker:
    """A bar pointer fed boom-chick on a 120 BPM grid, the chord changing every four beats (I IV V I): the root
    alone (a bass), the chord, the fifth alone (not flagged a bass: while the root rings the conditioner does
    not hear it as one), the chord; beat numbers start one beat before the first note. The chord is strummed, or
    (not `strummed`) its notes are picked one after another through the beat, as a melody would run."""
    bp = BarTracker()
    spread = 0.01 if strummed else 0.2
    for i, chord in enumerate(I_IV_V_I):
        for k in range(4):
            t = seconds_at(1 + i * 4 + k)
            if k % 2 == 0:
                bp.note(t, 40 + chord[0] + (7 if k == 2 else 0), 0.8, k == 0)
            else:
                for j, pc in enumerate(chord[1:]):
                    bp.note(t + spread * j, 55 + pc, 0.6, False)
            bp.advance(t + 0.3 * PERIOD, beat_at, seconds_at)
    return bp


def test_an_alternate_bass_after_the_chord_makes_two_beats_to_the_bar():
    # The harmony changes every four beats, but the note struck alone under the chord on every second beat is
    # a bass as strong as the root: 2/4 (a bar of bass then chord). After a run of single notes it is a melody
    # note, and the bar is four beats.
    assert boom_chick(True).bar()[:2] == (2, 1)
    assert boom_chick(False).bar()[:2] == (4, 1)


def strummed_in_pairs(third: float, seed: int, weights: tuple[float, ...] | None = None) -> BarTracker:
    """A bar pointer fed a strum on every beat on a 120 BPM grid, the chord changing every four beats (I IV V I),
    the strums on beats 1, 2, 3, 4 of each chord at weights 0.7, 0.55, `third`, 0.55 (or `weights`; each note off
    by a seeded Gaussian of 0.035, as a player's velocities wander): 2/4 whose chords last two bars when `third`
    is 0.7, 4/4 when the third beat is softer. Beat numbers start one beat before the first strum."""
    rng = random.Random(seed)
    bp = BarTracker()
    for i, chord in enumerate(I_IV_V_I):
        for k, w in enumerate(weights or (0.7, 0.55, third, 0.55)):
            t = seconds_at(1 + i * 4 + k)
            for j, pitch in enumerate([40 + chord[0]] + [52 + pc for pc in chord[1:]] + [59 + chord[1]]):
                bp.note(t + 0.008 * j, pitch, w * (1 - 0.03 * j) + rng.gauss(0, 0.035), j == 0)
            bp.advance(t + 0.3 * PERIOD, beat_at, seconds_at)
    return bp


def test_two_four_whose_chords_last_two_bars_is_told_from_four_four_by_its_accents():
    # The harmony alone says 4/4 (a strum without a new chord every second downbeat is 4/4's half bar); every
    # bar starting as strongly as the last says 2/4. The pointer counts 2/4 in pairs of bars as well, so the
    # accents decide: at main two of these eight 2/4 takes were heard in 4/4.
    assert [strummed_in_pairs(0.7, seed).bar()[:2] for seed in range(8)] == [(2, 1)] * 8
    assert [strummed_in_pairs(0.63, seed).bar()[:2] for seed in range(8)] == [(4, 1)] * 8


def test_four_four_strummed_evenly_with_a_chord_a_bar_is_heard_in_four():
    # review22's modal_E_phrygian_96_4-4 (D.DUDUDU, every beat's strum about as loud, the chord changing on the
    # player's 1): no beat is accented, so an even "3" says nothing of 2/4; at main it was weighed as 2/4's equal
    # downbeat, the pair of 2/4 bars took 0.99 of the belief and the file turned 2/4 at 11.75 s.
    truth = json.loads((DATA / "even-strums-4-4-review22.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "even-strums-4-4-review22.mid").messages if m.time < 30.0]
    analysis, _ = run_online(messages, ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    assert truth["meter"] == "4/4" and analysis.meter == "4/4"


def test_even_strums_count_no_pairs_of_two_four_bars_accented_ones_do():
    # The pairs of 2/4 bars count only while the beats are accented (ACCENTED): strong-weak alternating, as 2/4
    # and 4/4 are played, and not every beat alike with the velocities wandering at random.
    assert not any(strummed_in_pairs(0.7, seed, (0.7,) * 4)._paired for seed in range(8))
    assert all(strummed_in_pairs(third, seed)._paired for third in (0.7, 0.63) for seed in range(8))


def test_a_change_of_dynamic_level_is_no_accent():
    # A passage dropping to under LEVEL of the loudness (subito piano) is not a run of weak beats: the two beats
    # across the drop are not compared, while the accents within each level still are.
    ratios = accent_ratios([0.7, 0.55, 0.63, 0.55] * 3 + [0.3, 0.2, 0.22, 0.2] * 2 + [0.3])
    assert ratios[10][1] < 1.0 < ratios[10][2]         # loud: a third beat softer than the first
    assert ratios[12] == ratios[13] == (1.0, 1.0, 1.0)
    assert ratios[20][1] > 1.0 > ratios[20][2]         # soft: a first beat louder than the third


def test_a_waltzs_soft_passage_keeps_three_beats_to_the_bar():
    # sim2's waltz_3-4_G-dorian+dynamics: bars 8-16 (12.2-24.1 s) at a third of the velocity, the chord on 1 and
    # an up-strum between 2 and 3. Each soft downbeat's onset weight against the loud bars' mean read it as a
    # weak beat, bar after bar, and the pointer moved to 4/4 at 14 s. Heard up to 21 s, before the beat
    # tracker leaves the quarter at the passage's end (another module's matter).
    truth = json.loads((DATA / "waltz-3-4-dynamics-sim2.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "waltz-3-4-dynamics-sim2.mid").messages if m.time < 21.0]
    analysis, _ = run_online(messages, ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    assert truth["meter"] == "3/4" and analysis.meter == "3/4"


def test_without_dynamics_2_4_is_counted_alone_exactly_as_the_plain_counting_does():
    # Every bass at 0.8 and every chord alone at 0.6, so each beat is as loud as two beats before (GuitarSet's
    # MIDI, a converter without velocity): the pair would be 4/4 under another name, so it holds no belief and
    # the pointer reads, bit for bit, what it reads with 2/4 counted alone. Before, the pair shared the
    # filter's normalisation and the confidence the band reads moved.
    bp = play(I_IV_V_I, ["C", "c", "C", "c"], offset=1)
    pair = next(c for c, (beats, span, _) in enumerate(COUNTINGS) if span != beats)
    assert sum(bp._belief[bp._span[pair]]) == 0.0
    plain = play(I_IV_V_I, ["C", "c", "C", "c"], offset=1, pairs=False)
    assert bp._belief == plain._belief
    assert all(bp.bar(meters) == plain.bar(meters) for meters in ((2,), (3, 4), (2, 3, 4)))


def test_features_of_a_rest_and_of_a_new_chord():
    f = BeatFeatures()
    rest = f.of([], 0.0, 0.5, 1.0)
    assert len(rest) == len(FEATURES) and rest[FEATURES.index("rest")] == 1.0
    c_major = [(0.5, 48, 0.8, True), (0.51, 52, 0.6, False), (0.52, 55, 0.6, False)]
    f.of(c_major, 0.2, 0.5, 0.8)
    same = f.of([(n[0] + 0.5, *n[1:]) for n in c_major], 0.7, 1.0, 1.3)
    f_major = [(1.5, 53, 0.8, True), (1.51, 57, 0.6, False), (1.52, 60, 0.6, False)]
    new = f.of(f_major, 1.2, 1.5, 1.8)
    i = FEATURES.index("new pitch classes")
    assert same[i] == 0.0 and new[i] > 0.5
    assert new[FEATURES.index("bass moved")] == 1.0 and same[FEATURES.index("bass moved")] == 0.0


def test_a_note_alone_under_the_last_chord_is_a_bass_the_chords_own_lowest_string_is_not():
    # A C chord strummed on beat 1 (E3 its lowest string), then on beat 2 a note alone (none flagged a bass).
    c_over_e = [(0.5 + 0.01 * j, p, 0.7, False) for j, p in enumerate((52, 55, 60, 64))]
    bass = FEATURES.index("bass on the beat"), FEATURES.index("bass alone")
    for lone, heard in ((48, 1.0), (52, 0.0)):        # C3 under the chord: the boom; E3 again: the strum pattern
        f = BeatFeatures()
        f.of(c_over_e, 0.2, 0.5, 0.8)
        x = f.of([*c_over_e, (1.0, lone, 0.8, False)], 0.7, 1.0, 1.3)
        assert (x[bass[0]], x[bass[1]]) == (heard, heard)


def test_the_next_chords_bass_at_the_foot_of_the_last_chord_is_a_bass_a_melody_note_is_not():
    # oom-pah in 2/4 whose bass moves between strings (sim3's stops_2-4 A-phrygian): A minor strummed with E3 its
    # lowest note, then F3 alone on the D string, the bass of the B-flat chord to come: not under E3, but a pitch
    # class the A minor did not hold, under its second note (A3). A4 alone (above the chord's foot) is a melody
    # note, E3 again the chord's own string, and F3 after a bass of its own (A2 struck before the chord) that
    # bass's alternate, which only the first rule (under every note) would take. F4 at the foot of an E-flat chord
    # voiced high (E-flat 4 its lowest note) is above the bass strings: a melody note.
    a_minor = [(0.5 + 0.01 * j, p, 0.6, False) for j, p in enumerate((52, 57, 60, 64))]
    with_bass = [(0.3, 45, 0.8, True), *a_minor]
    high = [(0.5 + 0.01 * j, p, 0.6, False) for j, p in enumerate((63, 67, 70, 75))]
    bass = FEATURES.index("bass on the beat"), FEATURES.index("bass alone")
    for chord, lone, heard in ((a_minor, 53, 1.0), (a_minor, 69, 0.0), (a_minor, 52, 0.0), (with_bass, 53, 0.0),
                               (high, 65, 0.0)):
        f = BeatFeatures()
        f.of(chord, 0.2, 0.5, 0.8)
        x = f.of([*chord, (1.0, lone, 0.8, False)], 0.7, 1.0, 1.3)
        assert (x[bass[0]], x[bass[1]]) == (heard, heard), (lone, heard)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 30), st.integers(28, 90), st.floats(0.05, 1.0), st.booleans()),
                max_size=120),
       st.floats(0.2, 1.5))
def test_any_notes_on_any_grid_give_a_bar_and_a_confidence(notes, period):
    bp = BarTracker()
    t = 0.0
    for note in sorted(notes):
        bp.note(*note)
        t = note[0]
        bp.advance(t, lambda s: s / period, lambda b: b * period)
    for meters in ((2,), (3, 4), (2, 3, 4)):
        beats, phase, confidence = bp.bar(meters)
        assert beats in meters and 0 <= phase < beats and 0.0 <= confidence <= 1.0
    assert math.isclose(sum(bp._belief), 1.0, rel_tol=1e-9)


def case(name: str, model: str):
    """(online analysis with the `model` bars, truth JSON) of a converter-set-b take (30 ms converter latency
    declared, as a player would)."""
    truth = json.loads((DATA / f"{name}.json").read_text())
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=0.03), bar_model=model)
    analysis, _ = run_online(read_guitar_file(DATA / f"{name}.mid").messages, config)
    return analysis, truth


def downbeat_share(analysis, truth) -> float:
    """Share of the reported downbeats after the first 10 s that fall within 70 ms of a true downbeat."""
    true = np.array(truth["downbeats"])
    late = [d for d in analysis.downbeats if d > 10]
    return sum(np.abs(true - d).min() < 0.07 for d in late) / max(1, len(late))


def test_chord_changes_put_the_downbeat_on_beat_one_not_where_the_chord_label_changed():
    # sim_08 (4/4): the chord label changes a strum after the new chord comes, so the accent counts put
    # every downbeat on beat 2; the bar pointer hears the new pitch classes on beat 1.
    pointer, truth = case("sim_08", "pointer")
    accents, _ = case("sim_08", "accents")
    assert pointer.meter == "4/4" and downbeat_share(pointer, truth) > 0.8
    assert downbeat_share(accents, truth) < 0.2


def test_a_waltz_from_another_simulator_is_heard_in_three():
    pointer, truth = case("sim_00", "pointer")       # 3/4, D . D U D U, heard as 4/4 by the accent counts
    assert truth["meter"] == "3/4" and pointer.meter == "3/4" and downbeat_share(pointer, truth) > 0.8


def test_boom_chick_in_two_whose_every_bar_is_accented_alike_is_heard_in_two():
    # sim2's strum_2-4 seed 1: bass alone on 1, the chord on 2, the bass's octave on the next bar's 1 (the
    # chord's own lowest note, not under it) and chords changing every two bars: the beat features read
    # 4/4's half bar there. Every bar's 1 is as loud as the last (velocity ~80 against ~63 on the chords),
    # where a 4/4 bar's third beat is softer than its first: heard in 4/4 at main.
    pointer, truth = case("strum-2-4-sim2", "pointer")
    assert truth["meter"] == "2/4" and pointer.meter == "2/4" and downbeat_share(pointer, truth) > 0.8


def test_fingerpicked_four_whose_third_beat_is_softer_than_its_first_is_heard_in_four():
    # sim3's fingerpick_4-4 seed 6: a bass on every beat, the first beat's ~9 velocity louder than the
    # third's; the bass and harmony alone read every second beat as a downbeat: heard in 2/4 at main.
    pointer, truth = case("fingerpick-4-4-sim3", "pointer")
    assert truth["meter"] == "4/4" and pointer.meter == "4/4" and downbeat_share(pointer, truth) > 0.8


def accent_ratios(louds: list[float | None]) -> list[tuple[float, float, float]]:
    """The accent likelihood ratios (none, louder, softer expected) of a fresh bar pointer fed beats whose
    loudest notes weigh `louds` (velocity / 127; None: nothing on the beat)."""
    bp = BarTracker()
    out = []
    for n, loud in enumerate(louds):
        bp._features.loud = loud
        out.append(bp._accent_likelihood(n))
    return out


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0.05, 1.0)), min_size=3, max_size=40))
def test_accents_weigh_louder_and_softer_oppositely_and_never_the_two_four_states(louds):
    # The 2/4 states (a downbeat two beats after a downbeat) are never weighed; a louder beat weighs for the
    # states expecting it louder and against those expecting it softer, and the two together always cost
    # exp(-(ACCENT / ACCENT_SPREAD)^2): accents alike two beats apart count for two beats to the bar.
    for none, louder, softer in accent_ratios(louds):
        assert none == 1.0
        if louder != 1.0 or softer != 1.0:
            assert math.isclose(louder * softer, math.exp(-(ACCENT / ACCENT_SPREAD) ** 2))


def test_an_accent_is_a_share_of_the_dynamic_level_as_large_played_softly():
    # A third beat a tenth softer than the first is the same accent at velocity 25 as at 80. Compared as a
    # difference of velocities, the soft one was a third of the accent expected, nearer none than that: at
    # main 4/4's odds over 2/4's equal downbeats were 2.7 a bar loud and 0.85 soft (the soft accent voted 2/4).
    loud = accent_ratios([0.66, 0.5, 0.6, 0.5] * 8)
    soft = accent_ratios([0.22, 0.5 / 3, 0.2, 0.5 / 3] * 8)
    assert loud[-2][2] > 1.5
    for a, b in zip(loud[-8:], soft[-8:]):
        assert all(math.isclose(x, y, rel_tol=1e-9) for x, y in zip(a, b))


def test_four_four_whose_alternating_bass_is_played_softly_is_heard_in_four():
    # sim3's dynamics_4-4 seed 12: root alone on 1, the chord on 2, the fifth alone on 3, the chord on 4, then
    # from 21.7 s the basses alone at velocity ~27 (root on 1 ~3 louder than the fifth on 3). Its accents, as
    # velocity differences, were too small to count against the moving bass on every second beat: heard in
    # 2/4 at main from 6 s to the end of the soft passage.
    truth = json.loads((DATA / "dynamics-4-4-sim3.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "dynamics-4-4-sim3.mid").messages if m.time < 45.0]
    analysis, _ = run_online(messages, ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    assert truth["meter"] == "4/4" and analysis.meter == "4/4"


def test_a_converter_without_dynamics_gives_no_accent_evidence():
    # GuitarSet's MIDI (and a converter that sends one velocity) has every note at 90: equal accents there
    # say nothing of 2/4, so the cue must be silent, not vote for two beats to the bar.
    assert all(r == (1.0, 1.0, 1.0) for r in accent_ratios([90 / 127] * 32))
    # With dynamics, a downbeat louder than two beats before weighs the states expecting it.
    ratios = accent_ratios([0.7, 0.5, 0.62, 0.5] * 8)
    assert ratios[-4][1] > 1.0 > ratios[-4][2] and ratios[-2][2] > 1.0 > ratios[-2][1]
