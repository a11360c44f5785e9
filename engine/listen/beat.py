"""Causal tempo and beat tracking from guitar onsets: `BeatTracker`, the facade the listener uses.

It keeps the last `window` seconds of onsets and, at each strum, puts together:

1. Tempo (`engine.listen.tempo`): the autocorrelation of the onsets, a comb and a log-normal prior pick the
   beat period; re-estimated every strum until confident, then every `tempo_every` seconds. The level sticks
   unless a rival level keeps leading: octave errors are the dominant failure of beat trackers; no slower level
   than the bar the bar pointer is sure of, nor in 4/4 its half bar, is taken (`_bar_span`: a beat as long as the
   bar is the bar). When the level changes, the meter and bar counts start again. On a single-note line (a solo:
   lone notes, no bass) each onset weighs in the tempo by its durational accent (`durational_accent`): its notes
   are all struck alike; its long notes move a level of two eighths to the dotted quarter
   (`TempoEstimator.line_level`: jigs).
   Hints: `tap()` (tap tempo, count-in), `hold_tempo` (the lock switch), and a tempo range.
2. Phase (`engine.listen.phase`): a circular mean and a weighted line or parabola through the on-beat onsets
   fit the grid and the tempo now, so drift, accelerando and ritardando are followed. Each update takes
   `follow` (0.8) of the new fit. In compound time the beat is where the bass falls (`phase.bass_phase`): a 6/8
   bass-and-chord figure puts more onset weight on the chord two eighths later than on the bass, and a grid off
   the bass's beat moves there at once (a grid set on the chords before the bass was heard); a shuffle struck
   long-short on the beat's triplet eighths has its beat on the long one, wherever the bass falls
   (`_shuffle_beat`: a walking boogie bass is in the bass register on its short eighths as often). In simple time
   a fit gone to the off-beats is not taken while the bass stayed on the grid's beats (`_offbeat_bass`): bossa
   comping strums its chords on every "and" for bars while the thumb keeps the beat. A line or a riff whose
   first three notes fall a beat apart is counted from them (`_opening`), and that count is held through its
   syncopation (`_counted`): its notes on the "and" tell where the beat is, not that the beat moved.
3. Sudden tempo changes (`engine.listen.tempo_change`): when the grid explains less than `switch_below` of
   the recent onsets, the last `switch_window` seconds alone are searched for a tempo at the same level; if it
   explains them clearly better, it is adopted at once and the older onsets are forgotten (three beats of a slow
   6/8 are enough when the old tempo explains almost none of them). The bar keeps its beats through such a step:
   the bar pointer weighs its bars anew on the onsets since, from the meter heard before.
4. Meter and downbeat (`engine.listen.meter`): compound or simple time, three or four beats to the bar, and
   the downbeat phase: compound time from the off-beat onsets; bars and downbeats from a bar pointer over the
   beats (`engine.listen.bar_pointer`), or with `bar_model="accents"` from accent counts (bass onsets on
   beats, chord changes), the older model kept to measure against.
5. A continuous beat count: the tracker's grid is re-anchored so beat numbers never jump backwards, and a
   small correction is blended in rather than snapped, so the band glides with the player.
6. A MIDI clock master (`follow_master`) sets the grid alone while its beats come.

Positions are beats (float): `beat_at(t)` and `seconds_at(position)` convert with the current estimate.
"""

from __future__ import annotations

import math
import statistics
from collections import deque

import numpy as np

from engine.listen.aqsaq import GROUPS, AqsaqWatch
from engine.listen.bar_pointer import BarTracker
from engine.listen.bar_pulse import BEATS as BAR_PULSE_BEATS
from engine.listen.bar_pulse import BarPulse
from engine.listen.line_accents import grouping_phase
from engine.listen.meter import MeterTracker
from engine.listen.onsets import OnsetWindow
from engine.listen.phase import (
    DISAGREE_BEATS,
    HELD_FIT,
    HELD_NEAR,
    NEAR,
    TIGHT,
    GridState,
    bass_phase,
    beat_phase,
    blend,
    circular_mean,
    fit_at,
    fit_grid,
    follow_held,
    long_eighth,
    near_weight,
    off_held,
    recent_weights,
    recentre,
)
from engine.listen.tempo import (
    ACCENT_COUNT,
    BASS_RECENCY,
    FIGURE_REPEAT,
    FIGURE_SPAN,
    FPS,
    OOMPAH_BPM,
    OOMPAH_COUNT,
    OOMPAH_SHARE,
    SHUFFLE_BPM,
    SHUFFLE_EMPTY,
    SHUFFLE_ON,
    SIXTEENTH_BPM,
    SIXTEENTH_OVER,
    TapTempo,
    TempoEstimator,
    accented_sixteenth,
    changed_sixteenth,
    fastest_pulse,
    unit_contrast,
)
from engine.listen.tempo_change import THREE_FOUR, Offers, old_holds, sudden_change

__all__ = ["FPS", "BeatTracker"]

# Funk's accented sixteenth as the beat (`_on_accent`): this near the grid's beat (of a beat) it is the beat; off
# it, this many fits in a row on the same other sixteenth move the beat there. Set on review31's funk vamp and sim4
# (dev) sixteenths Db s17 (scratch s27/groove27/runs16.py: the vamp's accent a sixteenth after the grid's beat in
# runs of 2-13 fits; the even sixteenths' off it in single fits).
ACCENT_AWAY = 0.125
ACCENT_AGAIN = 2


def _two_bars(reading: tuple[str, int, float]) -> tuple[str, int, int, float]:
    """An aqsaq reading (meter, slot of a bar start, belief) as (meter, beats in two of its bars, downbeat phase,
    belief): two bars are a whole number of quarter-note beats (7/8: seven), and the phase is the beat number
    mod that on which a bar starts with a beat (the other bar starts half a beat later)."""
    name, start, confidence = reading
    eighths = sum(GROUPS[name])
    if start % 2:
        start += eighths                    # the next bar starts on a beat
    return name, eighths, (start // 2) % eighths, confidence


class _Part:
    """A `BeatTracker` setting that lives on one of its parts: reading and setting it go through."""

    def __init__(self, part: str) -> None:
        self.part = part

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, tracker: BeatTracker | None, owner: type | None = None):
        return self if tracker is None else getattr(getattr(tracker, self.part), self.name)

    def __set__(self, tracker: BeatTracker, value) -> None:
        setattr(getattr(tracker, self.part), self.name, value)


CUED_BAR_UNTIL = 0.5   # meter confidence from which the guitar's accents, not a cued downbeat, set the bar
COUNT_OF_THREE = 3     # taps a bar: a count of three (or six) even taps is a waltz's bar (3/4), counted in
PLAIN_COUNT = 4        # beats of the count that tells no meter (4/4: the bar pointer's own first guess)
# While the aqsaq watch names a bar, the tempo estimate and a sudden tempo change (engine.listen.tempo_change)
# stay under this ratio either way of the current period: a 2.5-eighth half-bar (1.25), 2.8 eighths or the
# dotted quarter (1.5) fit the bar's uneven groups about as well as the quarter, and are no level of the bar
# (`BeatTracker._aqsaq_level`); a player's rubato (sim2's aqsaq takes: 150-158 BPM) stays well inside.
AQSAQ_CHANGE = 1.2
# A quiet passage (`BeatTracker._quiet`): the window's median loudness under QUIET of the loudest window the level was
# heard on, once the level has stood QUIET_AFTER beats. A player who goes soft keeps the count: the tempo estimate
# then stays within QUIET_STAY of the current period (a drift, not another level), where a waltz's soft section
# thinned to a bass on 1 and chords on the "and"s of 2 and 3 (player_sim's dynamics: ~25 velocity against ~66, every
# other event dropped) fits half the bar (3:2) or 3:4 of the beat better, and that level took over in 5-13 s:
# 16 of 30 waltz+dynamics takes (player_sim seed 7; scratch s23/f85_13/waltzdyn) spent 38-100 % of the soft part
# at 2:3 of the player's tempo. QUIET: a soft section at 0.35-0.42 of the loud one's velocity; mf -> p halves it.
# QUIET_STAY: the sims' drifts of 5-10 % and a player's rubato stay well inside; 3:4 (1.33) and 3:2 are out.
QUIET = 0.6
QUIET_AFTER = 16
QUIET_STAY = 1.2
# Simple time (`BeatTracker._offbeat_bass`): a fit OFFBEAT beats or more off a grid sure by HOLD_SURE (the band's
# ListenerConfig.beat_lock) is not taken while the bass stayed on the grid's beats, a bass note struck alone (the
# thumb) counting LONE_BASS times one under a chord. OFFBEAT is under phase.blend's 0.3, which takes a fit that
# close in part: a sliding fit would carry the grid off before it counted as half a beat off. LONE_BASS: on
# GuitarSet's bossa comping (dev BN1) the thumb's lone notes fall on the beat, the chords holding a bass on either
# half.
OFFBEAT = 0.25
HOLD_SURE = 0.5
# A shuffle held (`_shuffled`, `BarTracker.compound_bar`'s 12/8 over TWELVE_BPM): SHUFFLE_SHARE of the last
# SHUFFLE_READS fits in compound time read long-short (`phase.long_eighth`). A share, not every fit: with all of the
# last 8 required, sim4's boogie Bb-minor (115 dotted quarters) fell back to 6/8 seven times (a fit in eight without
# the figure); with half of 16 it stays 12/8 from its 15th beat. Set on sim4's boogie Bb-minor and blues
# A-major+tempo (63-73), whose compound bar reads find the shuffle 92 % and 76 % of the time; the dev sets' other
# takes find it never but on the jigs and the 2/4 <-> 6/8 changes (up to 86 %), whose four-beat evidence stays under
# TWELVE (scratch s26/meter26/fires.py: sim2, sim3, sim4, sim-aqsaq, guitarset-dev, examples). A 6/8 strummed
# D.U D.U over a chord held two bars reads the shuffle and four-beat evidence alike (review27's take): the 12/8
# is named only where the 1 is struck harder than the 3 too (`BarTracker._one_over_three`, session 27's meter27).
SHUFFLE_READS = 16
SHUFFLE_SHARE = 0.5
HOLD_AFTER = 8         # beats the grid has stood (since it was first set or last switched) before it is held
LONE_BASS = 3.0
# The tempo's level (`BeatTracker._bar_span`): while the bar pointer is sure of its bar (BAR_SURE, the band's
# engine/bars.py SURE), no level slower than BAR_BEAT of the bar is taken (a 2/4 bar's own length is 2 beats:
# the 3:2 level, 1.5 beats, stays open).
BAR_SURE = 0.9
BAR_BEAT = 0.8
# ... nor, in 4/4, its half bar or slower (DOUBLED of the beat): a player who has counted a sure 4/4 in quarters and
# plays half notes for a while (a soft passage of basses on 1 and 3) still counts quarters; taking the half note
# for the beat, the 4/4 heard turned 2/4 of half notes and the band halved (sim3 dynamics_4-4 E-dorian: after 28 s
# of basses on 1 and 3 the comb took 47 BPM for 95 at 50.7 s, once 4/4 was sure). The 3:2 level stays open. In 3/4
# (not a level of its bar) the cap moved a soft waltz's level elsewhere (player_sim seed 3 dynamics_3-4 F-minor:
# 165 -> 55 BPM at 30 s, beat F 0.82 -> 0.55), so it is 4/4's only.
DOUBLED = 1.6
# A fast single-note line (FAST_LINE_BPM or faster, beats of 0.43 s or less) holds a sure grid through a syncopated
# stretch: fits about half a beat off are jumped to after LINE_HOLD s of them (`_line_wait`), not phase.DISAGREE_BEATS
# beats (1.1 s at 166 BPM, under a bar). GuitarSet dev's bossa solo BN2 (166 BPM) puts 12 beats running on the "and"
# (42.5-54.5: the grid followed them at 17 s). Below 140 BPM the `solo` set's POP909 lines (quantized, as many notes on
# the "and" as on the beat) lost as many takes as they won by such a hold (bench/README.md, session 19). A riff in
# double stops (`OnsetWindow.riff`) holds at any tempo: GuitarSet dev's Rock3 solo (117 BPM) pushes its dyads onto the
# "and" for five beats of every two bars, and its grid, on the beat from 17 s, followed them after three beats.
FAST_LINE_BPM = 140.0
LINE_HOLD = 3.0
# A single-note line's fit that holds almost none of its onsets on its beats (confidence under LONG_UNSURE) is tried
# through the line's long notes, and that grid taken when it is sure (LONG_SURE: `_long_notes`). LONG_UNSURE 0.25
# tried: GuitarSet dev's bossa solo BN2 lost 0.66 -> 0.47 (its long notes are anticipations, before the beat);
# any grid better than the fit instead of LONG_SURE: the `solo` set's meter 0.883 -> 0.867 (bench/README.md).
# A line's or riff's opening count (`BeatTracker._opening`): its first three onsets a beat apart (each gap within
# OPENING_EVEN of the fitted period) set the first grid's beat when the fit's lies OPENING_OFF beats or more from
# them; that count is then held (`_counted`): a fit within OPENING_NEAR beats of its beats or of its "and" tells
# it where it is, one in between is not followed, and a whole `window` of those in between ends it. In the `solo`
# set (60 takes) the lines that open with three notes a beat apart open on the beat (ashover42, hpps1, pop909-014),
# and those that open on the "and" open with a pickup shorter than the beat (jigs' eighths, POP909's sixteenths).
OPENING_EVEN = 0.12
OPENING_OFF = 0.25
OPENING_NEAR = 0.15
LONG_UNSURE = 0.05
LONG_SURE = 0.8
# A sudden tempo change (engine.listen.tempo_change) of the period within STEP (new / old) is a player's tempo
# step, and the bar keeps its beats through it (`advance`); outside it, a regrouping of the onsets at another level
# (3:4 and 4:3), whose bars are counted afresh. On the dev sets (bench/README.md, session 15: `tempo_changes.py`)
# the players' steps came at 0.83-1.34 of the period, the false switches at 0.66-0.79 and 1.39 (GuitarSet Funk3
# and SS1 comping at 0.75, the Rock3 solo at 1.39). Not on a single-note line, whose switches regroup its notes (the
# solo set's pop909-075, a steady song, switched at 1.31: downbeat F 0.12 -> 0.06 had it kept its bars).
STEP = (0.8, 1.36)
# A shuffle or a 12/8 strummed long-short (the beat's first two eighths tied, the third struck: onsets at 0 and 2/3
# of the beat) has no cluster half a beat from its beats, and the fit's circular mean, once the late eighth is the
# latest onset, lands between the two (a sixth of a beat early), with none of the onsets near it (confidence 0):
# blended in, every other fit pulled the grid ~0.1 s early, and the division counts read the late eighth as a
# sixteenth (review22's 12/8 blues shuffle: heard 4/4, online beat F 0.19).
# A fit under TRIPLET_UNSURE whose onsets lie TRIPLET_SHARE or more on the beat's thirds, and at most TRIPLET_HALF
# half a beat from its beats (an aqsaq's groups and a riff's pushes fell on thirds too: sim-aqsaq 5/8 Ab-minor, the
# GuitarSet Rock3 solo), is placed on those thirds instead (`_triplet_phase`). Set by hand on review22's take; it
# moves no take of guitarset-dev, sim2, sim3 or sim-aqsaq.
TRIPLET_UNSURE = 0.3
TRIPLET_SHARE = 0.8
TRIPLET_HALF = 0.1
# Even eighths (strums on every eighth, the beats no louder than their "ands" or a little): at the beat's period the
# two halves of the onsets cancel in the circular mean, and its recency weighting puts the first grid on the half of
# the latest strum, whichever the lock came at; later fits, on alternate halves strum by strum, never disagree three
# times in a row, so that half was kept: review25's even eighths (bench/guitar_idioms.py palm8, eighths, strum16)
# were counted on the player's "and" for the whole take, beat F 0.0, a take started on its "and" on the beat. At the
# take's first grid (`_even_halves`), when the recent onsets half a beat off its beats weigh EVEN_SHARE or more of
# those on them and the two halves weigh the same over the whole window within EVEN_TIE (no accent tells them apart),
# the grid is the first strum's half: a player opens on the 1. Taking the heavier half instead when they differ, or
# keeping the tracked half at later fits, cost the aqsaq sims (sim-aqsaq 5/8 Eb-mixolydian beat F 0.92 -> 0.67, sim3
# 5/8 F-minor+pickup 0.95 -> 0.47). Set by hand on review25's takes.
EVEN_SHARE = 0.6
EVEN_TIE = 0.05
# Onsets in the window (`window`, 8 s) before the beat is estimated: DENSE_ONSETS over 2 s, or, for sparse
# playing, SPARSE_ONSETS over SPARSE_SPAN s (half-note strums at 60 BPM: four in 8 s, never eight; review 20).
DENSE_ONSETS = 8
REFIT_FIT = 0.25      # the fit's confidence (engine.listen.phase) from which a player back after a whole window of
#                       silence plays the tempo they had: 0.375-0.5 on the first four strums of the sims' songs
#                       played twice and the shared pause cases, 0.095 on review22's set (a 4/4 song at 120, then a
#                       3/4 one at 96) and 0.098 on sim3's stop with a tempo step on the return
#                       (/work/scratch/s21/stoptime10/refit.py)
SPARSE_ONSETS = 4
SPARSE_SPAN = 6.0
# A steady pulse heard (`BeatTracker.pulse_heard`, the band's entry: Listener.locked): PULSE_STRUMS strums running,
# each at most PULSE_GAP beats of the grid's period after the last and at least PULSE_FLAM beats after the last counted
# (a rolled chord's strings are one strum), once in the take. A free intro of chords struck once and held (review27's
# rubato intros, bench/new_user_takes.py: 2.2-4.0 s apart, 2.4-4.3 beats at the 65 BPM the listener fitted to them,
# their rolled strings 0.05-0.2 beats apart) is no pulse: the band came in 4-14 s before the groove at main, on beats
# the player never played. PULSE_GAP: a ballad's half notes (2 beats) with a player's push are a pulse. A count by
# strums from the take's first onset: a bar's span (4 beats) delayed the entry of steady takes, whose first fit comes
# on 8 onsets over 2 s (converter-set-b entry median 2.02 -> 2.56 bars, sim3 2.36 -> 2.98); after a gap over PULSE_GAP
# beats (a free intro's held chord) the run must also span PULSE_BEATS beats, a bar of the groove (review27's takes
# with strums alone: in on the groove's first beats, 1 of 6 on its downbeat; with the bar, 4 of 6).
# PULSE_HOLD: a long gap is also over this many seconds: a reggae skank the listener hears in eighths at 142 BPM leaves
# 1 and 3 of them between its strums (1.27 s; sim4-held reggae_4-4_Ab-major+tuning_tail_s12 never came in without it);
# the free chords were held 2.2-4.0 s.
PULSE_GAP = 2.25
PULSE_HOLD = 1.5
PULSE_FLAM = 0.25
PULSE_STRUMS = 4
PULSE_BEATS = 4.0
DUE_MARGIN = 1e-6      # s: a tick this close to a part's due time (`BeatTracker.advance`) asks the part itself


def _dotted(period: float, beat: float) -> bool:
    """True when `period` (s) is within 5 % of 3:2 or 3:4 of `beat` (s): the dotted level of a 3+3+2 figure of eighths
    or of sixteenths whose straight beat is `beat` (`TempoEstimator.figure_level`)."""
    return any(abs(period / beat - ratio) < 0.05 for ratio in (0.75, 1.5))


def same_level(period: float, other: float) -> bool:
    """True when `period` (s) is within a quarter of `other` (s, 0.8-1.25 of it): the same metrical level, a drift
    or a player's step rather than a beat counted twice, half or 3:2 as fast."""
    return 0.8 < period / other < 1.25


class BeatTracker:
    """Tempo, beat grid, meter and downbeat from onsets, taps and a clock master.

    `bpm_prior` (BPM) and `prior_octaves` centre and widen the tempo prior; `min_bpm`..`max_bpm` bound the
    tempo; `window` (s) is how far back onsets count; `recency` (s) how fast older ones fade for the phase.
    The grid: beat number `anchor_beat` falls at `anchor_time` (s), `period` seconds per beat (None before
    there is a beat), with a `confidence` 0..1. `bar_model`: "pointer" (bars and downbeats from the bar pointer)
    or "accents" (from accent counts); raises ValueError for another.

    >>> b = BeatTracker()
    >>> for k in range(3):
    ...     b.tap(1.0 + 0.5 * k)
    >>> b.bpm, b.seconds_at(b.beat_at(2.0) + 1)
    (120.0, 2.5)
    """

    _line_beat: float | None = None     # s: a beat of a line's 3:2 level, where its long notes fall, or of 6/8's
                                        # dotted quarters, on its accents (`_level`)
    _stepped: float | None = None       # s: the period a sudden tempo change set last (`update`, `advance`)
    _level_stood = False                # the grid is a tempo step (STEP) off one that stood HOLD_AFTER beats: its
                                        # level is the one heard, not a first guess (`_shuffle_beat`)
    _bar_accents: float | None = None   # s: the level the bar's accents last moved to (`_pair_level`)
    _held: tuple[int, float] | None = None   # the held pulse (`phase.follow_held`): a beat number, its time (s)
    _bass_placed = False                # the last fit's beat is where the bass keeps it (`_bass_beat`)
    _pah_placed = False                 # ... where an oom-pah's lone bass keeps it, off its chords (`_oompah_beat`)
    _bar_read: tuple[int, int, float] | None
    _shuffles: deque[bool]
    _first_onset: float | None = None   # s: the take's first onset (`_opening`)
    _song_from: float | None = None     # s: the song's first onset: the take's, or the first after a whole window
                                        # without a fit (`_back_after_silence`: the next song of a set)
    pulse_heard: bool = False           # a steady pulse heard once (`_hear_pulse`): the band may come in
    _resumed: float | None = None       # s: the input came back then after it was gone (`resume`): the silence
                                        # before was no player's, the pulse stands unless the refit says otherwise
    _back_from: float | None = None     # s: ... the first onset back, while the strums from it are the song's
    bar_pulse: bool = False             # the grid is a strum a bar's (`_hear_bar`), the window too sparse for a beat
    _opened = False                     # the grid is the count a line opened with (`_opening`), not jumped from yet

    # Settings of the parts, set and read here as before (after changing bpm_prior or prior_octaves, call
    # `_rebuild_prior`).
    bpm_prior = _Part("_tempo")
    prior_octaves = _Part("_tempo")
    window = _Part("_tempo")
    comb2 = _Part("_tempo")
    comb_bar = _Part("_tempo")
    rival_needed = _Part("_tempo")
    early_span = _Part("_tempo")
    early_bonus = _Part("_tempo")
    meter_margin = _Part("_meter")

    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0, recency: float = 2.0, bar_model: str = "pointer",
                 aqsaq: bool = True):
        self._tempo = TempoEstimator(bpm_prior, prior_octaves, min_bpm, max_bpm, window)
        self._meter = MeterTracker()
        # "pointer": bars and downbeats from the bar pointer (engine.listen.bar_pointer); "accents": from the
        # accent counts of MeterTracker. Either way the beat's division (compound time) is MeterTracker's.
        if bar_model not in ("accents", "pointer"):
            raise ValueError(f"bar model must be 'accents' or 'pointer', got {bar_model!r}")
        self._bars = BarTracker() if bar_model == "pointer" else None
        self._bars_level: float | None = None   # the beat period the bar pointer counts
        # The aqsaq watch (engine.listen.aqsaq): 5/8 and 7/8 bars over the quarter-note grid, from the tick.
        self._aqsaq = AqsaqWatch() if aqsaq else None
        self._aqsaq_read: tuple = (None, None)  # the watch's last reading and the bar it gives (`_aqsaq_bar`)
        # `_bar()` until the bar model moves on; the last fits' long-short readings (`_shuffled`)
        self._bar_read, self._shuffles = None, deque(maxlen=SHUFFLE_READS)
        self._due = -math.inf                   # s: until then the bar pointer and the watch have nothing to weigh ...
        self._due_grid: tuple | None = None     # ... on this grid (anchor beat, anchor time, period)
        self.recency = recency
        self.tempo_every = 2.0      # s between tempo re-estimates (the phase follows every strum)
        self._tempo_at = -1.0
        self._acf_period: float | None = None
        self.phase_bass = 2.5       # a bass onset's weight is multiplied by this when placing the beat
        self.switch_window = 3.0    # s of recent onsets that may overrule the tempo at once (sudden change)
        self.switch_below = 0.7     # ... tried when the grid explains less than this of the recent onsets
        self.follow = 0.8           # share of a new fit's phase and period taken at each update
        self.slope_range = 0.15     # the fitted line may change the period by this share at most
        self.curve = 0.05           # > 0: fit a parabola; its tempo now may differ from the line's by this share

        # the onsets; the strums a bar, and the latest strum (s) that kept one (`_hear_bar`); the sudden changes
        # offered lately (`tempo_change.step_goes_on`)
        self._onsets, self._strums, self._pulse_last, self._offers = OnsetWindow(), BarPulse(), 0.0, Offers()
        self._pending = False
        self.period: float | None = None        # seconds per beat
        self._grid_from = math.inf               # s: when the grid was first set or last switched (`_offbeat_bass`)
        self.anchor_beat = 0                   # a beat number ...
        self.anchor_time = 0.0                  # ... and its time
        self.confidence = 0.0
        self.hold_tempo = False                 # the lock switch: keep the tempo, follow only the phase
        self._taps = TapTempo()
        self.led_by_master = False              # a MIDI clock master sets the grid ...
        self._master_until = -math.inf          # ... until then (two beats after its last beat)
        self._fitted_at = -math.inf             # when the grid was last fitted, tapped or led (s)
        self._master_origin: int | None = None  # ... and this beat number was its first downbeat
        # a downbeat cued by a count-in or a start (a beat number), and the beats of the bar counted in (None: the
        # meter heard), until the meter is sure; after a strum a bar, the groove's first downbeat (s; None when none
        # follows one: `_groove`)
        self._bar_origin = self._bar_beats = self._groove_at = None
        self.usual_gap = self.bar_gap = 0.0     # s: 75th percentile of recent gaps between onsets; the gap the
        #                                         player's figure leaves in every bar (_bar_gap)
        self._disagree = 0
        self._disagree_since = math.inf         # when the fits began to disagree with the grid (s)
        # estimates running on which the bass or accents kept another level; the beat period (s) a 3+3+2 figure
        # moved the level to, while the level stays there (`_figure_holds`; None: none); the sixteenth (1..3) of
        # the grid's beat funk's accent last lay on, and how many fits in a row (`_on_accent`; 0: on the beat)
        # ... and the beat (s) and period (s) of the last grid whose sixteenth the harmony named or kept
        # (`_harmony_sixteenth`; None: none)
        self._bass_wins, self._figure_heard, self._accent_away, self._harmony_beat = 0, None, (0, 0), None
        # the last estimate moved to a 2:3, 3:2 or 1:2 relative; back after a window of silence off the tempo it had
        # (`_refit`); when (s) the grid last jumped to a level so chosen (`_adopt`; BeatGrid.moved_at)
        # ... and the level a quiet passage is measured against (`_quiet`): its period (s), since when (s), and the
        # loudest window median (velocity / 127) heard on it; None before a level
        # ... and whether the last estimate found a line's level contested by a fast straight line's (`level_contested`)
        self._moved, self._fresh, self.level_moved_at, self._quiet_level, self._contested = (
            False, False, -math.inf, None, False)

    def _rebuild_prior(self) -> None:
        """The log-normal tempo prior over lags (call again after changing bpm_prior or prior_octaves)."""
        self._tempo.rebuild_prior()

    # ---- input -------------------------------------------------------------------------------------
    def onset(self, t: float, weight: float, new: bool, bass: bool) -> None:
        """A note started at t (s) with salience `weight`. `new` is False when it belongs to the strum started
        by the last onset (its weight is added to that one's); `bass`: a bass note."""
        self._onsets.add(t, weight, new, bass)
        if new:
            self._strums.onset(t)
        if self._first_onset is None:
            self._first_onset = self._song_from = t
        self._pending = True

    def _forget_before(self, cut: float) -> None:
        """Drop the onsets before `cut` (s)."""
        self._meter.forget(self._onsets.forget_before(cut))

    # ---- estimation ----------------------------------------------------------------------------------
    def update(self, now: float) -> bool:
        """Re-estimate with onsets up to now (s). Returns True when anything changed."""
        if not self._pending:
            return False
        self._pending = False
        self._forget_before(now - self.window)
        onsets = self._onsets
        back = self._back_after_silence(now)
        if back is not None:
            return back
        if (self.period is None or self.bar_pulse) and self._hear_bar():
            return True
        if not self._enough_onsets():
            return False
        # A few dozen onsets: plain lists for the per-strum work, numpy only for the tempo's autocorrelation.
        ts, ws = list(onsets.t), list(onsets.w)
        gaps = sorted([b - a for a, b in zip(ts, ts[1:])])   # (a list: cheaper than a generator here)
        self.usual_gap = gaps[int(0.75 * (len(gaps) - 1))]   # a stop or two in the window does not count
        self.bar_gap = self._bar_gap(gaps, ts[-1] - ts[0])
        if now < self._master_until:
            self._classify(ts, ws)          # the master sets the grid; the guitar still tells the meter
            return True
        self.led_by_master = False
        # The tempo changes slowly next to the phase: re-estimate it at most every `tempo_every` seconds.
        if self.confidence < 0.5 or now - self._tempo_at >= self.tempo_every:
            self._tempo_at = now
            self._moved = False
            self._acf_period = self._level(np.array(ts), np.array(ws) * np.array(onsets.accent),
                                           None if self._fresh else self.period)
        period = self._acf_period
        if self.hold_tempo and self.period is not None:
            period = self.period            # the lock switch: phase still follows, the tempo does not
        if period is None:
            return False
        pws = self._phase_weights(ws)
        grid = self._phase(ts, pws, now, period)
        if grid is None:
            return False
        grid = self._refine(ts, pws, now, grid)
        if not self._switched(now, ts, ws, pws, grid):
            self._adopt(now, *self._line_grid(grid))
            self._fitted_at = now
            self._classify(ts, ws)
        self.bar_pulse, self._bar_read = False, None
        self._groove(now)
        self._hear_pulse()          # on the grid just fitted: the first fit may hear it (the band's entry waits not)
        return True

    def _groove(self, now: float) -> None:
        """At each grid fitted after a strum a bar, until the guitar's accents make the meter sure
        (CUED_BAR_UNTIL): `_groove_at` (s), the groove's first downbeat, moves to the latest downbeat it sets by
        `now` (s) on the grid, and the intro's cued downbeat (a beat number on the intro's grid) is dropped. While
        it is kept, the grid's beat nearest it is the 1 (`downbeat_phase`), as a count-in's is (`start_at`): a band
        that joined the free intro moves its bar there (review29's ballad at 60 after strums 3 s apart: the band on
        the intro's count, bar F 0.12). A time, not a beat number: a refit renumbers the grid's beats (the ballad
        at 41 s), or finds another level (rock at 110: 0.67 s, then 0.54 s a beat)."""
        if self._groove_at is None or self.period is None:
            return
        self._bar_origin = None
        if self.meter_confidence >= CUED_BAR_UNTIL:
            self._groove_at = None
            return
        origin, beats = round(self.beat_at(self._groove_at)), self.beats_per_bar
        self._groove_at = self.seconds_at(origin + (self.beat_at(now) - origin) // beats * beats)

    def _hear_bar(self) -> bool:
        """A strum a bar (engine.listen.bar_pulse): once the latest strums run at one steady bar, the grid is four
        beats in it with the latest strum a downbeat, the meter 4/4 while the strums keep it (`bar_pulse`, read
        by `_read_bar`), and the pulse is heard (the band may come in on the strum). True when the grid was set.
        Asked before a beat is fitted, or while the grid is the strums' (a player who starts to strum in the bar
        hands it to the beat's fit, which finds its tempo, beat and bar lines afresh, as a take's first)."""
        bar = self._strums.bar()
        if bar is None:
            if self.bar_pulse and not self._fresh:
                # a groove after a free intro of steady whole-bar chords has its own tempo and beat (review29: an
                # intro of strums 3 s apart, then rock at 120 heard on its "and" for the whole song near the
                # intro's count: band beat F 0.09, main 0.96)
                self._fresh = True
                self.rephase_bars()
                # the groove starts on the latest strum that kept the bar (review29's takes: rock at 120 from
                # 19.0 s after strums at 13.1 and 16.1 s, a ballad at 60 from the strum at 13.1 s after 10.0 s): the
                # next fit's bar starts there (`_groove`)
                self._groove_at = self._pulse_last
            return False
        strum = self._strums.last
        self._pulse_last, self._groove_at = strum, None
        if not self.bar_pulse:
            self._grid_from = strum
        self._bar_origin = self._anchor(strum, bar / BAR_PULSE_BEATS)
        self._bar_beats, self._bar_read = BAR_PULSE_BEATS, None
        self.usual_gap = self.bar_gap = bar     # a strum a bar rings through it: no stop before the next is due
        self.bar_pulse = self.pulse_heard = True
        return True

    def _hear_pulse(self) -> None:
        """Once the window's latest strums run PULSE_STRUMS strums on the grid's period (no gap over PULSE_GAP beats,
        a strum PULSE_FLAM beats or less after the last counted one not counted), and PULSE_BEATS beats when a long
        gap comes before them (not from the take's first onset), the take's pulse is heard (`pulse_heard`, for good:
        a stop later is the song's, not a free intro; heard anew after a whole window without a fit, a song from its
        first onset: `_back_after_silence`); after such a gap the aqsaq watch starts afresh on the pulse."""
        if self.pulse_heard or self.period is None:
            return
        t, strums, counted = list(self._onsets.t), 1, self._onsets.t[-1]
        start = t[-1]
        for before, after in zip(reversed(t[:-1]), reversed(t)):   # back from the latest strum to the last long gap
            if after - before > max(PULSE_GAP * self.period, PULSE_HOLD):
                break
            start = before
            if counted - before >= PULSE_FLAM * self.period:
                strums, counted = strums + 1, before
        spans = start == self._song_from or t[-1] - start >= PULSE_BEATS * self.period
        self.pulse_heard = strums >= PULSE_STRUMS and spans
        if self.pulse_heard and start != self._song_from and self._aqsaq is not None:
            self._aqsaq.restart()   # a free intro's chords say nothing of its groove's eighths (review28: 7/8)

    def _refine(self, ts: list[float], pws: list[float], now: float,
                grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """The fitted `grid` (phase s, period s, confidence) refined by the figures a musician counts from, in
        order: a line's dotted figures, a shuffle's long-short eighths, the aqsaq meters' eighths, the bass's
        beat, a sparse window's confidence, a line's opening count. `ts` onset times (s), `pws` their phase
        weights, `now` (s)."""
        grid = self._long_notes(ts, pws, now, grid)
        grid = self._triplet_phase(ts, pws, now, grid)
        grid = self._eighth_phase(ts, pws, now, grid)
        grid = self._sixteenth_phase(ts, pws, now, grid)
        grid = self._bass_beat(ts, pws, now, grid)
        grid = self._shuffle_beat(ts, pws, now, grid)
        grid = self._sparse(grid)
        grid = self._even_halves(ts, pws, now, grid)
        return self._opening(ts, grid)

    def _even_halves(self, ts: list[float], pws: list[float], now: float,
                     grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """The take's first `grid` (phase s, period s, confidence) over even eighths, on the first strum's half: see
        EVEN_SHARE. `ts` onset times (s), `pws` their phase weights, `now` (s). Not in compound time, on a
        single-note line or a riff (`_opening` counts those), nor while the aqsaq watch hears or leans to a 5/8 or
        7/8 (`_aqsaq_heard`: its groups start on both halves of the beat). Else `grid`."""
        if (self.period is not None or self._meter.compound or self._onsets.line() or self._onsets.riff()
                or self._aqsaq_heard() or ts[0] != self._first_onset):
            return grid
        phase, period, _ = grid
        first = (ts[0] - phase) / period
        if abs(first - round(first)) < 0.25:
            return grid                 # the fit counts from the first strum already
        other = phase + 0.5 * period
        rts, rs, total = recent_weights(ts, pws, now, self.recency)
        if near_weight(rts, rs, other, period) < EVEN_SHARE * near_weight(rts, rs, phase, period):
            return grid                 # not even: the fit's half holds the strums
        on, off = near_weight(ts, pws, phase, period), near_weight(ts, pws, other, period)
        if abs(on - off) > EVEN_TIE * (on + off):
            return grid                 # one half's strums weigh more over the window: the fit's count stands
        return fit_at(rts, rs, total, now, recentre(rts, rs, other, period), period, curve=self.curve,
                      slope_range=self.slope_range)

    def _bar_gap(self, gaps: list[float], span: float) -> float:
        """The longest gap (s) the player's figure leaves in every bar, from the window's `gaps` (s, ascending)
        over `span` s: the n-th longest, n one less than the whole bars in the window (a stop in it is one
        gap, passed over); 0.0 under three bars or before a beat. A strum on 1 held to the "and" of 2 (D . . U
        D U D U) leaves 1.5 beats once a bar, which the 75th percentile of gaps, a half beat, does not tell:
        the band stopped in every bar of it, live and offline (review23)."""
        if not self.period:
            return 0.0
        bars = int(span / (self.period * self.beats_per_bar))
        return gaps[-(bars - 1)] if bars >= 3 and len(gaps) >= bars - 1 else 0.0

    def _back_after_silence(self, now: float) -> bool | None:
        """No fit for a whole window (the guitar stopped): the grid is a memory, not a beat the player plays:
        the band does not come back in on it, and the next fit is taken whole (the player may come back
        anywhere in the old count): `_refit` on the first strums back, once, and `update` returns what it
        returns. None otherwise (`update` estimates as usual)."""
        if not (now - self._fitted_at > self.window and self._fitted_at > -math.inf):
            return None
        self.confidence = 0.0
        # ... and a song after it (a set's next song, the band out after its ending) is entered as the first was:
        # once its own pulse is heard, counted from its first onset; not when the input was gone (`resume`): then
        # the refit tells whether the first strums back are the song's
        first = self._onsets.t[0] if self._onsets.t else None
        self._back_from = first if self._back_in_song(first) else None
        if self._back_from is None:
            self.pulse_heard = False
        self._song_from = first
        t = self._onsets.t
        if len(t) >= 4 and t[-1] - t[0] >= 1.0 and self.period is not None:
            return self._refit(now)
        return None

    def _switched(self, now: float, ts: list[float], ws: list[float], pws: list[float],
                  grid: tuple[float, float, float]) -> bool:
        """The fitted `grid` (onsets ts, weights ws, phase weights pws) taken whole when the player is back off the
        tempo they had (`_fresh`: another song, its own tempo); or, when it holds the onsets poorly, a sudden
        tempo change (engine.listen.tempo_change) taken whole: True then, the update is done."""
        if self._fresh:
            self._fresh = False
            self._switch(now, *grid)
            return False
        if not (self.switch_window and self.period is not None and not self.hold_tempo
                and grid[2] < self.switch_below):
            return False
        age = None if self._onsets.line() else (now - self._grid_from) / self.period
        alt = sudden_change(self._tempo, np.array(ts), np.array(ws), np.array(pws), now, self.period,
                            window=self.switch_window, fit=self._phase, bass=np.array(self._onsets.bass),
                            age=age, offers=self._offers)
        if (alt is not None and self._tempo_change(alt[1]) and not self._faster_level(now, ts, ws, alt)
                and not self._oompah_kept()):
            figure = self._figure_holds(self.period)
            stood = now - self._grid_from >= HOLD_AFTER * self.period and STEP[0] <= alt[1] / self.period <= STEP[1]
            self._switch(now, *alt)
            self._level_stood = stood
            self._figure_heard = self.period if figure else None    # a tempo step keeps the figure's beat
            self._stepped = self.period     # a tempo step at the same level (`advance` keeps the meter)
            return True
        return False

    def _faster_level(self, now: float, ts: list[float], ws: list[float], alt: tuple[float, float, float]) -> bool:
        """True when the sudden change to the grid `alt` is faster than a player's STEP while the window's onsets ts
        (s) weighted ws still lie on the current grid's sixteenths (`tempo_change.old_holds`). Not on a single-note
        line: a jig's running eighths lie on the sixteenths of a grid at four of them as well, and the dotted quarter
        (3:4 of it) is its beat (the `solo` set's jigs167, jigs310: beat F 0.96 -> 0.00, 0.85 -> 0.06 refused so;
        the line's levels are `line_level`'s). In comping the strums' sixteenths are a straight figure's."""
        if alt[1] / self.period >= STEP[0] or self._onsets.line():
            return False
        old = (self.anchor_time, self.period, self.confidence)
        return old_holds(np.array(ts), np.array(ws), now, self.switch_window, old, alt)

    def _enough_onsets(self) -> bool:
        """True when the window holds enough onsets to estimate the beat: DENSE_ONSETS over 2 s or more, or
        SPARSE_ONSETS over SPARSE_SPAN s or more (a strum every two beats)."""
        t = self._onsets.t
        span = t[-1] - t[0] if t else 0.0
        return (len(t) >= DENSE_ONSETS and span >= 2.0) or (len(t) >= SPARSE_ONSETS and span >= SPARSE_SPAN)

    def _sparse(self, grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """The fitted `grid` (phase s, period s, confidence), its confidence doubled when the window is sparse
        (under DENSE_ONSETS): a strum every second beat (a ballad's half notes) counts for the two beats it
        spans, where the fit's confidence wants eight onsets on beats (`phase.confidence`)."""
        if len(self._onsets.t) >= DENSE_ONSETS:
            return grid
        return grid[0], grid[1], min(1.0, 2.0 * grid[2])

    def _level(self, t: np.ndarray, w: np.ndarray, current: float | None) -> float | None:
        """The tempo estimate's period (s) for onsets t (s) weighted w, moved by a 3+3+2 figure's bar from its dotted
        level to its straight beat, then held there (`_figure_level`), else by the bar (`_bar_level`: halved when
        it splits the bar, or to the 2:3 or 3:2 level the bass keeps), else to half of it when the strums' accents
        say so, or to 3:2 of it when they group its eighths in threes (`_accent_level`: 6/8 heard in quarters; to
        three times it from 6/8's eighths), or to half when they fill its quarters (`quarter_level`), or to twice it
        for a slow fingerpicked figure heard at its eighths (`picking_level`), or to half for an oom-pah heard at half
        tempo or to twice it for a beat and its "and" heard as two beats (`_pair_level`): at once when it is the
        `current` level or while the window of onsets is still filling, else on two estimates running; `_moved`
        tells `update` that the grid should jump to the new level at once. While the aqsaq watch hears a bar
        (`_aqsaq_heard`) the level stays (`_aqsaq_level`)."""
        self._contested = False
        if current is not None and self._aqsaq_heard():
            return self._aqsaq_level(t, w, current)
        quiet = current is not None and self._quiet(t[-1], current)
        period = self._tempo.estimate(t, w, current, stay=QUIET_STAY if quiet else None,
                                      longest=self._bar_span(current))
        if period is None or quiet:        # a quiet passage keeps the level (`_quiet`): no figure moves it
            self._bass_wins = 0
            return period
        bass = np.array(self._onsets.bass, dtype=bool)
        line = self._onsets.line()
        loud = np.array(self._onsets.loud)
        notes = np.array(self._onsets.notes)
        self._line_beat = None
        simple = not self._meter.compound
        # the bar's deep basses, once: in simple time both the bar's split and the picking level read them
        deep = self._onsets.deep() if simple else None
        level = self._figure_level(t, w, period, current)   # a 3+3+2 figure heard at its dotted level
        if level is None:
            return self._settle(period, period, current)
        if level == period:
            level = self._bar_level(t, w, bass, loud, notes, period, line, deep)
        if level == period:
            level = self._accent_level(t, w, loud, bass, notes, period, line)
        if level == period and simple and not line:
            level = self._tempo.quarter_level(t, w, period)      # a figure two beats long, heard at half tempo
        # Slow fingerpicking heard at its eighths, a line too: with a capo few of the thumb's notes are under E3
        if level == period:     # (in compound time only a thumb once a 3/4 bar: its eighths heard as 6/8's)
            level = self._tempo.picking_level(t, bass, notes, period, deep, bar_only=not simple)
        if level == period and simple and not line:              # an oom-pah or a beat and its "and" at double time
            level = self._pair_level(t, w, bass, loud, notes, period)
        if level == period and simple and line:
            accent = np.array(self._onsets.accent)
            level = self._tempo.line_level(t, accent, period, current)
            if level != period:
                self._line_beat = grouping_phase(t, accent, level)[1]
        if level == period and line:
            level = self._tempo.straight_level(t, period)     # a fast straight line's dotted quarters
            # contested: no evidence yet either way, or the straight level found and not yet taken (below)
            self._contested = level != period or self._tempo.level_contested(t, period)
        return self._settle(level, period, current)

    def _settle(self, level: float, period: float, current: float | None) -> float:
        """The period (s) `_level` returns for the `level` (s) the figures moved the estimate's `period` (s) to, given
        the `current` period (s or None): `level` at once when it is the current level or while the window is still
        filling, else on two estimates running (`_bass_wins`); `_moved` is set when it moves."""
        if level == period:
            self._bass_wins = 0
            return period
        if current is not None and abs(level / current - 1) < 0.15:
            self._moved, self._contested = True, False
            return level                     # the bass or the accents keep the level the band plays
        # Once the window is full, the level has been chosen on all of it: another needs two estimates running.
        self._bass_wins += 1
        t = self._onsets.t
        settled = t[-1] - t[0] >= self._tempo.early_span * self._tempo.window
        self._moved = self._bass_wins >= (2 if settled else 1)
        self._contested = self._contested and not self._moved
        return level if self._moved else period

    def _quiet(self, now: float, current: float) -> bool:
        """True when the window's onsets are a quiet passage of a level held long: their median loudness under QUIET
        of the loudest window median heard on the `current` period's level (s), which has stood QUIET_AFTER beats by
        `now` (s). Each call notes the window's loudness against the level (a new level starts afresh)."""
        loud = statistics.median(self._onsets.loud)   # np.median of a deque: ~180 us a call, a quarter of a 6/8 replay
        held = self._quiet_level
        if held is None or not same_level(current, held[0]):
            self._quiet_level = (current, now, loud)
            return False
        self._quiet_level = (current, held[1], max(held[2], loud))
        loudest = self._quiet_loudest(now, current)
        return loudest is not None and loud < QUIET * loudest

    def _held_quiet(self, now: float, period: float, since: float) -> bool:
        """`_quiet` without noting the window: the level of `period` (s) held QUIET_AFTER beats by `now` (s) and the
        window's onsets from `since` (s) on under QUIET of its loudest (a sudden change reads the last
        `switch_window` seconds: a soft passage's first seconds are quiet before the whole window is)."""
        loudest = self._quiet_loudest(now, period)
        if loudest is None:
            return False
        loud = [v for t, v in zip(self._onsets.t, self._onsets.loud) if t >= since]
        return bool(loud) and statistics.median(loud) < QUIET * loudest

    def _quiet_loudest(self, now: float, period: float) -> float | None:
        """The loudest window median (velocity / 127) heard on the level of `period` (s) when that level has stood
        QUIET_AFTER beats by `now` (s), else None."""
        held = self._quiet_level
        if held is None or not same_level(period, held[0]) or now - held[1] < QUIET_AFTER * period:
            return None
        return held[2]

    def _bar_level(self, t: np.ndarray, w: np.ndarray, bass: np.ndarray, loud: np.ndarray, notes: np.ndarray,
                   period: float, line: bool, deep: np.ndarray | None) -> float:
        """The beat period (s) the bar gives the tempo estimate `period` (s), for onsets t (s) weighted w, `bass` True
        where a strum has a bass note, `loud` its loudness, `notes` how many notes it holds, `line` while a single-note
        line is played: half when the level splits the bar (the figure repeats every 1.5 beats,
        `TempoEstimator.bar_level`, asked before the bass, which would take the bar for the beat), else the bass's 2:3
        or 3:2 level (`TempoEstimator.bass_level`), whose 3:2 in simple time is the bar (its three beats), as are the
        bar's deep basses 1.5 beats apart (`deep_split`: a waltz with a melody note on every beat). The split is refused
        when the half level is 6/8's eighths (`TempoEstimator.eighth_level`: strums accented on 1 and 4 repeat every 1.5
        quarters too; `_accent_level` then takes the dotted quarter). A split level, or the level itself, that is a
        shuffle's triplet eighth (`_shuffle_level`) gives three times it: a slow 12/8 with a shuffle bass, whose
        figure also repeats every 1.5 of its 2:3 level's beats. The bass's 2:3 is refused while the strums'
        accents group that level's eighths in threes (`TempoEstimator.dotted_level`: a 6/8 strummed down on 1, 3 and 5
        has a bass on every quarter, and its accents on 1 and 4 say the dotted quarter is the beat), and while the
        level is a shuffle's beat (`_walks_a_shuffle`). `deep`: the window's `OnsetWindow.deep` (read in simple time
        only; None in compound time). `period` when none moves it."""
        simple = not self._meter.compound and not line
        level = period if line else self._tempo.bar_level(period)
        if level != period and self._tempo.figure_repeat(1.5 * period) >= FIGURE_REPEAT:
            return period         # the 1.5 beats are a 3+3+2 figure's dotted beats (funk's chops), no bar
        if level != period:       # ... unless the strums' accents group the half level in threes: 6/8's eighths
            if self._tempo.eighth_level(t, w, loud, notes, level) != level:
                return period
            return self._shuffle_level(t, w, level)     # ... or the half level is a shuffle's triplet eighth
        shuffled = period if line else self._shuffle_level(t, w, period)
        if shuffled != period:
            return shuffled       # the level is a shuffle's triplet eighth: its bar of three is the beat
        level = self._tempo.bass_level(t, w, bass, period)
        if level < period and self._tempo.dotted_level(t, w, loud, level) != level:
            return period
        if level < period and self._walks_a_shuffle(t, w, period):
            return period         # a shuffle's walking bass, long-short on its triplet eighths: the beat holds
        if simple and (level > 1.4 * period
                       or level == period and self._tempo.deep_split(t[deep], period)):
            return self._tempo.bar_level(period, bass_bar=True)
        return level

    def _walks_a_shuffle(self, t: np.ndarray, w: np.ndarray, period: float) -> bool:
        """True in compound time while `period` (s) is a shuffle's beat, whose walking bass the bass's 2:3 level
        would take for the beat: a dotted quarter within SHUFFLE_BPM struck long-short (`TempoEstimator.is_shuffle`,
        onsets t s weighted w: a slow blues), or at any tempo while the grid's fits read long-short with the long
        eighth loud (`_shuffle_read`: a boogie). A boogie's walk puts a
        bass note on the long and the short eighth (E2 G#2 | B2 C#3 | D3 C#3 | B2 G#2 under an E chord), 2:1 triplet
        eighths apart, and `bass_level` heard them as a 3/4 of quarters at 1.5 times the tempo: sim4 (dev) boogie
        A-major+tempo at 118 and 137 went to 177 and 207 for 6 s at a time (bench/README.md boogie25's and groove26's
        "left")."""
        return self._meter.compound and (self._tempo.is_shuffle(t, w, period) or self._shuffle_read())

    def _shuffle_read(self) -> bool:
        """True in compound time when the grid's latest fit read a shuffle's long-short eighths with the long one loud
        (`_shuffle_beat`, on a grid that stood HOLD_AFTER beats), or SHUFFLE_SHARE of its last SHUFFLE_READS did
        (`_shuffled`). The latest read: the 16 reads fill some 16 fits after HOLD_AFTER beats, and player_sim's
        boogie walk of seed 6 take 4 (rubato at 118) was offered the bass's 2:3 level from 7.8 s, 4 s after its
        first grid. The share: a fit without the figure comes now and then (sim4 blues C-major at 49, 59.2 s: a
        sudden change to 75 taken at the one read in 16 that missed)."""
        return self._meter.compound and (bool(self._shuffles and self._shuffles[-1]) or self._shuffled())

    def _shuffle_level(self, t: np.ndarray, w: np.ndarray, period: float) -> float:
        """`period` (s), or three times it when it is a shuffle's triplet eighth (`TempoEstimator.shuffle_level`: a
        slow 12/8 with a shuffle bass), the grid's beat then on the long eighth (`_line_beat`). Onsets t (s) weighted
        w."""
        level = self._tempo.shuffle_level(t, w, period)
        if level != period:
            self._line_beat = self._tempo.shuffle_beat
        return level

    def _pair_level(self, t: np.ndarray, w: np.ndarray, bass: np.ndarray, loud: np.ndarray, notes: np.ndarray,
                    period: float) -> float:
        """`period` (s), or half of it for an oom-pah heard at half tempo (`TempoEstimator.oompah_level`), or twice it
        when the strums come in pairs of a beat and its softer "and" (`TempoEstimator.pair_level`: a reggae bubble's
        skanks heard at double tempo), the grid's beat then on a pair's first strum (`_line_beat`). Onsets t (s)
        weighted w, `bass` True for a bass, each strum's loudness `loud` and how many notes it holds `notes`."""
        level = self._tempo.oompah_level(t, w, bass, notes, period)
        if level != period:
            return level
        level = self._tempo.pair_level(t, w, loud, period)
        if level != period:
            self._line_beat = self._tempo.pair_beat
            return level
        level = self._tempo.bar_accent_level(t, loud, period)
        if level != period:
            self._line_beat, self._bar_accents = self._tempo.accent_beat, level
        return level

    def _accent_level(self, t: np.ndarray, w: np.ndarray, loud: np.ndarray, bass: np.ndarray, notes: np.ndarray,
                      period: float, line: bool) -> float:
        """Half `period` (s) when the strums' accents say so (`TempoEstimator.accent_level`), else 3:2 of it when
        they group its eighths in threes (`TempoEstimator.dotted_level`: 6/8 heard in quarters; not on a single-note
        `line`), or three times it when `period` is those eighths (`TempoEstimator.eighth_level`), the grid's beat
        then on the accents (`_line_beat`); else `period`. Onsets t (s) weighted w, each
        strum's loudness `loud`, bass (True) `bass` and how many notes it holds `notes`."""
        level = self._tempo.accent_level(t, w, loud, period, notes, bass)
        if level < period and (self._tempo.bar_accent_level(t, loud, level) != level
                               or self._bar_accents is not None and same_level(period, self._bar_accents)):
            return period      # the bar's accents say `period`'s half is its eighths (sixteenths strummed), or said it
        if level == period and not line:
            level = self._tempo.dotted_level(t, w, loud, period)
            if level == period:              # 6/8's eighths heard as the beat
                level = self._tempo.eighth_level(t, w, loud, notes, period)
            if level != period:
                self._line_beat = self._tempo.dotted_beat
        return level

    def _bar_span(self, current: float | None) -> float | None:
        """The longest period (s) the tempo may move to from the `current` one (s): under BAR_BEAT of the bar
        (in 4/4 under DOUBLED of the beat: its half bar) while the bar pointer is sure of it (BAR_SURE), else None
        (any). A 2/4 bar whose chords last two bars repeats every bar as strongly as every beat, and the
        autocorrelation's comb then weighs the bar level as much as the beat's (sim2 strum_2-4 Eb-dorian, sim3
        tuning_tail_2-4: 123 -> 61 BPM after 20-40 s sure of 2/4): a beat as long as the bar heard is the bar, not
        a beat (in the bar's own beats it would be one beat to the bar); nor is the half bar of a sure 4/4
        (`DOUBLED`)."""
        if current is None or self._bars is None:
            return None
        beats, _, confidence = self._bar()
        if confidence < BAR_SURE:
            return None
        return (DOUBLED if beats == 4 else BAR_BEAT * beats) * current

    def _line_grid(self, grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """`grid` (phase s, period s, confidence) with its beat where a line's long notes are (`_line_beat`) when
        the line has just moved to its 3:2 level (`_level`) and the grid jumps there (`_adopt`): its running
        eighths sound every third of the new beat alike, and the fit's phase may take any of them. The same for
        6/8 strummed on every eighth moved to its dotted quarters: the beat on its accents."""
        if self._line_beat is None or not self._moved or same_level(grid[1], self.period or grid[1]):
            return grid
        return self._line_beat, grid[1], grid[2]

    def _aqsaq_level(self, t: np.ndarray, w: np.ndarray, current: float) -> float | None:
        """The period (s) near the `current` one (s) that onsets t (s) weighted w repeat, while the aqsaq watch
        names or leans to a 5/8 or 7/8 bar: the watch counts the bars on the quarter (two eighths), the pulse its groups
        of 2 and 3 eighths share, and its reading holds only while the grid stays there. Every eighth sounding
        and the bass falling 3 then 2 eighths apart, the quarter and the dotted quarter (or the bar's 2+3/
        3+2 halves, 2.5 eighths) score alike, and the tempo prior would take the slower at 120 BPM and more:
        neither is a beat a dancer feels in aqsaq (../shared/DOMAIN.md), so no other level is tried."""
        self._bass_wins = 0
        return self._tempo.estimate(t, w, current, stay=AQSAQ_CHANGE)

    def _aqsaq_heard(self) -> bool:
        """True while the aqsaq watch names a 5/8 or 7/8 bar or leans to one (`AqsaqWatch.leaning`): each level
        move restarts the watch, so a grid that keeps leaving the quarter is never given the bars to name."""
        return self._aqsaq is not None and (self._aqsaq_bar() is not None or self._aqsaq.leaning)

    def _tempo_change(self, period: float) -> bool:
        """May a sudden change move the grid to `period` (s)? Not to another level while the aqsaq watch hears a
        bar (`_aqsaq_heard`): only under AQSAQ_CHANGE either way of the current period then (`_aqsaq_level`). Nor,
        on a single-note line, to 2:3 of the current period while the line's long notes keep the current one
        (`TempoEstimator.line_level`): a jig's running eighths fit their twos better than its dotted quarters. Nor,
        while a line's opening count holds (`_opened`), outside a player's STEP: a stretch whose notes regroup at
        3:4 of the count (Rock3's solo at 13.7 s, 84 BPM for 3 s) is a hemiola to a player who counts. Nor to 2:3
        (within THREE_FOUR) while the grid reads a shuffle (`_shuffle_read`): its walking bass, on the long and the
        short eighth, is no faster beat (sim4 blues C-major at 49: 75 for 6 s from 59.2 s)."""
        if self.period is None:
            return True
        if self._opened and not STEP[0] <= period / self.period <= STEP[1]:
            return False
        if self._line_keeps(period) or self._accents_keep(period) or self._figure_keeps(period):
            return False
        if abs(period / self.period - 2 / 3) < THREE_FOUR and self._shuffle_read():
            return False            # a shuffle's walking bass: the beat holds
        now = self._onsets.t[-1]
        if not same_level(period, self.period) and self._held_quiet(now, self.period, now - self.switch_window):
            return False            # a quiet passage keeps the level (`_quiet`)
        if not self._aqsaq_heard():
            return True
        return 1 / AQSAQ_CHANGE < period / self.period < AQSAQ_CHANGE

    def _line_keeps(self, period: float) -> bool:
        """True when, on a single-note line, `period` (s) is about 2:3 of the current period and the current one is
        the line's: the whole window's onsets are regrouped in threes (`TempoEstimator.line_level`)."""
        onsets = self._onsets
        if not onsets.line() or abs(period / self.period - 2 / 3) > 0.05:
            return False
        t, accent = np.array(onsets.t), np.array(onsets.accent)
        self._tempo.scores(t, np.array(onsets.w) * accent)        # the window's autocorrelation, not the last 3 s
        return self._tempo.line_level(t, accent, period, self.period) != period

    def _accents_keep(self, period: float) -> bool:
        """True when `period` (s) is about 2:3 of the current period and the strums' accents keep the current one:
        the whole window's accents group `period`'s eighths in threes (`TempoEstimator.dotted_level`). The last
        seconds of a 6/8 strum on every eighth fit quarters (two eighths) better than its dotted quarters, whose
        thirds the phase fit counts off the beat; the accents on 1 and 4 say the dotted quarter is the beat."""
        onsets = self._onsets
        if onsets.line() or abs(period / self.period - 2 / 3) > 0.05:
            return False
        t, w = np.array(onsets.t), np.array(onsets.w) * np.array(onsets.accent)
        self._tempo.scores(t, w)        # the window's autocorrelation, not the last seconds'
        quarter = self.period * 2 / 3   # (the accents counted on the current grid's eighths)
        return self._tempo.dotted_level(t, w, np.array(onsets.loud), quarter) != quarter

    def _figure_level(self, t: np.ndarray, w: np.ndarray, period: float, current: float | None) -> float | None:
        """The straight beat (s) under the estimate's `period` (s) for the window's onsets t (s) when that is a 3+3+2
        figure's dotted level (`TempoEstimator.figure_level`, noted in `_figure_heard`); None when the figure moved
        the level to `period` and the `current` level (s or None) has stayed there since (`_figure_holds`: no other
        figure moves it); the current level when it holds so and `period` is its dotted level (`_dotted`: at 96 BPM
        two bars of eighths, 16 units of the dotted level's 0.94 s, reach past the window's autocorrelation); else
        `period`. Not on a single-note line or a riff, whose sparse notes repeat by chance at long lags (GuitarSet's
        BN2 and Rock3 solos at 110 and 120 were moved to 83 and 90): the kind is a comping figure. Onsets weighted w.
        An oom-pah at the figure's beat is no figure (`_oompah_figure`), nor is a figure held once one is heard
        there."""
        if current is None or not self._figure_holds(current) or self._oompah_figure(t, w, self._figure_heard):
            self._figure_heard = None       # the level has left the figure's beat, or the "figure" is an oom-pah
        solo = self._onsets.line() or self._onsets.riff()
        level = period if solo else self._tempo.figure_level(period, t)
        if level == period and not solo:    # funk's sixteenths before the window reaches the bar: their accents
            level = self._tempo.sixteenth_level(t, self._onsets.loud, period)
        if level != period and self._oompah_figure(t, w, level):
            return period
        if level != period:
            self._figure_heard = level
            return level
        if current is not None and self._figure_holds(current) and _dotted(period, current):
            return current                  # the figure's dotted level, which its bar may be too long to show
        return None if self._figure_holds(period) else period

    def _oompah_figure(self, t: np.ndarray, w: np.ndarray, level: float) -> bool:
        """True in simple time when the straight beat `level` (s) that a 3+3+2 figure would move the estimate to is
        half an oom-pah's (`TempoEstimator.oompah_level`, onsets t s weighted w): a polka at 184, bass on every quarter
        and chord on every "and", first estimated at 2:3 of its tempo (123) was held at 92 for the whole take
        (review37's polka_polkaG_184) as a figure's beat. The estimate's own level stands then."""
        if self._meter.compound:
            return False
        bass, notes = np.array(self._onsets.bass, dtype=bool), np.array(self._onsets.notes)
        return self._tempo.oompah_level(t, w, bass, notes, level) != level

    def _figure_holds(self, period: float) -> bool:
        """True when a 3+3+2 figure moved the level to that of `period` (s) and the level has stayed there since
        (`_figure_heard`): no other figure moves it then. Funk's scratches, as loud on the "e" and "a" as its chops'
        off-beats, otherwise halve it (`accent_level`), and its chops every three sixteenths split two beats in
        three (`bar_level`); the figure itself is heard only while the estimate returns to its dotted level."""
        return self._figure_heard is not None and same_level(self._figure_heard, period)

    def _figure_keeps(self, period: float) -> bool:
        """True when `period` (s) is the dotted level (3:4 or 3:2) of the current period and a 3+3+2 figure moved the
        level to the current one (`TempoEstimator.figure_level`, `_figure_holds`).
        The last seconds of funk's chops every three sixteenths fit the dotted eighth better than the sixteenths'
        scratches fit the beat; the bar, which repeats every four beats, is heard on a whole window only."""
        if not self._figure_holds(self.period):
            return False
        return _dotted(period, self.period)

    def _refit(self, now: float) -> bool:
        """The guitar is back after a whole window of silence: the phase of its first strums at the tempo it
        had (a player resumes the song's tempo; a few strums place a beat, they cannot yet tell a tempo),
        taken whole (it may come back anywhere in the old count). True when the grid was set. When that
        tempo holds the strums under REFIT_FIT, the player plays another (the next song of a set, a tempo step
        after a stop): `_fresh`, the next estimate's tempo is found afresh, as at the take's start (not near the
        one it had), and its grid taken whole."""
        ts, ws = list(self._onsets.t), list(self._onsets.w)
        grid = self._phase(ts, self._phase_weights(ws), now, self.period)
        if grid is None:
            return False
        self._fresh = grid[2] < REFIT_FIT
        # back after a pulled cable in the song, the player kept their count: its beat numbers (and bars) go on
        at = grid[0] + round((now - grid[0]) / grid[1]) * grid[1]       # the new grid's beat nearest now
        kept = round(self.beat_at(at)) if self._back_from is not None and not self._fresh else None
        if self._fresh:
            self.pulse_heard = False    # back after a pulled cable in another song: its own pulse, as a take's
            self._back_from = None
        self._resumed = None
        self._switch(now, *grid)
        if kept is not None:
            self.anchor_beat += kept - round(self.beat_at(at))
        self._fitted_at = now
        return True

    def resume(self, t: float) -> None:
        """The input came back at `t` (s) after it was gone (live: a pulled cable, a removed port): the silence
        before it was not the player's. The first strums back are refitted whole at the song's tempo as after any
        long silence (`_refit`), but the pulse heard stands while they fit that tempo: the player played on, and
        the band may rejoin at once (issue 11 deliver 5; review29's D dorian, its cable pulled for 8 s: the band
        waited 6.7 s for a new pulse after it was back)."""
        self._resumed = t

    @property
    def back_in_song(self) -> bool:
        """The input came back (`resume`) and the strums back were refitted at the song's tempo (`_refit`), spanning
        PULSE_BEATS beats, a bar: the grid is the song's, whatever the fit's confidence (it grows over a window,
        and reached the band's lock 3 s after the player was back). The band may rejoin on it."""
        back, t = self._back_from, self._onsets.t
        return (back is not None and self._resumed is None and self.period is not None and bool(t)
                and t[-1] - back >= PULSE_BEATS * self.period)

    def _back_in_song(self, first: float | None) -> bool:
        """True when the onsets back after a whole window without a fit, the first at `first` (s), follow an input
        that came back (`resume`) less than a window before them: the same song until the refit says otherwise."""
        back = self._resumed
        return back is not None and first is not None and first - back < self.window

    def _bass_beat(self, ts: list[float], pws: list[float], now: float,
                   grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """In compound time, `grid` (phase s, period s, confidence) refitted on the beat the bass keeps
        (`engine.listen.phase.bass_phase`) when its beats are more than TIGHT of one away from the bass's, else as
        it is; onsets ts (s) with phase weights pws. `_bass_placed` tells `_adopt` that the bass placed the beat:
        a grid off it then moves at once (`phase.blend`). In simple time, see `_offbeat_bass`."""
        if not self._meter.compound:
            placed = self._oompah_beat(ts, pws, now, grid)
            return placed if placed is not grid else self._offbeat_bass(now, grid)
        phase, period, _ = grid
        bass = bass_phase(ts, self._onsets.bass, now, period, BASS_RECENCY)
        self._bass_placed = bass is not None
        if bass is None:
            return grid
        off = (bass - phase) / period
        if abs(off - round(off)) < TIGHT:
            return grid
        ts, rs, total = recent_weights(ts, pws, now, self.recency)   # the weights `_phase`'s fit gave them
        return fit_at(ts, rs, total, now, recentre(ts, rs, bass, period), period, curve=self.curve,
                      slope_range=self.slope_range)

    def _shuffle_beat(self, ts: list[float], pws: list[float], now: float,
                      grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """In compound time, or in simple time at a beat within SHUFFLE_BPM (a slow 12/8 heard as a 4/4 of its dotted
        quarters, whose swung eighths the meter's division counts cannot tell while the grid swings between the beat
        and the short eighth: sim4 blues A-major+tempo at 63 for its first 41 s, no beat committed 11-25 s), off a
        single-note line, the fitted `grid` (phase s, period s, confidence) refitted on a
        shuffle's long eighths when its beats lie more than TIGHT of a beat away from them (`phase.long_eighth`: onsets
        ts (s) with phase weights pws struck long-short on the beat's triplet eighths); the grid then moves at once
        (`_bass_placed`). The short eighth leads into the beat and is struck about as hard: with the fit's recency
        weighting the latest one pulls the fit onto it, and a walking boogie bass puts as many of its bass-register
        notes there (A: A2 C#3 | E3 F#3 | G3 F#3 | E3 C#3, the short notes' C#3 under E3 twice a bar against the
        beat's A2 once), so the bass phase goes there too (sim4 boogie A-major+tempo, blues A-major+tempo and
        C-major: beats a triplet eighth early). Only on a grid that has stood HOLD_AFTER beats at the fit's level, as
        `_offbeat_bass` holds one: a first grid at a wrong level may read long-short (sim2-held waltz_3-4
        C-mixolydian+dynamics at its 3:2 level for its first 6 s: bass on 1, chords on the "and"s), or on one a tempo
        step (STEP) took from a grid that had stood them (`_level_stood`: the level is heard; sim4 blues A-major+tempo's
        step 63 -> 73 was taken on the short eighth at 33.4 s and held there 8 beats). The shuffle reads count for
        `_shuffled` in compound time only (its 12/8 bar is compound time's). A line's jig
        (eighth-quarter and quarter-eighth alike, its notes all struck alike in the `solo` set) is left to
        `_long_notes`. Else `grid`."""
        phase, period, _ = grid
        compound = self._meter.compound
        if ((not compound and not SHUFFLE_BPM[0] <= 60.0 / period <= SHUFFLE_BPM[1]) or self._onsets.line()
                or self.period is None or not same_level(period, self.period)
                or (now - self._grid_from < HOLD_AFTER * period and not self._level_stood)):
            return grid
        ts, rs, total = recent_weights(ts, pws, now, self.recency)   # the weights `_phase`'s fit gave them
        beat = long_eighth(ts, rs, self._onsets.loud, period, on=SHUFFLE_ON, empty=SHUFFLE_EMPTY, count=ACCENT_COUNT)
        if compound:
            self._shuffles.append(beat is not None)
        if beat is None:
            return grid
        off = (beat - phase) / period
        if abs(off - round(off)) < TIGHT:
            return grid
        self._bass_placed = True
        return fit_at(ts, rs, total, now, recentre(ts, rs, beat, period), period, curve=self.curve,
                      slope_range=self.slope_range)

    def _long_notes(self, ts: list[float], pws: list[float], now: float,
                    grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """On a single-note line in simple time whose fitted `grid` (phase s, period s, confidence) holds almost none of
        its onsets on its beats (confidence under LONG_UNSURE), the grid through its long notes instead when that one
        is sure (LONG_SURE): the phase placed with each onset ts (s) of phase weight pws weighed by its durational
        accent (the latest's, its length not heard yet, at 0), then fitted on the plain weights as `_phase`'s. A dotted
        figure (a dotted eighth on the beat, its sixteenth a quarter beat before the next) puts two onsets of one
        weight a quarter beat apart; their mean falls between them, where neither is on the beat, and the fit's
        confidence stays 0 (the `solo` set's nottingham-ashover32, 2/4 at 130 BPM: no beat in 60 s). A listener
        hears the long note as the beat (Parncutt 1994's durational accent; Povel & Essens 1985), and a grid through
        them then holds most of the onsets (LONG_SURE). Else `grid`."""
        onsets = self._onsets
        if grid[2] >= LONG_UNSURE or not onsets.line() or self._meter.compound:
            return grid
        period = grid[1]
        accents = list(onsets.accent)
        accents[-1] = 0.0
        phase = beat_phase(ts, [w * a for w, a in zip(pws, accents)], now, period, recency=self.recency)
        if phase is None:
            return grid
        ts, rs, total = recent_weights(ts, pws, now, self.recency)   # the weights `_phase`'s fit gave them
        long = fit_at(ts, rs, total, now, phase, period, curve=self.curve, slope_range=self.slope_range)
        return long if long[2] >= LONG_SURE else grid

    def _triplet_phase(self, ts: list[float], pws: list[float], now: float,
                       grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """The fitted `grid` (phase s, period s, confidence) placed on the beat's thirds when it holds almost none of
        the onsets ts (s; phase weights pws) on its beats (confidence under TRIPLET_UNSURE) while TRIPLET_SHARE of
        their weight lies on a grid of a third of its period: the beat on the eighth of the three that holds the
        most onset weight over the window (the shuffle's long note is struck harder than its short one), fitted as
        `_phase`'s, when that fit is surer. Else `grid`."""
        phase, period, confidence = grid
        if confidence >= TRIPLET_UNSURE or self._onsets.line():
            return grid
        ts, rs, total = recent_weights(ts, pws, now, self.recency)   # the weights `_phase`'s fit gave them
        third = period / 3
        at = recentre(ts, rs, circular_mean(ts, rs, third), third)
        if near_weight(ts, rs, at, third) < TRIPLET_SHARE * total:
            return grid
        # over the whole window, not by recency: the latest short eighth outweighs the long note before it then
        beat = max((at + k * third for k in range(3)), key=lambda b: near_weight(ts, pws, b, period))
        if near_weight(ts, rs, beat + period / 2, period) > TRIPLET_HALF * total:
            return grid     # the beat divides in two as well: an aqsaq's groups, a riff pushed onto the "and"
        fitted = fit_at(ts, rs, total, now, beat, period, curve=self.curve, slope_range=self.slope_range)
        return fitted if fitted[2] > confidence else grid

    def _oompah_beat(self, ts: list[float], pws: list[float], now: float,
                     grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """In simple time, the fit `grid` (phase s, period s, confidence) refitted on the lone bass notes of an oom-pah
        when the fit took its chords for the beat: OOMPAH_COUNT or more bass notes struck alone keep a beat
        (`phase.bass_phase`) about half a beat (OFFBEAT or more) from the fit's, on whose beats OOMPAH_SHARE of the
        chords (three notes or more) lie. A polka's, a bluegrass boom-chuck's or a march's bass is the beat a dancer
        steps, its chord the "and"; the chords hold more notes, so the fit's weight sits on them (review37's polkas
        at 156-176 played half a beat off, beat F 0.46-0.59). The grid then moves at once (`_pah_placed`). Onsets ts
        (s) with phase weights pws. Only at a dance's tempo (OOMPAH_BPM): a slow song's lone bass half a beat off
        the chords moved POP909's 748 through the guitar simulator off its beat (beat F 0.95 -> 0.84). Else `grid`."""
        phase, period, _ = grid
        onsets = self._onsets
        if 60.0 / period < OOMPAH_BPM[0] or onsets.notes.count(1) < OOMPAH_COUNT:
            return grid             # a slow song's lone bass on the "and" is a pickup or a syncopation, no oom-pah
        lone = [t for t, b, n in zip(onsets.t, onsets.bass, onsets.notes) if b and n == 1]
        chords = [t for t, n in zip(onsets.t, onsets.notes) if n >= 3]
        if len(lone) < OOMPAH_COUNT or len(chords) < OOMPAH_COUNT:
            return grid
        bass = bass_phase(lone, [True] * len(lone), now, period, BASS_RECENCY)
        if bass is None or not OFFBEAT <= ((bass - phase) / period) % 1.0 <= 1.0 - OFFBEAT:
            return grid
        ones = [1.0] * len(chords)
        if near_weight(chords, ones, phase, period) < OOMPAH_SHARE * len(chords):
            return grid
        self._pah_placed = True
        ts, rs, total = recent_weights(ts, pws, now, self.recency)
        return fit_at(ts, rs, total, now, recentre(ts, rs, bass, period), period, curve=self.curve,
                      slope_range=self.slope_range)

    def _oompah_kept(self) -> bool:
        """True while the tracked grid holds an oom-pah, in simple time: OOMPAH_SHARE of the window's lone bass notes
        (OOMPAH_COUNT or more) on its beats and of its chords (three notes or more, as many) half-way between (within
        NEAR of a beat). The fit's confidence is low there, the chords' weight being on the "and"s, and
        `sudden_change` offered 2:3 and 1:2 of a polka's 160 (review37's polka_polkaG_160 at 14.4 s): the player
        has changed nothing."""
        onsets = self._onsets
        if self._meter.compound or self.period is None or onsets.notes.count(1) < OOMPAH_COUNT:
            return False
        lone, chords = [], []
        for t, b, n in zip(onsets.t, onsets.bass, onsets.notes):
            if b and n == 1 or n >= 3:
                (lone if n == 1 else chords).append(self.beat_at(t) % 1.0)
        if len(lone) < OOMPAH_COUNT or len(chords) < OOMPAH_COUNT:
            return False
        on = sum(1 for x in lone if x < NEAR or x > 1.0 - NEAR)
        half = sum(1 for x in chords if abs(x - 0.5) < NEAR)
        return on >= OOMPAH_SHARE * len(lone) and half >= OOMPAH_SHARE * len(chords)

    def _offbeat_bass(self, now: float, grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """In simple time, the tracked grid held instead of the fit `grid` (phase s, period s, confidence) when the
        fit has gone towards its off-beats (OFFBEAT or more) while the bass has not: the recent bass notes weigh
        more on the tracked grid's beats than on the fit's (`phase.near_weight`; a bass note struck alone, the
        thumb, counting LONE_BASS times). Bossa, funk and jazz comping put chords on the "and" and tie them over
        the beat, so for bars the strums' weight sits on the off-beats while the bass keeps the beat (GuitarSet
        dev's bossa comping, BN1: the grid went half a beat off for bars at a time, its thumb on the beat). Only a
        grid sure by HOLD_SURE is held: an unsure one may still be on the wrong half; nor while the aqsaq watch names
        a 5/8 or 7/8 bar (`_aqsaq_bar`), whose groups start on both halves of the quarter's beats (while it only
        leans to one, the hold stays: the watch leans to aqsaq in bossa's syncopation too, GuitarSet BN1 1.00 ->
        0.62). The held grid takes the fit's period: the off-beat strums keep the player's tempo as well as the beat
        would, and the period the grid had when the hold began slid it 0.2 beat off the player's in 10 s (0.480 s
        against 0.478: player_sim seed 7 waltz E-major s19's soft part). Else `grid` as it is."""
        phase, period, confidence = grid
        if (self.confidence < HOLD_SURE or now - self._grid_from < HOLD_AFTER * period
                or self._aqsaq_bar() is not None or not self._left_grid(phase, period, now)):
            return grid
        # the bass notes, each weighed as a bass (LONE_BASS alone) and by its recency, once for both grids
        onsets, exp = self._onsets, math.exp
        tb, rb = [], []
        for t, b, n in zip(onsets.t, onsets.bass, onsets.notes):
            if b:
                tb.append(t)
                rb.append((LONE_BASS if n == 1 else 1.0) * exp((t - now) / BASS_RECENCY))
        held = self.seconds_at(round(self.beat_at(now)))
        if near_weight(tb, rb, held, period) <= near_weight(tb, rb, phase, period):
            return grid
        return held, period, confidence

    def _left_grid(self, phase: float, period: float, now: float) -> bool:
        """True when the beat nearest `now` (s) of a fit through `phase` (s) every `period` (s) lies about half a
        beat (OFFBEAT or more) from the tracked grid's beats, at its level."""
        if self.period is None or not same_level(period, self.period):
            return False
        off = self.beat_at(phase + round((now - phase) / period) * period) % 1.0
        return OFFBEAT <= off <= 1.0 - OFFBEAT

    def _phase_weights(self, ws: list[float]) -> list[float]:
        """The onsets' weights `ws` as they count for the beat's phase: a strum with a bass note `phase_bass`
        times."""
        pb = self.phase_bass
        return [wi * pb if bi else wi for wi, bi in zip(ws, self._onsets.bass)] if pb != 1.0 else ws

    def _phase(self, t, w, now: float, period: float) -> tuple[float, float, float] | None:
        """(phase (s), period (s), confidence) of the grid at about `period` that fits onsets t (s) weighted w:
        see `engine.listen.phase.fit_grid`."""
        return fit_grid(t, w, now, period, recency=self.recency, curve=self.curve, slope_range=self.slope_range)

    def _eighth_phase(self, t, w, now: float, grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """In an aqsaq meter: the quarter-note `grid` (phase s, period s, confidence) with its phase and period
        fitted at the eighth. The groups start on both halves of the quarter's beats (5/8: eighths 0, 3, 5, 8 of
        two bars), so the onsets' mean at the quarter has no phase of its own (the two halves cancel) and the
        grid slid by parts of an eighth between strums; at the eighth, the pulse every onset is on, it stands.
        `_adopt` then keeps the eighth the bars were counted on. Outside an aqsaq meter, `grid` as it is."""
        if self.period is None or self._aqsaq_bar() is None:
            return grid
        eighth = self._phase(t, w, now, grid[1] / 2)
        return grid if eighth is None else (eighth[0], 2 * eighth[1], grid[2])

    def _sixteenth_phase(self, ts: list[float], pws: list[float], now: float,
                         grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """Under funk's running sixteenths heard at their beat (`_figure_holds`): the `grid` (phase s, period s,
        confidence) with its phase fitted at the sixteenth and its beat on the loudest of the beat's four sixteenths
        (`accented_sixteenth`), when the beat is funk's (SIXTEENTH_BPM). Chops on 1, the "and" of 2 and 3, and 4,
        and on the "a"s between, leave the mean at the beat no phase of its own; at the sixteenth, the pulse every
        onset is on, it stands, and the accents (the 1 and the backbeats) tell which sixteenth is the beat. Running
        eighths under a half-note level that a 3+3+2 figure moved to (a charleston at 119 held at 60) are no
        sixteenths: the figure's phase stands there. Outside a held figure, in 4/4 with an accent every four
        sixteenths (`unit_contrast`), the accented sixteenth's phase is taken only where the plain fit lies a
        sixteenth off it and `_on_accent` agrees (review31's vamp); else `grid` as it is. Where the harmony changes
        on the "and" of the loudest sixteenth (`_harmony_sixteenth`: chops syncopated onto the "and"s, review33's
        vamps), the beat is that "and": the sixteenth fit's under a held figure, else the plain fit's phase half a
        beat on when the plain fit lies on the loudest sixteenth (`_on_accent` agreeing)."""
        if self.period is None:
            return grid
        if not SIXTEENTH_BPM[0] <= 60.0 / grid[1] <= SIXTEENTH_BPM[1]:
            return grid             # (a beat at another tempo: its quarters are eighths, a half note's at 60)
        t = np.array(ts)
        unit = grid[1] / 4
        recent = t[t >= now - FIGURE_SPAN]
        if len(recent) < 8 or not fastest_pulse(recent, unit):
            return grid
        fit = self._phase(ts, pws, now, unit)
        if fit is None:
            return grid
        loud = np.array(self._onsets.loud)
        loudest = accented_sixteenth(t, loud, fit[0], unit, now)
        # the harmony turns the beat from the loudest sixteenth to its "and" (syncopated chops on the "and"s)
        turned = self._harmony_sixteenth(ts, fit[0], unit) == (loudest + 2) % 4
        accent = fit[0] + ((loudest + 2) % 4 if turned else loudest) * unit
        if self._figure_holds(grid[1]):
            return accent, grid[1], grid[2]
        if self.meter != "4/4" or unit_contrast(t, loud, unit, 4) < SIXTEENTH_OVER:
            return grid         # (not funk's bar, or no accent repeating every four sixteenths: the fit stands)
        near = (accent - grid[0]) / grid[1] % 1.0
        if turned and abs(near - 0.5) < ACCENT_AWAY and self._on_accent(accent, now, grid[1]):
            return grid[0] + 0.5 * grid[1], grid[1], grid[2]   # (the harmony's beat on the fit's "and": its phase)
        near %= 0.5             # (the loudest sixteenth on the fit's "and" is the blend's to ignore)
        if min(near, 0.5 - near) < ACCENT_AWAY or not self._on_accent(accent, now, grid[1]):
            return grid         # (the fit at the beat on the accent: its phase, of the onsets that mark the beat)
        return accent, grid[1], grid[2]

    def _harmony_sixteenth(self, ts: list[float], phase: float, unit: float) -> int | None:
        """Which of four sixteenths `unit` (s) from `phase` (s, a sixteenth's time) is the beat by the harmony, for
        the window's onsets ts (s): where its chords change (`changed_sixteenth`), or, while none changes in the
        window, the sixteenth nearest the beat it last named on a grid of the same level (a vamp's chord lasts a
        bar or two: the window of three bars holds one change or none); None before the harmony named one. The
        sixteenth named is kept as the beat's (`_harmony_beat`)."""
        changed = changed_sixteenth(ts, list(self._onsets.pcs), phase, unit)
        if changed is None and self._harmony_beat is not None and same_level(self._harmony_beat[1], 4 * unit):
            changed = round((self._harmony_beat[0] - phase) / unit) % 4
        self._harmony_beat = None if changed is None else (phase + changed * unit, 4 * unit)
        return changed

    def _on_accent(self, accent: float, now: float, period: float) -> bool:
        """True when the beat goes on the accented sixteenth at `accent` (s) of a grid `period` s a beat (`now`
        s), outside a held figure: when the current grid's beat is there already (the onsets' mean at the beat
        may still pull the fit onto a syncopation: a vamp accented 1, e-and, a, 3, a, and of 4 put it on the
        "a", review31's take), or when the accent has lain on the same other sixteenth of the grid ACCENT_AGAIN
        fits in a row (one fit's accent is noise: evenly strummed sixteenths accented on the 1 alone, sim4
        sixteenths Db s17, place it a sixteenth off about one fit in 20, never two in a row). Not at another
        level than the grid's."""
        if not same_level(period, self.period):
            return False
        off = self.beat_at(accent + round((now - accent) / period) * period) % 1.0
        if min(off, 1.0 - off) < ACCENT_AWAY:
            self._accent_away = (0, 0)
            return True
        sixteenth = round(4 * off) % 4
        runs = self._accent_away[1] + 1 if self._accent_away[0] == sixteenth else 1
        self._accent_away = (sixteenth, runs)
        return runs >= ACCENT_AGAIN

    def _switch(self, now: float, phase: float, period: float, confidence: float, forget: bool = True) -> None:
        """Adopt a new tempo at once; the onsets before the change stop counting unless `forget` is False (a move
        to another metrical level of the same onsets)."""
        nxt = phase + math.ceil((now - phase) / period) * period
        self.anchor_beat = math.floor(self.beat_at(nxt)) + 1
        self.anchor_time = nxt
        self.period = period
        self.confidence = confidence
        self._grid_from = now
        self._level_stood = False
        self._held = None
        self._opened = False
        self._acf_period, self._tempo_at = period, now
        self._disagree = self._tempo.rival_count = 0
        self._disagree_since = math.inf
        if forget:
            self._forget_before(now - self.switch_window)

    def _adopt(self, now: float, phase: float, period: float, confidence: float) -> None:
        """Blend in the fitted grid (a beat at `phase` s, `period` s per beat): see `phase.blend`. When the bass has
        just moved the level (`_level`), the grid is taken at once instead."""
        if self._moved and self.period is not None and not same_level(period, self.period):
            # Blending would wait for three fits off the old grid's beats, playing the old level meanwhile. The
            # onsets still count: they are the same music at another level.
            self._switch(now, phase, period, confidence, forget=False)
            self.level_moved_at = now
            return
        if self.period is not None and self._aqsaq_bar() is not None:
            # Aqsaq: both eighths of a beat are on the pulse, and the accents fall on either in alternate bars; the
            # grid keeps the eighth its bars were counted on (the fit's beat nearest it).
            off = self.beat_at(phase) % 1.0
            if 0.25 < off < 0.75:
                phase += (-0.5 if off < 0.5 else 0.5) * period
        if self.period is None:
            self._grid_from = now
        at_once = self._bass_placed and self._meter.compound or self._pah_placed
        self._bass_placed = self._pah_placed = False
        if not at_once and self._syncopation(now, phase, period, confidence):
            return
        state = GridState(self.anchor_beat, self.anchor_time, self.period, self.confidence, self._disagree,
                          self._disagree_since)
        if self._opened and self.period is not None:
            new = self._counted(state, now, phase, period, confidence)
        else:
            new = blend(state, now, phase, period, confidence, self.follow, self.hold_tempo, at_once=at_once,
                        wait=self._line_wait())
        (self.anchor_beat, self.anchor_time, self.period, self.confidence, self._disagree,
         self._disagree_since) = new
        if self.period is not None:
            beat = round(self.beat_at(now))
            self._held = follow_held(self._held, beat, self.seconds_at(beat), self.period)

    def _opening(self, ts: list[float], grid: tuple[float, float, float]) -> tuple[float, float, float]:
        """The first grid of a single-note line or a riff in double stops (`OnsetWindow.riff`) whose first three
        onsets ts (s) fall a beat apart at the fitted `grid` (phase s, period s, confidence): its beat on them, when
        the fit's is OPENING_OFF beats or more away. A player opens on the beat (he counts the band in, "1 2 3"), and
        a listener who heard the first notes a beat apart keeps that count through the syncopation after it: the fit
        weighs the last two seconds, and a riff that pushes its notes onto the "and" for most of its two bars puts
        the fit's beat there (GuitarSet dev's Rock3 solo, "1 2 3 3+ | 4+ 1+ 2+ 3+ 4+": the first 13 s half a beat
        off). The grid is then held (`_opened`, `_counted`, `_tempo_change`). Only at the take's first grid
        (`_first_onset`). Else `grid`."""
        if self.period is not None or len(ts) < 3 or ts[0] != self._first_onset:
            return grid
        onsets = self._onsets
        if not (onsets.line() or onsets.riff()):
            return grid
        phase, period, confidence = grid
        t0, t1, t2 = ts[0], ts[1], ts[2]
        if max(abs(t1 - t0 - period), abs(t2 - t1 - period)) > OPENING_EVEN * period:
            return grid
        off = ((t0 - phase) / period) % 1.0
        if OPENING_OFF <= off <= 1.0 - OPENING_OFF:
            self._opened = True
            return (t0 + t1 + t2 - 3 * period) / 3, period, confidence
        return grid

    def _counted(self, state: GridState, now: float, phase: float, period: float, confidence: float) -> GridState:
        """The grid `state` after a fit (a beat at `phase` s, `period` s, `confidence`) while it is the count a line
        opened with (`_opening`): a fit on its beats (within OPENING_NEAR) is followed, and so is one about half a
        beat off it (within OPENING_NEAR of its "and"), half a beat over: the line's syncopation tells where the
        count is, not that the beat moved (Rock3's riff: every fit from 5.5 s to 13.6 s on the "and"). A fit in
        between is not followed; once such fits have come for a whole `window` (s), the grid jumps to them and the
        count is no longer held (`_opened`)."""
        off = self._off_grid(phase, period, now)
        if off < OPENING_NEAR:
            return blend(state, now, phase, period, confidence, self.follow, self.hold_tempo)
        since = min(state.disagree_since, now)
        if now - since >= self.window:
            self._opened = False
            return blend(state, now, phase, period, confidence, self.follow, self.hold_tempo, at_once=True)
        if off > 0.5 - OPENING_NEAR:
            return blend(state, now, phase + 0.5 * period, period, confidence, self.follow, self.hold_tempo)
        return state._replace(disagree=state.disagree + 1, disagree_since=since)

    def _off_grid(self, phase: float, period: float, now: float) -> float:
        """How far (beats, 0..0.5) the next beat after `now` (s) of a fit through `phase` (s) every `period` (s) lies
        from the tracked grid's nearest beat."""
        pos = self.beat_at(phase + math.ceil((now - phase) / period) * period)
        return abs(pos - round(pos))

    def _line_wait(self) -> float:
        """Beats of fits off the grid's beats before `phase.blend` jumps to them: LINE_HOLD seconds' worth on a fast
        single-note line (FAST_LINE_BPM or faster) or a riff in double stops at any tempo (`OnsetWindow.riff`) whose
        grid is sure (HOLD_SURE), outside aqsaq; else DISAGREE_BEATS. A fast line's syncopated stretch (notes on the
        "and", tied over the beat) lasts a bar or two, and three of its beats are under a bar: a player keeps the
        beat through it. So does a rock riff's push (its dyads on the "and" for a bar, then back on the beat)."""
        if self.period is None or self.confidence < HOLD_SURE or self._aqsaq_heard():
            return DISAGREE_BEATS
        onsets = self._onsets
        if onsets.riff() or (self.period * FAST_LINE_BPM <= 60.0 and onsets.line()):
            return LINE_HOLD / self.period
        return DISAGREE_BEATS

    def _syncopation(self, now: float, phase: float, period: float, confidence: float) -> bool:
        """True when the fit (a beat at `phase` s, `period` s, `confidence`) is handled against the held pulse
        (`phase.follow_held`) instead of blended: a weak fit (under HELD_FIT) off the pulse's beats is not followed
        (a bar of syncopated comping pulls fit after fit a little further onto its off-beats: GuitarSet Funk3 crept
        a whole beat in 2 s), and a sure fit back on the pulse's beats while the grid has crept 0.3 beat or more
        away is taken at once (blending waits for fits near the grid's beats). Only on a grid sure and standing
        (HOLD_SURE, HOLD_AFTER beats, as `_offbeat_bass`), at its level, in comping (a line's notes move the beat
        by themselves) and outside aqsaq (whose groups start on both halves of the beat)."""
        if (self._held is None or self.period is None or self.confidence < HOLD_SURE
                or now - self._grid_from < HOLD_AFTER * self.period or not same_level(period, self.period)
                or self._onsets.line() or self._aqsaq_heard()):
            return False
        if confidence <= 0.0:
            return True          # its beats hold no onset: the mean of a shuffle's beat and swung eighth, no beat
        nxt = phase + math.ceil((now - phase) / period) * period      # the fit's next beat
        on_held = off_held(self._held, nxt, self.period) < HELD_NEAR
        if confidence < HELD_FIT:
            return not on_held
        pos = self.beat_at(nxt)
        if not on_held or abs(pos - round(pos)) < 0.3:
            return False
        self.anchor_beat, self.anchor_time = max(round(pos), math.floor(self.beat_at(now)) + 1), nxt
        self._disagree, self._disagree_since = 0, math.inf
        return True

    def tap(self, t: float) -> None:
        """A tap (tap-tempo key, footswitch, count-in click) at t seconds. From the second tap on, the
        beat is the taps' median interval and the latest tap is a beat: this overrides the estimate at once,
        and later onsets refine it as usual."""
        period = self._taps.tap(t)
        if period is None:
            return
        self._anchor(t, period)
        self._tempo.rival_count = 0

    def _anchor(self, t: float, period: float) -> int:
        """Set the grid at once: a beat of `period` s at t (s), fully trusted. Returns its beat number."""
        index = 0 if self.period is None else round(self.beat_at(t))
        self.period, self.anchor_beat, self.anchor_time = period, index, t
        self._acf_period, self._tempo_at = period, t
        self.confidence = 1.0
        self._fitted_at = t
        return index

    def tapped_beat(self, t: float) -> float:
        """The first beat of the tapped count at or after t (s), or t itself when no count was tapped in the
        last bar's time (four periods) before t: a player taps the tempo on the beat and presses start, and
        the band comes in on that pulse, not start-lead seconds after the press (review15: half a beat off at
        100 BPM)."""
        taps = self._taps.taps
        if len(taps) < 2 or self.period is None or t - taps[-1] > 4.0 * self.period:
            return t
        return taps[-1] + math.ceil((t - taps[-1]) / self.period - 1e-9) * self.period

    def counted_downbeat(self) -> float | None:
        """The downbeat (s) after a tapped count of whole bars: the beat after its last tap when the count's taps
        fill a bar of the meter held (four in 4/4) or more, on the count's next bar line (a player counts a bar
        in, "1 2 3 4", and plays on the next 1); None before a bar's taps or a period."""
        count, bar = self._taps.count, self.beats_per_bar
        if self.period is None or count < bar:
            return None
        return self._taps.taps[-1] + (bar - (count - 1) % bar) * self.period

    def count_bar(self) -> tuple[float, int] | None:
        """A tapped count that fills no bar of the meter held but whole bars of three (three or six taps: a waltz
        counted "1 2 3" or "1 2 3, 2 2 3"): (where its next tap would fall, s; 3), the player's first downbeat
        if they play there instead of tapping on. None for any other count, or before a period. (Six even
        taps are two bars of 3/4, not one of 6/8: a 6/8 player taps its two dotted-quarter beats, and its
        eighths are too quick to tap at most tempos. The listener counts a 4/4 bar in at the fourth tap
        (`counted_downbeat`), so six reach it only with no bar held of four.)"""
        count = self._taps.count
        if self.period is None or count < COUNT_OF_THREE or count % COUNT_OF_THREE or count % self.beats_per_bar == 0:
            return None
        return self._taps.taps[-1] + self.period, COUNT_OF_THREE

    def start_at(self, t: float, period: float, beats: int | None = None, compound: bool | None = None) -> None:
        """A beat of `period` s falls at t (s) and starts a bar: a count-in's end, or a start without guitar.
        The grid is set at once (as a tap) and the bar stays there until the guitar's accents make the meter
        sure (CUED_BAR_UNTIL). `beats`: the bar counted in has that many beats (a count of three taps: 3/4),
        and until then that is the meter; the bar pointer's bar lines of a song before are forgotten (`rephase`),
        its meters' beliefs kept for the guitar's accents to weigh on. None, or a bar of four (the count every
        band assumes, before a waltz too: review23 tapped four; held, it kept a waltz heard after it in 4/4 a
        bar longer), leave the meter to the guitar's accents. `compound`: the beat divides in three (True) or two
        (False), as told (`MeterTracker.expect`) by one who heard the song whole, whose bar of four is held too;
        None: the guitar's off-beats say."""
        self._bar_origin = self._anchor(t, period)
        if compound is not None:
            self._meter.expect(period, compound)
        self._bar_beats, self._bar_read = (None if beats == PLAIN_COUNT and compound is None else beats), None
        if self._bar_beats is not None:
            self.rephase_bars()

    def follow_master(self, t: float, period: float, number: int | None) -> None:
        """A beat of a MIDI clock master: at t, `period` s long, `number` beats after the song's top (a
        downbeat; None: not known, the bar stays the guitar's). For the next two beats the grid is the
        master's alone; the onsets only count for the meter."""
        index = self._anchor(t, period)
        self._tempo.rival_count = self._disagree = 0
        self._disagree_since = math.inf
        self._master_until = t + 2.0 * period
        self._master_origin = None if number is None else index - number
        self.led_by_master = True
        self.pulse_heard = True     # a master's clock is a steady pulse: `_hear_pulse` runs on the guitar's fit,
                                    # which the master replaces (with its clock and no Start the band never came in)

    def lone_bass(self, t: float, factor: float) -> None:
        """The single note struck at `t` (s), before the last strum, was the bass of an oom-pa figure (a low
        note alone, then a chord above it): it counts as a bass onset, its weight times `factor`."""
        self._onsets.mark_bass(t, factor)

    def note(self, t: float, pitch: int, weight: float, bass: bool) -> None:
        """A confirmed note at t (s) of MIDI `pitch` with salience `weight`, `bass` when it is its strum's bass
        note: its strum's loudness (for the level, `TempoEstimator.accent_level`), and evidence for the bar
        pointer (harmonic change, bass), when it is the bar model."""
        self._onsets.pitch(weight, pitch)
        if self._bars is not None:
            self._bars.note(t, pitch, weight, bass)
        if self._aqsaq is not None:
            self._aqsaq.note(t, pitch, weight, bass)

    def rephase_bars(self) -> None:
        """The player starts again after a long rest: the bar pointer keeps the meter and forgets where its bars
        started (`BarTracker.rephase`; nothing to do with the accent-count bar model)."""
        if self._bars is not None:
            self._bars.rephase()

    def advance(self, now: float) -> None:
        """Let the bar pointer weigh the beats that have passed by `now` (s); call every tick. Most ticks have
        nothing to weigh: until the next beat's or eighth's window ends on the same grid (`_due`), the tick
        returns at once."""
        bars = self._bars
        if bars is None or self.period is None:
            return
        grid = (self.anchor_beat, self.anchor_time, self.period)
        if now < self._due and grid == self._due_grid:
            return
        if self._bars_level is None or not same_level(self.period, self._bars_level):
            # another metrical level: its bars are counted afresh; a player's sudden tempo step (`update`, within
            # STEP): the bar keeps its beats, weighed on the notes the new grid was fitted on
            step = (self._bars_level is not None and self._stepped == self.period and not self._onsets.line()
                    and STEP[0] <= self.period / self._bars_level <= STEP[1])
            bars.restart(since=self._grid_from - self.switch_window if step else None)
            self._bars_level = self.period
            if self._aqsaq is not None:
                self._aqsaq.restart()
        beat_at, seconds_at = self.beat_at, self.seconds_at
        # a line's accents weigh its bars in simple time (in 6/8 its notes fall on every beat alike)
        bars.advance(now, beat_at, seconds_at, self._onsets.line() and not self._meter.compound)
        due = bars.due(seconds_at)
        if self._aqsaq is not None:
            self._aqsaq.advance(now, beat_at, seconds_at)
            due = min(due, self._aqsaq.due(seconds_at))
        # DUE_MARGIN early: the parts' own test of beat_at(now), in other float steps, decides near the edge
        self._due, self._due_grid = due - DUE_MARGIN, grid
        self._bar_read = None                   # beats weighed: the bar is read anew

    def next_advance(self) -> float:
        """The time (s) before which `advance` has nothing to weigh (the next beat's or eighth's window ends),
        while the grid stays as it is; -inf when that is not known (the grid moved since the last `advance`)."""
        if self._bars is None or self.period is None:
            return math.inf
        if (self.anchor_beat, self.anchor_time, self.period) != self._due_grid:
            return -math.inf
        return self._due + DUE_MARGIN

    def _bar(self) -> tuple[int, int, float]:
        """(beats to the bar, downbeat phase, confidence): in an aqsaq meter the watch's (`_aqsaq_bar`), else the
        bar pointer's (two or four beats in compound time, else two, three or four), or the accent counts'. Read once
        until the bar model moves on (`advance`, `_classify`, `accent`): a note's weight and the band's state
        read it several times."""
        bar = self._bar_read
        if bar is None:
            bar = self._bar_read = self._read_bar()
        return bar

    def _read_bar(self) -> tuple[int, int, float]:
        if self.bar_pulse:          # a strum a bar: its strum is the 1 of a 4/4 bar (`_hear_bar`)
            return BAR_PULSE_BEATS, self._bar_origin % BAR_PULSE_BEATS, CUED_BAR_UNTIL
        m = self._meter
        aqsaq = self._aqsaq_bar()
        if aqsaq is not None:
            return aqsaq[1:]
        if self._bars is None:
            return m.beats_per_bar, m.downbeat_phase, m.confidence
        # A single-note line without dynamics sounds a 4/4 bar's half-bar beat as it sounds a downbeat: the
        # line's accents cannot tell 2/4 from 4/4, and two beats to the bar are only heard in comping.
        line = self._bars.line_share > 0.5
        if m.compound:
            # 12/8 is heard from the harmony's four dotted quarters: a single-note line (a jig's melody) has no
            # chords to keep them (the Nottingham jigs of the `solo` set read as 12/8 without this), and the
            # pointer's line share is not kept in compound time (`advance`): the onsets' own `line` says it.
            solo = line or self._onsets.line()
            beats, phase, confidence = (self._bars.bar((2,)) if solo
                                        else self._bars.compound_bar(self.bpm, shuffled=self._shuffled()))
        else:
            beats, phase, confidence = self._bars.simple_bar((3, 4) if line else (2, 3, 4))
        confidence = min(confidence, m.division_confidence)
        if self._bar_beats is not None and confidence < CUED_BAR_UNTIL:
            beats = self._bar_beats             # the bar counted in, until the guitar's accents are sure
        return beats, phase, confidence

    def _shuffled(self) -> bool:
        """SHUFFLE_SHARE of the last SHUFFLE_READS fits in compound time (`_shuffle_beat`) read a shuffle's long-short
        triplet eighths with the long one loud (`phase.long_eighth`): a swung 12/8, whose bar may be four dotted
        quarters at any tempo (`BarTracker.compound_bar`)."""
        shuffles = self._shuffles
        return len(shuffles) == SHUFFLE_READS and sum(shuffles) >= SHUFFLE_SHARE * SHUFFLE_READS

    def _aqsaq_bar(self) -> tuple[str, int, int, float] | None:
        """(meter "5/8" or "7/8", beats in two of its bars, downbeat phase, confidence) while the aqsaq watch hears
        one in simple time, else None. Two bars are a whole number of quarter-note beats (7/8: seven): the phase
        is the beat number mod that on which a bar starts with a beat; the other bar starts half a beat later."""
        reading = None if self._aqsaq is None else self._aqsaq.reading   # asked every tick: the cheap test first
        if reading is None or self._meter.compound:
            return None
        if reading is self._aqsaq_read[0]:      # asked every tick, the reading changes once an eighth at most
            return self._aqsaq_read[1]
        self._aqsaq_read = reading, _two_bars(reading)
        return self._aqsaq_read[1]

    @property
    def leaning_bar(self) -> tuple[tuple[int, ...], int, int, float] | None:
        """(groups in eighths, beats in two bars, downbeat phase, belief) of the aqsaq meter the watch leans to
        with evidence enough for a band's entry (`AqsaqWatch.lean_reading`) while `meter_pending`, else None."""
        if not self.meter_pending or (reading := self._aqsaq.lean_reading) is None:
            return None
        name, beats, phase, belief = _two_bars(reading)
        return GROUPS[name], beats, phase, belief

    @property
    def aqsaq_groups(self) -> tuple[int, ...]:
        """The bar's groups in eighths while an aqsaq meter is heard ((3, 2) in 5/8, (2, 2, 3) in 7/8; the beat
        stays the quarter note, `beats_per_bar` counts two bars), else ()."""
        aqsaq = self._aqsaq_bar()
        return () if aqsaq is None else GROUPS[aqsaq[0]]

    @property
    def level_contested(self) -> bool:
        """True while the last estimate found a single-note line's level contested: a steady grid at 2:3 of it (a
        fast straight line's beat, its notes the dotted quarters) holds the line as well (`TempoEstimator.
        level_contested`), or `straight_level` chose that beat and the next estimate is still to confirm it. A band
        not yet playing waits (engine/schedule.py): GuitarSet's BN2 solo, heard at 110 BPM for its 166 until
        14.2 s, had the band come in at 7.2 s at the wrong level."""
        return self._contested

    @property
    def meter_pending(self) -> bool:
        """True while the aqsaq watch leans towards a 5/8 or 7/8 it has not named yet, in simple time by
        `AqsaqWatch.stirring`'s belief or more, in compound time by `AqsaqWatch.leaning`'s: the meter heard now
        (`meter`) may be about to change to it (a band not in yet waits, engine/schedule.py). In 6/8 the square
        takes' belief reaches 0.13 at their entries (sim2 meter_change_6-8to2-4, bench/README.md session 16), so
        stirring there would keep them waiting; the aqsaq takes heard in 6/8 lean (LEAN) before their
        entries (sim-aqsaq Db-minor s05, sim2 aqsaq_7-8 A-phrygian and aqsaq_5-8 G-phrygian: session 23, aqsaq13)."""
        if self._aqsaq is None:
            return False
        return self._aqsaq.leaning if self._meter.compound else self._aqsaq.stirring

    def _classify(self, t: list[float], w: list[float]) -> None:
        """Compound or simple time, and the bar's phase, from onsets (t in s, weights w) not yet counted."""
        # With the bar pointer the accent counts are not read: only the division is counted.
        self._meter.classify(t, w, self._onsets.bass if self._bars is None else None, self.period, self.beat_at)
        self._bar_read = None

    def accent(self, t: float, weight: float) -> None:
        """Evidence of a bar start at t (s; a chord change, say): counts towards meter and downbeat when t is on a
        beat, for the accent counts (the bar pointer hears chord changes in the notes themselves)."""
        if self.period is None or self._bars is not None:
            return
        self._meter.accent(self.beat_at(t), weight)
        self._bar_read = None

    # ---- queries -----------------------------------------------------------------------------------
    @property
    def compound(self) -> bool:
        """True when the beat divides in three (6/8), False when in two, by the off-beat onsets counted."""
        return self._meter.compound

    @property
    def beats_per_bar(self) -> int:
        """2 in compound time (6/8: two dotted-quarter beats; 4 in a slow 12/8, `BarTracker.compound_bar`), 5 or 7
        in an aqsaq meter (two of its bars), else 2, 3 or 4 (the bar model's; the accent counts give 3 or 4)."""
        return self._bar()[0]

    @property
    def meter(self) -> str:
        """The tracked meter: 2/4, 3/4, 4/4, 6/8, 12/8 (four dotted quarters: `BarTracker.compound_bar`), or the aqsaq
        5/8 and 7/8."""
        aqsaq = self._aqsaq_bar()
        if aqsaq is not None:
            return aqsaq[0]
        if self._bars is None:
            return self._meter.meter
        beats = self._bar()[0]
        return f"{3 * beats}/8" if self._meter.compound else f"{beats}/4"

    @property
    def meter_confidence(self) -> float:
        """How sure the meter is, 0..1 (the bar model's confidence); 1 while a clock master sets the bar."""
        if self.led_by_master and self._master_origin is not None:
            return 1.0
        return self._bar()[2]

    @property
    def downbeat_played(self) -> float:
        """How often the player strikes the beat called 1 against the mean beat (`BarTracker.played`: 0.0 on a
        beat the player leaves); 1.0 in an aqsaq meter, under a clock master or without the bar pointer, and while
        the player comps off the beat (`BarTracker.offbeat`: there the 1 is a beat the groove leaves, and the pointer
        places it by the off-beat chords' harmonic news, not on the weak cues of the beats left that this figure
        keeps the band's bar from: sim4 reggae Db-major s12, the band in on the 3 and kept there, bar F 0.09)."""
        if self._struck_unknown():
            return 1.0
        return self._bars.played(self.beats_per_bar, self.downbeat_phase)

    @property
    def played_by_beat(self) -> tuple[float, ...]:
        """`downbeat_played` for each beat of the bar, the 1 first (`BarTracker.played_by_beat`); all 1.0 where
        that is 1.0, and while the player plays a single-note line (`BarTracker.line_share`): a solo's notes fall
        where its phrases take them, not where its bar starts (GuitarSet BN2 solo: its one move onto the player's 1
        was onto a beat struck less often than the band's)."""
        if self._struck_unknown() or self._bars.line_share > 0.5:
            return (1.0,) * self.beats_per_bar
        return self._bars.played_by_beat(self.beats_per_bar, self.downbeat_phase)

    def _struck_unknown(self) -> bool:
        """True when how often the player strikes each beat of the bar says nothing of where it starts (read as
        1.0): without the bar pointer, under a clock master, in an aqsaq meter, or while the player comps off the
        beat (`BarTracker.offbeat`)."""
        return self._bars is None or self.led_by_master or self._aqsaq_bar() is not None or self._bars.offbeat

    @property
    def groove_cued(self) -> bool:
        """True while the 1 is the groove's first downbeat after a strum a bar (`_groove`), not yet the guitar's
        accents'."""
        return self._groove_at is not None and not self.bar_pulse and self._bar()[2] < CUED_BAR_UNTIL

    @property
    def downbeat_phase(self) -> int:
        """Beat numbers n with n % beats_per_bar equal to this are downbeats."""
        if self.led_by_master and self._master_origin is not None:   # its start was a downbeat
            return self._master_origin % self.beats_per_bar
        beats, phase, confidence = self._bar()
        if self.groove_cued:
            return round(self.beat_at(self._groove_at)) % beats     # a groove after a strum a bar (`_groove`)
        if self._bar_origin is not None and confidence < CUED_BAR_UNTIL:
            return self._bar_origin % beats
        return phase

    @property
    def tempo_estimated_at(self) -> float:
        """When (s) the tempo was last re-estimated (the costly step of an update)."""
        return self._tempo_at

    @property
    def bpm(self) -> float | None:
        """Beats per minute of the tracked beat, None before there is one."""
        return None if self.period is None else 60.0 / self.period

    def beat_at(self, t: float) -> float:
        """The beat position (float beats) at t seconds, on the current grid (needs a period)."""
        return self.anchor_beat + (t - self.anchor_time) / self.period

    def seconds_at(self, position: float) -> float:
        """The time (s) of beat position `position` on the current grid (needs a period)."""
        return self.anchor_time + (position - self.anchor_beat) * self.period
