"""review37's takes: a reviewer's own converter-like player (written apart from bench/guitar_idioms.py and the
session's simulators) for the kinds session 30 changed and their neighbours.

    python bench/review37_takes.py --out DIR
    python bench/band_eval.py --sets DIR --aqyn AQYN --jobs 1 --verbose

A MIDI channel a string (channel 1 = low E), converter latency 20-38 ms with the low strings later (+-2 ms),
strums spread 7-14 ms a string (down low to high, up high to low over the top strings), timing jitter 7 ms,
staccato stabs and damped rests. Kinds: rests of 1-4 s (whole and not whole bars) under fingerpicking, waltz and
slow-blues arpeggios in 4/4, 3/4, 6/8, 12/8; straight-eighth boogies (root-fifth-sixth dyads, a walking line of
eighths) and a walking quarter bass; 12/8 shuffles with a backbeat stab; 6/8 jigs with a loud second dotted
quarter; two-chords-a-bar jazz (Freddie Green quarters, Charleston); 2/4 polkas (oom-pah). Truth as
bench/band_eval.py reads it (beats SHIFT after the strokes: as heard). Our own takes: a check, not evidence.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import mido

OPEN = (40, 45, 50, 55, 59, 64)          # standard tuning, low E to high E
NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
PC = {n: i for i, n in enumerate(NAMES)} | {"C#": 1, "F#": 6, "G#": 8, "D#": 3, "A#": 10}
QUALITY = {"": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "m7": (0, 3, 7, 10), "maj7": (0, 4, 7, 11)}
HARTE = {"": "maj", "m": "min", "7": "7", "m7": "min7", "maj7": "maj7"}
SHIFT = 0.029                            # s: the mean latency: the truth's beats as heard
BOOGIE = (0, 0, 4, 4, 7, 7, 9, 9, 10, 10, 9, 9, 7, 7, 4, 4)   # a walking boogie's eighths over two bars
WALK = (0, 4, 7, 9, 10, 9, 7, 4)
DYAD = (7, 7, 9, 9, 7, 7, 9, 9)

# figures: (steps a beat, beats a bar, [(step, stroke, velocity)])
FIGURES = {
    "travis": (2, 4, [(0, "B", 78), (1, "T", 60), (2, "F", 70), (3, "T", 58), (4, "B", 74), (5, "T", 60),
                      (6, "F", 70), (7, "T", 56)]),
    "waltz": (2, 3, [(0, "B", 84), (2, "S", 62), (4, "S", 60)]),
    "arp68": (3, 2, [(0, "B", 82), (1, "T", 56), (2, "T", 54), (3, "F", 68), (4, "T", 56), (5, "T", 54)]),
    "blues128": (3, 4, [(0, "B", 80), (1, "T", 52), (2, "T", 55), (3, "D", 70), (5, "T", 55), (6, "F", 72),
                        (7, "T", 52), (8, "T", 55), (9, "D", 72), (11, "T", 55)]),
    "boogie_dyads": (2, 4, [(i, "P", 88 if i % 2 == 0 else 70) for i in range(8)]),
    "boogie_walk": (2, 4, [(i, "W", 86 if i % 2 == 0 else 66) for i in range(8)]),
    "walk_quarter": (2, 4, [(0, "Q", 84), (0, "S", 66), (2, "Q", 76), (4, "Q", 80), (6, "Q", 74)]),
    "shuffle_backbeat": (3, 4, [(0, "B", 74), (2, "F", 62), (3, "B", 70), (3, "S", 100), (5, "F", 62),
                                (6, "B", 74), (8, "F", 62), (9, "B", 70), (9, "S", 102), (11, "F", 62)]),
    "jig_strum": (3, 2, [(0, "D", 70), (1, "U", 52), (2, "D", 58), (3, "D", 98), (4, "U", 54), (5, "D", 60)]),
    "jig_stab": (3, 2, [(0, "B", 72), (2, "U", 50), (3, "S", 102), (5, "U", 52)]),
    "green": (2, 4, [(0, "B", 80), (0, "S", 70), (2, "S", 66), (4, "B", 76), (4, "S", 70), (6, "S", 66)]),
    "charleston": (2, 4, [(0, "B", 78), (0, "S", 80), (3, "S", 74), (4, "B", 74), (4, "S", 78), (7, "S", 72)]),
    "polka": (2, 2, [(0, "B", 86), (1, "S", 66), (2, "F", 80), (3, "S", 64)]),
}
METER = {"travis": "4/4", "waltz": "3/4", "arp68": "6/8", "blues128": "12/8", "boogie_dyads": "4/4",
         "boogie_walk": "4/4", "walk_quarter": "4/4", "shuffle_backbeat": "12/8", "jig_strum": "6/8",
         "jig_stab": "6/8", "green": "4/4", "charleston": "4/4", "polka": "2/4"}
SONGS = {"pop": ("G Em C D", "G", "major"), "popA": ("A F#m D E", "A", "major"), "popC": ("C Am F G", "C", "major"),
         "popD": ("D Bm G A", "D", "major"), "minor": ("Am F C G", "A", "minor"),
         "blues": ("A7 A7 A7 A7 D7 D7 A7 A7 E7 D7 A7 E7", "A", "mixolydian"),
         "bluesE": ("E7 E7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7", "E", "mixolydian"),
         "jig": ("D D G A", "D", "major"), "jigEm": ("Em Em D D", "E", "minor"),
         "ii-V": ("Dm7|G7 Cmaj7|A7 Dm7|G7 Em7|A7", "C", "major"), "iiVBb": ("Cm7|F7 Bbmaj7|G7 Cm7|F7 Dm7|G7",
                                                                         "Bb", "major"),
         "polkaG": ("G G D7 D7 D7 D7 G G", "G", "major"), "polkaF": ("F F C7 C7 C7 C7 F F", "F", "major")}
# (name, figure, song, BPM of the beat, rest s or 0, bars before, bars after)
RUNS = [("rest_travis_96_whole", "travis", "pop", 96, 2.5, 8, 8),
        ("rest_travis_110_3beats", "travis", "popC", 110, 1.636, 8, 8),
        ("rest_travis_76_5beats", "travis", "minor", 76, 3.947, 8, 8),
        ("rest_waltz_84_whole", "waltz", "popD", 84, 2.143, 8, 8),
        ("rest_waltz_150_2bars", "waltz", "pop", 150, 2.4, 12, 12),
        ("rest_waltz_100_5beats", "waltz", "popA", 100, 3.0, 8, 8),
        ("rest_arp68_70_2bars", "arp68", "popC", 70, 3.429, 8, 8),
        ("rest_arp68_110_1bar", "arp68", "pop", 110, 1.091, 8, 8),
        ("rest_arp68_90_3beats", "arp68", "minor", 90, 2.0, 8, 8),
        ("rest_blues128_56_3.7beats", "blues128", "blues", 56, 4.0, 12, 12),
        ("rest_blues128_75_3beats", "blues128", "bluesE", 75, 2.4, 12, 12),
        ("boogie_dyads_A_118", "boogie_dyads", "blues", 118, 0, 12, 12),
        ("boogie_dyads_E_136", "boogie_dyads", "bluesE", 136, 0, 12, 12),
        ("boogie_walk_A_104", "boogie_walk", "blues", 104, 0, 12, 12),
        ("walk_quarter_E_126", "walk_quarter", "bluesE", 126, 0, 12, 12),
        ("shuffle_bb_A_72", "shuffle_backbeat", "blues", 72, 0, 12, 12),
        ("shuffle_bb_E_92", "shuffle_backbeat", "bluesE", 92, 0, 12, 12),
        ("shuffle_bb_A_84_rest", "shuffle_backbeat", "blues", 84, 2.857, 12, 12),
        ("jig_strum_D_116", "jig_strum", "jig", 116, 0, 16, 16),
        ("jig_strum_Em_96", "jig_strum", "jigEm", 96, 0, 16, 16),
        ("jig_stab_D_104", "jig_stab", "jig", 104, 0, 16, 16),
        ("jazz_green_C_132", "green", "ii-V", 132, 0, 12, 12),
        ("jazz_charleston_Bb_112", "charleston", "iiVBb", 112, 0, 12, 12),
        ("polka_G_132", "polka", "polkaG", 132, 0, 16, 16),
        ("polka_F_168", "polka", "polkaF", 168, 0, 16, 16),
        ("polka_G_150_rest", "polka", "polkaG", 150, 1.2, 16, 16)]


def parse(chord: str) -> tuple[int, str]:
    """A chord symbol's root pitch class and quality key."""
    root = chord[:2] if len(chord) > 1 and chord[1] in "b#" else chord[:1]
    return PC[root], chord[len(root):]


def voicing(chord: str) -> list[int | None]:
    """A pitch a string (None: muted): the root on the A string up to the 5th fret, else on the low E; the
    strings above it take the lowest chord tone within a hand's reach (a fret below to three above)."""
    root, quality = parse(chord)
    tones = {(root + i) % 12 for i in QUALITY[quality]}
    low = 1 if (root - OPEN[1]) % 12 <= 5 else 0
    fret = (root - OPEN[low]) % 12
    out: list[int | None] = [None] * 6
    out[low] = OPEN[low] + fret
    for s in range(low + 1, 6):
        reach = [f for f in range(max(0, fret - 1), fret + 4) if (OPEN[s] + f) % 12 in tones] or \
                [f for f in range(0, 5) if (OPEN[s] + f) % 12 in tones]
        out[s] = OPEN[s] + reach[0] if reach else None
    return out


class Player:
    """Note events as a pickup converter sends them: (time s, on?, pitch, velocity, string)."""

    def __init__(self, seed: int):
        self.rnd = random.Random(seed)
        self.events: list[tuple[float, int, int, int, int]] = []
        self.ringing: dict[int, tuple[float, int]] = {}
        self.treble = 0

    def note(self, t: float, s: int, pitch: int, velocity: int, length: float) -> None:
        """Strike `pitch` on string `s` at `t` (s), the latency after; it damps what rang on that string."""
        on = t + 0.038 - 0.0035 * s + self.rnd.gauss(0, 0.002)
        if s in self.ringing:
            off, old = self.ringing.pop(s)
            self.events.append((min(off, on - 0.003), 0, old, 0, s))
        self.events.append((on, 1, pitch, max(1, min(127, velocity + self.rnd.randint(-7, 7))), s))
        self.ringing[s] = (on + length, pitch)

    def damp(self, at: float) -> None:
        """The hand on the strings at `at` (s)."""
        for s, (off, pitch) in list(self.ringing.items()):
            self.events.append((min(off, at), 0, pitch, 0, s))
        self.ringing.clear()

    def stroke(self, t: float, op: str, chord: str, velocity: int, step: float, index: int) -> None:
        """One stroke of a figure at `t` (s); `step` is the figure's step (s), `index` the step in the bar."""
        pitches = voicing(chord)
        strings = [s for s, p in enumerate(pitches) if p is not None]
        low = strings[0]
        spread = self.rnd.uniform(0.007, 0.014)
        if op == "D":
            for j, s in enumerate(strings):
                self.note(t + j * spread, s, pitches[s], velocity, 3 * step)
        elif op == "U":
            for j, s in enumerate(reversed(strings[-3:])):
                self.note(t + j * spread, s, pitches[s], velocity - 8, 2 * step)
        elif op == "S":
            for j, s in enumerate(strings[-4:]):
                self.note(t + j * spread * 0.5, s, pitches[s], velocity, 0.8 * step)
        elif op in "BF":
            s = low if op == "B" else min(low + 1, 5)
            self.note(t, s, pitches[s], velocity, 2 * step)
        elif op == "T":
            s = strings[-3:][self.treble % 3]
            self.treble += 1
            self.note(t, s, pitches[s], velocity, 2 * step)
        elif op in "WQ":
            line = BOOGIE if op == "W" else WALK
            self.note(t, low, pitches[low] + line[index % len(line)], velocity, 0.9 * step * (1 if op == "W" else 2))
        elif op == "P":
            self.note(t, low, pitches[low], velocity, 0.9 * step)
            self.note(t + spread, low + 1, pitches[low] + DYAD[index % 8], velocity - 4, 0.9 * step)


def play(figure: str, song: str, bpm: float, rest: float, before: int, after: int, seed: int):
    """One take: (MIDI file, truth). `before` bars, a rest of `rest` s (none if 0), `after` bars, a final chord."""
    steps, per, pattern = FIGURES[figure]
    chords, tonic, mode = SONGS[song]
    bars = chords.split()
    beat = 60.0 / bpm
    player = Player(seed)
    beats: list[float] = []
    stop = back = None
    t0 = 1.0
    for b in range(before + after):
        if rest and b == before:
            stop = t0
            player.damp(stop + 0.02)
            t0 = back = stop + rest
        beats += [t0 + i * beat for i in range(per)]
        halves = bars[b % len(bars)].split("|")
        for step, op, velocity in pattern:
            chord = halves[min(len(halves) - 1, step * len(halves) // (steps * per))]
            t = t0 + step * beat / steps + player.rnd.gauss(0, 0.007)
            index = {"W": step + (b % 2) * steps * per, "Q": step // steps + (b % 2) * per}.get(op, step)
            player.stroke(t, op, chord, velocity, beat / steps, index)
        t0 += per * beat
    beats.append(t0)
    last = bars[0].split("|")[0]
    player.damp(t0 - 0.003)
    for j, s in enumerate(s for s, p in enumerate(voicing(last)) if p is not None):
        player.note(t0 + 0.01 * j, s, voicing(last)[s], 80, 3.0)
    player.damp(t0 + 3.0)
    return midi_of(player.events), truth_of(figure, song, bpm, beats, stop, back, rest)


def truth_of(figure, song, bpm, beats, stop, back, rest) -> dict:
    """The truth as bench/band_eval.py reads it (times s, SHIFT after the strokes)."""
    steps, per, _ = FIGURES[figure]
    chords, tonic, mode = SONGS[song]
    heard = [round(x + SHIFT, 4) for x in beats]
    downbeats = heard[::per]
    labels = []
    for i, d in enumerate(downbeats[:-1]):
        halves = chords.split()[i % len(chords.split())].split("|")
        for h, c in enumerate(halves):
            root, quality = parse(c)
            labels.append({"time": round(d + h * per * 60.0 / bpm / len(halves), 4),
                           "label": f"{NAMES[root]}:{HARTE[quality]}"})
    sub = 3 if steps == 3 else 2
    pulse = [round(a + j * (b - a) / sub, 4) for a, b in zip(heard, heard[1:]) if b - a < 1.5 * 60.0 / bpm
             for j in range(sub)]
    truth = {"meter": METER[figure], "meters": [{"time": heard[0], "meter": METER[figure]}],
             "key": {"tonic": tonic, "mode": mode}, "bpm": bpm, "beats": heard, "downbeats": downbeats,
             "pulse": pulse, "chords": labels, "first_onset": heard[0], "last_chord": heard[-1]}
    if rest:
        truth["playing"] = [[heard[0], round(stop + SHIFT + 60.0 / bpm, 4)], [round(back + SHIFT, 4), heard[-1] + 2.0]]
        truth["stops"] = [{"start": round(stop + SHIFT, 4), "end": round(back + SHIFT, 4),
                           "beats": round(rest * bpm / 60.0, 3)}]
    return truth


def midi_of(events) -> mido.MidiFile:
    """A type-1 file at 120 BPM, 480 ticks a beat: the events on their strings' channels, in time order."""
    mid = mido.MidiFile(type=1, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000, time=0))
    now = 0
    for t, on, pitch, velocity, s in sorted(events, key=lambda e: (e[0], e[1])):
        tick = max(now, round(t * 960))
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, channel=s, note=pitch, velocity=velocity, time=tick - now))
        now = tick
    return mid


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--only", default="", help="comma-separated name prefixes")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for seed, (name, *run) in enumerate(RUNS, 3700):
        if a.only and not any(name.startswith(p) for p in a.only.split(",")):
            continue
        mid, truth = play(*run, seed)
        mid.save(a.out / f"{name}.mid")
        (a.out / f"{name}.json").write_text(json.dumps(truth))
    print(f"wrote takes into {a.out}")


if __name__ == "__main__":
    main()
