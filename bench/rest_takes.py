"""rest30's takes: a player rests 1-6 s (a whole number of bars or not) and comes back on their own downbeat, in
4/4, 3/4, 6/8 and 12/8 at 60-140 BPM, played as a pickup converter sends it (a channel a string, 20-36 ms latency
with the low strings later, strum spread, timing jitter), with a truth JSON each (`stops` for the rest).

    python bench/rest_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1 --verbose

Each take is 10 bars, the rest, 10 bars and a final chord, a chord a bar (I vi IV V or I IV V I), figures from
bench/guitar_idioms.py's strokes: 4/4 D.DU.UDU in eighths, 3/4 a bass note and up-down eighths, 6/8 D U D D U D,
12/8 a shuffle (bass, up, down in triplet eighths). The player damps the strings on the rest's first beat and comes
back on a downbeat of theirs wherever the band's count kept through the rest would have put it (issue 11 deliver 5;
review36's kind 3: a 4/4 song at 100 resting 10 beats, a 12/8 shuffle at 80 resting 5.3 beats). Our own takes: a
check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402
from guitar_idioms import Take, chord_label, strings_of, voicing  # noqa: E402

FIGURES = {"4/4": ("D...D.U...U.D.U.", 4, (0,)), "3/4": ("B...D.U.D.U.", 4, (0,)),
           "6/8": ("DUDDUD", 3, (0, 3)), "12/8": ("B.UD.UB.UD.U", 3, (0, 6))}   # (strokes, steps a beat, accents)
PROGRESSIONS = {"G": "G Em C D", "A": "A D E7 A", "D": "D G A7 D", "C": "C Am F G", "E": "E A B7 E"}
LATENCY = (0.036, 0.032, 0.029, 0.026, 0.023, 0.020)   # s: the converter's, low E string to high E
SHIFT = 0.025        # s: the truth's beats are the strokes' as heard, the mean latency after them
RUNS = [("4/4", 100, "D", 6.0), ("4/4", 120, "G", 3.5), ("4/4", 72, "C", 2.5), ("4/4", 140, "E", 1.0),
        ("4/4", 90, "A", 2.667), ("4/4", 60, "G", 4.0),
        ("3/4", 90, "G", 2.0), ("3/4", 108, "D", 2.78), ("3/4", 66, "C", 3.64), ("3/4", 132, "A", 1.36),
        ("6/8", 60, "D", 3.0), ("6/8", 100, "G", 1.8), ("6/8", 80, "E", 3.0), ("6/8", 120, "A", 1.5),
        ("12/8", 80, "A", 4.0), ("12/8", 60, "E", 2.0), ("12/8", 70, "G", 3.43), ("12/8", 90, "D", 2.67)]
#        (meter, BPM of its beat: a dotted quarter in 6/8 and 12/8, key, rest s)


def beat_times(per_bar: int, beat: float, rest: float, bars: int) -> tuple[list[float], float, float]:
    """Every beat's onset (s) from 1 s: `bars` bars, a rest of `rest` s, `bars` bars and the final chord's; the
    rest's start and the player's downbeat back (s)."""
    before = [1.0 + i * beat for i in range(bars * per_bar)]
    stop = 1.0 + bars * per_bar * beat
    back = stop + rest
    return before + [back + i * beat for i in range(bars * per_bar + 1)], stop, back


def play(meter: str, bpm: float, key: str, rest: float, seed: int, bars: int = 10) -> tuple:
    """One take: (its MIDI file, its truth as bench/band_eval.py reads it)."""
    rnd = random.Random(seed)
    figure, steps, accents = FIGURES[meter]
    chords = PROGRESSIONS[key].split()
    take = Take(meter, bpm, (key, "major"), [], steps=steps, accents=accents)
    per, beat = take.per_bar, 60.0 / bpm
    beats, stop, back = beat_times(per, beat, rest, bars)
    events, ringing = [], {}

    def damp(at: float) -> None:
        for s, (off, pitch) in list(ringing.items()):
            events.append((min(off, at), 0, pitch, 0, s))
            del ringing[s]

    for b in range(2 * bars):
        pitches = voicing(take, chords[b % bars % len(chords)])
        for e, stroke in enumerate(figure):
            if stroke == ".":
                continue
            t = beats[b * per + e // steps] + (e % steps) * beat / steps + rnd.gauss(0, 0.006)
            strings, level, length = strings_of(stroke, pitches, b)
            for j, s in enumerate(strings):
                on = t + 0.009 * j + LATENCY[s] + rnd.gauss(0, 0.002)
                if s in ringing:                        # the string damped by the new stroke
                    off, pitch = ringing.pop(s)
                    events.append((min(off, on - 0.002), 0, pitch, 0, s))
                velocity = level + (14 if e in accents else 0) + rnd.randint(-6, 6)
                events.append((on, 1, pitches[s], max(1, min(127, velocity)), s))
                ringing[s] = (on + length * beat / steps, pitches[s])
        if b == bars - 1:
            damp(stop + 0.02)                           # the rest's first beat: the strings damped
    damp(beats[-1] - 0.002)
    for j, s in enumerate(s for s, p in enumerate(voicing(take, chords[0])) if p is not None):
        pitch = voicing(take, chords[0])[s]
        events += [(beats[-1] + 0.009 * j + LATENCY[s], 1, pitch, 80, s), (beats[-1] + 3.0, 0, pitch, 0, s)]
    return midi_of(events), truth_of(take, beats, stop, back, rest)


def truth_of(take: Take, beats: list[float], stop: float, back: float, rest: float) -> dict:
    """The truth band_eval.py reads: beats, downbeats, meter, key, chords, the eighth pulse, `playing` (the rest
    left out after its first beat), `stops`, first onset and last chord (s, SHIFT after the strokes)."""
    per, beat = take.per_bar, 60.0 / take.bpm
    beats = [round(x + SHIFT, 4) for x in beats]
    downbeats = beats[::per]
    chords = PROGRESSIONS[take.key[0]].split()
    half = (len(downbeats) - 1) // 2
    labels = [{"time": d, "label": chord_label(take, chords[i % half % len(chords)])}
              for i, d in enumerate(downbeats[:-1])]
    per_beat = 3 if take.meter.endswith("/8") else 2
    pulse = [round(a + j * (b - a) / per_beat, 4) for a, b in zip(beats, beats[1:]) if b - a < 1.5 * beat
             for j in range(per_beat)]
    return {"meter": take.meter, "meters": [{"time": beats[0], "meter": take.meter}],
            "key": {"tonic": take.key[0], "mode": "major"}, "bpm": take.bpm, "beats": beats,
            "downbeats": downbeats, "pulse": pulse, "chords": labels,
            "playing": [[beats[0], round(stop + SHIFT + beat, 4)], [round(back + SHIFT, 4), beats[-1] + 2.0]],
            "stops": [{"start": round(stop + SHIFT, 4), "end": round(back + SHIFT, 4), "beats": round(rest / beat, 3)}],
            "first_onset": beats[0], "last_chord": beats[-1]}


def name(meter: str, bpm: float, key: str, rest: float) -> str:
    """A take's file stem: meter, key, tempo, rest in s and in beats."""
    return f"rest_{meter.replace('/', '-')}_{key}_{bpm}_{rest:g}s_{rest * bpm / 60:.1f}b"


def main() -> None:
    write_all(__doc__, ((name(*run), play(*run, 300 + i)) for i, run in enumerate(RUNS)))


if __name__ == "__main__":
    main()
