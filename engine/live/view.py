"""What the performer sees: a live terminal panel (rich), plain lines when not on a terminal, JSON lines to a log.

The panel is read at a glance from a music stand: big fields first (key, chord, tempo, the beat in the bar),
then the band (style, section), then health (confidences, input rate, late events, dropped notes).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from enum import Enum
from pathlib import Path
from typing import IO


def beat_dots(beat: int | None, per_bar: int) -> str:
    """'● ○ ○ ○' with the current beat filled."""
    if beat is None:
        return "○ " * per_bar
    return " ".join("●" if i + 1 == beat else "○" for i in range(per_bar))


def event_line(kind: str, data: dict) -> str:
    """An event as the performer reads it: 'control: action ending', 'input lost: port GR-55, jack_server ok'
    (fields with a value, enums by their value), not a Python dict with an enum's repr in it."""
    fields = [f"{k} {v.value if isinstance(v, Enum) else v}" for k, v in data.items() if v is not None]
    return f"{kind}: {', '.join(fields)}" if fields else kind


class RichView:
    """The live panel on a terminal (rich): key, chord, tempo, beat dots, the band, input health."""

    def __init__(self, describe: dict):
        from rich.console import Console  # noqa: PLC0415 (rich comes with typer)
        from rich.live import Live  # noqa: PLC0415

        self.console = Console()
        self.describe = describe
        self.live = Live(self._render({}), console=self.console, refresh_per_second=8, transient=False)
        self.live.start()

    def _render(self, s: dict):
        from rich.panel import Panel  # noqa: PLC0415
        from rich.table import Table  # noqa: PLC0415

        t = Table.grid(padding=(0, 2))
        t.add_column(style="bold cyan", justify="right")
        t.add_column()
        key = s.get("key") or "listening…"
        from engine.listen.chord import pretty  # noqa: PLC0415

        chord = pretty(s.get("chord") or "N", _key_of(s.get("key")))
        bpm = f"{s['bpm']:.1f} BPM" if s.get("bpm") else "—"
        t.add_row("key", f"[bold]{key}[/]  [dim]{s.get('key_confidence', 0):.0%}[/]")
        t.add_row("chord", f"[bold]{chord}[/]")
        t.add_row("tempo", f"[bold]{bpm}[/]  [dim]{s.get('beat_confidence', 0):.0%}[/]")
        t.add_row("beat", f"[bold yellow]{beat_dots(s.get('beat_in_bar'), s.get('beats_per_bar') or 4)}[/]")
        band = "[green]playing[/]" if s.get("playing") else "[yellow]waiting for you[/]"
        t.add_row("band", f"{band}  {s.get('style') or ''}  [bold]{s.get('section') or ''}[/]")
        if s.get("levels"):
            t.add_row("mix", "  ".join(f"{part} {'off' if db is None else f'{db:+g} dB'}"
                                       for part, db in s["levels"].items()))
        health = f"{s.get('notes_per_s', 0):.1f} notes/s   late {s.get('late_events', 0)}"
        if s.get("input") == "lost":
            health += "   [bold red]INPUT LOST — reconnecting[/]"
        if s.get("muted_channels"):
            health += f"   [red]muted ch {s['muted_channels']}[/]"
        if s.get("garbage"):
            health += f"   garbage {s['garbage']}"
        t.add_row("input", health)
        title = f"aqyn — {self.describe.get('input', '')}"
        return Panel(t, title=title, subtitle="Ctrl-C stops", expand=False)

    def status(self, s: dict) -> None:
        """Show a status snapshot (LiveSession.status)."""
        self.live.update(self._render(s))

    def event(self, kind: str, data: dict) -> None:
        """Print an event (start, control, input lost, error ...) above the panel."""
        if kind in ("input lost", "input back", "input relinked", "output back", "error"):
            self.live.console.print(event_line(kind, data), markup=False)

    def close(self) -> None:
        """Stop the panel."""
        self.live.stop()


class PlainView:
    """One line whenever what matters changes (for logs and pipes)."""

    FIELDS = ("key", "chord", "bpm", "playing", "section", "style", "input")

    def __init__(self, out: IO[str] = sys.stdout):
        self.out = out
        self._last: tuple | None = None
        self._lock = threading.Lock()     # status (main thread) and events (engine thread) print concurrently

    def _say(self, line: str) -> None:
        """One whole line: print() writes the text and its newline apart, so two threads glued their lines."""
        with self._lock:
            self.out.write(line + "\n")
            self.out.flush()

    def status(self, s: dict) -> None:
        """Print a line when key, chord, tempo, band, section or input changed."""
        now = tuple(s.get(f) if f != "bpm" else (round(s["bpm"]) if s.get("bpm") else None) for f in self.FIELDS)
        if now != self._last:
            self._last = now
            bpm = f"{s['bpm']:.1f} BPM" if s.get("bpm") else "tempo ?"
            band = f"band {s.get('section')}" if s.get("playing") else "band waiting"
            self._say(f"{s['time']:8.2f}s  {s.get('key') or 'key ?'}  {s.get('chord')}  {bpm}  {band}"
                      + ("  INPUT LOST" if s.get("input") == "lost" else ""))

    def event(self, kind: str, data: dict) -> None:
        """Print the event as one line."""
        self._say(event_line(kind, data))

    def close(self) -> None:
        """Nothing to close."""
        pass


class QuietView:
    """No view at all (--quiet): errors still reach stderr through the command."""

    def status(self, s: dict) -> None:
        """Show nothing."""
        pass

    def event(self, kind: str, data: dict) -> None:
        """Print errors only (on stderr), as a line a performer reads: 'aqyn: error: midi out: X did not open
        again' (review30: it printed the event's dict, "{'where': 'midi out', 'error': ...}")."""
        if kind == "error":
            print(f"aqyn: error: {data.get('where', 'live')}: {data.get('error')}", file=sys.stderr, flush=True)

    def close(self) -> None:
        """Nothing to close."""
        pass


class JsonLog:
    """JSON lines: {"t": wall seconds, "kind": "status"|event kind, ...}."""

    def __init__(self, path: Path):
        self._f = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())

    def write(self, kind: str, data: dict) -> None:
        """Append one JSON line: the time, the kind and the data."""
        self._f.write(json.dumps({"t": round(time.time(), 3), "kind": kind, **data}) + "\n")
        self._f.flush()

    def close(self) -> None:
        """Close the log file."""
        self._f.close()


def _key_of(name: str | None) -> tuple[int, str] | None:
    """The status's key ('Db major') as (tonic pitch class, mode), None before a key is heard."""
    from engine.chart.parse import parse_key  # noqa: PLC0415

    return parse_key(name) if name else None
