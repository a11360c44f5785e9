"""The chord chart format (engine/chart/parse.py) and its chord symbols: every element, and every mistake with
the exact one-line message it gives."""

import os
from fractions import Fraction as F

import pytest

from engine.chart.key import key_of
from engine.chart.parse import parse_chart, read_chart
from engine.chart.song import Practice, practice
from engine.chart.symbols import read_symbol
from engine.errors import ChartError, OptionError

DM, C, G, A, F_ = (2, "min"), (0, "maj"), (7, "maj"), (9, "maj"), (5, "maj")


def chords(chart):
    """Each bar's changes as (beat offset as a float, chord)."""
    return [[(float(at), c) for at, c in bar.changes] for bar in chart.bars]


def test_headers_are_read_and_comments_left_out():
    chart = parse_chart("title: Steppe song\nkey: D dorian   # a comment\ntempo: 96\nmeter: 3/4\n"
                        "style: tokpe-waltz\n# a whole comment line\n\n| Dm |\n", "s.chart")
    assert (chart.title, chart.key, chart.tempo, chart.meter.text, chart.style) == \
        ("Steppe song", (2, "dorian"), 96.0, "3/4", "tokpe-waltz")
    assert chart.where["tempo"] == (3, 8)


def test_defaults_without_headers():
    chart = parse_chart("| C |\n", "my song.chart")
    assert (chart.title, chart.key, chart.tempo, chart.meter.text, chart.style) == \
        ("my song", None, 100.0, "4/4", None)


def test_sharp_in_a_chord_is_not_a_comment():
    assert chords(parse_chart("| F#m | # F sharp minor\n"))[0] == [(0.0, (6, "min"))]


def test_sections_and_parts():
    chart = parse_chart("[A]\n| Dm | C |\n[B]\n| G |\n[A]\n| Dm |\n")
    assert [(b.section, b.part) for b in chart.bars] == [("A", 1), ("A", 1), ("B", 2), ("A", 3)]
    assert chart.sections == ("A", "B")


def test_bars_before_any_section_are_section_a():
    assert [b.section for b in parse_chart("| Dm |\n[B]\n| C |\n").bars] == ["A", "B"]


def test_chords_split_the_bar_evenly_and_dots_hold():
    chart = parse_chart("| Dm C | Dm . . C | Dm . C . | G |\n")
    assert chords(chart) == [[(0.0, DM), (2.0, C)], [(0.0, DM), (3.0, C)], [(0.0, DM), (2.0, C)], [(0.0, G)]]


def test_a_leading_dot_holds_the_chord_before():
    assert chords(parse_chart("| Dm | . . C . |\n"))[1] == [(0.0, DM), (2.0, C)]


def test_percent_repeats_the_bar_before_and_nc_is_no_chord():
    assert chords(parse_chart("| Dm C | % | N.C. |\n")) == [[(0.0, DM), (2.0, C)], [(0.0, DM), (2.0, C)],
                                                           [(0.0, None)]]


def test_repeats_unroll_with_their_count():
    chart = parse_chart("| A |\n|: Dm | C :| x3\n| G |\n")
    assert [c[0][1] for c in chords(chart)] == [A, DM, C, DM, C, DM, C, G]


def test_a_repeat_without_a_count_plays_twice_and_may_span_lines():
    chart = parse_chart("|: Dm |\n| C :|\n")
    assert [c[0][1] for c in chords(chart)] == [DM, C, DM, C]


def test_a_closing_repeat_alone_goes_back_to_the_section_start():
    chart = parse_chart("[A]\n| G |\n[B]\n| Dm | C :|\n")
    assert [c[0][1] for c in chords(chart)] == [G, DM, C, DM, C]


def test_a_lone_closing_repeat_after_a_repeat_goes_back_to_its_end():
    chart = parse_chart("|: Dm :| C | G :|\n")
    assert [c[0][1] for c in chords(chart)] == [DM, DM, C, G, C, G]


def test_a_section_line_may_carry_its_first_bars():
    chart = parse_chart("[A] | Dm | C |\n[B]   | G |\n")
    assert [(b.section, b.changes[0][1], b.col) for b in chart.bars] == [("A", DM, 7), ("A", C, 12),
                                                                         ("B", G, 9)]


def test_double_bar_lines_and_back_to_back_repeats():
    chart = parse_chart("| G || Dm ||: C :||: F :|\n")
    assert [c[0][1] for c in chords(chart)] == [G, DM, C, C, F_, F_]


def test_compound_and_triple_meters_count_their_beats():
    six = parse_chart("meter: 6/8\n| Dm C | Dm . . . . C |\n")
    assert (six.meter.beats, six.meter.compound) == (2, True)
    assert chords(six) == [[(0.0, DM), (1.0, C)], [(0.0, DM), (5 / 3, C)]]
    three = parse_chart("meter: 3/4\n| Dm . C |\n")
    assert chords(three) == [[(0.0, DM), (2.0, C)]]


@pytest.mark.parametrize("symbol, chord", [
    ("G/B", (7, "maj")), ("A5", (9, "5")), ("Dsus4", (2, "sus4")), ("Em7b5", (4, "dim")), ("F#m7", (6, "min7")),
    ("Bbmaj7", (10, "maj7")), ("C7", (0, "7")), ("Csus2", (0, "sus2")), ("Bdim", (11, "dim")),
    ("Am/G", (9, "min7")), ("G/F", (7, "7")), ("Cadd9", (0, "maj")), ("Dm6", (2, "min")), ("E7#9", (4, "7")),
    ("D-7", (2, "min7")), ("C^7", (0, "maj7")), ("Bø", (11, "dim")), ("Co7", (0, "dim")), ("N.C.", None),
])
def test_chord_symbols_guitarists_write(symbol, chord):
    assert read_symbol(symbol) == chord


def test_key_from_the_chords_when_the_chart_names_none():
    assert key_of([(F(8), DM), (F(4), C), (F(4), G), (F(4), DM)]) == (2, "dorian")
    assert key_of([(F(4), (9, "min")), (F(4), F_), (F(4), C), (F(4), (4, "maj")), (F(4), (9, "min"))]) == \
        (9, "minor")
    assert practice(parse_chart("| E | D | A | E |\n"), Practice()).key == (4, "mixolydian")


def test_practice_loop_times_ramp_transpose_bpm():
    chart = parse_chart("tempo: 90\n[A]\n| Dm | C |\n[B]\n| G | Dm |\n")
    song = practice(chart, Practice(loop="B", times=3, ramp=2, transpose=-2, bpm=100))
    assert [b.bpm for b in song.bars] == [100, 100, 102, 102, 104, 104]
    assert [b.changes[0][1] for b in song.bars[:2]] == [(5, "maj"), (0, "min")]
    assert len({b.unit for b in song.bars}) == 3           # each pass is a unit of the form
    whole = practice(chart, Practice(times=2))
    assert len(whole.bars) == 8 and [b.section for b in whole.bars[:4]] == ["A", "A", "B", "B"]


@pytest.mark.parametrize("practice_options, message", [
    (Practice(loop="C"), "--loop: no section [C] to loop; the chart has A"),
    (Practice(times=0), "--times must be 1..999, got 0"),
    (Practice(transpose=13), "--transpose must be -12..12 semitones, got 13"),
    (Practice(times=3, ramp=80), "--ramp +80 takes the tempo to 256 BPM by the last pass; keep it within 30..240"),
])
def test_practice_options_out_of_range(practice_options, message):
    with pytest.raises(OptionError) as e:
        practice(parse_chart("tempo: 96\n[A]\n| Dm |\n"), practice_options)
    assert str(e.value) == message


BAD = [
    ("tempo: fast\n| C |\n", "c.chart:1:8: tempo 'fast' is not a number; write e.g. tempo: 96 (beats per minute)"),
    ("tempo: 300\n| C |\n", "c.chart:1:8: tempo 300 is out of range; use 30..240 BPM"),
    ("meter: 5/4\n| C |\n", "c.chart:1:8: meter '5/4' is not one a chart plays; use 2/4, 3/4, 4/4, 5/8, 6/8, 7/8, "
     "9/8, 12/8"),
    ("key: H major\n| C |\n", "c.chart:1:6: key 'H major' is not a key; write e.g. key: D dorian (modes: major, "
     "minor, dorian, phrygian, lydian, mixolydian, locrian)"),
    ("key: D blues\n| C |\n", "c.chart:1:6: key 'D blues' is not a key; write e.g. key: D dorian (modes: major, "
     "minor, dorian, phrygian, lydian, mixolydian, locrian)"),
    ("colour: red\n| C |\n", "c.chart:1:1: unknown header 'colour'; headers are title, key, tempo, meter, style"),
    ("| C |\ntempo: 90\n", "c.chart:2:1: header 'tempo' after the music; put the headers above the first bar"),
    ("tempo: 90\ntempo: 91\n| C |\n", "c.chart:2:1: header 'tempo' given twice; keep one"),
    ("Dm C G\n", "c.chart:1:1: cannot read 'Dm C G'; a line is a header (tempo: 96), a section ([A]) or bars "
     "(| Dm | C |)"),
    ("| Dm | Xq7 |\n", "c.chart:1:8: 'Xq7' is not a chord (Invalid note X); write e.g. Dm, G7, F#m7b5, Bb/D, A5, "
     "Dsus4 or N.C."),
    ("| Dm | Cq |\n", "c.chart:1:8: 'Cq' is not a chord (Unknown quality: q); write e.g. Dm, G7, F#m7b5, Bb/D, A5, "
     "Dsus4 or N.C."),
    ("| Dm C G |\n", "c.chart:1:3: a 4/4 bar splits into 1, 2, 4 equal parts, this one has 3; hold a chord with "
     "'.' (| Dm . . C |)"),
    ("meter: 3/4\n| Dm C |\n", "c.chart:2:3: a 3/4 bar splits into 1, 3 equal parts, this one has 2; hold a chord "
     "with '.' (| Dm . . C |)"),
    ("meter: 7/8\n| Dm C |\n", "c.chart:2:3: a 7/8 bar splits into 1, 7 equal parts, this one has 2; hold a chord "
     "with '.' (| Dm . . . C . . |)"),
    ("meter: 5/8\n| Dm . C |\n", "c.chart:2:3: a 5/8 bar splits into 1, 5 equal parts, this one has 3; hold a "
     "chord with '.' (| Dm . . C . |)"),
    ("| Dm | C\n", "c.chart:1:9: the bar is not closed; end it with '|'"),
    ("| Dm | | C |\n", "c.chart:1:7: empty bar; put a chord, '%' or 'N.C.' in it"),
    ("| . C |\n", "c.chart:1:3: '.' holds the chord before, and none has sounded yet; start with a chord"),
    ("| % |\n", "c.chart:1:3: '%' in the first bar; there is no bar before to repeat"),
    ("| C | % G |\n", "c.chart:1:9: '%' repeats the bar before and stands alone in its bar"),
    ("| C | G % |\n", "c.chart:1:9: '%' repeats the bar before and stands alone in its bar"),
    ("|: C |: G :|\n", "c.chart:1:6: '|:' inside a repeat; repeats do not nest, close the first with ':|'"),
    ("[A]\n|: C | G |\n[B]\n| F |\n", "c.chart:2:1: repeat '|:' is never closed; end it with ':|' in the same "
     "section"),
    ("|: C | G :| x1\n", "c.chart:1:13: a repeat plays 2..16 times, got x1"),
    ("|: C | G :| x99\n", "c.chart:1:13: a repeat plays 2..16 times, got x99"),
    ("[A]\n| C |\n[B]\n[C]\n| G |\n", "c.chart:3:1: section [B] has no bars; write its bars below it (| Dm | C |) "
     "or remove it"),
    ("title: nothing\n", "c.chart:1:1: the chart has no bars; write bars like | Dm | C | G | Dm |"),
    ("[A] Dm C\n", "c.chart:1:5: cannot read 'Dm C' after the section; bars start with '|' (| Dm | C |)"),
    # First and second endings, as a guitarist writes them: in 3/4 this read as a bar of 2 parts, in 4/4 as
    # the chord '1.'; either way the line did not say what was wrong.
    ("meter: 3/4\n|: Dm | C |1. G | A7 :|2. Gm | Dm |\n", "c.chart:2:12: '1.' reads as an ending (1., 2.), which "
     "a chart does not have; write the repeat out, each pass with its own last bars"),
    ("|: Dm | C :|\n| 2nd Gm | Dm |\n", "c.chart:2:3: '2nd' reads as an ending (1., 2.), which a chart does not "
     "have; write the repeat out, each pass with its own last bars"),
    # ... and with the mark against its chord, or closed by ')': read as the chord '1.G' (Invalid note 1) before
    ("|: Am | F | 1.G | E :| 2.G | Am |\n", "c.chart:1:13: '1.' reads as an ending (1., 2.), which a chart does "
     "not have; write the repeat out, each pass with its own last bars"),
    ("|: Am | F | 1) G | E :| 2) G | Am |\n", "c.chart:1:13: '1)' reads as an ending (1., 2.), which a chart does "
     "not have; write the repeat out, each pass with its own last bars"),
]


@pytest.mark.parametrize("text, message", BAD)
def test_a_bad_chart_is_one_line_naming_line_and_column(text, message):
    with pytest.raises(ChartError) as e:
        parse_chart(text, "c.chart")
    assert str(e.value) == message
    assert "\n" not in str(e.value)


def test_chart_files_that_cannot_be_read(tmp_path):
    with pytest.raises(ChartError, match="no such chart file"):
        read_chart(tmp_path / "missing.chart")
    with pytest.raises(ChartError, match="is a folder; give a chart file"):
        read_chart(tmp_path)
    binary = tmp_path / "song.mid"
    binary.write_bytes(b"MThd\x00\x00\x00\x06\xff\xfe")
    with pytest.raises(ChartError, match=r"song.mid:1:1: not a text chart .*save it as UTF-8 text"):
        read_chart(binary)
    fifo = tmp_path / "pipe.chart"
    os.mkfifo(fifo)
    with pytest.raises(ChartError, match="is not a regular file"):
        read_chart(fifo)                                   # refused before reading: it would block
    big = tmp_path / "big.chart"
    big.write_text("| C |\n" * 200_000)
    with pytest.raises(ChartError, match="over 1 MiB"):
        read_chart(big)
    bom = tmp_path / "bom.chart"
    bom.write_bytes("\ufefftempo: 90\n| C |\n".encode())
    assert read_chart(bom).tempo == 90
