import pytest

from engine.clock import SystemClock, VirtualClock
from engine.events import Beat, InputMessage, Note


def test_virtual_clock_moves_only_forward():
    c = VirtualClock()
    assert c.now() == 0.0
    c.advance_to(2.5)
    c.sleep_until(3.0)
    assert c.now() == 3.0
    c.sleep_until(1.0)          # a deadline in the past returns at once
    assert c.now() == 3.0
    with pytest.raises(ValueError, match="back"):
        c.advance_to(1.0)


def test_system_clock_sleeps_to_absolute_deadline():
    c = SystemClock()
    start = c.now()
    c.sleep_until(start + 0.02)
    assert c.now() >= start + 0.02


@pytest.mark.parametrize("kwargs, field", [
    (dict(pitch=128), "pitch"),
    (dict(velocity=0), "velocity"),
    (dict(channel=16), "channel"),
    (dict(duration=0.0), "duration"),
    (dict(time=-1.0), "time"),
])
def test_note_validates_fields(kwargs, field):
    base = dict(time=0.0, duration=0.1, channel=0, pitch=60, velocity=90, part="dombra")
    base.update(kwargs)
    with pytest.raises(ValueError, match=field):
        Note(**base)


def test_input_message_decodes_kind_and_channel():
    m = InputMessage(0.0, 0x93, 60, 100)
    assert m.kind == 0x90 and m.channel == 3
    with pytest.raises(ValueError, match="status"):
        InputMessage(0.0, 0xF8, 0, 0)


def test_beat_in_bar_must_fit_the_bar():
    with pytest.raises(ValueError, match="beat_in_bar"):
        Beat(1.0, 5, 2, 2)
