"""Meter and downbeat as a bar pointer over the tracked beats: a forward filter over (beats to the bar, beat in
the bar), stepped once per beat of the beat tracker's grid.

The state is the bar pointer of Whiteley, Cemgil and Godsill ("Bayesian modelling of temporal structure in
musical audio", ISMIR 2006), taken at the beat level: the beat tracker already follows tempo and phase, so
the pointer only has to say how many beats a bar has (2, 3 or 4) and which beat it is on (a 2/4 bar is counted
alone and in pairs, `COUNTINGS`: its chords may last one bar or two). Each beat the pointer moves one beat on
(a bar restarts with probability `RESTART`, the meter changes with `MOVE`), and the beat's evidence weighs the
states where it is a downbeat. The evidence is a log-likelihood ratio, linear in the beat's
`FEATURES` (`BeatFeatures`): harmonic change (pitch classes the last beats did not sound: chords change on
downbeats more than anywhere else, and the change is heard in the notes at once, not when a chord label has
been decided: an accent placed there put 4/4 downbeats on beat 2), a bass note on the beat, a bass that moved,
a bass alone (the oom of oom-pah-pah), the onset weight and strum size against the recent beats', the register,
a phrase start after a rest, a rest. A note struck alone on the beat under the chord of the beat before is a
bass here though the conditioner did not flag it (the alternate bass of boom-chick, the fifth on the D string
while the root rings), and so is one at that chord's foot with a pitch class it did not hold (the next chord's
bass on the D string, `_under_last_beat`): without it the bass of 2/4 on every second beat read as 4/4's half
bar, and 2/4 boom-chick whose chord changes every two bars was heard in 4/4. Downbeats from chord changes and
bass notes are the strongest cues in pop and rock (../shared/notes/ALGORITHMS.md, "Tempo, beat, downbeat"). Where
those cues cannot tell two beats to the bar from four (a bass on every second beat, the chord held for four), a
musician hears the accents: a 4/4 bar's third beat is softer than its first, while every 2/4 bar starts as strongly as
the last. Each beat the loudest note on it is compared with that two beats before (`ACCENT`), apart from the
fitted features, and only while the notes carry dynamics.

The weights are fitted, not set by hand: `bench/fit_bar_pointer.py` runs a logistic regression of "this
annotated beat is a downbeat" on the features of the second simulator's seed-1 takes and the GuitarSet
development takes; converter-set-b and the seed-2 takes stay out of the fit and are reported apart
(bench/README.md). A beat's notes are those from `EARLY` beats before it (an anticipated chord change on the
last eighth of the bar belongs to the downbeat, as in bossa and funk comping) to `LATE` beats after it; the
beat is weighed when that window has passed.

Beat numbers are the beat tracker's integers; times are seconds; the tracker's `beat_at` maps one to the other.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from statistics import median

from engine.listen.blues_form import BarRoots
from engine.listen.guitar import GuitarConfig
from engine.listen.line_accents import line_evidence, line_features, notes_since

METERS = (2, 3, 4)                      # beats to the bar the pointer may take
LOG_PRIOR = {2: -1.5, 3: -1.0, 4: 0.0}   # log prior of each: 4/4 unless the evidence says otherwise
# How the pointer counts each meter: (beats to the bar, beats it counts before it starts again, share of the
# meter's prior). A 2/4 bar is counted alone (its chord may change every bar) and in pairs (chords held for two
# bars, as in boom-chick polka and tokpe: the second bar's downbeat then brings no new harmony and is weighed as
# 4/4's half bar is). Without the pair, a 2/4 song whose chords last two bars is, by its harmony, 4/4 with every
# other downbeat misread as a half bar; counted in pairs, the two differ only by the accents (below), so the
# pairs enter the filter only while the beats are accented (`ACCENTED`; without dynamics or accents the pair is
# 4/4 under another name, and its belief, shared in the normalisation, would only move the other meters'
# confidence). 2/4's prior is
# split evenly between the two countings while the pairs count (nothing measured says which is likelier), and
# is all the lone bar's while they are out. A two-bar hypermeasure: Lerdahl and Jackendoff 1983 (below).
COUNTINGS = ((2, 2, 0.5), (2, 4, 0.5), (3, 3, 1.0), (4, 4, 1.0))
RESTART = 0.01        # per beat: the bar restarts elsewhere (a dropped or added beat)
MOVE = 0.003          # per beat: the meter changes (to one drawn from the prior)
EARLY = 0.55          # a beat's notes start this many beats before it ...
LATE = 0.45           # ... and end this many after it
ON_BEAT = 0.15        # a note within this many beats of the beat is on it
NEW = 0.15            # a pitch class under this share of the memory's strongest is new
MEMORY = 0.5          # per beat: how much of the pitch-class memory stays (half-life two beats)
REST = 1.5            # beats without a note before a phrase start
CHORD = 3             # notes struck together in the beat before a lone note on the beat: it is the bass after a chord
STRUCK_TOGETHER = GuitarConfig.strum_window   # s: notes this close are one strum (as the conditioner joins them)
BASS_STRINGS = 55     # MIDI (G3, the open G string): a guitarist's bass notes lie on the E, A and D strings, under it
# Log-likelihood ratios of a downbeat and of the half-bar beat of 4/4 against a weak beat: (bias, weights of the
# FEATURES), printed by bench/fit_bar_pointer.py.
DOWNBEAT = (-1.64, (0.51, 0.22, 0.76, 2.09, 1.78, 4.44, -3.90, 0.00, -0.26, 1.46, 0.60))
HALF_BAR = (-0.34, (-0.23, -0.90, 0.67, -0.31, 1.41, 0.17, -0.60, -0.38, -1.08, 1.05, 0.50))
# The accent of a bar's first beat over the beat two before it (Lerdahl and Jackendoff, A Generative Theory of
# Tonal Music, 1983: strong-weak-medium-weak in 4/4, strong-weak-weak in 3/4, strong-weak in 2/4, where every
# bar's first beat is as strong as the last bar's): the log of the loudest note's velocity on a downbeat over that
# two beats before is ACCENT when that beat was not a downbeat too, and -ACCENT two beats after; it varies by
# ACCENT_SPREAD beat to beat (bench/fit_bar_pointer.py prints them for the dev simulators' takes, sim2 and sim3:
# means +-0.11, spreads 0.074-0.092 between beats at one dynamic level, `LEVEL`; GuitarSet has no velocities; taken
# a little under the means and over the spreads: at 0.11 / 0.09 review22's even 4/4 strums, whose "3" is as loud
# as their "1" as 2/4's downbeats are, went to 2/4; at 0.10 / 0.10 they stay 4/4). A ratio, not a difference: an
# accent is a share of the dynamic level, as large played softly as loudly (as a difference, a soft passage's
# accents were a third of a loud one's, nearer none than 4/4's, and an alternating bass in 4/4 played softly, root
# on 1 and fifth on 3, read as 2/4's equal downbeats: sim3 dynamics_4-4 E-dorian). The ratio is taken within
# +-2 ACCENT: a swell is not an accent, and a change of level is none either (`LEVEL`).
ACCENT = 0.10
ACCENT_SPREAD = 0.10
DYNAMICS = 0.02       # below this mean log ratio the notes carry no dynamics (a converter without velocity)
# The 2/4 pairs count only while the beats are accented: the loudness repeats at a bar's length (two beats in
# 2/4's strong-weak and 4/4's strong-weak-medium-weak, three in 3/4) more closely than from one beat to the next.
# Even strums (every beat about as loud, the velocities wandering at random: D.DUDUDU or quarter strums) differ
# alike at one, two and three beats: their accents cannot tell 2/4 from 4/4, but each even "3" was weighed as
# 2/4's equal downbeat, and a chord a bar, the same harmony for the pair as for 4/4, was heard as 2/4 counted in
# pairs (review22's four 4/4 takes turned 2/4 at 11-18 s, the pair holding 0.99 of the belief). The running mean
# difference a beat apart must be ACCENTED times the smaller of those two and three beats apart (bars strong and
# weak: 1.5-3 times, sim3's fingerpicked 4/4 1.6-1.9; even beats: 0.8-1.2 over review22's takes).
ACCENTED = 1.4
APART_MEMORY = 0.98  # per beat: how much of those running means stays (about 50 beats: one beat's difference is noisy)
# A beat whose loudest note is under LEVEL of the recent beats' (or over 1 / LEVEL) is played at another dynamic
# level, not accented: a metrical accent is about a tenth of the level (ACCENT at velocity ~80), a soft passage
# (subito piano) or a forte is half or twice it. Such a beat's onset weight is weighed at its own level, and the
# loudness of two beats at different levels is no accent; held for a second beat, the level is the new one.
# Without it, a waltz's soft passage read every downbeat as a weak beat for bars (its onset weight against the
# loud bars' mean) and was heard in 4/4 (sim2 waltz_3-4_G-dorian+dynamics). At 0.7 the aqsaq takes' accented
# beats counted as level changes too (bench/accuracy.py, sim-aqsaq downbeat F: 0.9294 at 0.7, 0.9344 at 0.6, 0.9331
# without level changes).
LEVEL = 0.6
LINE_MEMORY = 0.9     # per beat: how much of the running share of line beats stays (`BarTracker.line_share`)
KEEP = 8.0            # s of notes kept
# How often the player strikes the beat the pointer calls 1 (`BarTracker.played`), over the last PLAYED_BEATS
# beats weighed: a note counts for a beat from its window's start (an eighth's anticipation, EARLY) to ON_BEAT after
# it. Eight bars of 4/4; before two bars' worth the answer is 1.0 (nothing known against it).
PLAYED_BEATS = 32
# A beat whose window starts more than SILENCE beats after the last note, or with no note kept at all, is in the
# player's silence (a stop, the band started by a pedal with no guitar): it weighs nothing (`BarTracker._silent`).
# A rest's fitted evidence (a silent beat is a little less likely a downbeat, more so the half bar) is about rests
# among the notes; summed beat after beat over a silence it favoured 3/4 by 0.06 a beat over 4/4 (3/4 holds one
# downbeat in three silent beats, 4/4 a downbeat and a half bar in four), and a start with no guitar turned into
# 3/4 15.6 s in (review20). Four beats: a strum every bar of 4/4 leaves at most 2.45 beats before a window (the
# window starts EARLY before its beat).
SILENCE = 4.0
# Off-beat comping (a reggae skank, a funk chop on 2 and 4): the chords are struck on every second beat only and the
# beats between are rests, or a lone bass (`BarTracker._offbeat`, over the last OFFBEAT_BEATS beats weighed: at
# least OFFBEAT_CHORDS chords, none on the other beats, at least half of those rests). There a musician
# hears the struck beats as the bar's 2 and 4 and the 1 as the empty beat before the chord that brings the new
# harmony: the chord changes at the bar line, but its first stroke comes a beat late. So while the player comps
# off the beat, a struck beat's harmonic news (FEATURES' first two, summed: 0.64-1.18 on the skank on the 2 of
# sim4's three reggae takes, 0.21-0.56 on the 4) says the beat before it is a 4/4 bar's 1 rather than its 3: a
# likelihood ratio exp(AFTER * news) for the states one beat after a 4/4 downbeat against those one beat after its
# half bar (the other meters are untouched: the cue tells the 1 from the 3, not 4/4 from 2/4); and the empty beats'
# own evidence (a rest, the one drop's thumb on 3) weighs the 1 and the 3 alike (it tells the strong beats from the
# struck ones, not which is the 1: the bass of sim4's "skank, thumb on 3" is on the 3). OFFBEAT_BEATS, OFFBEAT_CHORDS
# and AFTER set on sim4 and bench/offbeat_comping.py's takes (bench/README.md, session 24 reggae14).
OFFBEAT_BEATS = 8
OFFBEAT_CHORDS = 3
AFTER = 2.0
# In compound time the beat is the dotted quarter and a 6/8 bar two of them; a 12/8 bar is four, as 4/4 is to 2/4.
# A slow 12/8 blues changes chords every four dotted quarters (a twelve-bar form) with its bass figure over two
# halves, which the filter's 4/4 counting weighs as it weighs a 4/4 bar: the pointer names 12/8 when the evidence
# (the log ratio of the 4-beat belief to the 2-beat belief, less the prior's LOG_PRIOR[4] - LOG_PRIOR[2]) is over
# TWELVE and the dotted quarter is slower than TWELVE_BPM (a 6/8 bar then lasts over 2 s), else 6/8. Measured in
# compound time, online, beat by beat (scratch s24/twelve14/diag.py): every 6/8 take of converter-set-b, sim2, sim3,
# sim2-held, examples' a_minor_66_6-8 and the 2/4 <-> 6/8 changes stays at or under +0.26; the 12/8 takes of sim4
# and sim4-held (both read when these were set: sim4-held is not held out of them): slow blues +1.7 to +4.8 in
# their second halves (medians) at 43-54 dotted quarters a minute, boogies -4.8 to +3.0 at 63-117. 4/4 takes heard
# in compound time for a while (sim4's funk, bossa and sixteenths, GuitarSet's Funk3 for 7 beats) read up to +6.7
# too, but at 64-198 (the sixteenths take at 64-100): hence the tempo bound. A shuffle lifts it (session 26,
# meter26): a boogie or a blues shuffle played faster (sim4's boogie Bb-minor at 115, evidence +5.6; blues
# A-major+tempo at 63-73, +5.8; review24's tests/data shuffle at 72, review22's at 80) strikes every beat
# long-short on its triplet eighths (`BeatTracker._shuffled`), which none of those 4/4 takes does for long in
# compound time; the jigs that do keep their evidence for two beats; a 6/8 over a chord held two bars does not,
# and is told by its accents (below).
TWELVE = 2.0
TWELVE_BPM = 60.0
# A shuffle's 12/8 is a bar of four beats only where its 1 is struck harder than its 3 (session 27, meter27): a
# 4/4 bar is strong-weak-medium-weak (Lerdahl and Jackendoff, above: ACCENT), two 6/8 bars strong-weak strong-weak,
# their 1s alike. A 6/8 strummed D.U D.U is a shuffle by its figure (long-short, the long eighth loud) and its
# chord held two bars gives four-beat evidence (review27's take, bench/new_user_takes.py `six8_then_34`); the
# chords' spacing did not tell it (the 1's harmonic news over the 3's, tried: 12 of 36 6/8 takes of a chord a bar
# or two at 62-78 went 12/8, the pointer's 1 on the bar with the most changes). The mean log loudness of the
# pointer's 1 over its 3, over the last ACCENT_BEATS beats weighed, at the reads that named 12/8 by the shuffle
# (scratch s27/meter27/acc.py; 5/50/95 %): review27 -0.007/0.004/0.008, 18 6/8 takes D.U D.U at 62-78 over six
# progressions (scratch six8gen.py) -0.017 to +0.027; sim4 blues A-major+tempo 0.072/0.118/0.160, boogie Bb-minor
# -0.010/0.104/0.144, review24's shuffle -0.018/0.129/0.175 (review22's has no dynamics: 0, stays 6/8). Bound:
# half of ACCENT, the pointer's own 1-over-3 accent, not fitted. ACCENT_BEATS: six 12/8 bars, and all of them
# struck since the pointer last restarted: over fewer the mean is noise (6/8 takes of that set read 0.07-0.13 over
# 7-17 beats after a restart, review27's 0.10 over 7; never once 24 were kept; scratch s27/meter27/when.py).
ACCENT_BEATS = 24
ONE_OVER_THREE = ACCENT / 2
# A 6/8 phrased in two-bar units (the first bar's 1 struck harder: 104 against 84, review33's mk3.py
# `ballad68_phrased_*`) is strong-weak-medium-weak over four dotted quarters too, and its 1-over-3 accent (0.21 in
# mean log loudness) passes ONE_OVER_THREE. A musician hears its bar by where the chords change: a chord every 6/8
# bar changes on the pointer's 1 and on its 3, and the beats between bring little; a 12/8 shuffle's chords change on
# its 1 only, and its walking figure brings news on every beat (its 2 about as much as its 1 or its 3). So the
# shuffle's 12/8 also needs the smaller of the 1's and the 3's harmonic news (`BeatFeatures.news`, mean over the same
# ACCENT_BEATS beats) not to exceed CHANGES_ON_THREE times the larger of the 2's and the 4's. Measured at the reads
# over TWELVE by the shuffle, with the 1 over the 3 (scratch s28/meter28/ratio.py; 5 %/99 %/max): the phrased
# ballads at 72 and 96 1.74/2.03/2.03 and 2.59/2.76/2.76; dev 12/8 takes: sim4 blues A-major+tempo and review33's
# accented shuffle at 130 under 0.23, review24's shuffle at 72 0.48 max, sim4 boogie Bb-minor 0.49/1.29/1.36, and 16
# player_sim boogies of seeds 11 and 12 (not sim4's seeds: dev) 0.32-0.74/0.81-1.45/0.81-1.47, but for G-major s05
# (max 2.00, 6/8 on main already). At 1.0 dev boogie D-major s04 and held-out sim4-held boogie
# Bb-major+tuning_tail+tempo went 12/8 -> 6/8; set between the boogies' 99 % and the ballads' 5 %.
CHANGES_ON_THREE = 1.6
# A 12/8 shuffle played with a backbeat (session 30, twelve30): its 2 and 4 struck harder than its 1 and 3, as a
# drummer's snare (a guitarist's boogie, a strummed shuffle). Its accents repeat every two beats, so the pointer's
# four-beat accent (strong-weak-medium-weak, `ACCENT`) weighs against 12/8 and its fitted onset weight puts the bar's
# 1 on the loud beat: the band wrote 6/8 with its bar lines on the backbeat until the twelve-bar form was heard
# (bar 9: 15-41 s, bench/shuffle_takes.py). A 6/8 strummed strong-weak has its chords change on its strong beats; a
# backbeat's chords change on the soft beat before the accent. So where the shuffle is read (`BeatTracker._shuffled`)
# and, over the last ACCENT_BEATS struck beats, one parity is louder by ONE_OVER_THREE and the bass has moved at least
# BACKBEAT_MOVES times on the soft beats and never on the loud ones, the bar is 12/8 with its 1 on the soft beat
# where the bass moved most (`BarTracker._backbeat`; a blues changes chords on its 1s). A walking bass moves on every
# beat: it is not read here.
BACKBEAT_MOVES = 1
# 4/4 comped in even quarters (a chord struck on every beat, the 1 and the 3 accented alike: Freddie-Green comping,
# pop quarter strums) is 2/4 by its accents, counted in pairs; a musician hears four beats where the chords change on
# the 1 and never on the 3, and two where they change every two beats (session 29, meter29). So where the pointer
# reads two beats in simple time and, over the last ACCENT_BEATS struck beats, every beat of its four-beat bar is
# struck alike (the fewest mean notes on the beat at a position at least EVEN_FIGURE of the most: no oom-pah, whose
# bass alone on every other beat repeats at two beats) and the 1's median harmonic news is over CHANGES_ON_ONE times
# each other beat's, it names four (`BarTracker._changes_on_one`). The median, not the mean: a bar of two chords now
# and then (a ii-V turnaround) is no change on the 3. Measured at main's reads of two with an even figure (scratch
# s29/meter29/hr3.py; the ratio's min/5 %/median): review35's jazzroot_C_dim_112 7.09/7.57/8.59; meter29's
# Freddie-Green takes at 96-144 (mk29.py, rooted and on the top four strings) 5.75-8.04 at their 5th percentile but
# for the reads before their first change (near 0); the dev 2/4 takes struck on every beat, at their max: sim2
# pickup_2-4 D-major 4.36, stops_2-4 G-minor 4.24, sim3 stops_2-4 F#-dorian 4.88, pickup_2-4 C-minor 2.61; every
# oom-pah (sim2 and sim3 strum_2-4, sim4 bluegrass and habanera, mk29's boom-chuck) is uneven. With the mean (5.0)
# jazzroot_C's 5th percentile (4.42, its Dm7-G7 bar in the window) lay under the dev 2/4 max (4.61). A 2/4
# strummed in quarters with its chord held two bars and its two 1s accented alike is this 4/4 note for note
# (mk29's two4_quarters): it reads four. The others' news is taken as at least NO_NEWS (a held chord's beats bring
# 0.02-0.18 in those takes): a one-chord vamp's 1 has no change to tell.
CHANGES_ON_ONE = 6.0
EVEN_FIGURE = 0.6
NO_NEWS = 0.1
_EVEN = (1.0, 1.0, 1.0)   # accent likelihoods when the accents say nothing (`BarTracker._accent_likelihood`)
ORDER = 0.2           # s: notes are confirmed a little out of onset order (high notes wait longer), never more


class BarTracker:
    """The bar pointer (see the module docstring). Feed it every confirmed note with `note`, and call `advance`
    with the beat grid as time goes on; `bar` reads the belief (beats to the bar, downbeat phase, confidence)."""

    def __init__(self, pairs: bool = True) -> None:
        """`pairs` False: 2/4 is never counted in pairs, dynamics or not (the plain counting, to compare with)."""
        self._notes: deque[tuple[float, int, float, bool]] = deque()   # (time s, MIDI pitch, weight, bass)
        # A state is (counting, position): `counting` one of COUNTINGS, the position a beat of its span
        self._states = [(c, k) for c in range(len(COUNTINGS)) for k in range(COUNTINGS[c][1])]
        # each counting's states, a position after another: a slice of the states (and of the belief)
        self._span = [slice(self._states.index((c, 0)), self._states.index((c, 0)) + span)
                      for c, (_, span, _) in enumerate(COUNTINGS)]
        self._before = [self._states.index((c, (k - 1) % COUNTINGS[c][1])) for c, k in self._states]  # a beat ago
        self._may_pair = pairs
        self._paired = False                 # the pair countings are in the filter (the beats are accented)
        # the prior over the states, and per state what a meter change brings (by the prior): [without the
        # pairs, with them]
        self._start = [self._prior(False), self._prior(True)]
        self._moved = [[MOVE * p for p in start] for start in self._start]
        # per state, which evidence weighs it: 0 a downbeat's, 1 the half-bar beat's (of 4/4, or the second
        # bar's downbeat of a 2/4 pair), 2 none
        self._weighed_by = [0 if k == 0 else 1 if COUNTINGS[c][1] == 4 and k == 2 else 2 for c, k in self._states]
        # per state, the accent expected against two beats before: +1 a downbeat after a weaker beat, -1 two
        # beats after a downbeat, 0 (2/4: a downbeat two beats after a downbeat, a weak after a weak)
        self._accent_sign = [(k % COUNTINGS[c][0] == 0) - ((k - 2) % COUNTINGS[c][0] == 0) for c, k in self._states]
        # per state, which line evidence (of the beat before, read a beat late) weighs it: 0 the beat before was
        # a downbeat, 1 the half-bar beat (of 4/4, or a 2/4 pair's second downbeat), 2 neither
        self._line_weighed_by = [0 if k == 1 else 1 if COUNTINGS[c][1] == 4 and k == 3 else 2 for c, k in self._states]
        self._line = False                   # the notes are a single-note line (`advance`) ...
        self.line_share = 0.0                # ... running share of the beats weighed while they were (`LINE_MEMORY`)
        self._loud: deque[tuple[int, float]] = deque(maxlen=3)   # (beat number, loudest weight) of the last beats
        self._dynamics = 0.0                 # running mean of |loudness - loudness two beats before|
        self._apart = [0.0, 0.0, 0.0]        # ... a beat, two and three beats before (the accents' periodicity)
        self._belief = list(self._start[False])
        self._next: int | None = None        # the next beat number to weigh
        self._since = -math.inf              # s: the first grid weighs the notes from then (`restart`)
        self._features = BeatFeatures()
        self.beats_weighed = 0
        self._read: dict[tuple[int, ...], tuple[int, int, float]] = {}   # bar() per meters, until the next step
        self._struck: deque[tuple[int, int]] = deque(maxlen=PLAYED_BEATS)   # (beat number, notes struck on it)
        self._roots = BarRoots()             # the bars' roots, for the twelve-bar form (`twelve_bar`)
        # played_by_beat(): (beats, phase, answer) until the next step
        self._played: tuple[int, int, tuple[float, ...]] | None = None
        # (beat number, notes on the beat, notes from its window's start to just after it, notes before it)
        self._on_beat: deque[tuple[int, int, int, int]] = deque(maxlen=OFFBEAT_BEATS)
        self._chords: int | None = None      # `_offbeat` at the last beat weighed (the band reads it each tick)
        # (beat number, log loudest weight, harmonic news, notes on the beat) of the last struck beats
        self._bar_loud: deque[tuple[int, float, float, int]] = deque(maxlen=ACCENT_BEATS)
        # (beat number, its lowest pitch class on the beat differs from the last struck beat's) of the same beats
        self._root_moves: deque[tuple[int, bool]] = deque(maxlen=ACCENT_BEATS)
        self._last_low: int | None = None    # the lowest pitch class on the last struck beat
        self._heard_backbeat: tuple[int | None, int | None] = (None, None)   # `_backbeat` at (last struck beat)
        self._on_one: tuple[tuple[int, int], bool] | None = None   # `_changes_on_one` at (last beat, phase)
        # per state of a 4/4 bar, +1 one beat after its downbeat, -1 one beat after its half bar (an off-beat
        # chord's news weighs the first against the second), else 0
        self._after = [(b == 4) * ((k == 1) - (k == 3)) for c, k in self._states for b in (COUNTINGS[c][0],)]

    def _prior(self, paired: bool) -> list[float]:
        """Per state, its prior: each meter's (LOG_PRIOR) shared among its countings in the filter (the pairs
        only when `paired`), a counting's share spread evenly over its positions."""
        counts = [paired or span == b for b, span, _ in COUNTINGS]
        shares = {b: sum(share for (m, _, share), on in zip(COUNTINGS, counts) if on and m == b) for b in METERS}
        weight = [math.exp(LOG_PRIOR[b]) * share / shares[b] if on else 0.0
                  for (b, _, share), on in zip(COUNTINGS, counts)]
        total = sum(weight)
        return [weight[c] / total / COUNTINGS[c][1] for c, _ in self._states]

    def _count_pairs(self, paired: bool) -> None:
        """Let the pair countings into the filter (`paired`) or take them out. While the notes carry no dynamics
        a pair gets, beat for beat, the evidence of the counting with as many positions (4/4: a downbeat, a half
        bar), so its belief would be that counting's times the ratio of their priors: it enters with that belief,
        and the lone bar keeps its own share of the meter's prior (COUNTINGS); taken out, its belief is dropped
        and the lone bar's share restored. The belief is then normalised again."""
        belief = self._belief
        prior = self._start[True]
        for c, (b, span, share) in enumerate(COUNTINGS):
            if span == b:
                continue
            alone = next(a for a, (m, s, _) in enumerate(COUNTINGS) if m == s == b)
            same = next(a for a, (m, s, _) in enumerate(COUNTINGS) if m == s == span)
            pair, lone, like = self._span[c], self._span[alone], self._span[same]
            keep = COUNTINGS[alone][2] / (COUNTINGS[alone][2] + share)   # the lone bar's share beside the pair
            ratio = prior[pair.start] / prior[like.start]
            belief[pair] = [p * ratio for p in belief[like]] if paired else [0.0] * span
            belief[lone] = [p * keep if paired else p / keep for p in belief[lone]]
        total = sum(belief)
        self._belief = [p / total for p in belief]
        self._paired = paired

    def restart(self, since: float | None = None) -> None:
        """Another grid: the beats are weighed again from the notes kept (`advance`) from the prior (another
        metrical level: the beats counted so far say nothing of the new beat's bars), or, given `since` (s), from
        the notes since then with each counting's belief so far spread evenly over its bar positions (a sudden
        tempo step at the same level, its grid fitted on the notes since then: the player's bar keeps its
        beats, where they fall is weighed anew; the notes before were played at the old tempo)."""
        if since is not None:
            self.rephase()
        else:
            self._belief = list(self._start[self._paired])
        self._since = -math.inf if since is None else since
        self._next = None
        self.beats_weighed = 0
        self._loud.clear()                   # beat numbers on the old grid
        self._struck.clear()
        self._roots.clear()
        self._on_beat.clear()
        self._bar_loud.clear()
        self._root_moves.clear()
        self._last_low = None
        self._heard_backbeat = (None, None)
        self._on_one = None
        self._chords = None
        self._played = None
        self._read.clear()

    def rephase(self) -> None:
        """The player starts again after a long rest: the meter heard so far still holds, where its bars start
        does not (a player back after a pause comes in on their own downbeat, not on the old count's): each
        meter's belief is spread evenly over its bar positions, and the confidence builds up again from none."""
        belief = self._belief
        for span in self._span:
            n = span.stop - span.start
            belief[span] = [sum(belief[span]) / n] * n
        self.beats_weighed = 0
        self._read.clear()

    def note(self, t: float, pitch: int, weight: float, bass: bool) -> None:
        """A confirmed note at t (s): MIDI `pitch`, salience `weight` (velocity / 127), `bass` when it is the
        strum's bass note."""
        self._notes.append((t, pitch, weight, bass))
        while self._notes and self._notes[0][0] < t - KEEP:
            self._notes.popleft()

    def advance(self, now: float, beat_at: Callable[[float], float], seconds_at: Callable[[float], float],
                line: bool = False) -> None:
        """Weigh every beat whose window has passed by `now` (s), on the grid given by `beat_at(t)` (float beat
        position at t s) and `seconds_at(position)`; `line`: the notes are a single-note line (a solo), whose
        beats are weighed by its accents (engine/listen/line_accents.py) instead of comping's cues."""
        self._line = line
        current = math.floor(beat_at(now) - LATE)
        start = self._next
        if self._next is None:
            # The first grid: weigh the beats back to the first note kept (the bars the player played while
            # the tempo was being found count too: the band comes in on what they say).
            first = next((round(beat_at(t)) for t, *_ in self._notes if t >= self._since), current)
            self._next = max(first, current - 16)
        elif current - self._next > 16:
            self._next = current            # a long silence: start from here
        while self._next <= current:
            self._step(self._next, seconds_at)
            self._next += 1
        if self._next != start:
            self._read.clear()              # beats weighed, or counted from elsewhere: read the belief anew

    def due(self, seconds_at: Callable[[float], float]) -> float:
        """The time (s) from which `advance` may weigh a beat on the grid given by `seconds_at(position)`: the
        next beat's window ends (-inf before the first grid). Before it `advance` does nothing."""
        return -math.inf if self._next is None else seconds_at(self._next + LATE)

    def _step(self, n: int, seconds_at: Callable[[float], float]) -> None:
        """Move the pointer one beat on and weigh beat number n's evidence."""
        down, half = self._evidence(n, seconds_at)
        if self._silent(n, seconds_at):
            self._silent_step()
            return
        self._struck.append((n, self._features.struck))
        self._roots.beat(n, self._features.low)
        self._on_beat.append((n, self._features.size, self._features.struck, self._features.lead))
        if self._features.loud:
            self._keep_struck(n)
        self._played = None
        after = 1.0
        chords = self._chords = self._offbeat()
        if chords is not None and not self._line:
            if n % 2 != chords:
                down = half = max(down, half)        # an empty beat: the 1 or the 3, alike
            else:
                after = _ratio(AFTER * self._features.news)
        line = (0.0, 0.0)
        if self._line:
            # A line's notes are no chords and no bass: comping's cues say little (and lean to 3/4: their mean
            # is negative on every beat of a line, and a 4/4 bar has two beats weighed to 3/4's one). The beat
            # before is weighed by its accents instead, now that its notes' lengths are known.
            down = half = 0.0
            x = line_features(self._notes, seconds_at(n - 1), seconds_at(n) - seconds_at(n - 1), seconds_at(n + LATE))
            line = line_evidence(x)
        accent = self._accent_likelihood(n)      # (first: it updates the dynamics heard, which the pairs follow)
        paired = self._may_pair and self._accented()
        if paired != self._paired:
            self._count_pairs(paired)
        # The likelihood ratio of each kind of state (exp(0) = 1 for the states no evidence weighs)
        like = (_ratio(down), _ratio(half), 1.0)
        rows = zip(self._moved_on(paired), self._weighed_by, self._accent_sign, self._line_weighed_by)
        if self._line or accent != _EVEN:
            like_line = (_ratio(line[0]), _ratio(line[1]), 1.0)
            new = [p * like[kind] * accent[sign] * like_line[by_line] for p, kind, sign, by_line in rows]
        else:   # no accents, no line: the two factors are 1.0 (the same floats without them), the usual beat
            new = [p * like[kind] for p, kind, _, _ in rows]
        if after != 1.0:
            new = [p * after if a > 0 else p / after if a < 0 else p for p, a in zip(new, self._after)]
        total = sum(new)
        self._belief = [p / total for p in new]
        self.beats_weighed += 1
        self.line_share = LINE_MEMORY * self.line_share + (1 - LINE_MEMORY) * self._line

    def _keep_struck(self, n: int) -> None:
        """Keep struck beat number n's loudness, harmonic news and size (`_one_over_three`, `_changes_on_one`) and
        whether its bass moved (`_backbeat`)."""
        f = self._features
        self._bar_loud.append((n, math.log(f.loud), f.news, f.size))
        self._root_moves.append((n, None not in (f.low, self._last_low) and f.low != self._last_low))
        self._last_low = f.low

    @property
    def offbeat(self) -> bool:
        """True while the player comps off the beat (`_offbeat`, as of the last beat weighed)."""
        return self._chords is not None

    def _offbeat(self) -> int | None:
        """The parity (0, 1) of the beat numbers the chords fall on while the player comps off the beat (see
        `OFFBEAT_BEATS`): chords (two notes or more on the beat) on beats of one parity only, at least OFFBEAT_CHORDS
        of them, and at least half of the other beats rests (no note from an eighth before to just after them: a
        chord pushed to the "and" before the beat, held over it, is no rest, and pop strumming on 2, the "and" of
        2, the "and" of 3, 4 and the "and" of 4 is no off-beat comping); or, where the chords are struck out of a
        rest (no note in a chord beat's window before it), at least half of the other beats with nothing on them: a
        doubled skank (2, the "and" of 2, 4, the "and" of 4: sim4 reggae's bubble) strikes each "and" in the window
        of the beat after, which is no rest, while the push's up-strum on the "and" of 3 comes before its chord on 4;
        else None."""
        seen = self._on_beat
        if len(seen) < OFFBEAT_BEATS:
            return None
        chords, empty, left, other, led = [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]
        for n, size, struck, lead in seen:
            chords[n % 2] += size >= 2
            led[n % 2] += size >= 2 and lead > 0
            empty[n % 2] += struck == 0
            left[n % 2] += size == 0
            other[n % 2] += 1
        for parity in (0, 1):
            if chords[parity] < OFFBEAT_CHORDS or chords[1 - parity]:
                continue
            if 2 * empty[1 - parity] >= other[1 - parity]:
                return parity
            if not led[parity] and 2 * left[1 - parity] >= other[1 - parity]:
                return parity               # a doubled skank: its "and" after the chord, nothing before it
        return None

    def _silent(self, n: int, seconds_at: Callable[[float], float]) -> bool:
        """True when beat number n lies in the player's silence: no note kept at all (a start with no guitar), or
        its window starts more than `SILENCE` beats after the last note weighed (a beat before the player's
        first note, its window just short of it, is weighed as before: a rest)."""
        last = self._features.last_note
        if not self._notes:
            return True
        return last > -math.inf and seconds_at(n - EARLY) - last > SILENCE * (seconds_at(n) - seconds_at(n - 1))

    def _silent_step(self) -> None:
        """Move the pointer one beat on through the player's silence (`SILENCE`): the bars go on counting, a
        restart or a meter change as likely as ever, and no evidence weighs a state."""
        new = self._moved_on(self._paired)
        total = sum(new)
        self._belief = [p / total for p in new]

    def _moved_on(self, paired: bool) -> list[float]:
        """The belief of each state one beat on, before any evidence weighs it (not normalised): what the state a
        beat before held, kept; RESTART of its counting's belief spread over that counting's states (a bar
        restarting elsewhere); MOVE of the prior's share for it (a meter change: `_moved`, with the 2/4 pairs
        when `paired`). Shared by a weighed beat (`_step`) and a silent one (`_silent_step`)."""
        b_old = self._belief
        restart = [RESTART * sum(b_old[span]) / (span.stop - span.start) for span in self._span]
        keep = 1 - RESTART - MOVE
        return [keep * b_old[before] + restart[c] + moved
                for (c, _), before, moved in zip(self._states, self._before, self._moved[paired])]

    def _evidence(self, n: int, seconds_at: Callable[[float], float]) -> tuple[float, float]:
        """Log-likelihood ratios that beat number n is a downbeat, and the half-bar beat of a 4/4 bar, rather
        than a weak beat, from the notes in its window."""
        x = self._features.of(self._notes, seconds_at(n - EARLY), seconds_at(n), seconds_at(n + LATE))
        down = half = 0.0          # both weighted sums in one pass, each in FEATURES order
        for f, w_down, w_half in zip(x, DOWNBEAT[1], HALF_BAR[1]):
            down += w_down * f
            half += w_half * f
        return DOWNBEAT[0] + down, HALF_BAR[0] + half

    def _accent_likelihood(self, n: int) -> tuple[float, float, float]:
        """Likelihood ratios of beat number n's accent against two beats before (indexed by the expected sign:
        0 none, 1 louder, -1 softer), against a weak beat after a weak one: Gaussian, mean +-`ACCENT` or 0,
        spread `ACCENT_SPREAD`. All 1 while there is no earlier beat to compare, or the take has no dynamics."""
        loud = self._features.loud
        before = next((w for m, w in self._loud if m == n - 2), None)
        if loud is not None:
            for lag in range(3):
                earlier = next((w for m, w in self._loud if m == n - 1 - lag), None)
                if earlier is not None and LEVEL < loud / earlier < 1 / LEVEL:
                    d = min(2 * ACCENT, abs(math.log(loud / earlier)))
                    self._apart[lag] = APART_MEMORY * self._apart[lag] + (1 - APART_MEMORY) * d
            self._loud.append((n, loud))
        if loud is None or before is None:
            return 1.0, 1.0, 1.0
        if not LEVEL < loud / before < 1 / LEVEL:
            return 1.0, 1.0, 1.0             # another dynamic level, not an accent
        a = max(-2 * ACCENT, min(2 * ACCENT, math.log(loud / before)))
        self._dynamics = 0.9 * self._dynamics + 0.1 * abs(a)
        if self._dynamics < DYNAMICS:
            return 1.0, 1.0, 1.0
        scale = ACCENT / ACCENT_SPREAD ** 2
        half = ACCENT * ACCENT / (2 * ACCENT_SPREAD ** 2)
        return 1.0, math.exp(a * scale - half), math.exp(-a * scale - half)

    def _accented(self) -> bool:
        """True while the notes carry dynamics (`DYNAMICS`) and the beats are accented (`ACCENTED`): the loudness
        a beat apart differs ACCENTED times more than at two or three beats."""
        one, two, three = self._apart
        return self._dynamics >= DYNAMICS and one >= ACCENTED * min(two, three)

    # ---- queries -----------------------------------------------------------------------------------
    def played(self, beats: int, phase: int) -> float:
        """How often the player strikes the beats numbered n with n % `beats` == `phase` (the 1 of a bar of `beats`
        beats) over the last PLAYED_BEATS beats weighed, as notes struck on such a beat over the notes struck on the
        mean beat: 0.0 on a beat the player leaves (the 1 under a reggae skank or a funk chop on 2 and 4), about 1
        on an evenly strummed bar, above it where the bar's 1 is the strongest. 1.0 while fewer than two bars of
        beats have been weighed, or none of them held a note. Worked out once per beat weighed."""
        return self.played_by_beat(beats, phase)[0]

    def played_by_beat(self, beats: int, phase: int) -> tuple[float, ...]:
        """`played` for each beat of the bar whose 1 is `phase`, in bar order (the 1 first): a tuple of `beats`
        figures. Worked out once per beat weighed."""
        cached = self._played
        if cached is not None and cached[:2] == (beats, phase):
            return cached[2]
        struck = self._struck
        answer = (1.0,) * beats
        if len(struck) >= 2 * beats:
            total = 0
            on, count = [0] * beats, [0] * beats
            for n, notes in struck:
                total += notes
                k = (n - phase) % beats
                on[k] += notes
                count[k] += 1
            if total:
                mean = total / len(struck)
                answer = tuple(on[k] / count[k] / mean if count[k] else 1.0 for k in range(beats))
        self._played = (beats, phase, answer)
        return answer

    def bar(self, meters: tuple[int, ...] = METERS) -> tuple[int, int, float]:
        """(beats to the bar, downbeat phase, confidence) among `meters` (beats to the bar; (2,) in compound
        time): the meter with the most belief; beat numbers n with n % beats equal to the phase are downbeats
        (0 before any beat is weighed); the confidence 0..1 is the belief in that meter times the share of its
        best bar position, after eight beats weighed (the first bars are guesses). The band reads it several
        times a tick; it is worked out once per beat weighed."""
        read = self._read.get(meters)
        if read is None:
            read = self._read[meters] = self._bar(meters)
        return read

    def compound_bar(self, bpm: float | None, shuffled: bool = False) -> tuple[int, int, float]:
        """`bar` in compound time, the beat a dotted quarter at `bpm` (a minute's): four to the bar (12/8) when it
        is under TWELVE_BPM, or the beats are `shuffled` (struck long-short on their triplet eighths) and the
        four's 1 is struck harder than its 3 (`_one_over_three`), and the belief in four beats over
        two, the prior's ratio taken out, is over exp(TWELVE), else two (6/8). The confidence is the chosen
        meter's `bar` alone (the pointer's 4/4 prior would otherwise weigh in against 6/8). Four, whatever the
        tempo and the accents, where the bars' roots follow a twelve-bar blues (`twelve_bar`), or where a shuffle's
        backbeat tells its 1 (`_backbeat`): on that 1, the form's too where it is one of the form's."""
        backbeat = self._backbeat() if shuffled and bpm is not None else None
        form = self.twelve_bar(backbeat)
        if form is not None or backbeat is not None:
            return self._form_bar(backbeat if form is None else form)
        if bpm is None or (bpm >= TWELVE_BPM and not shuffled):
            return self.bar((2,))
        mass = {b: sum(sum(self._belief[self._span[c]]) for c, (m, _, _) in enumerate(COUNTINGS) if m == b)
                for b in (2, 4)}
        evidence = math.log(max(mass[4], 1e-300) / max(mass[2], 1e-300)) - (LOG_PRIOR[4] - LOG_PRIOR[2])
        if evidence <= TWELVE or (bpm >= TWELVE_BPM and not self._one_over_three()):
            return self.bar((2,))
        return self.bar((4,))

    def simple_bar(self, meters: tuple[int, ...] = METERS) -> tuple[int, int, float]:
        """`bar` among `meters` in simple time, but a four-beat bar where that reads two beats and the bars' roots
        counted in fours follow a twelve-bar blues (`twelve_bar`): a boom-chick blues with its root on the 1 and
        its fifth on the 3, alike in loudness, is 2/4 by every other cue; or where every beat is struck alike and
        the chords change on the pointer's four-beat 1 alone (`_changes_on_one`: even quarters, the 1 and the 3
        accented alike)."""
        read = self.bar(meters)
        if read[0] == 2 and 4 in meters:
            form = self.twelve_bar()
            if form is not None:
                return self._form_bar(form)
            phase = self.bar((4,))[1]
            if self._changes_on_one(phase):
                return self._form_bar(phase)
        return read

    def twelve_bar(self, heard: int | None = None) -> int | None:
        """The downbeat phase (0..3) of four-beat bars whose roots follow a twelve-bar blues (engine/listen/
        blues_form.py), else None: `heard` (a phase the backbeat told, `_backbeat`) when it is one of them, else the
        pointer's own four-beat phase when it is, else the only one."""
        phases = self._roots.phases()
        if not phases:
            return None
        if heard in phases:
            return heard
        pointer = self.bar((4,))[1]
        if pointer in phases:
            return pointer
        return phases[0] if len(phases) == 1 else None

    def _form_bar(self, phase: int) -> tuple[int, int, float]:
        """A four-beat bar whose 1 is `phase`, with the confidence of the pointer's four-beat reading."""
        return 4, phase, self.bar((4,))[2]

    def _one_over_three(self) -> bool:
        """True when, over the last ACCENT_BEATS struck beats weighed (all of them: fewer are noise), the 1 of the
        pointer's four-beat bar was struck harder than its 3 by ONE_OVER_THREE (mean log loudest weight): a 12/8's
        strong 1 and medium 3, not two 6/8 bars' equal 1s (nor notes without dynamics); and the chords do not
        change on the 3 as on the 1 (`_changes_on_three`: two 6/8 bars phrased strong-weak)."""
        if len(self._bar_loud) < ACCENT_BEATS:
            return False
        _, phase, _ = self.bar((4,))
        loud = _by_position(((n - phase) % 4, v) for n, v, _, _ in self._bar_loud)
        if loud[0] is None or loud[2] is None or loud[0] - loud[2] <= ONE_OVER_THREE:
            return False
        return not self._changes_on_three(phase)

    def _backbeat(self) -> int | None:
        """The 1 (beat number mod 4) of a 12/8 shuffle's bar heard by its backbeat, else None: over the last
        ACCENT_BEATS struck beats (all of them), the beats of one parity struck harder than the others by
        ONE_OVER_THREE (mean log loudest weight: accents every other dotted quarter) and the bass (the lowest pitch
        class on the beat) moving BACKBEAT_MOVES times or more on the softer beats and never on the louder ones:
        the chords change on the beat before the accent, so the accents are the 2 and the 4 (see `BACKBEAT_MOVES`). The
        1 is the soft beat of the four-beat bar where the bass moved most often (the latest of a tie)."""
        if len(self._bar_loud) < ACCENT_BEATS:
            return None
        last = self._bar_loud[-1][0]
        if self._heard_backbeat[0] != last:
            self._heard_backbeat = last, self._backbeat_phase()
        return self._heard_backbeat[1]

    def _backbeat_phase(self) -> int | None:
        """`_backbeat` worked out over the ACCENT_BEATS struck beats kept (once per beat weighed)."""
        loud = [[], []]
        for n, v, _, _ in self._bar_loud:
            loud[n % 2].append(v)
        mean = [sum(v) / len(v) if v else None for v in loud]
        if None in mean or abs(mean[0] - mean[1]) <= ONE_OVER_THREE:
            return None
        soft = int(mean[1] < mean[0])
        moves = [n for n, moved in self._root_moves if moved]
        if any(n % 2 != soft for n in moves) or len(moves) < BACKBEAT_MOVES:
            return None
        return max(reversed(moves), key=lambda n: sum((m - n) % 4 == 0 for m in moves)) % 4

    def _changes_on_three(self, phase: int) -> bool:
        """True when, over the last ACCENT_BEATS struck beats, the 3 of the four-beat bar whose 1 is `phase` brought
        over CHANGES_ON_THREE times the harmonic news (mean `BeatFeatures.news`) of its 2 and of its 4, and so did
        its 1: the chords change every two beats, a 6/8 bar's (see `CHANGES_ON_THREE`)."""
        news = _by_position(((n - phase) % 4, v) for n, _, v, _ in self._bar_loud)
        if None in news:
            return False
        return min(news[0], news[2]) > CHANGES_ON_THREE * max(news[1], news[3])

    def _changes_on_one(self, phase: int) -> bool:
        """True when, over the last ACCENT_BEATS struck beats (all of them), every beat of the four-beat bar whose 1
        is `phase` was struck alike (`EVEN_FIGURE`) and its 1 brought over CHANGES_ON_ONE times the median harmonic news
        of each other beat: chords changing once a bar of four, on its 1 (see `CHANGES_ON_ONE`). Worked out once per
        beat weighed."""
        seen = self._bar_loud
        if len(seen) < ACCENT_BEATS:
            return False
        key = (seen[-1][0], phase)
        if self._on_one is not None and self._on_one[0] == key:
            return self._on_one[1]
        size = _by_position(((n - phase) % 4, k) for n, _, _, k in seen)
        news = _by_position((((n - phase) % 4, v) for n, _, v, _ in seen), median)
        answer = (None not in size and min(size) >= EVEN_FIGURE * max(size)
                  and news[0] > CHANGES_ON_ONE * max(*news[1:], NO_NEWS))
        self._on_one = (key, answer)
        return answer

    def _bar(self, meters: tuple[int, ...]) -> tuple[int, int, float]:
        belief = self._belief
        # per meter, its belief by bar position (a 2/4 pair's two bars folded onto one; it holds none while
        # out of the filter)
        position = {b: [0.0] * b for b in meters}
        for c, (b, _, _) in enumerate(COUNTINGS):
            if b in position:
                for k, p in enumerate(belief[self._span[c]]):
                    position[b][k % b] += p
        mass = {b: sum(position[b]) for b in meters}
        beats = max(meters, key=mass.__getitem__)
        if self._next is None:
            return beats, 0, 0.0
        best = position[beats]
        k = max(range(beats), key=best.__getitem__)
        total = sum(mass.values())
        share = best[k] / mass[beats] if mass[beats] > 0 else 0.0
        confidence = mass[beats] / total * share * min(1.0, self.beats_weighed / 8) if total > 0 else 0.0
        return beats, (self._next - 1 - k) % beats, confidence    # the last beat weighed is at position k


FEATURES = ("new pitch classes", "harmonic change", "bass on the beat", "bass moved", "bass alone",
            "onset weight", "strum size", "phrase start", "rest", "nothing on the beat", "low register")


class BeatFeatures:
    """What a beat's notes say about it being a downbeat: the `FEATURES`, each about 0..1, computed beat after
    beat (the memory of the last beats' pitch classes, bass and onset weight carries over). The bar pointer
    weighs them with `DOWNBEAT` and `HALF_BAR`; bench/fit_bar_pointer.py fits those by logistic regression on
    labelled beats."""

    def __init__(self) -> None:
        self._memory = [0.0] * 12            # pitch classes of the last beats (decaying by MEMORY per beat)
        self._bass: int | None = None        # pitch class of the last bass note
        self._weight = 0.0                   # recent beats' mean onset weight on the beat
        self._size = 0.0                     # ... and mean count of notes on the beat
        self._low = 0.0                      # ... and mean lowest pitch on the beat
        self._level = 0.0                    # ... and mean loudest note on the beat (velocity / 127)
        self._off_level = False              # the last beat with notes on it was at another level (LEVEL)
        self._last = -math.inf               # s: the last note before this beat's window ended
        self.loud: float | None = None       # the last beat's loudest note on the beat (velocity / 127)
        self.struck = 0                      # the last beat's notes from its window's start to just after it
        self.lead = 0                        # ... of them, those before it (its window's start to ON_BEAT before it)
        self.size = 0                        # ... and its notes on the beat (within ON_BEAT)
        self.news = 0.0                      # ... and its harmonic news (FEATURES' first two summed)
        self.low: int | None = None          # ... and the pitch class of its lowest note on the beat

    @property
    def last_note(self) -> float:
        """The time (s) of the last note in the windows weighed so far (-inf before any)."""
        return self._last

    def of(self, notes, lo: float, at: float, hi: float) -> list[float]:
        """The features of the beat at `at` (s) whose window is `lo`..`hi` (s), from `notes` ((time s, pitch,
        weight, bass) in the order confirmed, onsets out of order by `ORDER` at most; pitch a MIDI number): a
        list in `FEATURES` order."""
        near = ON_BEAT * (hi - lo)
        chroma = [0.0] * 12
        weight = size = 0.0
        bass_pc = low = first = loud = None
        only_bass = True
        struck = lead = 0
        recent = notes_since(notes, lo - ORDER)
        for t, pitch, w, bass in recent:
            if not lo <= t < hi:
                continue
            chroma[pitch % 12] += 2 * w if bass else w
            first = t if first is None else first
            struck += t < at + near
            lead += t <= at - near
            if abs(t - at) < near:
                weight += w
                loud = w if loud is None else max(loud, w)
                size += 1
                low = pitch if low is None else min(low, pitch)
                only_bass = only_bass and bass
                if bass:
                    bass_pc = pitch % 12
        self.loud, self.struck, self.size, self.news, self.lead = loud, struck, int(size), 0.0, lead
        self.low = None if low is None else low % 12
        if first is None:
            return [0.0] * 8 + [1.0, 1.0, 0.0]                      # a rest
        if size == 1 and bass_pc is None and _under_last_beat(notes, low, lo, hi - lo):
            bass_pc, only_bass = low % 12, True                     # the boom of boom-chick: a bass
        phrase = float(first - self._last > REST * (hi - lo))
        self._last = max(t for t, *_ in recent if t < hi)
        new, change = self._harmony(chroma)
        self.news = new + change
        moved = float(bass_pc is not None and self._bass is not None and bass_pc != self._bass)
        if bass_pc is not None:
            self._bass = bass_pc
        scale = self._dynamic_level(loud)
        x = [new, change, float(bass_pc is not None), moved, float(size > 0 and only_bass),
             _relative(weight, self._weight * scale), _relative(size, self._size), phrase, 0.0, float(size == 0),
             max(-1.0, min(1.0, (self._low - low) / 12)) if low is not None and self._low else 0.0]
        if size and scale == 1.0:
            self._weight = 0.8 * self._weight + 0.2 * weight if self._weight else weight
            self._size = 0.8 * self._size + 0.2 * size if self._size else size
            self._low = 0.8 * self._low + 0.2 * low if self._low else float(low)
        return x

    def _dynamic_level(self, loud: float | None) -> float:
        """The ratio (> 0) of this beat's dynamic level to the recent beats' by its loudest note `loud` (velocity
        / 127; None: no note on the beat): 1 while within `LEVEL` of their mean, else loud / mean, the scale of
        the onset weight expected at this beat's level. A second beat in a row at another level makes it the
        level: the mean onset weight is scaled to it."""
        if loud is None:
            return 1.0
        level = self._level
        if not level or LEVEL < loud / level < 1 / LEVEL:
            self._level = 0.8 * level + 0.2 * loud if level else loud
            self._off_level = False
            return 1.0
        if not self._off_level:
            self._off_level = True
            return loud / level
        self._weight *= loud / level         # held: the new level (the means start from it)
        self._level = loud
        self._off_level = False
        return 1.0

    def _harmony(self, chroma: list[float]) -> tuple[float, float]:
        """(share of this beat's pitch-class weight on pitch classes the last beats did not sound (under `NEW`
        of the memory's strongest), 1 - cosine similarity with the memory); the memory then takes the beat in."""
        mem = self._memory
        floor = NEW * max(mem)
        # the five sums in one pass over the 12 pitch classes (each summed in the same order as alone: the same
        # floats)
        total = fresh = cc = mm = cm = 0.0
        for c, m in zip(chroma, mem):
            total += c
            if m <= floor:
                fresh += c
            cc += c * c
            mm += m * m
            cm += c * m
        norm = math.sqrt(cc * mm)
        change = 1.0 - cm / norm if norm > 0 else 0.0
        self._memory = [MEMORY * m + c for c, m in zip(chroma, mem)]
        return fresh / total, change


def _by_position(values, average: Callable[[list[float]], float] | None = None) -> list[float | None]:
    """The mean (or the `average`, e.g. the median) of the `values` ((position in a four-beat bar 0..3, value)) at
    each position, None where none."""
    at: list[list[float]] = [[], [], [], []]
    for k, v in values:
        at[k].append(v)
    if average is None:
        return [sum(v) / len(v) if v else None for v in at]
    return [average(v) if v else None for v in at]


def _ratio(llr: float) -> float:
    """The likelihood ratio of a log-likelihood ratio, within exp(+-20)."""
    return math.exp(max(-20.0, min(20.0, llr)))


def _under_last_beat(notes, pitch: int, lo: float, span: float) -> bool:
    """True when `pitch` (MIDI; a note struck alone on the beat whose window starts at `lo`, s) is the bass of
    boom-chick after the chord struck in the `span` seconds (a beat) before the window (`CHORD` notes struck
    together), which the conditioner's bass (the strum's lowest under E3 while nothing lower rings) does not
    hear: under every note struck in that beat (the alternate bass, the fifth on the D string above E3 or over
    the ringing root), or the next chord's bass at the foot of the last chord, under its second-lowest note and
    on a bass string (under `BASS_STRINGS`) with a pitch class the beat did not sound, that chord's lowest note its
    own (no bass struck before it: then the note is that bass's alternate, weighed by the first rule). Without
    the second, the oom of a chord change on the D string (F3 after an A minor whose lowest note is E3) read as a
    weak beat, and 2/4 oom-pah whose bass moves between strings was heard in 4/4 and 3/4 (sim3 stops_2-4
    A-phrygian). A melody or a picked line has no chord before its notes, a melody note lies above the chord's
    foot or the bass strings, and the chord's own lowest string struck alone between strums (D . B U D U B U) is
    part of the strum pattern, not a bass under it."""
    before = [(t, p) for t, p, _, _ in notes_since(notes, lo - span) if lo - span <= t < lo]
    if len(before) < CHORD:
        return False
    times = sorted(t for t, _ in before)        # a chord: CHORD notes struck together, not a run of single notes
    if not any(b - a <= STRUCK_TOGETHER for a, b in zip(times, times[CHORD - 1:])):
        return False
    foot, low = min(before, key=lambda n: n[1])
    if pitch < low:
        return True
    second = min(p for t, p in before if (t, p) != (foot, low))
    struck_with = sum(abs(t - foot) <= STRUCK_TOGETHER for t, _ in before)
    return (pitch < min(second, BASS_STRINGS) and struck_with >= CHORD
            and all((pitch - p) % 12 for _, p in before))


def _relative(value: float, mean: float) -> float:
    """value / mean - 1, within -1..1 (0 while there is no mean)."""
    return max(-1.0, min(1.0, value / mean - 1)) if mean > 0 else 0.0
