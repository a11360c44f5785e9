"""A count tapped at one tempo and a song played at another (review27 finding 5): `--style auto` picks the style for
the tapped tempo when the band comes in, and picks again at a phrase once the song's tempo has stayed out of that
style's tempo range for a phrase (engine/schedule.py `_repick_due`). On lead24 four taps at 67 BPM before the D
dorian example (96 BPM) kept `ballad-4-4` to the end (428 band notes; taps at 96: `tokpe-gallop`, 1741).

The take is examples/d_dorian_96_4-4.mid, SHIFT s later so the taps fall before it, the guitar's first note where
a fifth tap would."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from engine.events import Marker, Note
from engine.inputs import Cue, CueInput
from engine.io.midi_input import read_guitar_file
from engine.render import play

EXAMPLE = Path(__file__).parents[1] / "examples" / "d_dorian_96_4-4.mid"
SHIFT = 3.1         # s of silence put before the take (its first note at 0.51 s, then at 3.61 s)


def tapped(gap: float, style: str = "auto"):
    """The example after four taps `gap` s apart, the last a `gap` before its first note: the band's events and
    its style markers (time, text)."""
    guitar = read_guitar_file(EXAMPLE)
    guitar = dataclasses.replace(guitar, messages=[dataclasses.replace(m, time=m.time + SHIFT)
                                                   for m in guitar.messages], duration=guitar.duration + SHIFT)
    first = min(m.time for m in guitar.messages)
    taps = [CueInput(first - (4 - k) * gap, Cue.TAP_TEMPO) for k in range(4)]
    engine, events = play(guitar, style, cues=taps)
    marks = [(e.time, e.text) for e in events if isinstance(e, Marker) and e.text.startswith(("band in", "style"))]
    return engine, events, marks


def test_a_count_tapped_at_67_under_a_song_at_96_moves_from_the_ballad_to_the_gallop_at_a_phrase():
    engine, events, marks = tapped(60.0 / 67)
    assert [text for _, text in marks] == ["band in: Ballad (4/4)", "style: Tökpe gallop"], marks
    assert marks[1][0] < 35.0                      # the first phrase after one out of range (31.1 s); not at the end
    assert engine.scheduler.styles == ["tokpe-gallop"]
    notes = [e for e in events if isinstance(e, Note)]
    assert len(notes) > 900                          # the gallop's notes from there (lead24: 428 in all)


def test_a_count_at_the_songs_tempo_and_a_named_style_keep_their_style():
    _, _, marks = tapped(60.0 / 96)
    assert [text for _, text in marks] == ["band in: Tökpe gallop"], marks
    named, _, marks = tapped(60.0 / 67, "ballad-4-4")
    assert [text for _, text in marks] == ["band in: Ballad (4/4)"], marks
    assert named.scheduler.styles == ["ballad-4-4"]
