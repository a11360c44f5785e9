"""Batches: many guitar files rendered at once, in parallel over the machine's cores.

Each file is one `engine.render.render`, exactly as a single render (same bytes), in a process of a pool
(`concurrent.futures.ProcessPoolExecutor`): a render is one engine thread and two synth threads, and the GIL
lets one process use little more than one core. A file that fails is reported and the others go on.

Stopping: a worker ignores Ctrl-C (SIGINT reaches the whole process group) and takes SIGTERM as SystemExit,
so its render's clean-up runs (temporary outputs removed, engine/io/outputs.py) before it leaves; on Ctrl-C
or SIGTERM the batch cancels what has not started and sends SIGTERM to every worker, then waits for them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import EngineError, OutputPathError
from engine.io import outputs

STOP_WAIT = 30.0     # s to wait for the workers to clean up after a stop


@dataclass(frozen=True)
class Job:
    """One file of a batch: the input, its MIDI output, its WAV (None: none) and its stems' folder (None:
    none); `options`: the other keyword arguments of `engine.render.render` (style, seed, levels, ...)."""

    input: Path
    midi: Path
    wav: Path | None = None
    stems: Path | None = None
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """How one file went: `ok`, and the report (what was heard and made) or the one-line reason it failed;
    `code` 0, 2 (bad input: an EngineError) or 1 (anything else); `warnings`: the render's own warning lines (a
    named style in another meter, events left out, cues not taken), as a render of the file alone prints them."""

    job: Job
    ok: bool
    message: str
    code: int = 0
    outputs: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()


def plan(inputs: list[Path], out_dir: Path, wav_dir: Path | None = None, stems_dir: Path | None = None,
         options: dict | None = None) -> list[Job]:
    """The jobs for `inputs`: out_dir/NAME.mid, wav_dir/NAME.wav (with a WAV folder) and stems in
    stems_dir/NAME/ (with a stems folder), NAME the input's name without its suffix; the folders are made
    when missing (their parents must exist). Raises OutputPathError when a folder is a file or cannot be made,
    or when two inputs have one NAME (the second would overwrite the first's outputs)."""
    seen: dict[str, Path] = {}
    for p in inputs:
        if p.stem in seen:
            raise OutputPathError(f"{seen[p.stem]} and {p} would both write {out_dir / (p.stem + '.mid')}; "
                                  "render them into different folders")
        seen[p.stem] = p
    for flag, folder in (("-o", out_dir), ("--wav", wav_dir), ("--stems", stems_dir)):
        if folder is not None:
            _folder(flag, folder)
    return [Job(p, out_dir / f"{p.stem}.mid", wav_dir / f"{p.stem}.wav" if wav_dir else None,
                stems_dir / p.stem if stems_dir else None, dict(options or {})) for p in inputs]


FILE_SUFFIXES = (".mid", ".midi", ".smf", ".kar", ".wav")   # a new "folder" so named was meant as one file


def _folder(flag: str, folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise OutputPathError(f"{flag} {folder} is a file; with several inputs {flag} names a folder")
    if not folder.exists() and folder.suffix.lower() in FILE_SUFFIXES:
        raise OutputPathError(f"{flag} {folder} names a file, but with several inputs {flag} names a folder "
                              "(NAME.mid and NAME.wav go into it); give a folder, or one input")
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputPathError(f"cannot make the folder {folder} for {flag}: {exc.strerror}; create it first") from None


def render_one(job: Job) -> Outcome:
    """Render one job (in a worker, or here): its outcome, never an exception but a stop (SystemExit from
    SIGTERM, KeyboardInterrupt); in a worker, a stop ends the process once the render has cleaned up."""
    from engine.io.take import take_cues  # noqa: PLC0415 (the worker imports the engine once, here)
    from engine.render import render  # noqa: PLC0415

    try:
        options = job.options
        if options.get("cues") is None:       # no --cues: a take's own (aqyn live --record), else none
            options = {**options, "cues": take_cues(job.input, options.get("pattern_dirs"))}
        r = render(job.input, job.midi, job.wav, stems_dir=job.stems, **options)
    except SystemExit as stop:
        if multiprocessing.parent_process() is None:
            raise
        # A worker told to stop, its render cleaned up: leave now, before the pool hands it the next file.
        os._exit(stop.code if isinstance(stop.code, int) else 1)
    except EngineError as exc:
        return Outcome(job, False, str(exc), 2)
    except Exception as exc:  # noqa: BLE001 (a bug in one file's render must not stop the batch)
        return Outcome(job, False, f"{type(exc).__name__}: {exc}", 1)
    outputs = tuple(p for p in (job.midi, job.wav, job.stems) if p is not None)
    return Outcome(job, True, f"{r.heard()}, {r.band_notes} band notes", 0, outputs, tuple(r.warnings))


def _worker_signals() -> None:
    """In each worker: Ctrl-C is the batch's to handle; SIGTERM ends the render with its clean-up, which no
    later SIGTERM cuts short. One comes: when a stopped worker exits, the pool takes itself for broken and
    terminates the workers still cleaning up (concurrent.futures.process, terminate_broken), and a render
    cut short while it waited for its WAV thread left that thread's scratch file (8 runs of 10 stopped
    3 s into `render examples/*.mid --wav DIR -j 2`)."""
    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        outputs.stop(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, stop)


def run(jobs: list[Job], workers: int, on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Render `jobs` over `workers` processes (1: here, one after another); `on_done(outcome)` as each ends.
    Returns the outcomes in the order of `jobs`. A KeyboardInterrupt or SystemExit (Ctrl-C, SIGTERM) while
    waiting stops the workers (each removes its temporary files) and is raised again."""
    on_done = on_done or (lambda outcome: None)
    if workers <= 1:
        outcomes = []
        for job in jobs:
            outcomes.append(render_one(job))
            on_done(outcomes[-1])
        return outcomes
    # A fork server (not a fork of this process and its threads) that has the engine imported already:
    # every worker starts from it at once.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["engine.render", "engine.io.wav_render", "engine.io.wav_stream"])
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_signals)
    done: dict[Future, int] = {}
    try:
        pending = {pool.submit(render_one, job): i for i, job in enumerate(jobs)}
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for f in finished:
                i = done[f] = pending.pop(f)
                on_done(_outcome(f, jobs[i]))
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return [_outcome(f, jobs[i]) for f, i in sorted(done.items(), key=lambda fi: fi[1])]


def _outcome(future: Future, job: Job) -> Outcome:
    """The future's outcome; a worker that died (a crash in the C library, a kill) fails its file."""
    exc = future.exception()
    if exc is not None:
        return Outcome(job, False, f"the render's process died ({type(exc).__name__}: {exc})", 1)
    return future.result()


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started, SIGTERM every worker and wait for them to have cleaned up."""
    pool.shutdown(wait=False, cancel_futures=True)
    children = multiprocessing.active_children()
    for child in children:
        if child.pid is not None and child.pid != os.getpid():
            child.terminate()
    for child in children:
        child.join(STOP_WAIT)
        if child.is_alive():          # its clean-up hung: the batch is stopping all the same
            child.kill()
