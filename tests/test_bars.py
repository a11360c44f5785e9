"""The band's bar watch (engine/bars.py): it moves its bar to the player's downbeat after `patience` bar lines
in a row, or at the first when the listener is sure of its bar."""

from pathlib import Path

import pytest

from engine.bars import SURE, BarWatch, Meter
from engine.events import Marker, TimeSignature
from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from engine.listen.listener import PlayerSettings
from engine.render import play
from engine.schedule import METER_HOLD, Scheduler
from engine.state import BeatGrid
from tests.conftest import ticks

DATA = Path(__file__).parent / "data"


def grid(confidence: float, phase: int = 1) -> BeatGrid:
    """A 4/4 grid of 0.5 s beats whose downbeats are the beat numbers n with n % 4 == `phase`."""
    return BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=phase,
                    meter_confidence=confidence)


@pytest.mark.parametrize("confidence", [SURE, 0.97, 1.0])
def test_a_sure_listeners_bar_is_followed_at_the_first_bar_line(confidence):
    # GuitarSet's bossa comping (BN2): after the band's meter change its bar lines fell on the player's beat 2;
    # the listener was sure of beat 1 (0.90) and right, and the band waited a second bar line, a bar late.
    watch = BarWatch(patience=2)
    assert watch.bar_line(2.0, grid(confidence)) == 1          # band bar line on beat 4, the player's "1" is 5


@pytest.mark.parametrize("confidence", [0.2, 0.6, SURE - 0.01])
def test_an_unsure_listeners_bar_waits_for_the_patience(confidence):
    watch = BarWatch(patience=2)
    assert watch.bar_line(2.0, grid(confidence)) is None
    assert watch.bar_line(4.0, grid(confidence)) == 1
    assert watch.bar_line(6.0, grid(confidence, phase=3)) is None     # a new answer starts its count anew


def test_a_sure_listener_in_another_meter_changes_the_meter_not_the_bar():
    # sim2-held's waltz: the band came in on a 6/8 reading (two beats to its bar), the listener then heard 3/4
    # and was sure; moving the band's two-beat bar at every line reset the meter's count, and the band never
    # went into 3/4. The meter change comes first.
    watch = BarWatch(patience=2)
    waltz = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=3, downbeat_phase=1)
    playing = Meter(2, False)
    assert watch.meter(waltz, playing) is None and watch.bar_line(2.5, waltz) is None   # beat 5: "1" is 7
    assert watch.meter(waltz, playing) == Meter(3, False)


def test_the_band_goes_into_the_meter_heard_within_its_hold_not_two_of_its_own_bar_lines():
    # A 2/4 take (bench/player_sim.py seed 3, `strum_2-4_B-minor_s01`, 100 BPM) that the band comes into in 4/4,
    # before the listener hears 2/4. Waiting for two of the band's 4/4 bar lines (the bar watch's patience) it
    # went into 2/4 4.3 s after the listener heard it, four of the player's bars; now it goes at the player's
    # next downbeat once 2/4 has been heard for METER_HOLD of its bars.
    guitar = read_guitar_file(DATA / "strum-2-4-sim3.mid")
    listener = Listener(PlayerSettings().listener_config())
    heard = period = None
    for now in ticks(listener, guitar.messages, until=20.0):
        grid = listener.grid()
        two = grid is not None and grid.beats_per_bar == 2 and not grid.compound
        heard = (heard or now) if two else None
        period = grid.period if two else period
    _, events = play(guitar)
    changed = next(e.time for e in events if isinstance(e, Marker) and e.text == "meter: 2/4")
    assert heard is not None and heard < changed
    assert changed - heard <= (METER_HOLD + 1) * 2 * period + 0.3


def test_a_meter_change_the_listener_has_left_by_its_bar_line_is_dropped(monkeypatch):
    # A 2/4 strummed take (bench/player_sim.py, sim2 `strum_2-4_Eb-dorian+tuning_tail+tempo_s15`) whose listener
    # hears 4/4 now and then for 1-3 s. A meter change is decided up to a bar before its bar line; the band went
    # into 4/4 at 11.7, 19.4 and 53.8 s, each time after the listener was back in 2/4 (at 10.9, 18.7 and 52.8 s),
    # and out again a bar later. Every time signature the band writes is the meter the listener hears then.
    heard: list[tuple[float, str]] = []
    tick = Scheduler.tick

    def watched(self, now, state):
        if state.grid is not None:
            heard.append((now, state.grid.meter))
        tick(self, now, state)

    monkeypatch.setattr(Scheduler, "tick", watched)
    _, events = play(read_guitar_file(DATA / "strum-2-4-eb-dorian-sim2.mid"))
    written = [(e.time, f"{e.numerator}/{e.denominator}") for e in events if isinstance(e, TimeSignature)]
    assert len(written) >= 2 and written[-1][1] == "2/4"
    for t, meter in written[1:]:        # the first is the entry's
        assert [m for now, m in heard if now <= t][-1] == meter, (t, meter)
