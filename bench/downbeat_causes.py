"""Why each take's downbeats are wrong: the beat, the meter, or a rotated bar.

    python bench/downbeat_causes.py [--sets guitarset-dev,sim2] [--seconds 60]

Runs the online listener on every take with a truth JSON (the same excerpt and declared converter latency as
`accuracy.py`) and prints, per take: the meter heard at the end against the take's; beat F and downbeat F
(bench/metrics.py, as `accuracy.py` scores them); `ceiling`, the downbeat F of the reported beats that fall on
a true downbeat (what a perfect bar on this beat would score); and where the reported downbeats fell, by the
true beat of the bar they landed on (1 is right; `x`: on no true beat, within 70 ms). The cause is `beat` when
beat F is under 0.6 (then no bar can be right), else `meter` when the meter at the end is not the take's, else
`rotated` when downbeat F is under 0.8 (the right meter, "1" on another beat for part of the take), else `ok`.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import datasets  # noqa: E402
import metrics  # noqa: E402
from accuracy import CONVERTER_SETS, cut  # noqa: E402

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402
from engine.listen.guitar import GuitarConfig  # noqa: E402

ON = 0.07     # s: a reported downbeat within this of a true beat is on it (mir_eval's F-measure window)


def bar_positions(beats: np.ndarray, downbeats: np.ndarray, times) -> Counter:
    """Where `times` (s) fell: the true beat of the bar (1 = the downbeat) within `ON` of each, 'x' for none."""
    out: Counter = Counter()
    for t in times:
        j = int(np.argmin(np.abs(beats - t)))
        k = int(np.searchsorted(downbeats, beats[j] + 1e-3)) - 1
        if abs(beats[j] - t) > ON or k < 0:
            out["x"] += 1
        else:
            out[str(int(np.sum((beats >= downbeats[k] - 1e-3) & (beats < beats[j] - 1e-3))) + 1)] += 1
    return out


def diagnose(name: str, piece, seconds: float) -> dict:
    """The row of one take of set `name`: meters, beat F, downbeat F, ceiling, positions and cause."""
    latency = 0.03 if name in CONVERTER_SETS else 0.0
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=latency))
    a, _ = run_online(cut(read_guitar_file(piece.midi).messages, seconds), config)
    beats, downs = piece.beats[piece.beats <= seconds], piece.downbeats[piece.downbeats <= seconds]
    beat_f = metrics.beat_scores(np.array(a.beats), beats)["F-measure"]
    down_f = metrics.downbeat_f(np.array(a.downbeats), downs)
    on_downbeats = [b for b in a.beats if len(downs) and np.min(np.abs(downs - b)) < ON]
    reported = [d for d in a.downbeats if d >= 5.0]          # mir_eval leaves out the first 5 s
    if beat_f < 0.6:
        cause = "beat"
    elif a.meter != piece.meter:
        cause = "meter"
    else:
        cause = "rotated" if down_f < 0.8 else "ok"
    return {"take": piece.name, "meter": f"{a.meter} of {piece.meter}", "beat F": beat_f, "downbeat F": down_f,
            "ceiling": metrics.downbeat_f(np.array(on_downbeats), downs),
            "positions": bar_positions(beats, downs, reported), "cause": cause}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="guitarset-dev,sim2")
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    for name in args.sets.split(","):
        rows = [diagnose(name, piece, args.seconds) for piece in datasets.load(name, limit=None)]
        print(f"\n== {name}")
        print(f"  {'take':52} {'meter':11} {'beat F':>6} {'down F':>6} {'ceiling':>7}  cause    where downbeats fell")
        for r in rows:
            where = " ".join(f"{k}:{v}" for k, v in sorted(r["positions"].items()))
            print(f"  {r['take'][:52]:52} {r['meter']:11} {r['beat F']:6.2f} {r['downbeat F']:6.2f} "
                  f"{r['ceiling']:7.2f}  {r['cause']:8} {where}")
        causes = Counter(r["cause"] for r in rows)
        print("  causes: " + ", ".join(f"{k} {v}" for k, v in causes.most_common())
              + f"; downbeat F {np.mean([r['downbeat F'] for r in rows]):.3f}")


if __name__ == "__main__":
    main()
