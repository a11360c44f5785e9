"""Property tests: generated live sessions through the one live driver, under a virtual clock, no sound card.

Each session is the real `LiveSession` (tests/sessionrig.py: the synth is a wire recorder, the port a script):
a guitar take or none, with every kind of MIDI message as raw bytes among it — note on/off, CC, program
change, pitch bend, aftertouch, running status, sysex (ended or not), system common and real-time (clock,
start, stop), values out of range, truncated messages, note-offs without note-ons, floods of thousands in one
tick, footswitch presses — and the port vanishing (and maybe returning), cues posted, Ctrl-C or SIGTERM, or
an exception inside the band's pattern code, at random times. On every way out: no exception escapes, the
exit code says how it ended, no note is left sounding, nothing is sent after the end or for a time already
past, and the band's beats are in time order. `make test` tries LIVE_EXAMPLES sessions (30); `make proof`
10,000.
"""

from __future__ import annotations

import math
import os
import signal
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessionrig import Script, play_session

from engine.events import Beat
from engine.io.midi_input import read_guitar_file
from engine.listen.listener import PlayerSettings
from engine.live.controls import FootswitchMap
from engine.live.session import LiveConfig

EXAMPLES = int(os.environ.get("LIVE_EXAMPLES", "30"))
ROOT = Path(__file__).resolve().parents[1]
TAKES = sorted((ROOT / "examples").glob("*.mid"))
STYLES = ("auto", "trot", "tokpe-gallop", "aqsaq-7-8", "tokpe-waltz")
CUES = ("fill", "next", "ending", "start", "stop", "start_stop", "tap_tempo", "lock", "count_in")
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
hold = "lock"

[program_change]
channel = 16
styles = ["trot", "tokpe-gallop", "aqsaq-7-8"]
"""


@cache
def take(index: int) -> tuple[tuple[tuple[int, ...], float], ...]:
    """An example take's messages as (bytes, stamp s)."""
    g = read_guitar_file(TAKES[index])
    return tuple(((m.status, m.data1, m.data2), m.time) for m in g.messages)


@cache
def footswitch(tmp: Path) -> FootswitchMap:
    path = tmp / "footswitch.toml"
    path.write_text(FOOTSWITCH)
    return FootswitchMap.load(path)


byte = st.integers(0, 255)
data = st.integers(0, 127)
raw_messages = st.one_of(
    st.tuples(st.integers(0x80, 0xEF), data, data).map(list),                            # well-formed channel
    st.builds(lambda s, d: [s, *d], st.integers(0x80, 0xEF), st.lists(byte, max_size=4)),  # out of range, truncated
    st.lists(data, min_size=1, max_size=3),                                               # running status
    st.builds(lambda d, end: [0xF0, *d, *end], st.lists(byte, max_size=40), st.sampled_from(([0xF7], []))),
    st.builds(lambda s, d: [s, *d], st.integers(0xF1, 0xF7), st.lists(byte, max_size=3)),  # system common
    st.sampled_from(([0xF8], [0xFA], [0xFB], [0xFC], [0xFE], [0xFF], [0xF9], [0xFD])),      # real-time
    st.tuples(st.integers(0x80, 0x8F), data, data).map(list),                             # offs without ons
    st.sampled_from(([0xBF, 64, 127], [0xBF, 64, 0], [0x9F, 38, 100], [0x8F, 38, 0])),    # the footswitch
    st.builds(lambda p: [0xCF, p], data),                                                 # program: a style
    st.just([]),
)


@st.composite
def inputs(draw, duration: float) -> list[tuple[list[int], float]]:
    """A take (or none) from a random point, raw messages at random times, floods, a clock master."""
    stamp = st.floats(0.0, duration + 2.0)
    out: list[tuple[list[int], float]] = []
    if draw(st.booleans()):
        start, lead = draw(st.floats(0.0, 60.0)), draw(st.floats(0.0, 3.0))
        out += [(list(b), t - start + lead) for b, t in take(draw(st.integers(0, len(TAKES) - 1)))
                if start <= t < start + duration]
    out += draw(st.lists(st.tuples(raw_messages, stamp), max_size=60))
    for message, t, count in draw(st.lists(st.tuples(raw_messages, stamp, st.integers(100, 5000)), max_size=2)):
        out += [(message, t)] * count                   # thousands in one tick
    if draw(st.booleans()):
        t0, step = draw(stamp), 60.0 / draw(st.floats(40.0, 240.0)) / 24
        out += [([0xFA], t0)] + [([0xF8], t0 + k * step) for k in range(draw(st.integers(0, 400)))]
        out += [([0xFC], t0 + draw(st.floats(0.0, 20.0)))]
    return sorted(out, key=lambda m: m[1])


@st.composite
def sessions(draw) -> tuple[LiveConfig, Script]:
    """A session's settings and its script: what arrives, and when the faults and the way out come."""
    duration = draw(st.floats(0.5, 30.0))
    when = st.none() | st.floats(0.0, duration)
    bpm = draw(st.none() | st.floats(60.0, 180.0))
    player = PlayerSettings(bpm=bpm, count_in=draw(st.integers(0, 2)) if bpm else 0)
    config = LiveConfig(input="guitar", style=draw(st.sampled_from(STYLES)), player=player,
                        clock_in=draw(st.booleans()), on_input_loss=draw(st.sampled_from(("finish", "continue"))),
                        duration=duration, seed=draw(st.integers(0, 3)))
    lost_at = draw(when)
    script = Script(draw(inputs(duration)), lost_at=lost_at,
                    back_at=None if lost_at is None else draw(st.none() | st.floats(lost_at, lost_at + 10.0)),
                    cues=draw(st.lists(st.tuples(st.floats(0.0, duration), st.sampled_from(CUES)), max_size=6)),
                    signal_at=draw(when), signal=draw(st.sampled_from((signal.SIGINT, signal.SIGTERM))),
                    fault_at=draw(when))
    return config, script


def check(outcome, script: Script) -> None:
    """The properties every session keeps, however it ended."""
    wire, session = outcome.wire, outcome.session
    kinds = [k for k, _ in outcome.events]
    assert outcome.code in (0, 1)
    assert (outcome.code == 1) == ("error" in kinds and any(d.get("where") == "engine" for _, d in outcome.events))
    if outcome.code == 1:
        assert script.fault_at is not None and "PatternFault" in outcome.events[-1][1]["error"], outcome.events[-1]
    assert not session._thread.is_alive()                     # the engine thread has ended
    assert wire.closed_at is not None                         # the panic ran
    assert wire.faded_at is not None and wire.faded_at <= wire.closed_at   # the sound faded first
    assert wire.stuck() == 0, f"{wire.stuck()} notes left sounding"
    assert wire.after_close == 0                              # nothing reached the synth after the end
    assert wire.late == 0 and session.engine.scheduler.late == 0   # nothing sent for a time already past
    beats = [e.time for e in wire.sent if isinstance(e, Beat)]
    assert all(a < b for a, b in zip(beats, beats[1:])), "the band's beats went back in time"
    assert all(math.isfinite(e.time) and e.time >= 0 for e in wire.sent)


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example])
@given(sessions())
def test_any_live_session_ends_cleanly_on_every_way_out(tmp_path_factory, session):
    config, script = session
    config.footswitch = footswitch(tmp_path_factory.getbasetemp())
    check(play_session(config, script), script)


def test_each_way_out_is_taken_and_leaves_nothing_sounding(tmp_path_factory):
    """The four ways out, one each, on a real take: the duration, the port lost (band finishes), Ctrl-C,
    SIGTERM, and a broken pattern: the band played, and stopped clean."""
    msgs = [(list(b), t) for b, t in take(1) if t < 30.0]
    ways = {"duration": Script(msgs), "lost": Script(msgs, lost_at=10.0), "ctrl-c": Script(msgs, signal_at=12.0),
            "sigterm": Script(msgs, signal_at=12.0, signal=signal.SIGTERM), "fault": Script(msgs, fault_at=12.0)}
    for way, script in ways.items():
        outcome = play_session(LiveConfig(input="guitar", duration=30.0), script)
        check(outcome, script)
        kinds = [k for k, _ in outcome.events]
        assert outcome.wire.notes > 100, way
        assert outcome.code == (1 if way == "fault" else 0), way
        assert ("stop" in kinds) == (way in ("ctrl-c", "sigterm")), way
        assert ("input lost" in kinds) == (way == "lost"), way
        if way in ("ctrl-c", "sigterm", "fault"):
            assert outcome.wire.closed_at < 29.0, way       # ended early, not by the duration


def test_a_named_style_that_does_not_fit_the_meter_plays_on_live():
    """Found by the property test: live with `--style tokpe-gallop` (2/4) and the guitar in 6/8, the style
    chooser refused the style as offline render does (StyleMeterError) inside the engine thread, which ended
    the gig. Live the band plays on in the style asked for."""
    msgs = [(list(b), t) for b, t in take(0) if t < 40.0]           # a_minor_66_6-8
    outcome = play_session(LiveConfig(input="guitar", style="tokpe-gallop", duration=40.0), Script(msgs))
    check(outcome, Script(msgs))
    assert outcome.code == 0 and "error" not in [k for k, _ in outcome.events]
    assert outcome.wire.notes > 100 and outcome.session.engine.scheduler.arranger.style.name == "tokpe-gallop"


def test_a_flood_of_program_changes_reads_each_style_once(tmp_path_factory):
    """Found by the property test: each program change read its style file again on the engine thread (~13 ms),
    so a flood of them in one tick stalled the band for seconds and outlived the session's close. Now a style
    is read once per session: 600 program changes give 600 style cues sharing two loaded styles."""
    from engine.clock import VirtualClock
    from engine.inputs import Cue
    from engine.live.feed import LiveFeed

    feed = LiveFeed(footswitch(tmp_path_factory.getbasetemp()))
    for k in range(600):
        feed.put([0xCF, k % 2], 1.0)
    cues = [c for c in feed.pull(VirtualClock(), 1.0) if c.cue is Cue.STYLE]
    assert len(cues) == 600
    assert {c.style.name for c in cues} == {"trot", "tokpe-gallop"} and len({id(c.style) for c in cues}) == 2


def test_a_count_in_taken_late_clicks_from_when_it_is_taken():
    """Found by the property test: a count-in request taken after its stamp (the engine thread busy) put its
    first click in the past, sent late. The clicks now start COUNT_IN_LEAD after the request is taken."""
    from engine.clock import VirtualClock
    from engine.inputs import CountIn
    from engine.live.feed import COUNT_IN, COUNT_IN_LEAD, CountInPlan, LiveFeed

    feed = LiveFeed(count_in=CountInPlan(1, 60.0))
    feed.post(COUNT_IN, 0.1)
    clock = VirtualClock(0.5)
    [count_in] = [i for i in feed.pull(clock, 0.5) if isinstance(i, CountIn)]
    assert count_in.time == 0.5 + COUNT_IN_LEAD and min(count_in.tap_times()) >= clock.now()
