"""A live session with no sound card and no MIDI ports, under a `VirtualClock`.

The real `LiveSession` runs — its `open`, its engine thread (`LiveLoop`, i.e. `engine.pipeline.run`), its
watchdog, signal handling and `close` — with two parts that cannot exist here swapped for stand-ins: the synth
is a `WireSink` (engine/io/wire.py: FluidLiveSink's contract, recorded instead of heard) and the input port is a
`ScriptedPort` that delivers a session's bytes at their stamps (the feed's queue hands them out in stamp
order) and can vanish (and come back). A fault can be
armed inside the band's pattern code (`Arranger.query` raises from a given time on), and a signal sent to this
process from the session's status callback (SIGINT: Ctrl-C; SIGTERM). The virtual clock runs as fast as the
engine thread can go; the watchdog looks at it every 50 ms of wall time.
"""

from __future__ import annotations

import heapq
import os
import queue
import signal
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field

import engine.live.session as session_module
from engine.arrange.arranger import Arranger
from engine.clock import VirtualClock
from engine.io.ports import Backend
from engine.io.wire import WireSink
from engine.live.session import LiveConfig, LiveSession


class PatternFault(RuntimeError):
    """The exception a broken pattern raises inside the band (armed by `Script.fault_at`)."""


@dataclass
class Script:
    """What happens in a session: input bytes with stamps (s), and when the port vanishes and returns, cues
    are posted, a signal arrives and the band's pattern code breaks (s, None: never)."""

    messages: list[tuple[list[int], float]] = field(default_factory=list)
    lost_at: float | None = None
    back_at: float | None = None
    cues: list[tuple[float, str]] = field(default_factory=list)
    signal_at: float | None = None
    signal: int = signal.SIGINT
    fault_at: float | None = None


class ArrivalQueue:
    """The feed's queue, handing items out in stamp order (ties in the order put): the script is queued at
    once, but live each message arrives at its stamp, after everything stamped before it, and a request
    posted now (a cue, the count-in) is not stuck behind messages that arrive later."""

    def __init__(self) -> None:
        self._heap: list = []
        self._order = 0

    def put(self, item: tuple) -> None:
        self._order += 1
        heapq.heappush(self._heap, (item[1], self._order, item))

    def get_nowait(self) -> tuple:
        if not self._heap:
            raise queue.Empty
        return heapq.heappop(self._heap)[2]

    def get(self, timeout: float | None = None) -> tuple:
        return self.get_nowait()


class ScriptedPort:
    """Stands in for `engine.io.ports.MidiInput` (a hardware port cannot exist here): on opening it delivers
    every scripted message to the session's callback; `alive()` is false from `lost_at` until `back_at`."""

    def __init__(self, script: Script, _backend, name, on_message, now, port_name="guitar in", ignore_clock=True):
        self.script, self.source, self._now = script, name, now
        self.wanted, self.port_name = name, port_name      # as MidiInput has them (the session reads them)
        self.opened = 1
        for data, stamp in script.messages:
            on_message(list(data), stamp)

    def _gone(self) -> bool:
        s, t = self.script, self._now()
        return s.lost_at is not None and t >= s.lost_at and (s.back_at is None or t < s.back_at)

    def alive(self) -> bool:
        return not self._gone()

    def reopen(self, server_died: bool = False) -> bool:
        self.opened += not self._gone()
        return not self._gone()

    def close(self) -> None:
        pass


@dataclass
class Outcome:
    """How a session ended: its exit code, what it told the player, the wire and the session itself."""

    code: int
    events: list[tuple[str, dict]]
    wire: WireSink
    session: LiveSession


@contextmanager
def no_hardware(script: Script, clock: VirtualClock, wires: list[WireSink]):
    """Swap the synth, the port and the backend probe for stand-ins, and arm the pattern fault, meanwhile."""
    def synth(*args):
        wires.append(WireSink(clock))
        return wires[-1]

    query = Arranger.query

    def faulty(self, *args, **kwargs):
        if script.fault_at is not None and clock.now() >= script.fault_at:
            raise PatternFault(f"pattern broke at {clock.now():.2f} s")
        return query(self, *args, **kwargs)

    swaps = {"FluidLiveSink": synth, "choose_backend": lambda api: Backend("jack", True),
             "MidiInput": lambda *a, **k: ScriptedPort(script, *a, **k),
             "check_named": lambda *a: None}     # the scripted port stands in for whatever port is named
    saved = {name: getattr(session_module, name) for name in swaps}
    interval = sys.getswitchinterval()
    try:
        for name, value in swaps.items():
            setattr(session_module, name, value)
        Arranger.query = faulty
        yield
    finally:
        for name, value in saved.items():
            setattr(session_module, name, value)
        Arranger.query = query
        sys.setswitchinterval(interval)


def play_session(config: LiveConfig, script: Script) -> Outcome:
    """Run `LiveSession(config).run()` through `script` under a virtual clock; return how it ended."""
    clock, wires, events = VirtualClock(), [], []
    pending = sorted(script.cues)
    signalled = []

    def on_status(status: dict) -> None:
        now = clock.now()
        while pending and pending[0][0] <= now:
            session.post(pending.pop(0)[1])
        if script.signal_at is not None and now >= script.signal_at and not signalled:
            signalled.append(now)
            os.kill(os.getpid(), script.signal)

    with no_hardware(script, clock, wires):
        session = LiveSession(config, on_status=on_status, on_event=lambda k, d: events.append((k, d)), clock=clock)
        session.feed.queue = ArrivalQueue()
        code = session.run()
    return Outcome(code, events, wires[0], session)
