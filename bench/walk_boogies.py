"""Straight-eighth 4/4 walking boogies through the converter simulator, with a truth JSON each (review36's kind 1,
issues 11 and 12): is a walking line of even eighths, no chord struck, counted on its beat and not on its "and"?

    python bench/walk_boogies.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (beat F, bar F, meter)

Figures, one note an eighth on the low strings, in semitones above the chord's root, a bar of eight eighths each:
`pairs` the boogie 1 1 3 3 5 5 6 6 | b7 b7 6 6 5 5 3 3 (each note twice: the pitch changes on the beat), `walk`
1 3 5 6 b7 6 5 3 (a new note every eighth: no pitch cue for the beat), `fifths` root-fifth-sixth-seventh in pairs
1 1 5 5 6 6 b7 b7, and `dyads` the root with its fifth and sixth in pairs (1+5 1+5 1+6 1+6, Chuck Berry's). Every
eighth at one level (velocity 80 +- 6) but the bar's first (96); with `chord` the 1 is also struck as a chord (its
fifth, octave and third over the root). Twelve-bar I-IV-V blues twice, then a final root. Each take goes through
bench/guitar_sim.py (a channel per string, 20-40 ms latency with the low strings later, 0-25 ms jitter, ghosts and
octave errors): the truth is at the pluck. Our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import guitar_sim  # noqa: E402
from accuracy import write_cut  # noqa: E402

FIGURES = {
    "pairs": ((0, 0, 4, 4, 7, 7, 9, 9), (10, 10, 9, 9, 7, 7, 4, 4)),
    "walk": ((0, 4, 7, 9, 10, 9, 7, 4),),
    "fifths": ((0, 0, 7, 7, 9, 9, 10, 10),),
    "dyads": ((0, 0, 0, 0, 0, 0, 0, 0),),
}
DYAD = (7, 7, 9, 9, 7, 7, 9, 9)            # the dyads figure's upper note above the root, eighth by eighth
BLUES = (0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 0)  # twelve-bar blues, the bar's root in semitones above the key's
ROOTS = {"E": 40, "F": 41, "G": 43, "A": 45, "Bb": 46, "C": 48, "D": 50}
# (figure, BPM, key, chord on the 1)
TAKES = [("pairs", 120, "A", False), ("pairs", 100, "G", False), ("pairs", 132, "E", False),
         ("pairs", 90, "C", True), ("pairs", 140, "D", False), ("pairs", 112, "A", True),
         ("walk", 120, "A", False), ("walk", 96, "E", False), ("walk", 128, "G", True),
         ("fifths", 120, "D", False), ("fifths", 108, "A", False), ("fifths", 136, "C", True),
         ("dyads", 120, "E", False), ("dyads", 126, "A", False), ("dyads", 92, "G", True)]


def notes_of(figure: str, bpm: float, key: str, chord: bool, seed: int, start: float = 1.0,
             rounds: int = 2) -> tuple[list, dict]:
    """The played notes (start s, end s, pitch, velocity) of one take and its truth (times s at the pluck)."""
    rng = random.Random(seed)
    eighth = 60.0 / bpm / 2
    notes, beats, downbeats = [], [], []
    form = BLUES * rounds
    for b, step in enumerate(form):
        at = start + 8 * b * eighth
        downbeats.append(at)
        beats += [at + 2 * i * eighth for i in range(4)]
        root = ROOTS[key] + step
        while root > 51:             # the line on the two low strings (E2..D#3), as a boogie is played
            root -= 12
        bars = FIGURES[figure]
        line = bars[b % len(bars)] if step == form[b - 1] or b == 0 else bars[0]
        for e, up in enumerate(line):
            t = at + e * eighth + rng.gauss(0, 0.006)
            velocity = (96 if e == 0 else 80) + rng.randint(-6, 6)
            pitches = [root + up] + ([root + DYAD[e]] if figure == "dyads" else [])
            notes += [(t, t + 0.85 * eighth, p, velocity) for p in pitches]
        if chord:
            t = at + rng.gauss(0, 0.006)
            notes += [(t, t + 1.8 * eighth, root + d, 84) for d in (7, 12, 16)]
    end = start + 8 * len(form) * eighth
    notes.append((end, end + 4 * eighth, ROOTS[key] - 12 * (ROOTS[key] > 51), 90))
    truth = {"meter": "4/4", "meters": [{"time": start, "meter": "4/4"}], "key": {"tonic": key, "mode": "major"},
             "beats": [round(x, 4) for x in beats + [end]], "downbeats": [round(x, 4) for x in downbeats + [end]],
             "pulse": [round(start + i * eighth, 4) for i in range(8 * len(form) + 1)],
             "playing": [[start, end + 4 * eighth]], "stops": [], "first_onset": start, "last_chord": round(end, 4)}
    return notes, truth


def write_take(out: Path, figure: str, bpm: float, key: str, chord: bool, seed: int, rounds: int = 2) -> Path:
    """Simulate one take (`rounds` twelve-bar choruses) through the converter and write OUT/NAME.mid (1 ms ticks)
    and NAME.json; returns the MIDI path."""
    notes, truth = notes_of(figure, bpm, key, chord, seed, rounds=rounds)
    config = guitar_sim.SimConfig(jitter=0.025, seed=seed)
    messages, warp = guitar_sim.GuitarSimulator(config).run(notes, beats=truth["beats"])
    for name in ("beats", "downbeats", "pulse"):
        truth[name] = [round(warp(x), 4) for x in truth[name]]
    name = f"walk44_{figure}_{'chord' if chord else 'bare'}_{key}_{bpm}"
    write_cut(messages, out / f"{name}.mid")
    (out / f"{name}.json").write_text(json.dumps(truth))
    return out / f"{name}.mid"


def main() -> None:
    """Write every take of TAKES into --out (seeds 301, 302, ... in order)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (figure, bpm, key, chord) in enumerate(TAKES):
        print(write_take(args.out, figure, bpm, key, chord, 301 + i))


if __name__ == "__main__":
    main()
