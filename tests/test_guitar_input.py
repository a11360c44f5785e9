"""Guitar conditioning on hand-made converter input with known answers."""

import pytest

from engine.events import InputMessage
from engine.listen.guitar import GuitarConditioner, GuitarConfig

ON, OFF, BEND = 0x90, 0x80, 0xE0


def run(msgs, config=None, until=None):
    g = GuitarConditioner(config)
    notes, releases = [], []
    g.on_note = notes.append
    g.on_release = lambda t, p, d, b: releases.append((t, p, d, b))
    for m in sorted(msgs, key=lambda m: m.time):
        g.update(m.time)
        g.feed(m)
    g.update(until if until is not None else msgs[-1].time + 1)
    return g, notes, releases


def test_short_quiet_and_spike_notes_are_dropped_and_counted():
    msgs = [
        InputMessage(0.100, ON | 2, 50, 90), InputMessage(0.600, OFF | 2, 50, 0),    # a real note
        InputMessage(0.200, ON | 1, 55, 90), InputMessage(0.205, OFF | 1, 55, 0),    # 5 ms: glitch
        InputMessage(0.300, ON | 0, 90, 90), InputMessage(0.320, OFF | 0, 90, 0),    # high 20 ms: attack noise
        InputMessage(0.400, ON | 3, 57, 6), InputMessage(0.700, OFF | 3, 57, 0),     # velocity 6: ghost
    ]
    g, notes, releases = run(msgs)
    assert [n.pitch for n in notes] == [50]
    assert notes[0].time == pytest.approx(0.1)          # confirmed late, reported at its onset
    assert g.dropped == {"short": 1, "spike": 1, "quiet": 1}
    assert [(p, round(d, 3)) for _, p, d, _ in releases] == [(50, 0.5)]


def test_octave_error_on_the_same_string_is_dropped():
    msgs = [InputMessage(0.10, ON | 5, 40, 100), InputMessage(0.14, ON | 5, 52, 100),
            InputMessage(0.50, OFF | 5, 40, 0), InputMessage(0.50, OFF | 5, 52, 0)]
    g, notes, _ = run(msgs)
    assert [n.pitch for n in notes] == [40] and g.dropped["octave"] == 1
    # In poly mode there is no string to judge by: both notes count.
    g, notes, _ = run(msgs, GuitarConfig(poly=True))
    assert [n.pitch for n in notes] == [40, 52]


def test_strum_direction_size_spread_and_bass():
    down = [InputMessage(1.000 + 0.01 * i, ON | (5 - i), p, 90) for i, p in enumerate((40, 47, 52, 56, 59, 64))]
    up = [InputMessage(1.500 + 0.008 * i, ON | i, p, 70) for i, p in enumerate((64, 59, 56))]
    _, notes, _ = run(down + up)
    first, second = notes[0].strum, notes[-1].strum
    assert first.size == 6 and first.direction == "down" and first.spread == pytest.approx(0.05)
    assert second.size == 3 and second.direction == "up"
    assert [n.bass for n in notes[:6]] == [True] + [False] * 5


def test_pitch_bend_becomes_sounding_pitch():
    whole_tone_up = 8192 + round(8192 * 2 / 12)          # +2 semitones with a 12-semitone range
    msgs = [InputMessage(0.0, BEND | 1, whole_tone_up & 0x7F, whole_tone_up >> 7),
            InputMessage(0.1, ON | 1, 57, 90), InputMessage(0.5, OFF | 1, 57, 0)]
    _, notes, _ = run(msgs)
    assert notes[0].pitch == 59
    _, notes, _ = run(msgs, GuitarConfig(bend_range=24))
    assert notes[0].pitch == 61


def test_channel_filter_and_declared_latency():
    msgs = [InputMessage(0.130, ON | 0, 64, 90), InputMessage(0.130, ON | 9, 36, 90),
            InputMessage(0.600, OFF | 0, 64, 0), InputMessage(0.600, OFF | 9, 36, 0)]
    g, notes, _ = run(msgs, GuitarConfig(channels=(0, 1, 2, 3, 4, 5), converter_latency=0.030))
    assert [n.pitch for n in notes] == [64] and g.dropped["other channel"] == 2
    assert notes[0].time == pytest.approx(0.100)


@pytest.mark.parametrize("kwargs", [dict(bend_range=0), dict(bend_range=48), dict(channels=(16,)),
                                    dict(converter_latency=0.5)])
def test_bad_config_is_refused(kwargs):
    with pytest.raises(ValueError):
        GuitarConfig(**kwargs)
