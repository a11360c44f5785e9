"""Import pyfluidsynth once, quietly, with one clear error when the C library is missing.

pyfluidsynth 1.4.0 (fluidsynth.py, `find_libfluidsynth`) prints "'fluidsynth' was found at ..." on stdout at
import whenever the environment variable CI is set. aqyn's stdout carries its results (`analyze --json`, the
`render` and `play` report lines a script reads), so the import runs with Python's stdout pointed elsewhere.
"""

from __future__ import annotations

import contextlib
import io
from types import ModuleType

from engine.errors import SynthError


def import_fluidsynth() -> ModuleType:
    """Return the `fluidsynth` module (pyfluidsynth), importing it with its import-time prints discarded.

    Raises:
        SynthError: the package or libfluidsynth is missing; the message says how to install it.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import fluidsynth  # noqa: PLC0415 (imported late: only playing and rendering need the C library)
    except (ImportError, OSError) as exc:
        raise SynthError(f"FluidSynth library not available ({exc}); "
                         "install it with: sudo apt-get install libfluidsynth3") from None
    return fluidsynth
