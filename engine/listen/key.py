"""Key and mode from decaying pitch-class evidence, through a sticky forward filter over the 84 keys.

Evidence: each note adds its velocity at note-on and its duration at note-off to its pitch class (the listener
scales the velocity up on beats and downbeats); bass notes also go to a second histogram, because a
guitarist's bass on strong beats names the tonal centre. It is weighed lightly (bass notes count once in the
first histogram, the tonic's bass share adds 0.5): a pop bass walks I, IV, V and vi alike and so pulls towards
the relative key; and it weighs in by its mass (`BASS_MASS`): a lone low note at the end of a solo is no bass
line. A third histogram holds how long the chords were held on each root (the listener tells each chord
change): the chord a song dwells on is home more often than not, which is what tells the modes of one scale
apart (G dorian from the C mixolydian of the same notes); its tonic's share adds 0.25, and 0.25 more over a
bass line (over a single-note line the chord roots are guesses). The chord sounding now, once two of its notes
sounded at once, counts for the time it has outlasted every chord left: a one-chord vamp is never left (an E9 funk
chop is D lydian's notes but for its A), and a loop's chords count as they are left. All decay with a half-life,
so a modulation wins over time; after `NEW_PIECE` s of silence (a set's next song) they start
afresh. Last, the note a piece opens on (the lowest note of its first strum, again after a silence of
`OPENING_GAP` s): a single-note line has no bass and its chords are guesses, and a solo's pitch counts lean to
where its phrases sit (GuitarSet's Rock3 solo sits on F, A and C, its dominant chord, but opens on Bb). A
chord's lowest note, or a lone bass note, is its root and the tonic more often than not: keys on it get
`OPENING_WEIGHT`. A lone melody note is on the tonic triad, most often an upbeat on the fifth in major: keys get
`OPENING_WEIGHT` times its share in their `OPENING_PROFILE` (measured on the dev lines, the largest share 1).
Either fades with a half-life of `OPENING_HALF_LIFE` s, and counts only while little bass was heard: over a
bass line the bass and the chords say more (a song may open on its ii or vi chord).

A line's phrases end where they close: on the tonic, its third or its fifth (the note before a gap of
`FINAL_RATIO` times the line's typical one, `FINAL_MIN` s or more, is phrase-final). A melody may dwell on its
dominant's notes (a G major tune circling D and A: D mixolydian by pitch counts) and still end its phrases on G.
Keys get `FINAL_WEIGHT` times the phrase-final notes' mean share in their `FINAL_PROFILE` (the shares measured
on the dev solo lines, tonic 1), while little bass was heard, as the opening's bonus. Each final weighs by the
seconds to the next onset (its length and the rest after it, under `OPENING_GAP`): a longer pause closes a bigger
unit, and the tonic closes those (the dev solo lines' finals, weighed so, named the tonic over its relative in 34
takes, the relative in 8; counted once each, 27 and 8: bench/README.md, session 21).
A line leaps into its tonic from the tonic's fifth, up a fourth or down a fifth (a tune's upbeat, a cadence):
keys get `LEAP_WEIGHT` times the share of such leaps that land on their tonic (in full from `LEAP_MASS` leaps),
while little bass was heard (over the dev solo lines the leaps named the tonic over its relative in 43 takes, the
relative in 3; bench/README.md, session 23).

Over a bass line, the chord the piece's phrases open with: the first of its first chords (`PHRASE_CANDIDATES`,
each sounded and held `PHRASE_HOLD` s) that the music comes back to after other chords; keys on its root get
`PHRASE_WEIGHT` once it has come back (returns fade with a half-life of `PHRASE_HALF_LIFE` s, so a chord the
song leaves for good loses it). Music theory names the tonic as the chord phrases open on and come back
to (Aldwell & Schachter, Harmony and Voice Leading; Caplin 1998, Classical Form: a phrase's basic idea
prolongs the tonic). Rock's modal loops (Biamonte 2010, "Triadic modal and pentatonic patterns in rock
music", Music Theory Spectrum 32: Aeolian i-bVII-bVI, Mixolydian I-bVII-IV) share their notes with another
mode's tonic, so that placement decides: C minor's i-bVII-bVI-bVII holds B-flat twice as long as C over
B-flat mixolydian's notes, F lydian's I-II-iii-II is G mixolydian by counts and chord time (bench/README.md,
history). A pickup, an intro chord or a lone bass note does not come back, and so opens no phrase; a chord needs
two notes sounding at once (a pickup's run of single notes, each ended before the next, was labelled a chord and
opened the phrases once that chord came back in the song: review22's D major take in B minor), or a lone bass
and its chick, the rest of a chord on that bass (boom-chick, a walking shuffle: its chick over the walk's third is
no chord on the third; sim4's blues in A, heard C# phrygian). A loop
starts on its tonic and each pass returns there, at bar 1 of the next phrase: while the first chord may still come
back (away under `PHRASE_LOOP` times its hold), a later one that comes back first is a chord inside the loop
(I-IV-bVII-IV comes back to IV before I; bench/README.md, history), and the bonus grows with the returns to
`PHRASE_WEIGHT` after `PHRASE_RETURNS` of them. A strum's labels flap as its notes arrive (E, Ab minor, Eb sus4,
Ab minor within 0.9 s): a label under `PHRASE_HOLD` s over a root not yet struck is no chord yet, and a chord
that comes back after so short a label never left. A stop (a silence that reopens the piece) keeps the chord
the phrases opened with so far: it is still the first to come back. A loop need not start on its tonic, though
(review34: F G C Am in C was heard F lydian, minor VI-VII-i-i F lydian, iv-v-i-i D dorian, for the whole take): a
musician hears the tonic where the loop resolves. The bonus goes from the loop's start to the chord held longest
(a stay `RESOLVE_HOLD` times the start's, and longer in all: VI-VII-i-i's two bars of i), or else to the chord a
cadence reaches most (IV-V-I or ii-V-I, the V major, the ii minor: F G C Am's C), held as long as the start
(`RESOLVE_EVEN`); either only while no V-I, IV-I or lydian II-I reaches the start itself, and never where a musician
hears no home (`_may_resolve`): the chord a minor third above the start (a minor i's relative major, a Cm7 labelled
Eb), the start's V held longest, a major chord a minor third below (a VI7). Where the loop's chords tie (I-V-vi-IV
and vi-IV-I-V have no IV-V-I; vi-IV-I-V is also i-VI-III-VII) the start keeps it.

1. Every key (12 collections x 7 modes) is scored: the correlation of the histogram with published profiles
   rotated to its tonic (by name: krumhansl-kessler, temperley, aarden-essen, albrecht-shanahan; the default
   averages Krumhansl–Kessler and Albrecht–Shanahan; the major profile for major-third modes, the minor one
   for minor-third modes, read by scale degree: dorian's major sixth takes the minor profile's sixth-degree
   value, mixolydian's minor seventh the major's seventh, see `modal_profile`), plus the bass share of its
   tonic, its share of the chord time, the opening's and the phrase chord's bonuses, less a cost on a dorian
   or aeolian key whose sixth was heard less than its twin's (`SIXTH_WEIGHT`: the sixth heard decides the two,
   however few of the notes it is), plus a prior that favours the common modes, plus a term for the share of the
   evidence inside its diatonic collection (weighted so the scale comes first once the evidence is clear; on a few
   notes the profiles break the ties).
2. A sticky forward filter (an HMM over the 84 keys) turns the scores into a belief: each second a key
   stays with probability `HMM_STAY` (a move may keep the tonic with share `HMM_TONIC`, none by default);
   the scores weigh in as exp(beta x score x seconds they stood), beta = `HMM_BETA` scaled down while the
   evidence mass is under `HMM_MASS`. The key is the most believed one; its confidence is that belief
   (scaled down while the evidence is thin). The filter replaces hold rules: a guess from the first strums
   is weakly held, a key heard for half a minute needs a sustained lead to change. (`model="rules"` keeps
   the older rule-based hysteresis: a challenger must lead by a margin for `hold` seconds, the current tonic
   gets a head start.)
3. Tonic spelled by key signature where the key is printed (engine.theory).
4. The key as a lead sheet writes it (`written`) apart from the scale heard (`key`, which the chord tracker and the
   band play by): a blues, whose V7 sounds the tonic's leading tone beside its I7's minor seventh, is heard
   mixolydian and written major (`blues_named`); the band keeps the seventh the player plays.

Profiles: Krumhansl & Kessler 1982, Temperley 2007 (Kostka-Payne), Aarden 2003 (Essen), Albrecht &
Shanahan 2013. What the filter and the lighter bass gained is measured in bench/README.md (history).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from engine.listen.chord import CHICK_WITHIN, QUALITIES
from engine.theory import MODE_DEGREE, SCALES

# ndarray.sum is np.add.reduce behind a Python wrapper: the same sum, without the wrapper's call (a few a strum)
_add = np.add.reduce

# Published profile values (tonic first).
KRUMHANSL_KESSLER = {
    "major": (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
    "minor": (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
}
ALBRECHT_SHANAHAN = {
    "major": (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
    "minor": (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
}
TEMPERLEY = {   # Kostka-Payne corpus (Temperley 2007)
    "major": (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
    "minor": (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
}
AARDEN_ESSEN = {
    "major": (17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062, 0.145624, 8.15494,
              0.232998, 4.95122),
    "minor": (18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186,
              7.37619, 1.75623),
}
PROFILES = {"krumhansl-kessler": KRUMHANSL_KESSLER, "temperley": TEMPERLEY, "aarden-essen": AARDEN_ESSEN,
            "albrecht-shanahan": ALBRECHT_SHANAHAN}
DEFAULT_PROFILES = ("krumhansl-kessler", "albrecht-shanahan")
# Modes in the order of the major scale's degrees, with the degree offset from the collection's major tonic.
MODE_DEGREES = tuple(MODE_DEGREE.items())
# How readily a guitarist's music is heard in each mode (folk, rock and pop): log-prior added to the score.
MODE_PRIOR = {"major": 0.0, "minor": -0.02, "mixolydian": -0.06, "dorian": -0.06, "phrygian": -0.12,
              "lydian": -0.2, "locrian": -0.5}
# ... and over a line with no bass (x the opening's lack of bass): a phrygian tonic is a drone's or a bass's to
# show; a melody alone on the third of a major scale is its major key's (the dev lines, labelled major or minor:
# nottingham-ashover42, pop909-003, heard phrygian on the mediant)
LINE_PRIOR = {"phrygian": -0.13}
BASS_WEIGHT = 0.5          # the tonic's share of the bass evidence; light, as pop basses walk I, IV, V, vi alike
BASS_MASS = 4.0            # bass evidence (a beat's bass note ~1.7) under which it is no bass line yet
ROOT_WEIGHT = 0.25         # the tonic's share of the time chords were held on each root ...
ROOT_BASS_WEIGHT = 0.25    # ... and as much again over a bass line (over a single-note line the roots are guesses)
OPENING_WEIGHT = 0.3       # bonus of the keys on the tonic the piece opened on (its first strum's lowest note) ...
OPENING_BASS = 0.5         # ... while little bass was heard (x OPENING_BASS / (OPENING_BASS + bass mass)) ...
OPENING_HALF_LIFE = 30.0   # s; ... fading with this half-life (offline too: a whole piece outweighs it)
OPENING_STRUM = 0.1        # s; notes this close to the opening note are its strum
TOGETHER = 0.03            # s: onsets this close are struck together (a strum), no gap between notes
OPENING_GAP = 4.0          # s of silence after which the next strum opens the piece again
# s of silence after which the next note starts another piece, heard afresh: the render's end of a song
# (listen/phrases.py SONG_GAP) and the beat tracker's 8 s window, after which it takes the beat afresh. A song in
# another key after a 20 s rest was heard in the first song's key for all its 35 s (D major, then D dorian, never
# A minor: the first song's phrase chord, kept over a stop, outweighed its notes; review21).
NEW_PIECE = 8.0
NEW_PIECE_PRIOR = 0.9      # share of the forward filter's belief spread evenly over the keys for such a piece (0.5 kept
#                            a D dorian song's key for 5.7 s of an A minor one after it; 0.9 for 2.4 s, as alone)
NEW_PIECE_MASS = 8.0       # evidence such a piece needs before its key replaces the last one (confidence's full mass)
FINAL_WEIGHT = 0.6         # bonus of a key whose tonic the phrase-final notes name (x FINAL_PROFILE), over a line
# A line's leap from a note's fifth to it, up a fourth or down a fifth (a tune's upbeat, a cadence's bass line),
# lands on the tonic: over the 60 dev solo lines, such leaps landed on the tonic more often than on its relative's
# tonic in 43 (less in 3), its fourth's 44 (2), its fifth's 42 (3) (bench/README.md, session 23).
LEAPS = (5, -7)            # semitones from a lone note to the next
LEAP_WEIGHT = 0.2          # bonus of a key whose tonic the leaps land on (x their share), over a line ...
LEAP_MASS = 6.0            # ... in full from this many leaps (decayed): a few leaps to the fourth name no tonic
#                            (the solo set, online key exact: 49/60 at 0; 50 at 0.15/3, 0.2/6 and 0.3/8; 48 at
#                            0.3/3, 47 at 0.5/3, a jig's leaps to its fourth and an upbeat's to the third)
FINAL_RATIO = 2.5          # a note is phrase-final when the next onset comes this many times its typical gap ...
FINAL_MIN = 0.6            # ... and this many seconds or more after it
# Where a melody's phrase-final notes fall, by scale degree from the tonic (semitones), per mode family: their
# shares over the dev solo lines (bench/accuracy.py's `solo` set and GuitarSet's dev solos, 281 finals by the rule
# above), scaled to the tonic's. Phrases end on the tonic, its third or fifth (Temperley 2007, Music and
# Probability: a melody's final note; the measured shares: tonic 0.30, third 0.19, fifth 0.17 in major; tonic
# 0.32, fifth 0.24, fourth 0.17, third 0.14 in minor).
FINAL_PROFILE = {
    "major": (0.30, 0.0, 0.16, 0.01, 0.19, 0.04, 0.0, 0.17, 0.0, 0.12, 0.0, 0.01),
    "minor": (0.32, 0.0, 0.02, 0.14, 0.0, 0.17, 0.0, 0.24, 0.02, 0.0, 0.09, 0.0),
}
# Where a melody's opening note falls, by scale degree from the tonic (semitones), per mode family: its shares over
# the same dev lines (63 openings), scaled to the largest. A tune opens on its tonic triad, and a major tune most
# often on an upbeat to the fifth (Nottingham's and POP909's melodies: fifth 0.57, tonic 0.19, third 0.14 in major;
# tonic 0.48, minor seventh 0.24, fifth 0.14, third 0.14 in minor), so the opening note alone names no tonic.
OPENING_PROFILE = {
    "major": (0.19, 0.0, 0.07, 0.0, 0.14, 0.0, 0.0, 0.57, 0.0, 0.02, 0.0, 0.0),
    "minor": (0.48, 0.0, 0.0, 0.14, 0.0, 0.0, 0.0, 0.14, 0.0, 0.0, 0.24, 0.0),
}
PHRASE_WEIGHT = 0.9        # bonus of the keys on the chord the phrases open with (x the bass line's mass) ...
PHRASE_RETURNS = 1.5       # ... in full after this many returns to it, which fade with ...
PHRASE_HALF_LIFE = 30.0    # ... this half-life (s)
LAZY_DECAY = 60.0   # s: a note's evidence is added scaled up by at most this much decay owed (2**5 at 12 s half-life)
PHRASE_CANDIDATES = 3      # the first chords of a piece that may be the one its phrases open with
PHRASE_MIN = 0.25          # returns (faded) under which a chord no longer counts as coming back
PHRASE_HOLD = 0.6          # s a chord is held to be one (a partial first strum, a flap between labels is none)
PHRASE_LOOP = 4.0          # x its hold: how long the loop's first chord may be away and still come back as its start
# A loop's resolution, which takes the phrase bonus from the chord the loop starts on (`_resolution`): the chord held
# this many times longer a stay than the loop's start (review34's VI-VII-i-i, iv-v-i-i, III-VII-i-i and IV-V-I-I,
# the tonic held two bars in every four: 2x, less its strums' flaps, so 2.0 lost iv-v-i-i; 1.5 turned Nottingham's
# reelsr-t18, whose V is held 1.5-1.8x its I, to A: accuracy.py --sets nottingham), or failing that, the one a
# cadence reaches (IV-V-I or ii-V-I, `_stay`) in this larger share of its stays than the start and every other chord
# (F G C Am: C 1 of 1, F, G and Am 0; I-V-vi-IV and I-IV-bVII-IV have none and keep their start), its stays not
# shorter than the start's by RESOLVE_HOLD.
RESOLVE_HOLD = 1.8
RESOLVE_CADENCE = 0.5
# ... and a cadence's chord is held a stay this share of the start's or more: as long, less a strum's flaps (review34's
# F G C Am, C's stays 0.99 of F's), not a passing I (Nottingham jigs227, Em A7 D Em in E minor: D's stays 0.6 of Em's,
# its ii-V-I turned the key to the collection of D, E dorian for E minor; 1/RESOLVE_HOLD, loop28's, let it)
RESOLVE_EVEN = 0.8
# ... and either has stayed this often (decayed, PHRASE_HALF_LIFE): a resolution comes back each pass, where the first
# pass's long chord may be its only one (accuracy.py's guitar/pop909-402, F major: its Am held 3.1 s to the opening
# F's partial 1.2 s, heard A minor 12.6-19.2 s; pop909-666 E major, its F# heard C# minor 11.6-17.9 s)
RESOLVE_STAYS = 1.5
# Either, only while a major chord a fifth away (V-I, IV-I) leads to the start in under this share of its stays: a
# start reached so is a resolution
# too (an I-IV vamp; a dorian power-chord vamp i5-bVII5-IV5-i5 whose last i5 bar was labelled IV, so IV held two bars
# to i's one, and i came from IV: tests/test_key_evidence.py's, heard G mixolydian for D dorian without it; review34's
# IV-V-I-I, whose IV comes from the held I, V-I, keeps its start so)
RESOLVE_START = 0.25
TONIC_STICKINESS = 0.15
PRIOR_MASS = 0.0          # evidence mass below which the mode prior is scaled up (PRIOR_MASS / mass)


def modal_profile(profiles: dict[str, tuple[float, ...]], mode: str) -> np.ndarray:
    """The profile of `mode` (12 values, tonic first): its family's (major for a major third, minor
    otherwise), with the values of each degree where the mode's scale leaves the family's swapped with the
    degree it takes instead: dorian's major sixth gets the minor profile's minor-sixth value and the other way
    round, mixolydian's minor seventh the major's leading tone, lydian's fourth and phrygian's second likewise.
    The published profiles are of major and minor music; this reads them by scale degree."""
    family = "minor" if SCALES[mode][2] == 3 else "major"
    base = np.asarray(profiles[family], dtype=float)
    out = base.copy()
    for theirs, ours in zip(SCALES[family], SCALES[mode]):
        if theirs != ours:
            out[ours], out[theirs] = base[theirs], base[ours]
    return out


_ROTATE = (np.arange(12)[None, :] - np.arange(12)[:, None]) % 12   # [tonic, pc]: the degree np.roll puts at pc


def _profile_rows(profiles: dict[str, tuple[float, ...]]) -> np.ndarray:
    """7 x 12 x 12: [mode (MODE_DEGREES order)][tonic] -> the mode's profile rotated to tonic, centred, unit
    length."""
    out = np.zeros((len(MODE_DEGREES), 12, 12))
    # A mode's 12 rotations in one gather (np.roll row by row: 168 calls, most of a new listener's cost);
    # the same floats as rolled, centred and normed row by row: the means by rows of 12, each norm the row's dot.
    for m, (mode, _) in enumerate(MODE_DEGREES):
        rows = modal_profile(profiles, mode)[_ROTATE]
        rows = rows - rows.mean(axis=1, keepdims=True)
        out[m] = rows / np.array([math.sqrt(row @ row) for row in rows])[:, None]
    return out


_MAJOR_SETS = np.array([[1.0 if (pc - c) % 12 in SCALES["major"] else 0.0 for pc in range(12)]
                        for c in range(12)])
_MODE_TONICS = np.array([[(c + degree) % 12 for _, degree in MODE_DEGREES] for c in range(12)])
_MODE_PRIORS = np.array([MODE_PRIOR[mode] for mode, _ in MODE_DEGREES])
_MODE_NAMES = [mode for mode, _ in MODE_DEGREES]
_ALL_TONICS = _MODE_TONICS.reshape(84)
_ALL_PRIORS = np.tile(_MODE_PRIORS, 12)
_KEYS_ON = [np.flatnonzero(_ALL_TONICS == pc) for pc in range(12)]   # [pitch class] -> the keys on that tonic
SCALE_WEIGHT = 4.0        # weight of the share of evidence inside a key's diatonic collection
HMM_STAY = 0.95           # per second: how likely the key is unchanged
HMM_TONIC = 0.0           # share of a key change that keeps the tonic (a change of mode)
HMM_BETA = 2.0            # sharpness of the evidence (per score unit)
HMM_SWITCH = 2.0          # belief ratio another key needs over the current one to take over
EXPECTED = 0.5            # the forward filter's belief in a key told before the song (`expect`): a look-ahead
                          # render's first pass's (engine/look_ahead.py); notes overturn it at HMM_SWITCH times
HMM_MASS = 20.0           # evidence mass below which the evidence's sharpness is scaled down
_ALL_CONST = _ALL_PRIORS - SCALE_WEIGHT   # the mode prior, less the scale term at a full share
_LINE_PRIORS = np.tile([LINE_PRIOR.get(mode, 0.0) for mode in _MODE_NAMES], 12)


def _family_rows(family: dict[str, np.ndarray]) -> np.ndarray:
    """84 x 12: each key's profile of its mode family in `family` ("major", "minor": a mode with a minor third
    takes the minor one, shares by semitones from the tonic) rotated to its tonic."""
    return np.array([np.roll(family["minor" if SCALES[m][2] == 3 else "major"], tonic)
                     for tonic, m in zip(_ALL_TONICS, _MODE_NAMES * 12)])


_FINAL_ROWS = _family_rows({f: np.asarray(p) / p[0] for f, p in FINAL_PROFILE.items()})   # the tonic's share 1
_OPENING_ROWS = _family_rows({f: np.asarray(p) / max(p) for f, p in OPENING_PROFILE.items()})   # the largest 1
_TONIC_ROWS = np.array([[1.0 if tonic == pc else 0.0 for pc in range(12)] for tonic in _ALL_TONICS])   # 84 x 12
_CHORD_TONES = [QUALITIES[q] for q in ("maj", "min", "7", "maj7", "min7")]   # a chick's chords, from the root
# The sixth degree heard tells dorian from aeolian on one tonic (D dorian plays B, D minor Bb): its two sixths, the
# major then the minor, and the side each key takes (+1 dorian, -1 minor, 0 the other modes). See `_sixth`.
_SIXTHS = np.array([[(tonic + 9) % 12, (tonic + 8) % 12] for tonic in _ALL_TONICS])
_SIXTH_SIDE = np.array([{"dorian": 1.0, "minor": -1.0}.get(m, 0.0) for m in _MODE_NAMES * 12])
SIXTH_WEIGHT = 0.1        # cost of the mode whose sixth was heard less than its twin's (x the sixths' balance) ...
SIXTH_MASS = 1.0          # ... in full from this much evidence on the two sixths (about one note)
# A blues is written in major though its tonic chord is a dominant seventh: the V7's third (the tonic's leading
# tone) sounds beside the I7's minor seventh. The leading tone's share of the two (decayed evidence) names a
# mixolydian key so from BLUE_ON and until it falls under BLUE_OFF (a name that does not flap between choruses).
# Over the dev takes heard mixolydian (sim2, sim3, sim-aqsaq, sim4, GuitarSet, the solo lines) the share was 0.00
# on every re-score of the 10 in mixolydian, 0.13-0.66 in sim4's walking blues and boogie in A (after their first
# V7 bar) and 0.11-0.30 in nottingham-jigs198 (A major heard mixolydian mid-tune; /work/scratch/s28/key28).
BLUE_ON, BLUE_OFF = 0.10, 0.05
KEEP = 12                 # keys ranked per update (the current key is looked up among them)


def blues_named(hist: np.ndarray, tonic: int, before: bool = False) -> bool:
    """Whether a key on `tonic` (pitch class 0..11) heard mixolydian over the pitch-class evidence `hist` (12) is a
    blues, written in major: its leading tone's share of leading tone and minor seventh is `BLUE_ON` or more, or
    stays over `BLUE_OFF` when it was named so `before`. A blues's V7 sounds the leading tone (E7's G# in A) where
    its I7 and IV7 sound the minor seventh (A7's G); a mixolydian song's v or bVII never sounds it."""
    lt, b7 = float(hist[(tonic + 11) % 12]), float(hist[(tonic + 10) % 12])
    if lt + b7 <= 0:
        return False
    return lt / (lt + b7) >= (BLUE_OFF if before else BLUE_ON)


def _key_index(tonic: int, mode: str) -> int:
    """The forward filter's index (0..83) of the key on `tonic` (pitch class) in `mode`: 7 per collection (its major
    tonic), then the mode's place in _MODE_NAMES."""
    return 7 * ((tonic - MODE_DEGREE[mode]) % 12) + _MODE_NAMES.index(mode)


def mode_rows(names: tuple[str, ...]) -> np.ndarray:
    """12 x 7 x 12: for each collection (its major tonic), its seven modes' profile rows (the named
    profiles averaged, each mode's read by scale degree: `modal_profile`),
    stacked so one matrix product scores all seven."""
    unknown = [n for n in names if n not in PROFILES]
    if unknown or not names:
        raise ValueError(f"unknown key profile {unknown or names!r}; choose from {', '.join(PROFILES)}")
    rows = sum(_profile_rows(PROFILES[n]) for n in names) / len(names)
    return np.array([[rows[m, (c + degree) % 12] for m, (_, degree) in enumerate(MODE_DEGREES)]
                     for c in range(12)])


@functools.cache
def _key_rows(names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """84 x 12: the keys' profile rows (`mode_rows` of the profiles `names`, flattened), and 168 x 12: those rows,
    then each key's diatonic collection (`_MAJOR_SETS`), for one matrix product. Worked out once per `names`: a
    batch's or a bench's every new listener paid for them (a first `Listener()` 18.1 M instructions with the rows
    rolled one by one, 4.3 M gathered: callgrind); read-only, as every tracker shares them. Raises ValueError as
    `mode_rows`."""
    rows = mode_rows(names).reshape(84, 12)
    stack = np.vstack([rows, np.repeat(_MAJOR_SETS, 7, axis=0)])   # profiles, then scales
    rows.flags.writeable = stack.flags.writeable = False
    return rows, stack


def _may_resolve(start: int, best: int, minor: bool, cadence: bool) -> bool:
    """Whether a loop starting on the chord `start` (root pitch class) may resolve on `best` (`minor`: its stays were
    minor chords; `cadence`: a cadence reaches it, else it is held longest). Not on a chord a minor third up: the
    minor i's relative major (a minor blues's long i, Cm7 labelled Eb over its walking bass, was heard Eb major:
    sim4-held's C minor blues); a minor song's bVII-bIII is its relative major's V-I. A minor third down only to a
    minor chord held longest: the relative minor's i (III-VII-i-i in E minor, G D Em Em), not a ragtime's VI7
    (Nottingham reelsm-q62's B7 held two bars in D) nor a cadence's vi. Not to the start's dominant held longest, a
    major chord a fifth up: a polka's V7 held two bars, a blues's V7 bars (the same C minor blues, its i split
    between its bass's label and its upper notes', was heard G phrygian)."""
    up = (best - start) % 12
    if up == 3:
        return False
    if up == 9:
        return minor and not cadence
    return cadence or up != 7 or minor


class KeyTracker:
    """Key and mode from the guitar's notes (see the module docstring); times in seconds. `half_life` (s):
    how fast evidence fades; `profiles`: names of PROFILES to average; `model`: "hmm" (the sticky forward
    filter) or "rules" (a challenger must lead by `margin` for `hold` seconds, less while the key is unsure);
    `bass_weight`: how much a bass note counts in the main histogram. The estimate: `tonic` (pitch class
    0..11, None before any evidence), `mode` (a name of SCALES), `confidence` 0..1, and `total`, the decayed
    evidence mass. `new_piece` (s): the silence after which the next note starts another piece, heard afresh
    (NEW_PIECE; math.inf: never, the whole input is one piece, as offline analysis takes it). Raises ValueError
    for an unknown model or profile name."""

    def __init__(self, half_life: float = 12.0, hold: float = 4.0, bass_weight: float = 1.0, margin: float = 0.05,
                 profiles: tuple[str, ...] = DEFAULT_PROFILES, model: str = "hmm", new_piece: float = NEW_PIECE):
        if model not in ("hmm", "rules"):
            raise ValueError(f"key model must be 'hmm' or 'rules', got {model!r}")
        self._all_rows, self._stack = _key_rows(tuple(profiles))
        self.half_life = half_life
        self.hold = hold
        self.margin = margin
        self.bass_weight = bass_weight
        self.new_piece = new_piece
        self._piece(0.0)
        self.tonic: int | None = None       # pitch class
        self.mode = "major"
        self._challenger: tuple[int, str] | None = None
        self.model = model                    # "hmm" (sticky forward filter) or "rules" (hold and margin)
        self._challenger_since = 0.0
        self._new_piece = False               # True from a piece after a long silence until its key is heard

    def _piece(self, t: float) -> None:
        """Start the evidence afresh at t (s): at the start, and for a piece played after `NEW_PIECE` s of silence
        (then `note_on` carries a tenth of the filter's belief over, and `update` holds the key until the new
        piece's notes name one)."""
        # The histogram, the bass histogram and the seconds each chord root was held (decaying): rows of one
        # array, so that a decay is one multiply (every note pays for one).
        self._decaying = np.zeros((5, 12))
        # ... phrase-final notes, and the notes a line leaps to from their fifth (`_leap`)
        self._hist, self._bass, self._roots, self._finals, self._leaps = self._decaying
        self._root: int | None = None         # the chord root sounding since ...
        self._root_t = t                      # ... this time (s)
        self._t = t                           # s: `total` is decayed to here ...
        self._arrays_t = t                    # ... the arrays of evidence to here (`_arrays`)
        self._last_on = -1e9                  # time of the last note-on (s) ...
        self._lone = False                    # ... whether it was struck alone (no note-on within TOGETHER before)
        self._last_pitch = 0                  # ... its pitch
        self._gap = 0.0                       # log of the typical gap between onsets (s), 0 before one
        self._open_t = -1e9                   # when the piece (re)opened (s), its first strum's lowest note ...
        self._open_low = 128
        self._open_notes = 0                  # ... and how many notes that strum has
        self._open_row: np.ndarray | None = None   # 84: the keys' opening bonus for it (in OPENING_WEIGHT)
        self._phrase_roots: list[int] = []    # the first chords of the piece (since `_phrase_t`): roots
        self._phrase_t = -1e9
        self._phrase_hold = np.zeros(12)      # s each of them was first held
        self._settle_t = -1e9                 # since when the chord sounding was heard, its flaps included ...
        self._before: tuple[int | None, float] = (None, -1e9)   # ... and the chord before it, since when
        self._struck: dict[int, tuple[float, float]] = {}   # pitch class -> first and last strike (s) lately
        self._ringing: dict[int, float] = {}  # pitch -> onset of a note sounding now
        self._together: tuple[float, float] | None = None    # first and last onset over another note ringing
        self._lone_bass: tuple[float, int] = (-1e9, -1)   # the last bass note struck alone: onset (s), pitch class,
        self._lone_before = self._lone_bass              # ... and the one before (the last may open a strum)
        self._away = np.zeros(12)             # s other chords were held since each of them was left
        self._returns = np.zeros(12)          # how often (decaying) the piece came back to each
        # Each chord root's stays (held `PHRASE_HOLD` s or more, sounded), the stays a cadence reached, and their
        # seconds, decaying as the returns (`_resolution`); the last such chord left, and whether it was major.
        self._stays = np.zeros((5, 12))      # ... the stays it was minor, and those a major chord a fifth away led to
        self._solid: tuple[int, bool, bool] | None = None   # (root, major, minor)
        self._lead: tuple[int, bool, bool] | None = None    # ... and the one before it
        self._resolved: tuple[int, int] | None = None   # (start, its resolution) as of the last stay (`_resolution`)
        self.total = 0.0                      # decayed evidence mass
        self.confidence = 0.0
        self._belief: np.ndarray | None = None   # the forward filter's, over the 84 keys, as of ...
        self._belief_t = t                       # ... this time (s)
        self._blues = False                   # the mixolydian key heard is a blues, written in major (`written`)

    def _decay_to(self, t: float) -> None:
        """The evidence decayed to t (s): `total` at once; the arrays (`_decaying`, `_returns`) lazily, when read
        (`_arrays`): a note only adds to them, scaled up by the decay still owed (`_add`), so that it pays for
        no array multiply (two of the median note's numpy calls, issue 12 deliver 5)."""
        if t > self._t:
            self.total *= 0.5 ** ((t - self._t) / self.half_life)
            self._t = t

    def _arrays(self) -> None:
        """Bring the decaying arrays from the time they were last decayed to `_t` (every reader calls this first)."""
        dt = self._t - self._arrays_t
        if dt > 0:
            self._decaying *= 0.5 ** (dt / self.half_life)     # _hist, _bass, _roots, _finals and _leaps
            self._returns *= 0.5 ** (dt / PHRASE_HALF_LIFE)
            self._stays *= 0.5 ** (dt / PHRASE_HALF_LIFE)
            self._arrays_t = self._t

    def note_on(self, t: float, pitch: int, velocity: int, bass: bool, metric: float = 1.0) -> None:
        """A note struck at t (s): its velocity (0..127) x `metric` adds to its pitch class's evidence (`metric`
        > 1 for notes on beats and downbeats: chord roots live there), a `bass` note's to the bass histogram as
        well. The lowest note of the strum that opens the piece (after `OPENING_GAP` s of silence) is kept: the
        tonic a piece opens on. After `NEW_PIECE` s of silence the evidence starts afresh (`_piece`)."""
        if t - self._last_on > self.new_piece and self._last_on > -1e9:
            belief = self._belief
            self._piece(t)
            self._new_piece = True
            if belief is not None:      # a tenth of the belief carried over: a song played again is at home at once
                self._belief = belief * (1.0 - NEW_PIECE_PRIOR) + NEW_PIECE_PRIOR / 84
        self._final(t)
        if self._lone and pitch - self._last_pitch in LEAPS:   # (most notes: no call)
            self._leap(t, pitch)
        if t - self._last_on > OPENING_GAP:
            self._open_t, self._open_low, self._open_notes = t, pitch, 0
        elif t - self._open_t < OPENING_STRUM and pitch < self._open_low:
            self._open_low = pitch
        if t - self._open_t < OPENING_STRUM:
            # A chord's lowest note, or a lone bass note, is its root, the tonic's more often than not; a lone
            # note over no bass is a melody's, on any note of the tonic triad (OPENING_PROFILE).
            self._open_notes += 1
            rows = _OPENING_ROWS if self._open_notes == 1 and not bass else _TONIC_ROWS
            self._open_row = rows[:, self._open_low % 12]
        # Two notes sounding at once, a strum's or a picked chord's over its ringing bass, make a chord; a run of
        # single notes (a pickup's, a line's), each ended before the next, makes none.
        over = any(p != pitch for p in self._ringing)
        if over:
            self._together = (self._together[0] if self._together else t, t)
        alone = bass and not over
        if alone or self._lone_bass[0] == self._last_on:   # (most notes: no call)
            self._bass_alone(t, pitch, alone)
        self._ringing[pitch] = t
        self._lone = t - self._last_on >= TOGETHER
        self._last_on, self._last_pitch = t, pitch
        first, _ = self._struck.get(pitch % 12, (t, t))
        self._struck[pitch % 12] = (first, t)
        self._add(t, pitch, velocity / 127 * metric, bass, metric)

    def expect(self, t: float, tonic: int, mode: str) -> None:
        """Start from the key (`tonic` pitch class 0..11, `mode` a mode name) one who heard the song whole names,
        at `t` (s), before any note: it is the key at once, with EXPECTED of the forward filter's belief on it (the
        rest spread evenly), so the first notes, thin evidence, do not overturn it, and the song's own notes do as
        they would any key believed (the belief drifts back to even at HMM_STAY a second). Raises ValueError for a
        mode not in SCALES."""
        if mode not in _MODE_NAMES:
            raise ValueError(f"mode must be one of {', '.join(_MODE_NAMES)}, got {mode!r}")
        belief = np.full(84, (1.0 - EXPECTED) / 83)
        belief[_key_index(tonic, mode)] = EXPECTED
        self._belief, self._belief_t = belief, t
        self.tonic, self.mode = tonic % 12, mode

    def resume(self, t: float) -> None:
        """The input came back at `t` (s) after it was gone (live: a pulled cable): the silence before it was not
        the player's, so the next note neither starts another piece (`NEW_PIECE`) nor opens this one again
        (`OPENING_GAP`): the song goes on. Heard as a new piece, review29's D dorian (its cable pulled for 8 s, back
        on the IV chord, G) was named G mixolydian 5 s after the cable was back."""
        if self._last_on > -1e9:
            self._last_on = max(self._last_on, t)
            self._lone = True

    def _final(self, t: float) -> None:
        """A note struck at t (s): the note before it ended a phrase when t comes `FINAL_RATIO` times the typical
        gap between onsets after it, and `FINAL_MIN` s or more (a long note, or a rest after it): its pitch class
        counts as phrase-final, weighted by the gap (s): the longer the pause, the bigger the close. The typical
        gap follows the onsets' (a geometric running mean; notes struck together do not count)."""
        gap = t - self._last_on
        if gap < TOGETHER:
            return
        if self._gap and FINAL_MIN <= gap < OPENING_GAP and gap >= FINAL_RATIO * math.exp(self._gap):
            self._decay_to(t)
            self._arrays()
            self._finals[self._last_pitch % 12] += gap
            self._resolved = None
        log = math.log(min(gap, OPENING_GAP))
        self._gap = 0.9 * self._gap + 0.1 * log if self._gap else log

    def _leap(self, t: float, pitch: int) -> None:
        """A note struck at t (s) a leap up a fourth or down a fifth (`LEAPS`) after a lone note: a line's leap
        (not a strum's notes: the next note comes `TOGETHER` s or more after) lands on the tonic more often than
        not (from the tonic's fifth: a tune's upbeat, a cadence), and counts for the note it lands on (decaying as
        the rest of the evidence)."""
        if t - self._last_on >= TOGETHER:
            self._decay_to(t)
            self._leaps[pitch % 12] += self._owed()

    def note_off(self, t: float, pitch: int, duration: float, bass: bool) -> None:
        """A note released at t (s) after `duration` seconds: the duration (at most 2 s) adds to its pitch
        class's evidence, a `bass` note's to the bass histogram as well."""
        self._ringing.pop(pitch, None)
        self._add(t, pitch, min(duration, 2.0), bass, 1.0)

    def chord(self, t: float, root: int | None) -> None:
        """The chord heard from t (s) on has this root (pitch class; None: no chord): the time the last one was
        held counts for its root. The chord a song dwells on is its tonic more often than not: the tonic a
        musician hears in a mode (G dorian, not the C mixolydian of the same notes) is the chord the song
        keeps coming back to and holding. A return to one of the piece's first chords counts for the chord its
        phrases open with (`_phrase_left`). A new label on the same root (D heard before its third comes, then
        Dm; Bb, then Bbmaj7 as a picked arpeggio adds its notes) is the same chord: it goes on from its start."""
        if root is not None and root == self._root:
            return
        self._decay_to(t)
        self._arrays()
        held, sounded = max(0.0, t - self._root_t), False
        if self._root is not None:
            self._roots[self._root] += held
            struck = {pc for pc, (first, _) in self._struck.items() if first < t}
            strummed = self._together is not None and self._together[0] < t
            sounded = (self._root in struck and len(struck) >= 2 and strummed) or self._chick(t, self._root)
            self._phrase_left(self._root, held, t - self._settle_t, sounded)
            if sounded and held >= PHRASE_HOLD:
                self._stay(self._root, self._played(t, held), struck)
        self._settle(t, root, held, sounded)
        self._struck = {pc: (last, last) for pc, (_, last) in self._struck.items() if last >= t}
        for pitch, on in self._ringing.items():   # a root still ringing sounds in the next chord: a picked chord's
            self._struck.setdefault(pitch % 12, (on, on))   # root, struck once, is often labelled after it
        if self._together is not None:
            last = self._together[1]
            self._together = (last, last) if last >= t else None
        if root is not None and root != self._root and root in self._phrase_roots:
            if self._away[root] >= PHRASE_HOLD:
                self._returns[root] += 1.0
            self._away[root] = 0.0
        self._root, self._root_t = root, t

    def _bass_alone(self, t: float, pitch: int, alone: bool) -> None:
        """Keeps the last bass note struck at t (s) `alone` (nothing else ringing): a note struck with it (within
        `TOGETHER` s) makes it the lowest note of a strum instead."""
        if t - self._last_on < TOGETHER:
            if self._lone_bass[0] == self._last_on:
                self._lone_bass = self._lone_before
        elif alone:
            self._lone_before, self._lone_bass = self._lone_bass, (t, pitch % 12)

    def _chick(self, t: float, root: int) -> bool:
        """Whether the strum at t (s) is the chick of a lone bass on `root` struck within `CHICK_WITHIN` s: its
        notes, two or more, are the rest of a triad or seventh chord on that bass, its third among them. Boom-chick
        and a walking shuffle sound their chord so (A2 alone on the downbeat, then G3 C#4 E4 over the walk's C#3:
        A7's third, fifth and seventh; sim4's blues in A, s23, took the chick over its third for the chord its
        phrases open with, C#, and was heard C# phrygian). A pickup's note before another chord's strum is no such
        bass: that strum is not a chord on it."""
        at, pc = self._lone_bass
        if pc != root or not 0.0 < t - at <= CHICK_WITHIN:
            return False
        chick = {(pitch - root) % 12 for pitch, on in self._ringing.items() if on >= t}
        return (len(chick - {0}) >= 2 and bool(chick & {3, 4})
                and any(chick <= set(tones) for tones in _CHORD_TONES))

    def _settle(self, t: float, root: int | None, held: float, sounded: bool) -> None:
        """The chord `root` heard from t (s) on, after a label held `held` s (`sounded`: its root and another
        note were struck): since when it was heard. A strum's labels flap while its notes arrive (Ab minor's
        first strum heard E, Ab minor, Eb sus4, Ab minor within 0.6 s): a label under `PHRASE_HOLD` s whose root
        was not yet sounded is no chord yet, the next one was heard from its start; a chord that comes back
        after a label that short never left."""
        before, since = self._before
        self._before = (self._root, self._settle_t)
        if held < PHRASE_HOLD and root == before and before is not None:
            self._settle_t = since            # back from a flap
        elif held >= PHRASE_HOLD or sounded or self._root is None:
            self._settle_t = t                # else the label was no chord: the next one goes on from its start

    def _phrase_left(self, root: int, held: float, settled: float, sounded: bool) -> None:
        """The chord `root` was held for `held` s (`sounded`: its root and another note were struck, two notes
        sounding at once). The first `PHRASE_CANDIDATES` chords of the piece sounded and held `PHRASE_HOLD` s
        or more may be the one its phrases open with (a partial first strum, a lone bass note or a pickup's notes
        are not: they do not come back); the time other chords are held counts until each comes back."""
        if self._open_t > self._phrase_t:       # the piece (re)opened: its first chords are to be found again ...
            home = self._phrase_root()
            self._phrase_roots, self._phrase_t = [] if home is None else [home[0]], self._open_t
            self._away[:] = 0.0
            self._returns[:] = 0.0
            if home is not None:                # ... after the one its phrases opened with so far (a stop is no
                self._returns[home[0]] = home[1]   # new song: its tonic is still to come back)
        roots = self._phrase_roots
        if sounded and settled >= PHRASE_HOLD and root not in roots and len(roots) < PHRASE_CANDIDATES:
            roots.append(root)
            self._phrase_hold[root] = settled
        for c in self._phrase_roots:
            if c != root:
                self._away[c] += held

    def _played(self, t: float, held: float) -> float:
        """Of the `held` s the chord left at t (s) was labelled, those it was played: up to its last strike and a rest
        of `FINAL_RATIO` typical gaps after it (what closes a phrase), not a stop's silence (sim3's A phrygian s21:
        its iv, struck before a stop and labelled through it, was held three times its i, and the hold rule named the
        loop D minor for 17 s)."""
        last = max((at for _, at in self._struck.values() if at < t), default=t)
        rest = FINAL_RATIO * math.exp(self._gap) if self._gap else OPENING_GAP
        return min(held, max(0.0, last - self._root_t) + rest)

    def _stay(self, root: int, held: float, struck: set[int]) -> None:
        """A chord on `root` sounded and was held `held` s (its notes' pitch classes `struck`): one stay, reached by a
        cadence when the chord before it was major (its third and not the minor third struck) a fifth above, and the
        one before that its IV (major) or ii (minor): IV-V-I, ii-V-I. A minor v is no dominant; a V-I alone is a
        modal loop's too, phrygian's bVI-bII and mixolydian's I-IV, which turned sim2's Ab phrygian, sim-aqsaq's F#
        phrygian and sim2's Bb mixolydian to their bII or IV; a major II before the V is a mixolydian I-IV-bVII
        (sim4-held's bluegrass G F C, its G C F heard II-V-I of F) or a ragtime's secondary dominants (Nottingham
        reelsm-q62's A7 D G). A major chord leading to it as to a tonic makes the chord a resolution too
        (`RESOLVE_START`): V-I or IV-I (an I-IV vamp, a dorian vamp's IV-i), and to a major chord from a major
        chord a tone away, lydian's II-I and mixolydian's bVII-I (sim2's C lydian loop C Em D D, its II held
        twice as long as its I)."""
        before, lead = self._solid, self._lead
        major, minor = (root + 4) % 12 in struck, (root + 3) % 12 in struck
        step = (before[0] - root) % 12 if before is not None else 0
        home = before is not None and before[1] and (step in (5, 7) or (step == 2 and major and not minor))
        cadence = (before is not None and before[1] and step == 7 and lead is not None
                   and (lead[0] - before[0]) % 12 == (10 if lead[1] else 7) and (lead[1] or lead[2]))
        self._stays[:, root] += (1.0, float(cadence), held, float(minor and not major), float(home))
        self._lead = before
        self._solid = (root, major and not minor, minor and not major)
        self._resolved = None

    def _resolution(self, start: int) -> int:
        """The chord (root pitch class) a loop that starts on `start` resolves on, where a musician hears its tonic:
        the one held `RESOLVE_HOLD` times longer a stay than `start` and longer than any other, and longer in all (a
        polka's V7 held two bars to its I's one, but I comes back twice as often: review34's polka_120_G); else the
        one a cadence reaches in a share of its stays `RESOLVE_CADENCE` above the start's and above every other's;
        else `start` (a loop that starts on its tonic, or one with no cadence and no chord held longer:
        I-V-vi-IV), and always while a major chord a fifth away (V-I, IV-I) leads to `start` in `RESOLVE_START` of
        its stays or more. Worked out
        again only after a stay: the stays decay alike, so their ratios stand between."""
        if self._resolved is None or self._resolved[0] != start:
            self._resolved = (start, self._resolve(start))
        return self._resolved[1]

    def _resolve(self, start: int) -> int:
        """`_resolution` of `start` from the stays now."""
        stays, cadences, seconds, minors, homes = self._stays
        counted = stays >= PHRASE_MIN
        if not counted[start] or homes[start] >= RESOLVE_START * stays[start]:
            return start
        minor = minors > stays / 2
        finals = self._finals       # a melody resting on the start's root more than on the chord's says it is home
        mean = np.where(counted, seconds / np.maximum(stays, 1e-9), 0.0)
        rate = np.where(counted, cadences / np.maximum(stays, 1e-9), -1.0)
        # the chord held longest (longer in all), else the one a cadence reaches most (held about as long)
        for score, margin, cadence in ((mean, (RESOLVE_HOLD - 1.0) * mean[start], False),
                                       (rate, RESOLVE_CADENCE, True)):
            best = int(score.argmax())
            others = np.delete(score, best)
            if (best == start or score[best] < score[start] + margin or score[best] <= others.max() + 1e-9
                    or stays[best] < RESOLVE_STAYS):
                continue
            if not _may_resolve(start, best, bool(minor[best]), cadence) or finals[start] > finals[best]:
                continue
            if (mean[best] >= RESOLVE_EVEN * mean[start]) if cadence else (seconds[best] > seconds[start]):
                return best
        return start

    def _phrase_root(self) -> tuple[int, float] | None:
        """The chord the piece's phrases open with, and how often (decaying) they came back to it: the first
        of its first chords that came back, unless an earlier one may still come back (a loop's start)."""
        for c in self._phrase_roots:
            if self._returns[c] >= PHRASE_MIN:
                return c, float(self._returns[c])
            if self._away[c] < PHRASE_LOOP * self._phrase_hold[c]:
                return None                   # the loop's first chord may still come back: the later ones wait
        return None

    def _add(self, t: float, pitch: int, w: float, bass: bool, metric: float) -> None:
        self._decay_to(t)
        if self._t - self._arrays_t > LAZY_DECAY:
            self._arrays()
        scale = self._owed()
        pc = pitch % 12
        self._hist[pc] += w * (self.bass_weight if bass else 1.0) * scale
        if bass:
            self._bass[pc] += w * metric * scale   # a bass note on a downbeat counts most
        self.total += w

    def _owed(self) -> float:
        """The arrays are decayed to `_arrays_t` (lazily): a value added now is scaled up by the decay they owe
        since, so that it stands at its weight once they are brought to `_t`."""
        ahead = self._t - self._arrays_t
        return 2.0 ** (ahead / self.half_life) if ahead > 0 else 1.0

    def _values(self) -> np.ndarray:
        """The score of each of the 84 keys (index = 7 x collection + degree; see `scores`)."""
        # Profile rows are centred, so rows @ (hist - mean) = rows @ hist: one product gives every key's
        # profile term and every collection's share; only the norm needs the centred histogram.
        self._arrays()
        hist = self._hist
        mass = float(_add(hist))
        both = self._stack @ hist
        spread = float(hist @ hist) - mass * mass / 12
        values = both[:84] * (1.0 / math.sqrt(spread) if spread > 0 else 1.0)
        if mass > 0:
            values += both[84:] * (SCALE_WEIGHT / mass)
        values += _ALL_CONST
        bass_total = float(_add(self._bass))
        # A lone low note is no bass line: the bass evidence, and the chords' with it, weigh in by its mass.
        bass_line = min(1.0, bass_total / BASS_MASS)
        if bass_total > 0:
            values += self._bass[_ALL_TONICS] * (BASS_WEIGHT * bass_line / bass_total)
        lack = OPENING_BASS / (OPENING_BASS + bass_total)   # the opening's and the finals' bonus: little bass
        values += _LINE_PRIORS * lack
        if self._open_row is not None:
            age = max(0.0, self._t - self._open_t)
            values += self._open_row * (OPENING_WEIGHT * lack * 0.5 ** (age / OPENING_HALF_LIFE))
        finals = float(_add(self._finals))
        if finals > 0:
            values += _FINAL_ROWS @ self._finals * (FINAL_WEIGHT * lack / finals)
        leaps = float(_add(self._leaps))
        if leaps > 0:
            values += self._leaps[_ALL_TONICS] * (LEAP_WEIGHT * lack / max(leaps, LEAP_MASS))
        # The chord sounding now counts for the time it has outlasted every chord left (their decayed seconds): a
        # one-chord vamp (funk's E9 chop for a minute, review29's funk_scratch_95) is its tonic's chord though it is
        # never left. A loop's chords count as they are left (counted as they sound, an I-II-iii-II loop's II turned
        # the key to II's for a bar: sim3's Eb lydian s23). Only once two of its notes sounded at once: over a
        # single-note line the label is a guess from the notes gone by.
        together = self._together is not None and self._together[1] >= self._root_t
        now = self._t - self._root_t if self._root is not None and together else 0.0
        if now:
            now = max(0.0, now - float(self._roots.max()))
        held = float(_add(self._roots)) + now
        if held > 0:
            weight = (ROOT_WEIGHT + ROOT_BASS_WEIGHT * bass_line) / held
            values += self._roots[_ALL_TONICS] * weight
            if now > 0:
                values[_KEYS_ON[self._root]] += now * weight
        phrase = self._phrase_root()
        if phrase is not None:
            root, returns = phrase            # the bonus goes to where the loop resolves, not where it starts
            values[_KEYS_ON[self._resolution(root)]] += PHRASE_WEIGHT * bass_line * min(1.0, returns / PHRASE_RETURNS)
        values += self._sixth(hist)
        return values

    @staticmethod
    def _sixth(hist: np.ndarray) -> np.ndarray:
        """84: each dorian and aeolian key's cost for the sixth its twin on the same tonic has and it has not, heard
        more than its own: `SIXTH_WEIGHT` x the sixths' balance ((major - minor) / both, in full from `SIXTH_MASS`
        of evidence on them) against it; 0 for the other modes. The sixth is what a musician hears tell the two
        apart; by its share of all the evidence it hardly counts where power chords (root and fifth) sound most of
        the notes: review32's D dorian in D5 C5 G5, its B only in a lick every fourth bar (1.5 of 126), was heard D
        minor and the dombra played Bb against the B. A cost, not a bonus: it chooses the mode, never the tonic
        (a bonus on dorian turned two dev solo melodies, nottingham-ashover42 and pop909-009, to another tonic)."""
        major, minor = hist[_SIXTHS[:, 0]], hist[_SIXTHS[:, 1]]
        balance = _SIXTH_SIDE * (major - minor) / np.maximum(major + minor, SIXTH_MASS)
        return SIXTH_WEIGHT * np.minimum(balance, 0.0)

    def scores(self) -> tuple[int, list[tuple[float, int, str]]]:
        """The best collection (its major tonic) and the (score, tonic, mode) of the best keys, best first.

        Every key of every collection is scored: profile correlation + bass share of its tonic + mode prior
        + `SCALE_WEIGHT` x (the share of the evidence inside its collection - 1), so the scale still comes
        first when the evidence is clear, and the profiles break ties while it is thin."""
        values = self._values()
        top = np.argsort(values)[::-1][:KEEP]
        ranked = [(float(values[i]), int(_ALL_TONICS[i]), _MODE_NAMES[i % 7]) for i in top]
        return int(top[0]) // 7, ranked

    def update(self, t: float) -> None:
        """Re-score with the evidence up to t. A piece after a long silence (`_piece`) keeps the key of the one
        before until its evidence reaches `NEW_PIECE_MASS`, at confidence 0 while its own notes say another key:
        a tuning pluck or two after a song name no key (an open E string alone scored E major), and a song
        played again is in its key at once (at confidence 0 the band came back a bar later: sim2 `twice_*`).
        A mixolydian key is then named (`written`) from the evidence (`blues_named`)."""
        before = self.key
        self._estimate(t)
        if self._new_piece and before is not None:
            if self.total >= NEW_PIECE_MASS:
                self._new_piece = False
            else:       # (the key held, and its name: a tuning pluck's A is no blues's leading tone in B-flat)
                if self.key != before:
                    (self.tonic, self.mode), self.confidence = before, 0.0
                return
        if self.key != before:
            self._blues = False
        if self.mode == "mixolydian":
            self._arrays()
            self._blues = blues_named(self._hist, self.tonic, self._blues)

    @property
    def written(self) -> tuple[int, str] | None:
        """(tonic pitch class 0..11, mode) as a lead sheet writes the key: `key`, but a blues (a mixolydian key
        whose leading tone sounds beside its minor seventh: `blues_named`) in major. The band and the chord
        tracker play by `key`, the scale heard: a blues's I7 and IV7 keep their minor sevenths."""
        if self.tonic is None:
            return None
        return (self.tonic, "major") if self._blues and self.mode == "mixolydian" else (self.tonic, self.mode)

    def name(self, tonic: int, mode: str) -> tuple[int, str]:
        """The key (tonic pitch class 0..11, mode) as a lead sheet writes it over the evidence now, heard once (no
        name before it: offline, the whole piece): a blues (`blues_named`) in major."""
        self._arrays()
        return (tonic, "major") if mode == "mixolydian" and blues_named(self._hist, tonic) else (tonic, mode)

    def _estimate(self, t: float) -> None:
        self._decay_to(t)
        if self.total <= 0:
            return
        if self.model == "hmm":
            self._forward(t)
            return
        _, ranked = self.scores()
        if self.tonic is not None:
            # The tonal centre is stickier than the mode: E major turning E mixolydian keeps its tonic.
            ranked = sorted(((s + (TONIC_STICKINESS if t == self.tonic else 0.0), t, m) for s, t, m in ranked),
                            reverse=True)
        best_score, tonic, mode = ranked[0]
        if self.tonic is None:
            self.tonic, self.mode = tonic, mode
        elif (tonic, mode) != (self.tonic, self.mode) and best_score > self._score_of(ranked) + self.margin:
            if self._challenger != (tonic, mode):
                self._challenger, self._challenger_since = (tonic, mode), t
            elif t - self._challenger_since >= self.hold * min(1.0, self.confidence + 0.2):
                self.tonic, self.mode = tonic, mode
                self._challenger = None
        else:
            self._challenger = None
        lead = best_score - ranked[1][0]
        current = self._score_of(ranked)
        self.confidence = (min(1.0, max(0.0, current)) * min(1.0, max(0.0, 0.5 + 3 * lead))
                           * min(1.0, self.total / 8.0))

    def _forward(self, t: float) -> None:
        """One step of the sticky forward filter over the 84 keys: the belief is carried over (each key stays
        with `HMM_STAY` per second of time elapsed; what moves goes to another mode on the same tonic with
        share `HMM_TONIC`, anywhere otherwise), then weighted by exp(beta x score x seconds elapsed): the
        histogram already holds the past, so a score counts by the time it stood, not by how often it was read."""
        evidence = self._values()
        belief = self._belief
        if belief is None:
            belief = np.full(84, 1.0 / 84)
            dt = 1.0
        else:
            dt = max(0.0, t - self._belief_t)
            stay = HMM_STAY ** dt
            moving = 1.0 - stay
            spread = moving / 84
            if HMM_TONIC:
                same_tonic = np.bincount(_ALL_TONICS, belief, 12)[_ALL_TONICS] - belief
                belief = stay * belief + moving * HMM_TONIC * same_tonic / 6 + spread * (1 - HMM_TONIC)
            else:
                belief *= stay
                belief += spread
        # Thin evidence weighs less: the first strums' guess stays easy to overturn.
        beta = HMM_BETA * min(1.0, self.total / HMM_MASS) if HMM_MASS else HMM_BETA
        evidence -= evidence.max()            # in place: exp(beta x dt x (score - best score))
        evidence *= beta * dt
        np.exp(evidence, out=evidence)
        belief *= evidence
        belief *= 1.0 / _add(belief)
        self._belief, self._belief_t = belief, t
        best = int(belief.argmax())
        if self.tonic is not None:
            # Two keys nearly tied in belief must not flap: the current one holds until another is
            # `HMM_SWITCH` times as believed.
            current = _key_index(self.tonic, self.mode)
            if belief[best] < HMM_SWITCH * belief[current]:
                best = current
        self.tonic, self.mode = int(_ALL_TONICS[best]), _MODE_NAMES[best % 7]
        self.confidence = float(belief[best]) * min(1.0, self.total / 8.0)

    def _score_of(self, ranked: list[tuple[float, int, str]]) -> float:
        """The current key's score; a key outside the best collection counts as well behind."""
        return next((s for s, t, m in ranked if (t, m) == (self.tonic, self.mode)), ranked[0][0] - 0.2)

    @property
    def key(self) -> tuple[int, str] | None:
        """(tonic pitch class 0..11, mode) as last estimated by `update`; None before an `update` with evidence."""
        return None if self.tonic is None else (self.tonic, self.mode)
