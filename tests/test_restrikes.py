"""Restrikes: a note struck again while it sounds is ended there, and nothing else ends a note early."""
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import Note, Raw
from engine.io.sinks import played_messages
from engine.midi import NOTE_OFF, NOTE_ON

CH, PITCH = 6, 62


def sounding_spans(played):
    """(on time, off time) of each note-on in the played stream: it sounds until the next note-off of its key."""
    spans, open_at = [], None
    for t, status, _, vel, _, _ in played:
        kind = status & 0xF0
        if kind == NOTE_ON and vel > 0:
            assert open_at is None, "a note-on while the key still sounds"
            open_at = t
        elif kind in (NOTE_OFF, NOTE_ON):
            assert open_at is not None, "a note-off with nothing sounding"
            spans.append((open_at, t))
            open_at = None
    assert open_at is None, "a note left sounding"
    return spans


def test_a_restruck_note_keeps_its_own_length():
    # Old 0-0.3, new 0.2-0.5: the old one ends at 0.2, and its own note-off at 0.3 must not cut the new one.
    notes = [Note(0.0, 0.3, CH, PITCH, 90, "dombra"), Note(0.2, 0.3, CH, PITCH, 90, "dombra")]
    assert sounding_spans(played_messages(notes)) == [(0.0, 0.2), (0.2, 0.5)]


def test_raw_note_offs_end_the_oldest_note():
    raw = [Raw(0.0, NOTE_ON | CH, PITCH, 90, "guitar"), Raw(0.2, NOTE_ON | CH, PITCH, 90, "guitar"),
           Raw(0.3, NOTE_OFF | CH, PITCH, 0, "guitar"), Raw(0.5, NOTE_OFF | CH, PITCH, 0, "guitar")]
    # The first note is ended by the restrike; its note-off (0.3) is spent on it, the second ends at 0.5.
    assert sounding_spans(played_messages(raw)) == [(0.0, 0.2), (0.2, 0.5)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 20)), min_size=1, max_size=12))
def test_every_note_sounds_until_its_end_or_the_next_strike(raw):
    # Times on a 10 ms grid, so ties (a strike at another note's end or start) come up often.
    notes = [Note(s / 100, d / 100, CH, PITCH, 90, "dombra") for s, d in raw]
    order = sorted(range(len(notes)), key=lambda i: (notes[i].time, i))
    expected = []
    for k, i in enumerate(order):
        start, end = notes[i].time, notes[i].time + notes[i].duration
        later = [notes[j].time for j in order[k + 1:] if notes[j].time < end]   # an off at a strike comes first
        expected.append((start, min([end, *later])))
    assert sounding_spans(played_messages(notes)) == expected
