"""MIDI-file sink: a type-1 file, one named track per part, tempo map following the band's beats,
time signature, key signature and marker meta events on a conductor track."""

from __future__ import annotations

from pathlib import Path

import mido

from engine.events import DOMBRA, GUITAR, PERCUSSION, Beat, Event, KeyChange, Marker, TimeSignature
from engine.io.sinks import channel_messages
from engine.midi import FILE_PPQ as PPQ
from engine.midi import data_bytes
from engine.tempomap import TempoMap
from engine.theory import midi_key_signature, pitch_class

PART_ORDER = (GUITAR, DOMBRA, PERCUSSION)


class MidiFileSink:
    """A `Sink` that writes the band (and the guitar's copy) to a type-1 MIDI file at `path` on close;
    `default_bpm` is the file's tempo when no beat was played."""

    def __init__(self, path: str | Path, default_bpm: float = 120.0):
        self.path = Path(path)
        self.default_bpm = default_bpm
        self.events: list[Event] = []

    def send(self, event: Event) -> None:
        """Keep an event for the file."""
        self.events.append(event)

    def close(self) -> None:
        """Write the file. Raises OSError when it cannot be written."""
        self.to_midi().save(self.path)

    def tempo_map(self) -> tuple[TempoMap, int]:
        """The file's tempo map through the band's beats (back to the file's start in whole bars), and
        the beat number of the band's first beat (0 when there was none)."""
        beats = sorted((e for e in self.events if isinstance(e, Beat)), key=lambda b: b.time)
        bpb = beats[0].beats_per_bar if beats else 1
        times = beat_times([(b.index, b.time) for b in beats])
        if len(times) < 2:
            return TempoMap.constant(self.default_bpm), 0
        # Before the band came in, the guitarist was already keeping this beat: continue the grid back in
        # whole bars, so the guitar's first bars line up with the file's bar lines too.
        bar = (times[1] - times[0]) * bpb
        while times[0] - bar > bar / 2:
            times[0:0] = [times[0] - bar + k * bar / bpb for k in range(bpb)]
        return TempoMap.through_beats(times, bpb)

    def to_midi(self) -> mido.MidiFile:
        """The whole file as a mido.MidiFile: the conductor track, then one track per part."""
        tmap, _ = self.tempo_map()
        sigs = [e for e in self.events if isinstance(e, TimeSignature)]
        # A listener beat is a quarter note in the file except in compound meters, where it is a dotted
        # quarter (6/8: two beats of three eighths): ticks and tempi are scaled so a DAW's bar lines fall on
        # the band's bars. The first meter holds from the start (the guitar's lead-in is in it too).
        units = _beat_units([(0.0 if i == 0 else tmap.beat_at_float(e.time), e.beat_eighths / 2)
                             for i, e in enumerate(sigs)])

        def tick(t: float) -> int:
            return max(0, round(_quarters(units, tmap.beat_at_float(t)) * PPQ))

        conductor: list[tuple[int, int, mido.MetaMessage]] = []
        tempi = [(float(b), us) for b, us in tmap.changes]
        at = sorted({b for b, _ in tempi} | {b for b, _ in units})
        i = 0
        for b in at:
            while i + 1 < len(tempi) and tempi[i + 1][0] <= b:
                i += 1
            us = round(tempi[i][1] / _unit_at(units, b))
            conductor.append((round(_quarters(units, b) * PPQ), 0, mido.MetaMessage("set_tempo", tempo=us)))
        for ev in self.events:
            if isinstance(ev, TimeSignature):
                conductor.append((0 if ev is sigs[0] else tick(ev.time), 1, mido.MetaMessage(
                    "time_signature", numerator=ev.numerator, denominator=ev.denominator)))
            elif isinstance(ev, KeyChange):
                key = midi_key_signature(pitch_class(ev.tonic), ev.mode)
                conductor.append((tick(ev.time), 2, mido.MetaMessage("key_signature", key=key)))
                conductor.append((tick(ev.time), 3, mido.MetaMessage("marker", text=f"key: {ev.tonic} {ev.mode}")))
            elif isinstance(ev, Marker):
                conductor.append((tick(ev.time), 3, mido.MetaMessage("marker", text=ev.text)))
        conductor.sort(key=lambda x: (x[0], x[1]))

        mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
        mid.tracks.append(_track("aqyn", [(t, m) for t, _, m in conductor]))
        by_part: dict[str, list[tuple[int, list[int]]]] = {}
        for t, status, d1, d2, _, part in channel_messages(self.events):
            by_part.setdefault(part, []).append((tick(t), _bytes(status, d1, d2)))
        for part in sorted(by_part, key=lambda p: (PART_ORDER.index(p) if p in PART_ORDER else 99, p)):
            mid.tracks.append(_track(part, by_part[part]))
        return mid


def _bytes(status: int, d1: int, d2: int) -> list[int]:
    return [status, d1] if data_bytes(status) == 1 else [status, d1, d2]


def _track(name: str, timed: list) -> mido.MidiTrack:
    """A track from (absolute tick, message or raw bytes) pairs already in order."""
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    last = 0
    for t, msg in timed:
        t = max(t, last)
        if isinstance(msg, list):
            track.append(mido.Message.from_bytes(msg, time=t - last))
        else:
            msg.time = t - last
            track.append(msg)
        last = t
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _beat_units(changes: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(listener beat, quarter notes per beat) from where each meter starts; a quarter each by default."""
    out: list[tuple[float, float]] = []
    for b, q in changes:
        if out and b <= out[-1][0] + 1e-9:
            out[-1] = (out[-1][0], q)
        elif not out or q != out[-1][1]:
            out.append((b, q))
    return out or [(0.0, 1.0)]


def _unit_at(units: list[tuple[float, float]], b: float) -> float:
    q = units[0][1]
    for start, unit in units:
        if start <= b:
            q = unit
    return q


def _quarters(units: list[tuple[float, float]], b: float) -> float:
    """Quarter notes from the start of the file to listener beat b."""
    total = 0.0
    for (start, q), nxt in zip(units, units[1:] + [(float("inf"), 0.0)]):
        if b <= nxt[0]:
            return total + (b - start) * q
        total += (nxt[0] - start) * q
    return total


MIN_BEAT = 0.05   # s: beats closer than this are one (a DAW cannot show a 1200 BPM beat)


def beat_times(numbered: list[tuple[int, float]]) -> list[float]:
    """The band's beat times (s) from (beat number, time) pairs in time order, with the beats it did not play
    (a rest, a stop, out between songs) filled in evenly, so the tempo map keeps counting bars: between beat
    numbers a and b, b - a - 1 beats. Beats out of order, repeated or closer than MIN_BEAT are dropped; a
    number that does not grow counts as the next one. Always strictly increasing.

    >>> beat_times([(0, 1.0), (1, 1.5), (4, 3.0), (5, 3.5)])
    [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    """
    out: list[float] = []
    last_number = None
    for number, t in numbered:
        if out and t - out[-1] < MIN_BEAT:
            continue
        if last_number is not None and number > last_number + 1:
            missing = number - last_number - 1
            step = (t - out[-1]) / (missing + 1)
            if step >= MIN_BEAT:
                start = out[-1]
                out.extend(start + step * k for k in range(1, missing + 1))
        out.append(t)
        last_number = number if last_number is None or number > last_number else last_number + 1
    return out
