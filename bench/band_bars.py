"""Where the band's bar lines fall in the player's bars, beside the listener's downbeats (aqyn issue 11, deliver 2:
the player's bars; issue 12, downbeat F).

Renders each take in-process (engine.render.render), reads the file back as bench/band_eval.py does and runs the
live listener over the same input (engine.analyze.run_online: the downbeats it reported, no declared latency).
Per take: the band's bar F in its windows (as band_eval.py's bar F), and where the band's bar lines and the
listener's downbeats in those windows fell, by the truth's beat of the bar they are on (1 is right; x: on no truth
beat within 70 ms), then the cause: `ok` when ON_ONE of the band's bar lines are on a truth downbeat; `beat` when
under half of them are on a truth beat at all (no bar can be right there); `listener` when the listener's downbeats
are on the 1 less than ON_ONE of the time (the band plays the listener's rotated bar or its own); `band` when the
listener is on the 1 and the band is not (the band did not move to it). With --rows, a row per band bar line: its
time and its place in the truth's bar.

    python -P bench/band_bars.py [--sets guitarset,DIR...] [--only NAME...] [--rows]

Takes need their truth JSON beside them (as for band_eval.py).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import band_eval as be  # noqa: E402

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.render import render  # noqa: E402

ON_ONE = 0.8     # share of bar lines (or downbeats) on the truth's 1 that is a right bar


def place(t: float, truth: be.Truth) -> str:
    """The truth's beat of the bar (1 = its downbeat) within band_eval's TOL of `t` (s), or 'x' for none."""
    beats = truth.beats
    k = int(np.argmin(np.abs(beats - t))) if len(beats) else -1
    if k < 0 or abs(beats[k] - t) > be.TOL:
        return "x"
    before = truth.downbeats[truth.downbeats <= beats[k] + be.TOL]
    if not len(before):
        return "x"
    return str(int(np.sum((beats >= before[-1] - be.TOL) & (beats < beats[k] - be.TOL))) + 1)


def places(times: np.ndarray, truth: be.Truth) -> Counter:
    """How many of `times` (s) fell on each truth beat of the bar ('1', '2', ..., 'x')."""
    return Counter(place(float(t), truth) for t in times)


def cause(band: Counter, heard: Counter) -> str:
    """The take's cause of wrong bars from where the band's bar lines (`band`) and the listener's downbeats
    (`heard`) fell (`places`): ok, beat, listener or band (the module's docstring)."""
    n, m = sum(band.values()), sum(heard.values())
    if n == 0 or band["1"] >= ON_ONE * n:
        return "ok"
    if band["x"] > n / 2:
        return "beat"
    if m == 0 or heard["1"] < ON_ONE * m:
        return "listener"
    return "band"


def shown(c: Counter) -> str:
    """A Counter of places as '1:9 2:1 x:2'."""
    return " ".join(f"{k}:{c[k]}" for k in sorted(c))


def report(take: be.Take, out: Path, rows: bool) -> str:
    """Print the take's band bar F, where its bar lines and the listener's downbeats fell, and the cause; return
    the cause."""
    truth = be.load_truth(take.truth)
    render(str(take.midi), str(out))
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    band = be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS)
    windows = be.compare_windows(be.band_spans(band, grid), truth)
    bars = be.inside(grid.bars, windows)
    heard, _ = run_online(read_guitar_file(take.midi).messages)
    listener = be.inside(np.array(heard.downbeats), windows)
    bar_f = be.match_scores(bars, be.inside(truth.downbeats, windows))["f"] or 0.0
    where, said = places(bars, truth), places(listener, truth)
    why = cause(where, said)
    print(f"  {take.set}/{take.name:44s} bar F {bar_f:.2f}  band {shown(where):28s} listener {shown(said):28s} {why}")
    if rows:
        print("    " + " ".join(f"{t:.1f}:{place(float(t), truth)}" for t in bars))
    return why


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="guitarset", help="comma-separated band_eval.py set names or folders")
    ap.add_argument("--only", nargs="*", default=[], help="takes whose name holds one of these")
    ap.add_argument("--rows", action="store_true", help="a row per band bar line")
    args = ap.parse_args(argv)
    causes = Counter(report(take, out, args.rows) for take, out in be.truth_takes(args.sets, args.only))
    print("causes:", shown(causes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
