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
from engine.errors import StyleNotFound
from engine.state import BeatGrid

PATTERN_DIR = Path(__file__).resolve().parents[2] / "patterns"
ENV_DIRS = "AQYN_PATTERNS"
AUTO = "auto"
AUTO_STYLES = {False: "tokpe-gallop", True: "trot"}   # by the guitar's feel: simple or compound time

StyleChooser = Callable[[BeatGrid], Style]   # the guitar's beat and meter -> the style to play


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


def style_chooser(name: str, pattern_dirs: list[Path] | None = None) -> StyleChooser:
    """Resolve a style name now (unknown names fail before any work, with StyleNotFound); 'auto' picks by the
    guitar's feel when the band comes in: tökpe gallop in simple time, trot in compound time."""
    if name == AUTO:
        styles = {compound: load_style(n, pattern_dirs) for compound, n in AUTO_STYLES.items()}
        return lambda grid: styles[grid.compound]
    available = list_styles(pattern_dirs)
    if name not in available:
        raise StyleNotFound(f"unknown style {name!r}; available: {', '.join([AUTO, *available])}")
    style = load_style(name, pattern_dirs)
    return lambda grid: style
