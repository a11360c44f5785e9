"""A rest in single-note accompaniment (a Travis pattern, a 6/8 arpeggio, a 12/8 slow-blues arpeggio: one note a
strum over a recurring bass) is a stop: the band is silent from a beat into it, as for a strummer (issue 11
deliver 5). Before session 31 the listener took such a player for a melody player, who must be silent a bar and
half a beat to pause, and the band played 19-90 notes into these rests (review37's kind 4). The takes are
bench/review37_takes.py's (a converter-like player written apart from the session's simulators); the file read
as a DAW shows it (bench/band_eval.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.conftest import BAND_CHANNELS, note_ons

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import review37_takes  # noqa: E402

TOL = 0.07   # s: band_eval's window


@pytest.mark.parametrize("name", ["rest_travis_96_whole", "rest_arp68_90_3beats", "rest_blues128_56_3.7beats"])
def test_a_rest_in_picked_accompaniment_silences_the_band_within_a_beat(tmp_path, name):
    seed, run = next((3700 + k, r[1:]) for k, r in enumerate(review37_takes.RUNS) if r[0] == name)
    mid, truth = review37_takes.play(*run, seed)
    take, out = tmp_path / "take.mid", tmp_path / "band.mid"
    mid.save(take)
    assert CliRunner().invoke(app, ["render", str(take), "-o", str(out)]).exit_code == 0
    band = note_ons(out, BAND_CHANNELS)
    beats = np.array(truth["beats"])
    (stop,) = truth["stops"]
    beat = float(np.median(np.diff(beats)))
    inside = band[(band >= stop["start"] + beat) & (band <= stop["end"] - TOL)]
    assert len(inside) == 0, f"{len(inside)} band notes in the rest {stop}"
    back = band[band >= stop["end"] - TOL]
    assert len(back) and back[0] - stop["end"] < 1.5 * beat, (stop, back[:1])
