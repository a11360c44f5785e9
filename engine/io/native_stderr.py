"""Keep the C libraries' chatter off the terminal for a whole session, while aqyn's own lines still show.

libjack writes straight to file descriptor 2 from its own threads at any time ("Cannot read socket fd",
"JackSocketClientChannel read fail" when a server goes away; "Cannot connect to server socket" at each
attempt to reach it), and so do FluidSynth's drivers. `quiet_stderr` silences a single call;
`native_stderr_silenced` silences descriptor 2 for everything inside it and points Python's `sys.stderr` at a
copy of the real one, so aqyn's error lines (and a traceback, should one happen) still reach the user.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def quiet_stderr() -> Iterator[int | None]:
    """Silence descriptor 2 (the C libraries' stderr: ALSA and JACK print on a failed connect) for the duration;
    yields a duplicate of what it was (None, and nothing silenced, when stderr has no descriptor, e.g. under
    a test runner that captures it as text). Put back on the way out."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield None
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield saved
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """While inside: descriptor 2 goes to /dev/null, `sys.stderr` writes to the real stderr (line-buffered).
    Both are put back on the way out. Does nothing when stderr has no descriptor."""
    with quiet_stderr() as real:
        if real is None:
            yield
            return
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


@contextmanager
def crash_reported() -> Iterator[None]:
    """While inside, a fatal signal in C code (a segmentation fault in libjack, FluidSynth or rtmidi) prints the
    Python stack of every thread to `sys.stderr` (the real stderr, also under `native_stderr_silenced`) before
    the process dies, so a crash on stage leaves a report to send rather than nothing (Python's faulthandler).
    On the way out it stays on, moved to the process's own stderr: a crash while the process ends (its
    libraries' clean-up) is reported too."""
    import faulthandler  # noqa: PLC0415

    def report_to(stream) -> None:
        try:
            faulthandler.enable(file=stream, all_threads=True)
        except (AttributeError, OSError, ValueError, RuntimeError):   # no descriptor (a test runner's capture)
            pass

    report_to(sys.stderr)
    try:
        yield
    finally:
        report_to(sys.__stderr__)
