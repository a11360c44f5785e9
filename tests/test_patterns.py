from pathlib import Path

import pytest

from engine.arrange.patterns import available_styles, load_style, parse_style_file
from engine.errors import PatternError, StyleNotFound


def test_shipped_styles_load():
    styles = available_styles()
    assert {"tokpe-gallop", "trot"} <= set(styles)
    gallop = load_style("tokpe-gallop")
    assert gallop.meter == "2/4" and gallop.beats_per_bar == 2 and gallop.steps_per_beat == 4
    # The gallop: an eighth and two sixteenths per beat.
    assert [(s.index, s.symbol) for s in gallop.dombra] == [(0, "D"), (2, "D"), (3, "U"), (4, "D"), (6, "D"),
                                                            (7, "U")]
    assert gallop.dombra[0].velocity == 127
    trot = load_style("trot")
    assert trot.beats_per_bar == 2 and trot.steps_per_beat == 3 and trot.subdivision == 3
    assert all(35 <= d.note <= 87 for d in trot.drums)


def test_unknown_style_names_the_available_ones():
    with pytest.raises(StyleNotFound, match="tokpe-gallop"):
        load_style("polka")


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "mine.toml"
    p.write_text(text)
    return p


GOOD = '''meter = "2/4"
steps_per_beat = 4

[dombra]
grid = "D.DU D.DU"

[percussion.kepshik_dum]
grid = "X... ...."
'''


def test_user_folder_style_loads_and_shadows(tmp_path):
    write(tmp_path, GOOD)
    assert load_style("mine", [tmp_path]).drums[0].note == 64
    (tmp_path / "trot.toml").write_text(GOOD)
    assert load_style("trot", [tmp_path]).meter == "2/4"


def test_bad_grid_character_names_line_and_column(tmp_path):
    p = write(tmp_path, GOOD.replace('"D.DU D.DU"', '"D.DU DQDU"'))
    with pytest.raises(PatternError) as e:
        parse_style_file(p)
    # line 5 is `grid = "D.DU DQDU"`: the Q is the 15th character
    assert str(e.value).startswith(f"{p}:5:15: unexpected 'Q' in grid")


def test_grid_of_wrong_length(tmp_path):
    p = write(tmp_path, GOOD.replace('"X... ...."', '"X..."'))
    with pytest.raises(PatternError, match=r"mine.toml:8:\d+: grid has 4 steps; a bar of this meter needs 8"):
        parse_style_file(p)


def test_toml_syntax_error_names_line_and_column(tmp_path):
    p = write(tmp_path, GOOD.replace('steps_per_beat = 4', 'steps_per_beat = = 4'))
    with pytest.raises(PatternError, match=r"mine.toml:2:\d+: TOML syntax error"):
        parse_style_file(p)


def test_unsupported_meter(tmp_path):
    p = write(tmp_path, GOOD.replace('"2/4"', '"7/8"'))
    with pytest.raises(PatternError, match=r"mine.toml:1:\d+: meter 7/8 is not supported"):
        parse_style_file(p)


def test_unknown_instrument_needs_a_note(tmp_path):
    p = write(tmp_path, GOOD.replace("kepshik_dum", "cowbell"))
    with pytest.raises(PatternError, match="unknown instrument 'cowbell'"):
        parse_style_file(p)


def test_drum_note_out_of_range(tmp_path):
    p = write(tmp_path, GOOD + "note = 20\n")
    with pytest.raises(PatternError, match=r"mine.toml:9:\d+: note must be a GM drum note"):
        parse_style_file(p)


def test_missing_dombra(tmp_path):
    p = write(tmp_path, 'meter = "2/4"\nsteps_per_beat = 4\n')
    with pytest.raises(PatternError, match="missing 'dombra'"):
        parse_style_file(p)
