"""Single-note line takes for the band: accuracy.py's line sets written as MIDI files with a truth JSON each.

    python bench/line_takes.py --sets solo,reels --out DIR [--limit 60] [--seconds 60]
    python bench/band_eval.py --sets DIR/solo,DIR/reels --jobs 1      # the band over a lone melody line

`solo` and `solo-held` (accuracy.solo_pieces: Nottingham tunes and POP909 melody tracks, one velocity; solo-held is
held out of all tuning: report it, never fit to it) and `reels` (accuracy.reel_pieces, dev) are listener sets: a
line and its beats, read in-process. band_eval reads files, so each piece's first `--seconds` (accuracy.cut) goes
to DIR/SET/NAME.mid (1 ms ticks, as accuracy.write_cut writes them for the peers) with NAME.json beside it: the
truth's beats and downbeats up to the cut, its meter (4/4 when the dataset gives none) and the line's last onset as
`last_chord` (a line has no final chord; band_eval then judges the ending against the last note). The takes are the
datasets' own lines, not ours, but played by a script at one velocity: a check of the band over a line (aqyn issue
11's band beat F on every file), beside GuitarSet's three solos.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402


def pieces(name: str, limit: int) -> list:
    """[(Piece, messages)] of line set `name`: solo, solo-held or reels."""
    found = accuracy.line_pieces(name, limit)
    if found is not None:
        return found
    raise SystemExit(f"line_takes: no line set {name!r} (solo, solo-held, reels)")


def truth(piece, messages, seconds: float) -> dict:
    """The truth JSON of one cut take (times in s): beats and downbeats up to `seconds`, meter, last onset."""
    onsets = [m.time for m in messages if m.kind == 0x90 and m.data2 > 0]
    return {"beats": [round(float(b), 4) for b in piece.beats if b <= seconds],
            "downbeats": [round(float(d), 4) for d in piece.downbeats if d <= seconds],
            "meter": piece.meter or "4/4", "last_chord": round(onsets[-1], 4), "source": piece.name}


def write_set(name: str, out: Path, limit: int, seconds: float) -> int:
    """Write set `name`'s takes to out/name; how many were written."""
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for piece, messages in pieces(name, limit):
        cut = accuracy.cut(messages, seconds)
        if not any(m.kind == 0x90 and m.data2 > 0 for m in cut):
            continue
        stem = piece.name.replace("/", "-")
        accuracy.write_cut(cut, folder / f"{stem}.mid")
        (folder / f"{stem}.json").write_text(json.dumps(truth(piece, cut, seconds)))
        count += 1
    return count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="solo,reels")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--limit", type=int, default=60)
    ap.add_argument("--seconds", type=float, default=60.0)
    args = ap.parse_args()
    for name in args.sets.split(","):
        print(f"{name}: {write_set(name, args.out, args.limit, args.seconds)} takes in {args.out / name}")


if __name__ == "__main__":
    main()
