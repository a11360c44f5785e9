"""Fast waltzes and polkas (review21's fastwaltz kind): is the beat heard at the quarter, or at two quarters?

    python bench/fast_waltz.py --out DIR        # writes DIR/NAME.mid + NAME.json (truth), prints a row each

The takes are written here with mido, not by the simulators, one MIDI channel per string as a converter sends:
sixteen 3/4 waltzes at 140-200 BPM in five keys, a bass note on beat 1 and a four-string chord on beats 2 and 3
(the open D string in the chords of D, G7, D7 and Dm: under E3, a `bass` note to the listener), half of them with
a melody note of the chord over every beat; six polkas at 160, 180 and 200 BPM, in 2/4 (bass, chord, each with
its "and") and 4/4 (bass on 1 and 3); four oom-pah polkas at 150, 170, 190 and 210 BPM in 2/4 (review22's kind:
the bass alone on 1, alternating, a chord stab on 2, nothing between). Timing scattered by 4-6 ms. Each row gives
the tempo the online listener hears at the end (its median beat over the last 16 beats), its ratio to the truth
(0.5: two quarters a beat), beat F and downbeat F (mir_eval, 70 ms) and the meter at the end. `band_eval.py --sets
DIR` scores the band.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import mido
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402

OPEN = (64, 59, 55, 50, 45, 40)          # string 1 (high E) .. 6 (low E), MIDI channel = string - 1
SHAPES = {  # frets per string 1..6, None: not played
    "G": (3, 0, 0, 0, 2, 3), "C": (0, 1, 0, 2, 3, None), "D": (2, 3, 2, 0, None, None), "Em": (0, 0, 0, 2, 2, 0),
    "Am": (0, 1, 2, 2, 0, None), "E": (0, 0, 1, 2, 2, 0), "A7": (0, 2, 0, 2, 0, None), "Bm": (2, 3, 4, 4, 2, None),
    "F": (1, 1, 2, 3, 3, 1), "Dm": (1, 3, 2, 0, None, None), "E7": (0, 0, 1, 0, 2, 0), "D7": (2, 1, 2, 0, None, None),
    "G7": (1, 0, 0, 0, 2, 3), "B7": (2, 0, 2, 1, 2, None), "A": (0, 2, 2, 2, 0, None),
}
KEYS = {"G": ("G major", ("G", "G", "C", "D7", "G", "Em", "Am", "D7")),
        "Am": ("A minor", ("Am", "Am", "Dm", "E7", "Am", "F", "E7", "E7")),
        "D": ("D major", ("D", "D", "G", "A7", "D", "Bm", "Em", "A7")),
        "C": ("C major", ("C", "C", "F", "G7", "C", "Am", "Dm", "G7")),
        "E": ("E major", ("E", "E", "A", "B7", "E", "A", "B7", "E"))}
WALTZ_BPM = (140, 148, 156, 164, 172, 180, 190, 200)
POLKA_BPM = (160, 180, 200)
OOMPAH_BPM = (150, 170, 190, 210)
LEAD = 0.5      # s before the first note


class Take:
    """One take's notes (s, channel, pitch, velocity, length) and its truth's beats and downbeats (s)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.notes: list[tuple[float, int, int, int, float]] = []
        self.beats: list[float] = []
        self.downbeats: list[float] = []

    def strum(self, t: float, chord: str, velocity: int, length: float, strings: range = range(4)) -> None:
        """A down strum of the chord's strings among `strings` (0 = high E), low string first, 12 ms a string."""
        frets = SHAPES[chord]
        t += self.rng.gauss(0, 0.005)
        played = [s for s in sorted(strings, reverse=True) if frets[s] is not None]
        for k, s in enumerate(played):
            self.notes.append((t + 0.012 * k, s, OPEN[s] + frets[s], velocity - 2 * k, length))

    def bass(self, t: float, chord: str, velocity: int, length: float, upper: bool = False) -> None:
        """The chord's lowest string alone (`upper`: the string above it, an alternate bass)."""
        frets = SHAPES[chord]
        s = max(s for s in range(6) if frets[s] is not None) - upper
        self.notes.append((t + self.rng.gauss(0, 0.004), s, OPEN[s] + frets[s], velocity, length))

    def melody(self, t: float, chord: str, velocity: int, length: float) -> None:
        """A chord tone an octave or two above its lowest played strings, on the high E string's channel."""
        frets = SHAPES[chord]
        tones = sorted({OPEN[s] + frets[s] for s in range(3) if frets[s] is not None})
        pitch = self.rng.choice(tones) + 12
        self.notes.append((t + self.rng.gauss(0, 0.006), 0, pitch, velocity, length))

    def save(self, path: Path, meter: str, key: str, bpm: float) -> None:
        """Writes the take (120 BPM in the file: a tick is 1/960 s) and its truth beside it."""
        events = []
        for t, ch, pitch, velocity, length in self.notes:
            events += [(t, 1, ch, pitch, max(1, min(127, velocity))), (t + length, 0, ch, pitch, 0)]
        mid = mido.MidiFile(type=0, ticks_per_beat=480)
        track = mido.MidiTrack()
        mid.tracks.append(track)
        track.append(mido.MetaMessage("set_tempo", tempo=500_000))
        last = 0
        for t, on, ch, pitch, velocity in sorted(events, key=lambda e: (e[0], e[1])):
            tick = round(max(0.0, t) * 960)
            track.append(mido.Message("note_on" if on else "note_off", channel=ch, note=pitch, velocity=velocity,
                                      time=tick - last))
            last = tick
        mid.save(path)
        truth = {"meter": meter, "key": key, "bpm": bpm, "beats": [round(b, 4) for b in self.beats],
                 "downbeats": [round(b, 4) for b in self.downbeats], "last_onset": round(max(self.beats), 3)}
        path.with_suffix(".json").write_text(json.dumps(truth))


def waltz(bpm: float, key: str, melody: bool, seed: int) -> Take:
    """A waltz: bass on 1, chord on 2 and 3, and with `melody` a chord tone over every beat; a chord a bar."""
    take, beat = Take(seed), 60.0 / bpm
    progression = KEYS[key][1]
    bars = max(24, int(bpm / 5))
    for bar in range(bars + 1):
        t, chord = LEAD + 3 * bar * beat, progression[bar % len(progression)]
        take.downbeats.append(t)
        take.beats += [t] if bar == bars else [t, t + beat, t + 2 * beat]
        if bar == bars:
            take.strum(t, progression[0], 85, 2.0, range(6))
            break
        take.bass(t, chord, 85, 0.9 * beat)
        for k in (1, 2):
            take.strum(t + k * beat, chord, 70, 0.8 * beat)
        for k in range(3) if melody else ():
            take.melody(t + k * beat, chord, 80 if k == 0 else 72, beat * take.rng.choice((0.95, 0.95, 1.9)))
    return take


def _two_step(bpm: float, key: str, beats: int, seed: int, play) -> Take:
    """A take in `beats` beats a bar at `bpm`, a chord a bar of `key`'s progression, ending on a held tonic chord:
    `play(take, time s, beat index in the bar, bar index, chord)` writes each beat's notes."""
    take, beat = Take(seed), 60.0 / bpm
    progression = KEYS[key][1]
    bars = int(bpm / 2) // beats
    for bar in range(bars + 1):
        t, chord = LEAD + beats * bar * beat, progression[bar % len(progression)]
        take.downbeats.append(t)
        if bar == bars:
            take.beats.append(t)
            take.strum(t, progression[0], 85, 2.0, range(6))
            break
        for k in range(beats):
            take.beats.append(t + k * beat)
            play(take, t + k * beat, k, bar, chord)
    return take


def polka(bpm: float, key: str, beats: int, seed: int) -> Take:
    """A polka: bass on the odd beats, chord on the even ones, an up-strum on every "and"; a chord a bar."""
    beat = 60.0 / bpm

    def play(take, tk, k, bar, chord):
        if k % 2 == 0:
            take.bass(tk, chord, 85, 0.8 * beat)
        else:
            take.strum(tk, chord, 72, 0.6 * beat)
        take.strum(tk + beat / 2, chord, 64, 0.4 * beat, range(3))
    return _two_step(bpm, key, beats, seed, play)


def oompah(bpm: float, key: str, beats: int, seed: int) -> Take:
    """An oom-pah polka (review22's polka_C_180_2-4): the bass alone on the odd beats, alternating the chord's lowest
    string and the one above it, a chord stab on the even ones, nothing between; a chord a bar."""
    beat = 60.0 / bpm

    def play(take, tk, k, bar, chord):
        if k % 2 == 0:
            take.bass(tk, chord, 88, 0.6 * beat, upper=(bar * beats + k) % 4 == 2)
        else:
            take.strum(tk, chord, 70, 0.5 * beat)
    return _two_step(bpm, key, beats, seed, play)


def takes():
    """(name, Take, meter, key, bpm) of every take."""
    keys = list(KEYS)
    for i, bpm in enumerate(WALTZ_BPM):
        for melody in (False, True):
            key = keys[(i + melody) % len(keys)]
            name = f"{'melwaltz' if melody else 'waltz'}_{key}_{bpm}_3-4"
            yield name, waltz(bpm, key, melody, seed=2 * bpm + melody), "3/4", KEYS[key][0], bpm
    for i, bpm in enumerate(POLKA_BPM):
        for beats in (2, 4):
            key = keys[(i + beats) % len(keys)]
            take = polka(bpm, key, beats, seed=bpm + beats)
            yield f"polka_{key}_{bpm}_{beats}-4", take, f"{beats}/4", KEYS[key][0], bpm
    for i, bpm in enumerate(OOMPAH_BPM):
        key = keys[(i + 3) % len(keys)]
        yield f"oompah_{key}_{bpm}_2-4", oompah(bpm, key, 2, seed=bpm + 7), "2/4", KEYS[key][0], bpm


def heard(path: Path) -> tuple[float, float, float, str]:
    """(tempo the online listener hears at the end, BPM; beat F; downbeat F; meter at the end) against the truth."""
    import mir_eval  # noqa: PLC0415

    truth = json.loads(path.with_suffix(".json").read_text())
    analysis, _ = run_online(read_guitar_file(path).messages, ListenerConfig())
    beats = np.array(analysis.beats)
    bpm = 60.0 / float(np.median(np.diff(beats[-17:]))) if len(beats) > 2 else 0.0
    f = mir_eval.beat.f_measure(np.array(truth["beats"]), beats)
    fd = mir_eval.beat.f_measure(np.array(truth["downbeats"]), np.array(analysis.downbeats))
    return bpm, f, fd, analysis.meter


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    right = scores = 0
    n = 0
    for name, take, meter, key, bpm in takes():
        path = args.out / f"{name}.mid"
        take.save(path, meter, key, bpm)
        bpm_heard, f, fd, heard_meter = heard(path)
        n += 1
        right += abs(bpm_heard / bpm - 1) < 0.04
        scores += f
        print(f"  {name}: heard {bpm_heard:.1f} BPM ({bpm_heard / bpm:.2f} x), beat F {f:.2f}, downbeat F {fd:.2f}, "
              f"meter {heard_meter}", flush=True)
    print(f"tempo within 4 % on {right} of {n}; beat F mean {scores / n:.3f}")


if __name__ == "__main__":
    main()
