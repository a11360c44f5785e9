"""Every bar move of the band (the marker "bar: the guitar's downbeat", engine/bars.py) on takes with a truth: was
the band's bar line on a truth downbeat before the move, and after it?

    python bench/bar_moves.py [--sets guitarset-dev,sim2,sim3,sim-aqsaq,DIR]

Per move: good (off the truth's downbeats -> on), bad (on -> off), same (on -> on), wrong (off -> off), the time
(s) of the new bar line, the beats moved of the band's bar, the listener's meter confidence and how often the player
strikes the listener's 1 against the mean beat (`MusicalState.downbeat_played`) when the move was decided. In-process
(engine.render.play with the scheduler's `_apply` watched); a bar line within 70 ms of a truth downbeat is on it.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from watching import patched  # noqa: E402

from engine import schedule  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.render import play  # noqa: E402

SHARED = Path(os.environ.get("AQYN_SHARED", "/work/shared"))
FOLDERS = {"guitarset-dev": SHARED / "data" / "guitarset-dev", "converter-set-b": SHARED / "cases" / "converter-set-b",
           **{name: ROOT / "bench" / ".cache" / name for name in ("sim2", "sim2-held", "sim3", "sim-aqsaq")}}
TOL = 0.07           # s: a bar line this near a truth downbeat is on it (bench/band_eval.py's TOL)
KINDS = {(False, True): "good", (True, False): "bad", (True, True): "same", (False, False): "wrong"}


def on_downbeat(t: float, downbeats: list[float]) -> bool:
    """True when `t` (s) lies within TOL of one of the sorted `downbeats` (s)."""
    i = bisect.bisect_left(downbeats, t)
    return any(0 <= j < len(downbeats) and abs(downbeats[j] - t) <= TOL for j in (i - 1, i))


def moves(mid: Path) -> list[tuple[float, float, int, float, float]]:
    """The band's bar moves rendering `mid`: (old bar line s, new bar line s, beats moved, meter confidence, played)."""
    found = []
    apply = schedule.Scheduler._apply

    def watched(self, now, change, grid):
        if change.text.startswith("bar:"):
            line = self.arranger.start + (change.at - self.arranger.start) // self.cycle * self.cycle
            found.append((self.timeline.seconds_at(float(line), grid), self.timeline.seconds_at(float(change.at), grid),
                          int(change.at - line), grid.meter_confidence, self._state.downbeat_played))
        apply(self, now, change, grid)

    with patched(schedule.Scheduler, "_apply", watched):
        play(read_guitar_file(mid))
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="guitarset-dev,sim2,sim3,sim-aqsaq")
    args = ap.parse_args()
    counts = Counter()
    for name in args.sets.split(","):
        folder = FOLDERS.get(name, Path(name))
        for mid in sorted(folder.glob("*.mid")):
            truth_path = mid.with_suffix(".json")
            if not truth_path.exists() or "downbeats" not in (truth := json.loads(truth_path.read_text())):
                continue
            for before, after, shift, confidence, played in moves(mid):
                kind = KINDS[on_downbeat(before, truth["downbeats"]), on_downbeat(after, truth["downbeats"])]
                counts[kind] += 1
                print(f"{kind:5s}  {name}/{mid.stem}  at {after:6.1f} s  {shift} beats  confidence {confidence:.2f}"
                      f"  played {played:.2f}", flush=True)
    print("moves: " + ", ".join(f"{k} {counts[k]}" for k in ("good", "bad", "same", "wrong")))


if __name__ == "__main__":
    main()
