"""The chord chart text format: headers, sections, bars, repeats and beat dots (examples/CHARTS.md).

```
title: Steppe song
key: D dorian        # optional: otherwise from the chords
tempo: 96
meter: 4/4
[A]
| Dm | Dm C | G | Dm |
|: Dm | C | G/B | Dm :| x2
```

Chord symbols are read by pychord (engine/chart/symbols.py); the rest is this small parser. A mistake is a
`ChartError` whose message is one line: `FILE:LINE:COL: what is wrong; what to write instead`. Repeats are
unrolled here, so a `Chart`'s bars are the bars as played, in order; `%` (the bar before again) and a bar
that starts with `.` (the chord before held on) are resolved in that order too.

>>> chart = parse_chart("tempo: 90\\n[A]\\n|: Dm . . C | G :| x3\\n", "song.txt")
>>> len(chart.bars), chart.bars[0].changes, chart.meter.beats
(6, ((Fraction(0, 1), (2, 'min')), (Fraction(3, 1), (0, 'maj'))), 4)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from pathlib import Path

from engine.chart.symbols import SymbolError, read_symbol
from engine.errors import ChartError
from engine.state import Chord
from engine.theory import SCALES, pitch_class

HEADERS = ("title", "key", "tempo", "meter", "style")
# meter -> (listener beats the beat grid counts to its bar, compound). In 5/8 and 7/8 (aqsaq, additive) the
# listener beat is the quarter, as in the styles of those meters (patterns/aqsaq-7-8.toml): a bar is 2.5 or 3.5
# beats, so the grid counts two bars, 5 or 7 whole beats.
METERS = {"2/4": (2, False), "3/4": (3, False), "4/4": (4, False), "5/8": (5, False), "6/8": (2, True),
          "7/8": (7, False), "9/8": (3, True), "12/8": (4, True)}
TEMPO_RANGE = (30.0, 240.0)
MAX_TIMES = 16
MAX_BYTES = 1 << 20      # a chart is a page of text; a bigger file is not one
HOLD, SAME_BAR = ".", "%"
_BAR_LINE = re.compile(r":\|\|:|\|\|:|:\|\||:\||\|:|\|\||\|")
_SAME_LINE = {"||:": "|:", ":||": ":|"}
_TOKEN = re.compile(r"\S+")
_HEADER = re.compile(r"^([A-Za-z_]+)\s*:\s*(.*?)\s*$")
_SECTION = re.compile(r"^\[\s*([^\]\s][^\]]*?)\s*\]")
_TIMES = re.compile(r"^[xX](\d+)$")
# A first or second ending (volta) as guitarists write it at a bar's start: `1.`, `2.`, `1)`, `[1`, `1st`, or
# the mark against its chord (`1.G`, `2)Gm`; no chord symbol begins with a digit).
_ENDING = re.compile(r"^\[?\d(?:[.)]|st|nd|rd|th)?$|^\[?\d[.)](?=[A-GN%])")


@dataclass(frozen=True)
class ChartMeter:
    """A chart's meter: its `text` (4/4, 6/8, 7/8 ...), `beats` (whole listener beats to the beat grid's bar:
    a quarter in x/4, 5/8 and 7/8, a dotted quarter in 6/8, 9/8 and 12/8; the grid's bar is the chart's, but
    two of them in 5/8 and 7/8, whose bar is not a whole number of quarters) and `compound`; `units` is the
    meter's upper number (the notes a bar is counted in, which beat dots divide), `bar_beats` the bar in
    listener beats (7/8: 7/2)."""

    text: str
    beats: int
    compound: bool

    @property
    def units(self) -> int:
        """The meter's upper number: quarters in x/4, eighths in x/8."""
        return int(self.text.split("/")[0])

    @property
    def additive(self) -> bool:
        """True for 5/8 and 7/8: eighths grouped unevenly (2+2+3), counted in quarters."""
        return self.text.endswith("/8") and not self.compound

    @property
    def bar_beats(self) -> Fraction:
        """Listener beats in one bar of the chart: 4 in 4/4, 2 in 6/8, 7/2 in 7/8."""
        return self.unit_beats(Fraction(self.units))

    def unit_beats(self, units: Fraction) -> Fraction:
        """`units` of the meter's note (quarters, eighths) in listener beats: an eighth is a third of a beat in
        compound meters and half of one in 5/8 and 7/8."""
        if self.compound:
            return units / 3
        return units / 2 if self.additive else units


@dataclass(frozen=True)
class ChartBar:
    """One bar as played: its `section` name, the chord `changes` ((beat offset in listener beats from the
    bar's start, chord (root 0..11, quality) or None for N.C.), the first at 0), where it is written and the
    `part` of the chart it belongs to (the section line above it, counted)."""

    section: str
    changes: tuple[tuple[Fraction, Chord | None], ...]
    line: int
    col: int
    part: int = 0          # which section line it is under (0 for bars before any): [A] [B] [A] are 1, 2, 3


@dataclass(frozen=True)
class Chart:
    """A parsed chart: headers (`key` is (tonic pitch class, mode) or None: from the chords; `tempo` in BPM of
    the listener beat; `style` None: by the meter) and its bars as played, repeats unrolled. `where` maps a
    header name to its (line, col) in `path`, for messages about a header found wrong later (an unknown
    style)."""

    path: str
    title: str
    key: tuple[int, str] | None
    tempo: float
    meter: ChartMeter
    style: str | None
    bars: tuple[ChartBar, ...]
    where: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False)

    @property
    def sections(self) -> tuple[str, ...]:
        """The section names in the order they first come."""
        return tuple(dict.fromkeys(b.section for b in self.bars))

    def error(self, header: str, message: str) -> ChartError:
        """A ChartError at header `header`'s value (1:1 when the chart has none)."""
        line, col = self.where.get(header, (1, 1))
        return ChartError(f"{self.path}:{line}:{col}: {message}")


@dataclass
class _Written:
    """A bar as written, before repeats and holds are resolved."""

    section: str
    slots: list[tuple[str, int]]      # (token, col)
    line: int
    col: int
    part: int


def parse_key(text: str) -> tuple[int, str]:
    """'D dorian', 'F# major', 'Bbm', 'A minor', 'E' -> (tonic pitch class, mode). Raises ValueError.

    >>> parse_key("D dorian"), parse_key("Bbm"), parse_key("E")
    ((2, 'dorian'), (10, 'minor'), (4, 'major'))
    """
    words = text.split()
    if not words or len(words) > 2:
        raise ValueError(text)
    tonic, mode = words[0], (words[1].lower() if len(words) == 2 else "major")
    if len(words) == 1 and len(tonic) > 1 and tonic.endswith("m"):
        tonic, mode = tonic[:-1], "minor"
    mode = {"ionian": "major", "aeolian": "minor", "maj": "major", "min": "minor"}.get(mode, mode)
    if mode not in SCALES:
        raise ValueError(text)
    return pitch_class(tonic), mode


class _Parser:
    """Reads a chart line by line; see the module docstring."""

    def __init__(self, path: str):
        self.path = path
        self.headers: dict[str, str] = {}
        self.where: dict[str, tuple[int, int]] = {}
        self.written: list[_Written] = []
        self.section = "A"
        self.section_at = (1, 1)
        self.section_start = 0            # index in `written` of the current section's first bar
        self.repeat_floor = 0             # where a ':|' without '|:' goes back to: the section's start or
                                          # the end of its last repeat
        self.named = False                # the current section was named by a [..] line
        self.part = 0                     # section lines read so far
        self.repeat: tuple[int, int, int] | None = None   # (first bar index, line, col) of an open |:
        self.music = False

    def fail(self, line: int, col: int, message: str) -> ChartError:
        return ChartError(f"{self.path}:{line}:{col}: {message}")

    # ---- lines ---------------------------------------------------------------------------------------
    def line(self, n: int, raw: str) -> None:
        text = _uncommented(raw).rstrip()
        stripped = text.strip()
        if not stripped:
            return
        col = len(text) - len(text.lstrip()) + 1
        section = _SECTION.match(stripped)
        if section:                                   # [A], maybe with the section's first bars after it
            self.new_section(n, col, section.group(1))
            text = " " * (col - 1 + section.end()) + stripped[section.end():]
            stripped = text.strip()
            if not stripped:
                return
        if stripped.startswith(("|", ":|")):
            self.music = True
            self.bars(n, text)
        elif section:
            raise self.fail(n, len(text) - len(text.lstrip()) + 1, f"cannot read {stripped[:30]!r} after the "
                            "section; bars start with '|' (| Dm | C |)")
        elif _HEADER.match(stripped):
            self.header(n, col, stripped)
        else:
            raise self.fail(n, col, f"cannot read {stripped[:30]!r}; a line is a header (tempo: 96), a section "
                                    "([A]) or bars (| Dm | C |)")

    def header(self, n: int, col: int, text: str) -> None:
        name, value = _HEADER.match(text).groups()
        name = name.lower()
        if name not in HEADERS:
            raise self.fail(n, col, f"unknown header {name!r}; headers are {', '.join(HEADERS)}")
        if self.music:
            raise self.fail(n, col, f"header {name!r} after the music; put the headers above the first bar")
        if name in self.headers:
            raise self.fail(n, col, f"header {name!r} given twice; keep one")
        self.headers[name] = value
        after = text[text.index(":") + 1:]
        self.where[name] = (n, col + text.index(":") + 1 + len(after) - len(after.lstrip()))

    def new_section(self, n: int, col: int, name: str) -> None:
        self.close_section(n)
        self.section, self.section_at, self.named = name, (n, col), True
        self.part += 1
        self.section_start = self.repeat_floor = len(self.written)
        self.music = True

    def close_section(self, n: int) -> None:
        """The current section is over (a new one, or the end): its repeat must be closed, its bars there."""
        if self.repeat is not None:
            _, line, col = self.repeat
            raise self.fail(line, col, "repeat '|:' is never closed; end it with ':|' in the same section")
        if self.named and self.section_start == len(self.written):
            line, col = self.section_at
            raise self.fail(line, col, f"section [{self.section}] has no bars; write its bars below it "
                                       "(| Dm | C |) or remove it")

    # ---- bars ----------------------------------------------------------------------------------------
    def bars(self, n: int, text: str) -> None:
        """One line of bars: bar lines, the bars' tokens between them, `xN` after a closing repeat."""
        pieces = _pieces(text)
        i = 0
        while i < len(pieces):
            kind, body, col = pieces[i]
            if kind == "line":
                i += 2 if self.bar_line(n, col, body, pieces[i + 1] if i + 1 < len(pieces) else None) else 1
                continue
            tokens = [(m.group(), col + m.start()) for m in _TOKEN.finditer(body)]
            if not tokens:
                raise self.fail(n, col, "empty bar; put a chord, '%' or 'N.C.' in it")
            if ending := _ENDING.match(tokens[0][0]):
                raise self.fail(n, tokens[0][1], f"{ending.group()!r} reads as an ending (1., 2.), which a chart does "
                                "not have; write the repeat out, each pass with its own last bars")
            if i + 1 == len(pieces):
                raise self.fail(n, tokens[-1][1] + len(tokens[-1][0]), "the bar is not closed; end it with '|'")
            self.written.append(_Written(self.section, tokens, n, tokens[0][1], self.part))
            i += 1

    def bar_line(self, n: int, col: int, body: str, after: tuple[str, str, int] | None) -> bool:
        """A bar line: `|` or `||` ends a bar, `|:` opens a repeat, `:|` closes one (`xN` after it: N times
        in all, 2 without). True when it read the `xN` piece `after` it."""
        times, read = 2, False
        if body in (":|", ":||:") and after is not None and after[0] == "text":
            m = _TIMES.match(after[1].strip())
            if m:
                times, read = int(m.group(1)), True
                if not 2 <= times <= MAX_TIMES:
                    raise self.fail(n, after[2] + len(after[1]) - len(after[1].lstrip()),
                                    f"a repeat plays 2..{MAX_TIMES} times, got x{times}")
        if body in (":|", ":||:"):
            self.close_repeat(n, col, times)
        if body in ("|:", ":||:"):
            if self.repeat is not None:
                raise self.fail(n, col, "'|:' inside a repeat; repeats do not nest, close the first with ':|'")
            self.repeat = (len(self.written), n, col)
        return read

    def close_repeat(self, n: int, col: int, times: int) -> None:
        """Unroll the repeat just closed: from its '|:', or without one from the end of the section's last
        repeat (its start when it has none)."""
        first = self.repeat[0] if self.repeat is not None else self.repeat_floor
        self.repeat = None
        body = self.written[first:]
        if not body:
            raise self.fail(n, col, "':|' repeats no bars; put bars between '|:' and ':|'")
        for _ in range(times - 1):
            self.written.extend(replace(b) for b in body)
        self.repeat_floor = len(self.written)

    # ---- the whole chart -----------------------------------------------------------------------------
    def chart(self) -> Chart:
        self.close_section(0)
        if not self.written:
            raise self.fail(1, 1, "the chart has no bars; write bars like | Dm | C | G | Dm |")
        meter = self.meter()
        bars = _resolve(self, self.written, meter)
        key = None
        if "key" in self.headers:
            try:
                key = parse_key(self.headers["key"])
            except ValueError:
                raise self.fail(*self.where["key"], f"key {self.headers['key']!r} is not a key; write e.g. "
                                f"key: D dorian (modes: {', '.join(SCALES)})") from None
        style = self.headers.get("style") or None
        return Chart(self.path, self.headers.get("title", Path(self.path).stem), key, self.tempo(), meter, style,
                     tuple(bars), dict(self.where))

    def tempo(self) -> float:
        text = self.headers.get("tempo")
        if text is None:
            return 100.0
        try:
            bpm = float(text)
        except ValueError:
            raise self.fail(*self.where["tempo"], f"tempo {text!r} is not a number; write e.g. tempo: 96 "
                            "(beats per minute)") from None
        lo, hi = TEMPO_RANGE
        if not lo <= bpm <= hi:
            raise self.fail(*self.where["tempo"], f"tempo {bpm:g} is out of range; use {lo:g}..{hi:g} BPM")
        return bpm

    def meter(self) -> ChartMeter:
        text = self.headers.get("meter", "4/4").replace(" ", "")
        if text not in METERS:
            raise self.fail(*self.where["meter"], f"meter {text!r} is not one a chart plays; use "
                            f"{', '.join(METERS)}")
        return ChartMeter(text, *METERS[text])


def _uncommented(line: str) -> str:
    """The line without its comment: from a '#' at the line's start or after a space (F#m keeps its '#')."""
    m = re.search(r"(^|\s)#", line)
    return line if m is None else line[:m.start()]


def _pieces(text: str) -> list[tuple[str, str, int]]:
    """A bars line as ("line", bar line, col) and ("text", what lies between, col) pieces (cols 1-based)."""
    out: list[tuple[str, str, int]] = []
    pos = 0
    for m in _BAR_LINE.finditer(text):
        if text[pos:m.start()].strip():
            out.append(("text", text[pos:m.start()], pos + 1))
        elif out and out[-1][0] == "line" and m.start() > pos:
            out.append(("text", "", pos + 1))               # '| |': an empty bar
        out.append(("line", _SAME_LINE.get(m.group(), m.group()), m.start() + 1))
        pos = m.end()
    if text[pos:].strip():
        out.append(("text", text[pos:], pos + 1))
    return out


def _resolve(parser: _Parser, written: list[_Written], meter: ChartMeter) -> list[ChartBar]:
    """The bars as played: each bar's chord changes in listener beats, '%' and a leading '.' resolved."""
    bars: list[ChartBar] = []
    for w in written:
        slots = w.slots
        if slots[0][0] == SAME_BAR:
            if len(slots) > 1:
                raise parser.fail(w.line, slots[1][1], "'%' repeats the bar before and stands alone in its bar")
            if not bars:
                raise parser.fail(w.line, slots[0][1], "'%' in the first bar; there is no bar before to repeat")
            bars.append(ChartBar(w.section, bars[-1].changes, w.line, w.col, w.part))
            continue
        n = len(slots)
        if meter.units % n:
            fits = [str(k) for k in range(1, meter.units + 1) if meter.units % k == 0]
            held = "Dm . . . C . ." if meter.units == 7 else "Dm . . C ." if meter.units == 5 else "Dm . . C"
            raise parser.fail(w.line, w.col, f"a {meter.text} bar splits into {', '.join(fits)} equal parts, "
                                             f"this one has {n}; hold a chord with '.' (| {held} |)")
        length = meter.unit_beats(Fraction(meter.units, n))
        changes: list[tuple[Fraction, Chord | None]] = []
        for k, (token, col) in enumerate(slots):
            if token == SAME_BAR:
                raise parser.fail(w.line, col, "'%' repeats the bar before and stands alone in its bar")
            if token == HOLD:
                if k == 0 and not bars:
                    raise parser.fail(w.line, col, "'.' holds the chord before, and none has sounded yet; "
                                                   "start with a chord")
                if k == 0:
                    changes.append((Fraction(0), bars[-1].changes[-1][1]))
                continue
            try:
                chord = read_symbol(token)
            except SymbolError as exc:
                raise parser.fail(w.line, col, f"{token!r} is not a chord ({exc}); write e.g. Dm, G7, F#m7b5, "
                                               "Bb/D, A5, Dsus4 or N.C.") from None
            changes.append((k * length, chord))
        bars.append(ChartBar(w.section, tuple(changes), w.line, w.col, w.part))
    return bars


def parse_chart(text: str, path: str = "<chart>") -> Chart:
    """Parse chart `text` (written in the file `path`, for messages). Raises ChartError (one line:
    `path:line:col: what is wrong; what to do`)."""
    parser = _Parser(path)
    for n, raw in enumerate(text.splitlines(), start=1):
        parser.line(n, raw)
    return parser.chart()


def read_chart(path: str | Path) -> Chart:
    """Read and parse the chart file at `path` (UTF-8, a byte-order mark allowed, at most 1 MiB). Raises
    ChartError for a missing, unreadable or bad chart, a folder, a FIFO or a device (refused before reading)."""
    return parse_chart(read_chart_text(path), str(Path(path)))


def read_chart_text(path: str | Path) -> str:
    """The text of the chart file at `path` (UTF-8, a byte-order mark allowed, at most 1 MiB). Raises
    ChartError for a missing or unreadable file, a folder, a FIFO or a device (refused before reading)."""
    p = Path(path)
    if p.exists() and not p.is_dir() and not p.is_file():
        raise ChartError(f"{p} is not a regular file (a FIFO or a device); give a chart file")
    if p.is_file() and p.stat().st_size > MAX_BYTES:
        raise ChartError(f"{p} is over 1 MiB, too big for a chord chart; give a chart file")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ChartError(f"{p}: no such chart file; check the name") from None
    except IsADirectoryError:
        raise ChartError(f"{p} is a folder; give a chart file") from None
    except UnicodeDecodeError as exc:
        raise ChartError(f"{p}:1:1: not a text chart ({exc.reason} at byte {exc.start}); save it as UTF-8 "
                         "text") from None
    except OSError as exc:
        raise ChartError(f"{p}: cannot be read ({exc.strerror}); check its permissions") from None
    return text
