"""The `aqyn` command. Thin: parse, call the library, print. Exit 0 ok, 1 runtime failure, 2 bad input."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from engine import __version__
from engine.cli_common import fail
from engine.cli_patterns import app as patterns_app
from engine.errors import EngineError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="aqyn: a dombra and Kazakh percussion band that follows a guitarist's MIDI.")
app.add_typer(patterns_app, name="patterns")


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


@app.command()
def analyze(
    input_file: Path = typer.Argument(..., metavar="IN.mid", help="Guitar performance (Standard MIDI File)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (the documented schema)."),
    offline: bool = typer.Option(False, "--offline", help="Use the whole file (two passes), not only the past."),
) -> None:
    """Print what aqyn hears in IN.mid: key and mode, tempo, beats, downbeats, meter, chords."""
    import json  # noqa: PLC0415

    from engine.analyze import analyze as do_analyze  # noqa: PLC0415
    from engine.listen.chord import pretty  # noqa: PLC0415

    try:
        a = do_analyze(input_file, offline=offline)
    except EngineError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(a.to_json()))
        return
    key = f"{a.key['tonic']} {a.key['mode']} (confidence {a.key['confidence']:.2f})" if a.key else "unknown"
    bpms = [t["bpm"] for t in a.tempo]
    tempo = (f"{bpms[-1]:.1f} BPM at the end" + (f" (from {min(bpms):.1f} to {max(bpms):.1f})" if len(bpms) > 1 else "")
             if bpms else "unknown")
    typer.echo(f"{a.file}: {a.duration:.1f} s, {a.mode} analysis")
    typer.echo(f"  key     {key}")
    if len(a.keys) > 1:
        typer.echo("  keys    " + ", ".join(f"{k['time']:.1f}s {k['tonic']} {k['mode']}" for k in a.keys))
    typer.echo(f"  tempo   {tempo}")
    typer.echo(f"  meter   {a.meter or 'unknown'}")
    if a.beats:
        typer.echo(f"  beats   {len(a.beats)} from {a.beats[0]:.2f} s to {a.beats[-1]:.2f} s, "
                   f"{len(a.downbeats)} downbeats")
    else:
        typer.echo("  beats   none (not enough steady playing to lock)")
    chords = " ".join(f"{c['time']:.1f}:{pretty(c['label'])}" for c in a.chords[:24])
    more = f" ... ({len(a.chords)} changes)" if len(a.chords) > 24 else ""
    typer.echo(f"  chords  {chords}{more}")


from engine.cli_live import live, ports  # noqa: E402 (the live commands live in their own module)

app.command()(ports)
app.command()(live)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
