"""Key from a decaying pitch-class histogram against published key profiles.

Evidence: each note adds its velocity at note-on and its duration at note-off to its pitch class; bass notes
count double. The histogram decays with a half-life, so a modulation wins over time. Each of the 24 major
and minor keys is scored by the correlation of the histogram with the key's profile (Krumhansl–Kessler and
Albrecht–Shanahan, averaged); the current key only changes when another beats it by a margin.
"""

from __future__ import annotations

import numpy as np

# Published profile values (tonic first).
KRUMHANSL_KESSLER = {
    "major": (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88),
    "minor": (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17),
}
ALBRECHT_SHANAHAN = {
    "major": (0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081),
    "minor": (0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052),
}
MODES = ("major", "minor")


def _profile_matrix(profiles: dict[str, tuple[float, ...]]) -> np.ndarray:
    """24 x 12 rows: key k = (mode index * 12 + tonic), each row centred and unit length."""
    rows = []
    for mode in MODES:
        base = np.asarray(profiles[mode], dtype=float)
        for tonic in range(12):
            row = np.roll(base, tonic)
            row = row - row.mean()
            rows.append(row / np.linalg.norm(row))
    return np.array(rows)


_PROFILES = (_profile_matrix(KRUMHANSL_KESSLER) + _profile_matrix(ALBRECHT_SHANAHAN)) / 2


class KeyTracker:
    def __init__(self, half_life: float = 12.0, margin: float = 0.08, bass_weight: float = 2.0):
        self.half_life = half_life
        self.margin = margin
        self.bass_weight = bass_weight
        self._hist = np.zeros(12)
        self._t = 0.0
        self.total = 0.0           # decayed evidence mass
        self.key: int | None = None  # index into the 24 keys
        self.confidence = 0.0

    def _decay_to(self, t: float) -> None:
        if t > self._t:
            f = 0.5 ** ((t - self._t) / self.half_life)
            self._hist *= f
            self.total *= f
            self._t = t

    def note_on(self, t: float, pitch: int, velocity: float, bass: bool) -> None:
        self._add(t, pitch, velocity / 127 * (self.bass_weight if bass else 1.0))

    def note_off(self, t: float, pitch: int, duration: float, bass: bool) -> None:
        self._add(t, pitch, min(duration, 2.0) * (self.bass_weight if bass else 1.0))

    def _add(self, t: float, pitch: int, w: float) -> None:
        self._decay_to(t)
        self._hist[pitch % 12] += w
        self.total += w

    def update(self, t: float) -> None:
        """Re-score the keys with the evidence up to t."""
        self._decay_to(t)
        if self.total <= 0:
            return
        h = self._hist - self._hist.mean()
        norm = np.linalg.norm(h)
        if norm == 0:
            return
        scores = _PROFILES @ (h / norm)
        best = int(np.argmax(scores))
        if self.key is None or scores[best] > scores[self.key] + self.margin:
            self.key = best
        ordered = np.sort(scores)
        lead = float(scores[self.key] - (ordered[-2] if best == self.key else ordered[-1]))
        # Clear correlation, a lead over the runner-up, and enough evidence all raise confidence.
        self.confidence = float(np.clip(scores[self.key], 0, 1) * np.clip(0.5 + 4 * lead, 0, 1)
                                * min(1.0, self.total / 8.0))

    @property
    def tonic(self) -> int | None:
        return None if self.key is None else self.key % 12

    @property
    def mode(self) -> str:
        return "major" if self.key is None else MODES[self.key // 12]
