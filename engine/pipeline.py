"""One pipeline, two clocks: input messages -> listener -> scheduler (arranger inside) -> sinks.

`Engine` is what live play and offline render both run. Offline, `run_offline` feeds a file's messages
under a `VirtualClock` on the same tick grid the live loop uses, so a render is what a gig would have
sounded like, and the same input and seed give the same events every time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from engine.arrange.patterns import Style, load_style
from engine.clock import VirtualClock
from engine.events import InputMessage
from engine.listen import Listener, ListenerConfig
from engine.schedule import Scheduler, SchedulerConfig, StyleChooser
from engine.sinks import Sink

TICK = 0.01   # seconds between engine ticks (live and offline alike)


@dataclass
class EngineConfig:
    listener: ListenerConfig = field(default_factory=ListenerConfig)
    scheduler: SchedulerConfig = field(default_factory=SchedulerConfig)
    tick: float = TICK
    pattern_dirs: list[Path] | None = None   # user style folders searched first by `Engine.set_style(name)`


class Engine:
    def __init__(self, choose_style: StyleChooser, seed: int, sinks: list[Sink], config: EngineConfig | None = None,
                 pattern_dirs: list[Path] | None = None):
        self.config = config or EngineConfig()
        self.pattern_dirs = pattern_dirs if pattern_dirs is not None else self.config.pattern_dirs
        self.listener = Listener(self.config.listener)
        self.scheduler = Scheduler(self.listener, choose_style, seed, sinks, self.config.scheduler)
        self.sinks = sinks

    def feed(self, msg: InputMessage) -> None:
        self.listener.feed(msg)

    def tick(self, now: float) -> None:
        self.scheduler.tick(now)

    def cue(self, action: str, now: float) -> None:
        """A footswitch cue: "fill", "next", "ending", "start" or "stop" (see `Scheduler.cue`).
        Call it from the engine thread, between ticks. Raises ValueError for an unknown action."""
        self.scheduler.cue(action, now)

    def set_style(self, name_or_style: str | Style) -> Style:
        """Switch to a style (by name, searched in the pattern folders, or a loaded `Style`) at the next bar.
        Raises StyleNotFound or PatternError (nothing changes then). Returns the style."""
        style = name_or_style if isinstance(name_or_style, Style) else load_style(name_or_style, self.pattern_dirs)
        self.scheduler.set_style(style)
        return style

    def close(self) -> None:
        for sink in self.sinks:
            sink.close()


def run_offline(engine: Engine, messages: Sequence[InputMessage], clock: VirtualClock | None = None,
                tail: float = 60.0) -> float:
    """Play `messages` (time-ordered) through `engine` under a virtual clock; return the end time (s).

    Runs past the last message until the band has stopped (at most `tail` seconds), as it would live:
    after the guitar's last note the band plays its break and its ending.
    """
    clock = clock or VirtualClock()
    step = engine.config.tick
    i, n = 0, 0
    end = (messages[-1].time if messages else 0.0) + tail
    while True:
        now = n * step          # due times come from the grid, never from accumulated steps
        if now > end:
            break
        clock.advance_to(now)
        while i < len(messages) and messages[i].time <= now:
            engine.feed(messages[i])
            i += 1
        engine.tick(now)
        if i == len(messages) and not engine.scheduler.playing and now > messages[-1].time:
            break
        n += 1
    return clock.now()
