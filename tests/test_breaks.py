"""Stop-time breaks offline, as a band plays them (aqyn issue 11, deliver 5), read back as a DAW reads the render.

The takes are session 20's stop-time takes (/work/scratch/s20/stoptime9/stoptakes.py: strummed eighths, every
4th bar ending in a one-beat break, the chord before it choked at the break). Their truth beside them: `breaks`
[first silent beat, the player's strum after it] (s), `beats`, `downbeats`.
"""

from __future__ import annotations

import json
from pathlib import Path

import mido
import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.presence import Presence, Silence
from tests.conftest import BAND_CHANNELS, note_ons

DATA = Path(__file__).parent / "data"
TOL = 0.07           # s: bench/band_eval.py's tolerance
runner = CliRunner()
BREAK_68 = "stoptime-1-beat-6-8-s20"      # 6/8 at 70
BREAK_44 = "stoptime-1-beat-4-4-s20"      # 4/4 at 116
PICKUP_44 = "stoptime-1-beat-pickup-4-4-s20"   # 4/4 at 116, the break ended by an eighth's pickup strum
PICKUP_68 = "stoptime-1-beat-pickup-6-8-s20"   # 6/8 at 100, the same


def render(tmp_path: Path, name: str) -> Path:
    out = tmp_path / f"{name}.mid"
    r = runner.invoke(app, ["render", str(DATA / f"{name}.mid"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    return out


def markers(path: Path) -> list[tuple[float, str]]:
    """The file's markers (s, text), its tempo map applied."""
    t, out = 0.0, []
    for msg in mido.MidiFile(path):
        t += msg.time
        if msg.type == "marker":
            out.append((t, msg.text))
    return out


def truth(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


@pytest.mark.parametrize("name", [BREAK_68, BREAK_44])
def test_offline_the_band_is_silent_in_a_one_beat_break_up_to_the_players_strum(tmp_path, name):
    # At main the band was silent to a quarter beat before the strum: the gallop's sixteenth before the downbeat
    # sounded in every break (4/4: 29 notes in 5 breaks), and in 6/8 the fill fell on two of them (32 notes).
    out, tr = render(tmp_path, name), truth(name)
    band = note_ons(out, BAND_CHANNELS)
    for begin, end in tr["breaks"]:
        inside = band[(band >= begin + TOL) & (band < end - TOL)]
        assert len(inside) == 0, (begin, end, inside)
        assert np.any(np.abs(band - end) <= TOL), ("back on the strum", end)
    first, second = tr["breaks"][:2]
    assert np.sum((band > first[1] + TOL) & (band < second[0] - TOL)) > 20, "the band plays between them"


@pytest.mark.parametrize("name", [PICKUP_44, PICKUP_68])
def test_offline_a_one_beat_break_ended_by_a_pickup_strum_silences_the_band(tmp_path, name):
    # Half a beat of silence in 4/4 (2/3 in 6/8) is under BREAK: at main the band played through these breaks
    # (4/4: 7 notes in 5 breaks, 6/8: 70; /work/scratch/s20/stoptime9/count.py), and the same shape of silence
    # in a figure's rest is no break (converter-set-b's 6/8 and GuitarSet's bossa: engine/presence.py
    # `_pickup_break`).
    out, tr = render(tmp_path, name), truth(name)
    band = note_ons(out, BAND_CHANNELS)
    entry = next(t for t, text in markers(out) if text.startswith("band in"))
    breaks = [(b, e) for b, e in tr["breaks"] if b > entry]
    assert len(breaks) >= 4, (entry, tr["breaks"])
    for begin, end in breaks:
        inside = band[(band >= begin + TOL) & (band < end - TOL)]
        assert len(inside) == 0, (begin, end, inside)
    first, second = breaks[:2]
    assert np.sum((band > first[1] + TOL) & (band < second[0] - TOL)) > 20, "the band plays between them"


def test_no_fill_falls_on_the_bar_a_break_ends(tmp_path):
    # The style fills every 4th bar and the player breaks at the end of every 4th: at main 4 of the 5 break bars
    # carried the fill (a drummer does not fill into the player's stop: the stop is the phrase's end).
    out, tr = render(tmp_path, BREAK_68), truth(BREAK_68)
    bar = tr["downbeats"][1] - tr["downbeats"][0]
    fills = [t for t, text in markers(out) if text == "section: fill"]
    for _, end in tr["breaks"]:
        assert not [t for t in fills if end - bar - TOL <= t < end - TOL], (end, fills)


def test_offline_the_stop_markers_name_each_break_as_the_player_played_it(tmp_path):
    # At main the markers were the live ones: "stop" 0.8 beat into a one-beat break and "stop: back" when the
    # strum was heard.
    out, tr = render(tmp_path, BREAK_44), truth(BREAK_44)
    marks = markers(out)
    entry = next(t for t, text in marks if text.startswith("band in"))
    breaks = [(b, e) for b, e in tr["breaks"] if b > entry]
    stops = [t for t, text in marks if text == "stop"]
    backs = [t for t, text in marks if text == "stop: back"]
    assert len(breaks) >= 4 and len(stops) == len(backs) == len(breaks), (stops, backs, breaks)
    for (begin, end), stop, back in zip(breaks, stops, backs):
        assert abs(stop - begin) <= TOL and abs(back - end) <= TOL, (begin, end, stop, back)


SET = "set-g-4-4-then-em-3-4-review22"   # review22's set: G major 4/4 at 120 to 24.5 s, E minor 3/4 at 96 from 34.5 s


def test_the_next_song_of_a_set_is_heard_afresh_and_the_report_names_each_songs_key_and_style(tmp_path):
    # After 10 s of silence the beat tracker took song 2's first strums at song 1's tempo (a player back from a
    # pause resumes it), which held them at 0.095 of the fit, and found 96 BPM only 4.5 s in: the band came in 7.45 s
    # (4 bars) after song 2's first note, song 2 alone 5.6 s. And the one-line report named song 2's key and style.
    out = tmp_path / "set.mid"
    r = runner.invoke(app, ["render", str(DATA / f"{SET}.mid"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "2 songs: key G major, " in r.output and "style tokpe-gallop; key E minor, " in r.output, r.output
    start = truth(SET)["song2_start"]
    entries = [t for t, text in markers(out) if text.startswith("band in")]
    assert len(entries) == 2 and entries[1] - start <= 6.0, entries


def test_the_players_silences_are_kept_once_in_order_and_the_past_ones_stop_being_breaks():
    p = Presence()
    p.player_break(5.0, 6.0, struck=4.5, then=6.25)
    p.player_break(1.0, 2.0)
    assert p.breaks == [Silence(1.0, 2.0), Silence(5.0, 6.0, 4.5, 6.25)]
    assert not p.in_break(4.0, None, None)           # 1-2 s is past (a second and more), 5-6 s still to come
    assert p.breaks == [Silence(5.0, 6.0, 4.5, 6.25)]
    assert p._silences[0] == Silence(1.0, 2.0)       # ... but still one of the figure's rests (`_pickup_break`)
