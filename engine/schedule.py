"""The scheduler: the band's conductor. Each tick it takes the listener's `MusicalState`, asks the arranger for
the notes of the next look-ahead window, turns beats into seconds on the state's `BeatGrid` and hands the notes
to sinks. It reads nothing of the listener but the state.

Notes are committed a look-ahead window before they sound and never changed after; everything later is
planned afresh on the next tick with the newest key, chord, tempo and beat, so the band follows without
audible corrections. The band waits until the listener is confident and comes in on the guitar's next
downbeat (with the style's intro). It listens while it plays: the player's intensity sets the band's;
when the guitar pauses the band plays the break, and when the guitar is still silent after the break it
plays the ending and stops (coming back in on a downbeat when the guitar returns).

Footswitch cues (`cue`): fill, next, ending, start, stop, keep going; `set_style` switches style at the next bar.

Meters and the listener's beat: a listener beat is a quarter note in 2/4, 3/4, 4/4, 5/8 and 7/8 and a
dotted quarter in 6/8, 9/8 and 12/8. A 7/8 bar lasts 3.5 beats, a 5/8 bar 2.5: the band's first bar starts
on a guitar downbeat and every second bar line falls between two of the guitar's beats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from engine.arrange.arranger import Arranger
from engine.arrange.band import setup_events
from engine.arrange.form import OUT
from engine.arrange.patterns import Style
from engine.arrange.styles import StyleChooser
from engine.events import Beat, KeyChange, Marker, Note, TimeSignature
from engine.inputs import Cue
from engine.io.sinks import Sink
from engine.state import BeatGrid, MusicalState
from engine.theory import tonic_name
from engine.timeline import BandTimeline

BAND_CUES = (Cue.FILL, Cue.NEXT, Cue.ENDING, Cue.START, Cue.STOP, Cue.KEEP_GOING)


@dataclass
class SchedulerConfig:
    """The scheduler's settings: `lookahead` is the seconds between committing a note and its sounding."""

    lookahead: float = 0.08        # seconds between committing a note and its sounding


class Scheduler:
    """Commits the band's notes ahead of time from the listener's states; see the module docstring.

    `choose_style(grid)` picks the style when the band comes in (unless `set_style` chose one); `seed` makes
    every choice repeatable; `sinks` receive every event.
    """

    def __init__(self, choose_style: StyleChooser, seed: int, sinks: list[Sink], config: SchedulerConfig | None = None):
        self.choose_style = choose_style
        self.seed = seed
        self.sinks = sinks
        self.config = config or SchedulerConfig()
        self.arranger: Arranger | None = None
        self.playing = False
        self.held = False             # a stop or ending cue: stay out until "start"
        self.keep_going = False       # live, input port gone: keep the groove instead of breaking
        self.committed_until = 0.0    # beat position (on the listener's count) up to which notes are committed
        self.late = 0                 # notes committed after their time had passed
        self.entries = 0              # how many times the band came in
        self.intensity = 0.0          # the player's intensity at the last commit, 0..1
        self._set_up = False
        self._meter: str | None = None
        self.timeline = BandTimeline()       # when the band's beats fall: smooth, whatever the grid does
        self._last_tonic: tuple[int, str] | None = None
        self._stop_at: float | None = None   # beat position where the band will stop, once decided
        self._hold_after: bool = False       # the ending under way was cued: hold once it is over
        self._next_style: Style | None = None
        self._style: Style | None = None     # chosen by set_style: overrides the chooser
        self._section_marked: int = -1
        self._state: MusicalState | None = None
        self._now = 0.0

    # ---- controls ------------------------------------------------------------------------------------
    def cue(self, cue: Cue | str) -> None:
        """A footswitch cue. `fill`: a one-bar fill at the next bar; `next`: the next section (intro ->
        main A, main A <-> main B) from the next bar; `ending`: the ending from the next bar, then stop and
        stay out until `start`; `start`: allow the band in again (and stop keeping going); `stop`: stop at the
        next beat, silently, and stay out until `start`; `keep_going`: the input is gone, keep the groove
        instead of breaking. Raises ValueError for anything else."""
        if cue not in BAND_CUES:
            raise ValueError(f"cue must be one of {', '.join(BAND_CUES)}, got {cue!r}")
        if cue == Cue.KEEP_GOING:
            self.keep_going = True
        elif cue == Cue.START:
            self.keep_going = False
            self.held = False
        elif cue == Cue.STOP:
            self.held = True
            if self.playing:
                stop = float(math.ceil(self.committed_until))
                self._stop_at = stop if self._stop_at is None else min(self._stop_at, stop)
        elif cue == Cue.ENDING:
            self.held = True
            if self.playing:
                self._hold_after = True
                self.arranger.cue(Cue.ENDING)
        elif self.playing and self._stop_at is None:
            self.arranger.cue(cue)

    def set_style(self, style: Style) -> None:
        """Play `style` from the next bar (or from the next entry when the band is out)."""
        self._style = style
        if self.playing:
            self._next_style = style

    @property
    def section(self) -> str | None:
        """The section the band is playing now (intro main_a main_b fill break ending), None while out."""
        arranger = self.arranger
        if not self.playing or arranger is None or not arranger.plans:
            return None
        grid = self._state.grid if self._state is not None else None
        pos = self.timeline.beat_at(self._now, grid) if grid is not None else float(arranger.start)
        bar = min(max(arranger.bar_at(pos), 0), len(arranger.plans) - 1)
        name = arranger.plans[bar].section
        return None if name == OUT else name

    # ---- the tick ------------------------------------------------------------------------------------
    def _send(self, event) -> None:
        for sink in self.sinks:
            sink.send(event)

    def tick(self, now: float, state: MusicalState) -> None:
        """Plan and commit everything due before now + lookahead (seconds), from the listener's `state`."""
        self._now, self._state = now, state
        if not self.playing:
            if not self.held and state.locked and state.last_onset is not None and not self._pausing(state):
                self._enter(now, state)
            return
        grid = state.grid
        horizon = self.timeline.beat_at(now + self.config.lookahead, grid)
        self.arranger.pause = self._pausing(state)
        if self._stop_at is not None:
            horizon = min(horizon, self._stop_at)
        self._commit(now, horizon, state)
        if self._stop_at is None and self.arranger.finished_at is not None:
            self._stop_at = float(self.arranger.finished_at)
        if self._stop_at is not None and self.timeline.beat_at(now + self.config.lookahead, grid) >= self._stop_at:
            self._commit(now, self._stop_at, state)
            self.playing = False
            self._send(Marker(max(now, self.timeline.seconds_at(self._stop_at, grid)), "band out"))
            self._stop_at = None
            if self._hold_after:
                self.held, self._hold_after = True, False

    def _pausing(self, state: MusicalState) -> bool:
        """The guitar is pausing (and the band should break), unless the band keeps going without input."""
        if self.keep_going and self.playing:
            return False
        return state.silent

    def _enter(self, now: float, state: MusicalState) -> None:
        grid = state.grid
        style = self._style or self.choose_style(grid)
        horizon = grid.beat_at(now + self.config.lookahead)
        start = math.floor(horizon) + 1
        while not grid.is_downbeat(start):
            start += 1
        self.arranger = Arranger(style, self.seed + self.entries, start)
        self.entries += 1
        self.playing = True
        self.committed_until = float(start)
        self.timeline.start(start, grid)
        self._section_marked = -1
        self._next_style = None
        t = max(now, grid.seconds_at(start) - 0.05)           # set-up just before the first note
        self._time_signature(max(now, grid.seconds_at(start)), style)   # the meter from the bar line
        if not self._set_up:
            self._set_up = True
            for event in setup_events(t):
                self._send(event)
        self._send(Marker(t, f"band in: {style.title}"))

    def _time_signature(self, t: float, style: Style) -> None:
        if style.meter != self._meter:
            self._meter = style.meter
            self._send(TimeSignature(t, style.numerator, style.denominator, style.beat_eighths))

    def _commit(self, now: float, horizon: float, state: MusicalState) -> None:
        if horizon <= self.committed_until:
            return
        arranger = self.arranger
        if (self._next_style is not None and arranger.form.state not in ("ending", "out")
                and arranger.form.pending != Cue.ENDING):
            switch = arranger.bar_start(arranger.decided)   # the first bar not yet decided
            if horizon >= switch:
                self._commit_span(now, float(switch), state)
                self._switch(now, switch, state.grid)
        self._commit_span(now, horizon, state)

    def _switch(self, now: float, at: Fraction, grid: BeatGrid) -> None:
        old = self.arranger
        style, self._next_style = self._next_style, None
        main = old.plans[-1].main if old.plans else "main_a"
        self.arranger = Arranger(style, self.seed + self.entries, at, intro=False, main=main)
        self.entries += 1
        self._section_marked = -1
        t = max(now, self.timeline.seconds_at(float(at), grid))
        self._time_signature(t, style)
        self._send(Marker(t, f"style: {style.title}"))

    def _commit_span(self, now: float, horizon: float, state: MusicalState) -> None:
        if horizon <= self.committed_until:
            return
        arranger = self.arranger
        spb = arranger.style.steps_per_beat
        if (math.ceil((horizon - arranger.start_f) * spb - 1e-9)
                == math.ceil((self.committed_until - arranger.start_f) * spb - 1e-9)):
            self.committed_until = horizon   # no grid step (and so no beat) in this window: nothing to plan
            return
        grid = state.grid
        self._key_change(now, state)
        self._beats(horizon, grid)
        self.intensity = state.intensity
        notes = arranger.query(self.committed_until, horizon, state, chord=state.chord, intensity=self.intensity)
        self._mark_sections(now, horizon, grid)
        for p in notes:
            t = self.timeline.seconds_at(float(p.position), grid) + p.offset
            if t < now:
                self.late += 1
                t = now
            self._send(Note(t, p.duration, p.channel, p.pitch, p.velocity, p.part))
        self.committed_until = horizon

    def _key_change(self, now: float, state: MusicalState) -> None:
        """A key signature and marker where the listener's key changed."""
        key = (state.tonic, state.mode)
        if key != self._last_tonic and state.tonic is not None:
            self._last_tonic = key
            self._send(KeyChange(max(now, self.timeline.seconds_at(self.committed_until, state.grid)),
                                 tonic_name(state.tonic, state.mode), state.mode))

    def _beats(self, horizon: float, grid: BeatGrid) -> None:
        """The band's beats crossed by the window up to `horizon`: the file writers build the tempo map from
        them. A bar of 7/8 is 7/2 beats: beats are counted in cycles of whole beats (7 = two bars). Positions
        within 1e-9 of a beat count as on it, as for grid steps, so no beat is skipped."""
        arranger = self.arranger
        cycle = arranger.style.beats_per_bar.numerator
        for n in range(math.ceil(self.committed_until - 1e-9), math.ceil(horizon - 1e-9)):
            t = self.timeline.seconds_at(n, grid)
            in_cycle = int((n - arranger.start_f) % cycle)
            self._send(Beat(t, n, in_cycle, cycle, self.timeline.seconds_at(n + 1, grid) - t))

    def _mark_sections(self, now: float, horizon: float, grid: BeatGrid) -> None:
        """A marker where the section changes, for the file and the live log."""
        arranger = self.arranger
        last = min(arranger.decided - 1, arranger.bar_at(horizon - 1e-9))
        for bar in range(self._section_marked + 1, last + 1):
            plan = arranger.plans[bar]
            prev = arranger.plans[bar - 1].section if bar > 0 else None
            if plan.section != prev and plan.section != OUT:
                self._send(Marker(max(now, self.timeline.seconds_at(float(arranger.bar_start(bar)), grid)),
                                  f"section: {plan.section}"))
            self._section_marked = bar
