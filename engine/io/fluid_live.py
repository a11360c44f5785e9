"""Live sound: FluidSynth with an audio driver, fed through its own sequencer, ahead of time.

The engine commits a note a look-ahead window before it should be heard. Here it becomes a timestamped
event in FluidSynth's sequencer, which runs on the synth's sample clock (`use_system_timer=False`), so the
note lands on FluidSynth's 64-frame grid however late Python wakes up: a busy Python thread never reaches
the audio. Note-offs wait in a small queue here and are committed OFF_WINDOW before they are due, so a string
struck again can end the previous note just before it instead of being cut by that note's older off.

Engine time (the `Clock`'s seconds) and sequencer time (sample-clock milliseconds) drift apart: a JACK dummy
backend under load falls behind the wall clock by ~1 %, a sound card by some ppm. Each flush samples
(now, sequencer tick); `now - tick` is never below the true offset (the tick only moves once per audio
period), so the minimum over the last samples tracks the offset within a period and follows drift.
A note meant to be *heard* at engine time t is placed at sequencer time t - offset - output latency.
"""

from __future__ import annotations

import ctypes
import heapq
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from engine.errors import AudioDriverError, SynthError
from engine.events import Control, Event, Note, Program
from engine.io.fluid_lib import import_fluidsynth

DRIVERS = ("jack", "alsa", "pulseaudio", "pipewire", "file", "sdl2", "oss")   # those aqyn knows how to set up;
                      # a FluidSynth library is built with some of them (audio_drivers() lists which)
SCALE = 1000          # sequencer ticks per second (it advances in whole milliseconds of sample time)
OFF_WINDOW = 0.05     # s: note-offs are committed this long before they are due (< the look-ahead)
OFFSET_SAMPLES = 4    # flushes over which the clock offset is the minimum (40 ms at the engine tick: a JACK
                      # stall moves the offset in one step, and the estimate must follow within a few ticks)
FADE = 0.08          # s: at close the sound fades out over this long (a signal mid-note, the end of a WAV) ...
FADE_STEPS = 20      # ... in this many steps of gain and reverb level, on a squared curve (no audible step)
LIVE_SETTINGS = {
    "synth.chorus.active": 0, "synth.gain": 0.5, "synth.midi-channels": 16, "synth.polyphony": 128,
    "synth.cpu-cores": 1,
}


@dataclass
class AudioConfig:
    """How the live synth reaches the ear: FluidSynth's audio driver (one of DRIVERS) and its settings.
    `sample_rate` in Hz, `period_size` in frames, `periods` the number of periods in the driver's buffer,
    `output_latency` in seconds."""

    driver: str = "jack"
    sample_rate: int = 48000
    period_size: int = 64          # frames per audio period (FluidSynth's own drivers; JACK sets its own)
    periods: int = 2
    jack_name: str = "aqyn-synth"  # JACK client name of the synth (the MIDI ports are client "aqyn")
    jack_autoconnect: bool = True  # connect to the system's playback ports
    file: Path | None = None       # the `file` driver's WAV
    output_latency: float | None = None   # s from synth to ear; None = estimated from the driver settings

    def estimated_latency(self) -> float:
        """Seconds from synth to ear, which the sink subtracts from every event's time: `output_latency` when
        given, 0 for the file driver, else the driver's buffer, `period_size` x `periods` / `sample_rate`.

        >>> round(AudioConfig().estimated_latency() * 1000, 2)   # 64 frames x 2 periods at 48 kHz, in ms
        2.67
        """
        if self.output_latency is not None:
            return self.output_latency
        if self.driver == "file":
            return 0.0
        return self.period_size * self.periods / self.sample_rate


def _lib():
    fluidsynth = import_fluidsynth()
    c = fluidsynth.cfunc
    vp, ci = ctypes.c_void_p, ctypes.c_int
    ext = {
        "cc": c("fluid_event_control_change", None, ("evt", vp, 1), ("chan", ci, 1), ("ctrl", ci, 1), ("val", ci, 1)),
        "program": c("fluid_event_program_change", None, ("evt", vp, 1), ("chan", ci, 1), ("val", ci, 1)),
        "gain": c("fluid_synth_set_gain", None, ("synth", vp, 1), ("gain", ctypes.c_float, 1)),
        "remove": c("fluid_sequencer_remove_events", None, ("seq", vp, 1), ("src", ctypes.c_short, 1),
                    ("dest", ctypes.c_short, 1), ("type", ci, 1)),
    }
    return fluidsynth, ext


def fluid_version() -> str:
    """The FluidSynth library's version, as its `fluid_version_str` gives it (e.g. "2.3.1"). Raises SynthError
    when the library cannot be loaded."""
    fluidsynth, _ = _lib()
    fn = fluidsynth._fl.fluid_version_str   # noqa: SLF001 (pyfluidsynth wraps no version call)
    fn.restype = ctypes.c_char_p
    return fn().decode()


def audio_drivers() -> list[str]:
    """The audio drivers this FluidSynth library was built with (its settings' option list)."""
    fluidsynth, _ = _lib()
    found: list[str] = []
    proto = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)

    def each(_data, _name, option):
        found.append(option.decode())

    callback = proto(each)
    foreach = fluidsynth.cfunc("fluid_settings_foreach_option", None, ("settings", ctypes.c_void_p, 1),
                               ("name", ctypes.c_char_p, 1), ("data", ctypes.c_void_p, 1),
                               ("func", proto, 1))
    settings = fluidsynth.new_fluid_settings()
    try:
        foreach(settings, b"audio.driver", None, callback)
    finally:
        fluidsynth.delete_fluid_settings(settings)
    return found


def check_driver(name: str) -> None:
    """Raises AudioDriverError with one line naming the drivers there are when `name` is not an audio driver
    this FluidSynth library was built with (Debian 12's has no pipewire: it plays through pulseaudio's
    or JACK's PipeWire layers), or one aqyn does not set up (DRIVERS); SynthError when the library is missing."""
    built = audio_drivers()
    if name not in built or name not in DRIVERS:
        usable = [d for d in built if d in DRIVERS]
        raise AudioDriverError(f"no audio driver {name!r} in this FluidSynth; use one of {', '.join(usable)} "
                               "(aqyn ports lists them)")


def _synth(fluidsynth, a: AudioConfig):
    """A FluidSynth `Synth` with the live settings and the audio settings of `a` (no driver open yet).
    Raises AudioDriverError when the file driver has no WAV path."""
    if a.driver == "jack":
        os.environ.setdefault("JACK_NO_START_SERVER", "1")   # else the driver spends ~6 s trying to start one
    settings = {k: v for k, v in LIVE_SETTINGS.items() if k not in ("synth.gain", "synth.midi-channels")}
    fs = fluidsynth.Synth(gain=LIVE_SETTINGS["synth.gain"], samplerate=float(a.sample_rate),
                          channels=LIVE_SETTINGS["synth.midi-channels"], **settings)
    for key, value in {"audio.driver": a.driver, "audio.period-size": a.period_size,
                       "audio.periods": a.periods}.items():
        fs.setting(key, value)
    if a.driver == "jack":
        fs.setting("audio.jack.id", a.jack_name)
        fs.setting("audio.jack.autoconnect", 1 if a.jack_autoconnect else 0)
    if a.driver == "file":
        if a.file is None:
            raise AudioDriverError("the file audio driver needs a WAV path (--audio-file PATH)")
        fs.setting("audio.file.name", str(a.file))
        fs.setting("audio.file.type", "wav")
    return fs


class FluidLiveSink:
    """A `Sink` that plays through FluidSynth in real time. `flush(now)` must be called every engine tick."""

    def __init__(self, clock, soundfont: Path, audio: AudioConfig | None = None):
        """Open the synth with `soundfont` (.sf2/.sf3), its sequencer on the sample clock and the audio driver
        of `audio` (default: JACK); `clock` gives engine time in seconds. Raises AudioDriverError for an
        unknown driver, a file driver without a WAV path or a driver that does not open, SynthError when
        the FluidSynth library or the SoundFont cannot be loaded."""
        self.clock = clock
        self.audio = audio or AudioConfig()
        a = self.audio
        fluidsynth, self._ext = _lib()
        check_driver(a.driver)
        self._fs_mod = fluidsynth
        fs = _synth(fluidsynth, a)
        self.synth = fs
        self.sfid = fs.sfload(str(soundfont))
        if self.sfid == -1:
            fs.delete()
            raise SynthError(f"FluidSynth could not load SoundFont {soundfont}")
        for ch in range(16):
            fs.program_select(ch, self.sfid, 128 if ch == 9 else 0, 0)
        self.sequencer = fluidsynth.Sequencer(time_scale=SCALE, use_system_timer=False)
        self.dest = self.sequencer.register_fluidsynth(fs)
        self._driver = self._open_driver(fluidsynth)
        self._abandoned: list = []   # drivers whose JACK server died (never deleted)
        self.latency = a.estimated_latency()
        self._offsets: deque[float] = deque(maxlen=OFFSET_SAMPLES)
        self._offset = 0.0
        self._offs: list[tuple[float, int, int, int]] = []   # heap: (time, order, channel, pitch)
        self._order = 0
        self._open: dict[tuple[int, int], tuple[float, int]] = {}   # (ch, pitch) -> its pending off
        self._used: set[int] = set()
        self._programs: dict[int, int] = {}
        self._controls: list[tuple[int, int, int]] = []   # in order, so NRPN sequences replay intact
        self.muted: set[int] = set()     # channels whose voice failed: silent, the others play on
        self.notes = 0
        self.late = 0                    # events that reached the sequencer after their time
        self.errors = 0
        self._closed = False
        self._faded = False
        # Held by every call into the synth from the engine thread and by `close`: live, `close` runs on another
        # thread, and one that deleted the synth between a call's `_closed` check and its ctypes call crashed.
        self._lock = threading.Lock()
        self._sample_offset()

    def _open_driver(self, fluidsynth):
        """The audio driver playing the synth. Raises AudioDriverError (with a hint for JACK and ALSA) when it
        does not open, after deleting the sequencer and the synth."""
        from engine.io.native_stderr import quiet_stderr  # noqa: PLC0415

        fs, a = self.synth, self.audio
        with quiet_stderr():      # libjack's and FluidSynth's own lines; a failure is said below, in ours
            driver = fluidsynth.new_fluid_audio_driver(fs.settings, fs.synth)
        if not driver:
            self.sequencer.delete()
            fs.delete()
            hint = {"jack": "is a JACK server running? (jack_lsp lists its ports; set JACK_DEFAULT_SERVER "
                            "if it has a name)",
                    "alsa": "is there a sound card? (aplay -l lists them; try --audio-driver jack)"}
            raise AudioDriverError(f"FluidSynth could not open the {a.driver} audio driver; "
                                   + hint.get(a.driver, "try another --audio-driver (aqyn ports lists them)"))
        return driver

    def reopen_driver(self) -> bool:
        """After the JACK server died and came back: a new audio driver for the same synth (the old one is
        abandoned, not deleted: libjack already freed its client, see engine.io.jack_watch). True when it
        opened; False leaves the synth without sound until the next try. Does nothing after `close`."""
        if self._closed:
            return False
        from engine.io.native_stderr import quiet_stderr  # noqa: PLC0415

        fs = self.synth
        self.abandon_driver()
        with quiet_stderr():
            self._driver = self._fs_mod.new_fluid_audio_driver(fs.settings, fs.synth)
        return bool(self._driver)

    def abandon_driver(self) -> None:
        """The JACK server died: keep the dead driver, never delete it (`close` then deletes no driver)."""
        if self._driver:
            self._abandoned.append(self._driver)
        self._driver = None

    # -- time ------------------------------------------------------------------------------------------
    def _sample_offset(self) -> None:
        # The tick first, then the clock: a pause between the two (the GIL changing hands) can only make
        # the sample too late, which the minimum ignores; the other order would make it too early.
        tick = self.sequencer.get_tick()
        self._offsets.append(self.clock.now() - tick / SCALE)
        self._offset = min(self._offsets)

    def _ticks(self, t: float) -> tuple[int, bool]:
        """Sequencer tick at which to play an event to be heard at engine time t; and whether it is late."""
        tick = round((t - self._offset - self.latency) * SCALE)
        now_tick = self.sequencer.get_tick()
        if tick <= now_tick:
            return now_tick + 1, tick < now_tick
        return tick, False

    # -- the Sink protocol -----------------------------------------------------------------------------
    def send(self, event: Event) -> None:
        """Play one event at its time (engine seconds). A `Note` becomes a sequencer note-on and queues its
        note-off for `flush` (struck again before its previous note ended, it ends that one 2 ms before); a
        `Control` becomes a sequencer control change; a `Program` selects the preset at once (bank 128 on channel
        index 9, else bank 0). A note or control already due goes on the next sequencer tick (1 ms), a note past
        due counted in `late`. Other events, a muted channel's and anything after `close` are ignored; an event
        FluidSynth refuses mutes its channel (`muted`, counted in `errors`) instead of raising."""
        with self._lock:
            if not self._closed:
                self._play(event)

    def _play(self, event: Event) -> None:
        if isinstance(event, Note):
            self._note(event)
        elif isinstance(event, Control):
            self._control(event.channel, event.control, event.value, event.time)
        elif isinstance(event, Program):
            self._program(event.channel, event.program)
        # Beats, markers and key changes are for files and the status view.

    def _note(self, n: Note) -> None:
        if n.channel in self.muted:
            return
        key = (n.channel, n.pitch)
        pending = self._open.get(key)
        if pending is not None and pending[0] > n.time:
            # The string is struck again before its previous note ended: end that one just before.
            self._push_off(max(n.time - 0.002, 0.0), *key)
        tick, late = self._ticks(n.time)
        self.late += late
        try:
            self.sequencer.note_on(tick, n.channel, n.pitch, n.velocity, dest=self.dest)
        except Exception:  # pyfluidsynth raises a bare Exception when the queue refuses the event
            self._fail(n.channel)
            return
        self._used.add(n.channel)
        self.notes += 1
        self._push_off(n.time + n.duration, *key)

    def _push_off(self, t: float, channel: int, pitch: int) -> None:
        self._order += 1
        heapq.heappush(self._offs, (t, self._order, channel, pitch))
        self._open[(channel, pitch)] = (t, self._order)

    def _control(self, channel: int, control: int, value: int, t: float) -> None:
        if channel in self.muted:
            return
        if len(self._controls) < 512:
            self._controls.append((channel, control, value))
        fluidsynth = self._fs_mod
        evt = fluidsynth.new_fluid_event()
        try:
            fluidsynth.fluid_event_set_source(evt, -1)
            fluidsynth.fluid_event_set_dest(evt, self.dest)
            self._ext["cc"](evt, channel, control, value)
            tick, _ = self._ticks(t)
            if fluidsynth.fluid_sequencer_send_at(self.sequencer.sequencer, evt, tick, 1) != 0:
                self._fail(channel)
        finally:
            fluidsynth.delete_fluid_event(evt)
        self._used.add(channel)

    def _program(self, channel: int, program: int) -> None:
        if channel in self.muted:
            return
        bank = 128 if channel == 9 else 0
        self._programs[channel] = program
        if self.synth.program_select(channel, self.sfid, bank, program) != 0:
            self._fail(channel)   # the SoundFont has no such preset: that voice stays silent
        self._used.add(channel)

    def _fail(self, channel: int) -> None:
        """A voice that fails is muted; the others play on."""
        self.errors += 1
        if channel not in self.muted:
            self.muted.add(channel)
            self.synth.all_notes_off(channel)
            self.synth.all_sounds_off(channel)

    def flush(self, now: float) -> None:
        """Refresh the clock offset and commit the note-offs due within OFF_WINDOW (nothing after `close`)."""
        with self._lock:
            if not self._closed:
                self._commit_offs(now)

    def _commit_offs(self, now: float) -> None:
        self._sample_offset()
        limit = now + OFF_WINDOW
        while self._offs and self._offs[0][0] <= limit:
            t, order, channel, pitch = heapq.heappop(self._offs)
            if self._open.get((channel, pitch), (None, None))[1] == order:
                del self._open[(channel, pitch)]
            tick, _ = self._ticks(t)
            try:
                self.sequencer.note_off(tick, channel, pitch, dest=self.dest)
            except Exception:
                self.errors += 1
                self.synth.noteoff(channel, pitch)   # not later than now, never left hanging

    @property
    def pending_offs(self) -> int:
        """How many note-offs wait in the queue for `flush` to commit them."""
        return len(self._offs)

    def panic(self) -> None:
        """Silence now: drop everything queued, release and kill every voice, and clear the reverb's tail
        (a system reset), then restore the band's programs and mix. Safe to call more than once."""
        with self._lock:
            if not self._closed:
                self._silence()

    def _silence(self) -> None:
        self._ext["remove"](self.sequencer.sequencer, -1, -1, -1)
        self._offs.clear()
        self._open.clear()
        fs = self.synth
        for ch in range(16):
            fs.cc(ch, 64, 0)         # sustain off, or all-notes-off leaves held notes ringing
            fs.all_notes_off(ch)
            fs.all_sounds_off(ch)
        fs.system_reset()            # also empties the reverb and chorus buffers
        for ch in range(16):
            fs.program_select(ch, self.sfid, 128 if ch == 9 else 0, self._programs.get(ch, 0))
        for ch, control, value in self._controls:
            fs.cc(ch, control, value)

    def fade_out(self, seconds: float = FADE) -> None:
        """Fade the synth's output to silence over `seconds` (s) while the audio driver plays on: the gain and
        the reverb's level fall together in FADE_STEPS steps on a squared curve (FluidSynth glides each voice's
        gain across its 64-frame blocks), so sound that is ringing ends in a fade, not a click. Blocks the
        caller for `seconds`; the gain stays 0 afterwards (close follows). Does nothing after `close` or a
        first fade (a second would raise the gain again on what still rings)."""
        if self._closed or self._faded:
            return
        self._faded = True
        fs, set_gain = self.synth, self._ext["gain"]
        gain, level = LIVE_SETTINGS["synth.gain"], fs.get_reverb_level()
        for k in range(1, FADE_STEPS + 1):
            left = (1.0 - k / FADE_STEPS) ** 2
            set_gain(fs.synth, gain * left)
            fs.set_reverb_level(level * left)
            time.sleep(seconds / FADE_STEPS)

    def close(self) -> None:
        """Fade out (`fade_out`: FADE seconds, 80 ms), silence everything (`panic`, which drops the queued
        note-offs), then delete the audio driver, the sequencer and the synth. Calling it again, or `send`,
        `flush`, `fade_out` or `panic` after it, does nothing."""
        if self._closed:
            return
        self.fade_out()
        with self._lock:               # waits for a send or flush under way on the engine thread
            if self._closed:
                return
            self._silence()
            self._closed = True
            # The driver first: deleting it stops its audio thread, the one that renders the synth and runs the
            # sequencer, before either is freed.
            if self._driver:
                self._fs_mod.delete_fluid_audio_driver(self._driver)
                self._driver = None
            self.sequencer.delete()
            self.synth.delete()

    def describe(self) -> str:
        """One line for people: the FluidSynth version, where the sound goes (a JACK client, a real-time WAV, or
        the driver with its period size and count), the sample rate in Hz and the output latency compensated in ms."""
        a = self.audio
        if a.driver == "jack":
            connected = ", connected to the system playback" if a.jack_autoconnect else ""
            where = f"JACK client '{a.jack_name}'{connected}"
        elif a.driver == "file":
            where = f"real-time WAV {a.file}"
        else:
            where = f"{a.driver}, {a.period_size} frames x {a.periods} periods"
        return (f"FluidSynth {fluid_version()} via {where}, {a.sample_rate} Hz, "
                f"output latency {self.latency * 1000:.1f} ms compensated")
