"""Accents of a single-note line: what a melody's notes say about where its bars start.

A solo through a converter sends every note alike (GuitarSet's files: one velocity), so a line has none of
comping's downbeat cues (chord changes, a bass, strum size). A musician hears its bars in its rhythm and
contour: long notes and leaps fall on strong beats (Parncutt 1994, "A perceptual model of pulse salience and
metrical accent in musical rhythms", Music Perception 11: durational accent; Lerdahl & Jackendoff 1983, A
Generative Theory of Tonal Music: metrical preference rules 3 and 5, an event and a long note on a strong
beat; Thomassen 1982: a melodic accent on the note a leap lands on). `line_features` computes a beat's
`LINE_FEATURES`; the bar pointer (engine/listen/bar_pointer.py) weighs them on a line with `LINE_DOWNBEAT` and
`LINE_HALF_BAR`, log-likelihood ratios fitted by `bench/fit_line_accents.py` on the dev solo lines (the
`solo` set's Nottingham and POP909 melody tracks and GuitarSet's dev solos; `solo-held` kept out).

The same accents tell a line's beat level where its onsets cannot: a jig's running eighths recur every two
eighths as much as every three, but its long notes fall on the dotted quarters (`grouping_contrast`).

A note's length is known only when the next one starts: a beat's line features are read a beat late (the
beat after it has passed `LATE`), so a long note on the beat is heard as long.

Times are seconds; notes are (time s, MIDI pitch, weight, bass) in the order confirmed, as the bar pointer
keeps them.
"""

from __future__ import annotations

import math

import numpy as np

SATURATION = 0.5     # s: Parncutt's saturation duration of the durational accent ...
ACCENT_INDEX = 2.0   # ... and his accent index
ON_BEAT = 0.15       # a note within this many beats of the beat is on it (as the bar pointer's)
TOGETHER = 0.05      # s: notes this close are struck together (a double stop), not the next note
LEAP = 12            # semitones: a leap this wide or wider is a full melodic accent
REST = 1.5           # beats without an onset before a note that opens a phrase
PHASES = 24         # grid phases tried per beat by `grouping_contrast`
LINE_FEATURES = ("note on the beat", "durational accent", "leap", "after a rest")
# Log-likelihood ratios of a downbeat and of the half-bar beat of 4/4 against a weak beat, from the line
# features: (bias, weights of LINE_FEATURES), printed by bench/fit_line_accents.py.
LINE_DOWNBEAT = (-0.26, (-0.35, 2.62, -0.37, 0.26))
LINE_HALF_BAR = (-0.02, (-0.33, 1.80, -0.88, -0.78))


def durational_accent(ioi: float) -> float:
    """How strongly a note of a single-note line is heard as accented by its length, 0..1: (1 - exp(-ioi /
    SATURATION)) ** ACCENT_INDEX, `ioi` the seconds to the next onset. On a line whose notes are all struck
    alike the long notes mark the beats (Parncutt 1994, "A perceptual model of pulse salience and metrical
    accent in musical rhythms", Music Perception 11: durational accent, saturation 0.5 s, index 2)."""
    return (1.0 - math.exp(-max(0.0, ioi) / SATURATION)) ** ACCENT_INDEX


def line_features(notes, at: float, beat: float, end: float) -> list[float]:
    """The `LINE_FEATURES` of the beat at `at` (s), `beat` s long, from `notes` (time-ordered, read from the
    end) known up to `end` (s): whether a note starts on the beat, its durational accent (to the next onset,
    or to `end` when none came yet), the leap into it from the note before (a share of `LEAP`, 0 after a
    rest), and whether it opens a phrase (no onset for `REST` beats before it). All 0 without a note on the
    beat."""
    near = ON_BEAT * beat
    start = at - REST * beat
    prev = on = None
    nxt = end
    for t, pitch, _, _ in notes_since(notes, start):
        if t < at - near:
            prev = (t, pitch)
        elif on is None:
            if t > at + near:
                break
            on = (t, pitch)
        elif t > on[0] + TOGETHER:
            nxt = min(t, end)
            break
    if on is None:
        return [0.0, 0.0, 0.0, 0.0]
    leap = 0.0 if prev is None else min(1.0, abs(on[1] - prev[1]) / LEAP)
    return [1.0, durational_accent(nxt - on[0]), leap, float(prev is None)]


def line_evidence(x: list[float]) -> tuple[float, float]:
    """Log-likelihood ratios (downbeat, half-bar beat of 4/4) against a weak beat of a beat whose line
    features are `x` (`line_features`)."""
    down = LINE_DOWNBEAT[0] + sum(w * f for w, f in zip(LINE_DOWNBEAT[1], x))
    half = LINE_HALF_BAR[0] + sum(w * f for w, f in zip(LINE_HALF_BAR[1], x))
    return down, half


def notes_since(notes, start: float) -> list:
    """The notes (a time-ordered sequence, (time s, ...) each) from `start` (s) on, in their order: read from the
    end, so a beat's features cost the few notes of its window, not the whole memory."""
    out = []
    for note in reversed(notes):
        if note[0] < start:
            break
        out.append(note)
    out.reverse()
    return out


def grouping_contrast(t: np.ndarray, accent: np.ndarray, period: float) -> float:
    """How much longer a line's notes on the beats of a grid of `period` (s) are than its notes between them: the
    mean durational accent (`durational_accent`) of the onsets within ON_BEAT of a beat minus that of the others,
    at the grid phase (of PHASES per beat) where it is largest; `t` the onsets (s) and `accent` each one's
    durational accent (arrays of one length). 0 when no phase has two onsets on and one off the beats. A beat
    level falls where the long notes fall (Parncutt 1994: pulse salience from durational accents; Povel & Essens
    1985, "Perception of temporal patterns", Music Perception 2: the clock whose beats fall on accented events
    is induced), so the level with the larger contrast is the line's grouping of its eighths in twos or
    threes."""
    return grouping_phase(t, accent, period)[0]


def grouping_phase(t: np.ndarray, accent: np.ndarray, period: float) -> tuple[float, float]:
    """(`grouping_contrast`, the time (s) of a beat of the grid where it is reached: the accent-weighted circular
    mean of the notes on its beats; 0.0 when the contrast is 0)."""
    phases = np.arange(PHASES) / PHASES
    e = np.subtract.outer(phases, t / period) % 1.0      # (phase, onset): beats past a beat of the grid
    on = (e < ON_BEAT) | (e > 1.0 - ON_BEAT)
    n_on = on.sum(axis=1)
    n_off = len(t) - n_on
    ok = (n_on >= 2) & (n_off >= 1)
    if not ok.any():
        return 0.0, 0.0
    sum_on = on @ accent
    contrast = np.where(ok, sum_on / np.maximum(n_on, 1) - (accent.sum() - sum_on) / np.maximum(n_off, 1), -np.inf)
    best = int(contrast.argmax())
    # the beat where the on-beat notes are centred, weighed by their accents (every phase within ON_BEAT of them
    # scores alike)
    z = np.exp(2j * np.pi * t / period)[on[best]] @ accent[on[best]]
    return float(contrast[best]), float(np.angle(z) / (2 * np.pi) % 1.0 * period)


def beat_share(t: np.ndarray, period: float) -> float:
    """The largest share of onsets t (s, two or more) within ON_BEAT of the beats of a grid of `period` (s), over
    PHASES phases of one fixed phase for all of them: how well one steady grid of that period holds the line. A
    straight line's 3+3+2 figures (a bossa solo) put its notes a dotted quarter apart, but each bar's closing
    two eighths turn the dotted quarters' phase by a third, while the beats keep theirs."""
    e = np.subtract.outer(np.arange(PHASES) / PHASES, t / period) % 1.0
    return float(((e < ON_BEAT) | (e > 1.0 - ON_BEAT)).sum(axis=1).max() / len(t))
