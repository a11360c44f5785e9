"""What the aqsaq watch believed when a band's entry on the player's bar 3 or 4 was decided (aqyn issue 11).

    python -P bench/aqsaq_opening.py [--sets sim-aqsaq,sim2,sim3,guitarset-dev] [-v]

The band comes in on an aqsaq downbeat only once the listener offers the meter (engine/listen/aqsaq.py
`lean_reading`: over the first slots the entry filter, `OPENING`, leaning by `LEAN`); a square take whose
watch stirs (`STIR`) keeps the band waiting. Per take (a truth with downbeats), for the truth's bar 3 and bar 4
downbeats counted from the first note's bar: the entry filter's belief in an aqsaq meter (5/8 or 7/8, the truth's
when the take is in one) at the entry's decision of that downbeat (its time less the look-ahead and
`ENTRY_DECIDE`: the last watch step by then), the listener's own lean's summed evidence then (`ENTRY_EVIDENCE`
asks a quarter of naming's), and whether a lean was offered (or the meter named);
then when (truth bars from the first note) the entry filter first leaned, and was first offered. For square takes
the last column is the most the entry filter believed in any aqsaq meter over its slots (the false alarm's
margin). The summary: per set and meter kind, the medians, and how many aqsaq takes believed their meter more at
bar 3's decision than any square take of the sets believed an aqsaq meter at all.

In-process (engine.render.play, as `aqyn render` without the files), watching `AqsaqWatch.advance` through a
wrapper put back after each take; it reads the watch's private fields, so it belongs with the watch.
"""

from __future__ import annotations

import argparse
import bisect
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from entry_wait import FOLDERS  # noqa: E402
from watching import patched  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import aqsaq  # noqa: E402
from engine.render import play  # noqa: E402
from engine.schedule import ENTRY_DECIDE, SchedulerConfig  # noqa: E402

DECIDE = SchedulerConfig().lookahead + ENTRY_DECIDE   # s before a downbeat: the entry's decision
AQSAQ = tuple(aqsaq.GROUPS)


def watch_steps(mid: Path) -> list[tuple[float, dict[str, float] | None, float, bool]]:
    """Render `mid` in-process and return, after every step of the aqsaq watch: (now s, the entry filter's
    belief per meter or None once it has ended, the listener's lean's summed evidence, whether a lean is offered
    or a meter named)."""
    steps = []
    advance = aqsaq.AqsaqWatch.advance

    def watched(self, now, beat_at, seconds_at):
        stepped = advance(self, now, beat_at, seconds_at)
        if stepped:
            mass = None if self._entry is None else self._masses(self._entry)
            steps.append((now, mass, self._lean_evidence, self._lean_reading is not None or self._reading is not None))
        return stepped

    with patched(aqsaq.AqsaqWatch, "advance", watched):
        play(read_guitar_file(mid))
    return steps


def belief(mass: dict[str, float] | None, meter: str) -> float | None:
    """The entry filter's belief in `meter` (an aqsaq take's), or in any aqsaq meter (a square take's)."""
    if mass is None:
        return None
    return mass[meter] if meter in AQSAQ else max(mass[m] for m in AQSAQ)


def take_row(mid: Path) -> dict:
    """One take's row: its truth meter, and the entry filter at bar 3's and bar 4's decisions (see module)."""
    truth = json.loads(mid.with_suffix(".json").read_text())
    steps = watch_steps(mid)
    meter, first = truth["meter"], truth.get("first_onset", read_guitar_file(mid).first_onset)
    downbeats = [d for d in truth["downbeats"] if d >= first - 0.07]
    bar = statistics.median(b - a for a, b in zip(downbeats, downbeats[1:]))
    row = {"take": mid.stem, "meter": meter}
    for number in (3, 4):
        if len(downbeats) < number:
            continue
        i = bisect.bisect_right([s[0] for s in steps], downbeats[number - 1] - DECIDE) - 1
        now, mass, evidence, offered = steps[i] if i >= 0 else (None, None, 0.0, False)
        row[f"bar{number}"] = (belief(mass, meter), round(evidence, 2), offered)
    leaned = next((s[0] for s in steps if s[1] is not None and belief(s[1], meter) >= aqsaq.LEAN), None)
    offered = next((s[0] for s in steps if s[3]), None)
    row["leaned"] = None if leaned is None else round((leaned - first) / bar, 2)
    row["offered"] = None if offered is None else round((offered - first) / bar, 2)
    row["most"] = max((belief(s[1], meter) for s in steps if s[1] is not None), default=None)
    return row


def show(row: dict) -> str:
    """A take's row as text."""
    def cell(key):
        value = row.get(key)
        if value is None:
            return f"{key}=-"
        b, evidence, offered = value
        return f"{key}={'-' if b is None else f'{b:.2f}'}/{evidence}{'/offered' if offered else ''}"
    most = row["most"]
    return (f"  take={row['take']} meter={row['meter']} {cell('bar3')} {cell('bar4')} leaned={row['leaned']} "
            f"offered={row['offered']} most={'-' if most is None else f'{most:.2f}'}")


def summary(name: str, rows: list[dict]) -> list[str]:
    """Per meter kind (aqsaq or square): medians of the belief at bar 3's and bar 4's decisions."""
    out = []
    for kind, pick in (("aqsaq", lambda r: r["meter"] in AQSAQ), ("square", lambda r: r["meter"] not in AQSAQ)):
        part = [r for r in rows if pick(r)]
        if not part:
            continue
        med = {k: statistics.median([r[k][0] or 0.0 for r in part if k in r] or [0.0]) for k in ("bar3", "bar4")}
        most = max((r["most"] or 0.0) for r in part)
        offered = {k: sum(r.get(k, (0, 0, False))[2] for r in part) for k in ("bar3", "bar4")}
        out.append(f"{name} {kind} ({len(part)}): belief at bar 3's decision median {med['bar3']:.2f}, bar 4's "
                   f"{med['bar4']:.2f}; offered by bar 3's decision {offered['bar3']}, by bar 4's {offered['bar4']}; "
                   f"most believed {most:.2f}")
    return out


def main() -> None:
    """Run the sets and print the rows (with -v) and the summaries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="sim-aqsaq,sim2,sim3,guitarset-dev")
    parser.add_argument("-v", action="store_true", help="every take's row")
    args = parser.parse_args()
    every = []
    for name in args.sets.split(","):
        folder = Path(FOLDERS.get(name, name))
        rows = [take_row(mid) for mid in sorted(folder.glob("*.mid")) if mid.with_suffix(".json").exists()]
        for row in rows if args.v else []:
            print(show(row))
        print("\n".join(summary(name, rows)), flush=True)
        every += rows
    square = max(((r["most"] or 0.0) for r in every if r["meter"] not in AQSAQ), default=0.0)
    above = [r for r in every if r["meter"] in AQSAQ and (r.get("bar3", (None,))[0] or 0.0) > square]
    print(f"aqsaq takes believing their meter at bar 3's decision more than any square take ever did ({square:.2f}):"
          f" {len(above)} of {sum(r['meter'] in AQSAQ for r in every)}")


if __name__ == "__main__":
    main()
