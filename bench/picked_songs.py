"""Fingerpicked ballads and Travis-picked tunes played on a fretboard, as a converter sends them (key12, issue 12).

    python bench/picked_songs.py --out DIR      # writes DIR/NAME.mid + NAME.json (truth), prints a row each

Each take is a chord progression fretted in open-position shapes (with a capo where a guitarist would use one),
picked string by string: one MIDI channel a string (channel 1 the high E, as a hexaphonic pickup in mono mode),
a note ringing until its string is picked again or the fretting hand changes the shape, the converter's latency
(20-40 ms, the low strings later), timing scattered by a few ms, the thumb louder than the fingers, the tempo
drifting a few per cent and slowing in the last bar, and the tonic chord strummed at the end. Two kinds:

- a ballad: the thumb on beats 1 and 3 (the shape's root string, then another bass string), the fingers on every
  eighth between (p-i-m-a-p-a-m-i and the like), 50-70 BPM; review23's D aeolian ballad under capo 5 is the kind
  (heard Bb lydian at 126 BPM on main);
- Travis picking: the thumb on every beat alternating two bass strings, the fingers on the "and"s, the first
  beat pinched with the top string.

The modes' progressions are the ones that mislead a key finder: the relative major's chords held as long as the
tonic's (i-bVI-bVII, i-bVI-bIII-bVII), a dorian IV, a phrygian bII, a mixolydian bVII. Each row gives the key the
online listener names at the end, the tempo it hears (its median beat over the last 16 beats; truth in
brackets), its beat and downbeat F-measures (mir_eval, 70 ms) and its meter. `band_eval.py --sets DIR` scores
the band on the folder.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402

OPEN = (40, 45, 50, 55, 59, 64)      # the strings low E .. high E (index 0 .. 5)
# Open-position shapes: frets low E .. high E (None: not played), then the thumb's two strings (root, alternate)
SHAPES = {
    "Am": ((None, 0, 2, 2, 1, 0), (1, 2)), "C": ((None, 3, 2, 0, 1, 0), (1, 2)),
    "D": ((None, None, 0, 2, 3, 2), (2, 3)), "Dm": ((None, None, 0, 2, 3, 1), (2, 3)),
    "Em": ((0, 2, 2, 0, 0, 0), (0, 2)), "F": ((1, 3, 3, 2, 1, 1), (0, 2)), "G": ((3, 2, 0, 0, 0, 3), (0, 2)),
}
# A bar's eighths: "p" the thumb on the root string, "q" on the alternate one, a finger on string 3, 4 or 5 (G, B,
# high E: i, m, a); "+" joins a pinch (struck together)
BALLAD = ("p", "3", "4", "5", "q", "5", "4", "3")       # p-i-m-a-p-a-m-i
BALLAD_B = ("p", "3", "4", "3", "q", "3", "4", "3")     # p-i-m-i-p-i-m-i
BALLAD_C = ("p", "4", "5", "4", "q", "4", "5", "4")     # p-m-a-m-p-m-a-m (review23's ballad)
TRAVIS = ("p+5", "4", "q", "3", "p", "4", "q", "3")      # pinch, then the thumb on every beat


@dataclass(frozen=True)
class Song:
    """A take: its name, key (tonic, mode), tempo (BPM), capo fret, a shape a bar and the picking pattern."""

    name: str
    tonic: str
    mode: str
    bpm: float
    capo: int
    bars: tuple[str, ...]
    pattern: tuple[str, ...]


SONGS = (
    # D aeolian under capo 5 (sounds Dm Bb C Dm Bb F C Am): review23's kind, at 60 BPM
    Song("aeolian_ballad_capo5_60_d", "D", "minor", 60, 5, ("Am", "F", "G", "Am", "F", "C", "G", "Em") * 2, BALLAD_C),
    # E dorian under capo 2 (sounds Em A Em A G D A Em): the dorian IV, A mixolydian's chords
    Song("dorian_ballad_capo2_58_e", "E", "dorian", 58, 2, ("Dm", "G", "Dm", "G", "F", "C", "G", "Dm") * 2, BALLAD),
    # A aeolian i-bVI-bIII-bVII, the relative major held as long as the tonic
    Song("aeolian_ballad_54_a", "A", "minor", 54, 0, ("Am", "F", "C", "G", "Am", "F", "G", "Am") * 2, BALLAD),
    # E phrygian: i-bII-bIII-bII
    Song("phrygian_ballad_66_e", "E", "phrygian", 66, 0, ("Em", "F", "G", "F", "Em", "Dm", "F", "Em") * 2, BALLAD_B),
    # Travis picking in G major, and in E mixolydian under capo 2 (sounds E D A E)
    Song("travis_major_96_g", "G", "major", 96, 0, ("G", "C", "G", "D", "G", "Em", "C", "D", "G") * 2, TRAVIS),
    Song("travis_mixolydian_capo2_84_e", "E", "mixolydian", 84, 2, ("D", "C", "G", "D") * 4, TRAVIS),
    # slow Travis picking in A minor
    Song("travis_aeolian_66_a", "A", "minor", 66, 0, ("Am", "G", "F", "Em", "Am", "Dm", "Em", "Am") * 2, TRAVIS),
)


class Guitar:
    """Strings that ring until picked again or the shape changes; a converter's MIDI out (seconds, per string)."""

    def __init__(self, seed: int, capo: int):
        self.rng = random.Random(seed)
        self.capo = capo
        self.events: list[tuple[float, int, int, int, int]] = []   # (s, on 1 / off 0, channel, pitch, velocity)
        self.ringing: dict[int, tuple[int, float]] = {}             # string -> (pitch, onset s)

    def stop(self, string: int, t: float) -> None:
        """The string stops sounding at t (s)."""
        if string in self.ringing:
            pitch, on = self.ringing.pop(string)
            self.events.append((max(t, on + 0.03), 0, 5 - string, pitch, 0))

    def pick(self, string: int, fret: int, t: float, velocity: int) -> None:
        """The string picked at fret `fret` at t (s): heard after the converter's latency (low strings later)."""
        heard = t + 0.02 + 0.004 * (5 - string) + self.rng.uniform(0.0, 0.004) + self.rng.gauss(0.0, 0.005)
        self.stop(string, heard - 0.003)
        pitch = OPEN[string] + self.capo + fret
        self.events.append((heard, 1, 5 - string, pitch, max(20, min(127, velocity + round(self.rng.gauss(0, 5))))))
        self.ringing[string] = (pitch, heard)

    def change(self, frets: tuple[int | None, ...], t: float) -> None:
        """The fretting hand moves to a new shape at t (s): strings whose note changes stop."""
        for string, (pitch, _) in list(self.ringing.items()):
            fret = frets[string]
            if fret is None or OPEN[string] + self.capo + fret != pitch:
                self.stop(string, t)


def beat_times(song: Song, seed: int) -> list[float]:
    """The take's beats (s): 0.5 s lead, the tempo drifting +-3 % over 16 beats, the last bar 20 % slower."""
    phase = random.Random(seed).uniform(0.0, 2 * math.pi)
    count = 4 * len(song.bars)
    out, t = [], 0.5
    for b in range(count + 1):
        out.append(round(t, 4))
        slow = 0.8 if b >= count - 4 else 1.0
        t += 60.0 / (song.bpm * (1 + 0.03 * math.sin(2 * math.pi * b / 16 + phase)) * slow)
    return out


def _bar(guitar: Guitar, shape: str, beats: list[float], pattern: tuple[str, ...]) -> None:
    """One bar of the pattern over the shape, its four beats at `beats` (and the next bar's first)."""
    frets, (root, alt) = SHAPES[shape]
    guitar.change(frets, beats[0] - 0.02)
    for k, step in enumerate(pattern):
        beat = beats[k // 2]
        t = beat + (k % 2) * (beats[k // 2 + 1] - beat) / 2
        for part in step.split("+"):
            string = root if part == "p" else alt if part == "q" else int(part)
            thumb = part in "pq"
            velocity = (84 if k == 0 else 74) if thumb else guitar.rng.randint(52, 64)
            guitar.pick(string, frets[string], t, velocity)


def take(song: Song, seed: int = 0) -> tuple[mido.MidiFile, dict]:
    """The take of `song` (a type-0 MIDI file, one channel a string) and its truth (key, meter, beats, downbeats,
    chords, end; seconds)."""
    guitar = Guitar(seed, song.capo)
    beats = beat_times(song, seed)
    for i, shape in enumerate(song.bars):
        _bar(guitar, shape, beats[4 * i:4 * i + 5], song.pattern)
    end = beats[-1]
    frets, _ = SHAPES[song.bars[-1]]
    guitar.change(frets, end - 0.02)
    played = [s for s in range(6) if frets[s] is not None]
    for j, string in enumerate(played):           # the last chord strummed slowly, left to ring 3 s
        guitar.pick(string, frets[string], end + 0.03 * j, 70)
    for string in played:
        guitar.stop(string, end + 3.0)
    truth = {"key": {"tonic": song.tonic, "mode": song.mode}, "meter": "4/4", "bpm": song.bpm, "beats": beats,
             "downbeats": beats[::4], "end": end, "capo": song.capo}
    return _midi(guitar.events), truth


def _midi(events: list[tuple[float, int, int, int, int]]) -> mido.MidiFile:
    mid = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500_000))     # 120 BPM in the file: a tick is 1/960 s
    last = 0
    for t, on, channel, pitch, velocity in sorted(events, key=lambda e: (e[0], e[1])):
        tick = round(t * 960)
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, channel=channel, note=pitch, velocity=velocity, time=tick - last))
        last = tick
    return mid


def heard(path: Path) -> str:
    """What the online listener hears in the take at `path`: key, tempo (BPM, truth), beat F, downbeat F, meter."""
    import mir_eval  # noqa: PLC0415

    truth = json.loads(path.with_suffix(".json").read_text())
    a, _ = run_online(read_guitar_file(path).messages)
    beats = np.array(a.beats)
    bpm = 60.0 / float(np.median(np.diff(beats[-17:]))) if len(beats) > 2 else 0.0
    f = mir_eval.beat.f_measure(np.array(truth["beats"]), beats)
    fd = mir_eval.beat.f_measure(np.array(truth["downbeats"]), np.array(a.downbeats))
    key = f"{a.key['tonic']} {a.key['mode']}" if a.key else "none"
    right = "ok" if a.key == {**a.key, **truth["key"]} else "WRONG"
    return (f"key {key} ({right}), {bpm:.1f} BPM ({truth['bpm']}), beat F {f:.2f}, downbeat F {fd:.2f}, "
            f"meter {a.meter}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for i, song in enumerate(SONGS):
        mid, truth = take(song, seed=i)
        path = args.out / f"{song.name}.mid"
        mid.save(path)
        path.with_suffix(".json").write_text(json.dumps(truth))
        print(f"  {song.name}: {heard(path)}", flush=True)


if __name__ == "__main__":
    main()
