"""A live session: a MIDI input port in, the band out through FluidSynth in real time.

Threads:
- the MIDI backend's callback thread only timestamps the bytes and queues them (DESIGN habit 7);
- the engine thread feeds each message to the listener the moment it arrives and ticks the scheduler on
  an absolute 10 ms grid (the same grid offline render uses), then lets the synth sink commit note-offs;
- the calling thread watches the input port, refreshes the status view and handles signals.

Whatever ends the session (Ctrl-C, SIGTERM, an exception, the duration running out) goes through one
`finally` that stops the engine thread and sends all-notes-off and all-sound-off on every channel: no
note is ever left hanging.
"""

from __future__ import annotations

import math
import queue
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.clock import SystemClock
from engine.errors import EngineError
from engine.events import InputMessage
from engine.io.fluid_live import AudioConfig, FluidLiveSink
from engine.io.ports import MidiInput, MidiOutput, choose_backend
from engine.io.soundfont import find_soundfont
from engine.listen import ListenerConfig
from engine.listen.guitar import GuitarConfig
from engine.live.clock_sync import ClockFollower, ClockOutSink, clocks_per_beat
from engine.live.controls import Action, Controls, FootswitchMap
from engine.live.midi_out import MidiOutSink, TimedSender
from engine.live.stats import LatencyStats
from engine.pipeline import TICK, Engine, EngineConfig
from engine.render import style_chooser
from engine.theory import tonic_name

STATUS_EVERY = 0.25     # s between status snapshots
PORT_CHECK_EVERY = 1.0  # s between checks that the input port still exists
REALTIME = {0xF8, 0xFA, 0xFB, 0xFC}
SONG_POSITION = 0xF2
SYSTEM_COMMON = {0xF1, 0xF3, 0xF6, 0xFE}   # time code, song select, tune request, active sensing: not ours
KEEP_GOING = "keep_going"   # internal action: the input vanished, keep the groove
COUNT_IN = "count_in"       # internal action: play the count-in clicks
CLICK_HIGH, CLICK_LOW = 76, 77   # wood blocks (tuyaqtas): the bar's first click high, the others low


def rss_mb() -> float | None:
    """Resident memory of this process (Linux), in MiB."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    import os  # noqa: PLC0415

    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


@dataclass
class LiveConfig:
    input: str | None = None            # a port name (substring) or None for a virtual input port
    midi_api: str = "auto"              # auto, jack or alsa
    audio: AudioConfig = field(default_factory=AudioConfig)
    soundfont: Path | None = None
    style: str = "auto"
    pattern_dirs: list[Path] | None = None
    seed: int = 0
    converter_latency: float = 0.0      # s from the string to the converter's note-on
    channels: tuple[int, ...] | None = None   # guitar channels (None: all)
    midi_out: str | None = None         # also send the band (and MIDI clock) to this port
    clock_out: bool = False             # send MIDI clock (24 per beat) with start/stop to --midi-out
    clock_in: bool = False              # follow MIDI clock and start/stop arriving on the input
    footswitch: FootswitchMap | None = None
    on_input_loss: str = "finish"       # finish (the band plays its ending) or continue (keeps the groove)
    duration: float | None = None       # stop by itself after this many seconds (None: until stopped)
    bpm: float | None = None            # the expected tempo: centre of the tempo prior, and the count-in's
    count_in: int = 0                   # bars of count-in clicks at `bpm` when the session starts


@dataclass
class Counters:
    messages: int = 0       # MIDI messages in
    garbage: int = 0        # malformed messages dropped
    port_lost: int = 0      # times the input port vanished
    reconnects: int = 0
    tick_late: int = 0      # engine ticks more than a tick late (the band still plays on time)
    controls: int = 0       # footswitch / program messages acted on


class LiveSession:
    def __init__(self, config: LiveConfig, on_status: Callable[[dict], None] | None = None,
                 on_event: Callable[[str, dict], None] | None = None):
        self.config = config
        self.clock = SystemClock()
        self.counters = Counters()
        self.latency = LatencyStats()
        self.on_status = on_status or (lambda s: None)
        self.on_event = on_event or (lambda kind, data: None)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._input_lost_at: float | None = None
        self._notes_window: list[float] = []
        self._taps: list[float] = []          # count-in clicks still to be told to the beat tracker
        c = config
        # Everything that can fail on bad input fails here, before any sound or port exists.
        self.soundfont = find_soundfont(c.soundfont)
        self._chooser = style_chooser(c.style, c.pattern_dirs)
        self.backend = choose_backend(c.midi_api)
        self.sinks: list = []
        self.synth: FluidLiveSink | None = None
        self.input: MidiInput | None = None
        self.output: MidiOutput | None = None
        self.follower = ClockFollower() if c.clock_in else None
        self.controls = Controls(c.footswitch or FootswitchMap(), self._act)

    # -- set-up and tear-down ---------------------------------------------------------------------------
    def open(self) -> None:
        c = self.config
        try:
            self.synth = FluidLiveSink(self.clock, self.soundfont, c.audio)
            self.sinks = [self.synth]
            if c.midi_out is not None:
                self.output = MidiOutput(self.backend, c.midi_out or None)
                sender = TimedSender(self.output, self.clock)
                self.sinks.append(MidiOutSink(sender))
                if c.clock_out:
                    self.sinks.append(ClockOutSink(sender, lambda: self.engine.listener.beat.period))
            guitar = GuitarConfig(channels=c.channels, converter_latency=c.converter_latency)
            listener = ListenerConfig(guitar=guitar) if c.bpm is None else ListenerConfig(guitar=guitar, bpm_prior=c.bpm)
            self.engine = Engine(self._chooser, c.seed, self.sinks, EngineConfig(listener,
                                                                                 pattern_dirs=c.pattern_dirs))
            self.input = MidiInput(self.backend, c.input, self._enqueue, self.clock.now,
                                   ignore_clock=not c.clock_in)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the engine thread, silence everything, close ports. Safe to call more than once."""
        self._stop.set()
        thread = getattr(self, "_thread", None)
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            thread.join(timeout=2.0)
        if self.input is not None:
            self.input.close()
            self.input = None
        for sink in self.sinks:
            try:
                sink.close()       # the synth sink panics first: all notes off, all sound off
            except Exception as exc:  # noqa: BLE001 (keep closing the others)
                self.on_event("error", {"where": "close", "error": repr(exc)})
        self.sinks = []
        if self.output is not None:
            self.output.close()
            self.output = None

    # -- the input callback (backend thread) -----------------------------------------------------------
    def _enqueue(self, data: list[int], stamp: float) -> None:
        self._queue.put((data, stamp))

    # -- the engine thread -------------------------------------------------------------------------------
    def _engine_loop(self) -> None:
        clock, engine = self.clock, self.engine
        n = math.ceil(clock.now() / TICK)
        try:
            while not self._stop.is_set():
                due = n * TICK
                while True:
                    wait = due - clock.now()
                    if wait <= 0:
                        break
                    try:
                        data, stamp = self._queue.get(timeout=wait)
                    except queue.Empty:
                        break
                    self._handle(data, stamp)
                now = clock.now()
                if now - due > TICK:
                    self.counters.tick_late += 1
                self.controls.tick(now)
                while self._taps and self._taps[0] <= now:
                    self.engine.listener.beat.tap(self._taps.pop(0))
                engine.tick(now)
                for sink in self.sinks:
                    flush = getattr(sink, "flush", None)
                    if flush is not None:
                        flush(now)
                n = max(n + 1, math.floor(now / TICK) + 1)   # skip missed ticks; lateness never compounds
        except BaseException as exc:  # noqa: BLE001 (reported by run(), which silences the band)
            self._error = exc
            self._stop.set()

    def post(self, action: str, value: int | None = None) -> None:
        """Ask the engine thread to act (from any thread): the band's state is only touched there."""
        self._queue.put(((action, value), self.clock.now()))

    def _handle(self, data, stamp: float) -> None:
        if isinstance(data, tuple):
            action, value = data
            self._act(action, stamp, value)
            return
        self.counters.messages += 1
        if not data:
            self.counters.garbage += 1
            return
        status = data[0]
        if status in REALTIME:
            if self.follower is not None:
                self._clock_message(status, stamp)
            return
        if status == SONG_POSITION and len(data) == 3 and data[1] < 0x80 and data[2] < 0x80:
            if self.follower is not None:     # a DAW about to continue from a bar other than the first
                self.follower.position(data[1] | data[2] << 7)
            return
        if status in SYSTEM_COMMON:
            return
        try:
            msg = InputMessage(stamp, status, data[1] if len(data) > 1 else 0, data[2] if len(data) > 2 else 0)
        except ValueError:
            self.counters.garbage += 1   # a malformed message: counted, never fatal
            return
        if self.controls.feed(msg):
            self.counters.controls += 1
            return
        self.engine.feed(msg)
        if msg.kind == 0x90 and msg.data2 > 0:
            self._notes_window.append(stamp)
        now = self.clock.now()
        self.engine.listener.update(now)
        self.latency.add(self.clock.now() - stamp)

    def _clock_message(self, status: int, stamp: float) -> None:
        f = self.follower
        tracker = self.engine.listener.beat
        per_beat = clocks_per_beat(tracker.subdivision)   # eighths per beat: 3 in compound time
        if status == 0xF8:
            beat = f.clock(stamp, per_beat)
            if beat is not None:
                tracker.follow_master(beat.time, beat.period, beat.number)
        elif status in (0xFA, 0xFB):
            beat = f.start(stamp, restart=status == 0xFA, fallback_period=tracker.period, per_beat=per_beat)
            if beat is not None:              # the band's bars start where the master's do
                tracker.follow_master(beat.time, beat.period, beat.number)
            self._act(Action.START, stamp)
        elif status == 0xFC:
            f.stop()
            self._act(Action.STOP, stamp)

    # -- actions from footswitches, program changes and MIDI clock ------------------------------------
    def _act(self, action: str, now: float, value: int | None = None) -> None:
        eng = self.engine
        self.on_event("control", {"action": action, "value": value})
        if action == COUNT_IN:
            self._count_in(now)
            return
        if action == KEEP_GOING:
            eng.scheduler.keep_going = True
            return
        if action == Action.START:
            eng.scheduler.keep_going = False
        if action == Action.START_STOP:
            action = Action.STOP if eng.scheduler.playing else Action.START
        if action == Action.TAP:
            eng.listener.beat.tap(now)
        elif action == Action.LOCK:
            eng.listener.beat.hold_tempo = not eng.listener.beat.hold_tempo
        elif action == Action.STYLE:
            names = self._style_names()
            if value is not None and names:
                try:
                    eng.set_style(names[value % len(names)])
                except EngineError as exc:   # a broken user style: say so, keep playing the current one
                    self.on_event("error", {"where": "program change", "error": str(exc)})
        else:
            eng.cue(action, now)

    def _count_in(self, now: float) -> None:
        """Clicks on the wood blocks for `count_in` bars at `bpm`; each is a tap for the beat tracker, so
        the band knows the tempo and the beat before the first note."""
        from engine.events import PERCUSSION, Note  # noqa: PLC0415

        c = self.config
        period = 60.0 / c.bpm
        per_bar = 4
        if c.style != "auto":
            from engine.arrange.patterns import load_style  # noqa: PLC0415

            per_bar = max(2, round(load_style(c.style, c.pattern_dirs).beats_per_bar))
        start = now + 0.3
        for k in range(c.count_in * per_bar):
            t = start + k * period
            self.synth.send(Note(t, 0.1, 9, CLICK_HIGH if k % per_bar == 0 else CLICK_LOW,
                                 110 if k % per_bar == 0 else 85, PERCUSSION))
            self._taps.append(t)
        self.on_event("count-in", {"bars": c.count_in, "bpm": c.bpm, "first_beat_after": round(start + c.count_in * per_bar * period, 3)})

    def _style_names(self) -> list[str]:
        from engine.arrange.patterns import list_styles  # noqa: PLC0415

        fmap = self.config.footswitch
        if fmap is not None and fmap.program_styles:
            return list(fmap.program_styles)
        return sorted(list_styles(self.config.pattern_dirs))

    # -- the calling thread --------------------------------------------------------------------------------
    def run(self) -> int:
        """Play until stopped. Returns the exit code: 0 after a clean stop, 1 after a runtime failure."""
        previous = {}

        def terminate(signum, _frame):
            raise KeyboardInterrupt

        on_main = threading.current_thread() is threading.main_thread()
        if on_main:
            for sig in (signal.SIGTERM, signal.SIGHUP):
                previous[sig] = signal.signal(sig, terminate)
        try:
            if self.synth is None:
                self.open()
            self.on_event("start", self.describe())
            # Hand the GIL over every 0.5 ms instead of 5: the engine thread wakes on time even when another
            # Python thread is busy (the audio itself never waits on Python: it is in FluidSynth's sequencer).
            sys.setswitchinterval(0.0005)
            self._thread = threading.Thread(target=self._engine_loop, name="aqyn-engine", daemon=True)
            self._thread.start()
            if self.config.count_in:
                self.post(COUNT_IN)
            start = self.clock.now()
            next_status = next_check = start
            while not self._stop.is_set():
                now = self.clock.now()
                if self.config.duration is not None and now - start >= self.config.duration:
                    break
                if now >= next_check:
                    next_check += PORT_CHECK_EVERY
                    self._watch_input(now)
                if now >= next_status:
                    next_status += STATUS_EVERY
                    self.on_status(self.status(now))
                self._stop.wait(0.05)
        except KeyboardInterrupt:
            self.on_event("stop", {"reason": "interrupted"})
        finally:
            self.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self._error is not None:
            self.on_event("error", {"where": "engine", "error": repr(self._error)})
            return 1
        return 0

    def _watch_input(self, now: float) -> None:
        """Survive a vanished input port: the band finishes (or keeps going), and we reconnect when it returns."""
        inp = self.input
        if inp is None:
            return
        if inp.alive():
            return
        if self._input_lost_at is None:
            self._input_lost_at = now
            self.counters.port_lost += 1
            self.on_event("input lost", {"port": inp.source})
            self.post(Action.ENDING if self.config.on_input_loss == "finish" else KEEP_GOING)
        if inp.reopen():
            self._input_lost_at = None
            self.counters.reconnects += 1
            self.on_event("input back", {"port": inp.source})
            self.post(Action.START)

    @property
    def synth_notes(self) -> int:
        return self.synth.notes if self.synth else 0

    @property
    def late_events(self) -> int:
        sch = getattr(getattr(self, "engine", None), "scheduler", None)
        return (self.synth.late if self.synth else 0) + (sch.late if sch else 0)

    # -- status ------------------------------------------------------------------------------------------
    def describe(self) -> dict:
        c = self.config
        return {
            "input": self.input.source if self.input and self.input.source else "aqyn:guitar in (virtual)",
            "midi_backend": self.backend.name,
            "audio": self.synth.describe() if self.synth else "",
            "soundfont": str(self.soundfont),
            "style": c.style,
            "converter_latency_ms": round(c.converter_latency * 1000, 1),
            "midi_out": self.output.target if self.output else None,
        }

    def status(self, now: float) -> dict:
        L = self.engine.listener
        st = L.state(now)
        sch = self.engine.scheduler
        beat = L.beat
        window = [t for t in self._notes_window if now - t <= 2.0]
        self._notes_window = window
        in_bar = None
        if beat.period is not None:
            pos = beat.position_at(now)
            in_bar = int(math.floor(pos) - beat.downbeat_residue()) % beat.beats_per_bar + 1
        return {
            "time": round(now, 3),
            "key": f"{tonic_name(st.tonic, st.mode)} {st.mode}" if st.tonic is not None else None,
            "key_confidence": round(st.key_confidence, 2),
            "chord": L.chord_label,
            "bpm": round(st.bpm, 1) if st.bpm else None,
            "beat_confidence": round(st.beat_confidence, 2),
            "beat_in_bar": in_bar,
            "beats_per_bar": beat.beats_per_bar,
            "playing": sch.playing,
            "section": sch.section or ("waiting" if not sch.held else "stopped"),
            "style": sch.arranger.style.name if sch.arranger else None,
            "notes_per_s": round(len(window) / 2.0, 1),
            "late_events": (self.synth.late if self.synth else 0) + sch.late,
            "muted_channels": sorted(self.synth.muted) if self.synth else [],
            "dropped": dict(L.dropped) if isinstance(L.dropped, dict) else L.dropped,
            "messages": self.counters.messages,
            "garbage": self.counters.garbage,
            "input": "lost" if self._input_lost_at is not None else "ok",
            "decision_ms": self.latency.summary_ms(),
            "rss_mb": rss_mb(),
        }
