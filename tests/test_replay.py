"""One loop: a live session (guitar, footswitch, MIDI clock) replayed under a virtual clock through the live
driver gives exactly the band that `aqyn render --cues` gives from the same guitar and the cues it produced."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.arrange.styles import style_chooser
from engine.clock import VirtualClock
from engine.events import InputMessage
from engine.inputs import ClockInput, CueInput
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import read_guitar_file
from engine.io.sinks import RecordingSink
from engine.listen.listener import PlayerSettings
from engine.live.controls import FootswitchMap
from engine.live.feed import LiveFeed
from engine.live.loop import LiveLoop
from engine.pipeline import Engine, EngineConfig
from engine.render import guitar_track, play

ROOT = Path(__file__).resolve().parents[1]
TAKE = ROOT / "examples" / "d_dorian_96_4-4.mid"
FOOTSWITCH = """
[[switch]]
cc = 64
channel = 16
tap = "fill"
hold = "next"
double = "ending"

[[switch]]
note = 38
channel = 16
tap = "start_stop"

[program_change]
channel = 16
styles = ["trot", "tokpe-gallop"]
"""


def cc(t: float, value: int) -> tuple[list[int], float]:
    return [0xBF, 64, value], t


def pedal_presses(stop_start: bool = True) -> list[tuple[list[int], float]]:
    """A fill (tap), the next section (hold), a style by program change, a stop and a start, an ending."""
    presses = [cc(12.0, 127), cc(12.1, 0),                            # tap: a fill once the double window passes
               cc(20.0, 127), cc(20.8, 0),                            # hold: next section
               ([0xCF, 0], 26.0),                                     # program 0: trot
               cc(52.0, 127), cc(52.1, 0), cc(52.2, 127), cc(52.3, 0)]   # double tap: ending
    if stop_start:
        presses += [([0x9F, 38, 100], 33.0), ([0x8F, 38, 0], 33.1),     # start_stop: stop
                    ([0x9F, 38, 100], 36.0), ([0x8F, 38, 0], 36.1)]     # start_stop: start
    return presses


def clock_master(start: float, stop: float, bpm: float) -> list[tuple[list[int], float]]:
    """A master's start, its clocks (24 per quarter) and its stop."""
    step = 60.0 / bpm / 24
    clocks = [([0xF8], start + k * step) for k in range(int((stop - start) / step))]
    return [([0xFA], start - 0.001), *clocks, ([0xFC], stop)]


def live_band(raw: list[tuple[list[int], float]], fmap: FootswitchMap, last: float):
    """The band a live session plays for `raw` (bytes, stamp) arrivals, under a virtual clock."""
    feed = LiveFeed(fmap, clock_in=True)
    feed.log = []
    for data, stamp in sorted(raw, key=lambda x: x[1]):
        feed.put(data, stamp)
    rec = RecordingSink()
    engine = Engine(style_chooser("auto"), 0, [rec], EngineConfig(PlayerSettings().listener_config()))
    LiveLoop(engine, feed, VirtualClock()).play(lambda now: now > last and not engine.playing)
    return rec.events, feed.log


def write_cues(cues: list[CueInput], path: Path) -> None:
    lines = []
    for c in cues:
        lines += ["[[cue]]", f"time = {c.time!r}", f'action = "{c.cue.value}"']
        if c.style is not None:
            lines.append(f'style = "{c.style.name}"')
    path.write_text("\n".join(lines) + "\n")


def guitar_bytes(messages: list[InputMessage]) -> list[tuple[list[int], float]]:
    return [([m.status, m.data1, m.data2], m.time) for m in messages]


def test_a_live_session_with_footswitch_and_clock_replays_exactly_through_render(tmp_path):
    guitar = read_guitar_file(TAKE)
    fmap = FootswitchMap.load(_write(tmp_path / "fs.toml", FOOTSWITCH))
    raw = guitar_bytes(guitar.messages) + pedal_presses() + clock_master(40.0, 46.0, 100.0)
    events, log = live_band(raw, fmap, guitar.duration)
    cues = [i for i in log if isinstance(i, CueInput)]
    clocks = [i for i in log if isinstance(i, ClockInput)]
    assert [c.cue.value for c in cues] == ["fill", "next", "style", "start_stop", "start_stop", "ending"]
    assert [i for i in log if isinstance(i, InputMessage)] == guitar.messages   # the pedal is not guitar
    write_cues(cues, tmp_path / "cues.toml")
    from engine.io.cues import load_cues  # noqa: PLC0415

    _, replayed = play(guitar, cues=[*load_cues(tmp_path / "cues.toml"), *clocks])
    assert len(events) > 1000
    assert replayed == events


def test_render_with_cues_writes_the_file_the_live_session_would(tmp_path):
    guitar = read_guitar_file(TAKE)
    fmap = FootswitchMap.load(_write(tmp_path / "fs.toml", FOOTSWITCH))
    events, log = live_band(guitar_bytes(guitar.messages) + pedal_presses(stop_start=False), fmap, guitar.duration)
    write_cues([i for i in log if isinstance(i, CueInput)], tmp_path / "cues.toml")
    live_file = tmp_path / "live.mid"
    sink = MidiFileSink(live_file)
    for e in guitar_track(guitar) + events:
        sink.send(e)
    sink.close()
    out = tmp_path / "render.mid"
    subprocess.run([sys.executable, "-m", "engine", "render", str(TAKE), "-o", str(out),
                    "--cues", str(tmp_path / "cues.toml")], check=True, capture_output=True)
    assert out.read_bytes() == live_file.read_bytes()
    plain = tmp_path / "plain.mid"
    subprocess.run([sys.executable, "-m", "engine", "render", str(TAKE), "-o", str(plain)], check=True,
                   capture_output=True)
    assert plain.read_bytes() != out.read_bytes()       # the cues changed the band


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path
