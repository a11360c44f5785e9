"""Pitch classes, key names and scales.

Tonics are spelled the way their key signature is written (F# major, never Gb major; Eb minor, never
D# minor): the spelling with fewer accidentals, sharps on a tie for major keys.
"""

from __future__ import annotations

MAJOR_TONICS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")

SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10),
    "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
}

_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def scale_pcs(tonic: int, mode: str) -> frozenset[int]:
    """The pitch classes (0..11) of the `mode` scale on pitch class `tonic`: `SCALES[mode]` moved to it. Raises
    KeyError for a mode not in SCALES.

    >>> sorted(scale_pcs(2, "dorian"))
    [0, 2, 4, 5, 7, 9, 11]
    """
    return frozenset((tonic + s) % 12 for s in SCALES[mode])


def tonic_name(pc: int, mode: str) -> str:
    """Spell pitch class `pc` as the tonic of a key in `mode` (minor-like modes spell as minor)."""
    minor_like = SCALES[mode][2] == 3
    return (MINOR_TONICS if minor_like else MAJOR_TONICS)[pc % 12]


SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


def spell_in_key(pc: int, tonic: int, mode: str) -> str | None:
    """Spell pitch class `pc` as the key (`tonic` pitch class, `mode` of SCALES) writes it: a note of the key's
    scale with the accidentals of its signature (C#, F#, G# in A major; Db, Gb in Db major), None for a note
    outside the scale (a borrowed or chromatic root has no spelling from the signature: the caller keeps its
    own). Raises KeyError for a mode not in SCALES.

    >>> spell_in_key(1, 1, "major"), spell_in_key(6, 1, "major"), spell_in_key(8, 9, "major")
    ('Db', 'Gb', 'G#')
    >>> spell_in_key(8, 3, "minor"), spell_in_key(10, 2, "minor")    # Eb minor: Ab; D minor: Bb
    ('Ab', 'Bb')
    >>> spell_in_key(10, 7, "major") is None     # Bb in G major: not the key's note
    True
    """
    if pc % 12 not in scale_pcs(tonic, mode):
        return None
    name = tonic_name(tonic, mode)      # Eb minor has flats though its relative major is spelled F#
    relative_major = MAJOR_TONICS[(tonic - MODE_DEGREE[mode]) % 12]
    flats = "b" in name or ("#" not in name and ("b" in relative_major or relative_major == "F"))
    return (FLAT_NAMES if flats else SHARP_NAMES)[pc % 12]


def pitch_class(name: str) -> int:
    """'C#' -> 1, 'Bb' -> 10. Raises ValueError on anything else."""
    if not name or name[0] not in _PC:
        raise ValueError(f"not a note name: {name!r}")
    pc = _PC[name[0]]
    for accidental in name[1:]:
        if accidental == "#":
            pc += 1
        elif accidental == "b":
            pc -= 1
        else:
            raise ValueError(f"not a note name: {name!r}")
    return pc % 12


# Where each mode's tonic sits in the major scale that has the same notes (D dorian = C major's notes).
MODE_DEGREE = {"major": 0, "dorian": 2, "phrygian": 4, "lydian": 5, "mixolydian": 7, "minor": 9, "locrian": 11}


def midi_key_signature(pc: int, mode: str) -> str:
    """The key signature as mido names it ('F#', 'Ebm'). A MIDI key signature is major or minor only, so
    the other modes are written with the signature of their notes (D dorian -> C)."""
    if mode == "minor":
        return tonic_name(pc, mode) + "m"
    return tonic_name((pc - MODE_DEGREE[mode]) % 12, "major")
