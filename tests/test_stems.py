"""Stems and levels end to end through the real FluidSynth: one WAV per part, aligned with the mix and adding
up to it; `--mix` levels heard in the stems and written as channel volume in the MIDI file."""

import wave
from pathlib import Path

import mido
import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.mixer import parse_mix
from engine.render import render

pytestmark = pytest.mark.slow
SONG = Path(__file__).parent / "data" / "song-120bpm-for-clock-master.mid"     # 16 s: quick to render
runner = CliRunner()


def samples(path: Path) -> np.ndarray:
    """A 16-bit stereo WAV as floats (frames, 2), full scale 1."""
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2) / 32768


def db(x: float) -> float:
    return 20 * np.log10(x)


@pytest.fixture(scope="module")
def stems(tmp_path_factory):
    out = tmp_path_factory.mktemp("stems")
    render(SONG, out / "song.mid", out / "song.wav", with_guitar=True, stems_dir=out / "stems")
    return out


def test_stems_are_aligned_with_the_mix_and_add_up_to_it(stems):
    mix = samples(stems / "song.wav")
    parts = {p: samples(stems / "stems" / f"{p}.wav") for p in ("dombra", "percussion", "guitar")}
    assert all(len(a) == len(mix) for a in parts.values())           # same length, same start: lined up at zero
    for name, a in parts.items():
        assert np.sqrt((a ** 2).mean()) > 0.01, f"{name} stem is silent"
    residual = mix - sum(parts.values())
    assert db(np.abs(residual).max() / np.abs(mix).max()) < -60      # within 16-bit rounding (measured -89 dB)
    assert np.abs(mix).max() <= 10 ** (-1 / 20) + 1e-4               # the mix at -1 dBFS as always
    # Each part's sound is its own: the percussion stem is not the dombra's (nothing leaked between them).
    d, p = parts["dombra"].ravel(), parts["percussion"].ravel()
    assert abs(np.corrcoef(d, p)[0, 1]) < 0.3


def test_stems_without_wav_are_the_same_stems(stems, tmp_path):
    render(SONG, tmp_path / "song.mid", with_guitar=True, stems_dir=tmp_path / "only")
    for part in ("dombra", "percussion", "guitar"):
        assert (tmp_path / "only" / f"{part}.wav").read_bytes() == (stems / "stems" / f"{part}.wav").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["only", "song.mid"]     # no mix WAV, no scratch files


def test_a_part_at_minus_6_db_is_half_as_loud_in_its_stem(stems, tmp_path):
    # The mix is peak-normalised, so compare each part's level against the percussion's, at 0 dB in both.
    render(SONG, tmp_path / "song.mid", with_guitar=True, stems_dir=tmp_path / "s",
           levels=parse_mix("dombra=-6"))
    def ratio(folder: Path) -> float:
        d, p = samples(folder / "dombra.wav"), samples(folder / "percussion.wav")
        return np.sqrt((d ** 2).mean()) / np.sqrt((p ** 2).mean())
    assert ratio(tmp_path / "s") / ratio(stems / "stems") == pytest.approx(0.5, abs=0.02)
    volumes = {m.channel: m.value for m in mido.MidiFile(tmp_path / "song.mid")
               if m.type == "control_change" and m.control == 7}
    assert volumes == {6: 76, 7: 45, 9: 96}      # the band's mix (108, 64, 96) with the dombra 6 dB down


def test_guitar_level_in_its_stem(stems, tmp_path):
    render(SONG, tmp_path / "song.mid", with_guitar=True, stems_dir=tmp_path / "s", levels=parse_mix("guitar=off"))
    assert np.abs(samples(tmp_path / "s" / "guitar.wav")).max() < 1e-4    # CC7 0: FluidSynth's -96 dB
    assert np.abs(samples(tmp_path / "s" / "dombra.wav")).max() > 0.1


def test_without_the_new_options_the_mix_is_unchanged_by_a_flat_mix(tmp_path):
    a = runner.invoke(app, ["render", str(SONG), "-o", str(tmp_path / "a.mid"), "--wav", str(tmp_path / "a.wav")])
    b = runner.invoke(app, ["render", str(SONG), "-o", str(tmp_path / "b.mid"), "--wav", str(tmp_path / "b.wav"),
                            "--mix", "dombra=0,percussion=0"])
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert (tmp_path / "a.mid").read_bytes() == (tmp_path / "b.mid").read_bytes()


@pytest.mark.parametrize("args, words", [
    (["--mix", "dombro=-3"], "--mix 'dombro=-3': no part 'dombro' (did you mean 'dombra'?)"),
    (["--mix", "guitar=-3"], "no guitar here (the guitar is heard only with --with-guitar)"),
    (["--mix", "dombra=-80"], "out of range"),
    (["--stems", "FILE"], "is not a folder"),
    # Every part off: refused, not a silent file without a word (review20).
    (["--mix", "dombra=off,percussion=off"], "--mix dombra=off and --mix percussion=off leave nothing to hear"),
    (["--with-guitar", "--stems", "DIR", "--mix", "percussion=off,guitar=off,dombra=mute"],
     "--mix dombra=off, --mix percussion=off and --mix guitar=off leave nothing to hear"),
])
def test_bad_stems_and_mix_options_fail_in_one_line(tmp_path, args, words):
    (tmp_path / "FILE").write_text("x")
    args = [a.replace("FILE", str(tmp_path / "FILE")).replace("DIR", str(tmp_path / "DIR")) for a in args]
    r = runner.invoke(app, ["render", str(SONG), "-o", str(tmp_path / "o.mid"), *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("aqyn: error: ") and words in lines[0]
    assert not (tmp_path / "o.mid").exists()


def test_live_refuses_a_guitar_level(tmp_path):
    r = runner.invoke(app, ["live", "--virtual", "--mix", "guitar=-3"])
    assert r.exit_code == 2
    assert "no guitar here (live, the guitar is heard through your own amplifier)" in r.stderr
    r = runner.invoke(app, ["live", "--virtual", "--duration", "1", "--mix", "dombra=off,percussion=off"])   # no port
    assert r.exit_code == 2
    assert r.stderr.strip() == ("aqyn: error: --mix dombra=off and --mix percussion=off leave nothing to hear; leave "
                                "one part on (--mix PART=-20 plays it quietly)")


def test_the_band_off_under_the_guitar_says_the_wav_holds_the_guitar_alone(tmp_path):
    """--with-guitar and the band's parts off: a guitar-only WAV is a fair thing to want, so it is rendered,
    with one note line saying what it holds (it rendered without a word)."""
    r = runner.invoke(app, ["render", str(SONG), "-o", str(tmp_path / "o.mid"), "--stems", str(tmp_path / "s"),
                            "--with-guitar", "--mix", "dombra=off,percussion=off"])
    assert r.exit_code == 0, r.output
    assert r.stderr.strip() == ("aqyn: note: --mix dombra=off and --mix percussion=off leave the band out: the WAV "
                                "holds your guitar alone")
    assert abs(samples(tmp_path / "s" / "guitar.wav")).max() > 0.1


def test_a_render_stopped_midway_leaves_no_stems_folder_it_made(tmp_path):
    """SIGTERM once the stems' temporary files are being written: the render exits 143 and leaves nothing, a
    stems folder it made included (the reviewer found it left behind, empty); a folder that was there before
    stays, empty as it was."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import example

    kept = tmp_path / "kept"
    kept.mkdir()
    for folder in (tmp_path / "new", kept):
        proc = subprocess.Popen([sys.executable, "-m", "engine", "render", str(example("d_dorian_96_4-4")), "-o",
                                 str(tmp_path / "x.mid"), "--wav", str(tmp_path / "x.wav"), "--stems", str(folder)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while not (folder.is_dir() and any(folder.iterdir())):      # the stems' scratch files are there
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 143
        assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]
        assert list(kept.iterdir()) == []
