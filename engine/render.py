"""Offline render: a guitar MIDI file in, a backing track (MIDI, optionally WAV) out.

Runs exactly the live pipeline (`engine.pipeline.run`) under a virtual clock, with the player's settings and
an optional timeline of cues, so a render is what the gig would have sounded like. Outputs are written
all-or-nothing (engine/io/outputs.py): a failure never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import os
import time
from bisect import bisect_right
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from engine.arrange.band import BAND_CHANNELS
from engine.arrange.styles import AUTO, count_in_beats, load_style, meter_refusal, style_chooser
from engine.bars import Meter, fits
from engine.clock import VirtualClock
from engine.errors import OutputPathError, StyleMeterError
from engine.events import (
    DOMBRA,
    GUITAR,
    PERCUSSION,
    Beat,
    Control,
    Event,
    KeyChange,
    Marker,
    Note,
    Program,
    Raw,
    TimeSignature,
)
from engine.inputs import Cue, CueInput, PlayerBreak, SongEnd, TimedInput, input_order
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.io.outputs import atomic_outputs, check_distinct, check_kind, check_output
from engine.io.sinks import RecordingSink, Sink
from engine.io.soundfont import find_soundfont
from engine.listen.listener import PlayerSettings
from engine.listen.meter import MeterHeard
from engine.listen.phrases import breaks, final_chords, strums
from engine.look_ahead import AGREE, Named, follows, opening, whole_key
from engine.midi import CONTROL, GM_DRUMS, NOTE_OFF, NOTE_ON, PROGRAM
from engine.mixer import GM_VOLUME, Levels
from engine.pipeline import Engine, EngineConfig, run_offline
from engine.schedule import SchedulerConfig
from engine.tempomap import median_bpm
from engine.theory import tonic_name

GUITAR_PROGRAM = 27                            # GM Electric Guitar (clean), for inputs that name none
MOVED = 0.08         # the band's tempo moved when the 5th and 95th percentile of its tempo differ by this share
SPAN = 4             # beats: ... its tempo taken over this many beats at a time
HEARD_METER = 0.5    # meter confidence from which a 5/8 or 7/8 style over another meter heard is warned about


@dataclass(frozen=True)
class RenderResult:
    """What a render heard and made, for the command's one-line report."""

    key: str                 # e.g. "D minor", or "unknown"
    bpm: float | None        # the band's median tempo (the listener's last without a band)
    input_seconds: float
    audio_seconds: float     # 0 when no WAV was asked for
    elapsed: float           # wall-clock seconds for the whole render
    band_notes: int
    late_notes: int
    style: str
    warnings: tuple[str, ...] = ()    # what the input file had that was left out (one line each)
    soundfont: Path | None = None     # the SoundFont the audio was rendered with (None: no audio)
    bpm_range: tuple[float, float] | None = None   # the band's 5th and 95th percentile tempo, when it moved
    song_over: bool = False           # the band was ready to come in, but the player's final chord came first
    songs: tuple[tuple[str, float | None, str], ...] = ()   # each entry of the band's (a set's songs): key, its
    #                                   median tempo (BPM) and the style it played last

    def heard(self) -> str:
        """What the band played, for the one-line report: "key K, T BPM, style S", the tempo followed by its
        range when it moved (`bpm_range`); for a set whose songs differ in key or style, each song's, counted
        ("2 songs: key G major, 120.0 BPM, style tokpe-gallop; key E minor, 96.0 BPM, style tokpe-waltz")."""
        if len({(key, style) for key, _, style in self.songs}) > 1:
            each = [f"key {key}, {_tempo(bpm)}, style {style}" for key, bpm, style in self.songs]
            return f"{len(self.songs)} songs: " + "; ".join(each)
        tempo = _tempo(self.bpm)
        if self.bpm_range:
            tempo += f" ({self.bpm_range[0]:.1f}-{self.bpm_range[1]:.1f})"
        return f"key {self.key}, {tempo}, style {self.style}"

    @property
    def realtime_factor(self) -> float:
        """Seconds of input rendered per second of wall clock."""
        return self.input_seconds / self.elapsed if self.elapsed > 0 else float("inf")


def _tempo(bpm: float | None) -> str:
    return f"{bpm:.1f} BPM" if bpm else "tempo unknown"


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
    heard = player.listener_config().guitar
    items += [SongEnd(0.0, t) for t in final_chords(guitar.messages, heard)]
    struck = [t for t, _ in strums(guitar.messages, heard)]
    items += [PlayerBreak(0.0, begin, end, struck[max(0, bisect_right(struck, begin) - 1)],
                          struck[min(len(struck) - 1, bisect_right(struck, end))])
              for begin, end in breaks(guitar.messages, heard)]
    count_in = player.count_in_before(guitar.first_onset, count_in_beats(style, pattern_dirs))
    if count_in is not None:
        items.append(count_in)
    return sorted(items, key=input_order)


def play(guitar: GuitarFile, style: str = AUTO, seed: int = 0, pattern_dirs: list[Path] | None = None,
         player: PlayerSettings | None = None, cues: Sequence[TimedInput] = (), sinks: Sequence[Sink] = (),
         clock: VirtualClock | None = None, levels: Levels = Levels(),
         strict: bool = True, look_ahead: bool = False) -> tuple[Engine, list[Event]]:
    """The band along with `guitar` under a virtual clock: the engine at the end and the band's events.
    `sinks` get the band's events too, as they are made, and are closed at the end; `clock`: the virtual
    clock to run on (a new one by default); `strict`: a named style the player's meter, once sure, does not
    fit raises StyleMeterError (False: it is played as asked); `look_ahead`: play it as live, then again with the
    band from the player's first downbeat as the first heard it, and keep that unless its band follows the player
    less well than the first's (engine/look_ahead.py); a third run goes to `sinks`, its key markers in the whole
    take's name (`named`: a blues written major from its first bar). Other arguments as for
    `render`. Raises StyleNotFound, PatternError or StyleMeterError; ValueError for `look_ahead` with the
    player's count-in."""
    player = player or PlayerSettings()
    whole = None            # the take's key as one who heard it whole names it (look-ahead only)
    if look_ahead:
        if player.count_in:
            raise ValueError("a look-ahead render starts the band on the first downbeat itself: no count-in with it")
        _, heard = play(guitar, style, seed, pattern_dirs, player, cues, levels=levels, strict=strict)
        whole = whole_key(heard)
        struck = [t for t, _ in strums(guitar.messages, player.listener_config().guitar)]
        start = opening(heard, guitar.first_onset - player.converter_latency, struck)
        if start is not None:
            early = [*cues, *start.inputs()]
            _, band = play(guitar, style, seed, pattern_dirs, player, early, levels=levels, strict=strict)
            cues = early if follows(heard, band) >= AGREE else cues
    recorder = RecordingSink()
    outputs = [recorder, *sinks] if whole is None else [Named(sink, whole) for sink in (recorder, *sinks)]
    engine = Engine(style_chooser(style, pattern_dirs, strict), seed, outputs,
                    EngineConfig(player.listener_config(), SchedulerConfig(levels=levels),
                                 pattern_dirs=pattern_dirs))
    run_offline(engine, player_inputs(guitar, player, cues, style, pattern_dirs), clock)
    engine.close()
    return engine, recorder.events


def render(input_path: str | Path, midi_out: str | Path, wav_out: str | Path | None = None, style: str = AUTO,
           seed: int = 0, soundfont: str | Path | None = None, pattern_dirs: list[Path] | None = None,
           with_guitar: bool = False, player: PlayerSettings | None = None,
           cues: Sequence[TimedInput] = (), levels: Levels = Levels(),
           stems_dir: str | Path | None = None, plot: str | Path | None = None,
           look_ahead: bool = False) -> RenderResult:
    """Play the band along with the guitar file at `input_path` and write `midi_out` (and `wav_out`).

    `style`: a style name or "auto"; `seed`: the band's random choices; `soundfont`: for the WAV (default:
    the best installed); `pattern_dirs`: user style folders; `with_guitar`: mix the guitar into the WAV;
    `player`: the player's settings (converter latency, channels, tempo, count-in); `cues`: footswitch
    actions at times (s) of the input; `levels`: the parts' levels (dB, engine/mixer.py: the band's channel
    volumes in the MIDI file and the WAV, the guitar's in the WAV); `stems_dir`: a folder (made when missing)
    for one WAV per part, `stem_paths`, which add up to the mix; `plot`: also draw the timeline picture
    (engine/io/plot.py; needs matplotlib) to this PNG; `look_ahead`: the band from the player's first downbeat
    at the tempo, meter and key a first render heard there (engine/look_ahead.py; `play`). Raises
    InputFileError, StyleNotFound, OutputPathError,
    SoundFontNotFound or SynthError (all EngineError) with a one-line message; nothing is left half-written.
    """
    started = time.perf_counter()
    guitar = read_guitar_file(input_path)
    guitar.check_heard(player.channels if player else None)   # notes on no channel heard: one line
    style_chooser(style, pattern_dirs)    # an unknown style fails before any work
    named = ({"-o": Path(midi_out)} | ({"--wav": Path(wav_out)} if wav_out else {})
             | ({"--plot": Path(plot)} if plot else {}))
    named, renderer = plan_outputs(named, Path(input_path), "input file", stems_dir, with_guitar, soundfont)
    guitar_events = guitar_track(guitar, player.channels if player else None)

    strict = True       # False once the named style is known to fit the take (below)

    def perform(sinks: list[Sink], clock: VirtualClock) -> tuple[Engine, list[Event]]:
        return play(guitar, style, seed, pattern_dirs, player, cues, sinks=sinks, clock=clock, levels=levels,
                    strict=strict, look_ahead=look_ahead)

    def picture(path: Path, engine: Engine, band: list[Event]) -> None:
        arranger = engine.scheduler.arranger
        _draw(path, guitar, band, player, arranger.style.name if arranger else style)

    heard = _guitar_heard(guitar_events, with_guitar, levels)
    try:
        engine, band, audio_seconds = write_outputs(named, renderer, perform, guitar_events, heard,
                                                    picture if plot else None)
    except StyleMeterError:
        longest = _longest_meter(guitar, pattern_dirs, player)
        if longest is None or not fits(load_style(style, pattern_dirs), Meter.of_signature(*longest)):
            raise StyleMeterError(_take_refusal(style, longest, pattern_dirs)) from None
        # It fits the meter the band plays longest over the take, so the refusal would name it: refused only
        # where another meter was heard surely for a while (a 12/8 shuffle heard in 4/4 around a stop, review24),
        # it is played as asked instead.
        strict = False
        engine, band, audio_seconds = write_outputs(named, renderer, perform, guitar_events, heard,
                                                    picture if plot else None)
    return _result(engine, guitar, band, style, audio_seconds, started, cues,
                   renderer.soundfont if renderer is not None else None)


def _longest_meter(guitar: GuitarFile, pattern_dirs: list[Path] | None,
                   player: PlayerSettings | None) -> tuple[int, int, int] | None:
    """The time signature (numerator, denominator, eighths a beat) the band plays longest over the whole take
    with --style auto, or None when it never plays. A named style is refused at a moment, where the meter heard
    may not be the one the band settles in: an aqsaq take heard in 4/4 for its first bars was offered 4/4
    styles, which were refused in turn, as a 5/8 (reviewer's finding, session 15)."""
    _, band = play(guitar, AUTO, 0, pattern_dirs, player)
    end = max((e.time + e.duration for e in band if isinstance(e, Note)), default=0.0)
    changes = [e for e in band if isinstance(e, TimeSignature)]
    spans: dict[tuple[int, int, int], float] = {}
    for change, after in zip(changes, [*changes[1:], None]):
        signature = (change.numerator, change.denominator, change.beat_eighths)
        spans[signature] = spans.get(signature, 0.0) + (after.time if after else end) - change.time
    return max(spans, key=spans.__getitem__) if spans else None


def _take_refusal(style: str, longest: tuple[int, int, int] | None, pattern_dirs: list[Path] | None) -> str:
    """The refusal of named `style` (StyleMeterError's line), naming the meter `longest` the band plays longest
    with --style auto (_longest_meter) and the styles that fit it."""
    if longest is None:
        return f"style {style!r} does not fit the guitar's meter (or --style auto)"
    return meter_refusal(style, f"{longest[0]}/{longest[1]}", Meter.of_signature(*longest), pattern_dirs)


def _meter_warning(arranger, heard: MeterHeard, style: str) -> tuple[str, ...]:
    """The line that says the band's style is not in a meter the take was heard in, or (). `heard`: the meters
    heard over the take (`Listener.heard`); each of its sections (MeterHeard.sections: 8 s or more in a row) counts,
    not the meter at the end (a waltz's rallentando heard in 4/4 for 3.6 s warned about a 3/4 style: review24).
    A 5/8 or 7/8 style (taken as asked, or picked under auto from a meter heard earlier) over another meter heard
    at HEARD_METER or more (its mean confidence); a named whole-beat style that does not fit a meter heard at any
    confidence: a waltz strummed on its beats alone leaves the listener unsure of 3/4 against 6/8 (its meter
    confidence 0), so a 6/8 style asked for was neither refused (SURE_METER) nor warned about (review21)."""
    sections = heard.sections()
    if not arranger or not sections:
        return ()
    played = arranger.style
    if not played.whole_beats:
        other = [(t, m) for t, m in sections if m != played.meter and heard.confidence(m) >= HEARD_METER]
        if not other:
            return ()
        # Under auto the style was the listener's pick for a meter it heard earlier, not the player's request.
        how = ("aqyn picked it by ear (--style auto) from the meter heard earlier" if style == AUTO
               else "aqyn played it as asked")
        return (f"style {played.name!r} is in {played.meter}, and the guitar was heard in {_where(other[0], sections)}"
                f": {how}, but its bars line up with the guitar's only if the guitar plays that meter",)
    other = [(t, m) for t, m in sections if not fits(played, Meter.of_name(m))]
    if style == AUTO or not other:
        return ()
    sure = "" if heard.confidence(other[0][1]) >= HEARD_METER else " (not surely)"
    return (f"style {played.name!r} is in {played.meter}, and the guitar was heard in {_where(other[0], sections)}"
            f"{sure}: aqyn played it as asked, in bars that do not line up with the guitar's; --style auto picks a "
            "style in the guitar's meter",)


def _where(section: tuple[float, str], sections: list[tuple[float, str]]) -> str:
    """A section's meter for the warning: "3/4", or "3/4 from 67.2 s" when the take was heard in more than one."""
    start, meter = section
    return meter if len(sections) < 2 else f"{meter} from {start:.1f} s"


Perform = Callable[[list[Sink], VirtualClock], tuple[Engine, list[Event]]]
Picture = Callable[[Path, Engine, list[Event]], None]


def write_outputs(named: dict[str, Path], renderer, perform: Perform, midi_lead: Sequence[Event] = (),
                  wav_lead: Sequence[Event] = (), picture: Picture | None = None) -> tuple[Engine, list[Event], float]:
    """Play and write the outputs all-or-nothing. `named`: the outputs by the option that named them, the
    MIDI file first ("-o"; `midi_lead`, e.g. the guitar's copy, then the band), then "--wav" and the stems
    ("--stems (PART)") when there is a `renderer` (a FluidRenderer, closed here), rendered while the band
    plays with `wav_lead` mixed in, and "--plot", which `picture(path, engine, band)` draws once the band has
    played. `perform(sinks, clock)` plays the band under the virtual `clock`, sending to `sinks` too, and
    returns the engine and the band's events. Returns the engine, the band's events and the seconds of audio
    written. Raises whatever `perform` or the writing raises (OutputPathError, SynthError ...); nothing is
    left half-written."""
    try:
        with _stem_folders(named), atomic_outputs(list(named.values())) as temps:
            paths = dict(zip(named, temps))
            stems = {name[len("--stems ("):-1]: path for name, path in paths.items() if name.startswith("--stems")}
            engine, band, audio_seconds = _play_into(paths.get("--wav"), stems, renderer, perform, wav_lead)
            if renderer is not None:
                renderer.close()          # the samples freed before the MIDI file is made
            midi = MidiFileSink(temps[0])
            for ev in [*midi_lead, *band]:
                midi.send(ev)
            midi.close()
            if picture is not None:
                picture(paths["--plot"], engine, band)
    finally:
        if renderer is not None:
            renderer.close()
    return engine, band, audio_seconds


KINDS = {"-o": "MIDI", "--wav": "WAV", "--plot": "picture"}


def plan_outputs(named: dict[str, Path], source: Path, source_kind: str, stems_dir: str | Path | None,
                 with_guitar: bool, soundfont: str | Path | None = None) -> tuple[dict[str, Path], object]:
    """Check the outputs named by their options (-o, --wav, --plot), none of them the `source` file (its
    `source_kind` for the message: "input file", "chart file"), add the stems in `stems_dir` (made when missing,
    after the checks) and make the renderer the audio needs (None without --wav or stems). Returns the
    outputs, stems included ("--stems (PART)"), and the renderer. Raises OutputPathError, SoundFontNotFound
    or SynthError."""
    for name, p in named.items():
        check_output(p, KINDS[name])
        check_kind(p, KINDS[name], name)
        if p.resolve() == source.resolve():
            raise OutputPathError(f"output {p} is the {source_kind}; choose another name")
    stems = stem_paths(stems_dir, with_guitar) if stems_dir is not None else {}
    for part, p in stems.items():
        if p.parent.is_dir():             # else made when the writing begins
            check_output(p, f"{part} stem")
    named = named | {f"--stems ({part})": path for part, path in stems.items()}
    check_distinct(list(named.values()), list(named))
    if "--wav" not in named and not stems:
        return named, None
    from engine.io.wav_render import FluidRenderer  # noqa: PLC0415 (only audio needs FluidSynth)

    return named, FluidRenderer(find_soundfont(soundfont), stems=tuple(stems))   # a bad SoundFont fails here


def stem_paths(folder: str | Path, with_guitar: bool) -> dict[str, Path]:
    """The stems' paths in `folder` (made when the writing begins, `write_outputs`; its parent must exist and
    be writable): {part: folder/PART.wav} for the dombra, the percussion and (`with_guitar`) the guitar.
    Raises OutputPathError when `folder` is not a folder or cannot be made."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"--stems {folder} is not a folder; give a folder for the stems' WAVs")
    parent = folder.parent if str(folder.parent) else Path(".")
    if not folder.exists() and not (parent.is_dir() and os.access(parent, os.W_OK)):
        raise OutputPathError(f"cannot make the stems' folder {folder}: its folder {parent} is missing or not "
                              "writable; create it or choose another place")
    parts = (DOMBRA, PERCUSSION) + ((GUITAR,) if with_guitar else ())
    return {part: folder / f"{part}.wav" for part in parts}


@contextmanager
def _stem_folders(named: dict[str, Path]) -> Iterator[None]:
    """Make the stems' folders that are missing; remove those made here again, when still empty, if the block
    fails or is stopped (a SIGTERM mid-render left an empty folder)."""
    made = []
    for folder in sorted({p.parent for name, p in named.items() if name.startswith("--stems")}):
        if not folder.exists():
            try:
                folder.mkdir()
            except OSError as exc:
                raise OutputPathError(f"cannot make the stems' folder {folder}: {exc.strerror}; "
                                      "create it or choose another place") from None
            made.append(folder)
    try:
        yield
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()              # only when empty: nothing of the user's is removed
        raise


def _guitar_heard(guitar_events: list, with_guitar: bool, levels: Levels) -> list:
    """The guitar's events for the WAV: none without `with_guitar`; at its level, when `levels` are not flat:
    a channel volume (CC7) on each channel before its first message (General MIDI's 100 at 0 dB) and the
    input's own channel volumes scaled alike."""
    if not with_guitar or levels.flat:
        return guitar_events if with_guitar else []
    channels = sorted({e.channel for e in guitar_events if isinstance(e, (Program, Control))}
                      | {e.status & 0x0F for e in guitar_events if isinstance(e, Raw)})
    heard: list = [Control(0.0, ch, 7, levels.volume(GUITAR, GM_VOLUME), GUITAR) for ch in channels]
    for e in guitar_events:
        if isinstance(e, Raw) and e.status & 0xF0 == CONTROL and e.data1 == 7:
            e = Raw(e.time, e.status, 7, levels.volume(GUITAR, e.data2), GUITAR)
        elif isinstance(e, Control) and e.control == 7:
            e = Control(e.time, e.channel, 7, levels.volume(GUITAR, e.value), GUITAR)
        heard.append(e)
    return heard


def _play_into(wav_temp: Path | None, stem_temps: dict[str, Path], renderer, perform: Perform,
               wav_lead: Sequence[Event]) -> tuple[Engine, list[Event], float]:
    """`perform`, the WAV (at `wav_temp`, when there is one) and the stems (at `stem_temps`, {part: path})
    rendered while the band plays, when there is a `renderer`, with `wav_lead` in them: the engine, the band's
    events and the seconds of audio written."""
    if renderer is None:
        return (*perform([], VirtualClock()), 0.0)
    from engine.io.wav_stream import WavStream  # noqa: PLC0415

    clock = VirtualClock()
    wav = None
    try:
        wav = WavStream(wav_temp, renderer, clock, stems=stem_temps)
        wav.start()
        for ev in wav_lead:
            wav.send(ev)
        engine, band = perform([wav], clock)   # closing the engine finishes the WAV
    except BaseException:
        if wav is not None:
            wav.abort()
        raise
    return engine, band, wav.seconds


def _cues_not_taken(refused: list[Marker], cues: Sequence[TimedInput], duration: float) -> tuple[str, ...]:
    """A warning line for each style change the band did not take (`refused`, the scheduler's markers saying
    why: a style in another meter) and for each cue after the input's end (`duration`, s), which nothing
    plays. Not for an ending there: the band ends with the guitar anyway (a take of a session whose input
    vanished holds the ending it posted then, after the last note: review14)."""
    late = [c for c in cues if isinstance(c, CueInput) and c.time > duration and c.cue is not Cue.ENDING]
    return (tuple(f"at {m.time:.1f} s the {m.text}" for m in refused)
            + tuple(f"the {c.cue.value} cue at {round(c.time, 1):g} s comes after the take's end ({duration:.1f} s): "
                    "nothing plays it" for c in late))


def _draw(path: Path, guitar: GuitarFile, band: list[Event], player: PlayerSettings | None, style: str) -> None:
    """The timeline picture of a render at `path`: what the listener heard (its online analysis: the listener
    the render ran, on the same input) and the band's events."""
    from engine.analyze import analyze_guitar  # noqa: PLC0415 (only --plot needs these)
    from engine.io.plot import picture_of, save_timeline  # noqa: PLC0415

    heard = analyze_guitar(guitar, player=player)
    key = f"key {heard.key['tonic']} {heard.key['mode']}" if heard.key else "key unknown"
    title = f"{guitar.path.name}: {key}, {heard.meter_said() or 'meter unknown'}; the band: {style}"
    save_timeline(picture_of(title, guitar.messages, heard, band), path)


def band_tempo(band: Sequence[Event]) -> tuple[float | None, tuple[float, float] | None]:
    """The tempo the band played (BPM): the median over its consecutive beats (`Beat` events), and the 5th and
    95th percentile of its tempo over SPAN beats at a time when those differ by more than MOVED (a ramp, a tempo
    step; a beat's own length follows the player's timing), else None; (None, None) with fewer than SPAN beats
    in a row. The median, not the last tempo heard: a flurry in a take's last beat must not name the song's
    tempo (review16: GuitarSet SS1 at 100 BPM was reported at 133.4, from its last 0.1 s)."""
    times = [e.time for e in band if isinstance(e, Beat)]
    t = np.array(times)
    if len(t) <= SPAN:
        return None, None
    spans = (t[SPAN:] - t[:-SPAN]) / SPAN
    spans = spans[spans < 2 * np.median(np.diff(t))]     # not over a stop, where the band rested
    if len(spans) == 0:
        return None, None
    low, high = (60.0 / float(v) for v in np.percentile(spans, (95, 5)))
    return median_bpm(times), ((low, high) if high > (1 + MOVED) * low else None)


def _songs(band: list, styles: list[str]) -> tuple[tuple[str, float | None, str], ...]:
    """Each entry of the band's (from its "band in" marker to the next; `styles`: the style each played last):
    the key it played last (its last key marker; the one before, when it wrote none), its median tempo (BPM,
    `band_tempo`) and style."""
    starts = [e.time for e in band if isinstance(e, Marker) and e.text.startswith("band in")]
    out, key = [], "unknown"
    for begin, end, style in zip(starts, [*starts[1:], np.inf], styles):
        part = [e for e in band if begin <= e.time < end]
        played = next((e for e in reversed(part) if isinstance(e, KeyChange)), None)
        key = f"{played.tonic} {played.mode}" if played is not None else key
        out.append((key, band_tempo(part)[0], style))
    return tuple(out)


def _result(engine: Engine, guitar: GuitarFile, band: list, style: str, audio_seconds: float,
            started: float, cues: Sequence[TimedInput] = (), soundfont: Path | None = None) -> RenderResult:
    state = engine.listener.state(guitar.duration)
    # The key the band played last, as its file's last key marker says; a tuning pluck after the song moves the
    # listener's key at the end, not the band's. With no band, the key heard if it was sure enough for a band
    # (ListenerConfig.key_lock): a few notes leave the tracker's prior, C minor at confidence 0, not a key.
    played = next((e for e in reversed(band) if isinstance(e, KeyChange)), None)
    if played is not None:
        key = f"{played.tonic} {played.mode}"
    elif state.tonic is None or state.key_confidence < engine.listener.config.key_lock:
        key = "unknown"
    else:
        key = f"{tonic_name(state.tonic, state.named_mode)} {state.named_mode}"
    arranger = engine.scheduler.arranger
    warnings = guitar.warnings + guitar.channels_warning(engine.listener.config.guitar.channels)
    warnings += _cues_not_taken(engine.scheduler.refused, cues, guitar.duration)
    warnings += _meter_warning(arranger, engine.listener.heard, style)
    bpm, moved = band_tempo(band)
    return RenderResult(key=key, bpm=bpm or state.bpm, bpm_range=moved, input_seconds=guitar.duration,
                        songs=_songs(band, engine.scheduler.styles),
                        audio_seconds=audio_seconds,
                        elapsed=time.perf_counter() - started,
                        band_notes=sum(isinstance(e, Note) for e in band), late_notes=engine.scheduler.late,
                        style=arranger.style.name if arranger else style, warnings=warnings, soundfont=soundfont,
                        song_over=engine.scheduler.song_over)
