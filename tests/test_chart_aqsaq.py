"""Charts in the aqsaq meters 5/8 and 7/8 through the real pipeline: the MIDI file's time signature, bars and
bar lines (the band's first note of every bar on the line, read with mido), chords changing on their eighth,
the count-in on the style's groups, loop, ramp and transpose, a style of another meter refused in one line,
an iReal 7/8 link and random charts (hypothesis). A 7/8 chart played live is a row of test_chart_audio's live
test."""

import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ireal_link import Song, irealb_link  # noqa: E402
from engine.chart.parse import parse_chart, read_chart  # noqa: E402
from engine.chart.play import PlayOptions, play_offline, prepare  # noqa: E402
from engine.chart.song import Practice  # noqa: E402
from engine.cli import app  # noqa: E402

runner = CliRunner()
AQSAQ = ROOT / "examples" / "aqsaq_song.chart"
TOLERANCE = 24          # ticks (a twentieth of a quarter): the style's humanising moves a note by ~5 ms


class File:
    """A played chart's MIDI file as a DAW reads it: time signatures, tempi and markers on the conductor
    track, the band's note-ons by tick, its bars laid from tick 0 in the file's meter."""

    def __init__(self, path: Path):
        mid = mido.MidiFile(path)
        self.ppq = mid.ticks_per_beat
        self.meta: list[tuple[int, mido.MetaMessage]] = list(_absolute(mid.tracks[0]))
        self.notes = sorted((t, m.note, m.channel) for track in mid.tracks[1:] for t, m in _absolute(track)
                            if m.type == "note_on" and m.velocity > 0)
        self.signatures = {(m.numerator, m.denominator) for _, m in self.meta if m.type == "time_signature"}
        num, den = next((m.numerator, m.denominator) for _, m in self.meta if m.type == "time_signature")
        self.bar = self.ppq * 4 * num // den             # ticks in a bar: 1680 in 7/8, 1200 in 5/8
        self.band_in = self.marker("section: intro")
        self.band_out = self.marker("band out")

    def bpm_at(self, tick: int) -> float:
        """The tempo (quarters a minute) in force at `tick`."""
        return mido.tempo2bpm([m.tempo for t, m in self.meta if m.type == "set_tempo" and t <= tick][-1])

    def marker(self, prefix: str) -> int:
        return next(t for t, m in self.meta if m.type == "marker" and m.text.startswith(prefix))

    def markers(self, prefix: str) -> list[tuple[int, str]]:
        return [(t, m.text) for t, m in self.meta if m.type == "marker" and m.text.startswith(prefix)]

    def bar_starts_off_the_line(self) -> list[tuple[int, int]]:
        """(bar, ticks) for every band bar whose first note is more than TOLERANCE from its bar line."""
        out = []
        for k in range(self.band_in // self.bar, self.band_out // self.bar):
            line = k * self.bar
            first = next((t for t, _, _ in self.notes if t >= line - TOLERANCE), None)
            if first is None or abs(first - line) > TOLERANCE:
                out.append((k, None if first is None else first - line))
        return out


def _absolute(track):
    tick = 0
    for msg in track:
        tick += msg.time
        yield tick, msg


def play(*args):
    return runner.invoke(app, ["play", *map(str, args)])


def write(tmp_path: Path, text: str, name: str = "c.chart") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


FIVE = "title: Five\ntempo: 132\nmeter: 5/8\n[A]\n| Am | Am . . E7 . | F | E7 |\n[B]\n| Dm | Am . . E7 . | Am |\n"


@pytest.mark.parametrize("meter, style, text", [
    ("7/8", "aqsaq-7-8", None),                 # the example chart
    ("5/8", "aqsaq-5-8", FIVE),
])
def test_a_chart_in_an_aqsaq_meter_plays_in_its_meter_with_its_bar_lines(tmp_path, meter, style, text):
    chart = AQSAQ if text is None else write(tmp_path, text)
    out = tmp_path / "out.mid"
    r = play(chart, "-o", out, "--count-in", 1)
    assert r.exit_code == 0, r.output
    parsed = read_chart(chart)
    assert f"style {style}" in r.output and f"{len(parsed.bars)} bars" in r.output
    f = File(out)
    num = int(meter.split("/")[0])
    assert f.signatures == {(num, 8)} and f.bar == f.ppq * num // 2
    # The tempo meta is the chart's tempo: a quarter note's, as the file counts and the styles do.
    tempi = [mido.tempo2bpm(m.tempo) for _, m in f.meta if m.type == "set_tempo"]
    assert tempi and all(b == pytest.approx(parsed.tempo, abs=0.01) for b in tempi)     # microseconds rounded
    # Two bars before the band (a silent one, the count-in's), the intro, the chart's bars, each on a bar
    # line; the band's first note of every bar on its line.
    assert f.band_in == 2 * f.bar
    intro = prepare(parsed, PlayOptions(count_in=1)).listener.intro_bars
    assert f.band_out == (2 + intro + len(parsed.bars)) * f.bar
    assert all(t % f.bar == 0 for t, _ in f.markers("chart: ") + f.markers("section: "))
    assert f.bar_starts_off_the_line() == []
    # The count-in: one bar of clicks on the style's groups, in the bar before the band (high, low ...).
    clicks = [(t, note) for t, note, ch in f.notes if ch == 9 and t < f.band_in - TOLERANCE]
    groups = prepare(parsed, PlayOptions()).style.groups
    starts = [f.bar + sum(groups[:i]) * f.ppq // 2 for i in range(len(groups))]
    assert clicks == [(t, 76 if i == 0 else 77) for i, t in enumerate(starts)]


@pytest.mark.parametrize("meter, bar, change, v_chord", [
    ("7/8", "Dm . . . A7 . .", 4, "A7"),
    ("5/8", "Dm . . A7 .", 3, "A7"),
    ("7/8", "Dm . . . . A7 .", 5, "A7"),
])
def test_chords_change_on_their_eighth(tmp_path, meter, bar, change, v_chord):
    units = int(meter.split("/")[0])
    text = f"tempo: 120\nmeter: {meter}\nkey: D minor\n|: {bar} :| x6\n"
    prepared = prepare(parse_chart(text), PlayOptions())
    listener = prepared.listener
    first = listener.first_bar_beat
    assert (float(first + Fraction(change, 2)), (9, "7")) in listener.chords_ahead       # an eighth is half a beat
    out = tmp_path / "out.mid"
    play_offline(parse_chart(text), out)
    f = File(out)
    eighth = f.ppq // 2
    start = f.band_in + listener.intro_bars * f.bar
    before, after = [], []                  # the dombra's notes before and after the change, in the six bars
    for t, note, channel in f.notes:
        if channel == 9 or not start <= t + TOLERANCE < start + 5 * f.bar:   # the sixth bar ends the song
            continue
        at = ((t + TOLERANCE - start) % f.bar) / eighth              # eighths into its bar
        if at < units - 0.5:
            (after if at >= change else before).append(note % 12)
    # Over Dm the dombra keeps its home position (D and G strings); from the A7's eighth on it moves to the
    # V position (A and E).
    assert before and after
    assert sum(p in (4, 9) for p in before) <= 0.1 * len(before), before
    assert sum(p in (4, 9) for p in after) >= 0.8 * len(after), after


def test_the_count_in_limps_as_the_style_does_and_the_lead_is_whole_bars_in_pairs(tmp_path):
    chart = write(tmp_path, "tempo: 120\nmeter: 7/8\n| Dm | C | Dm |\n")
    for args, bars, groups in ([[], 2, ()], [["--count-in", "2"], 2, (2, 2, 3)],
                               [["--count-in", "3", "--style", "tokpe-7-8"], 4, (3, 2, 2)]):
        out = tmp_path / "out.mid"
        assert play(chart, "-o", out, *args).exit_code == 0
        f = File(out)
        assert f.band_in == bars * f.bar and f.bar_starts_off_the_line() == []
        clicks = [t for t, _, ch in f.notes if ch == 9 and t < f.band_in - TOLERANCE]
        n = int(args[1]) if args else 0
        starts = [sum(groups[:i]) * f.ppq // 2 for i in range(len(groups))]
        assert clicks == [(bars - n + k) * f.bar + s for k in range(n) for s in starts]


def test_loop_ramp_and_transpose_keep_the_bars(tmp_path):
    # A section of three 7/8 bars: every other pass begins on a half beat, where the ramp's tempo changes.
    text = "tempo: 150\nmeter: 7/8\nkey: D minor\n[A]\n| Dm | Dm |\n[B]\n| Gm | Dm . . . A7 . . | Dm |\n"
    chart = write(tmp_path, text)
    plain, moved = tmp_path / "plain.mid", tmp_path / "moved.mid"
    assert play(chart, "-o", plain, "--loop", "b", "--times", "3", "--ramp", "+6").exit_code == 0
    r = play(chart, "-o", moved, "--loop", "B", "--times", "3", "--ramp", "+6", "--transpose", "+2")
    assert r.exit_code == 0, r.output
    f = File(plain)
    passes = f.markers("chart: ")
    assert [text for _, text in passes] == ["chart: B at 150 BPM", "chart: B at 156 BPM", "chart: B at 162 BPM"]
    first = passes[0][0]
    assert [t for t, _ in passes] == [first, first + 3 * f.bar, first + 6 * f.bar]
    assert f.band_out == first + 9 * f.bar and f.bar_starts_off_the_line() == []
    # Each pass at its tempo from the middle of its second bar (the band catches up with a new tempo over a few
    # beats, halving the difference each beat, as in 4/4).
    for k, (t, _) in enumerate(passes):
        for at in range(t + 3 * f.bar // 2, t + 3 * f.bar, f.ppq // 2):
            assert f.bpm_at(at) == pytest.approx(150 + 6 * k, abs=0.5), (k, at)
    g = File(moved)
    dombra = [(t, n) for t, n, ch in f.notes if ch != 9]
    up = [(t, n) for t, n, ch in g.notes if ch != 9]
    assert len(dombra) == len(up) > 50 and all(a == b and n + 2 == m for (a, n), (b, m) in zip(dombra, up))


def test_a_chart_in_7_8_does_not_split_into_halves(tmp_path):
    chart = write(tmp_path, "meter: 7/8\n| Dm C |\n")
    r = play(chart, "-o", tmp_path / "out.mid")
    assert r.exit_code == 2, r.output
    assert ("a 7/8 bar splits into 1, 7 equal parts, this one has 2; hold a chord with '.' (| Dm . . . C . . |)"
            in r.output)


def test_an_ireal_7_8_link_plays_as_its_text_chart(tmp_path):
    song = Song("Aqsaq qulan", "*A[T78D-   |D- A7 |G-   |D-   ]*B[C   |F   |A7   |D-   Z", "Aqsaq",
                "D-", 160)
    link = irealb_link([song])
    text = write(tmp_path, "tempo: 160\nmeter: 7/8\nkey: D minor\n[A]\n| Dm | Dm . . . A7 . . | Gm | Dm |\n"
                           "[B]\n| C | F | A7 | Dm |\n")
    out, same = tmp_path / "link.mid", tmp_path / "text.mid"
    r = play(link, "-o", out)
    assert r.exit_code == 0, r.output
    assert "Aqsaq qulan, key D minor, 160 BPM, 8 bars, style aqsaq-7-8" in r.output
    assert play(text, "-o", same).exit_code == 0
    f, g = File(out), File(same)
    assert f.signatures == {(7, 8)} and f.bar_starts_off_the_line() == []
    assert f.notes == g.notes                  # the link's song is the text chart, note for note
    five = Song("Five", "*AT58A-   |E7   Z", "Aqsaq", "A-", 120)
    assert play(irealb_link([five]), "-o", tmp_path / "five.mid").exit_code == 0
    assert File(tmp_path / "five.mid").signatures == {(5, 8)}


@st.composite
def aqsaq_charts(draw):
    """A random 5/8 or 7/8 chart: 1-6 bars of a whole-bar chord or a chord change on a random eighth."""
    units = draw(st.sampled_from([5, 7]))
    chords = ["Dm", "Gm", "A7", "C", "F", "Bb", "N.C."]
    bars = []
    for _ in range(draw(st.integers(1, 6))):
        first = draw(st.sampled_from(chords[:-1]))
        if draw(st.booleans()):
            bars.append(first)
        else:
            at = draw(st.integers(1, units - 1))
            bars.append(" ".join([first] + ["."] * (at - 1) + [draw(st.sampled_from(chords))]
                                 + ["."] * (units - at - 1)))
    return f"tempo: {draw(st.integers(60, 236))}\nmeter: {units}/8\n| " + " | ".join(bars) + " |\n"


# No shrinking: a play takes a second, and a failing chart is small enough to read as it is.
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(text=aqsaq_charts(), count_in=st.integers(0, 3), times=st.integers(1, 2), seed=st.integers(0, 20))
def test_random_aqsaq_charts_give_bars_of_their_meter(text, count_in, times, seed):
    chart = parse_chart(text, "random.chart")
    options = PlayOptions(Practice(times=times, ramp=3 if times > 1 else 0), count_in=count_in, seed=seed)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "random.mid"
        play_offline(chart, out, options=options)
        f = File(out)
    assert f.signatures == {(chart.meter.units, 8)}
    listener = prepare(chart, options).listener
    intro = listener.intro_bars
    # a bar of the final stroke after the chart when its last chord comes after its last bar's downbeat
    after = (listener.final_beat + listener.style_bar - listener.end_beat) / listener.song.beats_per_bar
    lead = max(2, count_in + count_in % 2)
    assert f.band_in == lead * f.bar
    # "band out" is marked when the engine's tick passes the last beat: a few milliseconds late at most
    assert 0 <= f.band_out - (lead + intro + times * len(chart.bars) + after) * f.bar <= TOLERANCE
    assert f.bar_starts_off_the_line() == []
