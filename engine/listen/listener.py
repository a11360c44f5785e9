"""The listener: conditions raw guitar MIDI and feeds the key, beat and chord trackers.

`feed(msg)` takes every input message in time order; `update(now)` confirms notes, re-estimates once a
strum is complete and decides the chord; `state(now)` snapshots the estimates for the arranger.
No I/O, no wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.events import InputMessage
from engine.listen.beat import BeatTracker
from engine.listen.chord import ChordTracker
from engine.listen.guitar import ConfirmedNote, GuitarConditioner, GuitarConfig
from engine.listen.key import DEFAULT_PROFILES, KeyTracker
from engine.state import MusicalState


KEY_EVERY = 1.0    # s between key re-estimates
BEAT_BASS = 1.5    # a bass note counts this much more than another as a beat onset
CHORD_ACCENT = 1.0  # weight of a chord change on a beat as evidence of a bar start (a bass onset weighs ~1)


@dataclass
class ListenerConfig:
    guitar: GuitarConfig = field(default_factory=GuitarConfig)
    bpm_prior: float = 100.0      # centre of the tempo prior
    tempo_range: tuple[float, float] = (40.0, 220.0)   # BPM the beat may take (a hint narrows it)
    key_profiles: tuple[str, ...] = DEFAULT_PROFILES   # published key profiles to average, by name
    key_model: str = "hmm"        # "hmm": sticky forward filter over keys; "rules": margin-and-hold hysteresis
    key_half_life: float = 12.0   # s; how fast old key evidence fades (offline analysis: the whole piece)
    beat_lock: float = 0.5        # beat confidence needed before the band plays
    key_lock: float = 0.15        # key confidence needed before the band plays


class Listener:
    def __init__(self, config: ListenerConfig | None = None):
        self.config = config or ListenerConfig()
        self.guitar = GuitarConditioner(self.config.guitar)
        self.guitar.on_note = self._note
        self.guitar.on_release = self._release
        self.key = KeyTracker(half_life=self.config.key_half_life, profiles=self.config.key_profiles,
                              model=self.config.key_model)
        lo, hi = self.config.tempo_range
        if not 20 <= lo < hi <= 300:
            raise ValueError(f"tempo_range must be two BPM values 20 <= low < high <= 300, got {self.config.tempo_range!r}")
        self.beat = BeatTracker(bpm_prior=min(max(self.config.bpm_prior, lo), hi), min_bpm=lo, max_bpm=hi)
        self.chord = ChordTracker()
        self.last_onset: float | None = None
        self.chord_label = "N"
        self._loudness = 0.0
        self._strum_time = -1.0
        self._decided_strum = -1.0
        self._key_at = -1.0

    @property
    def dropped(self):
        return self.guitar.dropped

    @property
    def notes_in(self) -> int:
        return self.guitar.confirmed

    def feed(self, msg: InputMessage) -> None:
        self.guitar.feed(msg)

    def _note(self, n: ConfirmedNote) -> None:
        new = n.strum.size == 1
        metric = self._metric_weight(n.time)
        if n.bass and metric >= 2.0:
            self.chord.new_bar(n.time)
        self.key.note_on(n.time, n.pitch, n.velocity, n.bass, metric)
        self.beat.onset(n.time, n.velocity / 127 * (BEAT_BASS if n.bass else 1.0), new, n.bass)
        self.chord.note_on(n.time, n.pitch, n.velocity, n.bass)
        self._loudness += 0.1 * (n.velocity - self._loudness)
        self.last_onset = n.time
        self._strum_time = n.strum.time

    def _release(self, t: float, pitch: int, duration: float, bass: bool) -> None:
        self.key.note_off(t, pitch, duration, bass)

    def _metric_weight(self, t: float) -> float:
        """Notes on beats, and most of all on downbeats, say more about the key (chord roots live there)."""
        beat = self.beat
        if beat.period is None:
            return 1.0
        p = beat.position_at(t)
        n = round(p)
        if abs(p - n) > 0.12:
            return 1.0
        return 2.0 if n % beat.beats_per_bar == beat.downbeat_residue() else 1.4

    def update(self, now: float) -> bool:
        """Confirm notes and, once the latest strum is complete, re-estimate. True when a strum was decided."""
        g = self.guitar
        g.update(now)
        if self.last_onset is None or self._decided_strum == self._strum_time or g.strum_open(now):
            return False
        self._decided_strum = self._strum_time
        if self.beat.update(now) and self.beat.period:
            g.bass_memory = max(g.config.bass_memory, 3 * self.beat.period)
        # A key moves slowly: re-scored at most every KEY_EVERY seconds (the forward filter weighs evidence by
        # the time it stood, so the rate hardly matters), and not on a strum whose tempo was re-estimated
        # (the next strum does it: no strum pays for both).
        if now - self._key_at >= KEY_EVERY and self.beat.tempo_estimated_at != now:
            self._key_at = now
            self.key.update(now)
        label = self.chord.decide(now, g.sounding, self.key.key)
        if label != self.chord_label and label != "N" and CHORD_ACCENT:
            self.beat.accent(self._strum_time, CHORD_ACCENT)   # chords change most on downbeats
        self.chord_label = label
        return True

    @property
    def locked(self) -> bool:
        c = self.config
        return (self.beat.period is not None and self.beat.confidence >= c.beat_lock
                and self.key.key is not None and self.key.confidence >= c.key_lock)

    def state(self, now: float) -> MusicalState:
        b, k = self.beat, self.key
        return MusicalState(
            time=now, tonic=k.tonic, mode=k.mode, key_confidence=k.confidence, bpm=b.bpm,
            beat_confidence=b.confidence, subdivision=b.subdivision, beats_per_bar=b.beats_per_bar,
            loudness=self._loudness, last_onset=self.last_onset,
        )
