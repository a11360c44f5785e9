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


# The guitar's pattern per meter: (eighth notes per bar, eighths with the bass, eighths with a chord, BPM of the
# beat). The band must come in in the guitar's meter; 5/8 and 7/8 styles play over a 4/4 guitar (the
# listener does not tell those meters yet).
GUITARS = {"4/4": (8, (0, 4), (2, 6), 100.0), "3/4": (6, (0,), (2, 4), 100.0), "6/8": (6, (0, 3), (1, 4), 66.0)}
EXPECTED = {"2/4": "4/4", "4/4": "4/4", "3/4": "3/4", "6/8": "6/8", "5/8": "5/8", "7/8": "7/8"}


def guitar_file(path, tonic: int, minor: bool, meter: str = "4/4", bars: int | None = None) -> None:
    """A strummed I-IV-V-I (i-iv-v-i) guitar part in `meter` (a key of GUITARS), one chord per bar, the
    bass on the strong beats and louder on the bar's first."""
    eighths, bass, chord, bpm = GUITARS[meter]
    bars = bars or {"4/4": 10, "3/4": 18, "6/8": 14}[meter]
    third = 3 if minor else 4
    eighth = 240 if meter != "6/8" else 160          # ticks at 480 per quarter; the 6/8 beat is 480 ticks
    mid = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=round(60e6 / bpm)))
    events = []
    for bar in range(bars):
        root = 40 + (tonic + (0, 5, 7, 0)[bar % 4]) % 12
        for e in range(eighths):
            t = (bar * eighths + e) * eighth
            if e in bass:
                notes, vel = (root, root + 12), 100 if e == 0 else 80
            elif e in chord:       # above the bass, which rings on: the strum is not a bass note
                notes, vel = (root + 12, root + 12 + third, root + 19), 75
            else:
                continue
            for j, p in enumerate(notes):
                events.append((t + 10 * j, "note_on", p, vel))
                ring = (eighths if e == 0 else 2) * eighth - 60 if e in bass else eighth - 20
                events.append((t + ring, "note_off", p, 0))
    events.sort()
    last = 0
    for t, kind, p, v in events:
        track.append(mido.Message(kind, note=p, velocity=v, time=t - last))
        last = t
    mid.save(path)


@pytest.mark.parametrize("index,name", list(enumerate(STYLES)))
def test_each_style_renders_through_fluidsynth(tmp_path, index, name):
    src, out, wav_path = tmp_path / "guitar.mid", tmp_path / "band.mid", tmp_path / "band.wav"
    style = load_style(name)
    meter = EXPECTED[style.meter] if style.meter in ("3/4", "6/8") else "4/4"
    # enough bars for the first fill (ballad-4-4 closes only its 8-bar phrases with one)
    bars = 16 if meter == "4/4" and style.variation.fill_every > 4 else None
    guitar_file(src, tonic=(index * 5) % 12, minor=bool(index % 2), meter=meter, bars=bars)
    result = render(src, out, wav_path, style=name, seed=index)
    assert result.style == name and result.late_notes == 0 and result.band_notes > 100
    mid = mido.MidiFile(out)
    conductor = mid.tracks[0]
    # In a DAW the bar lines are the guitar's: its meter from the band's first bar (before it, the guitar's
    # lead-in, its first bar a pickup; a bar cut short where the band moved to the guitar's downbeat), every
    # section starts on a bar line of the file (6/8: a band beat is a dotted quarter), and the file's tempo
    # is the band's in those units.
    lines, sigs = bar_lines(mid)
    expected = tuple(map(int, EXPECTED[style.meter].split("/")))
    assert meter_at(mid, "band in") == expected
    for section in ("section: main_a", "section: ending"):
        assert meter_at(mid, section) == expected, section
    ticks, tempi, t = {}, [], 0
    for m in conductor:
        t += m.time
        if m.type == "marker" and m.text.startswith("section: "):
            ticks.setdefault(m.text, t)
        elif m.type == "set_tempo":
            tempi.append(m.tempo)
    # Sections on the file's bar lines; a fill on the style's own bar line (a 2/4 style's fill is the second
    # half of a 4/4 bar, ending on its bar line).
    on_line = {k: min(abs(t - line) for line in lines) <= 2 for k, t in ticks.items()}
    beat_ticks = mid.ticks_per_beat * style.beat_eighths // 2
    assert all(ok or (k == "section: fill" and ticks[k] % beat_ticks <= 2) for k, ok in on_line.items()), ticks
    quarter_bpm = 60e6 / tempi[-1]          # the band's steady tempo (the first bar may be a pickup)
    assert quarter_bpm / (style.beat_eighths / 2) == pytest.approx(GUITARS[meter][3], rel=0.05)
    texts = [m.text for m in conductor if m.type == "marker"]
    for section in ("intro", "main_a", "fill", "ending"):
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
