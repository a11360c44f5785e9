"""`aqyn play CHART` through the real FluidSynth: offline to a WAV (as `aqyn render --wav`), and live with
FluidSynth's file audio driver (real time, no guitar input)."""

import wave
from pathlib import Path

import numpy as np
import pytest

from engine.chart.live import LivePlay, play_live
from engine.chart.parse import parse_chart, read_chart
from engine.chart.play import PlayOptions, play_offline, prepare
from engine.io.soundfont import find_soundfont

pytestmark = pytest.mark.slow
STEPPE = Path(__file__).resolve().parents[1] / "examples" / "steppe_song.chart"


def read_wav(path: Path, rate: int = 44100) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, rate)
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2) / 32768


def rms(audio: np.ndarray, t0: float, t1: float, rate: int = 44100) -> float:
    return float(np.sqrt((audio[int(t0 * rate):int(t1 * rate)] ** 2).mean()))


def test_a_chart_renders_to_a_wav_silent_before_the_band_and_sounding_with_it(tmp_path):
    chart = read_chart(STEPPE)
    result = play_offline(chart, tmp_path / "s.mid", tmp_path / "s.wav")
    audio = read_wav(tmp_path / "s.wav")
    assert result.audio_seconds == pytest.approx(len(audio) / 44100)
    assert result.audio_seconds > result.seconds                 # the last notes ring out
    assert result.soundfont == find_soundfont()                     # named in the report line
    assert np.abs(audio).max() <= 10 ** (-1 / 20) + 1e-4            # -1 dBFS, never clipped
    start = prepare(chart, PlayOptions()).listener.start_time      # after a bar of silence
    assert rms(audio, 0.0, start - 0.1) < 1e-4
    assert rms(audio, start, start + 10.0) > 0.02
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.mid", "s.wav"]


@pytest.mark.parametrize("text, heading, low, high", [
    # A bar of clicks, the intro and the two bars at 200 BPM (0.6 s a bar), then it stopped by itself.
    ("tempo: 200\nkey: E mixolydian\nmeter: 2/4\n[A]\n| E | A |\n", "fast, key E mixolydian, 200 BPM, 2 bars",
     2.0, 6.0),
    # 7/8: two bars before the band, the intro's two and the chart's two, 0.875 s each.
    ("tempo: 240\nkey: D minor\nmeter: 7/8\n[A]\n| Dm | Dm . . . A7 . . |\n",
     "fast, key D minor, 240 BPM, 2 bars, style aqsaq-7-8", 5.0, 9.0),
])
def test_a_chart_plays_live_through_fluidsynth_in_real_time(tmp_path, text, heading, low, high):
    chart = parse_chart(text, "fast.chart")
    wav = tmp_path / "live.wav"
    said = []
    code = play_live(chart, PlayOptions(count_in=1), LivePlay(audio_driver="file", audio_file=wav),
                     say=said.append)
    bpm = heading.split(", ")[2]
    assert code == 0 and said[0].startswith(f"aqyn play: {heading}")
    assert said[1:] == [f"  A at {bpm}"]                  # where the player is, when the section comes
    audio = read_wav(wav, 48000)                 # the live synth's rate
    seconds = len(audio) / 48000
    assert low < seconds < high                  # then it stopped by itself
    assert rms(audio, 0.0, seconds, 48000) > 0.01            # the clicks and the band sounded


def test_sigterm_stops_a_live_chart_cleanly(tmp_path):
    """`aqyn play CHART` live as its own process: SIGTERM silences the band and ends the file driver's WAV
    whole, exit 0."""
    import os
    import signal
    import subprocess
    import sys
    import time

    wav = tmp_path / "live.wav"
    env = {**os.environ, "PYTHONPATH": str(STEPPE.parents[1])}
    proc = subprocess.Popen([sys.executable, "-m", "engine", "play", str(STEPPE), "--audio-driver", "file",
                             "--audio-file", str(wav)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        deadline = time.monotonic() + 20
        while not (wav.exists() and wav.stat().st_size > 100_000) and time.monotonic() < deadline:
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.startswith("aqyn play: Steppe song") and "stopped" in out
    seconds = len(read_wav(wav, 48000)) / 48000
    assert 0.5 < seconds < 30                       # stopped long before the chart's 45 s


def test_a_chart_writes_stems_that_add_up_to_its_mix_at_the_levels_asked(tmp_path):
    # `aqyn play CHART -o X.mid --wav X.wav --stems DIR --mix dombra=-6`: a stem per part, aligned with the
    # mix and summing to it; the dombra's level is its channel volume in the MIDI file (CC7 6 dB below the
    # band's own mix: FluidSynth's curve is 40 log10(v/127) dB, engine/mixer.py), the drums' unchanged.
    import mido

    from engine.mixer import parse_mix

    chart = parse_chart("tempo: 120\nkey: A minor\nmeter: 4/4\n[A]\n| Am | Dm | E | Am |\n", "short.chart")
    levels = parse_mix("dombra=-6", ("dombra", "percussion"))
    play_offline(chart, tmp_path / "s.mid", tmp_path / "s.wav", PlayOptions(levels=levels), stems_dir=tmp_path / "st")
    mix = read_wav(tmp_path / "s.wav")
    parts = {p: read_wav(tmp_path / "st" / f"{p}.wav") for p in ("dombra", "percussion")}
    assert all(len(a) == len(mix) for a in parts.values())
    residual = np.abs(parts["dombra"] + parts["percussion"] - mix).max()
    assert residual < 2 / 32768                                     # within a rounding of each
    play_offline(chart, tmp_path / "flat.mid")

    def volumes(path):
        first = {}
        for track in mido.MidiFile(path).tracks:
            for m in track:
                if m.type == "control_change" and m.control == 7:
                    first.setdefault(m.channel, m.value)
        return first

    leveled, flat = volumes(tmp_path / "s.mid"), volumes(tmp_path / "flat.mid")
    assert 40 * np.log10(leveled[6] / flat[6]) == pytest.approx(-6, abs=0.2)       # the dombra (channel 7)
    assert leveled[9] == flat[9]                                                  # the drums (channel 10)
