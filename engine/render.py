"""Offline render: a guitar MIDI file in, a backing track (MIDI, optionally WAV) out.

Runs exactly the live pipeline (`engine.pipeline.run`) under a virtual clock, with the player's settings and
an optional timeline of cues, so a render is what the gig would have sounded like. Outputs are written
all-or-nothing (engine/io/outputs.py): a failure never leaves a half-written file.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from engine.arrange.band import BAND_CHANNELS
from engine.arrange.styles import AUTO, count_in_beats, style_chooser
from engine.clock import VirtualClock
from engine.errors import OutputPathError
from engine.events import GUITAR, Control, Event, Note, Program, Raw
from engine.inputs import SongEnd, TimedInput, input_order
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.io.outputs import atomic_outputs, check_distinct, check_output
from engine.io.sinks import RecordingSink, Sink
from engine.io.soundfont import find_soundfont
from engine.listen.listener import PlayerSettings
from engine.listen.phrases import final_chords
from engine.midi import GM_DRUMS, NOTE_OFF, NOTE_ON, PROGRAM
from engine.pipeline import Engine, EngineConfig, run_offline
from engine.theory import tonic_name

GUITAR_PROGRAM = 27                            # GM Electric Guitar (clean), for inputs that name none


@dataclass(frozen=True)
class RenderResult:
    """What a render heard and made, for the command's one-line report."""

    key: str                 # e.g. "D minor", or "unknown"
    bpm: float | None
    input_seconds: float
    audio_seconds: float     # 0 when no WAV was asked for
    elapsed: float           # wall-clock seconds for the whole render
    band_notes: int
    late_notes: int
    style: str
    warnings: tuple[str, ...] = ()    # what the input file had that was left out (one line each)

    @property
    def realtime_factor(self) -> float:
        """Seconds of input rendered per second of wall clock."""
        return self.input_seconds / self.elapsed if self.elapsed > 0 else float("inf")


def guitar_track(guitar: GuitarFile, channels: tuple[int, ...] | None = None) -> list:
    """The input's messages as output events, on channels clear of the band's, with a guitar sound and a
    slight pan where the input names none. GM's drum channel 10 (a GM song's drums) is not the guitar and is
    left out, unless `channels` (0-based, the player's --channels) names it."""
    keep = [m for m in guitar.messages if m.channel != GM_DRUMS or (channels is not None and GM_DRUMS in channels)]
    used = sorted({m.channel for m in keep})
    free = [c for c in range(16) if c not in BAND_CHANNELS and c not in used]
    remap = {c: (free.pop(0) if c in BAND_CHANNELS and free else c) for c in used}
    has_program = {remap[m.channel] for m in guitar.messages if m.kind == PROGRAM}
    events: list = []
    for ch in sorted(set(remap.values())):
        if ch not in has_program:
            events.append(Program(0.0, ch, GUITAR_PROGRAM, GUITAR))
            events.append(Control(0.0, ch, 10, 78, GUITAR))
    for m in keep:
        events.append(Raw(m.time, (m.status & 0xF0) | remap[m.channel], m.data1, m.data2, GUITAR))
    return events + _closing_offs(events)


def _closing_offs(events: list) -> list:
    """Note-offs at the copy's end for the notes the input never ended (a converter that sends none, a take
    cut off mid-note), so a DAW shows no note running on forever; a note struck at the very end gets 0.5 s."""
    struck: dict[tuple[int, int], float] = {}    # (channel, pitch) -> when a sounding note was struck
    end = 0.0
    for e in events:
        end = max(end, e.time)
        if isinstance(e, Raw) and e.status & 0xF0 in (NOTE_ON, NOTE_OFF):
            key = (e.status & 0x0F, e.data1)
            if e.status & 0xF0 == NOTE_ON and e.data2 > 0:
                struck[key] = e.time
            else:
                struck.pop(key, None)
    return [Raw(end + 0.5 if t == end else end, NOTE_OFF | ch, pitch, 0, GUITAR)
            for (ch, pitch), t in sorted(struck.items())]


def player_inputs(guitar: GuitarFile, player: PlayerSettings, cues: Sequence[TimedInput] = (),
                  style: str = AUTO, pattern_dirs: list[Path] | None = None) -> list[TimedInput]:
    """The file's messages, the cues (and any other timed inputs, e.g. a clock master's), where each song of
    the take ends (its final chord: the whole file is known offline) and (with a count-in) the count-in
    before the first note, in the order the engine takes them. The count-in has the style's beats to the bar
    (4 for the automatic choice)."""
    items: list[TimedInput] = [*guitar.messages, *cues]
    items += [SongEnd(0.0, t) for t in final_chords(guitar.messages, player.listener_config().guitar)]
    count_in = player.count_in_before(guitar.first_onset, count_in_beats(style, pattern_dirs))
    if count_in is not None:
        items.append(count_in)
    return sorted(items, key=input_order)


def play(guitar: GuitarFile, style: str = AUTO, seed: int = 0, pattern_dirs: list[Path] | None = None,
         player: PlayerSettings | None = None, cues: Sequence[TimedInput] = (), sinks: Sequence[Sink] = (),
         clock: VirtualClock | None = None) -> tuple[Engine, list[Event]]:
    """The band along with `guitar` under a virtual clock: the engine at the end and the band's events.
    `sinks` get the band's events too, as they are made, and are closed at the end; `clock`: the virtual
    clock to run on (a new one by default). Other arguments as for `render`. Raises StyleNotFound or
    PatternError."""
    player = player or PlayerSettings()
    recorder = RecordingSink()
    engine = Engine(style_chooser(style, pattern_dirs), seed, [recorder, *sinks],
                    EngineConfig(player.listener_config(), pattern_dirs=pattern_dirs))
    run_offline(engine, player_inputs(guitar, player, cues, style, pattern_dirs), clock)
    engine.close()
    return engine, recorder.events


def render(input_path: str | Path, midi_out: str | Path, wav_out: str | Path | None = None, style: str = AUTO,
           seed: int = 0, soundfont: str | Path | None = None, pattern_dirs: list[Path] | None = None,
           with_guitar: bool = False, player: PlayerSettings | None = None,
           cues: Sequence[TimedInput] = (), plot: str | Path | None = None) -> RenderResult:
    """Play the band along with the guitar file at `input_path` and write `midi_out` (and `wav_out`).

    `style`: a style name or "auto"; `seed`: the band's random choices; `soundfont`: for the WAV (default:
    the best installed); `pattern_dirs`: user style folders; `with_guitar`: mix the guitar into the WAV;
    `player`: the player's settings (converter latency, channels, tempo, count-in); `cues`: footswitch
    actions at times (s) of the input; `plot`: also draw the timeline picture (engine/io/plot.py; needs
    matplotlib) to this PNG. Raises InputFileError, StyleNotFound, OutputPathError,
    SoundFontNotFound or SynthError (all EngineError) with a one-line message; nothing is left half-written.
    """
    started = time.perf_counter()
    guitar = read_guitar_file(input_path)
    style_chooser(style, pattern_dirs)    # an unknown style fails before any work
    named = [(p, what, option) for p, what, option in ((midi_out, "MIDI", "-o"), (wav_out, "WAV", "--wav"),
                                                         (plot, "picture", "--plot")) if p]
    outputs = [Path(p) for p, _, _ in named]
    for p, (_, what, _) in zip(outputs, named):
        check_output(p, what)
        if p.resolve() == Path(input_path).resolve():
            raise OutputPathError(f"output {p} is the input file; choose another name")
    check_distinct(outputs, [option for _, _, option in named])
    renderer = None
    if wav_out:
        from engine.io.wav_render import FluidRenderer  # noqa: PLC0415 (only WAV needs FluidSynth)

        renderer = FluidRenderer(find_soundfont(soundfont))   # a bad SoundFont fails before any work
    guitar_events = guitar_track(guitar, player.channels if player else None)

    def perform(sinks: list[Sink], clock: VirtualClock) -> tuple[Engine, list[Event]]:
        return play(guitar, style, seed, pattern_dirs, player, cues, sinks=sinks, clock=clock)

    def picture(path: Path, engine: Engine, band: list[Event]) -> None:
        arranger = engine.scheduler.arranger
        _draw(path, guitar, band, player, arranger.style.name if arranger else style)

    engine, band, audio_seconds = write_outputs(outputs, renderer, perform, guitar_events,
                                                guitar_events if with_guitar else [], picture if plot else None)
    return _result(engine, guitar, band, style, audio_seconds, started)


Perform = Callable[[list[Sink], VirtualClock], tuple[Engine, list[Event]]]
Picture = Callable[[Path, Engine, list[Event]], None]


def write_outputs(outputs: list[Path], renderer, perform: Perform, midi_lead: Sequence[Event] = (),
                  wav_lead: Sequence[Event] = (), picture: Picture | None = None) -> tuple[Engine, list[Event], float]:
    """Play and write the outputs all-or-nothing: `outputs[0]` the MIDI file (`midi_lead`, e.g. the guitar's
    copy, then the band), `outputs[1]` the WAV when there is a `renderer` (a FluidRenderer, closed here),
    rendered while the band plays with `wav_lead` mixed in. `perform(sinks, clock)` plays the band under the
    virtual `clock`, sending to `sinks` too, and returns the engine and the band's events. Returns the engine,
    the band's events and the seconds of audio written. `picture(path, engine, band)`, when given, draws into
    the last of `outputs` (the --plot PNG) once the band has played. Raises whatever `perform` or the writing
    raises (OutputPathError, SynthError ...); nothing is left half-written."""
    try:
        with atomic_outputs(outputs) as temps:
            engine, band, audio_seconds = _play_into(temps, renderer, perform, wav_lead)
            if renderer is not None:
                renderer.close()          # the samples freed before the MIDI file is made
            midi = MidiFileSink(temps[0])
            for ev in [*midi_lead, *band]:
                midi.send(ev)
            midi.close()
            if picture is not None:
                picture(temps[-1], engine, band)
    finally:
        if renderer is not None:
            renderer.close()
    return engine, band, audio_seconds


def _play_into(temps: list[Path], renderer, perform: Perform,
               wav_lead: Sequence[Event]) -> tuple[Engine, list[Event], float]:
    """`perform`, the WAV (`temps[1]`, when there is a `renderer`) rendered while the band plays with
    `wav_lead` in it: the engine, the band's events and the seconds of audio written."""
    if renderer is None:
        return (*perform([], VirtualClock()), 0.0)
    from engine.io.wav_stream import WavStream  # noqa: PLC0415

    clock = VirtualClock()
    wav = None
    try:
        wav = WavStream(temps[1], renderer, clock)
        for ev in wav_lead:
            wav.send(ev)
        engine, band = perform([wav], clock)   # closing the engine finishes the WAV
    except BaseException:
        if wav is not None:
            wav.abort()
        raise
    return engine, band, wav.seconds


def _draw(path: Path, guitar: GuitarFile, band: list[Event], player: PlayerSettings | None, style: str) -> None:
    """The timeline picture of a render at `path`: what the listener heard (its online analysis: the listener
    the render ran, on the same input) and the band's events."""
    from engine.analyze import analyze_guitar  # noqa: PLC0415 (only --plot needs these)
    from engine.io.plot import picture_of, save_timeline  # noqa: PLC0415

    heard = analyze_guitar(guitar, player=player)
    key = f"key {heard.key['tonic']} {heard.key['mode']}" if heard.key else "key unknown"
    title = f"{guitar.path.name}: {key}, {heard.meter or 'meter unknown'}; the band: {style}"
    save_timeline(picture_of(title, guitar.messages, heard, band), path)


def _result(engine: Engine, guitar: GuitarFile, band: list, style: str, audio_seconds: float,
            started: float) -> RenderResult:
    state = engine.listener.state(guitar.duration)
    key = "unknown" if state.tonic is None else f"{tonic_name(state.tonic, state.mode)} {state.mode}"
    arranger = engine.scheduler.arranger
    return RenderResult(key=key, bpm=state.bpm, input_seconds=guitar.duration, audio_seconds=audio_seconds,
                        elapsed=time.perf_counter() - started,
                        band_notes=sum(isinstance(e, Note) for e in band), late_notes=engine.scheduler.late,
                        style=arranger.style.name if arranger else style, warnings=guitar.warnings)
