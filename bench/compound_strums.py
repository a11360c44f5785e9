"""Strummed takes in eighths with accents, written with mido, with a truth JSON each (review20's 6/8 takes and
square controls): is 6/8 strummed on its eighths heard in dotted quarters, and 3/4 or 4/4 in quarters?

    python bench/compound_strums.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (meter, beat F, bar F)

Figures, one stroke an eighth ("D" down from the bass string, six notes; "U" up from the top, four; "." none), the
accented eighths loud (velocity 92 against 62): 6/8 `DUDUDU` and `DDUDDU` (accents 1 and 4) and `1.34.6` (D . D D .
U), each at 50, 56, 63, 70 and 78 dotted quarters a minute; 3/4 `D.DUDU` (accent 1) and `DUDUDU` (its beats
accented) and 4/4 `D.DU.UDU` (accents 1, 4 and 7: 3+3+2) and `DUDUDUDU` (accents 1 and 5), each at 72, 96 and 120
BPM. One chord a bar (I IV V I vi IV V I), 32 bars, then a final chord; strokes humanised by a fixed seed (6 ms).
The truth holds beats, downbeats, meter, key, chords, the eighth pulse and `playing`, as band_eval.py reads them.
These are our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import mido

NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
KEYS = {"C": 48, "D": 50, "E": 40, "G": 43, "A": 45}
PROGRESSION = [(0, False), (5, False), (7, False), (0, False), (9, True), (5, False), (7, False), (0, False)]
# name: (strokes, accented eighths, meter, eighths a beat, tempi as (beats a minute, key))
FIGURES = {
    "DUDUDU": ("DUDUDU", (0, 3), "6/8", 3, ((50, "C"), (56, "D"), (63, "E"), (70, "G"), (78, "A"))),
    "DDUDDU": ("DDUDDU", (0, 3), "6/8", 3, ((50, "C"), (56, "D"), (63, "E"), (70, "G"), (78, "A"))),
    "1.34.6": ("D.DD.U", (0, 3), "6/8", 3, ((50, "C"), (56, "D"), (63, "E"), (70, "G"), (78, "A"))),
    "waltz-D.DUDU": ("D.DUDU", (0,), "3/4", 2, ((72, "C"), (96, "G"), (120, "D"))),
    "waltz-DUDUDU": ("DUDUDU", (0, 2, 4), "3/4", 2, ((72, "C"), (96, "G"), (120, "D"))),
    "four-332": ("D.DU.UDU", (0, 3, 6), "4/4", 2, ((72, "C"), (96, "G"), (120, "D"))),
    "four-DUDU": ("DUDUDUDU", (0, 4), "4/4", 2, ((72, "C"), (96, "G"), (120, "D"))),
}


def chord(root: int, minor: bool) -> list[int]:
    """Six strings, low to high: root, fifth, octave, third, fifth, octave (root put in E2..E3)."""
    while root > 52:
        root -= 12
    while root < 40:
        root += 12
    return [root, root + 7, root + 12, root + 12 + (3 if minor else 4), root + 19, root + 24]


def bar(key: str, step: tuple[int, bool], at: float, its_beats: list[float], beats: list[float],
        downbeats: list[float], chords: list[dict]) -> list[int]:
    """A bar from `at` (s) on the chord `step` (degree in semitones, minor) of `key`: its downbeat and `its_beats`
    (s) are added to the truth's lists, its chord label to `chords` when it changes; returns the chord's six
    strings (`chord`). Shared by bench/even_strums.py."""
    degree, minor = step
    downbeats.append(at)
    beats += its_beats
    label = NAMES[(KEYS[key] + degree) % 12] + (":min" if minor else ":maj")
    if not chords or chords[-1]["label"] != label:
        chords.append({"time": round(at, 4), "label": label})
    return chord(KEYS[key] + degree, minor)


def midi_of(events: list) -> mido.MidiFile:
    """A one-track MIDI file (960 ticks a second: 480 a beat at 120 BPM) of `events` (time s, on, pitch, velocity,
    channel), sorted in place by time with note-offs first. Shared by bench/rubato_takes.py."""
    events.sort(key=lambda x: (x[0], x[1]))
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000)])
    mid.tracks.append(track)
    last = 0
    for t, on, pitch, velocity, channel in events:
        tick = round(t * 960)
        track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=velocity, channel=channel,
                                  time=tick - last))
        last = tick
    return mid


def finish(events: list, key: str, meter: str, start: float, bar_len: float, eighth: float, bars: int,
           beats: list[float], downbeats: list[float], chords: list[dict], strokes: int) -> tuple[mido.MidiFile, dict]:
    """A take's final chord (a bar long, after `bars` bars of `bar_len` s from `start` s), its MIDI file (one channel
    per string, 960 ticks a second) from `events` (time s, on, pitch, velocity, channel) and its truth (beats,
    downbeats, meter, key, chords, the eighth pulse of `strokes` eighths a bar and `playing`, as band_eval.py
    reads them). Shared by bench/even_strums.py."""
    end = start + bars * bar_len
    for s, pitch in enumerate(chord(KEYS[key], False)):
        events += [(end + 0.008 * s, 1, pitch, 80, s), (end + bar_len, 0, pitch, 0, s)]
    mid = midi_of(events)
    truth = {"meter": meter, "meters": [{"time": start, "meter": meter}], "key": {"tonic": key, "mode": "major"},
             "beats": [round(x, 4) for x in beats + [end]], "downbeats": [round(x, 4) for x in downbeats + [end]],
             "pulse": [round(start + i * eighth, 4) for i in range(bars * strokes + 1)], "chords": chords,
             "playing": [[start, end + bar_len]], "stops": [], "first_onset": start, "last_chord": round(end, 4)}
    return mid, truth


def take(strokes: str, accents: tuple[int, ...], meter: str, per_beat: int, bpm: float, key: str, seed: int,
         bars: int = 32) -> tuple[mido.MidiFile, dict]:
    """The MIDI file (one channel per string, 960 ticks a second) and truth of one take."""
    rnd = random.Random(seed)
    eighth = 60.0 / bpm / per_beat
    bar_len, start = len(strokes) * eighth, 1.0
    events, beats, downbeats, chords = [], [], [], []
    for b in range(bars):
        at = start + b * bar_len
        its_beats = [at + i * per_beat * eighth for i in range(len(strokes) // per_beat)]
        notes = bar(key, PROGRESSION[b % len(PROGRESSION)], at, its_beats, beats, downbeats, chords)
        for e, stroke in enumerate(strokes):
            if stroke == ".":
                continue
            t = at + e * eighth + rnd.gauss(0, 0.006)
            strings = range(6) if stroke == "D" else range(5, 1, -1)
            for j, s in enumerate(strings):
                v = (92 if e in accents else 62) + rnd.randint(-6, 6) - (8 if stroke == "U" else 0)
                events += [(t + 0.008 * j, 1, notes[s], v, s), (t + 0.008 * j + 0.9 * eighth, 0, notes[s], 0, s)]
    return finish(events, key, meter, start, bar_len, eighth, bars, beats, downbeats, chords, len(strokes))


def write_all(doc: str, takes) -> None:
    """Write each (stem, (MIDI file, truth)) of `takes` into the --out directory of the command line (made if
    missing) as STEM.mid and STEM.json; `doc` is the script's docstring, for --help."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for stem, (mid, truth) in takes:
        mid.save(out / f"{stem}.mid")
        (out / f"{stem}.json").write_text(json.dumps(truth))
        n += 1
    print(f"wrote {n} takes into {out}")


def write_table(doc: str, table: dict, take, stem, first_seed: int) -> None:
    """`write_all` for a table of kinds (name -> (take's arguments ..., ((BPM, key), ...)): the tempi last): a
    take `take(*arguments, bpm, key, seed)` of every kind at each of its tempi, named `stem(name, row, bpm, key)`,
    seeds `first_seed`, `first_seed` + 1, ... in the table's order."""
    runs = [(name, row, bpm, key) for name, row in table.items() for bpm, key in row[-1]]
    write_all(doc, ((stem(name, row, bpm, key), take(*row[:-1], bpm, key, seed))
                    for seed, (name, row, bpm, key) in enumerate(runs, first_seed)))


def main() -> None:
    """Write every figure at each of its tempi into --out (seeds 1, 2, ... in order)."""
    write_table(__doc__, FIGURES, take,
                lambda name, figure, bpm, key: f"{figure[2].replace('/', '-')}_{name.replace('.', 'x')}_{bpm}_{key}", 1)


if __name__ == "__main__":
    main()
