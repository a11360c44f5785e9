"""What every `aqyn` command shares: one way to fail, and the player's options (live, render, analyze)."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn, Optional

import typer

from engine.listen.listener import TEMPO_RANGE, PlayerSettings, in_tempo_range, tempo_range_text
from engine.mixer import PARTS, Levels, parse_mix, silenced

LATENCY_OPTION = typer.Option(0.0, "--converter-latency-ms", metavar="N",
                              help="Your converter's delay from string to MIDI (0-200 ms), taken off every note.")
CHANNELS_OPTION = typer.Option(None, "--channels", metavar="1-6",
                               help="Guitar MIDI channels to listen to (default: all but 10, GM's drums), "
                                    "e.g. '1-6' or '1,3,5'.")
BPM_OPTION = typer.Option(None, "--bpm", metavar="N",
                          help=f"The tempo you play ({TEMPO_RANGE[0]:g}-{TEMPO_RANGE[1]:g}; a hint, and the "
                               "count-in's).")
COUNT_IN_OPTION = typer.Option(0, "--count-in", metavar="BARS",
                               help="Bars of count-in clicks at --bpm before your first downbeat (0-2).")
METER_OPTION = typer.Option(None, "--meter", metavar="N/4",
                            help="The meter you count in: 2/4, 3/4 or 4/4 (the count-in's clicks to the bar, and "
                                 "the band's bars until it hears yours; default: the style's, 4/4 for auto).")
COUNT_METERS = {"2/4": 2, "3/4": 3, "4/4": 4}
MIX_OPTION = typer.Option(None, "--mix", metavar="PART=DB,...",
                          help="Levels in dB from the band's own mix, e.g. 'dombra=-3,percussion=0,guitar=-6' "
                               "(-60..+12, or off).")
PATTERNS_OPTION = typer.Option(None, "--patterns", metavar="DIR",
                               help="Extra folder of style files, searched first (also: $AQYN_PATTERNS).")
# The help is read as rich markup, where [plot] is a style tag and vanishes: the backslash keeps it.
PLOT_OPTION = typer.Option(None, "--plot", metavar="OUT.png",
                           help="Also draw a timeline picture: the guitar's notes, tempo, beats, key, chords, "
                                "confidence (and the band's sections). Needs aqyn\\[plot] (matplotlib).")


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `aqyn: error: message` on stderr (one line) and exit with `code` (2: bad input, 1: runtime)."""
    typer.echo(f"aqyn: error: {message}", err=True)
    raise typer.Exit(code)


def check_plot(plot: Optional[Path]) -> None:
    """With --plot, fail (exit 2, one line) before any work when matplotlib is missing."""
    if plot is None:
        return
    from engine.io.plot import plot_problem  # noqa: PLC0415

    problem = plot_problem()
    if problem is not None:
        fail(problem)


def parse_channels(spec: str) -> tuple[int, ...]:
    """'1-6' or '1,2,3' (1-based MIDI channels) -> sorted 0-based channels. Raises ValueError.

    >>> parse_channels("1-3,6")
    (0, 1, 2, 5)
    """
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        a, b = int(lo), int(hi or lo)
        if not 1 <= a <= b <= 16:
            raise ValueError(f"channel range {part.strip()!r} is outside 1-16")
        out.extend(range(a - 1, b))
    return tuple(sorted(set(out)))


def player_settings(converter_latency_ms: float, channels: Optional[str], bpm: Optional[float],
                    count_in: int, meter: Optional[str] = None) -> PlayerSettings:
    """The player's options as settings (`meter`: the count-in's, "3/4"); a bad value fails with one line
    (exit 2)."""
    if not 0 <= converter_latency_ms <= 200:
        fail(f"--converter-latency-ms must be 0..200, got {converter_latency_ms:g}")
    if bpm is not None and not in_tempo_range(bpm):
        fail(f"--bpm must be {tempo_range_text()} (the tempos aqyn hears), got {bpm:g}")
    if count_in and bpm is None:
        fail("--count-in needs --bpm N (the tempo to count in)")
    if not 0 <= count_in <= 2:
        fail(f"--count-in must be 0, 1 or 2 bars, got {count_in}")
    if meter is not None and meter not in COUNT_METERS:
        fail(f"--meter must be one of {', '.join(COUNT_METERS)} (the meter you count in), got {meter!r}")
    if meter is not None and not count_in:
        fail("--meter is the count-in's meter: give --count-in BARS with it")
    chans = None
    if channels:
        try:
            chans = parse_channels(channels)
        except ValueError:
            fail(f"--channels {channels!r}: give channels 1-16 like '1-6' or '1,3,5'")
    return PlayerSettings(converter_latency_ms / 1000, chans, bpm, count_in,
                          None if meter is None else COUNT_METERS[meter])


def pattern_dirs(patterns: Optional[Path]) -> list[Path] | None:
    """The user's style folder as a list, None without one; fails (exit 2) when it is not a folder."""
    if patterns is None:
        return None
    if not patterns.is_dir():
        fail(f"--patterns {patterns} is not a folder; give the folder holding your .toml styles")
    return [patterns]


def mix_levels(spec: Optional[str], parts: tuple[str, ...] = PARTS, why: str = "") -> Levels:
    """`--mix` as levels of `parts` (flat without one); a bad one fails with one line (exit 2). A part of
    PARTS not among `parts` fails as not played here (`why`: the reason, said in the message)."""
    if spec is None:
        return Levels()
    try:
        levels = parse_mix(spec, PARTS)
    except ValueError as exc:
        fail(f"--mix {spec!r}: {exc}")
    for part, _ in levels.levels:
        if part not in parts:
            fail(f"--mix {spec!r}: no {part} here ({why or 'not played'}); levels for {', '.join(parts)}")
    return levels


def check_band_heard(levels: Levels, band: tuple[str, ...], guitar: str | None = None) -> None:
    """Fail (exit 2, one line naming the options) when `--mix` turns off every part of the `band`
    (("dombra", "percussion")) and no `guitar` part (the guitar's part name, with --with-guitar) is left on:
    a render or a session would be silence. With the guitar on, one note line says the WAV holds it alone."""
    off = silenced(levels, band)
    if len(off) < len(band):
        return
    if guitar is not None and not silenced(levels, (guitar,)):
        typer.echo(f"aqyn: note: {' and '.join(off)} leave the band out: the WAV holds your guitar alone", err=True)
        return
    off += silenced(levels, (guitar,) if guitar else ())
    fail(f"{', '.join(off[:-1])} and {off[-1]} leave nothing to hear; leave one part on (--mix PART=-20 plays it "
         "quietly)")


def check_port_names(names: dict[str, Optional[str]], virtual: bool = False) -> None:
    """Exit 2 with one line when a port option of `names` (option -> the name given, or None) names no port: a blank
    name. A port is chosen by any part of its name, and the empty part is in every name: `live --in ""` (a script's
    unset variable) opened whichever port was there (review32). `virtual`: the line offers `--virtual` too."""
    for option, name in names.items():
        if name is not None and not name.strip():
            fail(f"{option} {name!r} names no port; give part of its name (`aqyn ports` lists them)"
                 + (", or --virtual" if virtual and option == "--in" else ""))


def check_audio_driver(audio_driver: str, audio_file: Optional[Path] = None) -> None:
    """Exit 2 with one line naming the drivers there are when this FluidSynth has no `audio_driver`, or when
    the `file` driver's `audio_file` cannot be written as a regular file (a missing folder: FluidSynth would
    only say its driver did not open), before any port or sound is opened (exit 1 when the FluidSynth library
    itself is missing)."""
    from engine.errors import AudioDriverError, EngineError, OutputPathError  # noqa: PLC0415
    from engine.io.fluid_live import check_driver  # noqa: PLC0415
    from engine.io.outputs import check_output  # noqa: PLC0415

    try:
        check_driver(audio_driver)
        if audio_driver == "file" and audio_file is not None:
            check_output(audio_file, "live WAV")
    except (AudioDriverError, OutputPathError) as exc:
        fail(str(exc))
    except EngineError as exc:
        fail(str(exc), 1)
