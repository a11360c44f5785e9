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
import time
from collections import deque
from pathlib import Path

from engine.events import Event
from engine.io.sinks import Message, event_messages
from engine.io.wav_render import BLOCK, FluidRenderer, ScaledWav

MARGIN = 1.0   # s behind the engine's clock: what sounds before it is final
POLL = 0.002   # s between looks at the inbox (a 3 s block takes ~0.1 s to render)
STARTING = 2.0  # s an abort waits for a render thread that has not begun to run


class WavStream:
    """A sink: renders `path` (16-bit stereo WAV, peak at -1 dBFS; None: no mix written) from the events sent,
    through the synths of `renderer`, while `clock` (the engine's, seconds) moves on; with `stems` ({part:
    path}, the parts the renderer renders apart) each part's WAV too, scaled as the mix. `close` finishes it
    and sets `seconds`, the audio's length; `abort` stops it, leaving no file. A message for a time already
    rendered would sound at once (none comes, by the scheduler's contract). Raises SynthError or OSError from
    `close`."""

    def __init__(self, path: str | Path | None, renderer: FluidRenderer, clock, margin: float = MARGIN,
                 stems: dict[str, Path] | None = None):
        self.path, self.clock, self.margin = None if path is None else Path(path), clock, margin
        self.stems = stems
        self.seconds = 0.0
        self._renderer = renderer
        # The main thread (the engine) and the render thread share no lock: a SIGTERM raises SystemExit in the
        # main thread at any point, also between taking a lock and the `with` that would give it back, and a
        # lock left held (or a Thread.join cut short, CPython bpo-45274) hung or crashed the render. The main
        # thread only appends to a deque and sets plain attributes; the render thread polls them.
        self._inbox: deque[Message] = deque()
        self._seq = 0
        self._safe = -math.inf        # s: what sounds before it is final (set by the main thread)
        self._done = False            # close: render everything
        self._stop = False            # abort: render nothing more
        self._error: BaseException | None = None
        self._running = False         # set by the render thread as its very first step ...
        self._finished = False        # ... and this as its very last
        self._thread = threading.Thread(target=self._run, name="aqyn-wav", daemon=True)

    def start(self) -> None:
        """Start rendering. Apart from making the stream, so that a SIGTERM landing as the thread starts finds
        the stream already held by the caller, whose `abort` then removes the scratch files the thread makes."""
        self._thread.start()

    def send(self, event: Event) -> None:
        """Queue the event's messages for the render thread."""
        self._seq += 1
        self._inbox.extend(event_messages(event, self._seq))
        self._safe = self.clock.now() - self.margin

    def close(self) -> None:
        """Render what is left and write the WAV. Raises SynthError or OSError."""
        self._done = True
        self._wait()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        """Stop rendering (an error elsewhere, a SIGTERM); the scratch file is removed, no WAV is left."""
        self._stop = True
        self._wait(STARTING)

    def _wait(self, starting: float = math.inf) -> None:
        """Until the render thread has finished; or, when it has not begun to run within `starting` seconds (a
        stop cut `start` short before the thread was made), not at all."""
        waited = 0.0
        while not self._finished and (self._running or waited < starting):
            time.sleep(POLL)
            waited += POLL

    def _run(self) -> None:
        self._running = True
        try:
            self._render()
        finally:
            self._finished = True

    def _render(self) -> None:
        self._heap: list[Message] = []     # the render thread's own, in time order
        try:
            mix = self._renderer.mix()
        except BaseException as exc:  # handed to close()
            self._error = exc
            return
        try:
            with ScaledWav(self.path, mix.rate, self.stems) as wav:
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
        wake = (mix.cursor + BLOCK + 1) / rate
        while True:
            # Read before draining: a send fills the inbox before it sets `_safe` (and close sets `_done` after
            # the last send), so whatever was sent before these values were set is drained now.
            done, stop, safe = self._done, self._stop, self._safe
            while self._inbox:
                heapq.heappush(self._heap, self._inbox.popleft())
            if stop:
                return False
            upto = math.inf if done else safe
            if done or upto >= wake:
                break
            time.sleep(POLL)
        ready = []
        while self._heap and self._heap[0][0] < upto:
            ready.append(heapq.heappop(self._heap))
        mix.play(ready)
        target = mix.frames() if done else mix.cursor + (int(upto * rate) - 1 - mix.cursor) // BLOCK * BLOCK
        for block, stems in mix.blocks(target):
            wav.add(block, stems)
            if self._stop:
                return False
        return not done


class _Stopped(Exception):
    """`abort` was called: leave without a WAV."""
