"""The song as practised: a chart's bars with the player's practice options (loop, times, ramp, transpose, BPM).

`--loop SECTION --times N` plays the chart's first section of that name N times (without --loop, the whole
chart N times); `--ramp +R` adds R BPM at every repeat, as iReal Pro's practice mode does; `--transpose N`
moves every chord and the key by N semitones; `--bpm` replaces the chart's tempo. Each pass through the
section (or the chart) is a new unit of the form: the band fills at its end.

>>> from engine.chart.parse import parse_chart
>>> chart = parse_chart("tempo: 90\\n[A]\\n| Dm | G | Dm |\\n[B]\\n| C |\\n")
>>> song = practice(chart, Practice(loop="A", times=2, ramp=2, transpose=2))
>>> [b.bpm for b in song.bars], song.bars[1].changes[0][1], song.key
([90.0, 90.0, 90.0, 92.0, 92.0, 92.0], (9, 'maj'), (4, 'dorian'))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from engine.chart.key import key_of
from engine.chart.parse import TEMPO_RANGE, Chart, ChartMeter
from engine.chart.symbols import transposed
from engine.errors import OptionError
from engine.state import Chord

MAX_TIMES = 999


@dataclass(frozen=True)
class Practice:
    """The player's practice options: `loop` a section name (None: the whole chart), played `times` times,
    `ramp` BPM added per repeat, `transpose` semitones (-12..12), `bpm` instead of the chart's tempo."""

    loop: str | None = None
    times: int = 1
    ramp: float = 0.0
    transpose: int = 0
    bpm: float | None = None


@dataclass(frozen=True)
class SongBar:
    """A bar to play: its `section` name, `unit` (a number that changes where a new section or a new pass
    begins: the band fills before it), chord `changes` ((listener beats from the bar's start, chord)) and
    tempo `bpm`."""

    section: str
    unit: int
    changes: tuple[tuple[Fraction, Chord | None], ...]
    bpm: float


@dataclass(frozen=True)
class Song:
    """What the band plays: the key (tonic pitch class, mode), the meter, the bars and the title."""

    title: str
    key: tuple[int, str]
    meter: ChartMeter
    bars: tuple[SongBar, ...]

    @property
    def tempo(self) -> str:
        """The tempo for a one-line report: "96 BPM", or "96 to 104 BPM" from the first bar to the last when
        they differ (a --ramp), so a practice ramp shows where it ends."""
        first, last = self.bars[0].bpm, self.bars[-1].bpm
        return f"{first:g} BPM" if first == last else f"{first:g} to {last:g} BPM"

    @property
    def beats_per_bar(self) -> Fraction:
        """Listener beats in a bar of the chart (7/2 in 7/8)."""
        return self.meter.bar_beats


def practice(chart: Chart, options: Practice) -> Song:
    """The song `chart` becomes with the practice `options`. Raises OptionError for a section the chart does
    not have or an option out of range (the message names the option)."""
    if not 1 <= options.times <= MAX_TIMES:
        raise OptionError(f"--times must be 1..{MAX_TIMES}, got {options.times}")
    if not -12 <= options.transpose <= 12:
        raise OptionError(f"--transpose must be -12..12 semitones, got {options.transpose}")
    if options.ramp and options.times == 1:
        raise OptionError(f"--ramp {options.ramp:+g} adds BPM at each repeat, and there is one pass; "
                          "give --times N too (with --loop SECTION to repeat one section)")
    bars = chart.bars
    if options.loop is not None:
        # a section's name as written in the chart, in any case: --loop a finds [A]
        named = {s.casefold(): s for s in chart.sections}
        loop = named.get(options.loop.casefold(), options.loop)
        parts = [b.part for b in bars if b.section == loop]
        if not parts:
            raise OptionError(f"--loop: no section [{options.loop}] to loop; the chart has "
                             f"{', '.join(chart.sections)}")
        bars = tuple(b for b in bars if b.part == parts[0])
    lo, hi = TEMPO_RANGE
    if options.bpm is None and not lo <= chart.tempo <= hi:        # an iReal link's BPM (a text chart's is checked)
        raise OptionError(f"the chart's tempo {chart.tempo:g} BPM is out of range; give --bpm {lo:g}..{hi:g}")
    base = options.bpm if options.bpm is not None else chart.tempo
    last = base + options.ramp * (options.times - 1)
    if not lo <= last <= hi:
        raise OptionError(f"--ramp {options.ramp:+g} takes the tempo to {last:g} BPM by the last pass; "
                         f"keep it within {lo:g}..{hi:g}")
    out: list[SongBar] = []
    for n in range(options.times):
        for b in bars:
            changes = tuple((at, transposed(c, options.transpose)) for at, c in b.changes)
            out.append(SongBar(b.section, n * 1000 + b.part, changes, base + options.ramp * n))
    if chart.key is not None:
        key = ((chart.key[0] + options.transpose) % 12, chart.key[1])
    else:
        key = key_of(_spans(out, chart.meter))
    return Song(chart.title, key, chart.meter, tuple(out))


def _spans(bars: list[SongBar], meter: ChartMeter) -> list[tuple[Fraction, Chord | None]]:
    """(beats, chord) for every chord as played."""
    spans = []
    for b in bars:
        ends = [at for at, _ in b.changes[1:]] + [meter.bar_beats]
        spans += [(end - at, c) for (at, c), end in zip(b.changes, ends)]
    return spans
