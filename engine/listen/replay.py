"""A take replayed to a listener alone, call for call as the engine's loop makes those calls live.

`engine.pipeline.run` drives the engine on an absolute grid of `TICK` s: at each step it feeds the inputs stamped
at or before the step's time, in order (the player's MIDI before a cue at the same time: `inputs.input_order`),
then ticks the engine, whose tick updates the listener first (`Engine.tick`). `replay` makes the same calls on a
`Listener` with no band, from the same grid (`clock.first_step`): the benches that time or count the listener
(bench/listen_speed.py, listen_parts.py, listen_instructions.py) and the tests that follow it tick by tick measure
the listener as the engine runs it. What the engine does besides (`Listener.state` for the band, every tick) is
the caller's to add.

After each call it yields a `Call`: the listener has had that call and no other since the one before, so a caller
may read the listener's state between any two calls (what an update started from: the state at the last yield). A
`Call` is a plain tuple: a NamedTuple's construction made the first example's whole replay 8 % more instructions
(bench/listen_instructions.py, 184.8 M -> 200.7 M), and that bench counts the replay with the listener.
"""

from __future__ import annotations

import math
from typing import Callable, Iterator, Sequence, Tuple, Union

from engine.clock import TICK, first_step
from engine.events import InputMessage
from engine.listen.listener import Listener

FEED, TAP, UPDATE = "feed", "tap", "update"

Call = Tuple[str, float, Union[InputMessage, float, None], bool, bool, int]
"""One call the replay made on the listener: (kind, now, item, decided, idle, ns). `kind` FEED
(`Listener.feed(item)`, item the InputMessage), TAP (`Listener.tap(item)`, item the tap's time s) or UPDATE
(`Listener.update(now)`, item None); `now` the tick's time (s); `decided` the update's answer (True: a strum was
decided; False for FEED and TAP); `idle` True when the update returned at once (the tick came before
`Listener._idle`, the listener's next piece of work; False for FEED and TAP); `ns` the call's wall time (ns) when
the replay is timed (`clock`), else 0."""


def replay(listener: Listener, messages: Sequence[InputMessage], until: float | None = None, since: float = 0.0,
           tick: float = TICK, taps: Sequence[float] = (),
           clock: Callable[[], int] | None = None) -> Iterator[Call]:
    """Feed `messages` (time-ordered, s) and tap at `taps` (s) to `listener` on the grid of `tick` s, from the first
    step at or after `since` (s) to the last at or before `until` (s; by default the first step that gives every
    message and tap); yield a `Call` after each call. At each step: the messages and taps stamped by it and not yet
    given (a tap after the messages of its time, as a cue comes after the player's MIDI; a tap as while the band
    plays: a tempo, no count-in), then the update. Messages and taps before the first step are given at it. `clock`:
    a nanosecond counter (`time.perf_counter_ns`) to time each call with, None for no timing (the replay then does
    nothing besides the listener's calls)."""
    feed, tap, update, tapped = listener.feed, listener.tap, listener.update, sorted(taps)
    last = max(messages[-1].time if messages else since, tapped[-1] if tapped else since, since)
    end = until if until is not None else _step_at_or_after(last, tick)
    i = j = 0
    n = first_step(since, tick)
    while n * tick <= end:
        now = n * tick
        n += 1
        while (i < len(messages) and messages[i].time <= now) or (j < len(tapped) and tapped[j] <= now):
            if j == len(tapped) or (i < len(messages) and messages[i].time <= tapped[j]):
                kind, call, item, i = FEED, feed, messages[i], i + 1
            else:
                kind, call, item, j = TAP, tap, tapped[j], j + 1
            if clock is None:
                call(item)
                yield kind, now, item, False, False, 0
            else:
                t0 = clock()
                call(item)
                ns = clock() - t0
                yield kind, now, item, False, False, ns
        idle = now < listener._idle
        if clock is None:
            yield UPDATE, now, None, update(now), idle, 0
        else:
            t0 = clock()
            decided = update(now)
            ns = clock() - t0
            yield UPDATE, now, None, decided, idle, ns


def _step_at_or_after(t: float, tick: float) -> float:
    """The time (s) of the first step of the grid of `tick` s at or after t (s), to the float: an input stamped t
    is given at it (`clock.first_step` forgives a t a rounding error past a step: the loop's start)."""
    n = math.ceil(t / tick)
    return n * tick if n * tick >= t else (n + 1) * tick
