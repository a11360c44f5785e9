"""The tonic is heard in pitch class: a take moved by any interval keeps its key, moved by the same interval.

Each example (truth key in its JSON) is transposed by -5..+6 semitones with mido, kept on a guitar (MIDI
40-88: a take that would reach below 40 moves up an octave as a whole, so its voicing and bass stay), and
analysed online (the final key) and offline. Bug report: the D dorian example moved up a fourth was
heard as C mixolydian (tests/data/g-dorian-transposed-example.mid), because the bass cue was "below E3".
"""

from pathlib import Path

import mido
import pytest

from engine.analyze import analyze
from engine.theory import MODE_DEGREE, pitch_class
from tests.conftest import example, truth

DATA = Path(__file__).parent / "data"
LOW, HIGH = 40, 88          # MIDI range of a guitar (E2 .. E6, 24 frets)
SHIFTS = range(-5, 7)       # semitones


def transposed(name: str, shift: int, folder: Path) -> Path:
    """The example `name` moved by `shift` semitones (an octave more if it would reach below LOW), saved in
    `folder`."""
    mid = mido.MidiFile(example(name))
    notes = [m.note for track in mid.tracks for m in track if m.type in ("note_on", "note_off")]
    if min(notes) + shift < LOW:
        shift += 12
    assert LOW <= min(notes) + shift and max(notes) + shift <= HIGH
    for track in mid.tracks:
        for i, msg in enumerate(track):
            if msg.type in ("note_on", "note_off"):
                track[i] = msg.copy(note=msg.note + shift)
    path = folder / f"{name}{shift:+d}.mid"
    mid.save(path)
    return path


def same_key(found: dict, tonic: int, mode: str) -> bool:
    """True when an analysis key names this tonic (pitch class) and mode (spelling aside)."""
    return pitch_class(found["tonic"]) == tonic % 12 and found["mode"] == mode


def test_the_transposed_bug_report_is_g_dorian():
    for offline in (False, True):
        a = analyze(DATA / "g-dorian-transposed-example.mid", offline=offline)
        assert (a.key["tonic"], a.key["mode"]) == ("G", "dorian"), (offline, a.key)


@pytest.mark.parametrize("name", ["d_dorian_96_4-4", "a_minor_66_6-8", "e_mixolydian_ramp_88-116_4-4"])
def test_the_key_moves_with_the_take(name, tmp_path):
    key = truth(name)["key"]
    tonic, mode = pitch_class(key["tonic"]), key["mode"]
    assert mode in MODE_DEGREE
    wrong = []
    for shift in SHIFTS:
        path = transposed(name, shift, tmp_path)
        for offline in (False, True):
            found = analyze(path, offline=offline).key
            if not same_key(found, tonic + shift, mode):
                wrong.append((shift, "offline" if offline else "online", found["tonic"], found["mode"]))
    assert not wrong, f"{name} ({key['tonic']} {mode}) transposed: heard {wrong}"
