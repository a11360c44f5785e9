"""How soon the listener and the band follow the player's meter change (aqyn issue 11 deliver 3: "when the
player's meter changes mid-song, the band follows at the next bar line").

    python bench/meter_follow.py [--sets sim2,sim3] [--kind meter_change] [-v]

Per meter change of each take whose truth (NAME.json) names more than one meter: the truth's change time, when
the listener first named the new meter after it (`named`) and from when it held it (`held`: the last change of
the meter heard into it before the next truth change or the end), and when the band's time signature changed to
it in its output (`band`), each as seconds after the truth's change ("-" when never). The listener's meter is
the grid's the scheduler is handed each tick (engine.render.play, in-process, as `aqyn render` without files);
the band's is its TimeSignature events. Sets: sim2, sim3, sim-aqsaq (bench/.cache), or any folder of NAME.mid
+ NAME.json. The held-out sets are for reporting only.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from watching import patched  # noqa: E402

from engine import schedule  # noqa: E402
from engine.events import TimeSignature  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.render import play  # noqa: E402

EARLY = 2.0         # s: a naming this long before the truth's change counts (the truth's bar line is not the
                    # first note in the new meter)
FOLDERS = {name: ROOT / "bench" / ".cache" / name for name in ("sim2", "sim2-held", "sim3", "sim-aqsaq")}


def heard_meters(mid: Path) -> tuple[list[tuple[float, str]], list[tuple[float, str]]]:
    """(the listener's meter at each change of it, the band's time signatures), each (time s, "n/d"), for the
    take `mid`, played in-process."""
    heard: list[tuple[float, str]] = []
    tick = schedule.Scheduler.tick

    def watched(self, now, state):
        if state.grid is not None and (not heard or heard[-1][1] != state.grid.meter):
            heard.append((now, state.grid.meter))
        tick(self, now, state)

    with patched(schedule.Scheduler, "tick", watched):
        _, events = play(read_guitar_file(mid))
    band = [(e.time, f"{e.numerator}/{e.denominator}") for e in events if isinstance(e, TimeSignature)]
    return heard, band


def follow(changes: list[tuple[float, str]], heard: list[tuple[float, str]], band: list[tuple[float, str]]):
    """Per truth change (time s, meter) after the first: (time, "old -> new", named, held, band), the last three
    in s after the change or None: the listener's first naming of the new meter from `EARLY` s before the change,
    the start of its last run of the new meter that lasted to the next truth change (or the end), and the band's
    first time signature of it (`heard` and `band` as `heard_meters` gives them)."""
    rows = []
    for i in range(1, len(changes)):
        t, new = changes[i]
        until = changes[i + 1][0] if i + 1 < len(changes) else math.inf
        named = next((h for h, m in heard if t - EARLY <= h < until and m == new), None)
        before = [(h, m) for h, m in heard if h < until]
        held = before[-1][0] if before and before[-1][1] == new and before[-1][0] >= t - EARLY else None
        in_band = next((b for b, m in band if t - EARLY <= b < until and m == new), None)
        rows.append((t, f"{changes[i - 1][1]} -> {new}",
                     *(None if x is None else round(x - t, 2) for x in (named, held, in_band))))
    return rows


def main() -> None:
    """Print a row per meter change and each set's medians."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sim2,sim3")
    ap.add_argument("--kind", default="meter_change", help="only takes whose name starts so ('' for all)")
    args = ap.parse_args()
    for name in args.sets.split(","):
        folder = FOLDERS.get(name, Path(name))
        found = []
        for mid in sorted(folder.glob(f"{args.kind}*.mid")):
            truth = json.loads(mid.with_suffix(".json").read_text())
            changes = [(m["time"], m["meter"]) for m in truth.get("meters", [])]
            if len(changes) < 2:
                continue
            heard, band = heard_meters(mid)
            for t, change, named, held, in_band in follow(changes, heard, band):
                found.append((named, held, in_band))
                show = ["-" if x is None else f"{x:.2f}" for x in (named, held, in_band)]
                print(f"  {name}/{mid.stem}: {change} at {t:.2f} s; listener named +{show[0]} held +{show[1]};"
                      f" band +{show[2]}", flush=True)
        cols = list(zip(*found)) if found else [(), (), ()]
        med = ["-" if not [x for x in c if x is not None] else f"{statistics.median(x for x in c if x is not None):.2f}"
               for c in cols]
        missed = [sum(x is None for x in c) for c in cols]
        print(f"{name}: {len(found)} changes; medians s after the player's: listener named {med[0]} (never "
              f"{missed[0]}), held {med[1]} (never {missed[1]}), band {med[2]} (never {missed[2]})", flush=True)


if __name__ == "__main__":
    main()
