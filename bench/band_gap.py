"""Where the band loses its beat, beside the listener (aqyn issue 11: band beat F >= 0.95 median, >= 0.85 every file).

Renders each take in-process (engine.render.render), reads the file back as bench/band_eval.py does (the DAW beats
in the band's windows against the truth's beats, or its pulse in 5/8 and 7/8) and runs the live listener over the
same input (engine.analyze.run_online: the beats it reported, no declared latency). Prints per take the band's beat F
and the listener's in the band's windows, then the stretches where the band misses: a truth beat with no band beat
within 70 ms, or a band beat with none of the truth's (a beat too many: a wrong tempo, a bar the file counts in
eighths), grouped while less than GAP_BEATS truth beats apart, the costliest first, each with the listener's misses
there (its beats against the truth's beats, a beat either side of the stretch). A stretch where the listener misses
as much is the listener's; one where it does not is the band's own (its time line, its file).
With --beats, a row per truth beat (the band's and the listener's nearest beat, s from it, * past 70 ms) and per
band beat that matched none. With --decisions, a row per band beat the time line (engine/timeline.py) decided in
each stretch, a beat either side: the beat's time and length, the level and the grid's period it was measured at,
the grid's nearest beat to it, its counters (steady, other level, far, stepped) and the truth's nearest beat: why
the band's beat fell where it did (a far ramp, a held level, a step).

    python -P bench/band_gap.py [--sets guitarset,DIR...] [--only NAME...] [--beats] [--decisions]

Takes need their truth JSON beside them (as for band_eval.py).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import band_eval as be  # noqa: E402

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.render import render  # noqa: E402
from engine.timeline import BandTimeline  # noqa: E402

GAP_BEATS = 3     # truth beats: misses closer than this are one stretch


def band_beats(grid: be.Grid, windows: list, truth: be.Truth) -> tuple[np.ndarray, np.ndarray]:
    """(the file's DAW beats, the truth's beats or pulse) in the windows, as `band_eval.beat_scores` compares them
    (stretches in an odd x/8 left out when the truth has no pulse)."""
    est, ref = [np.zeros(0)], [np.zeros(0)]
    for a, b, seg in be.pieces(windows, grid):
        if seg.level == "eighth" and truth.pulse is None:
            continue
        est.append(be.inside(grid.beats, [(a, b)]))
        ref.append(be.inside(truth.pulse if seg.level == "eighth" else truth.beats, [(a, b)]))
    return np.unique(np.concatenate(est)), np.unique(np.concatenate(ref))


def misses(est: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the reference times with no estimate within TOL, the estimates matching no reference), s; the matching
    is mir_eval's (each event used once), as in beat F."""
    import mir_eval

    pairs = mir_eval.util.match_events(ref, est, be.TOL) if len(est) and len(ref) else []
    hit_ref = {i for i, _ in pairs}
    hit_est = {j for _, j in pairs}
    return (np.array([t for i, t in enumerate(ref) if i not in hit_ref]),
            np.array([t for j, t in enumerate(est) if j not in hit_est]))


def stretches(times: np.ndarray, gap: float) -> list[tuple[float, float, int]]:
    """Runs of `times` (s, sorted) less than `gap` (s) apart: (first, last, how many)."""
    out: list[list] = []
    for t in times:
        if out and t - out[-1][1] < gap:
            out[-1][1], out[-1][2] = t, out[-1][2] + 1
        else:
            out.append([t, t, 1])
    return [(a, b, n) for a, b, n in out]


def nearest(times: np.ndarray, t: float) -> float:
    """The offset (s) of the time in `times` nearest `t` (s); nan for none."""
    return float(times[np.argmin(np.abs(times - t))] - t) if len(times) else float("nan")


@contextlib.contextmanager
def decisions():
    """Record each band beat the time line decides while in the block (when it is due): yields a list that gets,
    per beat, (its time s, the length s of the beat before it, which put it there, the level, steady, other level,
    far beats and stepped counts after it (engine/timeline.py), the grid's period s then, the grid's nearest beat
    minus the beat's time s). Wraps `BandTimeline._decide` for the block only (bench use)."""
    rows: list[tuple] = []
    decide = BandTimeline._decide

    def recorded(line: BandTimeline, grid) -> None:
        decide(line, grid)
        t = line._times[line._last]
        nearest = grid.anchor_time + round((t - grid.anchor_time) / grid.period) * grid.period
        rows.append((t, line._length, str(line.level), line._steady, line._other_level, line._jumped,
                     line._stepped, grid.period, nearest - t))

    BandTimeline._decide = recorded
    try:
        yield rows
    finally:
        BandTimeline._decide = decide


def print_decisions(rows: list[tuple], runs: list, period: float, truth_beats: np.ndarray) -> None:
    """The decided band beats (`decisions`) in each stretch of `runs` (first s, last s, count), a beat of `period`
    s either side, with the truth's nearest beat (s from the band's; * past 70 ms)."""
    for a, b, _ in sorted(runs):
        print(f"  time line {a:.2f}-{b:.2f} s: beat, length before it, level, steady/other/far/stepped, grid period, "
              f"grid's nearest, truth's nearest")
        for t, length, level, steady, other, far, stepped, grid_period, off in rows:
            if a - period <= t <= b + period:
                d = nearest(truth_beats, t)
                print(f"    {t:7.3f} {length:.3f} {level:>4} {steady:2d}/{other}/{far}/{stepped} {grid_period:.3f} "
                      f"{off:+.3f}  {d:+.3f} {'*' if abs(d) > be.TOL else ' '}")


def report(take: be.Take, out: Path, beats: bool, decided: bool = False) -> None:
    """Print the take's band and listener beat F in the band's windows and its costliest stretches (with
    `decided`, the time line's decisions in them)."""
    truth = be.load_truth(take.truth)
    with decisions() as rows:
        render(str(take.midi), str(out))      # (the band's first beat is not decided so: `_first_beat`)
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    band = be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS)
    windows = be.compare_windows(be.band_spans(band, grid), truth)
    est, ref = band_beats(grid, windows, truth)
    heard, _ = run_online(read_guitar_file(take.midi).messages)
    listener = be.inside(np.array(heard.beats), windows)
    truth_beats = be.inside(truth.beats, windows)
    band_f = be.match_scores(est, ref)["f"]
    listener_f = be.match_scores(listener, truth_beats)["f"]
    print(f"{take.set}/{take.name}: band beat F {band_f or 0:.3f} ({len(est)} beats, truth {len(ref)}), listener "
          f"{listener_f or 0:.3f}, windows {', '.join(f'{a:.1f}-{b:.1f} s' for a, b in windows)}")
    missed, extra = misses(est, ref)
    heard_missed, heard_extra = misses(listener, truth_beats)
    period = float(np.median(np.diff(truth.beats))) if len(truth.beats) > 1 else 0.5
    runs = stretches(np.sort(np.concatenate([missed, extra])), GAP_BEATS * period + 1e-6)
    for a, b, n in sorted(runs, key=lambda r: -r[2]):
        k = int(((missed >= a) & (missed <= b)).sum())
        lost = [int(((x >= a - period) & (x <= b + period)).sum()) for x in (heard_missed, heard_extra)]
        print(f"  {a:7.2f}-{b:7.2f} s: band {k} truth beats missed, {n - k} beats too many; "
              f"listener {lost[0]} missed, {lost[1]} too many (a beat either side)")
    if decided:
        print_decisions(rows, runs, period, truth.beats)
    if beats:
        for t in ref:
            d, h = nearest(est, t), nearest(listener, t)
            print(f"    truth {t:7.3f}  band {d:+.3f} {'*' if abs(d) > be.TOL else ' '}  "
                  f"listener {h:+.3f} {'*' if abs(h) > be.TOL else ' '}")
        for t in extra:
            print(f"    band beat {t:7.3f} matches no truth beat (nearest {nearest(ref, t):+.3f})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="guitarset", help="comma-separated sets or folders (as band_eval.py)")
    ap.add_argument("--only", nargs="*", default=[], help="takes whose name contains any of these")
    ap.add_argument("--beats", action="store_true", help="a row per truth beat and per unmatched band beat")
    ap.add_argument("--decisions", action="store_true", help="the time line's decided beats in each stretch")
    args = ap.parse_args()
    for take, out in be.truth_takes(args.sets, args.only):
        report(take, out, args.beats, args.decisions)


if __name__ == "__main__":
    main()
