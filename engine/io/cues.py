"""A cue file: a timeline of footswitch actions for `aqyn render --cues`, so a render can replay a gig.

    # cues.toml: times are seconds of the input file
    [[cue]]
    time = 12.5
    action = "fill"

    [[cue]]
    time = 30.0
    action = "style"
    style = "trot"

    [[cue]]
    time = 45.0
    action = "level"
    part = "dombra"
    step = -3                # dB, as a footswitch's "level dombra -3"

Actions are the footswitch map's: fill, next, ending, start, stop, start_stop, tap_tempo, lock, style (with
`style = NAME`) and level (with `part` and `step`). Every fault is one `ConfigError` naming file:line:col and
what was expected.
"""

from __future__ import annotations

import math
from pathlib import Path

from engine.arrange.styles import load_style, name_problem
from engine.arrange.tomlpos import read_toml
from engine.checks import is_number, unknown_key
from engine.errors import EngineError
from engine.inputs import FILE_CUES, Cue, CueInput
from engine.live.controls import parse_action

KNOWN = ("time", "action", "style", "part", "step")


def load_cues(path: Path, pattern_dirs: list[Path] | None = None) -> list[CueInput]:
    """The cues of the file at `path`, in time order. Raises ConfigError (file:line:col and what is wrong)."""
    data, bad = read_toml(Path(path), "cue file")
    for k in data:
        if k != "cue":
            raise bad((k,), f"unknown key {k!r}; a cue file holds [[cue]] tables only")
    raw = data.get("cue", [])
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        raise bad(("cue",), "cue must be an array of tables: [[cue]] with time and action")
    return sorted((_cue(c, i, bad, pattern_dirs) for i, c in enumerate(raw)), key=lambda c: c.time)


def _cue(c: dict, i: int, bad, pattern_dirs: list[Path] | None) -> CueInput:
    at = ("cue", i)
    for k in c:
        if k not in KNOWN:
            raise bad(at + (k,), unknown_key(k, KNOWN, f"in cue {i + 1}"))
    t = c.get("time")
    if not is_number(t) or not math.isfinite(t) or not 0 <= t <= 86400:
        raise bad(at + ("time",) if "time" in c else at,
                  f"cue {i + 1} needs time = seconds of the input file (0..86400), got {t!r}")
    action = c.get("action")
    if action not in FILE_CUES + (Cue.LEVEL,):
        raise bad(at + ("action",) if "action" in c else at,
                  f"cue {i + 1}: action must be one of {', '.join(FILE_CUES)}, level, got {action!r}")
    cue = Cue(action)
    if (cue is Cue.LEVEL) != ("part" in c or "step" in c):
        raise bad(at + ("action",), f"cue {i + 1}: part = NAME and step = dB go with action = \"level\" "
                  "and only with it")
    if cue is Cue.LEVEL:
        return CueInput(float(t), cue, level=_level(c, i, bad))
    style = c.get("style")
    if (cue is Cue.STYLE) != (style is not None):
        raise bad(at + ("style",) if style is not None else at + ("action",),
                  f"cue {i + 1}: style = NAME goes with action = \"style\" and only with it")
    if style is None:
        return CueInput(float(t), cue)
    if (problem := name_problem(style)) is not None:
        raise bad(at + ("style",), f"cue {i + 1}: {problem}")
    try:
        return CueInput(float(t), cue, load_style(style, pattern_dirs))
    except EngineError as exc:
        raise bad(at + ("style",), f"cue {i + 1}: {exc}") from None


def _level(c: dict, i: int, bad) -> tuple[str, float]:
    """A level cue's (part, step in dB), checked as a footswitch's `level PART +N` action."""
    part, step = c.get("part"), c.get("step")
    if not isinstance(part, str) or not is_number(step):
        raise bad(("cue", i), f"cue {i + 1}: a level cue needs part = \"dombra\" or \"percussion\" and "
                  f"step = dB (e.g. -3), got part = {part!r}, step = {step!r}")
    try:
        action = parse_action(f"level {part} {step:+g}")
    except ValueError as exc:
        raise bad(("cue", i, "part"), f"cue {i + 1}: {exc}") from None
    return action.part, action.delta
