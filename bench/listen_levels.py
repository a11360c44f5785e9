"""At which level of the truth's beat the listener counts, beat by beat, per take.

    python bench/listen_levels.py [--sets solo,solo-held,guitarset-dev,reels] [--only NAME] [--limit 60]

Per take (online, first 60 s): each of the listener's beats after its first is matched to the truth's beat around
it, and the tempo it reported then is divided by the truth's local tempo; the share of its beats at each ratio of
RATIOS (within TOLERANCE; "other" when none) and the first beat heard at 2:3 or 3:2 (a straight line heard at its
dotted quarters, a 6/8 line heard at its quarters). `accuracy.py`'s tempo strict scores one median tempo a take and
tells neither which level nor when. Sets: `solo` and `solo-held` (accuracy.py's single lines; solo-held is held out
of all tuning: report it, never fit to it), `reels` (accuracy.reel_pieces: Nottingham reels, dev, `--limit 60`
gives 30), `guitarset-dev` (comping and solos; `--only gssolo` for the solos).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
import datasets  # noqa: E402

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402

SPAN = 60.0
TOLERANCE = 0.06     # a reported tempo within this share of a ratio of the truth's is at that level
RATIOS = {"1": 1.0, "2:3": 2 / 3, "3:2": 1.5, "2": 2.0, "1/2": 0.5, "3": 3.0, "4:3": 4 / 3, "3:4": 0.75}


def level_of(ratio: float) -> str:
    """The name of the level (a key of RATIOS) a reported/true tempo `ratio` is at, "other" when none."""
    for name, value in RATIOS.items():
        if abs(ratio / value - 1) < TOLERANCE:
            return name
    return "other"


def take_levels(piece, messages) -> tuple[dict[str, float], float | None]:
    """({level: share of the listener's beats at it}, time (s) of its first beat at 2:3 or 3:2, or None) for one
    take's `messages` (its first SPAN s) against `piece`'s beats."""
    a, _ = run_online(accuracy.cut(messages, SPAN), ListenerConfig())
    times = np.array([float(c["time"]) for c in a.tempo])
    bpm = np.array([float(c["bpm"]) for c in a.tempo])
    truth = piece.beats[piece.beats <= SPAN]
    counts: dict[str, float] = {}
    first = None
    for b in [b for b in a.beats if b <= SPAN][1:]:
        i, j = int(np.searchsorted(times, b, side="right")), int(np.searchsorted(truth, b))
        if i == 0 or not 1 <= j < len(truth):
            continue
        name = level_of(bpm[i - 1] * (truth[j] - truth[j - 1]) / 60.0)
        counts[name] = counts.get(name, 0.0) + 1
        if name in ("2:3", "3:2") and first is None:
            first = float(b)
    n = max(1.0, sum(counts.values()))
    return {k: v / n for k, v in counts.items()}, first


def items_of(name: str, limit: int) -> list:
    """[(Piece, messages)] of set `name` (solo, solo-held, reels or guitarset-dev)."""
    found = accuracy.line_pieces(name, limit)
    if found is not None:
        return found
    return [(p, read_guitar_file(p.midi).messages) for p in datasets.load(name, limit=100)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="solo,guitarset-dev")
    ap.add_argument("--only", default="", help="takes whose name holds this")
    ap.add_argument("--limit", type=int, default=60)
    args = ap.parse_args()
    for name in args.sets.split(","):
        odd = 0
        items = [(p, m) for p, m in items_of(name, args.limit) if args.only in p.name]
        for piece, messages in items:
            shares, first = take_levels(piece, messages)
            odd += bool(first)
            row = " ".join(f"{k}={v:.2f}" for k, v in sorted(shares.items(), key=lambda kv: -kv[1]))
            print(f"{piece.name:40s} {row}" + (f"  first 2:3/3:2 at {first:.1f} s" if first else ""), flush=True)
        print(f"{name}: {odd} of {len(items)} takes have beats at 2:3 or 3:2 of the truth's")


if __name__ == "__main__":
    main()
