"""`aqyn ports` and `aqyn live`: thin typer commands over engine.io.ports and engine.live."""

from __future__ import annotations

import sys
from contextlib import nullcontext
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
    check_audio_driver,
    check_band_heard,
    check_port_names,
    fail,
    mix_levels,
    pattern_dirs,
    player_settings,
)
from engine.errors import EngineError


def ports() -> None:
    """List MIDI inputs and outputs (JACK and ALSA) and FluidSynth's audio drivers."""
    from engine.io.fluid_live import audio_drivers  # noqa: PLC0415
    from engine.io.ports import probe  # noqa: PLC0415

    for name in ("jack", "alsa"):
        b = probe(name)
        if not b.available:
            typer.echo(f"MIDI {name.upper()}: unavailable — {b.problem}")
            continue
        typer.echo(f"MIDI {name.upper()} inputs (use with --in):")
        for p in b.inputs or ["(none)"]:
            typer.echo(f"  {p}")
        typer.echo(f"MIDI {name.upper()} outputs (use with --midi-out):")
        for p in b.outputs or ["(none)"]:
            typer.echo(f"  {p}")
    try:
        drivers = audio_drivers()
    except EngineError as exc:
        fail(str(exc), 1)
    typer.echo("audio drivers (use with --audio-driver): " + ", ".join(drivers))


def live(
    in_port: Optional[str] = typer.Option(None, "--in", metavar="NAME",
                                          help="Guitar input port (any part of its name; "
                                          "`aqyn ports` lists them)."),
    virtual: bool = typer.Option(False, "--virtual", help="Open a virtual input port 'aqyn:guitar in' instead."),
    midi_api: str = typer.Option("auto", "--midi-api",
                                 help="MIDI backend: auto (JACK if running, else ALSA), jack, alsa."),
    audio_driver: str = typer.Option("jack", "--audio-driver",
                                     help="FluidSynth audio driver: jack, alsa, pulseaudio, file ... "
                                          "(`aqyn ports` lists this machine's)."),
    audio_file: Optional[Path] = typer.Option(None, "--audio-file", metavar="OUT.wav",
                                              help="With --audio-driver file: the WAV written in real time."),
    midi_out: Optional[str] = typer.Option(None, "--midi-out", metavar="NAME",
                                           help="Also send the band to this MIDI output "
                                           "('virtual': a port of our own)."),
    clock_out: bool = typer.Option(False, "--clock-out", help="Send MIDI clock and start/stop on --midi-out."),
    clock_in: bool = typer.Option(False, "--clock-in", help="Follow MIDI clock, start/stop/continue and song "
                                  "position from the input: the master sets tempo, beat and bar."),
    style: str = typer.Option("auto", "--style", help="Style name, or 'auto' (by the guitar's feel)."),
    patterns: Optional[Path] = PATTERNS_OPTION,
    seed: int = typer.Option(0, "--seed", help="Random seed for the band's choices."),
    soundfont: Optional[Path] = typer.Option(
        None, "--soundfont", metavar="PATH", help="SoundFont (.sf2/.sf3; default: aqyn's own, else the best GM font)."),
    converter_latency_ms: float = LATENCY_OPTION,
    output_latency_ms: Optional[float] = typer.Option(None, "--output-latency-ms", metavar="N",
                                                      help="Audio delay from synth to ear "
                                                      "(default: from the driver settings)."),
    channels: Optional[str] = CHANNELS_OPTION,
    mix: Optional[str] = MIX_OPTION,
    footswitch: Optional[Path] = typer.Option(None, "--footswitch", metavar="FILE",
                                              help="Footswitch map (TOML, see README)."),
    on_input_loss: str = typer.Option("finish", "--on-input-loss",
                                      help="When the input port vanishes: finish (the band ends) or continue."),
    bpm: Optional[float] = BPM_OPTION,
    count_in: int = COUNT_IN_OPTION,
    meter: Optional[str] = METER_OPTION,
    duration: Optional[float] = typer.Option(None, "--duration", metavar="SECONDS", help="Stop after this long."),
    quiet: bool = typer.Option(False, "--quiet", help="No status view (headless use)."),
    verbose: bool = typer.Option(False, "--verbose",
                                 help="Also libjack's and FluidSynth's own lines on stderr (hidden otherwise)."),
    log: Optional[Path] = typer.Option(None, "--log", metavar="FILE", help="Append JSON lines: status and events."),
    record: Optional[Path] = typer.Option(None, "--record", metavar="TAKE.mid",
                                          help="Record what you play (with cues and the band's markers) to a "
                                          "MIDI file; `aqyn render TAKE.mid` replays the gig."),
) -> None:
    """Play along live: listen to a MIDI input port, play the band through FluidSynth in real time."""
    from engine.arrange.styles import list_styles  # noqa: PLC0415
    from engine.io.fluid_live import AudioConfig  # noqa: PLC0415 (keeps `aqyn --help` fast)
    from engine.io.native_stderr import crash_reported, native_stderr_silenced  # noqa: PLC0415
    from engine.live.controls import LEVEL_PARTS, FootswitchMap  # noqa: PLC0415
    from engine.live.session import LiveConfig, LiveSession  # noqa: PLC0415

    _check(in_port, virtual, output_latency_ms, on_input_loss, audio_driver, audio_file, duration)
    check_port_names({"--in": in_port, "--midi-out": midi_out}, virtual=True)
    _check_files(record, audio_file, log)
    if clock_out and midi_out is None:
        fail("--clock-out sends MIDI clock on --midi-out; give --midi-out NAME (or 'virtual') too")
    journal = _open_log(log)
    dirs = pattern_dirs(patterns)
    player = player_settings(converter_latency_ms, channels, bpm, count_in, meter)
    levels = mix_levels(mix, LEVEL_PARTS, "live, the guitar is heard through your own amplifier")
    check_band_heard(levels, LEVEL_PARTS)         # an off part stays off: a footswitch cannot bring it back
    # libjack and FluidSynth write to fd 2 from their own threads ("CheckRes error", "Help! Lost the connection
    # to the JACK server" when a server dies): kept off the stage unless asked for; aqyn says it as "input lost".
    with nullcontext() if verbose else native_stderr_silenced(), crash_reported():
        try:
            fmap = FootswitchMap.load(footswitch, list_styles(dirs)) if footswitch else None
            audio = AudioConfig(driver=audio_driver, file=audio_file,
                                output_latency=None if output_latency_ms is None else output_latency_ms / 1000)
            config = LiveConfig(input=in_port, midi_api=midi_api, audio=audio, soundfont=soundfont, style=style,
                                pattern_dirs=dirs, seed=seed, player=player,
                                midi_out=None if midi_out is None else ("" if midi_out == "virtual" else midi_out),
                                clock_out=clock_out, clock_in=clock_in, footswitch=fmap,
                                on_input_loss=on_input_loss, duration=duration, levels=levels,
                                record=record)
            session = LiveSession(config)
            session.open()
        except EngineError as exc:
            if journal:
                journal.close()
            fail(str(exc))
        code = _play(session, quiet, journal)
    raise typer.Exit(code)


def _check(in_port: Optional[str], virtual: bool, output_latency_ms: Optional[float], on_input_loss: str,
           audio_driver: str, audio_file: Optional[Path], duration: Optional[float]) -> None:
    """Options that do not fit together or are out of range: exit 2 with one line naming the first of them
    (output latency 0..500 ms, duration > 0 seconds)."""
    if (in_port is None) == (not virtual):
        fail("give either --in NAME (a port; `aqyn ports` lists them) or --virtual")
    if output_latency_ms is not None and not 0 <= output_latency_ms <= 500:
        fail(f"--output-latency-ms must be 0..500, got {output_latency_ms:g}")
    if on_input_loss not in ("finish", "continue"):
        fail(f"--on-input-loss must be finish or continue, got {on_input_loss!r}")
    if audio_driver == "file" and audio_file is None:
        fail("--audio-driver file needs --audio-file OUT.wav")
    check_audio_driver(audio_driver, audio_file)
    if duration is not None and duration <= 0:
        fail("--duration must be a positive number of seconds")


def _check_files(record: Optional[Path], audio_file: Optional[Path], log: Optional[Path]) -> None:
    """The take, the WAV and the log must be three files: exit 2 with one line when two are one."""
    from engine.io.outputs import check_distinct  # noqa: PLC0415

    named = [(p, n) for p, n in ((record, "--record"), (audio_file, "--audio-file"), (log, "--log")) if p]
    try:
        check_distinct([p for p, _ in named], [n for _, n in named])
    except EngineError as exc:
        fail(str(exc))


def _open_log(log: Optional[Path]):
    """The `--log` file opened for appending (a `JsonLog`), None without one; exit 2 with one line when it
    cannot be opened (a missing folder, a folder, no permission), before any port or sound is opened."""
    from engine.live.view import JsonLog  # noqa: PLC0415

    if log is None:
        return None
    if log.is_dir():
        fail(f"--log {log} is a folder; give a file to append JSON lines to")
    try:
        return JsonLog(log)
    except FileNotFoundError:
        fail(f"--log {log}: the folder {log.parent} does not exist; create it or log elsewhere")
    except OSError as exc:
        fail(f"--log {log} cannot be written ({exc.strerror}); give a file you may write")


def _play(session, quiet: bool, journal) -> int:
    """Run an opened session with its views (status on the terminal, JSON lines to `journal`, a `JsonLog` or
    None); the exit code."""
    from engine.live.view import PlainView, QuietView, RichView  # noqa: PLC0415

    about = session.describe()
    view = QuietView() if quiet else RichView(about) if sys.stdout.isatty() else PlainView()

    def on_status(s: dict) -> None:
        view.status(s)
        if journal:
            journal.write("status", s)

    def on_event(kind: str, data: dict) -> None:
        view.event(kind, data)
        if journal:
            journal.write(kind, data)

    session.on_status, session.on_event = on_status, on_event
    if not quiet:
        typer.echo(f"aqyn live: listening on {about['input']} ({about['midi_backend']} MIDI); {about['audio']}")
        typer.echo(f"  SoundFont {about['soundfont']}; style {about['style']}; "
                   f"converter latency {about['converter_latency_ms']} ms" +
                   (f"; band also to {about['midi_out']}" if about['midi_out'] else ""))
    try:
        code = session.run()
    finally:
        view.close()
        if journal:
            journal.close()
    if not quiet:
        c, feed, take = session.counters, session.feed.counters, session.config.record
        typer.echo(f"stopped: {feed.messages} MIDI messages in, {feed.garbage} malformed, "
                   f"{session.synth_notes} band notes, late events {session.late_events}, "
                   f"input lost {c.port_lost}x" + (f"; take in {take}" if take else ""))
    return code
