"""A single-note line (a solo through a converter, every note struck alike): its long notes mark the beat's period
(engine.listen.beat.durational_accent)."""

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analyze import run_online
from engine.io.midi_input import read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.beat import OnsetWindow, durational_accent

DATA = Path(__file__).parent / "data"


def test_a_folk_line_of_eighths_and_quarters_is_heard_at_its_quarter_note():
    """Yankee Doodle (traditional, written out here; its 16 bars three times) at 72 quarter notes per minute,
    velocity 90 throughout: running eighths with quarter notes at the phrase ends. Without the durational accent
    every onset weighed the same and the eighths were heard as the beat (144 BPM)."""
    messages = read_guitar_file(DATA / "yankee-doodle-line-72bpm.mid").messages
    analysis, _ = run_online(messages, ListenerConfig())
    bpm = 60 / float(np.median(np.diff(analysis.beats)))
    assert abs(bpm / 72 - 1) < 0.04, bpm


def test_the_durational_accent_grows_with_the_interval_and_saturates():
    accents = [durational_accent(s) for s in (0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0)]
    assert accents[0] == 0.0
    assert all(a < b for a, b in zip(accents, accents[1:]))
    assert 0.95 < accents[-1] <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.08, 1.5), st.integers(1, 4)), min_size=6, max_size=30))
def test_only_the_onsets_of_a_single_note_line_get_a_durational_accent(events):
    """(gap to the next onset s, notes in the strum): strums of two notes or more keep accent 1; a lone note's
    accent is 1 (off a line) or that of its interval to the next onset."""
    window, t = OnsetWindow(), 0.0
    for gap, size in events:
        for k in range(size):
            window.add(t + 0.005 * k, 0.7, k == 0, False)
        t += gap
    assert len(window.accent) == len(window.t) == len(events)
    for i, (n, a) in enumerate(zip(window.notes, window.accent)):
        if n > 1:
            assert a == 1.0
        elif a != 1.0 and i + 1 < len(window.t):
            assert a == durational_accent(window.t[i + 1] - window.t[i])
