"""A cue file: a timeline of footswitch actions for `aqyn render --cues`, so a render can replay a gig.

    # cues.toml: times are seconds of the input file
    [[cue]]
    time = 12.5
    action = "fill"

    [[cue]]
    time = 30.0
    action = "style"
    style = "trot"

Actions are the footswitch map's: fill, next, ending, start, stop, start_stop, tap_tempo, lock, and style
(with `style = NAME`). Every fault is one `ConfigError` naming file:line:col and what was expected.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path

from engine.arrange.styles import load_style
from engine.arrange.tomlpos import positions
from engine.errors import ConfigError, EngineError
from engine.inputs import FILE_CUES, Cue, CueInput

MAX_BYTES = 1 << 20   # a cue file is small; refuse anything bigger (a device, a wrong file) before reading it
KNOWN = ("time", "action", "style")


def load_cues(path: Path, pattern_dirs: list[Path] | None = None) -> list[CueInput]:
    """The cues of the file at `path`, in time order. Raises ConfigError (file:line:col and what is wrong)."""
    text = _read(Path(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        where = f"{m.group(1)}:{m.group(2)}" if m else "1:1"
        reason = re.sub(r"\s*\(at [^)]*\)", "", str(exc))
        raise ConfigError(f"{path}:{where}: TOML syntax error: {reason}") from None
    pos = positions(text)

    def bad(key: tuple, what: str) -> ConfigError:
        w = pos.get(key)
        return ConfigError(f"{path}:{w.line if w else 1}:{w.value_col if w else 1}: {what}")

    for k in data:
        if k != "cue":
            raise bad((k,), f"unknown key {k!r}; a cue file holds [[cue]] tables only")
    raw = data.get("cue", [])
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise bad(("cue",), "cue must be an array of tables: [[cue]] with time and action")
    return sorted((_cue(c, i, bad, pattern_dirs) for i, c in enumerate(raw)), key=lambda c: c.time)


def _read(path: Path) -> str:
    if not path.is_file():
        raise ConfigError(f"{path}:1:1: cue file not found or not a regular file; give a .toml file")
    if path.stat().st_size > MAX_BYTES:
        raise ConfigError(f"{path}:1:1: cue file is larger than {MAX_BYTES // 1024} KiB; is it the right file?")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}:1:1: not UTF-8 text; save the cue file as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}:1:1: cannot read cue file ({exc.strerror or exc})") from None


def _cue(c: dict, i: int, bad, pattern_dirs: list[Path] | None) -> CueInput:
    at = ("cue", i)
    for k in c:
        if k not in KNOWN:
            raise bad(at + (k,), f"unknown key {k!r} in cue {i + 1}; expected one of {', '.join(KNOWN)}")
    t = c.get("time")
    if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or not 0 <= t <= 86400:
        raise bad(at + ("time",) if "time" in c else at,
                  f"cue {i + 1} needs time = seconds of the input file (0..86400), got {t!r}")
    action = c.get("action")
    if action not in FILE_CUES:
        raise bad(at + ("action",) if "action" in c else at,
                  f"cue {i + 1}: action must be one of {', '.join(FILE_CUES)}, got {action!r}")
    cue = Cue(action)
    style = c.get("style")
    if (cue is Cue.STYLE) != (style is not None):
        raise bad(at + ("style",) if style is not None else at + ("action",),
                  f"cue {i + 1}: style = NAME goes with action = \"style\" and only with it")
    if style is None:
        return CueInput(float(t), cue)
    if not isinstance(style, str):
        raise bad(at + ("style",), f"cue {i + 1}: style must be a style name, got {style!r}")
    try:
        return CueInput(float(t), cue, load_style(style, pattern_dirs))
    except EngineError as exc:
        raise bad(at + ("style",), f"cue {i + 1}: {exc}") from None
