"""The live view's plain lines (a pipe, a log): each event one line a performer reads at a glance."""

from __future__ import annotations

import io
import threading
import time

from engine.inputs import Cue
from engine.live.view import PlainView, QuietView


def test_events_print_as_one_plain_line_without_python_reprs():
    # A pulled cable live: main printed "control: {'action': <Cue.ENDING: 'ending'>, 'value': None}".
    out = io.StringIO()
    view = PlainView(out)
    view.event("input lost", {"port": "RtMidiOut Client:feeder", "jack_server": "ok"})
    view.event("control", {"action": Cue.ENDING, "value": None})
    view.event("stop", {"reason": "interrupted"})
    assert out.getvalue().splitlines() == ["input lost: port RtMidiOut Client:feeder, jack_server ok",
                                           "control: action ending", "stop: reason interrupted"]


def test_quiet_errors_print_as_one_line_without_a_dict(capsys):
    # review30, `aqyn live --quiet` after a JACK restart whose --midi-out port was not back yet: main printed
    # "aqyn: error: {'where': 'midi out', 'error': 'guitarprobe:midi_in did not open again'}".
    view = QuietView()
    view.event("input lost", {"port": "guitarprobe:midi_out", "jack_server": "gone"})
    view.event("error", {"where": "midi out", "error": "guitarprobe:midi_in did not open again"})
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == ["aqyn: error: midi out: guitarprobe:midi_in did not open again"]


class SlowPipe(io.StringIO):
    """A pipe whose writes take a moment (a loaded machine): another thread runs between two writes."""

    def write(self, text: str) -> int:
        time.sleep(0.0005)
        return super().write(text)


def test_status_and_event_lines_printed_from_two_threads_stay_whole():
    # Live, the status view prints from the main thread and events (count-in, input lost) from the engine
    # thread. Main glued them: "0.68s  key ?  N  tempo ?  band waitingcount-in: bars 1, ..." and an empty line.
    out = SlowPipe()
    view = PlainView(out)

    def events():
        for k in range(40):
            view.event("control", {"action": "fill", "n": k})

    worker = threading.Thread(target=events)
    worker.start()
    for k in range(40):
        view.status({"time": float(k), "key": "G major", "chord": "G", "bpm": 100.0 + k, "playing": True,
                     "section": "main_a"})
    worker.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 80
    assert all(line.startswith("control: action fill, n ") or line.endswith("band main_a") for line in lines), lines
