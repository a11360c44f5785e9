"""Offline render: a guitar MIDI file in, a backing track (MIDI, optionally WAV) out.

Runs exactly the live pipeline under a virtual clock. Outputs are written to temporary files beside their
targets and renamed only when everything succeeded, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from engine.arrange.arranger import DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DRUM_CHANNEL
from engine.arrange.patterns import Style, available_styles, load_style
from engine.errors import OutputPathError, StyleNotFound
from engine.events import GUITAR, Control, Note, Program, Raw
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.io.soundfont import find_soundfont
from engine.pipeline import Engine, run_offline
from engine.schedule import StyleChooser
from engine.sinks import RecordingSink
from engine.theory import tonic_name

AUTO = "auto"
AUTO_STYLES = {2: "tokpe-gallop", 3: "trot"}   # by the guitar's subdivision: straight or compound
GUITAR_PROGRAM = 27                            # GM Electric Guitar (clean), for inputs that name none
BAND_CHANNELS = {DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DRUM_CHANNEL}


@dataclass(frozen=True)
class RenderResult:
    key: str                 # e.g. "D minor", or "unknown"
    bpm: float | None
    input_seconds: float
    audio_seconds: float     # 0 when no WAV was asked for
    elapsed: float           # wall-clock seconds for the whole render
    band_notes: int
    late_notes: int
    style: str

    @property
    def realtime_factor(self) -> float:
        return self.input_seconds / self.elapsed if self.elapsed > 0 else float("inf")


def style_chooser(name: str, pattern_dirs: list[Path] | None = None) -> StyleChooser:
    """Resolve a style name now (unknown names fail before any work); 'auto' picks by the guitar's feel."""
    if name == AUTO:
        styles = {sub: load_style(n, pattern_dirs) for sub, n in AUTO_STYLES.items()}
        return lambda subdivision: styles.get(subdivision, styles[2])
    if name not in available_styles(pattern_dirs):
        names = ", ".join([AUTO, *sorted(available_styles(pattern_dirs))])
        raise StyleNotFound(f"unknown style {name!r}; available: {names}")
    style: Style = load_style(name, pattern_dirs)
    return lambda subdivision: style


def check_output(path: Path, what: str) -> None:
    if path.is_dir():
        raise OutputPathError(f"{what} output {path} is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {what} output {path}: folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputPathError(f"cannot write {what} output {path}: folder {parent} is not writable; "
                              "choose another place")


def _temp_beside(path: Path, tag: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=tag)
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_outputs(paths: list[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths beside `paths`; move them into place only if the block succeeds.

    All or nothing: files that already existed are set aside first and put back if any move fails.
    """
    temps: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for p in paths:
            temps.append(_temp_beside(p, ".tmp"))
        yield temps
        for tmp, p in zip(temps, paths):
            if p.is_file():
                backup = _temp_beside(p, ".old")
                os.replace(p, backup)
                backups.append((backup, p))
            os.replace(tmp, p)
            placed.append(p)
    except OSError as exc:
        for p in placed:
            p.unlink(missing_ok=True)
        for backup, p in backups:
            os.replace(backup, p)
        backups.clear()
        raise OutputPathError(f"cannot write output: {exc}") from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        for backup, _ in backups:
            backup.unlink(missing_ok=True)


def guitar_track(guitar: GuitarFile) -> list:
    """The input's messages as output events, on channels clear of the band's, with a guitar sound and a
    slight pan where the input names none."""
    used = sorted({m.channel for m in guitar.messages})
    free = [c for c in range(16) if c not in BAND_CHANNELS and c not in used]
    remap = {c: (free.pop(0) if c in BAND_CHANNELS and free else c) for c in used}
    has_program = {remap[m.channel] for m in guitar.messages if m.kind == 0xC0}
    events: list = []
    for ch in sorted(set(remap.values())):
        if ch not in has_program:
            events.append(Program(0.0, ch, GUITAR_PROGRAM, GUITAR))
            events.append(Control(0.0, ch, 10, 78, GUITAR))
    for m in guitar.messages:
        events.append(Raw(m.time, (m.status & 0xF0) | remap[m.channel], m.data1, m.data2, GUITAR))
    return events


def render(input_path: str | Path, midi_out: str | Path, wav_out: str | Path | None = None, style: str = AUTO,
           seed: int = 0, soundfont: str | Path | None = None, pattern_dirs: list[Path] | None = None,
           with_guitar: bool = False) -> RenderResult:
    started = time.perf_counter()
    guitar = read_guitar_file(input_path)
    chooser = style_chooser(style, pattern_dirs)
    outputs = [Path(midi_out)] + ([Path(wav_out)] if wav_out else [])
    for p, what in zip(outputs, ("MIDI", "WAV")):
        check_output(p, what)
        if p.resolve() == Path(input_path).resolve():
            raise OutputPathError(f"output {p} is the input file; choose another name")
    renderer = None
    if wav_out:
        from engine.io.wav_render import FluidRenderer, WavSink  # noqa: PLC0415 (only WAV needs FluidSynth)

        renderer = FluidRenderer(find_soundfont(soundfont))   # loads the SoundFont while we listen
    try:
        recorder = RecordingSink()
        engine = Engine(chooser, seed, [recorder])
        run_offline(engine, guitar.messages)
        engine.close()
        band = recorder.events
        guitar_events = guitar_track(guitar)

        audio_seconds = 0.0
        with atomic_outputs(outputs) as temps:
            midi = MidiFileSink(temps[0])
            for ev in guitar_events + band:
                midi.send(ev)
            midi.close()
            if renderer is not None:
                wav = WavSink(temps[1], renderer)
                for ev in (guitar_events if with_guitar else []) + band:
                    wav.send(ev)
                wav.close()
                audio_seconds = wav.seconds
    finally:
        if renderer is not None:
            renderer.close()

    L = engine.listener
    key = "unknown" if L.key.tonic is None else f"{tonic_name(L.key.tonic, L.key.mode)} {L.key.mode}"
    chosen = engine.scheduler.arranger.style.name if engine.scheduler.arranger else style
    return RenderResult(key=key, bpm=L.beat.bpm, input_seconds=guitar.duration, audio_seconds=audio_seconds,
                        elapsed=time.perf_counter() - started,
                        band_notes=sum(isinstance(e, Note) for e in band), late_notes=engine.scheduler.late,
                        style=chosen)
