"""A crash in C code during live play leaves a report: the Python stack of every thread on the real stderr, also
with --quiet (whose silenced descriptor 2 swallows what the C libraries print)."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

CRASH = """
import ctypes, sys, threading
from engine.io.native_stderr import crash_reported, native_stderr_silenced

def engine_thread_step():
    ctypes.string_at(0)          # a segmentation fault, as in a C library

with native_stderr_silenced(), crash_reported():
    print("aqyn: live", file=sys.stderr)
    t = threading.Thread(target=engine_thread_step, name="aqyn-engine")
    t.start(); t.join()
"""


def test_a_segfault_under_quiet_live_play_prints_every_threads_stack():
    r = subprocess.run([sys.executable, "-c", CRASH], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == -11
    assert r.stderr.startswith("aqyn: live\n")
    assert "Segmentation fault" in r.stderr and "engine_thread_step" in r.stderr, r.stderr


def test_without_it_the_crash_is_silent_under_quiet():
    # The report is crash_reported's doing, not Python's default: without it --quiet leaves nothing.
    r = subprocess.run([sys.executable, "-c", CRASH.replace(", crash_reported()", "")], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == -11 and r.stderr == "aqyn: live\n", r.stderr
