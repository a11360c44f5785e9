"""Every shipped style once through the whole pipeline and the real FluidSynth: a strummed guitar file in,
a backing track out, with all its sections, percussion on channel 10 only, and a WAV that is neither silent
nor clipped."""

import wave

import mido
import numpy as np
import pytest
from conftest import bar_lines, meter_at

from engine.arrange.styles import list_styles, load_style
from engine.render import render

pytestmark = pytest.mark.slow
STYLES = sorted(list_styles())


def guitar_file(path, tonic: int, minor: bool, bpm: float = 100.0, beats: int = 40) -> None:
    """A strummed I-IV-V-I (i-iv-v-i) guitar part, bass on beats 1 and 3, one chord per 4/4 bar."""
    third = 3 if minor else 4
    mid = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=round(60e6 / bpm)))
    events = []
    for k in range(beats):
        root = 40 + (tonic + (0, 5, 7, 0)[(k // 4) % 4]) % 12
        t = k * 480
        notes = (root, root + 12) if k % 2 == 0 else (root + 7, root + 12, root + 12 + third, root + 19)
        for j, p in enumerate(notes):
            events.append((t + 10 * j, "note_on", p, 100 if k % 4 == 0 else 80))
            events.append((t + 420, "note_off", p, 0))
    events.sort()
    last = 0
    for t, kind, p, v in events:
        track.append(mido.Message(kind, note=p, velocity=v, time=t - last))
        last = t
    mid.save(path)


@pytest.mark.parametrize("index,name", list(enumerate(STYLES)))
def test_each_style_renders_through_fluidsynth(tmp_path, index, name):
    src, out, wav_path = tmp_path / "guitar.mid", tmp_path / "band.mid", tmp_path / "band.wav"
    guitar_file(src, tonic=(index * 5) % 12, minor=bool(index % 2))
    result = render(src, out, wav_path, style=name, seed=index)
    assert result.style == name and result.late_notes == 0 and result.band_notes > 100
    style = load_style(name)
    mid = mido.MidiFile(out)
    conductor = mid.tracks[0]
    # In a DAW the bar lines are the band's: the style's meter from the band's first bar (before it, the
    # guitar's lead-in, its first bar a pickup), every section starts on a bar line of the file (6/8: a band
    # beat is a dotted quarter), and the file's tempo is the band's in those units.
    lines, sigs = bar_lines(mid)
    assert meter_at(mid, "band in") == (style.numerator, style.denominator)
    assert {(n, d) for _, n, d in sigs[1:]} <= {(style.numerator, style.denominator)}
    ticks, tempi, t = {}, [], 0
    for m in conductor:
        t += m.time
        if m.type == "marker" and m.text.startswith("section: "):
            ticks.setdefault(m.text, t)
        elif m.type == "set_tempo":
            tempi.append(m.tempo)
    assert all(min(abs(t - line) for line in lines) <= 2 for t in ticks.values()), (ticks, lines[:12])
    quarter_bpm = 60e6 / tempi[-1]          # the band's steady tempo (the first bar may be a pickup)
    assert quarter_bpm / (style.beat_eighths / 2) == pytest.approx(100.0, rel=0.05)
    texts = [m.text for m in conductor if m.type == "marker"]
    for section in ("intro", "main_a", "fill", "break", "ending"):
        assert f"section: {section}" in texts, (name, section)
    assert texts[-1] == "band out"
    tracks = {t.name: t for t in mid.tracks}
    drums = [m for m in tracks["percussion"] if m.type == "note_on"]
    assert drums and {m.channel for m in drums} == {9} and all(35 <= m.note <= 87 for m in drums)
    assert {m.channel for m in tracks["dombra"] if m.type.startswith("note")} == {6, 7}
    for track in mid.tracks[1:]:
        on = sum(1 for m in track if m.type == "note_on" and m.velocity > 0)
        off = sum(1 for m in track if m.type == "note_off" or (m.type == "note_on" and m.velocity == 0))
        assert on == off, (name, track.name)
    with wave.open(str(wav_path)) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").reshape(-1, 2) / 32768
    peak = np.abs(audio).max()
    assert 0.3 < peak <= 10 ** (-1 / 20) + 1e-4
    middle = audio[len(audio) // 3: 2 * len(audio) // 3]
    assert np.sqrt((middle ** 2).mean()) > 0.01
