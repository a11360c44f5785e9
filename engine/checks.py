"""Checks of values read from configuration files (style files, footswitch maps, cue files), shared by all.

TOML keeps types, but Python's `bool` is an `int`: `cc = true` would pass an `isinstance(v, int)` test. These
helpers say what a value is, and word the "unknown key" and "unknown name" messages the same way everywhere,
with a "did you mean" for a near miss (`chanel` -> `channel`).

>>> is_number(3), is_number(0.5), is_number(True), is_number("3")
(True, True, False, False)
>>> unknown_key("chanel", ("channel", "styles"))
"unknown key 'chanel' (did you mean 'channel'?); expected one of channel, styles"
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable


def is_number(v: object) -> bool:
    """True for a TOML integer or finite float (a boolean is neither, though Python's bool is an int; nan and
    inf are no number of anything: `cc = nan` raised ValueError, found by the fuzz run)."""
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def is_whole(v: object) -> bool:
    """True for a TOML integer, or a float with no fraction (`4.0`); never a boolean, NaN or infinity."""
    return is_number(v) and math.isfinite(v) and v == int(v)


def near_miss(name: str, known: Iterable[str]) -> str | None:
    """The known name closest to `name` (a typing slip: `chanel`, `kepshk_dum`), or None when none is close
    or `name` is itself known."""
    known = list(known)
    if name in known:
        return None
    found = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return found[0] if found else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for a near miss of `name` among `known`, else ""."""
    close = near_miss(name, known)
    return f" (did you mean {close!r}?)" if close else ""


def unknown_key(key: str, known: Iterable[str], where: str = "") -> str:
    """The message for a key not among `known`: "unknown key 'k' {where} (did you mean ...?); expected one
    of ...". `where` ("in [variation]", "at the top level") may be empty."""
    known = list(known)
    place = f" {where}" if where else ""
    return f"unknown key {key!r}{place}{did_you_mean(key, known)}; expected one of {', '.join(known)}"


def shown(v: object, width: int = 40) -> str:
    """`repr(v)` cut to `width` characters (with "...") so that a message stays one short line."""
    r = repr(v)
    return r if len(r) <= width else r[:width - 3] + "..."
