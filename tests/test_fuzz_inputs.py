"""Fuzzing what aqyn reads: MIDI files, style files, footswitch maps and cue files, mutated from real ones.

Every input either loads or raises the project's own error (an `EngineError`) whose message is one line —
never another exception, never a hang (each example has a deadline). A style that loads also plays: its
arranger gives notes for a few bars without raising (a style is validated at load, never on stage). A sample
goes through the command line: exit 0 or 2, and on 2 one line on stderr. `make test` tries FUZZ_EXAMPLES
(40) inputs of each kind; `make proof` many more.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from engine.arrange.arranger import Arranger
from engine.arrange.patterns import parse_style_file
from engine.arrange.styles import list_styles
from engine.errors import ConfigError, EngineError
from engine.io.cues import load_cues
from engine.io.midi_input import read_guitar_file
from engine.live.controls import FootswitchMap
from engine.state import BeatGrid, MusicalState

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
CLI_EXAMPLES = int(os.environ.get("FUZZ_CLI_EXAMPLES", "4"))
ROOT = Path(__file__).resolve().parents[1]
MIDI_FILES = sorted((ROOT / "tests" / "data").rglob("*.mid")) + sorted((ROOT / "examples").glob("*.mid")) + \
    sorted((ROOT / "tests" / "data").rglob("*.rmi"))
STYLE_FILES = sorted((ROOT / "patterns").glob("*.toml"))
FOOTSWITCH_FILES = sorted((ROOT / "tests" / "data" / "files").glob("footswitch-*.toml"))
FOOTSWITCH = ('hold_time = 0.5\ndouble_time = 0.3\n\n[[switch]]\ncc = 64\nchannel = 16\ntap = "fill"\n'
              'hold = "next"\ndouble = "ending"\n\n[[switch]]\nnote = 38\ntap = "start_stop"\nhold = "lock"\n\n'
              '[program_change]\nchannel = 16\nstyles = ["trot", "tokpe-gallop"]\n')
CUES = ('[[cue]]\ntime = 12.5\naction = "fill"\n\n[[cue]]\ntime = 30.0\naction = "style"\nstyle = "trot"\n\n'
        '[[cue]]\ntime = 41\naction = "ending"\n')
FUZZ = settings(max_examples=EXAMPLES, deadline=timedelta(seconds=5), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def original(path: Path) -> bytes:
    return path.read_bytes()


def one_line(exc: EngineError) -> None:
    """The project's error: one line, saying something (counted in hypothesis's statistics as a refusal)."""
    if currently_in_test_context():
        event("refused")
    text = str(exc)
    assert text.strip() and "\n" not in text and "\r" not in text, repr(text)


# -- MIDI files ----------------------------------------------------------------------------------------
def chunk_headers(data: bytes) -> list[int]:
    """Offsets of the length fields of the MThd/MTrk chunks found in `data`."""
    return [i + 4 for tag in (b"MThd", b"MTrk") for i in range(len(data)) if data.startswith(tag, i)]


@st.composite
def mutated_midi(draw) -> bytes:
    """A real MIDI file with 1..6 mutations: bit flips, bytes overwritten or inserted, a chunk whose length
    lies, truncation."""
    data = bytearray(original(draw(st.sampled_from(MIDI_FILES))))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("flip", "poke", "insert", "length", "truncate")))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "poke" and data:
            data[at] = draw(st.sampled_from((0x00, 0x7F, 0x80, 0xFF, 0xF0, 0xF7, 0x2F, 0x51, 0x58, 0x59))
                            | st.integers(0, 255))
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "length" and (heads := chunk_headers(bytes(data))):
            h = draw(st.sampled_from(heads))
            size = draw(st.sampled_from((0, 1, 5, 6, 0x7FFFFFFF, 0xFFFFFFFF)) | st.integers(0, 2**32 - 1))
            data[h:h + 4] = size.to_bytes(4, "big")
        elif kind == "truncate":
            del data[at:]
    return bytes(data)


@FUZZ
@given(mutated_midi())
def test_a_mutated_midi_file_loads_or_is_refused_in_one_line(tmp_path_factory, data):
    path = tmp_path_factory.getbasetemp() / "fuzz.mid"
    path.write_bytes(data)
    try:
        guitar = read_guitar_file(path)
    except EngineError as exc:
        one_line(exc)
        return
    event("loaded")
    assert guitar.notes > 0 and guitar.messages and 0 <= guitar.duration == guitar.messages[-1].time
    assert all(a.time <= b.time for a, b in zip(guitar.messages, guitar.messages[1:]))


# -- TOML text -----------------------------------------------------------------------------------------
FRAGMENTS = ("=", '"', "'", "[", "]", "[[", "]]", "{", "}", ",", "\n", "#", ".", "true", '"no"', "-1", "0",
             "300", "1e999", "nan", "inf", "-inf", "99999999999999999999", "[1, 2]", "{ a = 1 }", '"\\u0000"',
             "'''", '"""', "\x00", "é", "\ufeff", "\t", "0x7F", "1979-05-27", "[[switch]]", "[program_change]",
             "[[cue]]", "[main_a]", "[variation]", "cc", "note", "channel", "tap", "hold", "double", "time",
             "action", "style", "styles", "meter", "steps_per_beat", "dombra", "grid", "bars", "chance", "alt",
             '"7/8"', '"X.. x.."', '"D.U D.U"', "[" * 40, "{ a = " * 30)
VALUES = ("true", "false", '"no"', '""', "-1", "0", "0.0", "1", "16", "17", "128", "300", "1e999", "nan", "inf",
          "-0.0", "3.5", "99999999999999999999", "[]", "[1, 2]", '["x"]', "{}", "{ a = 1 }", '"fill"',
          '"explode"', '"trot"', '"../../etc/passwd"', '"5/0"', '"0/4"', '"13/8"', '"...."', '"XXXXXXXXXXXXXXXX"',
          '"' + "D" * 300 + '"', "1979-05-27T07:32:00Z")


@st.composite
def mutated_text(draw, texts: tuple[str, ...]) -> str:
    """A real TOML text with 1..6 mutations: a value replaced, a line deleted or repeated, a fragment
    inserted, a span deleted."""
    lines = draw(st.sampled_from(texts)).split("\n")
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("value", "value", "delete", "repeat", "insert", "cut")))
        i = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            lines = [draw(st.sampled_from(FRAGMENTS))]
        elif kind == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = key + "= " + draw(st.sampled_from(VALUES) | st.text(max_size=12))
        elif kind == "delete":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, lines[i])
        elif kind in ("insert", "cut"):
            line = lines[i]
            at = draw(st.integers(0, len(line)))
            end = draw(st.integers(at, len(line)))
            piece = draw(st.sampled_from(FRAGMENTS) | st.text(max_size=8)) if kind == "insert" else ""
            lines[i] = line[:at] + piece + (line[at:] if kind == "insert" else line[end:])
    return "\n".join(lines)


def write_text(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path


@cache
def style_texts() -> tuple[str, ...]:
    return tuple(p.read_text() for p in STYLE_FILES)


@cache
def style_names() -> tuple[str, ...]:
    return tuple(list_styles())


def plays(style) -> None:
    """A loaded style gives notes for four bars of the player in any key without raising."""
    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=0)
    state = MusicalState(time=0.0, tonic=2, mode="dorian", key_confidence=1.0, grid=grid, beat_confidence=1.0,
                         loudness=90.0, last_onset=0.0)
    arranger = Arranger(style, seed=1, start=0)
    bar = float(style.beats_per_bar)
    for b in range(4):
        for note in arranger.query(b * bar, (b + 1) * bar, state, chord=(2, "min"), intensity=0.9):
            assert 0 <= note.pitch <= 127 and 1 <= note.velocity <= 127 and note.duration > 0


@FUZZ
@given(st.data())
def test_a_mutated_style_file_loads_and_plays_or_is_refused_in_one_line(tmp_path_factory, data):
    path = write_text(tmp_path_factory.getbasetemp(), "fuzz-style.toml", data.draw(mutated_text(style_texts())))
    try:
        style = parse_style_file(path)
    except EngineError as exc:
        one_line(exc)
        return
    event("loaded")
    plays(style)


@FUZZ
@given(st.data())
def test_a_mutated_footswitch_map_loads_or_is_refused_in_one_line(tmp_path_factory, data):
    texts = (FOOTSWITCH, *(p.read_text() for p in FOOTSWITCH_FILES))
    path = write_text(tmp_path_factory.getbasetemp(), "fuzz-footswitch.toml", data.draw(mutated_text(texts)))
    try:
        fmap = FootswitchMap.load(path, style_names())
    except EngineError as exc:
        one_line(exc)
        return
    event("loaded")
    assert all(s.channel is None or 0 <= s.channel <= 15 for s in fmap.switches)
    assert set(fmap.program_styles) <= set(style_names())


@FUZZ
@given(st.data())
def test_a_mutated_cue_file_loads_or_is_refused_in_one_line(tmp_path_factory, data):
    path = write_text(tmp_path_factory.getbasetemp(), "fuzz-cues.toml", data.draw(mutated_text((CUES,))))
    try:
        cues = load_cues(path)
    except EngineError as exc:
        one_line(exc)
        return
    event("loaded")
    assert [c.time for c in cues] == sorted(c.time for c in cues)


@settings(max_examples=CLI_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_midi())
def test_the_command_line_on_a_mutated_midi_file_exits_0_or_2_with_one_line(tmp_path_factory, data):
    tmp = tmp_path_factory.getbasetemp()
    (tmp / "cli.mid").write_bytes(data)
    run = subprocess.run([sys.executable, "-m", "engine", "render", str(tmp / "cli.mid"), "-o", str(tmp / "o.mid")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert run.returncode in (0, 2), run.stderr
    if run.returncode == 2:
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr


@pytest.mark.parametrize("line", ["cc = nan", "cc = inf", "note = -inf", "channel = 1e999", "channel = nan"])
def test_a_footswitch_number_that_is_nan_or_infinite_is_refused_in_one_line(tmp_path, line):
    """Found by the fuzz run: `cc = nan` raised ValueError and `channel = 1e999` OverflowError (int() of them)."""
    text = FOOTSWITCH.replace("cc = 64", line) if not line.startswith("channel") else \
        FOOTSWITCH.replace("channel = 16\ntap", f"{line}\ntap")
    with pytest.raises(ConfigError) as e:
        FootswitchMap.load(write_text(tmp_path, "fs.toml", text))
    one_line(e.value)
    assert "must be" in str(e.value)
