"""The arranger: a style's grids, voiced for the current key and loudness, as planned notes in beats.

`query(begin, end, state)` returns the notes whose grid position lies in [begin, end) (beats counted on the
listener's beat count). It is a pure function of the span, the state and the seed: a random choice depends
only on seed, bar and step, so the result does not depend on how the time is sliced into queries.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction

from engine.arrange.dombra import open_strings, stroke_notes
from engine.arrange.patterns import Step, Style
from engine.events import DOMBRA, PERCUSSION
from engine.state import MusicalState

DOMBRA_CHANNEL = 6        # Nylon Guitar: the dombra's body
DOMBRA_LAYER_CHANNEL = 7  # Shamisen, quieter: the dombra's bright attack
DRUM_CHANNEL = 9
DOMBRA_PROGRAM = 24
DOMBRA_LAYER_PROGRAM = 106
MAX_RING = 0.28           # seconds: a dombra note is short, the nylon guitar's tail is not
CHOP = 0.06               # seconds: the muted chop (teris)
DRUM_LENGTH = 0.12


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


class Arranger:
    def __init__(self, style: Style, seed: int, start: int, tuning: str = "quartal"):
        """`start` is the listener beat on which the band's first bar begins."""
        self.style = style
        self.seed = seed
        self.start = start
        self.tuning = tuning
        # Steps to the next stroke of the dombra, cyclic, so a string stops ringing when it is struck again.
        n = style.steps_per_bar
        idx = [s.index for s in style.dombra]
        self._gap = {s.index: ((idx[(k + 1) % len(idx)] - s.index) % n or n) for k, s in enumerate(style.dombra)}
        # Step index in the bar -> what sounds there: (voice, step, drum note); voice 0 is the dombra.
        self._at: dict[int, list[tuple[int, Step, int]]] = {}
        for s in style.dombra:
            self._at.setdefault(s.index, []).append((0, s, 0))
        for v, drum in enumerate(style.drums, start=1):
            for s in drum.steps:
                self._at.setdefault(s.index, []).append((v, s, drum.note))

    def _rng(self, bar: int, step: int, voice: int) -> random.Random:
        return random.Random((self.seed << 40) ^ (bar << 16) ^ (step << 6) ^ voice)

    def query(self, begin: float, end: float, state: MusicalState) -> list[Planned]:
        style = self.style
        if end <= begin or state.tonic is None or state.bpm is None:
            return []
        spb = style.steps_per_beat
        # Grid steps (counted from the band's start) whose position lies in [begin, end).
        first = max(0, math.ceil((begin - self.start) * spb - 1e-9))
        last = math.ceil((end - self.start) * spb - 1e-9)
        if last <= first:
            return []
        step_len = 60.0 / state.bpm / spb     # seconds
        dyn = min(1.1, max(0.6, 0.55 + 0.5 * state.loudness / 100))
        low, high = open_strings(state.tonic, self.tuning)
        out: list[Planned] = []
        n = style.steps_per_bar
        for k in range(first, last):
            bar, index = divmod(k, n)
            hits = self._at.get(index)
            if not hits:
                continue
            pos = self.start + Fraction(k, spb)
            for voice, step, note in hits:
                if voice == 0:
                    self._dombra(out, pos, bar, step, low, high, step_len, dyn)
                else:
                    rng = self._rng(bar, index, voice)
                    out.append(Planned(pos, self._jitter(rng), DRUM_LENGTH, DRUM_CHANNEL, note,
                                       self._velocity(rng, step.velocity * dyn), PERCUSSION))
        return out

    def _dombra(self, out, pos, bar, step, low, high, step_len, dyn) -> None:
        rng = self._rng(bar, step.index, 0)
        pitches, soft = stroke_notes(step.symbol, low, high)
        ring = CHOP if step.symbol == "M" else min(MAX_RING, self._gap[step.index] * step_len - 0.01)
        spread = rng.uniform(0.010, 0.025) if step.symbol != "M" else rng.uniform(0.005, 0.012)
        base = self._jitter(rng)
        vel = step.velocity * soft * dyn
        for i, pitch in enumerate(pitches):
            offset = base + i * spread
            v = self._velocity(rng, vel * (0.92 if i else 1.0))
            dur = max(0.03, ring - i * spread)
            out.append(Planned(pos, offset, dur, DOMBRA_CHANNEL, pitch, v, DOMBRA))
            out.append(Planned(pos, offset, dur, DOMBRA_LAYER_CHANNEL, pitch, max(1, round(v * 0.85)), DOMBRA))

    def _jitter(self, rng: random.Random) -> float:
        sigma = self.style.humanize_ms / 1000
        return max(-2 * sigma, min(2 * sigma, rng.gauss(0.0, sigma))) if sigma else 0.0

    def _velocity(self, rng: random.Random, v: float) -> int:
        h = self.style.humanize_velocity
        return max(1, min(127, round(v + (rng.randint(-h, h) if h else 0))))
