"""When an aqsaq take's band comes in against when the listener hears its meter (aqyn issue 11).

    python bench/aqsaq_entries.py [--sets sim-aqsaq,sim2,sim3]

Per take whose truth meter is 5/8 or 7/8, in the truth's bars (its mean bar) from the guitar's first note: `in`,
the band's first note, the meter it came in on (the entry marker's) and whether that note is on a truth downbeat
(within TOL); and the aqsaq watch (engine/listen/aqsaq.py) on the truth's meter, at the slot where each first
happened: `stir`, the listener's belief reached STIR (a band not in yet waits for it in simple time); `lean`, it
reached LEAN (in compound time too); `named`, the meter was named; `filter`, the entry filter's belief (OPENING, a
bar starting at the first note) reached STIR ('-': never). A band in off the downbeat before `stir` and `filter`
had no live aqsaq hypothesis to wait on; one in after them did. In-process (engine.render.play), watching
`AqsaqWatch._read` through a wrapper put back after each take.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from watching import patched  # noqa: E402

from engine.events import Marker, Note  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import aqsaq  # noqa: E402
from engine.render import play  # noqa: E402

FOLDERS = {name: ROOT / "bench" / ".cache" / name for name in ("sim-aqsaq", "sim2", "sim3", "sim2-held")}
TOL = 0.07      # s: a note this close to a truth downbeat is on it (band_eval.py's)


def firsts(watch: aqsaq.AqsaqWatch, meter: str, seen: dict[str, float]) -> None:
    """Record into `seen` the time (s) of the slot weighed last for each of stir, lean, named and filter (see the
    module docstring) the first time it holds for `meter`."""
    belief = watch._masses(watch._belief)[meter]
    opening = watch._masses(watch._entry)[meter] if watch._entry is not None else 0.0
    for key, holds in (("stir", belief >= aqsaq.STIR), ("lean", belief >= aqsaq.LEAN),
                       ("named", watch._named == meter), ("filter", opening >= aqsaq.STIR)):
        if holds and key not in seen:
            seen[key] = watch._last


def take(mid: Path) -> dict | None:
    """One aqsaq take's row (see the module docstring), or None for a take in another meter."""
    truth = json.loads(mid.with_suffix(".json").read_text())
    meter = truth["meter"]
    if meter not in aqsaq.GROUPS:
        return None
    seen: dict[str, float] = {}
    read = aqsaq.AqsaqWatch._read

    def watched(self):
        read(self)
        firsts(self, meter, seen)

    with patched(aqsaq.AqsaqWatch, "_read", watched):
        _, events = play(read_guitar_file(mid))
    downbeats, first = truth["downbeats"], truth["first_onset"]
    bar = (downbeats[-1] - downbeats[0]) / (len(downbeats) - 1)
    entry = next(e for e in events if isinstance(e, Marker) and e.text.startswith("band in"))
    start = min(e.time for e in events if isinstance(e, Note))
    row = {"take": mid.stem, "meter": meter, "in": round((start - first) / bar, 2),
           "heard": entry.text.rsplit("(", 1)[-1].rstrip(")"),
           "on": min(abs(start - d) for d in downbeats) <= TOL}
    row.update({k: round((seen[k] - first) / bar, 2) if k in seen else "-"
                for k in ("stir", "lean", "named", "filter")})
    return row


def main() -> None:
    """Print a row per aqsaq take and each set's count of entries on a downbeat."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sim-aqsaq,sim2,sim3")
    args = ap.parse_args()
    for name in args.sets.split(","):
        folder = FOLDERS.get(name, Path(name))
        rows = [r for mid in sorted(folder.glob("*.mid")) if mid.with_suffix(".json").exists()
                and (r := take(mid)) is not None]
        for r in rows:
            print(f"  {name}/" + " ".join(f"{k}={v}" for k, v in r.items()), flush=True)
        print(f"{name}: {sum(r['on'] for r in rows)}/{len(rows)} aqsaq takes came in on a downbeat", flush=True)


if __name__ == "__main__":
    main()
