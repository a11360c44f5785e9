"""The output file before the band comes in (issue 11): the player's tempo and bars there, as a DAW reads them.

The file's beats before the band's first were that beat's length continued back to second 0: where the player's
tempo before the entry differed, the guitar's first downbeats fell off the bar lines (engine/lead_in.py)."""

from pathlib import Path

import mido
import numpy as np
import pytest

from engine.events import Beat, LeadIn
from engine.io.midi_file import MidiFileSink, file_grid
from engine.io.midi_input import read_guitar_file
from engine.lead_in import HeardBeats, on_first_note
from engine.render import guitar_track, play
from engine.state import BeatGrid, MusicalState
from tests.conftest import bar_times, example, truth

PLAYER = 0.625   # s a beat: the player's tempo before the entry (96 BPM)


def grid(period: float = PLAYER, anchor: float = 0.5) -> BeatGrid:
    return BeatGrid(anchor_time=anchor, anchor_beat=0, period=period, beats_per_bar=4, downbeat_phase=0)


def heard(*spans: tuple[float, float, BeatGrid], onset: float = 0.5) -> HeardBeats:
    """The grids a listener had over (from s, to s, grid) spans, on the engine's 10 ms ticks."""
    record = HeardBeats()
    for start, end, g in spans:
        for k in range(round(start * 100), round(end * 100)):
            record.hear(k / 100, MusicalState(time=k / 100, tonic=2, mode="dorian", key_confidence=1.0, grid=g,
                                              beat_confidence=1.0, last_onset=onset))
    return record


def test_the_lead_in_keeps_the_players_tempo_not_the_bands_first_beat():
    # The band's first beat (0.6 s, a phase correction in it) continued back drifted 0.2 s off the player's
    # first downbeat at 0.5 s by the eighth beat back; the beats heard are the player's.
    first = 0.5 + 8 * PLAYER
    beats = heard((2.5, first - 0.1, grid())).before(first, 0.6)
    assert beats == pytest.approx([0.5 + k * PLAYER for k in range(8)], abs=1e-6)
    times, short = file_grid([Beat(first, 0, 0, 4, 0.6), Beat(first + 0.6, 1, 1, 4, 0.6)], LeadIn(first, beats))
    assert times[:10] == pytest.approx([0.0, *beats, first], abs=1e-6)
    assert short == [(0, 1)]              # a beat of pickup, then whole bars to the band's first downbeat


def test_a_grid_the_listener_corrected_is_not_the_players_beat():
    # Locked a third of a beat off (sim2's slow 6/8 did), mended half a second later: the beats before the lock
    # follow the mended grid, not the misreading (the walk without this drifted 8 % a beat off the player's).
    first = 0.5 + 8 * PLAYER
    wrong = grid(anchor=0.5 + 0.35 * PLAYER)
    beats = heard((2.5, 3.0, wrong), (3.0, first - 0.1, grid())).before(first, PLAYER)
    assert beats == pytest.approx([0.5 + k * PLAYER for k in range(8)], abs=1e-6)


def test_a_grid_at_another_level_leaves_the_continuation():
    # A 3:2 reading (a 6/8 heard over quarters) is no beat of the band's: nothing heard is taken.
    first = 0.5 + 8 * PLAYER
    assert heard((2.5, first - 0.1, grid(1.5 * PLAYER))).before(first, PLAYER) == ()


def test_the_guitars_first_chord_is_on_its_beat():
    # The grid puts the first beat 40 ms before the first chord: the chord is that beat, the beats after it
    # are stretched to the band's first beat evenly (at most 40 ms over 8 beats: half a percent of tempo).
    first = 0.5 + 8 * PLAYER
    beats = on_first_note(heard((2.5, first - 0.1, grid())).before(first, PLAYER), first, 0.54)
    assert beats[0] == pytest.approx(0.54)
    lengths = np.diff([*beats, first])
    assert np.all(np.abs(lengths / PLAYER - 1) < 0.01)


def test_the_heard_beats_meet_the_bands_first_without_a_stumble():
    # The player at 0.625 s a beat, the band's first beat 0.5 s: the file's tempo moves to the player's at most
    # 12 % a beat (the band's own bound, engine/timeline.py MAX_CHANGE), not in one 25 % step.
    first = 0.5 + 8 * PLAYER
    beats = heard((2.5, first - 0.1, grid())).before(first, 0.5)
    lengths = np.diff([*beats, first])
    ratios = [*(lengths[:-1] / lengths[1:]), lengths[-1] / 0.5]
    assert max(abs(r - 1) for r in ratios) <= 0.12 + 1e-9
    assert lengths[0] == pytest.approx(PLAYER, rel=0.08)


def test_a_rendered_ramp_shows_the_players_bars_and_tempo_before_the_band(tmp_path: Path):
    # examples/e_mixolydian_ramp_88-116_4-4: the guitar starts at 89 BPM; the band comes in at 91 on the third
    # downbeat. Before: 100 BPM shown over the guitar's first note, its first downbeat 80 ms off its bar line.
    name = "e_mixolydian_ramp_88-116_4-4"
    guitar = read_guitar_file(example(name))
    _, band = play(guitar)
    lead = [e for e in band if isinstance(e, LeadIn)]
    assert len(lead) == 1 and len(lead[0].beats) >= 8
    files = []
    for events in (band, [e for e in band if not isinstance(e, LeadIn)]):
        sink = MidiFileSink("unused.mid")
        for e in [*guitar_track(guitar), *events]:
            sink.send(e)
        files.append(sink.to_midi())
    with_lead, without = files
    band_first = lead[0].time
    first_note = guitar.first_onset
    down = np.array(truth(name)["downbeats"])
    down = down[(down >= first_note - 0.07) & (down < band_first - 0.07)]
    lines = _bar_seconds(with_lead, tmp_path)
    assert len(down) >= 2 and all(np.min(np.abs(lines - d)) < 0.07 for d in down)
    beat = float(np.median(np.diff(truth(name)["beats"][:10])))
    tempi = _tempi(with_lead)
    shown = [bpm for (t, bpm), after in zip(tempi, [*tempi[1:], (np.inf, 0)])
             if t < band_first and after[0] > first_note + 0.002]     # in force from the first note on
    assert shown and all(abs(bpm * beat / 60 - 1) < 0.10 for bpm in shown), shown
    # Only the tempo map before the band moved: every note keeps its seconds (to the file's tick).
    assert _notes(with_lead) == pytest.approx(_notes(without), abs=0.0015)


def _bar_seconds(mid: mido.MidiFile, folder: Path) -> np.ndarray:
    path = folder / "song.mid"
    mid.save(path)
    return bar_times(path)


def _tempi(mid: mido.MidiFile) -> list[tuple[float, float]]:
    """(second, quarter BPM) of every tempo meta, as a DAW reads the file."""
    out, t, sec, tempo = [], 0, 0.0, 500000
    for m in mid.tracks[0]:
        sec += m.time * tempo / 1e6 / mid.ticks_per_beat
        t += m.time
        if m.type == "set_tempo":
            tempo = m.tempo
            out.append((sec, 60e6 / m.tempo))
    return out


def _notes(mid: mido.MidiFile) -> list[float]:
    """Seconds of every note-on and note-off in the file, as a DAW plays it."""
    out, sec = [], 0.0
    for msg in mid:
        sec += msg.time
        if msg.type in ("note_on", "note_off"):
            out.append(sec)
    return sorted(out)
