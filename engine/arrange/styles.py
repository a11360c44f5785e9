"""Finding styles: the style folders, lookup by name, and the automatic choice by the guitar's feel.

Styles are looked up in the folders given (`--patterns DIR`), then in $AQYN_PATTERNS (folders separated like
PATH), then in the shipped patterns/; the first file named NAME.toml wins, so a user's style shadows a
shipped one. `style_chooser` resolves a name (or "auto") once, before any work, so a wrong name fails at once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable

from engine.arrange.patterns import Style, parse_style_file
from engine.errors import EngineError, StyleMeterError, StyleNotFound
from engine.state import BeatGrid

PATTERN_DIR = Path(__file__).resolve().parents[2] / "patterns"
ENV_DIRS = "AQYN_PATTERNS"
AUTO = "auto"
SURE_METER = 0.8   # meter confidence above which a named style in another meter is refused (offline)
# The automatic choice: the first of these that fits the player's meter and whose tempo range holds the
# player's tempo (then the other styles by name); the first in the meter when none holds it.
AUTO_ORDER = ("tokpe-gallop", "trot", "tokpe-waltz", "ballad", "ballad-4-4", "tokpe-flow", "nomad-gallop",
              "shertpe-332")

StyleChooser = Callable[..., Style]   # (the guitar's beat grid, strict=...) -> the style to play


def style_dirs(extra: list[Path] | None = None) -> list[Path]:
    """Where styles are looked up, first match wins: `extra`, then $AQYN_PATTERNS, then the shipped ones."""
    env = [Path(p) for p in os.environ.get(ENV_DIRS, "").split(os.pathsep) if p]
    return [*(Path(p) for p in (extra or [])), *env, PATTERN_DIR]


def list_styles(extra_dirs: list[Path] | None = None) -> dict[str, Path]:
    """Style name -> file, sorted by name; a user folder's style shadows a shipped one of the same name."""
    found: dict[str, Path] = {}
    for folder in style_dirs(extra_dirs):
        if Path(folder).is_dir():
            for path in sorted(Path(folder).glob("*.toml")):
                found.setdefault(path.stem, path)
    return dict(sorted(found.items()))


def name_problem(name: object) -> str | None:
    """What is wrong with `name` as a style name in a config file (a footswitch map, a cue file), or None.
    A style name is a file's stem in a style folder: a string without a path separator, a leading dot, a
    control character or a .toml ending, so `../../etc/passwd` or `/home/me/x.toml` cannot leave the folders.

    >>> name_problem("trot") is None, name_problem("../../etc/passwd")
    (True, "'../../etc/passwd' is a path; give the name of a style in the style folders (aqyn patterns list)")
    """
    if not isinstance(name, str) or not name:
        return f"a style name must be a non-empty string, got {name!r:.40}"
    if "/" in name or "\\" in name or name.startswith(".") or name.endswith(".toml") or not name.isprintable():
        return f"{name!r:.60} is a path; give the name of a style in the style folders (aqyn patterns list)"
    return None


def load_style(name: str, extra_dirs: list[Path] | None = None) -> Style:
    """A style by name (searching `extra_dirs`, $AQYN_PATTERNS, then patterns/), or by the path of a .toml.
    Raises StyleNotFound (naming the styles there are) or PatternError (file:line:col of the fault)."""
    if name.endswith(".toml") and Path(name).is_file():
        return parse_style_file(Path(name))
    styles = list_styles(extra_dirs)
    if name not in styles:
        raise StyleNotFound(f"unknown style {name!r}; available: {', '.join(styles) or 'none'}")
    return parse_style_file(styles[name])


def count_in_beats(name: str, pattern_dirs: list[Path] | None = None) -> int:
    """Clicks in a bar of count-in before style `name`: its beats to the bar, at least 2 (4 for "auto", whose
    meter is not known before the guitar plays). Raises StyleNotFound or PatternError."""
    return 4 if name == AUTO else max(2, round(load_style(name, pattern_dirs).beats_per_bar))


def style_chooser(name: str, pattern_dirs: list[Path] | None = None, strict: bool = True,
                  fit: Callable[[Style, object], bool] | None = None) -> StyleChooser:
    """Resolve a style name now, before any work or sound: an unknown name raises StyleNotFound; the named
    style, or with "auto" every style auto may choose, is read and checked now (PatternError, file:line:col,
    for a broken one), so nothing is read on stage. The chooser, given
    the player's beat grid when the band comes in or the meter changes, returns the style to play: with
    "auto", the first of AUTO_ORDER (then the others by name) that fits the player's meter (engine/bars.py)
    and whose `tempo` range holds the grid's tempo, else the first that fits the meter;
    a named style when it fits; when it does not, and the listener is sure of the meter (SURE_METER) and
    `strict` (offline), StyleMeterError naming the styles that fit; else the named style all the same (live
    the band must play on, and an unsure meter may be wrong). `fit(style, meter)`: with "auto", the test of a
    style's meter instead of engine/bars.py's `fits` (a chart asks a stricter one: its bars end where the
    chart's do)."""
    from engine.bars import Meter, fits  # noqa: PLC0415 (bars imports patterns, as this module does)

    available = list_styles(pattern_dirs)
    if name != AUTO and name not in available:
        raise StyleNotFound(f"unknown style {name!r}; available: {', '.join([AUTO, *available])}")
    order = [n for n in AUTO_ORDER if n in available] + [n for n in available if n not in AUTO_ORDER]
    if name == AUTO:              # every style auto may choose is read and checked now, never on stage
        styles, errors = good_styles({n: available[n] for n in order}, "left out of auto")
        if not styles and errors:
            raise errors[0]             # no style auto could play
        return lambda grid, strict=strict: _auto(styles, Meter.of(grid), grid.bpm, fit or fits)
    named = load_style(name, pattern_dirs)

    def choose(grid: BeatGrid, strict: bool = strict) -> Style:
        meter = Meter.of(grid)
        if fits(named, meter) or not strict or grid.meter_confidence < SURE_METER:
            return named            # it fits, or the meter is not sure (or live): play what the player asked for
        raise StyleMeterError(meter_refusal(name, grid.meter, meter, pattern_dirs))

    return choose


def meter_refusal(name: str, heard: str, meter, pattern_dirs: list[Path] | None = None) -> str:
    """The one line refusing style `name` over a guitar heard in `heard` (its time signature, e.g. "4/4"),
    engine.bars.Meter `meter`, naming the styles that fit it. Raises StyleNotFound or PatternError (`name`'s
    file)."""
    from engine.bars import fits  # noqa: PLC0415 (bars imports patterns, as this module does)

    available = list_styles(pattern_dirs)
    order = [n for n in AUTO_ORDER if n in available] + [n for n in available if n not in AUTO_ORDER]
    # A 5/8 or 7/8 style is taken as asked, never offered for another meter, but offered for the aqsaq meter
    # it is in (there no whole-beat style fits, and the list would say "none").
    candidates = [n for n in order if _fits_if_good(n, pattern_dirs, meter, fits, whole_beats=not meter.groups)]
    return (f"style {name!r} is in {load_style(name, pattern_dirs).meter}, the guitar plays {heard}; styles "
            f"that fit: {', '.join(candidates) or 'none'} (or --style auto)")


_WARNED: set[str] = set()


def good_styles(files: dict[str, Path], left_out: str = "left out") -> tuple[dict[str, Style], list[EngineError]]:
    """The styles of `files` (name -> style file, in the order wanted) read and checked, and the errors of the
    broken ones. Each broken file is left out with one `aqyn: warning: file:line:col: ... (style 'x'
    <left_out>)` line on stderr, once a process (a render asks for its styles twice): `aqyn patterns list`
    lists the good ones, and a musician's half-edited style in a user folder must not stop the gig."""
    styles: dict[str, Style] = {}
    errors: list[EngineError] = []
    for name, path in files.items():
        try:
            styles[name] = parse_style_file(path)
        except EngineError as exc:
            errors.append(exc)
            if str(exc) not in _WARNED:
                _WARNED.add(str(exc))
                print(f"aqyn: warning: {exc} (style {name!r} {left_out})", file=sys.stderr)
    return styles, errors


def _auto(styles: dict[str, Style], meter, bpm: float, fits) -> Style:
    """The automatic choice among `styles` (in AUTO_ORDER, then by name) for a player in `meter` at `bpm`
    listener beats a minute: the first that `fits` the meter and suits the tempo (a ballad at 60, a gallop
    at 110), else the one of those nearest the tempo, else the first of all. In a plain meter only the styles in
    whole beats are offered: a 5/8 or 7/8 style is played over 4/4 only when asked by name (review29: bluegrass
    at 250, over every style's tempo range, got aqsaq-5-8, written in 5/8)."""
    in_meter = [s for s in styles.values() if fits(s, meter) and (s.whole_beats or meter.groups)]
    if not in_meter:
        return next(iter(styles.values()))
    return next((s for s in in_meter if s.suits_tempo(bpm)),
                min(in_meter, key=lambda s: max(s.tempo[0] - bpm, bpm - s.tempo[1])))


def _fits_if_good(name: str, pattern_dirs: list[Path] | None, meter, fits, whole_beats: bool = False) -> bool:
    """Whether style `name` fits `meter` (False when its file is broken: it is only named in a message;
    `whole_beats`: False too for a 5/8 or 7/8 style)."""
    try:
        style = load_style(name, pattern_dirs)
    except EngineError:
        return False
    return fits(style, meter) and (style.whole_beats or not whole_beats)

