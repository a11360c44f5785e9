"""A shuffle's beat is its long eighth (issues 11 and 12, session 25 boogie25): a boogie or a slow 12/8 blues struck
long-short on the beat's triplet eighths, the short eighth leading into the beat. The listener sat a triplet eighth
early, on the short one (sim4's boogie A-major+tempo: its walking bass's notes under E3 fall twice a bar on the short
eighth, once on the beat), and the band played off the player's beat."""


import mir_eval
import numpy as np
import pytest
from conftest import bench_module

from engine.analyze import run_online
from engine.io.midi_input import read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.phase import long_eighth

ps = bench_module("player_sim")


def thirds(beat: float, places: dict[int, float], beats: int = 12) -> tuple[list[float], list[float], list[float]]:
    """Onset times (s), weights (all 1) and loudness of a figure struck on `places` (third of the beat -> loudness)
    of every beat of `beat` s."""
    t = [k * beat + p * beat / 3 for k in range(beats) for p in sorted(places)]
    loud = [places[p] for _ in range(beats) for p in sorted(places)]
    return t, [1.0] * len(t), loud


def off_beats(beat: float, found: float | None) -> float:
    """How far `found` (s) lies from the grid's beats (k * beat), in beats (0..0.5)."""
    assert found is not None
    e = found / beat
    return abs(e - round(e))


@pytest.mark.parametrize("beat", [0.5, 1.2])     # a boogie at 120 dotted quarters, a slow blues at 50
def test_the_long_eighth_is_the_beat(beat):
    t, w, loud = thirds(beat, {0: 0.62, 2: 0.52})      # the long eighth struck a little harder
    assert off_beats(beat, long_eighth(t, w, loud, beat, on=0.8, empty=0.1, count=3)) < 0.02


def test_an_eighth_then_a_quarter_struck_on_its_first_is_no_shuffle():
    t, w, loud = thirds(0.7, {0: 0.62, 1: 0.5})        # a jig's D U . : read from the U it is long-short
    assert long_eighth(t, w, loud, 0.7, on=0.8, empty=0.1, count=3) is None


def test_every_third_struck_is_no_shuffle():
    t, w, loud = thirds(0.7, {0: 0.6, 1: 0.5, 2: 0.5})
    assert long_eighth(t, w, loud, 0.7, on=0.8, empty=0.1, count=3) is None


def test_a_slow_shuffle_is_heard_on_its_long_eighths(tmp_path):
    # sim4's blues_12-8_A-major+tempo_s13 (player_sim seed 6, index 13: root-fifth and root-sixth dyads struck
    # long-short at 63, then 73 dotted quarters): online beat F 0.15 before, a triplet eighth early from 24 s on.
    take = ps.make_take("blues", 6, 13, ("tempo",))
    (tmp_path / "take.mid").write_bytes(take.midi)
    analysis, _ = run_online(read_guitar_file(tmp_path / "take.mid").messages, ListenerConfig())
    truth = np.array(take.truth["beats"])
    f = mir_eval.beat.f_measure(mir_eval.beat.trim_beats(truth), mir_eval.beat.trim_beats(np.array(analysis.beats)))
    assert f > 0.6      # 0.74 now: the first grid stands HOLD_AFTER beats on the short eighth
