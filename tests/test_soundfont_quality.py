"""aqyn's own SoundFont (soundfonts/aqyn.sf2, built by soundfonts/build.py), measured from what the real
FluidSynth plays: every dombra key in tune, a plucked string's decay, a teris that stops short, percussion
hits that sound and differ, no DC, no click at a sample's end, no clipping; and the file itself: small, the
same bytes from the same code, parsed by sf2utils, loaded by FluidSynth without a warning."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import wave
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from engine.arrange.band import DOMBRA_PROGRAM, MIX, soundfont_nrpn
from engine.arrange.patterns import BODY_TAP_NOTE
from engine.arrange.styles import list_styles, load_style
from engine.io import wav_render
from engine.midi import CONTROL, NOTE_OFF, NOTE_ON, PROGRAM

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
FONT = ROOT / "soundfonts" / "aqyn.sf2"
RATE = 44100
DOMBRA_KEYS = range(45, 80)
TERIS_PROGRAM = 28
ATTACK_PROGRAM = 106


@pytest.fixture(scope="module")
def font() -> Path:
    """The font, built first when missing (make builds it; a bare pytest run should still test it)."""
    if not FONT.is_file():
        subprocess.run([sys.executable, str(ROOT / "soundfonts" / "build.py")], check=True, capture_output=True)
    return FONT


def play(font: Path, notes: list[tuple[float, int, int, int, float]], seconds: float,
         programs: dict[int, int] | None = None, controls: list[tuple[int, int, int]] = ()) -> np.ndarray:
    """Render through aqyn's offline synth (engine.io.wav_render, its settings): `notes` as (onset s, channel,
    key, velocity, duration s), `programs` {channel: program} and `controls` (channel, cc, value) at time 0;
    returns the left channel, float, unnormalised (FluidSynth's own level)."""
    synth = wav_render._Synth(wav_render._load_fluidsynth(), font, RATE)
    try:
        channels = {ch for _, ch, *_ in notes}
        synth.select(channels)
        msgs = [(0.0, PROGRAM | ch, p, 0) for ch, p in (programs or {}).items()]
        msgs += [(0.0, CONTROL | ch, cc, v) for ch, cc, v in controls]
        for t, ch, key, vel, dur in notes:
            msgs += [(t, NOTE_ON | ch, key, vel), (t + dur, NOTE_OFF | ch, key, 0)]
        for m in sorted(msgs, key=lambda m: m[0]):
            synth.add(m)
        frames = int(seconds * RATE)
        out = []
        while frames > 0:
            n = min(frames, wav_render.BLOCK)
            out.append(synth.block(n)[0::2].copy())
            frames -= n
        return np.concatenate(out).astype(np.float64)
    finally:
        synth.delete()


def yin(x: np.ndarray, f0: float) -> float:
    """The fundamental (Hz) by YIN (de Cheveigné & Kawahara 2002): the cumulative-mean-normalised difference
    function's first dip near the period 1/f0, refined by a parabola."""
    p = RATE / f0
    taus = np.arange(1, int(p * 1.3) + 2)
    w = len(x) - taus[-1] - 1
    d = np.array([np.sum((x[:w] - x[t:t + w]) ** 2) for t in taus])
    cmnd = d * taus / np.cumsum(d)
    lo = int(p * 0.75)
    k = lo + int(np.argmin(cmnd[lo:]))
    y0, y1, y2 = cmnd[k - 1], cmnd[k], cmnd[k + 1]
    return RATE / (taus[k] + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2))


def envelope_db(x: np.ndarray, frame: float = 0.01) -> np.ndarray:
    """RMS level (dB) per `frame` seconds."""
    n = int(frame * RATE)
    m = len(x) // n
    rms = np.sqrt((x[:m * n].reshape(m, n) ** 2).mean(axis=1))
    return 20 * np.log10(rms + 1e-12)


def fall_time(x: np.ndarray, db: float = 20.0) -> float:
    """Seconds from the loudest 10 ms frame to the first frame `db` below it."""
    env = envelope_db(x)
    peak = int(np.argmax(env))
    below = np.nonzero(env[peak:] < env[peak] - db)[0]
    return (below[0] if len(below) else len(env) - peak) * 0.01


def centroid(x: np.ndarray) -> float:
    """Spectral centroid (Hz) of the power spectrum of `x`."""
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    return float((power * np.fft.rfftfreq(len(x), 1 / RATE)).sum() / power.sum())


def cents(f: float, key: int) -> float:
    return 1200 * np.log2(f / (440 * 2 ** ((key - 69) / 12)))


@pytest.mark.parametrize("velocity", [50, 90, 120])
def test_every_dombra_key_is_in_tune(font, velocity):
    """Every key the band plays (MIDI 45-79), in every velocity layer, within 3 cents by YIN on 0.1-0.4 s."""
    notes = [(0.6 * i, 0, key, velocity, 0.45) for i, key in enumerate(DOMBRA_KEYS)]
    audio = play(font, notes, 0.6 * len(DOMBRA_KEYS), {0: DOMBRA_PROGRAM})
    errors = {}
    for i, key in enumerate(DOMBRA_KEYS):
        at = int((0.6 * i + 0.1) * RATE)
        errors[key] = cents(yin(audio[at: at + int(0.3 * RATE)], 440 * 2 ** ((key - 69) / 12)), key)
    worst = max(errors, key=lambda k: abs(errors[k]))
    assert abs(errors[worst]) <= 3.0, f"key {worst} is {errors[worst]:+.2f} cents off: {errors}"


def test_a_plucked_string_falls_20_db_in_half_a_second_to_one_and_a_half(font):
    """A held note (no note-off, no release offset) is a plucked nylon string: -20 dB within 0.4-1.5 s."""
    keys = list(range(45, 80, 2))
    audio = play(font, [(2.0 * i, 0, k, 100, 1.9) for i, k in enumerate(keys)], 2.0 * len(keys), {0: DOMBRA_PROGRAM})
    falls = {k: fall_time(audio[int(2.0 * i * RATE): int((2.0 * i + 1.9) * RATE)]) for i, k in enumerate(keys)}
    assert all(0.4 <= t <= 1.5 for t in falls.values()), falls


def test_the_teris_stops_within_a_quarter_second(font):
    """The muted preset (program 28): -20 dB within 0.25 s, even held."""
    keys = list(range(45, 80, 4))
    audio = play(font, [(1.0 * i, 0, k, 100, 0.9) for i, k in enumerate(keys)], 1.0 * len(keys), {0: TERIS_PROGRAM})
    falls = {k: fall_time(audio[int(i * RATE): int((i + 0.9) * RATE)]) for i, k in enumerate(keys)}
    assert all(t <= 0.25 for t in falls.values()), falls


def test_brightness_follows_velocity(font):
    """A harder stroke is brighter: the centroid of the first 0.3 s grows from velocity 50 to 90 to 120."""
    for key in (45, 52, 60, 67, 74, 79):
        strokes = ((0.0, 50), (0.5, 90), (1.0, 120))
        audio = play(font, [(t, 0, key, v, 0.4) for t, v in strokes], 1.5, {0: DOMBRA_PROGRAM})
        c = [centroid(audio[int(t * RATE): int((t + 0.3) * RATE)]) for t, _ in strokes]
        assert c[0] < c[1] < c[2], (key, c)


def kit_notes() -> set[int]:
    """Every drum note the shipped styles play (their parts' notes and the dombra's body tap)."""
    notes = {BODY_TAP_NOTE}
    for name in list_styles():
        for section in load_style(name).sections:
            notes |= {n for part in section.parts if not part.is_dombra for n, _ in part.notes}
    return notes


@pytest.fixture(scope="module")
def hits(font):
    """note -> (soft hit, loud hit) rendered on the drum channel, 1.2 s apart."""
    notes = sorted(kit_notes())
    events = []
    for i, n in enumerate(notes):
        events += [(2.4 * i, 9, n, 60, 0.1), (2.4 * i + 1.2, 9, n, 120, 0.1)]
    audio = play(font, events, 2.4 * len(notes))
    return {n: (audio[int(2.4 * i * RATE): int((2.4 * i + 1.2) * RATE)],
                audio[int((2.4 * i + 1.2) * RATE): int((2.4 * i + 2.4) * RATE)]) for i, n in enumerate(notes)}


def test_every_drum_the_styles_play_sounds_and_hits_harder_brighter(hits):
    for note, (soft, loud) in hits.items():
        assert np.abs(loud).max() > 0.02 and np.abs(soft).max() > 0.003, f"note {note} is (nearly) silent"
        assert np.abs(soft).max() < np.abs(loud).max(), note
        assert centroid(soft[:RATE // 4]) < centroid(loud[:RATE // 4]), note


def test_the_drums_differ_from_one_another(hits):
    """Any two notes differ in spectral centroid by 15 % or in their -20 dB time by 30 %."""
    measures = {n: (centroid(loud[:RATE // 4]), fall_time(loud)) for n, (_, loud) in hits.items()}
    alike = [(a, b) for a, b in combinations(sorted(measures), 2)
             if abs(np.log(measures[a][0] / measures[b][0])) < np.log(1.15)
             and abs(np.log(measures[a][1] / measures[b][1])) < np.log(1.3)]
    assert not alike, {n: measures[n] for pair in alike for n in pair}


def test_note_37_is_the_body_tap_when_soft_and_the_dauylpaz_rim_when_hard(font):
    """The band's body taps (velocity below 64) knock on the wooden body, low and dull; a hard hit on 37 is
    the stick on the hoop, a crack: its centroid at least three times higher."""
    audio = play(font, [(0.0, 9, BODY_TAP_NOTE, 40, 0.05), (1.0, 9, BODY_TAP_NOTE, 110, 0.05)], 2.0)
    knock, crack = audio[:RATE // 4], audio[RATE: RATE + RATE // 4]
    assert np.abs(knock).max() > 0.003 and centroid(crack) > 3 * centroid(knock)


def test_no_dc_and_a_silent_end(font, hits):
    """No DC offset in a note or a hit, and each sound dies away to silence before its sample ends (a held
    note past the sample's end, where a click would be)."""
    for note, (_, loud) in hits.items():
        assert abs(loud.mean()) < 0.002 * np.abs(loud).max(), note
        assert np.abs(loud[-RATE // 20:]).max() < 1e-3 * np.abs(loud).max(), note
    audio = play(font, [(3.0 * i, 0, k, 127, 2.9) for i, k in enumerate((45, 55, 66, 79))], 12.0, {0: DOMBRA_PROGRAM})
    for i in range(4):
        note = audio[int(3.0 * i * RATE): int((3.0 * i + 2.9) * RATE)]
        assert abs(note.mean()) < 0.002 * np.abs(note).max()
        tail = note[int(1.2 * RATE):]                # the longest sample ends by 1.4 s
        jumps = np.abs(np.diff(tail)).max()
        assert jumps < 0.01 * np.abs(note).max() and np.abs(note[-RATE // 10:]).max() < 1e-4, i


def test_a_full_velocity_strum_does_not_clip(font):
    """The band's two dombra channels (their programs, mix and release) strumming two strings at velocity 127,
    at the bottom and the top of the range: FluidSynth's float output stays inside full scale."""
    controls = [(ch, 7, vol) for ch, (vol, _) in MIX.items() if ch != 9] + \
               [(ch, cc, v) for ch in (6, 7) for cc, v in soundfont_nrpn(38, -2400)]
    notes = []
    for i, (low, high) in enumerate(((45, 50), (57, 62), (69, 74), (74, 79))):
        for ch in (6, 7):
            notes += [(0.6 * i, ch, low, 127, 0.28), (0.6 * i + 0.012, ch, high, 127, 0.27)]
    audio = play(font, notes, 2.6, {6: DOMBRA_PROGRAM, 7: ATTACK_PROGRAM}, controls)
    assert 0.1 < np.abs(audio).max() < 1.0


def test_our_font_is_the_default_and_a_gm_font_stays_selectable(font, monkeypatch):
    from engine.io.soundfont import SYSTEM_FONTS, find_soundfont

    monkeypatch.delenv("AQYN_SOUNDFONT", raising=False)
    assert find_soundfont() == FONT
    gm = next((f for f in SYSTEM_FONTS if f.is_file()), None)
    if gm is not None:
        assert find_soundfont(gm) == gm
        monkeypatch.setenv("AQYN_SOUNDFONT", str(gm))
        assert find_soundfont() == gm


def test_the_midi_is_the_same_whichever_font_plays_it(font, tmp_path):
    """The font only sounds the band: the MIDI file aqyn writes is byte for byte the same with a GM font, and
    both WAVs are full of sound."""
    from engine.io.soundfont import SYSTEM_FONTS
    from engine.render import render

    gm = next((f for f in SYSTEM_FONTS if f.is_file()), None)
    if gm is None:
        pytest.skip("no General MIDI SoundFont installed to compare with")
    song = ROOT / "examples" / "a_minor_66_6-8.mid"
    for name, f in (("ours", font), ("gm", gm)):
        render(song, tmp_path / f"{name}.mid", tmp_path / f"{name}.wav", soundfont=f)
    assert (tmp_path / "ours.mid").read_bytes() == (tmp_path / "gm.mid").read_bytes()
    for name in ("ours", "gm"):
        with wave.open(str(tmp_path / f"{name}.wav")) as w:
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(float)
        assert np.sqrt((pcm ** 2).mean()) > 300, name          # about -40 dBFS over the whole song


def _build_module():
    spec = importlib.util.spec_from_file_location("aqyn_font_build", ROOT / "soundfonts" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_font_is_small_and_the_same_bytes_every_build(font):
    assert font.stat().st_size <= 8_000_000
    assert _build_module().build() == font.read_bytes()


@pytest.mark.filterwarnings("ignore:'audioop' is deprecated:DeprecationWarning")
def test_sf2utils_reads_the_presets_and_the_kit(font):
    from sf2utils.sf2parse import Sf2File

    with open(font, "rb") as f:
        sf = Sf2File(f)
        presets = {(p.bank, p.preset): p.name for p in sf.presets if p.name != "EOP"}
        assert {(0, DOMBRA_PROGRAM), (0, ATTACK_PROGRAM), (0, TERIS_PROGRAM), (128, 0), (0, 0)} <= set(presets)
        kit = next(i for i in sf.instruments if i.name == "Kazakh kit")
        keys = {k for bag in kit.bags if bag.key_range for k in range(bag.key_range[0], bag.key_range[1] + 1)}
        assert kit_notes() <= keys
        for s in sf.samples[:-1]:
            assert s.end > s.start and s.sample_rate == RATE and s.sample_type == 1
            data = np.frombuffer(s.raw_sample_data, dtype="<i2").astype(float)
            # Unlooped, so its end is where a click could be: it must die away to nothing and end at zero.
            assert len(data) == s.end - s.start and data[-1] == 0, s.name
            assert np.abs(data[-RATE // 100:]).max() <= 3e-3 * np.abs(data).max(), s.name     # -50 dB
            assert abs(data.mean()) < 0.01 * np.abs(data).max(), s.name


def test_fluidsynth_loads_it_without_a_word(font, capfd, tmp_path):
    """pyfluidsynth: loading the font and selecting every preset the band uses (and the up-stroke, the default
    program 0 and the guitar's 27) prints nothing; the fluidsynth
    command renders a MIDI file with it and prints no warning or error."""
    from engine.io.fluid_lib import import_fluidsynth

    fluidsynth = import_fluidsynth()

    synth = fluidsynth.Synth(samplerate=float(RATE), **wav_render.OFFLINE_SETTINGS)
    sfid = synth.sfload(str(font))
    assert sfid != -1
    for ch, bank, program in ((0, 0, DOMBRA_PROGRAM), (1, 0, ATTACK_PROGRAM), (2, 0, TERIS_PROGRAM), (9, 128, 0),
                              (3, 8, DOMBRA_PROGRAM), (4, 0, 0), (5, 0, 27)):
        assert synth.program_select(ch, sfid, bank, program) == 0
    synth.delete()
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""
    out = subprocess.run(["fluidsynth", "-ni", "-F", str(tmp_path / "x.wav"), str(font),
                          str(ROOT / "examples" / "d_dorian_96_4-4.mid")], capture_output=True, text=True)
    assert out.returncode == 0
    said = (out.stdout + out.stderr).lower()
    assert "warning" not in said and "error" not in said, said
