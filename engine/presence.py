"""When the band plays: coming in, stop-time, and endings that land on the player's final chord.

- **In.** The band comes in when the listener has locked beat and key and the guitar plays a real phrase
  (REAL_PHRASE strums a beat over the last four beats: a tuning pluck is not one, nor the ringing final
  chord of the song just ended). Waiting for a sure meter was tried: it made entries later and the meter
  no righter (the band follows a meter change at its bar lines anyway).
- **Stop-time.** When the guitar falls silent (engine/listen/activity.py: within about a beat of its stop),
  the band leaves its notes out at once; its beats and bars go on, and it plays again the moment the guitar
  is back. A player back after a stop of any length with a phrase off the band's count started again: the
  band's count and bars start on their phrase's first strong chord (`restarted`; on the count's offbeat once
  their next strums confirm it). After a stop of a bar or more a player who kept the count (a fermata, a
  breath) often comes back off the beat: the band listens until its next beat is within ALIGNED of the
  player's, then rejoins at its next bar line that is the player's downbeat (a 2/4 style's bars pair
  into their 4/4: the second bar's line is their beat 3), as a band does after a break (it came in early
  and off the beat, then caught up in a rush).
  Live, where no final chord is known, certain silence (LIVE_END bar after the beat that follows the player's
  last note, or after the stop as heard: `_certain`) cues the ending at the band's next bar line from which its
  final stroke falls on the player's 1 (engine.arrange.form), and a
  player back before that bar calls it off (the ending played on over the player's return). Earlier is not
  certain: a player back from a one-bar stop comes back there (two beats instead brought 4/4 endings within
  a bar of the stop, but a stop of a bar then ended the song live: bench/.cache/sim3 stops_2-4_A-phrygian's
  4-beat stop). A player
  back within the ending's first bar drops it: the band leaves its notes out from its next beat and rejoins
  on the player's bars (no crash over their return, no intro a bar later: live,
  ../shared/cases/bug-reports/d-dorian-played-twice.mid from 45 s). "stop: rejoin" is written where the band
  plays again.
- **Breaks, offline.** The render knows the player's silences (engine/listen/phrases.py `breaks`): one of
  BREAK beats or more ending on a chord on the band's bar line (or a pickup before it) is a stop-time break
  (`_break_line`), and so is a one-beat stop the player ends with a pickup strum (half a beat of silence in 4/4:
  `_pickup_break`, told from a figure's rest by the unstruck beat, the strum on the 1 after, and the bars before),
  and the band's notes in it are left out (`in_break`; the ending's too), from where the player's notes stopped
  to EDGE before their strum; a note on the player's strum after a short stop plays though the live stop is
  still on (`back_from_break`). The bar a break ends is no fill (`closes_break`), and the file's stop markers
  are the break's (`break_marks`), not the live ones.
  Live, a one-beat break is heard 2/3 of a beat in, and a rule stopping on a strum missing on the beat would
  stop on a quarter to a fifth of GuitarSet's beats (ties, syncopation): /work/scratch/s20/stoptime9/livemiss.py.
- **Endings.** Offline the render knows where each song of the take ends (engine/listen/phrases.py): the
  ending's last bar begins on the band's bar line nearest the player's final chord when one is within
  BAR_SLACK beats of it. Where none is (its bars are not the player's, a 2/4 heard as 4/4, a tempo level
  off), the band cuts its bar short where the ending must begin for its last bar to fall on the chord's
  beat, as a band does to land with the player, and leaves out the ending's first bars when the chord comes
  too soon for them. The final stroke then takes the player's final chord itself when that is within LANDING
  beats of it (a last chord pushed an eighth ahead of the downbeat is hit with the player, the ending's notes
  between the two left out; a chord a little late waits for it). The silences before it are stops, never the end.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from fractions import Fraction
from itertools import islice
from typing import NamedTuple

from engine.arrange.arranger import Arranger
from engine.inputs import Cue
from engine.listen.phrases import SONG_GAP
from engine.state import BeatGrid, MusicalState
from engine.timeline import BandTimeline

REAL_PHRASE = 0.5     # strums per beat over the last four beats the guitar must play for the band to come in (a
#                       strum every two beats is steady playing: half notes in a ballad; 0.75 kept them out)
ALIGNED = 0.04        # s: after a long stop, the band rejoins once its next beat is this close to the player's
REJOIN_WAIT = 2       # bars: ... or after this long back, whatever the drift (the timeline converges anyway)
COUNTED = 0.2         # beats: a player back this close to a beat of the band's count kept it through the rest;
                      # further off, they started again (a new phrase: its first strong chord is a downbeat) ...
OFFBEAT = 0.1         # ... unless this close to the count's offbeat: a syncopated way back in, counted, unless
PHRASE_BEATS = 2      # ... the player's next strums fall this many times on the phrase's own beats, none on the
                      # count's (a phrase after a rest of 4.5 beats): they started again half a beat off
LIVE_END = 1.0        # bars of the player's: live, a silence this long past the beat after their last note (or
                      # after the stop was heard, if sooner) is certain and cues the ending
LANDING = 0.6         # beats: a final chord this near the ending's final stroke takes the stroke onto it (an
                      # eighth's push, 0.5, plus the time line's lag: at 0.5 an eighth at 90 BPM or in 3/4 missed)
BREAK = 0.9           # beats: offline, a silence of the player's this long is a stop-time break (the band stops)
EDGE = 0.1            # beats: ... and the band's notes this close before the player's strum after it play (its
#                       downbeat stroke humanised early; 0.25 let a gallop's sixteenth pickup sound in the break)
PICKUP = 0.6          # beats: ... when that strum comes this close before the band's bar line (an eighth's pickup,
#                       a beat's third in 6/8) ...
BACK_LATE = 0.2       # beats: ... or this close after it
ON_BEAT = 0.15        # beats: a break's "stop" marker is on the first beat its silence began this close before
SHORT_BREAK = 0.45    # beats: a shorter silence is a stop-time break only as a one-beat stop with a pickup back in
#                       (an eighth's pickup leaves 0.5 beat of silence in 4/4, 2/3 of a beat in 6/8)
LEAD = 0.25           # beats: ... its pickup strum at least this far before the bar line
FIGURE_BARS = 3       # bars: ... the player heard playing this long before it with no rest of theirs of SHORT_BREAK
#                       beats or more (a figure's
#                       rest recurs within 3 bars: GuitarSet BN1's bossa; a break every 4th bar does not)
HIT = 0.03            # s: an ending note this near the final chord sounds as part of it
BAR_SLACK = 0.6       # beats: a final chord this near a band bar line lands the ending there (a band plays a
                      # push of an eighth on its downbeat); further off, the band cuts its bar short


class Silence(NamedTuple):
    """The player's guitar is silent from `begin` to their next strum at `end` (s); their last strum before it at
    `struck` and the one after `end` at `then` (s, None: not known; engine/inputs.py `PlayerBreak`)."""

    begin: float
    end: float
    struck: float | None = None
    then: float | None = None


class Presence:
    """The state of the band's comings and goings; the scheduler asks and tells it (see the module docstring)."""

    def __init__(self) -> None:
        self.finals: list[float] = []         # the player's final chords still to come (s): offline only
        self._silences: list[Silence] = []    # the player's silences, by begin: offline (`player_break`)
        self._gone = 0                        # ... those before this index are past (`breaks`: the rest to come)
        self._seen = -math.inf                # offline: breaks beginning up to then were looked at for markers
        self._marked: list[tuple[float, float]] = []  # ... those marked as stop-time breaks (the last 2 s)
        self._back_at = -math.inf             # ... their "stop: back" written up to then (s)
        self._known = False                   # the stop heard now lies in a marked break: no live marker
        self.stopped_at: float | None = None  # stop-time: since when the guitar has been silent (s)
        self._out_at = -math.inf              # when the band last went out (s): it comes back on playing after
        self.listening_since: float | None = None   # back after a stop of a bar or more: listening since (s) ...
        self.rejoin_at: float | None = None   # ... until it plays again from this band beat (a bar line)
        self.back_from: float | None = None   # the stop it is back from began then (s)
        self.watching_since: float | None = None    # back after a stop: the player's phrase is checked since (s)
        self._voted = (-math.inf, -math.inf, 0)   # (the phrase, its last strum counted (s), strums on its beats)
        self.deciding = False                 # ... still to tell whether the player started again: notes held
        self._ended = False                   # live: this silence cued the ending
        self.back_in_ending = False           # ... and the player came back once it had begun
        self.dropped: float | None = None     # the dropped ending's notes are left out from this band beat on
        self.landing: tuple[Fraction, float] | None = None  # offline: the ending's final stroke (band beat) and
                                              # the player's final chord it lands on (s)

    def song_end(self, at: float) -> None:
        """The player's final chord of a song falls at `at` (s)."""
        self.finals = sorted([*self.finals, at])

    def player_break(self, begin: float, end: float, struck: float | None = None, then: float | None = None) -> None:
        """The player's guitar is silent from `begin` to their next strum at `end` (s), their last strum before
        it at `struck` and the one after `end` at `then` (s, None: not known). Offline all are given before the
        band plays (engine/render.py); one given later before a past one counts as to come again, with those after
        it (`breaks`)."""
        silence = Silence(begin, end, struck, then)
        i = bisect_right(self._silences, (begin, end), key=lambda x: x[:2])
        self._silences.insert(i, silence)
        self._gone = min(self._gone, i)

    @property
    def breaks(self) -> list[Silence]:
        """The player's silences still to come, by begin (`in_break` drops the past ones): offline."""
        return self._silences[self._gone:]

    def _coming(self) -> islice:
        """The silences still to come (`breaks`), without copying them."""
        return islice(self._silences, self._gone, None)

    def in_break(self, t: float, grid: BeatGrid, arranger: Arranger) -> bool:
        """Offline: a band note at `t` (s) falls in a stop-time break of the player's (`_break_line`: a silence of
        BREAK beats or more of the listener's `grid`, or a short one ended by a pickup, from which they come back on
        one of the band's bar lines of `arranger`), before the last EDGE beats leading into their strum (or into
        that bar line, when they come back a little late). The band stops with them and is back on that strum, as
        live stop-time cannot be within a beat (its stop is heard 2/3 of a beat in). A rest a comper or a melody
        takes off the bar line is no break (GuitarSet's one-beat rests). Breaks are dropped once a note comes well
        after them (notes come in time order)."""
        while self._gone < len(self._silences) and self._silences[self._gone].end < t - 1.0:
            self._gone += 1
        for silence in self._coming():
            begin, end = silence.begin, silence.end
            if begin > t:
                return False
            if t < end:
                line = self._break_line(silence, grid, arranger)
                if line is not None and grid.beat_at(t) < min(grid.beat_at(end), line) - EDGE:
                    return True
        return False

    def _break_line(self, silence: Silence, grid: BeatGrid, arranger: Arranger) -> float | None:
        """The band's bar line (listener beat of `grid`) on which the player comes back from their `silence` (from
        its begin to their strum at its end) when it is a stop-time break, else None: the strum falls up to PICKUP
        beats before a bar line of `arranger`'s or BACK_LATE after it, and the silence lasts BREAK beats or more,
        or is a one-beat break with a pickup back in (`_pickup_break`)."""
        begin, end = silence.begin, silence.end
        bpb = float(arranger.style.beats_per_bar)
        back = grid.beat_at(end)
        phase = (back - float(arranger.start)) % bpb          # beats after a band bar line
        if phase <= BACK_LATE:
            line = back - phase
        elif phase >= bpb - PICKUP:
            line = back + bpb - phase
        else:
            return None
        if end - begin >= BREAK * grid.period:
            return line
        return line if self._pickup_break(silence, back, line, bpb, grid, float(arranger.start)) else None

    def _pickup_break(self, silence: Silence, back: float, line: float, bpb: float, grid: BeatGrid,
                      start: float) -> bool:
        """The player's `silence` from its begin (s) to their strum at listener beat `back`, before the band's bar
        line at beat `line` (bars of `bpb` beats of `grid`, the band's first at beat `start`), is a one-beat stop with a
        pickup back in: it began on the bar's last beat (within ON_BEAT: the chord choked there), that beat
        unstruck (their last strum before it came earlier), lasts SHORT_BREAK beats or more, the pickup comes
        LEAD beats or more before the line and their next strum on it (BACK_LATE), and the band heard them play
        FIGURE_BARS bars before it without a rest of theirs as long (`player_break`'s silences). Each condition was
        needed against a figure's rests: a 6/8 strum's staccato beat before its last eighth (struck), a bossa's
        syncopations (no strum on the 1 after), rests recurring within bars (bench/README.md, stoptime12)."""
        at = silence.begin
        begin = grid.beat_at(at)
        if back - begin < SHORT_BREAK or abs(begin - (line - 1.0)) > ON_BEAT or back > line - LEAD:
            return False
        since = begin - FIGURE_BARS * bpb
        if since < start or silence.struck is None or silence.then is None:
            return False                                      # the band has not heard the bars before it
        i = bisect_right(self._silences, (at, -math.inf)) - 1
        while i >= 0 and self._silences[i].end >= grid.seconds_at(since):
            if self._silences[i].end - self._silences[i].begin >= SHORT_BREAK * grid.period:
                return False                                  # a rest of their figure in the bars before
            i -= 1
        struck, then = silence.struck, silence.then
        return grid.beat_at(struck) < line - 1.0 - ON_BEAT and abs(grid.beat_at(then) - line) <= BACK_LATE

    def closes_break(self, line: float, grid: BeatGrid, arranger: Arranger) -> bool:
        """Offline: the player comes back from a stop-time break on the band's bar line at listener beat `line`
        (`_break_line`): the bar before it is no fill (a drummer does not fill into the player's stop)."""
        for silence in self._coming():
            if grid.beat_at(silence.begin) > line:
                return False
            found = self._break_line(silence, grid, arranger)
            if found is not None and abs(found - line) < 0.5:
                return True
        return False

    def break_marks(self, now: float, until: float, grid: BeatGrid, arranger: Arranger) -> list[tuple[float, str]]:
        """Offline: the markers of the player's stop-time breaks (`_break_line`) beginning from `now` (s) on and due
        by `until` (s, now plus the lookahead), as (time s, text): "stop" on the first beat of `grid` they do not
        play (their notes stopped ON_BEAT before it or later), "stop: back" on their strum after it. The live ones
        (heard 2/3 of a beat into a one-beat break, or not at all when a pickup ends it) are not written for a
        stop inside such a break (`stop_time`). [] when none is due (the usual tick)."""
        out: list[tuple[float, str]] = []
        for silence in self._coming():
            begin, end = silence.begin, silence.end
            if begin > until:
                break
            if begin > self._seen:
                self._seen = begin
                if begin >= now and self._break_line(silence, grid, arranger) is not None:
                    self._marked.append((begin, end))
                    first = grid.seconds_at(math.ceil(grid.beat_at(begin) - ON_BEAT))   # its first silent beat
                    out.append((first if first < end else begin, "stop"))
        for begin, end in self._marked:
            if self._back_at < end <= until:
                self._back_at = end
                out.append((end, "stop: back"))
        while self._marked and self._marked[0][1] < now - 2.0:
            self._marked.pop(0)
        return out

    def _in_marked(self, t: float, period: float) -> bool:
        """A stop heard at `t` (s) lies in a break whose markers are written (`break_marks`; `period`: a beat)."""
        return any(begin - period <= t <= end for begin, end in self._marked)

    def back_from_break(self, t: float, period: float) -> bool:
        """Offline: the stop heard now (a short one: not listening) lies in a silence of the player's known to end
        with their strum by `t` (s) plus HIT (`period` s: a beat): a band note at `t` plays, back with the
        player on that strum (live the stop ends only when the strum is heard, and the band missed the
        downbeat after a one-beat break: review22's stop-time take)."""
        if self.stopped_at is None or self.listening_since is not None or self.deciding or self.rejoin_at is not None:
            return False
        return any(begin - period <= self.stopped_at <= end <= t + HIT for begin, end, _, _ in self._coming())

    def ready(self, now: float, state: MusicalState, silent: bool) -> bool:
        """Time to come in, at `now` (s), from the listener's `state`; `silent`: the guitar is pausing. A cued
        downbeat (a count-in's end, a start) brings the band in on it, guitar or not."""
        if state.cued is not None and state.grid is not None:
            return state.cued - now <= state.grid.period
        sparse = state.density < REAL_PHRASE and not state.bar_pulse   # a strum a bar is a phrase (its bar)
        return not (not state.locked or state.last_onset is None or silent or sparse
                    or state.last_onset <= self._out_at)

    def song_over(self, entry: float, last_onset: float | None, period: float, bar: float = 0.0) -> bool:
        """Offline: the player's final chord of the song being played (`finals`; none of an earlier song, whose
        final chord lies SONG_GAP s or more before the last onset, `last_onset` s) falls before a band entry at
        `entry` (s), or within LANDING beats (`period` s each) after it, where the ending's final stroke would
        take it, or before the last half beat of the entry's bar (`bar` beats): the song is over before the band
        could play a bar, and it stays out. (A short soft take locked in its last bar: the band came in after it
        with a lone final stroke, sent 0.35 s after its chord; review19: four soft bars of 4/4 at 141 BPM, the
        entry's downbeat 3 ms before the player's last strum, the band's only notes were its final stroke on
        that strum. Five soft bars of a 141 BPM waltz heard a beat sooner: the band came in one beat before the
        final chord, a bar of 1/4 in the file and the ending on that chord; session 23.)"""
        if last_onset is None:
            return False
        reach = entry + max(LANDING, bar - 0.5) * period
        return any(last_onset - SONG_GAP < f <= reach for f in self.finals)

    def went_out(self, now: float) -> None:
        """The band stopped playing at `now` (s): no stop-time, listening or rejoining carries over to its next
        entry (it comes in on its own downbeat, with its intro)."""
        self._out_at, self.stopped_at, self._ended, self.back_in_ending = now, None, False, False
        self.listening_since = self.rejoin_at = self.dropped = self.watching_since = self.landing = None
        self.deciding = False

    def stop_time(self, now: float, silent: bool, grid: BeatGrid, arranger: Arranger,
                  last_onset: float | None = None) -> str | None:
        """The guitar is `silent` (or not) at `now` (s), its last note at `last_onset` (s): the stop-time marker to
        write ("stop", "stop: back") when that changed, else None. Live, LIVE_END bars of silence (`_certain`) cue
        the ending, called off when the guitar is back before it begins; once begun, `back_in_ending` tells the
        scheduler (it may drop it)."""
        while self.finals and self.finals[0] < now - 1.0:
            self.finals.pop(0)
        if not silent:
            if self._ended and not arranger.form.call_off_ending():
                self.back_in_ending = True
            self._ended = False
            was, self.stopped_at = self.stopped_at, None
            if was is None:
                return None
            self.watching_since, self.back_from = now, was     # the player may come back off the band's count
            if now - was >= grid.beats_per_bar * grid.period:
                self.listening_since = now                     # ... after a long stop: listen first
            known, self._known = self._known, False
            return None if known else "stop: back"
        marker = None
        if self.stopped_at is None:
            self.stopped_at = now
            self._known = self._in_marked(now, grid.period)    # offline: its markers are the break's own
            # ... and the player's last chord under the band's ending is the song's end, no stop (a picked figure's
            # stop is heard within a beat: its "stop" fell between the ending's last note and "band out")
            marker = None if self._known or arranger.form.ending else "stop"
        final_ahead = any(f > now for f in self.finals)
        if not final_ahead and self._certain(now, last_onset, grid) and not arranger.form.ending:
            arranger.cue(Cue.ENDING)
            self._ended = True
        return marker

    def _certain(self, now: float, last_onset: float | None, grid: BeatGrid) -> bool:
        """Live, the silence at `now` (s) is the end: LIVE_END bars of it after the stop was heard, or after the
        beat that follows the player's last note (`last_onset`, s) and COUNTED more, whichever came first: a
        player back from a stop of a bar is back by then. (A melody's stop is heard only a bar and half a beat
        after its last note, and a bar more after that the ending came with 2.1 bars of silence.)"""
        since = self.stopped_at
        if last_onset is not None:
            since = min(since, last_onset + (1.0 + COUNTED) * grid.period)
        return now - since >= LIVE_END * grid.beats_per_bar * grid.period

    @property
    def listening(self) -> bool:
        """Back from a long stop, the band is listening before it rejoins."""
        return self.listening_since is not None

    @property
    def watching(self) -> bool:
        """Back from a stop (and listening, after a long one), the band checks whether the player started again
        off its count (`restarted`)."""
        return self.watching_since is not None

    def watched(self) -> None:
        """Back from a short stop, the player kept the band's count (or played no phrase within a bar)."""
        self.watching_since, self.deciding = None, False

    def rejoin(self, now: float, drift: float, grid: BeatGrid, arranger: Arranger, horizon: float,
               counted: bool = False) -> str | None:
        """Back from a long stop and listening (`listening`): once the band's beat is within ALIGNED of the
        player's (`drift`, s, engine.timeline), or REJOIN_WAIT bars on, the band plays again from its next bar
        line after band beat `horizon` that begins one of the player's bars (`Arranger.players_bar_after`), or
        from its next beat when the player's phrase came back on one of those bar lines (`counted`: its bars
        are theirs; waiting for the next one brought 12/8 shuffles back a bar after the player, rest30).
        The marker to write then, else None."""
        if not self.listening:
            return None
        waited = now - self.listening_since >= REJOIN_WAIT * grid.beats_per_bar * grid.period
        if abs(drift) > ALIGNED and not waited:
            return None
        self.listening_since = self.watching_since = None
        self.deciding = False
        line = float(arranger.bar_start(arranger.players_bar_after(horizon)))
        self.rejoin_at = min(line, float(math.ceil(horizon))) if counted else line
        return "stop: rejoin"

    def out_since(self, t: float) -> bool:
        """True when the band went out before `t` (s)."""
        return self._out_at < t

    def phrase(self, state: MusicalState) -> float | None:
        """Back from a stop and watching: where the player's phrase after it starts (s, its first strong chord or
        bass note: `MusicalState.phrase_start`), once heard; else None."""
        start = state.phrase_start
        if not self.watching or start is None or self.back_from is None or start < self.back_from:
            return None
        return start

    def restarted(self, position: float, state: MusicalState, bar_line: bool = True) -> bool | None:
        """Whether a player back from a stop with a phrase at band beat `position` (the band's count, kept through
        the rest) started again rather than counting through it (see COUNTED and OFFBEAT); after a long stop
        (`listening`), a phrase on a beat of the count that is neither one of the player's bar lines as the band
        counts them nor the middle of an even bar (`bar_line` False) started again too: a player who counts
        through a rest comes back on a strong beat, and one back on beat 4 after a held chord let time stand
        still (review25's fermata at 92 BPM: the count kept through 7 s of it fell 0.03 beat from their a-tempo
        downbeat, and the band rejoined a beat late for 5 s). None while the strums after a phrase on the
        count's offbeat have not told yet: on the phrase's own beats (every `period` s of the `state`'s grid
        from its `phrase_start`) PHRASE_BEATS times, none on the count's, it started again; one on the count's
        beats or none of either within PHRASE_BEATS + 1/2 beats, it was syncopated and counted (the D dorian
        example with a 5.5-beat rest: its eighths go on in the old count)."""
        off = abs(position - round(position))
        self.deciding = False
        if off <= COUNTED or off < 0.5 - OFFBEAT:
            return off > COUNTED or (self.listening and not bar_line)
        phrase, onset, period = state.phrase_start, state.last_onset, state.grid.period
        voted, counted, on_phrase = self._voted
        if voted != phrase:
            counted, on_phrase = phrase + COUNTED * period, 0        # (its own strum's notes are not counted)
        if onset is not None and onset > counted:
            lag = (onset - phrase) / period % 1.0
            if abs(lag - 0.5) <= COUNTED:
                return False                            # a strum on the band's beat
            on_phrase += min(lag, 1.0 - lag) <= COUNTED
            counted = onset + COUNTED * period          # a strum counts once, not each of its notes
        self._voted = (phrase, counted, on_phrase)
        self.deciding = on_phrase < PHRASE_BEATS and state.time < phrase + (PHRASE_BEATS + 0.5) * period
        if on_phrase >= PHRASE_BEATS:
            return True
        return None if self.deciding else False

    def rejoin_on(self, position: float) -> str:
        """The band plays again from band beat `position`, its first beat back on the player's bars (its
        arrangement's bar began at their downbeat): the listening is over. The marker to write."""
        self.listening_since = self.watching_since = None
        self.deciding = False
        self.rejoin_at = position
        return "stop: rejoin on the player's downbeat"

    def silenced(self, section: str, position: float) -> bool:
        """A note at band beat `position` is left out in stop-time, and after a long stop until the band
        rejoins at a bar line; a note of the ending always plays, unless the ending was dropped before it."""
        if section == "ending":
            return self.dropped is not None and position >= self.dropped
        return (self.stopped_at is not None or self.listening_since is not None or self.deciding
                or (self.rejoin_at is not None and position < self.rejoin_at))

    def plan_ending(self, horizon: float, grid: BeatGrid, arranger: Arranger,
                    timeline: BandTimeline) -> tuple[Fraction, int] | None:
        """With the player's final chord known: plan the ending so that its last bar begins on the band's bar
        line within BAR_SLACK beats of the final chord, else on the chord's beat (in a 5/8 or 7/8 bar, on the
        nearest bar line), once the commit window (up to band beat `horizon`) reaches the next bar to decide. Where
        that bar line is where the ending begins, the ending is cued here; where it is not (the band's bars
        are not the player's, or a meter change came late), the answer is (at, skip): the band should begin a
        new arrangement at band beat `at` (cutting its bar short, as a band does to land with the player)
        that starts with the ending, its first `skip` bars left out when the final chord comes too soon for
        all of them. None otherwise."""
        if not self.finals or arranger.form.ending:
            return None
        bar = arranger.bar_start(arranger.decided)       # the next bar to be decided
        if horizon < bar:
            return None
        bpb = arranger.style.beats_per_bar
        bars = arranger.style.section("ending").bars
        final = self._final_beat(horizon, grid, timeline)
        off = final - (bars - 1) * bpb - bar             # beats from this bar line to where the ending begins
        if bpb.denominator != 1:                          # 5/8 and 7/8: the nearest bar line
            if off <= bpb / 2:
                self._end_soon(arranger, bar, 0)
            return None
        if off >= bpb - BAR_SLACK:                        # a later bar line is near enough (or not there yet)
            return None
        if abs(off) <= BAR_SLACK:                         # this one is
            self._end_soon(arranger, bar, 0)
            return None
        last = Fraction(round(final))                     # off every bar line: the beat of the final chord
        skip = max(0, bars - 1 - max(0, (last - bar) // bpb))
        at = max(bar, last - (bars - 1 - skip) * bpb)
        if at == bar:
            self._end_soon(arranger, bar, skip)
            return None
        self._land(arranger, at, skip)
        return at, skip

    def _end_soon(self, arranger: Arranger, bar: Fraction, skip: int) -> None:
        """The ending begins at band beat `bar` (the next bar to decide), its first `skip` bars left out."""
        self._land(arranger, bar, skip)
        arranger.form.end_soon(skip)

    def _land(self, arranger: Arranger, begin: Fraction, skip: int) -> None:
        """An ending beginning at band beat `begin` with its first `skip` bars left out: its final stroke, the
        downbeat of its last bar, lands on the player's next final chord (`landing`)."""
        bars = arranger.style.section("ending").bars
        self.landing = (begin + (bars - 1 - skip) * arranger.style.beats_per_bar, self.finals[0])

    def reach(self, until: float) -> Fraction | None:
        """The final stroke's band beat once the player's final chord it lands on falls before `until` (s, now
        plus the lookahead): a pushed stroke is committed with the chord, not with the downbeat it anticipates."""
        if self.landing is None or self.landing[1] > until:
            return None
        return self.landing[0]

    def landed(self, position: Fraction, t: float, last_bar: bool, stroke_at: float, period: float) -> float | None:
        """Where a note of the planned ending sounds (s): `t` as the time line places it at band beat `position`;
        `last_bar`: in the ending's last bar; `stroke_at` (s): where the time line places the final stroke;
        `period` (s): a beat. A player's final chord within LANDING beats of the final stroke (a push an eighth
        or a sixteenth ahead of the downbeat, or a chord a little late) takes the stroke onto it, as a band
        hits a push with the player, and the notes of the ending between that chord and the downbeat it
        anticipates are left out (None): the player has stopped. Elsewhere `t`."""
        if self.landing is None:
            return t
        at, chord = self.landing
        if abs(chord - stroke_at) > LANDING * period:
            return t
        if position == at:
            return chord + (t - stroke_at)
        return None if not last_bar and position < at and t >= chord - HIT else t

    def _final_beat(self, horizon: float, grid: BeatGrid, timeline: BandTimeline) -> float:
        """The band beat position of the next final chord, at the band's tempo now, counted from the last
        beat the commit window has reached (`horizon`, band beats)."""
        pos = math.floor(horizon)
        return pos + (self.finals[0] - timeline.seconds_at(float(pos), grid)) / timeline.length_now(grid)
