"""`aqyn analyze`: what aqyn hears in a guitar file, as text or as one JSON object (DESIGN.md's contract)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from engine.cli.common import (
    BPM_OPTION,
    CHANNELS_OPTION,
    COUNT_IN_OPTION,
    LATENCY_OPTION,
    METER_OPTION,
    PLOT_OPTION,
    check_plot,
    fail,
    player_settings,
)
from engine.errors import EngineError
from engine.tempomap import median_bpm


def analyze(
    input_file: Path = typer.Argument(..., metavar="IN.mid", help="Guitar performance (Standard MIDI File)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object (the documented schema)."),
    offline: bool = typer.Option(False, "--offline", help="Use the whole file (two passes), not only the past."),
    converter_latency_ms: float = LATENCY_OPTION,
    channels: Optional[str] = CHANNELS_OPTION,
    bpm: Optional[float] = BPM_OPTION,
    count_in: int = COUNT_IN_OPTION,
    meter: Optional[str] = METER_OPTION,
    plot: Optional[Path] = PLOT_OPTION,
) -> None:
    """Print what aqyn hears in IN.mid: key and mode, tempo, beats, downbeats, meter, chords."""
    from engine.analyze import analyze as do_analyze  # noqa: PLC0415 (keeps `aqyn --help` fast)

    check_plot(plot)
    player = player_settings(converter_latency_ms, channels, bpm, count_in, meter)
    try:
        if plot is not None:
            _check_picture(plot, input_file)
        a = do_analyze(input_file, offline=offline, player=player)
        if plot is not None:
            _draw(a, input_file, plot)
    except EngineError as exc:
        fail(str(exc))
    if as_json:
        typer.echo(json.dumps(a.to_json()))
        return
    for line in describe(a):
        typer.echo(line)
    if plot is not None:
        typer.echo(f"wrote {plot}")       # (not with --json: its output is the JSON alone)


def _check_picture(plot: Path, input_file: Path) -> None:
    """The picture's path can be written and is not the input. Raises OutputPathError."""
    from engine.errors import OutputPathError  # noqa: PLC0415
    from engine.io.outputs import check_output  # noqa: PLC0415

    check_output(plot, "picture")
    if plot.resolve() == input_file.resolve():
        raise OutputPathError(f"--plot {plot} is the input file; choose another name")


def _draw(a, input_file: Path, plot: Path) -> None:
    """The timeline picture of analysis `a` of `input_file` at `plot` (PNG)."""
    from engine.io.midi_input import read_guitar_file  # noqa: PLC0415
    from engine.io.plot import picture_of, save_timeline  # noqa: PLC0415

    key = f"key {a.key['tonic']} {a.key['mode']}" if a.key else "key unknown"
    title = f"{input_file.name}: {key}, {a.meter_said() or 'meter unknown'} ({a.mode} analysis)"
    save_timeline(picture_of(title, read_guitar_file(input_file).messages, a), plot)


def describe(a) -> list[str]:
    """The analysis `a` (engine.analyze.Analysis) as a few lines for people."""
    from engine.listen.chord import pretty  # noqa: PLC0415

    key = f"{a.key['tonic']} {a.key['mode']} (confidence {a.key['confidence']:.2f})" if a.key else "unknown"
    bpms = [t["bpm"] for t in a.tempo]
    tempo = (f"{bpms[-1]:.1f} BPM at the end" + (f" (from {min(bpms):.1f} to {max(bpms):.1f})" if len(bpms) > 1 else "")
             if bpms else "unknown")
    median = median_bpm(a.beats)
    if median is not None and len(bpms) > 1:
        tempo = f"{median:.1f} BPM (median beat), " + tempo
    lines = [f"{a.file}: {a.duration:.1f} s, {a.mode} analysis", f"  key     {key}"]
    if len(a.keys) > 1:
        lines.append("  keys    " + ", ".join(f"{k['time']:.1f}s {k['tonic']} {k['mode']}" for k in a.keys))
    lines += [f"  tempo   {tempo}", f"  meter   {a.meter_said() or 'unknown'}"]
    if a.beats:
        lines.append(f"  beats   {len(a.beats)} from {a.beats[0]:.2f} s to {a.beats[-1]:.2f} s, "
                     f"{len(a.downbeats)} downbeats")
    else:
        lines.append("  beats   none (not enough steady playing to lock)")
    chords = " ".join(f"{c['time']:.1f}:{pretty(c['label'], a.key_at(c['time']))}" for c in a.chords[:24])
    more = f" ... ({len(a.chords)} changes)" if len(a.chords) > 24 else ""
    lines.append(f"  chords  {chords}{more}")
    return lines
