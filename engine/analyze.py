"""Analysis of a guitar MIDI file: key, tempo, beats, downbeats, meter and chords, as `aqyn analyze` prints.

Online mode runs the live listener over the file on the engine's tick grid and reports what it knew when:
beats are the beats as the band would have committed them (predicted `lookahead` seconds ahead), keys and
chords change when the listener decided (a chord from the strum's first notes that name it, at the latest about
60 ms after its first note). Offline mode may use the whole file (two passes): the first pass finds the tempo,
the second tracks beats from the start with that tempo, labels each beat's chord from the notes inside it, and
names one key from the whole piece.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from engine.clock import VirtualClock
from engine.events import InputMessage
from engine.inputs import CountIn, TimedInput, input_order
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.listen import Listener, ListenerConfig
from engine.listen.chord import ChordFilter, ChordTracker, note_weight
from engine.listen.listener import PlayerSettings
from engine.midi import NOTE_OFF, NOTE_ON
from engine.pipeline import ListSource, run
from engine.schedule import SchedulerConfig
from engine.state import BeatGrid
from engine.theory import pitch_class, tonic_name

# Evidence of a beat that counts fully in the per-beat chord filter: two notes sounding through the beat at
# full velocity; less counts proportionally less (chosen on POP909 dev pieces: bench/README.md, history).
FULL_BEAT = 2.0
DECISION_LATENCY = {"beats": 0.0, "keys": 0.0, "chords": 0.06}   # s after the evidence, online mode
CONFIDENCE_EVERY = 0.1   # s between the samples of the listener's confidences (for the --plot picture)


@dataclass
class Analysis:
    """What `aqyn analyze` reports (DESIGN.md's JSON contract): times in seconds of the input file;
    `keys`, `tempo` and `chords` are change points, each holding until the next. `confidence` (not in the
    JSON: the picture's) samples the listener every CONFIDENCE_EVERY s as (time s, key, beat, meter), 0..1;
    `sections` (not in the JSON) the meters heard in order as (start s, meter): MeterHeard.sections."""

    file: str
    duration: float
    mode: str
    key: dict | None = None
    keys: list[dict] = field(default_factory=list)
    tempo: list[dict] = field(default_factory=list)
    beats: list[float] = field(default_factory=list)
    downbeats: list[float] = field(default_factory=list)
    meter: str | None = None
    chords: list[dict] = field(default_factory=list)
    confidence: list[tuple[float, float, float, float]] = field(default_factory=list)
    sections: list[tuple[float, str]] = field(default_factory=list)

    def meter_said(self) -> str | None:
        """The take's meter for people: `meter` (the one heard longest), or its sections in order when it changed
        for SECTION s or more ("5/8, then 3/4 from 83.2 s"); None when no meter was heard."""
        if len(self.sections) < 2:
            return self.meter
        first, *rest = self.sections
        return ", ".join([first[1], *(f"then {meter} from {start:.1f} s" for start, meter in rest)])

    def key_at(self, time: float) -> tuple[int, str] | None:
        """The key heard at `time` (s) as (tonic pitch class, mode): the last of `keys` at or before it (the first
        before the first change), else `key`; None when no key was heard."""
        heard = next((k for k in reversed(self.keys) if k["time"] <= time), self.keys[0] if self.keys else self.key)
        return None if heard is None else (pitch_class(heard["tonic"]), heard["mode"])

    def to_json(self) -> dict:
        """The analysis as the documented JSON object (times rounded to milliseconds)."""
        r = lambda x: round(float(x), 3)  # noqa: E731
        return {
            "file": self.file, "duration": r(self.duration), "mode": self.mode,
            "key": self.key, "keys": self.keys, "tempo": self.tempo,
            "beats": [r(b) for b in self.beats], "downbeats": [r(b) for b in self.downbeats],
            "meter": self.meter, "chords": self.chords,
        }


def _key_entry(time: float, tonic: int, mode: str, confidence: float) -> dict:
    return {"time": round(time, 3), "tonic": tonic_name(tonic, mode), "mode": mode,
            "confidence": round(confidence, 2)}


class OnlineAnalysis:
    """Watches a listener tick by tick (driven by `engine.pipeline.run`) and notes what it knew when: key
    and chord changes, tempo changes, and the beats as the band would have committed them, `lookahead`
    seconds ahead. The beats stop when the guitar has been silent for a bar and a beat."""

    def __init__(self, config: ListenerConfig | None, lookahead: float, duration: float):
        self.listener = Listener(config)
        self.lookahead = lookahead
        self.result = Analysis(file="", duration=duration, mode="online")
        self._planned: int | None = None
        self._last_key = self._last_bpm = self._last_chord = None
        self._next_sample = 0.0

    def feed(self, item: TimedInput) -> None:
        """Guitar MIDI to the listener; a count-in as taps."""
        if isinstance(item, CountIn):
            self.listener.count_in(item)
        elif isinstance(item, InputMessage):
            self.listener.feed(item)

    def tick(self, now: float) -> None:
        """Listen up to `now` (s) and note the changes."""
        listener, a = self.listener, self.result
        decided = listener.update(now)
        if now >= self._next_sample:
            self._next_sample = now + CONFIDENCE_EVERY - 1e-9
            b = listener.beat
            a.confidence.append((now, listener.key.confidence, b.confidence, b.meter_confidence))
        k = listener.key.written
        if k is not None and k != self._last_key:
            self._last_key = k
            a.keys.append(_key_entry(now, k[0], k[1], listener.key.confidence))
        # A chord changes at a strum, or ends in silence (Listener: QUIET) between strums.
        if (decided or self._last_chord is not None) and listener.chord_label != self._last_chord:
            self._last_chord = listener.chord_label
            a.chords.append({"time": round(now, 3), "label": self._last_chord})
        b = listener.beat
        if b.period is None:
            return
        locked = b.confidence >= listener.config.beat_lock
        if locked:
            bpm = b.bpm
            if self._last_bpm is None or abs(bpm / self._last_bpm - 1) > 0.01:
                self._last_bpm = bpm
                a.tempo.append({"time": round(now, 3), "bpm": round(bpm, 1)})
        # As the band: it comes in at a lock, then keeps to the grid while the guitar plays, sure or not.
        if locked or self._planned is not None:
            self._beats(now, listener.grid(), listener.last_onset)

    def _beats(self, now: float, grid: BeatGrid, last_onset: float | None) -> None:
        a = self.result
        if last_onset is None or now - last_onset > (grid.beats_per_bar + 1) * grid.period:
            self._planned = None    # the guitar stopped: no beats are predicted into silence
            return
        horizon = grid.beat_at(now + self.lookahead)
        if self._planned is None:
            self._planned = math.floor(horizon)
        while self._planned + 1 <= horizon:
            self._planned += 1
            for position, bar_start in grid.group_starts(self._planned):    # aqsaq: its groups' starts
                t = grid.seconds_at(position)
                if t < now:
                    continue        # already past (the beat was not sure while it was ahead): never committed
                if not a.beats or t > a.beats[-1] + 0.25 * grid.period:
                    a.beats.append(t)
                    if bar_start:
                        a.downbeats.append(t)

    def finish(self) -> tuple[Analysis, Listener]:
        """The analysis, with the take's meter (the one heard longest: `Listener.take_meter`) and the key at the
        end."""
        a, listener = self.result, self.listener
        heard = listener.take_meter()
        a.meter = heard[0] if heard else listener.beat.meter
        a.sections = listener.heard.sections()
        if listener.key.written is not None:
            tonic, mode = listener.key.written
            a.key = {"tonic": tonic_name(tonic, mode), "mode": mode, "confidence": round(listener.key.confidence, 2)}
        return a, listener


def run_online(messages: Sequence[TimedInput], config: ListenerConfig | None = None,
               lookahead: float = SchedulerConfig.lookahead, tail: float = 2.0) -> tuple[Analysis, Listener]:
    """What the live listener knew when, over `messages` (time-ordered; a `CountIn` among them counts),
    on the engine's tick grid up to `tail` seconds after the last message."""
    guitar = [m for m in messages if isinstance(m, InputMessage)]
    duration = guitar[-1].time if guitar else 0.0
    watcher = OnlineAnalysis(config, lookahead, duration)
    run(watcher, ListSource(messages), VirtualClock(), until=duration + tail)
    return watcher.finish()


def run_offline(messages: list[InputMessage], config: ListenerConfig | None = None,
                extra: Sequence[TimedInput] = ()) -> Analysis:
    """Two passes: the first finds the tempo; the second tracks from the start with a prior at that tempo,
    fills the beats before it locked by stepping back at its first period, labels a chord per beat from
    the notes inside it, and takes the key of the whole piece. `extra`: inputs besides the guitar's
    messages (a count-in) for both passes."""
    inputs = sorted([*messages, *extra], key=input_order) if extra else messages
    first, _ = run_online(inputs, config)
    bpms = [t["bpm"] for t in first.tempo]
    cfg = config or ListenerConfig()
    if bpms:
        cfg = replace(cfg, bpm_prior=float(np.median(bpms)))
    # The second pass keeps all the key evidence, a tuning tail's or a second song's after a rest too: the key of
    # the whole file (with NEW_PIECE it took a tuning tail's plucks for the key: 8 sim2/sim3 takes, review21).
    cfg = replace(cfg, key_half_life=1e9, key_new_piece=math.inf)
    second, listener = run_online(inputs, cfg)
    a = Analysis(file="", duration=second.duration, mode="offline", meter=second.meter,
                 confidence=second.confidence, sections=second.sections)
    beats = list(second.beats)
    onsets = [m.time for m in messages if m.kind == NOTE_ON and m.data2 > 0]
    aqsaq = bool(listener.beat.aqsaq_groups)    # its beats are its groups' starts, unevenly spaced: kept as heard
    if len(beats) >= 2 and onsets and not aqsaq:
        period = beats[1] - beats[0]
        while beats[0] - period >= onsets[0] - 0.1 * period:
            beats.insert(0, beats[0] - period)
    a.beats = beats
    bpb = listener.beat.beats_per_bar
    if aqsaq:
        a.downbeats = list(second.downbeats)
    elif beats and second.downbeats:
        # The bar phase most of the second pass's downbeats agree with (the first one may predate the
        # tracker's settled meter and phase).
        votes = [0] * bpb
        for d in second.downbeats:
            j = int(np.argmin(np.abs(np.asarray(beats) - d)))
            if abs(beats[j] - d) < 0.1:
                votes[j % bpb] += 1
        phase = max(range(bpb), key=votes.__getitem__)
        a.downbeats = [b for j, b in enumerate(beats) if j % bpb == phase]
    # An aqsaq take's beats are its groups' starts (2 and 3 eighths): their intervals are no tempo, so its
    # tempo is the second pass's, per quarter (a 3-eighth group is 1.5), as the band writes it.
    a.tempo = _tempo_from_beats(beats) if len(beats) > 4 and not aqsaq else second.tempo
    a.key, a.keys = _whole_key(listener, messages[-1].time if messages else 0.0)
    a.chords = _chords_per_beat(messages, beats, listener.key.key, listener.key.confidence)
    return a


def _tempo_from_beats(beats: list[float], window: int = 4) -> list[dict]:
    """Tempo change points (over 1 %) from the median of each `window` beat intervals."""
    ibi = np.diff(beats)
    out: list[dict] = []
    for i in range(len(ibi)):
        bpm = 60 / float(np.median(ibi[max(0, i - window + 1): i + 1]))
        if not out or abs(bpm / out[-1]["bpm"] - 1) > 0.01:
            out.append({"time": round(beats[i], 3), "bpm": round(bpm, 1)})
    return out


def _whole_key(listener: Listener, end: float) -> tuple[dict | None, list[dict]]:
    """The best-scoring key of the whole piece, from a listener whose key evidence never fades (so the notes
    are the conditioned ones: ghosts and glitches dropped, bass from the strings, metric weights)."""
    k = listener.key
    k.update(end)
    if k.key is None:
        return None, []
    _, ranked = k.scores()
    score, tonic, mode = ranked[0]
    tonic, mode = k.name(tonic, mode)     # a blues as a lead sheet writes it, in major
    entry = _key_entry(0.0, tonic, mode, k.confidence)
    return {"tonic": entry["tonic"], "mode": mode, "confidence": entry["confidence"]}, [entry]


def _chords_per_beat(messages: list[InputMessage], beats: list[float], key, key_confidence: float = 1.0) -> list[dict]:
    """A label per beat from the notes sounding in it (duration-weighted, high notes less), through a forward
    filter over beats (ChordFilter) in which a beat with little evidence counts less, consecutive repeats
    merged. Each label uses only notes up to its beat's end. Notes before the first beat are labelled too,
    on beats stepped back from it at its period (the first of them may start at the first note). A bare fifth
    among chords voiced with thirds is the key's triad, as online (ChordTracker.triads; `key_confidence` 0..1)."""
    if len(beats) < 2:
        return []
    notes = note_spans(messages)
    onsets = [m.time for m in messages if m.kind == NOTE_ON and m.data2 > 0]
    beats = list(beats)
    period = beats[1] - beats[0]
    if onsets:
        while beats[0] - period >= onsets[0] - 0.5 * period:
            beats.insert(0, beats[0] - period)
        if onsets[0] < beats[0] - 0.05:
            beats.insert(0, onsets[0])
    edges = np.array(beats + [beats[-1] + (beats[-1] - beats[-2])])
    tracker = ChordTracker(outside=0.5, bass_fresh=0.3)
    chords = ChordFilter()
    out: list[dict] = []
    j = 0
    for s, e in zip(edges[:-1], edges[1:]):
        while j < len(notes) and notes[j][1] < s:
            j += 1
        chroma = np.zeros(12)
        low = None
        for a, b, p, v in notes[j:j + 64]:
            if a < e and b > s:
                chroma[p % 12] += (min(b, e) - max(a, s)) / (e - s) * v / 127 * note_weight(p)
                low = p if low is None or p < low else low
        bass = low % 12 if low is not None and low < 60 else None
        energy = chroma.sum()
        if energy < 0.05:
            label = "N"
        else:
            # A thin beat (a few melody notes, a held chord's tail) is weaker evidence than a full one.
            weight = min(1.0, energy / FULL_BEAT)
            triad = tracker.triads(float(s), key, key_confidence)
            label = chords.step(tracker.scores(chroma, bass, True, key, triad), weight)
            tracker.voiced(float(s), chroma, chords.current)
        if not out or out[-1]["label"] != label:
            out.append({"time": round(float(s), 3), "label": label})
    return out


def note_spans(messages: list[InputMessage]) -> list[tuple[float, float, int, int]]:
    """The notes of a message stream as (start, end, pitch, velocity), sorted by end (so a sweep can skip
    finished notes); notes still held at the last message end there."""
    held: dict[tuple[int, int], tuple[float, int]] = {}
    out = []
    for m in messages:
        key = (m.channel, m.data1)
        if m.kind == NOTE_ON and m.data2 > 0:
            held[key] = (m.time, m.data2)
        elif m.kind in (NOTE_OFF, NOTE_ON) and key in held:
            start, vel = held.pop(key)
            out.append((start, m.time, m.data1, vel))
    end = messages[-1].time if messages else 0.0
    out += [(start, end, key[1], vel) for key, (start, vel) in held.items()]
    out.sort(key=lambda x: x[1])
    return out


def analyze(path: str | Path, offline: bool = False, config: ListenerConfig | None = None,
            player: PlayerSettings | None = None) -> Analysis:
    """Key, tempo, beats, downbeats, meter and chords of the guitar file at `path`, as `aqyn analyze` prints
    them: online (what the live listener knew when) or `offline` (the whole file, two passes). `player`: the
    player's settings (converter latency, channels, tempo, count-in). Raises InputFileError."""
    guitar = read_guitar_file(path)
    guitar.check_heard(player.channels if player else None)
    a = analyze_guitar(guitar, offline, config, player)
    a.file = str(path)        # as the user named it
    return a


def analyze_guitar(guitar: GuitarFile, offline: bool = False, config: ListenerConfig | None = None,
                   player: PlayerSettings | None = None) -> Analysis:
    """`analyze` of a guitar file already read (`engine.io.midi_input.read_guitar_file`)."""
    player = player or PlayerSettings()
    config = player.listener_config(config)
    count_in = player.count_in_before(guitar.first_onset, 4)
    extra = [count_in] if count_in is not None else []
    if offline:
        a = run_offline(guitar.messages, config, extra)
    else:
        a, _ = run_online(sorted([*guitar.messages, *extra], key=input_order), config)
    a.file = str(guitar.path)
    a.duration = guitar.duration
    return a
