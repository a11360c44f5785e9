"""Writing outputs safely: checks before any work, and all-or-nothing file replacement.

Outputs are written to temporary files beside their targets and renamed only when everything succeeded, so a
failure never leaves a half-written file and never loses the file that was there before. Only regular files
are written (never through a device, a FIFO or a link), each output to its own path, with the permissions a
new file gets under the umask, or those of the file it replaces.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from engine.errors import OutputPathError


def check_output(path: Path, what: str) -> None:
    """Fail early, before any work, when `path` cannot be written as a regular file: a folder, a device, a
    FIFO or a symbolic link (replacing it would replace the node, not write through it), a read-only file, a
    missing or read-only folder. `what` names the output ("MIDI", "WAV") in the message. Raises
    OutputPathError."""
    if path.is_dir():
        raise OutputPathError(f"{what} output {path} is a directory; give a file name")
    if path.is_symlink():
        raise OutputPathError(f"{what} output {path} is a symbolic link; give the file's own path or a new name")
    if path.exists() and not path.is_file():
        raise OutputPathError(f"{what} output {path} is not a regular file (a device or a FIFO); give a file name")
    if path.is_file() and not path.stat().st_mode & 0o222:
        raise OutputPathError(f"{what} output {path} is read-only; make it writable or choose another name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputPathError(f"cannot write {what} output {path}: folder {parent} does not exist; create it first")
    if not os.access(parent, os.W_OK):
        raise OutputPathError(f"cannot write {what} output {path}: folder {parent} is not writable; "
                              "choose another place")


SUFFIX_KINDS = {".mid": "MIDI", ".midi": "MIDI", ".smf": "MIDI", ".wav": "WAV", ".wave": "WAV", ".png": "picture"}
_SUFFIX = {"MIDI": ".mid", "WAV": ".wav", "picture": ".png"}
_DATA = {"MIDI": "MIDI data", "WAV": "audio", "picture": "a picture"}
_WRITER = {"MIDI": "-o", "WAV": "--wav", "picture": "--plot"}


def check_kind(path: Path, what: str, option: str) -> None:
    """Raise OutputPathError when `path`'s suffix names another kind of file (SUFFIX_KINDS) than the `what`
    ("MIDI", "WAV", "picture") its `option` writes: `-o song.wav` wrote MIDI data under a WAV's name, which a
    player or a DAW then refuses (review25, a new user's first try). A suffix not listed, or none, is taken as
    given."""
    named = SUFFIX_KINDS.get(path.suffix.lower())
    if named is None or named == what:
        return
    raise OutputPathError(f"{option} {path} would write {_DATA[what]} under a {named} file's name; give {option} a "
                          f"{_SUFFIX[what]} name ({option} {path.with_suffix(_SUFFIX[what])}), and "
                          f"{_WRITER[named]} {path} for the {named}")


def check_distinct(paths: list[Path], names: list[str]) -> None:
    """Raise OutputPathError when two outputs (their option `names`, e.g. "-o", "--wav") are one file: the
    second would overwrite the first."""
    seen: dict[Path, str] = {}
    for p, name in zip(paths, names):
        key = p.resolve()
        if key in seen:
            raise OutputPathError(f"{seen[key]} and {name} name the same file {p}; give each its own name")
        seen[key] = name


def _mode_for(path: Path) -> int:
    """The permission bits a new output at `path` gets: an existing file's own, else 0o666 less the umask (as
    any program creating a file)."""
    if path.is_file():
        return path.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_holding = 0                        # `stops_held` blocks running (nested)
_pending: int | None = None         # the exit status of a stop asked for inside one


@contextmanager
def stops_held() -> Iterator[None]:
    """A stop asked for inside (`stop`, from a SIGTERM handler) is raised as SystemExit on leaving the
    outermost block: between making a temporary file and recording its name, or while outputs are renamed
    into place, a SystemExit would leave a stray file or lose the one replaced (a stopped batch left its
    `.NAME.mid.*.tmp` in about 1 run of 7)."""
    global _holding, _pending
    _holding += 1
    try:
        yield
    finally:
        _holding -= 1
        if _holding == 0 and _pending is not None:
            code, _pending = _pending, None
            raise SystemExit(code)


def stop(code: int) -> None:
    """For a signal handler: raise SystemExit(code) now, or at the end of the `stops_held` block running."""
    global _pending
    if _holding:
        _pending = code
        return
    raise SystemExit(code)


def _temp_beside(path: Path, tag: str) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=tag)
    os.close(fd)
    return Path(tmp)


@contextmanager
def atomic_outputs(paths: list[Path]) -> Iterator[list[Path]]:
    """Yield temporary paths beside `paths`; move them into place only if the block succeeds.

    All or nothing: files that already existed are set aside first and put back if any move fails.
    """
    temps: list[Path] = []
    backups: list[tuple[Path, Path]] = []
    placed: list[Path] = []
    try:
        for p in paths:
            with stops_held():
                temps.append(_temp_beside(p, ".tmp"))
        yield temps
        with stops_held():
            for tmp, p in zip(temps, paths):
                os.chmod(tmp, _mode_for(p))     # mkstemp made it 0600
                if p.is_file():
                    backup = _temp_beside(p, ".old")
                    os.replace(p, backup)
                    backups.append((backup, p))
                os.replace(tmp, p)
                placed.append(p)
    except OSError as exc:
        for p in placed:
            p.unlink(missing_ok=True)
        for backup, p in backups:
            os.replace(backup, p)
        backups.clear()
        raise OutputPathError(f"cannot write output: {exc}") from None
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        for backup, _ in backups:
            backup.unlink(missing_ok=True)


def replace_file(path: Path, data: bytes) -> None:
    """Put `data` at `path` all at once: written to a temporary file beside it, synced to the disk and renamed
    over it, so a reader (or a crash) sees the old file or the new one, never a half-written one. Raises
    OutputPathError when it cannot be written."""
    tmp = None
    try:
        with stops_held():
            tmp = _temp_beside(path, ".tmp")
        with open(tmp, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputPathError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
