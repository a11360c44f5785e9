"""End to end through the real FluidSynth: an example guitar file to a backing track, checked by ear-proxies:
the audio is there and not clipped, and the band's onsets sit on the guitar's beats."""

import wave

import mido
import numpy as np
import pytest

from engine.render import render
from tests.conftest import example, truth

pytestmark = pytest.mark.slow
NAME = "d_dorian_96_4-4"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("render")
    result = render(example(NAME), out / "song.mid", out / "song.wav")
    return result, out / "song.mid", out / "song.wav"


def band_onsets(path) -> np.ndarray:
    """Seconds of every dombra and percussion note-on in a rendered file (tempo map applied by mido)."""
    times, t = [], 0.0
    mid = mido.MidiFile(path)
    for msg in mid:   # merged tracks, delta seconds
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0 and msg.channel in (6, 9):
            times.append(t)
    return np.array(times)


def test_wav_is_stereo_441_non_silent_and_not_clipped(rendered):
    result, _, wav_path = rendered
    with wave.open(str(wav_path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2) / 32768
    assert result.audio_seconds == pytest.approx(len(audio) / 44100)
    peak = np.abs(audio).max()
    assert peak <= 10 ** (-1 / 20) + 1e-4          # -1 dBFS, never clipped
    assert peak > 0.5
    # Sound where the band plays, on both channels.
    middle = audio[len(audio) // 3: 2 * len(audio) // 3]
    assert np.sqrt((middle ** 2).mean(axis=0)).min() > 0.02


def test_band_onsets_sit_on_the_guitars_beats(rendered):
    _, midi_path, _ = rendered
    beats = np.array(truth(NAME)["beats"])
    onsets = band_onsets(midi_path)
    assert len(onsets) > 200
    first, last = onsets.min(), onsets.max()
    # Every beat of the guitar while the band plays has a band onset within 60 ms ...
    playing = beats[(beats > first + 0.5) & (beats < last - 0.5)]
    assert len(playing) > 60
    gaps = np.array([np.abs(onsets - b).min() for b in playing])
    assert gaps.max() <= 0.060, f"worst beat {gaps.max() * 1000:.0f} ms off"
    # ... and the band came in within the first few bars.
    assert first < beats[12]


def test_tempo_map_follows_the_player(rendered):
    _, midi_path, _ = rendered
    beats = np.array(truth(NAME)["beats"])
    mid = mido.MidiFile(midi_path)
    tempos = [m.tempo for m in mid.tracks[0] if m.type == "set_tempo"]
    bpms = 60e6 / np.array(tempos[5:-1])
    assert len(tempos) > 50                       # a tempo per beat: the grid follows the guitarist
    assert np.median(bpms) == pytest.approx(60 / np.median(np.diff(beats)), rel=0.03)


def test_every_channel_sounds_whichever_synth_renders_it():
    """The channels are split between parallel synths: each channel's note must be heard in its window."""
    from engine.events import Note, Program
    from engine.io.soundfont import find_soundfont
    from engine.io.wav_render import render_audio

    events = [Program(0.0, ch, 24, "t") for ch in range(16) if ch != 9]
    events += [Note(0.5 + i, 0.4, ch, 60 if ch != 9 else 38, 110, "t") for i, ch in enumerate(range(16))]
    audio = render_audio(events, find_soundfont())
    for i in range(16):
        window = audio[int((0.5 + i) * 44100): int((0.9 + i) * 44100)]
        assert np.sqrt((window ** 2).mean()) > 0.01, f"channel {i} is silent"


def test_the_streamed_wav_is_the_same_whatever_the_block_size(tmp_path, monkeypatch):
    """The WAV streams in blocks through a scratch file: the block size must not change a sample (events
    fall across block ends, a note rings over several), and the scratch file is gone afterwards."""
    from engine.events import Note
    from engine.io import wav_render
    from engine.io.soundfont import find_soundfont

    events = [Note(0.05 + 0.137 * i, 0.3 + 0.01 * (i % 7), i % 3 * 3, 45 + (i * 5) % 30, 40 + i % 80, "t")
              for i in range(60)] + [Note(0.1 + 0.25 * i, 0.1, 9, 36 + i % 10, 100, "t") for i in range(30)]
    wavs = []
    for block in (8192 * 16, 1000, 4096):
        monkeypatch.setattr(wav_render, "BLOCK", block)
        path = tmp_path / f"b{block}.wav"
        renderer = wav_render.FluidRenderer(find_soundfont())
        try:
            seconds = renderer.render_file(events, path)
        finally:
            renderer.close()
        with wave.open(str(path)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 44100)
            assert w.getnframes() == round(seconds * 44100)
            wavs.append(np.frombuffer(w.readframes(w.getnframes()), dtype="<i2"))
    assert seconds > 8.5                       # several blocks of the largest size: > 3 s
    assert all(np.array_equal(wavs[0], other) for other in wavs[1:])
    assert np.abs(wavs[0]).max() == round(32767 * 10 ** (-1 / 20))   # peak at -1 dBFS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b1000.wav", "b131072.wav", "b4096.wav"]


def test_the_wav_rendered_while_the_band_plays_is_the_wav_of_the_whole_song(tmp_path):
    """`aqyn render --wav` synthesises behind the engine (engine.io.wav_stream): the file must be sample for
    sample the one rendered from the finished song's events, so nothing the band sent came too late."""
    from engine.io.midi_input import read_guitar_file
    from engine.io.soundfont import find_soundfont
    from engine.io.wav_render import FluidRenderer
    from engine.render import guitar_track, play

    name = "a_minor_66_6-8"
    render(example(name), tmp_path / "s.mid", tmp_path / "streamed.wav", with_guitar=True)
    guitar = read_guitar_file(example(name))
    _, band = play(guitar)
    renderer = FluidRenderer(find_soundfont())
    try:
        renderer.render_file(guitar_track(guitar) + band, tmp_path / "whole.wav")
    finally:
        renderer.close()
    streamed, whole = ((tmp_path / f).read_bytes() for f in ("streamed.wav", "whole.wav"))
    assert len(streamed) > 44100 * 4 * 30 and streamed == whole


def test_synths_are_never_freed_under_a_mix_being_made_and_a_closed_renderer_makes_none():
    """A SIGTERM can land in the main thread before the WAV stream is even assigned, so nothing stops its
    render thread, which may be selecting programs on the synths (`mix`) when the main thread closes the
    renderer: closing must then leave the synths alone (it freed them under the thread: SIGSEGV or SIGBUS in
    1 of 5 such stops), and a mix asked for after the close must be refused, not made on freed synths."""
    from engine.errors import SynthError
    from engine.io.soundfont import find_soundfont
    from engine.io.wav_render import FluidRenderer

    renderer = FluidRenderer(find_soundfont())
    mix = renderer.mix()                 # the render thread's mix, still rendering
    renderer.close()                     # the main thread, cut short by a SIGTERM
    assert len(renderer._synths) == 2    # not freed: the mix still plays on them
    assert [(b.shape, stems) for b, stems in mix.blocks(100)] == [((100, 2), {})]
    mix.close()
    renderer.close()
    assert renderer._synths == []        # freed once the mix is done

    closed = FluidRenderer(find_soundfont())
    closed.close()                       # the main thread first ...
    with pytest.raises(SynthError, match="stopped"):
        closed.mix()                     # ... then the render thread: no synth is touched


def test_importing_fluidsynth_keeps_aqyns_stdout_clean():
    """pyfluidsynth 1.4.0 prints where it found the library on stdout when CI is set in the environment; a
    render's stdout (what a script reads) must start with aqyn's own line all the same."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "CI": "1", "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = "from engine.io.fluid_lib import import_fluidsynth as f; m = f(); print('ok', m.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok fluidsynth\n"


def test_a_wav_stream_stopped_as_it_starts_leaves_no_scratch_file(tmp_path):
    """The render thread starts only once the caller holds the stream (`start`), so a SIGTERM landing then
    finds a stream to abort, and the abort waits for the thread to remove the scratch file it made (a batch
    stopped at that moment left `..song.wav.*.tmp.*.mix` behind in about 1 run of 13); an abort before the
    thread ever started returns at once, not waiting for a thread that will never finish."""
    import time

    from engine.clock import VirtualClock
    from engine.io.soundfont import find_soundfont
    from engine.io.wav_render import FluidRenderer
    from engine.io.wav_stream import STARTING, WavStream

    renderer = FluidRenderer(find_soundfont())
    try:
        never = WavStream(tmp_path / "never.wav", renderer, VirtualClock())
        t0 = time.monotonic()
        never.abort()
        assert time.monotonic() - t0 < STARTING + 1.0
        for _ in range(5):
            wav = WavStream(tmp_path / "song.wav", renderer, VirtualClock())
            wav.start()
            wav.abort()
            assert list(tmp_path.iterdir()) == []
    finally:
        renderer.close()
