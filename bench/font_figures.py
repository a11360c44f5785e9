"""The figures of aqyn's own SoundFont (soundfonts/aqyn.sf2), measured as tests/test_soundfont_quality.py
measures them, through the real FluidSynth, and beside FluidR3_GM where a GM sound stands in its place.

    python bench/font_figures.py [--gm /usr/share/sounds/sf2/FluidR3_GM.sf2]

Prints: build time and size; the tuning error (cents, YIN) of every dombra key at velocities 50, 90 and 120;
the -20 dB time of a held note every other key, and of the teris; the centroid of the first 0.3 s at each
velocity; and for each drum note the styles play: centroid, -20 dB time and RMS of the loud hit (velocity
120), ours and the GM font's. Takes about half a minute.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from test_soundfont_quality import (  # noqa: E402
    DOMBRA_KEYS,
    FONT,
    RATE,
    TERIS_PROGRAM,
    centroid,
    cents,
    fall_time,
    kit_notes,
    play,
    yin,
)

from engine.arrange.band import DOMBRA_PROGRAM  # noqa: E402


def tuning(font: Path) -> dict[int, list[float]]:
    """key -> cents off at velocities 50, 90, 120."""
    out: dict[int, list[float]] = {k: [] for k in DOMBRA_KEYS}
    for velocity in (50, 90, 120):
        audio = play(font, [(0.6 * i, 0, k, velocity, 0.45) for i, k in enumerate(DOMBRA_KEYS)],
                     0.6 * len(DOMBRA_KEYS), {0: DOMBRA_PROGRAM})
        for i, k in enumerate(DOMBRA_KEYS):
            at = int((0.6 * i + 0.1) * RATE)
            out[k].append(cents(yin(audio[at: at + int(0.3 * RATE)], 440 * 2 ** ((k - 69) / 12)), k))
    return out


def decays(font: Path, program: int, keys: list[int], hold: float) -> dict[int, float]:
    """key -> seconds to -20 dB of a note held `hold` s at velocity 100."""
    audio = play(font, [((hold + 0.1) * i, 0, k, 100, hold) for i, k in enumerate(keys)], (hold + 0.1) * len(keys),
                 {0: program})
    return {k: fall_time(audio[int((hold + 0.1) * i * RATE): int(((hold + 0.1) * i + hold) * RATE)])
            for i, k in enumerate(keys)}


def drums(font: Path, notes: list[int]) -> dict[int, tuple[float, float, float]]:
    """note -> (centroid Hz of the first 250 ms, -20 dB time s, RMS dB of the first 250 ms) at velocity 120."""
    audio = play(font, [(1.5 * i, 9, n, 120, 0.1) for i, n in enumerate(notes)], 1.5 * len(notes))
    out = {}
    for i, n in enumerate(notes):
        x = audio[int(1.5 * i * RATE): int((1.5 * i + 1.4) * RATE)]
        out[n] = (centroid(x[:RATE // 4]), fall_time(x), 20 * np.log10(np.sqrt((x[:RATE // 4] ** 2).mean()) + 1e-12))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gm", type=Path, default=Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "soundfonts" / "build.py"), str(FONT)], check=True, capture_output=True)
    size = FONT.stat().st_size
    print(f"build {time.perf_counter() - t0:.1f} s, {size} bytes ({size / 2**20:.2f} MiB)")
    tune = tuning(FONT)
    worst = max(abs(c) for cs in tune.values() for c in cs)
    print(f"tuning, cents off at velocity 50/90/120 (worst {worst:.2f}):")
    print("  " + "  ".join(f"{k}:{'/'.join(f'{c:+.1f}' for c in cs)}" for k, cs in tune.items()))
    keys = list(range(45, 80, 2))
    plucked = decays(FONT, DOMBRA_PROGRAM, keys, 1.9)
    print(f"plucked -20 dB (s): {min(plucked.values()):.2f}-{max(plucked.values()):.2f}; "
          + " ".join(f"{k}:{t:.2f}" for k, t in plucked.items()))
    teris = decays(FONT, TERIS_PROGRAM, keys[::2], 0.9)
    print(f"teris -20 dB (s): {min(teris.values()):.2f}-{max(teris.values()):.2f}")
    for k in (45, 57, 69, 79):
        audio = play(FONT, [(0.5 * i, 0, k, v, 0.4) for i, v in enumerate((50, 90, 120))], 1.5, {0: DOMBRA_PROGRAM})
        c = [centroid(audio[int(0.5 * i * RATE): int((0.5 * i + 0.3) * RATE)]) for i in range(3)]
        print(f"centroid of key {k} at velocity 50/90/120: {c[0]:.0f}/{c[1]:.0f}/{c[2]:.0f} Hz")
    notes = sorted(kit_notes())
    ours = drums(FONT, notes)
    gm = drums(args.gm, notes) if args.gm.is_file() else {}
    print(f"{'note':>5}{'centroid':>10}{'-20 dB s':>10}{'RMS dB':>8}   {args.gm.stem + ':':>12}{'centroid':>10}"
          f"{'-20 dB s':>10}{'RMS dB':>8}")
    for n in notes:
        g = gm.get(n, (float("nan"),) * 3)
        print(f"{n:>5}{ours[n][0]:10.0f}{ours[n][1]:10.2f}{ours[n][2]:8.1f}   {'':>12}"
              f"{g[0]:10.0f}{g[1]:10.2f}{g[2]:8.1f}")


if __name__ == "__main__":
    main()
