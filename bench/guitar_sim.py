"""Guitar simulator: annotated symbolic music -> what a pickup converter (Roland GK/GR, Fishman TriplePlay...)
would send, for accuracy benchmarks.

    sim = GuitarSimulator(SimConfig(seed=1))
    messages, warp = sim.run(notes, beats=truth_beats)      # or simulate(notes, config)
    print(sim.counts.as_dict())

What it models (see ../shared/DOMAIN.md section 5):
- notes go onto strings as a guitarist would play them (standard tuning, frets 0-19, one note per string
  at a time, chords low to high across strings with a playable fret span, low positions preferred);
- one MIDI channel per string (channel 0 = high E ... channel 5 = low E), or everything on channel 0 (poly);
- strums: a chord's notes spread 10-40 ms in stroke direction (down = low string first);
- pluck -> note-on latency 20-40 ms (low strings later) plus random jitter;
- ghost notes (2-8 ms, velocity 5-12, often an octave or a twelfth above) just before a real note;
- octave errors on the two low strings; short pitch-bend gestures; optional smooth tempo drift.

All times are seconds. Ground truth (beats, chords) lives at the pluck: warp it with the returned warp
(`warp_annotations`), never add latency to it.

    python bench/guitar_sim.py      # prints a small demo summary
"""

from __future__ import annotations

import itertools
import math
import random
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.events import InputMessage  # noqa: E402
from engine.theory import SCALES, pitch_class  # noqa: E402

# Strings are numbered by open pitch: string 0 = low E (40) ... string 5 = high E (64).
# MIDI channel of a string in per-string mode = 5 - string (channel 0 = high E, as converters send it).
OPEN = (40, 45, 50, 55, 59, 64)
FRETS = 19                  # highest usable fret
CHORD_WINDOW = 0.030        # s: notes starting within this of a group's first note form one chord
COMFORT_SPAN = 4            # frets: a chord shape wider than this costs extra
MAX_SPAN = 5                # frets: wider fretted shapes are not playable (notes get dropped instead)
MAX_SEARCH = 8              # notes: bigger clusters are thinned (bass, top, evenly spaced inner) first
STROKE_RESET = 1.0          # s: without beats, a chord after a gap this long starts a new down-stroke
MIN_GAP = 0.001             # s: smallest gap between two note-ons on one string/channel
TRUNCATE_REPORT = 0.050     # s: a real note cut shorter than this by its string's next note is counted
MIN_NOTE = 0.020            # s: shortest real note a converter reports
BEND_STEP = 0.010           # s: pitch-bend message spacing in a gesture
BEND_MIN_NOTE = 0.150       # s: notes shorter than this get no bend gesture

NOTE_OFF, NOTE_ON, PITCH_BEND = 0x80, 0x90, 0xE0
_ORDER = {NOTE_OFF: 0, PITCH_BEND: 1, NOTE_ON: 2}   # at equal times: offs, then bends, then ons


@dataclass(frozen=True)
class SimConfig:
    """How the simulated converter and player behave. Times in seconds, rates are probabilities per note."""

    latency: tuple[float, float] = (0.020, 0.040)  # pluck -> note-on; each string gets a slice, low E latest
    jitter: float = 0.030        # extra latency, uniform 0..jitter per note
    strum_spread: tuple[float, float] = (0.010, 0.040)  # first to last string of a strum, uniform per chord
    ghost_rate: float = 0.05     # short quiet ghost note just before a real note, same string
    octave_error_rate: float = 0.02  # notes on the two low strings reported an octave off
    drift: float = 0.0           # smooth tempo drift: local tempo stays within 1 +- drift (0 <= drift < 0.5)
    bend_rate: float = 0.02      # short pitch-bend gesture (bend-and-release or vibrato) inside a note
    seed: int = 0
    poly: bool = False           # True: every string on MIDI channel 0 (converter in poly mode)
    bend_range: int = 12         # semitones at full pitch-bend deflection

    def __post_init__(self) -> None:
        for name in ("latency", "strum_spread"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"{name} must be (low, high) seconds with 0 <= low <= high, got {(low, high)!r}")
        for name in ("ghost_rate", "octave_error_rate", "bend_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be 0..1, got {getattr(self, name)!r}")
        if not self.jitter >= 0:
            raise ValueError(f"jitter must be >= 0 seconds, got {self.jitter!r}")
        if not 0 <= self.drift < 0.5:
            raise ValueError(f"drift must be 0 <= drift < 0.5, got {self.drift!r}")
        if not 1 <= self.bend_range <= 48:
            raise ValueError(f"bend_range must be 1..48 semitones, got {self.bend_range!r}")


@dataclass
class SimCounts:
    """What the simulator did to the input (numbers of notes unless said otherwise)."""

    notes_in: int = 0            # input notes
    notes_out: int = 0           # real (non-ghost) notes sent
    dropped_empty: int = 0       # end <= start
    dropped_range: int = 0       # above the highest fret of the high E string
    dropped_chord: int = 0       # more notes than strings, or no playable shape for them
    dropped_merged: int = 0      # poly mode: same pitch on two strings within 1 ms, sent once
    shifted_octave: int = 0      # below E2, moved up by octaves into range
    truncated: int = 0           # real notes cut > TRUNCATE_REPORT s short by the next note on their string
    ghosts: int = 0              # ghost notes sent
    octave_errors: int = 0       # real notes sent an octave off
    octave_eligible: int = 0     # real notes on the two low strings (the octave-error population)
    bends: int = 0               # pitch-bend gestures
    bend_messages: int = 0       # pitch-bend messages
    chords: int = 0              # note groups of 2+ notes (strums)
    down_strokes: int = 0
    up_strokes: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class PlayedNote:
    """One note as the converter reports it. Times in seconds on the simulated timeline."""

    string: int                  # 0 = low E ... 5 = high E
    channel: int
    pitch: int                   # the pitch played
    reported: int                # the pitch sent (differs on octave errors and ghosts)
    velocity: int
    pluck: float                 # when the string was struck (warped, strum offset included)
    on: float                    # note-on time
    off: float                   # note-off time
    stroke: int = 0              # +1 down-strum, -1 up-strum, 0 single note
    ghost: bool = False
    octave_error: bool = False
    source: int = -1             # index of the input note (sorted order) it comes from


# ---------------------------------------------------------------------------------------------- time warp

@dataclass(frozen=True)
class DriftWarp:
    """Smooth monotonic time warp: w(t) = t + sum_i a_i P_i/(2 pi) (cos(phi_i) - cos(2 pi t/P_i + phi_i)).

    Its slope is 1 + sum_i a_i sin(...), within 1 +- sum(a_i) = 1 +- drift, so the local tempo drifts by at
    most that fraction; w(0) = 0. Accepts a float (seconds) or a numpy array of them."""

    amplitudes: tuple[float, ...] = ()
    periods: tuple[float, ...] = ()      # seconds
    phases: tuple[float, ...] = ()       # radians

    def __call__(self, t):
        x = np.asarray(t, dtype=float)
        y = x.copy()
        for a, p, ph in zip(self.amplitudes, self.periods, self.phases):
            y = y + a * p / (2 * math.pi) * (math.cos(ph) - np.cos(2 * math.pi * x / p + ph))
        return float(y) if y.ndim == 0 else y

    def slope(self, t: float) -> float:
        """dw/dt at t (dimensionless)."""
        return 1 + sum(a * math.sin(2 * math.pi * t / p + ph)
                       for a, p, ph in zip(self.amplitudes, self.periods, self.phases))


def make_warp(drift: float, rng: random.Random) -> DriftWarp:
    """A slow drift (a 30-90 s swell plus a weaker 8-20 s one) whose slopes stay within 1 +- drift."""
    if drift == 0:
        return DriftWarp()
    periods = (rng.uniform(30, 90), rng.uniform(8, 20))
    phases = (rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi))
    return DriftWarp((0.7 * drift, 0.3 * drift), periods, phases)


def warp_annotations(annotations: dict, warp: Callable[[float], float]) -> dict:
    """A copy of `annotations` (as made by generated_progression or examples/*.json) with beat, downbeat,
    chord and end times (seconds) mapped through `warp`."""
    out = dict(annotations)
    for key in ("beats", "downbeats"):
        if key in out:
            out[key] = [warp(t) for t in out[key]]
    if "chords" in out:
        out["chords"] = [{**c, "time": warp(c["time"])} for c in out["chords"]]
    if "end" in out:
        out["end"] = warp(out["end"])
    return out


# ------------------------------------------------------------------------------------- input clean-up

def _clean(notes: Iterable[Sequence], counts: SimCounts) -> list[tuple[float, float, int, int]]:
    """Validate (start_s, end_s, pitch, velocity) tuples, drop empty and too-high notes, move notes below
    E2 up by octaves. Returns them sorted by (start, pitch, end, velocity)."""
    top = OPEN[-1] + FRETS
    out = []
    for start, end, pitch, velocity in notes:
        counts.notes_in += 1
        if not start >= 0:
            raise ValueError(f"note start must be >= 0 seconds, got {start!r}")
        if not (isinstance(pitch, (int, np.integer)) and 0 <= pitch <= 127):
            raise ValueError(f"note pitch must be an integer 0..127, got {pitch!r}")
        if not (isinstance(velocity, (int, np.integer)) and 1 <= velocity <= 127):
            raise ValueError(f"note velocity must be an integer 1..127, got {velocity!r}")
        if not end > start:
            counts.dropped_empty += 1
            continue
        if pitch > top:
            counts.dropped_range += 1
            continue
        if pitch < OPEN[0]:
            pitch += 12 * math.ceil((OPEN[0] - pitch) / 12)
            counts.shifted_octave += 1
        out.append((float(start), float(end), int(pitch), int(velocity)))
    out.sort()
    return out


def _group_onsets(notes: list[tuple[float, float, int, int]]) -> list[list[int]]:
    """Indices of `notes` (sorted by start) grouped into chords: starts within CHORD_WINDOW s of the
    group's first note."""
    groups: list[list[int]] = []
    for i, (start, *_rest) in enumerate(notes):
        if groups and start - notes[groups[-1][0]][0] <= CHORD_WINDOW:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


# ----------------------------------------------------------------------------------- string assignment

def fret_of(string: int, pitch: int) -> int | None:
    """Fret that sounds `pitch` on `string` (0 = low E), or None when out of 0..FRETS."""
    fret = pitch - OPEN[string]
    return fret if 0 <= fret <= FRETS else None


@dataclass
class _Hand:
    """The fretting hand's state between note groups (original timeline, seconds)."""

    position: int = 0                                     # lowest fretted fret of the last shape
    busy_until: list[float] = field(default_factory=lambda: [0.0] * 6)   # per string: end of its note


def _shape_cost(strings: tuple[int, ...], frets: list[int], hand: _Hand, start: float) -> float | None:
    """Cost of playing frets on strings (both low to high) at `start` s; None when not playable."""
    fretted = [f for f in frets if f > 0]
    span = max(fretted) - min(fretted) if fretted else 0
    if span > MAX_SPAN:
        return None
    cost = 100.0 * max(0, span - COMFORT_SPAN)                       # outweighs all the rest
    cost += 1.0 * (max(fretted) if fretted else 0)                     # low positions
    if fretted:
        cost += 0.5 * abs(min(fretted) - hand.position)                # little hand movement
    cost += 2.0 * (strings[-1] - strings[0] + 1 - len(strings))        # strummable: no skipped strings
    cost += 4.0 * sum(hand.busy_until[s] > start + 0.05 for s in strings)  # don't cut ringing notes
    return cost


def _thin(pitches: list[int]) -> list[int]:
    """Indices of at most MAX_SEARCH notes to keep from an ascending cluster: bass, top, evenly spaced inner."""
    n = len(pitches)
    if n <= MAX_SEARCH:
        return list(range(n))
    return sorted({round(k * (n - 1) / (MAX_SEARCH - 1)) for k in range(MAX_SEARCH)})


def voice(pitches: list[int], hand: _Hand, start: float) -> tuple[list[int], tuple[int, ...]]:
    """Voice an ascending list of pitches onto strings, lowest note on the lowest string.

    Plays as many notes as possible (at most 6); among equally full voicings picks the cheapest shape,
    preferring to keep the bass and the top note. Returns (indices into pitches, strings) or ([], ())."""
    candidates = _thin(pitches)
    n = len(candidates)
    for k in range(min(n, 6), 0, -1):
        best: tuple[float, list[int], tuple[int, ...]] | None = None
        for keep in itertools.combinations(candidates, k):
            penalty = 5.0 * (candidates[0] not in keep) + 5.0 * (candidates[-1] not in keep)
            for strings in itertools.combinations(range(6), k):
                frets = [fret_of(s, pitches[i]) for s, i in zip(strings, keep)]
                if None in frets:
                    continue
                cost = _shape_cost(strings, frets, hand, start)
                if cost is not None and (best is None or cost + penalty < best[0]):
                    best = (cost + penalty, list(keep), strings)
        if best is not None:
            return best[1], best[2]
    return [], ()


# ------------------------------------------------------------------------------------------ the player

def _stroke_direction(start: float, beats: Sequence[float] | None, state: dict) -> int:
    """+1 (down) or -1 (up) for a chord at `start` s (original timeline).

    With beat times: down within 15 % of a beat period of a beat, up otherwise. Without: alternate, and
    start again with a down-stroke after a gap of STROKE_RESET s."""
    if beats is not None and len(beats) >= 2:
        j = min(max(bisect_left(beats, start), 1), len(beats) - 1)
        period = beats[j] - beats[j - 1]
        nearest = min(abs(start - beats[j - 1]), abs(start - beats[j]))
        return 1 if nearest <= 0.15 * period else -1
    last = state.get("time")
    direction = 1 if last is None or start - last > STROKE_RESET else -state["direction"]
    state.update(time=start, direction=direction)
    return direction


def _strum_offsets(strings: tuple[int, ...], direction: int, spread: float) -> list[float]:
    """Pluck offsets (s) of each string from the first one struck: proportional to the pick's travel
    across strings, `spread` s from first to last. direction +1 = down (low string first)."""
    if len(strings) < 2:
        return [0.0] * len(strings)
    first = strings[0] if direction > 0 else strings[-1]
    width = strings[-1] - strings[0]
    return [spread * abs(s - first) / width for s in strings]


def _latency(string: int, config: SimConfig, rng: random.Random) -> float:
    """Pluck -> note-on delay (s): string slice of config.latency (high E earliest, low E latest), uniform
    within it, plus uniform 0..jitter."""
    low, high = config.latency
    band = (5 - string + rng.random()) / 6
    return low + (high - low) * band + config.jitter * rng.random()


class GuitarSimulator:
    """Turns notes into converter messages. After `run`, `counts` says what it did and `played` lists
    every reported note (real and ghost) with its string, pluck and note-on/off times."""

    def __init__(self, config: SimConfig = SimConfig()) -> None:
        self.config = config
        self.counts = SimCounts()
        self.played: list[PlayedNote] = []

    def _rng(self, stream: str) -> random.Random:
        """Independent random stream per aspect, so changing one rate leaves the other aspects unchanged."""
        return random.Random(f"{self.config.seed}:{stream}")

    def run(self, notes: Iterable[Sequence], beats: Sequence[float] | None = None
            ) -> tuple[list[InputMessage], DriftWarp]:
        """notes: (start_s, end_s, pitch, velocity). beats: optional beat times (s, original timeline) to
        decide strum directions by metric position. Returns (time-ordered messages, time warp)."""
        self.counts = counts = SimCounts()
        clean = _clean(notes, counts)
        warp = make_warp(self.config.drift, self._rng("warp"))
        played = self._play(clean, sorted(beats) if beats is not None else None, warp)
        self._octave_errors(played)
        played = played + self._ghosts(played)
        self._resolve_strings(played)
        played = self._resolve_channels(played)
        bends = self._bends(played)
        self.played = sorted(played, key=lambda p: (p.on, p.channel, p.reported))
        counts.notes_out = sum(not p.ghost for p in played)
        counts.ghosts = sum(p.ghost for p in played)
        counts.octave_errors = sum(p.octave_error for p in played)
        counts.octave_eligible = sum(not p.ghost and p.string <= 1 for p in played)
        return _messages(played, bends), warp

    def _play(self, notes: list, beats: list[float] | None, warp: DriftWarp) -> list[PlayedNote]:
        """Voice each onset group, strum it and stamp plucks and note-on/off times."""
        counts, config = self.counts, self.config
        hand, stroke_state = _Hand(), {}
        strum_rng, lat_rng = self._rng("strum"), self._rng("latency")
        played: list[PlayedNote] = []
        for group in _group_onsets(notes):
            group.sort(key=lambda i: notes[i][2])
            start = min(notes[i][0] for i in group)
            kept, strings = voice([notes[i][2] for i in group], hand, start)
            counts.dropped_chord += len(group) - len(kept)
            direction, spread = 0, strum_rng.uniform(*config.strum_spread)
            if len(kept) > 1:
                direction = _stroke_direction(start, beats, stroke_state)
                counts.chords += 1
                counts.down_strokes += direction > 0
                counts.up_strokes += direction < 0
            t0 = warp(start)
            for k, string, offset in zip(kept, strings, _strum_offsets(strings, direction, spread)):
                i = group[k]
                _, end, pitch, velocity = notes[i]
                pluck = t0 + offset
                on = pluck + _latency(string, config, lat_rng)
                off = max(warp(end) + (on - pluck), on + MIN_NOTE)
                channel = 0 if config.poly else 5 - string
                played.append(PlayedNote(string, channel, pitch, pitch, velocity, pluck, on, off,
                                         stroke=direction, source=i))
                hand.busy_until[string] = end
            fretted = [fret_of(s, notes[group[k]][2]) for s, k in zip(strings, kept)]
            if any(fretted):
                hand.position = min(f for f in fretted if f)
        return played

    def _octave_errors(self, played: list[PlayedNote]) -> None:
        """Report some notes on the two low strings an octave off (mostly up, the second harmonic)."""
        rng = self._rng("octave")
        for p in played:
            hit, up = rng.random(), rng.random()
            if p.string <= 1 and hit < self.config.octave_error_rate:
                p.reported = p.pitch + 12 if up < 0.8 else p.pitch - 12
                p.octave_error = True

    def _ghosts(self, played: list[PlayedNote]) -> list[PlayedNote]:
        """Ghost notes: 2-8 ms, velocity 5-12, on the same string just before the real note-on (the pick
        attack read as a high note); pitch an octave above (50 %), a twelfth above (30 %) or 13-28 above."""
        rng = self._rng("ghost")
        ghosts = []
        for p in played:
            hit, kind, other = rng.random(), rng.random(), rng.randint(13, 28)
            length, gap, velocity = rng.uniform(0.002, 0.008), rng.uniform(0.001, 0.004), rng.randint(5, 12)
            if hit >= self.config.ghost_rate:
                continue
            pitch = p.pitch + (12 if kind < 0.5 else 19 if kind < 0.8 else other)
            if pitch > 127:
                continue
            on = max(p.pluck, p.on - gap - length)
            ghosts.append(PlayedNote(p.string, p.channel, p.pitch, pitch, velocity, p.pluck, on, on + length,
                                     stroke=p.stroke, ghost=True, source=p.source))
        return ghosts

    def _resolve_strings(self, played: list[PlayedNote]) -> None:
        """One note per string at a time: a new note-on ends the string's previous note first, and note-ons
        on one string keep their order at least MIN_GAP s apart."""
        for string in range(6):
            line = sorted((p for p in played if p.string == string), key=lambda p: (p.on, not p.ghost))
            for prev, cur in zip(line, line[1:]):
                if cur.on < prev.on + MIN_GAP:
                    cur.on = prev.on + MIN_GAP
                    cur.off = max(cur.off, cur.on + MIN_GAP)
                if prev.off > cur.on:
                    self.counts.truncated += not prev.ghost and prev.off - cur.on > TRUNCATE_REPORT
                    prev.off = cur.on

    def _resolve_channels(self, played: list[PlayedNote]) -> list[PlayedNote]:
        """Poly mode: two strings sending the same pitch on one channel. The later note-on ends the earlier
        note; one within MIN_GAP s of the other is dropped (sent once)."""
        kept: list[PlayedNote] = []
        line = sorted(played, key=lambda p: (p.channel, p.reported, p.on, p.ghost))
        for p in line:
            prev = kept[-1] if kept else None
            if prev and (prev.channel, prev.reported) == (p.channel, p.reported):
                if p.on - prev.on < MIN_GAP / 2:
                    self.counts.dropped_merged += not p.ghost
                    prev.off = max(prev.off, p.off)
                    continue
                prev.off = min(prev.off, p.on)
            kept.append(p)
        return kept

    def _bends(self, played: list[PlayedNote]) -> list[tuple[float, int, int]]:
        """Pitch-bend gestures inside some real notes, as (time s, channel, 14-bit value); each ends back at
        the centre (8192) before its note-off. Gestures on one channel never overlap."""
        rng, config = self._rng("bend"), self.config
        free_from = [0.0] * 16
        out: list[tuple[float, int, int]] = []
        for p in sorted(played, key=lambda p: (p.on, p.channel)):
            if p.ghost:
                continue
            hit, shape, amount, where, length = (rng.random(), rng.random(), rng.uniform(0.5, 2.0),
                                                  rng.uniform(0.1, 0.4), rng.uniform(0.08, 0.25))
            if hit >= config.bend_rate or p.off - p.on < BEND_MIN_NOTE or p.on < free_from[p.channel]:
                continue
            start = p.on + where * (p.off - p.on)
            length = min(length, p.off - 0.005 - start)
            if length < 3 * BEND_STEP:
                continue
            out += _bend_gesture(start, length, p.channel, amount, shape < 0.6, config.bend_range)
            free_from[p.channel] = p.off
            self.counts.bends += 1
        self.counts.bend_messages = len(out)
        return out


def _bend_gesture(start: float, length: float, channel: int, semitones: float, bend: bool,
                  bend_range: int) -> list[tuple[float, int, int]]:
    """(time s, channel, value) messages every BEND_STEP s over `length` s from `start` s: a bend up by
    `semitones` and back (bend=True) or a 5.5 Hz vibrato of a quarter of that depth; last value centred."""
    steps = max(3, int(length / BEND_STEP))
    out = []
    for k in range(steps + 1):
        x = k / steps
        semis = semitones * math.sin(math.pi * x) if bend else \
            0.25 * semitones * math.sin(math.pi * x) * math.sin(2 * math.pi * 5.5 * x * length)
        value = 8192 if k == steps else int(round(8192 + semis / bend_range * 8192))
        out.append((start + x * length, channel, max(0, min(16383, value))))
    return out


def _messages(played: list[PlayedNote], bends: list[tuple[float, int, int]]) -> list[InputMessage]:
    """All note-on/off and pitch-bend messages, sorted by time (offs before bends before ons at a tie)."""
    rows = []
    for p in played:
        rows.append((p.on, NOTE_ON | p.channel, p.reported, p.velocity))
        rows.append((p.off, NOTE_OFF | p.channel, p.reported, 0))
    for t, channel, value in bends:
        rows.append((t, PITCH_BEND | channel, value & 0x7F, value >> 7))
    rows.sort(key=lambda r: (r[0], _ORDER[r[1] & 0xF0], r[1] & 0x0F, r[2]))
    return [InputMessage(max(0.0, t), status, d1, d2) for t, status, d1, d2 in rows]


def simulate(notes: Iterable[Sequence], config: SimConfig = SimConfig(), beats: Sequence[float] | None = None
             ) -> tuple[list[InputMessage], Callable[[float], float]]:
    """notes: iterable of (start_s, end_s, pitch, velocity). Returns converter-like messages (time-ordered,
    one MIDI channel per string, channel 0 = high E ... channel 5 = low E; all on channel 0 with
    config.poly) and the time warp applied (original time s -> simulated time s; latency is not part of
    it). Use GuitarSimulator directly to read the counts."""
    return GuitarSimulator(config).run(notes, beats)


# ----------------------------------------------------------------------------- generated progressions

LETTERS = "CDEFGAB"
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}

# Four-bar phrases as scale degrees (0 = tonic); (degree, "maj") forces a major triad (minor's V).
PROGRESSIONS = {
    "major": [(0, 4, 5, 3), (0, 3, 4, 0), (0, 5, 3, 4), (5, 3, 0, 4)],
    "minor": [(0, 5, 6, 0), (0, 3, (4, "maj"), 0), (0, 6, 5, (4, "maj"))],
    "dorian": [(0, 3, 0, 6), (0, 3, 6, 0), (0, 1, 3, 0)],
    "mixolydian": [(0, 6, 3, 0), (0, 6, 0, 3), (0, 4, 3, 0)],
    "phrygian": [(0, 1, 0, 6), (0, 1, 6, 0)],
    "lydian": [(0, 1, 0, 4), (0, 1, 4, 0)],
}

# Strum patterns per bar: (position in beats, stroke). B = bass root, b = fifth above it, D = chord above
# the bass, U = top three notes. In 6/8 a beat is a dotted quarter (2 per bar).
PATTERNS = {
    "4/4": [[(0, "B"), (1, "D"), (1.5, "U"), (2, "b"), (2.5, "U"), (3, "D"), (3.5, "U")],
            [(0, "F"), (1, "D"), (1.5, "U"), (2.5, "U"), (3, "D"), (3.5, "U")]],
    "3/4": [[(0, "B"), (1, "D"), (2, "D"), (2.5, "U")],
            [(0, "F"), (1, "D"), (1.5, "U"), (2, "D"), (2.5, "U")]],
    "6/8": [[(0, "B"), (2 / 3, "U"), (1, "D"), (5 / 3, "U")],
            [(0, "F"), (1 / 3, "U"), (2 / 3, "U"), (1, "D"), (4 / 3, "U"), (5 / 3, "U")]],
}
BEATS_PER_BAR = {"4/4": 4, "3/4": 3, "6/8": 2}
VELOCITY = {"B": 100, "b": 90, "F": 100, "D": 88, "U": 64}
BASS_STROKES = ("B", "b")


def spell(tonic: str, degree: int, root_pc: int) -> str:
    """Name of a chord root `degree` steps above `tonic` on the letter scale, spelled to pitch class
    `root_pc` ('D', 3, 7 -> 'G'; 'F', 3, 10 -> 'Bb')."""
    letter = LETTERS[(LETTERS.index(tonic[0].upper()) + degree) % 7]
    delta = (root_pc - _NATURAL[letter] + 6) % 12 - 6
    return letter + ("#" * delta if delta > 0 else "b" * -delta)


def triad(tonic_pc: int, mode: str, step) -> tuple[int, str, int]:
    """(root pitch class, quality 'maj'/'min', degree) of the diatonic triad on `step` (a degree or
    (degree, 'maj')) of the mode. Raises ValueError on a diminished or augmented triad."""
    degree, force = (step, None) if isinstance(step, int) else step
    scale = SCALES[mode]
    root = scale[degree]
    third = (scale[(degree + 2) % 7] - root) % 12
    fifth = (scale[(degree + 4) % 7] - root) % 12
    if force == "maj":
        third, fifth = 4, 7
    if fifth != 7:
        raise ValueError(f"degree {degree} of {mode} is not a major or minor triad")
    return (tonic_pc + root) % 12, "maj" if third == 4 else "min", degree


def guitar_voicing(root_pc: int, quality: str) -> list[int]:
    """MIDI pitches of a barre-shape voicing, ascending: E shape (6 strings) for roots E..G#, A shape
    (5 strings) for roots A..D#."""
    bass = OPEN[0] + (root_pc - OPEN[0]) % 12
    third = 4 if quality == "maj" else 3
    shape = (0, 7, 12, 12 + third, 19, 24) if bass < OPEN[1] else (0, 7, 12, 12 + third, 19)
    return [bass + i for i in shape]


def _stroke_pitches(voicing: list[int], stroke: str) -> list[int]:
    """Which voicing notes a stroke plays (see PATTERNS)."""
    return {"B": voicing[:1], "b": voicing[1:2], "D": voicing[1:], "U": voicing[-3:], "F": voicing}[stroke]


def generated_progression(key: str = "D", mode: str = "dorian", bars: int = 16, bpm: float = 96.0,
                          meter: str = "4/4", seed: int = 0) -> tuple[list[tuple[float, float, int, int]], dict]:
    """A strummed chord progression (four-bar phrases of diatonic triads, ending on the tonic, one chord
    per bar, constant `bpm` beats per minute, starting at 0.5 s) and its ground truth.

    Returns (notes as (start_s, end_s, pitch, velocity), annotations) where annotations has key, meter,
    tempo, beats, downbeats, chords ([{'time', 'label'}], Harte labels like 'D:min') and end (s) in the
    format of examples/*.json. Chord notes are simultaneous: the simulator strums them."""
    if mode not in PROGRESSIONS:
        raise ValueError(f"mode must be one of {sorted(PROGRESSIONS)}, got {mode!r}")
    if meter not in PATTERNS:
        raise ValueError(f"meter must be one of {sorted(PATTERNS)}, got {meter!r}")
    if bars < 1 or not bpm > 0:
        raise ValueError(f"need bars >= 1 and bpm > 0, got bars={bars!r}, bpm={bpm!r}")
    rng = random.Random(f"{seed}:progression")
    tonic_pc, per_bar, period = pitch_class(key), BEATS_PER_BAR[meter], 60.0 / bpm
    beat = lambda pos: 0.5 + pos * period  # noqa: E731
    end = beat(bars * per_bar)
    chords = _bar_chords(key, tonic_pc, mode, bars, rng)
    cuts = _mute_times(chords, per_bar, beat, end)
    events = []    # (start s, stroke, bar)
    for bar in range(bars):
        pattern = [(0, "F")] if bar == bars - 1 else rng.choice(PATTERNS[meter])
        events += [(beat(bar * per_bar + pos), stroke, bar) for pos, stroke in pattern]
    notes = []
    for i, (start, stroke, bar) in enumerate(events):
        stop = _note_end(events, i, cuts[bar])
        root_pc, quality, _, _ = chords[bar]
        velocity = VELOCITY[stroke] * rng.uniform(0.9, 1.05)
        for pitch in _stroke_pitches(guitar_voicing(root_pc, quality), stroke):
            notes.append((start, stop, pitch, int(min(127, velocity))))
    beats = [beat(k) for k in range(bars * per_bar)]
    annotations = {
        "key": {"tonic": key, "mode": mode},
        "meter": meter,
        "tempo": {"start": bpm, "end": bpm, "median": bpm},
        "beats": beats,
        "downbeats": beats[::per_bar],
        "chords": [{"time": beat(b * per_bar), "label": chords[b][3]} for b in range(bars)],
        "end": end,
    }
    return notes, annotations


def _bar_chords(key: str, tonic_pc: int, mode: str, bars: int, rng: random.Random) -> list[tuple]:
    """One (root pc, quality, degree, Harte label) per bar: seeded four-bar phrases, last bar the tonic."""
    steps = []
    while len(steps) < bars:
        steps += list(rng.choice(PROGRESSIONS[mode]))
    steps = steps[:bars - 1] + [0]
    out = []
    for step in steps:
        root_pc, quality, degree = triad(tonic_pc, mode, step)
        out.append((root_pc, quality, degree, f"{spell(key, degree, root_pc)}:{quality}"))
    return out


def _mute_times(chords: list[tuple], per_bar: int, beat: Callable[[float], float], end: float) -> list[float]:
    """Per bar: when its notes are muted (s): 30 ms before the next bar with a different chord, else `end`."""
    cuts = [end] * len(chords)
    for bar in range(len(chords) - 2, -1, -1):
        changes = chords[bar + 1][3] != chords[bar][3]
        cuts[bar] = beat((bar + 1) * per_bar) - 0.03 if changes else cuts[bar + 1]
    return cuts


def _note_end(events: list, i: int, cut: float) -> float:
    """End (s) of the notes of event i: the next stroke of the same layer (bass or chord; a full strum
    counts as both), but no later than `cut` s."""
    start, stroke, _ = events[i]
    bass = stroke in BASS_STROKES
    for t, other, _ in events[i + 1:]:
        if (other in BASS_STROKES) == bass or other == "F":
            return max(start + MIN_NOTE, min(t - 0.01, cut))
    return max(start + MIN_NOTE, cut)


def _demo() -> None:
    """Print what the simulator does to a generated dorian progression."""
    notes, truth = generated_progression("D", "dorian", bars=32, bpm=96, meter="4/4", seed=1)
    sim = GuitarSimulator(SimConfig(drift=0.03, seed=1))
    messages, warp = sim.run(notes, beats=truth["beats"])
    print(f"{len(notes)} notes in, {len(messages)} messages out, last at {messages[-1].time:.2f} s "
          f"(beats end at {warp(truth['end']):.2f} s warped)")
    for name, value in sim.counts.as_dict().items():
        print(f"  {name:16s} {value}")


if __name__ == "__main__":
    _demo()
