"""The ending that lands on a final chord the commit window reached only after it sounded (a take found by
`make soak`, tests/test_band_properties.py at 2000 examples, session 20): its stroke is hit at once, never sent
as a late event (the scheduler sent 23 on session 19's main)."""

from __future__ import annotations

import json
from pathlib import Path

from engine.events import InputMessage, Note
from engine.io.midi_input import GuitarFile
from engine.render import play

DATA = Path(__file__).parent / "data" / "ending-landed-after-the-final-chord.json"


def test_an_ending_landed_on_a_chord_already_past_sends_no_late_event():
    raw = json.loads(DATA.read_text())
    messages = [InputMessage(*m) for m in raw["messages"]]
    notes = sum(1 for m in messages if m.status & 0xF0 == 0x90 and m.data2 > 0)
    guitar = GuitarFile(None, messages, raw["duration"], notes)
    engine, band = play(guitar, style="auto", seed=0)
    assert engine.scheduler.late == 0
    final_chord = max(m.time for m in messages if m.status & 0xF0 == 0x90 and m.data2 > 0)
    onsets = sorted(e.time for e in band if isinstance(e, Note))
    beat = 60.0 / engine.listener.state(guitar.duration).bpm
    assert any(0 <= t - final_chord <= beat for t in onsets)    # its final stroke within a beat of the chord
