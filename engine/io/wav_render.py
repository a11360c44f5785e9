"""FluidSynth offline rendering: events -> stereo 16-bit WAV at 44.1 kHz through pyfluidsynth, streamed.

The MIDI channels are split between two synths that render the same stretch of time in parallel threads
(ctypes releases the GIL, and the machines have two cores), one block (~3 s) at a time; every event is
applied at its sample frame (FluidSynth itself works on a 64-frame grid, so the blocks change nothing).
Mixing the two is all but exact: what FluidSynth does per channel, reverb included, is linear, though
channels sharing a synth are not wholly independent (the dombra's and the drums', measured on the D dorian
example: the sum of the two rendered apart differs by -51 dB RMS, -20 dB at the worst drum hit). The mix is
scaled so its peak sits at -1 dBFS, loud enough and never clipped; as the peak is known only at the end,
the float mix goes to a scratch file beside the WAV and is scaled into it in a second pass.
Memory stays flat with the length of the song: a few blocks, and the samples of the instruments in use
(FluidSynth's dynamic sample loading reads only the presets the channels select, not the whole SoundFont).

Stems (one WAV per part, `--stems`) come from that linearity: the channels are split by part instead (the
dombra's body and its layer each on a synth of their own, so that two cores still share the dombra, the
percussion on a third, the guitar on a fourth), each part's sum is its stem, and the mix is the sum of the
stems. The stems are scaled by the mix's gain, so in a DAW they line up at zero and add up to the mix (to
16-bit rounding). That mix is not byte for byte the one rendered without stems (see above on the drums).
"""

from __future__ import annotations

import ctypes
import os
import tempfile
import wave
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from engine.errors import SynthError
from engine.events import DOMBRA, GUITAR, PERCUSSION, Event
from engine.io.fluid_lib import import_fluidsynth
from engine.io.sinks import Message, Restrikes, sorted_messages
from engine.midi import CONTROL, NOTE_OFF, NOTE_ON, PITCH_BEND, PROGRAM

RATE = 44100
PEAK_DBFS = -1.0
SILENT_DBFS = -70.0   # a mix peaking under this is silence: it is not normalised
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
    fluidsynth = import_fluidsynth()
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

    def select(self, channels: set[int]) -> None:
        """Play `channels`: select the GM defaults on them (piano; the standard kit on channel 10) and no
        other, so no other preset's samples are loaded."""
        for ch in sorted(channels):
            self.synth.program_select(ch, self.sfid, 128 if ch == DRUM_CHANNEL else 0, 0)

    def add(self, message: tuple) -> None:
        """Queue a message (time s, status, data1, data2, ...) at or after those queued before."""
        self._messages.append(message)

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
        if i > 4096:              # forget what is played: memory flat with the song's length
            del msgs[:i]
            i = 0
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


def channel_groups(workers: int) -> list[set[int]]:
    """The 16 MIDI channels split among `workers` synths, fixed before the music is known (the WAV is
    rendered while the band plays): the dombra (channel 7) and its layer (8) on different synths, the drums
    (10) with the dombra, the guitar's strings (1-6, one a string) alternating. Channels 1-16 here 0-15."""
    groups: list[set[int]] = [set() for _ in range(workers)]
    for ch in range(16):
        groups[0 if ch == DRUM_CHANNEL else ch % workers].add(ch)
    return groups


# The channels of each part (0-based): the band's (engine/arrange/band.py) and the guitar on all the others.
DOMBRA_CHANNELS = (6, 7)             # the dombra's body and its bright layer
STEM_PARTS = (DOMBRA, PERCUSSION, GUITAR)


def stem_groups(parts: tuple[str, ...]) -> list[tuple[str, set[int]]]:
    """One synth's channels for each of `parts` (some of STEM_PARTS, in that order), as (part, channels): the
    dombra's body and layer on two synths (they are most of the work: two cores share it), the percussion
    (channel 10) on one, the guitar on one with every other channel. Channels 1-16 here 0-15."""
    groups: list[tuple[str, set[int]]] = []
    for part in STEM_PARTS:
        if part not in parts:
            continue
        if part == DOMBRA:
            groups += [(DOMBRA, {ch}) for ch in DOMBRA_CHANNELS]
        elif part == PERCUSSION:
            groups.append((PERCUSSION, {DRUM_CHANNEL}))
        else:
            groups.append((GUITAR, set(range(16)) - {*DOMBRA_CHANNELS, DRUM_CHANNEL}))
    return groups


class Mix:
    """The synths playing one stream of time-ordered messages (see engine.io.sinks.Message), mixed block by
    block. `stems`: the part of each synth (see `stem_groups`), or () to split the channels by `channel_groups`
    without stems; then a message on a channel of no part is not played. `end`: the time (s) of the last
    message played so far; `cursor`: frames rendered so far."""

    def __init__(self, synths: list[_Synth], rate: int, stems: tuple[str, ...] = ()):
        self.synths, self.rate = synths, rate
        self._synth_of: dict[int, _Synth] = {}
        groups = stem_groups(stems) if stems else [("", g) for g in channel_groups(len(synths))]
        self.parts = [part for part, _ in groups]
        for synth, (_, group) in zip(synths, groups):
            synth.select(group)
            self._synth_of.update(dict.fromkeys(group, synth))
        self._restrikes = Restrikes()
        self._pool = ThreadPoolExecutor(min(len(synths), WORKERS), thread_name_prefix="aqyn-synth")
        self.end = 0.0
        self.cursor = 0
        self.closed = False

    def play(self, messages: Iterable[Message]) -> None:
        """Queue `messages` (in time order, none before those queued earlier) on their channels' synths."""
        for message in messages:
            for out in self._restrikes.feed(message):
                synth = self._synth_of.get(out[1] & 0x0F)
                if synth is not None:
                    synth.add(out)
                    self.end = max(self.end, out[0])

    def frames(self) -> int:
        """The whole song's length in frames: to the last message and TAIL seconds after it."""
        return int((self.end + TAIL) * self.rate) + 1

    def blocks(self, upto: int) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
        """Render on to frame `upto`, in blocks of at most BLOCK frames: (the mix, {part: its stem}), float32
        arrays (frames, 2), unscaled; the stems ({} without them) add up to the mix. Raises SynthError."""
        while self.cursor < upto:
            n = min(BLOCK, upto - self.cursor)
            outs = [f.result() for f in [self._pool.submit(s.block, n) for s in self.synths]]
            self.cursor += n
            if not self.parts[0]:
                mix = outs[0].copy()
                for out in outs[1:]:
                    mix += out
                yield mix.reshape(-1, 2), {}
                continue
            stems: dict[str, np.ndarray] = {}
            for part, out in zip(self.parts, outs):
                if part in stems:
                    stems[part] += out.reshape(-1, 2)
                else:
                    stems[part] = out.reshape(-1, 2).copy()
            mix = sum(stems.values(), np.zeros((n, 2), dtype=np.float32))
            yield mix, stems

    def close(self) -> None:
        """Stop the render threads (after the block under way)."""
        self._pool.shutdown()
        self.closed = True


class FluidRenderer:
    """The synths for one render, made at once (with dynamic sample loading a synth and the SoundFont's
    preset list take a few hundredths of a second); make one `mix` (or call `render_file` once); `close`
    frees them. `soundfont`: a .sf2/.sf3 path; `rate`: Hz; `workers`: synths sharing the channels; `stems`:
    parts (of STEM_PARTS) to render apart, a synth or two each instead of `workers`. Raises SynthError (no
    FluidSynth library, a SoundFont it cannot load)."""

    def __init__(self, soundfont: Path, rate: int = RATE, workers: int = WORKERS, stems: tuple[str, ...] = ()):
        self.soundfont, self.rate, self.stems = soundfont, rate, tuple(p for p in STEM_PARTS if p in stems)
        if self.stems:
            workers = len(stem_groups(self.stems))
        self._synths: list[_Synth] = []
        self._mix: Mix | None = None
        # A handshake without a lock (a SIGTERM may land anywhere in the main thread): `mix` (render thread)
        # sets _mixing, then looks at _closing; `close` (main thread) sets _closing, then looks at _mixing.
        # One of them always sees the other's flag, so no synth is freed while a mix is made or renders.
        self._mixing = False
        self._closing = False
        # Made one after another in this thread: FluidSynth's one-time global set-up is not thread-safe (two
        # synths made at once in two threads left a default modulator broken, "Modulator with source 1
        # none" on stderr, and the WAV different from run to run), and an import in a second thread could
        # deadlock with a SIGTERM landing in the main thread's own import.
        lib = _load_fluidsynth()
        try:
            for _ in range(workers):
                self._synths.append(_Synth(lib, soundfont, rate))
        except BaseException:
            self.close()
            raise

    def mix(self) -> Mix:
        """The synths as a `Mix`."""
        self._mixing = True
        if self._closing:
            raise SynthError("the render was stopped before its synths could play")
        try:
            self._mix = Mix(self._synths, self.rate, self.stems)
        except BaseException:
            self._mixing = False      # no mix holds the synths: close may free them
            raise
        return self._mix

    def render_file(self, events: list[Event], path: Path) -> float:
        """Render `events` into a 16-bit stereo WAV at `path`, peak at PEAK_DBFS, in flat memory; returns the
        seconds of audio. Raises SynthError or OSError."""
        mix = self.mix()
        try:
            mix.play(sorted_messages(events))
            with ScaledWav(path, self.rate) as wav:
                for block, _ in mix.blocks(mix.frames()):
                    wav.add(block)
            return wav.seconds
        finally:
            mix.close()

    def close(self) -> None:
        """Free the synths (also when nothing was rendered: an error upstream); again, nothing. Not while
        a mix is being made or still renders (a SIGTERM before the stream could be stopped, or a second one
        cutting the wait for it short): the process is ending anyway. Once closed, `mix` raises SynthError."""
        self._closing = True
        if self._mixing and (self._mix is None or not self._mix.closed):
            return
        synths, self._synths = self._synths, []
        for synth in synths:
            synth.delete()


def peak_gain(peak: float) -> np.float32:
    """The gain that puts a mix whose peak is `peak` (linear, full scale 1.0) at PEAK_DBFS; 1 for a mix that
    is silent, or as good as (its peak under SILENT_DBFS): every part muted leaves FluidSynth's floor (CC7 0
    is -96 dB, not nothing) or a DC offset of a few millionths, which normalising blew up to a full-level
    copy of the muted band, or to a constant offset with a click."""
    return np.float32(10 ** (PEAK_DBFS / 20) / peak) if peak > 10 ** (SILENT_DBFS / 20) else np.float32(1)


class ScaledWav:
    """A 16-bit stereo WAV whose peak sits at PEAK_DBFS, written from float blocks in flat memory: the blocks
    wait in a scratch file beside `path` (4 bytes a sample) until the peak is known, and are scaled into
    `path` on leaving the `with` block without an error. The scratch files are removed on every way out.
    `stems`: {part: path} of stem WAVs written alongside, scaled by the same gain (the peak is then the highest
    of the mix's and the stems', so none clips), so they add up to the mix; `path` None writes the stems only.
    `seconds`: the audio written. Raises OSError."""

    def __init__(self, path: Path | None, rate: int = RATE, stems: dict[str, Path] | None = None):
        self.path, self.rate = None if path is None else Path(path), rate
        self.stems = {part: Path(p) for part, p in (stems or {}).items()}
        self.peak, self.frames, self.seconds = 0.0, 0, 0.0
        self._scratch: dict[str, tuple[Path, object, Path]] = {}   # "" (the mix) or part -> (scratch, file, out)

    def __enter__(self) -> ScaledWav:
        targets = ({"": self.path} if self.path is not None else {}) | self.stems
        try:
            for key, path in targets.items():
                fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".mix")
                self._scratch[key] = (Path(name), os.fdopen(fd, "wb"), path)
        except BaseException:
            self._discard()
            raise
        return self

    def add(self, block: np.ndarray, stems: dict[str, np.ndarray] | None = None) -> None:
        """Append float32 frames (n, 2) of the mix, and of each stem in `stems` ({part: frames}, the parts of
        `stems` given when made)."""
        arrays = {"": block} | ({part: stems[part] for part in self.stems} if stems is not None else {})
        if len(block):
            self.peak = max(self.peak, *(float(np.max(np.abs(a))) for a in arrays.values()))
        self.frames += len(block)
        for key, (_, out, _) in self._scratch.items():
            out.write(arrays[key].tobytes())

    def __exit__(self, kind, value, traceback) -> None:
        try:
            for _, out, _ in self._scratch.values():
                out.close()
            if kind is None:
                self._scale()
        finally:
            self._discard()

    def _discard(self) -> None:
        for scratch, out, _ in self._scratch.values():
            out.close()
            scratch.unlink(missing_ok=True)

    def _scale(self) -> None:
        gain = peak_gain(self.peak)
        for scratch, _, path in self._scratch.values():
            with open(scratch, "rb") as mix, wave.open(str(path), "wb") as w:
                w.setnchannels(2)
                w.setsampwidth(2)
                w.setframerate(self.rate)
                while chunk := mix.read(BLOCK * 8):
                    block = np.frombuffer(chunk, dtype=np.float32) * gain
                    w.writeframes(np.rint(block * 32767).astype("<i2").tobytes())
        self.seconds = self.frames / self.rate


def render_audio(events: list[Event], soundfont: Path, rate: int = RATE) -> np.ndarray:
    """Render `events` through FluidSynth with `soundfont` at `rate` Hz, in memory (short passages: tests,
    benchmarks): stereo float samples, shape (frames, 2), peak at PEAK_DBFS. Raises SynthError."""
    renderer = FluidRenderer(soundfont, rate)
    try:
        mix = renderer.mix()
        try:
            mix.play(sorted_messages(events))
            audio = np.concatenate([block for block, _ in mix.blocks(mix.frames())])
        finally:
            mix.close()
    finally:
        renderer.close()
    audio *= peak_gain(float(np.max(np.abs(audio))) if audio.size else 0.0)
    return audio
