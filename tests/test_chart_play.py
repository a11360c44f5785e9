"""`aqyn play CHART` offline: random valid charts make valid MIDI that keeps the chart's bars, meter and tempo
and whose dombra follows its chords; loop, ramp, transpose, mute; and the command's exit-2 cases."""

import tempfile
from pathlib import Path

import mido
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.arrange.band import DOMBRA_CHANNEL, DRUM_CHANNEL
from engine.arrange.dombra import chord_pcs
from engine.chart.parse import parse_chart
from engine.chart.play import PlayOptions, perform, play_offline, prepare
from engine.chart.song import Practice
from engine.cli import app
from engine.events import Note
from engine.theory import SCALES

ROOT = Path(__file__).resolve().parents[1]
STEPPE = ROOT / "examples" / "steppe_song.chart"
NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
runner = CliRunner()


def seconds_of(mid: mido.MidiFile, kind: str) -> list[tuple[float, mido.MetaMessage]]:
    """(seconds, message) of every meta message of `kind` in the file."""
    out, t = [], 0.0
    for msg in mid:
        t += msg.time
        if msg.type == kind:
            out.append((t, msg))
    return out


def ticks_of(mid: mido.MidiFile, kind: str) -> list[tuple[int, mido.MetaMessage]]:
    """(absolute tick, message) of every message of `kind` on the conductor track."""
    out, tick = [], 0
    for msg in mid.tracks[0]:
        tick += msg.time
        if msg.type == kind:
            out.append((tick, msg))
    return out


@st.composite
def charts(draw):
    """A random valid chart: a meter, a tempo, a key written or not, 1-3 sections of 1-4 bars of diatonic
    chords (1, 2 or a bar's count of slots, some held with dots), now and then a repeat."""
    meter = draw(st.sampled_from(["4/4", "3/4", "2/4", "6/8", "12/8", "5/8", "7/8"]))
    units = int(meter.split("/")[0])
    tonic, mode = draw(st.integers(0, 11)), draw(st.sampled_from(["major", "minor", "dorian", "mixolydian"]))
    scale = SCALES[mode]
    degree_chords = []
    for d in range(7):
        root, third, fifth = (scale[d], scale[(d + 2) % 7], scale[(d + 4) % 7])
        if (fifth - root) % 12 != 7:
            continue                                    # leave out the diminished triad
        degree_chords.append(NAMES[(tonic + root) % 12] + ("m" if (third - root) % 12 == 3 else ""))
    lines = [f"tempo: {draw(st.integers(60, 140))}", f"meter: {meter}"]
    if draw(st.booleans()):
        lines.append(f"key: {NAMES[tonic]} {mode}")
    for s in range(draw(st.integers(1, 3))):
        lines.append(f"[{'ABC'[s]}]")
        bars = []
        for _ in range(draw(st.integers(1, 4))):
            slots = draw(st.sampled_from(sorted({1, 2 if units % 2 == 0 else 1, units})))
            tokens = [draw(st.sampled_from(degree_chords))]
            tokens += [draw(st.sampled_from([".", ".", *degree_chords])) for _ in range(slots - 1)]
            bars.append(" ".join(tokens))
        line = "| " + " | ".join(bars) + " |"
        if draw(st.booleans()):
            line = "|: " + " | ".join(bars) + f" :| x{draw(st.integers(2, 3))}"
        lines.append(line)
    return "\n".join(lines) + "\n"


# No shrinking: a play takes a second, and a failing chart is small enough to read as it is.
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(text=charts(), seed=st.integers(0, 50))
@example(text="tempo: 62\nmeter: 5/8\n[A]\n|: Bbm Ab Bbm Db Eb | Bbm | Ab :| x3\n[B]\n"
              "|: Cm Db Cm Cm Eb | Fm . Fm . Eb :| x3\n", seed=7)     # a minor v with the top string's seventh
@example(text="tempo: 60\nmeter: 2/4\n[A]\n| C |\n", seed=0)     # auto's slow style (a 4/4 ballad) cannot end a
#                                                                 2/4 chart's bars: one that can is chosen
def test_random_charts_play_as_written(text, seed):
    chart = parse_chart(text, "random.chart")
    options = PlayOptions(seed=seed)
    prepared = prepare(chart, options)
    listener, song = prepared.listener, prepared.song
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "song.mid"
        result = play_offline(chart, out, options=options)
        mid = mido.MidiFile(out)
    assert mid.type == 1 and [t.name for t in mid.tracks] == ["aqyn", "dombra", "percussion"]
    # The meter: every time signature is the chart's.
    num, den = (int(x) for x in chart.meter.text.split("/"))
    assert {(m.numerator, m.denominator) for _, m in ticks_of(mid, "time_signature")} == {(num, den)}
    # The tempo: every tempo from the band's first downbeat on is the chart's (a quarter note's, so a dotted
    # quarter's in 6/8).
    band_in = next(t for t, m in ticks_of(mid, "marker") if m.text.startswith("section: intro")
                   or m.text.startswith("section: main"))
    band_out = next(t for t, m in ticks_of(mid, "marker") if m.text == "band out")
    quarter_bpm = chart.tempo * (1.5 if chart.meter.compound else 1)
    changes = ticks_of(mid, "set_tempo")
    in_force = max(i for i, (t, _) in enumerate(changes) if t <= band_in)     # the tempo the band comes in at
    tempos = [mido.tempo2bpm(m.tempo) for t, m in changes[in_force:] if t < band_out]
    assert tempos and all(abs(b - quarter_bpm) < 0.01 * quarter_bpm for b in tempos), tempos
    # The bars: from the band's first downbeat to its last note-off, the intro and every bar of the chart, and
    # the style's bar of the final stroke after it when the chart's last chord comes after that bar's downbeat.
    ticks_per_bar = mid.ticks_per_beat * 4 * num // den
    after = (listener.final_beat + listener.style_bar - listener.end_beat) / song.beats_per_bar
    assert after == 0 or listener.chords_ahead[-1][0] > listener.end_beat - listener.style_bar
    assert (band_out - band_in) / ticks_per_bar == pytest.approx(listener.intro_bars + len(song.bars) + after,
                                                                 abs=0.02)
    assert result.bars == len(song.bars)
    # The dombra follows the chords: its notes are of the key's scale or the chord sounding, and over the
    # key's fifth (V, where the dombra leaves its drone for the chord's position) it leaves the tonic: at
    # least half its notes are the chord's and at most a fifth the tonic, which is not (the rest is the top
    # string's melody in the scale: a minor seventh over a minor v, 3 of 8 notes in a slow 5/8 bar); but for
    # the ending's last bar: its cadence is the open strings, as a kui ends.
    engine, band = perform(prepared, options, [])
    notes = [e for e in band if isinstance(e, Note) and e.channel == DOMBRA_CHANNEL]
    tonic, mode = song.key
    scale = {(tonic + s) % 12 for s in SCALES[mode]}
    changes = [*listener.chords_ahead, (float(listener.end_beat), None)]
    for (b0, chord), (b1, _) in zip(changes, changes[1:]):
        t0, t1 = listener.seconds_at(b0) - 0.08, listener.seconds_at(b1) - 0.08
        pcs = {n.pitch % 12 for n in notes if t0 <= n.time < t1}
        assert pcs <= scale | chord_pcs(chord), (chord, pcs)
        cadence = listener.final_beat
        if chord is not None and (chord[0] - tonic) % 12 == 7 and min(b1, cadence) - b0 >= song.beats_per_bar:
            t1 = min(t1, listener.seconds_at(cadence) - 0.08)
            span = [n for n in notes if t0 <= n.time < t1]
            inside = sum(n.pitch % 12 in chord_pcs(chord) for n in span)
            drone = sum(n.pitch % 12 == tonic and tonic not in chord_pcs(chord) for n in span)
            assert inside >= 0.5 * len(span) and drone <= 0.2 * len(span), (chord, inside, drone, len(span))



@pytest.mark.xfail(strict=True, reason="the dombra's top-string line over a slow 3/4 V bar walks the scale (C#, A, "
                   "G#, G#) more than the chord: 1 of 5 notes the chord's (found session 30 by a 300-example run)")
def test_a_slow_waltzs_v_bar_is_played_on_the_chord():
    """A random chart `test_random_charts_play_as_written` failed on about once in a hundred draws (make test runs
    12, CI a fixed draw): E major in 3/4 at 60, the dombra over B's first bar plays F#, C#, A, G#, G#."""
    text = ("tempo: 60\nmeter: 3/4\nkey: E major\n[A]\n|: Dbm :| x3\n[B]\n|: Abm . . | F#m | E | F#m E Dbm :| x3\n"
            "[C]\n|: Dbm | B | A A Dbm :| x2\n")
    test_random_charts_play_as_written.hypothesis.inner_test(text, 26)

def band_notes(text: str, **practice_or_options) -> tuple[list[Note], object]:
    keys = {"loop", "times", "ramp", "transpose", "bpm"}
    p = Practice(**{k: v for k, v in practice_or_options.items() if k in keys})
    options = PlayOptions(p, **{k: v for k, v in practice_or_options.items() if k not in keys})
    prepared = prepare(parse_chart(text), options)
    engine, band = perform(prepared, options, [])
    return band, prepared


def test_the_form_sections_fills_and_ending_on_the_last_bar():
    band, prepared = band_notes(STEPPE.read_text())
    markers = [(e.time, e.text) for e in band if type(e).__name__ == "Marker"]
    listener = prepared.listener
    sections = [text for _, text in markers if text.startswith("section: ")]
    assert sections[0] == "section: intro" and "section: main_b" in sections and sections[-1] == "section: ending"
    # main B comes in with the chart's [B] (bar 12 of the song), after a fill in the bar before it.
    b_at = listener.seconds_at(listener.first_bar_beat + 12 * 4)
    assert any(abs(t - b_at) < 0.1 and text == "section: main_b" for t, text in markers)
    assert any(b_at - 2.6 < t < b_at - 0.1 and text == "section: fill" for t, text in markers)
    # The chart's last bar, `Dm . . C`, sounds whole, its C on beat 4; the ending's final stroke comes on the
    # downbeat after it, on that C, and the band is out a bar of the style later.
    final = listener.seconds_at(float(listener.end_beat))
    c_at = listener.seconds_at(float(listener.end_beat - 1))
    dombra = [n for n in band if isinstance(n, Note) and n.channel == DOMBRA_CHANNEL]
    assert any(c_at - 0.05 < n.time < final - 0.1 for n in dombra)
    assert listener.chord_at(float(listener.end_beat)) == (0, "maj")
    assert min(n.time for n in dombra if n.time > final - 0.05) == pytest.approx(final, abs=0.06)
    ending = next(t for t, text in markers if text == "section: ending")
    assert ending == pytest.approx(listener.seconds_at(float(listener.end_beat - 2)), abs=0.05)
    out = next(t for t, text in markers if text == "band out")
    assert out == pytest.approx(listener.band_end_time, abs=0.05)
    assert listener.band_end_time == pytest.approx(final + 2 * 60 / 96, abs=0.01)
    assert max(n.time for n in band if isinstance(n, Note)) < listener.band_end_time + 0.05


def test_a_last_bar_of_one_chord_ends_on_its_downbeat():
    # `| Dm |` last: the ending's last bar is the chart's last, its final stroke on that bar's downbeat.
    band, prepared = band_notes("tempo: 96\n[A]\n| Dm | G | C | Dm |\n")
    listener = prepared.listener
    assert listener.final_beat == listener.end_beat - listener.style_bar
    out = next(e.time for e in band if type(e).__name__ == "Marker" and e.text == "band out")
    assert out == pytest.approx(listener.end_time, abs=0.05)


def test_the_last_bars_open_dyad_gives_way_where_it_rubs_against_the_final_chord():
    # In C the dombra is tuned C3-F3 (no tuning within three semitones of D3 puts C on a string without the F):
    # its open dyad, the kui's cadence, put an F a semitone over the final C major chord's E, a sus4 (review25).
    # There the last bar is fretted on the chord; in D dorian (D3-G3 over Dm) the open strings stay.
    c_major = {p % 12 for p in (0, 4, 7)}
    for chart, expected in (("key: C major\ntempo: 100\n[A]\n| C | F | G | C |\n", c_major),
                            ("tempo: 96\n[A]\n| Dm | G | C | Dm |\n", {2, 7})):
        band, prepared = band_notes(chart)
        last = prepared.listener.seconds_at(prepared.listener.final_beat) - 0.08
        cadence = {e.pitch % 12 for e in band if isinstance(e, Note) and e.channel == DOMBRA_CHANNEL
                   and e.time >= last}
        assert cadence and (cadence <= expected if expected is c_major else cadence == expected), cadence


def test_loop_plays_the_section_times_with_the_ramp():
    band, prepared = band_notes(STEPPE.read_text(), loop="B", times=3, ramp=4)
    assert [b.bpm for b in prepared.song.bars] == [96] * 4 + [100] * 4 + [104] * 4
    passes = [e.text for e in band if type(e).__name__ == "Marker" and e.text.startswith("chart: ")]
    assert passes == ["chart: B at 96 BPM", "chart: B at 100 BPM", "chart: B at 104 BPM"]
    beats = [e for e in band if type(e).__name__ == "Beat"]
    last_pass = prepared.listener.seconds_at(prepared.listener.first_bar_beat + 8 * 4)
    lengths = [b.period for b in beats if b.time > last_pass + 2.0]
    assert lengths and all(abs(60 / x - 104) < 1.0 for x in lengths)


def test_a_loop_names_its_section_in_any_case_and_a_ramp_needs_repeats():
    from engine.chart.song import practice
    from engine.errors import OptionError

    chart = parse_chart(STEPPE.read_text(), "steppe.chart")
    assert [b.section for b in practice(chart, Practice(loop="b", times=2)).bars] == ["B"] * 8
    with pytest.raises(OptionError, match=r"--ramp \+2 adds BPM at each repeat, and there is one pass"):
        practice(chart, Practice(ramp=2))


def test_transpose_moves_every_dombra_note():
    band, _ = band_notes(STEPPE.read_text())
    up, prepared = band_notes(STEPPE.read_text(), transpose=2)
    a = [(round(n.time, 6), n.pitch) for n in band if isinstance(n, Note) and n.channel == DOMBRA_CHANNEL]
    b = [(round(n.time, 6), n.pitch) for n in up if isinstance(n, Note) and n.channel == DOMBRA_CHANNEL]
    assert len(a) == len(b) > 100
    assert all(ta == tb and pb - pa == 2 for (ta, pa), (tb, pb) in zip(a, b))
    assert any(type(e).__name__ == "KeyChange" and e.tonic == "E" and e.mode == "dorian" for e in up)


def test_mute_leaves_a_part_out_but_keeps_the_count_in():
    band, prepared = band_notes(STEPPE.read_text(), mute=("percussion",), count_in=1)
    start = prepared.listener.start_time
    drums = [n for n in band if isinstance(n, Note) and n.channel == DRUM_CHANNEL]
    assert len(drums) == 4 and all(n.time < start for n in drums)        # the count-in's four clicks only
    assert sum(isinstance(n, Note) and n.channel == DOMBRA_CHANNEL for n in band) > 100
    band, _ = band_notes(STEPPE.read_text(), mute=("dombra",))
    assert not any(isinstance(n, Note) and n.part == "dombra" for n in band)
    assert sum(isinstance(n, Note) and n.channel == DRUM_CHANNEL for n in band) > 50


def test_bpm_replaces_the_charts_tempo():
    _, prepared = band_notes(STEPPE.read_text(), bpm=120)
    assert {b.bpm for b in prepared.song.bars} == {120}
    assert prepared.listener.grid_at(5.0).bpm == pytest.approx(120)


# ---- the command -------------------------------------------------------------------------------------------
def play(*args):
    return runner.invoke(app, ["play", *map(str, args)])


def test_play_writes_the_midi_and_says_what_it_played(tmp_path):
    out = tmp_path / "steppe.mid"
    r = play(STEPPE, "-o", out, "--count-in", 1)
    assert r.exit_code == 0, r.output
    assert "Steppe song, key D dorian, 96 BPM, 16 bars, style tokpe-gallop" in r.output
    again = tmp_path / "again.mid"
    assert play(STEPPE, "-o", again, "--count-in", 1).exit_code == 0
    assert out.read_bytes() == again.read_bytes()                       # same chart and seed, same file
    other = tmp_path / "other.mid"
    assert play(STEPPE, "-o", other, "--count-in", 1, "--seed", 3).exit_code == 0
    assert out.read_bytes() != other.read_bytes()


def test_play_says_where_a_ramp_takes_the_tempo(tmp_path):
    # review14: with --ramp the line said "96 BPM" alone, as if the ramp had done nothing
    r = play(STEPPE, "-o", tmp_path / "ramp.mid", "--loop", "a", "--times", 3, "--ramp", "+4")
    assert r.exit_code == 0, r.output
    assert "Steppe song, key D dorian, 96 to 104 BPM, 36 bars" in r.output
    r = play(STEPPE, "-o", tmp_path / "slow.mid", "--times", 2, "--ramp", "-6")
    assert "key D dorian, 96 to 90 BPM, 32 bars" in r.output


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "c.chart"
    path.write_text(text)
    return path


@pytest.mark.parametrize("text, args, message", [
    ("tempo: 96\n| Dm | Xq |\n", [], "c.chart:2:8: 'Xq' is not a chord"),
    ("style: nosuch\n| Dm |\n", [], "c.chart:1:8: unknown style 'nosuch'"),
    ("meter: 6/8\n| Dm |\n", ["--style", "tokpe-gallop"], "style 'tokpe-gallop' is in 2/4, the chart in 6/8"),
    ("| Dm |\n", ["--style", "nosuch"], "unknown style 'nosuch'"),
    ("meter: 2/4\n| Dm |\n", ["--style", "shertpe-332"], "style 'shertpe-332' is in 4/4, the chart in 2/4"),
    ("meter: 9/8\n| Dm |\n", [], "no style plays a 9/8 chart (aqyn patterns list shows their meters)"),
    ("[A]\n| Dm |\n", ["--loop", "B"], "--loop: no section [B] to loop; the chart has A"),
    ("| Dm |\n", ["--ramp", "fast"], "--ramp takes BPM per repeat like +2 or -1, got 'fast'"),
    ("| Dm |\n", ["--times", "3", "--ramp", "+100"], "--ramp +100 takes the tempo to 300 BPM"),
    ("| Dm |\n", ["--transpose", "up"], "--transpose takes semitones like +2 or -3, got 'up'"),
    ("| Dm |\n", ["--mute", "guitar"], "--mute takes dombra or percussion, got 'guitar'"),
    # Every part muted or off: refused, not a silent file without a word (review20).
    ("| Dm |\n", ["--mute", "dombra", "--mute", "percussion"], "--mute dombra and --mute percussion leave nothing "
     "to hear (a chart has no guitar); leave one part in"),
    ("| Dm |\n", ["--mute", "percussion", "--mix", "dombra=off"], "--mix dombra=off and --mute percussion leave"),
    ("| Dm |\n", ["--count-in", "1", "--mix", "dombra=off,percussion=mute"], "--mix dombra=off and --mix "
     "percussion=off leave nothing to hear"),
    ("| Dm |\n", ["--count-in", "9"], "--count-in must be 0..4 bars, got 9"),
    ("| Dm |\n", ["--bpm", "500"], "--bpm must be 30..240, got 500"),
    # The aqsaq meters: a style of another meter names those of the chart's.
    ("meter: 7/8\n| Dm |\n", ["--style", "tokpe-gallop"], "style 'tokpe-gallop' is in 2/4, the chart in 7/8; give "
     "a style in 7/8 (aqsaq-7-8, tokpe-7-8; aqyn patterns list) or leave it out"),
    ("meter: 5/8\n| Dm |\n", ["--style", "aqsaq-7-8"], "style 'aqsaq-7-8' is in 7/8, the chart in 5/8; give a "
     "style in 5/8 (aqsaq-5-8, shertpe-5-8; aqyn patterns list) or leave it out"),
    ("meter: 4/4\n| Dm |\n", ["--style", "aqsaq-7-8"], "style 'aqsaq-7-8' is in 7/8, the chart in 4/4; give a "
     "style that fits"),
    ("meter: 7/8\n| Dm |\n", ["--count-in", "1", "--bpm", "250"], "--bpm must be 30..240, got 250"),
])
def test_bad_charts_and_options_exit_2_with_one_line_and_write_nothing(tmp_path, text, args, message):
    chart = write(tmp_path, text)
    r = play(chart, "-o", tmp_path / "out.mid", *args)
    assert r.exit_code == 2, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aqyn: error: ") and message in lines[0], r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.chart"]


def test_wav_without_output_and_a_missing_chart_exit_2(tmp_path):
    r = play(STEPPE, "--wav", tmp_path / "a.wav")
    assert r.exit_code == 2 and "give -o too" in r.output
    r = play(tmp_path / "none.chart", "-o", tmp_path / "a.mid")
    assert r.exit_code == 2 and "no such chart file" in r.output
    assert list(tmp_path.iterdir()) == []


def test_a_footswitch_acts_on_the_chart_band(tmp_path):
    """Live, a footswitch port's map acts on the band as with a guitar (here replayed under a virtual clock
    through the live feed): a tap on `stop` in the middle of the chart stops the band at the next beat."""
    from engine.chart.live import ChartSource
    from engine.chart.play import chart_engine
    from engine.clock import VirtualClock
    from engine.io.sinks import RecordingSink
    from engine.live.controls import FootswitchMap
    from engine.live.feed import LiveFeed
    from engine.pipeline import run

    fmap_file = tmp_path / "pedal.toml"
    fmap_file.write_text('[[switch]]\ncc = 64\ntap = "stop"\n')
    options = PlayOptions()
    prepared = prepare(parse_chart(STEPPE.read_text()), options)
    feed = LiveFeed(FootswitchMap.load(fmap_file))
    press = prepared.listener.seconds_at(prepared.listener.first_bar_beat + 4 * 4 + 1.5)   # bar 5, beat 2.5
    feed.put([0xB0, 64, 127], press)
    feed.put([0xB0, 64, 0], press + 0.1)
    recorder = RecordingSink()
    engine = chart_engine(prepared, options, [recorder])
    run(engine, ChartSource(prepared.inputs, feed), VirtualClock(), until=prepared.listener.end_time + 5)
    out = [e.time for e in recorder.events if type(e).__name__ == "Marker" and e.text == "band out"]
    assert len(out) == 1 and press < out[0] < press + 1.0
    assert max(e.time for e in recorder.events if isinstance(e, Note)) < press + 1.0
