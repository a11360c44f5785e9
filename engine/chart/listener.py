"""A listener that knows the whole song in advance: a chord chart standing in for the guitar's estimates.

The engine's band reads nothing of the listener but its `MusicalState` (engine/state.py), so a chart plays
through the same scheduler, arranger, sinks and outputs as a guitar: `ChartListener` has the listener's
methods (`feed`, `update`, `state`, `count_in`, `start`, `tap`, `lock_tempo`, `clock`) and answers from the
song: the key, a beat grid at the chart's tempo (a new grid at each pass of a ramped loop), the chord at
every beat (`MusicalState.chords_ahead`, so each note is voiced for the chord at its own beat), sure and
locked from the start, never silent, cued to come in on its first downbeat.

The form is told to the band as the footswitch would tell it (`cues`): a fill in the last bar of each
section or pass (in each of the style's bars in it, when a 2/4 style plays a 4/4 chart), `next` at each new
section name (main A and main B take turns), and the ending timed so that its last bar is the chart's last
bar, unless the chart's last chord comes after that bar's downbeat (`| Dm . . C |` under a 2/4 or 4/4 style):
then the ending's last bar comes at the first bar line of the style on or after the last chord, the downbeat
after the chart, so the last bar sounds as written and the final stroke (every style's ending ends on one
downbeat stroke) falls on the chart's final chord, as a band reading the chart ends it. Each cue comes half a
bar of the band's style before the bar it is for: the form takes a cue at the next bar it decides. The
style's intro comes first, over the first chord, before the chart's first bar.

Beat numbers: 0 is the band's first downbeat (the intro's, at `start` seconds); the chart's first bar begins
`intro_bars` bars later.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction

from engine.chart.song import Song
from engine.events import InputMessage
from engine.inputs import ClockInput, CountIn, Cue, CueInput
from engine.state import BeatGrid, Chord, MusicalState

LOUDNESS = 85.0       # the band plays as for a player of this mean velocity (0..127): full, not forced
INTENSITY = 0.6       # ... and this intensity (0..1): full bars, the register climbing up to kishi saga


@dataclass(frozen=True)
class _Segment:
    """From beat `beat` (at `time` s; a half beat where a 7/8 bar begins) on, beats are `period` seconds long."""

    beat: Fraction
    time: float
    period: float


class ChartListener:
    """The song's key, beat, chords and form, known in advance (see the module docstring). `song`: what to
    play; `intro_bars`: the chart bars the style's intro takes before the song; `start`: the time (s) of
    the band's first downbeat; `style_bar`: beats in one bar of the band's style (cues are timed by it);
    `ending_bars`: bars of the style's ending."""

    def __init__(self, song: Song, intro_bars: int, start: float, style_bar: Fraction, ending_bars: int):
        self.song = song
        self.intro_bars = intro_bars
        self.start_time = start
        self.style_bar = Fraction(style_bar)
        self.ending_bars = ending_bars
        bpb = song.beats_per_bar
        self.first_bar_beat = intro_bars * bpb
        self.end_beat = self.first_bar_beat + len(song.bars) * bpb
        self.segments = self._segments()
        self._segment_beats = [s.beat for s in self.segments]
        self._segment_times = [s.time for s in self.segments]
        self.grids = [_grid(s, song.meter.beats, song.meter.compound) for s in self.segments]
        self.chords_ahead = self._chords()
        self.final_beat = self._final_beat()
        self.chord_label = "N"          # the chord now, as the live status shows it
        self.dropped: dict[str, int] = {}
        self.playing = True              # as a listener that has heard the guitar: a start cue adds nothing

    def _segments(self) -> list[_Segment]:
        """Where the tempo changes: the intro at the first bar's tempo, then at each bar whose tempo differs."""
        bpb = self.song.beats_per_bar
        bars = self.song.bars
        segments = [_Segment(0, self.start_time, 60.0 / bars[0].bpm)]
        for k, bar in enumerate(bars):
            beat = self.first_bar_beat + k * bpb
            last = segments[-1]
            if 60.0 / bar.bpm != last.period:
                segments.append(_Segment(beat, last.time + (beat - last.beat) * last.period, 60.0 / bar.bpm))
        return segments

    def _chords(self) -> tuple[tuple[float, Chord | None], ...]:
        """(beat, chord from it on) at every change; the intro holds the first chord."""
        bpb = self.song.beats_per_bar
        out: list[tuple[float, Chord | None]] = [(0.0, self.song.bars[0].changes[0][1])]
        for k, bar in enumerate(self.song.bars):
            for at, chord in bar.changes:
                if chord != out[-1][1]:
                    out.append((float(self.first_bar_beat + k * bpb + at), chord))
        return tuple(out)

    def _final_beat(self) -> Fraction:
        """The beat of the ending's last bar, whose downbeat is the final stroke: the style's last bar line in
        the chart, or the first on or after the chart's last chord when that chord comes later (the band's
        style bars count from beat 0)."""
        last_bar = self.end_beat - self.style_bar
        last_chord = Fraction(self.chords_ahead[-1][0]).limit_denominator(96)
        if last_chord <= last_bar:
            return last_bar
        return math.ceil(last_chord / self.style_bar) * self.style_bar

    # ---- time ----------------------------------------------------------------------------------------
    def grid_at(self, now: float) -> BeatGrid:
        """The beat grid in force at `now` (s)."""
        return self.grids[max(0, bisect.bisect_right(self._segment_times, now) - 1)]

    def seconds_at(self, beat: float) -> float:
        """The time (s) of beat number `beat`."""
        k = max(0, bisect.bisect_right(self._segment_beats, beat) - 1)
        return self.grids[k].seconds_at(beat)

    def chord_at(self, beat: float) -> Chord | None:
        """The chord sounding at beat `beat`."""
        k = bisect.bisect_right(self.chords_ahead, beat, key=lambda change: change[0]) - 1
        return self.chords_ahead[max(0, k)][1]

    @property
    def end_time(self) -> float:
        """When the song's last bar ends (s)."""
        return self.seconds_at(self.end_beat)

    @property
    def band_end_time(self) -> float:
        """When the band's ending is over (s): the end of its last bar, the chart's or the one after it."""
        return self.seconds_at(float(self.final_beat + self.style_bar))

    # ---- the form, as cues ---------------------------------------------------------------------------
    def cues(self) -> list[CueInput]:
        """The form's cues in time order: fills, next sections and the ending (see the module docstring)."""
        bpb = self.song.beats_per_bar
        wanted: dict[Fraction, Cue] = {}
        bars = self.song.bars
        for k in range(1, len(bars)):
            if bars[k].unit != bars[k - 1].unit:
                at = Fraction(self.first_bar_beat + k * bpb)
                for fill in range(1, max(1, bpb // self.style_bar) + 1):   # each of the style's bars in it
                    wanted.setdefault(at - fill * self.style_bar, Cue.FILL)
                if bars[k].section != bars[k - 1].section:
                    wanted[at] = Cue.NEXT
        # The ending's last bar on the final stroke's (`final_beat`); in the intro when the chart is shorter than
        # the ending, but never in the band's first bar (the cue comes half a bar before: the band must be in).
        ending = max(self.style_bar, self.final_beat - (self.ending_bars - 1) * self.style_bar)
        wanted = {at: cue for at, cue in wanted.items() if at < ending and at >= self.first_bar_beat}
        wanted[ending] = Cue.ENDING
        return [CueInput(max(0.0, self.seconds_at(float(at - self.style_bar / 2))), cue, placed=cue is Cue.ENDING)
                for at, cue in sorted(wanted.items())]

    def markers(self) -> list[tuple[float, str]]:
        """(time s, "chart: NAME") where each section or pass of the chart begins."""
        out = []
        bars = self.song.bars
        for k, bar in enumerate(bars):
            if k == 0 or bar.unit != bars[k - 1].unit:
                beat = self.first_bar_beat + k * self.song.beats_per_bar
                out.append((self.seconds_at(beat), f"chart: {bar.section} at {bar.bpm:g} BPM"))
        return out

    # ---- the listener's methods ----------------------------------------------------------------------
    def feed(self, msg: InputMessage) -> None:
        """A guitar message: a chart has no guitar to hear (live, a footswitch port's notes end here)."""

    def tap(self, t: float) -> None:
        """Tap tempo: the chart sets the tempo."""

    def lock_tempo(self, on: bool | None = None) -> bool:
        """The tempo lock: a chart's tempo is always locked. Returns True."""
        return True

    def count_in(self, item: CountIn) -> None:
        """The count-in's clicks are played by the engine; the chart already knows the beat."""

    def start(self, t: float) -> None:
        """A start with no guitar: the chart is always cued."""

    def resume(self, t: float) -> None:
        """The input is back after it was gone: the chart never lost its place."""

    def clock(self, item: ClockInput) -> None:
        """A MIDI clock master's message: the chart keeps its own tempo (None: no cue)."""

    def update(self, now: float) -> bool:
        """Nothing to estimate; the chord label for the status. Returns False (no new estimate)."""
        grid = self.grid_at(now)
        chord = self.chord_at(grid.beat_at(now))
        self.chord_label = "N" if chord is None else _label(chord)
        return False

    def state(self, now: float) -> MusicalState:
        """The song at `now` (s), as a listener that is sure of everything."""
        grid = self.grid_at(now)
        tonic, mode = self.song.key
        return MusicalState(time=now, tonic=tonic, mode=mode, key_confidence=1.0, grid=grid, beat_confidence=1.0,
                            locked=True, chord=self.chord_at(grid.beat_at(now)), loudness=LOUDNESS, density=1.0,
                            intensity=INTENSITY, silent=False, last_onset=None, cued=self.start_time,
                            chords_ahead=self.chords_ahead)


def _label(chord: Chord) -> str:
    """A chord as the status shows it: D:min."""
    from engine.listen.chord import harte  # noqa: PLC0415

    return harte(*chord)


def _grid(segment: _Segment, beats_per_bar: int, compound: bool) -> BeatGrid:
    """The beat grid of `segment`, anchored on a whole beat (the band's time line takes the anchor for a
    beat): where a 7/8 bar begins on a half beat, the same line from the next whole beat."""
    beat = math.ceil(segment.beat)
    return BeatGrid(segment.time + float(beat - segment.beat) * segment.period, beat, segment.period,
                    beats_per_bar, 0, compound)


def intro_bars(intro_style_bars: int, style_bar: Fraction, beats_per_bar: Fraction) -> int:
    """Chart bars the style's intro (`intro_style_bars` bars of `style_bar` beats) takes, rounded up."""
    return math.ceil(intro_style_bars * style_bar / beats_per_bar)
