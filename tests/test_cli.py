"""The `aqyn render` command through typer's CliRunner: outputs and every kind of bad input."""

import os
from pathlib import Path

import mido
import pytest
from conftest import example, meter_at
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner()
DORIAN = example("d_dorian_96_4-4")


def render(*args):
    return runner.invoke(app, ["render", *map(str, args)])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_render_writes_a_type1_midi_with_named_tracks(tmp_path):
    out = tmp_path / "song.mid"
    r = render(DORIAN, "-o", out)
    assert r.exit_code == 0, r.output
    assert "key D dorian" in r.output
    mid = mido.MidiFile(out)
    assert mid.type == 1
    names = [t.name for t in mid.tracks]
    assert names == ["aqyn", "guitar", "dombra", "percussion"]
    conductor = mid.tracks[0]
    kinds = {m.type for m in conductor}
    assert {"set_tempo", "time_signature", "key_signature", "marker"} <= kinds
    assert any(m.type == "key_signature" and m.key == "C" for m in conductor)   # D dorian: no sharps or flats
    # The guitar's notes are all copied.
    src = sum(1 for m in mido.MidiFile(DORIAN) if m.type == "note_on" and m.velocity > 0)
    copied = sum(1 for m in mid.tracks[1] if m.type == "note_on" and m.velocity > 0)
    assert copied == src
    # Percussion only on channel 10; every note-on has its note-off.
    assert {m.channel for m in mid.tracks[3] if m.type.startswith("note")} == {9}
    for track in mid.tracks[1:]:
        on = sum(1 for m in track if m.type == "note_on" and m.velocity > 0)
        off = sum(1 for m in track if m.type == "note_off" or (m.type == "note_on" and m.velocity == 0))
        assert on == off, track.name


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    a, b, c = tmp_path / "a.mid", tmp_path / "b.mid", tmp_path / "c.mid"
    assert render(DORIAN, "-o", a, "--seed", "7").exit_code == 0
    assert render(DORIAN, "-o", b, "--seed", "7").exit_code == 0
    assert render(DORIAN, "-o", c, "--seed", "8").exit_code == 0
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_named_style_is_used(tmp_path):
    out = tmp_path / "trot.mid"
    r = render(example("a_minor_66_6-8"), "-o", out, "--style", "trot")
    assert r.exit_code == 0, r.output
    assert "style trot" in r.output
    assert meter_at(mido.MidiFile(out), "band in") == (6, 8)


def test_a_named_style_in_another_meter_than_the_guitar_is_refused_in_one_line(tmp_path):
    out = tmp_path / "trot.mid"
    r = render(DORIAN, "-o", out, "--style", "trot")
    check_bad(r, "style 'trot' is in 6/8, the guitar plays 4/4", "styles that fit: tokpe-gallop")
    assert not out.exists()


def check_bad(result, *words):
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aqyn: error: ")
    for w in words:
        assert w in lines[0]


def test_missing_input(tmp_path):
    check_bad(render(tmp_path / "nope.mid", "-o", tmp_path / "o.mid"), "not found", "nope.mid")
    assert leftovers(tmp_path) == []


def test_non_midi_input(tmp_path):
    bad = tmp_path / "notes.mid"
    bad.write_text("this is not a MIDI file\n")
    check_bad(render(bad, "-o", tmp_path / "o.mid"), "not a readable MIDI file", "Standard MIDI File")
    assert leftovers(tmp_path) == ["notes.mid"]


def test_midi_without_notes(tmp_path, no_notes_mid):
    check_bad(render(no_notes_mid, "-o", tmp_path / "o.mid"), "no notes")
    assert leftovers(tmp_path) == ["empty.mid"]


def test_output_folder_missing(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path / "no" / "o.mid"), "does not exist", "create it")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_output_folder_not_writable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        check_bad(render(DORIAN, "-o", ro / "o.mid"), "not writable")
    finally:
        ro.chmod(0o700)


def test_output_is_a_directory(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path), "is a directory")


def test_unwritable_wav_leaves_no_midi_behind(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--wav", tmp_path / "missing" / "o.wav"), "WAV",
              "does not exist")
    assert leftovers(tmp_path) == []


def test_failure_while_writing_leaves_nothing(tmp_path):
    # The WAV target is taken by a directory only after the checks: the render fails late, at the rename.
    from engine import render as render_module

    real = render_module.check_output
    wav = tmp_path / "o.wav"

    def check_then_block(path, what):
        real(path, what)
        if what == "WAV":
            wav.mkdir()

    (tmp_path / "o.mid").write_bytes(b"an earlier render")
    render_module.check_output = check_then_block
    try:
        r = render(DORIAN, "-o", tmp_path / "o.mid", "--wav", wav)
    finally:
        render_module.check_output = real
    assert r.exit_code == 2
    assert leftovers(tmp_path) == ["o.mid", "o.wav"] and list(wav.iterdir()) == []
    assert (tmp_path / "o.mid").read_bytes() == b"an earlier render"   # put back, not half-replaced


def test_unknown_style(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--style", "waltz"), "unknown style 'waltz'",
              "tokpe-gallop")
    assert leftovers(tmp_path) == []


def test_missing_soundfont(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--wav", tmp_path / "o.wav", "--soundfont",
                     tmp_path / "none.sf2"), "SoundFont not found")
    assert leftovers(tmp_path) == []


def test_garbage_soundfont(tmp_path):
    font = tmp_path / "font.sf2"
    font.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage")
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--wav", tmp_path / "o.wav", "--soundfont", font),
              "is not a SoundFont")
    assert leftovers(tmp_path) == ["font.sf2"]


def test_output_over_input_is_refused(tmp_path):
    src = tmp_path / "in.mid"
    src.write_bytes(DORIAN.read_bytes())
    check_bad(render(src, "-o", src), "is the input file")
    assert src.read_bytes() == DORIAN.read_bytes()


def test_bad_pattern_folder(tmp_path):
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--patterns", tmp_path / "nope"), "not a folder")


def test_user_pattern_folder_with_a_broken_style(tmp_path):
    styles = tmp_path / "styles"
    styles.mkdir()
    (styles / "broken.toml").write_text('meter = "2/4"\nsteps_per_beat = 4\n[dombra]\ngrid = "D.Z."\n')
    check_bad(render(DORIAN, "-o", tmp_path / "o.mid", "--patterns", styles, "--style", "broken"),
              "broken.toml:4:", "unexpected 'Z'")


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.startswith("aqyn ")


def test_options_that_do_nothing_without_the_wav_are_refused_or_warned(tmp_path):
    out = tmp_path / "o.mid"
    check_bad(render(DORIAN, "-o", out, "--with-guitar"), "--with-guitar", "--wav OUT.wav")
    assert leftovers(tmp_path) == []
    r = render(DORIAN, "-o", out, "--soundfont", tmp_path / "any.sf2")
    assert r.exit_code == 0 and out.exists()
    assert r.stderr.strip().splitlines() == ["aqyn: warning: --soundfont is used only for --wav; "
                                             "no audio is rendered without it"]


def live(*args):
    # No JACK server by this name: a command that got as far as opening a port would fail otherwise.
    env = {"JACK_DEFAULT_SERVER": "aqyn-no-such-server", "JACK_NO_START_SERVER": "1"}
    return runner.invoke(app, ["live", *map(str, args)], env=env)


def test_live_log_in_a_missing_folder_is_one_line_before_any_port(tmp_path):
    r = live("--virtual", "--quiet", "--log", tmp_path / "missing" / "x.jsonl")
    check_bad(r, "--log", "does not exist", "missing")
    assert r.stdout == "" and leftovers(tmp_path) == []
    check_bad(live("--virtual", "--quiet", "--log", tmp_path), "is a folder")


def test_live_clock_out_without_midi_out_is_refused(tmp_path):
    check_bad(live("--virtual", "--quiet", "--clock-out"), "--clock-out", "--midi-out")


def test_a_render_where_the_band_never_plays_says_so(tmp_path):
    # The guitar is on channels 1-6; listening to 7-9 hears nothing: the file is written (the guitar alone),
    # and one warning line says why there is no band, instead of a quiet "0 band notes".
    out = tmp_path / "x.mid"
    r = runner.invoke(app, ["render", str(DORIAN), "-o", str(out), "--channels", "7-9"])
    assert r.exit_code == 0 and out.exists()
    warnings = [line for line in r.stderr.splitlines() if line.startswith("aqyn: warning: the band never played")]
    assert len(warnings) == 1 and "on channels 7-9" in warnings[0]
    r = runner.invoke(app, ["render", str(DORIAN), "-o", str(out)])
    assert r.exit_code == 0 and "band never played" not in r.stderr


def test_a_song_over_before_the_band_could_come_in_says_so(tmp_path):
    # Five soft bars of a 141 BPM waltz (test_band_properties' song over): the band was ready in the last bar,
    # after the final chord, and stays out; the warning said no beat and key were heard (review19), it says why.
    take, out = tmp_path / "short.mid", tmp_path / "x.mid"
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(141))])
    chords = ((48, (55, 60, 64)), (41, (53, 57, 60)), (43, (55, 59, 62)), (45, (57, 60, 64)))
    for k in range(15):
        bass, chord = chords[(k // 3) % 4]
        notes = (bass, bass + 12) if k % 3 == 0 else chord
        track += [mido.Message("note_on", note=p, velocity=15, time=0) for p in notes]
        track += [mido.Message("note_off", note=p, time=408 if j == 0 else 0) for j, p in enumerate(notes)]
        track.append(mido.MetaMessage("marker", text="", time=72))
    mid.tracks.append(track)
    mid.save(take)
    r = render(take, "-o", out)
    assert r.exit_code == 0 and out.exists()
    warnings = [line for line in r.stderr.splitlines() if line.startswith("aqyn: warning: the band never played")]
    assert len(warnings) == 1 and "the song was over before it could come in" in warnings[0], r.stderr


def test_a_cued_style_in_another_meter_is_not_taken_and_one_that_fits_is(tmp_path):
    # --style trot (6/8) over the 4/4 D dorian take is refused before the render; a footswitch or a cue file
    # asking for it mid-song cannot be refused, so the band keeps its style and says why in a marker (it had
    # switched and written 6/8 bars over the 4/4 guitar).
    cues = tmp_path / "cues.toml"
    cues.write_text('[[cue]]\ntime = 20.0\naction = "style"\nstyle = "trot"\n\n'
                    '[[cue]]\ntime = 35.0\naction = "style"\nstyle = "nomad-gallop"\n')
    out = tmp_path / "x.mid"
    r = runner.invoke(app, ["render", str(DORIAN), "-o", str(out), "--cues", str(cues)])
    assert r.exit_code == 0, r.output
    mid = mido.MidiFile(out, charset="utf-8")
    markers = [m.text for track in mid.tracks for m in track if m.type == "marker"]
    assert any(t.startswith("style: Trot (6/8) does not fit the player's 4/4; kept") for t in markers), markers
    assert any(t.startswith("style: ") and "Nomad" in t and "does not fit" not in t for t in markers), markers
    signatures = {(m.numerator, m.denominator) for m in mid.tracks[0] if m.type == "time_signature"}
    assert (6, 8) not in signatures


def test_a_style_in_another_meter_is_refused_naming_whole_beat_styles_and_an_aqsaq_style_warns(tmp_path):
    """trot (6/8) over the 4/4 example is refused with the styles that fit, none of them a 5/8 or 7/8 style
    (they would drift through a 4/4 guitar's bars); an aqsaq style asked for is played, with a warning that its
    bars line up with the guitar's only if the guitar plays its meter."""
    r = render(DORIAN, "-o", tmp_path / "t.mid", "--style", "trot")
    assert r.exit_code == 2 and "styles that fit: " in r.stderr
    fitting = r.stderr.split("styles that fit: ")[1]
    assert "tokpe-gallop" in fitting and "aqsaq" not in fitting and "-5-8" not in fitting and "-7-8" not in fitting
    r = render(DORIAN, "-o", tmp_path / "a.mid", "--style", "aqsaq-7-8")
    assert r.exit_code == 0 and (tmp_path / "a.mid").is_file()
    assert "aqyn: warning: style 'aqsaq-7-8' is in 7/8, and the guitar was heard in 4/4" in r.stderr


def beats_only_waltz(path: Path, bpm: float = 132, bars: int = 20) -> Path:
    """An oom-pah-pah waltz strummed on its beats alone (a bass note on 1, a chord on 2 and 3; G, C, D, G)."""
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm))])
    chords = [(43, [55, 59, 62]), (48, [55, 60, 64]), (50, [54, 57, 62]), (43, [55, 59, 62])]
    events = []
    for bar in range(bars):
        bass, chord = chords[(bar // 2) % 4]
        for beat in range(3):
            start = (bar * 3 + beat) * 480
            for i, pitch in enumerate([bass] if beat == 0 else chord):
                events += [(start + 8 * i, 1, pitch, 80 if beat == 0 else 64), (start + 400, 0, pitch, 0)]
    now = 0
    for t, on, pitch, velocity in sorted(events):
        track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=velocity, time=t - now))
        now = t
    mid.tracks.append(track)
    mid.save(path)
    return path


def test_a_named_style_in_another_meter_is_warned_about_when_the_meter_is_not_sure(tmp_path):
    """A waltz strummed on its beats leaves the listener unsure of 3/4 against 6/8 (no subdivision to tell),
    so trot (6/8) asked for is not refused: it is played, with a warning that its bars do not line up with the
    guitar's 3/4 (it was silent: review21); a style in 3/4 gets none."""
    take = beats_only_waltz(tmp_path / "waltz.mid")
    r = render(take, "-o", tmp_path / "t.mid", "--style", "trot")
    assert r.exit_code == 0 and (tmp_path / "t.mid").is_file()
    warnings = [line for line in r.stderr.splitlines() if line.startswith("aqyn: warning: style 'trot'")]
    assert len(warnings) == 1 and "heard in 3/4" in warnings[0] and "--style auto" in warnings[0], r.stderr
    r = render(take, "-o", tmp_path / "w.mid", "--style", "tokpe-waltz")
    assert r.exit_code == 0 and "aqyn: warning: style" not in r.stderr, r.stderr


def test_cues_the_band_cannot_take_are_warned_about_offline(tmp_path):
    """A cued style in another meter (kept out, as on stage) and a cue after the take's end (nothing plays
    it) are each a warning line, where they were silent before; the render still succeeds. An ending after the
    end is no warning: the band ends with the guitar anyway (a take whose input vanished holds one)."""
    cues = tmp_path / "cues.toml"
    cues.write_text('[[cue]]\ntime = 40.0\naction = "style"\nstyle = "trot"\n\n'
                    '[[cue]]\ntime = 500.04\naction = "fill"\n\n[[cue]]\ntime = 501\naction = "ending"\n')
    r = render(DORIAN, "-o", tmp_path / "c.mid", "--cues", cues)
    assert r.exit_code == 0 and (tmp_path / "c.mid").is_file()
    lines = [line for line in r.stderr.splitlines() if line.startswith("aqyn: warning: ")]
    assert any("at 40.0 s the style: Trot (6/8) does not fit the player's 4/4" in line for line in lines)
    assert any("the fill cue at 500 s comes after the take's end" in line for line in lines)
    assert not any("ending cue" in line for line in lines)


def test_an_audio_driver_this_fluidsynth_lacks_and_live_options_given_with_o_exit_2(tmp_path):
    """`--audio-driver` is checked against the drivers the FluidSynth library was built with (Debian 12's has
    no pipewire, which the help once offered) before a port opens; with -o, live play's options would be
    ignored, so they are refused instead of silently dropped."""
    from engine.io.fluid_live import DRIVERS, audio_drivers

    usable = ", ".join(d for d in audio_drivers() if d in DRIVERS)
    steppe = str(Path(__file__).resolve().parents[1] / "examples" / "steppe_song.chart")
    for args in (["live", "--virtual", "--audio-driver", "nosuch"],
                 ["play", steppe, "--audio-driver", "nosuch"]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, r.output
        assert r.stderr.strip() == (f"aqyn: error: no audio driver 'nosuch' in this FluidSynth; use one of "
                                    f"{usable} (aqyn ports lists them)")
    out = tmp_path / "x.mid"
    for extra in (["--audio-driver", "file"], ["--audio-file", str(tmp_path / "a.wav")], ["--midi-api", "alsa"]):
        r = runner.invoke(app, ["play", steppe, "-o", str(out), *extra])
        assert r.exit_code == 2 and f"{extra[0]} is for playing live; leave out -o" in r.stderr, r.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["render", "analyze"])
def test_plot_help_names_the_extra_to_install(command):
    """The help is rich markup, where a bare [plot] is a style tag and vanished ("Needs aqyn (matplotlib)")."""
    r = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "Needs aqyn[plot] (matplotlib)" in r.output


@pytest.mark.parametrize("args, message", [
    (["render", "x.mid"], "aqyn: error: Missing option '-o' / '--output'. (see aqyn render --help)"),
    (["render", str(DORIAN), "-o", "q.mid", "--seed", "x"], "aqyn: error: Invalid value for '--seed': "),
    (["render", "--bogus"], "aqyn: error: No such option: --bogus"),
    (["bogus"], "aqyn: error: No such command 'bogus'. (see aqyn --help)"),
])
def test_usage_errors_are_one_line_exit_2_through_the_command(tmp_path, args, message):
    """The console command (engine.cli.main), not typer's runner: a missing option, a value of the wrong type, an
    unknown option or command are aqyn's one line and exit 2 (the reviewer got click's five-line box); the
    help and the version still print and exit 0."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "engine", *args], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), r.stderr
    assert list(tmp_path.iterdir()) == []
    for ok in (["--version"], ["render", "--help"], []):
        r = subprocess.run([sys.executable, "-m", "engine", *ok], cwd=tmp_path, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0 and (r.stdout or r.stderr).strip(), ok


@pytest.mark.parametrize("name, meter, style", [("a_minor_66_6-8", (6, 8), "Trot (6/8)"),
                                                ("e_mixolydian_ramp_88-116_4-4", (4, 4), "Tokpe gallop")])
def test_with_style_auto_the_band_comes_in_in_the_players_meter(tmp_path, name, meter, style):
    """The style and the first downbeat are decided just before the band's first notes, not at the lock: the
    6/8 example was heard 2/4 at the lock and 6/8 half a bar later, and came in as a 2/4 gallop in 3/4 and
    4/4 bars until 9.5 s; the 4/4 ramp came in as a 3/4 waltz until 8.5 s (the reviewer). Now the band's
    first bar and every one after it are in the player's meter."""
    out = tmp_path / "x.mid"
    assert render(example(name), "-o", out).exit_code == 0
    mid = mido.MidiFile(out, charset="utf-8")
    t, entry, signatures = 0.0, None, []
    for msg in mid:
        t += msg.time
        if msg.type == "marker" and msg.text.startswith("band in: "):
            entry = (t, msg.text.removeprefix("band in: "))
        elif msg.type == "time_signature":
            signatures.append((t, (msg.numerator, msg.denominator)))
    assert entry is not None and entry[1] == style
    assert {s for at, s in signatures if at >= entry[0] - 0.1} <= {meter}, signatures
    assert [s for at, s in signatures if at <= entry[0] + 0.1][-1] == meter


def test_a_live_wav_in_a_missing_folder_is_one_line_before_any_port(tmp_path):
    """`--audio-driver file --audio-file` into a folder that does not exist said "FluidSynth could not open the
    file audio driver; try another --audio-driver" after the ports opened (the reviewer): live and play now
    name the folder, as render's outputs do, before any port or sound."""
    steppe = str(Path(__file__).resolve().parents[1] / "examples" / "steppe_song.chart")
    wav = tmp_path / "nodir" / "gig.wav"
    for args in (["live", "--virtual", "--quiet", "--duration", "1"], ["play", steppe]):
        r = runner.invoke(app, [*args, "--audio-driver", "file", "--audio-file", str(wav)])
        assert r.exit_code == 2, r.output
        assert r.stderr.strip() == (f"aqyn: error: cannot write live WAV output {wav}: folder {wav.parent} does "
                                    "not exist; create it first"), r.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_style_in_another_meter_over_a_7_8_take_names_the_7_8_styles_that_fit(tmp_path):
    """ballad (3/4) over a 7/8 (2+2+3) take is refused naming the 7/8 styles, which do fit it: the message
    said "styles that fit: none" (review15), as if no shipped style could play a 7/8 take."""
    r = render(Path(__file__).parent / "data" / "aqsaq-7-8-sim2.mid", "-o", tmp_path / "b.mid", "--style", "ballad")
    assert r.exit_code == 2 and "the guitar plays 7/8; styles that fit: " in r.stderr, r.stderr
    fitting = r.stderr.split("styles that fit: ")[1]
    assert "aqsaq-7-8" in fitting and "tokpe-7-8" in fitting and "none" not in fitting
    assert "ballad" not in fitting and "5-8" not in fitting and "tokpe-gallop" not in fitting


@pytest.mark.parametrize("style", ["ballad", "tokpe-gallop"])
def test_a_refused_style_over_a_5_8_take_names_styles_the_take_then_takes(tmp_path, style):
    """A refusal names styles that fit the meter the band settles in over the whole take, and the first of them
    is then played: over a 5/8 take, ballad was refused as "the guitar plays 4/4" naming tokpe-gallop, which
    was refused in turn as "the guitar plays 5/8" (review15: the refusal sent the user round in a circle)."""
    take = Path(__file__).parent / "data" / "aqsaq-5-8-sim2.mid"
    r = render(take, "-o", tmp_path / "b.mid", "--style", style)
    assert r.exit_code == 2 and "the guitar plays 5/8; styles that fit: " in r.stderr, r.stderr
    assert not (tmp_path / "b.mid").exists()
    first = r.stderr.split("styles that fit: ")[1].split(",")[0].split(" ")[0]
    assert first.startswith(("aqsaq-5-8", "shertpe-5-8"))
    r = render(take, "-o", tmp_path / "c.mid", "--style", first)
    assert r.exit_code == 0 and (tmp_path / "c.mid").exists(), r.stderr


def test_a_style_in_the_meter_heard_longest_is_not_warned_about(tmp_path):
    """review24's waltz (3/4, a rallentando to 55 in its last 4 bars, heard in 4/4 there): --style ballad (3/4)
    warned "the guitar was heard in 4/4", the meter at the end; the take's meter is the one heard longest."""
    take = Path(__file__).parent / "data" / "waltz-D-88-rall-3-4-review24.mid"
    r = render(take, "-o", tmp_path / "w.mid", "--style", "ballad")
    assert r.exit_code == 0 and "style ballad" in r.stdout, r.stderr
    assert "heard in" not in r.stderr


def test_a_named_style_that_fits_the_meter_the_take_settles_in_is_played(tmp_path):
    """A 12/8 blues shuffle in A at 72 dotted quarters (boogie on the long-short triplets, review24; its first
    40 s): --style auto plays it in 6/8 most of the way, but hears it surely in 4/4 for some bars. --style trot
    was refused there as "style 'trot' is in 6/8, the guitar plays 6/8; styles that fit: trot, shalderish": a
    refusal naming the style refused. A named style that fits the meter the band plays longest is played."""
    take = Path(__file__).parent / "data" / "blues-shuffle-A-72-12-8-review24.mid"
    r = render(take, "-o", tmp_path / "t.mid", "--style", "trot")
    assert r.exit_code == 0, r.stderr
    assert "style trot" in r.stdout
    assert meter_at(mido.MidiFile(tmp_path / "t.mid"), "band in") == (6, 8)


def test_a_blank_port_name_is_refused_not_matched_to_any_port():
    # review32: `live --in ""` (a script's unset variable) opened whichever input was there, the empty name being
    # part of every port's name; now one line before any port is opened, for each port option
    steppe = str(Path(__file__).resolve().parents[1] / "examples" / "steppe_song.chart")
    for args, option in ((["live", "--in", ""], "--in"), (["live", "--in", "  "], "--in"),
                         (["live", "--virtual", "--midi-out", ""], "--midi-out"),
                         (["play", steppe, "--in", ""], "--in")):
        r = runner.invoke(app, args, env={"JACK_DEFAULT_SERVER": "aqyn-no-such-server", "JACK_NO_START_SERVER": "1"})
        assert r.exit_code == 2, r.output
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"aqyn: error: {option} ") and "names no port" in lines[0], lines
