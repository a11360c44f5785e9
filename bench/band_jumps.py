"""Where each band beat jump comes from (aqyn issue 11: no band beat more than 15 % longer or shorter than the one
before unless the player's tempo really jumped).

Renders each take in-process (engine.render.render) with the time line's decisions recorded (bench/band_gap.py
`decisions`), reads the file back as bench/band_eval.py does and prints, per jump over --over of the file's beats
(`band_eval.ibi_jumps`, within stretches of one beat unit), its time (s, the beat between the two lengths), the two
lengths (s), the player's beat there (the truth's median beat length around it, or its pulse in 5/8 and 7/8),
whether the player's tempo stepped there (`band_eval.player_stepped`: issue 11 allows the jump) and what the time
line did on that beat (`cause`):

* step: a tempo step's first beat (the phase correction taken unbounded, engine/timeline.py `_step`) or its second
* far: a tempo far from the band's followed half the way a beat (`far` beats in a row)
* merge: about 2 or 3 times the beat before, no step (a double-time first guess counted onto the grid's beat)
* level: the grid at another level (`_level`), the band lining up with it
* file: no beat the time line decided there (a lead-in's beats meeting the band's, a rest filled in, a short bar)
* phase: none of these (a phase correction within MAX_CHANGE, or a ramp)

    python -P bench/band_jumps.py [--sets cases,guitarset,DIR...] [--only NAME...] [--over 0.15]

Takes need their truth JSON beside them (as for band_eval.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import band_eval as be  # noqa: E402
from band_gap import decisions  # noqa: E402

from engine.render import render  # noqa: E402

DECIDED = 0.002     # s: a file beat this near a beat the time line decided is that beat


def cause(t: float, before: float, after: float, rows: list[tuple]) -> str:
    """What the time line did where the file's beat at `t` (s) ends a beat `before` s long and begins one `after` s
    long: the kind of its decision for that beat (`decisions` rows: time, length before, level, steady, other
    level, far, stepped, grid period, nearest) or "file" when it decided none there (see the module docstring)."""
    row = next((r for r in rows if abs(r[0] - (t + after)) <= DECIDED), None)
    if row is None:
        return "file"
    _, _, level, _, _, far, stepped, _, _ = row
    if stepped:
        return "step"
    if round(after / before) in (2, 3) or round(before / after) in (2, 3):
        return "merge"
    if far:
        return "far"
    return "level" if level != "1" else "phase"


def jumps(out: Path, truth: be.Truth, rows: list[tuple], over: float) -> list[tuple]:
    """(time s, length before s, length after s, the player's beat s, stepped, cause) of every jump over `over` of
    the file `out`'s beats in the band's windows (bench/band_eval.py), in time order."""
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    band = be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS)
    if len(band) == 0:
        return []
    windows = be.compare_windows(be.band_spans(band, grid), truth)
    ref = truth.pulse if truth.pulse is not None else truth.beats
    found = []
    for a, b, _ in be.pieces(windows, grid):
        beats = be.inside(grid.beats, [(a, b)])
        for k in np.nonzero(be.ibi_jumps(beats) > over)[0]:
            t, before, after = float(beats[k + 1]), float(beats[k + 1] - beats[k]), float(beats[k + 2] - beats[k + 1])
            player = be.local_ibi(ref, t) if len(ref) > 2 else float("nan")
            found.append((t, before, after, player, be.player_stepped(ref, t), cause(t, before, after, rows)))
    return found


def report(take: be.Take, out: Path, over: float) -> None:
    """Print the take's jumps over `over` with their causes."""
    truth = be.load_truth(take.truth)
    with decisions() as rows:
        render(str(take.midi), str(out))
    found = jumps(out, truth, rows, over)
    print(f"{take.set}/{take.name}: {len(found)} jumps over {over:.0%}")
    for t, before, after, player, stepped, why in found:
        print(f"  {t:7.2f} s  {before:.3f} -> {after:.3f} s ({after / before - 1:+.0%})  player {player:.3f} s"
              f"{'  (player stepped)' if stepped else ''}  {why}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="guitarset", help="comma-separated sets or folders (as band_eval.py)")
    ap.add_argument("--only", nargs="*", default=[], help="takes whose name contains any of these")
    ap.add_argument("--over", type=float, default=be.JUMP_LIMIT, help="the smallest jump shown (share)")
    args = ap.parse_args()
    for take, out in be.truth_takes(args.sets, args.only):
        report(take, out, args.over)


if __name__ == "__main__":
    main()
