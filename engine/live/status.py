"""The status a live session shows: what the band heard and is playing, from the engine's last state."""

from __future__ import annotations

import math
import os

from engine.pipeline import Engine
from engine.theory import tonic_name


def rss_mb() -> float | None:
    """Resident memory of this process (Linux), in MiB; None where /proc cannot tell."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def status_of(engine: Engine | None, now: float) -> dict:
    """Key, chord, tempo, beat in the bar, section and style at `now` (s), from the frozen state of the
    engine's last tick, so another thread may call it while the engine plays."""
    state = engine.state if engine is not None else None
    if state is None:
        return {"time": round(now, 3), "key": None, "key_confidence": 0.0, "chord": "N", "bpm": None,
                "beat_confidence": 0.0, "beat_in_bar": None, "beats_per_bar": None, "playing": False,
                "section": "waiting", "style": None, "dropped": {}, "rss_mb": rss_mb()}
    scheduler, grid = engine.scheduler, state.grid
    in_bar = None if grid is None else grid.beat_in_bar(math.floor(grid.beat_at(now))) + 1
    dropped = engine.listener.dropped
    return {
        "time": round(now, 3),
        "key": f"{tonic_name(state.tonic, state.named_mode)} {state.named_mode}" if state.tonic is not None else None,
        "key_confidence": round(state.key_confidence, 2),
        "chord": engine.listener.chord_label,
        "bpm": round(state.bpm, 1) if state.bpm else None,
        "beat_confidence": round(state.beat_confidence, 2),
        "beat_in_bar": in_bar,
        "beats_per_bar": grid.beats_per_bar if grid is not None else None,
        "playing": scheduler.playing,
        "section": scheduler.section or ("waiting" if not scheduler.held else "stopped"),
        "style": scheduler.arranger.style.name if scheduler.arranger else None,
        "dropped": dict(dropped),
        "rss_mb": rss_mb(),
    }
