"""MIDI files from the wild (tests/data/files: rebuilt from public bug reports of MIDI tools and a fuzzer,
../shared/cases): each is read or refused in one line, never a traceback, never minutes of work."""

from pathlib import Path

import mido
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.errors import InputFileError
from engine.io.midi_input import STRAY_GAP, read_guitar_file
from tests.conftest import example

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
    (tmp_path / "hello.mid").write_text("hello")            # a few bytes of text: not a MIDI file at all
    with pytest.raises(InputFileError, match=r"\(too short for a MIDI header\)"):
        read_guitar_file(tmp_path / "hello.mid")


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


def test_a_guitar_all_on_channel_10_is_one_line_saying_so(tmp_path):
    # review14: a guitar recorded on channel 10 rendered "key unknown, 0 band notes" with exit 0 and wrote a
    # file of neither guitar nor band (channel 10, GM's drums, is neither heard nor copied).
    mid = mido.MidiFile(example("d_dorian_96_4-4"))
    for track in mid.tracks:
        track[:] = [m.copy(channel=9) if hasattr(m, "channel") else m for m in track]
    drums = tmp_path / "drums.mid"
    mid.save(drums)
    out = tmp_path / "out.mid"
    r = runner.invoke(app, ["render", str(drums), "-o", str(out)])
    assert r.exit_code == 2 and not out.exists()
    assert r.output.strip().splitlines() == [
        f"aqyn: error: {drums}: all its 447 notes are on channel 10, General MIDI's drums, which aqyn does not "
        "hear as the guitar; give --channels 10 if your guitar is there"]
    assert runner.invoke(app, ["analyze", str(drums)]).exit_code == 2
    r = runner.invoke(app, ["render", str(drums), "-o", str(out), "--channels", "10"])
    assert r.exit_code == 0 and "key D dorian" in r.output


def test_channels_that_hold_none_of_the_notes_name_the_channels_that_do(tmp_path):
    # review34: `--channels 7-9` on a take played on 1-6 wrote the guitar alone with "the band never played ...
    # (is it on the channels given ...?)", leaving the player to find where the notes are. The guitar alone is
    # still written (the player chose the channels), with one line naming them.
    take = example("d_dorian_96_4-4")
    out = tmp_path / "out.mid"
    r = runner.invoke(app, ["render", str(take), "-o", str(out), "--channels", "7-9"])
    assert r.exit_code == 0 and out.exists()
    lines = r.output.splitlines()
    assert ("aqyn: warning: none of the 447 notes of d_dorian_96_4-4.mid is on channels 7-9: they are on "
            "channels 1-6 (give --channels 1-6, or leave --channels out)") in lines
    r = runner.invoke(app, ["render", str(take), "-o", str(out), "--channels", "1,3,7-9"])
    assert r.exit_code == 0 and "none of the" not in r.output and "the band never played" not in r.output


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


# ---- files built byte by byte: metas mido cannot decode, Karaoke lyrics in legacy code pages ----------------

def vlq(n: int) -> bytes:
    """A variable-length quantity (SMF delta times and lengths)."""
    out = [n & 0x7F]
    while n > 0x7F:
        n >>= 7
        out.insert(0, (n & 0x7F) | 0x80)
    return bytes(out)


def meta(kind: int, data: bytes, delta: int = 0) -> bytes:
    return vlq(delta) + bytes([0xFF, kind]) + vlq(len(data)) + data


def chunk(events: bytes) -> bytes:
    """An MTrk chunk of `events`, closed by an end-of-track meta."""
    events += b"\x00\xff\x2f\x00"
    return b"MTrk" + len(events).to_bytes(4, "big") + events


def strums(channel: int = 0, beats: int = 64, bad_metas: bytes = b"") -> bytes:
    """E and A chords strummed on each beat at 480 ticks per beat, in running status (one status byte per
    strum), with `bad_metas` after the first strum (a meta does not end running status)."""
    out = b""
    for beat in range(beats):
        chord = (52, 56, 59, 64) if (beat // 8) % 2 == 0 else (57, 61, 64, 69)
        out += vlq(0 if beat == 0 else 80) + bytes([0x90 | channel, chord[0], 90])
        out += b"".join(vlq(10) + bytes([p, 90]) for p in chord[1:])
        if beat == 0:
            out += bad_metas
        out += b"".join(vlq(370 if j == 0 else 0) + bytes([p, 0]) for j, p in enumerate(chord))
    return out


def smf(*tracks: bytes) -> bytes:
    return b"MThd" + (6).to_bytes(4, "big") + bytes([0, 1, 0, len(tracks), 0x01, 0xE0]) + b"".join(tracks)


UNDECODABLE = (meta(0x59, b"\x09\x05")            # a key of 9 sharps in mode 5: mido's KeySignatureError
               + meta(0x58, b"\x04\x02")          # a time signature of two bytes instead of four: IndexError
               + meta(0x59, b"\x03"))             # a key signature of one byte


def test_undecodable_key_and_time_signatures_are_ignored_with_one_warning(tmp_path):
    conductor = chunk(meta(0x51, (500_000).to_bytes(3, "big")) + UNDECODABLE)
    bad, good = tmp_path / "bad-metas.mid", tmp_path / "good.mid"
    bad.write_bytes(smf(conductor, chunk(strums(bad_metas=UNDECODABLE))))
    good.write_bytes(smf(chunk(meta(0x51, (500_000).to_bytes(3, "big"))), chunk(strums())))
    with pytest.raises(Exception):                  # mido alone refuses the file
        mido.MidiFile(bad)
    g = read_guitar_file(bad)
    assert g.messages == read_guitar_file(good).messages and g.notes == 64 * 4   # every event keeps its time
    assert g.warnings == ("ignored 6 meta events that cannot be decoded (key signature, time signature); "
                          "aqyn hears the key, meter and tempo itself",)
    out = tmp_path / "out.mid"
    result = runner.invoke(app, ["render", str(bad), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.count("aqyn: warning: ") == 1 and "ignored 6 meta events" in result.stderr
    assert mido.MidiFile(out).type == 1


def test_a_karaoke_file_with_lyrics_in_legacy_code_pages_renders_and_writes_a_valid_file(tmp_path):
    # A .kar: the @K header, a words track with text and lyrics metas in CP1251 (Russian) and Latin-1 bytes
    # (neither is UTF-8), the song's guitar on channel 1 and a drum kit on channel 10.
    words = "Ой, мороз, мороз".encode("cp1251")
    lyrics = b"".join(meta(0x05, w, delta=240) for w in (b"\\\xce\xe9 ", b"/Sch\xf6n", b"\xff\xfe\x80"))
    header = chunk(meta(0x01, b"@KMIDI KARAOKE FILE") + meta(0x01, b"@T" + words)
                   + meta(0x51, (500_000).to_bytes(3, "big")))
    words_track = chunk(meta(0x03, b"Words \xe4\xf6") + meta(0x01, b"@L" + "Рус".encode("cp1251")) + lyrics)
    guitar = chunk(meta(0x03, "Гитара".encode("cp1251")) + strums(channel=0))
    drums = chunk(b"".join(vlq(0 if b == 0 else 240) + bytes([0x99, 36, 100]) + vlq(240) + bytes([0x89, 36, 0])
                           for b in range(64)))
    kar = tmp_path / "song.kar"
    kar.write_bytes(smf(header, words_track, guitar, drums))
    out = tmp_path / "out.mid"
    result = runner.invoke(app, ["render", str(kar), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and "warning" not in result.stderr
    back = mido.MidiFile(out, charset="utf-8")       # what aqyn wrote is valid, its text UTF-8
    assert back.type == 1 and len(back.tracks) >= 2
    assert sum(m.type == "note_on" for t in back.tracks for m in t) > 64 * 4
