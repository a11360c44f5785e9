"""Raw MIDI bytes from a port into engine inputs: pure, so every case is tested with a table.

A message is one of: guitar MIDI (a channel message: `InputMessage`), a clock master's message
(`ClockInput`, only when following an external clock), something aqyn has no use for (None: song select,
time code, tune request, active sensing, and clock when not following one), or garbage (`Garbage` raised:
empty, truncated, data bytes of 128 or more, a status byte aqyn cannot read). Live, garbage is counted and
survived, never fatal.

>>> decode([0x90, 60, 100], 1.5, clock_in=False)
InputMessage(time=1.5, status=144, data1=60, data2=100)
>>> decode([0xF8], 2.0, clock_in=False) is None
True
"""

from __future__ import annotations

from engine.events import InputMessage
from engine.inputs import ClockInput
from engine.midi import ACTIVE_SENSING, REALTIME, SONG_POSITION, SONG_SELECT, TIME_CODE, TUNE_REQUEST

IGNORED = frozenset({TIME_CODE, SONG_SELECT, TUNE_REQUEST, ACTIVE_SENSING})


class Garbage(ValueError):
    """A message that is not valid MIDI (the message says why)."""


def decode(data: list[int] | bytes, stamp: float, clock_in: bool) -> InputMessage | ClockInput | None:
    """The engine input for the message `data` (its bytes) that arrived at `stamp` seconds; None when aqyn
    ignores it. `clock_in`: follow clock, start, stop, continue and song position. Raises Garbage."""
    if not data:
        raise Garbage("empty message")
    status = data[0]
    if status in REALTIME:
        return ClockInput(stamp, status) if clock_in else None
    if status == SONG_POSITION:
        if len(data) != 3 or data[1] >= 0x80 or data[2] >= 0x80:
            raise Garbage("malformed song position")
        return ClockInput(stamp, status, data[1] | data[2] << 7) if clock_in else None
    if status in IGNORED:
        return None
    try:
        return InputMessage(stamp, status, data[1] if len(data) > 1 else 0, data[2] if len(data) > 2 else 0)
    except ValueError as exc:
        raise Garbage(str(exc)) from None
