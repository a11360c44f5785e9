#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Copyright (c) the aqyn contributors. Licensed under the MIT License (see pyproject.toml).
"""player_sim: an independent guitar-performance simulator that writes converter-like MIDI takes with truth.

Written from a spec, without reading aqyn's listening code, so the band can be measured on playing its makers
did not shape. Deterministic for a seed: every random draw comes from numpy.random.default_rng([seed, index]).

    python bench/player_sim.py --out DIR [--count N] [--seed S] [--only KIND]

writes DIR/NAME.mid and DIR/NAME.json per take and prints one summary line per take.

Spec as implemented
-------------------
Take = a guitarist playing a song (chord progression in a key and mode, meter, tempo, right-hand pattern)
through a MIDI pickup converter. Kinds (KINDS): strum44, strum24 (2/4 boom-chick), waltz34, jig68 (beat = dotted
quarter), aqsaq58 (3+2), aqsaq78 (2+2+3), fingerpick (Travis/arpeggio, 4/4 or 3/4), stops (1 beat, 1 bar,
2 bars, 4-6 bars of silence, each ending on a downbeat, damped or ringing), twice (the song again after a
4-12 s gap, +-6 % tempo), pickup (1-3 eighth/quarter anacrusis notes), tuning_tail (10-30 s after the song's
last note end, 1-4 open-string plucks), dynamics (middle third of the bars at ~25 mean velocity with every
other event dropped), meter_change (4/4<->3/4 at constant quarter, 6/8<->2/4 at constant beat), tempo (drift
+-5-10 % as a ramp or arch, rubato = each beat's length x U(0.97, 1.03), or one +-15-25 % step at a 4-bar
boundary). Other takes are steady (beat lengths x N(1, 0.6 %)) or, now and then, drift/rubato/step, and then
also list "tempo" in their kinds. The default 24 takes cycle through KINDS; the second round adds one of
pickup/tuning_tail/dynamics/tempo to each take, so that every kind is in at least two takes' "kinds".
Name: STEM_METER_TONIC-MODE[+tag...]_sNN, STEM = kind without its meter digits (strum44 -> strum_4-4).

Keys: 12 tonics (flat spelling), modes major, minor (aeolian), dorian, mixolydian, phrygian, lydian with
modal progressions (PROGRESSIONS), form AABA of 8-bar sections, one chord per bar (or per 2 bars when bars
are short, or 2 per bar in slow 4/4), last bar = one strum of the tonic triad left to ring.
Lengths 24-64 bars within 30-120 s (stops >= 40 bars; twice: 16-32 bars per rendition).

Guitar: standard tuning (OPEN); open or E/A-shape barre voicings (frets 0-15, one note per string); bass and
alternate bass (the fifth when reachable) on the low strings; melody notes placed near the hand position.
Strums: 'D' all voiced strings low to high, 'U' top 3-4 strings high to low (x0.8 velocity), 'd'/'c' top four
strings down ('c' damped after 40-65 % of a beat). Spread 10-40 ms per strum (x0.7 on up strums), measured at
the converter's note-ons: on a down stroke the player's own spread is wider by the low strings' extra latency,
so the note-ons come low string first, 10-40 ms apart. The truth time of a strum is its first string.
Pluck times scatter N(0, 3-8 ms) (clipped +-15 ms) around the grid.
Chord notes ring 1.5-4 s, until the string is struck again, until the left hand changes that string's fret
(10-50 ms before the next chord), or until a damped stop (its first silent beat, -20..+50 ms).
Some takes end melodic runs at phrase ends (the last 2-4 eighths of every 8th bar) with approach notes.

Converter: mono mode, channel = string index (0 = high E ... 5 = low E, MIDI channels 1-6; converter-set-b
numbers the other way round, both exist), or, in every 6th take (index % 6 == 5), poly mode on channel 0.
Latency 20-26 ms (high E) to 30-40 ms (low E), linear in the string, +-1..4 ms jitter per note. Ghost notes
(3 %): velocity 5-12, 2-10 ms, mostly +12/+19 semitones, after the pluck and before the real note-on. Octave errors
(2 % of notes on the two low strings): +-12. Legato (hammer-ons in runs and fingerpicking) in some takes: as a
pitch-bend ramp to 8192 + k*8192/12 (range +-12) on the held note with a reset (0 in mido terms) at its note-off
(mono takes), or as separate softer notes. Note-offs: a note ends at min(its end, the next note-on on its
string minus 1-4 ms); in "quirk" takes half of the same-pitch restrikes put the off on the new note-on's tick, written
after it. Some takes send note-offs as note_on velocity 0. SMF type 0 or 1 (written with struct, read back with
mido in the tests), 480 ticks per beat, one 120 BPM tempo: seconds = ticks / 960.

Truth JSON (times in s, 4 decimals; all *played* times, before converter latency, except "end"):
kind, kinds, name, key {tonic, mode}, meter (most bars), meters [{time, meter}] (first at the first downbeat,
then each change, a second rendition's start included when its meter differs),
beats (every beat of every bar, also in stops; the pickup bar's beats from the first pickup note on; none in
the twice gap or after the last bar), downbeats, pulse (every eighth; aqsaq meters only), bpm (one per beat,
in beats per minute of the meter's unit: quarter, dotted quarter in 6/8, quarter in 5/8 and 7/8, where a
3-eighth group counts 1.5), chords [{time, label}] (Harte; "N" at a damped stop of >= 1 bar and at each
rendition's end = the end of its last bar; the chord again where a damped stop resumes; a ringing stop keeps
its chord), playing [[start, end]] (start = first pluck of the song or after a stop, end = the stop's first
silent beat or the end of the last bar: a span holds whole played beats),
stops [{start, end, beats, damped}] (first silent beat, resuming downbeat, silent beats), first_onset,
last_chord (the final strum), end (file time of the last note-off, tuning plucks included), tuning_plucks,
dynamics [{bar, time, velocity_mean, notes}] per bar (real notes plucked in the bar, ghosts excluded),
sections (the soft bars), tempo {mode, amount, shape|bar}, renditions [{start, bpm}] (first pluck, bpm at the
first downbeat),
style, converter {latency_ms, poly, legato, ...}, seed, index.

Groove spec (GROOVES; `--grooves` cycles them, sets sim4 and sim4-held)
-----------------------------------------------------------------------
Grooves issue 12 asked for and a new user's review found the band failing on, written as a player would describe
them. "Counted" is the beat a musician taps; slots are the pattern's steps (eighths, sixteenths, or sixteenth
triplets in the bolero); everything else (voicings, converter, truth) is as above, and the truth adds
feel {name, sub = slots per eighth, swing, bars = the patterns} and fermatas [{bar, start, end, stretch}].

- bossa: 4/4, counted quarters 110-145. Thumb on 1 (root) and 3 (fifth); the fingers pinch the top three strings
  on a two-bar syncopation (1, &2, 4 | 2, &3, or 1, 2, &4 | 2, 3, 4). Straight eighths, soft even touch.
  maj7/min7/7 chords: Imaj7 ii7 V7, Imaj7 VI7 ii7 V7; minor i7 iv7 V7; dorian i7 IV7. One chord a bar.
- funk: 4/4, counted quarters 84-112, continuous sixteenths in the strumming hand (down on the beat and the &,
  up on e and a); most strokes are muted scratches, a few short chord chops (cut after 12-30 % of a beat).
  Accent on the 1, then the backbeats 2 and 4; light sixteenth swing (second sixteenth at 50-58 % of the eighth).
  Seventh-chord vamps: i7 IV7 (dorian), I7 IV7 / I7 bVII (mixolydian), i7 iv7; one feel plucks the root on the 1.
  Keys E A D G C F.
- reggae: 4/4. One drop (66-90): short top-string skanks on 2 and 4 only, nothing on 1 (or a thumb root on 3);
  bubble: skanks on 2, &2, 4, &4; ska (100-140): skanks on every & . Major, minor or dorian progressions.
- blues (slow): 12/8, counted dotted quarters 48-66, a twelve-bar form (I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7, or
  the quick change to IV7 in bar 2; minor: i7 ... bVI7 V7 i7 V7), 2 choruses (the last bar: the tonic seventh).
  Shuffle bass on the low strings, long-short on the first and third triplet of each beat: the 5-6 dyad shuffle
  (root + fifth, root + sixth), or a walking shuffle (root, third, fifth, sixth) with top-string stabs on 2 and 4.
  Turnaround runs of 3-6 triplet eighths at the end of a chorus. Keys E A G C D Bb F.
- boogie: 12/8, dotted quarters 88-132, 3 choruses of the same form; walking boogie line R 3 5 6 b7 6 5 3 on the
  triplet's first and third eighth, or dyads 5 6 b7 6.
- bolero: 3/4, quarters 60-84, the Spanish bolero rhythm: 1, triplet on the & (three quick strokes), 2, triplet, 3,
  & | 1, triplet, 2, triplet, then six sixteenth-triplet strokes on 3. Full strums on the beats, short top-string
  strokes in the triplets. Minor (i bVII bVI V, i iv V7), phrygian or major.
- habanera: 2/4, quarters 60-84: thumb on the 1 and the last sixteenth of beat 1 (root, then the alternate bass),
  the fingers pinch on 2 and &2 (dotted eighth, sixteenth, eighth, eighth). Minor (i V7 V7 i) or major.
- sixteenths: 4/4, quarters 76-104, down-up strumming on every sixteenth (or a stroke missed now and then),
  only the 1 accented (up strokes as loud as down strokes or a little softer), barely swung (50-54 %).
- bluegrass: 2/4, quarters 200-260, boom-chuck: a bass note on 1 (root, then the alternate bass the next bar),
  a damped chuck on 2; G runs (3-4 eighths) into the next phrase; I IV V in G C D A E (or mixolydian I bVII IV).
  32-96 bars within 30-75 s.
- fermata: a 4/4 or 3/4 ballad (strummed or picked, 56-110) whose 8th, 16th ... bar (one or two of them) is held:
  the chord is struck once on its downbeat and rings while the bar's beats last 2-3.5 times as long; the count
  goes on, the next phrase comes in at tempo. Truth beats keep the held bar's beats, evenly spread over it.
Second round (takes 10-23) add one of tempo (drift, rubato or a step), tuning_tail, pickup (only grooves counted
in eighths; else the tuning tail).
"""
from __future__ import annotations

import argparse
import json
import re
import struct
import sys
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

OPEN = (64, 59, 55, 50, 45, 40)  # MIDI pitch of each open string; index 0 = high E ... 5 = low E
NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MODES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10), "dorian": (0, 2, 3, 5, 7, 9, 10),
         "mixolydian": (0, 2, 4, 5, 7, 9, 10), "phrygian": (0, 1, 3, 5, 7, 8, 10), "lydian": (0, 2, 4, 6, 7, 9, 11)}
MODE_P = (0.3, 0.25, 0.15, 0.15, 0.075, 0.075)
MINORISH = ("minor", "dorian", "phrygian")
QUALITIES = {"maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "min7": (0, 3, 7, 10), "maj7": (0, 4, 7, 11)}
PROGRESSIONS = {
    "major": ("I V vi IV", "I IV V I", "I vi IV V", "I IV I V7", "I ii V7 I"),
    "minor": ("i bVII bVI bVII", "i iv v i", "i bVI bIII bVII", "i iv V7 i", "i bVII i V7"),
    "dorian": ("i IV i IV", "i bIII IV i", "i bVII IV i", "i IV v i", "i7 IV7 i7 IV7"),
    "mixolydian": ("I bVII IV I", "I bVII I bVII", "I v bVII IV", "I IV bVII IV"),
    "phrygian": ("i bII i bII", "i bII bIII bII", "i iv bII i", "i bvii bVI bII"),
    "lydian": ("I II I II", "I II vii I", "I II iii II", "Imaj7 II Imaj7 II"),
}
METERS = {"2/4": (2, 2), "3/4": (2, 2, 2), "4/4": (2, 2, 2, 2), "6/8": (3, 3), "5/8": (3, 2), "7/8": (2, 2, 3),
          "12/8": (3, 3, 3, 3)}
AQSAQ = ("5/8", "7/8")
BPM = {"4/4": (70, 150), "2/4": (80, 140), "3/4": (80, 180), "6/8": (60, 110), "5/8": (90, 160), "7/8": (90, 160)}
KINDS = ("strum44", "strum24", "waltz34", "jig68", "aqsaq58", "aqsaq78", "fingerpick", "stops", "twice",
         "meter_change", "pickup", "tuning_tail", "dynamics", "tempo")
COMBINABLE = ("pickup", "tuning_tail", "dynamics", "tempo")
BASE_METER = {"strum44": "4/4", "strum24": "2/4", "waltz34": "3/4", "jig68": "6/8", "aqsaq58": "5/8",
              "aqsaq78": "7/8"}
METER_PAIRS = (("4/4", "3/4"), ("3/4", "4/4"), ("6/8", "2/4"), ("2/4", "6/8"))
TICKS_PER_S = 960  # 480 ticks per beat at the file's single 120 BPM tempo

# Right-hand patterns, one token per eighth. D/U/d/c strums (see the docstring), B/A bass root/alternate,
# T/S thumb root/alternate, 1/2/3 fingers on the high E/B/G strings, "." nothing.
PATTERNS = {
    ("4/4", "strum"): ("D . D U . U D U", "D . D . D . D .", "D . D U D U D U", "D U D U D U D U"),
    ("4/4", "bass"): ("B . c . A . c .", "B . D U A . D U"),
    ("4/4", "pick"): ("T1 2 S 1 T 2 S 3", "T 3 2 1 S 3 2 3", "T1 3 S 2 T 1 S 3"),
    ("3/4", "strum"): ("D . D U D U", "D . D . D .", "D . D U . U"),
    ("3/4", "bass"): ("B . c . c .", "B . d U d U"),
    ("3/4", "pick"): ("T 3 2 1 2 3", "T1 2 S 3 S 2", "T 3 S 2 S 1"),
    ("2/4", "strum"): ("D . D U", "D U D U"),
    ("2/4", "bass"): ("B . c .", "B . c U", "B . c c"),
    ("6/8", "strum"): ("D . U D . U", "D U U D U U", "D . . D . U"),
    ("6/8", "bass"): ("B c c A c c", "B . c A . c"),
    ("5/8", "strum"): ("D . U D .", "D U U D U"),
    ("5/8", "bass"): ("B c c A c",),
    ("7/8", "strum"): ("D U D U D . U", "D . D . D U U"),
    ("7/8", "bass"): ("B c A c B c c",),
}

# Chord shapes as tab, low E string first ("x" = not played).
OPEN_SHAPES = {
    (0, "maj"): "x32010", (9, "maj"): "x02220", (7, "maj"): "320003", (4, "maj"): "022100", (2, "maj"): "xx0232",
    (9, "min"): "x02210", (4, "min"): "022000", (2, "min"): "xx0231",
    (9, "7"): "x02020", (4, "7"): "020100", (2, "7"): "xx0212", (7, "7"): "320001", (0, "7"): "x32310",
    (11, "7"): "x21202", (9, "min7"): "x02010", (4, "min7"): "020000", (2, "min7"): "xx0211",
    (0, "maj7"): "x32000", (5, "maj7"): "xx3210", (9, "maj7"): "x02120", (2, "maj7"): "xx0222",
    (7, "maj7"): "320002", (4, "maj7"): "021100",
}
E_SHAPE = {"maj": "022100", "min": "022000", "7": "020100", "min7": "020000", "maj7": "021100"}
A_SHAPE = {"maj": "x02220", "min": "x02210", "7": "x02020", "min7": "x02010", "maj7": "x02120"}


# ----------------------------------------------------------------------------------------------- theory
def unit(meter: str) -> int:
    """Eighths in the meter's counting unit: 3 (dotted quarter) in 6/8 and 12/8, else 2 (quarter)."""
    return 3 if meter in ("6/8", "12/8") else 2


def roman(sym: str, tonic: int) -> tuple[int, str]:
    """Chord (root pitch class, quality) of a roman numeral such as 'bVII', 'iv', 'V7', 'i7', 'Imaj7'."""
    m = re.fullmatch(r"([b#]?)([ivIV]+)(maj7|7)?", sym)
    if not m:
        raise ValueError(sym)
    acc, num, suf = m.groups()
    degree = ("i", "ii", "iii", "iv", "v", "vi", "vii").index(num.lower())
    root = (tonic + MAJOR[degree] + {"b": -1, "#": 1, "": 0}[acc]) % 12
    minor = num.islower()
    quality = {None: "min" if minor else "maj", "7": "min7" if minor else "7", "maj7": "maj7"}[suf]
    return root, quality


def label(chord: tuple[int, str]) -> str:
    """Harte label, e.g. (2, 'min') -> 'D:min'."""
    return f"{NAMES[chord[0]]}:{chord[1]}"


def tab(shape: str, fret: int = 0) -> tuple:
    """Frets per string (index 0 = high E) of a tab written low E first, moved up by `fret`."""
    return tuple(None if c == "x" else int(c) + fret for c in reversed(shape))


def pick_voicing(rng, chord: tuple[int, str], open_pref: float) -> tuple:
    """An open shape (with probability open_pref when one exists) or the lower E/A-shape barre."""
    root, quality = chord
    if (root, quality) in OPEN_SHAPES and rng.random() < open_pref:
        return tab(OPEN_SHAPES[root, quality])
    fe, fa = (root - 4) % 12, (root - 9) % 12
    if fe == 0 or fa == 0:
        return tab(E_SHAPE[quality] if fe == 0 else A_SHAPE[quality])
    use_e = fe < fa if abs(fe - fa) > 2 else rng.random() < 0.5
    return tab(E_SHAPE[quality], fe) if use_e else tab(A_SHAPE[quality], fa)


def bass_notes(v: tuple, chord: tuple[int, str]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(string, pitch) of the root (lowest voiced string) and of the alternate bass (the fifth if a bass
    string reaches it near the shape, else the next string's chord note)."""
    rs = max(s for s in range(6) if v[s] is not None)
    fifth = (chord[0] + 7) % 12
    fretted = [f for f in v if f]
    lo, hi = (min(fretted), max(fretted)) if fretted else (0, 3)
    for s in sorted({5, 4, 3} - {rs}, key=lambda s: abs(s - rs)):
        for f in [0] + list(range(max(1, lo - 1), hi + 2)):
            if (OPEN[s] + f) % 12 == fifth:
                return (rs, OPEN[rs] + v[rs]), (s, OPEN[s] + f)
    s = rs - 1
    return (rs, OPEN[rs] + v[rs]), (s, OPEN[s] + v[s])


def place(pitch: int, hint: int) -> tuple[int, int]:
    """(string, pitch) for a melody note: the string whose fret (0-15) is nearest hint+1.5."""
    while pitch < OPEN[5]:
        pitch += 12
    while pitch > OPEN[0] + 15:
        pitch -= 12
    options = [(abs(pitch - OPEN[s] - hint - 1.5), s) for s in range(6) if 0 <= pitch - OPEN[s] <= 15]
    return min(options)[1], pitch


def hint_of(v: tuple) -> int:
    """Hand position (lowest fretted fret, 0 in open position) of a voicing."""
    return min([f for f in v if f], default=0)


def scale_pitches(tonic: int, mode: str) -> list[int]:
    """Every MIDI pitch 28-100 in the key."""
    return [p for p in range(28, 101) if (p - tonic) % 12 in MODES[mode]]


def approach(scale: list[int], target: int, m: int, up: bool) -> list[int]:
    """m scale notes stepping towards target (from below if up), target itself excluded."""
    i = min(range(len(scale)), key=lambda k: abs(scale[k] - target))
    return [scale[i - m + j] for j in range(m)] if up else [scale[i + m - j] for j in range(m)]


# ------------------------------------------------------------------------------------------------ plan
@dataclass
class Bar:
    """One bar of the plan. Positions are eighths from the bar's downbeat."""
    meter: str
    tokens: list
    chords: list                                  # [(eighth position, (root pc, quality))]
    silent: set = field(default_factory=set)      # positions not played (stops)
    level: float = 1.0                            # velocity scale (dynamics)
    sparse: bool = False                          # every other event dropped
    melody: list = field(default_factory=list)    # [(position, pitch)] runs and pickup notes
    hint_chord: tuple | None = None               # chord whose hand position places the melody
    pickup: bool = False                          # the anacrusis bar (only its melody is played)
    first_pos: int = 0                            # pickup bar: position of the first note
    sub: int = 1                                  # slots per eighth: tokens, chords, melody count slots
    swing: float = 0.5                            # where the second of two slots falls in its eighth
    accents: tuple | None = None                  # velocity factor per slot (None: accent())
    stretch: float = 1.0                          # the bar's beats last this many times longer (fermata)


@dataclass
class Spec:
    """A take's musical choices."""
    kind: str
    kinds: list
    tonic: int
    mode: str
    meters: list      # meter per bar
    style: str        # strum, bass or pick
    bpm: float        # in the first meter's unit
    tempo: dict


def chord_rows(rng, spec: Spec, bar_s: float, progs: tuple | None = None) -> list[list]:
    """Chords of every bar: AABA sections of 8 bars, one chord per bar, per 2 bars or 2 per bar; `progs`
    (roman numeral strings of 4 chords) default to the mode's PROGRESSIONS."""
    progs = progs or PROGRESSIONS[spec.mode]
    ia, ib = rng.choice(len(progs), 2, replace=False)
    a, b = ([roman(s, spec.tonic) for s in progs[i].split()] for i in (ia, ib))
    per = 1
    if bar_s < 1.6 and rng.random() < 0.6:
        per = 2
    elif set(spec.meters) == {"4/4"} and spec.bpm < 110 and rng.random() < 0.25:
        per = 0.5
    rows, k = [], 0
    while len(rows) < len(spec.meters):
        prog = a if "AABA"[k % 4] == "A" else b
        k += 1
        for i in range(8):
            if per == 2:
                rows.append([prog[(i // 2) % 4]])
            elif per == 1:
                rows.append([prog[i % 4]])
            else:
                rows.append([prog[(2 * i) % 4], prog[(2 * i + 1) % 4]])
    tonic_triad = (spec.tonic, "min" if spec.mode in MINORISH else "maj")
    return rows[:len(spec.meters) - 1] + [[tonic_triad]]


def plan_song(rng, spec: Spec, scale: list[int]) -> list[Bar]:
    """Bars with tokens, chords and phrase-end melodic runs."""
    patterns = {m: str(rng.choice(PATTERNS[m, spec.style])).split() for m in dict.fromkeys(spec.meters)}
    bar_s = sum(METERS[spec.meters[0]]) / unit(spec.meters[0]) * 60 / spec.bpm
    rows = chord_rows(rng, spec, bar_s)
    fill_p = 0.0 if spec.style == "pick" else float(rng.choice([0.0, 0.5, 0.8]))
    bars = []
    for i, (meter, row) in enumerate(zip(spec.meters, rows)):
        n = sum(METERS[meter])
        chords = [(0, row[0])] + ([(n // 2, row[1])] if len(row) > 1 and row[1] != row[0] else [])
        tokens = list(patterns[meter])
        if i % 2 and "A" not in tokens and "S" not in "".join(tokens):
            tokens = ["A" if t == "B" else t for t in tokens]
        bars.append(Bar(meter, tokens, chords))
    bars[-1].tokens = ["F"] + ["."] * (len(bars[-1].tokens) - 1)   # the last chord, left to ring
    for i, bar in enumerate(bars[:-2]):
        if i % 8 == 7 and rng.random() < fill_p:
            n = len(bar.tokens)
            m = int(rng.integers(2, max(2, n // 2) + 1))
            root = bars[i + 1].chords[0][1][0]
            notes = approach(scale, 52 + (root - 52) % 12, m, bool(rng.random() < 0.5))
            bar.melody = [(n - m + j, p) for j, p in enumerate(notes)]
            bar.tokens[n - m:] = ["m"] * m
            bar.hint_chord = bar.chords[-1][1]
    return bars


def add_pickup(rng, bars: list[Bar], scale: list[int]) -> None:
    """Insert an anacrusis bar: 1-3 eighths or quarters of melody leading to the first chord's root."""
    meter = bars[0].meter
    n = sum(METERS[meter])
    compound = ("6/8", "12/8") + AQSAQ
    options = [(k, u) for u in (1, 2) for k in (1, 2, 3) if k * u < n and not (u == 2 and meter in compound)]
    k, u = options[int(rng.integers(len(options)))]
    first = bars[0].chords[0][1]
    notes = approach(scale, 55 + (first[0] - 55) % 12, k, bool(rng.random() < 0.6))
    pos = [n - k * u + j * u for j in range(k)]
    bars.insert(0, Bar(meter, ["."] * n, [], melody=list(zip(pos, notes)), hint_chord=first, pickup=True,
                       first_pos=pos[0]))


def add_stops(rng, bars: list[Bar]) -> list[dict]:
    """Silence 1 beat, 1 bar, 2 bars and 4-6 bars at random places, each ending on a downbeat.
    Returns [{bar, beat, end_bar, damp}] (first silent beat, resuming bar)."""
    n = len(bars)
    taken = np.zeros(n, bool)
    stops = []
    for length in rng.permutation([0, 1, 2, int(rng.integers(4, 7))]):
        span = max(int(length), 1)
        for _ in range(200):
            r = int(rng.integers(4 + span, n - 2))
            if not taken[r - span - 2:r + 2].any():
                break
        else:
            continue
        taken[r - span:r] = True
        if length == 0:
            bar = bars[r - 1]
            beat = len(METERS[bar.meter]) - 1
            start = sum(METERS[bar.meter][:-1])
            bar.silent = set(range(start, len(bar.tokens)))
            stops.append(dict(bar=r - 1, beat=beat, end_bar=r, damp=bool(rng.random() < 0.5)))
            continue
        held = bars[r - span - 1].chords[-1][1]
        for bar in bars[r - span:r]:
            bar.silent, bar.chords, bar.melody = set(range(len(bar.tokens))), [(0, held)], []
        stops.append(dict(bar=r - span, beat=0, end_bar=r, damp=bool(rng.random() < 0.5)))
    return sorted(stops, key=lambda s: s["bar"])


def soften(rng, bars: list[Bar]) -> tuple[int, int]:
    """Make the middle third (4-bar aligned) soft (~25 mean velocity) and sparse; returns [a, b) bars."""
    n = len(bars)
    a = max(4, 4 * round(n / 12))
    b = min(n - 2, max(a + 4, 4 * round(n / 6)))
    level = 25 / 66 * rng.uniform(0.9, 1.1)
    for bar in bars[a:b]:
        bar.level, bar.sparse = level, True
    return a, b


# --------------------------------------------------------------------------------------------- grooves
@dataclass(frozen=True)
class Feel:
    """One way of playing a groove: name, tempo range (bpm of the counted beat), right-hand pattern per bar
    (one token per slot, space separated; bars cycle), and the meter when it is the feel's own."""
    name: str
    bpm: tuple
    bars: tuple
    meter: str = ""


@dataclass(frozen=True)
class Groove:
    """A style of the module docstring's groove spec: meter, slots per eighth, feels, modes with their
    probabilities, progressions per mode (none: PROGRESSIONS; "blues": the 12-bar forms), tonics, length
    limits ((bars lo, hi), (s lo, hi)), swing range of the second sixteenth, phrase-end runs (period in bars,
    notes lo, hi)."""
    sub: int
    feels: tuple
    modes: tuple
    progs: dict
    meter: str = "4/4"
    tonics: tuple = tuple(range(12))
    length: tuple = ((24, 64), (30.0, 120.0))
    swing: tuple = (0.5, 0.5)
    fills: tuple | None = None


BLUES = {"major": ("I7 I7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7", "I7 IV7 I7 I7 IV7 IV7 I7 I7 V7 IV7 I7 V7"),
         "minor": ("i7 i7 i7 i7 iv7 iv7 i7 i7 bVI7 V7 i7 V7",)}
GROOVES = {
    "bossa": Groove(1, (Feel("bossa 3-3-2", (110, 145), ("T123 . . 123 S . 123 .", "T . 123 . S 123 . .")),
                        Feel("bossa 2-bar", (110, 145), ("T123 . 123 . S . . 123", "T . 123 . S123 . 123 ."))),
                    (("major", 0.5), ("minor", 0.3), ("dorian", 0.2)),
                    {"major": ("Imaj7 ii7 V7 Imaj7", "Imaj7 VI7 ii7 V7", "ii7 V7 Imaj7 IVmaj7"),
                     "minor": ("i7 iv7 V7 i7", "i7 iv7 bVII7 bIIImaj7"), "dorian": ("i7 IV7 i7 IV7", "i7 ii7 i7 ii7")}),
    "funk": Groove(2, (Feel("funk scratch", (84, 112), ("k x x y x x k x x y k x k x x y",)),
                       Feel("funk on the one", (84, 112), ("B . x . k x . y x . k . k x y x",)),
                       Feel("funk 2-bar", (84, 112), ("k . . y . y k . . y . y k . x x",
                                                      "x x k . x y . k x . k . k y x x"))),
                   (("dorian", 0.5), ("mixolydian", 0.3), ("minor", 0.2)),
                   {"dorian": ("i7 i7 IV7 IV7", "i7 IV7 i7 IV7"), "mixolydian": ("I7 I7 IV7 I7", "I7 bVII I7 IV7"),
                    "minor": ("i7 i7 iv7 iv7", "i7 bVII i7 bVII")},
                   tonics=(4, 9, 2, 7, 0, 5), swing=(0.5, 0.58)),
    "reggae": Groove(2, (Feel("one drop skank", (66, 90), (". . . . k . . . . . . . k . . .",)),
                         Feel("skank, thumb on 3", (66, 90), (". . . . k . . . B . . . k . . .",)),
                         Feel("bubble", (66, 90), (". . . . k . y . . . . . k . y .",)),
                         Feel("ska off-beats", (100, 140), (". . k . . . k . . . k . . . k .",))),
                     (("major", 0.5), ("minor", 0.35), ("dorian", 0.15)), {}),
    "blues": Groove(1, (Feel("slow shuffle dyads", (48, 66), ("=5 . =5 =6 . =6 =5 . =5 =6 . =6",)),
                        Feel("slow walking shuffle", (48, 66), ("w1 . w1 w3+k . w3 w5 . w5 w6+k . w5",))),
                    (("major", 0.75), ("minor", 0.25)), {"blues": BLUES}, meter="12/8",
                    tonics=(4, 9, 7, 0, 2, 10, 5), fills=(12, 3, 6)),
    "boogie": Groove(1, (Feel("boogie walk", (88, 132), ("w1 . w3 w5 . w6 w7 . w6 w5 . w3",)),
                         Feel("boogie dyads", (88, 132), ("=5 . =5 =6 . =6 =7 . =7 =6 . =6",))),
                     (("major", 0.85), ("minor", 0.15)), {"blues": BLUES}, meter="12/8",
                     tonics=(4, 9, 7, 0, 2, 10, 5)),
    "bolero": Groove(3, (Feel("bolero", (60, 84), ("D . . k y k D . . k y k D . . U . .",
                                                    "D . . k y k D . . k y k D y k y k y")),),
                     (("minor", 0.6), ("phrygian", 0.2), ("major", 0.2)),
                     {"minor": ("i bVII bVI V", "i iv V7 i", "i V7 i V7"), "major": ("I IV V7 I", "I vi IV V7")},
                     meter="3/4"),
    "habanera": Groove(2, (Feel("habanera", (60, 84), ("T . . S 123 . 123 .",)),
                           Feel("habanera pinched", (60, 84), ("T123 . . S 123 . S23 .",))),
                       (("minor", 0.6), ("major", 0.4)),
                       {"minor": ("i V7 V7 i", "i iv V7 i"), "major": ("I V7 V7 I", "I IV V7 I")}, meter="2/4"),
    "sixteenths": Groove(2, (Feel("straight sixteenths", (76, 104), ("D U D U D U D U D U D U D U D U",)),
                             Feel("sixteenths, missed strokes", (76, 104), ("D U D U D U D U D . D U D U D .",))),
                         (("major", 0.5), ("minor", 0.3), ("mixolydian", 0.2)), {}, swing=(0.5, 0.54)),
    "bluegrass": Groove(1, (Feel("boom-chuck", (200, 260), ("B . c .", "A . c .")),),
                        (("major", 0.85), ("mixolydian", 0.15)),
                        {"major": ("I I IV I", "I IV I V7", "I I V7 I"), "mixolydian": ("I bVII IV I", "I IV bVII I")},
                        meter="2/4", tonics=(7, 0, 2, 9, 4), length=((32, 96), (30.0, 75.0)), fills=(8, 3, 4)),
    "fermata": Groove(1, (Feel("ballad strum 4/4", (60, 100), ("D . D U . U D U",), "4/4"),
                          Feel("ballad picked 4/4", (56, 90), ("T1 2 S 1 T 2 S 3",), "4/4"),
                          Feel("ballad strum 3/4", (66, 110), ("D . D U D U",), "3/4"),
                          Feel("ballad picked 3/4", (60, 100), ("T 3 2 1 2 3",), "3/4")),
                      (("major", 0.6), ("minor", 0.4)), {}),
}
GROOVE_KINDS = tuple(GROOVES)
GROOVE_EXTRAS = ("tempo", "tuning_tail", "pickup")


def choose_groove(rng, kind: str, tags: tuple) -> tuple[Spec, Feel]:
    """Key, feel, tempo and length of a groove take (a blues: 2-3 twelve-bar choruses)."""
    gv, kinds = GROOVES[kind], [kind, *tags]
    mode = str(rng.choice([m for m, _ in gv.modes], p=[q for _, q in gv.modes]))
    tonic = int(rng.choice(gv.tonics))
    feel = gv.feels[int(rng.integers(len(gv.feels)))]
    meter = feel.meter or gv.meter
    bpm = float(rng.uniform(*feel.bpm))
    bar_s = sum(METERS[meter]) / unit(meter) * 60 / bpm
    n = 12 * min(3, max(2, int(110 // (12 * bar_s)))) if "blues" in gv.progs else bar_count(rng, bar_s, *gv.length)
    tempo = choose_tempo(rng, "tempo" in kinds, n)
    if tempo["mode"] != "steady" and "tempo" not in kinds:
        kinds.append("tempo")
    return Spec(kind, kinds, tonic, mode, [meter] * n, feel.name, bpm, tempo), feel


def blues_rows(rng, spec: Spec) -> list[list]:
    """Twelve-bar choruses (quick change or not) of dominant sevenths; the last bar the tonic seventh."""
    forms = BLUES["minor" if spec.mode in MINORISH else "major"]
    form = [roman(s, spec.tonic) for s in forms[int(rng.integers(len(forms)))].split()]
    rows = [[form[i % 12]] for i in range(len(spec.meters))]
    rows[-1] = [form[0]]
    return rows


def groove_accents(kind: str, n: int, rng) -> tuple | None:
    """Velocity factor per sixteenth slot: sixteenth strumming accents only the 1 (the up strokes, 0.8 of a
    down stroke in strum(), brought up by a factor 1-1.25 of the player's); funk the 1, then the backbeats."""
    if kind == "sixteenths":
        up = 0.85 * rng.uniform(1.0, 1.25)
        return tuple(1.25 if i == 0 else up if i % 2 else 0.85 for i in range(n))
    if kind == "funk":
        return tuple(1.15 if i == 0 else 1.04 if i % 4 == 0 else 0.92 if i % 2 == 0 else 0.88 for i in range(n))
    return None


def plan_groove(rng, spec: Spec, feel: Feel, scale: list[int]) -> list[Bar]:
    """Bars of a groove take: the feel's patterns cycled, chords (12-bar blues or AABA progressions),
    phrase-end runs, fermatas, and the last bar's ringing tonic."""
    gv, meter = GROOVES[spec.kind], spec.meters[0]
    n = sum(METERS[meter]) * gv.sub
    pats = [p.split() for p in feel.bars]
    if any(len(p) != n for p in pats):
        raise ValueError(f"{spec.kind}: a pattern of {feel.name!r} is not {n} slots long")
    bar_s = sum(METERS[meter]) / unit(meter) * 60 / spec.bpm
    rows = blues_rows(rng, spec) if "blues" in gv.progs else chord_rows(rng, spec, bar_s, gv.progs.get(spec.mode))
    swing, accents = float(rng.uniform(*gv.swing)), groove_accents(spec.kind, n, rng)
    bars = []
    for i, row in enumerate(rows):
        chords = [(0, row[0])] + ([(n // 2, row[1])] if len(row) > 1 and row[1] != row[0] else [])
        bars.append(Bar(meter, list(pats[i % len(pats)]), chords, sub=gv.sub, swing=swing, accents=accents))
    bars[-1].tokens = ["F"] + ["."] * (n - 1)
    if gv.fills:
        add_fills(rng, bars, scale, *gv.fills)
    if spec.kind == "fermata":
        add_fermatas(rng, bars)
    return bars


def add_fills(rng, bars: list[Bar], scale: list[int], every: int, lo: int, hi: int) -> None:
    """A run of lo-hi eighths stepping to the next chord's root at the end of every `every`-th bar (the
    bluegrass G run, the blues turnaround lick), with a probability of 0.5-1 per take."""
    p = float(rng.choice([0.5, 0.8, 1.0]))
    for i, bar in enumerate(bars[:-2]):
        if i % every == every - 1 and rng.random() < p:
            n, m = len(bar.tokens), int(rng.integers(lo, hi + 1))
            root = bars[i + 1].chords[0][1][0]
            notes = approach(scale, 52 + (root - 52) % 12, m, bool(rng.random() < 0.5))
            bar.melody = [(n - m + j, q) for j, q in enumerate(notes)]
            bar.tokens[n - m:] = ["m"] * m
            bar.hint_chord = bar.chords[-1][1]


def add_fermatas(rng, bars: list[Bar]) -> None:
    """One or two phrase ends (the 8th bar of a section) held: the bar's chord struck once on its downbeat and
    left to ring while the bar's beats last 2-3.5 times as long; the next phrase comes in at tempo."""
    ends = list(range(7, len(bars) - 2, 8))
    for i in rng.choice(ends, size=min(len(ends), int(rng.integers(1, 3))), replace=False):
        bar = bars[int(i)]
        bar.tokens = ["F"] + ["."] * (len(bar.tokens) - 1)
        bar.melody, bar.stretch = [], float(rng.uniform(2.0, 3.5))


def groove_schedule(count: int) -> list[tuple[str, tuple]]:
    """(kind, extra kinds) per take of a groove set: GROOVE_KINDS in order; from the second round on each take
    also gets one of GROOVE_EXTRAS (a pickup only where the groove counts eighths; else the tuning tail)."""
    out = []
    for i in range(count):
        kind, extra = GROOVE_KINDS[i % len(GROOVE_KINDS)], None
        if i >= len(GROOVE_KINDS):
            extra = GROOVE_EXTRAS[(i - len(GROOVE_KINDS)) % len(GROOVE_EXTRAS)]
            extra = "tuning_tail" if extra == "pickup" and GROOVES[kind].sub != 1 else extra
        out.append((kind, (extra,) if extra else ()))
    return out


def groove_truth(bars: list[Bar], rends: list, feel: Feel) -> dict:
    """The groove take's extra truth: feel {name, sub, swing, bars} and fermatas [{bar, start, end, stretch}]
    (bar numbered without the pickup; start = its downbeat, end = the next downbeat)."""
    first = next(b for b in bars if not b.pickup)
    off = int(bars[0].pickup)
    g = rends[0].grid
    fermatas = [dict(bar=bi - off, start=g.beats[bi][0], end=g.beats[bi + 1][0], stretch=bar.stretch)
                for bi, bar in enumerate(bars) if bar.stretch != 1.0]
    return dict(feel=dict(name=feel.name, sub=first.sub, swing=first.swing, bars=list(feel.bars)), fermatas=fermatas)



# ------------------------------------------------------------------------------------------------ grid
@dataclass
class Grid:
    """Played beat grid of one rendition: per bar, eighth times (s; the last one is the next downbeat),
    beat times (s) and beat tempi (bpm in the meter's unit)."""
    eighths: list
    beats: list
    bpm: list


def make_grid(rng, bars: list[Bar], bpm: float, tempo: dict, t0: float) -> Grid:
    """Beat lengths from the tempo behaviour; t0 = the first bar's downbeat (s)."""
    lens = [(bi, g, unit(bar.meter)) for bi, bar in enumerate(bars) for g in METERS[bar.meter]]
    nb = len(lens)
    x = np.arange(nb) / max(1, nb - 1)
    bar_of = np.array([b for b, _, _ in lens])
    f = np.ones(nb)
    if tempo["mode"] == "drift":
        f = 1 + tempo["amount"] * (x if tempo["shape"] == "ramp" else np.sin(np.pi * x))
    elif tempo["mode"] == "step":
        f = np.where(bar_of >= tempo["bar"], 1 + tempo["amount"], 1.0)
    if tempo["mode"] == "rubato":
        jit = rng.uniform(-0.03, 0.03, nb)
    else:
        jit = np.clip(rng.normal(0, 0.006, nb), -0.02, 0.02)
    g = np.array([g for _, g, _ in lens], float)
    u = np.array([u for _, _, u in lens], float)
    d = g / u * 60 / (bpm * f) * (1 + jit)
    stretch = np.array([bars[b].stretch for b in bar_of])
    if (stretch != 1.0).any():   # a fermata bar: its beats held longer, the count goes on after it
        d = d * stretch
    starts = t0 + np.concatenate([[0], np.cumsum(d)])
    eighths, beats, tempi = [[] for _ in bars], [[] for _ in bars], [[] for _ in bars]
    for k, (bi, gl, ul) in enumerate(lens):
        beats[bi].append(float(starts[k]))
        tempi[bi].append(float(60 * gl / ul / d[k]))
        eighths[bi].extend(starts[k] + d[k] * np.arange(gl) / gl)
    for bi in range(len(bars)):
        eighths[bi] = np.array(eighths[bi] + [beats[bi + 1][0] if bi + 1 < len(bars) else starts[-1]])
    return Grid(eighths, beats, tempi)


# ----------------------------------------------------------------------------------------- performance
@dataclass
class Pluck:
    """A string struck by the player, in played time (s), before the converter."""
    t: float
    string: int          # 0 = high E ... 5 = low E
    pitch: int
    vel: int
    end: float           # s
    ci: int = -1         # index of the held chord shape in Player.changes (-1: free note)
    music: bool = True
    hammer: tuple | None = None   # (time s, semitones): a hammer-on on this held note, sent as a bend


@dataclass
class Player:
    """The guitarist's habits for one take."""
    rng: np.random.Generator
    scale: list
    open_pref: float
    base_vel: float
    spread: tuple        # strum spread range, s
    human: float         # timing scatter, s (sd)
    legato: str | None   # "bend", "notes" or None
    lat: tuple           # the converter's latency on the high E and the low E string, s
    shapes: dict = field(default_factory=dict)
    changes: list = field(default_factory=list)   # [(time s, voicing, chord)] of the current rendition
    last_chord: float = 0.0

    def voicing(self, chord):
        """The song's one shape for a chord."""
        if chord not in self.shapes:
            self.shapes[chord] = pick_voicing(self.rng, chord, self.open_pref)
        return self.shapes[chord]

    def dt(self) -> float:
        """Timing scatter of one event around the grid (s)."""
        return min(0.015, max(-0.015, float(self.rng.normal(0, self.human))))

    def vel(self, x: float, level: float) -> int:
        """Velocity clipped to 30-110 (14-110 in soft bars)."""
        return min(110, max(14 if level < 1 else 30, round(x * float(self.rng.normal(1, 0.06)))))

    def ring(self, s: int) -> float:
        """How long a struck string sounds before the converter lets it go (s)."""
        return float(self.rng.uniform(1.5, 4.0) * (0.85 + 0.06 * s))


def group_starts(meter: str) -> list[int]:
    """Eighth positions of the beats (groups) in a bar."""
    g = METERS[meter]
    return [sum(g[:k]) for k in range(len(g))]


def accent(meter: str, pos: int) -> float:
    """Velocity factor: downbeat, group starts (strong in aqsaq), off-beats."""
    starts = group_starts(meter)
    if pos == 0:
        return 1.15
    if pos in starts:
        return 1.12 if meter in AQSAQ else 1.04
    return 0.92


def strum(pl: Player, t: float, v: tuple, ci: int, tok: str, vel: float, level: float, beat_s: float, out):
    """One stroke over the voiced strings (see the docstring for D, U, d, c, F)."""
    rng = pl.rng
    voiced = [s for s in range(6) if v[s] is not None]
    strings = voiced if tok in "DF" else voiced[:int(rng.integers(3, 5))] if tok == "U" else voiced[:4]
    order = strings if tok == "U" else strings[::-1]
    spread = rng.uniform(*pl.spread) * (0.7 if tok == "U" else 1.0)
    vel *= {"U": 0.8, "c": 0.85, "d": 0.9, "F": 1.1}.get(tok, 1.0)
    for k, s in enumerate(order):
        # down strokes: the spread is what the converter's note-ons show (the slower low strings go first)
        catch_up = latency(pl.lat, order[0]) - latency(pl.lat, s) if tok != "U" else 0.0
        ts = t + spread * k / max(1, len(order) - 1) + catch_up
        end = ts + (beat_s * rng.uniform(0.4, 0.65) if tok == "c" else
                    rng.uniform(3.0, 7.0) if tok == "F" else pl.ring(s))
        out.append(Pluck(ts, s, OPEN[s] + v[s], pl.vel(vel * (1 - 0.035 * k), level), end, ci))


def pick(pl: Player, t: float, v: tuple, chord, ci: int, tok: str, vel: float, level: float, slot: float, out):
    """Single plucks: B/T root, A/S alternate bass, 1/2/3 treble strings; hammer-ons on treble notes."""
    root, alt = bass_notes(v, chord)
    for k, c in enumerate(tok):
        if c in "BT":
            s, p = root
        elif c in "AS":
            s, p = alt
        else:
            s = "123".index(c)
            if v[s] is None:
                continue
            p = OPEN[s] + v[s]
        ts = t + 0.004 * k
        note = Pluck(ts, s, p, pl.vel(vel * (1.0 if c in "BTAS" else 0.85), level), ts + pl.ring(s), ci)
        out.append(note)
        if c in "123" and pl.legato and pl.rng.random() < 0.12:
            hammer(pl, note, slot, out)


def hammer(pl: Player, note: Pluck, slot: float, out) -> None:
    """Hammer from a held note up to the next scale note half a slot later (bend, or a new softer note)."""
    up = [p for p in pl.scale if p > note.pitch][0] - note.pitch
    if note.pitch not in pl.scale or note.pitch + up - OPEN[note.string] > 15:
        return
    th = note.t + slot * pl.rng.uniform(0.4, 0.6)
    if pl.legato == "bend":
        note.hammer = (th, up)
    else:
        out.append(Pluck(th, note.string, note.pitch + up, max(14, int(note.vel * 0.7)), note.end, note.ci))
        note.end = th


def chop(pl: Player, t: float, v: tuple, ci: int, tok: str, vel: float, level: float, beat_s: float, odd: bool,
         out) -> None:
    """Short strokes on the top 3-4 strings, 6-18 ms spread: 'k' down and 'y' up, cut by the fretting hand after
    12-30 % of a beat (funk hits, reggae skanks, rasgueado triplets); 'x' a muted scratch (down on even slots,
    up on odd ones), 25-60 ms, x0.45 velocity, each string speaking with probability 0.7."""
    rng = pl.rng
    voiced = [s for s in range(6) if v[s] is not None]
    strings = voiced[:int(rng.integers(3, 5))]
    order = strings if tok == "y" or (tok == "x" and odd) else strings[::-1]
    spread = rng.uniform(0.006, 0.018)
    factor = {"k": 1.0, "y": 0.85, "x": 0.45}[tok]
    for k, s in enumerate(order):
        if tok == "x" and rng.random() < 0.3:
            continue
        ts = t + spread * k / max(1, len(order) - 1)
        end = ts + (rng.uniform(0.025, 0.06) if tok == "x" else beat_s * rng.uniform(0.12, 0.30))
        out.append(Pluck(ts, s, OPEN[s] + v[s], pl.vel(vel * factor * (1 - 0.03 * k), level), end, ci))


DEGREE = {"1": 0, "5": 7, "6": 9, "7": 10, "8": 12}  # shuffle-bass degrees above the root (the 3rd: the chord's)


def low_line(pl: Player, t: float, v: tuple, chord, ci: int, tok: str, vel: float, level: float, length: float,
             out) -> None:
    """Shuffle and boogie bass from the chord's root string: '=N' a two-string dyad (root + degree N on the next
    string up: the 5-6 shuffle), 'wN' one walking note (degree N: 1, 3, 5, 6, 7 = b7, 8; up to the 3rd on the
    root's string, above it on the next string). Each note lasts `length` s (palm-muted, detached)."""
    (s, p), _ = bass_notes(v, chord)
    degree = tok[1:]
    semis = (3 if chord[1] in ("min", "min7") else 4) if degree == "3" else DEGREE[degree]
    upper = (s, p + semis) if tok[0] == "w" and semis <= 4 else (s - 1, p + semis)
    notes = [upper] if tok[0] == "w" else [(s, p), upper]
    for k, (string, pitch) in enumerate(notes):
        ts = t + 0.006 * k
        out.append(Pluck(ts, string, pitch, pl.vel(vel * (1 - 0.06 * k), level), ts + length, ci))


def render_melody(pl: Player, bar: Bar, et: np.ndarray, out) -> None:
    """Single-note runs and pickups, placed near the hand position, with legato on same-string steps up."""
    notes = [(pos, p) for pos, p in bar.melody if pos not in bar.silent]
    hint = hint_of(pl.voicing(bar.hint_chord))
    prev = None
    for j, (pos, p) in enumerate(notes):
        s, p = place(p, hint)
        t = float(et[pos]) + pl.dt()
        nxt = float(et[notes[j + 1][0]]) if j + 1 < len(notes) else float(et[-1])
        end = nxt + pl.rng.uniform(0.0, 0.05)
        vel = pl.vel(pl.base_vel * bar.level * pl.rng.uniform(0.85, 1.05), bar.level)
        step = p - prev.pitch if prev is not None else 0
        if prev and prev.string == s and 1 <= step <= 3 and pl.legato and prev.hammer is None \
                and pl.rng.random() < 0.7:
            if pl.legato == "bend":
                prev.hammer, prev.end = (t, step), end
                continue
            vel = max(14, int(prev.vel * 0.7))
        prev = Pluck(t, s, p, vel, end)
        out.append(prev)


def render_bar(pl: Player, bar: Bar, et: np.ndarray, change_times: list, out) -> None:
    """All plucks of one bar; et = its eighth times (s) plus the next downbeat."""
    beat_s = (et[-1] - et[0]) / len(METERS[bar.meter])
    idx = [i for i, tok in enumerate(bar.tokens) if tok not in ".m" and i not in bar.silent]
    if bar.sparse:
        idx = idx[::2]
    for j, i in enumerate(idx):
        chord = [c for pos, c in bar.chords if pos <= i][-1]
        v = pl.voicing(chord)
        ci = bisect_right(change_times, et[i] + 1e-9) - 1
        t = float(et[i]) + pl.dt()
        vel = pl.base_vel * bar.level * (bar.accents[i] if bar.accents else accent(bar.meter, i / bar.sub))
        gap = (float(et[idx[j + 1]]) if j + 1 < len(idx) else float(et[-1])) - t
        for tok in bar.tokens[i].split("+"):   # "+" joins strokes played together (a bass note and a stab)
            play(pl, tok, t, i, v, chord, ci, vel, bar.level, beat_s, float(et[i + 1] - et[i]), gap, out)
    if bar.melody:
        render_melody(pl, bar, et, out)


def play(pl: Player, tok: str, t: float, slot: int, v: tuple, chord, ci: int, vel: float, level: float,
         beat_s: float, slot_s: float, gap: float, out) -> None:
    """One token at time t (s) in the bar's slot `slot`; beat_s, slot_s: the beat's and the slot's length,
    gap: time to the bar's next event (s)."""
    if tok in ("k", "y", "x"):
        chop(pl, t, v, ci, tok, vel, level, beat_s, slot % 2 == 1, out)
    elif tok[0] in "=w":
        low_line(pl, t, v, chord, ci, tok, vel, level, gap * pl.rng.uniform(0.7, 0.95), out)
    elif tok in "DUdcF":
        strum(pl, t, v, ci, tok, vel, level, beat_s, out)
        pl.last_chord = t if tok == "F" else pl.last_chord
    else:
        pick(pl, t, v, chord, ci, tok, vel, level, slot_s, out)


def slot_times(et: np.ndarray, bar: Bar) -> np.ndarray:
    """A bar's slot times (s) from its eighth times et (the next downbeat last): each eighth split into bar.sub
    slots, evenly, or at bar.swing for two (swung sixteenths)."""
    if bar.sub == 1:
        return et
    frac = (0.0, bar.swing) if bar.sub == 2 else tuple(k / bar.sub for k in range(bar.sub))
    return np.array([a + (b - a) * f for a, b in zip(et[:-1], et[1:]) for f in frac] + [et[-1]])


def perform(pl: Player, bars: list[Bar], grid: Grid, stops: list[dict]) -> list[Pluck]:
    """Every pluck of one rendition, with note ends from the left hand and from damped stops."""
    pl.changes = []
    for bi, bar in enumerate(bars):
        for pos, chord in bar.chords:
            v = pl.voicing(chord)
            if not pl.changes or pl.changes[-1][1] != v:
                pl.changes.append((float(slot_times(grid.eighths[bi], bar)[pos]), v, chord))
    times = [c[0] for c in pl.changes]
    out: list[Pluck] = []
    for bi, bar in enumerate(bars):
        render_bar(pl, bar, slot_times(grid.eighths[bi], bar), times, out)
    damps = sorted(grid.beats[s["bar"]][s["beat"]] + pl.rng.uniform(-0.02, 0.05) for s in stops if s["damp"])
    for p in out:
        if p.ci >= 0:
            fret = p.pitch - OPEN[p.string]
            for t_c, v, _ in pl.changes[p.ci + 1:]:
                if t_c >= p.end:
                    break
                if v[p.string] != fret:
                    p.end = t_c - pl.rng.uniform(0.01, 0.05)
                    break
        k = bisect_right(damps, p.t)
        if k < len(damps):
            p.end = min(p.end, damps[k])
        p.end = max(p.end, p.t + 0.03)
        if p.hammer and p.hammer[0] >= p.end - 0.01:
            p.hammer = None
    return out


def tuning_plucks(rng, after: float) -> list[Pluck]:
    """1-4 open-string plucks starting 10-30 s after `after` (s), each left to ring 1-3 s."""
    t, s, out = after + rng.uniform(10, 30), int(rng.integers(6)), []
    for _ in range(int(rng.integers(1, 5))):
        if rng.random() < 0.4:
            s = int(rng.integers(6))
        ring = rng.uniform(1.0, 3.0)
        out.append(Pluck(t, s, OPEN[s], int(rng.integers(40, 91)), t + ring, music=False))
        t += ring + rng.uniform(0.5, 2.5)
    return out


# ------------------------------------------------------------------------------------------- converter
@dataclass
class Conv:
    """The pickup converter's behaviour (times in s)."""
    lat: tuple           # latency of the high E and of the low E string
    jitter: float
    poly: bool
    quirk: bool          # restrike note-offs written on the new note-on's tick, after it
    off_vel0: bool       # note-offs as note_on velocity 0
    smf_type: int
    ghost: float = 0.03
    octave: float = 0.02


@dataclass
class Note:
    """A note as the converter sends it (ticks)."""
    string: int
    ch: int
    pitch: int
    vel: int
    on: int
    off: int
    pluck: float         # played time, s
    music: bool
    ghost: bool = False
    bend: list | None = None   # [(tick, mido pitch value)]
    quirk: bool = False
    dropped: bool = False


def latency(lat: tuple, string: int) -> float:
    """Converter latency (s) of a string: linear from the high E (lat[0]) to the low E (lat[1])."""
    return lat[0] + (lat[1] - lat[0]) * string / 5


def tk(s: float) -> int:
    """Seconds to file ticks."""
    return int(round(s * TICKS_PER_S))


def convert(rng, plucks: list[Pluck], conv: Conv) -> list[Note]:
    """Latency, jitter, ghost notes, octave errors, bends, and one note per string at a time."""
    notes = []
    for p in sorted(plucks, key=lambda p: (p.t, p.string)):
        lat = latency(conv.lat, p.string) + rng.uniform(-conv.jitter, conv.jitter)
        pitch = p.pitch
        if p.string >= 4 and rng.random() < conv.octave:
            pitch += 12 if rng.random() < 0.75 else -12
        ch = 0 if conv.poly else p.string
        on = tk(p.t + lat)
        n = Note(p.string, ch, pitch, p.vel, on, max(on + 2, tk(p.end + lat + rng.uniform(0, 0.005))), p.t,
                 p.music)
        if p.hammer and not conv.poly:
            tb, steps = tk(p.hammer[0] + lat * 0.5), int(rng.integers(1, 4))
            target = round(p.hammer[1] * 8192 / 12)
            n.bend = [(max(on + 1, tb + 2 * j), round(target * (j + 1) / steps)) for j in range(steps)]
        if rng.random() < conv.ghost:
            dur = rng.uniform(0.002, 0.010)
            g_on = tk(p.t + rng.uniform(0.002, max(0.003, lat - dur - 0.004)))
            g_on = min(g_on, on - tk(dur) - 2)
            notes.append(Note(p.string, ch, min(127, pitch + int(rng.choice([12, 12, 19, 19, 24, 7]))),
                              int(rng.integers(5, 13)), g_on, g_on + max(1, tk(dur)), p.t, p.music, ghost=True))
        notes.append(n)
    clip(rng, notes, lambda n: n.string, conv.quirk)
    if conv.poly:
        clip(rng, notes, lambda n: n.pitch, False)
    return [n for n in notes if not n.dropped]


def clip(rng, notes: list[Note], key, quirk: bool) -> None:
    """End each note before the next note-on with the same key (string or pitch)."""
    groups: dict = {}
    for n in notes:
        if not n.dropped:
            groups.setdefault(key(n), []).append(n)
    for group in groups.values():
        group.sort(key=lambda n: (n.on, n.off))
        for a, b in zip(group, group[1:]):
            if a.off < b.on:
                continue
            if quirk and a.pitch == b.pitch and not (a.ghost or b.ghost or a.bend) and rng.random() < 0.5:
                a.off, a.quirk = b.on, True
            else:
                a.off = b.on - int(rng.integers(1, 5))
            if a.off <= a.on:
                a.dropped = True
            elif a.bend and a.bend[-1][0] >= a.off:
                a.bend = None


def vlq(n: int) -> bytes:
    """A MIDI variable-length quantity."""
    out = [n & 0x7F]
    while n > 0x7F:
        n >>= 7
        out.append(0x80 | (n & 0x7F))
    return bytes(reversed(out))


def midi_bytes(notes: list[Note], conv: Conv) -> bytes:
    """A type-0 or type-1 SMF, 480 ticks per beat, one 120 BPM tempo (written with struct; the tests read
    it back with mido)."""
    ev = []
    for k, n in enumerate(notes):
        ev.append((n.on, 2, k, bytes((0x90 | n.ch, n.pitch, n.vel))))
        off = bytes((0x90 | n.ch, n.pitch, 0)) if conv.off_vel0 else bytes((0x80 | n.ch, n.pitch, 0))
        ev.append((n.off, 4 if n.quirk else 0, k, off))
        for tick, value in n.bend or ():
            ev.append((tick, 3, k, bytes((0xE0 | n.ch, (value + 8192) & 0x7F, (value + 8192) >> 7))))
        if n.bend:
            ev.append((n.off, 1, k, bytes((0xE0 | n.ch, 0, 0x40))))
    ev.sort(key=lambda e: e[:3])
    body, last = bytearray(), 0
    for tick, _, _, data in ev:
        body += vlq(tick - last) + data
        last = tick
    tempo, name, eot = b"\x00\xff\x51\x03\x07\xa1\x20", b"\x00\xff\x03\x06Guitar", b"\x00\xff\x2f\x00"
    tracks = [tempo + bytes(body) + eot] if conv.smf_type == 0 else [tempo + eot, name + bytes(body) + eot]
    head = b"MThd" + struct.pack(">IHHH", 6, conv.smf_type, len(tracks), 480)
    return head + b"".join(b"MTrk" + struct.pack(">I", len(t)) + t for t in tracks)


# ----------------------------------------------------------------------------------------------- takes
@dataclass
class Rendition:
    """One playing of the song: its grid, plucks, chord changes [(time s, voicing, chord)] and final strum."""
    grid: Grid
    plucks: list
    changes: list
    last_chord: float


@dataclass
class Take:
    """A finished take: file stem, SMF bytes, truth dict."""
    name: str
    midi: bytes
    truth: dict


def schedule(count: int, only: str | None = None) -> list[tuple[str, tuple]]:
    """(kind, extra kinds) per take: KINDS in order; from the second round on, each take also gets one of
    COMBINABLE, so 24 takes hold every kind at least twice."""
    if only:
        return [(only, ())] * count
    out = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        extra = COMBINABLE[(i - len(KINDS)) % len(COMBINABLE)] if i >= len(KINDS) else None
        out.append((kind, (extra,) if extra and extra != kind else ()))
    return out


def bar_count(rng, bar_s: float, bars: tuple[int, int], secs: tuple[float, float]) -> int:
    """A multiple of 4 bars within the bar and duration (s) limits (the bar limit wins)."""
    lo = max(bars[0], int(np.ceil(secs[0] / bar_s)))
    hi = min(bars[1], int(secs[1] / bar_s))
    return int(rng.choice([n for n in range(lo, hi + 1) if n % 4 == 0] or [min(max(lo, bars[0]), bars[1])]))


def choose_tempo(rng, forced: bool, n_bars: int) -> dict:
    """Tempo behaviour: steady, drift (ramp or arch), rubato, or one step at a 4-bar boundary."""
    modes = ("drift", "rubato", "step")
    mode = str(rng.choice(modes)) if forced else str(rng.choice(("steady",) + modes, p=(0.7, 0.12, 0.12, 0.06)))
    sign = float(rng.choice([-1.0, 1.0]))
    if mode == "drift":
        return dict(mode=mode, amount=round(sign * rng.uniform(0.05, 0.10), 4), shape=str(rng.choice(["ramp", "arch"])))
    if mode == "step":
        k = int(rng.integers(max(1, -(-n_bars // 16)), max(2, 3 * n_bars // 16) + 1))
        return dict(mode=mode, amount=round(sign * rng.uniform(0.15, 0.25), 4), bar=4 * k)
    return dict(mode=mode)


def choose_spec(rng, kind: str, tags: tuple) -> Spec:
    """Key, meters, style, tempo and length for a kind."""
    kinds = [kind, *tags]
    tonic, mode = int(rng.integers(12)), str(rng.choice(list(MODES), p=MODE_P))
    a = b = BASE_METER.get(kind)
    if kind == "meter_change":
        a, b = METER_PAIRS[int(rng.integers(len(METER_PAIRS)))]
    elif kind == "fingerpick":
        a = b = str(rng.choice(["4/4", "3/4"]))
    elif a is None:
        common = ["4/4", "3/4", "2/4"] if kind == "stops" else ["4/4", "4/4", "3/4", "3/4", "2/4", "6/8"]
        a = b = str(rng.choice(common))
    style = "pick" if kind == "fingerpick" else "bass" if kind == "strum24" else \
        "strum" if kind == "strum44" else str(rng.choice(["strum", "bass"]))
    lo, hi = (60, 120) if style == "pick" else (80, 140) if kind == "stops" else BPM[a]
    if "6/8" in (a, b) and a != b:
        lo, hi = 70, 110
    bpm = float(rng.uniform(lo, hi))
    bar_s = sum(METERS[a]) / unit(a) * 60 / bpm
    limits = ((16, 32), (15, 60)) if kind == "twice" else ((40 if kind == "stops" else 24, 64), (30, 120))
    n = bar_count(rng, bar_s, *limits)
    meters = [a] * n
    if a != b:
        c = 4 * int(rng.integers(max(1, round(0.35 * n / 4)), max(2, round(0.65 * n / 4)) + 1))
        meters = [a] * c + [b] * (n - c)
    tempo = choose_tempo(rng, "tempo" in kinds, n)
    if tempo["mode"] != "steady" and "tempo" not in kinds:
        kinds.append("tempo")
    return Spec(kind, kinds, tonic, mode, meters, style, bpm, tempo)


def take_name(spec: Spec, index: int) -> str:
    """e.g. waltz_3-4_G-major_s03, meter_change_6-8to2-4_D-dorian+tempo_s09."""
    stem = spec.kind.rstrip("0123456789") if spec.kind in BASE_METER else spec.kind
    metersig = "to".join(dict.fromkeys(m.replace("/", "-") for m in spec.meters))
    tags = "".join("+" + k for k in spec.kinds[1:])
    return f"{stem}_{metersig}_{NAMES[spec.tonic]}-{spec.mode}{tags}_s{index:02d}"


def make_take(kind: str, seed: int, index: int = 0, tags: tuple = ()) -> Take:
    """Plan, play, convert and describe one take; all randomness from default_rng([seed, index])."""
    rng = np.random.default_rng([seed, index])
    tags = tuple(tags)
    spec, feel = choose_groove(rng, kind, tags) if kind in GROOVES else (choose_spec(rng, kind, tags), None)
    poly = index % 6 == 5
    conv = Conv((rng.uniform(0.020, 0.026), rng.uniform(0.030, 0.040)), rng.uniform(0.001, 0.004), poly,
                bool(rng.random() < 0.3), bool(rng.random() < 0.3), int(rng.integers(2)))
    legato = None if rng.random() < 0.4 else "notes" if poly or rng.random() < 0.5 else "bend"
    scale = scale_pitches(spec.tonic, spec.mode)
    pl = Player(rng, scale, rng.uniform(0.5, 0.95), rng.uniform(68, 76),
                (rng.uniform(0.010, 0.018), rng.uniform(0.025, 0.040)), rng.uniform(0.003, 0.008), legato, conv.lat)
    bars = plan_groove(rng, spec, feel, scale) if feel else plan_song(rng, spec, scale)
    off = 0
    if "pickup" in spec.kinds:
        add_pickup(rng, bars, scale)
        off = 1
    stops = add_stops(rng, bars[off:]) if "stops" in spec.kinds else []
    for s in stops:
        s["bar"] += off
        s["end_bar"] += off
    soft = soften(rng, bars[off:]) if "dynamics" in spec.kinds else None
    soft = (soft[0] + off, soft[1] + off) if soft else None
    tempo = dict(spec.tempo, bar=spec.tempo["bar"] + off) if "bar" in spec.tempo else spec.tempo
    rends, t0 = [], rng.uniform(0.3, 2.0)
    for rep in range(2 if "twice" in spec.kinds else 1):
        bpm = spec.bpm * (1 + rng.uniform(-0.06, 0.06)) if rep else spec.bpm
        grid = make_grid(rng, bars, bpm, tempo, t0)
        plucks = perform(pl, bars, grid, stops)
        rends.append(Rendition(grid, plucks, list(pl.changes), pl.last_chord))
        t0 = max(p.end for p in plucks) + rng.uniform(4, 12)
    music_end = max(p.end for r in rends for p in r.plucks)
    tail = tuning_plucks(rng, music_end) if "tuning_tail" in spec.kinds else []
    notes = convert(rng, [p for r in rends for p in r.plucks] + tail, conv)
    name = take_name(spec, index)
    truth = build_truth(spec, bars, rends, stops, soft, tail, notes, conv, pl)
    truth.update(name=name, seed=seed, index=index)
    if feel:
        truth.update(rounded(groove_truth(bars, rends, feel)))
    return Take(name, midi_bytes(notes, conv), truth)


def rendition_truth(bars: list[Bar], r: Rendition, stops: list[dict], soft) -> dict:
    """Beats, downbeats, pulse, bpm, meters, chords, stops, spans and soft sections of one rendition."""
    g = r.grid
    out = {k: [] for k in ("beats", "bpm", "downbeats", "pulse", "meters", "stops", "playing", "sections")}
    for bi, bar in enumerate(bars):
        pos = group_starts(bar.meter)
        for k, (t, b) in enumerate(zip(g.beats[bi], g.bpm[bi])):
            if not (bar.pickup and pos[k] < bar.first_pos):
                out["beats"].append(t)
                out["bpm"].append(b)
        if bar.pickup:
            continue
        out["downbeats"].append(g.beats[bi][0])
        if not out["meters"] or out["meters"][-1]["meter"] != bar.meter:
            out["meters"].append(dict(time=g.beats[bi][0], meter=bar.meter))
        if bar.meter in AQSAQ:
            out["pulse"].extend(float(t) for t in g.eighths[bi][:-1])
    end_t = float(g.eighths[-1][-1])
    changes = [(t, label(c)) for t, _, c in r.changes]
    chords = list(changes)
    music = sorted(p.t for p in r.plucks if p.music)
    spans = [[music[0], end_t]]
    for s in stops:
        start, end = g.beats[s["bar"]][s["beat"]], g.beats[s["end_bar"]][0]
        n = sum(len(g.beats[b]) for b in range(s["bar"], s["end_bar"])) - s["beat"]
        out["stops"].append(dict(start=start, end=end, beats=n, damped=s["damp"]))
        if s["damp"] and s["beat"] == 0:
            active = [(t, c) for t, c in changes if t <= end + 1e-6][-1]
            chords += [(start, "N")] + ([(end, active[1])] if abs(active[0] - end) > 1e-6 else [])
        spans[-1][1] = start
        spans.append([next(t for t in music if t >= end - 0.05), end_t])
    chords.append((end_t, "N"))
    chords.sort(key=lambda c: c[0])
    out["chords"] = [dict(time=t, label=lab) for i, (t, lab) in enumerate(chords)
                     if i == 0 or lab != chords[i - 1][1]]
    out["playing"] = spans
    if soft:
        out["sections"].append(dict(start=g.beats[soft[0]][0], end=g.beats[soft[1]][0], level="soft",
                                    bars=[soft[0], soft[1]]))
    return out


def dynamics(bars: list[Bar], rends: list[Rendition], notes: list[Note]) -> list[dict]:
    """Per bar (pickup bars left out, numbered across renditions): mean velocity and count of real notes
    whose pluck falls in [downbeat - 20 ms, next downbeat - 20 ms)."""
    real = sorted((n.pluck, n.vel) for n in notes if n.music and not n.ghost)
    times = [t for t, _ in real]
    out = []
    for r in rends:
        for bi, bar in enumerate(bars):
            if bar.pickup:
                continue
            lo = bisect_right(times, r.grid.eighths[bi][0] - 0.02 - 1e-9)
            hi = bisect_right(times, r.grid.eighths[bi][-1] - 0.02 - 1e-9)
            vels = [v for _, v in real[lo:hi]]
            out.append(dict(bar=len(out), time=float(r.grid.eighths[bi][0]),
                            velocity_mean=round(float(np.mean(vels)), 1) if vels else 0.0, notes=len(vels)))
    return out


def build_truth(spec, bars, rends, stops, soft, tail, notes, conv, pl) -> dict:
    """The truth JSON (see the module docstring)."""
    parts = [rendition_truth(bars, r, stops, soft) for r in rends]
    merged = {k: [x for p in parts for x in p[k]] for k in parts[0]}
    counts: dict = {}
    for bar in bars:
        if not bar.pickup:
            counts[bar.meter] = counts.get(bar.meter, 0) + 1
    meters = [m for i, m in enumerate(merged["meters"]) if i == 0 or m["meter"] != merged["meters"][i - 1]["meter"]]
    truth = dict(kind=spec.kind, kinds=spec.kinds, key=dict(tonic=NAMES[spec.tonic], mode=spec.mode),
                 meter=max(counts, key=counts.get), meters=meters, beats=merged["beats"],
                 downbeats=merged["downbeats"])
    if merged["pulse"]:
        truth["pulse"] = merged["pulse"]
    truth.update(bpm=merged["bpm"], chords=merged["chords"], playing=merged["playing"], stops=merged["stops"],
                 first_onset=min(p.t for r in rends for p in r.plucks if p.music),
                 last_chord=rends[-1].last_chord, end=max(n.off for n in notes) / TICKS_PER_S,
                 tuning_plucks=[p.t for p in tail], dynamics=dynamics(bars, rends, notes),
                 sections=merged["sections"], style=spec.style, tempo=spec.tempo,
                 renditions=[dict(start=p["playing"][0][0], bpm=r.grid.bpm[int(bars[0].pickup)][0])
                             for p, r in zip(parts, rends)],
                 converter=dict(latency_ms=[round(conv.lat[0] * 1000, 1), round(conv.lat[1] * 1000, 1)],
                                jitter_ms=round(conv.jitter * 1000, 1), poly=conv.poly, legato=pl.legato,
                                same_tick_restrike=conv.quirk, off_as_velocity0=conv.off_vel0,
                                smf_type=conv.smf_type, ghost_rate=conv.ghost, octave_error_rate=conv.octave))
    return rounded(truth)


def rounded(x):
    """Floats to 4 decimals, numpy scalars to Python, recursively."""
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rounded(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return round(float(x), 4)
    if isinstance(x, np.integer):
        return int(x)
    return x


def summary(take: Take) -> str:
    """One line per take for the command line."""
    t = take.truth
    bpm = np.median(t["bpm"])
    return (f"{take.name:52s} {t['meter']:>4s} {bpm:6.1f} bpm tempo={t['tempo']['mode']:<6s} "
            f"bars={len(t['downbeats']):3d} {t['end']:6.1f} s notes={sum(d['notes'] for d in t['dynamics']):5d} "
            f"{'poly' if t['converter']['poly'] else 'mono'} stops={len(t['stops'])} tail={len(t['tuning_plucks'])}")


def main(argv=None) -> int:
    """Command line: write DIR/NAME.mid and DIR/NAME.json per take."""
    ap = argparse.ArgumentParser(description="Write converter-like guitar takes with truth JSON.")
    ap.add_argument("--out", required=True, type=Path, help="output directory")
    ap.add_argument("--count", type=int, default=24, help="number of takes (default 24)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=KINDS + GROOVE_KINDS, help="every take of this kind")
    ap.add_argument("--grooves", action="store_true", help="cycle through the groove kinds (GROOVE_KINDS)")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    plan = groove_schedule(a.count) if a.grooves and not a.only else schedule(a.count, a.only)
    for i, (kind, tags) in enumerate(plan):
        take = make_take(kind, a.seed, i, tags)
        (a.out / f"{take.name}.mid").write_bytes(take.midi)
        (a.out / f"{take.name}.json").write_text(json.dumps(take.truth) + "\n")
        print(summary(take))
    return 0


if __name__ == "__main__":
    sys.exit(main())
