"""`aqyn play CHART`: the band plays a chord chart, offline (-o OUT.mid [--wav OUT.wav]) or live (FluidSynth)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from engine.cli.common import (
    MIX_OPTION,
    PATTERNS_OPTION,
    check_audio_driver,
    check_port_names,
    fail,
    mix_levels,
    pattern_dirs,
)
from engine.cli.render import LEVEL_PARTS, terminated_cleanly
from engine.errors import EngineError


def _transpose(value: str) -> int:
    """'+2', '-3', '5' -> semitones; exit 2 with one line otherwise."""
    try:
        return int(value)
    except ValueError:
        fail(f"--transpose takes semitones like +2 or -3, got {value!r}")


def _ramp(value: str) -> float:
    """'+2', '-1.5' -> BPM per repeat; exit 2 with one line otherwise."""
    try:
        return float(value)
    except ValueError:
        fail(f"--ramp takes BPM per repeat like +2 or -1, got {value!r}")


def _live_only(output: Optional[Path], audio_driver: str, audio_file: Optional[Path], midi_api: str) -> None:
    """Exit 2 with one line when an option of live play is given with -o (it would be ignored), or live play
    names an audio driver this FluidSynth lacks."""
    given = [name for name, on in (("--audio-driver", audio_driver != "jack"), ("--audio-file", audio_file),
                                   ("--midi-api", midi_api != "auto")) if on]
    if output is not None and given:
        fail(f"{given[0]} is for playing live; leave out -o to play live, or give --wav OUT.wav for audio")
    if output is None:
        check_audio_driver(audio_driver, audio_file)


def play(
    chart_file: str = typer.Argument(..., metavar="CHART", help="Chord chart (text; examples/CHARTS.md), an "
                                     "irealb:// link, or a file holding one (.txt, iReal's .html)."),
    song: Optional[str] = typer.Option(None, "--song", metavar="N|TITLE",
                                       help="Which song of an iReal link: its number (from 1) or title "
                                            "(default: the first)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar="OUT.mid",
                                          help="Write the backing track here instead of playing it live."),
    wav: Optional[Path] = typer.Option(None, "--wav", metavar="OUT.wav",
                                       help="Also render audio (stereo 44.1 kHz WAV) through FluidSynth (with -o)."),
    stems: Optional[Path] = typer.Option(None, "--stems", metavar="DIR",
                                         help="Also write one WAV per part into DIR (dombra.wav, percussion.wav), "
                                              "aligned with the mix (with -o)."),
    mix: Optional[str] = MIX_OPTION,
    count_in: int = typer.Option(0, "--count-in", metavar="BARS", help="Bars of count-in clicks (0-4)."),
    loop: Optional[str] = typer.Option(None, "--loop", metavar="SECTION",
                                       help="Play only this section (its first occurrence), --times times."),
    times: int = typer.Option(1, "--times", metavar="N", help="How many times to play the loop (or the chart)."),
    ramp: str = typer.Option("0", "--ramp", metavar="+BPM", help="BPM added at each repeat, e.g. +2."),
    transpose: str = typer.Option("0", "--transpose", metavar="+-N", help="Semitones to move the chart, e.g. -2."),
    mute: Optional[list[str]] = typer.Option(None, "--mute", metavar="PART",
                                             help="Leave a part out: dombra or percussion (repeatable)."),
    style: Optional[str] = typer.Option(None, "--style", help="Style name (default: the chart's style:, "
                                        "else one in the chart's meter)."),
    bpm: Optional[float] = typer.Option(None, "--bpm", metavar="N", help="Tempo instead of the chart's (30-240)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed and chart give the same file."),
    soundfont: Optional[Path] = typer.Option(None, "--soundfont", metavar="PATH", help="SoundFont (.sf2/.sf3)."),
    patterns: Optional[Path] = PATTERNS_OPTION,
    audio_driver: str = typer.Option("jack", "--audio-driver",
                                     help="Live: FluidSynth audio driver: jack, alsa, pulseaudio, file ... "
                                          "(`aqyn ports` lists them)."),
    audio_file: Optional[Path] = typer.Option(None, "--audio-file", metavar="OUT.wav",
                                              help="Live with --audio-driver file: the WAV written in real time."),
    footswitch: Optional[Path] = typer.Option(None, "--footswitch", metavar="FILE",
                                              help="Live: footswitch map (TOML, as aqyn live), read from --in."),
    in_port: Optional[str] = typer.Option(None, "--in", metavar="NAME",
                                          help="Live: the MIDI port of the footswitch (`aqyn ports`)."),
    midi_api: str = typer.Option("auto", "--midi-api", help="Live MIDI backend for --in: auto, jack, alsa."),
) -> None:
    """Play a chord chart: no guitar needed. Offline with -o, else live through FluidSynth."""
    from engine.chart.play import PlayOptions, play_offline  # noqa: PLC0415 (keeps `aqyn --help` fast)
    from engine.chart.song import Practice  # noqa: PLC0415
    from engine.chart.source import load_chart  # noqa: PLC0415

    if output is None and (wav is not None or stems is not None):
        fail(f"{'--wav' if wav is not None else '--stems'} renders with -o OUT.mid; give -o too "
             "(without -o the chart plays live)")
    if bpm is not None and not 30 <= bpm <= 240:
        fail(f"--bpm must be 30..240, got {bpm:g}")
    check_port_names({"--in": in_port})
    if footswitch is not None and in_port is None:
        fail("--footswitch reads its switches from a MIDI port; give --in NAME too (`aqyn ports` lists them)")
    if output is not None and (footswitch or in_port):
        fail("--footswitch and --in are for playing live; leave out -o to play live")
    _live_only(output, audio_driver, audio_file, midi_api)
    dirs = pattern_dirs(patterns)
    options = PlayOptions(Practice(loop, times, _ramp(ramp), _transpose(transpose), bpm), count_in,
                          tuple(mute or ()), style, seed, dirs,
                          mix_levels(mix, LEVEL_PARTS, "a chart has no guitar"))
    try:
        chart, notes = load_chart(chart_file, song)
        for note in notes:
            typer.echo(f"aqyn: note: {note}", err=True)
        if output is None:
            from engine.chart.live import LivePlay, play_live  # noqa: PLC0415

            code = play_live(chart, options, LivePlay(soundfont, audio_driver, audio_file, footswitch, in_port,
                                                      midi_api))
            raise typer.Exit(code)
        with terminated_cleanly():          # a kill leaves no half-written file, as for render
            result = play_offline(chart, output, wav, options, soundfont, stems)
    except EngineError as exc:
        fail(str(exc))
    outputs = f"{output}" + (f" and {wav}" if wav else "") + (f" and stems in {stems}" if stems else "")
    typer.echo(f"wrote {outputs}: {result.title}, key {result.key}, {result.tempo}, {result.bars} bars, "
               f"style {result.style}, {result.band_notes} band notes, {result.seconds:.1f} s"
               + (f", {result.audio_seconds:.1f} s of audio" if wav or stems else "")
               + (f" (SoundFont {result.soundfont.name})" if result.soundfont else ""))
