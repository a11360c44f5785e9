"""4/4 comping whose strong hits are off the 1, written with mido, with a truth JSON each (review23's reggae skank,
issues 11 and 12): does the band keep the bar it came in on, and does the listener hear the 1 under the chops?

    python bench/offbeat_comping.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1      # the band on them (meter, beat F, bar F)

Figures, on a sixteenth grid (16 steps a bar; "C" the chord's four top strings struck short, as an up-stroke chop,
"G" a muted ghost scratch on two strings, "D" a full down-strum from the bass string, "U" an up-strum, "P" the
next chord's up-strum an eighth early, held over the bar line, "." none):
- `skank`: reggae, chops on 2 and 4 (`....C.......C...`), the 4th bar of each four a double skank (the "and" of 4
  too), chords i and IV of a dorian key held two bars each, nothing on 1 and 3 (no bass), at 72 and 84 BPM;
- `funk-chop`: a chord chopped on 2 and 4 with ghost scratches on the "a" of each beat (`...GC..G...GC..G`), the
  chord (I and IV of a mixolydian key) changing every two bars, at 96 and 104 BPM;
- `bubble`: reggae's doubled skank, chops on 2, the "and" of 2, 4 and the "and" of 4 (`....C.C.....C.C.`), chords as
  `skank`'s, at 76 and 88 BPM (session 30: the "and" after the chop struck the beats between, and the 1 under it
  was a coin flip with the 3, as in sim4 reggae Bb-dorian's bubble);
- `push`: pop strumming `D.DU.UDU` on eighths whose last up-strum is the next bar's chord, held over the bar line
  (the 1 not struck again: `....D.U...U.D.P.`, the take's first bar struck on its 1), one chord a bar (I V vi IV),
  at 92 and 116 BPM.
32 bars, then a final chord on a downbeat; strokes humanised by a fixed seed (6 ms). The truth's chords are the
chords of the bars (a pushed chord is the next bar's). Our own takes: a check of a kind, not evidence
(bench/README.md); review23's skank (tests/data/reggae-skank-76-am-review23.mid) was written by someone else.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import mido

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import bar, finish, write_table  # noqa: E402

# name: (sixteenths of bars 1-3, of bar 4, chord steps (semitones, minor) each held `per_chord` bars, per_chord,
# mode of the key, tempi as (BPM, key))
FIGURES = {
    "skank": ("....C.......C...", "....C.......C.C.", ((0, True), (5, False)), 2, "dorian",
              ((72, "G"), (84, "E"))),
    "funk-chop": ("...GC..G...GC..G", "...GC..G...GC..G", ((0, False), (5, False)), 2, "mixolydian",
                  ((96, "A"), (104, "E"))),
    "push": ("....D.U...U.D.P.", "....D.U...U.D.P.", ((0, False), (7, False), (9, True), (5, False)), 1, "major",
             ((92, "G"), (116, "C"))),
    "bubble": ("....C.C.....C.C.", "....C.C.....C.C.", ((0, True), (5, False)), 2, "dorian", ((76, "D"), (88, "A"))),
}
STRINGS = {"C": range(2, 6), "G": range(3, 5), "D": range(6), "U": range(5, 1, -1), "P": range(5, 1, -1)}
LEVELS = {"C": 78, "G": 40, "D": 84, "U": 72, "P": 80}
LENGTH = {"C": 0.5, "G": 0.3, "D": 1.8, "U": 1.8, "P": 3.8}       # in sixteenths: chops are short, a push rings on


def take(first: str, fourth: str, steps: tuple, per_chord: int, mode: str, bpm: float, key: str, seed: int,
         bars: int = 32) -> tuple[mido.MidiFile, dict]:
    """The MIDI file (one channel per string, 960 ticks a second) and truth of one take."""
    rnd = random.Random(seed)
    sixteenth = 60.0 / bpm / 4
    bar_len, start = 16 * sixteenth, 1.0
    events, beats, downbeats, chords = [], [], [], []
    for b in range(bars):
        at = start + b * bar_len
        notes = bar(key, steps[b // per_chord % len(steps)], at, [at + i * 4 * sixteenth for i in range(4)],
                    beats, downbeats, chords)
        pushed = bar(key, steps[(b + 1) // per_chord % len(steps)], at, [], [], [], [])
        figure = fourth if b % 4 == 3 else first
        for e, stroke in enumerate("D" + figure[1:] if b == 0 and "P" in figure else figure):  # the song's first 1
            if stroke == ".":
                continue
            t = at + e * sixteenth + rnd.gauss(0, 0.006)
            voiced = pushed if stroke == "P" else notes
            for j, s in enumerate(STRINGS[stroke]):
                v = LEVELS[stroke] + rnd.randint(-6, 6) - (6 if stroke in "UC" and j else 0)
                events += [(t + 0.008 * j, 1, voiced[s], v, s),
                           (t + 0.008 * j + LENGTH[stroke] * sixteenth, 0, voiced[s], 0, s)]
    mid, truth = finish(events, key, "4/4", start, bar_len, 2 * sixteenth, bars, beats, downbeats, chords, 8)
    truth["key"]["mode"] = mode
    return mid, truth


def main() -> None:
    """Write every figure at each of its tempi into --out (seeds 201, 202, ... in order)."""
    write_table(__doc__, FIGURES, take, lambda name, _, bpm, key: f"4-4_{name}_{bpm}_{key}", 201)


if __name__ == "__main__":
    main()
