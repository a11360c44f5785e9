"""`aqyn render`: play the band along with a guitar file, exactly as live, and write the backing track."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import typer

from engine.cli.common import (
    BPM_OPTION,
    CHANNELS_OPTION,
    COUNT_IN_OPTION,
    LATENCY_OPTION,
    PATTERNS_OPTION,
    PLOT_OPTION,
    check_plot,
    fail,
    pattern_dirs,
    player_settings,
)
from engine.errors import EngineError


@contextmanager
def terminated_cleanly() -> Iterator[None]:
    """While inside, SIGTERM (a `kill`, a service manager, a closing terminal's shell) exits with status 143
    by raising SystemExit, so the render's clean-up runs: its temporary outputs are removed and the files it
    would replace stay as they were. The handler before is put back after."""
    def stop(signum, frame):
        raise SystemExit(128 + signum)

    try:
        before = signal.signal(signal.SIGTERM, stop)
    except ValueError:                  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def render(
    input_file: Path = typer.Argument(..., metavar="IN.mid", help="Guitar performance (Standard MIDI File)."),
    output: Path = typer.Option(..., "-o", "--output", metavar="OUT.mid", help="Backing track MIDI to write."),
    wav: Optional[Path] = typer.Option(None, "--wav", metavar="OUT.wav",
                                       help="Also render audio (stereo 44.1 kHz WAV) through FluidSynth."),
    style: str = typer.Option("auto", "--style", help="Style name from patterns/, or 'auto' (by the guitar's feel)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed and input give the same file."),
    soundfont: Optional[Path] = typer.Option(None, "--soundfont", metavar="PATH",
                                             help="SoundFont for --wav (default: the best GM font installed)."),
    with_guitar: bool = typer.Option(False, "--with-guitar",
                                     help="Mix the guitar into the WAV too (it is always in the MIDI)."),
    patterns: Optional[Path] = PATTERNS_OPTION,
    cues: Optional[Path] = typer.Option(None, "--cues", metavar="CUES.toml",
                                        help="Footswitch actions at times of the input, as a gig would have them "
                                        "(instead of those a take recorded by `aqyn live --record` holds)."),
    converter_latency_ms: float = LATENCY_OPTION,
    channels: Optional[str] = CHANNELS_OPTION,
    bpm: Optional[float] = BPM_OPTION,
    count_in: int = COUNT_IN_OPTION,
    plot: Optional[Path] = PLOT_OPTION,
) -> None:
    """Play the band along with IN.mid, exactly as live, and write the backing track."""
    from engine.io.cues import load_cues  # noqa: PLC0415 (keeps `aqyn --help` fast)
    from engine.io.take import take_cues  # noqa: PLC0415
    from engine.render import render as do_render  # noqa: PLC0415

    check_plot(plot)
    if with_guitar and wav is None:
        fail("--with-guitar mixes the guitar into the WAV; give --wav OUT.wav too (the MIDI always has the guitar)")
    if soundfont is not None and wav is None:
        typer.echo("aqyn: warning: --soundfont is used only for --wav; no audio is rendered without it", err=True)
    dirs = pattern_dirs(patterns)
    player = player_settings(converter_latency_ms, channels, bpm, count_in)
    try:
        timeline = load_cues(cues, dirs) if cues is not None else take_cues(input_file, dirs)
        with terminated_cleanly():
            result = do_render(input_file, output, wav, style=style, seed=seed, soundfont=soundfont,
                               pattern_dirs=dirs, with_guitar=with_guitar, player=player, cues=timeline,
                               plot=plot)
    except EngineError as exc:
        fail(str(exc))
    for warning in result.warnings:
        typer.echo(f"aqyn: warning: {warning}", err=True)
    tempo = f"{result.bpm:.1f} BPM" if result.bpm else "tempo unknown"
    written = [str(p) for p in (output, wav, plot) if p]
    outputs = ", ".join(written[:-1]) + " and " + written[-1] if len(written) > 1 else written[0]
    typer.echo(f"wrote {outputs}: key {result.key}, {tempo}, style {result.style}, {result.band_notes} band notes"
               + (f", {result.audio_seconds:.1f} s of audio" if wav else "")
               + f", {result.realtime_factor:.0f}x real time")
