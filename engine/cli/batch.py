"""`aqyn render` with several inputs: a batch into folders, a progress bar, one status line a file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from engine.cli.common import fail
from engine.errors import EngineError


def default_jobs() -> int:
    """Processes for a batch by default: the cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:            # not on Linux
        return os.cpu_count() or 1


def render_batch(inputs: list[Path], output: Path, wav: Optional[Path], stems: Optional[Path], jobs: int,
                 options: dict) -> None:
    """Render every input into the folders `output` (MIDI), `wav` and `stems` over `jobs` processes, with a
    progress bar (on a terminal) and a line per file, then its warnings (stderr); exits 2 (every failure a bad
    input) or 1 naming the files that failed, after all the others are written. `options`: keyword arguments for
    engine.render.render."""
    from rich.console import Console  # noqa: PLC0415 (rich comes with typer; loaded only for batches)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    from engine import batch  # noqa: PLC0415

    try:
        planned = batch.plan(inputs, output, wav, stems, options)
    except EngineError as exc:
        fail(str(exc))
    console = Console(stderr=True)
    bar = Progress(TextColumn("rendering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True, disable=not console.is_terminal)

    def report(outcome: batch.Outcome) -> None:
        bar.advance(task)
        if outcome.ok:
            made = ", ".join(str(p) + ("/" if p == outcome.job.stems else "") for p in outcome.outputs)
            typer.echo(f"ok      {outcome.job.input} -> {made}: {outcome.message}")
            for warning in outcome.warnings:     # (review34: a batch said none, a render of the file alone did)
                typer.echo(f"aqyn: warning: {outcome.job.input}: {warning}", err=True)
        else:
            typer.echo(f"failed  {outcome.job.input}: {outcome.message}")

    with bar:
        task = bar.add_task("render", total=len(planned))
        outcomes = batch.run(planned, min(jobs, len(planned)), report)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        names = ", ".join(str(o.job.input) for o in failed)
        fail(f"{len(failed)} of {len(outcomes)} files failed: {names}", 2 if all(o.code == 2 for o in failed) else 1)
    typer.echo(f"rendered {len(outcomes)} files into {output}")
