"""The ending that would land on a final chord already past (a take found by `make soak`,
tests/test_band_properties.py at 2000 examples, session 20): the band, ready to come in a beat before the player's
final chord, took a downbeat a bar later than planned (the meter heard changed to 3/4) and came in after that chord
with a lone final stroke 0.33 s late (sent as 23 late events on session 19's main, at once since 88ee4d4). The
song is over before that downbeat: the band stays out, as it does when the planned downbeat is after the chord."""

from __future__ import annotations

import json
from pathlib import Path

from engine.events import InputMessage, Note
from engine.io.midi_input import GuitarFile
from engine.presence import HIT
from engine.render import play

DATA = Path(__file__).parent / "data" / "ending-landed-after-the-final-chord.json"


def test_no_band_note_comes_after_the_players_final_chord_when_the_entry_moved_past_it():
    raw = json.loads(DATA.read_text())
    messages = [InputMessage(*m) for m in raw["messages"]]
    notes = sum(1 for m in messages if m.status & 0xF0 == 0x90 and m.data2 > 0)
    guitar = GuitarFile(None, messages, raw["duration"], notes)
    engine, band = play(guitar, style="auto", seed=0)
    assert engine.scheduler.late == 0
    final_chord = max(m.time for m in messages if m.status & 0xF0 == 0x90 and m.data2 > 0)
    late = [e.time for e in band if isinstance(e, Note) and e.time > final_chord + HIT]
    assert not late, late
    assert engine.scheduler.song_over
