"""A slow 12/8 with a shuffle (issues 11 and 12, review25's finding 2): the beat a musician counts is the dotted
quarter (45-70 BPM) with the long-short triplet eighths in it, not the triplet eighth (135-210 BPM in 3/4).

The takes are bench/guitar_idioms.py's slow blues figure (bass . up | down . up on every dotted quarter, a 12-bar
form in E or A), written here with its own code at the tempi where main heard the triplet eighth for the whole take
(45, 48) or its first 18-27 s (51, 54)."""

from pathlib import Path

import numpy as np
import pytest

from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from engine.listen.tempo import TempoEstimator
from tests.conftest import ticks


def shuffle_onsets(beat: float, places: tuple[float, ...], beats: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Onsets at `places` (thirds of a beat: 0, 1, 2) of every beat of a grid of `beat` s, all of weight 1."""
    t = [k * beat + p * beat / 3 for k in range(beats) for p in places]
    return np.array(t), np.ones(len(t))


def test_long_short_eighths_are_a_shuffles_beat():
    est = TempoEstimator()
    t, w = shuffle_onsets(1.2, (0, 2))           # 50 dotted quarters a minute, struck on 1 and the beat's last third
    est.scores(t, w)
    assert est.shuffle_level(t, w, 0.4) == pytest.approx(1.2)
    off = est.shuffle_beat / 1.2 % 1.0
    assert min(off, 1.0 - off) < 0.05            # on the long eighth (the beat), not the short one (0.67)


def test_every_third_struck_is_no_shuffle():
    est = TempoEstimator()
    t, w = shuffle_onsets(1.2, (0, 1, 2))        # a fast waltz's bar (bass, chord, chord at 150) has no gap
    est.scores(t, w)
    assert est.shuffle_level(t, w, 0.4) == 0.4


def test_a_shuffle_past_the_compound_range_keeps_the_period():
    est = TempoEstimator()
    t, w = shuffle_onsets(0.6, (0, 2), 16)       # a swung 4/4 at 100: its beat, not a 12/8's eighth
    est.scores(t, w)
    assert est.shuffle_level(t, w, 0.2) == 0.2


def blues_take(tmp_path, bpm: float, key: str, seed: int):
    """bench/guitar_idioms.py's 12/8 slow blues (bass . up | down . up, accents on beats 1 and 3) at `bpm` dotted
    quarters, three 12-bar choruses: the listener's messages and the truth's beat times (s)."""
    from bench.compound_strums import midi_of
    from bench.guitar_idioms import Take, perform

    chords = {"E": "E7 A7 E7 E7 A7 A7 E7 E7 B7 A7 E7 B7", "A": "A7 D7 A7 A7 D7 D7 A7 A7 E7 D7 A7 E7"}[key].split()
    take = Take("12/8", bpm, (key, "mixolydian"), [(c, "B.UD.UB.UD.U") for c in chords] * 3, steps=3,
                accents=(0, 6))
    events, beats = perform(take, seed)
    midi_of(events).save(tmp_path / "take.mid")
    return read_guitar_file(tmp_path / "take.mid").messages, np.array(beats)


@pytest.mark.parametrize("bpm, key", [(45, "E"), (48, "A"), (54, "E")])
def test_a_slow_shuffle_blues_is_heard_in_dotted_quarters(tmp_path, bpm, key):
    msgs, beats = blues_take(tmp_path, bpm, key, seed=bpm)
    listener = Listener()
    heard = []
    for now in ticks(listener, msgs, 40.0):
        if now > 12.0 and listener.beat.bpm is not None:
            heard.append(listener.beat.bpm)
    assert np.median(heard) == pytest.approx(bpm, rel=0.03)         # not three times it (a triplet eighth)
    assert min(heard) > 0.8 * bpm and max(heard) < 1.25 * bpm
    assert listener.beat.compound


def test_a_shuffle_blues_walking_bass_keeps_the_dotted_quarter():
    # sim4 (dev) blues_12-8 C-major s03 at 49 dotted quarters: its 5-6 dyad bass, long-short on the triplet eighths,
    # offered the bass's 2:3 level (74) every ten seconds or so; main took it at 13.4 s and 49.9 s, and each return
    # to 49 set the beat on another third (band beat F 0.49)
    msgs = read_guitar_file(Path(__file__).parent / "data" / "sim4-blues-12-8-C-major-s03.mid").messages
    listener = Listener()
    heard = [listener.beat.bpm for now in ticks(listener, msgs, 58.0) if now > 12.0 and listener.beat.bpm]
    assert heard
    assert all(abs(b / 49.3 - 1) < 0.1 for b in heard), (min(heard), max(heard))
