"""A 12/8 shuffle played with a backbeat (its 2 and 4 struck harder) is heard in 12/8 before its twelve-bar form is,
on the bar its chords change on; a 6/8 strummed strong-weak, its chords changing on the strong beat, stays 6/8
(session 30, twelve30; engine/listen/bar_pointer.py `BarTracker._backbeat`)."""

import math
import sys
from pathlib import Path

from engine.analyze import analyze
from engine.listen.bar_pointer import ACCENT_BEATS, TWELVE_BPM, BarTracker

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from compound_strums import midi_of  # noqa: E402
from shuffle_takes import perform  # noqa: E402


def _alternating(loud_parity: int, moves_at: set[int]) -> BarTracker:
    """A bar pointer whose belief is all on 6/8 (two beats), the last ACCENT_BEATS beats struck with the beats of
    `loud_parity` louder (0.9 against 0.7) and the bass moving on the beats `moves_at`."""
    bars = BarTracker()
    bars._belief = [0.0] * len(bars._belief)
    bars._belief[bars._span[0].start] = 1.0
    bars._next = ACCENT_BEATS
    for n in range(ACCENT_BEATS):
        bars._bar_loud.append((n, math.log(0.9 if n % 2 == loud_parity else 0.7), 0.0, 2))
        bars._root_moves.append((n, n in moves_at))
    return bars


def test_a_backbeat_shuffle_is_12_8_on_the_beat_its_chords_change_on():
    bars = _alternating(1, {4, 8, 16})           # accents on 2 and 4, changes on the 1 (beats 0, 4, 8 ...)
    assert bars.compound_bar(TWELVE_BPM + 40, shuffled=True)[:2] == (4, 0)
    assert bars.compound_bar(TWELVE_BPM + 40)[0] == 2          # not a shuffle: no backbeat read


def test_a_6_8_whose_chords_change_on_its_strong_beat_stays_6_8():
    bars = _alternating(0, {4, 8, 16})           # accents on the beats the chords change on: 6/8's 1s
    assert bars.compound_bar(TWELVE_BPM + 40, shuffled=True)[0] == 2


def test_a_strummed_backbeat_shuffle_is_counted_in_12_8_before_its_form(tmp_path):
    # bench/shuffle_takes.py's quick-change E shuffle at 112, strummed with a backbeat, cut at 20 s (bar 9, the V
    # the twelve-bar form is heard from, starts at 18.1 s): main wrote 6/8 bars from 15 s (14.96, 16.05, 17.11 ...)
    events, truth = perform("strum", "quick", "back", 112, "E", 3013)
    cut = 20.0
    kept = [e for e in events if e[0] < cut]
    kept += [(cut, 0, pitch, 0, ch) for pitch, ch in {(e[2], e[4]) for e in kept if e[1]}]
    midi_of(kept).save(tmp_path / "shuffle.mid")
    heard = [t for t in analyze(tmp_path / "shuffle.mid").downbeats if 15.0 <= t < cut - 0.5]
    assert heard and all(min(abs(t - d) for d in truth["downbeats"]) < 0.1 for t in heard)
