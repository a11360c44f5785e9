"""The WAV rendered while the band plays: a sink for an offline render that synthesises behind the engine.

The engine runs on one core, listening and arranging under a virtual clock; FluidSynth's synths render on
the other (ctypes releases the GIL while they work). Every event the engine sends at its time `now` sounds
at `now` or later (the scheduler commits notes a look-ahead window early and never into the past), so all
that sounds before `now - MARGIN` is final: the render thread plays it, block by block, while the engine
goes on. When the engine is done, `close` renders the rest and scales the WAV (engine.io.wav_render).
"""

from __future__ import annotations

import heapq
import math
import threading
from pathlib import Path

from engine.events import Event
from engine.io.sinks import Message, event_messages
from engine.io.wav_render import BLOCK, FluidRenderer, ScaledWav

MARGIN = 1.0   # s behind the engine's clock: what sounds before it is final


class WavStream:
    """A sink: renders `path` (16-bit stereo WAV, peak at -1 dBFS) from the events sent, through the synths
    of `renderer`, while `clock` (the engine's, seconds) moves on. `close` finishes it and returns the seconds
    of audio; `abort` stops it, leaving no file. `late`: messages that came for a time already rendered (none,
    by the scheduler's contract; they would sound at once). Raises SynthError or OSError from `close`."""

    def __init__(self, path: str | Path, renderer: FluidRenderer, clock, margin: float = MARGIN):
        self.path, self.clock, self.margin = Path(path), clock, margin
        self.seconds = 0.0
        self.late = 0
        self._renderer = renderer
        self._heap: list[Message] = []
        self._seq = 0
        self._safe = -math.inf        # s: what sounds before it is final
        self._wake = -math.inf        # s: `_safe` from which the render thread has a block to do
        self._done = False            # close: render everything
        self._stop = False            # abort: render nothing more
        self._error: BaseException | None = None
        self._cv = threading.Condition()
        # Waited for with an Event, not Thread.join: a join that a SIGTERM interrupts (SystemExit raised in
        # the main thread) marks the running thread as ended (CPython bpo-45274), and the synths were then
        # freed under it.
        self._finished = threading.Event()
        self._thread = threading.Thread(target=self._run, name="aqyn-wav", daemon=True)
        self._thread.start()

    def send(self, event: Event) -> None:
        """Queue the event's messages; wake the render thread when a block more is final."""
        self._seq += 1
        messages = event_messages(event, self._seq)
        safe = self.clock.now() - self.margin
        with self._cv:
            for m in messages:
                heapq.heappush(self._heap, m)
            self._safe = safe
            if safe >= self._wake:
                self._cv.notify()

    def close(self) -> None:
        """Render what is left and write the WAV. Raises SynthError or OSError."""
        with self._cv:
            self._done = True
            self._cv.notify()
        self._finished.wait()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop rendering (an error elsewhere, a SIGTERM); the scratch file is removed, no WAV is left."""
        with self._cv:
            self._stop = True
            self._cv.notify()
        self._finished.wait()

    def _run(self) -> None:
        try:
            self._render()
        finally:
            self._finished.set()

    def _render(self) -> None:
        mix = self._renderer.mix()
        try:
            with ScaledWav(self.path, mix.rate) as wav:
                while self._step(mix, wav):
                    pass
                if self._stop:
                    raise _Stopped
            self.seconds = wav.seconds
        except _Stopped:
            pass
        except BaseException as exc:  # handed to close()
            self._error = exc
        finally:
            mix.close()

    def _step(self, mix, wav: ScaledWav) -> bool:
        """Wait for a block to become final (or the end), play what is final and render it; False at the end."""
        rate = mix.rate
        with self._cv:
            self._wake = (mix.cursor + BLOCK + 1) / rate
            while not (self._done or self._stop or self._safe >= self._wake):
                self._cv.wait()
            if self._stop:
                return False
            done, upto = self._done, math.inf if self._done else self._safe
            ready = []
            while self._heap and self._heap[0][0] < upto:
                ready.append(heapq.heappop(self._heap))
        if ready and ready[0][0] * rate < mix.cursor - 0.5:
            self.late += sum(m[0] * rate < mix.cursor - 0.5 for m in ready)
        mix.play(ready)
        target = mix.frames() if done else mix.cursor + (int(upto * rate) - 1 - mix.cursor) // BLOCK * BLOCK
        for block in mix.blocks(target):
            wav.add(block)
            if self._stop:
                return False
        return not done


class _Stopped(Exception):
    """`abort` was called: leave without a WAV."""
