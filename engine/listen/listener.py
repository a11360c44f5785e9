"""The listener: conditions raw guitar MIDI and feeds the key and beat trackers.

`feed(msg)` is called for every input message in time order; `update(now)` re-estimates when something
new has arrived; `state(now)` snapshots the estimates for the arranger. No I/O, no wall clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from engine.events import InputMessage
from engine.listen.beat import BeatTracker
from engine.listen.key import KeyTracker
from engine.state import MusicalState

NOTE_OFF, NOTE_ON = 0x80, 0x90


@dataclass
class ListenerConfig:
    min_velocity: int = 12        # quieter note-ons are converter ghosts
    strum_window: float = 0.05    # note-ons closer than this to a strum's first note belong to it (s)
    bass_below: int = 52          # MIDI pitch under which a strum's lowest note counts as bass (E3)
    bass_memory: float = 1.5      # seconds (at least 3 beats) a held low note keeps counting as the bass
    bpm_prior: float = 100.0      # centre of the tempo prior
    beat_lock: float = 0.5        # beat confidence needed before the band plays
    key_lock: float = 0.15        # key confidence needed before the band plays


class Listener:
    def __init__(self, config: ListenerConfig | None = None):
        self.config = config or ListenerConfig()
        self.key = KeyTracker()
        self.beat = BeatTracker(bpm_prior=self.config.bpm_prior)
        self.dropped: Counter[str] = Counter()   # what the conditioning threw away, by reason
        self.notes_in = 0
        self._held: dict[tuple[int, int], tuple[float, bool]] = {}
        self._strum_start = -1.0
        self._strum_low = 128
        self._loudness = 0.0
        self.last_onset: float | None = None

    def feed(self, msg: InputMessage) -> None:
        kind = msg.kind
        if kind == NOTE_ON and msg.data2 > 0:
            self._note_on(msg.time, msg.channel, msg.data1, msg.data2)
        elif kind == NOTE_OFF or kind == NOTE_ON:
            held = self._held.pop((msg.channel, msg.data1), None)
            if held is not None:
                start, bass = held
                self.key.note_off(msg.time, msg.data1, msg.time - start, bass)
        # Pitch bend, controllers and pressure do not change key or beat estimates yet.

    def _note_on(self, t: float, channel: int, pitch: int, velocity: int) -> None:
        cfg = self.config
        if velocity < cfg.min_velocity:
            self.dropped["quiet"] += 1
            return
        self.notes_in += 1
        new = t - self._strum_start > cfg.strum_window
        if new:
            self._strum_start = t
            self._strum_low = 128
        memory = max(cfg.bass_memory, 3 * (self.beat.period or 0))
        # Bass: the lowest note now sounding (a root left ringing under an alternating fifth stays the bass).
        bass = pitch < cfg.bass_below and pitch < self._strum_low and all(
            pitch <= p for (_, p), (start, _) in self._held.items() if t - start < memory)
        self._strum_low = min(self._strum_low, pitch)
        self._held[(channel, pitch)] = (t, bass)
        self.key.note_on(t, pitch, velocity, bass, self._metric_weight(t))
        self.beat.onset(t, velocity / 127 * (1.5 if bass else 1.0), new, bass)
        self._loudness += 0.1 * (velocity - self._loudness)
        self.last_onset = t

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

    def update(self, now: float) -> None:
        """Re-estimate once the latest strum is complete (its window has passed)."""
        if self.last_onset is not None and now - self._strum_start >= self.config.strum_window:
            if self.beat.update(now):
                self.key.update(now)

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
