"""12/8 shuffles and boogies as a converter sends them, with their truth (session 30, twelve30; issue 11 deliver 3,
issue 12 meter): is a 12/8 shuffle heard in 12/8 from its first bars, not 6/8?

    python bench/shuffle_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1 --verbose

A twelve-bar blues (I I I I IV IV I I V IV I V, or the quick change I IV I I ...) played two choruses and a final
chord, each 12/8 bar four dotted-quarter beats struck long-short on their triplet eighths (the long note two eighths,
the short one), one of FIGURES: `dyad` the boogie's root-fifth / root-sixth dyad (5 on the 1 and 3, 6 on the 2 and
4), `dyad7` the same climbing to the flat seventh on the 3 (5 6 b7 6), `walk` a walking bass (1 3 5 6 b7 6 5 3),
`strum` a strummed seventh chord (down on the long eighth, up on the short). Accents (ACCENTS): `back` the shuffle's
backbeat (2 and 4 louder, as a drummer's snare), `even` (every beat alike), `one` (the 1 louder, the 3 a little).
A converter-like player: a MIDI channel a string (low E = 0), latency 20-40 ms with the low strings later and a few
ms of jitter, strums spread 8-14 ms a string in the stroke's direction, onsets humanised, velocities +-6. The
truth's beat is the dotted quarter, its meter 12/8. Our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402

OPEN = (40, 45, 50, 55, 59, 64)                 # standard tuning, MIDI, low E first
NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
FORMS = {"slow": (0, 0, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7), "quick": (0, 5, 0, 0, 5, 5, 0, 0, 7, 5, 0, 7)}
# per figure, the eight long/short strokes of a bar: intervals over the bar's root struck with it (a dyad), or a
# walking bass's single notes, or "D"/"U" strums
FIGURES = {"dyad": [(0, 7)] * 2 + [(0, 9)] * 2 + [(0, 7)] * 2 + [(0, 9)] * 2,
           "dyad7": [(0, 7)] * 2 + [(0, 9)] * 2 + [(0, 10)] * 2 + [(0, 9)] * 2,
           "walk": [(0,), (4,), (7,), (9,), (10,), (9,), (7,), (4,)],
           "strum": ["D", "U"] * 4}
ACCENTS = {"back": (0, 12, 2, 12), "even": (0, 0, 0, 0), "one": (12, 0, 6, 0)}   # velocity added on each beat
# (figure, form, accents, dotted quarters a minute, key)
RUNS = [("dyad", "slow", "back", 96, "A"), ("dyad", "quick", "back", 120, "E"), ("dyad", "slow", "even", 80, "G"),
        ("dyad7", "quick", "back", 104, "A"), ("dyad7", "slow", "one", 128, "E"), ("walk", "slow", "back", 104, "E"),
        ("walk", "quick", "back", 128, "A"), ("walk", "slow", "even", 72, "G"), ("walk", "quick", "one", 90, "C"),
        ("strum", "slow", "back", 76, "A"), ("strum", "quick", "back", 60, "G"), ("strum", "slow", "even", 54, "E"),
        ("strum", "quick", "back", 112, "E"), ("dyad", "quick", "even", 66, "C"), ("walk", "slow", "back", 84, "F"),
        ("dyad7", "slow", "back", 52, "G")]


def string_of(pitch: int) -> int:
    """The string (0 = low E) a guitarist plays `pitch` on in the open position: the highest whose open note is not
    over it."""
    return max(s for s, p in enumerate(OPEN) if p <= pitch)


def root_pitch(key: str, step: int) -> int:
    """The bass's MIDI pitch of the chord `step` semitones over the key's tonic, on the low E or A string."""
    pc = (NAMES.index(key) + step) % 12
    return 40 + (pc - 4) % 12 if (pc - 4) % 12 < 7 else 45 + (pc - 9) % 12


def stroke_pitches(stroke, root: int) -> list[int]:
    """The pitches a stroke sounds, low to high: a dyad or line note over `root`, or a strummed seventh chord."""
    if stroke in ("D", "U"):
        chord = [root, root + 7, root + 10, root + 16, root + 19]
        return chord if stroke == "D" else chord[-4:]
    return [root + i for i in stroke]


def perform(figure: str, form: str, accents: str, bpm: float, key: str, seed: int,
            start: float = 1.0) -> tuple[list, dict]:
    """The take's note events (time s, on, pitch, velocity, channel) and its truth as band_eval.py reads it."""
    rnd = random.Random(seed)
    beat = 60.0 / bpm
    bars = list(FORMS[form]) * 2
    beats = [start + k * beat for k in range(4 * len(bars) + 1)]
    events, ringing = [], {}
    for b, step in enumerate(bars + [0]):
        root = root_pitch(key, step)
        strokes = FIGURES[figure] if b < len(bars) else ["D" if figure == "strum" else FIGURES[figure][0]]
        for e, stroke in enumerate(strokes):
            k = 4 * b + e // 2
            t = beats[k] + (2 * beat / 3 if e % 2 else 0.0) + rnd.gauss(0, 0.008)
            level = (70 if e % 2 else 84) + ACCENTS[accents][k % 4]
            pitches = stroke_pitches(stroke, root)
            order = pitches[::-1] if stroke == "U" else pitches
            spread = rnd.uniform(0.008, 0.014) if stroke in ("D", "U") else 0.003
            length = (2 * beat / 3 if e % 2 == 0 else beat / 3) * (0.95 if figure == "strum" else 0.75)
            for j, pitch in enumerate(order):
                s = string_of(pitch)
                on = t + spread * j + 0.040 - 0.004 * s + rnd.uniform(-0.003, 0.003)
                if s in ringing:
                    events.append((min(ringing[s][0], on - 0.002), 0, ringing[s][1], 0, s))
                off = on + (length if b < len(bars) else 3.0)
                events.append((on, 1, pitch, max(1, min(127, level + rnd.randint(-6, 6))), s))
                ringing[s] = (off, pitch)
    events += [(off, 0, pitch, 0, s) for s, (off, pitch) in ringing.items()]
    first = min(e[0] for e in events)
    chords, seventh = [], "7" if figure in ("strum", "dyad7", "walk") else "5"
    for b, step in enumerate(bars):
        label = f"{NAMES[(NAMES.index(key) + step) % 12]}:{seventh}"
        if not chords or chords[-1]["label"] != label:
            chords.append({"time": round(beats[4 * b], 4), "label": label})
    pulse = [beats[i] + j * beat / 3 for i in range(len(beats) - 1) for j in range(3)]
    truth = {"meter": "12/8", "meters": [{"time": first, "meter": "12/8"}], "key": {"tonic": key, "mode": "mixolydian"},
             "bpm": bpm, "beats": [round(x, 4) for x in beats], "downbeats": [round(x, 4) for x in beats[::4]],
             "pulse": [round(x, 4) for x in pulse], "chords": chords, "playing": [[first, beats[-1] + 2.0]],
             "stops": [], "first_onset": round(first, 4), "last_chord": round(beats[-1], 4)}
    return events, truth


def main() -> None:
    """Write every run of RUNS into --out (seeds 3001, 3002, ... in order)."""
    out = []
    for seed, (figure, form, accents, bpm, key) in enumerate(RUNS, 3001):
        events, truth = perform(figure, form, accents, bpm, key, seed)
        out.append((f"shuffle128_{figure}_{form}_{accents}_{bpm}_{key}", (midi_of(events), truth)))
    write_all(__doc__, out)


if __name__ == "__main__":
    main()
