"""The scheduler: the band's conductor. Each tick it takes the listener's `MusicalState`, asks the arranger for
the notes of the next look-ahead window, turns beats into seconds on the state's `BeatGrid` and hands the notes
to sinks. It reads nothing of the listener but the state.

Notes are committed a look-ahead window before they sound and never changed after; everything later is
planned afresh on the next tick with the newest key, chord, tempo and beat, so the band follows without
audible corrections. The band waits until the listener is confident and comes in on the guitar's next
downbeat (with the style's intro); its style and that downbeat are decided just before its first notes are
committed, so the meter heard in the bar before the entry chooses them; while the listener leans towards an
aqsaq meter it has not named yet, the band waits for it (up to METER_WAIT), or comes in on the bar start
the listener believes once it offers it (`MusicalState.leaning`: the evidence a quarter of what naming asks); while
a single-note line's level is contested (`MusicalState.level_contested`: as well a fast straight line heard at its
dotted quarters), it waits for the level (up to LEVEL_WAIT), as a musician waits for a soloist's pulse. It
listens while it plays: the player's intensity sets the band's; when the guitar pauses the band plays the
break, and when the guitar is still silent after the break it plays the ending and stops (coming back in on a
downbeat when the guitar returns).

Footswitch cues (`cue`): fill, next, ending, start, stop, keep going; `set_style` switches style at the next bar.

The player's bars (engine/bars.py): the band writes the player's meter; at each of its bar lines it checks
that the line is the player's downbeat and that the meter is the one it plays in, and when the player's
says otherwise two bar lines in a row, it moves its bar to the player's next downbeat (cutting its bar
short) or changes meter there, as it switches style: a new arrangement from that point, in the same main
section, without an intro. An aqsaq meter the listener has named for a bar, or another meter it has heard
for two of that meter's bars, the band goes into at once, on the player's next downbeat (its bars in another
meter are not the player's, so there is nothing to wait for: two 4/4 bar lines are four bars of 2/4). A change
on the same eighth into a beat of another length (6/8 into 3/4: the dotted quarter into the quarter) regroups the
band's beat at that downbeat (`BandTimeline.regroup`): its eighths go on, as the player's do.

Meters and the listener's beat: a listener beat is a quarter note in 2/4, 3/4, 4/4, 5/8 and 7/8 and a
dotted quarter in 6/8, 9/8 and 12/8. A 7/8 bar lasts 3.5 beats, a 5/8 bar 2.5: the band's first bar starts
on a guitar downbeat and every second bar line falls between two of the guitar's beats.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from fractions import Fraction

from engine.arrange.arranger import Arranger
from engine.arrange.band import setup_events, volume_events
from engine.arrange.form import OUT
from engine.arrange.patterns import Style
from engine.arrange.styles import StyleChooser
from engine.bars import SURE, BarWatch, Meter, band_cycle, band_signature, fits, group
from engine.events import Marker, Note
from engine.inputs import Cue
from engine.io.sinks import Sink
from engine.listen.activity import STRONG
from engine.marks import BandMarks
from engine.mixer import Levels
from engine.presence import COUNTED, REAL_PHRASE, Presence
from engine.state import BeatGrid, Chord, MusicalState
from engine.timeline import MAX_CHANGE, BandTimeline

STROKE_REACH = 1e-6       # band beats: a commit window reaching a pushed final stroke takes its downbeat in
FIRST_BEAT_MARGIN = 0.03   # s: the band's first beat falls at least this far from now (its strums and humanising
                           # reach before the beat)
ENTRY_DECIDE = 0.1         # s: the entry's style and downbeat are decided this long before its notes are committed
REPLAN_HOLD = 1.0          # beats a meter heard after the entry's plan is held before an earlier entry is decided in
                           # it (sim3 aqsaq_5-8_C-minor's 3/4 of a third of a beat; sim3 meter_change_3-4to4-4 allows
                           # up to 1.4; no other take of the dev or held-out sets moves its entry at 1)
LOST_DOWNBEAT = 0.5        # beats: an entry's downbeat further than this past the decision's reach is planned, not
                           # decided (`_out_of_reach`)
METER_WAIT = 4.0           # s: the band, ready to come in, waits up to this long while the meter is pending
LEVEL_WAIT = 12.0          # s: ... and this long while a line's level is contested (GuitarSet's BN2 solo: ready at
                           # 5.5 s, its level heard at 14.2 s; two 8 s windows of the line at most)
AQSAQ_HOLD = 1.0           # bars of an aqsaq meter the listener names before the band changes to it at once
METER_HOLD = 2.0           # bars of another (not aqsaq) meter heard before the band changes to it at once (the bar
                           # watch's patience, counted in the player's bars, not the band's)
SURE_HOLD = 1.0            # ... while the listener is sure of its bar (engine.bars.SURE: its "1" heard plainly)
REPICK_LEVEL = 1.6         # the listener's tempo this many times the one auto picked at (or under it): another level
                           # (counted in halves or doubles, 1.7-2.1 with drift); a tempo ramp of a song moves 1.3
REPICK_BARS = 4            # the player's bars the meter must be heard before auto picks again (a phrase: one heard
                           # for a bar or two on the way from 5/8 to 3/4, 4/4, got a gallop for two bars); and the
                           # bars the tempo must stay out of the style's range before it does (review27's taps)
REPICK_RANGE = 1.1         # the listener's tempo this many times above the style's range (or under it) is out of it:
                           # a count tapped at 67 under the example played at 96 (review27: 26 % over ballad-4-4's 76)
BACK_WAIT = 1.0            # bars: back after a pulled cable (`Cue.RESUME`) the band keeps going this long for the
#                           guitar's first note (the reconnect comes before the player's notes: at once it heard the
#                           cable's silence as the player's, stopped and played its ending, a 2.6 s hole live); a
#                           player still silent then is pausing (stop-time and the ending as usual)
DOWNBEAT_NEAR = 0.25      # grid beats: a band beat this close to the player's downbeat falls on it (half an eighth in
                          # 3/4), when a meter change regroups the band's beat (`_regroup_downbeat`)
BAND_CUES = (Cue.FILL, Cue.NEXT, Cue.ENDING, Cue.START, Cue.STOP, Cue.KEEP_GOING, Cue.RESUME)


@dataclass
class SchedulerConfig:
    """The scheduler's settings: `lookahead` is the seconds between committing a note and its sounding;
    `levels` the parts' levels (dB, engine/mixer.py) the band starts with."""

    lookahead: float = 0.08        # seconds between committing a note and its sounding
    levels: Levels = field(default_factory=Levels)


@dataclass(frozen=True)
class Change:
    """A new arrangement from band beat `at`: `style` in the player's `meter`, with a marker `text`; `ending`:
    it starts with the ending, that many of its first bars left out (None: it plays on); `over_ending`: it
    begins even though an ending is under way (the ending dropped, the player back during its first bar)."""

    at: Fraction
    style: Style
    meter: Meter
    text: str
    ending: int | None = None
    over_ending: bool = False       # it replaces an ending under way (dropped: the player is back)
    regroup: bool = False           # a meter change on the same eighth: the band's beat regroups at `at`


def _starts_bar(grid: BeatGrid, position: Fraction) -> bool:
    """True when beat `position` (a whole beat or a half) starts a bar of the player's (`BeatGrid.group_starts`)."""
    return any(at == position and bar for at, bar in grid.group_starts(math.floor(position)))


def chord_spans(begin: float, end: float, state: MusicalState) -> list[tuple[float, float, Chord | None]]:
    """[begin, end) band beats split where the chord changes: (begin, end, chord) spans. A listener's state
    gives one span with the chord heard now; a chart's (`chords_ahead`) one span per chord in the window, so
    the notes do not depend on when they are committed (the arranger's notes do not depend on how a window
    is sliced)."""
    plan = state.chords_ahead
    if not plan:
        return [(begin, end, state.chord)]
    k = max(0, bisect_right(plan, begin, key=lambda change: change[0]) - 1)
    spans, at = [], begin
    while at < end:
        nxt = plan[k + 1][0] if k + 1 < len(plan) else math.inf
        chord = plan[k][1] if plan[k][0] <= at else None
        spans.append((at, min(nxt, end), chord))
        at, k = min(nxt, end), k + 1
    return spans


class Scheduler:
    """Commits the band's notes ahead of time from the listener's states; see the module docstring.

    `choose_style(grid, strict)` picks the style when the band comes in (unless `set_style` chose one) and
    when the player's meter changes; `seed` makes every choice repeatable; `sinks` receive every event.
    """

    # live, the input port back after it was gone under keep_going: since when (s) and the guitar's last note then (s),
    # kept going until a note comes (`_heard_back`)
    _back: tuple[float, float | None] | None = None
    _mid_song = False       # the next entry is back into the song after a pulled cable: no intro

    def __init__(self, choose_style: StyleChooser, seed: int, sinks: list[Sink], config: SchedulerConfig | None = None):
        self.choose_style = choose_style
        self.seed = seed
        self.sinks = sinks
        self.config = config or SchedulerConfig()
        self.arranger: Arranger | None = None
        self.playing = False
        self.held = False             # a stop or ending cue: stay out until "start"
        self.keep_going = False       # live, input port gone: keep the groove instead of breaking
        self.committed_until = 0.0    # band beat position up to which notes are committed
        self.late = 0                 # notes committed after their time had passed
        self.refused: list[Marker] = []   # the markers of style changes not taken (a style in another meter)
        self.song_over = False        # offline: an entry was given up, the player's final chord came first
        self.entries = 0              # how many arrangements were begun (entries, style, bar and meter changes)
        self.styles: list[str] = []   # the style (name) each entry of the band played last: a set's songs
        self.intensity = 0.0          # the player's intensity at the last commit, 0..1
        self.timeline = BandTimeline()       # when the band's beats fall: smooth, whatever the grid does
        self.marks = BandMarks(sinks, self.timeline)
        self.watch = BarWatch()
        self.meter = Meter(4, False)         # the player's meter the band plays in
        self.cycle = 4                       # beats in the band's bar as the file counts them
        self._set_up = False
        self.levels = self.config.levels     # the parts' levels (dB) now
        self._stop_at: float | None = None   # beat position where the band will stop, once decided
        self._hold_after: bool = False       # the ending under way was cued: hold once it is over
        self._next_style: Style | None = None
        self._style: Style | None = None     # chosen by set_style: overrides the chooser
        self._change: Change | None = None   # a new arrangement at a bar line, once decided
        self._due: list[tuple[float, str]] = []   # markers to write once the commit reaches their band beat
        self._watched = -math.inf            # the last band bar line compared with the player's
        self.presence = Presence()           # coming in, stop-time and endings
        self._entry: float | None = None     # s: the downbeat the band is about to come in on, once ready
        self._entry_meter: Meter | None = None   # ... in the meter heard when it was planned
        self._entry_count = 0.0                  # s: ... and the whole beat its count starts on (`_enter`)
        self._deferred = False                   # ... planned by `_out_of_reach` (not brought forward: `_replan`)
        self._ready_at: float | None = None      # s: when the band, out, was first ready to come in
        self._state: MusicalState | None = None
        self._now = 0.0
        self._heard: tuple[Meter | None, float] = (None, 0.0)   # the listener's meter and since when (s)
        self._picked: tuple[Meter, float] | None = None    # the meter and tempo (BPM) the style was picked at
        self._outside: float | None = None   # s: since when the listener's tempo is out of the band's style's range

    # ---- controls ------------------------------------------------------------------------------------
    def set_level(self, part: str, delta: float, now: float) -> None:
        """Move `part`'s level by `delta` dB (a footswitch's `level` action) at `now` (s): the band's channel
        volumes change at once when it has set up its channels, else when it does. Raises ValueError for an
        unknown part."""
        self.levels = self.levels.step(part, delta)
        if self._set_up:
            for event in volume_events(now, self.levels):
                self._send(event)

    def cue(self, cue: Cue | str, placed: bool = False) -> None:
        """A footswitch cue. `fill`: a one-bar fill at the next bar; `next`: the next section (intro ->
        main A, main A <-> main B) from the next bar; `ending`: the ending from the next bar whose ending's
        final stroke falls on the player's 1 (from the next bar at all when `placed`: engine.inputs.CueInput),
        then stop and stay out until `start`; `start`: allow the band in again, also after an ending under way
        (and stop keeping going);
        `stop`: stop at the next beat, silently, and stay out until `start`; `keep_going`: the input is gone,
        keep the groove instead of breaking. Raises ValueError for anything else."""
        if cue not in BAND_CUES:
            raise ValueError(f"cue must be one of {', '.join(BAND_CUES)}, got {cue!r}")
        if cue == Cue.KEEP_GOING:
            self.keep_going, self._back = True, None
        elif cue == Cue.RESUME and self.keep_going:
            self._back = (self._now, self._state.last_onset if self._state is not None else None)
        elif cue in (Cue.START, Cue.RESUME):
            self.keep_going, self._back = False, None
            self.held = self._hold_after = False       # also once a cued ending under way is over
            self._mid_song = cue == Cue.RESUME         # back after a pulled cable: the song goes on, no intro
        elif cue == Cue.STOP:
            self.held = True
            if self.playing:
                stop = float(math.ceil(self.committed_until))
                self._stop_at = stop if self._stop_at is None else min(self._stop_at, stop)
        elif cue == Cue.ENDING:
            self.held = True
            if self.playing:
                self._hold_after = True
                if placed:
                    self.arranger.form.end_soon(0)
                else:
                    self.arranger.cue(Cue.ENDING)
        elif self.playing and self._stop_at is None:
            self.arranger.cue(cue)

    def song_end(self, at: float) -> None:
        """The player's final chord of a song falls at `at` (s): the band's ending will land on it, and
        silences before it are stops, never the end."""
        self.presence.song_end(at)

    def set_style(self, style: Style) -> None:
        """Play `style` from the next bar (or from the next entry when the band is out). While the band plays,
        a style that cannot play in the player's meter (a 6/8 style over 4/4; engine.bars.fits) is not taken:
        a marker says so and the band keeps its style, as `--style` refuses it before a render. During the
        ending it is kept for the next entry (the next song may be in its meter)."""
        if self.playing and not self.arranger.form.ending and not fits(style, self.meter):
            num, den, _ = self.meter.signature()
            marker = Marker(self._now, f"style: {style.title} does not fit the player's {num}/{den}; "
                                       f"kept {self.arranger.style.title}")
            self.refused.append(marker)
            self._send(marker)
            return
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
        self.marks.send(event)

    def tick(self, now: float, state: MusicalState) -> None:
        """Plan and commit everything due before now + lookahead (seconds), from the listener's `state`."""
        state = self._leaned(state)
        self._now, self._state = now, state
        self._heard_back(now, state)
        self.marks.hear(now, state)
        if state.grid is not None and (heard := Meter.of(state.grid)) != self._heard[0]:
            self._heard = (heard, now)
        if not self.playing:
            self._come_in(now, state)
            return
        grid = state.grid
        self._hear_tempo(now, grid)
        if (self._change is not None and self._change.regroup
                and (self._stale(self._change, grid) or self.arranger.form.ending)):
            self._change = None             # dropped (as `_apply` would) before the time line decides the regrouped
            self.timeline.regroup(None)     # beat: the old meter's bars, or its ending, keep the old beat
        horizon = self.timeline.beat_at(now + self.config.lookahead, grid, now + FIRST_BEAT_MARGIN)
        if (stroke := self.presence.reach(now + self.config.lookahead)) is not None:
            horizon = max(horizon, float(stroke) + STROKE_REACH)
        self._stop_marks(now, state, grid)
        if self.presence.back_in_ending:
            self._drop_ending(now, horizon, grid, state)
        if self.presence.watching and not self.presence.back_in_ending:   # the drift is measured only while the
            # band waits to rejoin (and, back in its ending, once it has dropped it or played on)
            marker = self._rejoin(now, state, horizon)
            if marker is not None:          # written where the band plays again
                self._due.append((self.presence.rejoin_at, marker))
        if self._stop_at is not None:
            horizon = min(horizon, self._stop_at)
        self._commit(now, horizon, state)
        self._mark_due(now, grid)
        if self._stop_at is None and self.arranger.finished_at is not None and not self._dropping:
            self._stop_at = float(self.arranger.finished_at)
        if self._stop_at is not None and self.timeline.beat_at(now + self.config.lookahead, grid) >= self._stop_at:
            self._commit(now, self._stop_at, state)
            self.playing = False
            self.presence.went_out(now)
            self._due = []
            self._send(Marker(max(now, self.timeline.seconds_at(self._stop_at, grid)), "band out"))
            self._stop_at = None
            if self._hold_after:
                self.held, self._hold_after = True, False

    def _stop_marks(self, now: float, state: MusicalState, grid: BeatGrid) -> None:
        """Stop-time (engine/presence.py): its markers as heard now, and offline the player's breaks as they
        played them (where their notes stopped, their strum after it)."""
        marker = self.presence.stop_time(now, self._pausing(state), grid, self.arranger, state.last_onset)
        if marker is not None:
            self._send(Marker(now, marker))
        for at, text in self.presence.break_marks(now, now + self.config.lookahead, grid, self.arranger):
            self._send(Marker(at, text))

    def _leaned(self, state: MusicalState) -> MusicalState:
        """The listener's `state` with the grid of the aqsaq meter it leans to (`MusicalState.leaning`) and no
        meter pending, when the band is out (not cued) or already plays that meter; else `state`. Coming in, the
        band takes the bar start the listener believes rather than waiting for the name: in 7/8 the belief
        passes 0.95 about bar 2's downbeat and the name came two to four eighths later, and the band a bar later
        than it could (bench/entry_wait.py). Entering in the square grid's bars instead was tried (session 13):
        its downbeats are not the aqsaq ones."""
        lean = state.leaning
        if lean is None or not state.meter_pending or state.cued is not None:
            return state
        if self.playing and Meter.of(lean) != self.meter:
            return state
        return replace(state, grid=lean, meter_pending=False)

    @property
    def _dropping(self) -> bool:
        """An ending under way was dropped: the new arrangement after it is still to begin."""
        return self._change is not None and self._change.over_ending

    def _drop_ending(self, now: float, horizon: float, grid: BeatGrid, state: MusicalState) -> None:
        """Live, the player came back once the ending their silence cued had begun (engine/presence.py). Within
        its first bar (band beat `horizon`, the commit window's end, in it), once the player strums a chord
        (STRONG notes) or plays a phrase (the density `Presence.ready` asks to come in) — a tuning pluck is
        neither: it dropped the ending and brought the band back over the player's chat for a bar and a
        second ending (review23's live set) — the band drops it, as a band does:
        its notes are left out from the band's next beat and a new arrangement (no intro) begins at its next
        bar line on the player's downbeat (`Arranger.players_bar_after`: a 2/4 style's pairs begun on the
        player's beat 3 ran half a bar off until the bar watch moved them), silent until the band rejoins.
        Later, the ending plays on."""
        arranger = self.arranger
        first = next((p.bar for p in arranger.plans if p.section == "ending"), None)
        bar = arranger.bar_at(horizon)
        if first is None or bar >= first + arranger.group or not self.presence.listening:
            self.presence.back_in_ending = False
            return          # (a 2/4 style in 4/4: the player's bar is `group` of the band's)
        if state.strum_notes < STRONG and state.density < REAL_PHRASE:
            return          # not yet a chord or a phrase: asked again at the next tick, while the first bar lasts
        self.presence.back_in_ending = False
        beat = math.floor(horizon) + 1
        self.presence.dropped = float(beat)
        self._stop_at = None
        self._change = Change(arranger.bar_start(arranger.players_bar_after(horizon)), arranger.style, self.meter, "",
                              over_ending=True)
        self._due.append((float(beat), "ending: dropped, the player is back"))

    def _mark_due(self, now: float, grid: BeatGrid) -> None:
        """Write the markers of band beats (`_due`) the commit window has reached, at their time (asking the
        time of a beat not yet due would decide it early, at an older tempo); none where the band goes out."""
        if not self._due:
            return                          # the usual tick: no lists built
        end = self.committed_until if self._stop_at is None else min(self.committed_until, self._stop_at - 1e-9)
        for position, text in [d for d in self._due if d[0] <= end]:
            self._send(Marker(max(now, self.timeline.seconds_at(position, grid)), text))
        self._due = [d for d in self._due if d[0] > end]

    def _rejoin(self, now: float, state: MusicalState, horizon: float) -> str | None:
        """Back from a stop, watching (engine/presence.py): once the player's phrase is heard (its first strong
        chord or bass note, waited for up to a bar: a pickup leads to it), a player who started again off the
        band's count brings the band in on their bars (`_restart`), after a stop of any length (a rest of 4.5
        beats is heard as a stop of less than a bar: the band played on its old count, a beat and a half off the
        player's bars for 7 s); after a long stop (listening), one who counted through the rest, or a phrase not
        heard, lets the band rejoin on its own bars once its beat is the player's. The marker to write, else
        None."""
        grid, presence = state.grid, self.presence
        phrase = presence.phrase(state)
        counted = False                     # the player's phrase came back on one of the band's bar lines
        if phrase is not None and self._own_bars(grid):
            position = self.timeline.beat_at(phrase, grid)
            counted = self._on_strong_beat(position)
            started = presence.restarted(position, state, counted)
            if started:
                return self._restart(now, phrase, grid)
            if started is None:
                return None                 # on the count's offbeat: the strums after it tell
        elif phrase is None and now - presence.watching_since < grid.beats_per_bar * grid.period:
            return None
        if not presence.listening:
            presence.watched()              # a short stop: the band plays on its count
            return None
        return presence.rejoin(now, self.timeline.drift(grid), grid, self.arranger, horizon, counted)

    def _on_strong_beat(self, position: float) -> bool:
        """Whether band beat `position` lies within COUNTED beats of a bar line of the player's as the band counts
        them (its bars from the arrangement's start, `group` of them to one of the player's). The middle of an
        even bar is no longer one: a player back there after a long stop started their bar again (a 4/4 song
        back from 2.5 bars of rest was rejoined two beats off its bars for 7 s, review36), and one in 2/4 under
        the band's 4/4 loses nothing by it, the band's restart coming in a beat after them (`_restart`)."""
        span = self.arranger.style.beats_per_bar * self.arranger.group
        into = float((Fraction(position) - self.arranger.start) % span)
        return min(into, span - into) <= COUNTED

    def _own_bars(self, grid: BeatGrid) -> bool:
        """The band's bars and beat are the player's meter and level (not an aqsaq grid), and no ending is
        under way (unless dropped) or planned: its count may start again on the player's."""
        return (self.timeline.level == 1 and self.cycle == self.meter.beats and not grid.groups
                and (not self.arranger.form.ending or self._dropping)
                and (self._change is None or self._change.ending is None))

    def _restart(self, now: float, phrase: float, grid: BeatGrid) -> str:
        """The player started again after a stop, off the band's count, at `phrase` (s): the band's count
        starts again there (`BandTimeline.restart`: its beats at the player's, at the grid's tempo) and so do
        its bars, a phrase's first strong chord being a downbeat: a new arrangement whose first bar began at
        `phrase`, k beats before the band's first beat back, which plays from that beat on (the file's bar line
        is put at `phrase`: engine/io/midi_file.py `file_grid`). (Rejoining on its old bars and easing its beat
        over left them off the player's for 5-7 s, until the bar watch moved them: the bug report
        d-dorian-played-twice.mid in ../shared/cases; waiting silent for the player's next bar line brought
        the band back up to a bar after the player: a 12/8 shuffle at 80 back from 5.3 beats of rest, review36.)
        The marker to write."""
        n, k = self.timeline.restart(phrase, grid.period, now + self.config.lookahead + FIRST_BEAT_MARGIN)
        self._change = Change(Fraction(n - k), self.arranger.style, self.meter, "bar: the player's downbeat",
                              over_ending=self._dropping)
        return self.presence.rejoin_on(float(n))

    def _heard_back(self, now: float, state: MusicalState) -> None:
        """The input is back after a pulled cable under keep-going (`_back`: since when, the last note then): the
        band stops keeping going once the guitar's first note back is heard, or BACK_WAIT bars on without one."""
        if self._back is None:
            return
        since, last = self._back
        grid = state.grid
        bar = grid.beats_per_bar * grid.period if grid is not None else 0.0
        heard = state.last_onset is not None and (last is None or state.last_onset > last)
        if heard or now - since >= BACK_WAIT * bar:
            self.keep_going, self._back = False, None

    def _pausing(self, state: MusicalState) -> bool:
        """The guitar is pausing (stop-time), unless the band keeps going without input or was cued in (a
        count-in, a start) and the guitar has not played yet."""
        if (self.keep_going or state.cued is not None) and self.playing:
            return False
        return state.silent

    def _come_in(self, now: float, state: MusicalState) -> None:
        """Out: once ready, the band plans to come in on the player's first downbeat after the look-ahead, and
        decides its style and that downbeat only just before its notes are committed (ENTRY_DECIDE): the meter
        is often heard in the bar before the entry (a 6/8 take heard 2/4 at the lock and 6/8 half a bar
        later came in as a 2/4 gallop, then changed); a downbeat found then a beat or more later than planned is
        planned in turn, not decided (`_out_of_reach`). A guitar that stops meanwhile calls the entry off.
        An aqsaq downbeat half-way through a beat is decided before the whole beat that starts the band's count."""
        if self.held or state.grid is None or (self._entry is None
                                               and not self.presence.ready(now, state, self._pausing(state))):
            self._entry = self._ready_at = None
            return
        if self._ready_at is None:
            self._ready_at = now
        grid = state.grid
        if self._entry is None:
            if self._waiting(now, state):
                return
            self._plan_entry(grid, self._first_downbeat(now, state, grid, self._halves(grid, self._style, state)))
        elif self._pausing(state) and state.cued is None:
            self._entry = None
            return
        elif Meter.of(grid) != self._entry_meter:
            self._replan(now, state, grid)
        if now + self.config.lookahead + ENTRY_DECIDE >= self._entry_count:
            if self.presence.song_over(self._entry, state.last_onset, grid.period, self._bar_beats(grid)):
                self._entry = self._ready_at = None     # offline: the player's final chord comes first
                self.song_over = True
                return
            if self._waiting(now, state):
                self._entry = None          # planned, but the meter or level may change: the next downbeat after it
                return
            self._enter(now, state)

    def _replan(self, now: float, state: MusicalState, grid: BeatGrid) -> None:
        """The meter heard changed after the entry was planned: the new meter's first downbeat the band can reach
        becomes the plan when it comes at least half a beat before the planned one (a later one is left to the
        decision, as before: `_first_downbeat` then keeps the plan or takes the new meter's next downbeat).
        Left to the decision alone, a planned downbeat none of the new meter's moved the entry past the new
        meter's first one (sim3 meter_change_3-4to4-4: 3/4 heard 0.6 s after the plan, 1.7 s before its decision;
        its downbeat on the player's bar 4 passed by, in on bar 5). That downbeat is taken only once the new meter
        has been heard REPLAN_HOLD beats before it is decided: sim3 aqsaq_5-8_C-minor heard 3/4 for a third of a
        beat came in in it at once, off the player's downbeats (held, it waits for the 5/8 and comes in on it).
        Not a plan `_out_of_reach` deferred: its grid had just moved, and the meters heard on a fresh grid come and
        go (GuitarSet BN2 comping at 166 BPM, deferred to 7.27 s on a 109 BPM 4/4 grid, heard 6/8 on it 0.1 s
        later and brought forward to 6.72 s: in off the player's downbeats, beat F 1.00 -> 0.94)."""
        if self._deferred:
            return
        held = max(now, self._heard[1] + REPLAN_HOLD * grid.period)
        at = self._first_downbeat(held, state, grid, self._halves(grid, self._style, state))
        if grid.seconds_at(float(at)) < self._entry - grid.period / 2:
            self._plan_entry(grid, at)

    def _plan_entry(self, grid: BeatGrid, at: Fraction) -> None:
        """Plan the entry on the grid's beat position `at` (its time, its count's whole beat, the meter heard)."""
        self._entry, self._entry_count = grid.seconds_at(float(at)), grid.seconds_at(math.floor(at))
        self._entry_meter, self._deferred = Meter.of(grid), False

    def _out_of_reach(self, now: float, state: MusicalState, grid: BeatGrid, start: Fraction) -> bool:
        """True when the downbeat `start` found at the entry's decision lies more than LOST_DOWNBEAT beats beyond
        the decision's reach (the planned one was lost: the grid moved or the meter changed, and the next is a
        beat or more away); it is planned instead, and decided when it is due, on the grid then. Deciding it at
        once fixed the band's first beat by a grid it then held for seconds: GuitarSet BN2 comping decided at
        3.81 s for 5.41 s on an 84 BPM lock (the player's 166), which the listener moved to 109 BPM at 5.13 s,
        putting the first beat in the past (the band came in off every beat, on the wrong tempo). Not when cued
        (a count-in's downbeat is the player's), nor once the band has been ready METER_WAIT s (a grid that keeps
        moving does not keep it out for good)."""
        reach = now + self.config.lookahead + ENTRY_DECIDE + LOST_DOWNBEAT * grid.period
        if (state.cued is not None or grid.seconds_at(math.floor(start)) <= reach
                or (self._ready_at is not None and now - self._ready_at >= METER_WAIT)):
            return False
        self._plan_entry(grid, start)
        self._deferred = True
        return True

    def _waiting(self, now: float, state: MusicalState) -> bool:
        """Wait for the meter or the level: the listener leans towards an aqsaq meter it has not named yet (its
        bars are not the grid's), and the band has been ready for less than METER_WAIT s; or a line's level is
        contested (a fast straight line heard at its dotted quarters, or not: GuitarSet's BN2 solo had the band in
        at 7.2 s on a 110 BPM grid for its 166, for 7 s), and the band has been ready for less than LEVEL_WAIT s.
        A player who is cued in is not kept waiting."""
        if state.cued is not None:
            return False
        ready = now - self._ready_at
        return state.meter_pending and ready < METER_WAIT or state.level_contested and ready < LEVEL_WAIT

    @staticmethod
    def _bar_beats(grid: BeatGrid) -> float:
        """The player's bar in the grid's beats (an aqsaq grid's `beats_per_bar` counts two bars)."""
        return grid.beats_per_bar / (2 if grid.groups else 1)

    @staticmethod
    def _halves(grid: BeatGrid, style: Style | None, state: MusicalState) -> bool:
        """The band may come in half-way through a beat: on the aqsaq grid's downbeat between two of its beats
        (every second 5/8 or 7/8 bar starts there), in a style that plays that meter (`style`, None: the one
        chosen then will), and not cued (a count-in's downbeat is a whole beat)."""
        return bool(grid.groups) and state.cued is None and (style is None or fits(style, Meter.of(grid)))

    def _first_downbeat(self, now: float, state: MusicalState, grid: BeatGrid, halves: bool = False) -> Fraction:
        """The beat position of the band's first downbeat: the cued one (a count-in's end, a start) unless it is
        past, else the first after the look-ahead; when an entry was planned (`_entry`, s) and that time is
        still a whole beat of the grid, that one, unless the meter heard has changed since and it is no
        downbeat of the new meter (then the new meter's next downbeat: its bars, not the old ones, start the
        band). A downbeat moved within the same meter keeps the plan: the bar watch moves the band's bar later,
        as it does after any entry (moving the entry a bar on for it made entries later and no righter).
        With `halves` (`_halves`), an aqsaq downbeat half-way through a beat counts too (a whole beat number
        and a half; its whole beat is after the look-ahead): waiting for the next one on a whole beat kept
        the band out a bar longer, and an eighth's renumbering of the grid turned a planned whole-beat downbeat
        into a half one, which the band then skipped."""
        horizon = grid.beat_at(now + self.config.lookahead)
        start = math.floor(horizon) + 1
        if self._entry is not None:
            at = grid.beat_at(self._entry)
            planned = Fraction(round(2 * at), 2) if halves else Fraction(round(at))
            near = abs(at - planned) < 0.25 and math.floor(planned) >= start
            if near and planned.denominator == 2:
                if _starts_bar(grid, planned):
                    return planned      # an aqsaq downbeat between two beats, as planned
            elif near and (Meter.of(grid) == self._entry_meter or grid.is_downbeat(int(planned))):
                return planned      # the meter heard then, or the planned beat a downbeat of the meter heard now
        phrase = self._phrase_downbeat(state, grid, start)
        if phrase is not None:
            return phrase
        if state.cued is not None:                   # the cued downbeat itself, unless it is already past ...
            cued = round(grid.beat_at(state.cued))
            if not halves and cued < start < cued + grid.beats_per_bar:
                return Fraction(start)               # ... by less than a bar: its first beat the band can reach
            start = max(start, cued)
        for n in range(start, start + 2 * grid.beats_per_bar + 1):
            for position, bar in grid.group_starts(n):
                if bar and (halves or position == n):
                    return Fraction(position)
        return Fraction(start)

    def _phrase_downbeat(self, state: MusicalState, grid: BeatGrid, start: int) -> Fraction | None:
        """Coming in again after the band went out (not its first entry): the player's first downbeat from grid
        beat `start` on, counted in bars from where they began again after their rest (`MusicalState.
        phrase_start`: its first strong chord or bass note) when that lies on a beat of the grid; else None
        (the listener's downbeat). The listener's bars carry over from the song before a rest for a few bars:
        the band came back on them and moved its bar 5 s later (bug report pause-10s-then-return.mid in
        ../shared/cases)."""
        phrase = state.phrase_start
        if (self.entries == 0 or phrase is None or not self.presence.out_since(phrase) or state.cued is not None
                or grid.groups):
            return None
        at = grid.beat_at(phrase)
        if abs(at - round(at)) > COUNTED:
            return None
        first, bar = round(at), grid.beats_per_bar
        return Fraction(first + bar * max(0, math.ceil((start - first) / bar)))

    def _enter(self, now: float, state: MusicalState) -> None:
        """Come in on the planned downbeat (`_first_downbeat`), with the style's intro (none back into the song after
        a pulled cable: `_mid_song`), in a style chosen for the meter heard now. On an aqsaq downbeat half-way through
        a beat the band's count starts a bar earlier, on the whole beat that starts that bar's pair, and its notes from
        the downbeat: it comes in on the second bar of its cycle (of its intro), and its bar lines, beats and the
        file's bars fall as on any entry."""
        grid = state.grid
        style = self._style or self.choose_style(grid)
        start = self._first_downbeat(now, state, grid, self._halves(grid, style, state))
        if self._out_of_reach(now, state, grid, start):
            return
        self._picked, self._outside = (Meter.of(grid), grid.bpm), None
        origin = start if start.denominator == 1 else start - style.beats_per_bar
        if state.cued is not None and start.denominator == 1 and not grid.is_downbeat(int(start)):
            origin = Fraction(round(grid.beat_at(state.cued)))    # told late: the counted bar began there
        self._entry = self._entry_meter = self._ready_at = None
        if self.presence.song_over(grid.seconds_at(float(start)), state.last_onset, grid.period,
                                   self._bar_beats(grid)):
            self.song_over = True     # offline: the downbeat taken (a bar later than planned: the meter heard
            return                    # changed) comes after the player's final chord; no lone late final stroke
        self.timeline.start(math.floor(start), grid)
        self._begin(origin, style, Meter.of(grid), intro=not self._mid_song)
        self._mid_song = False
        if origin != start:
            self.arranger.plan(0)             # the bar before the downbeat is not played
            self.marks.new_arranger(first_bar=1)
        self.playing = True
        self.committed_until = float(start)
        self._next_style = self._change = None
        t = max(now, grid.seconds_at(float(start)) - 0.05)           # set-up just before the first note
        self.marks.time_signature(max(now, grid.seconds_at(float(start))), band_signature(style, self.meter))
        if not self._set_up:
            self._set_up = True
            for event in setup_events(t, self.levels):
                self._send(event)
        self._send(Marker(t, f"band in: {style.title}"))

    def _begin(self, at: Fraction, style: Style, meter: Meter, intro: bool, main: str = "main_a") -> None:
        """A new arrangement of `style` from band beat `at`, in the player's `meter`."""
        self.arranger = Arranger(style, self.seed + self.entries, at, intro=intro, main=main,
                                 group=group(style, meter))
        self.entries += 1
        if intro or not self.styles:
            self.styles.append(style.name)      # an entry: a song of the set
        else:
            self.styles[-1] = style.name        # a change within it
        self.meter, self.cycle = meter, band_cycle(style, meter)
        numerator, denominator, _ = band_signature(style, meter)
        odd_eighths = denominator == 8 and numerator % 2 == 1      # 5/8, 7/8: its bars end between beats
        self.timeline.bars(float(at), numerator if odd_eighths else 0)
        self.marks.new_arranger()
        self.watch.reset()

    def _commit(self, now: float, horizon: float, state: MusicalState) -> None:
        if horizon <= self.committed_until:
            return
        self._plan_ending(horizon, state.grid)
        self._plan_change(horizon, state.grid)
        change = self._change
        if change is not None and horizon >= change.at and self._stale(change, state.grid):
            self._change = change = None
        if change is not None and horizon >= change.at:
            self._commit_span(now, float(change.at), state)
            self._apply(now, change, state.grid)
            self._plan_ending(horizon, state.grid)     # the new arrangement's first bar may be the ending's
        self._commit_span(now, horizon, state)

    def _plan_ending(self, horizon: float, grid: BeatGrid) -> None:
        """The ending on the player's final chord (engine/presence.py): cued at a bar line, or a change that
        cuts the band's bar short where it must begin (unless another change is under way)."""
        cut = self.presence.plan_ending(horizon, grid, self.arranger, self.timeline)
        if cut is not None and self._change is None:
            at, skip = cut
            self._change = Change(at, self.arranger.style, self.meter, "ending: on the player's final chord", skip)

    def _plan_change(self, horizon: float, grid: BeatGrid) -> None:
        """A style cued, or the player's bar or meter not the band's at its bar line: a change, decided once."""
        arranger = self.arranger
        if self._change is not None or arranger.form.ending:
            return
        if self._next_style is not None:
            at = arranger.bar_start(arranger.decided)   # the first bar not yet decided
            self._change = Change(at, self._next_style, self.meter, f"style: {self._next_style.title}")
            self._next_style = None
            return
        self._change = self._into_heard(horizon, grid) or self._repick(grid)
        if self._change is not None:
            return
        line = arranger.start + math.ceil((Fraction(self.committed_until) - arranger.start) / self.cycle) * self.cycle
        if horizon >= line > self._watched and self._style is None and not fits(arranger.style, Meter.of(grid)):
            self.choose_style(grid)     # a named style the player's meter, now sure, does not fit: refused offline
        if horizon < line or line <= self._watched or self.timeline.level != 1 or self.cycle != self.meter.beats:
            return                  # not at a bar line yet, seen it, or the band's bars are not the player's
        self._watched = line
        t = self.timeline.seconds_at(float(line), grid)
        meter = self.watch.meter(grid, self.meter)
        if meter is not None:
            style = arranger.style if fits(arranger.style, meter) else self.choose_style(grid, strict=False)
            at = line + (grid.downbeat_phase - round(grid.beat_at(t))) % grid.beats_per_bar
            self._change = Change(at, style, meter, f"meter: {grid.meter}")
            return
        shift = self.watch.bar_line(t, grid, self._state.downbeat_played, self._state.played_by_beat)
        if shift is not None:
            self._change = Change(line + shift, arranger.style, self.meter, "bar: the guitar's downbeat")

    def _into_heard(self, horizon: float, grid: BeatGrid) -> Change | None:
        """A change into the meter the listener hears, once it has heard it for AQSAQ_HOLD of its bars (an aqsaq
        meter, named) or METER_HOLD (another; SURE_HOLD while the listener is sure of it): on the player's next
        downbeat after the band beat position `horizon`, without waiting for the band's bar lines (in another meter
        they are not the player's; waiting for two of them, the bar watch's patience, kept the band in 4/4 for 3 to
        6 s after the meter was named on the simulated aqsaq takes, and in 4/4 for two 4/4 bars after 2/4 was
        heard). A change on the same eighth into a beat of another length (6/8 to 3/4) regroups the band's beat
        there (`_regroup_unit`)."""
        heard, since = self._heard
        hold = SURE_HOLD if grid.meter_confidence >= SURE else METER_HOLD
        bar = heard and (AQSAQ_HOLD * sum(heard.groups) / 2 if heard.groups else hold * heard.beats)
        if heard is None or heard == self.meter or self._now - since < bar * grid.period:
            return None     # not named for long enough
        unit = self._regroup_unit(heard, grid)
        if unit is None:
            return None     # the band's beat is not the grid's (another level), nor the new meter's on its eighths
        if unit != 1:
            at = self._regroup_downbeat(horizon, grid, unit)
            if at is None or not self.timeline.regroup(at, float(1 / unit)):
                return None
        else:
            first = math.floor(horizon)
            beat = round(grid.beat_at(self.timeline.seconds_at(float(first), grid)))
            at = first + (grid.downbeat_phase - beat) % grid.beats_per_bar
            if at <= self.committed_until:
                at += grid.beats_per_bar
        style = self.arranger.style if fits(self.arranger.style, heard) else self.choose_style(grid, strict=False)
        return Change(Fraction(at), style, heard, f"meter: {grid.meter}", regroup=unit != 1)

    def _regroup_unit(self, heard: Meter, grid: BeatGrid) -> Fraction | None:
        """The band's beat in the grid's beats for a change into the `heard` meter: 1 when the band follows the grid
        at its level; else, for a bar of as many eighths grouped anew (6/8 and 3/4: the triplet-duple switch,
        DOMAIN.md), the band's eighths a beat over the heard meter's (6/8 to 3/4: 3/2, 3/4 to 6/8: 2/3) when the
        band's beat is that many of the grid's (within MAX_CHANGE): the listener counts the new meter's beat and
        the band's time line holds it as another level, not the player's (review27's 6/8 then 3/4 take: 16 beats,
        15 s, before the level moved, and only then the meter). None otherwise: a bar of other eighths (4/4 heard
        6/8 on a funk's sixteenths, sim4 funk_4-4 C-minor s11: followed, beat F 0.46 -> 0.39) and aqsaq meters,
        whose bars the time line keeps on the grid's eighths."""
        near = math.log(1 + MAX_CHANGE)
        length = self.timeline.length_now(grid)
        if self.timeline.level == 1 and abs(math.log(length / grid.period)) <= near:
            return Fraction(1)
        old, new = self.meter.signature()[2], heard.signature()[2]       # eighths a beat
        if heard.groups or self.meter.groups or grid.groups or self.meter.beats * old != heard.beats * new:
            return None
        unit = Fraction(old, new)
        return unit if unit != 1 and abs(math.log(length / (grid.period * float(unit)))) <= near else None

    def _regroup_downbeat(self, horizon: float, grid: BeatGrid, unit: Fraction) -> int | None:
        """The first band beat after band position `horizon` that falls on the player's downbeat (within
        DOWNBEAT_NEAR of the grid's beat) while the band's beat is `unit` of the grid's, its time reckoned at the
        band's tempo now (its beats after `horizon` are not decided yet); None when none in two of the player's bars
        does (the player's bar begins between the band's beats)."""
        first = math.floor(horizon)
        start, length = self.timeline.seconds_at(float(first), grid), self.timeline.length_now(grid)
        for k in range(1, math.ceil(2 * grid.beats_per_bar / unit) + 1):
            into = (grid.beat_at(start + k * length) - grid.downbeat_phase) % grid.beats_per_bar
            if min(into, grid.beats_per_bar - into) <= DOWNBEAT_NEAR:
                return first + k
        return None

    def _stale(self, change: Change, grid: BeatGrid) -> bool:
        """True for a change into another meter when, by its bar line, the listener hears the band's meter again:
        the change is dropped, the band stays (decided up to a bar ahead, such changes put the band in 4/4 for a bar
        after the listener was back in 2/4: sim2 strum_2-4 Eb-dorian at 11.7, 19.4 and 53.8 s). A change into a
        meter the listener has left for a third one is kept (held-out converter-set-b sim_01: dropping those too
        cost it bar F 0.85 -> 0.79)."""
        return change.meter != self.meter and Meter.of(grid) == self.meter

    def _hear_tempo(self, now: float, grid: BeatGrid | None) -> None:
        """Keep since when (s, `now`'s clock) the listener's tempo is out of the band's style's tempo range by more
        than REPICK_RANGE, for `_repick`: None while it is within (a song that drifts about the range's edge
        stays)."""
        if grid is None or self.arranger is None:
            return
        low, high = self.arranger.style.tempo
        if low / REPICK_RANGE <= grid.bpm <= high * REPICK_RANGE:
            self._outside = None
        elif self._outside is None:
            self._outside = now

    def _repick_due(self, grid: BeatGrid) -> bool:
        """True once auto should ask its chooser again: the listener's meter or tempo level has moved since the pick
        (REPICK_LEVEL), or its tempo has stayed out of the style's range for a phrase (REPICK_BARS of the player's
        bars: review27's count tapped at 67 under the example played at 96 kept the ballad to the end); only while
        the band plays in the heard meter at the grid's level, the meter heard for a phrase, and auto chooses."""
        picked, (heard, since) = self._picked, self._heard
        phrase = REPICK_BARS * grid.beats_per_bar * grid.period
        if (picked is None or self._style is not None or self.meter != heard or self.timeline.level != 1
                or self._now - since < phrase
                or abs(math.log(self.timeline.length_now(grid) / grid.period)) > math.log(1 + MAX_CHANGE)):
            return False
        moved = picked[0] != self.meter or abs(math.log(grid.bpm / picked[1])) >= math.log(REPICK_LEVEL)
        return moved or (self._outside is not None and self._now - self._outside >= phrase)

    def _repick(self, grid: BeatGrid) -> Change | None:
        """The style picked again, by the same rule (the chooser), at the next phrase of the band (after
        `fill_every` of the player's bars, where its fill falls) once `_repick_due`: a band that came in on the
        listener's first guess (a slow ballad heard at its eighths, 127 BPM in 2/4: a gallop) takes the song's feel
        once it is clear (64 BPM 4/4: the ballad); a band that came in on a count tapped slower or faster than the
        song takes the song's tempo's style. Asked once a move or a phrase out of range (the pick's meter and tempo
        are then the new ones, and the tempo out of range is counted anew: no flicker). A named style stays (its
        chooser returns it); None when nothing changes."""
        arranger = self.arranger
        if not self._repick_due(grid):
            return None
        form, v = arranger.form, arranger.style.variation
        if form.state != "main" or form.main_bar % ((v.fill_every or v.phrase) * arranger.group):
            return None             # not at a phrase's first bar (in the intro or a break: after it)
        self._picked = (self.meter, grid.bpm)
        if self._outside is not None:
            self._outside = self._now       # no style of the meter may suit it: ask again a phrase later
        style = self.choose_style(grid, strict=False)
        if style.name == arranger.style.name:
            return None
        return Change(arranger.bar_start(arranger.decided), style, self.meter, f"style: {style.title}")

    def _apply(self, now: float, change: Change, grid: BeatGrid) -> None:
        """Begin the changed arrangement at its bar line, in the same main section, without an intro (not
        once the ending is under way or cued: the band ends as it is)."""
        old = self.arranger
        self._change = None
        if old.form.ending and not change.over_ending:
            return
        if change.over_ending:
            self.presence.dropped = None    # the dropped ending is behind: a later one (the song's) is heard
        main = old.plans[-1].main if old.plans else "main_a"
        self._begin(change.at, change.style, change.meter, intro=False, main=main)
        if change.ending is not None:
            self.arranger.form.end_soon(change.ending)
        self._watched = float(change.at)
        t = max(now, self.timeline.seconds_at(float(change.at), grid))
        self.marks.time_signature(t, band_signature(change.style, change.meter))
        if change.text:
            self._send(Marker(t, change.text))

    def _rests(self, horizon: float, grid: BeatGrid) -> None:
        """Offline: the bars this window decides (up to band beat `horizon`) that end on the player's return from
        a stop-time break are `Arranger.rests`, decided without their fill (engine/presence.py `closes_break`)."""
        arranger = self.arranger
        bar = arranger.decided
        while arranger.bar_start(bar) < horizon and self.presence.breaks:
            if self.presence.closes_break(float(arranger.bar_start(bar + 1)), grid, arranger):
                arranger.rests.add(bar)
            bar += 1

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
        self.marks.key(now, self.committed_until, state)
        self.marks.beats(self.committed_until, horizon, arranger, self.cycle, grid)
        self.intensity = state.intensity
        self._rests(horizon, grid)
        notes = [p for begin, end, chord in chord_spans(self.committed_until, horizon, state)
                 for p in arranger.query(begin, end, state, chord=chord, intensity=self.intensity)]
        self.marks.sections(now, horizon, arranger, grid)
        for p in notes:
            at = float(p.position)
            plan = arranger.plan(arranger.bar_at(at))
            t = self.timeline.seconds_at(at, grid) + p.offset
            if self.presence.silenced(plan.section, at) and not self.presence.back_from_break(t, grid.period):
                continue                      # stop-time: silent until the guitar is back (an ending plays)
            if plan.section == "ending" and self.presence.landing is not None:
                stroke = self.timeline.seconds_at(float(self.presence.landing[0]), grid)
                t = self.presence.landed(p.position, t, plan.last, stroke, self.timeline.length_now(grid))
                if t is None:
                    continue                  # after the player's final chord, before the stroke it pushed
                t = max(t, now)               # a chord the window reached only after it sounded: hit at once (a
                                              # re-plan onto the past, not the engine behind: no late event)
            if self.presence.in_break(t, grid, arranger):
                continue                      # offline: the player's stop-time break, known ahead (the ending's
                                              # too: its final stroke is on the player's chord after it)
            if t < now:
                self.late += 1
                t = now
            self._send(Note(t, p.duration, p.channel, p.pitch, p.velocity, p.part))
        self.committed_until = horizon
