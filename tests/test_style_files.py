"""Style files are data, validated throughout: every malformed file is one line `file:line:col: what was
expected` (PatternError, exit 2 from the CLI), never a traceback or a hang, and at load time, never on stage."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.arrange import styles
from engine.arrange.patterns import parse_style_file
from engine.arrange.styles import PATTERN_DIR, good_styles, load_style, style_chooser
from engine.cli import app
from engine.errors import ConfigError, PatternError
from engine.live.controls import FootswitchMap
from engine.live.feed import LiveFeed
from tests.conftest import example

BASE = '''name = "mine"
meter = "2/4"
steps_per_beat = 4
humanize_ms = 4
swing = 0.0
tuning = "quartal"

[variation]
phrase = 8
repeat = false

[main_a]
bars = 8
dombra = { grid = "D.DU D.DU", velocity = "9.75 8.75" }
kepshik_dum = "X... ...."
'''

# (what, [(old, new) replacements in BASE] or a whole text, line, column, words the message must contain)
BAD = [
    # a number where a string is wanted, a string where a number is, booleans, tables and lists
    ("meter a number", [('"2/4"', "4")], 2, 9, "meter must be a string like"),
    ("meter a table", [('"2/4"', "{ n = 2 }")], 2, 9, "meter must be a string like"),
    ("meter a list", [('"2/4"', '["2/4"]')], 2, 9, "meter must be a string like"),
    ("steps a string", [("= 4\n", '= "4"\n')], 3, 18, "steps_per_beat must be an integer 1..12, got '4'"),
    ("steps a float", [("= 4\n", "= 4.0\n")], 3, 18, "steps_per_beat must be an integer 1..12, got 4.0"),
    ("steps a bool", [("= 4\n", "= true\n")], 3, 18, "steps_per_beat must be an integer 1..12, got True"),
    ("humanize a bool", [("humanize_ms = 4", "humanize_ms = false")], 4, 15, "humanize_ms must be a number 0..30"),
    ("humanize negative", [("humanize_ms = 4", "humanize_ms = -4")], 4, 15, "humanize_ms must be a number 0..30"),
    ("humanize nan", [("humanize_ms = 4", "humanize_ms = nan")], 4, 15, "got nan"),
    ("humanize inf", [("humanize_ms = 4", "humanize_ms = inf")], 4, 15, "got inf"),
    ("swing a string", [("swing = 0.0", 'swing = "0.1"')], 5, 9, "swing must be a number 0..0.5"),
    ("tuning a number", [('"quartal"', "5")], 6, 10, "unknown tuning 5; expected one of quartal"),
    ("tuning a near miss", [('"quartal"', '"quartl"')], 6, 10, "unknown tuning 'quartl' (did you mean 'quartal'?)"),
    ("tuning a table", [('"quartal"', "{}")], 6, 10, "unknown tuning {}"),
    ("phrase a bool", [("phrase = 8", "phrase = true")], 9, 10, "phrase must be an integer 1..32, got True"),
    ("phrase negative", [("phrase = 8", "phrase = -8")], 9, 10, "phrase must be an integer 1..32, got -8"),
    ("repeat a string", [("repeat = false", 'repeat = "no"')], 10, 10, "repeat must be true or false, got 'no'"),
    ("repeat a number", [("repeat = false", "repeat = 0")], 10, 10, "repeat must be true or false, got 0"),
    ("bars negative", [("bars = 8", "bars = -1")], 13, 8, "bars must be an integer 0..64, got -1"),
    ("bars a string", [("bars = 8", 'bars = "8"')], 13, 8, "bars must be an integer 0..64, got '8'"),
    ("bars huge", [("bars = 8", "bars = 100000000000")], 13, 8, "bars must be an integer 0..64"),
    ("velocity 200", [('velocity = "9.75 8.75"', "velocity = 200")], 14, 43,
     "dombra velocity must be a string of digits, got 200"),
    ("velocity a list", [('velocity = "9.75 8.75"', "velocity = [9, 7]")], 14, 43,
     "dombra velocity must be a string of digits"),
    ("velocity digit 0", [('"9.75 8.75"', '"9.75 8.70"')], 14, 52, "unexpected '0' in dombra velocity"),
    ("grid a number", [('kepshik_dum = "X... ...."', "kepshik_dum = 5")], 15, 15,
     "kepshik_dum must be a grid string or a table with a grid, got 5"),
    ("grid a list", [('kepshik_dum = "X... ...."', 'kepshik_dum = ["X..."]')], 15, 15,
     "kepshik_dum must be a grid string or a table"),
    ("grid a bool", [('kepshik_dum = "X... ...."', "kepshik_dum = true")], 15, 15, "got True"),
    ("grid inside a list", [('kepshik_dum = "X... ...."', 'kepshik_dum = { grid = ["X..."] }')], 15, 24,
     "kepshik_dum grid must be a string of steps"),
    ("table without grid", [('kepshik_dum = "X... ...."', "kepshik_dum = {}")], 15, 1, "kepshik_dum needs a grid"),
    ("empty grid", [('"X... ...."', '""')], 15, 15, "kepshik_dum grid is empty"),
    ("grid of separators", [('"X... ...."', '" | | "')], 15, 15, "kepshik_dum grid is empty"),
    ("note a bool", [('kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", note = true }')], 15, 44,
     "note must be a GM drum note 35..87, got True"),
    ("note a float", [('kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", note = 40.0 }')], 15, 44,
     "note must be a GM drum note 35..87, got 40.0"),
    ("note 200", [('kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", note = 200 }')], 15, 44,
     "note must be a GM drum note 35..87, got 200"),
    ("min_intensity a string", [('kepshik_dum = "X... ...."',
                                 'kepshik_dum = { grid = "X... ....", min_intensity = "high" }')], 15, 53,
     "min_intensity must be a number 0..1, got 'high'"),
    ("alt_chance a bool", [('velocity = "9.75 8.75"', 'alt = "DUDU DUDU", alt_chance = true')], 14, 64,
     "alt_chance must be a number 0..1, got True"),
    # unknown keys, with a "did you mean" for near misses
    ("part key near miss", [('kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", chanel = 10 }')],
     15, 37, "unknown key 'chanel' in kepshik_dum (did you mean 'chance'?); expected one of grid"),
    ("top key near miss", [('meter = "2/4"', 'metre = "2/4"')], 2, 1,
     "unknown key 'metre' at the top level (did you mean 'meter'?)"),
    ("section near miss", [("[main_a]", "[varation]\n[main_a]")], 12, 2,
     "unknown key 'varation' at the top level (did you mean 'variation'?)"),
    ("variation near miss", [("phrase = 8", "phrse = 8")], 9, 1,
     "unknown key 'phrse' in [variation] (did you mean 'phrase'?)"),
    ("instrument near miss", [("kepshik_dum = ", "kepshk_dum = ")], 15, 1,
     "unknown instrument 'kepshk_dum' (did you mean 'kepshik_dum'?)"),
    ("dombra near miss", [("kepshik_dum = ", "dombar = ")], 15, 1,
     "unknown instrument 'dombar' (did you mean 'dombra'?)"),
    ("bars near miss", [("bars = 8", "bar = 8")], 13, 7, "bar (did you mean 'bars'?) must be a grid string"),
    # empty patterns and parts in the wrong place
    ("main section without parts", [("dombra = { grid", "# dombra = { grid"), ("kepshik_dum", "# kepshik_dum")],
     12, 2, "[main_a] has no parts"),
    ("dombra under percussion", [("kepshik_dum = ", "percussion.dombra = ")], 15, 1,
     "the dombra is not a percussion instrument"),
    ("section a string", [("[variation]", 'fill = "DUDU DUDU"\n[variation]')], 8, 8, "fill must be a table"),
    ("variation a list", [("[variation]\nphrase = 8\nrepeat = false\n", ""), ('tuning = "quartal"',
                                                                          'tuning = "quartal"\nvariation = [8]')],
     7, 13, "variation must be a table"),
    # names and titles go into MIDI markers and the live view
    ("name empty", [('name = "mine"', 'name = ""')], 1, 8, "name must be a string on one line"),
    ("name a number", [('name = "mine"', "name = 3")], 1, 8, "name must be a string on one line"),
    ("title on two lines", [('name = "mine"', 'name = "mine"\ntitle = "a\\nb"')], 2, 9,
     "title must be a string on one line"),
    ("title too long", [('name = "mine"', f'name = "mine"\ntitle = "{"x" * 500}"')], 2, 9,
     "title must be a string on one line, 1..100 printable characters"),
    # TOML that does not parse
    ("syntax mid-file", [("bars = 8", "bars = = 8")], 13, 8, "TOML syntax error: Invalid value"),
    ("syntax at the end", [("kepshik_dum = \"X... ....\"\n", "kepshik_dum = [\n")], 16, 1,
     "TOML syntax error: Invalid value"),
    ("a NUL byte", [("bars = 8", "bars = 8\x00")], 13, 9, "TOML syntax error"),
    ("nested thousands deep", "a = " + "[" * 5000 + "]" * 5000 + "\n", 1, 1, "nested too deeply"),
    # a setting typed at the end of the file lands in the section above it (TOML): said so (review15), where
    # it was "swing must be a grid string or a table with a grid" or "unknown instrument 'title'"
    ("swing under a section", [('= "X... ...."\n', '= "X... ...."\nswing = 0.2\n')], 16, 1,
     "swing is a setting of the style, not an instrument of this section; put it at the top of the file"),
    ("title under a section", [('= "X... ...."\n', '= "X... ...."\ntitle = "Mine"\n')], 16, 1,
     "put it at the top of the file, before the first [section]"),
    ("fill_every under a section", [('= "X... ...."\n', '= "X... ...."\nfill_every = 2\n')], 16, 1,
     "fill_every is a setting of the style, not an instrument of this section; put it under [variation]"),
]


def bad_text(change) -> str:
    if isinstance(change, str):
        return change
    text = BASE
    for old, new in change:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def one_line(msg: str, path: Path, line: int, column: int, words: str) -> None:
    assert "\n" not in msg and "Traceback" not in msg, msg
    assert msg.startswith(f"{path}:{line}:{column}: "), msg
    assert words in msg, msg


def test_the_base_file_is_good(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(BASE)
    assert parse_style_file(p).section("main_a").bars == 8


@pytest.mark.parametrize("what,change,line,column,words", BAD, ids=[b[0] for b in BAD])
def test_a_malformed_style_is_one_line_naming_file_line_column(tmp_path, what, change, line, column, words):
    p = tmp_path / "mine.toml"
    p.write_text(bad_text(change), encoding="utf-8")
    with pytest.raises(PatternError) as e:
        parse_style_file(p)
    one_line(str(e.value), p, line, column, words)


def test_files_that_are_not_style_files_are_refused_before_reading(tmp_path):
    big = tmp_path / "big.toml"
    with big.open("wb") as f:
        f.truncate(10 << 20)                        # 10 MB: refused by its size, never read
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)                                 # reading would block
    zero = tmp_path / "zero.toml"
    zero.symlink_to("/dev/zero")                    # reading would never end
    folder = tmp_path / "folder.toml"
    folder.mkdir()
    latin = tmp_path / "latin.toml"
    latin.write_bytes(BASE.replace('"mine"', '"T\xf6kpe"').encode("latin-1"))
    cases = [(big, "is 10.0 MiB, larger than the 1 MiB a style file may be"), (fifo, "is not a regular file"),
             (zero, "is not a regular file"), (folder, "is a folder"), (tmp_path / "gone.toml", "not found")]
    for path, words in cases:
        with pytest.raises(PatternError) as e:
            parse_style_file(path)
        one_line(str(e.value), path, 1, 1, words)
    with pytest.raises(PatternError) as e:
        parse_style_file(latin)
    one_line(str(e.value), latin, 1, 10, "not UTF-8 text (byte 0xf6); save the style file as UTF-8")


def test_a_byte_order_mark_is_not_text(tmp_path):
    p = tmp_path / "bom.toml"
    p.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert parse_style_file(p).name == "mine"


BAD_VALUES = ['"x"', "true", "-1", "200", "1e400", "nan", "[1, 2]", "{ a = 1 }", '""', "0.5", "[]"]


def test_any_value_of_a_shipped_style_replaced_by_anything_is_a_style_or_one_line(tmp_path):
    """Every `key = value` line of four shipped styles (two meters each of the simple, compound and additive
    kinds), its value replaced in turn by each of BAD_VALUES: the result loads or is one PatternError line
    naming the file; never another exception."""
    p = tmp_path / "fuzz.toml"
    tried = 0
    for shipped in (PATTERN_DIR / f"{n}.toml" for n in ("tokpe-gallop", "trot", "aqsaq-7-8", "nomad-gallop")):
        lines = shipped.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            m = re.match(r"^(\s*[\w.]+\s*=\s*)(.*?)\s*(#.*)?$", line)
            if not m or m.group(2).startswith(("{", '"""')):
                continue
            for v in BAD_VALUES:
                p.write_text("\n".join(lines[:i] + [m.group(1) + v] + lines[i + 1:]) + "\n", encoding="utf-8")
                tried += 1
                try:
                    parse_style_file(p)
                except PatternError as e:
                    assert "\n" not in str(e) and re.match(rf"{re.escape(str(p))}:\d+:\d+: ", str(e)), str(e)
    assert tried > 800


runner = CliRunner()


def refused(result, path: Path, words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"aqyn: error: {path}:"), result.stderr
    assert words in lines[0], lines[0]


def test_render_and_show_refuse_a_bad_style_in_one_line(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text(bad_text([("bars = 8", "bars = -1")]))
    out = tmp_path / "out.mid"
    r = runner.invoke(app, ["render", str(example("d_dorian_96_4-4")), "-o", str(out), "--patterns", str(tmp_path),
                            "--style", "mine"])
    refused(r, p, "bars must be an integer 0..64, got -1")
    assert not out.exists()
    refused(runner.invoke(app, ["patterns", "show", "mine", "--patterns", str(tmp_path)]), p, "bars must be")
    refused(runner.invoke(app, ["patterns", "check", str(p)]), p, "bars must be")


def test_auto_reads_every_style_it_may_choose_before_any_work_and_leaves_a_broken_one_out(tmp_path, capsys):
    # A half-edited style in the user's folder must not stop the gig: auto warns once, in one line with
    # file:line:col, and chooses among the good ones; when none is good it refuses.
    (tmp_path / "mine.toml").write_text(bad_text([('"X... ...."', '"X..."')]))
    choose = style_chooser("auto", [tmp_path])
    assert "mine.toml:15:15: kepshik_dum grid has 4 steps" in capsys.readouterr().err
    assert choose.__closure__ is not None     # a chooser over the good styles
    styles._WARNED.clear()                    # a new process: the render warns once, though it asks twice
    out = tmp_path / "out.mid"
    r = runner.invoke(app, ["render", str(example("d_dorian_96_4-4")), "-o", str(out), "--patterns", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert out.exists() and "mine" not in r.stdout
    warnings = [line for line in r.stderr.splitlines() if "mine.toml" in line]
    assert len(warnings) == 1 and warnings[0].startswith("aqyn: warning: ") and "left out of auto" in warnings[0]
    good, errors = good_styles({"mine": tmp_path / "mine.toml"})     # none good: auto raises errors[0]
    assert good == {} and len(errors) == 1 and isinstance(errors[0], PatternError)
    assert re.search(r"mine.toml:15:15: kepshik_dum grid has 4 steps", str(errors[0]))
    # A named style does not need the broken one.
    r = runner.invoke(app, ["render", str(example("d_dorian_96_4-4")), "-o", str(out), "--patterns", str(tmp_path),
                            "--style", "tokpe-gallop"])
    assert r.exit_code == 0, r.output


def test_live_reads_every_style_a_program_change_may_select_before_playing(tmp_path):
    (tmp_path / "mine.toml").write_text(bad_text([("bars = 8", "bars = true")]))
    fmap = FootswitchMap(program_change=True, program_styles=("trot", "mine"))
    with pytest.raises(PatternError, match=r"mine.toml:13:8: bars must be an integer"):
        LiveFeed(fmap, pattern_dirs=[tmp_path])
    with pytest.raises(PatternError, match=r"mine.toml:13:8:"):
        LiveFeed(FootswitchMap(program_change=True), pattern_dirs=[tmp_path])     # every style by name
    feed = LiveFeed(FootswitchMap(program_change=True, program_styles=("trot", "ballad")), pattern_dirs=[tmp_path])
    assert [s.name for s in feed._styles] == ["trot", "ballad"]
    assert load_style("trot").name == "trot"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "../patterns/trot", "trot.toml", ".hidden",
                                  "a\\b"])
def test_a_style_name_in_a_footswitch_map_cannot_leave_the_style_folders(tmp_path, name):
    p = tmp_path / "fs.toml"
    p.write_text(f'[program_change]\nstyles = ["trot", {name!r}]\n'.replace("'", '"'))
    for known in (None, ["trot", "ballad"]):
        with pytest.raises(ConfigError) as e:
            FootswitchMap.load(p, known)
        one_line(str(e.value), p, 2, 19, "is a path; give the name of a style in the style folders")


def test_a_style_name_in_a_cue_file_cannot_be_a_path(tmp_path):
    from engine.io.cues import load_cues  # noqa: PLC0415

    p = tmp_path / "cues.toml"
    p.write_text('[[cue]]\ntime = 1\naction = "style"\nstyle = "/etc/passwd"\n')
    with pytest.raises(ConfigError) as e:
        load_cues(p)
    one_line(str(e.value), p, 4, 9, "is a path")
