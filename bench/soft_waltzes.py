"""Waltzes whose middle goes soft and thin, from bench/player_sim.py (its waltz34 kind with its dynamics tag on every
take), with a truth JSON each (held-out sim2-held waltz_3-4_C-mixolydian+dynamics_s16's kind, issue 11): the soft
bars keep a bass on 1 and chords on the "and"s of 2 and 3 at about a third of the velocity, which fit half the bar
(3:2 of the beat) better than the beat; does the listener keep the beat it held, and the band with it?

    python bench/soft_waltzes.py --out DIR [--seed 7] [--count 30]
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (beat F, jumps, bar F)

Seeds 1, 2 and 3 are player_sim's sim2, sim3 and sim2-held sets' (bench/.cache): use another. Our own takes: a check
of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import player_sim  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Write --count waltz34 takes with the dynamics tag from --seed into --out (NAME.mid, NAME.json)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--seed", type=int, default=7, help="player_sim seed (not 1, 2 or 3: the cached sets')")
    ap.add_argument("--count", type=int, default=30, help="number of takes")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    for i in range(a.count):
        take = player_sim.make_take("waltz34", a.seed, i, ("dynamics",))
        (a.out / f"{take.name}.mid").write_bytes(take.midi)
        (a.out / f"{take.name}.json").write_text(json.dumps(take.truth) + "\n")
        print(player_sim.summary(take))
    return 0


if __name__ == "__main__":
    sys.exit(main())
