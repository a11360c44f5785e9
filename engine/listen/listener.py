"""The listener: conditions raw guitar MIDI and feeds the key, beat and chord trackers.

`feed(msg)` takes every input message in time order; `update(now)` confirms notes, re-estimates once a
strum is complete and decides the chord; `state(now)` snapshots the estimates as a `MusicalState`, the only
thing the band reads. Hints from the player (tap tempo, the tempo lock, a MIDI clock master) come in through
`tap`, `lock_tempo` and `clock`. No I/O, no wall clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

from engine.events import InputMessage
from engine.inputs import ClockInput, CountIn, Cue
from engine.listen.activity import ActivityConfig, PlayerActivity, intensity
from engine.listen.beat import BeatTracker
from engine.listen.chord import ChordTracker
from engine.listen.clock_in import ClockFollower
from engine.listen.guitar import LONE_BASS_CHORD, LONE_BASS_GAP, ConfirmedNote, GuitarConditioner, GuitarConfig, Strum
from engine.listen.key import DEFAULT_PROFILES, NEW_PIECE, KeyTracker
from engine.listen.meter import MeterHeard
from engine.midi import CLOCK, CONTINUE, SONG_POSITION, START, STOP, clocks_per_beat
from engine.state import BeatGrid, MusicalState
from engine.theory import pitch_class

KEY_EVERY = 1.0    # s between key re-estimates ...
KEY_STARVED = 3.0  # ... and after this long one is due even on a strum that re-estimated the tempo
BEAT_BASS = 1.5    # a bass note counts this much more than another as a beat onset
LONE_BASS_WITHIN = 1.0   # s: the chord of a bass-and-chord figure (guitar.LONE_BASS_*) comes this soon after its bass
QUIET = 1.0        # s of silence after which no chord sounds (0.5, 0.75, 1.5 measured: bench/README.md)
CHORD_ACCENT = 1.0  # weight of a chord change on a beat as evidence of a bar start (a bass onset weighs ~1)
REPHASE = 2.0      # bars of silence after which the bar pointer's bar lines are forgotten (a one-bar stop-time
                   # break comes back on the count's downbeat: that count still holds)
PAUSE_MIN = 2.0    # beats: a shorter gap between notes is no rest, whatever the activity heard (a blip of silence
                   # at a meter change, 30 ms long, restarted the band's count: sim2 meter_change_2-4to6-8)
COUNT_END = 0.25   # beats: a guitar note this near where a tapped count's next tap would fall ends the count there
# BPM the beat may take, and the tempos a player may tell (`--bpm`): one range, so a hint is always a tempo the
# listener can hear. The top a bluegrass boom-chuck's beat (200-260: sim4's at 233-235 were heard at their bar, 116,
# with 220 the top); the bottom the slowest beat the tracker fits (BeatTracker's min_bpm).
TEMPO_RANGE = (40.0, 260.0)
IDLE_MARGIN = 1e-6  # s: a tick this close to a part's next piece of work (`Listener._idle_until`) runs in full
# `Listener.state`'s reads kept while the listener does not move (`_still_state`)
_Still = tuple[list, float, bool, BeatGrid | None, float, float]
_FIELDS = [f.name for f in fields(MusicalState)]     # MusicalState's fields in order: it is made from them
_TIME, _INTENSITY, _SILENT = (_FIELDS.index(name) for name in ("time", "intensity", "silent"))


def in_tempo_range(bpm: float) -> bool:
    """True when `bpm` (BPM) is a tempo the listener hears (TEMPO_RANGE, ends included)."""
    return TEMPO_RANGE[0] <= bpm <= TEMPO_RANGE[1]


def tempo_range_text() -> str:
    """TEMPO_RANGE as an error message names it: "40..260"."""
    return f"{TEMPO_RANGE[0]:g}..{TEMPO_RANGE[1]:g}"


@dataclass
class ListenerConfig:
    """How the listener hears: the conditioner's settings, the tempo prior and range (BPM), the key profiles,
    model and evidence half-life (s), the beat and key confidences (0..1) the band waits for before it plays,
    when the guitar counts as pausing, and the bar model ("pointer": the bar pointer,
    engine/listen/bar_pointer.py; "accents": the older accent counts of engine/listen/meter.py, kept to measure
    against, see bench/README.md), and the beat model ("acf": engine/listen/beat.py's autocorrelation, phase
    fit and bar pointer; "joint": the joint tempo, meter and downbeat filter of engine/listen/joint.py;
    "hybrid": acf's grid with the joint filter's bar, engine/listen/hybrid.py; the last two options to measure
    against). `PlayerSettings.listener_config` fills in the player's part."""

    guitar: GuitarConfig = field(default_factory=GuitarConfig)
    bpm_prior: float = 100.0      # centre of the tempo prior
    tempo_range: tuple[float, float] = TEMPO_RANGE   # BPM the beat may take (a hint narrows it)
    key_profiles: tuple[str, ...] = DEFAULT_PROFILES   # published key profiles to average, by name
    key_model: str = "hmm"        # "hmm": sticky forward filter over keys; "rules": margin-and-hold hysteresis
    key_half_life: float = 12.0   # s; how fast old key evidence fades (offline analysis: the whole piece)
    key_new_piece: float = NEW_PIECE   # s of silence after which the key is heard afresh (offline: inf, one piece)
    bar_model: str = "pointer"    # "pointer" or "accents": how bars and downbeats are heard (BeatTracker)
    beat_model: str = "acf"       # "acf": BeatTracker; "joint": engine/listen/joint.py; "hybrid": listen/hybrid.py
    beat_lock: float = 0.5        # beat confidence needed before the band plays
    key_lock: float = 0.15        # key confidence needed before the band plays
    activity: ActivityConfig = field(default_factory=ActivityConfig)   # when the guitar counts as pausing


@dataclass(frozen=True)
class PlayerSettings:
    """What the player tells aqyn about a performance; the same options live (`aqyn live`) and offline
    (`aqyn render`, `aqyn analyze`), so an offline run reproduces a gig.

    `converter_latency`: seconds from string to the converter's note-on (0..0.2), subtracted from every input
    time; `channels`: the 0-based MIDI channels of the guitar (None: all); `bpm`: the tempo the player means
    to play (TEMPO_RANGE, 40..260 BPM: the tempos the listener hears), the centre of the tempo prior and the
    count-in's tempo; `count_in`: bars of count-in clicks (0..2, needs `bpm`) before the player's first
    downbeat; `count_meter`: the count-in's beats to the bar (2..4: `--meter 3/4` is 3; None: the style's).
    Raises ValueError for values out of range.
    """

    converter_latency: float = 0.0
    channels: tuple[int, ...] | None = None
    bpm: float | None = None
    count_in: int = 0
    count_meter: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.converter_latency <= 0.2:
            raise ValueError(f"converter latency must be 0..200 ms, got {self.converter_latency * 1000:g}")
        if self.bpm is not None and not in_tempo_range(self.bpm):
            raise ValueError(f"bpm must be {tempo_range_text()} (the tempos aqyn hears), got {self.bpm:g}")
        if not 0 <= self.count_in <= 2:
            raise ValueError(f"count-in must be 0, 1 or 2 bars, got {self.count_in}")
        if self.count_in and self.bpm is None:
            raise ValueError("a count-in needs a tempo (--bpm N)")
        if self.count_meter is not None and not 2 <= self.count_meter <= 4:
            raise ValueError(f"a count-in's meter must be 2 to 4 beats to the bar, got {self.count_meter}")

    def listener_config(self, base: ListenerConfig | None = None) -> ListenerConfig:
        """`base` (default settings if None) with this player's converter, channels and tempo prior."""
        base = base or ListenerConfig()
        guitar = replace(base.guitar, channels=self.channels, converter_latency=self.converter_latency)
        return replace(base, guitar=guitar, bpm_prior=base.bpm_prior if self.bpm is None else self.bpm)

    def count_in_before(self, first_note: float, beats_per_bar: int) -> CountIn | None:
        """Offline: the count-in the player heard before a file whose first note-on is at `first_note` (s),
        played on the downbeat after the clicks, `beats_per_bar` to the bar (the style's) unless the player
        said its meter (`count_meter`); no clicks sound (the recording holds none), they only tell the beat
        tracker. None without a count-in."""
        if not self.count_in:
            return None
        return CountIn.of_bars(self.count_in, self.bpm, self.count_meter or beats_per_bar,
                               downbeat=first_note - self.converter_latency, clicks=False)


class Listener:
    """Conditions raw guitar MIDI and feeds the key, beat and chord trackers (see the module docstring);
    `state(now)` is what the band reads. Raises ValueError for a `tempo_range` outside 20 <= low < high <= 300
    BPM, and for an unknown key model or profile or beat model."""

    def __init__(self, config: ListenerConfig | None = None):
        self.config = config or ListenerConfig()
        self.guitar = GuitarConditioner(self.config.guitar)
        self.guitar.on_note = self._note
        self.guitar.on_release = self._release
        self.key = KeyTracker(half_life=self.config.key_half_life, profiles=self.config.key_profiles,
                              model=self.config.key_model, new_piece=self.config.key_new_piece)
        lo, hi = self.config.tempo_range
        if not 20 <= lo < hi <= 300:
            raise ValueError("tempo_range must be two BPM values 20 <= low < high <= 300, "
                             f"got {self.config.tempo_range!r}")
        prior = min(max(self.config.bpm_prior, lo), hi)
        # The joint and hybrid models are options to measure against: imported only when chosen.
        if self.config.beat_model == "joint":
            from engine.listen.joint import JointTracker  # noqa: PLC0415

            self.beat = JointTracker(bpm_prior=prior, min_bpm=lo, max_bpm=hi)
        elif self.config.beat_model == "hybrid":
            from engine.listen.hybrid import HybridTracker  # noqa: PLC0415

            self.beat = HybridTracker(bpm_prior=prior, min_bpm=lo, max_bpm=hi)
        elif self.config.beat_model == "acf":
            self.beat = BeatTracker(bpm_prior=prior, min_bpm=lo, max_bpm=hi, bar_model=self.config.bar_model)
        else:
            raise ValueError(f"beat model must be 'acf', 'joint' or 'hybrid', got {self.config.beat_model!r}")
        self.chord = ChordTracker()
        self.activity = PlayerActivity(self.config.activity)
        self.heard = MeterHeard()    # the meter heard longest over the take (`take_meter`)
        self.follower = ClockFollower()
        self.chord_label = "N"
        self._now = 0.0
        self._taps: list[float] = []     # count-in clicks still to be told to the beat tracker (s)
        self._cued: float | None = None  # the downbeat the player was cued to (s), until the guitar plays ...
        self._cue_kept = -math.inf       # ... and this time (s) has passed (a count told on the guitar's downbeat)
        self._count: tuple[float, int] | None = None   # a tapped count's next beat (s) and bar (beats), if it ends
        # a count-in's clicks to the bar (int or None) and whether its beat divides in three (None: not told)
        self._clicked, self._divided = None, None
        self._master_top = False         # a clock master started with no tempo known: cue its first bar line
        self._strum_time = -1.0
        self._prev_strum: Strum | None = None            # the strum before the one being struck
        self._lone_from: tuple[float, int] | None = None  # ... when it was one note: (s, MIDI pitch)
        self._decided_strum = -1.0
        self._heard_label = "N"   # the chord the last whole strum was heard as (an open strum's early label aside)
        self._early_seen = 0      # notes confirmed when the open strum was last looked at for its chord
        self._released = -1.0     # s: when the last note stopped ringing
        self._key_at = -1.0
        # s: until then a tick has nothing to do (`_idle_until`; input: `feed`); and `state`'s reads that do not
        # move with the clock, kept while nothing the listener holds moves (a tick that works, a note, a release, a
        # tap, a cue: each drops it; None: to be read again)
        self._idle, self._still = -math.inf, None

    def _stir(self) -> None:
        """A tap, a cue or a hint moved the listener: the next tick works in full (`_idle`) and `state` reads it
        afresh (`_still`)."""
        self._idle, self._still = -math.inf, None

    @property
    def dropped(self):
        """Glitches thrown away by the conditioner, by reason (a Counter)."""
        return self.guitar.dropped

    @property
    def notes_in(self) -> int:
        """Notes confirmed so far."""
        return self.guitar.confirmed

    @property
    def last_onset(self) -> float | None:
        """Time (s, pluck time) of the guitar's latest confirmed onset, None before any."""
        return self.activity.last_onset

    def feed(self, msg: InputMessage) -> None:
        """One guitar MIDI message, in time order. The ticks stay idle (`update`) until the work it brings is
        due: a note-on's confirmation (the tick it arrives on has nothing to do, and ran in full, 4-5 us, for
        nothing), a release's hush (`_release`)."""
        due = self.guitar.feed(msg)           # (first: a release lowers `_idle` on the way)
        self._idle = min(self._idle, due - IDLE_MARGIN)

    def tap(self, t: float, count_in: bool = False) -> None:
        """A tap at t seconds (tap-tempo key): see `BeatTracker.tap`. With `count_in` (the band is out) and the
        guitar silent, a count of a bar's taps or more is the player's count-in: the beat after it
        (`BeatTracker.counted_downbeat`) is their first downbeat, cued as a count-in's end (the band came in on
        their beat 3 and moved its bar lines to theirs two bars later: review20). A count of three taps (a bar
        of 4/4 counts in before a sixth) with the meter held another (`BeatTracker.count_bar`) is a waltz's count
        once the guitar's first note falls where the next tap would (`_count_ends`). Taps while the band plays set
        the tempo and beat only."""
        self._stir()
        self.beat.tap(t)
        out = count_in and not self.playing
        downbeat = self.beat.counted_downbeat() if out else None
        self._count = self.beat.count_bar() if out and downbeat is None else None
        if downbeat is not None:
            self.beat.start_at(downbeat, self.beat.period, self.beat.beats_per_bar)
            self._cued = downbeat

    def count_in(self, item: CountIn) -> None:
        """A count-in: each click is a tap once its time has come (see `update`); the beat after the last
        click is the player's first downbeat, and its bar has the clicks' beats to the bar (`--meter 3/4`: three)
        until the guitar's accents make the meter sure (an aqsaq count's groups: the meter heard)."""
        self._stir()
        self._taps = sorted(self._taps + item.tap_times())
        self._cued = item.downbeat
        self._clicked = None if item.groups else item.beats_per_bar
        self._divided = None if item.eighths is None else item.eighths == 3

    def expect_key(self, t: float, tonic: str, mode: str) -> None:
        """The song's key as one who heard it whole says (a look-ahead render's first pass, engine/look_ahead.py),
        at `t` (s): the key tracker starts from it (`KeyTracker.expect`). `tonic`: a name (C#, Db...)."""
        self._stir()
        self.key.expect(t, pitch_class(tonic), mode)

    def start(self, t: float) -> None:
        """A start with no guitar playing (a pedal, a clock master's start): the band's first downbeat falls
        at t (s), at the tempo heard last (or tapped, or the tempo prior); after a tapped count, on its first
        tapped beat at or after t."""
        self._stir()
        period = self.beat.period or 60.0 / self.config.bpm_prior
        t = self.beat.tapped_beat(t)
        self.beat.start_at(t, period)
        self._cued = t

    def resume(self, t: float) -> None:
        """The input came back at `t` (s) after it was gone (live: a pulled cable, `Cue.RESUME`): the silence since
        the last note was the cable's, not the player's, who played on. The key goes on with the song's evidence
        (`KeyTracker.resume`), and the beat keeps the song's pulse while the first strums back fit its tempo
        (`BeatTracker.resume`)."""
        self._stir()
        self.key.resume(t)
        self.beat.resume(t)
        self.activity.resume(t)

    @property
    def playing(self) -> bool:
        """True while the guitar has played within the last two seconds."""
        last = self.activity.last_onset
        return last is not None and last >= self._now - 2.0

    def lock_tempo(self, on: bool | None = None) -> bool:
        """Hold the tempo (the phase still follows the guitar); None toggles. Returns the new setting."""
        self._stir()
        self.beat.hold_tempo = (not self.beat.hold_tempo) if on is None else on
        return self.beat.hold_tempo

    def clock(self, item: ClockInput) -> Cue | None:
        """A MIDI clock master's message: the master leads tempo, beat and (after a start or a song position)
        the bar. Returns the cue it means for the band (START for start and continue, STOP for stop)."""
        self._stir()
        follower, tracker = self.follower, self.beat
        per_beat = clocks_per_beat(3 if tracker.compound else 2)   # MIDI clock counts quarter notes
        if item.status == CLOCK:
            beat = follower.clock(item.time, per_beat)
        elif item.status in (START, CONTINUE):
            beat = follower.start(item.time, restart=item.status == START, fallback_period=tracker.period,
                                  per_beat=per_beat)
        elif item.status == STOP:
            follower.stop()
            self._master_top = False
            return Cue.STOP
        else:
            if item.status == SONG_POSITION:      # a DAW about to continue from a bar other than the first
                follower.position(item.position)
            return None
        if item.status == START:
            self._master_top = not self.playing    # the band comes in on the master's top, or its first bar line
        if beat is not None:
            tracker.follow_master(beat.time, beat.period, beat.number)
            if self._master_top and beat.number is not None and not self.playing:
                self._cued = self._master_downbeat(beat.time, beat.period, beat.number)
            self._master_top = False
        return None if item.status == CLOCK else Cue.START

    def _master_downbeat(self, t: float, period: float, number: int) -> float:
        """The master's first downbeat (s) the band can reach from its beat `number` (after its top) at `t` (s),
        `period` s long: the top itself at the start (a tempo known from clocks before it), else the next bar
        line after that beat (a master that sends clock only from its start: its first beat is told a beat
        after the top, too late for the band to come in on it; main then left the band to the guitar's
        lock: with the guitar from the master's bar 2 at 100 BPM, it came in on bar 3)."""
        if number == 0:
            return t
        bar = self.beat.beats_per_bar
        return t + (1 + (-(number + 1)) % bar) * period

    def _note(self, n: ConfirmedNote) -> None:
        self._still = None          # (a note a bend sounds comes with its message, `feed`: no tick works for it)
        metric = self._metric_weight(n.time)
        if n.legato:    # a pitch reached by a bend: heard for key and chord, but no pick attack for the beat
            self.key.note_on(n.time, n.pitch, n.velocity, False, metric)
            self.chord.note_on(n.time, n.pitch, n.velocity, False)
            return
        new = n.strum.size == 1
        if (n.bass or n.tonal_bass) and metric >= 2.0:
            self.chord.new_bar(n.time)
        self.key.note_on(n.time, n.pitch, n.velocity, n.tonal_bass, metric)
        self.beat.onset(n.time, n.velocity / 127 * (BEAT_BASS if n.bass else 1.0), new, n.bass)
        self.beat.note(n.time, n.pitch, n.velocity / 127, n.bass)
        self.chord.note_on(n.time, n.pitch, n.velocity, n.tonal_bass, n.bass)
        rest = self._rest(n.time)
        if rest != math.inf:
            self._after_rest(n.time)
        self.activity.note(n.time, n.velocity, n.bass, rest)
        self._lone_bass(n)
        self._strum_time = n.strum.time

    def _rest(self, t: float) -> float:
        """The silence (s) before a note at `t` that starts a new phrase: a bar, or none when the guitar was
        pausing by then as the band hears it (stop-time: a player back after a rest of 2.5 or 4.5 beats starts a
        phrase, which the band's count may have to follow); inf before a beat is tracked, or after a gap of less
        than PAUSE_MIN beats (this runs on every note: the pause is only asked about after a gap that long)."""
        b, a = self.beat, self.activity
        period, last = b.period, self.activity.heard_since
        if not period or last is None or t - last < PAUSE_MIN * period:
            return math.inf
        if a.silent(t, period, b.usual_gap, b.beats_per_bar, self.grid(), b.bar_gap):
            return 0.0
        return b.beats_per_bar * period

    def _after_rest(self, t: float) -> None:
        """A note at `t` after a gap of PAUSE_MIN beats or more: after REPHASE bars of silence the player starts
        again on their own downbeat, not on the old count's (a pause, a song played twice): the bar pointer
        forgets where its bars started (the band had followed the old count's bar line a beat off the player's
        for two bars: review14, bug-reports/pause-4-bars-then-return.mid)."""
        b = self.beat
        if t - self.activity.heard_since >= REPHASE * b.beats_per_bar * b.period:
            b.rephase_bars()

    def _lone_bass(self, n: ConfirmedNote) -> None:
        """Oom-pa (a 6/8 jig's bass then chord, a waltz's oom-pah-pah, boom-chick): a low note struck alone,
        then a chord of LONE_BASS_CHORD notes all LONE_BASS_GAP semitones above it. That note is the beat's
        bass though it is above E3 or a held note rang under it, where the chord's summed weight would pull the
        beat's phase onto itself."""
        strum = n.strum
        if strum.size == 1:
            prev, self._prev_strum = self._prev_strum, strum
            alone = prev is not None and prev.size == 1 and n.time - prev.time <= LONE_BASS_WITHIN
            self._lone_from = (prev.time, prev.pitches[0]) if alone else None
            return
        if strum.size == LONE_BASS_CHORD and self._lone_from is not None:
            t, pitch = self._lone_from
            if min(strum.pitches) >= pitch + LONE_BASS_GAP:
                self.beat.lone_bass(t, BEAT_BASS)
            self._lone_from = None

    def _release(self, t: float, pitch: int, duration: float, tonal_bass: bool) -> None:
        self._released, self._still = t, None
        self._idle = min(self._idle, t + QUIET - IDLE_MARGIN)   # the hush may come a QUIET after (`_idle_until`)
        self.key.note_off(t, pitch, duration, tonal_bass)

    def _metric_weight(self, t: float) -> float:
        """Notes on beats, and most of all on downbeats, say more about the key (chord roots live there)."""
        beat = self.beat
        if beat.period is None:
            return 1.0
        p = beat.beat_at(t)
        n = round(p)
        if abs(p - n) > 0.12:
            return 1.0
        return 2.0 if n % beat.beats_per_bar == beat.downbeat_phase else 1.4

    def update(self, now: float) -> bool:
        """Confirm notes and, once the latest strum is complete, re-estimate; then count the player's
        activity. Call once per engine tick (now: seconds, never going back). True when a strum was decided.
        Most ticks have nothing to do: until the next piece of work is due (`_idle_until`; a message only brings
        its own work forward, `feed`), and with no hint since, the tick returns at once."""
        self._now = now
        if now < self._idle:
            return False
        self._still = None
        while self._taps and self._taps[0] <= now:
            self.beat.tap(self._taps.pop(0))
            if not self._taps and self._cued is not None and self.beat.period:
                self.beat.start_at(self._cued, self.beat.period, self._clicked, self._divided)  # the count-in's bar
        if self._count is not None:
            self._count_ends(now)
        if self._cued is not None:
            last = self.activity.last_onset
            if last is not None and last >= self._cued - 0.2 and now >= self._cue_kept:
                self._cued = None                                   # the guitar came in
        decided = self._decide(now)
        if decided:
            self._count_meter(now)
        if self.chord_label != "N":
            self._hush(now)
        self.beat.advance(now)
        self.activity.tick(now, self.beat.period)
        self._idle = self._idle_until() - IDLE_MARGIN
        return decided

    def _count_ends(self, now: float) -> None:
        """A tapped count of three (`tap`) is a waltz's bar counted in when the guitar's first note falls
        within COUNT_END beats of where the next tap would: that beat is the player's first downbeat, in 3/4,
        cued for a bar (the band, told only now, comes in on the first beat of that bar it can still reach:
        engine/schedule.py). A beat on with neither, the taps were a tempo only."""
        at, beats = self._count
        period, last = self.beat.period, self.activity.last_onset
        if last is not None and abs(last - at) <= COUNT_END * period:
            self._count = None
            self.beat.start_at(at, period, beats)
            self._cued, self._cue_kept = at, at + beats * period
        elif now > at + period:
            self._count = None

    def _count_meter(self, now: float) -> None:
        """At a strum: the time since the previous one (up to a bar: a rest counts no more) counts for the meter
        heard now. Per strum, not per tick: a tally per working tick cost 4 % more instructions in the replay
        (bench/listen_instructions.py: 180.9 M -> 188.8 M)."""
        b = self.beat
        if b.period is not None:
            self.heard.tick(now, b.meter, b.meter_confidence, b.beats_per_bar * b.period)

    def take_meter(self) -> tuple[str, float] | None:
        """The take's meter: the one heard longest while the guitar played ("3/4", weighted by time), and its
        mean confidence (0..1) over that time; None before any. This is the meter aqyn names to the user
        (analyze and the pictures; the render's warnings look at each section of `heard`), not the meter at the end
        (review24: a waltz whose rallentando and held final chord were heard in 4/4 was called 4/4)."""
        return self.heard.longest()

    def _idle_until(self) -> float:
        """The earliest time (s) at which a tick may have work, with no input before it (`feed` lowers it to
        what a message brings): a tap of a count-in, a pending note to confirm, the latest strum to decide once it
        can grow no more, the chord to hush, a beat for the bar pointer to weigh, an onset for the activity to
        forget, the end of a cue kept for a bar; at once when a note confirmed this tick answers a cue (`update`
        looks at the cue before confirming), and while a tapped count waits for the guitar (`_count_ends`).
        Each is the time its own test passes, up to float rounding: `update` stops short by
        IDLE_MARGIN and lets the tests decide."""
        g, beat = self.guitar, self.beat
        last = self.activity.last_onset
        inf, kept = math.inf, math.inf
        if self._count is not None:
            return -inf          # a tapped count waits for the guitar's first note (a beat at most)
        if self._cued is not None and last is not None and last >= self._cued - 0.2:
            if self._now >= self._cue_kept:
                return -inf
            kept = self._cue_kept
        strum = g.strum_closes() if self._decided_strum != self._strum_time else inf
        hush = self._hush_at() if self.chord_label != "N" and last is not None and not g.ringing else inf
        return min(self._taps[0] if self._taps else inf, g.next_update(), beat.next_advance(),
                   self.activity.next_tick(beat.period), strum, hush, kept)

    def _hush_at(self) -> float:
        """When the chord goes quiet (s) after the last onset: once nothing has rung for QUIET seconds, and not
        within the silence the player's groove leaves after each strum (`PlayerActivity.groove_gap`: an
        off-beat chop's rest is no stop)."""
        b, last = self.beat, self.activity.last_onset
        quiet = max(last, self._released) + QUIET
        return max(quiet, last + self.activity.groove_gap(b.period, b.usual_gap, b.beats_per_bar, quiet - last))

    def _hush(self, now: float) -> None:
        """No chord once nothing has rung for QUIET seconds (a stop, a rest in a solo): the band is not told
        the last chord still sounds, and the key stops counting its root's time. (A note ringing is asked first:
        on 99 % of the ticks that come here one rings, and the hush's time, a groove gap on the bar read, is not
        worked out for nothing: bench/README.md, cost30.)"""
        if self.activity.last_onset is None or self.guitar.ringing or now < self._hush_at():
            return
        self.chord.current = None
        self.chord_label = self._heard_label = "N"
        self.key.chord(now, None)

    def _decide(self, now: float) -> bool:
        g = self.guitar
        g.update(now)
        # (the strum already decided first: the usual tick's answer, found at once)
        if self._decided_strum == self._strum_time or self.activity.last_onset is None:
            return False
        if g.strum_open(now):
            if g.confirmed != self._early_seen:     # a note of the open strum: it may name its chord already
                self._early_seen = g.confirmed
                self.chord_label = self.chord.early(now, g.sounding, self.key.key, self.key.confidence)
            return False
        self._decided_strum = self._strum_time
        if self.beat.update(now) and self.beat.period:
            g.bass_memory = max(g.config.bass_memory, 3 * self.beat.period)
        # A key moves slowly: re-scored at most every KEY_EVERY seconds (the forward filter weighs evidence by
        # the time it stood, so the rate hardly matters), and not on a strum whose tempo was re-estimated
        # (the next strum does it: no strum pays for both), unless the tempo is re-estimated on every strum (an
        # unsure beat: a single line's) and the key has waited KEY_STARVED seconds: it would never be re-scored.
        since = now - self._key_at
        if since >= KEY_EVERY and (self.beat.tempo_estimated_at != now or since >= KEY_STARVED):
            self._key_at = now
            self.key.update(now)
        label = self.chord.decide(now, g.sounding, self.key.key, self.key.confidence)
        if label != self._heard_label:
            self.key.chord(self._strum_time, self.chord.current[0] if self.chord.current else None)
            if label != "N" and CHORD_ACCENT:
                self.beat.accent(self._strum_time, CHORD_ACCENT)   # chords change most on downbeats
        self.chord_label = self._heard_label = label
        return True

    @property
    def locked(self) -> bool:
        """True when beat and key are confident enough for the band to play, and a steady pulse has been heard
        (`BeatTracker.pulse_heard`: not a free intro's held chords)."""
        c = self.config
        sure = self.beat.confidence >= c.beat_lock or self.beat.back_in_song     # (back after a pulled cable)
        return (self.beat.period is not None and sure and self.beat.pulse_heard
                and self.key.key is not None and self.key.confidence >= c.key_lock)

    def grid(self) -> BeatGrid | None:
        """The tracked beat as a frozen grid, None before a period is known."""
        b = self.beat
        if b.period is None:
            return None
        return BeatGrid(b.anchor_time, b.anchor_beat, b.period, b.beats_per_bar, b.downbeat_phase, b.compound,
                        b.meter_confidence, b.aqsaq_groups, b.level_moved_at, b.groove_cued)

    def leaning(self) -> BeatGrid | None:
        """The grid as it would be once the aqsaq meter the listener leans to is named (`BeatTracker.leaning_bar`;
        its `meter_confidence` the belief in it), None when it leans to none with evidence enough."""
        bar = self.beat.leaning_bar if self.beat.period is not None else None
        if bar is None:
            return None
        groups, beats, phase, belief = bar
        return replace(self.grid(), beats_per_bar=beats, downbeat_phase=phase, compound=False,
                       meter_confidence=belief, groups=groups)

    def state(self, now: float) -> MusicalState:
        """What the listener believes at `now` (s), for the band. The engine asks every tick (10 ms), and most
        ticks move nothing (`update` idle): what does not move with the clock is read once per change of the
        listener (`_still_state`; read every tick it cost ~156 k instructions a tick: bench/README.md session 30,
        state30); only the time, the silence and, for half a beat after a strum, the intensity are worked out at
        `now`. The state is made from its fields in order (by keyword its construction cost ~15 % more)."""
        still = self._still
        if still is None:
            still = self._still = self._still_state()
        a = self.activity
        values, limit, chordal, grid, steady_from, steady = still
        values[_TIME] = now
        values[_INTENSITY] = steady if now >= steady_from else intensity(
            a.loudness, a.played_density(now, self.beat.period))
        values[_SILENT] = a.last_onset is None or a.pausing(now, limit, chordal, grid)
        return MusicalState(*values)

    def _still_state(self) -> _Still:
        """`state`'s fields in order (the time, intensity and silence to be set), the silence's limit (s) and
        whether the player comps (`PlayerActivity.silence_limit`), the grid a missed beat is told on (None for a
        strum a bar: it strikes no beat but its 1, and only a bar's silence tells its stop), and the time (s) from
        which the intensity holds (`PlayerActivity.played_until`) with its value then."""
        b, k, a = self.beat, self.key, self.activity
        grid = self.grid()
        limit, chordal = a.silence_limit(b.period, b.usual_gap, b.beats_per_bar, b.bar_gap)
        named = dict(
            time=None, tonic=k.tonic, mode=k.mode, key_confidence=k.confidence, grid=grid,
            beat_confidence=b.confidence, locked=self.locked, chord=self.chord.current, loudness=a.loudness,
            density=a.density, intensity=None, silent=None, last_onset=a.last_onset, cued=self._cued,
            chords_ahead=(), meter_pending=b.meter_pending, level_contested=b.level_contested,
            phrase_start=a.phrase_start, leaning=self.leaning(), strum_notes=a.strum_notes,
            downbeat_played=b.downbeat_played, played_by_beat=b.played_by_beat, bar_pulse=b.bar_pulse,
            written_mode=self._written_mode(),
        )
        steady_from = a.played_until(b.period)
        steady = intensity(a.loudness, a.played_density(steady_from, b.period))
        return [named[name] for name in _FIELDS], limit, chordal, None if b.bar_pulse else grid, steady_from, steady

    def _written_mode(self) -> str | None:
        """The mode a lead sheet writes the key in where it is not the scale heard (a blues's major), else None."""
        written = self.key.written
        return None if written is None or written[1] == self.key.mode else written[1]
