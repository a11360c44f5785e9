"""The key's and the chord's decaying evidence, decayed lazily (a note adds to the arrays scaled up by the decay
owed since they were last decayed; a reader decays them first), holds what decaying at every note held: each
note's weight times 0.5 ** (its age / the half-life), on a real take's notes, across a pause longer than the
lazy scale's bound (LAZY_DECAY; for the key, notes spanning more than it)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.io.midi_input import read_guitar_file
from engine.listen import chord as chord_mod
from engine.listen import key as key_mod
from engine.listen.chord import ChordTracker, note_weight
from engine.listen.key import KeyTracker

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "d_dorian_96_4-4.mid"


def _notes(pause_after: float, pause: float) -> list[tuple[float, int, int]]:
    """The example's note-ons (time s, pitch, velocity), those after `pause_after` s moved `pause` s later."""
    out = []
    for m in read_guitar_file(EXAMPLE).messages:
        if m.kind == 0x90 and m.data2 > 0:
            t = m.time + (pause if m.time > pause_after else 0.0)
            out.append((t, m.data1, m.data2))
    return out


def test_key_evidence_decays_as_if_at_every_note():
    # The pause stays under NEW_PIECE, after which the key's evidence starts afresh; the notes, never read
    # between, still span more than the lazy bound.
    notes = _notes(20.0, key_mod.NEW_PIECE - 1.0)
    assert notes[-1][0] - notes[0][0] > key_mod.LAZY_DECAY
    k = KeyTracker()
    expected = np.zeros(12)
    end = notes[-1][0]
    for t, pitch, velocity in notes:
        k.note_on(t, pitch, velocity, False)
        expected[pitch % 12] += velocity / 127 * 0.5 ** ((end - t) / k.half_life)
    k.update(end)                   # a reader: decays the arrays first
    np.testing.assert_allclose(k._hist, expected, rtol=1e-9)
    assert abs(k.total - expected.sum()) <= 1e-9 * expected.sum()


def test_chord_memory_decays_as_if_at_every_note():
    notes = _notes(20.0, 2 * chord_mod.LAZY_DECAY)
    c = ChordTracker()
    expected = np.zeros(12)
    end = notes[-1][0]
    for t, pitch, velocity in notes:
        c.note_on(t, pitch, velocity, False)
        expected[pitch % 12] += velocity / 127 * note_weight(pitch) * 0.5 ** ((end - t) / c.memory)
    c.decide(end, [], None)         # a reader: decays the memory first
    np.testing.assert_allclose(c._recent, expected, rtol=1e-9, atol=1e-300)
