"""`aqyn play`: the band plays a chord chart, offline (MIDI and WAV, as `aqyn render` writes them) or live.

The chart's `ChartListener` (engine/chart/listener.py) stands in for the guitar's listener inside the one
`Engine`; the same scheduler, arranger, sinks and output writers as `aqyn render` do the rest. Offline the
engine runs under a virtual clock (`run_offline`), so the same chart, options and seed give the same files.

The style: `--style`, else the chart's `style:`, else the automatic choice for the chart's meter and tempo. Its
main sections are told to last until cued (the chart's form, not the style's section lengths, says when
main A and main B take turns).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

from engine.arrange.patterns import Style
from engine.arrange.styles import AUTO, good_styles, list_styles, load_style, style_chooser
from engine.bars import Meter, fits
from engine.chart.listener import ChartListener, intro_bars
from engine.chart.parse import Chart
from engine.chart.song import Practice, Song, practice
from engine.clock import VirtualClock
from engine.errors import OptionError, StyleMeterError, StyleNotFound
from engine.events import DOMBRA, PERCUSSION, Event, Marker, Note
from engine.inputs import CountIn, TimedInput, input_order
from engine.io.sinks import RecordingSink, Sink
from engine.mixer import Levels, silenced
from engine.pipeline import Engine, EngineConfig, run_offline
from engine.render import plan_outputs, write_outputs
from engine.schedule import SchedulerConfig
from engine.state import BeatGrid
from engine.theory import tonic_name

PARTS = (DOMBRA, PERCUSSION)


@dataclass(frozen=True)
class PlayOptions:
    """How to play a chart: the practice options, `count_in` bars of clicks (0..4), the parts to `mute`
    (dombra, percussion), `style` (None: the chart's, else automatic), `seed` for the band's choices, the
    parts' `levels` (dB, engine/mixer.py: played as channel volume, live and offline)."""

    practice: Practice = Practice()
    count_in: int = 0
    mute: tuple[str, ...] = ()
    style: str | None = None
    seed: int = 0
    pattern_dirs: list[Path] | None = None
    levels: Levels = Levels()


@dataclass(frozen=True)
class Prepared:
    """A chart ready to play: the song, the style, the listener and the engine's timed inputs (the form's
    cues and the count-in), all from `start` seconds of the clock they were made for."""

    song: Song
    style: Style
    listener: ChartListener
    inputs: list[TimedInput]


class MutingSink:
    """Passes events on to `sink`, leaving out the notes of the `muted` parts from `since` (s) on (the
    count-in's clicks before the band's first downbeat are kept). Forwards `flush` (live sinks need it)."""

    def __init__(self, sink: Sink, muted: tuple[str, ...], since: float):
        self.sink, self.muted, self.since = sink, frozenset(muted), since

    def send(self, event: Event) -> None:
        """The event to the sink, unless it is a muted part's note."""
        if isinstance(event, Note) and event.part in self.muted and event.time >= self.since:
            return
        self.sink.send(event)

    def flush(self, now: float) -> None:
        """The sink's flush, when it has one."""
        flush = getattr(self.sink, "flush", None)
        if flush is not None:
            flush(now)

    def close(self) -> None:
        """Close the sink."""
        self.sink.close()


def chart_style(chart: Chart, options: PlayOptions) -> Style:
    """The style to play `chart` in (see the module docstring), its main sections lasting until cued. Raises
    ChartError (an unknown style named in the chart, at its header), StyleNotFound (--style), StyleMeterError
    (a style that cannot play in the chart's meter: its bar must be the chart's or divide it, so that the
    band's bars end where the chart's do; in 5/8 and 7/8 it must be in the chart's meter) or PatternError."""
    meter = Meter(chart.meter.beats, chart.meter.compound)
    name = options.style or chart.style or AUTO
    if name == AUTO and chart.meter.additive:
        style = next(iter(styles_in(chart.meter.text, options.pattern_dirs).values()), None)
    elif name == AUTO:
        grid = BeatGrid(0.0, 0, 60.0 / chart.tempo, meter.beats, 0, meter.compound)   # auto hears its tempo too
        # among the styles that play the chart: by `fits` alone a 4/4 ballad suits a 2/4 chart at 60, whose bars
        # it cannot end on (auto's pick by tempo was then refused: "no style plays a 2/4 chart")
        style = style_chooser(AUTO, options.pattern_dirs, fit=lambda s, _meter: plays(s, chart))(grid)
    else:
        try:
            style = load_style(name, options.pattern_dirs)
        except StyleNotFound as exc:
            if options.style is None:
                raise chart.error("style", f"{exc} (or leave the style out: one in the chart's meter)") from None
            raise
    if style is None or not plays(style, chart):
        if name == AUTO:
            raise StyleMeterError(f"no style plays a {chart.meter.text} chart (aqyn patterns list shows their "
                                  "meters); write one (patterns/README.md) or choose another meter")
        if chart.meter.additive:
            fitting = ", ".join(styles_in(chart.meter.text, options.pattern_dirs)) or "none yet"
            raise StyleMeterError(f"style {style.name!r} is in {style.meter}, the chart in {chart.meter.text}; "
                                  f"give a style in {chart.meter.text} ({fitting}; aqyn patterns list) or "
                                  "leave it out")
        raise StyleMeterError(f"style {style.name!r} is in {style.meter}, the chart in {chart.meter.text}; "
                              f"give a style that fits {chart.meter.text} (one in its meter, or a 2/4 style in "
                              "4/4; aqyn patterns list) or leave it out")
    sections = tuple(dataclasses.replace(s, bars=0) if s.name in ("main_a", "main_b") else s for s in style.sections)
    return dataclasses.replace(style, sections=sections)


def plays(style: Style, chart: Chart) -> bool:
    """True when `style` can play `chart`: in 5/8 and 7/8 a style in that meter (its groups may be any:
    aqsaq 3+2 or shertpe 2+3); otherwise a style of whole beats whose bar is the chart's or divides it."""
    if chart.meter.additive:
        return style.meter == chart.meter.text
    meter = Meter(chart.meter.beats, chart.meter.compound)
    return fits(style, meter) and style.whole_beats and meter.beats % int(style.beats_per_bar) == 0


def styles_in(meter: str, pattern_dirs: list[Path] | None = None) -> dict[str, Style]:
    """The styles (by name, in name order) whose meter is `meter` ("7/8"); a broken style file is left out
    (with its one-line warning, as the automatic choice leaves it out)."""
    styles, _ = good_styles(list_styles(pattern_dirs), "left out of auto")
    return {name: style for name, style in styles.items() if style.meter == meter}


def prepare(chart: Chart, options: PlayOptions, start: float = 0.0) -> Prepared:
    """The chart, the practice options and the style made ready to play from `start` (s): the count-in's
    bars of clicks, or a bar of silence, then the band's first downbeat (whole bars from `start`, so a MIDI
    file from second 0 has no pickup bar; see `lead_bars` for 5/8 and 7/8). Raises ChartError, StyleNotFound,
    StyleMeterError, PatternError or OptionError (an option out of range, or every part muted or off: the
    message names the options)."""
    if not 0 <= options.count_in <= 4:
        raise OptionError(f"--count-in must be 0..4 bars, got {options.count_in}")
    for part in options.mute:
        if part not in PARTS:
            raise OptionError(f"--mute takes {' or '.join(PARTS)}, got {part!r}")
    off = silenced(options.levels, PARTS, options.mute)
    if len(off) == len(PARTS):          # a chart has no guitar: the band is all there is to hear
        raise OptionError(f"{' and '.join(off)} leave nothing to hear (a chart has no guitar); leave one part in "
                          "(--mix PART=-20 plays it quietly)")
    song = practice(chart, options.practice)
    style = chart_style(chart, options)
    bpb = song.beats_per_bar
    period = 60.0 / song.bars[0].bpm
    lead = lead_bars(options.count_in, chart.meter.additive)
    silent = lead - options.count_in             # bars of silence before the clicks
    intro = intro_bars(style.section("intro").bars, style.beats_per_bar, bpb)
    listener = ChartListener(song, intro, start + float(lead * bpb) * period, style.beats_per_bar,
                             style.section("ending").bars)
    inputs: list[TimedInput] = list(listener.cues())
    if options.count_in and chart.meter.additive:    # clicks on the style's groups: the bar limps as it will
        groups = style.groups
        inputs += [CountIn(start + float((silent + k) * bpb) * period, len(groups), period, len(groups),
                           groups=groups) for k in range(options.count_in)]
    elif options.count_in:
        inputs.append(CountIn(start, int(options.count_in * bpb), period, int(bpb), clicks=True))
    return Prepared(song, style, listener, sorted(inputs, key=input_order))


def lead_bars(count_in: int, additive: bool) -> int:
    """Bars before the band's first downbeat: the count-in's, or one of silence; in 5/8 and 7/8 an even
    number (a silent bar before an odd count-in), so the band comes in on a whole quarter and a MIDI file,
    which counts whole quarters from its start, has its bar lines on the chart's.

    >>> lead_bars(0, False), lead_bars(3, False), lead_bars(0, True), lead_bars(1, True), lead_bars(2, True)
    (1, 3, 2, 2, 2)
    """
    lead = max(1, count_in)
    return lead + lead % 2 if additive else lead


def chart_engine(prepared: Prepared, options: PlayOptions, sinks: list[Sink]) -> Engine:
    """The engine that plays `prepared`: the chart's listener, its style, `sinks` behind the mute."""
    since = prepared.listener.start_time - 0.1
    style = prepared.style
    return Engine(lambda grid, strict=True: style, options.seed,
                  [MutingSink(s, options.mute, since) for s in sinks],
                  EngineConfig(scheduler=SchedulerConfig(levels=options.levels), pattern_dirs=options.pattern_dirs),
                  listener=prepared.listener)


def perform(prepared: Prepared, options: PlayOptions, sinks: list[Sink], clock: VirtualClock | None = None
            ) -> tuple[Engine, list[Event]]:
    """Play `prepared` offline under a virtual clock: the engine at the end and the band's events (the chart's
    section markers among them). `sinks` get the band's events too and are closed at the end."""
    recorder = RecordingSink()
    engine = chart_engine(prepared, options, [recorder, *sinks])
    for t, text in prepared.listener.markers():
        for sink in engine.sinks:
            sink.send(Marker(t, text))
    run_offline(engine, prepared.inputs, clock)
    engine.close()
    return engine, recorder.events


@dataclass(frozen=True)
class PlayResult:
    """What an offline play made, for the command's one-line report."""

    title: str
    key: str                # "D dorian"
    bpm: float              # the first bar's tempo
    tempo: str              # "96 BPM", or "96 to 104 BPM" with a ramp (Song.tempo)
    bars: int               # the chart's bars as played (loops and repeats unrolled), without the intro
    style: str
    band_notes: int
    seconds: float          # to the band's last event
    audio_seconds: float
    elapsed: float
    soundfont: Path | None = None   # the SoundFont the audio was rendered with (None: no audio)


def play_offline(chart: Chart, midi_out: str | Path, wav_out: str | Path | None = None,
                 options: PlayOptions = PlayOptions(), soundfont: str | Path | None = None,
                 stems_dir: str | Path | None = None) -> PlayResult:
    """Play `chart` and write `midi_out` (type-1 MIDI, one track per part, tempo map, key, markers),
    `wav_out` (through FluidSynth, as `aqyn render --wav`) and one WAV per part in `stems_dir` (made when
    missing; as `aqyn render --stems`). Raises ChartError, StyleNotFound, StyleMeterError,
    OutputPathError, SoundFontNotFound, SynthError or OptionError (an option out of range; all EngineError,
    one line); nothing is left half-written."""
    started = time.perf_counter()
    prepared = prepare(chart, options)
    outputs = {"-o": Path(midi_out)} | ({"--wav": Path(wav_out)} if wav_out else {})
    outputs, renderer = plan_outputs(outputs, Path(chart.path), "chart file", stems_dir, False, soundfont)
    engine, band, audio_seconds = write_outputs(
        outputs, renderer, lambda sinks, clock: perform(prepared, options, sinks, clock))
    song = prepared.song
    return PlayResult(song.title, key_name(song.key), song.bars[0].bpm, song.tempo, len(song.bars),
                      prepared.style.name, sum(isinstance(e, Note) for e in band),
                      max((e.time for e in band), default=0.0), audio_seconds, time.perf_counter() - started,
                      renderer.soundfont if renderer is not None else None)


def key_name(key: tuple[int, str]) -> str:
    """(2, "dorian") -> "D dorian"."""
    return f"{tonic_name(key[0], key[1])} {key[1]}"


def bar_seconds(prepared: Prepared, bar: int) -> float:
    """When the song's bar `bar` (from 0) begins (s)."""
    listener = prepared.listener
    return listener.seconds_at(float(listener.first_bar_beat + bar * prepared.song.beats_per_bar))
