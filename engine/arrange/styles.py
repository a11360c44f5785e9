"""Finding styles: the style folders, lookup by name, and the automatic choice by the guitar's feel.

Styles are looked up in the folders given (`--patterns DIR`), then in $AQYN_PATTERNS (folders separated like
PATH), then in the shipped patterns/; the first file named NAME.toml wins, so a user's style shadows a
shipped one. `style_chooser` resolves a name (or "auto") once, before any work, so a wrong name fails at once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from engine.arrange.patterns import Style, parse_style_file
from engine.errors import StyleMeterError, StyleNotFound
from engine.state import BeatGrid

PATTERN_DIR = Path(__file__).resolve().parents[2] / "patterns"
ENV_DIRS = "AQYN_PATTERNS"
AUTO = "auto"
SURE_METER = 0.8   # meter confidence above which a named style in another meter is refused (offline)
# The automatic choice: the first of these that fits the player's meter (then the other styles by name).
AUTO_ORDER = ("tokpe-gallop", "trot", "tokpe-waltz", "ballad", "tokpe-flow", "nomad-gallop", "shertpe-332")

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


def style_chooser(name: str, pattern_dirs: list[Path] | None = None, strict: bool = True) -> StyleChooser:
    """Resolve a style name now (unknown names fail before any work, with StyleNotFound). The chooser, given
    the player's beat grid when the band comes in or the meter changes, returns the style to play: with
    "auto", the first of AUTO_ORDER (then the others by name) that fits the player's meter (engine/bars.py);
    a named style when it fits; when it does not, and the listener is sure of the meter (SURE_METER) and
    `strict` (offline), StyleMeterError naming the styles that fit; else the named style all the same (live
    the band must play on, and an unsure meter may be wrong)."""
    from engine.bars import Meter, fits  # noqa: PLC0415 (bars imports patterns, as this module does)

    available = list_styles(pattern_dirs)
    if name != AUTO and name not in available:
        raise StyleNotFound(f"unknown style {name!r}; available: {', '.join([AUTO, *available])}")
    loaded: dict[str, Style] = {}

    def load(n: str) -> Style:
        if n not in loaded:
            loaded[n] = load_style(n, pattern_dirs)
        return loaded[n]

    named = load(name) if name != AUTO else None
    order = [n for n in AUTO_ORDER if n in available] + [n for n in available if n not in AUTO_ORDER]

    def choose(grid: BeatGrid, strict: bool = strict) -> Style:
        meter = Meter.of(grid)
        if named is not None and fits(named, meter):
            return named
        candidates = [n for n in order if fits(load(n), meter)]
        if named is not None and strict and grid.meter_confidence >= SURE_METER:
            raise StyleMeterError(f"style {name!r} is in {named.meter}, the guitar plays {grid.meter}; styles "
                                  f"that fit: {', '.join(candidates) or 'none'} (or --style auto)")
        if named is not None:
            return named            # the meter is not sure (or live): play what the player asked for
        return load(candidates[0]) if candidates else load(order[0])

    return choose
