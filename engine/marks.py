"""What the band tells the file and the live log besides its notes: its beats (the file's tempo map is built
from them) and, with its first, the player's beats heard before it (the file's lead-in), its meter, key changes
and section markers. All of it at the band's own beat times."""

from __future__ import annotations

import math

from engine.arrange.arranger import Arranger
from engine.arrange.form import OUT
from engine.events import Beat, Event, KeyChange, LeadIn, Marker, TimeSignature
from engine.io.sinks import Sink
from engine.lead_in import HeardBeats
from engine.state import BeatGrid, MusicalState
from engine.theory import tonic_name
from engine.timeline import BandTimeline


class BandMarks:
    """Sends beats, time signatures, key changes and section markers to `sinks`, each once; `heard` keeps the
    listener's grids until the band's first beat (`hear`)."""

    def __init__(self, sinks: list[Sink], timeline: BandTimeline):
        self.sinks = sinks
        self.timeline = timeline
        self.signature: tuple[int, int, int] | None = None   # the time signature last written
        self._tonic: tuple[int, str] | None = None
        self._section_marked = -1
        self._first_bar = 0                 # the arranger's first bar played
        self.heard = HeardBeats()

    def hear(self, now: float, state: MusicalState) -> None:
        """The listener's state at `now` (s), kept until the band's first beat for the file's lead-in."""
        self.heard.hear(now, state)

    def send(self, event: Event) -> None:
        """One event to every sink."""
        for sink in self.sinks:
            sink.send(event)

    def new_arranger(self, first_bar: int = 0) -> None:
        """Sections are counted afresh for a new arranger, whose bars from `first_bar` on are played (an aqsaq
        entry half-way through a beat begins with the second bar of the arranger's cycle)."""
        self._first_bar = first_bar
        self._section_marked = first_bar - 1

    def time_signature(self, t: float, signature: tuple[int, int, int]) -> None:
        """The band's meter (numerator, denominator, eighths per beat) from `t` (s), when it changed."""
        if signature != self.signature:
            self.signature = signature
            self.send(TimeSignature(t, *signature))

    def key(self, now: float, position: float, state: MusicalState) -> None:
        """A key signature and marker at band beat `position` where the listener's key changed."""
        key = (state.tonic, state.named_mode)     # as a lead sheet writes it: a blues in major
        if key != self._tonic and state.tonic is not None:
            self._tonic = key
            self.send(KeyChange(max(now, self.timeline.seconds_at(position, state.grid)),
                                tonic_name(*key), key[1]))

    def beats(self, begin: float, end: float, arranger: Arranger, cycle: int, grid: BeatGrid) -> None:
        """The band's beats in [begin, end) (band beat positions; within 1e-9 of a beat counts as on it, as
        for grid steps, so no beat is skipped), each with its place in the band's bar of `cycle` beats (a 7/8
        cycle is two bars: 7 beats), its length and whether the beat before it was a merge (`Beat.merged`). Before
        the band's first beat ever, the player's beats heard before it (`LeadIn`)."""
        for n in range(math.ceil(begin - 1e-9), math.ceil(end - 1e-9)):
            t = self.timeline.seconds_at(n, grid)
            in_cycle = int((n - arranger.start_f) % cycle)
            length = self.timeline.length(n, grid)
            if not self.heard.closed:
                self.send(LeadIn(t, self.heard.before(t, length)))
            self.send(Beat(t, n, in_cycle, cycle, length, self.timeline.merges.get(n - 1, 1),
                           n in self.timeline.restarts))

    def sections(self, now: float, end: float, arranger: Arranger, grid: BeatGrid) -> None:
        """A marker where the section changes, up to band beat position `end`."""
        last = min(arranger.decided - 1, arranger.bar_at(end - 1e-9))
        for bar in range(self._section_marked + 1, last + 1):
            plan = arranger.plans[bar]
            prev = arranger.plans[bar - 1].section if bar > self._first_bar else None
            if plan.section != prev and plan.section != OUT:
                t = self.timeline.seconds_at(float(arranger.bar_start(bar)), grid)
                self.send(Marker(max(now, t), f"section: {plan.section}"))
            self._section_marked = bar
