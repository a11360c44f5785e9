"""A 6/8 jig strummed D U D | D U D with its second dotted quarter struck hardest (a loud offbeat strum) is counted
in 6/8 on the player's downbeats (review37, session 30). Strict xfail: main writes 6/8 bars on the loud second
dotted quarter until 31.6 s of a 34 s take; lead30 (twelve30's backbeat rule) moves the bars onto the downbeats
at 14 s but as 12/8, a bar line on every other downbeat (band_eval bar F 0.07 -> 0.39, meter 6/8 -> 12/8). The
take is bench/review37_takes.py's jig_strum_D_116 (a converter-like player written apart from the session's
simulators), cut at 22 s; the file read as a DAW shows it (bench/band_eval.py)."""

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
import review37_takes  # noqa: E402

TOL = 0.07   # s: band_eval's window


@pytest.mark.xfail(strict=True, reason="a loud second dotted quarter: 6/8 bars on it (main) or 12/8 (lead30)")
def test_a_jig_with_a_loud_second_dotted_quarter_is_counted_in_6_8_on_its_downbeats(tmp_path):
    mid, truth = review37_takes.play("jig_strum", "jig", 116, 0, 10, 10, 3718)
    take, out = tmp_path / "jig.mid", tmp_path / "band.mid"
    mid.save(take)
    assert CliRunner().invoke(app, ["render", str(take), "-o", str(out)]).exit_code == 0
    grid = be.daw_grid(be.read_midi(out))
    downbeats = np.array(truth["downbeats"])
    late = downbeats[(downbeats > 8.0) & (downbeats < truth["last_chord"] - 1.0)]
    missed = [round(d, 2) for d in late if np.min(np.abs(grid.bars - d)) > TOL]
    meters = {s.meter for s in grid.segments if s.end > 8.0 and s.start < late[-1]}
    assert not missed and meters == {"6/8"}, (missed, meters)
