"""A set: a song, its final chord, a silence, and a second song in the same take (session 25, sparse25; issue 11),
on guitar_idioms.py's fretboard, with a truth JSON each for band_eval.py.

    python bench/set_takes.py --out DIR
    python bench/band_eval.py --sets DIR --jobs 1

The first song: 8 bars of eighths (D . D U . U D U) at 96 in G and its final chord, then SILENCE s. The second:
- `free-intro`: review27's free intro (bench/new_user_takes.py: six chords held 2.2-4.0 s, rolled ROLL s a string)
  before its groove at 88: the band, out after the first song's ending, should wait for the groove's pulse as it
  does when the take opens with the intro (the truth's `playing` leaves the free chords out);
- `plain`: the groove at 88 at once, the control: in as soon as the first song came in.
Our own takes: a check of a kind, not evidence (bench/README.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compound_strums import midi_of, write_all  # noqa: E402
from guitar_idioms import Take, perform, song, truth_of  # noqa: E402
from new_user_takes import EIGHTHS, FREE_GAPS, rubato_events  # noqa: E402

SILENCE = 12.0          # s from the first song's final chord to the second's first note: the band is out by then
ROLL = 0.06            # s between the free chords' strings (review27's roll60: the band in 13 s before the groove)


def joined(first: dict, second: dict) -> dict:
    """The truth of a take of two songs: their beats, downbeats, chords and pulse one after the other, the playing
    spans of both, the first song's first onset and the second's last chord."""
    out = dict(first)
    for field in ("beats", "downbeats", "chords", "pulse", "playing"):
        out[field] = first[field] + second[field]
    out["last_chord"] = second["last_chord"]
    return out


def a_set(seed: int, free_intro: bool) -> tuple:
    """The first song, SILENCE s, then the second (`free_intro`: after the free chords): (MIDI file, truth)."""
    first = Take("4/4", 96, ("G", "major"), song("G C D G", EIGHTHS, 2))
    events, beats = perform(first, seed)
    truth = truth_of(first, beats, 1.0)
    start = beats[-1] + SILENCE
    if free_intro:
        more, second = rubato_events(seed + 1, FREE_GAPS, 88, ROLL, start)
    else:
        take = Take("4/4", 88, ("G", "major"), song("G Em C D", EIGHTHS, 4))
        more, beats = perform(take, seed + 1, start)
        second = truth_of(take, beats, start)
    return midi_of(events + more), joined(truth, second)


def takes() -> list[tuple[str, tuple]]:
    """Every take of the docstring as (stem, (MIDI file, truth)), seeds fixed."""
    return [("4-4_set_free-intro-second_96-88_G", a_set(601, True)),
            ("4-4_set_plain-second_96-88_G", a_set(602, False))]


if __name__ == "__main__":
    write_all(__doc__, takes())
