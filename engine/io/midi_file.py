"""MIDI-file sink: a type-1 file, one named track per part, tempo map following the band's beats,
time signature, key signature and marker meta events on a conductor track."""

from __future__ import annotations

from pathlib import Path

import mido

from engine.events import Beat, Event, KeyChange, Marker, TimeSignature, GUITAR, DOMBRA, PERCUSSION
from engine.sinks import channel_messages
from engine.tempomap import TempoMap
from engine.theory import midi_key_signature, pitch_class

PPQ = 480
PART_ORDER = (GUITAR, DOMBRA, PERCUSSION)


class MidiFileSink:
    def __init__(self, path: str | Path, default_bpm: float = 120.0):
        self.path = Path(path)
        self.default_bpm = default_bpm
        self.events: list[Event] = []

    def send(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        self.to_midi().save(self.path)

    def tempo_map(self) -> tuple[TempoMap, int]:
        beats = [e for e in self.events if isinstance(e, Beat)]
        bpb = beats[0].beats_per_bar if beats else 1
        times = _fill_gaps(sorted(b.time for b in beats))
        if len(times) < 2:
            return TempoMap.constant(self.default_bpm), 0
        # Before the band came in, the guitarist was already keeping this beat: continue the grid back in
        # whole bars, so the guitar's first bars line up with the file's bar lines too.
        bar = (times[1] - times[0]) * bpb
        while times[0] - bar > bar / 2:
            times[0:0] = [times[0] - bar + k * bar / bpb for k in range(bpb)]
        return TempoMap.through_beats(times, bpb)

    def to_midi(self) -> mido.MidiFile:
        tmap, _ = self.tempo_map()

        def tick(t: float) -> int:
            return max(0, round(tmap.beat_at_float(t) * PPQ))

        conductor: list[tuple[int, int, mido.MetaMessage]] = []
        for beat, us in tmap.changes:
            conductor.append((round(beat * PPQ), 0, mido.MetaMessage("set_tempo", tempo=us)))
        for seq, ev in enumerate(self.events):
            if isinstance(ev, TimeSignature):
                conductor.append((tick(ev.time), 1, mido.MetaMessage(
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
    kind = status & 0xF0
    return [status, d1] if kind in (0xC0, 0xD0) else [status, d1, d2]


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


def _fill_gaps(times: list[float]) -> list[float]:
    """Where the band rested, add beats at the last tempo so the tempo map keeps counting bars."""
    if len(times) < 2:
        return times
    out = [times[0], times[1]]
    for t in times[2:]:
        period = out[-1] - out[-2]
        gap = t - out[-1]
        n = round(gap / period)
        if n >= 2:
            step = gap / n
            out.extend(out[-1] + step * k for k in range(1, n))
        out.append(t)
    return out
