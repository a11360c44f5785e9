"""FluidSynth offline rendering: events -> stereo 16-bit WAV at 44.1 kHz through pyfluidsynth.

Each synth renders float samples straight into one numpy buffer (no per-chunk copies), every event applied
at its sample frame (FluidSynth itself works on a 64-frame grid). The MIDI channels are split between two
synths that render in parallel threads (ctypes releases the GIL, and the machines have two cores); the
SoundFont loads in those threads while the caller is still listening and arranging. Mixing the two is
exact up to float rounding: everything FluidSynth does per channel, reverb included, is linear.
The mix is scaled so its peak sits at -1 dBFS: loud enough, never clipped.
"""

from __future__ import annotations

import ctypes
import threading
import wave
from pathlib import Path

import numpy as np

from engine.errors import SynthError
from engine.events import Event, Note
from engine.io.sinks import channel_messages
from engine.midi import CONTROL, NOTE_OFF, NOTE_ON, PITCH_BEND, PROGRAM

RATE = 44100
PEAK_DBFS = -1.0
TAIL = 2.0            # seconds rendered after the last note-off, for release and reverb
# Chorus is off: it thickens a plucked dombra into a twelve-string and costs a third of the render time.
# bench/render_speed.py gives the fluidsynth command the same settings.
SYNTH_SETTINGS = {"synth.chorus.active": 0, "synth.gain": 0.5}
WORKERS = 2


def _load_fluidsynth():
    try:
        import fluidsynth  # noqa: PLC0415 (imported late: only rendering needs the C library)
    except (ImportError, OSError) as exc:
        raise SynthError(f"FluidSynth library not available ({exc}); "
                         "install it with: sudo apt-get install libfluidsynth3") from None
    write_float = fluidsynth.cfunc(
        "fluid_synth_write_float", ctypes.c_int, ("synth", ctypes.c_void_p, 1), ("len", ctypes.c_int, 1),
        ("lout", ctypes.c_void_p, 1), ("loff", ctypes.c_int, 1), ("lincr", ctypes.c_int, 1),
        ("rout", ctypes.c_void_p, 1), ("roff", ctypes.c_int, 1), ("rincr", ctypes.c_int, 1))
    return fluidsynth, write_float


class _Worker:
    """One synth in its own thread: loads the SoundFont at once, renders when given its messages."""

    def __init__(self, soundfont: Path, rate: int):
        self.soundfont, self.rate = soundfont, rate
        self.error: BaseException | None = None
        self.audio: np.ndarray | None = None
        self._messages: list | None = None
        self._frames = 0
        self._go = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def render(self, messages: list, frames: int) -> None:
        self._messages, self._frames = messages, frames
        self._go.set()

    def result(self) -> np.ndarray:
        self._thread.join()
        if self.error is not None:
            raise self.error
        return self.audio

    def cancel(self) -> None:
        self._messages = None
        self._go.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            fluidsynth, write_float = _load_fluidsynth()
            synth = fluidsynth.Synth(samplerate=float(self.rate), channels=16, **SYNTH_SETTINGS)
            try:
                sfid = synth.sfload(str(self.soundfont))
                if sfid == -1:
                    raise SynthError(f"FluidSynth could not load the SoundFont {self.soundfont}; "
                                     "give a valid .sf2 or .sf3 file")
                for ch in range(16):
                    synth.program_select(ch, sfid, 128 if ch == 9 else 0, 0)
                self._go.wait()
                if self._messages is not None:
                    self.audio = self._synthesise(fluidsynth, write_float, synth)
            finally:
                synth.delete()
        except BaseException as exc:  # handed to the caller's thread
            self.error = exc

    def _synthesise(self, fluidsynth, write_float, synth) -> np.ndarray:
        frames = self._frames
        buf = np.zeros(frames * 2, dtype=np.float32)
        base = buf.ctypes.data
        fl = synth.synth
        noteon, noteoff = fluidsynth.fluid_synth_noteon, fluidsynth.fluid_synth_noteoff
        cc, prog = fluidsynth.fluid_synth_cc, fluidsynth.fluid_synth_program_change
        bend = fluidsynth.fluid_synth_pitch_bend
        cursor = 0

        def render_to(frame: int) -> None:
            nonlocal cursor
            while cursor < frame:
                n = min(frame - cursor, 8192)
                if write_float(fl, n, base, 2 * cursor, 2, base, 2 * cursor + 1, 2) != 0:
                    raise SynthError("FluidSynth failed while rendering")
                cursor += n

        for t, status, d1, d2, _, _ in self._messages:
            render_to(min(frames, int(round(t * self.rate))))
            kind, ch = status & 0xF0, status & 0x0F
            if kind == NOTE_ON and d2 > 0:
                noteon(fl, ch, d1, d2)
            elif kind in (NOTE_OFF, NOTE_ON):
                noteoff(fl, ch, d1)
            elif kind == CONTROL:
                cc(fl, ch, d1, d2)
            elif kind == PROGRAM:
                prog(fl, ch, d1)
            elif kind == PITCH_BEND:
                bend(fl, ch, d1 | (d2 << 7))
        render_to(frames)
        return buf


def _split_channels(events: list[Event], workers: int) -> list[set[int]]:
    """Channels in `workers` groups of about equal synthesis work (sounding note-seconds)."""
    load = [0.0] * 16
    for e in events:
        if isinstance(e, Note):
            load[e.channel] += e.duration + 0.3   # + release
        elif hasattr(e, "status") and e.status & 0xF0 == NOTE_ON:
            load[e.status & 0x0F] += 0.5
    groups: list[set[int]] = [set() for _ in range(workers)]
    totals = [0.0] * workers
    for ch in sorted(range(16), key=lambda c: -load[c]):
        i = totals.index(min(totals))
        groups[i].add(ch)
        totals[i] += load[ch]
    return groups


class FluidRenderer:
    """Start it early (the SoundFont loads in the background), then call `render` once."""

    def __init__(self, soundfont: Path, rate: int = RATE, workers: int = WORKERS):
        self.soundfont, self.rate = soundfont, rate
        self._workers = [_Worker(soundfont, rate) for _ in range(workers)]

    def render(self, events: list[Event]) -> np.ndarray:
        """Float32 array (frames, 2), peak-normalised to PEAK_DBFS."""
        msgs = channel_messages(events)
        end = max((m[0] for m in msgs), default=0.0) + TAIL
        frames = int(end * self.rate) + 1
        for worker, channels in zip(self._workers, _split_channels(events, len(self._workers))):
            worker.render([m for m in msgs if m[1] & 0x0F in channels], frames)
        buffers = [w.result() for w in self._workers]
        mix = buffers[0]
        for b in buffers[1:]:
            mix += b
        audio = mix.reshape(-1, 2)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0:
            audio *= np.float32(10 ** (PEAK_DBFS / 20) / peak)
        return audio

    def close(self) -> None:
        """Stop the workers if `render` was never called (an error upstream)."""
        for w in self._workers:
            if w._thread.is_alive():
                w.cancel()


def render_audio(events: list[Event], soundfont: Path, rate: int = RATE) -> np.ndarray:
    """Render `events` through FluidSynth with `soundfont` at `rate` Hz: stereo float samples,
    shape (frames, 2), peak at PEAK_DBFS. Raises SynthError."""
    renderer = FluidRenderer(soundfont, rate)
    try:
        return renderer.render(events)
    finally:
        renderer.close()


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> None:
    """16-bit PCM. The audio is already within -1 dBFS, so scaling cannot overflow."""
    pcm = np.rint(audio * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


class WavSink:
    """Collects events; on close renders them through FluidSynth into `path`."""

    def __init__(self, path: str | Path, renderer: FluidRenderer):
        self.path = Path(path)
        self.renderer = renderer
        self.events: list[Event] = []
        self.seconds = 0.0

    def send(self, event: Event) -> None:
        """Keep the event for the render."""
        self.events.append(event)

    def close(self) -> None:
        """Render and write the WAV. Raises SynthError or OSError."""
        audio = self.renderer.render(self.events)
        self.seconds = len(audio) / self.renderer.rate
        write_wav(self.path, audio, self.renderer.rate)
