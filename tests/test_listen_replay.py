"""The listener's replay (engine/listen/replay.py) makes the calls the engine's loop makes on its listener, in
their order, and gives every message once, in order, at the first tick at or after its time."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.arrange.styles import style_chooser
from engine.clock import TICK, VirtualClock, first_step
from engine.events import InputMessage
from engine.inputs import Cue, CueInput, input_order
from engine.io.midi_input import read_guitar_file
from engine.io.sinks import RecordingSink
from engine.listen import Listener
from engine.listen.replay import FEED, TAP, UPDATE, replay
from engine.pipeline import Engine, ListSource, run
from tests.conftest import example

NOTE_ON, NOTE_OFF = 0x90, 0x80


class Spy(Listener):
    """A listener that logs the calls made on it: ("feed", message), ("tap", t, count_in), ("update", now,
    decided)."""

    def __init__(self):
        super().__init__()
        self.log = []

    def feed(self, msg):
        self.log.append((FEED, msg))
        super().feed(msg)

    def tap(self, t, count_in=False):
        self.log.append((TAP, t, count_in))
        super().tap(t, count_in)

    def update(self, now):
        decided = super().update(now)
        self.log.append((UPDATE, now, decided))
        return decided


def test_the_replay_makes_the_engines_calls_on_a_take():
    """d_dorian_96_4-4 with two taps while the band plays, through `pipeline.run` (the live loop, under a virtual
    clock) with a band, and through the replay: the same calls with the same answers."""
    msgs = read_guitar_file(example("d_dorian_96_4-4")).messages
    taps = [40.0, msgs[700].time]                          # the second at the same time as a note: after it
    end = msgs[-1].time + 1.0
    engine = Engine(style_chooser("auto"), 0, [RecordingSink()], listener=Spy())
    cues = [CueInput(t, Cue.TAP_TEMPO) for t in taps]
    run(engine, ListSource(sorted([*msgs, *cues], key=input_order)), VirtualClock(), until=end)
    live = engine.listener.log
    assert [c for c in live if c[0] == TAP] == [(TAP, t, False) for t in taps]     # the band played: tempo taps
    assert sum(c[0] == UPDATE and c[2] for c in live) > 50                          # strums decided

    spy = Spy()
    yielded = [(kind, item) for kind, _, item, _, _, _ in replay(spy, msgs, end, taps=taps)]
    assert spy.log == live
    assert [(k, i) for k, i in yielded if k != UPDATE] == [(c[0], c[1]) for c in live if c[0] != UPDATE]


def test_every_message_is_fed_once_in_order_at_its_tick():
    """a_minor_66_6-8's messages: each fed once, in the file's order, at the first tick at or after its time,
    after the update of the tick before it; one update a tick, on every tick from `since` to the first at or after
    the last message (the replay's default end)."""
    msgs = read_guitar_file(example("a_minor_66_6-8")).messages
    calls = list(replay(Listener(), msgs, since=0.005))
    fed = [(now, item) for kind, now, item, *_ in calls if kind == FEED]
    assert [m for _, m in fed] == list(msgs)
    assert all(m is msgs[k] for k, (_, m) in enumerate(fed))
    assert all(now >= m.time > now - TICK for now, m in fed)
    assert [now for kind, now, *_ in calls if kind == UPDATE] == grid(0.005, msgs[-1].time + TICK)
    for k in range(1, len(calls)):
        if calls[k][0] == FEED:          # a message comes after every update of an earlier tick
            assert all(c[1] < calls[k][1] for c in calls[:k] if c[0] == UPDATE)


played = st.lists(st.tuples(st.floats(0.0, 0.05), st.integers(40, 88), st.booleans()), min_size=1, max_size=40)


@settings(max_examples=100, deadline=None)
@given(played, st.lists(st.floats(0.0, 1.5), max_size=4), st.floats(0.0, 0.3), st.none() | st.floats(-0.1, 0.5))
def test_no_message_or_tap_is_dropped_or_reordered(notes, taps, since, tail):
    """Messages (gap to the last s, pitch, note-on or off) often sharing a tick or a time, taps anywhere, a start
    anywhere, an end `tail` s after the last message (None: the replay's default, all given): the listener gets
    every message in order and every tap in time order up to the last tick, a tap after the messages of its time
    and before later ones, each at the first tick at or after it (the first tick for those before it); the yields
    are the calls made; a timing clock reads twice a call."""
    t, msgs = 0.0, []
    for gap, pitch, on in notes:
        t += gap
        msgs.append(InputMessage(t, NOTE_ON if on else NOTE_OFF, pitch, 90 if on else 0))
    until = None if tail is None else msgs[-1].time + tail
    spy = Spy()
    counter = itertools.count()
    calls = list(replay(spy, msgs, until, since=since, taps=taps, clock=lambda: next(counter)))
    assert [(k, now, d) if k == UPDATE else (k, item) for k, now, item, d, _, _ in calls] == [
        c if c[0] == UPDATE else c[:2] for c in spy.log]
    assert all(c[5] == 1 for c in calls)
    given_ = [(c[2], c[0]) for c in calls if c[0] != UPDATE]
    ticks = [c[1] for c in calls if c[0] == UPDATE]
    expected = sorted([(m, FEED) for m in msgs] + [(tap, TAP) for tap in taps],
                      key=lambda x: (x[0].time if x[1] == FEED else x[0], x[1] == TAP))
    assert given_ == [e for e in expected if ticks and (e[0].time if e[1] == FEED else e[0]) <= ticks[-1]]
    assert until is not None or len(given_) == len(expected)
    first = first_step(since) * TICK
    for kind, now, item, *_ in calls:
        if kind != UPDATE:
            at = item.time if kind == FEED else item
            assert now >= at and (now == first or at > now - TICK)
    last = max(since, msgs[-1].time, *taps)
    assert ticks == grid(since, until) if until is not None else ticks[-1] >= last > ticks[-1] - TICK


def grid(since: float, until: float) -> list[float]:
    """The engine's tick times (s) from the first at or after `since` to the last at or before `until`."""
    return [n * TICK for n in itertools.takewhile(lambda n: n * TICK <= until, itertools.count(first_step(since)))]
