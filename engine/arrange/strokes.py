"""Dombra strokes: the notes each stroke symbol of a grid sounds on the dombra's two strings.

DOMAIN.md §1: a strum is two notes 10-30 ms apart in stroke direction (down: low string first; up: high
string first and softer), the muted chop ends 40-80 ms after its onset, a pluck sounds the high (melody)
string alone, a hammer-on strikes the dyad and frets the next scale note on the high string, a roll is a fast
light tremolo of alternating strums. No dombra note rings longer than MAX_RING (the nylon guitar standing in
for it would ring on). The body tap (T) is a drum note, played by the arranger.

A voicing is a list of `StrokeNote`s relative to the stroke's onset; the arranger humanises their velocities
and places them on its channels. Random draws come from the stream it passes in, in a fixed order per
stroke, so the notes are a function of seed, bar and step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.arrange.dombra import Dombra
from engine.state import Chord

MAX_RING = 0.28           # seconds: a dombra note is short, the nylon guitar's tail is not

StrokeNote = tuple[float, float, int, float]   # offset (s after the onset), duration (s), MIDI pitch, velocity


@dataclass(frozen=True, slots=True)
class Stroke:
    """One dombra stroke to voice (any symbol of DOMBRA_STROKES but T).

    `low` and `high` are the dyad's MIDI pitches; `melody` is the melody motif's note for the high string
    (`high` when the stroke carries none). `velocity` is the step's velocity scaled by the player's dynamics
    (1..127 before humanising), `span` the seconds to the part's next stroke, `spread` the seconds between the
    strings of a strum or hammer-on. `melody_chance` (0..1) is the chance that a strum's high string takes the
    melody note; `cadence` (the ending's last bar) keeps it on the open dyad.
    """

    symbol: str
    low: int
    high: int
    melody: int
    velocity: float
    span: float
    spread: float
    melody_chance: float
    cadence: bool
    longest: float = MAX_RING   # the style's `ring`: seconds a note may ring at most


def spread_range(step_len: float) -> tuple[float, float]:
    """The range (s) from which a stroke's string spread is drawn, for grid steps `step_len` seconds long."""
    return 0.010, max(0.011, min(0.030, 0.3 * step_len))


def voice(stroke: Stroke, dombra: Dombra, rng: random.Random, chord: Chord | None = None) -> list[StrokeNote]:
    """The notes of `stroke` on `dombra` (its scale gives a hammer-on's target, never a third the `chord`
    heard lacks: `Dombra.melody_notes`), drawing from `rng`: a strum
    draws whether the high string takes the melody, a chop its length and spread, the others nothing.
    An unknown symbol (or T) sounds nothing: []."""
    s = stroke
    ring = max(0.03, min(s.longest, s.span - 0.01))
    notes: list[StrokeNote] = []
    if s.symbol in "DU":
        top = s.melody if rng.random() < s.melody_chance and not s.cadence else s.high
        soft = 1.0 if s.symbol == "D" else 0.8
        order = (s.low, top) if s.symbol == "D" else (top, s.low)
        for i, p in enumerate(order):
            notes.append((i * s.spread, ring - i * s.spread, p, s.velocity * soft * (0.92 if i else 1.0)))
    elif s.symbol == "M":               # teris: strike and damp
        chop = rng.uniform(0.040, 0.080)
        spread = rng.uniform(0.005, 0.012)
        notes += [(0.0, chop, s.low, s.velocity), (spread, chop - spread, s.high, s.velocity * 0.92)]
    elif s.symbol == "P":               # a single string: the melody
        notes.append((0.0, ring, s.melody, s.velocity))
    elif s.symbol == "H":
        notes += _hammer_on(s, ring, dombra.melody_notes(chord))
    elif s.symbol == "r":
        notes += _roll(s)
    return notes


def _hammer_on(s: Stroke, ring: float, scale: tuple[int, ...]) -> list[StrokeNote]:
    """Zhap ta qymta: the open dyad, then the next scale note above `high` fretted on the high string."""
    above = [p for p in scale if p > s.high]
    target = above[0] if above else s.high
    delay = max(0.05, min(0.12, 0.5 * s.span))
    notes = [(0.0, ring, s.low, s.velocity), (s.spread, max(0.03, delay - s.spread), s.high, s.velocity * 0.92)]
    if target != s.high:
        notes.append((s.spread + delay, max(0.04, ring - delay), target, s.velocity * 0.7))
    return notes


def _roll(s: Stroke) -> list[StrokeNote]:
    """Shashyrama: fast light tremolo strums, alternating direction, filling the span (at most 0.6 s)."""
    cover = min(s.span, 0.6)
    count = max(2, min(8, round(cover / 0.05)))
    gap = cover / count
    notes = []
    for j in range(count):
        order = (s.low, s.high) if j % 2 == 0 else (s.high, s.low)
        v = s.velocity * (0.55 + 0.25 * j / count)
        for i, p in enumerate(order):
            notes.append((j * gap + i * 0.006, max(0.03, gap - 0.004), p, v))
    return notes
