"""The beat level and the bar heard (engine/listen/beat.py `_bar_span`, `advance`, `_quiet`): a level whose beat is
the whole bar the bar pointer is sure of is no beat, a sudden tempo step at the same level keeps the meter's beats,
and a quiet passage keeps the level held before it."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.analyze import run_online
from engine.io.midi_input import read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.beat import BeatTracker
from engine.listen.guitar import GuitarConfig

DATA = Path(__file__).parent / "data"


def test_a_two_four_figure_is_not_halved_to_its_bar_once_its_bar_is_sure():
    # sim3's tuning_tail_2-4 seed 11: a steady 123 BPM 2/4 boom-chick (bass on 1, the chord on 2 and its "and")
    # whose chords last one or two bars: the bar repeats as strongly as the beat, and at 24 s the tempo's comb
    # took the bar (61 BPM) as the beat, 20 s after the bar pointer was sure of 2/4; the meter then read the
    # four-bar harmonic cycle as 4/4 (main: tempo 61-68 BPM from 24 s, meter 4/4).
    truth = json.loads((DATA / "tuning-tail-2-4-sim3.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "tuning-tail-2-4-sim3.mid").messages if m.time < 40.0]
    a, listener = run_online(messages, ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    late = [e["bpm"] for e in a.tempo if e["time"] > 10.0]
    assert truth["meter"] == "2/4" and truth["tempo"]["mode"] == "steady"
    assert late and min(late) > 110.0, late
    assert a.meter == "2/4"


def test_four_four_played_in_half_notes_for_a_while_keeps_its_quarter_beat():
    # sim3's dynamics_4-4 seed 12: 4/4 at ~95 BPM, from 21.7 to 51.9 s the basses alone on 1 and 3, softly. Once
    # 4/4 was sure the comb took the half note (47 BPM) for the beat at 50.7 s, and the loud bars after it were
    # counted as 2/4 of half notes; a player counting a sure bar in quarters keeps them (main heard the soft
    # passage in 2/4, whose bar held the tempo, and ended in 2/4).
    truth = json.loads((DATA / "dynamics-4-4-sim3.json").read_text())
    messages = [m for m in read_guitar_file(DATA / "dynamics-4-4-sim3.mid").messages if m.time < 60.0]
    a, _ = run_online(messages, ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    late = [e["bpm"] for e in a.tempo if e["time"] > 10.0]
    assert truth["meter"] == "4/4" and late and min(late) > 80.0, late
    assert a.meter == "4/4"


def two_four(tracker: BeatTracker, start: float, period: float, bars: int, hold: int = 1) -> float:
    """Feed `tracker` `bars` bars of 2/4 at `period` s a beat from `start` (s): a loud bass alone on 1 and a
    softer chord on 2 and its "and", the chord changing every `hold` bars; returns the end (s)."""
    t = start
    chords = ((0, 4, 7), (5, 9, 0), (7, 11, 2), (0, 4, 7))
    for k in range(bars):
        root = chords[k // hold % 4]
        tracker.onset(t, 1.0, True, True)
        tracker.note(t, 36 + root[0], 0.75, True)
        for at in (t + period, t + 1.5 * period):
            for j, pc in enumerate(root):
                tracker.onset(at + 0.005 * j, 0.5, j == 0, False)
                tracker.note(at + 0.005 * j, 60 + pc, 0.5, False)
        t += 2 * period
        tracker.update(t)
        tracker.advance(t)
    return t


def test_a_sudden_tempo_step_keeps_the_meter_heard():
    # A tempo step of a third (120 -> 90 BPM) sets the grid at once (engine.listen.tempo_change) at the same
    # level; the 2/4 heard before it still holds while the chords after it last two bars, which by their harmony
    # alone are 4/4 bars (main: the bar pointer started again from its prior, and heard 4/4).
    tracker = BeatTracker()
    t = two_four(tracker, 0.5, 0.5, 24)
    assert tracker.meter == "2/4" and tracker.meter_confidence > 0.9
    t = two_four(tracker, t, 2 / 3, 6, hold=2)
    assert abs(tracker.period - 2 / 3) < 0.05, tracker.period
    assert tracker.meter == "2/4"


@pytest.mark.parametrize("name", ["waltz-3-4-dynamics-sim2", "waltz-dynamics-seed7"])
def test_a_waltz_gone_soft_keeps_its_beat_level(name):
    # A steady 3/4 waltz (bass on 1, chords on 2 and 3) whose middle third goes soft (~25 velocity against ~66) and
    # thin: a bass on 1 and chords on the "and"s of 2 and 3 (player_sim's dynamics). Those fit half the bar (3:2 of
    # the beat) better than the beat, and before `BeatTracker._quiet` the listener left the beat it had held for
    # 12 s or more for that level in the soft part: sim2 waltz_3-4_G-dorian+dynamics_s16 (121 BPM; soft 12.2-24.1 s)
    # at 80-87 BPM from 22.0 to 26.4 s, player_sim seed 7 waltz_3-4_E-major+dynamics_s19 (126 BPM; soft 23.9-46.9 s)
    # at 83-85 BPM from 38.4 s (a sudden change). A player who goes soft keeps the count. Kept at its level, the
    # grid held on the bass (`_offbeat_bass`: two strums of three on the "and"s) kept the period it had when the
    # hold began (0.480 s against the fit's 0.478) and slid 0.2 beat off in 10 s: the held grid takes the fit's.
    truth = json.loads((DATA / f"{name}.json").read_text())
    soft = [d["time"] for d in truth["dynamics"] if d["velocity_mean"] < 40]
    assert truth["meter"] == "3/4" and truth["tempo"]["mode"] == "steady" and soft
    bpm = float(np.median(truth["bpm"]))
    a, _ = run_online(read_guitar_file(DATA / f"{name}.mid").messages,
                      ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    heard = [e["bpm"] for e in a.tempo if soft[0] <= e["time"] <= soft[-1] + 4.0]
    assert heard and max(abs(b / bpm - 1) for b in heard) < 0.15, (bpm, sorted(set(heard)))
    beats = np.array(a.beats)
    missed = [b for b in truth["beats"] if soft[0] <= b <= soft[-1] + 4.0 and np.min(np.abs(beats - b)) > 0.07]
    assert not missed, missed
