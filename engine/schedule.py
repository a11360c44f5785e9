"""The scheduler: the band's conductor. Each tick it asks the listener where the beat is, asks the
arranger for the notes of the next look-ahead window, turns beats into seconds and hands the notes to sinks.

Notes are committed a look-ahead window before they sound and never changed after; everything later is
planned afresh on the next tick with the newest key, chord, tempo and beat, so the band follows without
audible corrections. The band waits until the listener is confident and comes in on the guitar's next
downbeat (with the style's intro). It listens while it plays: the player's loudness and note density set
its intensity; when the guitar pauses the band plays the break, and when the guitar is still silent after
the break it plays the ending and stops (coming back in on a downbeat when the guitar returns).

Footswitch cues (`cue`): fill, next, ending, start, stop; `set_style` switches style at the next bar.

Meters and the listener's beat: a listener beat is a quarter note in 2/4, 3/4, 4/4, 5/8 and 7/8 and a
dotted quarter in 6/8, 9/8 and 12/8. A 7/8 bar lasts 3.5 beats, a 5/8 bar 2.5: the band's first bar starts
on a guitar downbeat and every second bar line falls between two of the guitar's beats.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

from engine.arrange.arranger import (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DOMBRA_LAYER_PROGRAM, DOMBRA_PROGRAM,
                                     DRUM_CHANNEL, Arranger)
from engine.arrange.dombra import Chord
from engine.arrange.form import OUT
from engine.arrange.patterns import Style
from engine.events import DOMBRA, PERCUSSION, Beat, Control, KeyChange, Marker, Note, Program, TimeSignature
from engine.listen import Listener
from engine.sinks import Sink
from engine.theory import tonic_name

StyleChooser = Callable[[int], Style]   # subdivision (2 or 3) -> style
CUES = ("fill", "next", "ending", "start", "stop")


@dataclass
class SchedulerConfig:
    lookahead: float = 0.08        # seconds between committing a note and its sounding
    # The guitar is pausing when no onset came for `silence_gaps` times its usual longest gap between
    # strums (so a ballad's once-a-bar chord keeps the band playing), at least `silence_beats`, at most a
    # bar and a beat. The band then plays its break; still silent after the break, its ending.
    silence_gaps: float = 2.5
    silence_beats: float = 1.5
    density_beats: float = 4.0     # the player's note density is counted over this many recent beats


GEN_RELEASE = 38                  # SoundFont generator: volume envelope release
DOMBRA_RELEASE_TIMECENTS = -2400  # a quarter of the guitar sample's release: a dombra string stops short


def soundfont_nrpn(generator: int, value: int) -> list[tuple[int, int]]:
    """Controller messages (CC, value) that offset a SoundFont generator on one channel (SF2.01 §9.6 NRPN,
    understood by FluidSynth; other synths ignore them). Release times go in steps of 2 timecents."""
    raw = value // 2 + 8192
    return [(99, 120), (98, generator), (38, raw & 0x7F), (6, raw >> 7)]


# Mix: channel volume (CC7) and pan (CC10) for the band's channels.
MIX = {DOMBRA_CHANNEL: (108, 54), DOMBRA_LAYER_CHANNEL: (64, 50), DRUM_CHANNEL: (96, 64)}


def intensity(loudness: float, density: float) -> float:
    """How hard the guitarist is playing, 0..1: mostly loudness (mean velocity), partly strums per beat."""
    loud = min(1.0, max(0.0, (loudness - 40.0) / 70.0))
    busy = min(1.0, max(0.0, (density - 0.75) / 2.25))
    return 0.6 * loud + 0.4 * busy


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
        self.held = False             # a stop or ending cue: stay out until "start"
        self.keep_going = False       # live, input port gone: keep the groove instead of breaking
        self.planned = 0.0            # listener beat position up to which notes are committed
        self.late = 0                 # notes committed after their time had passed
        self.entries = 0              # how many times the band came in
        self.intensity = 0.0          # the player's intensity at the last commit, 0..1
        self._set_up = False
        self._meter: str | None = None
        self._last_beat_time = -1.0
        self._last_tonic: tuple[int, str] | None = None
        self._stop_at: float | None = None   # beat position where the band will stop, once decided
        self._hold_after: bool = False       # the ending under way was cued: hold once it is over
        self._next_style: Style | None = None
        self._style: Style | None = None     # chosen by set_style: overrides the chooser
        self._entry_beat = 0
        self._onsets: deque[float] = deque()
        self._last_onset_seen: float | None = None
        self._section_marked: int = -1
        self._now = 0.0

    # ---- controls ------------------------------------------------------------------------------------
    def cue(self, action: str, now: float) -> None:
        """A footswitch cue. `fill`: a one-bar fill at the next bar; `next`: the next section (intro ->
        main A, main A <-> main B) from the next bar; `ending`: the ending from the next bar, then stop and
        stay out until `start`; `start`: allow the band in again; `stop`: stop at the next beat, silently,
        and stay out until `start`. Raises ValueError for anything else."""
        if action not in CUES:
            raise ValueError(f"cue must be one of {', '.join(CUES)}, got {action!r}")
        if action == "start":
            self.held = False
            return
        if action == "stop":
            self.held = True
            if self.playing:
                stop = float(math.ceil(self.planned))
                self._stop_at = stop if self._stop_at is None else min(self._stop_at, stop)
            return
        if action == "ending":
            self.held = True
            if self.playing:
                self._hold_after = True
                self.arranger.cue("ending")
            return
        if self.playing and self._stop_at is None:
            self.arranger.cue(action)

    def set_style(self, style: Style) -> None:
        """Play `style` from the next bar (or from the next entry when the band is out)."""
        self._style = style
        if self.playing:
            self._next_style = style

    @property
    def section(self) -> str | None:
        """The section the band is playing now (intro main_a main_b fill break ending), None while out."""
        arr = self.arranger
        if not self.playing or arr is None or not arr.plans:
            return None
        pos = self.listener.beat.position_at(self._now) if self.listener.beat.period else float(arr.start)
        bar = min(max(arr.bar_at(pos), 0), len(arr.plans) - 1)
        name = arr.plans[bar].section
        return None if name == OUT else name

    # ---- the tick ------------------------------------------------------------------------------------
    def _send(self, event) -> None:
        for sink in self.sinks:
            sink.send(event)

    def tick(self, now: float) -> None:
        """Plan and commit everything due before now + lookahead."""
        L = self.listener
        L.update(now)
        self._now = now
        self._count_onsets(now)
        beat = L.beat
        if not self.playing:
            if not self.held and L.locked and L.last_onset is not None and not self._silent(now):
                self._enter(now)
            return
        horizon = beat.position_at(now + self.config.lookahead)
        self.arranger.pause = self._silent(now)
        if self._stop_at is not None:
            horizon = min(horizon, self._stop_at)
        self._commit(now, horizon)
        if self._stop_at is None and self.arranger.finished_at is not None:
            self._stop_at = float(self.arranger.finished_at)
        if self._stop_at is not None and beat.position_at(now + self.config.lookahead) >= self._stop_at:
            self._commit(now, self._stop_at)
            self.playing = False
            self._send(Marker(max(now, beat.time_at(self._stop_at)), "band out"))
            self._stop_at = None
            if self._hold_after:
                self.held, self._hold_after = True, False

    def _count_onsets(self, now: float) -> None:
        """Strum onsets of the guitar (notes closer than 50 ms count once) over the recent beats."""
        t = self.listener.last_onset
        if t is not None and t != self._last_onset_seen:
            if not self._onsets or t - self._onsets[-1] > 0.05:
                self._onsets.append(t)
            self._last_onset_seen = t
        period = self.listener.beat.period or 0.6
        while self._onsets and self._onsets[0] < now - self.config.density_beats * period:
            self._onsets.popleft()

    def density(self, now: float) -> float:
        """Guitar strums per beat over the last `density_beats` beats."""
        return len(self._onsets) / self.config.density_beats

    def _silent(self, now: float) -> bool:
        L = self.listener
        if self.keep_going and self.playing:
            return False
        if L.last_onset is None:
            return True
        period = L.beat.period or 0.6
        c = self.config
        limit = min(max(c.silence_gaps * L.beat.usual_gap, c.silence_beats * period),
                    (L.beat.beats_per_bar + 1) * period)
        return now - L.last_onset > limit

    def _chord(self) -> Chord | None:
        current = getattr(self.listener.chord, "current", None)
        return current if isinstance(current, tuple) else None

    def _enter(self, now: float) -> None:
        L = self.listener
        beat = L.beat
        state = L.state(now)
        style = self._style or self.choose_style(state.subdivision)
        horizon = beat.position_at(now + self.config.lookahead)
        bpb, residue = beat.beats_per_bar, beat.downbeat_residue()
        start = math.floor(horizon) + 1
        while (start - residue) % bpb:
            start += 1
        self.arranger = Arranger(style, self.seed + self.entries, start)
        self.entries += 1
        self.playing = True
        self.planned = float(start)
        self._entry_beat = start
        self._section_marked = -1
        self._next_style = None
        t = max(now, beat.time_at(start) - 0.05)           # set-up just before the first note
        self._time_signature(max(now, beat.time_at(start)), style)   # the meter from the bar line
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

    def _time_signature(self, t: float, style: Style) -> None:
        if style.meter != self._meter:
            self._meter = style.meter
            self._send(TimeSignature(t, style.numerator, style.denominator, style.beat_eighths))

    def _commit(self, now: float, horizon: float) -> None:
        if horizon <= self.planned:
            return
        arr = self.arranger
        if self._next_style is not None and arr.form.state not in ("ending", "out") and arr.form.pending != "ending":
            switch = arr.bar_start(arr.decided)   # the first bar not yet decided
            if horizon >= switch:
                self._commit_span(now, float(switch))
                self._switch(now, switch)
        self._commit_span(now, horizon)

    def _switch(self, now: float, at: Fraction) -> None:
        old = self.arranger
        style, self._next_style = self._next_style, None
        main = old.plans[-1].main if old.plans else "main_a"
        self.arranger = Arranger(style, self.seed + self.entries, at, intro=False, main=main)
        self.entries += 1
        self._section_marked = -1
        t = max(now, self.listener.beat.time_at(float(at)))
        self._time_signature(t, style)
        self._send(Marker(t, f"style: {style.title}"))

    def _commit_span(self, now: float, horizon: float) -> None:
        if horizon <= self.planned:
            return
        arr = self.arranger
        spb = arr.style.steps_per_beat
        if math.ceil((horizon - arr.start_f) * spb - 1e-9) == math.ceil((self.planned - arr.start_f) * spb - 1e-9):
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
        # Beats of the band crossed by this window: the file writers build the tempo map from them. A bar
        # of 7/8 is 7/2 beats: beats are counted in cycles of whole beats (7 = two bars).
        # Positions within 1e-9 of a beat count as on it, as for grid steps, so no beat is skipped.
        cycle = arr.style.beats_per_bar.numerator
        first = math.ceil(self.planned - 1e-9)
        for n in range(first, math.ceil(horizon - 1e-9)):
            t = max(beat.time_at(n), self._last_beat_time + 0.25 * beat.period)
            self._last_beat_time = t
            index = n - self._entry_beat
            in_cycle = int((n - arr.start_f) % cycle)
            self._send(Beat(t, index, in_cycle, cycle))
        self.intensity = intensity(state.loudness, self.density(now))
        notes = arr.query(self.planned, horizon, state, chord=self._chord(), intensity=self.intensity)
        self._mark_sections(now, horizon)
        for p in notes:
            t = beat.time_at(float(p.position)) + p.offset
            if t < now:
                self.late += 1
                t = now
            self._send(Note(t, p.duration, p.channel, p.pitch, p.velocity, p.part))
        self.planned = horizon

    def _mark_sections(self, now: float, horizon: float) -> None:
        """A marker where the section changes, for the file and the live log."""
        arr = self.arranger
        beat = self.listener.beat
        last = min(arr.decided - 1, arr.bar_at(horizon - 1e-9))
        for bar in range(self._section_marked + 1, last + 1):
            plan = arr.plans[bar]
            prev = arr.plans[bar - 1].section if bar > 0 else None
            if plan.section != prev and plan.section != OUT:
                self._send(Marker(max(now, beat.time_at(float(arr.bar_start(bar)))), f"section: {plan.section}"))
            self._section_marked = bar
