"""A sparse player gets a band (issue 11; engine/listen/bar_pulse.py): one strum a bar at 60 BPM and whole notes at
80 (bench/sparse_takes.py, review28) got no band note at main (too few onsets in the beat's window, and a strum a
bar under the entry's density). A strum repeated at a steady bar for three bars is the bar: the band comes in on a
strum, in 4/4 at the strum's bar, and plays through the bars (no stop-time between the strums)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from engine.events import Marker, Note, TimeSignature
from engine.io.midi_input import read_guitar_file
from engine.render import play

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import sparse_takes as st  # noqa: E402

TAKES = {take: files for take, files in st.takes() if take in (
    "4-4_one-strum-a-bar_60_G", "4-4_whole-notes_80_C", "4-4_ballad-halves_60_G")}


def band_of(tmp_path: Path, take: str):
    """The take rendered under the automatic style: (its strums' times s, the band's notes, markers, time
    signatures, the engine at the end)."""
    mid, truth = TAKES[take]
    mid.save(tmp_path / f"{take}.mid")
    engine, events = play(read_guitar_file(tmp_path / f"{take}.mid"))
    notes = [e for e in events if isinstance(e, Note)]
    marks = [e for e in events if isinstance(e, Marker)]
    signs = [e for e in events if isinstance(e, TimeSignature)]
    return truth["downbeats"], notes, marks, signs, engine


@pytest.mark.parametrize("take, bpm", [("4-4_one-strum-a-bar_60_G", 60), ("4-4_whole-notes_80_C", 80)])
def test_a_strum_a_bar_brings_the_band_in_on_a_strum_in_four_four(tmp_path, take, bpm):
    strums, notes, marks, signs, engine = band_of(tmp_path, take)
    assert len(notes) > 100                                    # main: none at all
    entry = next(m.time for m in marks if m.text.startswith("band in"))
    assert entry <= strums[4] + 0.05                          # four strums heard: in on the fifth (or before)
    assert min(abs(entry - s) for s in strums) < 0.07          # ... on a strum (mir_eval's 70 ms)
    assert engine.listener.beat.bpm == pytest.approx(bpm, rel=0.03)
    assert engine.listener.beat.meter == "4/4"
    assert all((s.numerator, s.denominator) == (4, 4) for s in signs if s.time >= entry - 0.05)
    assert not [m for m in marks if m.text == "stop" and entry < m.time < strums[-1]]    # no stop between strums
    first = [n.time for n in notes if n.time < strums[-1]]
    on_strum = [s for s in strums if s >= entry - 0.05 and min(abs(t - s) for t in first) < 0.05]
    assert len(on_strum) >= len([s for s in strums if entry - 0.05 <= s < strums[-1]]) - 1   # the band's 1 is theirs


def test_half_notes_at_60_stay_at_the_beat_they_were_heard_at(tmp_path):
    # a strum every 2 s is left to the beat's own sparse rule (a ballad's half notes): not a bar of 4/4 at 120
    _, notes, _, _, engine = band_of(tmp_path, "4-4_ballad-halves_60_G")
    assert notes and engine.listener.beat.bpm == pytest.approx(60, rel=0.03)
    assert not getattr(engine.listener.beat, "bar_pulse", False)


def test_a_groove_after_a_steady_free_intro_is_heard_on_its_own_beat():
    # review29 (session 25): five whole-bar chords 3 s apart (steady within 7 %: a strum a bar to bar_pulse), then
    # rock at 120 from 19 s; the groove's first fit kept the intro's count and heard the rock on its "and" to the
    # end (band beat F 0.09, main 0.96): the groove's beat is found afresh once the strums no longer mark a bar
    mid = Path(__file__).resolve().parent / "data" / "free-intro-strums-3s-then-rock-120-review29.mid"
    truth = json.loads(mid.with_suffix(".json").read_text())
    engine, events = play(read_guitar_file(mid))
    beat = engine.listener.beat
    assert beat.bpm == pytest.approx(120, rel=0.04)
    late = [t for t in truth["beats"] if t >= truth["last_chord"] - 10.0]
    off = [abs(beat.beat_at(t) - round(beat.beat_at(t))) for t in late]
    assert max(off) < 0.15                     # on the beat, not on the "and" (0.5)
    notes = [e for e in events if isinstance(e, Note) and 30.0 <= e.time <= 60.0]
    near = lambda times: sum(min(abs(n.time - t) for t in times) < 0.07 for n in notes)   # noqa: E731
    assert near(truth["beats"]) > near([t + 0.25 for t in truth["beats"]])   # more on the beats than the "and"s


def test_a_band_that_joined_a_free_intro_takes_the_grooves_bar_at_once():
    # review29 (session 25): four whole-bar chords 3 s apart, then a ballad at 60 in half notes from the strum at
    # 13.05 s, where the next chord was due. The band came in on the intro's bars and kept that count on the
    # groove's grid (its bar lines on the groove's 2 or 3: bar F 0.12); the groove's first downbeat is now the 1
    # until the guitar's accents say otherwise, and the band moves there at its first bar line (bar F 0.82)
    mid = Path(__file__).resolve().parent / "data" / "free-intro-strums-3s-then-ballad-60-review29.mid"
    downbeats = json.loads(mid.with_suffix(".json").read_text())["downbeats"]
    _, events = play(read_guitar_file(mid))
    marks = [m for m in events if isinstance(m, Marker)]
    moves = [m.time for m in marks if m.text.startswith("bar:")]
    assert moves and moves[0] < downbeats[2] + 0.07              # at the groove's third bar, not later
    # the band's sections start on its bar lines (a fill takes a bar's last beats)
    lines = [m.time for m in marks if m.text.startswith("section:") and "fill" not in m.text
             and m.time > downbeats[2] - 0.07]
    assert len(lines) >= 5
    assert all(min(abs(t - d) for d in downbeats) < 0.07 for t in lines)    # on the player's 1
