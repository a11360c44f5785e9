"""A fast 2/4 polka, bass on every quarter and a chord on every "and" (oom-pah at the eighth), is counted at its
quarter and on its bass from the entry to the end (issue 11 deliver 1 and 3; review37's kind 1, session 30): before
session 31 the band came in at tempo and glided to half over 3-5 s (every step under 15 %), or heard 164 and 184 at
half from the start, or played its beats on the chords, half a beat off. The take is bench/review37_takes.py's
converter-like player (written apart from the session's simulators); the file read as a DAW shows it
(bench/band_eval.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import mir_eval
import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
import band_eval as be  # noqa: E402
import review37_takes  # noqa: E402


@pytest.mark.parametrize("song,bpm,seed", [("polkaG", 160, 3901), ("polkaF", 176, 3902), ("polkaG", 184, 3903)])
def test_a_fast_polka_is_played_at_its_quarter_on_its_bass(tmp_path, song, bpm, seed):
    mid, truth = review37_takes.play("polka", song, bpm, 0, 16, 16, seed)
    take, out = tmp_path / "polka.mid", tmp_path / "band.mid"
    mid.save(take)
    assert CliRunner().invoke(app, ["render", str(take), "-o", str(out)]).exit_code == 0
    grid = be.daw_grid(be.read_midi(out))
    ref = np.array(truth["beats"])
    est = grid.beats[(grid.beats >= ref[0] + 8.0) & (grid.beats <= truth["last_chord"])]
    f = mir_eval.beat.f_measure(ref[ref >= ref[0] + 8.0], est)
    assert f >= 0.9, f"beat F {f:.2f} after 8 s: the band's beats off the player's quarter"
