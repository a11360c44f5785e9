"""An iReal Pro song's music string as a `Chart`: the same bars, sections and chords a text chart gives.

The music string (engine/chart/ireal_link.py unscrambles it) is a row of cells, 16 to a line on iReal's
screen. A cell is a chord (`C^7`, `D-7/G`, `Bb7b9`), `n` (no chord), `p` (a slash: the chord before goes
on), `x` (the bar before again), `r` (the two bars before again), `W/B` (the chord before over another bass)
or empty (a space). Everything else is written between cells and takes none: bar lines `|` `[` `]` `{` `}`
`Z`, `,` (a separator), time signatures `T44` `T34` `T68` `T12` (12/8) ..., sections `*A` `*B` `*i` ...,
endings `N1` `N2`, comments `<...>`, `S` (segno), `Q` (coda), `f` (fermata), `U` (end), `Y` (vertical space),
`s` / `l` (small / large chords) and an alternate chord in parentheses after a chord, `C7(Db7)`. These
elements come from iReal's "custom chord chart protocol" page and the open-source readers of the format
(they agree on them).

Where the chords fall inside a bar, iReal does not document (its help says only that empty cells steer it).
aqyn reads a bar's cells as even slices of it: when every chord's cell falls on one of the meter's notes
(4 cells in 4/4: one a beat, as iReal's editor lays out four bars to a line; 8 cells: two to a beat), a chord
starts on its cell and holds through the empty and `p` cells after it; a bar that starts with an empty or
`p` cell holds the chord before. Otherwise (a hand-typed `|Eh7 A7b9|`: 3 cells) the chords share the bar
evenly, the first ones taking a beat more when it does not split (3 chords in 4/4: 2 + 1 + 1). A bar of
empty cells after a bar line holds the chord before; empty cells after a closing bar line (`]`, `}`, `Z`) are
only the line's layout.

Repeats `{ }` are played twice, or N times with a comment `<Nx>`, or as many times as the repeat has endings
(`N1` plays on the first pass, `N2` on the second ...). D.C., D.S., coda and fine are not followed: the song is
played once through as written (coda bars included) and `ireal_chart` returns a note saying so.

>>> from engine.chart.ireal_link import IrealSong
>>> chart, notes = ireal_chart(IrealSong("Tune", "Me", "Waltz", "D-", "{*AT34D-  |C,G7 }*B[D-  Z"), "tune")
>>> [b.section for b in chart.bars], chart.bars[1].changes, chart.meter.text, chart.style
(['A', 'A', 'A', 'A', 'B'], ((Fraction(0, 1), (0, 'maj')), (Fraction(1, 1), (7, '7'))), '3/4', 'tokpe-waltz')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from engine.chart.ireal_link import IrealSong
from engine.chart.parse import METERS, Chart, ChartBar, ChartMeter
from engine.chart.symbols import SymbolError, read_symbol
from engine.errors import ChartError
from engine.state import Chord
from engine.theory import pitch_class

DEFAULT_TEMPO = 100.0
TIME_SIGNATURES = {"24": "2/4", "34": "3/4", "44": "4/4", "68": "6/8", "98": "9/8", "12": "12/8",
                   "54": "5/4", "64": "6/4", "74": "7/4", "38": "3/8", "58": "5/8", "78": "7/8", "22": "2/2",
                   "32": "3/2"}
# iReal's chord qualities (its protocol page's list) spelled as pychord reads them; the band then reduces
# each to the nearest of its nine qualities (engine/chart/symbols.py). A quality not here is refused.
QUALITIES = {
    "": "", "^": "maj7", "^7": "maj7", "-": "m", "-7": "m7", "7": "7", "7sus": "7sus4", "sus": "sus4",
    "7alt": "7#9#5", "6": "6", "-6": "m6", "o7": "dim7", "h7": "m7b5", "ø7": "m7b5", "^9": "maj9", "-9": "m9",
    "9": "9", "9sus": "9sus4", "^13": "maj13", "-11": "m11", "13": "13", "13sus": "7sus4", "69": "69",
    "-69": "m69", "-^7": "mmaj7", "-^9": "mmaj7", "^7#11": "maj7#11", "^9#11": "maj7#11", "-b6": "m",
    "-#5": "m", "^7#5": "maj7+5", "add9": "add9", "-7b5": "m7b5", "h9": "m7b5", "ø9": "m7b5", "2": "sus2",
    "5": "5", "+": "aug", "o": "dim", "h": "m7b5", "ø": "m7b5", "7b9": "7b9", "7#9": "7#9", "7b5": "7b5",
    "7#5": "7#5", "7+": "7#5", "7b13": "7b13", "7#11": "7#11", "9#11": "9#11", "13#11": "13#11", "11": "11",
    "7b9sus": "7sus4", "7b13sus": "7sus4", "7add3sus": "7", "7susadd3": "7", "9b5": "9b5", "9#5": "9#5",
    "13b9": "13b9", "13#9": "13#9", "7b9b13": "7b9b13", "7b9#5": "7b9#5", "7b9b5": "7b9b5", "7b9#9": "7b9#9",
    "7#9#5": "7#9#5", "7#9b5": "7#9b5", "7#9#11": "7#9#11", "7b9#11": "7b9#11", "-^": "mmaj7",
    "^9#5": "maj7+5", "o^7": "dim",
}
# iReal's style field -> an aqyn style playing the song's meter (else the automatic choice in the meter).
STYLES = (
    (re.compile(r"waltz", re.I), {"3/4": "tokpe-waltz"}),
    (re.compile(r"ballad", re.I), {"3/4": "ballad"}),
    (re.compile(r"rock|pop|funk|rnb|soul|disco|country|bluegrass|house", re.I), {"4/4": "nomad-gallop"}),
    (re.compile(r"12/8|shuffle|afro", re.I), {"12/8": "trot", "6/8": "shalderish"}),
)
NAVIGATION = re.compile(r"\bD\.\s*[CS]\.|\bfine\b", re.I)
_TOKEN = re.compile(r"""
    (?P<comment><[^>]*>) | (?P<open><) | T(?P<time>\d\d) | \*(?P<section>[A-Za-z0-9]) | N(?P<ending>\d)
  | (?P<bar>[|\[\]{}Z]) | (?P<mark>[SQfUYsl,]) | (?P<cell>[ pxrn])
  | (?P<chord>(?:[A-G][b#]?|W)(?P<quality>(?:sus|alt|add|[-^+#bhoø\d])*)(?P<custom>\*[^*<>]*\*)?
                (?:/(?P<bass>[A-G][b#]?))?)
    (?P<alternate>\([^)]*\))?
  | (?P<loose>\([^)]*\))
""", re.X)
_TIMES = re.compile(r"^\s*(\d+)\s*x\s*$", re.I)
HOLD = "hold"          # a slot holding the chord before (resolved once the bars are in playing order)


@dataclass
class _Bar:
    """A bar as written: its cells ("chord" with its symbol, "n", "p", "x", "r" or " "), where it starts
    in the form and the marks around it."""

    number: int
    opened: bool                         # opened by a bar line (else: cells after a closing bar line)
    section: str
    part: int
    cells: list[tuple[str, str]] = field(default_factory=list)
    opens: bool = False                  # `{`
    closes: bool = False                 # `}`
    ending: int | None = None
    times: int | None = None             # <Nx> on a repeat
    slots: tuple = ()                    # (offset in the meter's notes, iReal symbol / None / HOLD)


class _Reader:
    """Reads one song's music string into bars; see the module docstring."""

    def __init__(self, song: IrealSong, source: str):
        self.song, self.source = song, source
        self.bars: list[_Bar] = []
        self.section, self.part, self.meter_code = "A", 0, None
        self.last_symbol: str | None = None
        self.navigation: list[str] = []
        self.pending_times: int | None = None
        self.pending_ending: int | None = None
        self.bar = self.new_bar(opened=True)

    def fail(self, message: str, bar: int | None = None) -> ChartError:
        where = f"bar {bar if bar is not None else self.bar.number}"
        return ChartError(f"{self.source}: song {self.song.title!r}, {where}: {message}")

    def new_bar(self, opened: bool) -> _Bar:
        return _Bar(len(self.bars) + 1, opened, self.section, self.part)

    # ---- tokens --------------------------------------------------------------------------------------
    def read(self) -> list[_Bar]:
        music, pos = self.song.music.rstrip(), 0
        if not music:
            raise self.fail("the song has no music; copy the whole link again", 1)
        while pos < len(music):
            m = _TOKEN.match(music, pos)
            if m is None:
                raise self.fail(f"unknown element {music[pos:pos + 8]!r} in the music; is the link whole? "
                                "(iReal's elements: examples/CHARTS.md)")
            self.token(m)
            pos = m.end()
        if self.bar.opened and any(kind != " " for kind, _ in self.bar.cells):
            raise self.fail("the music ends inside a bar; is the link cut short? copy the whole link again")
        self.close(opened_next=False)
        return self.bars

    def token(self, m: re.Match) -> None:
        kind = m.lastgroup if m.lastgroup not in ("quality", "custom", "bass", "alternate") else "chord"
        text = m.group(kind)
        if kind == "open":
            raise self.fail("a comment '<' is never closed with '>'; copy the whole link again")
        if kind == "comment":
            self.comment(text[1:-1])
        elif kind == "time":
            self.time(text)
        elif kind == "section":
            self.section, self.part = text, self.part + 1
            if not self.bar.cells:                  # else (a string typed by hand) from the next bar on
                self.bar.section, self.bar.part = self.section, self.part
        elif kind == "ending":
            self.pending_ending = int(text)
        elif kind == "bar":
            self.bar_line(text)
        elif kind == "mark":
            if text in "SQ":
                self.navigation.append({"S": "segno", "Q": "coda"}[text])
        elif kind == "cell":
            self.cell(text, "")
        elif kind == "chord":
            self.chord(m)

    def comment(self, text: str) -> None:
        text = re.sub(r"^\*\d\d", "", text).strip()      # "*NN": iReal's vertical offset of the text
        times = _TIMES.match(text)
        if times:
            self.pending_times = int(times.group(1))
        elif NAVIGATION.search(text):
            self.navigation.append(text)

    def time(self, code: str) -> None:
        meter = TIME_SIGNATURES.get(code)
        if meter is None:
            raise self.fail(f"unknown time signature 'T{code}'; is the link whole?")
        if meter not in METERS:
            raise self.fail(f"the song is in {meter}; a chart plays {', '.join(METERS)}")
        if self.meter_code is not None and code != self.meter_code:
            raise self.fail(f"the meter changes from {TIME_SIGNATURES[self.meter_code]} to {meter}; aqyn plays "
                            "a chart in one meter")
        self.meter_code = code

    def cell(self, kind: str, symbol: str) -> None:
        if self.pending_ending is not None:
            ending = self.pending_ending or 1 + max((b.ending or 0 for b in self.bars), default=0)   # N0: next
            self.bar.ending, self.pending_ending = ending, None
        self.bar.cells.append((kind, symbol))

    def chord(self, m: re.Match) -> None:
        symbol = m.group("chord")
        if symbol.startswith("W"):          # the chord before, over the bass given (or as it was)
            if self.last_symbol is None:
                raise self.fail(f"{symbol!r} repeats the chord before, and there is none yet")
            symbol = self.last_symbol.split("/")[0] + symbol[1:]
        self.last_symbol = symbol
        self.cell("chord", symbol)

    def bar_line(self, line: str) -> None:
        if line == "}":
            self.bar.closes, self.bar.times, self.pending_times = True, self.pending_times, None
        self.close(opened_next=line in "|[{")
        if line == "{":
            self.bar.opens = True

    def close(self, opened_next: bool) -> None:
        """The bar being read is over: kept when it has a chord, a repeat sign or (opened by a bar line) holds;
        empty cells after a closing bar line are only layout."""
        bar = self.bar
        if any(kind != " " for kind, _ in bar.cells) or (bar.opened and bar.cells):
            self.bars.append(bar)
        self.bar = self.new_bar(opened_next)

    def meter(self) -> ChartMeter:
        text = TIME_SIGNATURES[self.meter_code] if self.meter_code else "4/4"
        return ChartMeter(text, *METERS[text])


def _slots(bar: _Bar, units: int, fail, eighths: bool = False) -> tuple:
    """Where the bar's chords start, in the meter's notes (`eighths`: x/8 meters, else quarters): ((offset,
    symbol / None for N.C. / HOLD), ...); () for a bar of `x` or `r`. Raises ChartError (via `fail`) for a bar
    with more chords than notes."""
    kinds = [kind for kind, _ in bar.cells]
    if "x" in kinds or "r" in kinds:
        if sum(k != " " for k in kinds) > 1:
            raise fail(f"'{'x' if 'x' in kinds else 'r'}' repeats whole bars and stands alone in its bar",
                       bar.number)
        return ()
    starts = [(k, kind, symbol) for k, (kind, symbol) in enumerate(bar.cells) if kind in ("chord", "n")]
    if not starts:
        return ((Fraction(0), HOLD),)
    if len(starts) > units:
        note = "eighth" if eighths else "beat"
        raise fail(f"{len(starts)} chords in a bar of {units} {note}s; a chord lasts {'an' if eighths else 'a'} "
                   f"{note} at least", bar.number)
    n = len(bar.cells)
    chords = [symbol if kind == "chord" else None for _, kind, symbol in starts]
    if all(k * units % n == 0 for k, _, _ in starts):            # every chord on one of the meter's notes
        slots = [(Fraction(k * units, n), c) for (k, _, _), c in zip(starts, chords)]
        return tuple(slots if starts[0][0] == 0 else [(Fraction(0), HOLD), *slots])
    shares = [units // len(chords) + (i < units % len(chords)) for i in range(len(chords))]
    offsets = [sum(shares[:i]) for i in range(len(chords))]
    return tuple((Fraction(at), c) for at, c in zip(offsets, chords))


def _repeat_bars(bars: list[_Bar], fail) -> list[_Bar]:
    """`x` and `r` bars filled with the bars they repeat (as written); an empty bar right after `r` is its
    second bar, else one is added."""
    out: list[_Bar] = []
    i = 0
    while i < len(bars):
        bar = bars[i]
        kinds = {kind for kind, _ in bar.cells}
        if "x" in kinds or "r" in kinds:
            need = 1 if "x" in kinds else 2
            if len(out) < need:
                raise fail(f"'{'x' if need == 1 else 'r'}' repeats {need} bar{'s' * (need > 1)} before it, and "
                           "there are not so many", bar.number)
            bar.slots = out[-need].slots
            out.append(bar)
            if need == 2:
                second = bars[i + 1] if i + 1 < len(bars) and bars[i + 1].slots == ((Fraction(0), HOLD),) else None
                if second is None:
                    second = _Bar(bar.number, True, bar.section, bar.part)
                else:
                    i += 1
                second.slots = out[-2].slots
                out.append(second)
        else:
            out.append(bar)
        i += 1
    return out


def _passes(bars: list[_Bar], start: int, close: int) -> int:
    """How many times the repeat from bar `start` to `close` plays: its <Nx>, else 2, or its number of
    endings when it has more (the endings after `close` count: N2, N3 ... each closed by its own `}`)."""
    top = max((b.ending or 0) for b in bars[start:close + 1])
    j = close + 1
    while j < len(bars) and bars[j].ending is not None and not bars[j].opens:
        top = max(top, bars[j].ending)
        ends = next((k for k in range(j, len(bars)) if bars[k].closes), None)
        if ends is None or any(b.opens for b in bars[j + 1:ends + 1]):
            break
        j = ends + 1
    return bars[close].times or max(2, top)


def _unrolled(bars: list[_Bar]) -> list[_Bar]:
    """The bars in playing order: repeats taken, each pass's ending chosen."""
    out: list[_Bar] = []
    i, start, floor, pass_no, active = 0, 0, 0, 1, False
    while i < len(bars):
        bar = bars[i]
        if bar.opens and not (active and start == i):
            start, pass_no, active = i, 1, True
        if active and bar.ending is not None and bar.ending != pass_no:
            later = [k for k in range(i, len(bars)) if bars[k].ending == pass_no]
            last = max((k for k in range(i, len(bars)) if bars[k].ending is not None), key=lambda k: bars[k].ending)
            i = later[0] if later else last
            bar = bars[i]
        out.append(bar)
        if bar.closes:
            if not active:
                start, pass_no, active = floor, 1, True
            if pass_no < _passes(bars, start, i):
                pass_no, i = pass_no + 1, start
                continue
            active, floor = False, i + 1
        i += 1
    return out


def _chord(symbol: str, fail, number: int) -> Chord:
    """The band's chord for an iReal chord symbol (root, quality, an own quality text between asterisks as
    iReal's editor allows (`Bb*mM7*`: read by pychord), /bass)."""
    m = re.fullmatch(r"([A-G][b#]?)([^*/]*)(?:\*([^*]*)\*)?(/[A-G][b#]?)?", symbol)
    own = m.group(3)
    quality = QUALITIES.get(m.group(2) + (own or ""), own if own and not m.group(2) else None)
    if quality is None:
        raise fail(f"chord {symbol!r} has a quality iReal does not write ({m.group(2)!r}); is the link whole?",
                   number)
    try:
        return read_symbol(m.group(1) + quality + (m.group(4) or ""))
    except SymbolError as exc:
        raise fail(f"chord {symbol!r} cannot be read ({exc})", number) from None


def _chart_bars(bars: list[_Bar], meter: ChartMeter, fail) -> tuple[ChartBar, ...]:
    """The bars as played, as the chart's bars: offsets in listener beats, symbols read, holds resolved."""
    out: list[ChartBar] = []
    last: Chord | None = None
    for bar in bars:
        changes = []
        for at, symbol in bar.slots:
            chord = last if symbol == HOLD else None if symbol is None else _chord(symbol, fail, bar.number)
            changes.append((meter.unit_beats(at), chord))
            last = chord
        out.append(ChartBar(bar.section, tuple(changes), bar.number, 1, bar.part))
    return tuple(out)


def song_key(text: str) -> tuple[int, str] | None:
    """iReal's key field ('C', 'Eb', 'A-' for A minor) as (tonic pitch class, mode); None when blank or not
    a key (the key then comes from the chords).

    >>> song_key("Bb"), song_key("F#-"), song_key("")
    ((10, 'major'), (6, 'minor'), None)
    """
    m = re.fullmatch(r"\s*([A-G][b#]?)(-?)\s*", text)
    return None if m is None else (pitch_class(m.group(1)), "minor" if m.group(2) else "major")


def song_style(text: str, meter: str) -> str | None:
    """The aqyn style for iReal's style field in `meter` (the STYLES table); None: the automatic choice."""
    return next((styles[meter] for pattern, styles in STYLES if pattern.search(text) and meter in styles), None)


def ireal_chart(song: IrealSong, source: str) -> tuple[Chart, list[str]]:
    """The chart of an iReal `song` (`source`: the link or file it came from, for messages and the chart's
    path) and the notes to show the player (one line each: navigation not followed). Raises ChartError (one
    line: source, song title, bar number, what is wrong) for an element or chord it cannot read."""
    reader = _Reader(song, source)
    written = reader.read()
    if not any(kind in ("chord", "n") for bar in written for kind, _ in bar.cells):
        raise reader.fail("the song has no chords; copy the whole link again", 1)
    meter = reader.meter()
    for bar in written:
        bar.slots = _slots(bar, meter.units, reader.fail, meter.text.endswith("/8"))
    played = _unrolled(_repeat_bars(written, reader.fail))
    bars = _chart_bars(played, meter, reader.fail)
    notes = []
    if reader.navigation:
        signs = ", ".join(dict.fromkeys(reader.navigation))
        coda = ", coda bars included" if "coda" in signs.lower() else ""
        notes.append(f"{song.title}: iReal's navigation ({signs}) is not followed; the song plays once through "
                     f"as written{coda}")
    tempo = float(song.bpm) if song.bpm > 0 else DEFAULT_TEMPO
    chart = Chart(source, song.title or "iReal song", song_key(song.key), tempo, meter,
                  song_style(song.style, meter.text), bars)
    return chart, notes
