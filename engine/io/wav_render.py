"""FluidSynth offline sink: events -> stereo 16-bit WAV at 44.1 kHz through pyfluidsynth.

FluidSynth renders float samples straight into one numpy buffer (no per-chunk copies), each event applied
at its sample frame (FluidSynth itself works on a 64-frame grid). The result is scaled so its peak sits at
-1 dBFS: loud enough, never clipped.
"""

from __future__ import annotations

import ctypes
import wave
from pathlib import Path

import numpy as np

from engine.errors import SynthError
from engine.events import Event
from engine.sinks import channel_messages

RATE = 44100
# Chorus is off: it thickens a plucked dombra into a twelve-string and costs a third of the render time.
# bench/render_speed.py gives the fluidsynth command the same settings.
SYNTH_SETTINGS = {"synth.chorus.active": 0, "synth.gain": 0.5}
PEAK_DBFS = -1.0
TAIL = 2.0            # seconds rendered after the last note-off, for release and reverb


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


def render_audio(events: list[Event], soundfont: Path, rate: int = RATE) -> np.ndarray:
    """Render to a float32 array of shape (frames, 2), peak-normalised to PEAK_DBFS."""
    fluidsynth, write_float = _load_fluidsynth()
    msgs = channel_messages(events)
    end = max((m[0] for m in msgs), default=0.0) + TAIL
    frames = int(end * rate) + 1
    buf = np.zeros(frames * 2, dtype=np.float32)
    base = buf.ctypes.data

    synth = fluidsynth.Synth(samplerate=float(rate), channels=16, **SYNTH_SETTINGS)
    try:
        sfid = synth.sfload(str(soundfont))
        if sfid == -1:
            raise SynthError(f"FluidSynth could not load the SoundFont {soundfont}; give a valid .sf2/.sf3 file")
        for ch in range(16):
            synth.program_select(ch, sfid, 128 if ch == 9 else 0, 0)
        cursor = 0

        def render_to(frame: int) -> None:
            nonlocal cursor
            while cursor < frame:
                n = min(frame - cursor, 8192)
                if write_float(synth.synth, n, base, 2 * cursor, 2, base, 2 * cursor + 1, 2) != 0:
                    raise SynthError("FluidSynth failed while rendering")
                cursor += n

        fl = synth.synth
        noteon, noteoff = fluidsynth.fluid_synth_noteon, fluidsynth.fluid_synth_noteoff
        cc, prog = fluidsynth.fluid_synth_cc, fluidsynth.fluid_synth_program_change
        bend = fluidsynth.fluid_synth_pitch_bend
        for t, status, d1, d2, _, _ in msgs:
            render_to(min(frames, int(round(t * rate))))
            kind, ch = status & 0xF0, status & 0x0F
            if kind == 0x90 and d2 > 0:
                noteon(fl, ch, d1, d2)
            elif kind in (0x80, 0x90):
                noteoff(fl, ch, d1)
            elif kind == 0xB0:
                cc(fl, ch, d1, d2)
            elif kind == 0xC0:
                prog(fl, ch, d1)
            elif kind == 0xE0:
                bend(fl, ch, d1 | (d2 << 7))
        render_to(frames)
    finally:
        synth.delete()
    audio = buf.reshape(-1, 2)
    peak = float(np.max(np.abs(audio))) if audio.size else 0.0
    if peak > 0:
        audio *= np.float32(10 ** (PEAK_DBFS / 20) / peak)
    return audio


def write_wav(path: Path, audio: np.ndarray, rate: int = RATE) -> None:
    pcm = np.clip(np.round(audio * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


class WavSink:
    """Collects events; on close renders them through FluidSynth into `path`."""

    def __init__(self, path: str | Path, soundfont: Path, rate: int = RATE):
        self.path = Path(path)
        self.soundfont = soundfont
        self.rate = rate
        self.events: list[Event] = []
        self.seconds = 0.0

    def send(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        audio = render_audio(self.events, self.soundfont, self.rate)
        self.seconds = len(audio) / self.rate
        write_wav(self.path, audio, self.rate)
