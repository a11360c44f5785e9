"""The band on a breathing player's beat (issue 11): a slow ballad whose tempo swells a few % each phrase."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_eval as be  # noqa: E402
import band_gap as bg  # noqa: E402

import engine.timeline as timeline  # noqa: E402
from engine.render import render  # noqa: E402

DATA = ROOT / "tests" / "data"
SWELL = "ballad-3-4-66-swell-4pc-review32"     # review32's sweep3/ballad34_a04_s00 (bench/README.md "rubato27")


def band_beat_f(take: Path, truth: Path, out: Path) -> float:
    """The band's beat F (band_eval's: the output file's DAW beats in its windows against the truth's, 70 ms)."""
    render(str(take), str(out))
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    band = be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS)
    t = be.load_truth(truth)
    windows = be.compare_windows(be.band_spans(band, grid), t)
    est, ref = bg.band_beats(grid, windows, t)
    return be.match_scores(est, ref)["f"]


@pytest.fixture(scope="module")
def swell_f(tmp_path_factory):
    """(beat F as the band plays, beat F with the heard beats' tempo switched off) on the swelling ballad."""
    out = tmp_path_factory.mktemp("swell")
    take, truth = DATA / f"{SWELL}.mid", DATA / f"{SWELL}.json"
    now = band_beat_f(take, truth, out / "now.mid")
    most = timeline.HEARD_MOST
    timeline.HEARD_MOST = 0.0
    try:
        grid_only = band_beat_f(take, truth, out / "grid.mid")
    finally:
        timeline.HEARD_MOST = most
    return now, grid_only


def test_the_band_follows_a_swell_of_four_percent_a_phrase(swell_f):
    # 3/4 at 66, each 12-beat phrase pushing to +4 % and easing back: the band's beats from the grid's period alone
    # trailed the pushes by 60-100 ms (beat F 0.77 as band_eval reads it); from the heard beats' tempo 0.84
    now, _ = swell_f
    assert now >= 0.82


def test_the_heard_beats_tempo_is_what_gains(swell_f):
    now, grid_only = swell_f
    assert now > grid_only + 0.03


def test_a_steady_ballad_stays_on_every_beat(tmp_path):
    # the same ballad with no swell (review32's sweep3/ballad34_a00_s00: 1.00 before and after): the heard tempo
    # must not unsettle a steady player's band (its first 40 s)
    take = tmp_path / "steady.mid"
    truth = tmp_path / "steady.json"
    beats = 1.0 + np.arange(60) * 60 / 66
    write_ballad(take, beats)
    truth.write_text(json.dumps({"meter": "3/4", "beats": beats.tolist(), "downbeats": beats[::3].tolist()}))
    assert band_beat_f(take, truth, tmp_path / "out.mid") >= 0.97


def write_ballad(path: Path, beats: np.ndarray) -> None:
    """A strummed 3/4 ballad (G, C, D, G a bar), a chord a beat, the bar's first louder, a channel per string."""
    import mido

    chords = [(43, 47, 50, 55, 59, 67), (48, 52, 55, 60, 64), (50, 57, 62, 66), (43, 47, 50, 55, 59, 67)]
    events = []
    for i, t in enumerate(beats):
        chord = chords[(i // 3) % 4]
        vel = 96 if i % 3 == 0 else 70
        for s, note in enumerate(chord):
            on = t + 0.025 + 0.008 * s
            events += [(on, mido.Message("note_on", channel=s, note=note, velocity=vel)),
                       (on + 0.8, mido.Message("note_off", channel=s, note=note, velocity=0))]
    events.sort(key=lambda e: e[0])
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("set_tempo", tempo=500000))
    last = 0
    for t, msg in events:
        tick = round(mido.second2tick(t, 480, 500000))
        track.append(msg.copy(time=tick - last))
        last = tick
    mid.tracks.append(track)
    mid.save(path)
