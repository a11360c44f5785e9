"""FluidSynth offline rendering: events -> stereo 16-bit WAV at 44.1 kHz through pyfluidsynth, streamed.

The MIDI channels are split between two synths that render the same stretch of time in parallel threads
(ctypes releases the GIL, and the machines have two cores), one block (~3 s) at a time; every event is
applied at its sample frame (FluidSynth itself works on a 64-frame grid, so the blocks change nothing).
Mixing the two is exact up to float rounding: everything FluidSynth does per channel, reverb included, is
linear. The mix is scaled so its peak sits at -1 dBFS, loud enough and never clipped; as the peak is known
only at the end, the float mix goes to a scratch file beside the WAV and is scaled into it in a second pass.
Memory stays flat with the length of the song: a few blocks, and the samples of the instruments in use
(FluidSynth's dynamic sample loading reads only the presets the channels select, not the whole SoundFont).
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import threading
import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
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
# Offline only: load a preset's samples when a channel selects it (same sound, a fraction of the memory and
# of the load time of a 148 MB General MIDI font). Live keeps the whole font in memory: no disk reads on stage.
OFFLINE_SETTINGS = {**SYNTH_SETTINGS, "synth.dynamic-sample-loading": 1}
WORKERS = 2
BLOCK = 16 * 8192     # frames per block (3 s at 44.1 kHz): 1 MiB of float stereo
DRUM_CHANNEL = 9


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


class _Synth:
    """One FluidSynth instance playing its share of the channels, block after block, into its own buffer."""

    def __init__(self, lib, soundfont: Path, rate: int):
        self.lib, self.rate = lib, rate
        fluidsynth, self._write_float = lib
        self.synth = fluidsynth.Synth(samplerate=float(rate), channels=16, **OFFLINE_SETTINGS)
        self.sfid = self.synth.sfload(str(soundfont))
        if self.sfid == -1:
            self.synth.delete()
            raise SynthError(f"FluidSynth could not load the SoundFont {soundfont}; give a valid .sf2 or .sf3 file")
        self.buf = np.zeros(BLOCK * 2, dtype=np.float32)
        self._messages: list = []
        self._next = 0
        self.cursor = 0          # frames rendered so far

    def start(self, messages: list, channels: set[int]) -> None:
        """Play `messages` ((time s, status, data1, data2, ...) in time order); select the GM defaults (piano,
        the standard kit on channel 10) on `channels` only, so no other preset's samples are loaded."""
        for ch in sorted(channels):
            self.synth.program_select(ch, self.sfid, 128 if ch == DRUM_CHANNEL else 0, 0)
        self._messages, self._next = messages, 0

    def block(self, frames: int) -> np.ndarray:
        """Render the next `frames` (<= BLOCK) frames, applying each message at its frame: float32
        interleaved stereo, a view of this synth's buffer (valid until the next call). Raises SynthError."""
        fluidsynth, fl = self.lib[0], self.synth.synth
        start, end = self.cursor, self.cursor + frames
        msgs, i = self._messages, self._next
        while i < len(msgs) and (frame := int(round(msgs[i][0] * self.rate))) < end:
            self._render_to(frame, start)
            _, status, d1, d2 = msgs[i][:4]
            kind, ch = status & 0xF0, status & 0x0F
            if kind == NOTE_ON and d2 > 0:
                fluidsynth.fluid_synth_noteon(fl, ch, d1, d2)
            elif kind in (NOTE_OFF, NOTE_ON):
                fluidsynth.fluid_synth_noteoff(fl, ch, d1)
            elif kind == CONTROL:
                fluidsynth.fluid_synth_cc(fl, ch, d1, d2)
            elif kind == PROGRAM:
                fluidsynth.fluid_synth_program_change(fl, ch, d1)
            elif kind == PITCH_BEND:
                fluidsynth.fluid_synth_pitch_bend(fl, ch, d1 | (d2 << 7))
            i += 1
        self._next = i
        self._render_to(end, start)
        return self.buf[:frames * 2]

    def _render_to(self, frame: int, start: int) -> None:
        """Render up to absolute `frame` into the buffer of the block that began at absolute frame `start`."""
        base = self.buf.ctypes.data
        while self.cursor < frame:
            n, at = min(frame - self.cursor, 8192), 2 * (self.cursor - start)
            if self._write_float(self.synth.synth, n, base, at, 2, base, at + 1, 2) != 0:
                raise SynthError("FluidSynth failed while rendering")
            self.cursor += n

    def delete(self) -> None:
        """Free the synth (and its SoundFont)."""
        self.synth.delete()


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
    """Start it early (the synths and the SoundFont's preset list load in the background), then call
    `render_file` (or `blocks`) once; `close` frees the synths. `soundfont`: a .sf2/.sf3 path; `rate`: Hz."""

    def __init__(self, soundfont: Path, rate: int = RATE, workers: int = WORKERS):
        self.soundfont, self.rate = soundfont, rate
        self._synths: list[_Synth] = []
        self._error: BaseException | None = None
        # One thread makes the synths one after another: FluidSynth's one-time global set-up is not
        # thread-safe, and two synths made at once left a default modulator broken ("Modulator with
        # source 1 none" on stderr) and the WAV different from run to run.
        self._loader = threading.Thread(target=self._load, args=(workers,), daemon=True)
        self._loader.start()

    def _load(self, workers: int) -> None:
        try:
            lib = _load_fluidsynth()
            for _ in range(workers):
                self._synths.append(_Synth(lib, self.soundfont, self.rate))
        except BaseException as exc:  # handed to the caller's thread
            self._error = exc

    def _ready(self) -> list[_Synth]:
        self._loader.join()
        if self._error is not None:
            raise self._error
        return self._synths

    def blocks(self, events: list[Event]) -> Iterator[np.ndarray]:
        """The unscaled mix of `events`, block by block: float32 arrays (frames, 2), the song plus TAIL
        seconds. Raises SynthError."""
        synths = self._ready()
        msgs = channel_messages(events)
        frames = int((max((m[0] for m in msgs), default=0.0) + TAIL) * self.rate) + 1
        for synth, channels in zip(synths, _split_channels(events, len(synths))):
            synth.start([m for m in msgs if m[1] & 0x0F in channels], channels)
        with ThreadPoolExecutor(len(synths), thread_name_prefix="aqyn-synth") as pool:
            for start in range(0, frames, BLOCK):
                n = min(BLOCK, frames - start)
                parts = [f.result() for f in [pool.submit(s.block, n) for s in synths]]
                mix = parts[0].copy()
                for part in parts[1:]:
                    mix += part
                yield mix.reshape(-1, 2)

    def render_file(self, events: list[Event], path: Path) -> float:
        """Render `events` into a 16-bit stereo WAV at `path`, peak at PEAK_DBFS, in flat memory; returns the
        seconds of audio. The float mix waits in a scratch file beside `path` (4 bytes a sample), removed
        on every way out. Raises SynthError or OSError."""
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".mix")
        scratch = Path(name)
        try:
            peak, frames = 0.0, 0
            with os.fdopen(fd, "wb") as out, closing(self.blocks(events)) as blocks:
                for block in blocks:
                    peak = max(peak, float(np.max(np.abs(block))))
                    frames += len(block)
                    out.write(block.tobytes())
            gain = np.float32(10 ** (PEAK_DBFS / 20) / peak) if peak > 0 else np.float32(1)
            with open(scratch, "rb") as mix, wave.open(str(path), "wb") as w:
                w.setnchannels(2)
                w.setsampwidth(2)
                w.setframerate(self.rate)
                while chunk := mix.read(BLOCK * 8):
                    block = np.frombuffer(chunk, dtype=np.float32) * gain
                    w.writeframes(np.rint(block * 32767).astype("<i2").tobytes())
            return frames / self.rate
        finally:
            scratch.unlink(missing_ok=True)

    def close(self) -> None:
        """Free the synths (also when nothing was rendered: an error upstream)."""
        self._loader.join()
        for synth in self._synths:
            synth.delete()
        self._synths = []


def render_audio(events: list[Event], soundfont: Path, rate: int = RATE) -> np.ndarray:
    """Render `events` through FluidSynth with `soundfont` at `rate` Hz, in memory (short passages: tests,
    benchmarks): stereo float samples, shape (frames, 2), peak at PEAK_DBFS. Raises SynthError."""
    renderer = FluidRenderer(soundfont, rate)
    try:
        with closing(renderer.blocks(events)) as blocks:
            audio = np.concatenate(list(blocks))
    finally:
        renderer.close()
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0:
        audio *= np.float32(10 ** (PEAK_DBFS / 20) / peak)
    return audio


class WavSink:
    """Collects events; on close renders them through FluidSynth into the WAV file `path`."""

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
        self.seconds = self.renderer.render_file(self.events, self.path)
