"""The arranger: a style's sections, voiced for the current key, chord and intensity, as planned notes.

`query(begin, end, state)` returns the notes whose grid position lies in [begin, end) (beats counted on the
listener's beat count). Which section a bar plays is decided by the `Form` once, when the bar is first
reached, from the conditions of that moment (`pause`, cues, intensity); every random choice depends only
on seed, bar and step (or seed and phrase), so the notes do not depend on how time is sliced into queries.

How each dombra stroke sounds is in engine/arrange/strokes.py; a body tap (T) knocks on the drum channel.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass
from fractions import Fraction

from engine.arrange.band import DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DRUM_CHANNEL
from engine.arrange.dombra import Chord, Dombra, invented_thirds, tune
from engine.arrange.form import OUT, BarPlan, Form
from engine.arrange.patterns import BODY_TAP_NOTE, Part, Step, Style
from engine.arrange.strokes import Stroke, spread_range, voice
from engine.events import DOMBRA, PERCUSSION
from engine.state import MusicalState

LAYER_LEVEL = 0.85        # the layer's velocity relative to the body
DRUM_LENGTH = 0.12
MOTIF_LENGTH = 8
MELODIC = "DUPH"          # strokes whose high string may carry the melody motif


@dataclass(frozen=True, slots=True)
class Planned:
    """A note the band will play: at beat `position` plus `offset` seconds (strum spread, humanising)."""

    position: Fraction
    offset: float
    duration: float
    channel: int
    pitch: int
    velocity: int
    part: str


@dataclass(frozen=True, slots=True)
class _Item:
    voice: int            # stable number of the part (for random streams)
    step: Step
    part: Part
    gap: int              # steps to the part's next stroke in this bar (cyclic)
    melodic: int          # index of this stroke among the bar's melodic strokes, -1 if none

# A sparse bar (the player soft and sparse) is also played softer: its strokes are the bar's accented ones,
# so without this the band's mean velocity hardly fell when the guitar's fell by two thirds
# (../shared/cases/bug-reports/d-dorian-soft-middle.mid: 8 % softer per stroke).
SPARSE_DYN = 0.75


def intensity_from(state: MusicalState) -> float:
    """How intense the player is, 0..1, from loudness alone (when the caller has no density figure)."""
    return min(1.0, max(0.0, (state.loudness - 40.0) / 70.0))


def _voice(name: str) -> int:
    return zlib.crc32(name.encode()) & 0xFFFF


def _items(chosen: list[tuple[Part, tuple[Step, ...]]], steps_per_bar: int) -> dict[int, list[_Item]]:
    """The chosen parts' steps by step index, each with its gap (steps to the dombra's next stroke, cyclic;
    a bar for drums) and its number among the bar's melodic strokes; dombra first, then drums in file order."""
    items: dict[int, list[_Item]] = {}
    n = steps_per_bar
    strokes = sorted(s.index for part, steps in chosen if part.is_dombra for s in steps if s.symbol != "T")
    melodic = 0
    for part, steps in chosen:
        for s in steps:
            gap = n
            if part.is_dombra:
                later = [i for i in strokes if i > s.index]
                gap = (later[0] - s.index) if later else (strokes[0] + n - s.index if strokes else n)
            mel = -1
            if part.is_dombra and s.symbol in MELODIC:
                mel, melodic = melodic, melodic + 1
            items.setdefault(s.index, []).append(_Item(_voice(part.name), s, part, max(1, gap), mel))
    for lst in items.values():     # dombra first, then drums in file order: a stable, readable order
        lst.sort(key=lambda it: not it.part.is_dombra)
    return items


@dataclass(frozen=True, slots=True)
class _Voicing:
    """What one query plays by: intensity (0..1), step length (s), velocity scale, the tuned dombra (None
    without a key) and the chord heard."""

    intensity: float
    step_len: float
    dyn: float
    dombra: Dombra | None
    chord: Chord | None


class Arranger:
    """A style played from listener beat `start`: `query(begin, end, state)` gives the `Planned` notes in
    [begin, end) beats. Bars are decided by a `Form` (cues, `pause`, intensity 0..1); random choices come
    from `seed` (an int) with bar, step and voice. `tuning` overrides the style's; `intro=False` enters on
    `main` ("main_a" or "main_b")."""

    def __init__(self, style: Style, seed: int, start: int | Fraction, tuning: str | None = None,
                 intro: bool = True, main: str = "main_a", group: int = 1):
        """`start` is the listener beat on which the band's first bar begins; `group` bars of the style make
        one of the player's (phrases, fills and the register's climb are counted in the player's bars)."""
        self.style = style
        self.seed = seed
        self.start = Fraction(start)
        self.start_f = float(self.start)          # for the per-tick window arithmetic (floats are fast)
        self.tuning = tuning or style.tuning
        self.group = group
        self.form = Form(style, intro=intro, main=main, group=group)
        self.plans: list[BarPlan] = []
        self.pause = False                        # the guitar is pausing: the next bars decided are a break
        self.rests: set[int] = set()              # bars a stop-time break of the player's ends (offline): no fill
        self.finished_at: Fraction | None = None  # where the ending's last bar ends, once decided
        self._items: dict[int, dict[int, list[_Item]]] = {}
        self._motifs: dict[int, tuple[int, ...]] = {}
        self._masks: dict[tuple[int, int], frozenset[int]] = {}
        n = style.steps_per_beat
        self._swing = Fraction(style.swing).limit_denominator(100) / n if style.swing else Fraction(0)

    # ---- bars ----------------------------------------------------------------------------------------
    def bar_start(self, bar: int) -> Fraction:
        """The listener beat (exact) on which bar `bar` begins, bars counted from 0 at `start`."""
        return self.start + bar * self.style.beats_per_bar

    def bar_at(self, position: float) -> int:
        """The bar (from 0 at `start`; negative before it) in which listener beat `position` falls."""
        return math.floor((Fraction(position) - self.start) / self.style.beats_per_bar)

    def players_bar_after(self, position: float) -> int:
        """The first bar after the one listener beat `position` falls in that begins one of the player's bars:
        its number a multiple of `group` (a 2/4 style's bars pair into the player's 4/4 from `start`, as the
        scheduler's bar lines count them). Rejoining the player on the bar between put the band on their beat 3."""
        bar = self.bar_at(position) + 1
        return bar + -bar % self.group

    @property
    def decided(self) -> int:
        """How many bars the form has decided (the next bar decided is this one)."""
        return len(self.plans)

    def cue(self, action: str) -> None:
        """'fill', 'next' or 'ending', taking effect at the next bar decided."""
        self.form.cue(action)

    def plan(self, bar: int, intensity: float = 0.5) -> BarPlan:
        """The `BarPlan` of bar `bar` (from 0 at `start`). Bars not yet decided are decided in order up to it by
        the `Form`, with the current `pause` and `intensity` (0..1) and whether the bar is one of `rests`, and never
        revised; deciding the ending's last bar sets `finished_at`."""
        while len(self.plans) <= bar:
            p = self.form.next_bar(self.pause, intensity, len(self.plans) in self.rests)
            self.plans.append(p)
            if p.last and self.finished_at is None:
                self.finished_at = self.bar_start(p.bar + 1)
        return self.plans[bar]

    # ---- the notes ----------------------------------------------------------------------------------
    def query(self, begin: float, end: float, state: MusicalState, chord: Chord | None = None,
              intensity: float | None = None) -> list[Planned]:
        """The `Planned` notes of the grid steps in [begin, end) listener beats (a swung step is found by its
        grid position; its note's `position` carries the swing), voiced for the state's key, tempo (BPM) and
        loudness. `chord` ((root pitch class 0..11, quality), None: none heard) moves the dombra's position;
        `intensity` (0..1, default `intensity_from(state)`) gates chance steps and parts with a `min_intensity`
        and is handed to `plan`, which decides the bars up to `end`. [] when `end <= begin` or the state has no
        tempo yet; the percussion alone while it has no key (a band started before the guitar)."""
        style = self.style
        if end <= begin or state.bpm is None:
            return []
        spb = style.steps_per_beat
        first = max(0, math.ceil((begin - self.start_f) * spb - 1e-9))
        last = math.ceil((end - self.start_f) * spb - 1e-9)
        if last <= first:
            return []
        if intensity is None:
            intensity = intensity_from(state)
        step_len = 60.0 / state.bpm / spb     # seconds
        dyn = min(1.1, max(0.6, 0.55 + 0.5 * state.loudness / 100))
        dombra = None if state.tonic is None else tune(state.tonic, state.mode, self.tuning)
        out: list[Planned] = []
        n = style.steps_per_bar
        voicing = _Voicing(intensity, step_len, dyn, dombra, chord)
        for k in range(first, last):
            bar, index = divmod(k, n)
            plan = self.plan(bar, intensity)
            if plan.section == OUT:
                continue
            pos = self.start + Fraction(k, spb) + (self._swing if index % 2 else 0)
            for item in self._bar_items(plan).get(index, ()):
                self._play(out, pos, plan, index, item, voicing)
        return out

    def _play(self, out: list[Planned], pos: Fraction, plan: BarPlan, index: int, item: _Item,
              voicing: _Voicing) -> None:
        """One part's step at band beat `pos`: its notes into `out`, unless the intensity leaves it out."""
        part, step = item.part, item.step
        if part.min_intensity > voicing.intensity:
            return
        rng = self._rng(plan.bar, index, item.voice)
        if step.chance < 1 and rng.random() >= min(1.0, step.chance * (0.5 + voicing.intensity)):
            return
        dyn = voicing.dyn * (SPARSE_DYN if plan.sparse else 1.0)
        if part.is_dombra:
            if voicing.dombra is not None:
                self._dombra(out, pos, plan, item, rng, voicing.step_len, dyn, voicing.dombra, voicing.chord)
            return
        offset = self._jitter(rng)
        for note, boost in part.notes:
            out.append(Planned(pos, offset, DRUM_LENGTH, DRUM_CHANNEL, note,
                               self._velocity(rng, (step.velocity + boost) * dyn), PERCUSSION))

    def _rng(self, *keys: int) -> random.Random:
        x = self.seed & 0xFFFFFFFF
        for k in keys:
            x = (x * 1_000_003 + (k & 0xFFFFFFFF) + 0x9E3779B9) % (1 << 61)
        return random.Random(x)

    def _bar_items(self, plan: BarPlan) -> dict[int, list[_Item]]:
        """The bar's strokes and hits by step index (cached for the bars around now); in a sparse bar only
        those on the beats."""
        cached = self._items.get(plan.bar)
        if cached is not None:
            return cached
        chosen = self._chosen(plan)
        if plan.sparse:
            spb = self.style.steps_per_beat
            chosen = [(part, tuple(s for s in steps if s.index % spb == 0)) for part, steps in chosen]
        items = _items(chosen, self.style.steps_per_bar)
        self._items[plan.bar] = items
        if len(self._items) > 64:       # only the bars around now are ever asked for again
            for old in sorted(self._items)[:-32]:
                del self._items[old]
        return items

    def _chosen(self, plan: BarPlan) -> list[tuple[Part, tuple[Step, ...]]]:
        """The parts a bar plays and each part's steps in it: a half-bar fill plays the main section's bar up
        to `fill_from` and the fill's parts from there; other bars play their section's parts."""
        style = self.style
        chosen: list[tuple[Part, tuple[Step, ...]]] = []
        section = style.section(plan.section)
        if plan.section == "fill" and plan.fill_from > 0:
            main = style.section(plan.main)
            for part in main.parts:
                steps = self._bar_of(part, plan, plan.phrase_bar, main=True)
                chosen.append((part, tuple(s for s in steps if s.index < plan.fill_from)))
            for part in section.parts:
                steps = self._bar_of(part, plan, plan.occurrence, main=False)
                chosen.append((part, tuple(s for s in steps if s.index >= plan.fill_from)))
        else:
            is_main = plan.section.startswith("main")
            index = plan.occurrence if plan.section == "fill" else plan.section_bar
            for part in section.parts:
                chosen.append((part, self._bar_of(part, plan, index, main=is_main)))
        return chosen

    def _bar_of(self, part: Part, plan: BarPlan, index: int, main: bool) -> tuple[Step, ...]:
        b = index % len(part.bars)
        if part.alt is not None and self._use_alt(part, plan, main):
            return part.alt[b]
        return part.bars[b]

    def _use_alt(self, part: Part, plan: BarPlan, main: bool) -> bool:
        voice = _voice(part.name)
        if not main:
            return self._rng(plan.bar, voice, 11).random() < part.alt_chance
        return plan.phrase_bar in self._mask(plan.phrase, voice, part.alt_chance)

    def _mask(self, phrase: int, voice: int, chance: float) -> frozenset[int]:
        """The bars of a phrase that play a part's alternative; never the previous phrase's set (unless
        the style allows repeats), so two consecutive phrases differ."""
        key = (phrase, voice)
        if key in self._masks:
            return self._masks[key]
        size = self.style.variation.phrase * self.group
        prev = self._mask(phrase - 1, voice, chance) if phrase > 0 and not self.style.variation.repeat else None
        mask = frozenset()
        for attempt in range(8):
            rng = self._rng(phrase, voice, 13, attempt)
            mask = frozenset(b for b in range(size) if rng.random() < chance)
            if mask != prev:
                break
        if mask == prev:   # a chance of 0 or 1 leaves one choice: vary a single bar instead
            mask = mask ^ {self._rng(phrase, voice, 17).randrange(size)}
        self._masks[key] = mask
        return mask

    def _motif(self, phrase: int) -> tuple[int, ...]:
        """A melody motif for a phrase: scale steps relative to the position's high note, a seeded walk that
        returns home; different from the previous phrase's motif unless the style allows repeats."""
        if phrase in self._motifs:
            return self._motifs[phrase]
        prev = self._motif(phrase - 1) if phrase > 0 and not self.style.variation.repeat else None
        motif: tuple[int, ...] = ()
        for attempt in range(8):
            rng = self._rng(phrase, 23, attempt)
            walk, x = [], 0
            for i in range(MOTIF_LENGTH):
                if i == MOTIF_LENGTH - 1:
                    x = 0
                elif i:
                    x = max(-2, min(4, x + rng.choice((-2, -1, -1, 1, 1, 2))))
                walk.append(x)
            motif = tuple(walk)
            if motif != prev:
                break
        self._motifs[phrase] = motif
        return motif

    def _melody(self, dombra: Dombra, anchor: int, plan: BarPlan, k: int, chord: Chord | None) -> int:
        """The melody-string note for the k-th melodic stroke of the bar: the phrase's motif around the
        position's high note, on the mode's scale (without a third the chord heard lacks), within the high
        string's 19 frets."""
        notes = dombra.melody_notes(chord)
        home = min(range(len(notes)), key=lambda i: (abs(notes[i] - anchor), notes[i]))
        motif = self._motif(plan.phrase)
        step = motif[(plan.phrase_bar * 3 + k) % len(motif)]
        return notes[max(0, min(len(notes) - 1, home + step))]

    def _dombra(self, out: list[Planned], pos: Fraction, plan: BarPlan, item: _Item, rng: random.Random,
                step_len: float, dyn: float, dombra: Dombra, chord: Chord | None) -> None:
        """Append the notes of one dombra stroke (both channels), or a body tap on the drum channel."""
        step = item.step
        sym = step.symbol
        vel = step.velocity * dyn
        base = self._jitter(rng)
        if sym == "T":                 # tyrnama: a knock on the body, on the drum channel
            out.append(Planned(pos, base, 0.05, DRUM_CHANNEL, BODY_TAP_NOTE, self._velocity(rng, vel * 0.8),
                               PERCUSSION))
            return
        cadence = plan.last                # the last bar of the ending: the open dyad, as a kui ends, unless
        open_ok = (not invented_thirds(chord) & {dombra.low % 12, dombra.high % 12}    # a third the chord lacks
                   and (chord is None or not dombra.clashes(chord)))   # or a rub: C3-F3 under C major, a sus4
        low, high = dombra.dyad(None if cadence and open_ok else chord, 0 if cadence else plan.level)
        spread = rng.uniform(*spread_range(step_len))
        melody = self._melody(dombra, high, plan, item.melodic, chord) if item.melodic >= 0 else high
        stroke = Stroke(sym, low, high, melody, vel, item.gap * step_len, spread, self.style.variation.melody,
                        cadence, self.style.ring)
        for offset, duration, pitch, v in voice(stroke, dombra, rng, chord):
            velocity = self._velocity(rng, v)
            out.append(Planned(pos, base + offset, max(0.03, duration), DOMBRA_CHANNEL, pitch, velocity, DOMBRA))
            out.append(Planned(pos, base + offset, max(0.03, duration), DOMBRA_LAYER_CHANNEL, pitch,
                               max(1, round(velocity * LAYER_LEVEL)), DOMBRA))

    def _jitter(self, rng: random.Random) -> float:
        sigma = self.style.humanize_ms / 1000
        return max(-2 * sigma, min(2 * sigma, rng.gauss(0.0, sigma))) if sigma else 0.0

    def _velocity(self, rng: random.Random, v: float) -> int:
        h = self.style.humanize_velocity
        return max(1, min(127, round(v + (rng.randint(-h, h) if h else 0))))
