"""Where the band writes a meter that is not the player's, and of which kind (aqyn issue 11: "the band in the
player's meter on every file").

    python bench/meter_spans.py --kept DIR [--sets cases,guitarset,examples,sim2,sim3,sim-aqsaq] [--all]

Reads the renders `band_eval.py --keep DIR` left (DIR/SET/NAME.mid) beside each take's truth (the set's
NAME.json) as band_eval reads them (the band's windows, its time signatures, the truth's meters) and splits the
time the written meter is not the truth's into stretches of three kinds, by where a stretch begins:
* `entry`: at the band's first note (it came in on a meter the listener had not settled);
* `follow`: at a meter change of the player's (the band still in the old meter: the listener's and the band's lag);
* `flip`: elsewhere (the band left the player's meter and came back, or never found it).
Per take with any such time: the seconds of each kind out of the band's time, and the stretches (start, end,
written, true). The summary counts, per set, the takes with each kind and the seconds of each. Sets: cases,
guitarset, examples, sim2, sim3, sim-aqsaq, sim2-held, or any folder of NAME.mid + NAME.json (the kept renders'
subfolder is the folder's name, as band_eval names it). The held-out sets are for reporting only.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_eval as be  # noqa: E402

SETS = {**be.SETS, **{name: ROOT / "bench" / ".cache" / name for name in ("sim2", "sim2-held", "sim3", "sim-aqsaq")}}
AT = 0.2       # s: a stretch beginning this close to the band's entry or a change of the truth's begins there
KINDS = ("entry", "follow", "flip")


def wrong_stretches(out: Path, truth: be.Truth) -> tuple[float, list[tuple[float, float, str, str, str]]]:
    """(the band's time in s, [(start s, end s, written meter, true meter, kind)]) for the render `out`."""
    mid = be.read_midi(out)
    grid = be.daw_grid(mid)
    windows = be.compare_windows(be.band_spans(be.note_ons(mid, be.Clock(mid), be.BAND_TRACKS), grid), truth)
    if not windows:
        return 0.0, []
    end = max([b for _, b in windows] + [grid.segments[-1].end])
    true_spans = be.truth_meter_spans(truth, end)
    changes = [t for t, _ in truth.meters[1:]]
    stretches = []
    for seg in grid.segments:
        for a, b, meter in true_spans:
            if meter == seg.meter:
                continue
            for lo, hi in be.intersect(windows, [(max(seg.start, a), min(seg.end, b))]):
                if hi - lo > 1e-3:
                    stretches.append([lo, hi, seg.meter, meter])
    stretches.sort()
    merged: list[list] = []
    for s in stretches:     # a run of written meters (4/4 then a cut 1/4 bar) against one truth meter is one stretch
        if merged and s[0] - merged[-1][1] < 1e-3 and s[3] == merged[-1][3]:
            merged[-1][1], merged[-1][2] = s[1], merged[-1][2] + "," + s[2]
        else:
            merged.append(s)
    out_rows = []
    for lo, hi, written, true in merged:
        kind = ("entry" if abs(lo - windows[0][0]) < AT else
                "follow" if any(abs(lo - c) < AT for c in changes) else "flip")
        out_rows.append((lo, hi, written, true, kind))
    return sum(b - a for a, b in windows), out_rows


def run_set(name: str, kept: Path, show_all: bool) -> dict[str, list[float]]:
    """Print one set's takes; return per kind the seconds of each take that has it."""
    folder = SETS.get(name, Path(name)).resolve()
    label = name if name in SETS else folder.name
    per_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    for out in sorted((kept / label).glob("*.mid")):
        truth = folder / f"{out.stem}.json"
        if not truth.exists():
            continue
        total, rows = wrong_stretches(out, be.load_truth(truth))
        seconds = {k: sum(hi - lo for lo, hi, *_, kind in rows if kind == k) for k in KINDS}
        for k in KINDS:
            if seconds[k] > 0:
                per_kind[k].append(seconds[k])
        if rows or show_all:
            kinds = ", ".join(f"{k} {seconds[k]:.1f}" for k in KINDS if seconds[k] > 0) or "none"
            spans = " ".join(f"[{lo:.1f}-{hi:.1f} {w} for {t}]" for lo, hi, w, t, _ in rows)
            print(f"  {label}/{out.stem}: {sum(seconds.values()):.1f} of {total:.1f} s ({kinds}) {spans}")
    return per_kind


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kept", type=Path, required=True, help="band_eval.py's --keep folder")
    ap.add_argument("--sets", default="cases,guitarset,examples,sim2,sim3,sim-aqsaq")
    ap.add_argument("--all", action="store_true", help="a line for every take, not only those with wrong time")
    args = ap.parse_args(argv)
    for name in args.sets.split(","):
        per_kind = run_set(name, args.kept, args.all)
        summary = "; ".join(f"{k} {len(v)} takes {sum(v):.1f} s" for k, v in per_kind.items())
        print(f"{name}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
