"""`aqyn play CHART` live: the chart's band through FluidSynth in real time, no guitar input.

The same engine and loop as `aqyn live` (engine/live/loop.py on a `SystemClock`, the FluidSynth live sink),
with the chart's listener; the form's cues come from a list known in advance, merged with the footswitch's
(a `LiveFeed` on the `--in` port, through the same footswitch map as `aqyn live`). It plays until the band's
ending is over, the duration runs out, Ctrl-C, SIGTERM or SIGHUP; then every note is silenced (the sink's
close).
"""

from __future__ import annotations

import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.chart.parse import Chart
from engine.chart.play import PlayOptions, chart_engine, key_name, prepare
from engine.clock import Clock, SystemClock
from engine.inputs import TimedInput, input_order
from engine.live.session import stop_signals

LEAD = 0.5     # s from opening the synth to the first click (or the band's set-up)


@dataclass(frozen=True)
class LivePlay:
    """Where a live chart plays: SoundFont (None: the best installed), FluidSynth audio driver (and the WAV
    of the file driver), a footswitch map and the MIDI port it is on, the MIDI backend for that port."""

    soundfont: Path | None = None
    audio_driver: str = "jack"
    audio_file: Path | None = None
    footswitch: Path | None = None
    in_port: str | None = None
    midi_api: str = "auto"


class ChartSource:
    """The engine's `Source` live: the chart's timed inputs as their time comes, with whatever the footswitch
    `feed` (a LiveFeed, or None) brings; waits on the clock like the live feed. The lines of `said` ((time s,
    text), in order) go to `say` when their time comes: where the player is in the chart."""

    def __init__(self, items: list[TimedInput], feed=None, said: list[tuple[float, str]] = (),
                 say: Callable[[str], None] = print):
        self.items, self.next, self.feed = list(items), 0, feed
        self.said, self.say = list(said), say       # (time s, line): told when their time comes

    @property
    def arrivals(self) -> list[float]:
        """Stamps of the MIDI messages pulled this tick (the live loop measures their latency)."""
        return self.feed.arrivals if self.feed is not None else []

    def pull(self, clock: Clock, due: float) -> list[TimedInput]:
        """The inputs due by `due` (s), in order; returns with the clock at `due`."""
        out = self.feed.pull(clock, due) if self.feed is not None else []
        if self.feed is None:
            clock.sleep_until(due)
        while self.next < len(self.items) and self.items[self.next].time <= due:
            out.append(self.items[self.next])
            self.next += 1
        while self.said and self.said[0][0] <= due:
            self.say(self.said.pop(0)[1])
        return sorted(out, key=input_order)


def play_live(chart: Chart, options: PlayOptions, live: LivePlay, clock: Clock | None = None,
              duration: float | None = None, say: Callable[[str], None] = print) -> int:
    """Play `chart` live until its ending is over (or `duration` seconds, or Ctrl-C); returns the exit code
    (0). Raises EngineError (ChartError, StyleNotFound, SoundFontNotFound, AudioDriverError, PortNotFound,
    ConfigError, OptionError ...) before any sound when something is wrong."""
    from engine.arrange.styles import list_styles  # noqa: PLC0415 (live only)
    from engine.io.fluid_live import AudioConfig, FluidLiveSink  # noqa: PLC0415
    from engine.io.ports import MidiInput, check_named, choose_backend  # noqa: PLC0415
    from engine.io.soundfont import find_soundfont  # noqa: PLC0415
    from engine.live.controls import FootswitchMap  # noqa: PLC0415
    from engine.live.feed import LiveFeed  # noqa: PLC0415
    from engine.live.loop import LiveLoop  # noqa: PLC0415

    clock = clock or SystemClock()
    prepare(chart, options)                         # a bad chart or option fails before any sound
    soundfont = find_soundfont(live.soundfont)
    fmap = FootswitchMap.load(live.footswitch, list_styles(options.pattern_dirs)) if live.footswitch else None
    feed = LiveFeed(fmap, pattern_dirs=options.pattern_dirs) if live.in_port else None
    backend = choose_backend(live.midi_api) if live.in_port else None
    if backend is not None:
        check_named(backend, live.in_port)          # before the synth: its file driver writes at once
    synth = FluidLiveSink(clock, soundfont, AudioConfig(driver=live.audio_driver, file=live.audio_file))
    port = None
    stopped: list[int] = []                          # the stop signal, once one came (Ctrl-C, SIGTERM)
    previous = stop_signals(stopped.append)
    try:
        if feed is not None:
            port = MidiInput(backend, live.in_port, feed.put, clock.now, port_name="footswitch in")
        started = clock.now()
        prepared = prepare(chart, options, start=started + LEAD)
        engine = chart_engine(prepared, options, [synth])
        song = prepared.song
        say(f"aqyn play: {song.title}, key {key_name(song.key)}, {song.tempo}, {len(song.bars)} bars, "
            f"style {prepared.style.name}; {synth.describe()}; Ctrl-C stops")
        end = prepared.listener.end_time

        def done(now: float) -> bool:
            return (bool(stopped) or (now > end and not engine.playing)
                    or (duration is not None and now - started >= duration))

        said = [(t, f"  {text.removeprefix('chart: ')}") for t, text in prepared.listener.markers()]
        LiveLoop(engine, ChartSource(prepared.inputs, feed, said, say), clock).play(done)
    except KeyboardInterrupt:                       # off the main thread Ctrl-C is Python's own
        stopped.append(signal.SIGINT)
    finally:
        _close(port, synth, previous)
    if stopped:
        say("stopped")
    return 0


def _close(port, synth, previous: dict) -> None:
    """The footswitch port closed, the synth faded out and silenced (all notes and sounds off), and the signal
    handlers from before `stop_signals` put back."""
    if port is not None:
        port.close()
    synth.close()
    for sig, handler in previous.items():
        signal.signal(sig, handler)
