"""iReal Pro links for `aqyn play`: our own songs written as links (bench/ireal_link.py, scrambled as iReal
scrambles them) read into the same bars as their text charts; the scramble and the link round-trip; iReal's
cells in a bar; repeats, endings, `x`, `r`; a link's songs picked by --song; bad links (one line, exit 2,
nothing written); and a link played through the real FluidSynth."""

import sys
from fractions import Fraction
from pathlib import Path

import mido
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ireal_link import Song, irealb_link, irealbook_link  # noqa: E402
from engine.chart.ireal import QUALITIES, STYLES, ireal_chart  # noqa: E402
from engine.chart.ireal_link import IrealSong, read_link, scramble  # noqa: E402
from engine.chart.parse import parse_chart  # noqa: E402
from engine.chart.play import PlayOptions, chart_style  # noqa: E402
from engine.chart.source import load_chart  # noqa: E402
from engine.chart.symbols import read_symbol  # noqa: E402
from engine.cli import app  # noqa: E402
from engine.errors import ChartError, OptionError  # noqa: E402

runner = CliRunner()

STEPPE_MUSIC = "*A[T44D-   |D- C |G   |D-   ]{D-   |C   |G/B   |D-   }*B[F   |C   |G   |D-  CZ"
STEPPE = Song("Steppe song", STEPPE_MUSIC, "Medium Swing", "D-", 96)
# A waltz: a bar written in 3 cells (one a beat), one in 4 (hand-typed: the chords share it), a slash `p`,
# a bar repeated `x`, an empty bar that holds, and alternate chords that do not sound.
WALTZ_MUSIC = "*A{T34A-  |D- E7 |A-,E7,p,| x  |F^7(Bb7)  |E7   |A-  }*B[C  |   |G7sus  |A- E7  Z"
WALTZ_TEXT = """tempo: 132
meter: 3/4
[A]
|: Am | Dm . E7 | Am E7 . | Am E7 . | Fmaj7 | E7 | Am :|
[B]
| C | C | G7sus4 | Am . E7 |
"""
# First and second endings, then a repeat played three times by its comment, with `r` and N.C.
ENDINGS_MUSIC = ("*A{T44C   |F   |N1G7   }          |N2G7 C |C   ]"
                 "*B{D-   |G7   | r|      |n   <3x>}")
ENDINGS_TEXT = """tempo: 100
[A]
| C | F | G7 | C | F | G7 C | C |
[B]
| Dm | G7 | Dm | G7 | N.C. |
| Dm | G7 | Dm | G7 | N.C. |
| Dm | G7 | Dm | G7 | N.C. |
"""


def chart_of(music: str, **fields):
    song = IrealSong(fields.get("title", "T"), "me", fields.get("style", ""), fields.get("key", "C"), music,
                     fields.get("bpm", 0))
    return ireal_chart(song, "t")[0]


def played(chart):
    return [(b.section, b.part, b.changes) for b in chart.bars]


def test_the_steppe_song_as_a_link_is_the_steppe_chart_bar_by_bar():
    chart, notes = load_chart(irealb_link([STEPPE]))
    text = parse_chart((ROOT / "examples" / "steppe_song.chart").read_text(), "steppe.chart")
    assert played(chart) == played(text) and len(chart.bars) == 16
    assert (chart.title, chart.tempo, chart.meter, chart.key, chart.style) == ("Steppe song", 96, text.meter,
                                                                              (2, "minor"), None)
    assert notes == [] and chart.sections == ("A", "B")


def test_a_waltz_and_a_song_with_endings_are_their_text_charts():
    waltz = chart_of(WALTZ_MUSIC, bpm=132, key="A-", style="Jazz Waltz")
    assert played(waltz) == played(parse_chart(WALTZ_TEXT))
    assert waltz.meter.text == "3/4" and waltz.tempo == 132 and waltz.style == "tokpe-waltz"
    endings = chart_of(ENDINGS_MUSIC, bpm=100)
    assert played(endings) == played(parse_chart(ENDINGS_TEXT))
    assert len(endings.bars) == 22 and endings.tempo == 100


def test_the_same_songs_from_an_irealbook_link_a_text_file_and_an_html_page(tmp_path):
    link = irealb_link([STEPPE])
    (tmp_path / "s.txt").write_text(link + "\n")
    (tmp_path / "s.html").write_text(f'<html><body><a href="{link}">Steppe song</a></body></html>')
    old = irealbook_link(Song("Steppe song", STEPPE_MUSIC, "Medium Swing", "D-"))
    charts = [load_chart(x)[0] for x in (link, str(tmp_path / "s.txt"), str(tmp_path / "s.html"), old)]
    assert all(played(c) == played(charts[0]) for c in charts)
    assert charts[3].tempo == 100                      # the old form has no BPM: aqyn's default
    raw = irealb_link([Song("Don't Go", "T44C   Z")]).replace("%27", "'")      # a raw ' in a page's href
    (tmp_path / "d.html").write_text(f'<a href="{raw}">Don\'t Go</a>')
    assert load_chart(str(tmp_path / "d.html"))[0].title == "Don't Go"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_the_scramble_is_its_own_inverse(text):
    assert scramble(scramble(text)) == text
    assert len(scramble(text)) == len(text)


MUSIC_PIECES = st.sampled_from(["|", "[", "]", "{", "}", "Z", " ", "   ", ",", "*A", "*B", "T44", "T34", "N1",
                                "N2", "x", "r", "p", "n", "s", "l", "Y", "Q", "S", "C^7", "D-7", "Bh7", "Eo7",
                                "F#7b9", "G/B", "Ab7sus", "W/C", "(Db7)", "<D.C. al Coda>", "<3x>", "| x", " |"])


@settings(max_examples=200, deadline=None)
@given(st.lists(MUSIC_PIECES, min_size=1, max_size=80), st.integers(0, 300))
def test_a_music_string_written_as_a_link_reads_back_the_same(pieces, bpm):
    music = "".join(pieces)
    songs = read_link(irealb_link([Song("T", music, bpm=bpm), Song("U", music[::-1])], "mine"))
    assert [s.music for s in songs.songs] == [music, music[::-1]] and songs.name == "mine"
    assert songs.songs[0].bpm == bpm and songs.songs[0].key == "C" and songs.songs[0].style == "Medium Swing"


def test_a_scrambled_block_moves_the_characters_iReal_moves():
    # 0-4 and 10-23 change places with 49-i in each full block followed by 2 characters or more.
    text = "".join(chr(48 + i) for i in range(50)) + "ab"
    out = scramble(text)
    assert out[0] == text[49] and out[49] == text[0] and out[10] == text[39] and out[23] == text[26]
    assert out[5:10] == text[5:10] and out[24:26] == text[24:26] and out[40:45] == text[40:45]
    assert scramble(text[:51]) == text[:51]              # one character after the block: left as is


@pytest.mark.parametrize("music, units", [
    ("T44C   |", [(0, "C")]),                            # one chord: the whole bar
    ("T44C D |", [(0, "C"), (2, "D")]),                   # a cell a beat
    ("T44C,D,E,F|", [(0, "C"), (1, "D"), (2, "E"), (3, "F")]),
    ("T44C  D|", [(0, "C"), (3, "D")]),
    ("T44C pD|", [(0, "C"), (3, "D")]),                   # `p` holds like an empty cell
    ("T44C   D   |", [(0, "C"), (2, "D")]),               # 8 cells: two a beat
    ("T44C D|", [(0, "C"), (2, "D")]),                    # 3 cells: the chords share the bar
    ("T44C,D,E|", [(0, "C"), (2, "D"), (3, "E")]),        # ... the first takes the beat over
    ("T34C D  |", [(0, "C"), (2, "D")]),
    ("T68C  D  |", [(0, "C"), (3, "D")]),
    ("T44C   |ppD |", [(0, "C"), (0, "C"), (2, "D")]),   # a bar starting with `p` holds the chord before
    ("T44C   |n   |", [(0, "C"), (0, None)]),
    ("T44C^7   |W/E   |", [(0, "Cmaj7"), (0, "Cmaj7/E")]),
])
def test_chords_fall_on_their_cells(music, units):
    chart = chart_of(music)
    got = [(at, c) for b in chart.bars for at, c in b.changes]
    meter = chart.meter
    want = [(meter.unit_beats(Fraction(u)), None if s is None else read_symbol(s)) for u, s in units]
    assert got == want


def test_every_ireal_quality_reads_and_the_common_ones_are_what_they_say():
    for quality, spelled in QUALITIES.items():
        assert read_symbol("C" + spelled) is not None, quality
    kinds = {q: chart_of(f"T44C{q}   |").bars[0].changes[0][1][1]
             for q in ("^7", "-7", "h7", "o7", "7b9", "7sus", "-", "^", "5", "2")}
    assert kinds == {"^7": "maj7", "-7": "min7", "h7": "dim", "o7": "dim", "7b9": "7", "7sus": "sus4", "-": "min",
                     "^": "maj7", "5": "5", "2": "sus2"}


def test_each_mapped_style_plays_its_meter():
    for _, styles in STYLES:
        for meter, style in styles.items():
            chart = chart_of(f"T{meter.replace('/', '')[:2]}C   Z")
            assert chart.meter.text == meter
            assert chart_style(chart, PlayOptions(style=style)).name == style


def test_navigation_is_not_followed_and_says_so():
    chart, notes = ireal_chart(IrealSong("Nav", "me", "", "C", "*A[T44SC   |F   <D.S. al Coda>]Q[G   Z"), "t")
    assert len(chart.bars) == 3
    assert notes == ["Nav: iReal's navigation (segno, D.S. al Coda, coda) is not followed; the song plays once "
                     "through as written, coda bars included"]
    _, notes = ireal_chart(IrealSong("Fin", "me", "", "C", "[T44C   |F   <Fine>|G   <D.C. al Fine>Z"), "t")
    assert notes == ["Fin: iReal's navigation (Fine, D.C. al Fine) is not followed; the song plays once through "
                     "as written"]


def test_song_picks_a_song_of_a_link_by_number_or_title():
    link = irealb_link([Song("First", "T44C   Z"), Song("Second Song", "T34D-  Z")], "Two")
    assert load_chart(link)[0].title == "First"
    assert load_chart(link, "2")[0].title == "Second Song"
    assert load_chart(link, " second song ")[0].meter.text == "3/4"
    with pytest.raises(OptionError, match=r"^--song 'Third': no song of that title in the link; its songs: "
                                          r"First; Second Song$"):
        load_chart(link, "Third")
    with pytest.raises(OptionError, match=r"^--song 3: the link has 2 songs; give 1..2 or a title$"):
        load_chart(link, "3")


def test_a_links_tempo_out_of_range_needs_bpm():
    from engine.chart.song import Practice, practice

    chart = load_chart(irealb_link([Song("Fast", "T44C   Z", bpm=300)]))[0]
    with pytest.raises(OptionError, match=r"^the chart's tempo 300 BPM is out of range; give --bpm 30\.\.240$"):
        practice(chart, Practice())
    assert practice(chart, Practice(bpm=200)).bars[0].bpm == 200


BAD = [
    ("not-a-link.chart", "not-a-link.chart: no such chart file; check the name"),
    ("ireal://Song=x", "the link: 'ireal://' links are not read; give an irealb:// link (iReal Pro: Share, Text "
                       "or HTML) or a chart file"),
    ("irealb://Only%20a%20title", "the link: song 'Only a title' is cut short (no music in it); copy the whole "
                                  "link again"),
    (irealb_link([STEPPE])[:150], "the link: song 'Steppe song', bar 1: unknown element"),
    (irealb_link([Song("Odd", "T44C   |D@7   Z")]), "the link: song 'Odd', bar 2: unknown element '@7   Z' "
                                                  "in the music; is the link whole?"),
    (irealb_link([Song("Odd", "T44C   |Dq7   Z")]), "the link: song 'Odd', bar 2: unknown element 'q7   Z'"),
    (irealb_link([Song("Odd", "T44C   |C   |C   |D   ")]), "the link: song 'Odd', bar 4: the music ends "
                                                          "inside a bar; is the link cut short?"),
    (irealb_link([Song("Odd", "T54C    Z")]), "the link: song 'Odd', bar 1: the song is in 5/4; a chart plays "
                                             "2/4, 3/4, 4/4, 5/8, 6/8, 7/8, 9/8, 12/8"),
    (irealb_link([Song("Odd", "T44C   |T34C  Z")]), "the link: song 'Odd', bar 2: the meter changes from 4/4 "
                                                    "to 3/4; aqyn plays a chart in one meter"),
    (irealb_link([Song("Odd", "T44C,D,E,F,G|")]), "the link: song 'Odd', bar 1: 5 chords in a bar of 4 "
                                                    "beats; a chord lasts a beat at least"),
    (irealb_link([Song("Odd", "T78C,D,E,F,G,A,B,C|")]), "the link: song 'Odd', bar 1: 8 chords in a bar of 7 "
                                                          "eighths; a chord lasts an eighth at least"),
    (irealb_link([Song("Odd", "T44 x  |C   Z")]), "the link: song 'Odd', bar 1: 'x' repeats 1 bar before it, "
                                                  "and there are not so many"),
    (irealb_link([Song("Odd", "T44C   |<no end  Z")]), "the link: song 'Odd', bar 2: a comment '<' is never "
                                                       "closed with '>'"),
    ("https://example.org/x", "the link: 'https://' links are not read"),
    ("irealb://%FF%FE", "the link: the link is not percent-encoded UTF-8 text; copy the whole link again"),
    ("irealb://%3D%3D%3D", "the link: the link holds no song; copy the whole link again"),
    (irealb_link([Song("Odd", "   ")]), "the link: song 'Odd', bar 1: the song has no music"),
    (irealb_link([Song("Odd", "T44  |  Z")]), "the link: song 'Odd', bar 1: the song has no chords"),
    (irealb_link([Song("Odd", "T99C   Z")]), "the link: song 'Odd', bar 1: unknown time signature 'T99'; is the "
                                            "link whole?"),
    (irealb_link([Song("Odd", "T44C   | r|   Z")]), "the link: song 'Odd', bar 2: 'r' repeats 2 bars before it, "
                                                   "and there are not so many"),
    (irealb_link([Song("Odd", "T44W/E   Z")]), "the link: song 'Odd', bar 1: 'W/E' repeats the chord before, and "
                                             "there is none yet"),
    (irealb_link([Song("Odd", "T44C   |C7 x |")]), "the link: song 'Odd', bar 2: 'x' repeats whole bars and stands "
                                                 "alone in its bar"),
    (irealb_link([Song("Odd", "T44C   |C*zz*   Z")]), "the link: song 'Odd', bar 2: chord 'C*zz*' cannot be read "
                                                     "(Unknown quality: zz)"),
    (irealb_link([Song("Odd", "T44C   |Co^9   Z")]), "the link: song 'Odd', bar 2: chord 'Co^9' has a quality iReal "
                                                    "does not write ('o^9'); is the link whole?"),
]


@pytest.mark.parametrize("arg, message", BAD)
def test_bad_links_exit_2_with_one_line_and_write_nothing(tmp_path, arg, message):
    out = tmp_path / "out.mid"
    result = runner.invoke(app, ["play", arg, "-o", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"aqyn: error: {message}"), lines
    assert list(tmp_path.iterdir()) == []


def test_song_with_a_text_chart_and_a_page_without_a_link_exit_2(tmp_path):
    chart = ROOT / "examples" / "steppe_song.chart"
    result = runner.invoke(app, ["play", str(chart), "--song", "1", "-o", str(tmp_path / "o.mid")])
    assert result.exit_code == 2 and result.output.strip() == (
        f"aqyn: error: --song picks a song of an iReal link; {chart} is a text chart (leave --song out)")
    page = tmp_path / "p.html"
    page.write_text('<html><a href="https://example.org/irealb">a page</a></html>')
    with pytest.raises(ChartError, match=r"p\.html: no irealb:// link in it; give a chart, an irealb:// link "
                                         r"or a file holding one$"):
        load_chart(str(page))
    (tmp_path / "q.html").write_text('<a href="irealb://">x</a>')
    result = runner.invoke(app, ["play", str(tmp_path / "q.html"), "-o", str(tmp_path / "o.mid")])
    assert result.exit_code == 2 and "the link holds no song" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html", "q.html"]


E2E = Song("A minor walk", "*A{T44A-   |A-   |E7   |E7   |N1A-   |D-   |E7   |E7   }"
                           "|N2A-   |D- E7 |A-   | x  ]*B[F   |E7   |A-   |A-   Z", "Medium Swing", "A-", 120)


@pytest.mark.slow
def test_a_link_plays_through_fluidsynth_with_its_bars_and_chords(tmp_path):
    link = irealb_link([E2E])
    mid, wav = tmp_path / "out.mid", tmp_path / "out.wav"
    result = runner.invoke(app, ["play", link, "-o", str(mid), "--wav", str(wav), "--loop", "A", "--times", "1"])
    assert result.exit_code == 0, result.output
    assert "A minor walk, key A minor, 120 BPM, 16 bars, style tokpe-gallop" in result.output
    assert wav.stat().st_size > 44100 * 4 * 30        # some 30 s of stereo 16-bit audio at least
    midi = mido.MidiFile(mid)
    t, marks, notes, signatures = 0.0, [], [], set()
    for msg in midi:
        t += msg.time
        if msg.type == "marker":
            marks.append((t, msg.text))
        elif msg.type == "time_signature":
            signatures.add((msg.numerator, msg.denominator))
        elif msg.type == "note_on" and msg.velocity and msg.channel != 9:
            notes.append((t, msg.note % 12))
    assert signatures == {(4, 4)}
    start = next(t for t, text in marks if text == "chart: A at 120 BPM")
    out = next(t for t, text in marks if text == "band out")
    assert (out - start) / 2.0 == pytest.approx(16, abs=0.01)       # 16 bars of 2 s: the A section unrolled
    chords = ["A-", "A-", "E7", "E7", "A-", "D-", "E7", "E7", "A-", "A-", "E7", "E7", "A-", "D- E7", "A-", "A-"]
    scale = {9, 11, 0, 2, 4, 5, 7}
    e7 = {4, 8, 11, 2}
    for bar, chord in enumerate(chords):
        pcs = [p for time, p in notes if start + 2 * bar - 0.08 <= time < start + 2 * bar + 1.92]
        assert pcs and set(pcs) <= scale | e7, (bar, chord, pcs)
        if chord == "E7" and bar not in (15,):
            assert sum(p in e7 for p in pcs) >= 0.7 * len(pcs), (bar, pcs)     # over V the dombra plays E7


def test_the_readmes_link_is_the_steppe_song():
    readme = (ROOT / "README.md").read_text()
    link = next(w.strip("`'") for w in readme.split() if w.startswith("'irealb://Steppe"))
    assert link == irealb_link([STEPPE])
    assert played(load_chart(link)[0]) == played(load_chart(irealb_link([STEPPE]))[0])
