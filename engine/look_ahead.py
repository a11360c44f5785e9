"""The look-ahead render: a backing track whose band plays from the player's first downbeat.

Live, the band comes in when the listener is sure of beat and key, about two bars after the guitar's first note
(bench/README.md, entry_wait.py). Offline the whole take is known, so `aqyn render --look-ahead` renders twice:
pass one is the render as live; from its band this module reads where the player's first downbeat was, at which
tempo and in which meter, and which key the song opened in (`Opening`). Pass two is the render as live again with
those as timed inputs: a silent count-in ending on that downbeat (engine/inputs.py `CountIn`, the path a player's
`--count-in` takes: the band comes in on it, then follows the player as live) and the opening key
(`KeyHint`), so the dombra plays in the song's key from its first note. Pass two is kept only where its band
follows the player, from pass one's entry on, as pass one's did (`follows`); else the render is as live. Either
way its key markers are written in the whole take's name (`named`: a blues is major from its first bar).

Pass one's *settled* reading counts, not its first guess: the bars are counted back from the first downbeat of
the longest stretch (at least `SETTLED_BARS` bars) the band played in one meter without moving its bar line (a 2/4
take heard 4/4 at the entry and a bar moved later are read as the band played them after), along its beats and,
before its entry, the player's beats as the listener heard them (the band's `LeadIn`, engine/lead_in.py). A
pickup before the first downbeat stays a pickup: the band starts on the downbeat after it.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, replace
from typing import Sequence

from engine.events import Beat, Event, KeyChange, LeadIn, TimeSignature
from engine.inputs import COUNT_PERIOD, CountIn, KeyHint
from engine.lead_in import SNAP
from engine.pipeline import START_LEAD
from engine.theory import pitch_class

SETTLED_BARS = 4    # bars in one meter and bar phase from which pass one's reading counts (a phrase of the band's)
PICKUP = 0.25       # beats: a first note this far before a downbeat is on it (a strum pushed early), not a pickup
COUNT_CLICKS = 4    # the silent count-in's clicks at least (the tap tempo needs two; a bar of 4/4 gives four)
TOL = 0.07          # s: a beat of pass two this close to one of pass one's is that beat (bench/band_eval.py's TOL)
AGREE = 0.9         # share of pass one's beats and bar lines pass two must keep (`follows`), else pass one is kept
STEP = 0.2          # a beat back is a heard beat within this share of a beat's length (another level is not)
OPENING_BARS = 2 * SETTLED_BARS   # bars from pass one's first beat: the opening key is the one held longest there


@dataclass(frozen=True)
class Opening:
    """Where the song starts, read off pass one: the player's first `downbeat` (s), the beat's `period` (s) there,
    the bar's `beats_per_bar` (listener beats: 2 in 6/8, a dotted quarter each), the `eighths` a beat (3 in 6/8
    and 12/8, else 2) and the `key` (tonic name, mode) the band played longest over the song's first two phrases
    (OPENING_BARS), None when it played none."""

    downbeat: float
    period: float
    beats_per_bar: int
    eighths: int = 2
    key: tuple[str, str] | None = None

    def inputs(self) -> list:
        """Pass two's timed inputs: a count-in with no clicks whose bar ends on `downbeat` (at least
        COUNT_CLICKS clicks; before the input's start where need be, as an offline count-in may be), and the key
        at second 0."""
        bars = math.ceil(COUNT_CLICKS / self.beats_per_bar)
        count = CountIn.of_bars(bars, 60.0 / self.period, self.beats_per_bar, downbeat=self.downbeat, clicks=False,
                                eighths=self.eighths)
        return [count] + ([KeyHint(0.0, *self.key)] if self.key else [])


def opening(band: Sequence[Event], first_onset: float, struck: Sequence[float] = ()) -> Opening | None:
    """The `Opening` pass one's `band` (its events, in time order) heard for a guitar whose first note is at
    `first_onset` (s); None when the band never played a settled stretch (pass two is then the render as live).
    `struck`: the guitar's strums (s, sorted); the one nearest the downbeat, within SNAP of a beat, is the
    downbeat (the listener's beats before the band lag a ramp's: sim2 strum_4-4 Bb-mixolydian+pickup+tempo s14's
    first downbeat 78 ms after the truth's, its strum 47 ms).
    Whole-beat meters only: in an aqsaq meter (5/8, 7/8: the band's beats are its groups' quarters, not even
    beats) None as well."""
    beats = sorted((e for e in band if isinstance(e, Beat)), key=lambda b: b.time)
    meters = [e for e in band if isinstance(e, TimeSignature)]
    settled = _settled(beats, meters)
    if settled is None:
        return None
    start, cycle, eighths = settled
    lead = next((e for e in band if isinstance(e, LeadIn)), None)
    heard = sorted([*(lead.beats if lead is not None else ()), *(b.time for b in beats[:start])])
    downbeat, period = beats[start].time, beats[start + 1].time - beats[start].time
    floor = first_onset - PICKUP * period
    while True:
        before, length = _bar_before(heard, downbeat, period, cycle)
        if before < floor:
            break
        downbeat, period = before, length
    downbeat = _snapped(downbeat, period, struck)
    if downbeat < START_LEAD:
        downbeat, period = _bar_after(heard, downbeat, period, cycle)
    if not COUNT_PERIOD[0] <= period <= COUNT_PERIOD[1]:
        return None     # no count-in holds that beat (review35: pause-10s-then-return's 0.196 s was a traceback)
    key = _longest_key([e for e in band if isinstance(e, KeyChange)], beats[0].time + OPENING_BARS * cycle * period)
    return Opening(downbeat, period, cycle, eighths, key)


def follows(live: Sequence[Event], early: Sequence[Event]) -> float:
    """How far pass two's band (`early`, its events) follows the player as pass one's (`live`) did from pass one's
    entry on, 0..1: the lesser of the shares of pass one's beats and of its bar lines (`Beat`s, `beat_in_bar` 0)
    that pass two has within TOL s (band_eval.py's window). 1 when pass one never played. A band started early is
    kept only where it follows as well (AGREE): on GuitarSet's bossa comping (BN1) the count-in's early grid took
    the syncopation's dotted quarters for the beat later on, where the band as live had not (beat F 0.47)."""
    ours = sorted(e.time for e in early if isinstance(e, Beat))
    bars = sorted(e.time for e in early if isinstance(e, Beat) and e.beat_in_bar == 0)
    beats = [e for e in live if isinstance(e, Beat)]
    if not beats:
        return 1.0
    return min(_share([b.time for b in beats], ours), _share([b.time for b in beats if b.beat_in_bar == 0], bars))


def whole_key(band: Sequence[Event]) -> tuple[str, str] | None:
    """The key (tonic name, mode) the take is written in as one who heard it whole names it: pass one's `band`'s
    last key marker (a blues is named major once its V7 bars are heard: review35's shuffle in A, 25.6 s in);
    None when it wrote none."""
    return next(((e.tonic, e.mode) for e in reversed(band) if isinstance(e, KeyChange)), None)


def named(event: Event, whole: tuple[str, str] | None) -> Event:
    """`event`, a key marker written in the `whole` take's mode where the take is a blues: a marker on its tonic
    heard mixolydian (the blues's I7 and IV7 before its first V7) when the whole take is written major on it. As
    live the key signature is the mixolydian one (a sharp short) for the chart's first lines (review35); offline
    the whole take's name is known. The band plays by the scale heard either way: only the marker changes."""
    if (isinstance(event, KeyChange) and whole is not None and whole[1] == "major" and event.mode == "mixolydian"
            and pitch_class(event.tonic) == pitch_class(whole[0])):
        return replace(event, tonic=whole[0], mode="major")
    return event


class Named:
    """A sink (engine/io/sinks.py `Sink`) that passes each event on to `sink` `named` in the `whole` take's key."""

    def __init__(self, sink, whole: tuple[str, str] | None) -> None:
        self.sink, self.whole = sink, whole

    def send(self, event: Event) -> None:
        """Pass `event` on, a key marker in the whole take's name."""
        self.sink.send(named(event, self.whole))

    def close(self) -> None:
        """Close the sink passed on to."""
        self.sink.close()


def _share(times: list[float], others: list[float]) -> float:
    """The share of `times` (s) with one of `others` (s, sorted) within TOL; 1 without any."""
    if not times:
        return 1.0
    return sum(_nearest(others, t, TOL) is not None for t in times) / len(times)


def _settled(beats: list[Beat], meters: list[TimeSignature]) -> tuple[int, int, int] | None:
    """(index in `beats`, beats to the bar, eighths a beat) of the downbeat that starts the band's longest run (s)
    of consecutive beats in one bar length, bar phase and time signature (`meters`), when it lasts SETTLED_BARS
    bars or more; else None; None in an aqsaq meter too. The longest, not the first: GuitarSet's funk comping
    (Funk3) came in as 6/8 for five bars before its 4/4 (the rest of the take); the first run put the opening
    0.3 s after the first note, off the player's downbeats."""
    def meter_at(t: float) -> TimeSignature | None:
        return next((m for m in reversed(meters) if m.time <= t + 1e-6), None)

    runs: list[tuple[int, int]] = []         # (first, last) indices of runs that start on a downbeat
    for i, b in enumerate(beats):
        if runs and runs[-1][1] == i - 1 and _goes_on(beats[i - 1], b, meter_at):
            runs[-1] = (runs[-1][0], i)
        elif b.beat_in_bar == 0:
            runs.append((i, i))
    runs = [(a, z) for a, z in runs if z - a + 1 >= SETTLED_BARS * beats[a].beats_per_bar]
    if not runs:
        return None
    first, _ = max(runs, key=lambda r: beats[r[1]].time - beats[r[0]].time)
    meter = meter_at(beats[first].time)
    if meter is not None and meter.denominator == 8 and meter.beat_eighths == 2:
        return None          # aqsaq
    return first, beats[first].beats_per_bar, meter.beat_eighths if meter is not None else 2


def _goes_on(before: Beat, beat: Beat, meter_at) -> bool:
    """Whether `beat` follows `before` in one run: the next beat number, the same bar length and time signature
    (`meter_at`: s -> TimeSignature or None), the next place in the bar."""
    return (beat.index == before.index + 1 and beat.beats_per_bar == before.beats_per_bar
            and beat.beat_in_bar == (before.beat_in_bar + 1) % beat.beats_per_bar
            and meter_at(beat.time) == meter_at(before.time))


def _nearest(times: Sequence[float], t: float, within: float) -> float | None:
    """The one of `times` (s, sorted) nearest `t` (s) when it lies within `within` s of it, else None (the earlier
    of two as near)."""
    i = bisect_left(times, t)
    near = min(times[max(0, i - 1): i + 1], key=lambda h: abs(h - t), default=None)
    return near if near is not None and abs(near - t) <= within else None


def _bar_before(heard: list[float], downbeat: float, period: float, cycle: int) -> tuple[float, float]:
    """(downbeat s, its first beat's length s) of the bar of `cycle` beats before the one at `downbeat` (s) whose
    beats are `period` (s) long: each beat back is a beat of `heard` (s, sorted: the player's as the listener heard
    them, the band's) within STEP of a beat's length from the one after it, else one beat's length back (where
    pass one beat at another level, before its settled reading)."""
    t, step = downbeat, period
    for _ in range(cycle):
        near = _nearest(heard, t - step, STEP * step)
        if near is not None:
            step = t - near
        t -= step
    return t, step


def _bar_after(heard: list[float], downbeat: float, period: float, cycle: int) -> tuple[float, float]:
    """(downbeat s, the length s of the beat before it) of the bar after the one at `downbeat` (s) of `cycle` beats of
    about `period` (s), along `heard` (s, sorted) as `_bar_before`. A downbeat before START_LEAD is out of the band's
    reach when the render starts (its look-ahead): cued there, the band came in on the bar's second beat and
    counted its bar from there (GuitarSet's excerpts start on a downbeat at second 0: bar F 0.12 for 0.97)."""
    t, step = downbeat, period
    for _ in range(cycle):
        guess = t + step
        near = _nearest(heard, guess, STEP * step)
        after = guess if near is None else near
        step, t = after - t, after
    return t, step


def _snapped(t: float, period: float, struck: Sequence[float]) -> float:
    """`t` (s), or the strum of `struck` (s, sorted) nearest it when within SNAP beats of `period` (s)."""
    near = _nearest(struck, t, SNAP * period)
    return t if near is None else near


def _longest_key(keys: list[KeyChange], end: float) -> tuple[str, str] | None:
    """The (tonic, mode) of `keys` (in time order) held longest in all from the first to `end` (s), the earlier
    on a tie; the first when it comes at or after `end`; None without any. Longest, not the key at a bar: a
    turnaround's secondary dominant (I-VI7-ii-V's G7 in B-flat) held pass one's key on G mixolydian for bars 4-7
    of review36's jazz take, between B-flat before and after, and told pass two G mixolydian from its first
    bar."""
    held: dict[tuple[str, str], float] = {}
    for k, after in zip(keys, [*keys[1:], None]):
        upto = end if after is None else min(after.time, end)
        held[k.tonic, k.mode] = held.get((k.tonic, k.mode), 0.0) + max(0.0, upto - k.time)
    return max(held, key=held.__getitem__, default=None)
