"""Back from a rest that is not a whole number of the band's bars, the band's bars are the player's from their
first downbeat back, and the band is back within a beat and a half of it (issue 11 deliver 2 and 5; review36's
kind 3). Takes from bench/rest_takes.py (a converter-like player: a channel a string, latency, strum spread), the
file read as a DAW shows it (bench/band_eval.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import band_eval as be  # noqa: E402
import rest_takes  # noqa: E402

TOL = 0.07   # s: band_eval's window


@pytest.mark.parametrize("meter, bpm, key, rest, seed", [
    ("4/4", 100, "D", 6.0, 300),      # 10 beats: back on the band's beat 3 (rejoined two beats off its bars for 5 s)
    ("12/8", 80, "A", 4.0, 314),      # 5.3 beats: back a third of a beat off (in 1.5 s after the player)
    ("3/4", 108, "D", 2.78, 307),     # 5 beats: back on the band's beat 3 (in 1.7 s after the player)
    ("12/8", 90, "D", 2.67, 317),     # a whole bar, back on the band's bar line (in 1.3 s: its next bar line)
])
def test_back_from_a_rest_the_bands_bars_are_the_players_from_their_first_downbeat(tmp_path, meter, bpm, key, rest,
                                                                                   seed):
    mid, truth = rest_takes.play(meter, bpm, key, rest, seed)
    take, out = tmp_path / "take.mid", tmp_path / "band.mid"
    mid.save(take)
    assert CliRunner().invoke(app, ["render", str(take), "-o", str(out)]).exit_code == 0
    song = be.read_midi(out)
    grid, band = be.daw_grid(song), be.note_ons(song, be.Clock(song), ("dombra", "percussion"))
    back, beat = truth["stops"][0]["end"], 60.0 / bpm
    downbeats = np.array(truth["downbeats"])
    theirs = downbeats[(downbeats >= back - TOL) & (downbeats < min(band[-1], truth["last_chord"]) - 0.5)]
    missed = [round(d, 2) for d in theirs if np.min(np.abs(grid.bars - d)) > TOL]
    assert not missed, missed                                   # a bar line on each of their downbeats back
    first = band[band >= back - TOL][0]
    assert first - back < 1.5 * beat, first - back              # in with them within a beat and a half
