"""Fast 2/4 oom-pah (polka, bluegrass boom-chick) at 100-140 BPM from a converter-like player (issue 11 deliver 3
and 4; review36's polka_F_132_2bar kind, heard at half tempo and the band in after 13 bars): is a polka at 132
counted at 132 in 2/4, and does the band come in within about two bars?

    python bench/polka_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1 --verbose      # the band on them (meter, beat F, entry)
    python bench/entry_wait.py -v --sets DIR                      # where the entry waits

Figures (one stroke an eighth; "B" the bass alone: the root on odd bars, the fifth below or above on even bars;
"C" the chord on the four top strings, a short chuck; "U" an up-strum on the top three; "." none): polka `B.C.`
and `B.CU`, bluegrass boom-chick `B.C.` with a muted chuck, each with one- or two-bar chords, at 100-140 BPM in six
keys, 32 bars of I IV V I vi IV V I (two-bar chords: each chord held two bars), then a final chord. The player:
one MIDI channel per string, a converter latency of 20-40 ms per note (lower strings later), a strum's strings
8-18 ms apart, the strokes' timing jittered (sd 7 ms) and their velocities +-8. The truth holds what
band_eval.py reads (as bench/compound_strums.py writes it). Our own takes: a check of a kind, not evidence.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import NAMES, PROGRESSION, chord, midi_of, write_all  # noqa: E402

ROOTS = {"C": 48, "D": 50, "E": 40, "F": 41, "G": 43, "A": 45, "Bb": 46}
# name: (strokes, bars a chord, chuck length in eighths, velocities by stroke), tempi as (BPM, key) per kind
FIGURES = {
    "polka": ("B.C.", 2, 0.7, {"B": 92, "C": 70}),
    "polka-up": ("B.CU", 2, 0.6, {"B": 92, "C": 72, "U": 58}),
    "polka-1bar": ("B.C.", 1, 0.7, {"B": 92, "C": 70}),
    "bluegrass": ("B.C.", 2, 0.35, {"B": 95, "C": 66}),
    "bluegrass-1bar": ("B.C.", 1, 0.35, {"B": 95, "C": 66}),
}
TEMPI = ((100, "D"), (112, "G"), (120, "A"), (132, "F"), (140, "C"), (126, "Bb"))
STRINGS = {"C": range(2, 6), "U": range(5, 2, -1)}


def latency(rnd: random.Random, string: int) -> float:
    """A converter's pluck-to-note-on delay (s) on `string` (0 the low E): 20-40 ms, lower strings later."""
    return 0.020 + 0.003 * (5 - string) + rnd.uniform(0.0, 0.006)


def take(strokes: str, per_chord: int, chuck: float, levels: dict, bpm: float, key: str, seed: int,
         bars: int = 32) -> tuple[mido.MidiFile, dict]:
    """The MIDI file (one channel per string, 960 ticks a second) and truth of one take."""
    rnd = random.Random(seed)
    eighth = 60.0 / bpm / 2
    bar_len, start = len(strokes) * eighth, 1.0
    events, beats, downbeats, chords = [], [], [], []
    for b in range(bars):
        at = start + b * bar_len
        degree, minor = PROGRESSION[b // per_chord % len(PROGRESSION)]
        notes = chord(ROOTS[key] + degree, minor)
        label = NAMES[(ROOTS[key] + degree) % 12] + (":min" if minor else ":maj")
        if not chords or chords[-1]["label"] != label:
            chords.append({"time": round(at, 4), "label": label})
        downbeats.append(at)
        beats += [at, at + 2 * eighth]
        for e, stroke in enumerate(strokes):
            if stroke == ".":
                continue
            t = at + e * eighth + rnd.gauss(0, 0.007)
            if stroke == "B":       # root, then the fifth (below on the low strings) the next bar
                pitches, strings = [notes[0] if b % 2 == 0 else notes[1] - (12 if notes[1] >= 52 else 0)], [0]
                length = 1.6 * eighth
            else:
                strings = list(STRINGS[stroke])
                pitches, length = [notes[s] for s in strings], chuck * eighth
            spread = rnd.uniform(0.008, 0.018)
            for j, (pitch, s) in enumerate(zip(pitches, strings)):
                on = t + spread * j + latency(rnd, s)
                v = max(1, min(127, levels[stroke] + rnd.randint(-8, 8)))
                events += [(on, 1, pitch, v, s), (on + length, 0, pitch, 0, s)]
    end = start + bars * bar_len
    for s, pitch in enumerate(chord(ROOTS[key], False)):
        on = end + 0.012 * s + latency(rnd, s)
        events += [(on, 1, pitch, 80, s), (end + 2 * bar_len, 0, pitch, 0, s)]
    truth = {"meter": "2/4", "meters": [{"time": start, "meter": "2/4"}], "key": {"tonic": key, "mode": "major"},
             "beats": [round(x, 4) for x in beats + [end]], "downbeats": [round(x, 4) for x in downbeats + [end]],
             "pulse": [round(start + i * eighth, 4) for i in range(bars * len(strokes) + 1)], "chords": chords,
             "playing": [[start, end + bar_len]], "stops": [], "first_onset": start, "last_chord": round(end, 4)}
    return midi_of(events), truth


def takes():
    """Every figure at each tempo: (stem, (MIDI file, truth)), seeds 301, 302, ... in order."""
    seed = 300
    for name, row in FIGURES.items():
        for bpm, key in TEMPI:
            seed += 1
            yield f"2-4_{name}_{key}_{bpm}", take(*row, bpm, key, seed)


if __name__ == "__main__":
    write_all(__doc__, takes())
