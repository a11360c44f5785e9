"""review27's takes: songs a new user plays that earlier reviews did not (issues 11 and 12), on guitar_idioms.py's
fretboard (six strings, one MIDI channel each, humanised strokes), with a truth JSON each for band_eval.py.

    python bench/new_user_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (meter, beat F, bar F, entry, ending)

Kinds (the name says meter, kind, tempo and key):
- `rubato-intro*`: four to six chords struck once each and held 2.2-4.0 s apart (no beat), each rolled with
  `roll` ms between strings (12 ms: a strum; 100-150 ms: an arpeggio), then a groove in eighths (D . D U . U D U).
  The truth's `playing` starts at the groove: the band should wait for it and come in on its beat;
- `capo4`: C G Am F shapes under capo 4 (E major), eighths at 108;
- `6-8-then-3-4*`: 16 bars of 6/8 (D . U D . U, dotted quarter 66), then 16 of 3/4 on the same eighth (quarter
  99): bass, chord, chord, or strummed on each beat; the truth's `meters` holds the change;
- `ballad*`: 4/4 ballads at 50 and 56 BPM (a strum on 1, then 3, 4 and its "and"; or on 1 and every eighth of 3-4);
- `fast`: 2/4 boom-chick (bass on 1, a chop on 2) at 200;
- `half-bar-stops`: 4/4 at 100, every 4th bar struck on 1 and 2 and choked (half a bar of silence, in `stops`);
- `pickup3`: three single notes on beats 2, 3 and 4 before bar 1, then strummed eighths; `pickup0` the same take
  without them (the control).
Our own takes: a check of a kind, not evidence (bench/README.md, review27).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402
from guitar_idioms import Take, perform, song, truth_of, voicing  # noqa: E402

EIGHTHS = "D...D.U...U.D.U."            # D . D U . U D U on a sixteenth grid
FREE_GAPS = (3.0, 2.2, 3.6, 2.8, 3.2, 4.0)   # seconds each free chord is held: no two alike, no beat


def _shape_pitches(shape: str) -> list[int]:
    """The sounding pitches of an open shape in standard tuning, low string first."""
    return [p for p in voicing(Take("4/4", 100, ("G", "major"), []), shape) if p is not None]


def rubato_intro(seed: int, gaps: tuple, bpm: float, roll: float) -> tuple:
    """Free chords (G Em C D G D, one per gap, rolled `roll` s a string) from 1 s, then 24 bars in eighths at
    `bpm`: (MIDI file, truth) with `playing` from the groove's first strum."""
    events, truth = rubato_events(seed, gaps, bpm, roll)
    return midi_of(events), truth


def rubato_events(seed: int, gaps: tuple, bpm: float, roll: float, start: float = 1.0) -> tuple:
    """`rubato_intro`'s take from `start` (s): (note events (time s, on, pitch, velocity, string), truth)."""
    t, events, rnd = start, [], random.Random(seed)
    for shape, gap in zip("G Em C D G D".split(), gaps):
        for j, p in enumerate(_shape_pitches(shape)):
            events += [(t + roll * j, 1, p, 60 + rnd.randint(-5, 5), j), (t + gap - 0.05, 0, p, 0, j)]
        t += gap
    take = Take("4/4", bpm, ("G", "major"), song("G Em C D", EIGHTHS, 6))
    groove, beats = perform(take, seed, start=t)
    truth = truth_of(take, beats, t)
    truth.update(first_onset=start, playing=[[t, beats[-1] + 2.0]])
    return events + groove, truth


def plain(take: Take, seed: int) -> tuple:
    """A take played from 1 s as written: (MIDI file, truth)."""
    events, beats = perform(take, seed)
    return midi_of(events), truth_of(take, beats, min(e[0] for e in events))


def six8_then_34(seed: int, figure34: str) -> tuple:
    """16 bars of 6/8 at 66 dotted quarters, then 16 of 3/4 at 99 (the same eighth) in `figure34` (eighths)."""
    six8 = Take("6/8", 66, ("A", "minor"), song("Am Am Dm E", "D.UD.U", 4), steps=3, accents=(0, 3))
    events, beats = perform(six8, seed)
    change = beats[-1]
    first = truth_of(six8, beats, min(e[0] for e in events))
    events = [e if e[1] else (min(e[0], change - 0.002), *e[1:]) for e in events if e[0] < change - 0.001 or not e[1]]
    three4 = Take("3/4", 99, ("A", "minor"), song("Am Am Dm E", figure34, 4), steps=2)
    second_events, second_beats = perform(three4, seed + 1, start=change)
    second = truth_of(three4, second_beats, change)
    truth = dict(second, meter="6/8", first_onset=first["first_onset"],
                 meters=[{"time": first["first_onset"], "meter": "6/8"}, {"time": change, "meter": "3/4"}],
                 playing=[[first["first_onset"], second["playing"][0][1]]])
    for key in ("beats", "downbeats", "pulse", "chords"):
        truth[key] = first[key][:-1] + second[key] if key == "beats" else first[key] + second[key]
    return midi_of(events + second_events), truth


def half_bar_stops(seed: int) -> tuple:
    """4/4 at 100; every 4th bar struck on 1 and 2, its strings choked at beat 3, back on the next 1."""
    bars = [(c, "D...D..........." if i % 4 == 3 else EIGHTHS) for i, c in enumerate("G C D G".split() * 8)]
    take = Take("4/4", 100, ("G", "major"), bars)
    events, beats = perform(take, seed)
    stops = []
    for bar in range(3, len(bars), 4):
        k = bar * 4
        struck = {(e[2], e[4]) for e in events if e[1] and beats[k] - 0.05 <= e[0] < beats[k + 2]}
        events = [(min(e[0], beats[k + 2] - 0.01), *e[1:]) if not e[1] and (e[2], e[4]) in struck
                  and beats[k] <= e[0] < beats[k + 4] + 0.5 else e for e in events]
        stops.append({"start": round(beats[k + 2], 4), "end": round(beats[k + 4], 4), "beats": 2})
    truth = truth_of(take, beats, min(e[0] for e in events))
    truth["stops"] = stops
    return midi_of(events), truth


def pickup(seed: int, bpm: float, key: str, chords: str, notes: tuple) -> tuple:
    """Single `notes` on beats 2, 3, 4 of a bar before bar 1 (none: the control), then strummed eighths."""
    beat = 60.0 / bpm
    take = Take("4/4", bpm, (key, "major"), song(chords, EIGHTHS, 6))
    events, beats = perform(take, seed, start=1.0 + 3 * beat)
    for j, pitch in enumerate(notes):
        events += [(1.0 + j * beat, 1, pitch, 72, 3), (1.0 + j * beat + 0.9 * beat, 0, pitch, 0, 3)]
    truth = truth_of(take, beats, 1.0 if notes else beats[0])
    truth["beats"] = [round(1.0 + j * beat, 4) for j in range(len(notes))] + truth["beats"]
    return midi_of(events), truth


def takes() -> list[tuple[str, tuple]]:
    """Every take of the docstring as (stem, (MIDI file, truth)), seeds fixed."""
    out = [(f"4-4_rubato-intro-roll{int(roll * 1000)}_88_G", rubato_intro(411, FREE_GAPS, 88, roll))
           for roll in (0.012, 0.025, 0.06, 0.15)]
    out += [("4-4_rubato-intro-roll30_100_G", rubato_intro(421, (2.5, 2.5, 3.5, 3.0), 100, 0.03)),
            ("4-4_rubato-intro-roll120_76_G", rubato_intro(422, (4.0, 3.5, 4.2, 3.8, 5.0), 76, 0.12)),
            ("4-4_capo4_108_E", plain(Take("4/4", 108, ("E", "major"), song("C G Am F", EIGHTHS, 8), capo=4), 402)),
            ("6-8-then-3-4_66_Am", six8_then_34(403, "B.C.C.")),
            ("6-8-then-3-4-strum_66_Am", six8_then_34(431, "D.D.D.")),
            ("4-4_ballad_50_C", plain(Take("4/4", 50, ("C", "major"), song("C Am F G", "D.......D...D.U.", 4)), 404)),
            ("4-4_ballad-b_50_C", plain(Take("4/4", 50, ("C", "major"), song("C Am F G", "D.......D.U.D.U.", 4)), 414)),
            ("4-4_ballad-b_56_C", plain(Take("4/4", 56, ("C", "major"), song("C Am F G", "D...D...D...D.U.", 4)), 415)),
            ("2-4_fast_200_D", plain(Take("2/4", 200, ("D", "major"),
                                          [(c, "B...C...") for c in "D D A A A A D D".split() * 5]), 405)),
            ("4-4_half-bar-stops_100_G", half_bar_stops(406)),
            ("4-4_pickup3_96_G", pickup(407, 96, "G", "G C D G", (62, 64, 66))),
            ("4-4_pickup0_96_G", pickup(407, 96, "G", "G C D G", ())),
            ("4-4_pickup3_110_C", pickup(417, 110, "C", "C F G C", (60, 62, 64)))]
    return out


if __name__ == "__main__":
    write_all(__doc__, takes())
