"""Rubato, ritardando and accelerando played as a player plays them, written with mido, with the tempo curve as
truth (aqyn issue 11: does the band follow a player's push and pull within a beat or two?).

    python bench/rubato_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (beat F, jumps, bar F)
    python -P bench/band_gap.py --sets DIR --beats     # the band's beats beside the listener's

Kinds, each beat's length from a tempo curve (the truth's beats are its beats, the eighth pulse halves each beat):
`ballad` 4/4 strummed D.DUDUDU, 8-bar phrases pushed and pulled (+-4 % a bar, a sine over two bars), the last bar
of each phrase a ritardando to 25 % slower and the next phrase back a tempo on its downbeat; `waltz` 3/4 oom-pah-pah
(bass on 1, chord on 2 and 3), each 4-bar phrase breathing (faster into its middle, +5 %, slower into its end,
-7 %); `folk` 2/4 polka (bass, chord, up-strum on the "and") with a gradual accelerando, 100 -> 132 BPM over 32 bars,
then held; `drift` review23's 4/4 at 104 with +-3.5 % rubato over 6 bars (a sine), quarter and eighth strums.
Progression I IV V I vi IV V I a bar a chord, 32 bars, then a final chord; strokes humanised (6 ms) by a fixed
seed. Our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import KEYS, PROGRESSION, bar, chord, midi_of, write_table  # noqa: E402

STRINGS = {"D": range(6), "U": range(5, 1, -1), "C": range(2, 6)}
LEVELS = {"D": 88, "U": 76, "B": 92, "C": 70}


def ballad(bpm: float):
    """Beat length (s) of beat i (bar b, beat k of 4): phrase rubato and a ritardando on each 8th bar."""
    def length(b: int, k: int) -> float:
        push = 0.04 * math.sin(2 * math.pi * (b + k / 4) / 2)
        rit = 0.25 * ((k + 1) / 4) ** 1.5 if b % 8 == 7 else 0.0
        return 60 / bpm * (1 + rit - push)
    return length


def waltz(bpm: float):
    """Beat length of a waltz breathing over 4-bar phrases: faster into the middle, slower into the end."""
    def length(b: int, k: int) -> float:
        x = ((b % 4) + k / 3) / 4                     # 0..1 through the phrase
        return 60 / bpm * (1 - 0.05 * math.sin(math.pi * x) + 0.07 * max(0.0, x - 0.75) / 0.25)
    return length


def folk(bpm: float, bars: int = 32, to: float = 132):
    """An accelerando from `bpm` to `to` over `bars` 2/4 bars, then held."""
    def length(b: int, k: int) -> float:
        x = min(1.0, (b + k / 2) / bars)
        return 60 / (bpm + (to - bpm) * x)
    return length


def drift(bpm: float):
    """review23's L6: +-3.5 % a sine over 6 bars of 4/4."""
    def length(b: int, k: int) -> float:
        return 60 / bpm * (1 + 0.035 * math.sin(2 * math.pi * (b + k / 4) / 6))
    return length


# name: (strokes an eighth, beats a bar, meter, tempo curve, (BPM, key) pairs)
KINDS = {
    "ballad": ("D.DUDUDU", 4, "4/4", ballad, ((66, "C"), (76, "G"), (88, "D"))),
    "waltz": ("B.C.C.", 3, "3/4", waltz, ((108, "A"), (138, "D"), (160, "G"))),
    "folk": ("B.CU", 2, "2/4", folk, ((100, "E"), (92, "A"))),
    "drift": ("D.DUDUDU", 4, "4/4", drift, ((104, "C"), (120, "E"))),
    "drift-quarters": ("D.D.D.D.", 4, "4/4", drift, ((104, "G"), (90, "A"))),
}


def take(strokes: str, per_bar: int, meter: str, curve, bpm: float, key: str, seed: int,
         bars: int = 32) -> tuple[mido.MidiFile, dict]:
    """The MIDI file (one channel per string, 960 ticks a second) and truth of one take."""
    rnd = random.Random(seed)
    length = curve(bpm)
    start, t = 1.0, 1.0
    events, beats, downbeats, chords, pulse = [], [], [], [], []
    for b in range(bars):
        its = []
        for k in range(per_bar):
            its.append(t)
            t += length(b, k)
        ends = its[1:] + [t]
        notes = bar(key, PROGRESSION[b % len(PROGRESSION)], its[0], its, beats, downbeats, chords)
        for e, stroke in enumerate(strokes):
            at = its[e // 2] + (e % 2) * (ends[e // 2] - its[e // 2]) / 2
            pulse.append(at)
            if stroke == ".":
                continue
            at += rnd.gauss(0, 0.006)
            pitches = [notes[0] - 5 if b % 2 else notes[0]] if stroke == "B" else [notes[s] for s in STRINGS[stroke]]
            for j, pitch in enumerate(pitches):
                v = LEVELS[stroke] + rnd.randint(-6, 6)
                events += [(at + 0.008 * j, 1, pitch, v, j), (at + 0.008 * j + 0.2, 0, pitch, 0, j)]
    end, beat = t, length(bars - 1, per_bar - 1)
    for s, pitch in enumerate(chord(KEYS[key], False)):
        events += [(end + 0.008 * s, 1, pitch, 80, s), (end + per_bar * beat, 0, pitch, 0, s)]
    mid = midi_of(events)
    truth = {"meter": meter, "meters": [{"time": start, "meter": meter}], "key": {"tonic": key, "mode": "major"},
             "beats": [round(x, 4) for x in beats + [end]], "downbeats": [round(x, 4) for x in downbeats + [end]],
             "pulse": [round(x, 4) for x in pulse + [end]], "chords": chords,
             "playing": [[start, end + per_bar * beat]], "stops": [], "first_onset": start,
             "last_chord": round(end, 4)}
    return mid, truth


def main() -> None:
    """Write every kind at each of its tempi into --out (seeds 201, 202, ... in order)."""
    write_table(__doc__, KINDS, take,
                lambda name, kind, bpm, key: f"{kind[2].replace('/', '-')}_{name}_{bpm}_{key}", 201)


if __name__ == "__main__":
    main()
