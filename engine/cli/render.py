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
    METER_OPTION,
    MIX_OPTION,
    PATTERNS_OPTION,
    PLOT_OPTION,
    check_band_heard,
    check_plot,
    fail,
    mix_levels,
    pattern_dirs,
    player_settings,
)
from engine.errors import EngineError
from engine.io import outputs
from engine.mixer import GUITAR, PARTS

LEVEL_PARTS = PARTS[:2]        # the band's parts: the guitar has a level only with --with-guitar


@contextmanager
def terminated_cleanly() -> Iterator[None]:
    """While inside, SIGTERM (a `kill`, a service manager, a closing terminal's shell) exits with status 143
    by raising SystemExit, so the render's clean-up runs: its temporary outputs are removed and the files it
    would replace stay as they were. The handler before is put back after."""
    def stop(signum, frame):
        outputs.stop(128 + signum)       # at once, or once a temporary file being made is known

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
    input_files: list[Path] = typer.Argument(..., metavar="IN.mid",
                                             help="Guitar performance (Standard MIDI File); several: a batch."),
    output: Path = typer.Option(..., "-o", "--output", metavar="OUT.mid",
                                help="Backing track MIDI to write (a batch: the folder for NAME.mid)."),
    wav: Optional[Path] = typer.Option(None, "--wav", metavar="OUT.wav",
                                       help="Also render audio (stereo 44.1 kHz WAV) through FluidSynth "
                                            "(a batch: the folder for NAME.wav)."),
    style: str = typer.Option("auto", "--style", help="Style name from patterns/, or 'auto' (by the guitar's feel)."),
    seed: int = typer.Option(0, "--seed", help="Random seed: same seed and input give the same file."),
    soundfont: Optional[Path] = typer.Option(
        None, "--soundfont", metavar="PATH",
        help="SoundFont for --wav (default: aqyn's own, soundfonts/aqyn.sf2; else the best GM font installed)."),
    with_guitar: bool = typer.Option(False, "--with-guitar",
                                     help="Mix the guitar into the WAV too (it is always in the MIDI)."),
    stems: Optional[Path] = typer.Option(None, "--stems", metavar="DIR",
                                         help="Also write one WAV per part into DIR (dombra.wav, percussion.wav, "
                                              "guitar.wav with --with-guitar), aligned with the mix "
                                              "(a batch: into DIR/NAME/)."),
    mix: Optional[str] = MIX_OPTION,
    patterns: Optional[Path] = PATTERNS_OPTION,
    cues: Optional[Path] = typer.Option(None, "--cues", metavar="CUES.toml",
                                        help="Footswitch actions at times of the input, as a gig would have them "
                                        "(instead of those a take recorded by `aqyn live --record` holds)."),
    converter_latency_ms: float = LATENCY_OPTION,
    channels: Optional[str] = CHANNELS_OPTION,
    bpm: Optional[float] = BPM_OPTION,
    count_in: int = COUNT_IN_OPTION,
    meter: Optional[str] = METER_OPTION,
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", metavar="N",
                                       help="A batch: files rendered at once (default: the machine's cores)."),
    plot: Optional[Path] = PLOT_OPTION,
    look_ahead: bool = typer.Option(
        False, "--look-ahead",
        help="A backing track from your first downbeat: listen to the whole take first, then play it again with "
             "the band in from your first downbeat (after a pickup: the downbeat after it), at the tempo, meter "
             "and key heard there, as if counted in; then it follows you as live (as live throughout where that "
             "early band would follow you less well later on). Three times as long."),
) -> None:
    """Play the band along with IN.mid, exactly as live, and write the backing track (several files: a batch
    into folders, in parallel)."""
    from engine.io.cues import load_cues  # noqa: PLC0415 (keeps `aqyn --help` fast)
    from engine.io.take import take_cues  # noqa: PLC0415
    from engine.render import render as do_render  # noqa: PLC0415

    audio = wav is not None or stems is not None
    check_plot(plot)
    if plot is not None and len(input_files) > 1:
        fail("--plot draws one take; give one IN.mid (or leave --plot out of a batch)")
    if with_guitar and not audio:
        fail("--with-guitar mixes the guitar into the WAV; give --wav OUT.wav too (the MIDI always has the guitar)")
    if soundfont is not None and not audio:
        typer.echo("aqyn: warning: --soundfont is used only for --wav; no audio is rendered without it", err=True)
    levels = mix_levels(mix, PARTS if with_guitar else LEVEL_PARTS, "the guitar is heard only with --with-guitar")
    check_band_heard(levels, LEVEL_PARTS, GUITAR if with_guitar else None)
    dirs = pattern_dirs(patterns)
    player = player_settings(converter_latency_ms, channels, bpm, count_in, meter)
    if look_ahead and count_in:
        fail("--look-ahead starts the band on your first downbeat by itself; leave out --count-in (or --look-ahead)")
    if jobs is not None and jobs < 1:
        fail(f"--jobs must be 1 or more, got {jobs}")
    try:
        # A take recorded by `aqyn live --record` holds its cues; --cues replaces them (in a batch, every
        # file's own are read where it renders: cues=None).
        timeline = load_cues(cues, dirs) if cues is not None else None
        options = dict(style=style, seed=seed, soundfont=soundfont, pattern_dirs=dirs, with_guitar=with_guitar,
                       player=player, cues=timeline, levels=levels, look_ahead=look_ahead)
        with terminated_cleanly():
            if len(input_files) > 1:
                from engine.arrange.styles import style_chooser  # noqa: PLC0415
                from engine.cli.batch import default_jobs, render_batch  # noqa: PLC0415
                from engine.io.soundfont import find_soundfont  # noqa: PLC0415

                style_chooser(style, dirs)         # what would fail every file fails once, before any work
                if audio:
                    find_soundfont(soundfont)

                render_batch(input_files, output, wav, stems, jobs or default_jobs(), options)
                return
            if timeline is None:
                options["cues"] = take_cues(input_files[0], dirs)
            result = do_render(input_files[0], output, wav, stems_dir=stems, plot=plot, **options)
    except EngineError as exc:
        fail(str(exc))
    _report(result, [p for p in (output, wav, plot) if p], stems, channels, audio)


def _report(result, written: list[Path], stems: Path | None, channels: str | None, audio: bool) -> None:
    """The render's warnings (one line each, stderr) and its one-line report of what was heard and written."""
    for warning in result.warnings:
        typer.echo(f"aqyn: warning: {warning}", err=True)
    if not result.band_notes and result.song_over:
        typer.echo("aqyn: warning: the band never played: the song was over before it could come in (it comes in on "
                   "your downbeat after about two bars of a steady beat and key); the file holds the guitar alone",
                   err=True)
    elif not result.band_notes:
        typer.echo("aqyn: warning: the band never played: no steady beat and key were heard in the guitar"
                   + (f" on channels {channels}" if channels else "") + " (is it on the channels given, and "
                   "is there more than a few notes?); the file holds the guitar alone", err=True)
    names = [str(p) for p in written] + ([f"stems in {stems}"] if stems else [])
    outputs = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    typer.echo(f"wrote {outputs}: {result.heard()}, {result.band_notes} band notes"
               + (f", {result.audio_seconds:.1f} s of audio" if audio else "")
               + (f" (SoundFont {result.soundfont.name})" if audio and result.soundfont else "")
               + f", {result.realtime_factor:.0f}x real time")
