"""Key and mode from decaying pitch-class evidence: the scale first, then its tonic.

Evidence: each note adds its velocity at note-on and its duration at note-off to its pitch class (the
listener scales the velocity up on beats and downbeats); bass notes also go to a second histogram, because
a guitarist's bass on strong beats names the tonal centre. Both decay with a half-life, so a modulation
wins over time.

1. The diatonic collection: which of the 12 major-scale pitch sets holds most of the evidence.
2. The tonic inside it: each of the 7 modes of that collection is scored by the correlation of the
   histogram with published profiles rotated to that tonic (by name: krumhansl-kessler, temperley,
   aarden-essen, albrecht-shanahan; the default averages Krumhansl–Kessler and Albrecht–Shanahan; the
   major profile for major-third modes, the minor one for minor-third modes), plus the bass
   share of the tonic, plus a prior that favours the common modes.
3. Hysteresis: another key takes over only after leading by a margin for `hold` seconds, and a key on the
   current tonic gets a head start (a change of mode keeps the tonal centre); a key chosen on thin
   evidence (low confidence) gives way sooner.
"""

from __future__ import annotations

import numpy as np

from engine.theory import MODE_DEGREE, SCALES

# Published profile values (tonic first).
KRUMHANSL_KESSLER = {
    "major": (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
    "minor": (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
}
ALBRECHT_SHANAHAN = {
    "major": (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
    "minor": (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
}
TEMPERLEY = {   # Kostka-Payne corpus (Temperley 2007)
    "major": (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400),
    "minor": (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330),
}
AARDEN_ESSEN = {
    "major": (17.7661, 0.145624, 14.9265, 0.160186, 19.8049, 11.3587, 0.291248, 22.062, 0.145624, 8.15494,
              0.232998, 4.95122),
    "minor": (18.2648, 0.737619, 14.0499, 16.8599, 0.702494, 14.4362, 0.702494, 18.6161, 4.56621, 1.93186,
              7.37619, 1.75623),
}
PROFILES = {"krumhansl-kessler": KRUMHANSL_KESSLER, "temperley": TEMPERLEY, "aarden-essen": AARDEN_ESSEN,
            "albrecht-shanahan": ALBRECHT_SHANAHAN}
DEFAULT_PROFILES = ("krumhansl-kessler", "albrecht-shanahan")
# Modes in the order of the major scale's degrees, with the degree offset from the collection's major tonic.
MODE_DEGREES = tuple(MODE_DEGREE.items())
# How readily a guitarist's music is heard in each mode (folk, rock and pop): log-prior added to the score.
MODE_PRIOR = {"major": 0.0, "minor": -0.02, "mixolydian": -0.06, "dorian": -0.06, "phrygian": -0.12,
              "lydian": -0.2, "locrian": -0.5}
BASS_WEIGHT = 1.0
TONIC_STICKINESS = 0.15


def _profile_rows(profiles: dict[str, tuple[float, ...]]) -> np.ndarray:
    """2 x 12 x 12: [family][tonic] -> profile rotated to tonic, centred, unit length."""
    out = np.zeros((2, 12, 12))
    for f, family in enumerate(("major", "minor")):
        base = np.asarray(profiles[family], dtype=float)
        for tonic in range(12):
            row = np.roll(base, tonic)
            row = row - row.mean()
            out[f, tonic] = row / np.linalg.norm(row)
    return out


_MAJOR_SETS = np.array([[1.0 if (pc - c) % 12 in SCALES["major"] else 0.0 for pc in range(12)]
                        for c in range(12)])
_MODE_TONICS = np.array([[(c + degree) % 12 for _, degree in MODE_DEGREES] for c in range(12)])
_MODE_PRIORS = np.array([MODE_PRIOR[mode] for mode, _ in MODE_DEGREES])
_MODE_NAMES = [mode for mode, _ in MODE_DEGREES]


def mode_rows(names: tuple[str, ...]) -> np.ndarray:
    """12 x 7 x 12: for each collection (its major tonic), its seven modes' profile rows (the named
    profiles averaged; the major profile for major-third modes, the minor one for minor-third modes),
    stacked so one matrix product scores all seven."""
    unknown = [n for n in names if n not in PROFILES]
    if unknown or not names:
        raise ValueError(f"unknown key profile {unknown or names!r}; choose from {', '.join(PROFILES)}")
    rows = sum(_profile_rows(PROFILES[n]) for n in names) / len(names)
    return np.array([[rows[1 if SCALES[mode][2] == 3 else 0, (c + degree) % 12] for mode, degree in MODE_DEGREES]
                     for c in range(12)])


class KeyTracker:
    def __init__(self, half_life: float = 12.0, hold: float = 4.0, bass_weight: float = 2.0, margin: float = 0.05,
                 profiles: tuple[str, ...] = DEFAULT_PROFILES):
        self._mode_rows = mode_rows(tuple(profiles))
        self.half_life = half_life
        self.hold = hold
        self.margin = margin
        self.bass_weight = bass_weight
        self._hist = np.zeros(12)
        self._bass = np.zeros(12)
        self._t = 0.0
        self.total = 0.0                    # decayed evidence mass
        self.tonic: int | None = None       # pitch class
        self.mode = "major"
        self.confidence = 0.0
        self._challenger: tuple[int, str] | None = None
        self._challenger_since = 0.0

    def _decay_to(self, t: float) -> None:
        if t > self._t:
            f = 0.5 ** ((t - self._t) / self.half_life)
            self._hist *= f
            self._bass *= f
            self.total *= f
            self._t = t

    def note_on(self, t: float, pitch: int, velocity: int, bass: bool, metric: float = 1.0) -> None:
        """`metric` > 1 for notes on beats and downbeats: chord roots live there."""
        self._add(t, pitch, velocity / 127 * metric, bass, metric)

    def note_off(self, t: float, pitch: int, duration: float, bass: bool) -> None:
        self._add(t, pitch, min(duration, 2.0), bass, 1.0)

    def _add(self, t: float, pitch: int, w: float, bass: bool, metric: float) -> None:
        self._decay_to(t)
        pc = pitch % 12
        self._hist[pc] += w * (self.bass_weight if bass else 1.0)
        if bass:
            self._bass[pc] += w * metric   # a bass note on a downbeat counts most
        self.total += w

    def scores(self) -> tuple[int, list[tuple[float, int, str]]]:
        """The best collection (its major tonic) and the (score, tonic, mode) of its seven modes, best first."""
        h = self._hist - self._hist.mean()
        norm = float(np.sqrt(h @ h))
        if norm:
            h /= norm
        collection = int(np.argmax(_MAJOR_SETS @ self._hist))
        tonics = _MODE_TONICS[collection]
        bass_total = float(self._bass.sum())
        share = self._bass[tonics] / bass_total if bass_total > 0 else 0.0
        values = (self._mode_rows[collection] @ h + BASS_WEIGHT * share + _MODE_PRIORS).tolist()
        ranked = sorted(zip(values, tonics.tolist(), _MODE_NAMES), reverse=True)
        return collection, ranked

    def update(self, t: float) -> None:
        """Re-score with the evidence up to t."""
        self._decay_to(t)
        if self.total <= 0 or not self._hist.any():
            return
        _, ranked = self.scores()
        if self.tonic is not None:
            # The tonal centre is stickier than the mode: E major turning E mixolydian keeps its tonic.
            ranked = sorted(((s + (TONIC_STICKINESS if t == self.tonic else 0.0), t, m) for s, t, m in ranked),
                            reverse=True)
        best_score, tonic, mode = ranked[0]
        if self.tonic is None:
            self.tonic, self.mode = tonic, mode
        elif (tonic, mode) != (self.tonic, self.mode) and best_score > self._score_of(ranked) + self.margin:
            if self._challenger != (tonic, mode):
                self._challenger, self._challenger_since = (tonic, mode), t
            elif t - self._challenger_since >= self.hold * min(1.0, self.confidence + 0.2):
                self.tonic, self.mode = tonic, mode
                self._challenger = None
        else:
            self._challenger = None
        lead = best_score - ranked[1][0]
        current = self._score_of(ranked)
        self.confidence = (min(1.0, max(0.0, current)) * min(1.0, max(0.0, 0.5 + 3 * lead))
                           * min(1.0, self.total / 8.0))

    def _score_of(self, ranked: list[tuple[float, int, str]]) -> float:
        """The current key's score; a key outside the best collection counts as well behind."""
        return next((s for s, t, m in ranked if (t, m) == (self.tonic, self.mode)), ranked[0][0] - 0.2)

    @property
    def key(self) -> tuple[int, str] | None:
        return None if self.tonic is None else (self.tonic, self.mode)
