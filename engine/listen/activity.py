"""How the player is playing: loudness, strums per beat, intensity, and whether the guitar is pausing.

The band follows these (the arranger's density and register, the form's break and ending), so they belong
to listening: `PlayerActivity` is told each onset and ticked once per engine tick.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from engine.state import BeatGrid

DEFAULT_PERIOD = 0.6   # s per beat assumed before a beat is tracked (100 BPM)
STRUM_MERGE = 0.05     # s: onsets closer than this count as one strum
STRONG = 3             # notes in a strum that make it a strong chord (a phrase's downbeat after a rest)
HELD = 0.5             # beats after the latest strum from which the player's intensity holds (a stop, a rest): its
                       # window then still holds the strum density_beats before (a whole beat lost it to rounding)


@dataclass
class ActivityConfig:
    """When the guitar counts as pausing, and over how long its density is measured.

    The guitar is pausing when no onset came for `silence_gaps` times its usual long gap between strums (so
    a ballad's once-a-bar chord keeps the band playing), at least `silence_beats` beats, at most a bar and
    half a beat: soon enough that the band falls silent within a beat of the player's stop (stop-time). A
    player playing single notes (a melody, a solo: the recent strums hold fewer than `chordal` notes) breathes
    between phrases: only a bar and half a beat of silence is a pause then. `density_beats`: the player's
    strums are counted over this many recent beats.

    Single notes over a recurring bass (a Travis pattern, an arpeggio, a bass-and-stab figure: `bass_recurs` of the
    last `bass_strums` strums with a bass note under E3) are accompaniment, not a line: its rest is a stop, as a
    strummer's is (review37: a bar's rest in such takes was played through in 6 of 8).

    A player who keeps the beat (see `PlayerActivity._keeps_beat`; a strum within `on_beat` beats of a beat
    strikes it) has stopped once the beat after the last strum has passed by `beat_late`
    beats without one, as a band hears a stop: the first silent beat, not a gap's length, tells it. (The gap
    rule alone heard a stop after an offbeat strum only 1.3 beats into it, too late for the band's next beat:
    bench/.cache/sim3 stops takes.)
    """

    silence_gaps: float = 1.75
    silence_beats: float = 1.25
    silence_bar: float = 0.5   # beats past a whole bar after which a silence is a pause at the latest
    chordal: float = 2.5       # median notes per strum (over the last 8) from which the player comps
    bass_strums: int = 12      # single notes accompany (a Travis pattern, an arpeggio) when at least `bass_recurs`
    bass_recurs: int = 2       # of the last `bass_strums` strums hold a bass note (under E3): a line has no bass
    density_beats: float = 4.0
    on_beat: float = 0.2       # beats: a strum this close to a beat plays it
    beat_late: float = 0.65     # beats: a beat this long past without a strum is missed: past its offbeat, which a
                               # syncopating player strums a little late (at 0.5, converter-set-b had 25 stops
                               # undone 10-70 ms later by that strum)
    figure_gap: float = 1.15   # x the gap the player's figure leaves in every bar: a silence no longer is no pause
    kept_beats: int = 6        # beats the player must have struck to be keeping the beat ...
    lone_skip: int = 8         # ... skipping a lone beat at most once in this many beats struck


def intensity(loudness: float, density: float) -> float:
    """How hard the guitarist is playing, 0..1: mostly loudness (mean velocity 40..110 maps to 0..1), partly
    strums per beat (0.75..3 maps to 0..1). A design choice, tuned by ear on the examples."""
    loud = min(1.0, max(0.0, (loudness - 40.0) / 70.0))
    busy = min(1.0, max(0.0, (density - 0.75) / 2.25))
    return 0.6 * loud + 0.4 * busy


class PlayerActivity:
    """Loudness (a running mean of note-on velocities), density (strums per beat) and silence."""

    def __init__(self, config: ActivityConfig | None = None):
        self.config = config or ActivityConfig()
        self.loudness = 0.0                     # 0..127
        self.last_onset: float | None = None    # s
        self._onsets: deque[float] = deque()     # strum onsets (s) within the density window
        self._played: deque[float] = deque()     # ... within the window that stops half a beat after the latest
        self._last_counted: float | None = None
        self._strums: deque[list] = deque(maxlen=16)  # [start (s), notes, has a bass note] of the recent strums
        self._phrase_from: float | None = None   # s: the first onset after the last rest of a bar or more
        self._phrase: float | None = None        # s: ... and the first strong strum from it, once found
        self._resumed: float | None = None       # s: the input came back then after it was gone (`resume`) ...
        self._heard_from: float | None = None    # ... and the first onset heard after it (s)

    def note(self, t: float, velocity: int, bass: bool = False, rest: float = math.inf) -> None:
        """A confirmed note-on at t seconds with MIDI velocity 1..127; `bass`: the strum's bass note (under E3,
        engine/listen/guitar.py); `rest` (s, a bar): a silence this long before it starts a new phrase."""
        self.loudness += 0.1 * (velocity - self.loudness)
        if self._resumed is not None and t >= self._resumed:
            self._heard_from, self._resumed = t, None
        if self.last_onset is not None and t - self.last_onset >= rest:
            self._phrase_from, self._phrase = t, None
        self.last_onset = t
        if self._strums and t - self._strums[-1][0] <= STRUM_MERGE:
            self._strums[-1][1] += 1
            self._strums[-1][2] = self._strums[-1][2] or bass
        else:
            self._strums.append([t, 1, bass])

    def resume(self, t: float) -> None:
        """The input came back at `t` (s) after it was gone (a pulled cable): the player's strums are counted from
        the first heard after it (`played_density`), as a phrase's are; no phrase starts there (they played on)."""
        self._resumed = t

    @property
    def heard_since(self) -> float | None:
        """The latest onset (s), or the input's return (`resume`) while no onset has come after it: the silence a
        rest is measured by is the player's, not the cable's (their count and phrase go on through it). None
        before any onset."""
        if self.last_onset is None or self._resumed is None:
            return self.last_onset
        return max(self.last_onset, self._resumed)

    @property
    def phrase_start(self) -> float | None:
        """Where the phrase the player began after the last rest of a bar or more starts (s): its first strong
        chord (a strum of STRONG notes or more) or bass note, which a player who starts again after a rest
        plays on a downbeat; a pickup's single notes above the bass lead to it. None before any rest, or while
        no such strum has come since."""
        if self._phrase is None and self._phrase_from is not None:
            self._phrase = next((start for start, notes, bass in self._strums
                                 if start >= self._phrase_from and (notes >= STRONG or bass)), None)
        return self._phrase

    @property
    def strum_notes(self) -> int:
        """The notes of the latest strum (0 before any)."""
        return self._strums[-1][1] if self._strums else 0

    @property
    def chordal(self) -> bool:
        """True when the player strums chords (median notes per recent strum at least `chordal`)."""
        sizes = sorted(n for _, n, _ in list(self._strums)[-8:])
        return bool(sizes) and sizes[len(sizes) // 2] >= self.config.chordal

    @property
    def accompanies(self) -> bool:
        """True when the player comps: strums chords (`chordal`) or plays single notes over a recurring bass (at
        least `bass_recurs` of the last `bass_strums` strums hold a bass note)."""
        c = self.config
        recent = list(self._strums)[-c.bass_strums:]
        return self.chordal or sum(1 for _, _, bass in recent if bass) >= c.bass_recurs

    def tick(self, now: float, period: float | None) -> None:
        """Count the latest onset (once) and forget onsets older than the density window; `period` is the
        tracked beat (s), None before there is one."""
        t = self.last_onset
        if t is not None and t != self._last_counted:
            if not self._onsets or t - self._onsets[-1] > STRUM_MERGE:
                self._onsets.append(t)
            if not self._played or t - self._played[-1] > STRUM_MERGE:
                self._played.append(t)
            self._last_counted = t
        period = period or DEFAULT_PERIOD
        horizon = now - self.config.density_beats * period
        while self._onsets and self._onsets[0] < horizon:
            self._onsets.popleft()
        if t is not None:
            horizon = min(now, t + HELD * period) - self.config.density_beats * period
            while self._played and self._played[0] < horizon:
                self._played.popleft()

    def next_tick(self, period: float | None) -> float:
        """The time (s) from which `tick` may forget an onset (`period` as for `tick`): before it, and with no
        note since the last tick, `tick` does nothing. inf with no onset to forget."""
        if not self._onsets:
            return math.inf
        return self._onsets[0] + self.config.density_beats * (period or DEFAULT_PERIOD)

    @property
    def density(self) -> float:
        """Guitar strums per beat over the last `density_beats` beats."""
        return len(self._onsets) / self.config.density_beats

    def played_density(self, now: float, period: float | None) -> float:
        """Guitar strums per beat as it plays, at `now` (s; `period`: the tracked beat, s, or None): `density`
        while it plays, but its window stops HELD beats after the latest strum and starts no earlier than the
        phrase begun after the last rest (then its strums over the beats from its first to its latest, one
        counted for each: a strum a beat is 1). A stop is not playing fewer strums
        (the band's stop-time answers it): counted as `density` counts, a one-bar stop in a waltz took the
        player's intensity under the sparse threshold, and the band, whose hysteresis wants more to turn full
        again, stayed sparse for the rest of the song (review20)."""
        if self.last_onset is None:
            return 0.0
        end = min(now, self.played_until(period))
        period = period or DEFAULT_PERIOD
        start = end - self.config.density_beats * period
        heard = max((t for t in (self._phrase_from, self._heard_from) if t is not None), default=None)
        if heard is not None and heard > start:
            start = heard
            n = sum(1 for t in self._played if t >= start)
            return n / min(self.config.density_beats, (self.last_onset - start) / period + 1.0)
        return len(self._played) / self.config.density_beats

    def played_until(self, period: float | None) -> float:
        """The time (s) from which `played_density` no longer moves with `now` (`period` as there): HELD beats after
        the latest strum; -inf before any (it is 0 then)."""
        if self.last_onset is None:
            return -math.inf
        return self.last_onset + HELD * (period or DEFAULT_PERIOD)

    def silent(self, now: float, period: float | None, usual_gap: float, beats_per_bar: int,
               grid: BeatGrid | None = None, bar_gap: float = 0.0) -> bool:
        """True when the guitar is pausing at `now` (s): see `ActivityConfig`. `usual_gap` is the 75th
        percentile of recent gaps between onsets (s), `bar_gap` the gap the player's figure leaves in every bar
        (s, engine.listen.beat `BeatTracker._bar_gap`); `grid`, the tracked beat, lets a missed beat tell it."""
        if self.last_onset is None:
            return True
        limit, chordal = self.silence_limit(period, usual_gap, beats_per_bar, bar_gap)
        return self.pausing(now, limit, chordal, grid)

    def silence_limit(self, period: float | None, usual_gap: float, beats_per_bar: int,
                      bar_gap: float = 0.0) -> tuple[float, bool]:
        """(the silence after the latest onset that is a pause, s; whether the player comps): `silent`'s part that
        does not move with the clock (arguments as there), read once per change of the listener
        (`Listener.state`)."""
        c = self.config
        period = period or DEFAULT_PERIOD
        longest = (beats_per_bar + c.silence_bar) * period
        chordal = self.accompanies              # (a sort: asked once)
        if not chordal:
            return longest, False
        shortest = max(c.silence_gaps * usual_gap, c.silence_beats * period, c.figure_gap * bar_gap)
        return min(shortest, longest), True

    def pausing(self, now: float, limit: float, chordal: bool, grid: BeatGrid | None) -> bool:
        """`silent` at `now` (s) from `silence_limit`'s (limit s, chordal), with an onset heard: the silence
        since it is longer than the limit, or a comping player who keeps the beat missed one (`missed_beat`)."""
        return now - self.last_onset > limit or (chordal and self.missed_beat(now, grid))

    def groove_gap(self, period: float | None, usual_gap: float, beats_per_bar: int, floor: float = 0.0) -> float:
        """The longest silence after an onset (s) that is still the player's groove and no pause, by `silent`'s
        gap rule (`usual_gap`, `period` s and `beats_per_bar` as there): `silence_gaps` times the usual gap, at
        most a bar and `silence_bar` beats; 0 while the player is not comping (a line breathes between
        phrases: its rests are rests), and 0 where it is no longer than `floor` (s: a silence waited anyway; the
        comping test is then not needed). A reggae skank on 2 and 4 at 71 BPM leaves 1.5 s of silence after
        every chop (sim4 reggae F#-dorian): the chord it named still stands there."""
        c = self.config
        gap = min(c.silence_gaps * usual_gap, (beats_per_bar + c.silence_bar) * (period or DEFAULT_PERIOD))
        return gap if gap > floor and self.chordal else 0.0

    def missed_beat(self, now: float, grid: BeatGrid | None) -> bool:
        """True when the player keeps the beat (see `ActivityConfig`) and the beat after the last strum has
        passed `beat_late` beats ago at `now` (s) without a strum. False without a grid or in an aqsaq meter
        (its groups are not the quarter beats)."""
        if grid is None or grid.groups or not self._strums:
            return False
        c = self.config
        last = math.floor(grid.beat_at(self._strums[-1][0]) + c.on_beat)   # the last strum's beat, or the one before
        if grid.beat_at(now) <= last + 1 + c.beat_late:
            return False                    # (most ticks: the strums' beats are not worked out)
        return self._keeps_beat([grid.beat_at(t) for t, _, _ in self._strums], last)

    def _keeps_beat(self, at: list[float], last: int) -> bool:
        """Whether the recent strums, at beat positions `at`, struck at least `kept_beats` beats up to beat
        `last` (which they struck), skipping a lone beat at most once in `lone_skip` beats struck (a
        syncopating player skips one often; a rest of two beats or more is a stop, which the band has heard
        already, and is passed over)."""
        c = self.config
        struck = {round(a) for a in at if abs(a - round(a)) <= c.on_beat}
        count = missing = lone = 0
        for b in range(last, math.floor(at[0]) - 1, -1):
            if b not in struck:
                missing += 1
                continue
            if missing and not count:
                return False
            lone += missing == 1
            count, missing = count + 1, 0
        return count >= c.kept_beats and lone * c.lone_skip <= count
