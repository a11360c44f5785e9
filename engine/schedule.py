"""The scheduler: the band's conductor. Each tick it asks the listener where the beat is, asks the
arranger for the notes of the next look-ahead window, turns beats into seconds and hands the notes to sinks.

Notes are committed a look-ahead window before they sound and never changed after; everything later is
planned afresh on the next tick with the newest key, tempo and beat, so the band follows without audible
corrections. The band waits until the listener is confident, comes in on the guitar's next downbeat, and
stops when the guitar has been silent for a while (coming back in on a downbeat when it returns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from engine.arrange.arranger import (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DOMBRA_LAYER_PROGRAM, DOMBRA_PROGRAM,
                                     DRUM_CHANNEL, Arranger)
from engine.arrange.patterns import Style
from engine.events import DOMBRA, PERCUSSION, Beat, Control, KeyChange, Marker, Note, Program, TimeSignature
from engine.listen import Listener
from engine.sinks import Sink
from engine.theory import tonic_name

StyleChooser = Callable[[int], Style]   # subdivision (2 or 3) -> style


@dataclass
class SchedulerConfig:
    lookahead: float = 0.08        # seconds between committing a note and its sounding
    # The guitar has stopped when no onset came for `silence_gaps` times its usual longest gap between
    # strums (so a ballad's once-a-bar chord keeps the band playing), at least `silence_beats`, at most a
    # bar and a beat. The band then stops on its next beat.
    silence_gaps: float = 2.5
    silence_beats: float = 1.5


GEN_RELEASE = 38                  # SoundFont generator: volume envelope release
DOMBRA_RELEASE_TIMECENTS = -2400  # a quarter of the guitar sample's release: a dombra string stops short


def soundfont_nrpn(generator: int, value: int) -> list[tuple[int, int]]:
    """Controller messages (CC, value) that offset a SoundFont generator on one channel (SF2.01 §9.6 NRPN,
    understood by FluidSynth; other synths ignore them). Release times go in steps of 2 timecents."""
    raw = value // 2 + 8192
    return [(99, 120), (98, generator), (38, raw & 0x7F), (6, raw >> 7)]


# Mix: channel volume (CC7) and pan (CC10) for the band's channels.
MIX = {DOMBRA_CHANNEL: (108, 54), DOMBRA_LAYER_CHANNEL: (64, 50), DRUM_CHANNEL: (96, 64)}


class Scheduler:
    def __init__(self, listener: Listener, choose_style: StyleChooser, seed: int, sinks: list[Sink],
                 config: SchedulerConfig | None = None):
        self.listener = listener
        self.choose_style = choose_style
        self.seed = seed
        self.sinks = sinks
        self.config = config or SchedulerConfig()
        self.arranger: Arranger | None = None
        self.playing = False
        self.planned = 0.0            # listener beat position up to which notes are committed
        self.late = 0                 # notes committed after their time had passed
        self.entries = 0              # how many times the band came in
        self._set_up = False
        self._meter: str | None = None
        self._last_beat_time = -1.0
        self._last_tonic: tuple[int, str] | None = None
        self._stop_at: float | None = None   # beat position where the band will stop, once decided

    def _send(self, event) -> None:
        for sink in self.sinks:
            sink.send(event)

    def tick(self, now: float) -> None:
        """Plan and commit everything due before now + lookahead."""
        L = self.listener
        L.update(now)
        beat = L.beat
        if not self.playing:
            if L.locked and L.last_onset is not None and not self._silent(now):
                self._enter(now)
            return
        horizon = beat.position_at(now + self.config.lookahead)
        if self._stop_at is None and self._silent(now):
            self._stop_at = float(math.ceil(self.planned))   # the guitar has stopped: so does the band
        if self._stop_at is not None:
            self._commit(now, min(horizon, self._stop_at))
            if horizon >= self._stop_at:
                self.playing = False
                self._send(Marker(max(now, beat.time_at(self._stop_at)), "band out"))
                self._stop_at = None
            return
        self._commit(now, horizon)

    def _silent(self, now: float) -> bool:
        L = self.listener
        if L.last_onset is None:
            return True
        period = L.beat.period or 0.6
        c = self.config
        limit = min(max(c.silence_gaps * L.beat.usual_gap, c.silence_beats * period),
                    (L.beat.beats_per_bar + 1) * period)
        return now - L.last_onset > limit

    def _enter(self, now: float) -> None:
        L = self.listener
        beat = L.beat
        state = L.state(now)
        style = self.choose_style(state.subdivision)
        horizon = beat.position_at(now + self.config.lookahead)
        bpb, residue = beat.beats_per_bar, beat.downbeat_residue()
        start = math.floor(horizon) + 1
        while (start - residue) % bpb:
            start += 1
        self.arranger = Arranger(style, self.seed + self.entries, start)
        self.entries += 1
        self.playing = True
        self.planned = float(start)
        t = max(now, beat.time_at(start) - 0.05)
        if style.meter != self._meter:
            self._meter = style.meter
            self._send(TimeSignature(t, *map(int, style.meter.split("/"))))
        if not self._set_up:
            self._set_up = True
            for ch, program in ((DOMBRA_CHANNEL, DOMBRA_PROGRAM), (DOMBRA_LAYER_CHANNEL, DOMBRA_LAYER_PROGRAM)):
                self._send(Program(t, ch, program, DOMBRA))
            for ch, (volume, pan) in MIX.items():
                part = PERCUSSION if ch == DRUM_CHANNEL else DOMBRA
                self._send(Control(t, ch, 7, volume, part))
                self._send(Control(t, ch, 10, pan, part))
            for ch in (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL):
                for control, value in soundfont_nrpn(GEN_RELEASE, DOMBRA_RELEASE_TIMECENTS):
                    self._send(Control(t, ch, control, value, DOMBRA))
        self._send(Marker(t, f"band in: {style.title}"))

    def _commit(self, now: float, horizon: float) -> None:
        if horizon <= self.planned:
            return
        arr = self.arranger
        spb = arr.style.steps_per_beat
        if math.ceil((horizon - arr.start) * spb - 1e-9) == math.ceil((self.planned - arr.start) * spb - 1e-9):
            self.planned = horizon   # no grid step (and so no beat) in this window: nothing to plan
            return
        L = self.listener
        beat = L.beat
        state = L.state(now)
        key = (state.tonic, state.mode)
        if key != self._last_tonic and state.tonic is not None:
            self._last_tonic = key
            self._send(KeyChange(max(now, beat.time_at(self.planned)), tonic_name(state.tonic, state.mode),
                                 state.mode))
        # Beats of the band crossed by this window: the file writers build the tempo map from them.
        first = math.ceil(self.planned)
        for n in range(first, math.ceil(horizon)):
            t = max(beat.time_at(n), self._last_beat_time + 0.25 * beat.period)
            self._last_beat_time = t
            index = n - arr.start
            self._send(Beat(t, index, index % arr.style.beats_per_bar, arr.style.beats_per_bar))
        for p in arr.query(self.planned, horizon, state):
            t = beat.time_at(float(p.position)) + p.offset
            if t < now:
                self.late += 1
                t = now
            self._send(Note(t, p.duration, p.channel, p.pitch, p.velocity, p.part))
        self.planned = horizon
