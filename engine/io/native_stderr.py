"""Keep the C libraries' chatter off the terminal for a whole session, while aqyn's own lines still show.

libjack writes straight to file descriptor 2 from its own threads at any time ("Cannot read socket fd",
"JackSocketClientChannel read fail" when a server goes away; "Cannot connect to server socket" at each
attempt to reach it), and so do FluidSynth's drivers. `engine.io.ports.quiet_stderr` silences a single call;
`native_stderr_silenced` silences descriptor 2 for everything inside it and points Python's `sys.stderr` at a
copy of the real one, so aqyn's error lines (and a traceback, should one happen) still reach the user.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """While inside: descriptor 2 goes to /dev/null, `sys.stderr` writes to the real stderr (line-buffered).
    Both are put back on the way out. Does nothing when stderr has no descriptor (e.g. under a test runner
    that captures it as text)."""
    try:
        sys.stderr.flush()
        real = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    before = sys.stderr
    ours = os.fdopen(os.dup(real), "w", buffering=1, encoding=getattr(before, "encoding", None) or "utf-8",
                     errors="backslashreplace")
    sys.stderr = ours
    try:
        yield
    finally:
        ours.flush()
        sys.stderr = before
        ours.close()
        os.dup2(real, 2)
        os.close(real)
