"""Styles: pattern files (TOML with one character per grid step) loaded into immutable `Style`s.

A style file (patterns/NAME.toml):

    name = "tokpe-gallop"
    title = "Tökpe gallop"
    meter = "2/4"              # 2/4 3/4 4/4 (beat = quarter), 6/8 9/8 12/8 (beat = dotted quarter)
    steps_per_beat = 4         # grid resolution
    humanize_ms = 5            # timing scatter (standard deviation)
    humanize_velocity = 6      # velocity scatter (+-)

    [dombra]
    grid     = "D.DU D.DU"     # D down-strum, U up-strum, M muted chop, P pluck (high string), . rest
    velocity = "9.76 8.76"     # optional, a digit 1-9 per step (9 = 127); spaces and | are ignored

    [percussion.tuyaqtas_low]  # one table per instrument; known Kazakh names need no note
    grid = "X..x X..x"         # X loud, x soft, . rest
    note = 77                  # optional GM drum note (35-87)

Errors name file:line:col and what was expected.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from engine.errors import PatternError, StyleNotFound

PATTERN_DIR = Path(__file__).resolve().parents[2] / "patterns"

DOMBRA_STROKES = "DUMP"
DRUM_HITS = "Xx"
REST = "."
SEPARATORS = " |"

# GM drum notes for the Kazakh kit (DOMAIN.md §4).
KIT = {
    "dauylpaz": 41, "dauylpaz_high": 43, "dabyl": 36, "dangyra": 45, "dangyra_jingle": 54,
    "kepshik_dum": 64, "kepshik_tek": 63, "kepshik_muted": 62, "asatayak_shake": 83, "asatayak_thump": 35,
    "tuyaqtas_low": 77, "tuyaqtas_high": 76, "konyrau": 84, "rattle": 70, "body_tap": 37,
}
DEFAULT_VELOCITY = {"D": 100, "U": 72, "M": 88, "P": 92, "X": 105, "x": 62}
SIMPLE_METERS = {2, 3, 4}
COMPOUND_METERS = {6, 9, 12}


@dataclass(frozen=True, slots=True)
class Step:
    index: int          # step number within the bar
    symbol: str         # one of DUMP or Xx
    velocity: int


@dataclass(frozen=True)
class DrumPart:
    name: str
    note: int
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Style:
    name: str
    title: str
    path: Path
    meter: str
    beats_per_bar: int
    steps_per_beat: int
    humanize_ms: float
    humanize_velocity: int
    dombra: tuple[Step, ...]
    drums: tuple[DrumPart, ...]

    @property
    def steps_per_bar(self) -> int:
        return self.beats_per_bar * self.steps_per_beat

    @property
    def subdivision(self) -> int:
        """3 for compound meters (the beat splits in three), else 2."""
        return 3 if self.steps_per_beat % 3 == 0 else 2


def style_dirs(extra: list[Path] | None = None) -> list[Path]:
    return [*(extra or []), PATTERN_DIR]


def available_styles(extra: list[Path] | None = None) -> dict[str, Path]:
    """Style name -> file; a user folder given first shadows a shipped style of the same name."""
    found: dict[str, Path] = {}
    for folder in style_dirs(extra):
        for path in sorted(Path(folder).glob("*.toml")):
            found.setdefault(path.stem, path)
    return found


def load_style(name: str, extra: list[Path] | None = None) -> Style:
    styles = available_styles(extra)
    if name not in styles:
        raise StyleNotFound(f"unknown style {name!r}; available: {', '.join(sorted(styles)) or 'none'}")
    return parse_style_file(styles[name])


def parse_style_file(path: Path) -> Style:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PatternError(f"{path}: cannot read pattern file ({exc})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{m.group(1)}:{m.group(2)}" if m else "1:1"
        msg = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise PatternError(f"{path}:{where}: TOML syntax error: {msg}") from None
    return _build(path, text.splitlines(), data)


class _Locator:
    """Finds where a table's key is written, so semantic errors can name line and column."""

    def __init__(self, path: Path, lines: list[str]):
        self.path, self.lines = path, lines

    def where(self, table: str, key: str, offset: int | None = None) -> str:
        header = re.compile(r"^\s*\[\s*" + re.escape(table) + r"\s*\]\s*(#.*)?$") if table else None
        in_table = header is None
        key_re = re.compile(r"^\s*" + re.escape(key) + r"\s*=\s*")
        for no, line in enumerate(self.lines, 1):
            if header is not None and header.match(line):
                in_table = True
                continue
            if in_table and line.lstrip().startswith("[") and header is not None:
                if not header.match(line):
                    in_table = False
            if in_table and (m := key_re.match(line)):
                col = m.end() + 1
                if offset is not None and line[m.end():m.end() + 1] in "\"'":
                    col += 1 + offset
                return f"{self.path}:{no}:{col}"
        return f"{self.path}:1:1"

    def error(self, table: str, key: str, msg: str, offset: int | None = None) -> PatternError:
        return PatternError(f"{self.where(table, key, offset)}: {msg}")


def _build(path: Path, lines: list[str], data: dict) -> Style:
    loc = _Locator(path, lines)
    for required in ("meter", "steps_per_beat", "dombra"):
        if required not in data:
            raise PatternError(f"{path}:1:1: missing '{required}' (see patterns/README.md for the format)")
    meter = data["meter"]
    m = re.fullmatch(r"(\d+)/(\d+)", str(meter))
    if not m:
        raise loc.error("", "meter", f"meter must look like \"2/4\" or \"6/8\", got {meter!r}")
    num, den = int(m.group(1)), int(m.group(2))
    if den == 4 and num in SIMPLE_METERS:
        beats = num
    elif den == 8 and num in COMPOUND_METERS:
        beats = num // 3
    else:
        raise loc.error("", "meter", f"meter {meter} is not supported yet; use 2/4, 3/4, 4/4, 6/8, 9/8 or 12/8")
    spb = data["steps_per_beat"]
    if not isinstance(spb, int) or not 1 <= spb <= 12:
        raise loc.error("", "steps_per_beat", f"steps_per_beat must be an integer 1..12, got {spb!r}")
    if den == 8 and spb % 3:
        raise loc.error("", "steps_per_beat", f"a compound meter ({meter}) needs steps_per_beat divisible by 3")
    steps_per_bar = beats * spb

    dombra = data["dombra"]
    if not isinstance(dombra, dict) or "grid" not in dombra:
        raise loc.error("dombra", "grid", "the [dombra] table needs a grid string")
    dombra_steps = _grid(loc, "dombra", dombra, DOMBRA_STROKES, steps_per_bar)

    drums = []
    for name, part in (data.get("percussion") or {}).items():
        table = f"percussion.{name}"
        if not isinstance(part, dict) or "grid" not in part:
            raise loc.error(table, "grid", f"[{table}] needs a grid string")
        note = part.get("note", KIT.get(name))
        if note is None:
            raise loc.error(table, "grid", f"unknown instrument {name!r}: add note = <GM drum note 35-87> "
                                           f"or use one of {', '.join(sorted(KIT))}")
        if not isinstance(note, int) or not 35 <= note <= 87:
            raise loc.error(table, "note", f"note must be a GM drum note 35..87, got {note!r}")
        drums.append(DrumPart(name, note, _grid(loc, table, part, DRUM_HITS, steps_per_bar)))

    hms = data.get("humanize_ms", 5)
    hv = data.get("humanize_velocity", 6)
    if not isinstance(hms, (int, float)) or not 0 <= hms <= 30:
        raise loc.error("", "humanize_ms", f"humanize_ms must be 0..30, got {hms!r}")
    if not isinstance(hv, int) or not 0 <= hv <= 40:
        raise loc.error("", "humanize_velocity", f"humanize_velocity must be an integer 0..40, got {hv!r}")
    return Style(name=str(data.get("name", path.stem)), title=str(data.get("title", path.stem)), path=path,
                 meter=str(meter), beats_per_bar=beats, steps_per_beat=spb, humanize_ms=float(hms),
                 humanize_velocity=hv, dombra=dombra_steps, drums=tuple(drums))


def _grid(loc: _Locator, table: str, part: dict, alphabet: str, steps_per_bar: int) -> tuple[Step, ...]:
    grid = part["grid"]
    if not isinstance(grid, str):
        raise loc.error(table, "grid", "grid must be a string")
    cells = [(i, ch) for i, ch in enumerate(grid) if ch not in SEPARATORS]
    for i, ch in cells:
        if ch not in alphabet and ch != REST:
            raise loc.error(table, "grid", f"unexpected {ch!r} in grid; expected one of "
                                           f"{' '.join(alphabet)} or . (rest)", offset=i)
    if len(cells) != steps_per_bar:
        raise loc.error(table, "grid", f"grid has {len(cells)} steps; a bar of this meter needs {steps_per_bar}")
    velocities = [None] * steps_per_bar
    if "velocity" in part:
        vel = part["velocity"]
        vcells = [(i, ch) for i, ch in enumerate(vel if isinstance(vel, str) else "") if ch not in SEPARATORS]
        if not isinstance(vel, str) or len(vcells) != steps_per_bar:
            raise loc.error(table, "velocity", f"velocity must be a string of {steps_per_bar} steps, a digit "
                                               f"1-9 or . each")
        for step, (i, ch) in enumerate(vcells):
            if ch.isdigit() and ch != "0":
                velocities[step] = round(127 * int(ch) / 9)
            elif ch != REST:
                raise loc.error(table, "velocity", f"unexpected {ch!r} in velocity; expected a digit 1-9 or .",
                                offset=i)
    return tuple(Step(step, ch, velocities[step] or DEFAULT_VELOCITY[ch])
                 for step, (_, ch) in enumerate(cells) if ch != REST)
