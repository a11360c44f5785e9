#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""kind_table: band_eval's and accuracy.py's per-take figures grouped by the take's kind (the name's stem before
its first "_": bossa_4-4_D-minor_s10 -> bossa), one row per kind, for the simulated sets whose names carry it.

    python bench/kind_table.py [--band BAND.json] [--listener ACCURACY.txt] [--sets sim4,sim4-held]

--band reads `band_eval.py --json`'s takes (beat F, bar F, meter ok, entry bars, entry on a downbeat, files with
a jump > 15 %); --listener reads the per-take lines accuracy.py prints (the online key, key exact, meter, beat F,
downbeat F, tempo strict and octave, chord majmin). Each row is the mean over the kind's takes (a count for the
yes/no columns); ALL is every take read.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

LISTENER = ("key online", "key exact online", "meter online", "beat F-measure online", "downbeat F online",
            "tempo strict online", "tempo octave online", "chord majmin online")
ROW = re.compile(r"^\s+([\w.-]+)/(\S+): (.*)$")


def kind_of(take: str) -> str:
    """The kind a simulated take's name starts with: 'sixteenths_4-4_E-major_s07' -> 'sixteenths'."""
    return take.split("_")[0]


def band_figures(report: dict, sets: set | None) -> dict[str, list[dict]]:
    """Per kind, one dict per take of a band_eval JSON: beat F, bar F, meter ok, entry bars, entry on a
    downbeat, jumped (any jump over 15 %)."""
    out = defaultdict(list)
    for name, entry in report["sets"].items():
        if sets and name not in sets:
            continue
        for t in entry["takes"]:
            if t.get("crash") or not t.get("beat"):
                continue
            out[kind_of(t["take"])].append({"beat F": t["beat"]["f"], "bar F": t["bar"]["f"],
                                            "meter ok": float(bool(t["meter_ok"])),
                                            "entry bars": t.get("entry_bars") or 0.0,
                                            "entry on db": float(bool(t.get("entry_on_downbeat"))),
                                            "jumped": float((t.get("jumps_over") or 0) > 0)})
    return out


def listener_figures(lines, sets: set | None) -> dict[str, list[dict]]:
    """Per kind, one dict per take of accuracy.py's printed per-take lines ('  SET/TAKE: metric=value ...')."""
    out = defaultdict(list)
    for line in lines:
        m = ROW.match(line)
        if not m or (sets and m.group(1) not in sets):
            continue
        values = {k: float(v.group(1)) for k in LISTENER if (v := re.search(re.escape(k) + r"=([\d.]+)", m.group(3)))}
        if values:
            out[kind_of(m.group(2))].append(values)
    return out


def table(figures: dict[str, list[dict]]) -> list[str]:
    """Text rows: kind, takes, then the mean of every column over the kind's takes; ALL last."""
    if not figures:
        return []
    cols = list(dict.fromkeys(k for rows in figures.values() for r in rows for k in r))
    every = [r for rows in figures.values() for r in rows]
    head = f"{'kind':12s} {'n':>3s} " + " ".join(f"{c.replace(' online', '')[:12]:>12s}" for c in cols)
    out = [head]
    for kind, rows in sorted(figures.items()) + [("ALL", every)]:
        means = [sum(r.get(c, 0.0) for r in rows) / len(rows) for c in cols]
        out.append(f"{kind:12s} {len(rows):3d} " + " ".join(f"{m:12.2f}" for m in means))
    return out


def main(argv=None) -> int:
    """Command line: print the band's and the listener's tables by kind."""
    ap = argparse.ArgumentParser(description="band_eval / accuracy.py figures by the takes' kind")
    ap.add_argument("--band", type=Path, help="band_eval.py --json output")
    ap.add_argument("--listener", type=Path, help="accuracy.py's printed output")
    ap.add_argument("--sets", help="comma-separated set names to keep (default: every set)")
    a = ap.parse_args(argv)
    sets = set(a.sets.split(",")) if a.sets else None
    if a.band:
        print("band (band_eval.py): means per kind; meter ok, entry on db, jumped are fractions of takes")
        print("\n".join(table(band_figures(json.loads(a.band.read_text()), sets))))
    if a.listener:
        print("listener (accuracy.py, online): means per kind")
        print("\n".join(table(listener_figures(a.listener.read_text().splitlines(), sets))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
