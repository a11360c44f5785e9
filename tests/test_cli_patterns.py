"""`aqyn patterns list | show | check`, user pattern folders (--patterns and $AQYN_PATTERNS), through typer's
CliRunner."""

import os
from pathlib import Path

import mido
from typer.testing import CliRunner

from engine.cli import app
from tests.conftest import example

runner = CliRunner()

MINE = '''title = "My gallop"
meter = "2/4"
steps_per_beat = 4
[main_a]
dombra = "D.DU DUDU"
kepshik_dum = "X... x..."
'''


def run(*args, env=None):
    return runner.invoke(app, ["patterns", *map(str, args)], env=env)


def check_bad(result, *words):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aqyn: error: "), result.stderr
    for w in words:
        assert w in lines[0], lines[0]


def test_list_shows_every_shipped_style_with_its_meter():
    r = run("list")
    assert r.exit_code == 0, r.output
    rows = {line.split()[0]: line.split()[1] for line in r.output.strip().splitlines()}
    assert rows == {"aqsaq-5-8": "5/8", "aqsaq-7-8": "7/8", "ballad": "3/4", "ballad-4-4": "4/4", "nomad-gallop": "4/4",
                    "shalderish": "6/8", "shertpe-332": "4/4", "shertpe-5-8": "5/8", "tokpe-7-8": "7/8",
                    "tokpe-flow": "2/4", "tokpe-gallop": "2/4", "tokpe-waltz": "3/4", "trot": "6/8"}
    assert "shipped" in r.output


def test_list_with_a_user_folder_shows_its_styles_first_and_warns_of_broken_ones(tmp_path):
    (tmp_path / "mine.toml").write_text(MINE)
    (tmp_path / "trot.toml").write_text(MINE)
    (tmp_path / "broken.toml").write_text(MINE.replace("D.DU DUDU", "D.DU DUD"))
    (tmp_path / "latin.toml").write_bytes(MINE.replace("My gallop", "T\xf6kpe").encode("latin-1"))
    os.mkfifo(tmp_path / "fifo.toml")                                  # would block a reader
    r = run("list", "--patterns", tmp_path)
    assert r.exit_code == 0, r.output
    lines = {line.split()[0]: line for line in r.stdout.strip().splitlines()}
    assert "My gallop" in lines["mine"] and str(tmp_path / "mine.toml") in lines["mine"]
    assert str(tmp_path / "trot.toml") in lines["trot"]                # shadows the shipped trot
    assert "ballad" in lines and not {"broken", "latin", "fifo"} & set(lines)
    warnings = r.stderr.strip().splitlines()
    assert len(warnings) == 3 and all(w.startswith("aqyn: warning: ") for w in warnings), warnings
    assert f"{tmp_path / 'broken.toml'}:5:10: dombra grid has 7 steps" in warnings[0]
    assert f"{tmp_path / 'fifo.toml'}:1:1: the style file is not a regular file" in warnings[1]
    assert f"{tmp_path / 'latin.toml'}:1:11: not UTF-8 text (byte 0xf6)" in warnings[2]


def test_the_environment_names_a_user_folder(tmp_path):
    (tmp_path / "mine.toml").write_text(MINE)
    r = run("list", env={"AQYN_PATTERNS": str(tmp_path)})
    assert r.exit_code == 0 and "My gallop" in r.output
    out = tmp_path / "o.mid"
    r = runner.invoke(app, ["render", str(example("d_dorian_96_4-4")), "-o", str(out), "--style", "mine"],
                      env={"AQYN_PATTERNS": str(tmp_path)})
    assert r.exit_code == 0, r.output
    assert "style mine" in r.output and mido.MidiFile(out).type == 1


def test_show_draws_each_section_and_part():
    r = run("show", "tokpe-gallop")
    assert r.exit_code == 0, r.output
    out = r.output
    for heading in ("intro: 2 bars", "main_a: 16 bars, then main_b", "main_b: 16 bars, then main_a", "fill: 1 bar",
                    "break: 2 bars", "ending: 2 bars"):
        assert heading in out, heading
    assert "|1 . . .|2 . . .|" in out
    assert "|D . D U|D . D U|" in out                  # the gallop
    assert "|X . . x|x . . x|" in out                  # the hoof clapper
    assert "alt 25%" in out and "from intensity 0.6" in out and "chance" in out


def test_show_an_additive_meter_draws_its_groups():
    r = run("show", "aqsaq-7-8")
    assert r.exit_code == 0
    assert "|1 .|2 .|3 . .|" in r.output and "|D U|D U|D . U|" in r.output


def test_show_a_file_and_a_user_style(tmp_path):
    (tmp_path / "mine.toml").write_text(MINE)
    r = run("show", tmp_path / "mine.toml")
    assert r.exit_code == 0 and "|D . D U|D U D U|" in r.output
    assert "main_b: 8 bars, then main_a (not in the file: derived from main_a)" in r.output
    r = run("show", "mine", "--patterns", tmp_path)
    assert r.exit_code == 0 and "My gallop (mine)" in r.output


def test_show_unknown_style():
    check_bad(run("show", "polka"), "unknown style 'polka'", "tokpe-gallop")


def test_check_a_good_file_prints_a_summary():
    r = run("check", Path("patterns/trot.toml").resolve())
    assert r.exit_code == 0, r.output
    assert r.output.startswith("ok: ") and "6/8 (3+3)" in r.output and "sections intro, main_a, main_b" in r.output


def test_check_a_bad_file_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINE.replace('"D.DU DUDU"', '"D.DU DZDU"'))
    check_bad(run("check", bad), f"{bad}:5:17: unexpected 'Z' in dombra grid; expected one of D U M P H T r")


def test_check_a_toml_syntax_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(MINE.replace("[main_a]", "[main_a"))
    check_bad(run("check", bad), f"{bad}:4:", "TOML syntax error")


def test_check_a_missing_file(tmp_path):
    check_bad(run("check", tmp_path / "nope.toml"), "nope.toml:1:1: style file not found; check the path")


def test_patterns_option_must_be_a_folder(tmp_path):
    check_bad(run("list", "--patterns", tmp_path / "nope"), "is not a folder")
