"""The tempo's accent level (TempoEstimator.accent_level): half the period when the strums half-way between the
beats are as loud as those on them and the strums elsewhere softer; the period when a place has too few strums."""

from __future__ import annotations

import numpy as np

from engine.listen.tempo import TempoEstimator


def strums(half_notes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """8 s of 60 BPM: a loud strum on every beat and half-way (velocity / 127 = 0.8), soft ones on the quarters
    between (0.4); the beat's strums weigh most for the phase. Half-way strums hold `half_notes` notes."""
    t, w, loud, notes = [], [], [], []
    for k in range(8):
        for offset, weight, level, size in ((0.0, 1.0, 0.8, 3), (0.25, 0.3, 0.4, 3), (0.5, 0.6, 0.8, half_notes),
                                             (0.75, 0.3, 0.4, 3)):
            t.append(k + offset)
            w.append(weight)
            loud.append(level)
            notes.append(size)
    return np.array(t), np.array(w), np.array(loud), np.array(notes)


def test_half_way_strums_as_loud_as_the_beat_halve_the_period():
    est = TempoEstimator()
    t, w, loud, notes = strums(3)
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 0.5


def test_single_notes_half_way_are_no_beat():
    est = TempoEstimator()
    t, w, loud, notes = strums(1)      # a melody's eighths half-way: not counted, too few strums there
    notes[1::4] = notes[3::4] = 1      # (a line: the notes beside them single too; a lone one is a boom-chick's bass)
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 1.0


def test_a_louder_half_way_strum_keeps_the_period():
    est = TempoEstimator()
    t, w, loud, notes = strums(3)
    loud[2::4] = 1.0                   # half-way strums louder than the beat's (1.25 x): the grid is off the beat
    est.scores(t, w)
    assert est.accent_level(t, w, loud, 1.0, notes, np.zeros(len(t), bool)) == 1.0
