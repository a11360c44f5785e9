"""MusicalState: what the listener believes at one moment, handed to the arranger."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class MusicalState:
    time: float                 # seconds, when this estimate was made
    tonic: int | None           # pitch class 0..11, None before any evidence
    mode: str                   # major minor dorian phrygian lydian mixolydian locrian
    key_confidence: float       # 0..1
    bpm: float | None           # beats per minute of the tracked beat, None before lock
    beat_confidence: float      # 0..1
    subdivision: int            # 2 (straight) or 3 (compound: the beat splits in three)
    beats_per_bar: int          # of the guitar's meter as tracked
    loudness: float             # recent mean note-on velocity of the guitar, 0..127
    last_onset: float | None    # seconds of the guitar's latest onset
