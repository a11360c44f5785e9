"""Dynamics: does the band follow the player's loudness and density, bar by bar, without flickering?

    python bench/dynamics.py [IN.mid] [--style auto] [--seed 0]

Renders the take through `aqyn render` (a separate process, as a user would) and reads the output MIDI as a
DAW does: per bar of the file, the guitar's mean note-on velocity and notes, and the band's (dombra and
percussion tracks). Prints one row per bar with text bars, so the two curves can be seen side by side, and
how often the band's notes per bar changed direction against the player's (flicker). Default input:
../shared/cases/bug-reports/d-dorian-soft-middle.mid (the D dorian example with 8 bars played very softly),
else examples/d_dorian_96_4-4.mid.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parents[1]
SOFT = ROOT.parent / "shared" / "cases" / "bug-reports" / "d-dorian-soft-middle.mid"


def per_bar(mid: mido.MidiFile) -> list[dict]:
    """Per bar of the file (its time signatures): velocity mean and note count of the guitar and the band."""
    sigs, t = [], 0
    for m in mid.tracks[0]:
        t += m.time
        if m.type == "time_signature":
            sigs.append((t, m.numerator * mid.ticks_per_beat * 4 // m.denominator))
    sigs = sigs or [(0, mid.ticks_per_beat * 4)]
    notes: dict[str, list[tuple[int, int]]] = {"guitar": [], "band": []}
    for track in mid.tracks[1:]:
        who = "guitar" if track.name == "guitar" else "band"
        t = 0
        for m in track:
            t += m.time
            if m.type == "note_on" and m.velocity > 0:
                notes[who].append((t, m.velocity))
    end = max((t for lst in notes.values() for t, _ in lst), default=0)
    lines, tick, i = [], 0, 0
    while tick <= end:
        while i + 1 < len(sigs) and sigs[i + 1][0] <= tick:
            i += 1
        lines.append(tick)
        tick += sigs[i][1]
    lines.append(tick)
    rows = []
    for a, b in zip(lines, lines[1:]):
        row = {}
        for who, lst in notes.items():
            vel = [v for t, v in lst if a <= t < b]
            row[who] = (len(vel), sum(vel) / len(vel) if vel else 0.0)
        rows.append(row)
    return rows


def flicker(counts: list[int]) -> int:
    """How often a series changes direction (up then down, or down then up) from bar to bar."""
    steps = [b - a for a, b in zip(counts, counts[1:]) if b != a]
    return sum(1 for a, b in zip(steps, steps[1:]) if (a > 0) != (b > 0))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = SOFT if SOFT.exists() else ROOT / "examples" / "d_dorian_96_4-4.mid"
    ap.add_argument("input", nargs="?", default=str(default))
    ap.add_argument("--style", default="auto")
    ap.add_argument("--seed", default="0")
    ap.add_argument("--aqyn", default=str(ROOT / ".venv" / "bin" / "aqyn"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "band.mid"
        subprocess.run([args.aqyn, "render", args.input, "-o", str(out), "--style", args.style, "--seed", args.seed],
                       check=True, capture_output=True)
        rows = per_bar(mido.MidiFile(out))
    print(f"{Path(args.input).name}, style {args.style}: per bar of the output file")
    print(f"{'bar':>4} {'guitar vel':>10} {'notes':>5}  {'band vel':>8} {'notes':>5}  guitar velocity | band notes")
    for k, row in enumerate(rows, 1):
        (gn, gv), (bn, bv) = row["guitar"], row["band"]
        print(f"{k:>4} {gv:>10.0f} {gn:>5} {bv:>8.0f} {bn:>5}  {'#' * round(gv / 8):<16}| {'*' * round(bn / 4)}")
    band = [row["band"][0] for row in rows if row["band"][0]]
    print(f"band notes per bar change direction {flicker(band)} times over {len(band)} bars")
    return 0


if __name__ == "__main__":
    sys.exit(main())
