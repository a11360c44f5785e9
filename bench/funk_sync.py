"""Syncopated funk sixteenths, written with mido, with a truth JSON each (issues 11 and 12, review33's funk vamps
heard at a five-sixteenth beat): is the beat four of the running sixteenths, and on the 1?

    python bench/funk_sync.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (beat F, bar F, tempo before the entry)

A funk guitarist's strumming hand runs sixteenths, down on the beat and its "and", up on the "e" and the "a"; most
strokes are muted scratches (three middle strings, velocity 25-45, 30-50 ms, a string speaking with probability
0.7, a stroke missing now and then: the hand passing over the strings), the accents short chord chops on four
strings (velocity 85-110, cut after 15-30 % of a beat) placed off the beats. Figures (accented sixteenths of the
bar, 0 = the 1; two lists: a two-bar figure):
- `sync` 0 5 10 14 (1, e of 2, and of 3, and of 4: review33's vamp);
- `clave` 0 3 6 10 13 (1, a of 1, and of 2, and of 3, e of 4: three-three-four-three-three);
- `backbeat` 4 7 12 15 (2 and 4 with the "a" after each: the 1 ghosted);
- `and2` 0 6 9 12 14 (1, and of 2, e of 3, 4, and of 4);
- `strut` 0 2 5 8 11 14 (1, and of 1, e of 2, 3, a of 3, and of 4);
- `twobar` 0 3 6 10 | 2 4 7 10 12 15 (a two-bar phrase, its second bar open on the "and" of 1).
Each at three tempi within 88-112 BPM, in dorian (i7 IV7), mixolydian (I9 IV9) or minor (i7 iv7), one chord a bar
or two, the chord chopped on the 1 of its first bar (`twobar` and `backbeat` off it); a light sixteenth swing on
some takes (the "e" and "a" 52-56 % of the eighth late); 24 bars, then the tonic chord rung a bar. Humanised by a
fixed seed (5 ms). The truth holds beats, downbeats, meter, key, chords, the eighth pulse and `playing`, as
band_eval.py reads them. Our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import NAMES, midi_of, write_all  # noqa: E402

# figure: (accented sixteenths of each bar of the figure, ...)
FIGURES = {
    "sync": ((0, 5, 10, 14),),
    "clave": ((0, 3, 6, 10, 13),),
    "backbeat": ((4, 7, 12, 15),),
    "and2": ((0, 6, 9, 12, 14),),
    "strut": ((0, 2, 5, 8, 11, 14),),
    "twobar": ((0, 3, 6, 10), (2, 4, 7, 10, 12, 15)),
}
# mode: (chord steps: semitones above the tonic and the chord's intervals over its root, four strings A D G B)
MODES = {
    "dorian": ((0, (0, 7, 10, 15)), (5, (0, 4, 10, 14))),
    "mixolydian": ((0, (0, 4, 10, 14)), (5, (0, 4, 10, 14))),
    "minor": ((0, (0, 7, 10, 15)), (5, (0, 7, 10, 15))),
}
# takes: (figure, BPM, tonic, mode, bars a chord, swing: the "e"'s place in the eighth)
TAKES = [("sync", 92, "A", "dorian", 1, 0.5), ("sync", 100, "E", "mixolydian", 2, 0.54),
         ("sync", 110, "D", "minor", 1, 0.5),
         ("clave", 88, "G", "dorian", 2, 0.5), ("clave", 98, "C", "mixolydian", 1, 0.53),
         ("clave", 108, "F", "minor", 2, 0.5),
         ("backbeat", 94, "E", "dorian", 2, 0.5), ("backbeat", 104, "A", "mixolydian", 1, 0.55),
         ("backbeat", 112, "B", "minor", 2, 0.5),
         ("and2", 90, "D", "mixolydian", 1, 0.52), ("and2", 102, "G", "dorian", 2, 0.5),
         ("and2", 106, "C", "minor", 1, 0.5),
         ("strut", 89, "F", "dorian", 1, 0.5), ("strut", 97, "Bb", "mixolydian", 2, 0.56),
         ("strut", 111, "E", "minor", 2, 0.5),
         ("twobar", 93, "A", "minor", 2, 0.5), ("twobar", 101, "D", "dorian", 2, 0.53),
         ("twobar", 109, "G", "mixolydian", 2, 0.5)]
TONIC = {"C": 48, "Db": 49, "D": 50, "Eb": 51, "E": 52, "F": 53, "F#": 54, "G": 43, "Ab": 44, "A": 45, "Bb": 46,
         "B": 47}
BARS = 24


def voicing(tonic: str, step: int, shape: tuple[int, ...]) -> list[int]:
    """The chord's four pitches on the A, D, G and B strings: its root on the A string (45-52), `shape` above it."""
    root = TONIC[tonic] + step
    while root > 52:
        root -= 12
    while root < 45:
        root += 12
    return [root + i for i in shape]


def label(tonic: str, step: int, shape: tuple[int, ...]) -> str:
    """The chord's Harte label: the root's name, min7 or 7 (the ninth left out)."""
    return NAMES[(TONIC[tonic] + step) % 12] + (":min7" if 3 in (i % 12 for i in shape) else ":7")


def stroke(events: list, rnd: random.Random, t: float, pitches: list[int], up: bool, velocity: float, length: float,
           ghost: bool) -> None:
    """One stroke at `t` (s) over `pitches` (low to high, a MIDI channel a string from the A string's 1), up from
    the top string when `up`: a chop of all four, or a muted scratch of the middle three, each speaking with
    probability 0.7."""
    strings = list(enumerate(pitches))[1:] if ghost else list(enumerate(pitches))
    if up:
        strings.reverse()
    spread = rnd.uniform(0.006, 0.015)
    for k, (s, pitch) in enumerate(strings):
        if ghost and rnd.random() < 0.3:
            continue
        at = t + spread * k / max(1, len(strings) - 1)
        v = max(1, min(127, round(velocity * (1 - 0.03 * k) + rnd.gauss(0, 3))))
        events += [(at, 1, pitch, v, 4 - s), (at + length, 0, pitch, 0, 4 - s)]


def take(figure: str, bpm: float, tonic: str, mode: str, per_chord: int, swing: float,
         seed: int) -> tuple[mido.MidiFile, dict]:
    """The MIDI file and truth of one take."""
    rnd = random.Random(seed)
    beat, start = 60.0 / bpm, 1.0
    bar_len = 4 * beat
    loud = {i: rnd.uniform(85, 110) for i in range(16)}          # each accented sixteenth's own loudness
    events, beats, downbeats, chords = [], [], [], []
    for b in range(BARS):
        at = start + b * bar_len
        step, shape = MODES[mode][b // per_chord % len(MODES[mode])]
        pitches = voicing(tonic, step, shape)
        downbeats.append(at)
        beats += [at + i * beat for i in range(4)]
        name = label(tonic, step, shape)
        if not chords or chords[-1]["label"] != name:
            chords.append({"time": round(at, 4), "label": name})
        accents = FIGURES[figure][b % len(FIGURES[figure])]
        for i in range(16):
            ghost = i not in accents
            if ghost and rnd.random() < 0.08:
                continue                # the hand passes over the strings
            late = (swing - 0.5) * beat / 2 if i % 2 else 0.0
            t = at + i * beat / 4 + late + rnd.gauss(0, 0.005)
            velocity = rnd.uniform(25, 45) if ghost else loud[i] + rnd.gauss(0, 4)
            length = rnd.uniform(0.03, 0.05) if ghost else beat * rnd.uniform(0.15, 0.3)
            stroke(events, rnd, t, pitches, bool(i % 2), velocity, length, ghost)
    end = start + BARS * bar_len
    tonic_chord = voicing(tonic, *MODES[mode][0])
    stroke(events, rnd, end, tonic_chord, False, 95, bar_len, False)
    mid = midi_of(events)
    truth = {"meter": "4/4", "meters": [{"time": start, "meter": "4/4"}], "key": {"tonic": tonic, "mode": mode},
             "beats": [round(x, 4) for x in beats + [end]], "downbeats": [round(x, 4) for x in downbeats + [end]],
             "pulse": [round(start + i * beat / 2, 4) for i in range(BARS * 8 + 1)], "chords": chords,
             "playing": [[start, end + bar_len]], "stops": [], "first_onset": start, "last_chord": round(end, 4)}
    return mid, truth


def main() -> None:
    """Write every take of TAKES into --out (seeds 301, 302, ... in order)."""
    write_all(__doc__, ((f"funk_{fig}_{bpm}_{tonic}-{mode}", take(fig, bpm, tonic, mode, per, swing, seed))
                        for seed, (fig, bpm, tonic, mode, per, swing) in enumerate(TAKES, 301)))


if __name__ == "__main__":
    main()
