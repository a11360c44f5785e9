from fractions import Fraction

import pytest

from engine.tempomap import TempoMap


def test_constant_tempo_converts_both_ways():
    m = TempoMap.constant(120)
    assert m.seconds_at(4) == 2
    assert m.beat_at(Fraction(3, 2)) == 3


def test_round_trips_are_exact_across_tempo_changes():
    m = TempoMap([(0, 500_000), (4, 250_000), (Fraction(13, 2), 731_113)])
    for beat in [Fraction(0), Fraction(1, 3), Fraction(4), Fraction(5, 7), Fraction(13, 2), Fraction(101, 3)]:
        assert m.beat_at(m.seconds_at(beat)) == beat
    for sec in [Fraction(0), Fraction(2), Fraction(2, 3), Fraction(17, 5), Fraction(1234567, 1000)]:
        assert m.seconds_at(m.beat_at(sec)) == sec


def test_tempo_change_moves_later_beats():
    m = TempoMap([(0, 500_000), (4, 250_000)])
    assert m.seconds_at(4) == 2
    assert m.seconds_at(6) == Fraction(5, 2)
    assert m.tempo_at(3) == 500_000 and m.tempo_at(4) == 250_000


def test_float_fast_path_matches_exact():
    m = TempoMap([(0, 500_000), (4, 250_000), (10, 612_345)])
    for s in [0.0, 1.3, 2.0, 3.9, 5.55, 40.1]:
        assert m.beat_at_float(s) == pytest.approx(float(m.beat_at(Fraction(s))), abs=1e-9)


def test_through_beats_lands_every_beat_on_its_time():
    times = [1.25, 1.87, 2.51, 3.12, 3.70, 4.33]
    m, first = TempoMap.through_beats(times, beats_per_bar=2)
    assert first % 2 == 0 and first >= 2
    for i, t in enumerate(times):
        assert abs(float(m.seconds_at(first + i)) - t) <= 0.5e-6


def test_through_beats_from_zero_needs_no_lead_in():
    m, first = TempoMap.through_beats([0.0, 0.5, 1.0])
    assert first == 0 and m.seconds_at(2) == 1


@pytest.mark.parametrize("changes, msg", [
    ([], "at least one"),
    ([(1, 500_000)], "beat 0"),
    ([(0, 500_000), (0, 400_000)], "increase"),
    ([(0, 0)], "integer"),
    ([(0, 500_000.5)], "integer"),
])
def test_bad_tempo_maps_are_rejected(changes, msg):
    with pytest.raises(ValueError, match=msg):
        TempoMap(changes)
