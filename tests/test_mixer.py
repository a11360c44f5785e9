"""Levels (`--mix`, footswitch `level` actions): parsing, channel volumes, and the band's CC7 following them."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.arrange.band import MIX, setup_events, volume_events
from engine.errors import ConfigError
from engine.events import Control
from engine.live.controls import FootswitchMap, LevelStep, parse_action
from engine.mixer import MAX_DB, MIN_DB, Levels, parse_level, parse_mix

GOOD = [
    ("dombra=-3", {"dombra": -3.0}),
    ("dombra=-3,percussion=0,guitar=-6", {"dombra": -3.0, "percussion": 0.0, "guitar": -6.0}),
    (" percussion = +2.5 , dombra=off", {"percussion": 2.5, "dombra": -math.inf}),
    ("guitar=mute", {"guitar": -math.inf}),
    ("dombra=-60,percussion=12", {"dombra": -60.0, "percussion": 12.0}),
    ("dombra=-6dB", {"dombra": -6.0}),
    ("DOMBRA=-3,Percussion=OFF", {"dombra": -3.0, "percussion": -math.inf}),   # parts in any case
]
BAD = [
    ("dombro=-3", "no part 'dombro' (did you mean 'dombra'?)"),
    ("drums=-3", "no part 'drums'; parts: dombra, percussion, guitar"),
    ("dombra=loud", "'loud' is not a level"),
    ("dombra=nan", "'nan' is not a level"),
    ("dombra=-61", "out of range; give -60..+12 dB"),
    ("percussion=+13", "out of range"),
    ("dombra", "is not PART=DB"),
    ("dombra=", "is not PART=DB"),
    ("dombra=-3,,percussion=0", "is not PART=DB"),
    ("dombra=-3,dombra=-2", "dombra is given twice"),
]


@pytest.mark.parametrize("spec, expected", GOOD)
def test_mix_parses(spec, expected):
    levels = parse_mix(spec)
    for part in ("dombra", "percussion", "guitar"):
        assert levels.db(part) == expected.get(part, 0.0)


@pytest.mark.parametrize("spec, words", BAD)
def test_bad_mix_says_what_is_wrong(spec, words):
    with pytest.raises(ValueError) as err:
        parse_mix(spec)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_volume_follows_fluidsynths_cc7_curve():
    # 40·log10(v/127) dB: -6 dB is 10^(-6/40) of the value, rounded.
    levels = parse_mix("dombra=-6,percussion=-60")
    assert levels.volume("dombra", 108) == round(108 * 10 ** (-6 / 40)) == 76
    assert levels.volume("percussion", 96) == 3
    assert levels.volume("guitar", 100) == 100        # not given: as it was
    assert parse_mix("dombra=off").volume("dombra", 108) == 0


def test_a_raised_part_lowers_the_others_instead():
    levels = parse_mix("percussion=+6")
    assert levels.top == 6
    assert levels.volume("percussion", 96) == 96      # the loudest stays where the band had it ...
    assert levels.volume("dombra", 108) == round(108 * 10 ** (-6 / 40))   # ... the rest go 6 dB down


@given(st.floats(MIN_DB, MAX_DB), st.floats(MIN_DB, MAX_DB), st.integers(1, 127))
def test_volume_is_monotonic_and_in_range(a, b, base):
    lo, hi = sorted((a, b))
    v_lo = Levels().set("dombra", lo).set("percussion", MAX_DB).volume("dombra", base)
    v_hi = Levels().set("dombra", hi).set("percussion", MAX_DB).volume("dombra", base)
    assert 1 <= v_lo <= v_hi <= 127


def test_parse_level_words():
    assert parse_level("OFF") == parse_level("mute") == -math.inf
    assert parse_level("+12") == 12.0
    with pytest.raises(ValueError):
        parse_level("inf")


def test_step_stays_in_range_and_off_stays_off():
    levels = Levels().step("dombra", -50).step("dombra", -50)
    assert levels.db("dombra") == MIN_DB
    assert Levels().step("percussion", 30).db("percussion") == MAX_DB
    assert Levels().set("dombra", -math.inf).step("dombra", 3).db("dombra") == -math.inf
    with pytest.raises(ValueError):
        Levels().step("bass", 3)


def test_flat_levels_leave_the_bands_set_up_as_it_was():
    assert setup_events(1.0) == setup_events(1.0, Levels())
    volumes = {e.channel: e.value for e in setup_events(1.0) if isinstance(e, Control) and e.control == 7}
    assert volumes == {ch: vol for ch, (vol, _) in MIX.items()}


def test_band_volumes_at_levels():
    levels = parse_mix("dombra=-6,percussion=off")
    volumes = {e.channel: e.value for e in volume_events(2.0, levels)}
    assert volumes == {6: 76, 7: 45, 9: 0}


@pytest.mark.parametrize("text, action", [
    ("fill", "fill"),
    ("level dombra -3", LevelStep("dombra", -3.0)),
    ("level percussion +1.5", LevelStep("percussion", 1.5)),
])
def test_footswitch_actions_parse(text, action):
    assert parse_action(text) == action


@pytest.mark.parametrize("text, words", [
    ("level dombra 3", "with its sign"),
    ("level dombra -30", "up to 24"),
    ("level dombro -3", "did you mean 'dombra'"),
    ("level guitar -3", "no part 'guitar'"),
    ("level dombra", "'level PART +N'"),
    ("levels dombra -3", "is not an action"),
    (3, "is not an action"),
])
def test_bad_footswitch_level_actions(text, words):
    with pytest.raises(ValueError) as err:
        parse_action(text)
    assert words in str(err.value)


FOOTSWITCH_LEVELS = """
[[switch]]
cc = 66
channel = 16
tap = "level dombra -3"
hold = "level dombra +3"
"""


def test_a_footswitch_level_action_changes_the_bands_channel_volume_live(tmp_path):
    from sessionrig import Script, play_session

    from engine.io.midi_input import read_guitar_file
    from engine.live.session import LiveConfig
    from tests.conftest import example

    path = tmp_path / "footswitch.toml"
    path.write_text(FOOTSWITCH_LEVELS)
    guitar = read_guitar_file(example("d_dorian_96_4-4"))
    take = [([m.status, m.data1, m.data2], m.time) for m in guitar.messages if m.time < 30]
    press = [([0xBF, 66, 127], 20.0), ([0xBF, 66, 0], 20.1)]       # a tap: dombra 3 dB down
    config = LiveConfig(input="guitar", footswitch=FootswitchMap.load(path), levels=parse_mix("percussion=-6"),
                        duration=25.0)
    outcome = play_session(config, Script(sorted(take + press, key=lambda m: m[1])))
    assert outcome.code == 0
    volumes = [(round(e.time, 1), e.channel, e.value) for e in outcome.wire.sent
               if isinstance(e, Control) and e.control == 7]
    first = {ch: v for t, ch, v in volumes if t < 20}
    assert first == {6: 108, 7: 64, 9: round(96 * 10 ** (-6 / 40))}      # --mix from the start
    later = {ch: v for t, ch, v in volumes if t >= 20}
    assert later == {6: round(108 * 10 ** (-3 / 40)), 7: round(64 * 10 ** (-3 / 40)), 9: first[9]}
    assert ("control", {"action": "level", "value": ("dombra", -3.0)}) in outcome.events
    assert outcome.session.status(25.0)["levels"] == {"dombra": -3.0, "percussion": -6.0}   # shown on the panel


def test_a_footswitch_map_refuses_a_bad_level_action_at_load(tmp_path):
    path = tmp_path / "footswitch.toml"
    path.write_text(FOOTSWITCH_LEVELS.replace("level dombra -3", "level dombra 3"))
    with pytest.raises(ConfigError) as err:
        FootswitchMap.load(path)
    assert "footswitch.toml:5:" in str(err.value) and "with its sign" in str(err.value)


def test_a_level_cue_in_a_cue_file_changes_the_volume_in_the_rendered_midi(tmp_path):
    import mido

    from engine.io.cues import load_cues
    from engine.render import render
    from tests.conftest import example

    cues = tmp_path / "cues.toml"
    cues.write_text('[[cue]]\ntime = 20.0\naction = "level"\npart = "percussion"\nstep = -6\n')
    render(example("d_dorian_96_4-4"), tmp_path / "out.mid", cues=load_cues(cues))
    t, volumes = 0.0, []
    for m in mido.MidiFile(tmp_path / "out.mid"):
        t += m.time
        if m.type == "control_change" and m.control == 7:
            volumes.append((round(t, 2), m.channel, m.value))
    assert [v for v in volumes if v[0] < 19.99] and all(v[2] in (108, 64, 96) for v in volumes if v[0] < 19.99)
    assert sorted((ch, v) for t, ch, v in volumes if t >= 19.99) == [(6, 108), (7, 64), (9, round(96 * 10 ** -0.15))]


@pytest.mark.parametrize("body, words", [
    ('action = "level"\npart = "dombra"', 'needs part = "dombra" or "percussion" and step = dB'),
    ('action = "level"\npart = "bass"\nstep = -3', "no part 'bass'"),
    ('action = "fill"\nstep = -3', 'go with action = "level"'),
    ('action = "level"\npart = "dombra"\nstep = 40', "up to 24"),
])
def test_bad_level_cues(tmp_path, body, words):
    from engine.io.cues import load_cues

    cues = tmp_path / "cues.toml"
    cues.write_text(f"[[cue]]\ntime = 1.0\n{body}\n")
    with pytest.raises(ConfigError) as err:
        load_cues(cues)
    assert words in str(err.value) and "cues.toml:" in str(err.value)


def test_a_wav_with_every_part_off_is_silent_not_the_band_normalised_back_up(tmp_path):
    """--mix dombra=off,percussion=off: FluidSynth's CC7 0 is -96 dB, not nothing; peak normalisation must not
    raise that floor back to -1 dBFS (it wrote a full-level copy of the muted band)."""
    import wave

    import numpy as np

    from engine.render import render
    from tests.conftest import example

    render(example("d_dorian_96_4-4"), tmp_path / "out.mid", tmp_path / "out.wav",
           levels=parse_mix("dombra=off,percussion=mute"))
    with wave.open(str(tmp_path / "out.wav")) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    assert len(audio) > 44100 * 2 * 30 and np.abs(audio).max() == 0
