"""The take: what the player played live, as a Standard MIDI File that replays the gig offline.

`aqyn live --record take.mid` keeps every input the engine took — the guitar's channel messages on all
channels, the footswitch's cues and the count-in — and the band's markers (band in, sections, key, band out),
at the session's own seconds. The file is a type-1 SMF at a fixed 120 BPM and TAKE_PPQ ticks per quarter
(50 us a tick, so no onset moves by more than 25 us):

    track 0 "aqyn take"   tempo, a text event naming how it was made, markers:
                          "cue: fill", "cue: style trot", "count-in: 8 x 0.625 s, 4 to the bar" (replayed),
                          "band in: Tokpe", "section: main_a", "key: D dorian", "band out" (to look at)
    track 1 "guitar"      the player's messages as they arrived

The band's markers are written in ASCII (engine/io/midi_text.py: a DAW shows them right whatever charset it
assumes); a cue keeps its style's name exactly (UTF-8 in the rare name that is not ASCII: the render must find
the style), and so does the text event (its command names your files).

`aqyn render take.mid` reads the guitar like any file and the "cue:" and "count-in:" markers as the
timeline of cues (`take_cues`), so the render hears what the live engine heard. A MIDI clock master's
messages (`--clock-in`) are not kept: an SMF cannot hold real-time messages, and a render follows the
guitar's own tempo.

Safety: the whole file is rewritten every FLUSH_EVERY seconds to a temporary file beside the target, synced
and renamed over it (`engine.io.outputs.replace_file`), so at any moment the take on disk is a valid file
holding all but the last second, whatever ends the session (Ctrl-C, SIGTERM, a pulled cable, a crash).
"""

from __future__ import annotations

import heapq
import queue
import re
import struct
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mido

from engine.arrange.styles import load_style
from engine.errors import EngineError, InputFileError
from engine.events import InputMessage, KeyChange, Marker
from engine.inputs import ClockInput, CountIn, Cue, CueInput, TimedInput
from engine.io.midi_text import ascii_text
from engine.io.outputs import replace_file
from engine.midi import data_bytes

TAKE_PPQ = 10000          # ticks per quarter note: at 120 BPM a tick is 50 us
TEMPO = 500_000           # us per quarter note (120 BPM)
SECONDS_PER_TICK = TEMPO / 1e6 / TAKE_PPQ
FLUSH_EVERY = 1.0         # s between rewrites of the file on disk
CUE, COUNT_IN = "cue: ", "count-in: "
COUNT_IN_TEXT = re.compile(r"count-in: (\d+) x ([0-9.]+) s, (\d+) to the bar$")
MARKS, GUITAR = 0, 1      # track numbers
TAKE_NAME = "aqyn take"   # the first track's name: what tells a take from another MIDI file


def _varlen(value: int) -> bytes:
    """A variable-length quantity (SMF 1.0, "Conventions"): 7 bits a byte, high bit set on all but the last."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _meta(kind: int, text: str) -> bytes:
    data = text.encode("utf-8")
    return bytes([0xFF, kind]) + _varlen(len(data)) + data


def _event_bytes(item) -> tuple[int, bytes] | None:
    """(track, the event's bytes without its delta time) of an engine input or a band event; None for what
    the take does not keep (clock messages, beats, notes)."""
    if isinstance(item, InputMessage):
        body = [item.status, item.data1] + ([item.data2] if data_bytes(item.status) == 2 else [])
        return GUITAR, bytes(body)
    if isinstance(item, CueInput):
        text = CUE + (f"style {item.style.name}" if item.style is not None else item.cue.value)
        return MARKS, _meta(0x06, text)
    if isinstance(item, CountIn):
        return MARKS, _meta(0x06, f"{COUNT_IN}{item.beats} x {item.period:.6f} s, {item.beats_per_bar} to the bar")
    if isinstance(item, Marker):         # the band's, for a DAW to show: ASCII (a cue keeps its style's name)
        return MARKS, _meta(0x06, ascii_text(item.text))
    if isinstance(item, KeyChange):
        return MARKS, _meta(0x06, f"key: {item.tonic} {item.mode}")
    return None


class _Track:
    """One track's events, encoded as they are settled: delta times from the last one written."""

    def __init__(self, name: str):
        self.data = bytearray(b"\x00" + _meta(0x03, name))
        self.tick = 0

    def add(self, tick: int, body: bytes) -> None:
        tick = max(tick, self.tick)          # an event that came late never goes back in time
        self.data += _varlen(tick - self.tick) + body
        self.tick = tick

    def chunk(self, tail: list[tuple[int, bytes]]) -> bytes:
        """The MTrk chunk: what is settled, then `tail` ((tick, body) in order, not kept), then the end."""
        data, last = bytearray(self.data), self.tick
        for tick, body in tail:
            tick = max(tick, last)
            data += _varlen(tick - last) + body
            last = tick
        data += b"\x00\xff\x2f\x00"
        return b"MTrk" + struct.pack(">I", len(data)) + bytes(data)


class TakeRecorder:
    """Records a live session's inputs and the band's markers to `path` (see the module docstring).

    Thread use: `inputs` and `band.send` are called on the engine thread (they only queue); `flush` and
    `close` on the session's own thread. `about` is the text event's words (how the take was made). Writing
    raises OutputPathError (one line) when the file cannot be written.
    """

    SETTLE = 1.0     # s: events older than this before `now` are encoded for good (the band sends ahead)

    def __init__(self, path: Path, about: str = ""):
        self.path = Path(path)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._pending: list[tuple[float, int, int, bytes]] = []   # heap of (time s, seq, track, body)
        self._seq = 0
        self._tracks = [_Track(TAKE_NAME), _Track("guitar")]
        marks = self._tracks[MARKS]
        marks.add(0, bytes([0xFF, 0x51, 3]) + TEMPO.to_bytes(3, "big"))
        if about:
            marks.add(0, _meta(0x01, about))
        self.messages = 0                 # guitar messages kept
        self.band = _BandMarks(self)      # a sink for the engine: the band's markers
        self.next_flush = 0.0
        self.written = False              # the file was written at least once

    def inputs(self, items: list[TimedInput]) -> None:
        """The inputs the engine took at one tick (any thread)."""
        for item in items:
            if not isinstance(item, ClockInput):
                self._queue.put(item)

    def _drain(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            encoded = _event_bytes(item)
            if encoded is not None:
                self._seq += 1
                heapq.heappush(self._pending, (item.time, self._seq, *encoded))
                self.messages += encoded[0] == GUITAR

    def flush(self, now: float) -> None:
        """Rewrite the file with everything taken so far (`now`: the session's seconds); what is older than
        SETTLE seconds is encoded for good. Raises OutputPathError."""
        self._drain()
        while self._pending and self._pending[0][0] <= now - self.SETTLE:
            t, _, track, body = heapq.heappop(self._pending)
            self._tracks[track].add(_tick(t), body)
        self._write()
        self.written = True
        self.next_flush = now + FLUSH_EVERY

    def close(self) -> None:
        """Write the file with everything taken (call after the engine thread stopped). Raises
        OutputPathError."""
        self._drain()
        self.flush(float("inf"))

    def _write(self) -> None:
        tails: list[list[tuple[int, bytes]]] = [[], []]
        for t, _, track, body in sorted(self._pending):
            tails[track].append((_tick(t), body))
        header = b"MThd" + struct.pack(">IHHH", 6, 1, len(self._tracks), TAKE_PPQ)
        replace_file(self.path, header + b"".join(tr.chunk(tail) for tr, tail in zip(self._tracks, tails)))


def _tick(t: float) -> int:
    return max(0, round(t / SECONDS_PER_TICK))


class _BandMarks:
    """The recorder's sink in the engine: keeps the band's markers and key changes (engine thread)."""

    def __init__(self, recorder: TakeRecorder):
        self.recorder = recorder

    def send(self, event) -> None:
        """Queue a marker or key change; anything else the band plays is not the take's."""
        if isinstance(event, (Marker, KeyChange)):
            self.recorder._queue.put(event)

    def close(self) -> None:
        """Nothing to finish: the recorder is closed by the session."""


@dataclass(frozen=True)
class _Text:
    time: float
    text: str


def take_cues(path: Path, pattern_dirs: list[Path] | None = None) -> list[TimedInput]:
    """The cues and count-in a take recorded (its "cue: ..." and "count-in: ..." markers) as timed inputs
    (s of the file), in time order; [] for any other MIDI file. A count-in is replayed without clicks (the
    take holds none). Raises InputFileError naming the marker when one cannot be replayed (an unknown action,
    a style that is not in the pattern folders)."""
    out: list[TimedInput] = []
    for m in _markers(path):
        if m.text.startswith(CUE):
            out.append(_cue(path, m, pattern_dirs))
        elif m.text.startswith(COUNT_IN):
            found = COUNT_IN_TEXT.match(m.text)
            if found is None:
                raise InputFileError(f"{path}: marker {m.text!r} at {m.time:.3f} s is not a count-in aqyn wrote; "
                                     "remove it or re-record the take")
            beats, period, per_bar = int(found[1]), float(found[2]), int(found[3])
            out.append(CountIn(m.time, beats, period, per_bar, clicks=False))
    return sorted(out, key=lambda c: c.time)


def _cue(path: Path, m: _Text, pattern_dirs: list[Path] | None) -> CueInput:
    words = m.text[len(CUE):].split(maxsplit=1)
    try:
        cue = Cue(words[0]) if words else None
    except ValueError:
        cue = None
    if cue is None:
        raise InputFileError(f"{path}: marker {m.text!r} at {m.time:.3f} s names no cue aqyn knows "
                             f"({', '.join(c.value for c in Cue)}); fix or remove it")
    if cue is not Cue.STYLE:
        return CueInput(m.time, cue)
    if len(words) < 2:
        raise InputFileError(f"{path}: marker {m.text!r} at {m.time:.3f} s names no style")
    try:
        return CueInput(m.time, cue, load_style(words[1], pattern_dirs))
    except EngineError as exc:
        raise InputFileError(f"{path}: marker {m.text!r} at {m.time:.3f} s: {exc}") from None


def _markers(path: Path) -> list[_Text]:
    """Every marker of a take (a file whose first track is named TAKE_NAME) with its time (s), read with mido
    through the file's tempo map; [] for another file, or when mido cannot read it (the guitar reader says
    why)."""
    try:
        # Read as Latin-1 (mido's default: any byte decodes), the markers decoded as UTF-8 below. (Never with
        # charset="utf-8": on a file that is not, mido raises and leaves its global charset at UTF-8, and
        # every file read after in this process would then fail to decode.)
        mid = mido.MidiFile(path, clip=True)
    except Exception:  # noqa: BLE001 (read_guitar_file gives the one-line reason)
        return []
    names = [m.name for m in mid.tracks[0] if m.type == "track_name"] if mid.tracks else []
    if names[:1] != [TAKE_NAME]:
        return []             # not a take: a marker that happens to start with "cue: " is only a marker
    out: list[_Text] = []
    tick, base_tick, base, us = 0, 0, Fraction(0), TEMPO      # seconds exactly, through each tempo change
    for msg in mido.merge_tracks(mid.tracks):
        tick += msg.time
        if msg.type == "set_tempo" and msg.tempo > 0:
            base += Fraction((tick - base_tick) * us, 1_000_000 * mid.ticks_per_beat)
            base_tick, us = tick, msg.tempo
        elif msg.type == "marker":
            seconds = base + Fraction((tick - base_tick) * us, 1_000_000 * mid.ticks_per_beat)
            out.append(_Text(float(seconds), msg.text.encode("latin-1").decode("utf-8", errors="replace")))
    return out
