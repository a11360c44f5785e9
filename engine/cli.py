"""The `aqyn` command. Thin: parse, call the library, print. Exit 0 ok, 1 runtime failure, 2 bad input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from engine import __version__
from engine.errors import EngineError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="aqyn: a dombra and Kazakh percussion band that follows a guitarist's MIDI.")


def fail(message: str, code: int = 2) -> None:
    typer.echo(f"aqyn: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aqyn {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                               help="Print the version and exit.")) -> None:
    """aqyn listens to guitar MIDI and plays dombra and percussion along with it."""


@app.command()
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
    patterns: Optional[Path] = typer.Option(None, "--patterns", metavar="DIR",
                                            help="Extra folder of style files (shadows shipped styles)."),
) -> None:
    """Play the band along with IN.mid, exactly as live, and write the backing track."""
    from engine.render import render as do_render  # noqa: PLC0415 (keeps `aqyn --help` fast)

    if patterns is not None and not patterns.is_dir():
        fail(f"--patterns {patterns} is not a folder; give the folder holding your .toml styles")
    try:
        result = do_render(input_file, output, wav, style=style, seed=seed, soundfont=soundfont,
                           pattern_dirs=[patterns] if patterns else None, with_guitar=with_guitar)
    except EngineError as exc:
        fail(str(exc))
    bpm = f"{result.bpm:.1f} BPM" if result.bpm else "tempo unknown"
    outputs = f"{output}" + (f" and {wav}" if wav else "")
    typer.echo(f"wrote {outputs}: key {result.key}, {bpm}, style {result.style}, {result.band_notes} band notes"
               + (f", {result.audio_seconds:.1f} s of audio" if wav else "")
               + f", {result.realtime_factor:.0f}x real time")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
