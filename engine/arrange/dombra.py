"""The dombra: two strings tuned to the key, a position that follows the chord, a melody on the high string.

Tuning (DOMAIN.md §1): quartal (a fourth between the strings, as D3-G3) by default, quintal, second or
unison, retuned as a player does: the standard D3 low string moved at most three semitones so that an open
string sounds the key's tonic (`tune`); each string has 19 frets, so every note lies on the instrument.

Voicing (design, DOMAIN.md §2): over the tonic and modal chords (i, bVII, bVI, ...) the low string drones
open and the high string holds a tonic-family note at the register level; when the bass goes to IV or V the
fretted position moves there (parallel fourths or fifths on both strings). The register climbs over a long
piece: level 0 bas buyn (open strings), 1 orta buyn (around the 5th fret), 2 kishi saga (the octave,
12th fret), 3 ulken saga (15th fret and up).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from engine.state import Chord
from engine.theory import SCALES, scale_pcs

TUNINGS = {"quartal": 5, "quintal": 7, "second": 2, "unison": 0}  # semitones low -> high string
FRETS = 19
STANDARD_LOW = 50        # D3: the low string in standard tuning (DOMAIN.md §1: D3-G3, MIDI 50-55)
RETUNE = 3               # semitones a player retunes the strings at most, either way
LEVEL_FRET = (0, 5, 12, 15)   # where the high string's position sits at each register level
LEVELS = ("bas buyn", "orta buyn", "kishi saga", "ulken saga")

# Chord qualities as the listener labels them (engine/listen/chord.py), as intervals above the root.
CHORD_TONES = {
    "maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10), "maj7": (0, 4, 7, 11), "min7": (0, 3, 7, 10),
    "sus2": (0, 2, 7), "sus4": (0, 5, 7), "5": (0, 7), "dim": (0, 3, 6),
}


def chord_pcs(chord: Chord | None) -> frozenset[int]:
    """The pitch classes (0..11) of `chord`, (root pitch class, quality) with the qualities of CHORD_TONES;
    an unknown quality counts as a major triad, None (no chord) gives the empty set.

    >>> sorted(chord_pcs((2, "min")))
    [2, 5, 9]
    """
    if chord is None:
        return frozenset()
    root, quality = chord
    return frozenset((root + i) % 12 for i in CHORD_TONES.get(quality, (0, 4, 7)))


def invented_thirds(chord: Chord | None) -> frozenset[int]:
    """The pitch classes (0..11) the dombra must not sound over `chord`: both thirds above the root of a chord
    that has none (a power chord `5`, sus2, sus4), so the band never puts a third under a guitarist's E5; the
    empty set for any other chord or None.

    >>> sorted(invented_thirds((4, "5"))), sorted(invented_thirds((4, "min")))
    ([7, 8], [])
    """
    if chord is None or {3, 4} & set(CHORD_TONES.get(chord[1], (0, 4, 7))):
        return frozenset()
    return frozenset({(chord[0] + 3) % 12, (chord[0] + 4) % 12})


@dataclass(frozen=True)
class Dombra:
    """A dombra tuned for a key: open pitches, and the notes it can play."""

    tonic: int
    mode: str
    tuning: str
    low: int                      # open pitch of the low (drone) string
    high: int                     # open pitch of the high (melody) string

    @property
    def scale(self) -> frozenset[int]:
        """The pitch classes (0..11) of the key's scale: `SCALES[mode]` on `tonic`."""
        return scale_pcs(self.tonic, self.mode)

    @property
    def lowest(self) -> int:
        """The lowest MIDI pitch the dombra plays: the low string open."""
        return self.low

    @property
    def highest(self) -> int:
        """The highest MIDI pitch the dombra plays: the high string at its last fret (FRETS, 19)."""
        return self.high + FRETS

    def melody_notes(self, chord: Chord | None = None) -> tuple[int, ...]:
        """Every scale note the high string can play, low to high; over a chord without a third (`5`, sus)
        not the thirds above its root (`invented_thirds`); over a chord with tones outside the scale (E7 in
        A minor, D7 in C major) those tones in place of the scale notes a semitone from them (G# for G), as
        a player follows a secondary dominant or a harmonic-minor V."""
        return _scale_on(self.high, self._heard_scale(chord) - invented_thirds(chord))

    def _heard_scale(self, chord: Chord | None) -> frozenset[int]:
        """The key's scale as it sounds over `chord`: its tones outside the scale replace their neighbours."""
        foreign = chord_pcs(chord) - self.scale
        if not foreign:
            return self.scale
        near = {(t + d) % 12 for t in foreign for d in (1, 11)} - chord_pcs(chord)
        return (self.scale - near) | foreign

    def clashes(self, chord: Chord) -> bool:
        """Whether an open string would sound a semitone from one of `chord`'s tones without being one (an F
        drone under E7 or Am, a G drone under D7): then the dombra frets the chord instead of droning. A
        major seventh over a major chord is a colour, not a clash (the E drone under F in A minor: the
        aeolian bVI's Fmaj7)."""
        tones = chord_pcs(chord)
        colour = (chord[0] - 1) % 12 if chord[1] in ("maj", "maj7") else None
        return any(p % 12 not in tones and p % 12 != colour and {(p + 1) % 12, (p - 1) % 12} & tones
                   for p in (self.low, self.high))

    def dyad(self, chord: Chord | None, level: int = 0) -> tuple[int, int]:
        """(low, high) pitches of a strum at register `level` (0..3) over `chord` (None: no chord heard). Over
        a chord without a third (a power chord) the dombra plays its root and fifth, its natural dyad: the
        drone stays only where both open strings are its tones; over IV, V and a chord an open string would
        clash with (a semitone from its tones: `clashes`) both strings are fretted on the chord."""
        target = LEVEL_FRET[max(0, min(3, level))]
        bare = bool(invented_thirds(chord)) and not {self.low % 12, self.high % 12} <= chord_pcs(chord)
        if chord is not None and (bare or (chord[0] - self.tonic) % 12 in (5, 7) or self.clashes(chord)):
            moved = self._moved(chord, target)
            if moved is not None:
                return moved
        return self.low, self._drone_high(chord, target)

    def _moved(self, chord: Chord, target: int) -> tuple[int, int] | None:
        """Both strings fretted on the chord: same shape as the open dyad (parallel), else another fifth,
        fourth, octave or unison of chord tones; nearest the target position, lowest first."""
        tones = chord_pcs(chord)
        root = chord[0]
        interval = self.high - self.low
        best, best_cost = None, None
        for fl in range(FRETS + 1):
            lo = self.low + fl
            if lo % 12 not in tones:
                continue
            for fh in range(FRETS + 1):
                hi = self.high + fh
                if hi % 12 not in tones or hi < lo:
                    continue
                gap = hi - lo
                shape = 0 if gap == interval else (1 if gap in (5, 7, 12) else (2 if gap == 0 else 9))
                cost = (shape * 10 + abs(fh - max(target, 1)) + abs(fh - fl) * 0.5
                        + (0 if root in (lo % 12, hi % 12) else 4))
                if best_cost is None or cost < best_cost:
                    best, best_cost = (lo, hi), cost
        return best

    def _drone_high(self, chord: Chord | None, target: int) -> int:
        if target == 0:
            return self.high
        third = next((self.tonic + i) % 12 for i in (3, 4) if (self.tonic + i) % 12 in self.scale)
        family = [self.tonic, (self.tonic + 7) % 12, third]
        allowed = (self.scale | chord_pcs(chord)) - invented_thirds(chord)
        inside = chord_pcs(chord)
        best, best_cost = self.high, None
        for fh in range(FRETS + 1):
            p = self.high + fh
            if p % 12 not in family or p % 12 not in allowed:
                continue
            cost = abs(fh - target) + (0 if not inside or p % 12 in inside else 1.5) + family.index(p % 12) * 0.3
            if best_cost is None or cost < best_cost:
                best, best_cost = p, cost
        return best


@lru_cache(maxsize=None)
def _scale_on(open_pitch: int, scale: frozenset[int]) -> tuple[int, ...]:
    return tuple(p for p in range(open_pitch, open_pitch + FRETS + 1) if p % 12 in scale)


@lru_cache(maxsize=None)
def tune(tonic: int, mode: str = "major", tuning: str = "quartal") -> Dombra:
    """The dombra for a key, as a player retunes it: the standard low string D3 (`STANDARD_LOW`) moved by at
    most `RETUNE` semitones, so that an open string sounds the tonic and both open strings are in the mode's
    scale; a tuning whose open strings do not rub against the tonic triad (a semitone from its tones: E-A under
    E major) comes first, then the least retuning, the tonic on the high string on a tie in quartal tuning (the
    low string a fifth below it: the dyad fits the major and the minor tonic chord alike), on the low string
    otherwise. Where no such tuning is in reach, the nearest whose open strings are in the scale, the tonic
    fretted. Raises ValueError for an unknown tuning or mode.

    >>> tune(2, "dorian").low, tune(9, "minor").low, tune(7, "major").low   # D: as is; A: E3-A3; G: D3-G3
    (50, 52, 50)
    >>> tune(4, "major").low      # E: B2-E3 (three down), not E3-A3 (whose A rubs against the G#)
    47
    """
    if tuning not in TUNINGS:
        raise ValueError(f"tuning must be one of {', '.join(TUNINGS)}, got {tuning!r}")
    if mode not in SCALES:
        raise ValueError(f"mode must be one of {', '.join(SCALES)}, got {mode!r}")
    interval = TUNINGS[tuning]
    scale = scale_pcs(tonic, mode)
    reach = range(STANDARD_LOW - RETUNE, STANDARD_LOW + RETUNE + 1)
    in_scale = [low for low in reach if low % 12 in scale and (low + interval) % 12 in scale]
    with_tonic = [low for low in in_scale if tonic % 12 in (low % 12, (low + interval) % 12)]
    high_first = tuning == "quartal"

    def cost(low: int) -> tuple[bool, int, bool]:
        return (rubs_tonic_chord(low, interval, tonic, scale), abs(low - STANDARD_LOW),
                ((low + interval) % 12 == tonic % 12) != high_first)

    low = min(with_tonic or in_scale or list(reach), key=cost)
    return Dombra(tonic % 12, mode, tuning, low, low + interval)


def rubs_tonic_chord(low: int, interval: int, tonic: int, scale: set[int]) -> bool:
    """Whether an open string of a dombra tuned `low`-(`low` + `interval`) sounds a semitone from a tone of the
    key's tonic triad without being one (E-A under E major: the A against G#), which would make the drone
    under the home chord a rub rather than a colour."""
    third = next(((tonic + i) % 12 for i in (4, 3) if (tonic + i) % 12 in scale), (tonic + 4) % 12)
    triad = {tonic % 12, third, (tonic + 7) % 12}
    return any(p % 12 not in triad and {(p + 1) % 12, (p - 1) % 12} & triad for p in (low, low + interval))


def open_strings(tonic: int, tuning: str = "quartal", mode: str = "major") -> tuple[int, int]:
    """(low, high) open-string MIDI pitches for a key's tonic pitch class."""
    d = tune(tonic % 12, mode, tuning)
    return d.low, d.high
