"""MIDI-file sink: a type-1 file, one named track per part, tempo map following the band's beats,
time signature, key signature and marker meta events on a conductor track."""

from __future__ import annotations

import bisect
import io
import math
import struct
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import mido

from engine.events import DOMBRA, GUITAR, PERCUSSION, Beat, Event, KeyChange, LeadIn, Marker, Raw, TimeSignature
from engine.io.midi_text import ascii_text
from engine.io.sinks import played_messages
from engine.lead_in import on_first_note
from engine.midi import FILE_PPQ as PPQ
from engine.midi import NOTE_ON, data_bytes
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
        """Write the file, a track at a time (an hour's band is a quarter of a million messages: only one
        track's are ever held as mido objects). Raises OSError when it cannot be written."""
        tracks = self.tracks()
        count = next(tracks)
        with open(self.path, "wb") as out:
            out.write(b"MThd" + struct.pack(">IHHH", 6, 1, count, PPQ))
            for track in tracks:
                one = mido.MidiFile(type=1, ticks_per_beat=PPQ, charset="utf-8", tracks=[track])
                buffer = io.BytesIO()
                one.save(file=buffer)
                out.write(buffer.getbuffer()[14:])   # mido's MTrk chunk, after its own 14-byte MThd

    def tempo_map(self) -> tuple[TempoMap, list[tuple[int, int]], tuple[int, int] | None]:
        """The file's tempo map (its beat 0 at second 0, a beat per band beat, the player's beats heard before
        the band's (its `LeadIn`), the beats before them and between the band's filled in), the short bars as
        (first beat, beats in it), see `file_grid`, and the band's merge the file shows (`merge_beat`)."""
        beats = [e for e in self.events if isinstance(e, Beat)]
        lead_in = next((e for e in self.events if isinstance(e, LeadIn)), None)
        first_note = min((e.time for e in self.events if isinstance(e, Raw) and e.part == GUITAR
                          and e.status & 0xF0 == NOTE_ON and e.data2 > 0), default=None)
        times, short = file_grid(beats, lead_in, first_note)
        if len(times) < 2:
            return TempoMap.constant(self.default_bpm), [], None
        tmap, _ = TempoMap.through_beats(times)
        return tmap, short, merge_beat(beats, times)

    def to_midi(self) -> mido.MidiFile:
        """The whole file as a mido.MidiFile: the conductor track, then one track per part."""
        tracks = self.tracks()
        next(tracks)
        return mido.MidiFile(type=1, ticks_per_beat=PPQ, charset="utf-8", tracks=list(tracks))

    def tracks(self) -> Iterator:
        """The number of tracks, then each mido.MidiTrack, made when asked for: the conductor track (tempo
        map, time and key signatures, markers), then one track per part."""
        tmap, short, merge = self.tempo_map()
        sigs = [e for e in self.events if isinstance(e, TimeSignature)]
        # A listener beat is a quarter note in the file except in compound meters, where it is a dotted
        # quarter (6/8: two beats of three eighths): ticks and tempi are scaled so a DAW's bar lines fall on
        # the band's bars. The first meter holds from the start (the guitar's lead-in is in it too).
        meters = [(0.0 if i == 0 else round(tmap.beat_at_float(e.time)), e) for i, e in enumerate(sigs)]
        meters = _cut_into(short, meters)
        units = _beat_units([(b, e.beat_eighths / 2) for b, e in meters])
        bars = _bars(meters, short)
        if merge is not None:
            units, bars = _halves_before(units, bars, *merge)

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
        for b, numerator, denominator in bars:
            conductor.append((round(_quarters(units, b) * PPQ), 1, mido.MetaMessage(
                "time_signature", numerator=numerator, denominator=denominator,
                clocks_per_click=_clocks_per_click(numerator, denominator))))
        for ev in self.events:
            if isinstance(ev, KeyChange):
                key = midi_key_signature(pitch_class(ev.tonic), ev.mode)
                conductor.append((tick(ev.time), 2, mido.MetaMessage("key_signature", key=key)))
                conductor.append((tick(ev.time), 3, mido.MetaMessage("marker", text=f"key: {ev.tonic} {ev.mode}")))
            elif isinstance(ev, Marker):       # a style's title in any script: ASCII, as every DAW shows it
                conductor.append((tick(ev.time), 3, mido.MetaMessage("marker", text=ascii_text(ev.text))))
        conductor.sort(key=lambda x: (x[0], x[1]))

        by_part: dict[str, tuple[array, array]] = {}    # part -> ticks, then status, data1, data2 (compact)
        for t, status, d1, d2, _, part in played_messages(self.events):
            ticks, data = by_part.setdefault(part, (array("q"), array("B")))
            ticks.append(tick(t))
            data.extend((status, d1, d2))
        yield 1 + len(by_part)
        yield _track("aqyn", [(t, m) for t, _, m in conductor])
        for part in sorted(by_part, key=lambda p: (PART_ORDER.index(p) if p in PART_ORDER else 99, p)):
            ticks, data = by_part.pop(part)
            yield _track(part, ((t, _bytes(*data[3 * i: 3 * i + 3])) for i, t in enumerate(ticks)))


def _clocks_per_click(numerator: int, denominator: int) -> int:
    """MIDI clocks (24 a quarter note) per metronome click of a time signature: a dotted quarter (36) in a compound
    meter (6/8, 9/8, 12/8: the beat the band counts, and band_eval's `beat_unit`), else a quarter (24, the MIDI
    default; 5/8 and 7/8 keep it). The MIDI 1.0 specification's own example: 6/8 clicking dotted quarters is 36."""
    return 36 if denominator == 8 and numerator > 3 and numerator % 3 == 0 else 24


def _bytes(status: int, d1: int, d2: int) -> list[int]:
    return [status, d1] if data_bytes(status) == 1 else [status, d1, d2]


def _track(name: str, timed: Iterable) -> mido.MidiTrack:
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


def merge_beat(beats: list[Beat], times: list[float]) -> tuple[int, int] | None:
    """(the file beat (an index of `times`, s) of the band's first beat at the listener's beat after it counted a
    fresh lock's double-time first guess onto it, 2) for the first such merge (`Beat.merged`), else None. The
    band's beat doubles there: written as it is, a DAW shows the tempo halving in one beat (converter-set-b sim_01,
    2/4 at 78 BPM strummed in sixteenths, locked at 154: a one-beat jump of 98 %, bench/band_eval.py); the beats
    before it are the music's eighths, and the file shows them so (`_halves_before`). Only while every file beat
    before it (but the first, which takes up the rest to second 0) is nearer the band's beat before the merge than
    twice it: a merge later in a take, after beats at the grid's level, would halve those too. A merge of three (a
    third of a beat is no note value a time signature can count) is left as it is."""
    played = {b.index: b for b in beats}
    for b in sorted(beats, key=lambda b: b.time):
        before = played.get(b.index - 1)
        if b.merged == 2 and before is not None:
            i = bisect.bisect_left(times, before.time - 1e-9)
            if i < 2 or i >= len(times) or abs(times[i] - before.time) > 1e-6:
                return None
            last = times[i] - times[i - 1]
            lengths = [y - x for x, y in zip(times[1:i], times[2:i + 1])]
            return (i, 2) if max(lengths) < math.sqrt(2) * last else None
    return None


def _halves_before(units: list[tuple[float, float]], bars: list[tuple[float, int, int]], at: int,
                   merged: int) -> tuple[list[tuple[float, float]], list[tuple[float, int, int]]]:
    """The beat units ((file beat, quarters per beat) from where each holds) and time signatures ((file beat,
    numerator, denominator)) with the file beats before `at` worth 1/`merged` of their note value (a 2/4 bar
    there is written 2/8) and those from `at` on as they were: the band's beats before its merge (`merge_beat`)."""
    unit_at = _unit_at(units, at)
    halved = [(b, q / merged) for b, q in units if b < at] + [(float(at), unit_at)] + [x for x in units if x[0] > at]
    meter_at = [(n, d) for b, n, d in bars if b <= at][-1] if bars and bars[0][0] <= at else None
    out = [(b, n, d * merged) for b, n, d in bars if b < at]
    if meter_at is not None:
        out.append((float(at), *meter_at))
    out += [x for x in bars if x[0] > at]
    return _beat_units(halved), out


MIN_BEAT = 0.05   # s: beats closer than this are one (a DAW cannot show a 1200 BPM beat)
MAX_BEAT = 4.0    # s: no beat of the file lasts longer (15 BPM; a MIDI tempo cannot pass 16.7 s a beat)
MIN_PICKUP = 0.25  # s: a heard first beat this close to second 0 starts the file (a pickup would pass 360 BPM)


def file_grid(beats: list[Beat], lead_in: LeadIn | None = None,
              first_note: float | None = None) -> tuple[list[float], list[tuple[int, int]]]:
    """The file's beats (s) from the band's and where its bars are short, so a DAW shows the player's bars.

    The file's beat 0 is at second 0. Before the band's first beat (a downbeat of the player's), the player
    was already keeping the beat: the beats there are the player's as the listener heard them (`lead_in`, when
    it is for the band's first beat; the one nearest the guitar's `first_note` (s) on it, engine/lead_in.py
    `on_first_note`), and before those (or all of them, without) the beats go back at the
    length of the first to the file's start (`_lead_in`). The bar before that downbeat is whole, so the first
    bar is the pickup (short bars: (first beat, beats in it)); a first beat inside the band's cycle
    (`beat_in_bar` > 0: an aqsaq entry on the cycle's second bar) counts back to the cycle's start. Where the
    band did not play (a rest, a stop, between songs) beats are filled in at the length of the band's last
    beat. A band beat that starts a cycle of its bars (`beat_in_bar` 0) where the file's bar has not ended
    cuts that bar short: the band came back or moved its bar there. Beats closer than MIN_BEAT count once.

    >>> grid = file_grid([Beat(1.25, 0, 0, 4, 0.5), Beat(1.75, 1, 1, 4, 0.5), Beat(4.0, 0, 0, 4, 0.5)])
    >>> [round(t, 2) for t in grid[0]], grid[1]
    ([0.0, 0.75, 1.25, 1.75, 2.31, 2.88, 3.44, 4.0], [(0, 2), (6, 1)])
    >>> file_grid([Beat(1.25, 0, 0, 4, 0.5), Beat(1.75, 1, 1, 4, 0.5)], LeadIn(1.25, (0.35, 0.8)))
    ([0.0, 0.35, 0.8, 1.25, 1.75], [(0, 3)])
    """
    played: list[Beat] = []
    for b in sorted(beats, key=lambda b: b.time):
        if not played or b.time - played[-1].time >= MIN_BEAT:
            played.append(b)
    if not played:
        return [], []
    cycle = played[0].beats_per_bar
    heard = lead_in.beats if lead_in is not None and abs(lead_in.time - played[0].time) < 1e-6 else ()
    heard = on_first_note(heard, played[0].time, first_note)
    times = _lead_in(played[0], played[1] if len(played) > 1 else None, heard)
    pickup = (len(times) - played[0].beat_in_bar) % cycle   # the band may begin inside its cycle (aqsaq)
    short = [(0, pickup)] if pickup else []
    since = pickup                      # the file beat the bars are counted from: the band's last bar line
    lines = [since]                     # ... and each before it
    for prev, b in zip([None, *played], played):
        bar_at = _restarted_bar(b, times) if prev is not None else None
        if bar_at is not None:          # back from a stop mid-bar: the player's bar line before the band's beat
            while len(times) > 1 and times[-1] > bar_at - prev.period / 2:
                times.pop()             # the old count's beats after it (silent: the band was out) or just before
            short[:] = [x for x in short if x[0] < len(times)]
            lines = [x for x in lines if x <= len(times)] or [0]
            times.extend(_filled(times[-1], bar_at, prev.period))
            since, cycle = _cut_bar(times, lines[-1], cycle, short), b.beats_per_bar
            lines.append(since)
            times.extend(bar_at + j * b.period for j in range(b.beat_in_bar))
        elif prev is not None and not _one_beat(prev, b):
            times.extend(_filled(times[-1], b.time, prev.period))
        if b.beat_in_bar == 0 and prev is not None:
            # counted from here on: after a meter change the new bars start at its bar line, not at beat 0
            since, cycle = _cut_bar(times, since, cycle, short), b.beats_per_bar
            lines.append(since)
        times.append(b.time)
    return times, short


def _cut_bar(times: list[float], since: int, cycle: int, short: list[tuple[int, int]]) -> int:
    """A band bar line at file beat len(`times`) where the file's bar, counted in bars of `cycle` beats from file
    beat `since`, has not ended cuts that bar short (appended to `short`, as (first beat, beats in it)); the file
    beat its bars are counted from now (that bar line)."""
    # (a band that began inside its cycle with no room before it to count back: still in the first bar)
    in_bar = (len(times) - (since if since <= len(times) else 0)) % cycle
    if in_bar:
        if short and short[-1][0] == len(times) - in_bar:
            short.pop()          # that first bar, cut shorter still
        short.append((len(times) - in_bar, in_bar))
    return len(times)


def _restarted_bar(b: Beat, times: list[float]) -> float | None:
    """The time (s) of the player's bar line before band beat `b` when the band's count started again there
    mid-bar (`Beat.restarted`: back from a stop, `beat_in_bar` beats after the player's downbeat), if it
    falls after the file's first beat; else None."""
    if not b.restarted or not b.beat_in_bar:
        return None
    bar_at = b.time - b.beat_in_bar * b.period
    return bar_at if bar_at > times[0] + b.period else None


def _lead_in(first: Beat, second: Beat | None, heard: tuple[float, ...] = ()) -> list[float]:
    """Beats from second 0 up to (not including) the band's first beat: the player's `heard` beats (s, in order,
    before it), and before them beats at the length of the first that follows (without any heard, the band's
    first beat: up to the `second` beat when that is the next one; a Beat's `period` is the length its beat had
    in view when it was sent, the band decides the beat's end only when it is due). The first takes up the rest
    to second 0 (between half a beat and one and a half); a heard beat is not moved for it (a shorter first beat
    then), unless it lies within MIN_PICKUP of second 0 (a faster tempo than a DAW shows well)."""
    if second is not None and second.index == first.index + 1:
        length = second.time - first.time
    else:
        length = first.period
    after = [*heard, first.time]
    if len(after) > 1:
        length = after[1] - after[0]
    period = min(max(length, 0.2), MAX_BEAT)
    n = math.floor(after[0] / period + 1e-9)
    times = [after[0] - k * period for k in range(n, 0, -1)] + list(heard)
    rest = times[0] if times else first.time
    if rest > (0.5 * period if n else MIN_PICKUP) or not times:
        if rest >= MIN_BEAT:
            times.insert(0, 0.0)
    else:
        times[0] = 0.0           # a sliver before the first beat: that beat starts at 0 instead
    return times


def _one_beat(prev: Beat, b: Beat) -> bool:
    """True when the band's beat `prev` runs up to its next beat `b` as one beat: `b` is the beat after it and the
    two are about one of `b`'s length apart. A beat's `period` is its length as planned when it was sent, and a
    tempo step heard after that stretches it (engine/timeline.py `_step`): filled in at the planned length, a step's
    first beat became two in the file, a beat too many and a short bar to make up for it (sim2 strum_2-4
    Eb-dorian+tempo s15 at 46.6 s: 0.469 s, then 0.387 and 0.387 where the band played one beat of 0.774 s)."""
    return b.index == prev.index + 1 and round((b.time - prev.time) / b.period) <= 1


def _filled(last: float, t: float, period: float) -> list[float]:
    """The beats between a beat at `last` (s) and the next one played at `t`, `period` s apart or close,
    none shorter than MIN_BEAT or longer than MAX_BEAT."""
    gap = t - last
    n = max(1, round(gap / period), math.ceil(gap / MAX_BEAT))
    n = min(n, max(1, math.floor(gap / MIN_BEAT)))
    step = gap / n
    return [last + step * k for k in range(1, n)]


def _cut_into(short: list[tuple[int, int]],
              meters: list[tuple[float, TimeSignature]]) -> list[tuple[float, TimeSignature]]:
    """`meters` ((file beat, TimeSignature) where each starts) with a simple meter that starts right after a short
    bar of a compound one starting at that short bar instead: the band cut its bar as it left the compound meter,
    and the cut bar is written in the new meter's quarters. In the old one's, a one-beat bar of 6/8 before 4/4 is
    a 3/8 bar a DAW counts in three eighths where the band and the player keep one beat (GuitarSet's bossa solo
    and funk comping, heard 6/8 at the entry: two beats too many in the file's each, bench/band_eval.py). The
    other way, a short bar of 4/4 before 6/8 stays in quarters (in the new meter's beats a one-beat bar is 3/8)."""
    starts = {start: i for i, (start, _) in enumerate(meters)}
    out = list(meters)
    for start, length in short:
        i = starts.get(start + length)
        if i and meters[i - 1][0] <= start and meters[i - 1][1].beat_eighths == 3 and meters[i][1].beat_eighths == 2:
            out[i] = (float(start), meters[i][1])
    return out


def _whole_bar_before(start: int, length: int, meter: TimeSignature, meter_at: Callable[[float], TimeSignature],
                      short: list[tuple[int, int]]) -> float | None:
    """The file beat where the whole bar before a one-beat short bar of a compound meter (at file beat `start`,
    `length` beats, in `meter`) starts, when that bar is whole and in the same meter (`meter_at`: the meter at a
    file beat); else None. Written alone, a
    one-beat bar of 6/8 is 3/8, which a DAW counts in three eighths where the band and the player keep one dotted
    quarter (converter-set-b sim_05 and sim_09, slow 6/8 whose band moved its bar a beat after a tempo step: two
    beats too many in the file per cut bar, bench/band_eval.py); joined to the bar before it is 9/8, three dotted
    quarters. The band's new bar line after it is kept; the old one it cut is not written."""
    bar = meter.numerator // 3
    if meter.beat_eighths != 3 or length != 1 or meter.numerator % 3:
        return None
    before = start - bar
    if before < 0 or any(before <= s < start for s, _ in short):
        return None
    if meter_at(before) != meter:
        return None
    return float(before)


def _bars(meters: list[tuple[float, TimeSignature]], short: list[tuple[int, int]]) -> list[tuple[float, int, int]]:
    """Time signatures as (file beat, numerator, denominator): the band's meters where they start, a short
    bar's own (its beats in the meter's beat unit; a one-beat bar of a compound meter joined to the whole bar
    before it: `_whole_bar_before`) and the meter again after it."""
    def meter_at(b: float) -> TimeSignature:
        return [e for start, e in meters if start <= b + 1e-9][-1]

    out: dict[float, tuple[int, int]] = {}
    if not meters:
        return []
    for start, e in meters:
        out[float(start)] = (e.numerator, e.denominator)
    for start, length in short:
        e = meter_at(start)
        before = _whole_bar_before(start, length, e, meter_at, short)
        if before is not None:
            out[before] = ((e.numerator // 3 + 1) * 3, e.denominator)
        else:
            out[float(start)] = (length * 3, 8) if e.beat_eighths == 3 else (length, 4)
        after = float(start + length)
        if after not in out:
            e_after = meter_at(after)
            out[after] = (e_after.numerator, e_after.denominator)
    return sorted((b, n, d) for b, (n, d) in out.items())
