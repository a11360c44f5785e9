"""In-process watching for the bench scripts: an engine method replaced by a recording one for a block."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def patched(owner: type, name: str, replacement: Callable) -> Iterator[None]:
    """For the with-block, `owner`.`name` is `replacement` (a function that records what a bench script wants to
    see and calls the method it replaces, read before the block); the original is put back after it, whatever
    happens in the block."""
    original = getattr(owner, name)
    setattr(owner, name, replacement)
    try:
        yield
    finally:
        setattr(owner, name, original)
