"""A live session: a MIDI input port in, the band out through FluidSynth in real time.

Threads:
- the MIDI backend's callback thread only timestamps the bytes and queues them on the `LiveFeed`;
- the engine thread runs the one loop (`LiveLoop`, i.e. `engine.pipeline.run`): the inputs due, a tick on an
  absolute 10 ms grid (the grid offline render uses), then the sinks commit what is due;
- the calling thread watches the input port, refreshes the status view and handles signals.

Whatever ends the session (Ctrl-C, SIGTERM, an exception, the duration running out) goes through one
`finally` that stops the engine thread and sends all-notes-off and all-sound-off on every channel: no
note is ever left hanging. A signal only asks for the stop (`stop_signals`): the calling thread stops between
two of its steps, never halfway through reconnecting to a JACK server that came back or through `close`
itself (a second Ctrl-C or SIGTERM while closing changes nothing).
"""

from __future__ import annotations

import math
import signal
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from engine.arrange.styles import AUTO, count_in_beats, style_chooser
from engine.clock import Clock, SystemClock
from engine.errors import EngineError, PortNotFound
from engine.inputs import Cue
from engine.io.clock_out import ClockOutSink
from engine.io.fluid_live import AudioConfig, FluidLiveSink
from engine.io.jack_watch import JackWatch
from engine.io.midi_out import MidiOutSink, TimedSender
from engine.io.outputs import check_output
from engine.io.ports import MidiInput, MidiOutput, check_named, choose_backend, match_port, others
from engine.io.soundfont import find_soundfont
from engine.io.take import TakeRecorder
from engine.listen.listener import PlayerSettings
from engine.live.controls import FootswitchMap
from engine.live.feed import COUNT_IN, INPUT_GAP, CountInPlan, LiveFeed
from engine.live.loop import LiveLoop
from engine.live.status import status_of
from engine.mixer import Levels
from engine.pipeline import Engine, EngineConfig
from engine.schedule import SchedulerConfig

STATUS_EVERY = 0.25     # s between status snapshots
PORT_CHECK_EVERY = 0.25  # s between checks that the input port still exists: under --on-input-loss continue a
#                         pulled cable seen within a quarter second keeps the band from its stop-time (heard 0.3 s
#                         after the last note at 96 BPM): checked every second, the band was silent up to a second
#                         and wrote "stop", "stop: back" (sparse25's keep_replay.py; the check is a port listing)
UNLINKED_CHECKS = 2      # port checks in a row that must find our JACK connection gone before we connect again:
#                         one read right after a connect (at the start, after a reconnect) missed it on a loaded
#                         server 2 times in 6 (test_a_removed_connection_is_made_again_and_the_band_plays_on)


@dataclass
class LiveConfig:
    """Everything `aqyn live` was told: ports, sound, style, the player's settings, controls, limits."""

    input: str | None = None            # a port name (substring) or None for a virtual input port
    midi_api: str = "auto"              # auto, jack or alsa
    audio: AudioConfig = field(default_factory=AudioConfig)
    soundfont: Path | None = None
    style: str = AUTO
    pattern_dirs: list[Path] | None = None
    seed: int = 0
    player: PlayerSettings = field(default_factory=PlayerSettings)   # converter, channels, tempo, count-in
    midi_out: str | None = None         # also send the band (and MIDI clock) to this port
    clock_out: bool = False             # send MIDI clock (24 per quarter) with start/stop to --midi-out
    clock_in: bool = False              # follow MIDI clock and start/stop arriving on the input
    footswitch: FootswitchMap | None = None
    on_input_loss: str = "finish"       # finish (the band plays its ending) or continue (keeps the groove)
    duration: float | None = None       # stop by itself after this many seconds (None: until stopped)
    levels: Levels = field(default_factory=Levels)   # the parts' levels (dB) to start with (engine/mixer.py)
    record: Path | None = None          # write the take (engine/io/take.py) to this MIDI file


@dataclass
class Counters:
    """Faults survived by the session itself (the feed counts messages, garbage and controls)."""

    port_lost: int = 0      # times the input port vanished
    reconnects: int = 0
    relinks: int = 0        # times the input's JACK connection was gone while its port stayed, and was made again


class LiveSession:
    """Opens the ports and the synth, runs the band until stopped, and closes everything silently.

    `clock`: the session's clock (a `SystemClock` by default). `on_status(dict)` is called every
    STATUS_EVERY seconds, `on_event(kind, dict)` for each event worth telling the player. Raises EngineError
    subclasses (one-line messages) for bad settings, before any sound or port exists.
    """

    def __init__(self, config: LiveConfig, on_status: Callable[[dict], None] | None = None,
                 on_event: Callable[[str, dict], None] | None = None, clock: Clock | None = None):
        self.config = config
        self.clock = clock or SystemClock()
        self.counters = Counters()
        self.on_status = on_status or (lambda s: None)
        self.on_event = on_event or (lambda kind, data: None)
        self._stop = threading.Event()
        self._signalled: int | None = None     # the stop signal that arrived (set by the handler, nothing else)
        self._napping = False                   # the calling thread is in its 50 ms wait: a signal may cut it
        self._error: BaseException | None = None
        self._input_lost_at: float | None = None
        self._unlinked = 0          # port checks in a row that found our input's JACK connection gone
        self._relinked = False      # a relink made and not yet seen linked: the next one takes a new client
        self._closed: set[str] = set()   # our JACK outputs ("audio", "midi out") a server restart left closed
        c = config
        # Everything that can fail on bad input fails here, before any sound or port exists.
        self.recorder: TakeRecorder | None = None
        if c.record is not None:
            check_output(c.record, "take")
            self.recorder = TakeRecorder(c.record, self._about_take())
        self.soundfont = find_soundfont(c.soundfont)
        self._chooser = style_chooser(c.style, c.pattern_dirs, strict=False)   # live, the band plays on
        self.backend = choose_backend(c.midi_api)
        self.feed = LiveFeed(c.footswitch, c.clock_in, c.pattern_dirs, self._count_in_plan(),
                             on_event=lambda kind, data: self.on_event(kind, data))
        self.sinks: list = []
        self.synth: FluidLiveSink | None = None
        self.input: MidiInput | None = None
        self.output: MidiOutput | None = None
        self.engine: Engine | None = None
        self.loop: LiveLoop | None = None
        self.watch: JackWatch | None = None    # the JACK server, when the MIDI or the audio goes through one
        if self.recorder is not None:
            self.feed.on_inputs = self.recorder.inputs

    def _about_take(self) -> str:
        """The take's text event: how it was played, and the render that replays it with the same settings."""
        c, p = self.config, self.config.player
        options = [f"--style {c.style}"] if c.style != AUTO else []
        options += [f"--seed {c.seed}"] if c.seed else []
        if p.converter_latency:
            options.append(f"--converter-latency-ms {p.converter_latency * 1000:g}")
        if p.channels is not None:
            options.append("--channels " + ",".join(str(ch + 1) for ch in p.channels))
        if p.bpm is not None:             # the tempo hint (the count-in itself is a marker of the take)
            options.append(f"--bpm {p.bpm:g}")
        return "recorded by aqyn live; replay with: " + " ".join(["aqyn render TAKE.mid -o OUT.mid", *options])

    def _count_in_plan(self) -> CountInPlan | None:
        c, p = self.config, self.config.player
        if not p.count_in:
            return None
        return CountInPlan(p.count_in, p.bpm, p.count_meter or count_in_beats(c.style, c.pattern_dirs))

    # -- set-up and tear-down ---------------------------------------------------------------------------
    def open(self) -> None:
        """Start the synth, open the MIDI output and input. Raises EngineError (and closes what opened)."""
        c = self.config
        try:
            check_named(self.backend, c.input, c.midi_out)
            if self.backend.name == "jack" or c.audio.driver == "jack":
                # First: a server dying once any of our JACK clients exists is then told (opened after the ports,
                # as it was, it missed a death between them and itself, and nothing noticed it).
                watch = JackWatch()
                self.watch = watch if watch.open() else None
            self.synth = FluidLiveSink(self.clock, self.soundfont, c.audio)
            self.sinks = [self.synth]
            if self.recorder is not None:
                self.sinks.append(self.recorder.band)
            if c.midi_out is not None:
                self.output = MidiOutput(self.backend, c.midi_out or None)
                sender = TimedSender(self.output, self.clock)
                self.sinks.append(MidiOutSink(sender))
                if c.clock_out:
                    self.sinks.append(ClockOutSink(sender))
            config = EngineConfig(c.player.listener_config(), SchedulerConfig(levels=c.levels),
                                  pattern_dirs=c.pattern_dirs)
            self.engine = Engine(self._chooser, c.seed, self.sinks, config)
            engine = self.engine
            self.feed.band_waits = lambda: not engine.playing and not engine.listener.playing
            self.loop = LiveLoop(self.engine, self.feed, self.clock)
            self.input = MidiInput(self.backend, c.input, self.feed.put, self.clock.now,
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
        if self.synth is not None:
            # The sound fades at once; closing the ports comes after (each a JACK round trip, which on a loaded
            # server took long enough that a hit had died away before its fade began).
            self.synth.fade_out()
        if self.watch is not None and not self.watch.alive():
            self._abandon_jack_clients()       # closing a client of a dead server crashes libjack
        if self.watch is not None:
            self.watch.close()
            self.watch = None
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
        self._close_take()

    def _close_take(self) -> None:
        """Write the take once more with everything in it (after the engine thread stopped); a session that
        never started writes none."""
        if self.recorder is None or not self.recorder.written:
            return
        try:
            self.recorder.close()
            self.on_event("take", {"file": str(self.recorder.path), "messages": self.recorder.messages})
        except EngineError as exc:
            self.on_event("error", {"where": "take", "error": str(exc)})
        self.recorder = None

    # -- the engine thread ---------------------------------------------------------------------------------
    def _engine_thread(self) -> None:
        try:
            self.loop.play(lambda now: self._stop.is_set())
        except BaseException as exc:  # noqa: BLE001 (reported by run(), which silences the band)
            self._error = exc
            self._stop.set()

    def post(self, request: str) -> None:
        """Ask the engine thread to act (from any thread): a cue name or COUNT_IN."""
        self.feed.post(request, self.clock.now())

    # -- the calling thread --------------------------------------------------------------------------------
    def run(self) -> int:
        """Play until stopped. Returns the exit code: 0 after a clean stop, 1 after a runtime failure."""
        previous = stop_signals(self._on_signal)
        try:
            if self.synth is None:
                self.open()
            self.on_event("start", self.describe())
            self._flush_take(self.clock.now())      # the take exists (and is valid) from the start
            # Hand the GIL over every 0.5 ms instead of 5: the engine thread wakes on time even when another
            # Python thread is busy (the audio itself never waits on Python: it is in FluidSynth's sequencer).
            sys.setswitchinterval(0.0005)
            self._thread = threading.Thread(target=self._engine_thread, name="aqyn-engine", daemon=True)
            self._thread.start()
            if self.config.player.count_in:
                self.post(COUNT_IN)
            self._watch()
        except _Wake:
            pass
        except KeyboardInterrupt:     # off the main thread no handler is ours: Ctrl-C is Python's
            self._signalled = signal.SIGINT
        finally:
            if self._signalled is not None:
                self.on_event("stop", {"reason": "interrupted"})
            self.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self._error is not None:
            self.on_event("error", {"where": "engine", "error": repr(self._error)})
            return 1
        return 0

    def _on_signal(self, signum: int) -> None:
        # Runs in the main thread between two bytecodes, wherever it is: it records the signal, and cuts only
        # the watch's wait short (so a fade starts at once), where nothing is half done.
        self._signalled = signum
        if self._napping:
            self._napping = False               # one wake per wait: a second signal only records
            raise _Wake

    def _watch(self) -> None:
        """Until stopped (a signal, an engine failure) or the duration is over: the input port every second, the
        status four times a second; a stop signal is seen within 50 ms."""
        start = self.clock.now()
        next_status = next_check = start
        while not self._stop.is_set() and self._signalled is None:
            now = self.clock.now()
            if self.config.duration is not None and now - start >= self.config.duration:
                break
            if now >= next_check:
                next_check += PORT_CHECK_EVERY
                self._reopen_outputs()
                self._watch_input(now)
            if now >= next_status:
                next_status += STATUS_EVERY
                self.on_status(self.status(now))
            self._flush_take(now)
            self._napping = True
            try:
                self._stop.wait(0.05)
            finally:
                self._napping = False

    def _flush_take(self, now: float) -> None:
        """Rewrite the take on disk every second; a failure (a full disk) is told once and recording stops,
        the band plays on."""
        rec = self.recorder
        if rec is None or now < rec.next_flush:
            return
        try:
            rec.flush(now)
        except EngineError as exc:
            self.on_event("error", {"where": "take", "error": str(exc)})
            self.feed.on_inputs, self.recorder = None, None

    def _watch_input(self, now: float) -> None:
        """Survive a vanished input port or JACK server: the band finishes (or keeps going), and we reconnect
        when it returns (after a server restart: the input, the JACK audio and the MIDI output, all anew)."""
        inp = self.input
        if inp is None:
            return
        server_gone = self.watch is not None and not self.watch.alive()
        if not server_gone and self._input_lost_at is None and inp.alive():
            if self._linked(inp):
                self._unlinked, self._relinked = 0, False
                return
            if self._relink(inp):
                return
        self._unlinked = 0
        if server_gone:
            # At once, before anything opens a JACK client again: that open frees the dead clients inside
            # libjack, and a client still held then would be closed (a crash) by a stop before its reopen.
            self._abandon_jack_clients()
        if self._input_lost_at is None:
            self._input_lost_at = now
            self.counters.port_lost += 1
            self.on_event("input lost", {"port": inp.source, "jack_server": "gone" if server_gone else "ok"})
            self.post(INPUT_GAP)          # the notes sounding at the loss lost their note-offs with it
            self.post(Cue.ENDING if self.config.on_input_loss == "finish" else Cue.KEEP_GOING)
        if self._signalled is not None:
            return            # stopping: reconnect nothing (a signal landing in libjack's open fails it)
        if server_gone:
            if not self.watch.reopen():
                return                           # not back yet: try again at the next check
            self._server_back()
        if self._port_there(inp.wanted, "input") and inp.reopen(server_died=server_gone):
            self._input_lost_at = None
            self.counters.reconnects += 1
            self.on_event("input back", {"port": inp.source})
            self.post(Cue.RESUME)

    def _relink(self, inp: MidiInput) -> bool:
        """Our input's connection is gone while its source port is there: connect again, the band playing on
        (an "input lost" would have started its ending for what a patchbay click or a failed connect did). True
        while that is so: the connection not yet seen gone twice in a row (JACK shows a graph change from its
        next process cycle on, so a connection just made can read as absent: measured at the start and right
        after a reconnect, on a loaded server), or connected again -- said as "input relinked" and counted in
        `relinks`, and checked from the next check on. False when it could not connect (the port lost).

        A relink not seen linked before the next is made on a new client: JACK refuses a connection to the ports
        of a client it no longer runs (deactivated, or zombified on a loaded server), and rtmidi's open_port drops
        jack_connect's failure, so our client's "connected" port stayed unconnected (CI, stop 38: 43 relinks in
        5 s after a server restart, none held)."""
        self._unlinked += 1
        if self._unlinked < UNLINKED_CHECKS:
            return True
        if not inp.reopen(new_client=self._relinked):
            return False
        self._unlinked, self._relinked = 0, True
        self.counters.relinks += 1
        self.post(INPUT_GAP)              # note-offs played while unlinked were lost
        self.on_event("input relinked", {"port": inp.source})
        return True

    def _port_there(self, wanted: str | None, kind: str) -> bool:
        """Whether the port `wanted` names (as `--in` or `--midi-out` name it; None: our virtual port) is among
        the JACK server's MIDI ports of `kind` ("input", "output"), read by the watch's client: a try to open it
        opens a new rtmidi client, which holds the GIL for seconds on a loaded server (the band stalls), so it is
        made only once the port is there. True when nothing tells (ALSA, no watch, a virtual port)."""
        if wanted is None or self.watch is None or self.backend.name != "jack":
            return True
        ports = self.watch.midi_ports(kind)
        if ports is None:
            return True
        try:
            match_port(wanted, others(ports), kind)
            return True
        except PortNotFound:
            return False

    def _linked(self, inp: MidiInput) -> bool:
        """False when the JACK watch sees our input's connection to its source gone while both ports stay
        (someone ran jack_disconnect, or rtmidi's own connect failed unseen: a restart test failed so in CI);
        True while linked or when nothing tells (ALSA, a virtual port, no watch)."""
        if self.watch is None or self.backend.name != "jack" or inp.wanted is None or inp.source is None:
            return True
        return inp.linked(self.watch.connections(inp.source))

    def _abandon_jack_clients(self) -> None:
        """The JACK server died: our clients of it are dangling; keep them, never close them."""
        if self.input is not None:
            self.input.abandon()
        if self.synth is not None and self.config.audio.driver == "jack":
            self.synth.abandon_driver()
        if self.output is not None and self.backend.name == "jack":
            self.output.abandon()

    def _server_back(self) -> None:
        """The JACK server is back: the synth's JACK audio and the MIDI output open anew (the input reopens in
        `_watch_input`), through `_reopen_outputs`, which says one that fails in an error event (the rest play on)
        and tries it again at each port check after."""
        parts = (("audio", self.synth is not None and self.config.audio.driver == "jack"),
                 ("midi out", self.output is not None and self.backend.name == "jack"))
        self._closed = {part for part, on_jack in parts if on_jack}
        self._reopen_outputs(first=True)

    def _reopen_outputs(self, first: bool = False) -> None:
        """Open again what the JACK server's restart closed and has not opened yet (`_closed`: "audio", "midi
        out"): at the server's return (`first`: a failure is said as an error event) and at each port check after,
        where an output opening is said as "output back" -- the port `--midi-out` names may come back after the
        server (a synth's JACK bridge started after jackd: review30's restart run found it missing once, and the
        band was lost to it for the rest of the gig). Nothing while the server is gone or a stop signal came: its
        interrupting libjack's calls (EINTR) is then the likely cause of a failure, and we are closing."""
        for part in sorted(self._closed):
            if self._signalled is not None or (self.watch is not None and not self.watch.alive()):
                return
            if part == "audio":
                opened = self.synth.reopen_driver()
            else:
                opened = self._port_there(self.output.wanted, "output") and self.output.reopen()
            if self._signalled is not None:
                return
            if opened:
                self._closed.discard(part)
                if not first:
                    self.on_event("output back", {"where": part})
            elif first:
                what = ("the JACK audio driver" if part == "audio" else self.output.target)
                self.on_event("error", {"where": part, "error": f"{what} did not open again; tried again at each "
                                                               "port check"})

    @property
    def synth_notes(self) -> int:
        """Notes the synth was given."""
        return self.synth.notes if self.synth else 0

    @property
    def late_events(self) -> int:
        """Events that reached the synth or were committed after their time."""
        late = self.engine.scheduler.late if self.engine else 0
        return (self.synth.late if self.synth else 0) + late

    # -- status ------------------------------------------------------------------------------------------
    def _levels(self) -> dict:
        """The parts' levels now, {part: dB, None when off} (JSON has no infinity); {} at the band's own mix."""
        levels = self.engine.scheduler.levels if self.engine else self.config.levels
        return {part: None if db == -math.inf else db for part, db in levels.levels}

    def describe(self) -> dict:
        """What the session plays through, for the start line and the log."""
        c = self.config
        return {
            "input": self.input.source if self.input and self.input.source else "aqyn:guitar in (virtual)",
            "midi_backend": self.backend.name,
            "audio": self.synth.describe() if self.synth else "",
            "soundfont": str(self.soundfont),
            "style": c.style,
            "converter_latency_ms": round(c.player.converter_latency * 1000, 1),
            "midi_out": self.output.target if self.output else None,
        }

    def status(self, now: float) -> dict:
        """A snapshot for the status view and the log (read from the engine's last state: thread-safe)."""
        s = status_of(self.engine, now)
        feed = self.feed
        s.update({
            "notes_per_s": feed.notes_per_second(now),
            "late_events": self.late_events,
            "muted_channels": sorted(self.synth.muted) if self.synth else [],
            "messages": feed.counters.messages,
            "garbage": feed.counters.garbage,
            "input": "lost" if self._input_lost_at is not None else "ok",
            "inputs_lost": self.counters.port_lost,
            "relinks": self.counters.relinks,
            "decision_ms": self.loop.latency.summary_ms() if self.loop else {"count": 0},
            "levels": self._levels(),
        })
        return s


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Wake(BaseException):   # noqa: N818 (not an error: a stop signal ending the watch's wait early)
    """Raised by the stop-signal handler only inside the watching thread's wait (see LiveSession._on_signal)."""


def stop_signals(request: Callable[[int], None]) -> dict:
    """Ctrl-C (SIGINT), SIGTERM and SIGHUP end live play: each calls `request(signum)`, which only records
    the stop; the session then stops between two steps and closes (the band is silenced, files are closed).
    Raising KeyboardInterrupt from the handler instead, as before, let a signal cut a reconnection or `close`
    in half: a JACK client freed by libjack closed again, a synth deleted under its audio driver. Installed on
    the main thread only (signals cannot be set elsewhere); returns the handlers before, to put back with
    signal.signal."""
    def handler(signum, _frame):
        request(signum)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in STOP_SIGNALS:
            previous[sig] = signal.signal(sig, handler)
    return previous
