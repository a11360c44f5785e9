"""A second song in the same take is entered like the first (issue 11; engine/listen/beat.py `_back_after_silence`,
`_hear_pulse`): after the first song's ending and a silence, a free intro of held chords (review27's, rolled 60 ms
a string) before the second song's groove. The pulse heard once per take (main) let the band come in on the free
chords (bench/set_takes.py: in at 40.3 s in a ballad, the groove at 51.8 s); heard anew per song, it waits for the
groove as it does at the take's start."""

from __future__ import annotations

import sys
from pathlib import Path

from engine.events import Marker, Note
from engine.io.midi_input import read_guitar_file
from engine.render import play

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import set_takes  # noqa: E402


def entries(tmp_path: Path, free_intro: bool) -> tuple[list[float], dict, int]:
    """The band's entries (s) over bench/set_takes.py's set, its truth, and the band's notes counted."""
    mid, truth = set_takes.a_set(601 if free_intro else 602, free_intro)
    mid.save(tmp_path / "set.mid")
    _, events = play(read_guitar_file(tmp_path / "set.mid"))
    ins = [e.time for e in events if isinstance(e, Marker) and e.text.startswith("band in")]
    return ins, truth, sum(isinstance(e, Note) for e in events)


def test_the_second_songs_free_intro_is_waited_through_as_the_first_songs_is(tmp_path):
    ins, truth, _ = entries(tmp_path, True)
    (first, end), (groove, _) = truth["playing"]
    assert len(ins) == 2 and first < ins[0] < end
    assert ins[1] > groove                       # main: 40.3 s, 11.5 s before the groove
    assert ins[1] < groove + 4 * 4 * 60 / 88     # ... and in within four bars of it


def test_a_second_song_without_an_intro_is_entered_within_two_bars(tmp_path):
    ins, truth, notes = entries(tmp_path, False)
    (first, _), (second, _) = truth["playing"]
    assert len(ins) == 2 and notes > 1000
    assert ins[1] - second < ins[0] - first + 4 * 60 / 88    # as soon as the first song's, give or take a beat
