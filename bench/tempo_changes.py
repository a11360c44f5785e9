"""Every sudden tempo change the beat tracker weighs in a render, beside the truth (aqyn issue 11).

Renders each take in-process and, each time `engine.listen.tempo_change.sudden_change` offers a new grid, prints
the time, the tracked and the offered BPM beside the truth's (median of the truth's beats over the last 2.5 s),
their period ratio, the grid's age in its beats (since it was first set or last switched), how much of the last
3 s of onset weight falls on the tracked grid's sixteenths and on the offered grid's (within a fifth of the
finer sixteenth), where the tracked and the offered grid's beats nearest the change fall in the truth's beats
(the fraction of a truth beat: 0.00 on a beat, 0.50 half a beat off), and whether the change was taken (or
refused as a faster level the onsets do not show: `BeatTracker._faster_level`). A 3:4
offered on a grid the truth keeps is a regrouping of a syncopated figure, not a tempo change (GuitarSet dev Funk3;
`tempo_change.regrouping` now refuses most of them inside `sudden_change`, and those are not printed).
With --beats, also a row per band beat of the rendered file: its time, its interval, and where it falls in the
truth's beats (beat index with fraction) and whether it is within 70 ms of a truth beat.

    python -P bench/tempo_changes.py ../shared/data/guitarset-dev/gscomp_03_Funk3-98-A.mid [--beats]

Each take needs its truth beside it (NAME.json with "beats", as the shared datasets and the simulators write).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from band_eval import TOL, Clock, daw_grid, note_ons, read_midi  # noqa: E402

from engine import render as render_mod  # noqa: E402
from engine.listen import beat as beat_mod  # noqa: E402
from engine.listen.phase import circular_mean  # noqa: E402

WINDOW = 3.0     # s of onsets weighed, as the tracker's switch_window


def truth_bpm(beats: np.ndarray, now: float) -> float:
    """Median BPM of the truth's beats over the 2.5 s before `now` (s); nan when there are too few."""
    k = (beats > now - 2.5) & (beats < now + 0.5)
    return 60.0 / float(np.median(np.diff(beats[k]))) if k.sum() > 2 else float("nan")


def truth_position(beats: np.ndarray, t: float) -> float:
    """Where t (s) falls in the truth's beats, as the fraction of the beat it lies in (0..1)."""
    i = min(max(int(np.searchsorted(beats, t)), 1), len(beats) - 1)
    return float((i - 1 + (t - beats[i - 1]) / (beats[i] - beats[i - 1])) % 1.0)


def on_sixteenths(t: np.ndarray, w: np.ndarray, beat: float, period: float, near: float) -> float:
    """Share of the weights w of onsets t (s) within `near` (s) of the sixteenths of a grid (a beat at `beat` s,
    every `period` s)."""
    step = period / 4
    e = (t - beat) / step
    on = np.abs(e - np.round(e)) * step < near
    return float(w[on].sum() / w.sum()) if w.sum() > 0 else 0.0


def trace(path: Path, beats: np.ndarray):
    """Render `path` with the tracker's sudden changes printed (see the module); returns the rendered MIDI
    (mido.MidiFile)."""
    offered: list = []
    orig_change, orig_taken = beat_mod.sudden_change, beat_mod.BeatTracker._tempo_change

    def change(*args, **kw):
        offered[:] = [orig_change(*args, **kw)]
        return offered[0]

    def taken(tracker, period: float) -> bool:
        ok = orig_taken(tracker, period)
        new, onsets = offered[0], tracker._onsets
        now = onsets.t[-1]
        t, w = np.array(onsets.t), np.array(onsets.w)
        faster = ok and tracker._faster_level(now, list(onsets.t), list(onsets.w), new)
        verdict = "refused (faster level)" if faster else "taken" if ok else "refused"
        m = t >= now - WINDOW
        near = 0.2 * min(tracker.period, new[1]) / 4
        # the old tempo's sixteenths where the onsets fall on them (`tempo_change.old_holds`), not from its beat
        lattice = circular_mean(t[m].tolist(), w[m].tolist(), tracker.period / 4)
        old_on = on_sixteenths(t[m], w[m], lattice, tracker.period, near)
        new_on = on_sixteenths(t[m], w[m], new[0], new[1], near)
        age = (now - tracker._grid_from) / tracker.period
        bpm, new_bpm, ratio = 60 / tracker.period, 60 / new[1], new[1] / tracker.period
        truth = truth_bpm(beats, now)
        old_at = truth_position(beats, tracker.seconds_at(round(tracker.beat_at(now))))
        new_at = truth_position(beats, new[0] + round((now - new[0]) / new[1]) * new[1])
        print(f"  {now:7.2f} s  {bpm:6.1f} -> {new_bpm:6.1f} BPM (truth {truth:6.1f})  ratio {ratio:.3f}"
              f"  age {age:5.1f} beats  sixteenths old {old_on:.2f} new {new_on:.2f}"
              f"  in truth's beats old {old_at:.2f} new {new_at:.2f}  {verdict}")
        return ok

    beat_mod.sudden_change, beat_mod.BeatTracker._tempo_change = change, taken
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "band.mid"
            render_mod.render(str(path), str(out))
            return read_midi(out)
    finally:
        beat_mod.sudden_change, beat_mod.BeatTracker._tempo_change = orig_change, orig_taken


def band_beats(mid, beats: np.ndarray) -> None:
    """A row per beat of the rendered file from the band's first note: time, interval, truth position, hit."""
    grid, clock = daw_grid(mid), Clock(mid)
    band = note_ons(mid, clock, ("dombra", "percussion"))
    start = band[0] if len(band) else 0.0
    prev = None
    for t in grid.beats[grid.beats >= start - 0.01]:
        i = min(max(int(np.searchsorted(beats, t)), 1), len(beats) - 1)
        pos = i - 1 + (t - beats[i - 1]) / (beats[i] - beats[i - 1])
        hit = min(abs(t - beats[i - 1]), abs(t - beats[i])) <= TOL
        gap = f"{t - prev:5.3f}" if prev is not None else "  -  "
        print(f"    beat {t:7.3f} s  interval {gap}  truth beat {pos:7.2f}  {'hit' if hit else 'MISS'}")
        prev = t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("takes", nargs="+", type=Path, help="guitar MIDI files with NAME.json truth beside them")
    ap.add_argument("--beats", action="store_true", help="also a row per band beat of the render")
    args = ap.parse_args()
    for path in args.takes:
        beats = np.array(json.loads(path.with_suffix(".json").read_text())["beats"], dtype=float)
        print(path.name)
        mid = trace(path, beats)
        if args.beats:
            band_beats(mid, beats)


if __name__ == "__main__":
    main()
