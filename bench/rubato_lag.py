"""Whose lag it is when the band trails a breathing player (aqyn issue 11: rubato, swells).

Renders each take in-process (engine.render.render) and records, for every band beat the time line
(engine/timeline.py) decides, three times against the truth's nearest beat:
  band     the band's beat as decided (the file's beat, bar the DAW's rounding);
  grid     the listener's grid's nearest beat to it when the band decided it (the scheduler's look-ahead, 80 ms
           before it sounds): what the band could have aimed at then, at best;
  heard    the grid's nearest beat to it half a beat after it (the player's beat heard by then): what the listener
           knows once the beat's onsets are in, as its online beats report it.
Prints per take the share of each within 70 ms of the truth (band_eval's tolerance) and their median offset (ms,
+ late) over the beats where the player pushes (the truth's beat shorter than the one before by over 1 %) and where
they broaden (longer by over 1 %). A band near its grid but both far from the truth is the listener's lag: its tempo
(a fit over an 8 s window) trails a tempo that changes every beat, and the grid's next beat is that tempo
extrapolated a whole beat from the last heard; a band far from a grid that is near the truth is the time line's.

    python -P bench/rubato_lag.py --sets FOLDER[,SET...] [--only NAME...]

Takes need their truth JSON beside them (as for band_eval.py).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import band_eval as be  # noqa: E402

from engine.render import render  # noqa: E402
from engine.timeline import BandTimeline  # noqa: E402

HEARD_AT = 0.5      # beats after a band beat at which the grid's nearest beat counts as heard
SHORTER = 0.01      # a truth beat this much shorter (ratio) than the one before is a push; longer, a broadening


def _nearest(grid, t: float) -> float:
    """The grid's (engine.state.BeatGrid) nearest beat (s) to `t` (s)."""
    return grid.anchor_time + round((t - grid.anchor_time) / grid.period) * grid.period


@contextlib.contextmanager
def recorded():
    """Patch BandTimeline so every decided beat records (its time s, the grid's nearest beat then s), and the
    grid's nearest to it HEARD_AT beats later. Yields {timeline id: {beat: [time, grid, heard]}}."""
    decide, beat_at = BandTimeline._decide, BandTimeline.beat_at
    rows: dict[int, dict[int, list]] = {}

    def on_decide(self, grid):
        decide(self, grid)
        t = self._times[self._last]
        rows.setdefault(id(self), {})[self._last] = [t, _nearest(grid, t) if grid.period else math.nan, math.nan]

    def on_beat_at(self, t, grid, now=-math.inf):
        for row in rows.get(id(self), {}).values():
            if math.isnan(row[2]) and grid.period and t >= row[0] + HEARD_AT * grid.period:
                row[2] = _nearest(grid, row[0])
        return beat_at(self, t, grid, now)

    BandTimeline._decide, BandTimeline.beat_at = on_decide, on_beat_at
    try:
        yield rows
    finally:
        BandTimeline._decide, BandTimeline.beat_at = decide, beat_at


def summarise(name: str, rows: dict[int, list], truth: np.ndarray) -> None:
    """Print the take's shares within tolerance and median offsets (ms) of band, grid and heard (module docstring)."""
    beats = np.array(sorted(r for r in rows.values() if truth[0] - 0.5 <= r[0] <= truth[-1] + 0.5))
    if not len(beats):
        print(f"{name}: no band beats")
        return
    idx = np.clip(np.searchsorted(truth, beats[:, 0]), 1, len(truth) - 1)
    idx = np.where(np.abs(truth[idx - 1] - beats[:, 0]) < np.abs(truth[idx] - beats[:, 0]), idx - 1, idx)
    off = beats - truth[idx][:, None]
    ibi = np.diff(truth)
    change = np.full(len(truth), 0.0)
    change[2:] = ibi[1:] / ibi[:-1] - 1          # truth beat i's length (i-1 -> i) against the one before
    push, broaden = change[idx] < -SHORTER, change[idx] > SHORTER
    within = [float(np.mean(np.abs(off[:, k]) <= be.TOL)) for k in range(3)]
    med = [[1000 * float(np.nanmedian(off[m, k])) if m.any() else math.nan for k in range(3)] for m in (push, broaden)]
    print(f"{name}: {len(beats)} band beats; within 70 ms band {within[0]:.2f} grid {within[1]:.2f} heard "
          f"{within[2]:.2f}; median ms pushing ({int(push.sum())}) {med[0][0]:+.0f}/{med[0][1]:+.0f}/{med[0][2]:+.0f}, "
          f"broadening ({int(broaden.sum())}) {med[1][0]:+.0f}/{med[1][1]:+.0f}/{med[1][2]:+.0f} (band/grid/heard)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", required=True, help="comma-separated sets or folders (as band_eval.py)")
    ap.add_argument("--only", nargs="*", default=[], help="takes whose name contains any of these")
    args = ap.parse_args()
    for take, out in be.truth_takes(args.sets, args.only):
        with recorded() as rows:
            render(str(take.midi), str(out))
        if not rows:
            print(f"{take.set}/{take.name}: the band never played")
            continue
        band = max(rows.values(), key=len)      # the scheduler's time line
        summarise(f"{take.set}/{take.name}", band, be.load_truth(take.truth).beats)

if __name__ == "__main__":
    main()
