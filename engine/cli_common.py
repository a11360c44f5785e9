"""What every `aqyn` command shares: one way to fail."""

from __future__ import annotations

import typer


def fail(message: str, code: int = 2) -> None:
    """Print `aqyn: error: message` on stderr (one line) and exit with `code` (2: bad input, 1: runtime)."""
    typer.echo(f"aqyn: error: {message}", err=True)
    raise typer.Exit(code)
