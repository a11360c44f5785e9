"""MIDI files from the wild (tests/data/files: rebuilt from public bug reports of MIDI tools and a fuzzer,
../shared/cases): each is read or refused in one line, never a traceback, never minutes of work."""

from pathlib import Path

import mido
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import InputFileError
from engine.io.midi_input import STRAY_GAP, read_guitar_file

FILES = Path(__file__).parent / "data" / "files"
runner = CliRunner()


def note_ticks(path: Path) -> list[int]:
    """Absolute ticks of the note-ons with velocity of a (plain) MIDI file, as mido reads them."""
    out, tick = [], 0
    for msg in mido.MidiFile(path).tracks[0]:
        tick += msg.time
        if msg.type == "note_on" and msg.velocity:
            out.append(tick)
    return out


def onsets(path: Path) -> list[float]:
    return [m.time for m in read_guitar_file(path).messages if m.kind == 0x90 and m.data2 > 0]


def test_a_division_of_zero_ticks_is_one_clear_line():
    with pytest.raises(InputFileError, match="0 ticks per beat"):
        read_guitar_file(FILES / "division-zero.mid")


def test_a_tempo_of_zero_is_skipped_and_the_tempo_before_it_holds():
    times = onsets(FILES / "tempo-zero.mid")
    assert len(times) > 100 and all(b >= a for a, b in zip(times, times[1:])) and times[-1] < 120


def test_an_smpte_division_plays_as_seconds():
    # 30 frames per second, 80 ticks per frame: a tick is 1/2400 s whatever the tempo metas say.
    ticks = note_ticks(FILES / "smpte-division-30fps.mid")
    assert onsets(FILES / "smpte-division-30fps.mid") == pytest.approx([t / 2400 for t in ticks])


def test_a_riff_wrapped_file_plays_as_the_file_inside(tmp_path):
    inner = (FILES / "riff-wrapped.rmi").read_bytes()
    plain = tmp_path / "unwrapped.mid"
    plain.write_bytes(inner[inner.index(b"MThd"):])
    assert onsets(FILES / "riff-wrapped.rmi") == onsets(plain)


def test_a_file_cut_short_says_so(tmp_path):
    with pytest.raises(InputFileError, match="cut short"):
        read_guitar_file(FILES / "truncated.mid")
    (tmp_path / "empty.mid").write_bytes(b"")
    with pytest.raises(InputFileError, match="is empty"):
        read_guitar_file(tmp_path / "empty.mid")


@pytest.mark.parametrize("name", ["huge-delta-years.mid", "overlong-variable-length-quantity.mid"])
def test_a_stray_event_years_later_is_left_out_with_a_warning(name, tmp_path):
    g = read_guitar_file(FILES / name)
    assert g.duration < STRAY_GAP and len(g.warnings) == 1 and "years after the music" in g.warnings[0]
    result = runner.invoke(app, ["render", str(FILES / name), "-o", str(tmp_path / "out.mid")])
    assert result.exit_code == 0, result.output
    assert "aqyn: warning: left out" in result.stderr


def test_the_command_refuses_a_bad_header_in_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "x.mid"
    result = runner.invoke(app, ["render", str(FILES / "division-zero.mid"), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists()
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aqyn: error: ") and "0 ticks per beat" in lines[0]


def test_a_quantized_re_strike_pairs_the_note_off_with_the_old_note_in_either_order():
    # A DAW wrote each re-strike's note-on and the old note's note-off on one tick: in one file the note-on
    # comes first. Both files are the same music; the listener must hear every strum in both.
    from engine.analyze import run_online

    on_first = read_guitar_file(FILES / "same-tick-note-on-before-off.mid")
    off_first = read_guitar_file(FILES / "same-tick-note-off-before-on.mid")
    assert on_first.messages == off_first.messages
    _, listener = run_online(on_first.messages)
    assert listener.notes_in == on_first.notes and not listener.dropped


def test_a_gm_songs_drums_on_channel_10_are_neither_heard_as_guitar_nor_copied_as_it(tmp_path):
    # A GM song or Karaoke file: the guitar on channel 1, a drum kit on channel 10 (kick, snare, hi-hat
    # between the strums). The listener hears only the guitar and the output's guitar track holds no drums.
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    events = []
    for beat in range(64):
        t = beat * 480
        chord = (52, 56, 59, 64) if (beat // 8) % 2 == 0 else (57, 61, 64, 69)    # E and A
        for j, p in enumerate(chord):
            events += [(t + 10 * j, "note_on", 0, p, 90), (t + 400, "note_off", 0, p, 0)]
        for drum in ((36, 38)[beat % 2], 42):
            events += [(t + 240, "note_on", 9, drum, 100), (t + 300, "note_off", 9, drum, 0)]
    last = 0
    for t, kind, ch, p, v in sorted(events):
        track.append(mido.Message(kind, channel=ch, note=p, velocity=v, time=t - last))
        last = t
    path = tmp_path / "song.kar"
    mid.save(path)
    from engine.analyze import run_online
    from engine.render import guitar_track

    guitar = read_guitar_file(path)
    _, listener = run_online(guitar.messages)
    assert listener.notes_in == 64 * 4 and listener.dropped["other channel"] == 64 * 2 * 2
    hats = [e for e in guitar_track(guitar) if hasattr(e, "status") and e.data1 == 42]
    assert not hats and all(e.status & 0x0F != 9 for e in guitar_track(guitar) if hasattr(e, "status"))
    # Named with --channels, channel 10 is the player's and is copied (moved off the band's drum channel).
    named = [e for e in guitar_track(guitar, channels=(0, 9)) if hasattr(e, "status") and e.data1 == 42]
    assert named and all(e.status & 0x0F != 9 for e in named)


def test_a_damaged_soundfont_is_aqyns_one_line_without_fluidsynths_noise(tmp_path):
    # A 12-byte file with a SoundFont's RIFF header and nothing else: FluidSynth printed six error lines of
    # its own before aqyn's. Run as the user runs it, so the C library's stderr would show.
    import subprocess
    import sys

    from conftest import example

    out = tmp_path / "x.mid"
    r = subprocess.run([sys.executable, "-m", "engine", "render", str(example("d_dorian_96_4-4")), "-o", str(out),
                        "--wav", str(tmp_path / "x.wav"), "--soundfont", str(FILES / "soundfont-riff-header-only.sf2")],
                       capture_output=True, text=True, timeout=120, cwd=Path(__file__).parents[1])
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("aqyn: error: ") and "damaged" in lines[0]
    assert not out.exists()
