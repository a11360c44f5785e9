"""Style files: the shipped styles, the format's meters, sections and parts, user folders, and every kind of
bad file reported as file:line:col with what was expected."""

from fractions import Fraction
from pathlib import Path

import pytest

from engine.arrange.patterns import KIT, SECTIONS, parse_style_file
from engine.arrange.styles import PATTERN_DIR, list_styles, load_style
from engine.errors import PatternError, StyleNotFound

SHIPPED = {"tokpe-gallop": "2/4", "tokpe-flow": "2/4", "shertpe-332": "4/4", "trot": "6/8", "aqsaq-7-8": "7/8",
           "aqsaq-5-8": "5/8", "ballad": "3/4", "nomad-gallop": "4/4", "tokpe-waltz": "3/4", "shalderish": "6/8",
           "shertpe-5-8": "5/8", "tokpe-7-8": "7/8"}


def test_shipped_styles_load_with_every_section():
    styles = list_styles()
    assert set(SHIPPED) <= set(styles)
    for name, meter in SHIPPED.items():
        style = load_style(name)
        assert style.meter == meter, name
        for section in SECTIONS:
            s = style.section(section)
            assert s.written, f"{name} does not write its {section}"
            assert s.dombra is not None, f"{name} {section} has no dombra"
            assert s.bars >= 1
        notes = {n for s in style.sections for p in s.drums for n, _ in p.notes}
        assert notes and all(35 <= n <= 87 for n in notes), name


def test_every_shipped_ending_ends_on_its_final_stroke():
    # The ending's last bar begins with the final stroke, landed on the player's final chord: a part striking
    # after that beat kept time over the held chord. The ballad's rings shook on through the bar, and its
    # ending came 2 beats after the chord (band_eval end_beats 2.02: sim4 fermata_3-4_A-major_s09, sim4-held
    # bolero_3-4_B-minor_s05, the only takes the ballad played); every other style struck the downbeat alone.
    files = sorted(PATTERN_DIR.glob("*.toml"))
    assert len(files) >= len(SHIPPED)
    for path in files:
        style = parse_style_file(path)
        ending = style.section("ending")
        for part in ending.parts:
            for bars in (part.bars, part.alt or part.bars):
                last = bars[(ending.bars - 1) % len(bars)]
                late = [s.index for s in last if s.index >= style.steps_per_beat]
                assert not late, (path.stem, part.name, late)


def test_the_gallop_cell_and_its_accents():
    gallop = load_style("tokpe-gallop")
    assert gallop.meter == "2/4" and gallop.beats_per_bar == 2 and gallop.steps_per_beat == 4
    main = gallop.section("main_a").dombra
    # The gallop: an eighth and two sixteenths per beat.
    assert [(s.index, s.symbol) for s in main.bars[0]] == [(0, "D"), (2, "D"), (3, "U"), (4, "D"), (6, "D"),
                                                           (7, "U")]
    assert main.bars[0][0].velocity == 127
    assert main.alt is not None and main.alt_chance == 0.25
    trot = load_style("trot")
    assert trot.beats_per_bar == 2 and trot.steps_per_beat == 3 and trot.compound


def test_additive_meters_put_the_groups_on_the_grid():
    seven = load_style("aqsaq-7-8")
    assert seven.groups == (2, 2, 3) and seven.beats_per_bar == Fraction(7, 2) and seven.steps_per_bar == 7
    assert seven.group_steps == (0, 2, 4) and not seven.compound
    five = load_style("aqsaq-5-8")
    assert five.groups == (3, 2) and five.beats_per_bar == Fraction(5, 2) and five.group_steps == (0, 3)
    # Without explicit velocities, group starts are accented and the downbeat most.
    steps = {s.index: s for s in five.section("intro").dombra.bars[0]}
    assert steps[0].accent and steps[3].accent


def test_every_meter_the_band_may_meet_has_two_styles():
    meters = {}
    for name in SHIPPED:
        meters.setdefault(load_style(name).meter, []).append(name)
    assert len(meters.get("2/4", []) + meters.get("4/4", [])) >= 2
    for meter in ("3/4", "6/8", "5/8", "7/8"):
        assert len(meters.get(meter, [])) >= 2, (meter, meters.get(meter))
    # The second 5/8 and 7/8 accent their groups the other way round.
    assert load_style("shertpe-5-8").groups == (2, 3) and load_style("shertpe-5-8").group_steps == (0, 4)
    assert load_style("tokpe-7-8").groups == (3, 2, 2) and load_style("tokpe-7-8").group_steps == (0, 6, 10)


def test_the_kit_covers_the_kazakh_ensemble_and_a_rock_kit():
    for name in ("dauylpaz", "dabyl", "shyndauyl", "dangyra", "kepshik_dum", "asatayak_shake", "tuyaqtas_low",
                 "konyrau", "rattle", "body_tap", "kick", "snare", "hihat", "crash", "tom_floor"):
        assert name in KIT
    assert KIT["dabyl"] == ((36, 0), (45, -10))          # the bass drum with a low tom layered
    assert KIT["dangyra"][1] == (54, -20)                # the rings: a tambourine 20 velocity lower
    assert all(35 <= n <= 87 for notes in KIT.values() for n, _ in notes)


def test_unknown_style_names_the_available_ones():
    with pytest.raises(StyleNotFound, match="tokpe-gallop"):
        load_style("polka")


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


LEGACY = '''meter = "2/4"
steps_per_beat = 4

[dombra]
grid = "D.DU D.DU"

[percussion.kepshik_dum]
grid = "X... ...."
'''


def test_a_one_section_file_is_its_main_section_and_the_rest_is_derived(tmp_path):
    style = parse_style_file(write(tmp_path, LEGACY))
    main = style.section("main_a")
    assert main.written and main.drums[0].note == 64
    assert not style.section("main_b").written and style.section("main_b").dombra == main.dombra
    assert style.section("intro").bars == 0
    ending = style.section("ending")
    assert [s.index for s in ending.dombra.bars[0]] == [0] and not ending.written


def test_user_folder_style_loads_and_shadows(tmp_path, monkeypatch):
    write(tmp_path, LEGACY)
    assert load_style("mine", [tmp_path]).section("main_a").drums[0].note == 64
    write(tmp_path, LEGACY, "trot.toml")
    assert load_style("trot", [tmp_path]).meter == "2/4"
    assert list_styles([tmp_path])["trot"] == tmp_path / "trot.toml"
    # The environment names user folders too; an explicit folder comes first.
    other = tmp_path / "other"
    other.mkdir()
    write(other, LEGACY.replace('"2/4"', '"3/4"').replace("D.DU D.DU", "D.DU D.DU D.DU")
          .replace("X... ....", "X... .... ...."), "envstyle.toml")
    monkeypatch.setenv("AQYN_PATTERNS", str(other))
    assert load_style("envstyle").meter == "3/4"
    assert "envstyle" in list_styles()
    # A style can also be loaded by its path.
    assert load_style(str(tmp_path / "mine.toml")).name == "mine"


BASE = '''name = "mine"
meter = "2/4"
steps_per_beat = 4

[variation]
phrase = 8

[main_a]
bars = 8
dombra = { grid = "D.DU D.DU", velocity = "9.75 8.75" }
kepshik_dum = "X... ...."

[fill]
dombra = "DUDU r..."
'''


def test_the_base_file_is_good(tmp_path):
    style = parse_style_file(write(tmp_path, BASE))
    assert style.section("fill").written and style.section("main_a").bars == 8


def col(text: str, line: int, needle: str, after: int = 0) -> int:
    """1-based column of `needle` on a 1-based line, plus `after`."""
    return text.splitlines()[line - 1].index(needle) + 1 + after


# (what is wrong, replace this, with this, line, column finder, words the message must contain)
BAD = [
    ("toml syntax", "steps_per_beat = 4", "steps_per_beat = = 4", 3, None, "TOML syntax error"),
    ("missing meter", 'meter = "2/4"\n', "", 1, 1, "missing 'meter'"),
    ("meter not a string", 'meter = "2/4"', "meter = 4", 2, 9, "meter must be a string like"),
    ("unsupported meter", '"2/4"', '"11/8"', 2, 9, "meter 11/8 is not supported; use one of"),
    ("groups syntax", 'meter = "2/4"', 'meter = "7/8"\ngroups = "2-2-3"', 3, 10, "groups must be eighth-note"),
    ("groups sum", 'meter = "2/4"', 'meter = "2/4"\ngroups = "2+3"', 3, 10, "add up to 5 eighths"),
    ("missing steps", "steps_per_beat = 4\n", "", 1, 1, "missing 'steps_per_beat'"),
    ("steps out of range", "steps_per_beat = 4", "steps_per_beat = 13", 3, 18, "integer 1..12"),
    ("steps against meter", 'meter = "2/4"\nsteps_per_beat = 4', 'meter = "7/8"\nsteps_per_beat = 3', 3, 18,
     "cannot put the 7/8 bar"),
    ("swing range", "steps_per_beat = 4", "steps_per_beat = 4\nswing = 0.9", 4, 9, "swing must be a number 0..0.5"),
    ("swing odd steps", "steps_per_beat = 4", "steps_per_beat = 3\nswing = 0.2", 4, 9, "even steps_per_beat"),
    ("humanize range", "steps_per_beat = 4", "steps_per_beat = 4\nhumanize_ms = 99", 4, 15, "humanize_ms must be"),
    ("unknown tuning", "steps_per_beat = 4", 'steps_per_beat = 4\ntuning = "fifths"', 4, 10,
     "unknown tuning 'fifths'; expected one of quartal"),
    ("unknown top key", "steps_per_beat = 4", "steps_per_beat = 4\nbpm = 100", 4, 1,
     "unknown key 'bpm' at the top level; expected one of"),
    ("tempo a number", "steps_per_beat = 4", "steps_per_beat = 4\ntempo = 100", 4, 9,
     'tempo must be a range of beats a minute like "60-120", got 100'),
    ("tempo slower last", "steps_per_beat = 4", 'steps_per_beat = 4\ntempo = "120-60"', 4, 9,
     "tempo 120-60 is not a range within 20-400 beats a minute, slower first"),
    ("tempo out of range", "steps_per_beat = 4", 'steps_per_beat = 4\ntempo = "10-500"', 4, 9,
     "tempo 10-500 is not a range within 20-400"),
    ("tempo a word", "steps_per_beat = 4", 'steps_per_beat = 4\ntempo = "slow"', 4, 9,
     "tempo must be a range of beats a minute like \"60-120\", got 'slow'"),
    ("ring too long", "steps_per_beat = 4", "steps_per_beat = 4\nring = 5", 4, 8,
     "ring must be a number 0.28..2, got 5"),
    ("ring a string", "steps_per_beat = 4", 'steps_per_beat = 4\nring = "long"', 4, 8, "ring must be a number"),
    ("misspelt section", "[fill]", "[fil]", 13, 2, "unknown key 'fil' at the top level"),
    ("unknown variation key", "phrase = 8", "phrase = 8\nfills = 2", 7, 1, "unknown key 'fills' in [variation]"),
    ("variation range", "phrase = 8", "phrase = 0", 6, 10, "phrase must be an integer 1..32"),
    ("fill_every must divide", "phrase = 8", "phrase = 8\nfill_every = 3", 7, 14, "must divide the phrase"),
    ("repeat not bool", "phrase = 8", 'phrase = 8\nrepeat = "yes"', 7, 10, "repeat must be true or false"),
    ("no main section", "[main_a]", "[intro]", 14, 1, "missing a main section"),
    ("section not a table", 'name = "mine"', 'name = "mine"\nintro = 3', 2, 9, "intro must be a table"),
    ("section bars", "[fill]", "[fill]\nbars = 2", 14, 8, "bars must be an integer 1..1"),
    ("bad grid char", '"D.DU D.DU"', '"D.DU DQDU"', 10, ("grid = \"", 8 + 6), "unexpected 'Q' in dombra grid"),
    ("drum char in dombra", '"D.DU D.DU"', '"D.DU X.DU"', 10, ("grid = \"", 8 + 5), "expected one of D U M P H T r"),
    ("dombra char in drums", '"X... ...."', '"X... D..."', 11, ("\"", 1 + 5), "unexpected 'D' in kepshik_dum grid"),
    ("grid length", '"X... ...."', '"X..."', 11, ("\"", 0), "kepshik_dum grid has 4 steps; a bar of 2/4 at 4"),
    ("grid not a string", 'kepshik_dum = "X... ...."', "kepshik_dum = 5", 11, 15,
     "must be a grid string or a table"),
    ("grid on two lines", 'dombra = "DUDU r..."', 'dombra = """DUDU\nr..."""', 14, 10, "on one line"),
    ("empty grid", 'dombra = "DUDU r..."', 'dombra = ""', 14, 10, "is empty"),
    ("unknown part key", 'velocity = "9.75 8.75"', 'vel = "9.75 8.75"', 10, ("vel ", 0),
     "unknown key 'vel' in dombra; expected one of grid, velocity"),
    ("part without grid", 'kepshik_dum = "X... ...."', 'kepshik_dum = { velocity = "9... ...." }', 11, 1,
     "kepshik_dum needs a grid string"),
    ("velocity char", '"9.75 8.75"', '"9.75 8.A5"', 10, ("velocity = \"", 12 + 7),
     "unexpected 'A' in dombra velocity; expected a digit 1-9 or ."),
    ("velocity length", '"9.75 8.75"', '"9.75"', 10, ("velocity = ", 11), "velocity has 4 steps"),
    ("chance char", 'velocity = "9.75 8.75"', 'chance = "9.75 8.0."', 10, ("chance = \"", 10 + 7),
     "unexpected '0' in dombra chance"),
    ("alt length", 'velocity = "9.75 8.75"', 'alt = "D.DU"', 10, ("alt = ", 6), "alt has 4 steps; it must match"),
    ("alt_chance without alt", 'velocity = "9.75 8.75"', "alt_chance = 0.5", 10, ("alt_chance", 0),
     "alt_chance needs an alt grid"),
    ("alt_chance range", 'velocity = "9.75 8.75"', 'alt = "DUDU DUDU", alt_chance = 2', 10,
     ("alt_chance = ", 13), "alt_chance must be a number 0..1"),
    ("unknown instrument", "kepshik_dum = ", "cowbells = ", 11, 1,
     "unknown instrument 'cowbells' (did you mean 'cowbell'?): add note"),
    ("drum note range", 'kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", note = 20 }', 11,
     ("note = ", 7), "note must be a GM drum note 35..87"),
    ("note on the dombra", 'velocity = "9.75 8.75"', "note = 50", 10, ("note", 0), "note is for percussion"),
    ("min_intensity range", 'kepshik_dum = "X... ...."', 'kepshik_dum = { grid = "X... ....", min_intensity = -1 }',
     11, ("min_intensity = ", 16), "min_intensity must be a number 0..1"),
    ("name not a string", 'name = "mine"', "name = 3", 1, 8, "name must be a string"),
]


@pytest.mark.parametrize("what,old,new,line,column,words", BAD, ids=[b[0] for b in BAD])
def test_every_kind_of_bad_file_names_file_line_column_and_what_was_expected(tmp_path, what, old, new, line, column,
                                                                             words):
    assert old in BASE, what
    text = BASE.replace(old, new, 1)
    p = write(tmp_path, text)
    with pytest.raises(PatternError) as e:
        parse_style_file(p)
    msg = str(e.value)
    assert words in msg, msg
    prefix = f"{p}:{line}:"
    assert msg.startswith(prefix), msg
    if isinstance(column, int):
        assert msg.startswith(f"{prefix}{column}: "), msg
    elif isinstance(column, tuple):
        needle, after = column
        assert msg.startswith(f"{prefix}{col(text, line, needle, after)}: "), msg
    assert "\n" not in msg


def test_a_file_that_is_not_utf8_names_the_byte(tmp_path):
    p = tmp_path / "latin.toml"
    p.write_bytes(b'meter = "2/4"\ntitle = "T\xf6kpe"\n')
    with pytest.raises(PatternError, match=r"latin.toml:2:11: not UTF-8 text \(byte 0xf6\)"):
        parse_style_file(p)


def test_a_missing_file(tmp_path):
    with pytest.raises(PatternError, match=r"nope.toml:1:1: style file not found; check the path"):
        parse_style_file(tmp_path / "nope.toml")


def test_legacy_and_sections_together_is_an_error(tmp_path):
    p = write(tmp_path, LEGACY + '\n[main_a]\ndombra = "D.DU D.DU"\n')
    with pytest.raises(PatternError, match=r"mine.toml:10:2: a style has either \[main_a\] or a top-level"):
        parse_style_file(p)


def test_legacy_file_without_dombra(tmp_path):
    p = write(tmp_path, 'meter = "2/4"\nsteps_per_beat = 4\n[percussion.kepshik_dum]\ngrid = "X... ...."\n')
    with pytest.raises(PatternError, match=r"mine.toml:1:1: missing 'dombra'"):
        parse_style_file(p)


def test_multi_bar_parts_and_inline_percussion_tables(tmp_path):
    p = write(tmp_path, BASE.replace('kepshik_dum = "X... ...."',
                                     'kepshik_dum = "X... .... | .... X..."\n[main_a.percussion.dabyl]\n'
                                     'grid = "X... ...."'))
    style = parse_style_file(p)
    drums = {d.name: d for d in style.section("main_a").drums}
    assert len(drums["kepshik_dum"].bars) == 2 and drums["dabyl"].note == 36
