"""One pipeline, one loop: timed inputs -> listener -> MusicalState -> scheduler (arranger inside) -> sinks.

`Engine` is what live play, offline render, analysis and the tests all run, and `run` is the one loop that
drives it: on a grid of `TICK` seconds it takes the inputs due from a `Source`, feeds them to the engine and
ticks it. Only the clock and the source differ: a `VirtualClock` and a `ListSource` of a file's messages
offline, a `SystemClock` and the live session's queue live. So a render is what a gig would have sounded
like, and the same input and seed give the same events every time.

>>> from engine.clock import VirtualClock
>>> from engine.io.sinks import RecordingSink
>>> engine = Engine(lambda grid, strict=True: None, seed=0, sinks=[RecordingSink()])
>>> run(engine, ListSource([]), VirtualClock(), until=0.05)
0.05
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol, Sequence

from engine.arrange.patterns import Style
from engine.arrange.styles import load_style
from engine.clock import TICK, Clock, first_step
from engine.events import PERCUSSION, InputMessage, Note
from engine.inputs import SWITCH_CUES, ClockInput, CountIn, Cue, CueInput, KeyHint, PlayerBreak, SongEnd, TimedInput
from engine.io.sinks import Sink
from engine.listen import Listener, ListenerConfig
from engine.schedule import Scheduler, SchedulerConfig, StyleChooser
from engine.state import MusicalState

START_LEAD = 0.2   # s from a start with no guitar to the band's first downbeat (more than the look-ahead)
CLICK_HIGH, CLICK_LOW = 76, 77   # count-in clicks on the wood blocks (tuyaqtas): the bar's first high
CLICK_CHANNEL = 9


@dataclass
class EngineConfig:
    """The engine's settings: the listener's, the scheduler's, the tick (s) and the user style folders
    searched first by `Engine.set_style(name)`."""

    listener: ListenerConfig = field(default_factory=ListenerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    tick: float = TICK
    pattern_dirs: list[Path] | None = None


class Engine:
    """The listener and the band. `feed` takes timed inputs in time order; `tick(now)` once per engine tick.

    `choose_style(grid)` picks the style when the band comes in; `seed` makes the band's choices repeatable;
    `sinks` receive every event the band makes. `listener`: what hears the player (a new `Listener` from the
    config by default); a chord chart's `ChartListener` (engine/chart/listener.py) stands in for it with the
    same methods, knowing key, beat and chords in advance.
    """

    def __init__(self, choose_style: StyleChooser, seed: int, sinks: list[Sink], config: EngineConfig | None = None,
                 listener: Listener | None = None):
        self.config = config or EngineConfig()
        self.listener = listener or Listener(self.config.listener)
        self.scheduler = Scheduler(choose_style, seed, sinks, self.config.scheduler)
        self.sinks = sinks
        self.state: MusicalState | None = None   # the listener's state at the last tick (frozen)

    @property
    def playing(self) -> bool:
        """True while the band plays."""
        return self.scheduler.playing

    def feed(self, item: TimedInput) -> None:
        """One timed input: guitar MIDI, a cue, a MIDI clock message, a count-in or a key hint. Raises ValueError for
        a cue the band does not know."""
        if isinstance(item, InputMessage):
            self.listener.feed(item)
        elif isinstance(item, CueInput):
            self._cue(item)
        elif isinstance(item, ClockInput):
            cue = self.listener.clock(item)
            if cue is not None:
                self.scheduler.cue(cue)
        elif isinstance(item, CountIn):
            self._count_in(item)
        elif isinstance(item, SongEnd):
            self.scheduler.song_end(item.at)
        elif isinstance(item, PlayerBreak):
            self.scheduler.presence.player_break(item.begin, item.end, item.struck, item.then)
        elif isinstance(item, KeyHint):
            self.listener.expect_key(item.time, item.tonic, item.mode)
        else:
            raise TypeError(f"not an engine input: {item!r}")

    def _cue(self, item: CueInput) -> None:
        cue = item.cue
        if cue == Cue.START_STOP:
            cue = Cue.STOP if self.scheduler.playing else Cue.START
        if cue == Cue.START and not self.scheduler.playing and not self.listener.playing:
            self.listener.start(item.time + START_LEAD)        # no guitar: the band starts by itself
        if cue == Cue.RESUME:
            self.listener.resume(item.time)       # the input is back: its silence was a cable's, not the player's
        if cue == Cue.TAP_TEMPO:
            self.listener.tap(item.time, count_in=not self.scheduler.playing)   # out: a bar of taps counts in
        elif cue == Cue.LOCK:
            self.listener.lock_tempo()
        elif cue == Cue.STYLE:
            self.scheduler.set_style(item.style)
        elif cue == Cue.LEVEL:
            self.scheduler.set_level(*item.level, item.time)
        else:
            self.scheduler.cue(cue, placed=item.placed)

    def _count_in(self, item: CountIn) -> None:
        """Clicks on the wood blocks (the bar's first one high and louder); each is a tap when its time comes."""
        for k, t in enumerate(item.tap_times()):
            first = k % item.beats_per_bar == 0
            if item.clicks and t >= 0:
                for sink in self.sinks:
                    sink.send(Note(t, 0.1, CLICK_CHANNEL, CLICK_HIGH if first else CLICK_LOW, 110 if first else 85,
                                   PERCUSSION))
        self.listener.count_in(item)

    def tick(self, now: float) -> None:
        """Listen (count-in taps now due, confirm notes, re-estimate) and let the band commit up to now +
        look-ahead (now: seconds)."""
        self.listener.update(now)
        self.state = self.listener.state(now)
        self.scheduler.tick(now, self.state)

    def cue(self, cue: Cue | str, now: float) -> None:
        """A cue at `now` (s), as a footswitch would give it. Raises ValueError for an unknown cue."""
        if cue not in SWITCH_CUES:
            raise ValueError(f"cue must be one of {', '.join(SWITCH_CUES)}, got {cue!r}")
        self.feed(CueInput(now, Cue(cue)))

    def set_style(self, name_or_style: str | Style) -> Style:
        """Switch to a style (by name, searched in the pattern folders, or a loaded `Style`) at the next bar.
        Raises StyleNotFound or PatternError (nothing changes then). Returns the style."""
        style = name_or_style if isinstance(name_or_style, Style) else load_style(name_or_style,
                                                                                  self.config.pattern_dirs)
        self.scheduler.set_style(style)
        return style

    def close(self) -> None:
        """Close every sink."""
        for sink in self.sinks:
            sink.close()


class Tickable(Protocol):
    """What `run` drives: an `Engine`, or anything fed and ticked like one (the analyser)."""

    def feed(self, item: TimedInput) -> None:
        """One timed input, in time order."""
        ...

    def tick(self, now: float) -> None:
        """Everything due at `now` (s)."""
        ...


class Source(Protocol):
    """Where the timed inputs come from."""

    def pull(self, clock: Clock, due: float) -> list[TimedInput]:
        """The inputs due by `due` (s), in order; returns with the clock at or past `due` (a live source
        waits for inputs until then, a virtual clock is moved there)."""
        ...


class ListSource:
    """Inputs known in advance (a file's messages, a cue timeline), merged in time order."""

    def __init__(self, items: Sequence[TimedInput]):
        self.items = list(items)
        self.next = 0

    @property
    def drained(self) -> bool:
        """True once every input has been pulled."""
        return self.next >= len(self.items)

    @property
    def last_time(self) -> float:
        """Time (s) of the last input, 0 without any."""
        return self.items[-1].time if self.items else 0.0

    def pull(self, clock: Clock, due: float) -> list[TimedInput]:
        """The inputs stamped by `due` (s) not yet pulled; the (virtual) clock is moved to `due`."""
        clock.sleep_until(due)
        start, items = self.next, self.items
        end = start
        while end < len(items) and items[end].time <= due:
            end += 1
        self.next = end
        return items[start:end]


def run(engine: Tickable, source: Source, clock: Clock, until: float | None = None,
        stop: Callable[[float], bool] | None = None, after_tick: Callable[[float, float], None] | None = None,
        tick: float = TICK) -> float:
    """Drive `engine` on an absolute grid of `tick` seconds until the grid passes `until` (s) or `stop(now)`
    says so after a tick; return the clock's time at the end.

    Each step takes the inputs due by the step's time from `source` (waiting for it, live), feeds them, and
    ticks the engine with the clock's time; `after_tick(now, due)` follows (live: the sinks' flush). Due times
    come from the grid, never from accumulated steps; a step missed (a busy machine) is skipped, so lateness
    never compounds.
    """
    n = first_step(clock.now(), tick)
    while True:
        due = n * tick
        if until is not None and due > until:
            break
        for item in source.pull(clock, due):
            engine.feed(item)
        now = clock.now()
        engine.tick(now)
        if after_tick is not None:
            after_tick(now, due)
        if stop is not None and stop(now):
            break
        n = max(n + 1, math.floor(now / tick) + 1)
    return clock.now()


def run_offline(engine: Engine, items: Sequence[TimedInput], clock: Clock | None = None,
                tail: float = 60.0) -> float:
    """Play `items` (time-ordered) through `engine` under a virtual clock; return the end time (s).

    Runs past the last input until the band has stopped (at most `tail` seconds), as it would live: after
    the guitar's last note the band plays its break and its ending.
    """
    from engine.clock import VirtualClock  # noqa: PLC0415

    source = ListSource(items)
    last = source.last_time
    done = lambda now: source.drained and not engine.playing and now > last  # noqa: E731
    return run(engine, source, clock or VirtualClock(), until=last + tail, stop=done, tick=engine.config.tick)
