"""Chord tracking: the chord sounding now, as a Harte label, decided at each strum and held when unsure.

Evidence is a pitch-class vector: the notes ringing now (velocity-weighted) plus a decaying memory (0.8 s) of
recent onsets (so arpeggios and picked patterns still add up to their chord); notes from C5 up count half
(up there they are more often melody than chord tones). Each of 12 roots x 10 qualities (the 9 of
QUALITIES and a dominant ninth, reported as a seventh) is scored by how much of the evidence its tones cover
minus what falls outside, with a bonus when the bass is the root (or at least a chord tone; a slash chord is
its triad: no root bonus goes to a chord lacking a tone while a major triad sounds in full over its third or
fifth, or a minor one over its fifth, so G/B is G and not Bm; judged by the notes ringing), a bonus for
chords of the current key, a cost for every quality but major and minor, and a bonus for the chord already
playing: a new chord must win clearly, or the last one is held.

The costs carry the prior that most harmony is a major or minor triad: melody and passing notes readily add
a seventh, a second or a fourth to the evidence, so a seventh chord must have its seventh clearly louder
than the passing notes, and sus2, sus4 and dim must lack the third by a wide margin (a wrong sus against a
major or minor chord also loses the triad's quality to the listener, and to mir_eval's majmin score).
Power chords are what a guitarist plays most without a third (E5: E B E): when the root and the fifth sound
and neither third does, and little else sounds (a sixth, seventh or ninth without the third is a jazz
voicing), the label is `X:5` (Harte; mir_eval reads it as root + fifth) and every chord that
would add a third to it loses (`_power`); on a fresh bass note this is judged by the notes ringing, not by
what was played before it. Against a lead sheet, which writes E for E5, this costs majmin (bench/README.md).
But a root and fifth among chords the player voices with their thirds is an incomplete triad: in a settled
key it is the key's triad on that degree (TRIAD_MEMORY; a riff of power chords alone stays `X:5`; a shuffle's
5-6 figure over a root names the triad as a third would, `_figure`), and under
a chord the song has voiced with its third, on that chord's root, it is that chord (`_held_triad`: Em's bass
and fifth alone after Em was strummed).
A bass struck alone (boom-chick's boom, a thumb's bass) tells no chord, and is often the new chord's fifth:
there the song's own history decides (`ChordTracker._chick`, CHICK_WITHIN); a walking line's step above the
bar's bass is no new bass (LINE_BAR; a fourth above it is the next chord's root), its sixth names no minor chord
on it (`_coloured`), and a bass struck again alone over the chord it carried is no new chord; nor is an
alternating bass's fifth under the chord its root began, struck alone or under the chord's own tones (`_alternates`).
A diminished triad is reported as the dominant seventh it is the top of (C# E G: A7 without its root).
A strum is decided once it can grow no more (the strum window, 60 ms after its first note), but the band
hears the change from its first notes: once two or more hold a new chord's root and fifth (a downstroke's
low strings come first) the chord is shown at once (`ChordTracker.early`); a strum repeating the chord shown
is no change, and the whole strum's decision is taken as if nothing had been shown.
Templates after Fujishima 1999 (pitch-class profiles); what the costs gained is in bench/README.md (history).
"""

from __future__ import annotations

import numpy as np

from engine.listen.guitar import GuitarConfig
from engine.theory import pitch_class, scale_pcs, spell_in_key

# ndarray.sum is np.add.reduce behind a Python wrapper: the same sum, without the wrapper's call (a few a strum)
_add = np.add.reduce

QUALITIES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "5": (0, 7), "dim": (0, 3, 6),
}
# Templates heard but reported as a quality above (the band and the display know those): funk and jazz
# comping's dominant ninth (E9: E G# B D F#, often without its root or fifth), reported as the seventh chord.
# (Sixths and half-diminished sevenths were tried too: no gain, and G#m7b5 stole the rootless E9.)
EXTENDED = {"9": (0, 2, 4, 7, 10)}
REPORTED = {"9": "7", "dim": "7"}
# ... and a diminished triad is reported as the dominant seventh it is the top of, a major third below its root
# (the leading-tone triad is a dominant seventh without its root: C# E G is A7 without its A, the rootless A7
# of a blues's chick over its walking bass's C#; sim4 blues A-major s23 read it C#:min, 0.19 of the take).
REPORTED_ROOT = {"dim": 8}    # semitones up from the template's root to the reported chord's
# The tones that make an extended chord what it is (above its root): as far as one is missing it loses
# DEFINING (a melody's passing D does not make a C major a C9).
DEFINES = {"9": (2, 10)}
DEFINING = 0.3
# Richer or rarer chords must earn their extra tone (or the missing third), in units of evidence share.
QUALITY_COST = {"maj": 0.0, "min": 0.0, "7": 0.2, "maj7": 0.2, "min7": 0.2, "sus2": 0.4, "sus4": 0.4,
                "5": 0.4, "dim": 0.4, "9": 0.3}
NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def _templates() -> tuple[np.ndarray, list[tuple[int, str]]]:
    rows, labels = [], []
    for quality, tones in {**QUALITIES, **EXTENDED}.items():
        for root in range(12):
            row = np.zeros(12)
            row[[(root + t) % 12 for t in tones]] = 1.0
            rows.append(row)
            labels.append((root, quality))
    return np.array(rows), labels


_T, _LABELS = _templates()
# The power chord's cost is paid only as far as a third sounds (`_power`); the others' always.
_COST = np.array([0.0 if q == "5" else QUALITY_COST[q] for _, q in _LABELS])
_ROOTS = np.array([r for r, _ in _LABELS])
_INDEX = {label: i for i, label in enumerate(_LABELS)}
# per template, the chord it is reported as
_REPORT = [((r + REPORTED_ROOT.get(q, 0)) % 12, REPORTED.get(q, q)) for r, q in _LABELS]
# Per reported chord, the templates reported as it (the chord playing keeps its bonus through them all).
_AS = {label: np.array([i for i, rep in enumerate(_REPORT) if rep == label]) for label in set(_REPORT)}
# ... as Python ints: one or two rows each, set one by one (cheaper than a fancy index's get, add and set)
_AS_L = {label: rows.tolist() for label, rows in _AS.items()}
_DEFINES = np.array([[float(q in DEFINES and (pc - r) % 12 in DEFINES[q]) for pc in range(12)] for r, q in _LABELS])
_EXTENDED = np.flatnonzero(_DEFINES.any(axis=1))


def _rows(index: np.ndarray) -> slice | np.ndarray:
    """Template rows `index` (rising) as a slice when they are evenly spaced (a view: cheaper to index)."""
    steps = set(np.diff(index).tolist())
    return slice(int(index[0]), int(index[-1]) + 1, steps.pop()) if len(steps) == 1 else index


def _defining_pcs() -> np.ndarray:
    """Per extended template, its defining pitch classes (the first repeated up to the most any has: their
    max is the same)."""
    pcs = [np.flatnonzero(row).tolist() for row in _DEFINES[_EXTENDED]]
    most = max(map(len, pcs))
    return np.array([p + p[:1] * (most - len(p)) for p in pcs])


_DEFINING_PCS = _defining_pcs()
_EXTENDED_ROWS = _rows(_EXTENDED)
# Per bass pitch class: which templates have it as root, which have it as a tone.
_ROOT_ROWS = [_rows(np.flatnonzero(_ROOTS == b)) for b in range(12)]
_TONE_IS = np.array([(_T[:, b] > 0).astype(float) for b in range(12)])
_DIATONIC: dict[tuple[int, str], np.ndarray] = {}
REGISTER_BASS = 0.7  # a bass by the player's register alone (not under E3) is a less sure root: this much bonus
# (a high funk voicing's lowest note is often its third: G# D F# B is E9 without its root)
BASS_TONE = 0.05   # the bass is at least a chord tone
_BASS_TONE = BASS_TONE * _TONE_IS   # per bass pitch class, the bonus of each template
PRESENT = 0.08     # share of the evidence at which a chord tone counts as sounding (less: partly missing)
MELODY_PITCH = 72  # notes from C5 up are more often melody (licks, passing tones) than chord tones ...
MELODY_WEIGHT = 0.5  # ... so they count this much
LAZY_DECAY = 10.0   # s: a note is added to the onset memory scaled up by at most this much decay owed (`note_on`)
POWER_OTHER, POWER_SPAN = 0.15, 0.2   # a power chord: up to 0.15 of the evidence off root and fifth, none
# from 0.35 on (melody notes over a riff are some; the sixth, seventh or ninth of a chord without its third, more)
THIRD_NEEDED = 0.3  # what a chord loses that adds a third to a power chord sounding (root and fifth, no third)
# Per root pitch class: the templates holding one of its thirds (3 or 4 semitones above); the power chords.
_THIRD_OF = np.array([((_T[:, (r + 3) % 12] + _T[:, (r + 4) % 12]) > 0).astype(float) for r in range(12)])
_FIVE = np.array([_INDEX[(r, "5")] for r in range(12)])
_FIVE_L = _FIVE.tolist()
_FIVE_COST = np.zeros(len(_LABELS))
_FIVE_COST[_FIVE] = QUALITY_COST["5"]
_PCS = np.arange(12)
_FIFTH, _MINOR_THIRD, _MAJOR_THIRD = (_PCS + 7) % 12, (_PCS + 3) % 12, (_PCS + 4) % 12   # above each root
_FIFTH_L, _MINOR_THIRD_L, _MAJOR_THIRD_L = _FIFTH.tolist(), _MINOR_THIRD.tolist(), _MAJOR_THIRD.tolist()
# Per bass pitch class: the triads that are a slash chord over it (major over its third or fifth, minor over
# its fifth).
# And a diminished triad over its root is the rootless dominant seventh over its third (A7/C#: C# E G over C#),
# whose bass no chord lacking a tone takes for its root (C# E G over C# is no C#m without its G#).
_SLASH = [np.array([i for i, (r, q) in enumerate(_LABELS)
                    if (q == "maj" and (b - r) % 12 in (4, 7)) or (q == "min" and (b - r) % 12 == 7)
                    or (q == "dim" and r == b)])
          for b in range(12)]
# A bare fifth among chords with thirds is an incomplete triad, not a power chord: while the player has
# voiced a chord with its third within the last TRIAD_MEMORY s and the key is more than a first guess
# (confidence KEY_SURE or more: a relative major and minor, whose triads are the same, share the belief, and
# GuitarSet BN2 wavers between them; 0.1-0.25 measured alike, 0.4-0.5 lower), a root and fifth on a degree
# whose triad the key names is that triad (GuitarSet's bossa nova: Ab Eb under G#m, C# G# under C#m, between
# B, E and F# triads). A power-chord riff (no third anywhere) stays `X:5`; so does the fifth degree of a
# minor key (its third is the minor scale's or the raised leading tone: D#7 in G# minor).
TRIAD_MEMORY = 12.0   # s: a phrase (BN2 goes 6 s between its triads; 4 s measured lower, 8-16 s alike)
# A shuffle's figure names the triad as a third would: root and fifth, then root and sixth (or flat seventh)
# over the same bass (C G, C A, C Bb: the blues and boogie left hand, Chuck Berry's rhythm part) is that root's
# chord, never voiced with its third; a lead sheet writes C7 (sim4's 12/8 blues and boogie dyads read C:5 on
# every beat with the fifth, and flipped C:5 / C:maj each beat). Heard within TRIAD_MEMORY s, it counts as a
# chord voiced with its third (`_figure`).
_SIXTH_L, _FLAT_SEVENTH_L = ((_PCS + 9) % 12).tolist(), ((_PCS + 10) % 12).tolist()
KEY_SURE = 0.25
_KEY_TRIAD: dict[tuple[int, str], np.ndarray] = {}
# Boom-chick and a thumb's bass: a bass note struck alone opens a chord span, and the chord is heard only with
# the chick after it; alone it is often the new chord's fifth (a voicing's lowest string, an alternating bass)
# and the chord rooted on it is wrong. The song says what it means: the chord the chick brought the last times
# this bass pitch was struck alone under a chord on the same root (`ChordTracker._chick`) is taken at the bass.
CHICK_WITHIN = 1.2    # s: the strum after a lone bass within this is its chick (a beat at 50 BPM)
_STRUM = GuitarConfig.strum_window   # s: a note this near another is struck with it (not alone)
CHICK_NOTES = 3       # the chick is a chord: a fingerpicked pattern's next single note tells no chord
# A strum's first notes name its chord once they hold its root and fifth (the diminished fifth of dim): a root
# and a third alone may be a slash chord's bass and root (B D of G/B) or a sixth chord (C E of Am/C).
_NAMED = [(1 << r) | (1 << (r + (6 if q == "dim" else 7)) % 12) for r, q in _LABELS]
_TONE_BITS = {(r, q): sum(1 << (r + i) % 12 for i in tones) for r in range(12) for q, tones in QUALITIES.items()}
# ... and every other tone of it but the third is struck too: a seventh or sus tone may be the chord before's
# still ringing (Em's G and D under A E read A7 until the strum, its C, said Am; review17: on 7 converter-set-b
# takes 20 of 22 early labels that the strum replaced within 0.15 s were such sevenths and sus chords).
_UNSTRUCK = [_TONE_BITS[rep] & ~(1 << (rep[0] + 3) % 12 | 1 << (rep[0] + 4) % 12) for rep in _REPORT]
# ... and never as a power chord while the song voices its chords with thirds (within TRIAD_MEMORY s): a
# downstroke's low strings give any triad's root and fifth before its third (review19: Em to Am at 96 BPM,
# the key still a first guess, showed A5 for 20 ms before the strum's C said Am); the strum's end decides.
# A walking bass: single notes stepping up through the chord's tones from the bar's first bass (the boogie's
# A2 C#3 E3 F#3 G3 under A7) are one chord, its root the bar's bass; each low step read as a new bass made a
# new root (sim4's boogie walk: C#:min at its C#3, majmin 0.39). A bass note struck alone after a single note,
# off the downbeat but within LINE_BAR s of it, above the bass, is a step of the line: the bar's bass holds
# (`ChordTracker._line_step`). Holding the chord itself through a line's steps was tried: fingerpicked bars
# change chords within them (sim2 fingerpick 3-4 E-major 0.85 -> 0.74), not kept.
LINE_BAR = 4.0        # s: a bar of 4/4 at 60 BPM
# ... but a bass a fourth above the bar's is the next chord's root (V to I, I to IV), not a step: the boogie's A2
# after its E7 walk (E2 G#2 B2 C#3 D3, the listener counting the 12/8 bar as two of 6/8) held the E and read the A
# bar F#m7 and Em (sim4 boogie A-major s04). A line's other steps stay steps, chromatic ones too (GuitarSet BN1's
# and Rock3's semitone steps, Funk3's leading tone: keeping only the chord's tones cost BN1 0.890 -> 0.879).
NEXT_ROOT = 5         # semitones above the bar's bass
# A bass struck again alone (its pitch the last bass struck's, within CHICK_WITHIN s, off the downbeat, and
# no single note struck between: a line's step or a melody note may have moved the label) names no new
# chord: the chord playing holds (a slow blues's walk A2 A2 C#3 C#3 under A7: the second C#3, its chick's notes
# let go, read C#:min, sim4 blues A-major s23). On a downbeat the bar's bass decides as any bass does.
# A walking bass's sixth over the bar's root is the boogie's colour, not a new chord: A2 C#3 E3 F#3 G3 under A7
# (A C# E F# is F#m7's notes, A6's sound), D3 F#3 A3 B3 C4 under D7, a slow blues's chick B3 C4 F#4 over its walk's
# D3 (sim4 boogie A-major s04 read F#:min7 and B:min7 at each sixth, 0.37 of the take; blues s23 B:min). While the
# last low bass (under E3) was struck before this strum (0.3 s or more: not with it) and within LINE_BAR s, and
# the chord playing is its major or seventh chord, a minor triad or seventh a major sixth above it holds that
# chord (`ChordTracker._coloured`; the bass need not ring: the D7 walk's F#3 A3 B3 are no basses). A strum with its
# own new bass (Am over an A2) is untouched; so is a minor chord over a register bass (reggae's F#m chop A3 C#4
# F#4: no low bass), which a sixth template, tried in session 28, read A6.
# An alternating bass: root, then fifth (above or below) under one chord, as boom-chick, bluegrass, polka and
# waltz guitar play it and a jazz comper's two-feel under shell voicings (Bbmaj7: Bb2 then F2 under D3 A3). A
# listener hears one chord, its root the first bass; the fifth read as its own root made a chord on it (F:maj for
# Bbmaj7, C:min for F7: key30's turnaround takes heard the V's mixolydian from 7-10 s). So a fresh bass a fifth
# from the last bass struck (within LINE_BAR s), that bass the root of the chord playing, with nothing but that
# chord's tones struck above it, holds the chord (`ChordTracker._alternates`); a lone one still takes what the
# song's chicks said after it (`_chick`). The V chord's own strum (G B D after C) has a tone outside: it changes.
# A lone fifth on a downbeat decides as any bass does: it may be the V's root (guitar_sim's progressions: G2 alone
# after C's C3 held C a beat into the G bar).
EARLY_NOTES = 2       # notes of a strum that may name its chord before the strum is over (`ChordTracker.early`)


def note_weight(pitch: int) -> float:
    """How much a note counts as chord evidence: melody-register notes less."""
    return MELODY_WEIGHT if pitch >= MELODY_PITCH else 1.0


def _diatonic(key: tuple[int, str]) -> np.ndarray:
    """0.06 per template with all its tones in the key's scale (a minor key's V and V7 too), else 0 (cached per
    key)."""
    if key not in _DIATONIC:
        scale = scale_pcs(*key)
        tones = {**QUALITIES, **EXTENDED}
        # A minor key's dominant is major as often (harmonic minor's raised leading tone): V and V7 are its own too
        # (a habanera's lone D3 after Gm read D:min by this bonus where the song plays D7: sim4 G-minor s06)
        dominant = (key[0] + 7) % 12 if key[1] == "minor" else None
        _DIATONIC[key] = 0.06 * np.array([all((r + t) % 12 in scale for t in tones[q])
                                          or (r == dominant and q in ("maj", "7")) for r, q in _LABELS], float)
    return _DIATONIC[key]


def _key_triad(key: tuple[int, str]) -> np.ndarray:
    """Per root pitch class, 1.0 where the key's scale holds its perfect fifth and so names its third (a
    diatonic scale holds one of the two), but not on a minor key's fifth degree (see TRIAD_MEMORY)."""
    if key not in _KEY_TRIAD:
        scale = scale_pcs(*key)
        named = [r in scale and (r + 7) % 12 in scale and not (key[1] == "minor" and r == (key[0] + 7) % 12)
                 for r in range(12)]
        _KEY_TRIAD[key] = np.array(named, float)
    return _KEY_TRIAD[key]


def harte(root: int, quality: str) -> str:
    """The chord label in Harte's syntax (Harte et al., ISMIR 2005, as mir_eval reads it): the root pitch class
    (0..11) spelled from NAMES, a colon, the quality (a key of QUALITIES).

    >>> harte(10, "min7")
    'Bb:min7'
    """
    return f"{NAMES[root]}:{quality}"


def _absent(share: np.ndarray) -> np.ndarray:
    """How far each pitch class is from sounding, from its share of the evidence: 0 at PRESENT or more, 1 at 0."""
    out = share * (-1.0 / PRESENT)     # 1 - share / PRESENT, in place: the same floats as written out
    out += 1.0
    return np.maximum(out, 0.0, out=out)


def _power(absent: np.ndarray, share: np.ndarray, triad: np.ndarray | None = None) -> np.ndarray:
    """Per template, the score it loses for how far the evidence is a power chord (root and fifth sounding,
    neither third; `absent` per pitch class, 0 sounding .. 1 no evidence, from `_absent`): a chord holding a
    third of such a root loses up to THIRD_NEEDED (the guitarist's E5 is no E major or minor, and with the
    last chord's E still in mind no E minor under G5: no third is invented), and the `5` chord pays its
    QUALITY_COST only as far as a third or its fifth is missing (a lone bass note or a triad stays a triad).
    A power chord is the root and the fifth alone (`share` per pitch class, summing to 1): as far as other
    tones take more than POWER_OTHER of the evidence, it is none (Eb Bb D F is an Eb major seventh without
    its third, a bossa-nova voicing, not an Eb5). `triad` (per root, 0..1): how far a bare fifth on that root
    is an incomplete triad instead (see TRIAD_MEMORY); none of the rule applies there. The array returned is
    read only (with no power chord, the shared `_FIVE_COST`)."""
    # In plain Python over the roots sounding: a root is a power chord only where its fifth sounds too and
    # neither third does, mostly none, so most are passed over at once (a dozen numpy calls on 12-vectors cost
    # more). Each term is worked out as the arrays did, in the same order: the same floats.
    a = absent.tolist()
    found = []                                 # (root, how far it is a power chord), the roots in order
    for r in [r for r, x in enumerate(a) if x < 1.0]:
        af, minor, major = a[_FIFTH_L[r]], a[_MINOR_THIRD_L[r]], a[_MAJOR_THIRD_L[r]]
        if af >= 1.0 or minor <= 0.0 or major <= 0.0:
            continue                           # no fifth, or a third sounds
        other = 1.0 - share[r] - share[_FIFTH_L[r]]
        pure = min(1.0, max(0.0, 1.0 - (other - POWER_OTHER) * (1.0 / POWER_SPAN)))
        power = pure * (1.0 - a[r]) * (1.0 - af) * min(minor, major)
        if triad is not None:
            power *= 1.0 - triad[r]
        if power:
            found.append((r, power))
    if not found:
        return _FIVE_COST                      # (the usual case: read only, so no copy)
    out = _FIVE_COST.copy()
    third = None                               # per template, the most it holds a third of a power root
    for r, power in found:
        row = power * _THIRD_OF[r]
        third = row if third is None else np.maximum(third, row, out=third)
    out += THIRD_NEEDED * third
    for r, power in found:
        out[_FIVE_L[r]] -= QUALITY_COST["5"] * power
    return out


class ChordTracker:
    """Labels the chord sounding now from the guitar's confirmed notes, holding the last one unless a new one
    wins clearly (see the module docstring); times in seconds. `memory`: half-life of the onset memory (s);
    `stay`: score bonus of the chord already playing; `min_energy`: evidence below which the last chord is held
    (below 0.05 it becomes 'N'); `outside`: how much evidence outside a chord's tones counts against it;
    `bass_fresh`, `bass_held`: the bonus when a fresh (< 0.3 s) or a held (still ringing) bass note is the
    root.
    `current` is (root pitch class 0..11, quality) or None, `confidence` 0..1."""

    def __init__(self, memory: float = 0.8, stay: float = 0.12, min_energy: float = 0.3, outside: float = 0.3,
                 bass_fresh: float = 0.5, bass_held: float = 0.3):
        self.memory = memory          # s, half-life of the onset memory
        self.stay = stay              # score bonus of the chord already playing
        self.min_energy = min_energy  # below this much evidence: no chord ('N') after a while
        # outside: how much the evidence outside a chord's tones counts against it, per unit of share (low:
        # melody notes over a held chord are common); bass_*: the bonus of a fresh (< 0.3 s) or a held bass
        # note as the root.
        self._tw = (1 + outside) * _T
        self._cost = outside + _COST
        self._bass_fresh = bass_fresh
        self._bass_held = bass_held
        self._recent = np.zeros(12)
        self._t = 0.0
        self._bass: int | None = None
        self._bass_t = -1.0
        self._bass_pitch = -1
        self._bass_low = True
        self.current: tuple[int, str] | None = None
        self.confidence = 0.0
        self._third_t = -np.inf       # s, when a chord last rang with its third (TRIAD_MEMORY), or a shuffle's
        # figure was heard (`_figure`) ...
        self._voiced: set[tuple[int, str]] = set()    # the chords rung with their thirds so far (`_held_triad`)
        # The song's lone basses: (root of the chord before it, bass pitch) -> {chord its chick brought: times};
        # the lone bass waiting for its chick as (root of the chord before it, bass pitch, time) or None.
        self._chicks: dict[tuple[int | None, int], dict[tuple[int, str], int]] = {}
        self._opened: tuple[int | None, int, float] | None = None
        self._lone = False            # the bass was struck alone, and nothing since
        self._restruck = False        # the bass is the last bass's pitch struck again off the downbeat (`decide`)
        self._fifth_of = -1           # the last bass's pitch class when this bass is its fifth (`_alternates`), else -1
        self._struck_bass = (-1, -np.inf)     # the last bass note struck, (MIDI pitch, s): a line's step too
        self._last_on = -np.inf       # s, the last onset
        self._bar_t = -np.inf         # s, the last bass note on a downbeat (`new_bar`)
        self._line_t = -np.inf        # s, the last line step above the bass (`_line_step`): the bass holds
        self._line_from: tuple | None = None   # the bass before a possible line step (`_line_step`)
        self._struck = 0              # notes struck together with the last one (within _STRUM of the first)
        self._struck_t = -np.inf      # s, the first of them
        self._strum_pcs = 0           # their pitch classes, as bits (1 << pc)
        self._guessed = False         # `current` is a lone bass's guess, and `_heard` the chord the ear heard
        self._heard: tuple[int, str] | None = None
        self._early = False           # `current` is an open strum's early label, and `_before` the chord before it
        self._before: tuple[int, str] | None = None

    def note_on(self, t: float, pitch: int, velocity: int, bass: bool, low: bool = True) -> None:
        """A confirmed onset at t (s) of MIDI `pitch`: adds velocity / 127 (half from C5 up, `note_weight`) to
        its pitch class in the onset memory; a `bass` note becomes the bass while it rings, a surer one if `low`
        (under E3, not only low in the player's register: GuitarConditioner's `bass` and `tonal_bass`)."""
        # The onset memory is decayed when read (`_decay`): the note is added scaled up by the decay owed since
        # (a scalar instead of an array multiply per note; LAZY_DECAY bounds the scale).
        ahead = t - self._t
        if ahead > LAZY_DECAY:
            self._decay(t)
            ahead = 0.0
        scale = 2.0 ** (ahead / self.memory) if ahead > 0 else 1.0
        self._recent[pitch % 12] += velocity / 127 * note_weight(pitch) * scale
        if t - self._struck_t > _STRUM and self._struck == 1 and self._struck_t != self._struck_bass[1]:
            self._struck_bass = (-1, -np.inf)   # a single note since the bass: a line's, no longer its chord's
        if bass:
            # (a line's step is known only once no strum follows it: `decide` puts the bass back)
            step = self._line_step(t, pitch)
            self._line_from = (self._bass, self._bass_t, self._bass_pitch, self._bass_low) if step else None
            last, last_t = self._struck_bass
            self._restruck = pitch == last and t - last_t <= CHICK_WITHIN and t > self._bar_t
            # (a fifth struck again stays the fifth of the same root: R F F F, one chord a bar)
            near = last >= 0 and t - last_t <= LINE_BAR
            self._fifth_of = last % 12 if near and (pitch - last) % 12 == 7 else \
                self._fifth_of if near and pitch == last else -1
            self._struck_bass = (pitch, t)
            self._bass, self._bass_t, self._bass_pitch = pitch % 12, t, pitch
            self._bass_low = low
            self._lone = t - self._last_on > _STRUM
        else:
            self._lone = False
        self._last_on = t
        if t - self._struck_t > _STRUM:
            self._struck, self._struck_t, self._strum_pcs = 0, t, 0
        self._struck += 1
        self._strum_pcs |= 1 << pitch % 12

    def _line_step(self, t: float, pitch: int) -> bool:
        """Whether a bass note of MIDI `pitch` at t (s) may be a line's step above its bar's bass, no new root
        (if struck alone: `decide`): after a single note (within CHICK_WITHIN), off the downbeat (`new_bar`) but
        within LINE_BAR s of it, above the bass (a walking bass's 1 3 5 6 under one chord)."""
        return (t > self._bar_t and t - self._bar_t <= LINE_BAR and t - self._last_on > _STRUM
                and t - self._last_on <= CHICK_WITHIN and self._struck == 1 and pitch > self._bass_pitch
                and (pitch - self._bass_pitch) % 12 != NEXT_ROOT)

    def new_bar(self, t: float) -> None:
        """A bass note on a downbeat: harmony usually changes here, so the previous bar's onsets fade."""
        self._bar_t = t
        self._decay(t)
        self._recent *= 0.05

    def _decay(self, t: float) -> None:
        """The onset memory decayed from the time it was last decayed to t (s); every reader calls this first."""
        if t > self._t:
            self._recent *= 0.5 ** ((t - self._t) / self.memory)
            self._t = t

    def decide(self, t: float, sounding: list[tuple[int, float]], key: tuple[int, str] | None,
               key_confidence: float = 1.0) -> str:
        """The chord label at time t from the notes ringing ((pitch, onset) pairs) and recent onsets.
        A ringing note fades from the evidence as it ages: it more likely belongs to the previous chord.
        Whether a power chord sounds (root and fifth, no third) is judged by all of it, but on a fresh bass
        note by the notes ringing alone: what was played before the new bass belongs to the last chord (the B
        of an E5 let go does not make the G5 after it a G major). Among chords voiced with thirds, with the
        key sure (`key_confidence` 0..1 from KEY_SURE), a bare fifth is the key's triad (see TRIAD_MEMORY)."""
        if self._line_from is not None and self._struck == 1:    # a line's step, struck alone: the bass holds
            self._bass, self._bass_t, self._bass_pitch, self._bass_low = self._line_from
            self._line_t, self._lone = t, False
        self._line_from = None
        ringing, bass, fresh = self._evidence(t, sounding)
        lone = fresh and self._lone
        if self._early:               # an open strum's early label: the whole strum decides as if unshown
            self.current, self._early = self._before, False
        if self._guessed:             # a lone bass's guess is no chord heard: the ear decides as if unguessed
            if self.current is not None:          # (unless the chord went quiet since: Listener's hush)
                self.current = self._heard
            self._guessed = False
        before = self.current
        if lone and self._restruck and before is not None:     # the bass struck again alone: no new chord
            return self._chick(t, lone, before, self.label)
        if fresh and self._alternates(before):                 # an alternating bass's fifth: no new chord
            return self._chick(t, lone, before, self.label)
        chroma = self._recent + ringing
        self._figure(t, chroma, ringing, bass)
        label = self.label_chroma(chroma, bass, fresh, key, ringing if fresh else None, ringing,
                                  self._held_triad(self.triads(t, key, key_confidence)))
        if self._coloured(t, before, self.current):
            self.current, label = before, harte(*before)
        self.voiced(t, ringing, self.current)
        return self._chick(t, lone, before, label)

    def _evidence(self, t: float, sounding: list[tuple[int, float]]) -> tuple[np.ndarray, int | None, bool]:
        """The notes ringing at t (s) as 12 weights (fading as they age: an old note more likely belongs to the
        last chord), the bass pitch class (None when none holds) and whether it is fresh (struck < 0.3 s ago)."""
        self._decay(t)
        rings = [0.0] * 12           # summed in a list, then one array: cheaper than item by item
        memory = self.memory
        for p, start in sounding:    # (`note_weight` written out: no call per note)
            rings[p % 12] += 0.5 * (MELODY_WEIGHT if p >= MELODY_PITCH else 1.0) * 0.5 ** ((t - start) / memory)
        ringing = np.array(rings)
        fresh = t - self._bass_t < 0.3        # a new bass note is the strongest sign of a chord change
        # The bass holds while it rings: a short low note let go (a passing or walking bass note) is no root
        # for the chords after it, and a chord's bass held under a melody keeps the chord.
        # A line walking above it holds it too (`_line_step`).
        held = fresh or self._line_t > self._bass_t and t - self._line_t <= LINE_BAR or \
            any(p == self._bass_pitch and start >= self._bass_t for p, start in sounding)
        return ringing, self._bass if held else None, fresh

    def early(self, t: float, sounding: list[tuple[int, float]], key: tuple[int, str] | None,
              key_confidence: float = 1.0) -> str:
        """The label at t (s) while a strum is still open (its notes so far, `sounding` and key as for `decide`):
        the chord its first notes already name (EARLY_NOTES or more struck) when it wins clearly over the chord
        shown, else the chord shown. Shown at once (`current`); the strum's own decision (`decide`) is taken as
        if it had not been, so the first notes only move the label earlier, never the strum's decision."""
        if self._struck < EARLY_NOTES or self.current is None or not self._strum_pcs & ~_TONE_BITS[self.current]:
            return self.label       # (a strum repeating the chord shown, so far, is no change; nor the first)
        ringing, bass, fresh = self._evidence(t, sounding)
        chroma = self._recent + ringing
        energy = _add(chroma)
        if energy < self.min_energy:
            return self.label
        score = self._scores(chroma, energy, bass, fresh, key, ringing if fresh else None, ringing,
                             self.triads(t, key, key_confidence))
        for row in _AS_L[self.current]:
            score[row] += self.stay
        i = int(score.argmax())
        best = _REPORT[i]
        if best[1] == "5" and t - self._third_t <= TRIAD_MEMORY or self._coloured(t, self.current, best):
            return self.label       # (a triad's root and fifth, its third still to come; a walk's sixth)
        if best != self.current and self._strum_pcs & _NAMED[i] == _NAMED[i] and not _UNSTRUCK[i] & ~self._strum_pcs:
            if not self._early:
                self._early, self._before = True, self.current
            self.current = best
        return self.label

    def _coloured(self, t: float, playing: tuple[int, str] | None, heard: tuple[int, str] | None) -> bool:
        """Whether `heard` ((root, quality)) at t (s) is only the `playing` chord's sixth (a walk's colour): a
        minor triad or seventh a major sixth above the last low bass, struck before this strum (0.3 s or more) and
        within LINE_BAR s, the root of the major or seventh chord playing."""
        bass = self._bass
        return (heard is not None and playing is not None and bass is not None and self._bass_low
                and 0.3 <= t - self._bass_t <= LINE_BAR and heard[1] in ("min", "min7")
                and heard[0] == _SIXTH_L[bass] and playing[0] == bass and playing[1] in ("maj", "7", "maj7"))

    def _alternates(self, playing: tuple[int, str] | None) -> bool:
        """Whether the bass just struck is an alternating bass's fifth under the `playing` chord ((root, quality)):
        the last bass struck (within LINE_BAR s, `note_on`) was that chord's root, this one is its fifth
        (above or below), and what was struck with it is the chord's own tones; struck alone, off the downbeat (a
        lone bass on a downbeat may be the next chord's, the V's root: the bar's bass decides)."""
        if playing is None or self._fifth_of != playing[0] or playing not in _TONE_BITS:
            return False
        uppers = self._strum_pcs & ~(1 << self._bass)
        return not uppers & ~_TONE_BITS[playing] and (uppers > 0 or self._bass_t > self._bar_t)

    def _chick(self, t: float, lone: bool, before: tuple[int, str] | None, label: str) -> str:
        """The label at a strum at t (s) after the song's lone basses (CHICK_WITHIN): at a `lone` bass, the chord
        its chick brought most often after this bass pitch under a chord on the root of the chord `before` it (if
        any, else `label`, as heard); at the chick after a lone bass, what it brought is remembered. (Keyed on the
        root before, not the chord: a blues's A bar heard A:maj or A:7 leads to the same E7 bar; sim2 stops
        A-dorian 0.826 -> 0.835, sim3 stops A-phrygian 0.679 -> 0.704.)"""
        if lone:
            self._opened = (None if before is None else before[0], self._bass_pitch, t)
            seen = self._chicks.get(self._opened[:2])
            if seen:
                self._heard, self._guessed = self.current, True
                self.current = max(seen, key=seen.__getitem__)
                return self.label
        elif self._opened is not None:
            if t - self._opened[2] > CHICK_WITHIN:
                self._opened = None
            elif self._struck >= CHICK_NOTES and self.current is not None:
                seen = self._chicks.setdefault(self._opened[:2], {})
                seen[self.current] = seen.get(self.current, 0) + 1
                self._opened = None
        return label

    def _held_triad(self, triad: np.ndarray | None) -> np.ndarray | None:
        """`triad` (as from `triads`) with the root of the chord playing added when the song has voiced that chord
        with its root and third ringing together (`voiced`; a line's guessed chord seldom is): a root and fifth
        under a held E minor (its bass and fifth struck alone, a quiet passage's picked notes) is that E minor,
        its third heard before, not an E5."""
        held = self.current
        if held not in self._voiced:
            return triad
        out = np.zeros(12) if triad is None else triad.copy()
        out[held[0]] = 1.0
        return out

    def triads(self, t: float, key: tuple[int, str] | None, key_confidence: float) -> np.ndarray | None:
        """Per root pitch class, 1.0 where a bare fifth at t (s) is the key's triad and not a power chord: a
        chord rang with its third within TRIAD_MEMORY s (`voiced`) and the key is sure (`key_confidence` 0..1
        at least KEY_SURE); None where no bare fifth is (the argument `triad` of `scores`)."""
        if key is None or key_confidence < KEY_SURE or t - self._third_t > TRIAD_MEMORY:
            return None
        return _key_triad(key)

    def _figure(self, t: float, chroma: np.ndarray, ringing: np.ndarray, bass: int | None) -> None:
        """Notes the time t (s) as a chord voiced with its third (TRIAD_MEMORY) when a shuffle's figure sounds
        over the `bass` pitch class: the bass ringing with its sixth or flat seventh (`ringing`, 12 weights), and
        its fifth in `chroma` (12 weights: the onset memory and the notes ringing), each at PRESENT or more of
        its evidence. (A sixth only remembered is the chord before's: E5 then G5's E is no G6.)"""
        if bass is None:
            return
        # (most strums have neither ringing: passed over before any sum is taken)
        colour = max(ringing[_SIXTH_L[bass]], ringing[_FLAT_SEVENTH_L[bass]])
        if colour <= 0:
            return
        energy, rung = _add(chroma), _add(ringing)
        if energy <= 0 or rung <= 0:
            return
        floor = PRESENT * rung
        if ringing[bass] >= floor and colour >= floor and chroma[_FIFTH_L[bass]] >= PRESENT * energy:
            self._third_t = t

    def voiced(self, t: float, chroma: np.ndarray, chord: tuple[int, str] | None) -> None:
        """Notes the time t (s) if `chord` ((root, quality) or None), a triad or seventh, sounds with its root and
        third in `chroma` (12 weights: the notes ringing, or a beat's evidence)."""
        if chord is None or chord[1] not in ("maj", "min", "7", "maj7", "min7"):
            return
        energy = _add(chroma)
        if energy <= 0:
            return
        # the three shares read, each the float `chroma * (1.0 / energy)` holds, without the 12-vector
        r, scale = chord[0], 1.0 / energy
        if chroma[r] * scale >= PRESENT and max(chroma[(r + 3) % 12] * scale, chroma[(r + 4) % 12] * scale) >= PRESENT:
            self._third_t = t
            self._voiced.add(chord)

    def scores(self, chroma: np.ndarray, bass: int | None, fresh: bool, key: tuple[int, str] | None,
               triad: np.ndarray | None = None) -> np.ndarray:
        """Each template's score (in _LABELS order) for a pitch-class evidence vector with some energy; `triad`
        as from `triads`."""
        return self._scores(chroma, chroma.sum(), bass, fresh, key, triad=triad)

    def _scores(self, chroma: np.ndarray, energy: float, bass: int | None, fresh: bool,
                key: tuple[int, str] | None, ringing: np.ndarray | None = None,
                now: np.ndarray | None = None, triad: np.ndarray | None = None) -> np.ndarray:
        # inside - (1 - inside) * outside - cost, with inside = the share of the evidence in the template's tones
        share = chroma * (1.0 / energy)
        score = self._tw @ share
        score -= self._cost
        absent = _absent(share)
        # (the most absent defining tone of each: an absent value is >= 0, so the other tones' 0 never wins)
        score[_EXTENDED_ROWS] -= DEFINING * np.maximum.reduce(absent[_DEFINING_PCS], axis=1)
        rung = np.add.reduce(ringing) if ringing is not None else 0.0    # (ndarray.sum without its wrapper)
        if rung > 0:
            rung_share = ringing * (1.0 / rung)
            rung_absent = _absent(rung_share)
            score -= _power(rung_absent, rung_share, triad)
        else:
            score -= _power(absent, share, triad)
        if bass is not None:
            root = (self._bass_fresh if fresh else self._bass_held) * (1.0 if self._bass_low else REGISTER_BASS)
            # A slash chord is its triad: with a major triad sounding in full over its third or fifth (or a
            # minor one over its fifth), the bass is not the root of a chord lacking a tone: G/B is G, not
            # Bm without its F#. (A minor triad over its third stays a sixth chord of the bass: Fm/Ab = Ab6.)
            # Judged by the notes ringing `now` if given: the last chord's tones in the onset memory do not
            # complete the bass's own triad (A C E then D F# A C over a held A is D, not Am).
            rings = rung if now is ringing else np.add.reduce(now) if now is not None else 0.0
            if rings <= 0:
                missing = _T @ absent
            elif now is ringing:
                missing = _T @ rung_absent
            else:
                missing = _T @ _absent(now * (1.0 / rings))
            # the largest of 1 - missing over the slash triads, within 0..1
            slash = min(1.0, max(0.0, 1.0 - min(missing[_SLASH[bass]].tolist())))
            rows = _ROOT_ROWS[bass]             # the templates with the bass as root
            if slash:
                score[rows] += root * (1.0 - slash * np.minimum(1.0, missing[rows]))
            else:                               # (no slash triad sounds, the usual case: 1 - 0 x m is 1 exactly)
                score[rows] += root
            score += _BASS_TONE[bass]
        if key is not None:
            score += _diatonic(key)
        return score

    def label_chroma(self, chroma: np.ndarray, bass: int | None, fresh: bool, key: tuple[int, str] | None,
                     ringing: np.ndarray | None = None, now: np.ndarray | None = None,
                     triad: np.ndarray | None = None) -> str:
        """Label a pitch-class evidence vector (12 weights) with its bass pitch class, if any; `ringing` (12
        weights: the part of it still sounding) is what a power chord is judged by, if given (see `decide`);
        `now` (12 weights: the notes ringing) what a slash chord is judged by, if given; `triad` (per root
        0..1) how far a bare fifth there is the key's triad (`_power`). A template outside
        QUALITIES is reported as its REPORTED quality."""
        energy = _add(chroma)
        if energy < self.min_energy:
            if energy < 0.05:
                self.current = None
            return self.label
        score = self._scores(chroma, energy, bass, fresh, key, ringing, now, triad)
        if self.current is not None:
            for row in _AS_L[self.current]:
                score[row] += self.stay
        best = int(score.argmax())
        top = float(score[best])
        for row in _AS_L[_REPORT[best]]:
            score[row] = -np.inf                 # the margin over another chord, not over another name of it
        self.confidence = min(1.0, max(0.0, (top - float(score.max())) * 4 + 0.3))
        self.current = _REPORT[best]
        return self.label

    @property
    def label(self) -> str:
        """The current chord as a Harte label ('D:min'), 'N' for no chord."""
        return "N" if self.current is None else harte(*self.current)


class ChordFilter:
    """A causal forward filter over the chord labels, one step per beat (an HMM): a chord stays with
    probability `stay` and otherwise moves to any label alike; a beat's template scores, times `sharpness`,
    are its log-likelihoods. Evidence adds up over beats, so one beat of passing notes does not flip the
    label, while a change that persists wins within a beat or two (measured against a per-beat argmax in
    bench/README.md, history)."""

    def __init__(self, stay: float = 0.8, sharpness: float = 20.0):
        self._log_stay = float(np.log(stay))
        self._log_move = float(np.log((1 - stay) / len(_LABELS)))
        self.sharpness = sharpness
        self._f = np.zeros(len(_LABELS))    # log posterior up to a constant
        self.current: tuple[int, str] = _REPORT[0]   # the label of the last step, as (root, quality)

    def step(self, scores: np.ndarray, weight: float = 1.0) -> str:
        """The label after one more beat with these template scores (ChordTracker.scores); `weight` (0-1)
        scales how much the beat's evidence counts (a beat of a few soft notes should not flip the label)."""
        f = self._f
        move = self._log_move + f.max() + np.log(np.exp(f - f.max()).sum())
        f = np.logaddexp(f + self._log_stay, move) + self.sharpness * weight * scores
        f -= f.max()
        self._f = f
        self.current = _REPORT[int(f.argmax())]
        return harte(*self.current)


def pretty(label: str, key: tuple[int, str] | None = None) -> str:
    """'D:min' -> 'Dm' for people; Harte stays in JSON. With `key` (tonic pitch class 0..11, mode of
    engine.theory.SCALES) a root of the key's scale is spelled as its signature writes it: 'C#:maj' in Db major
    is 'Db' (engine.theory.spell_in_key); a root outside the scale keeps its NAMES spelling.

    >>> pretty("C#:maj"), pretty("C#:maj", (1, "major")), pretty("Ab:min", (4, "major"))
    ('C#', 'Db', 'G#m')
    """
    if label == "N":
        return "N.C."
    root, quality = label.split(":")
    short = {"maj": "", "min": "m", "7": "7", "maj7": "maj7", "min7": "m7", "sus2": "sus2", "sus4": "sus4",
             "5": "5", "dim": "dim"}[quality]
    if key is not None:
        root = spell_in_key(pitch_class(root), *key) or root
    return root + short

