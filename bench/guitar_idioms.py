"""Guitar idioms earlier reviews did not try (review25, issues 11 and 12), written with mido on a fretboard, with a
truth JSON each: does the band keep a player's bars, meter and entry through them?

    python bench/guitar_idioms.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (meter, beat F, bar F, entry, ending)

Each take is played on six strings (one MIDI channel a string, low E = channel 1, as a pickup converter sends
them), in standard tuning or drop D, with a capo where a guitarist would put one; a string rings until it is
struck again or damped. Strokes on a grid of `STEPS` steps a beat: "D" a down-strum over the shape's strings, "U"
an up-strum over its top four, "B" its bass string alone, "A" the next string up (alternate bass), "C" the shape
without its bass (a chop, short), "M" a palm-muted down-stroke on the low three strings (short and soft), "X" a
muted scratch, "H" natural harmonics on the top three strings (an octave over the open strings, soft, ringing),
"." nothing. Takes (32-40 bars each, a final chord on a downbeat; strokes humanised by the take's own seed):
- `fermata`: 4/4 at 92, D.DU.UDU; bar 16's chord struck once and held over a fermata (4.5 s more), then a tempo;
- `halftime`: 4/4 at 124, verse in eighths, a chorus in half-time feel (a big strum on 1, a chop on 3; 8 bars);
- `jig`: 6/8 at 112 dotted quarters, D U D D U D with accents on 1 and 4;
- `slowblues`: 12/8 at 54 dotted quarters, triplet strums (D U D) with a shuffle bass, a 12-bar I-IV-V form;
- `bolero`: 3/4 at 84, the bolero figure (an eighth, two sixteenths, an eighth, two sixteenths, two eighths);
- `tango`: 2/4 at 116, the habanera (a dotted eighth, a sixteenth, two eighths), bass on 1;
- `pickup-waltz`: 3/4 at 66, a lone pickup note on beat 3 before bar 1, bass on 1 and chords on 2 and 3;
- `capo7`: 4/4 at 104, open G-shape chords (G C D Em) under capo 7: D major, high;
- `bluegrass`: 2/4 at 232, boom-chuck (bass on 1, chord on 2, the bass alternating every other bar);
- `dorian-vamp`: 4/4 at 98, Em7 - A7 in sixteenths (D . D U on each beat, the beat's down-strum accented; E dorian);
- `dropd-riff`: 4/4 at 112, drop D: palm-muted chugs in eighths, power chords (D5 F5 G5 C5) on eighths 1, 4, 7;
- `harmonics`: 4/4 at 80, a verse of palm mutes with harmonics on each fourth bar, then an open strummed chorus;
- `palm8`, `eighths`, `strum16`: even eighths, the kind under the failures above: palm-muted chugs at 100 (only the
  1 louder), down-strums at 80 (each beat louder), and the capo take's figure at 112 (only the 1 louder).
The truth: beats (the meter's beat: a dotted quarter in 6/8 and 12/8), downbeats, meter, key, chords, the
eighth pulse, `playing` (the fermata left out), first onset and last chord, as band_eval.py reads them. These
are our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402

TUNINGS = {"standard": (40, 45, 50, 55, 59, 64), "drop-d": (38, 45, 50, 55, 59, 64)}
SHAPES = {  # frets low string to high, None: not played (open-position shapes a guitarist learns first)
    "G": (3, 2, 0, 0, 0, 3), "C": (None, 3, 2, 0, 1, 0), "D": (None, None, 0, 2, 3, 2), "Em": (0, 2, 2, 0, 0, 0),
    "Am": (None, 0, 2, 2, 1, 0), "E": (0, 2, 2, 1, 0, 0), "A": (None, 0, 2, 2, 2, 0), "Dm": (None, None, 0, 2, 3, 1),
    "F": (1, 3, 3, 2, 1, 1), "Bm": (None, 2, 4, 4, 3, 2), "B7": (None, 2, 1, 2, 0, 2), "E7": (0, 2, 0, 1, 0, 0),
    "A7": (None, 0, 2, 0, 2, 0), "Em7": (0, 2, 0, 0, 0, 0), "D7": (None, None, 0, 2, 1, 2), "G7": (3, 2, 0, 0, 0, 1),
    "C7": (None, 3, 2, 3, 1, 0),
    "D5": (0, 0, 0, None, None, None), "F5": (3, 3, 3, None, None, None), "G5": (5, 5, 5, None, None, None),
    "C5": (10, 10, 10, None, None, None), "A5": (7, 7, 7, None, None, None),
}
NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
STEPS = 4                       # grid steps a beat (sixteenths in x/4; in 6/8 and 12/8 three eighths a beat)


@dataclass
class Take:
    """One take: `bars` is a list of (shape, figure) per bar, each figure `per_bar * steps` strokes long."""
    meter: str
    bpm: float
    key: tuple[str, str]
    bars: list[tuple[str, str]]
    tuning: str = "standard"
    capo: int = 0
    steps: int = STEPS
    fermata: tuple[int, float] | None = None       # (bar index, seconds its first beat is held longer)
    pickup: str | None = None                      # one stroke on the last beat before bar 1
    accents: tuple[int, ...] = (0,)                # accented grid steps of a bar

    @property
    def per_bar(self) -> int:
        """Beats a bar in the meter's beat (a dotted quarter in 6/8 and 12/8)."""
        top, bottom = (int(x) for x in self.meter.split("/"))
        return top // 3 if bottom == 8 else top


def beat_times(take: Take, start: float) -> list[float]:
    """The onset of every beat from `start` s to the final chord's, the fermata's beat held longer (s)."""
    beat = 60.0 / take.bpm
    times, t = [], start
    for b in range(len(take.bars)):
        for i in range(take.per_bar):
            times.append(t)
            t += beat + (take.fermata[1] if take.fermata and (b, i) == (take.fermata[0], 0) else 0.0)
    return times + [t]


def voicing(take: Take, shape: str) -> list[int | None]:
    """The MIDI pitch of each string for `shape` under the take's tuning and capo (None: not played)."""
    open_strings = TUNINGS[take.tuning]
    return [None if f is None else open_strings[s] + take.capo + f for s, f in enumerate(SHAPES[shape])]


def strings_of(stroke: str, pitches: list[int | None], bar_index: int) -> tuple[list[int], int, float]:
    """The strings a stroke sounds (in the order struck), its velocity before accents and its length in steps."""
    played = [s for s, p in enumerate(pitches) if p is not None]
    bass = played[0]
    if stroke == "D":
        return played, 80, 16.0
    if stroke == "U":
        return played[-4:][::-1], 66, 16.0
    if stroke == "B":
        return [bass], 84, 16.0
    if stroke == "A":
        return [min(bass + 1 + bar_index % 2, 5)], 78, 16.0
    if stroke == "C":
        return played[-4:], 74, 0.7
    if stroke == "M":
        return played[:3], 56, 0.6
    if stroke == "X":
        return played[2:5], 34, 0.3
    if stroke == "H":
        return [3, 4, 5], 50, 24.0
    raise ValueError(f"unknown stroke {stroke!r}")


def perform(take: Take, seed: int, start: float = 1.0) -> tuple[list, list[float]]:
    """The take's note events (time s, on, pitch, velocity, channel) and its beat times (s)."""
    rnd = random.Random(seed)
    beats = beat_times(take, start)
    events, ringing = [], {}
    for b, (shape, figure) in enumerate(take.bars + [(take.bars[0][0], "D")]):
        pitches = voicing(take, shape)
        for e, stroke in enumerate(figure):
            if stroke == ".":
                continue
            k = b * take.per_bar + e // take.steps
            step = (beats[min(k + 1, len(beats) - 1)] - beats[k]) / take.steps if k + 1 < len(beats) else 0.16
            t = beats[k] + (e % take.steps) * step + rnd.gauss(0, 0.006)
            strings, level, length = strings_of(stroke, pitches, b)
            level += 14 if e in take.accents else 0
            for j, s in enumerate(strings):
                pitch = TUNINGS[take.tuning][s] + take.capo + 12 if stroke == "H" else pitches[s]
                if pitch is None:
                    continue
                on = t + 0.009 * j
                if s in ringing:                     # the string damped by the new stroke
                    events.append((min(ringing[s][0], on - 0.002), 0, ringing[s][1], 0, s))
                off = on + length * step if b < len(take.bars) else on + 3.0
                events.append((on, 1, pitch, max(1, min(127, level + rnd.randint(-6, 6))), s))
                ringing[s] = (off, pitch)
    events += [(off, 0, pitch, 0, s) for s, (off, pitch) in ringing.items()]
    return events, beats


def truth_of(take: Take, beats: list[float], first_onset: float) -> dict:
    """The truth band_eval.py reads: beats, downbeats, meter, key, chords, pulse, playing, first onset, last chord."""
    downbeats = beats[::take.per_bar]
    chords = []
    for b, (shape, _) in enumerate(take.bars):
        label = chord_label(take, shape)
        if not chords or chords[-1]["label"] != label:
            chords.append({"time": round(downbeats[b], 4), "label": label})
    playing = [[first_onset, beats[-1] + 2.0]]
    if take.fermata:
        held = beats[take.fermata[0] * take.per_bar]
        back = beats[(take.fermata[0] + 1) * take.per_bar]
        playing = [[first_onset, held + 60.0 / take.bpm], [back, beats[-1] + 2.0]]
    per_beat = 3 if take.meter.endswith("/8") else 2
    pulse = [beats[i] + j * (beats[i + 1] - beats[i]) / per_beat
             for i in range(len(beats) - 1) for j in range(per_beat)]
    return {"meter": take.meter, "meters": [{"time": first_onset, "meter": take.meter}],
            "key": {"tonic": take.key[0], "mode": take.key[1]}, "bpm": take.bpm,
            "beats": [round(x, 4) for x in beats], "downbeats": [round(x, 4) for x in downbeats],
            "pulse": [round(x, 4) for x in pulse], "chords": chords, "playing": playing, "stops": [],
            "first_onset": round(first_onset, 4), "last_chord": round(beats[-1], 4)}


def chord_label(take: Take, shape: str) -> str:
    """The Harte label of `shape` as it sounds under the take's tuning and capo (power chords as X:5)."""
    pitches = [p for p in voicing(take, shape) if p is not None]
    root = NAMES[pitches[0] % 12] if shape.endswith("5") else NAMES[(_ROOTS[shape[0]] + take.capo) % 12]
    quality = {"5": "5", "m": "min", "m7": "min7", "7": "7"}.get(shape[1:], "maj")
    return f"{root}:{quality}"


_ROOTS = {n: i for i, n in enumerate(NAMES)}


def song(chords: str, figure: str, repeat: int = 1) -> list[tuple[str, str]]:
    """Bars of `figure` on the chords of `chords` (space-separated, one a bar), `repeat` times over."""
    return [(c, figure) for c in chords.split()] * repeat


def takes() -> dict[str, Take]:
    """Every take of the docstring, by name."""
    eighths = song("G Em C D", "D...D.U...U.D.U.")       # D . D U . U D U in eighths, on a sixteenth grid
    half = song("C D Em C", "D.......C.......")
    blues = "E7 A7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7".split()
    return {
        "4-4_fermata_92_G": Take("4/4", 92, ("G", "major"), eighths * 3 + eighths[:3] + [("D", "D" + "." * 15)]
                                 + eighths * 4, fermata=(15, 4.5)),
        "4-4_halftime_124_G": Take("4/4", 124, ("G", "major"), eighths * 4 + half * 2 + eighths * 2),
        "6-8_jig_112_D": Take("6/8", 112, ("D", "major"), song("D G D A", "DUDDUD", 8), steps=3, accents=(0, 3)),
        "12-8_slowblues_54_E": Take("12/8", 54, ("E", "mixolydian"), [(c, "B.UD.UB.UD.U") for c in blues] * 3,
                                    steps=3, accents=(0, 6)),
        "3-4_bolero_84_Am": Take("3/4", 84, ("A", "minor"), song("Am Dm E7 Am", "D.DDD.DDD.D.", 8)),
        "2-4_tango_116_Dm": Take("2/4", 116, ("D", "minor"), song("Dm A7 A7 Dm", "B..DD.D.", 9)),
        "3-4_pickup-waltz_66_C": Take("3/4", 66, ("C", "major"), song("C G7 G7 C F C G7 C", "B...C...C...", 4),
                                      pickup="B"),
        "4-4_capo7_104_D": Take("4/4", 104, ("D", "major"), song("G C D Em", "D.D.D.DUD.DUD.DU", 8), capo=7),
        "2-4_bluegrass_232_G": Take("2/4", 232, ("G", "major"), bluegrass_bars(), accents=(0,)),
        "4-4_dorian-vamp_98_E": Take("4/4", 98, ("E", "dorian"),
                                     song("Em7 Em7 A7 A7", "D.DUD.DUD.DUD.DU", 8), accents=(0, 4, 8, 12)),
        "4-4_dropd-riff_112_D": Take("4/4", 112, ("D", "minor"),
                                     song("D5 D5 F5 G5 D5 D5 C5 G5", "D.M.M.D.M.M.D.M.", 4), tuning="drop-d",
                                     accents=(0, 6, 12)),
        "4-4_harmonics_80_E": Take("4/4", 80, ("E", "minor"), harmonic_bars()),
        "4-4_palm8_100_E": Take("4/4", 100, ("E", "minor"), [(c, "M.M.M.M.M.M.M.M.") for c in "Em C G D".split()] * 8),
        "4-4_eighths_80_G": Take("4/4", 80, ("G", "major"), song("G C D Em", "D.D.D.D.D.D.D.D.", 8),
                                 accents=(0, 4, 8, 12)),
        "4-4_strum16_112_G": Take("4/4", 112, ("G", "major"), song("G C D Em", "D.D.D.DUD.DUD.DU", 8)),
    }


def bluegrass_bars() -> list[tuple[str, str]]:
    """Boom-chuck on G G C C G G D D (bass on 1, chord on 2, the alternate bass every other bar), five times."""
    return [(c, "A...C..." if b % 2 else "B...C...") for b, c in enumerate("G G C C G G D D".split() * 5)]


def harmonic_bars() -> list[tuple[str, str]]:
    """A palm-muted verse (eighth chugs, harmonics ringing on each 4th bar), then an open strummed chorus."""
    verse = [(c, "M.M.M.M.M.M.M.M.") for c in "Em C G D".split()]
    verse[3] = ("Em", "H...............")
    chorus = song("C G D Em", "D.D.D.DUD.DUD.DU")
    return verse * 4 + chorus * 4


def main() -> None:
    """Write every take into --out (seeds 301, 302, ... in order)."""
    out = []
    for seed, (stem, take) in enumerate(takes().items(), 301):
        events, beats = perform(take, seed)
        if take.pickup:                               # a lone bass note on the beat before bar 1
            beat = beats[1] - beats[0]
            pitch = [p for p in voicing(take, take.bars[-1][0]) if p is not None][0]
            events.append((beats[0] - beat, 1, pitch, 70, 1))
            events.append((beats[0] - 0.02, 0, pitch, 0, 1))
            beats = [beats[0] - beat] + beats
        first = min(e[0] for e in events)
        truth = truth_of(take, beats if not take.pickup else beats[1:], first)
        if take.pickup:
            truth["beats"] = [round(x, 4) for x in beats]
        out.append((stem, (midi_of(events), truth)))
    write_all(__doc__, out)


if __name__ == "__main__":
    main()
