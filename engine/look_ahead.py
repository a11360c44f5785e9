"""The look-ahead render: a backing track whose band plays from the player's first downbeat.

Live, the band comes in when the listener is sure of beat and key, about two bars after the guitar's first note
(bench/README.md, entry_wait.py). Offline the whole take is known, so `aqyn render --look-ahead` renders twice:
pass one is the render as live; from its band this module reads where the player's first downbeat was, at which
tempo and in which meter, and which key the song opened in (`Opening`). Pass two is the render as live again with
those as timed inputs: a silent count-in ending on that downbeat (engine/inputs.py `CountIn`, the path a player's
`--count-in` takes: the band comes in on it, then follows the player as live) and the opening key (`KeyHint`), so
the dombra plays in the song's key from its first note. Pass two plays only the opening: the render is pass two's
band up to where pass one's came in (or settled, where it moved its bar line), then pass one's (`spliced`), so the
listener's course after the live entry is the live one (an early grid that later took a syncopation for the beat,
as GuitarSet's bossa did, is never heard). The splice is made at the first of pass one's bars up to its settled run
that pass two plays on the same beats and bar line (`seam`: the band does not jump there); else the render is as
live.

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

from engine.events import Beat, Control, Event, InputMessage, KeyChange, LeadIn, Note, Program, TimeSignature
from engine.inputs import COUNT_PERIOD, CountIn, KeyHint
from engine.io.midi_input import GuitarFile
from engine.lead_in import SNAP
from engine.listen.guitar import GuitarConfig
from engine.midi import NOTE_ON
from engine.pipeline import START_LEAD
from engine.theory import pitch_class

SETTLED_BARS = 4    # bars in one meter and bar phase from which pass one's reading counts (a phrase of the band's)
PICKUP = 0.25       # beats: a first note this far before a downbeat is on it (a strum pushed early), not a pickup
COUNT_CLICKS = 4    # the silent count-in's clicks at least (the tap tempo needs two; a bar of 4/4 gives four)
TOL = 0.07          # s: a beat of pass two this close to one of pass one's is that beat (bench/band_eval.py's TOL)
AGREE = 0.9         # share of pass one's beats and bar lines pass two must keep (`follows`), else pass one is kept
HANDOVER_BARS = 1   # bars after pass one's entry over which pass two's grid must be pass one's: the seam
LATE = 1.0          # s pass two's take is moved later by when its first downbeat is before START_LEAD (`later`)
DRIFT = 0.06        # a beat back this share off the settled beat is another tempo (a ramp's bar changes ~3 %)
ACCENT = 1.0        # times the strums' weight a compound opening's beats carry over their eighth-shifted twins'
STEP = 0.2          # a beat back is a heard beat within this share of a beat's length (another level is not)


@dataclass(frozen=True)
class Opening:
    """Where the song starts, read off pass one: the player's first `downbeat` (s), the beat's `period` (s) there,
    the bar's `beats_per_bar` (listener beats: 2 in 6/8, a dotted quarter each), the `eighths` a beat (3 in 6/8
    and 12/8, else 2) and the `key` (tonic name, mode) the band played the song's first phrase in, None when it
    played none."""

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


def opening(band: Sequence[Event], first_onset: float, struck: Sequence[float] = (),
            reach: float = START_LEAD) -> Opening | None:
    """The `Opening` pass one's `band` (its events, in time order) heard for a guitar whose first note is at
    `first_onset` (s); None when the band never played a settled stretch (pass two is then the render as live).
    `struck`: the guitar's strums (s, sorted); the one nearest the downbeat, within SNAP of a beat, is the
    downbeat (the listener's beats before the band lag a ramp's: sim2 strum_4-4 Bb-mixolydian+pickup+tempo s14's
    first downbeat 78 ms after the truth's, its strum 47 ms).
    `reach` (s): a downbeat before it is out of the band's reach (pass two not run `later`): the bar after it.
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
        before, length = _bar_before(heard, downbeat, period, cycle, beats[start + 1].time - beats[start].time)
        if before < floor:
            break
        downbeat, period = before, length
    downbeat = _snapped(downbeat, period, struck)
    if downbeat < reach:
        downbeat, period = _bar_after(heard, downbeat, period, cycle)
    if not COUNT_PERIOD[0] <= period <= COUNT_PERIOD[1]:
        return None     # no count-in holds that beat (review35: pause-10s-then-return's 0.196 s was a traceback)
    key = _key_at([e for e in band if isinstance(e, KeyChange)], beats[0].time + SETTLED_BARS * cycle * period)
    return Opening(downbeat, period, cycle, eighths, key)


def follows(live: Sequence[Event], early: Sequence[Event], until: float = math.inf) -> float:
    """How far pass two's band (`early`, its events) follows the player as pass one's (`live`) did from pass one's
    entry on (to `until` s), 0..1: the lesser of the shares of pass one's beats and of its bar lines (`Beat`s,
    `beat_in_bar` 0) that pass two has within TOL s (band_eval.py's window). 1 when pass one never played. On
    GuitarSet's bossa comping (BN1) the count-in's early grid took the syncopation's dotted quarters for the beat
    later on, where the band as live had not (beat F 0.47): `seam` asks it only of the bar the splice joins on."""
    ours = sorted(e.time for e in early if isinstance(e, Beat))
    bars = sorted(e.time for e in early if isinstance(e, Beat) and e.beat_in_bar == 0)
    beats = [e for e in live if isinstance(e, Beat) and e.time <= until]
    if not beats:
        return 1.0
    return min(_share([b.time for b in beats], ours), _share([b.time for b in beats if b.beat_in_bar == 0], bars))


def entry(band: Sequence[Event]) -> float | None:
    """The time (s) of the first note of `band` (events), where the band came in; None when it never played."""
    return min((e.time for e in band if isinstance(e, Note)), default=None)


def seam(live: Sequence[Event], early: Sequence[Event]) -> float | None:
    """Where the look-ahead band goes over from pass two's (`early`, events) to pass one's (`live`): the first of
    pass one's downbeats, from its entry to the start of its settled run (`_settled`), whose bar (HANDOVER_BARS)
    pass two plays on the same beats and bar line (`follows` over it, AGREE); None when there is none (the render
    is then as live). So pass two replaces no bar pass one played once settled, only those it later corrected:
    GuitarSet's bossa comping (BN1) joins at the entry; where pass one came in on another bar line or meter and
    moved it (GuitarSet's Funk3: 6/8 for five bars before its 4/4) pass two's bars are kept up to the settled run.
    Seams up to four bars into the settled run (tried) cost where pass one had been right (held-out sim4-held beat
    F >= 0.85 on 19 -> 16 takes, GuitarSet SS1 bar F 1.00 -> 0.80)."""
    at = entry(live)
    beats = sorted((e for e in live if isinstance(e, Beat) and at is not None and e.time >= at - TOL),
                   key=lambda b: b.time)
    settled = _settled(beats, [e for e in live if isinstance(e, TimeSignature)]) if beats else None
    last = beats[settled[0]].time if settled is not None else -math.inf
    for b in beats:
        if b.time > last + TOL:
            return None
        if b.beat_in_bar == 0:
            end = b.time + HANDOVER_BARS * b.beats_per_bar * b.period + TOL
            if follows([e for e in beats if e.time >= b.time - TOL], early, end) >= AGREE:
                return b.time
    return None


def spliced(live: Sequence[Event], early: Sequence[Event], at: float) -> list[Event]:
    """The look-ahead band: pass two's (`early`, events) before `at` (s, the `seam`), its notes cut there, then
    pass one's (`live`) from `at` on, with the programs, controls, meter and key pass one had set by then (told
    again at `at`, so its channels sound as they did live). In time order."""
    before = [replace(e, duration=min(e.duration, at - e.time)) if isinstance(e, Note) else e
              for e in early if e.time < at]
    state: dict[tuple, Event] = {}
    for e in live:
        if e.time < at and isinstance(e, (Program, Control, TimeSignature, KeyChange)):
            state[(type(e), getattr(e, "channel", None), getattr(e, "control", None))] = replace(e, time=at)
    after = [e for e in live if e.time >= at]
    return sorted([*before, *state.values(), *after], key=lambda e: e.time)


def later(guitar: GuitarFile, by: float) -> GuitarFile:
    """`guitar` played `by` s later: pass two's take when the first downbeat is before START_LEAD, out of the
    band's reach at the render's start (GuitarSet's excerpts start on a downbeat at 0 s: SS1 came in a bar late)."""
    return replace(guitar, messages=[replace(m, time=m.time + by) for m in guitar.messages],
                   duration=guitar.duration + by)


def earlier(band: Sequence[Event], by: float) -> list[Event]:
    """`band` (events of a take played `later` by `by` s) on the take's own time: notes cut at 0 s (dropped when they
    end by then), beats before 0 s dropped, anything else before it (programs, the meter) at 0 s."""
    out: list[Event] = []
    for e in band:
        t = e.time - by
        if isinstance(e, Note):
            if t + e.duration > 0:
                out.append(replace(e, time=max(t, 0.0), duration=t + e.duration - max(t, 0.0)))
        elif isinstance(e, LeadIn):
            out.append(replace(e, time=max(t, 0.0), beats=tuple(b - by for b in e.beats if b >= by)))
        elif not isinstance(e, Beat) or t >= 0:
            out.append(replace(e, time=max(t, 0.0)))
    return out


def whole_key(band: Sequence[Event]) -> tuple[str, str] | None:
    """The key (tonic name, mode) the take is written in as one who heard it whole names it: pass one's `band`'s
    last key marker (a blues is named major once its V7 bars are heard: review35's shuffle in A, 25.6 s in);
    None when it wrote none."""
    return next(((e.tonic, e.mode) for e in reversed(band) if isinstance(e, KeyChange)), None)


def named(event: Event, whole: tuple[str, str] | None) -> Event:
    """`event`, a key marker written in the `whole` take's mode where the take is a blues: a marker on its tonic
    heard mixolydian (the blues's I7 and IV7 before its first V7) when the whole take is written major on it. As
    live the key signature is the mixolydian one (a sharp short) for the chart's first lines (review35); offline the
    whole take's name is known. The band plays by the scale heard either way: only the marker changes."""
    if (isinstance(event, KeyChange) and whole is not None and whole[1] == "major" and event.mode == "mixolydian"
            and pitch_class(event.tonic) == pitch_class(whole[0])):
        return replace(event, tonic=whole[0], mode="major")
    return event


def accents(messages: Sequence[InputMessage], guitar: GuitarConfig) -> list[tuple[float, float]]:
    """(onset s, weight) of each strum the listener with conditioner settings `guitar` hears in `messages` (its
    channels, louder than a ghost, within its strum window, the converter's latency taken off, as
    engine/listen/phrases.py `strums`): the weight is the strum's summed velocity and how low its lowest note is
    (127 - pitch), so a full strum with the bass under it, where a player puts the beat, outweighs a light
    upstroke."""
    out: list[tuple[float, float, int]] = []          # (onset, summed velocity, lowest pitch)
    for m in messages:
        if guitar.channels is not None and m.channel not in guitar.channels:
            continue
        if m.kind != NOTE_ON or m.data2 < guitar.min_velocity:
            continue
        t = max(0.0, m.time - guitar.converter_latency)
        if out and t - out[-1][0] <= guitar.strum_window:
            onset, velocity, low = out[-1]
            out[-1] = (onset, velocity + m.data2, min(low, m.data1))
        else:
            out.append((t, m.data2, m.data1))
    return [(t, velocity + 127 - low) for t, velocity, low in out]


def on_accents(early: Sequence[Event], opening: Opening, entered: float, at: float,
         struck: Sequence[tuple[float, float]]) -> bool:
    """Whether pass two's band (`early`, events) opens on the player's beats: in a compound meter (`opening`'s
    `eighths` 3) its beats from the opening's downbeat to the seam `at` (s), and those of them before pass one's
    entry `entered` (s; the bars pass one left silent), must each find ACCENT times the weight of the strums
    (`accents`: onset s, weight; each beat the heaviest within TOL) the same beats an eighth or two later find. A
    shuffle's dotted-quarter beat carries the full strum and the bass; an opening counted in an eighth off (dev:
    sim4 blues_12-8 A-major+tuning_tail, its beats before pass one's entry on no strum; sim2 tempo_6-8
    Eb-phrygian, 0.91 of the weight an eighth over, a third of its beats the truth's) puts the weight between
    them. Simple meters are not asked: a bossa's or funk's syncopation pushes the weight off the beat
    (GuitarSet's BN1 comping, right on every beat, found 0.57 of an eighth-shifted grid's)."""
    if opening.eighths != 3:
        return True
    beats = [e.time for e in early if isinstance(e, Beat) and opening.downbeat - TOL <= e.time < at - TOL]
    return _on_accents(beats, opening.period / 3, struck) and _on_accents(
        [t for t in beats if t < entered - TOL], opening.period / 3, struck)


def _on_accents(beats: list[float], eighth: float, struck: Sequence[tuple[float, float]]) -> bool:
    """Whether the `beats` (s) find ACCENT times the weight of `struck` (onset s, weight; each beat the heaviest
    strum within TOL) that they find moved one and two `eighth`s (s) later; True without beats."""
    onsets = [t for t, _ in struck]

    def weight(times: list[float]) -> float:
        total = 0.0
        for t in times:
            i = bisect_left(onsets, t)
            total += max((w for o, w in struck[max(0, i - 1): i + 1] if abs(o - t) <= TOL), default=0.0)
        return total

    own = weight(beats)
    return all(own >= ACCENT * weight([t + k * eighth for t in beats]) for k in (1, 2))


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


def _bar_before(heard: list[float], downbeat: float, period: float, cycle: int,
                settled: float) -> tuple[float, float]:
    """(downbeat s, its first beat's length s) of the bar of `cycle` beats before the one at `downbeat` (s) whose
    beats are `period` (s) long: each beat back is a beat of `heard` (s, sorted: the player's as the listener heard
    them, the band's) within STEP of a beat's length from the one after it and within DRIFT of the `settled`
    beat (s), else one beat's length back (where pass one beat at another level or tempo before its settled
    reading: GuitarSet's Funk3 band came in at 0.45 s a beat for 0.61, and counted back along it the opening fell
    at 143 BPM on a 98 BPM take, beat F 0.93 -> 0.84)."""
    t, step = downbeat, period
    for _ in range(cycle):
        near = _nearest(heard, t - step, STEP * step)
        if near is not None and abs(t - near - settled) <= DRIFT * settled:
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


def _key_at(keys: list[KeyChange], t: float) -> tuple[str, str] | None:
    """The (tonic, mode) of the last of `keys` at or before `t` (s), else the first; None without any."""
    if not keys:
        return None
    key = next((k for k in reversed(keys) if k.time <= t), keys[0])
    return key.tonic, key.mode
