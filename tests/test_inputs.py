"""Timed engine inputs: raw MIDI bytes decoded (a table), cue files (a timeline and its errors), the player's
options on render and analyze."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.errors import ConfigError
from engine.events import InputMessage
from engine.inputs import ClockInput, CountIn, Cue, CueInput
from engine.io.cues import load_cues
from engine.io.midi_bytes import Garbage, decode
from engine.listen.listener import ListenerConfig, PlayerSettings

ROOT = Path(__file__).resolve().parents[1]
TAKE = ROOT / "examples" / "d_dorian_96_4-4.mid"
GARBAGE = "garbage"

DECODE = [
    # bytes, following a clock?, what the engine gets
    ([0x90, 60, 100], False, InputMessage(1.0, 0x90, 60, 100)),
    ([0x85, 40, 0], False, InputMessage(1.0, 0x85, 40, 0)),
    ([0xE3, 0, 64], False, InputMessage(1.0, 0xE3, 0, 64)),
    ([0xC0, 5], False, InputMessage(1.0, 0xC0, 5, 0)),            # program change: one data byte
    ([0xB0, 64], False, InputMessage(1.0, 0xB0, 64, 0)),          # truncated CC: value 0 (released)
    ([0xF8], False, None), ([0xFA], False, None), ([0xFC], False, None),
    ([0xF8], True, ClockInput(1.0, 0xF8)), ([0xFA], True, ClockInput(1.0, 0xFA)),
    ([0xFB], True, ClockInput(1.0, 0xFB)), ([0xFC], True, ClockInput(1.0, 0xFC)),
    ([0xF2, 0x10, 0x01], True, ClockInput(1.0, 0xF2, 0x10 | 1 << 7)),
    ([0xF2, 0x10, 0x01], False, None),
    ([0xF2, 0x10], True, GARBAGE), ([0xF2, 0x80, 0], True, GARBAGE),   # a malformed song position
    ([0xF1, 3], True, None), ([0xF3, 1], True, None), ([0xF6], True, None), ([0xFE], True, None),
    ([], False, GARBAGE), ([0x90, 200, 100], False, GARBAGE), ([0x90, 60, 128], False, GARBAGE),
    ([0x40, 60, 100], False, GARBAGE), ([0xF0, 1, 2, 0xF7], False, GARBAGE), ([0xFF], False, GARBAGE),
]


@pytest.mark.parametrize("data, clock_in, expected", DECODE)
def test_decode_turns_bytes_into_engine_inputs(data, clock_in, expected):
    if expected == GARBAGE:
        with pytest.raises(Garbage):
            decode(data, 1.0, clock_in)
    else:
        assert decode(data, 1.0, clock_in) == expected


@given(st.lists(st.integers(0, 255), max_size=5), st.booleans())
def test_decode_never_fails_otherwise_than_with_garbage(data, clock_in):
    try:
        item = decode(data, 0.5, clock_in)
    except Garbage:
        return
    assert item is None or item.time == 0.5


CUES = """
[[cue]]
time = 20.0
action = "fill"

[[cue]]
time = 3.5
action = "style"
style = "trot"

[[cue]]
time = 40
action = "ending"
"""


def test_a_cue_file_is_a_timeline_in_time_order(tmp_path):
    path = tmp_path / "cues.toml"
    path.write_text(CUES)
    cues = load_cues(path)
    assert [(c.time, c.cue) for c in cues] == [(3.5, Cue.STYLE), (20.0, Cue.FILL), (40.0, Cue.ENDING)]
    assert cues[0].style.name == "trot" and cues[1].style is None


@pytest.mark.parametrize("text, where, words", [
    ('[[cue]]\ntime = 1.0\naction = "solo"\n', ":3:10:", "action must be one of fill, next, ending"),
    ('[[cue]]\ntime = -1\naction = "fill"\n', ":2:8:", "time = seconds"),
    ('[[cue]]\ntime = "soon"\naction = "fill"\n', ":2:8:", "time = seconds"),
    ('[[cue]]\ntime = true\naction = "fill"\n', ":2:8:", "time = seconds"),
    ('[[cue]]\naction = "fill"\n', ":1:", "needs time"),
    ('[[cue]]\ntime = 1\naction = "fill"\nchanel = 3\n', ":4:10:", "unknown key 'chanel'"),
    ('[[cue]]\ntime = 1\naction = "style"\nstyle = "polka"\n', ":4:9:", "unknown style 'polka'"),
    ('[[cue]]\ntime = 1\naction = "fill"\nstyle = "trot"\n', ":4:9:", "goes with action = \"style\""),
    ('[[cue]]\ntime = 1\naction = "style"\n', ":3:10:", "goes with action = \"style\""),
    ('cue = 3\n', ":1:7:", "array of tables"),
    ('[cues]\n', ":1:", "unknown key 'cues'"),
    ('[[cue]\n', ":1:", "TOML syntax error"),
])
def test_a_bad_cue_file_is_one_line_naming_file_line_and_column(tmp_path, text, where, words):
    path = tmp_path / "cues.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_cues(path)
    message = str(err.value)
    assert message.startswith(str(path) + where) and words in message and "\n" not in message


def test_a_cue_file_that_is_not_a_file_or_too_big_is_refused_before_reading(tmp_path):
    with pytest.raises(ConfigError, match="the cue file is a folder"):
        load_cues(tmp_path)
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (2 << 20))
    with pytest.raises(ConfigError, match="larger than"):
        load_cues(big)


def test_cue_inputs_are_validated_where_they_are_made():
    with pytest.raises(ValueError):
        CueInput(1.0, Cue.STYLE)                       # a style cue without its style
    with pytest.raises(ValueError):
        CueInput(-1.0, Cue.FILL)
    with pytest.raises(ValueError):
        CountIn(0.0, 0, 0.5, 4)


def test_the_tempo_a_player_may_tell_is_the_range_the_listener_hears():
    # --bpm took 30..240 while the listener hears 40..260: a bluegrass player at 250 was refused, one at 35 got a
    # prior the tracker cannot fit. Both ends now come from the listener's range, and the message names it.
    low, high = ListenerConfig().tempo_range
    assert PlayerSettings(bpm=high).listener_config().bpm_prior == high
    assert PlayerSettings(bpm=low, count_in=1).count_in_before(4.0, 4).period == 60.0 / low
    for bpm in (low - 1, high + 1):
        with pytest.raises(ValueError, match=f"bpm must be {low:g}..{high:g}"):
            PlayerSettings(bpm=bpm)


def test_the_offline_count_in_ends_where_the_player_comes_in():
    player = PlayerSettings(converter_latency=0.03, bpm=120, count_in=2)
    c = player.count_in_before(first_note=4.03, beats_per_bar=4)
    assert c.beats == 8 and c.period == 0.5 and not c.clicks
    assert c.tap_times()[-1] + c.period == pytest.approx(4.0)     # the pluck, latency taken off
    assert PlayerSettings().count_in_before(1.0, 4) is None
    with pytest.raises(ValueError, match="needs a tempo"):
        PlayerSettings(count_in=1)


def test_a_count_in_of_bars_starts_or_ends_where_told_and_its_downbeat_follows_the_last_click():
    live = CountIn.of_bars(2, 90, 3, start=1.25)                  # live: clicks from the start pressed
    assert (live.time, live.beats, live.clicks) == (1.25, 6, True) and live.period == pytest.approx(60 / 90)
    assert live.downbeat == pytest.approx(live.tap_times()[-1] + live.period)
    offline = CountIn.of_bars(1, 120, 4, downbeat=3.0, clicks=False)   # offline: back from the first note
    assert offline.downbeat == pytest.approx(3.0) and offline.tap_times()[0] == pytest.approx(1.0)
    assert not offline.clicks


def aqyn(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True)


def test_analyze_takes_the_live_listener_options():
    plain = json.loads(aqyn("analyze", str(TAKE), "--json").stdout)
    late = json.loads(aqyn("analyze", str(TAKE), "--json", "--converter-latency-ms", "40").stdout)
    shift = [a - b for a, b in zip(plain["beats"][-20:], late["beats"][-20:])]
    assert sorted(shift)[10] == pytest.approx(0.040, abs=0.006)      # beats refer to the pluck
    none = aqyn("analyze", str(TAKE), "--json", "--channels", "9-10")
    assert none.returncode == 0 and json.loads(none.stdout)["beats"] == []   # the guitar is not there
    counted = json.loads(aqyn("analyze", str(TAKE), "--json", "--bpm", "96", "--count-in", "1").stdout)
    assert counted["beats"][0] < plain["beats"][0]                   # the count-in gave the beat early


@pytest.mark.parametrize("args, words", [
    (["--count-in", "1"], "--count-in needs --bpm"),
    (["--bpm", "500"], "--bpm must be 40..260 (the tempos aqyn hears), got 500"),
    (["--bpm", "35"], "--bpm must be 40..260 (the tempos aqyn hears), got 35"),
    (["--converter-latency-ms", "300"], "--converter-latency-ms must be 0..200"),
    (["--channels", "0-3"], "--channels '0-3'"),
    (["--cues", "/nonexistent/cues.toml"], "cue file not found"),
])
def test_render_options_fail_in_one_line(tmp_path, args, words):
    p = aqyn("render", str(TAKE), "-o", str(tmp_path / "o.mid"), *args)
    assert p.returncode == 2 and words in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o.mid").exists()


def test_render_with_a_count_in_and_latency_plays_the_same_band_on_the_plucks(tmp_path):
    out = tmp_path / "o.mid"
    p = aqyn("render", str(TAKE), "-o", str(out), "--bpm", "96", "--count-in", "2", "--converter-latency-ms", "20")
    assert p.returncode == 0, p.stderr
    assert "key D dorian" in p.stdout and out.stat().st_size > 1000
