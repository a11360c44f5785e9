"""The live view's plain lines (a pipe, a log): each event one line a performer reads at a glance."""

from __future__ import annotations

import io

from engine.inputs import Cue
from engine.live.view import PlainView


def test_events_print_as_one_plain_line_without_python_reprs():
    # A pulled cable live: main printed "control: {'action': <Cue.ENDING: 'ending'>, 'value': None}".
    out = io.StringIO()
    view = PlainView(out)
    view.event("input lost", {"port": "RtMidiOut Client:feeder", "jack_server": "ok"})
    view.event("control", {"action": Cue.ENDING, "value": None})
    view.event("stop", {"reason": "interrupted"})
    assert out.getvalue().splitlines() == ["input lost: port RtMidiOut Client:feeder, jack_server ok",
                                           "control: action ending", "stop: reason interrupted"]
