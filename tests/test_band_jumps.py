"""bench/band_jumps.py: each band beat jump of a rendered take with what the time line did there."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_eval as be  # noqa: E402
import band_jumps as bj  # noqa: E402
from band_gap import decisions  # noqa: E402

from engine.render import render  # noqa: E402

DATA = ROOT / "tests" / "data"


def row(t: float, length: float, level: str = "1", far: int = 0, stepped: int = 0) -> tuple:
    """A `band_gap.decisions` row: the beat decided at `t` s, after a beat `length` s long."""
    return (t, length, level, 8, 0, far, stepped, length, 0.0)


@pytest.mark.parametrize("rows, kind", [
    ([row(10.43, 0.43, stepped=2)], "step"),
    ([row(10.78, 0.78)], "merge"),
    ([row(10.52, 0.52, far=2)], "far"),
    ([row(10.52, 0.52, level="2")], "level"),
    ([row(10.52, 0.52)], "phase"),
    ([row(11.52, 0.52)], "file"),
])
def test_a_jump_is_told_by_the_decision_of_the_beat_it_begins(rows, kind):
    """The beat after the jump at 10 s (0.61 s before it) was decided as `kind` (or not at all: the file's)."""
    after = rows[0][1]
    assert bj.cause(10.0, 0.61 if kind != "merge" else 0.39, after, rows) == kind


def test_a_tempo_steps_catch_up_is_found_as_a_step_where_the_player_stepped(tmp_path):
    """bench/.cache/sim2 tempo_6-8_Eb-phrygian_s13 (tests/data): a slow 6/8 stepping from 62 to 53 BPM at 32.1 s, the
    band catching up in two beats (issue 11 allows it there). Its jumps over 15 % are the file's that band_eval counts,
    each a step's beat, where the player's tempo stepped."""
    src = DATA / "tempo-step-6-8-sim2.mid"
    out = tmp_path / "out.mid"
    with decisions() as rows:
        render(str(src), str(out))
    truth = be.load_truth(src.with_suffix(".json"))
    found = bj.jumps(out, truth, rows, be.JUMP_LIMIT)
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    windows = be.compare_windows(be.band_spans(be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS), grid), truth)
    assert len(found) == be.jump_scores(grid, windows, truth)["jumps_over"] > 0
    assert all(why == "step" and stepped for _, _, _, _, stepped, why in found), found
