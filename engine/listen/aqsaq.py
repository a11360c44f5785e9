"""The aqsaq meters on the beat tracker's grid: is the player's bar a 5/8 (3+2) or a 7/8 (2+2+3) over the
quarter-note beat, and where does it start? (`AqsaqWatch`)

Kazakh aqsaq ("lame") bars group their eighths unevenly (../shared/DOMAIN.md). Played at a quarter-note pulse
of 120-170 BPM the beat tracker (engine/listen/beat.py) follows the quarter, two eighths, and its grid stays on
the eighth pulse: a 7/8 bar is three and a half of its beats, so every second bar starts half a beat off the
grid, and its accents (down strums, bass notes, the chord changes of the bar start) fall on the grid's
off-beat eighths in every second bar, which no bar of whole beats explains.

The watch is a small forward filter over the grid's eighths (slots: beat position n/2 for slot n), stepped
once per slot when the slot's window has passed, as the bar pointer (engine/listen/bar_pointer.py) is stepped
once per beat: off the per-note path, from the listener's tick. Its states are hypotheses with a position
each: `plain` (accents on every second slot: the grid's beats, in whatever simple meter the bar pointer
counts; two positions), the tresillo `3+3+2` of a square bar (eight positions: syncopated comping, bossa),
5/8 (five positions, groups 3+2) and 7/8 (seven, 2+2+3). Each slot the position moves one eighth on (a
hypothesis restarts its position with `RESTART`, and any state jumps to the prior with `MOVE`: a meter
change), and the slot's evidence weighs the states by the class the slot has in each: a bar start, another
group start, or an eighth inside a group. The evidence is an accent log-likelihood ratio (the slot's onset
weight against the recent slots' of its kind, single notes or strums, a bass note, the strum's size; a slot
passed without a note counts against an accent) and a bar-start one (pitch classes new against the last slots,
a bass that moved). A lone bass and the chord on the next eighth (dombra-style bass-and-chord playing) are
weighed as that figure: the bass starts a group, the chord is its second eighth, however much bigger and louder
it is. `plain` leaves its bars to the bar pointer, so it weighs its beat as a bar start a third of the time.
Over the take's first bars a second belief, the entry filter, weighs the same slots from a prior that puts half
of each bar's mass on a bar starting at the first note (`OPENING`); only the lean offered to a band coming in
(`lean_reading`) is read from it.

Hysteresis: the aqsaq meters start `LOG_PRIOR` below plain; one is named only when the evidence for it has
accumulated to `NAME_EVIDENCE`, after `FIRST_SLOTS` slots weighed, and stays named until the belief in it falls
under `KEEP`: a 4/4 song does not flicker into 7/8, and an aqsaq take with one square bar stays aqsaq. The
evidence is the belief's log-odds summed over the slots running on which the watch has leaned to that meter (by
`LEAN` or more), a sequential test in the manner of Wald's (Wald, "Sequential tests of statistical hypotheses",
Ann. Math. Statist. 16, 1945: stop as soon as the accumulated evidence crosses a bound, not after a fixed count):
the bound is what the rule before it asked at its least (four slots running at a belief of 0.95), so a belief
that climbs to 0.99 names the meter as soon as that did, and one that hovers at 0.92-0.95 bar after bar names
it too, where four slots running over 0.95 kept it unnamed for bars (sim-aqsaq F-minor s01, Eb-major s07).

The weights are set by hand, checked on the second simulator's seed-1 takes and GuitarSet dev (bench/README.md
has the figures; sim2-held and converter-set-b are reported apart). Times are seconds; beat positions are the
tracker's float beats.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from engine.listen.guitar import LONE_BASS_CHORD, LONE_BASS_GAP, GuitarConfig

BASS_BELOW = GuitarConfig.bass_below   # MIDI: the bass register (under E3)

GROUPS = {"5/8": (3, 2), "7/8": (2, 2, 3)}      # the aqsaq bars the watch knows, groups in eighths
# Square bars with uneven accents, heard as such rather than as aqsaq: the tresillo (3+3+2 eighths of a 4/4 bar,
# bossa and pop comping's syncopation)
SQUARE = {"3+3+2": (3, 3, 2)}
LOG_PRIOR = -4.0      # log prior of each aqsaq meter against plain (a 4/4 song needs no evidence to stay 4/4)
SQUARE_PRIOR = -2.0   # ... and of a tresillo bar
RESTART = 0.01        # per slot: a hypothesis's position restarts elsewhere (a grid moved by an eighth)
MOVE = 0.002          # per slot: any state jumps to the prior (a meter change)
NEAR = 0.3            # slots: a note within this of the slot's time is on it
MEMORY = 0.7          # per slot: how much of the pitch-class memory stays
NEW = 0.15            # a pitch class under this share of the memory's strongest is new
FIRST_SLOTS = 16      # slots weighed (two 7/8 bars and a beat) before an aqsaq meter is named
LEAN = 0.5            # belief in an aqsaq meter not yet named from which the watch is `leaning` towards it
# the leaning slots' summed log-odds of the belief from which the meter is named: four slots at 0.95 (the rule's
# before, a fixed count; module docstring) ...
NAME_EVIDENCE = 4 * math.log(0.95 / 0.05)
KEEP = 0.6            # ... and the belief under which it is no longer
# ... and the share of it from which the meter leaned to is offered to a band coming in (`lean_reading`): a band
# about to come in on the bar start it believes (bench/entry_wait.py, session 15). A quarter: one slot's worth at
# 0.95 (two at 0.81). In 7/8 the lean passes 0.8 about bar 3's downbeat: with half, sim-aqsaq and sim3's 7/8 takes
# came in a bar later (bench/README.md, session 20). The margin is the lean itself (LEAN): no square take of sim2,
# sim3 or GuitarSet dev believed more than 0.13 when its band came in, and a band in takes the lean only in its meter
ENTRY_EVIDENCE = 0.25 * NAME_EVIDENCE
ENTRY_SLOTS = 12      # ... after this many slots weighed (a 7/8 bar and a half, a 5/8 bar's pair and more)
# Belief in an aqsaq meter not yet named from which a band not yet in waits for it (`stirring`): the 5/8 take of
# tests/data came in in 3/4 at 0.31, sim3's 5/8 C-minor in 4/4 at 0.25, while no square take of sim2, sim3 or
# GuitarSet dev in simple time believed more than 0.05 when its band came in (bench/README.md, session 16). Over the
# take's first OPENING_SLOTS slots the entry filter's belief stirs too: sim-aqsaq's 5/8 Bb-minor and Eb-mixolydian,
# heard in 3/4, came in in it off the player's downbeats while the listener believed 5/8 by 0.08-0.19 and the entry
# filter by 0.21-0.31 (bench/README.md, session 23, aqsaq13).
STIR = 0.2
# Log-likelihood ratios of a group start against an eighth inside a group (bias, loudness against the recent
# slots, bass note, strum size against the recent slots), of a slot passed without a note, and of a bar start
# against another group start (bias, new pitch classes, bass moved).
ACCENT = (-0.2, 2.0, 1.2, 0.8)
EMPTY = -1.2
BAR_START = (-0.8, 2.0, 0.8)
# A lone bass (a single note, then on the next eighth the bass-and-chord figure's chord, guitar.LONE_BASS_*, or
# any chord of that size above it when the note is in the bass register, under GuitarConfig.bass_below) starts a
# group, and its chord is the group's second eighth, however much bigger and louder: at the chord's slot the
# pair's accents are the figure's (the bass's, LONE_START, replaces the one its slot was weighed with; the
# chord's is LONE_ACCENT), not their loudness.
LONE_START = 2.0
LONE_ACCENT = -1.0
KEEP_NOTES = 4.0      # s of notes kept
# The entry's filter (`lean_reading`): over the take's first OPENING_SLOTS slots a second belief, started at the
# take's first note with this share of each bar's prior (5/8, 7/8, the tresillo) on a bar starting there (a player
# starts on a 1, or with a pickup into it: the rest stays spread), offers a band coming in the meter it leans to.
# With the prior spread evenly, a 7/8's second bar (its group starts all off the grid's beats) was explained as well
# by a square bar shifted an eighth: the lean passed 0.8 on bar 3's downbeat, after the entry's decision, and the
# band came in on bar 4. The listener's own belief (naming, `leaning`, `stirring`) keeps the even prior: raised for
# the whole take, it named GuitarSet's BN1 and Rock3 solos 7/8 (bench/README.md, session 22).
OPENING = 0.5
OPENING_SLOTS = 28    # four 7/8 bars, a band's entry and more; later the entry's lean is the listener's


def _accumulated(evidence: float, leaning_to: str | None, best: str, belief: float) -> tuple[float, str | None]:
    """The lean's (evidence, meter leaned to) after a slot believing aqsaq meter `best` by `belief` (0..1): its
    log-odds added while the watch leans to that meter (by LEAN or more), else the sum started again."""
    if belief < LEAN:
        return 0.0, None
    if best != leaning_to:
        evidence, leaning_to = 0.0, best
    belief = min(belief, 1.0 - 1e-12)
    return evidence + math.log(belief / (1.0 - belief)), leaning_to


class AqsaqWatch:
    """The aqsaq watch (see the module docstring). Feed it every confirmed note with `note`, call `advance` with
    the beat grid as time goes on (and `restart` when the grid changes metrical level); `reading` says which
    aqsaq meter is heard and where its bars start."""

    def __init__(self) -> None:
        self._notes: deque[tuple[float, int, float, bool]] = deque()   # (time s, MIDI pitch, weight, bass)
        # states: (meter, position); position = eighths since the bar start (plain: since the grid's beat)
        self._states: list[tuple[str, int]] = [("plain", 0), ("plain", 1)]
        bars = {**SQUARE, **GROUPS}
        for name, groups in bars.items():
            self._states += [(name, p) for p in range(sum(groups))]
        self._length = {"plain": 2, **{n: sum(g) for n, g in bars.items()}}
        self._after = [self._states.index((m, (p + 1) % self._length[m])) for m, p in self._states]
        starts = {n: {sum(g[:i]) for i in range(len(g))} for n, g in bars.items()}
        # a state's class at its slot: 0 bar start, 1 group start, 2 inside a group, 3 plain's beat
        self._class = [(3 if p == 0 else 2) if m == "plain" else (0 if p == 0 else 1 if p in starts[m] else 2)
                       for m, p in self._states]
        before = {a: b for b, a in enumerate(self._after)}
        self._before = [before[i] for i in range(len(self._states))]   # the state an eighth earlier (a permutation)
        self._start_before = [self._class[j] != 2 for j in self._before]   # ... at a start
        # each meter's states are contiguous: (meter, first state, end, length), and each state's meter by index
        names = list(self._length)
        self._spans = [(m, self._states.index((m, 0)), self._states.index((m, 0)) + self._length[m], self._length[m])
                       for m in names]
        self._meter_of = [names.index(m) for m, _ in self._states]
        self._start = self._prior()
        # per state: the state an eighth earlier, its meter, its share of the meter-change jump, its class
        self._rows = list(zip(self._before, self._meter_of, [MOVE * prior for prior in self._start], self._class))
        # the entry filter's prior: its bar start a slot before the first note, whose step moves it on to it
        start = self._masses(self._start)
        self._opening = [(1.0 - OPENING) * prior + (OPENING * start[m] if m != "plain" and p == self._length[m] - 1
                                                    else 0.0)
                         for (m, p), prior in zip(self._states, self._start)]
        self._first_note: float | None = None   # s: the first note heard
        self._entry: list[float] | None = None  # the entry filter's belief, over the take's first slots
        self._entry_lean = (0.0, None)          # its (lean evidence, meter leaned to), as `_lean_evidence`'s
        self._belief = list(self._start)
        self._next: int | None = None       # the next slot number to weigh
        self._last = 0.0                    # s: the time of the slot weighed last
        self._memory = [0.0] * 12
        self._weight = [0.0, 0.0]           # recent slots' mean onset weight (slots with one note, with more)
        self._size = [0.0, 0.0]             # ... and mean notes
        self._bass: int | None = None       # pitch class of the last bass note
        self._single: int | None = None     # the last slot's pitch when it was a single note ...
        self._accent = 0.0                  # ... and the accent it was weighed with
        self.slots = 0                      # slots weighed since the last restart
        self._named: str | None = None
        self._lean_evidence = 0.0           # the log-odds summed over the slots running leaning to ...
        self._leaning_to: str | None = None  # ... this aqsaq meter
        self._reading: tuple[str, int, float] | None = None
        self._lean = 0.0                    # belief in the likeliest aqsaq meter at the last slot
        self._opening_lean = 0.0            # ... and the entry filter's, over the take's first slots (`stirring`)
        self._lean_reading: tuple[str, int, float] | None = None   # its reading while not named (`lean_reading`)

    def _prior(self) -> list[float]:
        weights = [math.exp(0.0 if m == "plain" else SQUARE_PRIOR if m in SQUARE else LOG_PRIOR) / self._length[m]
                   for m, _ in self._states]
        total = sum(weights)
        return [w / total for w in weights]

    def _masses(self, belief: list[float]) -> dict[str, float]:
        """Per meter ("plain", "5/8", ...), the belief's total over its states."""
        return {m: sum(belief[a:b]) for m, a, b, _ in self._spans}

    def restart(self) -> None:
        """Another metrical level: the slots weighed so far say nothing of the new grid's eighths."""
        self._belief = list(self._start)
        self._next = None
        self.slots = 0
        self._named = None
        self._lean_evidence, self._leaning_to = 0.0, None
        self._reading = self._lean_reading = None
        self._lean = self._opening_lean = 0.0
        self._entry, self._entry_lean = None, (0.0, None)

    def note(self, t: float, pitch: int, weight: float, bass: bool) -> None:
        """A confirmed note at t (s): MIDI `pitch`, salience `weight` (velocity / 127), `bass` when it is the
        strum's bass note."""
        notes = self._notes
        if self._first_note is None:
            self._first_note = t
        notes.append((t, pitch, weight, bass))
        while notes[0][0] < t - KEEP_NOTES:
            notes.popleft()

    def advance(self, now: float, beat_at: Callable[[float], float], seconds_at: Callable[[float], float]) -> bool:
        """Weigh every eighth slot whose window has passed by `now` (s) on the grid given by `beat_at(t)` (float
        beat position at t s) and `seconds_at(position)`. True when a slot was weighed."""
        current = math.floor(2 * beat_at(now) - 2 * NEAR)      # the last slot whose window has passed
        if self._next is not None and current >= self._next:
            # the grid may have moved by an eighth or more since the last slot: its eighths are numbered anew, and
            # the filter's positions stay with the music's (the slot weighed last keeps its time)
            self._next = round(2 * beat_at(self._last)) + 1
        if self._next is None:
            first = math.ceil(2 * beat_at(self._notes[0][0]) - NEAR) if self._notes else current
            self._next = max(first, current - 32)
            if self._notes and self._notes[0][0] == self._first_note and self._next == first:
                self._entry = list(self._opening)      # the first slot weighed is the take's first note's
        elif current - self._next > 32:
            self._next = current                                 # a long silence: start from here
        if self._next > current:
            return False
        while self._next <= current:
            self._step(self._next, seconds_at)
            self._next += 1
        self._last = seconds_at((self._next - 1) / 2)
        self._read()
        return True

    def due(self, seconds_at: Callable[[float], float]) -> float:
        """The time (s) from which `advance` may weigh a slot on the grid given by `seconds_at(position)`: the
        next slot's window ends (-inf before the first grid). Before it `advance` does nothing."""
        return -math.inf if self._next is None else seconds_at(self._next / 2 + NEAR)

    def _step(self, n: int, seconds_at: Callable[[float], float]) -> None:
        """Move every state one eighth on and weigh slot n's evidence."""
        accent, bar, lone = self._evidence(n, seconds_at)
        ea, eb = math.exp(accent), math.exp(bar)
        # likelihood of each class relative to "inside a group"; plain's beat is a bar start a third of the time
        like = (ea * eb, ea, 1.0, ea * (eb + 2.0) / 3.0)
        after = None if lone is None else math.exp(lone)
        self._belief = self._moved(self._belief, like, after)
        if self._entry is not None:
            self._entry = self._moved(self._entry, like, after) if self.slots < OPENING_SLOTS else None
        self.slots += 1

    def _moved(self, old: list[float], like: tuple[float, ...], after: float | None) -> list[float]:
        """The belief `old` one eighth on, weighed by the slot's likelihood of each class (`like`) and, after a
        lone bass, by `after` for a group started on the slot before."""
        # every position moves one eighth on (state i takes old[before[i]]); the restarts spread each meter's mass
        # (summed from its last position round, as the moved states lie) over its positions
        spread = [RESTART * sum(old[a:b - 1], old[b - 1]) / length for _, a, b, length in self._spans]
        keep = 1.0 - RESTART - MOVE
        out = [(keep * old[j] + spread[k] + moved) * like[c] for j, k, moved, c in self._rows]
        if after is not None:
            out = [p * after if a else p for p, a in zip(out, self._start_before)]
        total = sum(out)
        return [p / total for p in out]

    def _evidence(self, n: int, seconds_at: Callable[[float], float]) -> tuple[float, float, float | None]:
        """(accent, bar start) log-likelihood ratios of slot n from the notes near its time, and when it is the
        chord after a lone bass, the log-likelihood ratio to add to the slot before's having started a group
        (else None)."""
        at = seconds_at(n / 2)
        half = seconds_at((n + 1) / 2) - at
        near = NEAR * half
        weight = size = 0.0
        low: tuple[int, bool] | None = None        # (lowest pitch, a bass note)
        chroma = [0.0] * 12
        for t, pitch, w, bass in reversed(self._notes):
            if t < at - near:
                break
            if t >= at + near:
                continue
            weight += w
            size += 1
            chroma[pitch % 12] += w
            if low is None or pitch < low[0]:
                low = (pitch, bass)
        single, self._single = self._single, (low[0] if size == 1 else None)
        if not size:
            self._memory = [MEMORY * m for m in self._memory]
            return EMPTY, 0.0, None
        mem = self._memory
        floor = NEW * max(mem)
        new = sum(c for c, m in zip(chroma, mem) if m <= floor) / weight
        self._memory = [MEMORY * m + c for m, c in zip(mem, chroma)]
        bass = low is not None and low[1]
        moved = bass and self._bass is not None and low[0] % 12 != self._bass
        if bass:
            self._bass = low[0] % 12
        # a single note is weighed against the recent single notes, a strum against the recent strums: the
        # chords of a bass-and-chord figure are all bigger than its bass notes, and none of them is an accent
        kind = size > 1
        avg_w, avg_s = self._weight[kind], self._size[kind]
        loud = math.log(weight / avg_w) if avg_w > 0 else 0.0
        bigger = size / avg_s - 1.0 if avg_s > 0 else 0.0
        self._weight[kind] = 0.9 * avg_w + 0.1 * weight if avg_w else weight
        self._size[kind] = 0.9 * avg_s + 0.1 * size if avg_s else size
        a0, a_loud, a_bass, a_size = ACCENT
        accent = a0 + a_loud * max(-1.5, min(1.5, loud)) + a_bass * bass + a_size * max(-1.0, min(1.0, bigger))
        b0, b_new, b_moved = BAR_START
        lone = None
        if single is not None and size >= LONE_BASS_CHORD and (low[0] >= single + LONE_BASS_GAP
                                                                or single < BASS_BELOW and low[0] > single):
            lone, accent = LONE_START - self._accent, LONE_ACCENT
        self._accent = accent
        return accent, b0 + b_new * new + b_moved * moved, lone

    def _read(self) -> None:
        """The aqsaq meter named now (with hysteresis), its bar start and the belief in it."""
        mass = self._masses(self._belief)
        best = max(GROUPS, key=mass.__getitem__)
        self._lean = lean = mass[best]
        self._lean_evidence, self._leaning_to = _accumulated(self._lean_evidence, self._leaning_to, best, lean)
        if self._named is not None and mass[self._named] < KEEP:
            self._named = None
        if self._named is None and self._lean_evidence >= NAME_EVIDENCE and self.slots >= FIRST_SLOTS:
            self._named = best
        self._reading = self._lean_reading = None
        entry = None if self._entry is None else self._masses(self._entry)
        self._opening_lean = 0.0 if entry is None else max(entry[m] for m in GROUPS)
        if self._named is not None:
            self._reading = self._bar_start(self._named, mass[self._named])
        elif entry is not None:
            self._lean_reading = self._entry_reading(entry)
        elif lean >= LEAN and self._lean_evidence >= ENTRY_EVIDENCE and self.slots >= ENTRY_SLOTS:
            self._lean_reading = self._bar_start(best, lean)

    def _entry_reading(self, mass: dict[str, float]) -> tuple[str, int, float] | None:
        """The entry filter's lean (OPENING), as `lean_reading` gives it, or None; `mass`: its belief's totals per
        meter (`_masses`)."""
        best = max(GROUPS, key=mass.__getitem__)
        lean = mass[best]
        self._entry_lean = evidence, _ = _accumulated(*self._entry_lean, best, lean)
        if lean >= LEAN and evidence >= ENTRY_EVIDENCE and self.slots >= ENTRY_SLOTS:
            return self._bar_start(best, lean, self._entry)
        return None

    def _bar_start(self, name: str, belief: float, states: list[float] | None = None) -> tuple[str, int, float]:
        """(`name`, the slot number of a bar start: its likeliest position in `states` (the listener's belief
        when None), `belief`)."""
        states = self._belief if states is None else states
        first, end = next((a, b) for m, a, b, _ in self._spans if m == name)
        position = max(range(first, end), key=states.__getitem__) - first
        return name, self._next - 1 - position, belief     # the slot weighed last is at `position`

    @property
    def reading(self) -> tuple[str, int, float] | None:
        """(meter "5/8" or "7/8", the slot number (beat position x 2) of a bar start, belief 0..1) while an
        aqsaq meter is heard, else None."""
        return self._reading

    @property
    def lean_reading(self) -> tuple[str, int, float] | None:
        """While the watch leans to an aqsaq meter not yet named with ENTRY_EVIDENCE or more summed: (meter, the
        slot of a bar start, belief) as `reading` would give it once named; else None. Over the take's first
        OPENING_SLOTS slots the lean is the entry filter's (OPENING), later the listener's. A band coming in may
        take its downbeat (engine/schedule.py); the listener's meter stays the grid's until it is named."""
        return self._lean_reading

    @property
    def leaning(self) -> bool:
        """True while no aqsaq meter is named but the filter believes one by LEAN or more: the meter is being
        decided (a band waits for it before coming in)."""
        return self._reading is None and self._lean >= LEAN

    @property
    def stirring(self) -> bool:
        """True while no aqsaq meter is named but the filter believes one by STIR or more, or over the take's first
        slots the entry filter does (OPENING: a bar starting at the first note): less than `leaning`, enough for a
        band that has not come in yet to wait for the meter rather than come in in a square one."""
        return self._reading is None and max(self._lean, self._opening_lean) >= STIR
