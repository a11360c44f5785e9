"""The tempo estimate: the beat period that the recent onsets repeat, at the metrical level the band should play.

The autocorrelation of the last `window` seconds of onsets (weighted by salience; computed from their pairwise
gaps at 100 lags per second, unbiased over their span), plus half of it at twice the lag and a quarter at the
bar (three or four beats) — a comb favouring a level whose multiples also recur — times a log-normal tempo
prior, picks the beat period. This is the design the project's notes (../shared/notes/ALGORITHMS.md, "Tempo,
beat, downbeat") give for guitar MIDI: causal autocorrelation or a comb-filter bank over the last 6–8 s with a
log-normal tempo prior; among the peers named there, BTrack tracks with a comb filter and Dixon's BeatRoot
with inter-onset intervals.

Until the window is three-quarters full the level is chosen afresh at each estimate (the current one only gets
a 10 % head start: a first guess from three seconds of strumming must not stick). After that the search stays
within a third of the current period unless another level keeps leading (its log score lead, summed over
consecutive updates, reaches `rival_needed`): octave errors are the dominant failure of beat trackers (the
notes: every baseline locked to double or half tempo), and this keeps the band from flipping to double time.

Levels 2:3 apart (`bass_level`): an octave search never reaches them, and when both share the eighth notes
the autocorrelation cannot tell them apart. The bass decides: a level moves to its 2:3 or 3:2 relative when
that one's grid holds clearly more of the recent bass notes (a waltz whose bass sounds on beats one and two,
heard in dotted quarters; a bossa's 3+3+2 accents over a bass on the half notes).

A straight groove whose accents group its eighths or sixteenths 3+3+2 (a bossa's pinches on 1, &2, 4; funk's chops
every three sixteenths) repeats at the dotted level as much as at its beat; its bar decides (`figure_level`): the
figure repeats every bar or two, which hold whole beats, and 16 units are 5 1/3 dotted beats.

On a single-note line the long notes decide (`line_level`): a jig's running eighths recur every two eighths as
much as every three, and its long notes fall on the dotted quarters (line_accents.grouping_contrast).

Tap tempo (`TapTempo`): the median interval of the last taps (the notes: a tempo prior, a count-in or tap tempo
fix most octave errors).

Lags are in frames of 1/`FPS` s; periods in seconds per beat; onset times in seconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.listen.line_accents import beat_share, grouping_contrast
from engine.listen.phase import NEAR, beat_phase, circular_mean, fit_grid, long_short, recent_weights, thirds

FPS = 100   # frames (lags) per second
BASS_RECENCY = 4.0   # s: how fast older bass notes fade when the bass's beat is weighed
# Accents (`accent_level`): the strums half-way between a level's beats are as loud as those on them: at least
# ACCENT_EVEN and at most ACCENT_OVER times their loudness (louder ones say the grid sits on the off-beats),
# while the strums elsewhere are at most ACCENT_SOFT times as loud as either, ACCENT_COUNT strums in each place.
ACCENT_EVEN = 0.9
ACCENT_OVER = 1.12
ACCENT_SOFT = 0.85
ACCENT_COUNT = 3
# Accents of compound time heard a level too fast (`dotted_level`): six strummed eighths with the accents on 1 and 4
# (D U D U D U, D D U D D U) heard in quarters (two eighths) put every other accent half-way between two beats, and
# nothing on the quarter grid is softer than its beats. On a grid 1.5 times as long the accented strums are its
# beats: they are DOTTED_OVER times as loud as the strums on its thirds, and that contrast is DOTTED_OVER times the
# quarter grid's own (its beats against its half-way strums). A 3/4 strum accenting its beats has the contrast on
# the quarter grid, not on the longer one (review20's 6/8 takes at 63 dotted quarters a minute: 3/4 at 94.5).
# Set, not fitted: between ACCENT_OVER and 1 / ACCENT_SOFT, the accent sizes `accent_level` reads; our takes'
# accents are 92 against 62 velocity (a contrast near 1.4; bench/compound_strums.py).
DOTTED_OVER = 1.15
# A single-note line's beat moves to 3:2 of the level when the long notes fall LINE_GROUPING times as much more
# on its beats than off them as on the level's, and at least LINE_GROUPING_MIN more (`line_level`;
# grouping_contrast, a difference of mean durational accents; the dev solo lines' jigs heard in twos of eighths).
LINE_GROUPING = 1.3
LINE_GROUPING_MIN = 0.03
LINE_EIGHTH = 0.15   # ... when the line's median gap is within this share of half the level
# ... and the autocorrelation at three of the level's beats is at least this share of that at four (a jig's running
# eighths: 0.86-1.26 of it; a syncopated POP909 line in 4/4, pop909-101: 0.34-0.92, mostly under 0.8)
LINE_BAR = 0.9
# ... or of LINE_BAR_KEEP to stay at the 3:2 level once there, by any contrast and on a window not yet full (after
# a sudden change forgot the rest): a jig's dotted quarters explain a third of its onsets, so sudden-change
# searches run all the time and found its twos of eighths whenever the window's ratio dipped under LINE_BAR
# (jigs110 0.88-0.90, jigs145 0.82-0.88 at those moments), its contrast under LINE_GROUPING_MIN (jigs30 0.024
# against 0.016) or the window was short (jigs317, 2-6 s)
LINE_BAR_KEEP = 0.8
# A fast straight line heard at its dotted quarters (`straight_level`): its beat is 2:3 of the level when that beat
# is STRAIGHT_BPM fast, the line sounds STRAIGHT_DENSITY onsets or more per faster beat (a fast line: sparse POP909
# lines, 0.7-0.8, fired on chance shares of a dozen onsets), its median gap is at least STRAIGHT_GAP of the level
# (not a jig's running eighths, three to its beat) and one steady grid of the faster beat holds STRAIGHT_MARGIN more
# of the onsets on its beats than the level's (GuitarSet's BN2 solo, 3+3+2 figures at 166 BPM heard at 110:
# 0.50-0.52 against 0.36-0.38; `bench/line_level_cues.py`)
STRAIGHT_BPM = (140.0, 190.0)
STRAIGHT_DENSITY = 0.8
STRAIGHT_GAP = 0.5
STRAIGHT_MARGIN = 0.08
# ... and until it moves there, the level is contested (`level_contested`) while the 2:3 grid holds at least as many
# of the line's onsets as the level's and the line moves in notes about a beat of the level apart (half its gaps
# CONTEST_GAP of it or more: long notes, dotted quarters of the faster beat as much as beats of the level; a reel's
# or jig's running eighths, gap 0.5, hold equally on any grid and tell nothing). BN2's solo: 0.94-0.99 of its
# 110 BPM level to 9.6 s, the 2:3 grid's share -0.12 at 4.0 s, +0.00 to +0.08 from 5.5 s; no dev line of `solo` or
# `reels` passes the gap at a 2:3 rival in STRAIGHT_BPM (their gaps 0.50; bench/README.md, session 24)
CONTEST_GAP = 0.75
# Half tempo (`quarter_level`): a grid whose beats' quarters are struck steadily (QUARTER_PLACES of the four places
# a beat's sixteenths fall, each holding QUARTER_SHARE of the last QUARTER_SPAN seconds' onset weight, and
# QUARTER_ON of it on those places) runs at half the player's tempo when twice its tempo is at most QUARTER_BPM:
# a strummer's eighths 0.2-0.3 s apart are the half-beats, not the sixteenths, of the beat (a 2/4 boom-chick
# whose figure repeats every two beats, sim2 strum_2-4 Eb-dorian and sim3 tuning_tail_2-4 F-major: chord, its
# "and", bass, rest, heard at 62 for 124 BPM). Funk's sixteenths at 98 BPM fill the quarters too, but twice 98
# is past QUARTER_BPM.
QUARTER_BPM = 140.0
# ... but not when, at the faster level, one beat of each two is never struck while its "and" is (`skips_a_beat`:
# the beat under SKIP_EMPTY of the last QUARTER_SPAN seconds' weight, its "and" and the other three beats
# QUARTER_SHARE or more each): a habanera's dotted eighth, sixteenth, eighth, eighth (sim4 habanera_2-4 G-minor at
# 68, heard at 136 with its second beat empty and its sixteenth on that beat's "and"). A drummer counts the slower
# beat, on which every beat is struck and the sixteenth leads into the next; the boom-chicks QUARTER_BPM exists for
# strike every beat of the faster level. The empty beat holds only the simulator's ghost notes (3 % of strums) there.
SKIP_EMPTY = 0.05
QUARTER_SPAN = 4.0
QUARTER_PLACES = 3
QUARTER_SHARE = 0.12
QUARTER_ON = 0.75
# A level that splits the bar (`bar_level`): the onsets repeat BAR_SPLIT times as much every 1.5 beats as every beat
# and every two: a figure three half-beats long (a fast waltz's bass, chord, chord at 150-180 BPM, heard at 75-90
# with the band's bar over two of the player's: review21's fastwaltz takes, 1.12-1.28 once the window is full; a
# 2/4 or 4/4 figure repeats every beat or two more than every 1.5)
BAR_SPLIT = 1.1
# ... or the bar's bass notes fall 1.5 beats apart (`deep_split`): DEEP_LEAST of them in the window, DEEP_ODD of their
# gaps an odd number of 1.5 beats (a bar without a deep bass, a D, D7 or Dm chord whose strums hold its root, the open
# D string, leaves a gap of three: two such bars in a window of a G-major waltz; 0.6 missed it)
DEEP_LEAST = 3
DEEP_ODD = 0.5
# Slow fingerpicking heard at its eighths (`picking_level`): twice the period when that is a ballad's beat (PICK_BPM),
# PICK_LONE of the onsets are single notes, PICK_EVEN of the gaps between them are one period (within NEAR: no
# onset between the beats) and the thumb's notes (PICK_THUMBS or more) fall four periods apart: at the slow
# beat, a bass on 1 and 3 under eighths (bench/slow_fingerpick.py, 50-70 BPM heard at 100-140) ...
PICK_BPM = (48.0, 75.0)
# ... or two periods apart, a thumb on every beat (Travis picking, the fingers on the "and"s), when twice the period
# is within TRAVIS_BPM: bench/picked_songs.py's E mixolydian Travis tune under capo 2 at 84 was heard at 170. Under
# 75 the same notes are as often a quarter-note arpeggio with the thumb on 1 and 3 (p-i-p-i at 120 is a 4/4 at
# 120; slow_fingerpick's Travis takes at 56 and 64 have their root under E3 every fourth note); over 110 a picked
# tune's thumb is rarely the beat (Travis-picked songs are counted at 80-110).
TRAVIS_BPM = (75.0, 110.0)
PICK_LONE = 0.8
PICK_EVEN = 0.85
PICK_THUMBS = 3
# ... or six periods apart, a thumb once a bar of three beats (a 3/4 arpeggio T 3 2 1 2 3 on the eighths), when twice
# the period is within PICK_BPM: sim4's fermata_3-4_A-major (picked at 66) was heard at its eighths, 132, its bar of
# three beats taken for two bars of three eighths. A picked 6/8 (T 3 2 1 2 3 in two dotted beats) is the same MIDI;
# its eighths, a dotted quarter of 44 or less here, are heard at the quarter (2:3 of the dotted beat) instead.
PICK_WALTZ = 6
# Oom-pah heard at half tempo (`oompah_level`): a bass note alone on one of the level's places (its beats or half-way
# between) and a chord on the other, OOMPAH_SHARE of the onsets there, OOMPAH_COUNT or more each, when twice the
# level's tempo is within OOMPAH_BPM: a polka's "oom" and "pah" are a beat each (review22's polka_C_180_2-4 heard at
# 90 with the band's beat on the "pah"; bench/fast_waltz.py's oom-pah polkas at 150-210 and 2/4 and 4/4 polkas at
# 200 heard at half). From 110: a polka is counted at 100-140, and under 140 the prior does not always take its
# level (review36's polka_F_132_2bar heard at 66; bench/polka_takes.py's oom-pah with a chord a bar at 132 and 140 and
# boom-chick at 140 heard at 52-74, those at 100-126 at their beat); under 110 a bass on the beat and a chord on its
# "and" is a slow beat's eighths (bench/even_strums.py's oom-pah at 80-120 is heard at its beat). The top is the tempo
# range's (`max_bpm`; ListenerConfig.tempo_range's 260: a bluegrass boom-chuck, a bass note on each beat and a chuck
# between, at 200-260, sim4's bluegrass_2-4 at 233-235 heard at 116).
OOMPAH_BPM = (110.0, 260.0)
OOMPAH_SHARE = 0.75
OOMPAH_COUNT = 4
# A 6/8 strummed on every eighth heard at its eighths (`eighth_level`): three times the period when that is a dotted
# quarter of COMPOUND_BPM and the strums' accents group the eighths in threes (`dotted_level` on the quarter, two
# eighths), EIGHTH_CHORDS of the onsets strums of three notes or more (a fast waltz's bass alone on 1 is the bar's
# bass: `bar_level`'s kind, 0.67 of its onsets chords). bench/compound_strums.py's D D U D D U at 50 dotted quarters
# was heard at 150 for the whole take, at 56 and 63 for 14-24 s. The same MIDI is a 3/4 at 150-210 strummed on every
# beat, accented on 1, with no bass alone: heard here in 6/8 (the bar's chord changes would tell; not read).
COMPOUND_BPM = (40.0, 70.0)
EIGHTH_CHORDS = 0.8
# A straight groove whose accents group its eighths or sixteenths 3+3+2 (a bossa's pinches on 1, &2, 4; funk's chops
# every three sixteenths) heard at the dotted level, three of those units (`figure_level`): the figure repeats every
# bar or two, 16 units, FIGURE_REPEAT times as much as the nearest whole numbers of the dotted beats (5 and 6 of
# them; 8/3 of a beat against 2 and 3 for a one-bar figure of eighths), and a bar holds whole beats. sim4's bossa
# 3-3-2 takes heard at 86 for 129: 3.6-10 once the window is full; its funk scratch takes at 131 for 98: 1.29-1.39
# (the sixteenths' scratches fill every lag); takes heard at their beat: GuitarSet's comping at most 1.19 (BN2, a
# bossa heard at 111 for 166 for a while), sim3 at most 0.46 (scratch s24/tresillo14/repeat_scan.py).
# The straight beat is four units when the last FIGURE_SPAN seconds strike FIGURE_FILLED of the units and not of the
# half units (running sixteenths: sim4's funk scratch 0.96-1.03 of its units), else two (a bossa's eighths:
# 0.53-0.56; the tempo prior's choice, the level nearer 100, put own variations' 3-3-2 bossas at 142-157 at half
# tempo), kept when its comb holds FIGURE_KEEP of the dotted level's (the bossa 3-3-2 takes' quarter holds 0.37-0.53
# of it: `bass_keep`'s 0.5 would refuse half).
FIGURE_REPEAT = 1.2
FIGURE_KEEP = 0.3
FIGURE_FILLED = 0.8
FIGURE_SPAN = 4.0

# Funk's sixteenths heard at their dotted eighth while the window is too short for the bar (`sixteenth_level`): at a
# level P whose thirds (units) are all struck (FIGURE_FILLED; not their halves: the units are the fastest pulse), the
# window spanning SIXTEENTH_SPAN straight beats (four units) or more, the units' loudness repeats every four units:
# the loudest of the four phases is SIXTEENTH_OVER times the mean of all (the accent on 1 and the backbeats, the
# beat a funk player counts). sim4's funk scratch takes (dev): 1.12-1.39 from the first estimates on (3-7 s); a 6/8
# strummed on every eighth accents every three (sim2-held's meter_change_6-8to2-4 B-minor: 1.04-1.08; a sim-aqsaq
# 5/8's 1.16 lies outside SIXTEENTH_BPM). The straight beat's tempo within SIXTEENTH_BPM (funk is counted at 80-115;
# the 5/8 at 79 and the 6/8 at 76 fall under it).
SIXTEENTH_OVER = 1.1
SIXTEENTH_SPAN = 3.0
SIXTEENTH_BPM = (80.0, 115.0)
# ... unless the units' loudness repeats every three units (its correlation with itself three units on, over the
# window's units, at least SIXTEENTH_THREES): a jig's bass, chord, chord on every eighth in 6/8 (review32's jigs at
# 108-126 dotted quarters: 0.87-0.88, whose accents every four units still reached 1.10-1.15 by the bars' two basses'
# loudness: the band never came in); funk's chops every three sixteenths break the threes at the bar
# (sim4's funk dev takes A-dorian, C-minor, F-mixolydian: 0.16-0.58 at the estimates that moved to the beat).
SIXTEENTH_THREES = 0.75
# The spans of running sixteenths the estimate takes for the beat (`sixteenth_level`): three (funk's chops every
# three sixteenths, above) and five: chops on 1, the "e" of 2 and the "and" of 3 lie five sixteenths apart, and the
# autocorrelation peaks there over the beat (review33's vamp at 96, heard at 77 for 0.81 of the take: 90.8 against
# 82.9 at the beat at 12 s, scratch s28/funk28/scores.py; bench/funk_sync.py's `sync`, `strut` and `twobar` takes,
# ours, at 0.80 for stretches). Neither span divides a bar of sixteen; the sixteenths' beat of four does.
SIXTEENTH_SPANS = (3, 5)
# Which sixteenth of running sixteenths is the beat when the harmony tells (`changed_sixteenth`): the one whose onsets
# bring the pitch classes the last HARMONY_SPAN beats did not sound, when it holds HARMONY_SHARE of them and at least
# HARMONY_LEAST (a chord change brings two or three). Over whole takes at the truth's grid (scratch
# s28/funk28/cues.py) the news over two beats lies most on the beat in 28 of 30 (review33's two vamps and
# bench/funk_sync.py's 18, ours; sim4's five funk and sixteenths takes, dev; GuitarSet's five comping takes: BN1's
# bossa basses and sim4 funk F-mixolydian's root alone on the 1, the chord on the "and", put half of it on the
# "and"); the loudest sixteenth in 10 of the 25 with velocities (chops on the "and"s and "a"s: funk_sync's
# `sync`, `clave`, `twobar`, `backbeat`). Set by hand; checked on sim4 (dev) and GuitarSet.
HARMONY_SPAN = 2.0
HARMONY_SHARE = 0.6
HARMONY_LEAST = 3

# A shuffle heard at its triplet eighths (`shuffle_level`): the onsets fall on two of every three eighths, the second
# of each group missing (long-short: on the beat and on its last third), and three eighths are a dotted quarter of
# COMPOUND_BPM: a slow 12/8 blues with a shuffle bass (bench/guitar_idioms.py, bass . up | down . up at 45-54) was
# heard in 3/4 at 135-162, its beat a triplet eighth (`bar_level` split the 2:3 level the first estimate took, as
# it splits a fast waltz's bar). A waltz's bar is struck on all three of its beats. Three eighths a dotted quarter of
# SHUFFLE_BPM (a slow blues is counted at 45-70; at 40 a waltz at 121 whose soft part leaves its bar's second beat
# empty, sim2 waltz_3-4 G-dorian+dynamics, would be taken for one), SHUFFLE_ON of the onset weight within NEAR of
# the eighths, SHUFFLE_EMPTY at most on the missing one, ACCENT_COUNT strums or more on each of the other two. Set by
# hand on the idioms' blues variations (scratch s24/blues14); the dotted quarters then lead the comb by far, and the
# compound meter is heard.
SHUFFLE_BPM = (43.0, 70.0)
SHUFFLE_ON = 0.8
SHUFFLE_EMPTY = 0.1
# A beat and its "and" heard as two beats (`pair_level`): the strums come in pairs one period apart, the second
# softer (ACCENT_SOFT or less of the first: a down-stroke and its up-stroke), a rest of a period or more before
# each pair, every pair starting on the same parity of the grid's beats (PAIR_SHARE of the onsets on the grid in
# such pairs, PAIR_COUNT pairs or more); twice the period is the beat when that is within PAIR_BPM. A reggae
# bubble's skanks on 2, &2, 4, &4 at 66-90 were heard at 142-150, the pair's second strum a beat (sim4's
# reggae_4-4_Bb-dorian+tempo: 75 heard at 150). Strumming that runs on (eighths, down-up on every beat) has no rest
# before its pairs; a ska's or one drop's lone skanks are no pairs. Set by hand on sim4 (scratch s25/level25).
PAIR_BPM = (60.0, 100.0)
PAIR_SHARE = 0.8
PAIR_COUNT = 4
# Sixteenths heard at their eighths (`bar_accent_level`): down-up strumming on every sixteenth with only the 1 accented,
# heard at double tempo (the down-strums on the beat and its "and" alike): the accents, strums ACCENT_LOUD times the
# window's median loudness or more, ACCENT_BARS of them or more, fall a whole number of eight periods apart (one bar
# of four beats at twice the period), the half periods are struck (FIGURE_FILLED of them in the last FIGURE_SPAN s)
# and the level's tempo is within BAR_ACCENT_BPM. A 4/4 bar is four beats, and its accent says where they are: sim4's
# sixteenths_4-4 takes at 81-83 were heard at 161-166 (accents 94 against a median of 55-60). Set on sim4.
BAR_ACCENT_BPM = (140.0, 210.0)
ACCENT_LOUD = 1.35
ACCENT_BARS = 3


class TempoEstimator:
    """Scores candidate beat periods from onsets and chooses one, sticking to the current metrical level.

    `bpm_prior` (BPM) and `prior_octaves` are the centre and width of the log-normal prior; `min_bpm` and
    `max_bpm` bound the lags searched; `window` (s) is how far back the caller keeps onsets.
    """

    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0):
        self.bpm_prior = bpm_prior
        self.prior_octaves = prior_octaves
        self.window = window
        self._frames = int(window * FPS)
        self.lag_lo = int(math.ceil(60.0 * FPS / max_bpm))
        self.lag_hi = min(int(60.0 * FPS / min_bpm), self._frames // 2 - 1)
        self._lag_axis = np.arange(self._frames, dtype=float)
        self.comb2 = 0.5            # weight of twice the lag in the tempo comb
        self.comb_bar = 0.25        # weight of the bar (three or four beats)
        self.lags = np.arange(self.lag_lo, self.lag_hi + 1)
        # the lags and their multiples (twice, three and four times: the comb) as strided slices of the
        # autocorrelation: views, not the gathers a fancy index makes (the same values)
        self._at_lags = tuple(slice(m * self.lag_lo, m * self.lag_hi + 1, m) for m in (1, 2, 3, 4))
        self._acf_len = 4 * self.lag_hi + 6
        self._acf_lag = np.arange(self._acf_len, dtype=float)
        self._pair_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._upper = np.triu(np.ones((64, 64), dtype=bool), 1)     # an upper triangle (`_pairs`; grown as needed)
        self.rebuild_prior()
        k = np.arange(-4, 5)
        self._kernel = np.exp(-0.5 * (k / 1.5) ** 2)
        self._rival: float | None = None    # the lag (frames) of the level leading outside the current one
        self.rival_count = 0                # ... for this many consecutive estimates
        self._rival_lead = 0.0              # ... by this summed log score ratio
        self.rival_needed = 2.4     # summed log score lead another tempo level needs to take over
        self.early_span = 0.75      # below this fraction of the window of onsets, the level is chosen afresh
        self.early_bonus = 1.1      # ... with this head start for the current level
        self.bass_margin = 0.25     # how much more of the bass weight a 2:3 or 3:2 level's grid must hold ...
        self.bass_held = 0.75       # ... (at least this share) to move there, ...
        self.bass_keep = 0.5        # ... while all onsets still give it this share of the current level's score
        self.last_acf: np.ndarray | None = None   # the autocorrelation of the last `scores` call's onsets
        self.acf_reach = 0          # frames: the last autocorrelation's lags with evidence (0.6 of the onsets' span)
        self.dotted_beat = 0.0      # s: a beat of the level `dotted_level` last moved to, on the accents
        self.shuffle_beat = 0.0     # s: a beat of the level `shuffle_level` last moved to, on the long eighth
        self.pair_beat = 0.0        # s: a beat of the level `pair_level` last moved to, on a pair's first strum
        self.accent_beat = 0.0      # s: a beat of the level `bar_accent_level` last moved to, its last accent
        self._phase_memo: tuple = (None, None, None, None)   # `_phase`'s last onsets, weights, period and phase

    def rebuild_prior(self) -> None:
        """The log-normal tempo prior over lags (call again after changing bpm_prior or prior_octaves)."""
        lags = self._lag_axis
        with np.errstate(divide="ignore"):
            bpm = 60.0 * FPS / lags
        prior = np.zeros(self._frames)
        sl = slice(self.lag_lo, self.lag_hi + 1)
        prior[sl] = np.exp(-0.5 * (np.log2(bpm[sl] / self.bpm_prior) / self.prior_octaves) ** 2)
        self._prior = prior
        self._prior_at_lags = prior[self.lags]

    def scores(self, t: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The tempo score of every candidate lag in `self.lags` (frames of 1/FPS s), from onset times t (s,
        sorted) weighted w (same length): an array as long as `self.lags`, 0 where there is no evidence."""
        acf = self.last_acf = self.autocorrelation(t, w)
        self._phase_memo = (None, None, None, None)     # (new onsets: `_phase` works out their phase afresh)
        # A beat level's multiples recur too: twice the beat, and the bar (three or four beats).
        one, two, three, four = self._at_lags
        return ((acf[one] + self.comb2 * acf[two] + self.comb_bar * np.maximum(acf[three], acf[four]))
                * self._prior_at_lags)

    def autocorrelation(self, t: np.ndarray, w: np.ndarray) -> np.ndarray:
        """The smoothed, unbiased autocorrelation of onsets t (s, sorted, two or more) weighted w, at whole lags
        0 .. 4 * lag_hi + 5 (frames of 1/FPS s); 0 beyond 0.6 of the onsets' span."""
        # Autocorrelation of the onset train, straight from the pairwise gaps of the (few dozen, sorted)
        # onsets: cheaper than an FFT of the frame signal, the same numbers. Each gap's weight is split
        # between its two neighbouring whole lags, so no rounding biases a peak.
        n = self._acf_len
        i, j = self._pairs(len(t))
        d = (t[j] - t[i]) * FPS
        ww = w[i] * w[j]
        # Gaps beyond the longest lag counted are parked in the last bins, which are zeroed below (no comb
        # index reaches them), so no mask is needed.
        np.minimum(d, n - 2, out=d)
        base = d.astype(np.intp)
        upper = (d - base) * ww
        # (base, base + 1) as the rows of one broadcast sum, read flat: np.concatenate's order, one call fewer
        acf = np.bincount((base + _BINS).ravel(), weights=np.concatenate((ww - upper, upper)), minlength=n)[:n]
        # Unbias for the overlap of the onsets' own span at each lag (no overlap: no evidence).
        span = (t[-1] - t[0]) * FPS + 1.0
        cut = min(n - 2, math.ceil(0.6 * span))
        acf[cut:] = 0.0
        self.acf_reach = cut
        overlap = span - self._acf_lag[:cut]
        if span - (cut - 1) < 1.0:      # (an overlap under one frame: only a span under 2.5 frames has one)
            overlap = np.maximum(1.0, overlap)
        acf[:cut] *= span / overlap
        return np.convolve(acf, self._kernel, mode="same")

    def bass_level(self, t: np.ndarray, w: np.ndarray, bass: np.ndarray, period: float) -> float:
        """The beat period (s) the bass notes keep, among `period` and its 2:3 and 3:2 relatives, for the onsets
        t (s, sorted) weighted w that the last `scores` call read; `bass` is True where a strum has a bass note.
        A level whose beats hold `bass_held` of the recent bass weight, `bass_margin` more than `period`'s
        beats hold, while all onsets still give it `bass_keep` of `period`'s score, is returned; else
        `period`. An octave search cannot move between levels 2:3 apart, and when both share the eighth notes
        the onsets' autocorrelation cannot tell them apart: a waltz strummed down, down-up, -up is heard in
        dotted quarters (as 6/8) while its bass sounds on beats one and two, and a bossa's 3+3+2 accents are
        heard as dotted quarters while its bass keeps the half notes. The bass keeps the beat when a
        guitarist comps."""
        tb, wb = t[bass], w[bass]
        acf = self.last_acf
        if len(tb) < 6 or tb[-1] - tb[0] < 2.0 or acf is None:
            return period
        now = float(t[-1])

        def held(p: float) -> float:        # the share of the recent bass weight on a grid of period p (s)
            fit = fit_grid(tb, wb, now, p, recency=BASS_RECENCY, curve=0.0, slope_range=0.0)
            return 0.0 if fit is None else fit[2]

        here = self._comb(period)
        best, need = period, max(self.bass_held, held(period) + self.bass_margin)
        for ratio in (2 / 3, 1.5):
            q = period * ratio
            # (the comb first: a level the onsets do not keep needs no fit, a third of a re-estimate's p99 note's
            # `bass_level` in the examples' replay, half its fits there)
            if not self.lag_lo <= q * FPS <= self.lag_hi or self._comb(q) < self.bass_keep * here:
                continue
            share = held(q)
            if share >= need:
                best, need = q, share
        return best

    def accent_level(self, t: np.ndarray, w: np.ndarray, loud: np.ndarray, period: float,
                     notes: np.ndarray | None = None, bass: np.ndarray | None = None) -> float:
        """The beat period (s): `period`, or half of it when the accents say so, for the onsets t (s, sorted)
        weighted w that the last `scores` call read; `loud` is each strum's loudness (its loudest note's
        velocity / 127; 0 where not known). Half when the strums half-way between the grid's beats are as
        loud as those on them (ACCENT_EVEN..ACCENT_OVER times) and the strums elsewhere clearly softer than
        both (ACCENT_SOFT), while all onsets give the half level `bass_keep` of `period`'s comb score. A
        player accents the beat over its off-beat: a strum as loud as the beat is a beat. The autocorrelation
        alone hears a bar-long figure whose big strums fall on beats 1, 2 and 4 (D . D U . U D U), or a bass
        on 1 and 3 under chords on 2 and 4, at half its tempo: the big strums repeat every two beats as
        often as every beat, and the comb adds the bar's repeat to the slower level. Without loudness (all
        notes alike) nothing is softer, and `period` stands. `notes` (per onset, how many notes it holds; None:
        all strums) and `bass` (per onset, True for a bass): only strums and bass notes count half-way, for a
        melody's picked eighths are as loud on the off-beat as on the beat (the A dorian bug report's line of
        picked notes and hammer-ons was heard at double tempo), where a boom-chick's lone bass is a beat."""
        half = 0.5 * period
        acf = self.last_acf
        if half * FPS < self.lag_lo or acf is None or len(t) < 8:
            return period
        now = float(t[-1])
        phase = self._phase(t, w, period)
        if phase is None:
            return period
        # Where each strum falls first (-1: not counted); most takes stop there, with too few strums in one of
        # the places: the recency weights (an exp per strum) are worked out only for the takes that go on.
        counts, places = [0] * 3, []       # on the beats, half-way, elsewhere
        sizes = notes.tolist() if notes is not None else [2] * len(t)
        basses = bass.tolist() if bass is not None else [False] * len(t)
        ts, louds = t.tolist(), loud.tolist()
        for i, (ti, li, ni, bi) in enumerate(zip(ts, louds, sizes, basses)):
            place = -1
            if li > 0:
                e = ((ti - phase) / period) % 1.0
                place = 0 if e < NEAR or e > 1 - NEAR else 1 if abs(e - 0.5) < NEAR else 2
                if place == 1 and ni < 2 and not bi and _in_line(sizes, i):
                    place = -1               # a melody's eighth half-way, no sign of a beat
                else:
                    counts[place] += 1
            places.append(place)
        if min(counts) < ACCENT_COUNT:
            return period
        sums, weights = [0.0] * 3, [0.0] * 3
        for ti, li, place in zip(ts, louds, places):
            if place >= 0:
                r = math.exp((ti - now) / BASS_RECENCY)
                sums[place] += r * li
                weights[place] += r
        on, mid, off = (a / b for a, b in zip(sums, weights))
        if not (ACCENT_EVEN * on <= mid <= ACCENT_OVER * on and off <= ACCENT_SOFT * min(on, mid)):
            return period
        return half if self._keeps(half, period) else period

    def dotted_level(self, t: np.ndarray, w: np.ndarray, loud: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or 1.5 times it when the strums' accents group its eighths in threes, for
        the onsets t (s, sorted) weighted w that the last `scores` call read; `loud` is each strum's loudness
        (velocity / 127; 0 where not known). Each strum within NEAR of an eighth (half `period`) of the grid is
        counted by its eighth modulo six (a dotted quarter's two beats, the quarter grid's three); the longer grid
        is taken at the one of its three phases an eighth apart whose beats are loudest when its beats' strums
        are `DOTTED_OVER` times as loud as those on its thirds and that contrast is `DOTTED_OVER` times the
        quarter grid's (its beats against the eighths half-way), with ACCENT_COUNT strums on each of the six
        eighths (strummed on every eighth: a sparser figure, or a window still filling, says too little), and the
        longer level keeps `bass_keep` of `period`'s comb score. Without loudness (all notes alike) no contrast
        is heard and `period` stands. Moving, it sets `dotted_beat` (s): a beat of the longer grid, on the
        accents (the phase fit at the new period may take any of the eighths, all strummed)."""
        q = 1.5 * period
        if self.last_acf is None or len(t) < 8 or not self.lag_lo <= q * FPS <= self.lag_hi:
            return period
        now = float(t[-1])
        phase = self._phase(t, w, period)
        if phase is None:
            return period
        eighth = 0.5 * period
        sums, weights, counts = [0.0] * 6, [0.0] * 6, [0] * 6
        near, exp = 2 * NEAR, math.exp      # (locals, and each strum's place taken once: the same floats)
        for ti, li in zip(t.tolist(), loud.tolist()):
            e = (ti - phase) / eighth
            k = round(e)
            if li > 0 and abs(e - k) < near:
                r = exp((ti - now) / BASS_RECENCY)
                k %= 6
                sums[k] += r * li
                weights[k] += r
                counts[k] += 1
        if min(counts) < ACCENT_COUNT:
            return period           # not strummed on every eighth (yet)

        on, mid = _mean(sums, weights, (0, 2, 4)), _mean(sums, weights, (1, 3, 5))
        quarter = max(on, mid) / min(on, mid)
        contrast = [_mean(sums, weights, beats) / _mean(sums, weights, thirds) for beats, thirds in _DOTTED_PLACES]
        best = max(contrast)
        if best < DOTTED_OVER or best < DOTTED_OVER * quarter or not self._keeps(q, period):
            return period
        self.dotted_beat = phase + contrast.index(best) * eighth
        return q

    def _phase(self, t: np.ndarray, w: np.ndarray, period: float) -> float | None:
        """`beat_phase` (s) of onsets t (s) weighted w at `period` (s), at the latest onset, recency BASS_RECENCY.
        `accent_level` and then `dotted_level` ask it of one estimate's onsets at one period: the same arrays (by
        identity, since the last `scores` call: the caller makes them afresh for each estimate and never changes
        them) and period give the phase already worked out (a few dozen exp, cos and sin saved an estimate)."""
        memo = self._phase_memo
        if memo[0] is t and memo[1] is w and memo[2] == period:
            return memo[3]
        phase = beat_phase(t, w, float(t[-1]), period, recency=BASS_RECENCY)
        self._phase_memo = (t, w, period, phase)
        return phase

    def eighth_level(self, t: np.ndarray, w: np.ndarray, loud: np.ndarray, notes: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or three times it when a 6/8 strummed on its eighths is heard at the eighth,
        for the onsets t (s, sorted) weighted w that the last `scores` call read, `loud` each strum's loudness and
        `notes` how many notes it holds. Three times when that is a dotted quarter within COMPOUND_BPM, EIGHTH_CHORDS
        of the onsets are strums (three notes or more) and `dotted_level` hears the accents group the eighths in threes
        on a grid of two of them; it then sets `dotted_beat`. Strumming on every eighth fills every lag alike, and the
        tempo prior prefers the eighths at 150 to the dotted quarters at 50; a player accents the dotted quarter."""
        quarter = 2.0 * period
        if not COMPOUND_BPM[0] <= 60.0 / (3.0 * period) <= COMPOUND_BPM[1] or len(t) < 8:
            return period
        if _share(notes >= 3) < EIGHTH_CHORDS:
            return period
        slow = self.dotted_level(t, w, loud, quarter)
        return period if slow == quarter else slow

    def shuffle_level(self, t: np.ndarray, w: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or three times it when `period` is a shuffle's triplet eighth, for the onsets
        t (s, sorted) weighted w that the last `scores` call read. Three times when that is a dotted quarter within
        SHUFFLE_BPM, SHUFFLE_ON of the recent onset weight lies within NEAR of the eighths, and on one of the three
        phases of a group of three eighths the middle one holds at most SHUFFLE_EMPTY of it while the other two are
        struck ACCENT_COUNT times or more each; the longer level keeps `bass_keep` of `period`'s comb score. It then
        sets `shuffle_beat` (s): a beat of the longer grid, the group's first eighth (the long one). A shuffle's
        eighths are long-short, struck on the beat and its last third: a beat with its middle third always empty
        is no beat (a waltz's bar is struck on all three)."""
        slow = 3.0 * period
        if not SHUFFLE_BPM[0] <= 60.0 / slow <= SHUFFLE_BPM[1] or slow * FPS > self.lag_hi or len(t) < 8:
            return period
        phase = self._phase(t, w, period)
        if phase is None:
            return period
        ts, rs, total = recent_weights(t, w, float(t[-1]), BASS_RECENCY)
        sums, counts, _ = thirds(ts, rs, phase, period)
        on = sum(sums)
        if total <= 0 or on < SHUFFLE_ON * total:
            return period
        k = long_short(sums, counts, on, SHUFFLE_EMPTY, ACCENT_COUNT)
        if k is None or not self._keeps(slow, period):
            return period
        self.shuffle_beat = phase + k * period
        return slow

    def is_shuffle(self, t: np.ndarray, w: np.ndarray, period: float) -> bool:
        """True when `period` (s) is a shuffle's beat: a dotted quarter within SHUFFLE_BPM whose triplet eighths the
        onsets t (s, sorted) weighted w strike long-short (`shuffle_level` at a third of it moves there). Sets
        `shuffle_beat` as `shuffle_level` does."""
        eighth = period / 3.0
        return self.shuffle_level(t, w, eighth) != eighth

    def pair_level(self, t: np.ndarray, w: np.ndarray, loud: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or twice it when the strums come in pairs of a beat and its "and", for the
        onsets t (s, sorted) weighted w that the last `scores` call read and `loud` each one's loudness (velocity /
        127; 0 where not known). Twice when that is within PAIR_BPM, PAIR_SHARE of the onsets within NEAR of the
        grid's beats are in pairs on two beats running with the beat before each pair empty and the second strum
        ACCENT_SOFT of the first or softer, PAIR_COUNT pairs or more all starting on the same parity of the grid's
        beats, and the slower level keeps `bass_keep` of `period`'s comb score. It then sets `pair_beat` (s): a beat
        of the slower grid, on a pair's first strum. A down-stroke and its softer up-stroke are one beat; pairs
        with rests between repeat every two or four periods, and the tempo prior takes the faster level."""
        slow = 2.0 * period
        if not PAIR_BPM[0] <= 60.0 / slow <= PAIR_BPM[1] or slow * FPS > self.lag_hi or len(t) < 2 * PAIR_COUNT:
            return period
        phase = self._phase(t, w, period)
        if phase is None:
            return period
        beats: dict[int, float] = {}       # the grid's struck beats (index from the phase) and their loudest strum
        for ti, li in zip(t.tolist(), loud.tolist()):
            e = (ti - phase) / period
            k = round(e)
            if abs(e - k) < NEAR:
                beats[k] = max(beats.get(k, 0.0), li)
        starts = [k for k in beats if k + 1 in beats and k - 1 not in beats and k + 2 not in beats
                  and 0.0 < beats[k + 1] <= ACCENT_SOFT * beats[k]]
        parities = {k % 2 for k in starts}
        if len(starts) < PAIR_COUNT or len(parities) > 1 or 2 * len(starts) < PAIR_SHARE * len(beats):
            return period
        if not self._keeps(slow, period):
            return period
        self.pair_beat = phase + max(starts) * period
        return slow

    def bar_accent_level(self, t: np.ndarray, loud: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or twice it when the bar's accents say a 4/4 bar is eight of its beats, for
        the onsets t (s, sorted) that the last `scores` call read and `loud` each one's loudness (velocity / 127; 0
        where not known). Twice when the level's tempo is within BAR_ACCENT_BPM, the last FIGURE_SPAN seconds strike
        FIGURE_FILLED of its half periods, ACCENT_BARS accents or more (ACCENT_LOUD of the median loudness) fall a
        whole number of eight periods apart (within NEAR of a period), and the slower level keeps `bass_keep` of the
        comb. It then sets `accent_beat` (s): the last accent, a beat (the bar's one). Sixteenths strummed down-up
        with only the 1 accented fill every lag alike, and the tempo prior and the first seconds' window take their
        eighths; the accent comes once a bar."""
        slow = 2.0 * period
        if not BAR_ACCENT_BPM[0] <= 60.0 / period <= BAR_ACCENT_BPM[1] or slow * FPS > self.lag_hi or len(t) < 16:
            return period
        played = loud[loud > 0]
        if len(played) < 16:
            return period
        accents = t[loud >= ACCENT_LOUD * float(np.median(played))]
        if len(accents) < ACCENT_BARS or struck(t[t >= t[-1] - FIGURE_SPAN], 0.5 * period) < FIGURE_FILLED:
            return period
        bars = np.diff(accents) / (8.0 * period)
        if np.any(np.round(bars) < 1) or np.any(np.abs(bars - np.round(bars)) * 8.0 > NEAR):
            return period
        if not self._keeps(slow, period):
            return period
        self.accent_beat = float(accents[-1])
        return slow

    def quarter_level(self, t: np.ndarray, w: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or half of it when the grid runs at half the player's tempo, for the onsets
        t (s, sorted) weighted w that the last `scores` call read. Half when twice the tempo is at most QUARTER_BPM,
        the onsets of the last QUARTER_SPAN seconds lie on the grid's quarter-beats (QUARTER_ON of their weight,
        within NEAR of a quarter) and fill QUARTER_PLACES of the four places in the beat (QUARTER_SHARE each), and
        the half level keeps `bass_keep` of `period`'s comb score. The comb adds a figure's repeat to the slower
        level: a figure two beats long is heard at half its tempo, with its strums on the quarters of the slow
        beat; a slow song's strums fall on the beat and its half (its sixteenths, 0.2 s or less apart at
        QUARTER_BPM / 2, are a faster song's eighths)."""
        half = 0.5 * period
        if 60.0 / half > QUARTER_BPM or half * FPS < self.lag_lo or self.last_acf is None or len(t) < 8:
            return period
        now = float(t[-1])
        m = t >= now - QUARTER_SPAN
        ts, rs, total = recent_weights(t[m], w[m], now, BASS_RECENCY)
        quarter = 0.25 * period
        if total <= 0 or len(ts) < 6:
            return period
        phase = circular_mean(ts, rs, quarter)
        bar = [0.0] * 8                 # the eight quarter-beats of two beats (a 2/4 bar at this level)
        for ti, ri in zip(ts, rs):
            e = (ti - phase) / quarter
            k = round(e)
            if abs(e - k) < NEAR:
                bar[k % 8] += ri
        places = [bar[i] + bar[i + 4] for i in range(4)]
        if sum(places) < QUARTER_ON * total or sum(p >= QUARTER_SHARE * total for p in places) < QUARTER_PLACES:
            return period
        if skips_a_beat(bar, total):
            return period
        return half if self._keeps(half, period) else period

    def bar_level(self, period: float, bass_bar: bool = False) -> float:
        """The beat period (s): `period`, or half of it when the figure the onsets repeat lasts 1.5 beats, from the
        last `scores` call's autocorrelation. Half when that at 1.5 periods is BAR_SPLIT times that at one and at
        two periods, the figure's second repeat (three periods) is more than those too (the window spanning five
        periods or more: `autocorrelation` reads no lag past 0.6 of it; a 5/8 bar's 3+2 eighths repeat their three
        every 1.5 quarters, not every three), and the half level keeps `bass_keep` of `period`'s comb score. A
        level at which the bar holds a non-whole number of beats is no reading: a fast waltz (bass on 1, chords
        on 2 and 3) repeats every three quarters, and the tempo prior takes two quarters as the beat, its bars
        then spanning two of the player's with their beats on his 1, 3, 2. `bass_bar`: the bass already keeps a
        grid 1.5 periods long (`bass_level`), the bar: half (its three beats), or the bar itself when half is
        faster than the tempo range (a jig's eighths; one beat a bar splits nothing). No split when nothing repeats at
        1.5 periods (a few free chords held seconds apart, an autocorrelation of zeros: review27's rubato intros took
        their half level from it, 133-150 BPM, and the groove after them at 176 for 88), nor when the onsets repeat
        more every four periods than every 1.5: a 4/4 bar's D . D U . U D U repeats its eighths 3+3+2, 1.5 beats apart
        (review27's rubato-intro grooves at 76-100: the four-beat lag 1.12-1.41 times the split's), where a fast
        waltz's bar is no whole number of them."""
        half = 0.5 * period
        acf = self.last_acf
        if half * FPS < self.lag_lo or acf is None:
            return 1.5 * period if bass_bar else period
        if bass_bar:
            return half
        one, split, two, twice, four = (_at_lag(acf, m * period * FPS) for m in (1.0, 1.5, 2.0, 3.0, 4.0))
        if split <= 0.0 or twice < max(one, two) or split < BAR_SPLIT * max(one, two):   # (twice 0: window too short)
            return period
        if 4.0 * period * FPS <= self._acf_lag[-1] and four > split:
            return period       # a 4/4 bar's syncopated figure (D . D U . U D U, 3+3+2 eighths), not a split bar
        return half if self._keeps(half, period) else period

    def deep_split(self, bass: np.ndarray, period: float) -> bool:
        """Whether the bar's bass notes at times `bass` (s, rising; `OnsetWindow.deep`: each a whole tone or more
        under the strums either side of it) split the bar at the level `period` (s): DEEP_LEAST of them or more,
        each gap a whole number of 1.5 periods (within NEAR of a period) and DEEP_ODD of the gaps an odd number
        (1.5 or 4.5 periods; an even one is a whole number of beats). A fast waltz whose every beat sounds (a
        melody note on each, chords on 2 and 3) repeats every lag alike, but its bass keeps the bar: three
        quarters, at two quarters a beat 1.5 beats. `bar_level` then halves the level."""
        if len(bass) < DEEP_LEAST or 0.5 * period * FPS < self.lag_lo:
            return False
        # In plain Python over the few gaps (numpy's per-call cost was most of it: 5.8 us against 1.3 us by timeit on
        # eight basses): the same floats, `round` rounding half to even as np.rint does.
        times, unit, odd = bass.tolist(), 1.5 * period, 0
        for before, after in zip(times, times[1:]):
            r = (after - before) / unit
            k = round(r)
            if k < 1 or abs(r - k) * 1.5 > NEAR:
                return False
            odd += k % 2 == 1
        return odd / (len(times) - 1) >= DEEP_ODD

    def picking_level(self, t: np.ndarray, bass: np.ndarray, notes: np.ndarray, period: float,
                      deep: np.ndarray | None = None, bar_only: bool = False) -> float:
        """The beat period (s): `period`, or twice it when a slow fingerpicked figure is heard at its eighths, for the
        onsets t (s, sorted) that the last `scores` call read, `bass` True where one has a bass note, `notes` how
        many notes each holds and `deep` True where its note lies a whole tone or more under the onsets either side
        (`OnsetWindow.deep`; None: not known). Twice when PICK_LONE of the onsets are single notes, PICK_EVEN of the
        gaps are one period (one note a beat, none between) and the thumb's notes, PICK_THUMBS or more, fall four
        periods apart (median gap; a thumb on 1 and 3) with that beat's tempo within PICK_BPM, or two apart (a
        thumb on every beat) within TRAVIS_BPM, while the slower level keeps `bass_keep` of the comb. The thumb's
        notes are the bass notes, or else those and the deep ones: under a capo few of them are under E3
        (review23's D aeolian ballad under capo 5, its bass under E3 once a bar, was heard at 126), but they lie
        under the fingers' (the piece's first note, the thumb's on 1, has none before it to be deep). A picked
        arpeggio of eighths over a thumb on beats 1 and 3 fills every beat of both levels, and the tempo prior takes
        the eighths; a fingerpicker's thumb keeps the beat or the half bar, not one beat in four or every second
        one, and a note on every beat with nothing between is an arpeggio's subdivision, not its beat. A thumb once
        a bar of three beats (PICK_WALTZ periods apart) counts as one on 1 and 3; `bar_only`: only that thumb counts
        (in compound time, where a 3/4 arpeggio's eighths heard as the beat were read as 6/8's)."""
        slow = 2.0 * period
        bpm = 60.0 / slow
        if not PICK_BPM[0] <= bpm <= TRAVIS_BPM[1] or self.last_acf is None or len(t) < 8:
            return period
        if _share(notes == 1) < PICK_LONE or _share(np.abs((t[1:] - t[:-1]) / period - 1.0) < NEAR) < PICK_EVEN:
            return period
        gaps = {_thumb_gap(t[bass], period), _thumb_gap(t[bass | deep], period) if deep is not None else 0}
        if bar_only:
            gaps &= {PICK_WALTZ}
        if not ((4 in gaps or PICK_WALTZ in gaps) and bpm <= PICK_BPM[1] or 2 in gaps and TRAVIS_BPM[0] <= bpm):
            return period
        return slow if self._keeps(slow, period) else period

    def oompah_level(self, t: np.ndarray, w: np.ndarray, bass: np.ndarray, notes: np.ndarray, period: float) -> float:
        """The beat period (s): `period`, or half of it when an oom-pah is heard at half its tempo, for the onsets t
        (s, sorted) weighted w that the last `scores` call read, `bass` True where one has a bass note and `notes` how
        many notes each holds. Half when twice the tempo is within OOMPAH_BPM and, of the onsets on the grid's beats
        and of those half-way between (within NEAR), one place holds lone bass notes and the other chords (three
        notes or more), OOMPAH_SHARE of each place's onsets, each place struck on OOMPAH_SHARE of the window's beats
        and OOMPAH_COUNT times or more, while the half level keeps `bass_keep` of `period`'s comb. A bass and a chord
        that take turns are a beat each: the comb hears the figure repeat at the bass's period, the tempo prior
        prefers its 90 to a polka's 180, and the band's beat then falls on the "pah". Strums elsewhere (a polka's
        up-strums on the "and"s) do not count."""
        half = 0.5 * period
        if not OOMPAH_BPM[0] <= 60.0 / half <= OOMPAH_BPM[1] or half * FPS < self.lag_lo or self.last_acf is None:
            return period
        if len(t) < 2 * OOMPAH_COUNT:
            return period
        phase = self._phase(t, w, period)
        if phase is None:
            return period
        places = _beat_or_half(t.tolist(), phase, period)
        # Taking turns: a bass on (nearly) every beat and a chord on every half-way, not a bass every second beat and
        # a chord on the "and" of the next (sim2's dynamics_2-4 Bb-minor at 93: 1, 2-and)
        n_on, n_mid = places.count(0), places.count(1)
        if min(n_on, n_mid) < max(OOMPAH_COUNT, OOMPAH_SHARE * (t[-1] - t[0]) / period):
            return period           # (most estimates: the kinds of note below are not looked at)
        sizes = notes.tolist()
        lone = [b and n == 1 for b, n in zip(bass.tolist(), sizes)]
        chord = [n >= 3 for n in sizes]
        if not _take_turns(places, lone, chord):
            if places.count(-1) < OOMPAH_COUNT:     # (no onsets at the quarters: the half grid's half-beats)
                return period
            # under half tempo the turns are single notes: the root rings under the fifth that alternates with it,
            # which is then no bass (engine/listen/guitar.py's `bass_memory`)
            return self._eighth_oompah(t, phase, half, [n == 1 for n in sizes], chord)
        return half if self._keeps(half, period) else period

    def _eighth_oompah(self, t: np.ndarray, phase: float, half: float, lone: list[bool], chord: list[bool]) -> float:
        """`half` (s) when single notes (`lone` True per onset t, s) and chords (`chord`) take turns on the beats and
        half-beats of the grid of `half` through `phase` (s), as `oompah_level` asks of its own grid, within
        OOMPAH_BPM: a fast polka's bass on every quarter and chord on every "and", heard at half its tempo, where the
        turns are an eighth apart (review37's polkas at 150-184 glided to 80-92 after the entry). Else twice `half`,
        the grid's period."""
        period = 2 * half
        if lone.count(True) < OOMPAH_SHARE * OOMPAH_COUNT:    # (the least `_take_turns` can take)
            return period
        places = _beat_or_half(t.tolist(), phase, half)
        if min(places.count(0), places.count(1)) < max(OOMPAH_COUNT, OOMPAH_SHARE * (t[-1] - t[0]) / half):
            return period
        if not _take_turns(places, lone, chord):
            return period
        return half if self._keeps(half, period) else period

    def figure_repeat(self, period: float) -> float:
        """How much more the last `scores` call's autocorrelation repeats a 3+3+2 figure than whole beats, were `period`
        (s) its dotted level: with the unit a third of `period`, the largest ratio of the value at 8 or 16 units (a
        bar or two of eighths, a bar of sixteenths) to the largest at the whole numbers of `period`s either side (2
        and 3, 5 and 6); 0 while the window does not reach them (before it is `early_span` full, or past 0.6 of its
        span). A bar holds whole beats, and 16 units are 5 1/3 dotted beats."""
        acf = self.last_acf
        if acf is None or self.acf_reach < 0.6 * self.early_span * self.window * FPS:
            return 0.0              # (a window still filling: a few bars' chance repeats)
        lag = period * FPS
        repeat = 0.0
        for units in (8, 16):
            figure, after = units * lag / 3, math.ceil(units / 3) * lag
            if after + len(self._kernel) // 2 >= self.acf_reach:
                continue            # (the window does not reach the whole beats after the figure yet)
            whole = max(_at_lag(acf, math.floor(units / 3) * lag), _at_lag(acf, after))
            repeat = max(repeat, _at_lag(acf, figure) / max(whole, 1e-9))
        return repeat

    def figure_level(self, period: float, t: np.ndarray) -> float:
        """The beat period (s): `period`, or the straight beat under it when it is the dotted level of a 3+3+2 figure
        (`figure_repeat` at least FIGURE_REPEAT), for the onsets t (s, sorted) the last `scores` call read: four units
        when the last FIGURE_SPAN seconds strike FIGURE_FILLED of the units and not of the half units (the units are
        running sixteenths, the fastest pulse: funk), else two (eighths: a bossa's pinches; or funk heard at the
        dotted half, whose units are eighths with the sixteenths between), while that beat's comb keeps FIGURE_KEEP
        of `period`'s. The autocorrelation of a figure whose accents fall every three units (1, &2, 4 in eighths)
        peaks at three units as at the true beat, and the tempo prior decides between them; the bar decides
        musically."""
        if self.figure_repeat(period) < FIGURE_REPEAT:
            return period
        unit = period / 3
        recent = t[t >= t[-1] - FIGURE_SPAN]
        sixteenths = fastest_pulse(recent, unit)
        beat = (4 if sixteenths else 2) * unit
        if not self.lag_lo <= beat * FPS <= self.lag_hi or not self._keeps(beat, period, FIGURE_KEEP):
            return period
        return beat

    def sixteenth_level(self, t: np.ndarray, loud: Sequence[float], period: float) -> float:
        """The beat period (s): `period`, or 4:3 or 4:5 of it when `period` is three or five sixteenths
        (SIXTEENTH_SPANS) of a straight beat, for the
        onsets t (s, sorted) the last `scores` call read and each one's loudness `loud` (velocity / 127; 0 where not
        known; any sequence, read only past the cheap tests). 4:3 when that beat's tempo is within SIXTEENTH_BPM,
        the window spans SIXTEENTH_SPAN of its beats, the last FIGURE_SPAN seconds strike FIGURE_FILLED of the units
        (a third of `period`) and not of their halves (running sixteenths, the fastest pulse), the units' loudness
        repeats every four of them (`unit_contrast` at least SIXTEENTH_OVER) and not every three (`_unit_repeat`
        under SIXTEENTH_THREES: a jig's eighths) and the beat's comb keeps FIGURE_KEEP of `period`'s. Funk's chops
        every three sixteenths make the autocorrelation peak at the dotted eighth as at the beat, and the tempo prior
        takes the faster one; the bar (`figure_level`) shows only once the window
        reaches two bars, after the band came in. The accents on 1 and the backbeats, every four sixteenths, are
        the beat a funk player counts."""
        return next((beat for units in SIXTEENTH_SPANS
                     if (beat := self._sixteenth_beat(t, loud, period, units)) != period), period)

    def _sixteenth_beat(self, t: np.ndarray, loud: Sequence[float], period: float, units: int) -> float:
        """`sixteenth_level` for `period` (s) as `units` sixteenths: the beat of four of them (s), else `period`."""
        unit = period / units
        beat = 4 * unit
        if not SIXTEENTH_BPM[0] <= 60.0 / beat <= SIXTEENTH_BPM[1] or t[-1] - t[0] < SIXTEENTH_SPAN * beat:
            return period
        recent = t[t >= t[-1] - FIGURE_SPAN]
        if len(recent) < FIGURE_FILLED * ((recent[-1] - recent[0]) / unit + 1):
            return period           # (too few onsets to strike the units: `struck` without its np.unique)
        if not fastest_pulse(recent, unit):
            return period
        if not self._keeps(beat, period, FIGURE_KEEP):
            return period
        loud = np.asarray(loud)
        if unit_contrast(t, loud, unit, 4) < SIXTEENTH_OVER or _unit_repeat(t, loud, unit, 3) >= SIXTEENTH_THREES:
            return period
        return beat

    def line_level(self, t: np.ndarray, accent: np.ndarray, period: float, current: float | None) -> float:
        """The beat period (s) of a single-note line: `period`, or 3:2 of it when the line's long notes fall on
        that grid's beats by LINE_GROUPING more than on `period`'s (`grouping_contrast`; by any amount when that
        is the `current` level, s or None); `t` the onsets (s) and `accent` each one's durational accent. A line
        of running eighths recurs every two eighths as much as every three, and the tempo prior then takes the
        level nearer 100 BPM: a jig at 70 dotted quarters a minute was heard in 3/4 at 105. Its long notes, on
        the dotted quarters, tell its grouping. Only a `regroupable` level is regrouped; the `current` one stays
        on weaker evidence than a move there needs (LINE_BAR_KEEP)."""
        slower = 1.5 * period
        kept = current is not None and abs(slower / current - 1) < 0.15
        if not self.regroupable(t, period, kept):
            return period
        there = grouping_contrast(t, accent, slower)
        here = grouping_contrast(t, accent, period)
        if kept and there > here:
            return slower
        if there >= LINE_GROUPING_MIN and there > LINE_GROUPING * here:
            return slower
        return period

    def straight_level(self, t: np.ndarray, period: float) -> float:
        """The beat period (s) of a single-note line: `period`, or 2:3 of it when the line is a fast straight one
        heard at its dotted quarters, for its onsets t (s, sorted; the window the last `scores` call read). 2:3
        when that beat's tempo is within STRAIGHT_BPM, the window is `early_span` full and holds STRAIGHT_DENSITY
        onsets per faster beat, the median gap is at least STRAIGHT_GAP of `period`, and one steady grid at 2:3
        holds STRAIGHT_MARGIN more of the onsets on its beats than one at `period` (`beat_share`). A bossa or
        samba solo's 3+3+2 figures put its long notes a dotted quarter apart, so the autocorrelation and the
        durational accents both favour that level, but the closing two eighths of each bar turn the dotted
        quarters' phase: only the true beat keeps it."""
        faster = 2.0 * period / 3.0
        span = t[-1] - t[0]
        if not STRAIGHT_BPM[0] <= 60.0 / faster <= STRAIGHT_BPM[1] or span < self.early_span * self.window:
            return period
        if len(t) * faster < STRAIGHT_DENSITY * span or np.median(np.diff(t)) < STRAIGHT_GAP * period:
            return period
        return faster if beat_share(t, faster) >= beat_share(t, period) + STRAIGHT_MARGIN else period

    def level_contested(self, t: np.ndarray, period: float) -> bool:
        """Whether a single-note line's onsets t (s, sorted; the window the last `scores` call read) hold no evidence
        yet between the level `period` (s) and a fast straight line's beat at 2:3 of it: that beat's tempo is within
        STRAIGHT_BPM, half the line's gaps or more are CONTEST_GAP of `period` or more, and one steady grid at 2:3
        holds at least as many of the onsets on its beats as one at `period` (`beat_share`). `straight_level` moves
        the level only on STRAIGHT_MARGIN more of a dense line; until then a band not yet playing waits."""
        faster = 2.0 * period / 3.0
        if len(t) < 2 or not STRAIGHT_BPM[0] <= 60.0 / faster <= STRAIGHT_BPM[1]:
            return False
        if 2 * np.count_nonzero(np.diff(t) >= CONTEST_GAP * period) < len(t) - 1:
            return False           # (half the gaps or more a beat long: the median, without np.median's 24 us)
        return beat_share(t, faster) >= beat_share(t, period)

    def regroupable(self, t: np.ndarray, period: float, kept: bool = False) -> bool:
        """Whether a single-note line's onsets t (s, sorted; those the last `scores` call read) at the level
        `period` (s) may be regrouped in threes (`line_level`): the window is `early_span` full, the level is two
        of the line's usual gaps (the eighth; LINE_EIGHTH), and the onsets repeat every three of its beats at least
        LINE_BAR as much as every four (a 6/8 bar, not a 4/4 bar of a syncopated 3+3+2 line, whose long notes fall
        on dotted quarters too). `kept`: the 3:2 level is the current one, which stays at LINE_BAR_KEEP, on a
        window not yet full."""
        short = t[-1] - t[0] < self.early_span * self.window and not kept
        if 1.5 * period * FPS > self.lag_hi or short or self.last_acf is None:
            return False
        if abs(float(np.median(np.diff(t))) / (0.5 * period) - 1) > LINE_EIGHTH:
            return False
        acf_bar = np.interp((3 * period * FPS, 4 * period * FPS), self._acf_lag, self.last_acf)
        return bool(acf_bar[0] >= (LINE_BAR_KEEP if kept else LINE_BAR) * acf_bar[1])

    def _comb(self, period: float) -> float:
        """The last `scores` call's autocorrelation at `period` (s) plus `comb2` of it at twice that, read between
        whole lags."""
        lag = period * FPS
        acf = self.last_acf
        return _at_lag(acf, lag) + self.comb2 * _at_lag(acf, 2 * lag)

    def _keeps(self, level: float, period: float, share: float | None = None) -> bool:
        """True when the level `level` (s) a figure moves the estimate to keeps `share` (default `bass_keep`) of the
        comb score (`_comb`) of the estimate's `period` (s): the onsets still hold the level the figure asks for."""
        return self._comb(level) >= (self.bass_keep if share is None else share) * self._comb(period)

    def _pairs(self, count: int) -> tuple[np.ndarray, np.ndarray]:
        """Index pairs (i < j) of `count` onsets, row by row (np.triu_indices(count, 1)'s arrays and order), cached
        per count. A count not seen before takes the nonzero places of the top left corner of one upper triangle
        kept (`_upper`, grown as needed): some 3 us against np.triu_indices' 15-25 us, 70-80 us in the replay
        (`listen_parts.py`: a cold call), which the first re-estimate at each count paid (`listen_instructions.py
        --notes`: 100-160 k instructions of such a note, ~4 % of it)."""
        pairs = self._pair_cache.get(count)
        if pairs is None:
            if len(self._upper) < count:
                size = 2 * count
                self._upper = np.triu(np.ones((size, size), dtype=bool), 1)
            pairs = self._pair_cache[count] = np.nonzero(self._upper[:count, :count])
        return pairs

    def refine(self, score: np.ndarray, L: int) -> float | None:
        """Seconds per beat at lag L (frames; `score` as from `scores`), with parabolic interpolation for a
        sub-frame lag (at most half a frame either way: L may be the edge of a search window rather than a
        peak, where the parabola's vertex can lie anywhere); None when L has no evidence."""
        lo, hi = self.lag_lo, self.lag_hi
        if score[L - lo] <= 0:
            return None
        if lo < L < hi:
            a, b, c = score[L - lo - 1], score[L - lo], score[L - lo + 1]
            den = a - 2 * b + c
            L = L + (min(0.5, max(-0.5, 0.5 * (a - c) / den)) if den < 0 else 0.0)
        return float(L) / FPS

    def estimate(self, t: np.ndarray, w: np.ndarray, current: float | None,
                 stay: float | None = None, longest: float | None = None) -> float | None:
        """The beat period (s) of onsets t (s, sorted) weighted w, given the `current` period (s; None before
        there is one): near the current level (within a third) unless a rival level keeps winning (see the
        module); with `stay` (a ratio > 1), always within that ratio of it (an aqsaq bar is heard: its level is
        the quarter, `engine.listen.beat`); with `longest` (s), no rival level slower than that (the bar heard
        surely: a level whose beat is the whole bar is no beat, `engine.listen.beat`). None when no lag has
        evidence."""
        score = self.scores(t, w)
        lo = self.lag_lo
        if current is not None and longest is not None and longest * FPS < self.lag_hi:
            cap = max(int(longest * FPS) - lo + 1, math.floor(current * FPS * 1.33) - lo + 1)
            best = int(score[:cap].argmax())      # the near window stays whole (a drift slower is no rival)
        else:
            best = int(score.argmax())            # indices into score: lag - lo
        if current is not None:
            # Stay near the current level (within a third) unless a rival level wins repeatedly; while the
            # window is still filling, the current level only gets a head start of `early_bonus`.
            cur, near = current * FPS, stay or 1.33
            a = max(0, math.ceil(cur / near) - lo)
            b = min(len(score), math.floor(cur * near) - lo + 1)
            if a < b:
                local = a + int(score[a:b].argmax())
                inside = a <= best < b
                if stay is not None:
                    best = local
                elif t[-1] - t[0] < self.early_span * self.window:
                    if not inside and score[local] * self.early_bonus >= score[best]:
                        best = local
                elif not inside and score[local] > 0:
                    if not self._rival_takes_over(score, best, local):
                        best = local
                else:
                    self._rival_lead, self.rival_count = 0.0, 0
                    best = local
        return self.refine(score, lo + best)

    def _rival_takes_over(self, score: np.ndarray, best: int, local: int) -> bool:
        """Another level (index `best` into score) leads the best one near the current level (`local`): its lead
        (log of the score ratio) adds up over consecutive estimates, and it takes over (True) once the sum
        reaches `rival_needed`."""
        lead = math.log(score[best] / score[local])
        rival = self.lag_lo + best
        same = self._rival is not None and abs(rival / self._rival - 1) < 0.05
        self._rival_lead = (self._rival_lead if same else 0.0) + lead
        self.rival_count = self.rival_count + 1 if same else 1
        self._rival = rival
        if self._rival_lead < self.rival_needed:
            return False
        self._rival_lead, self.rival_count = 0.0, 0
        return True

    def nearest_level(self, t: np.ndarray, w: np.ndarray, current: float) -> float | None:
        """The best-scoring period (s) of onsets t (s) weighted w within 1.5x either way of `current` (s): the
        same metrical level after a sudden tempo change. None when there is none."""
        score = self.scores(t, w)
        cur = current * FPS
        lags = self.lags
        near = (lags >= cur / 1.5) & (lags <= cur * 1.5)
        if not near.any():
            return None
        return self.refine(score, self.lag_lo + int(np.argmax(np.where(near, score, -np.inf))))


class TapTempo:
    """Tap tempo: the beat period is the median interval of the last eight taps of one count."""

    def __init__(self) -> None:
        self.taps: list[float] = []         # times (s) of the current count's taps
        self.count = 0                      # taps in the current count (all of them, the last eight kept)

    def tap(self, t: float) -> float | None:
        """A tap at t (s): the beat period (s) from the second tap of a count on, else None. A tap less than
        0.25 s or more than 2 s after the last one starts a new count."""
        taps = self.taps
        if taps and not 0.25 <= t - taps[-1] <= 2.0:
            taps.clear()                    # too fast or too slow to be the same count: start again
            self.count = 0
        taps.append(t)
        self.count += 1
        del taps[:-8]
        if len(taps) < 2:
            return None
        gaps = sorted(b - a for a, b in zip(taps, taps[1:]))
        return gaps[len(gaps) // 2]


# The twelve pitch classes, as bit numbers (`changed_sixteenth`)
_PITCH_CLASSES = np.arange(12)

# The two whole lags either side of a pair's gap, as offsets from the lower (`TempoEstimator.autocorrelation`)
_BINS = np.array(((0,), (1,)), dtype=np.intp)

# Per phase k of the dotted grid (0..2 eighths), its beats' eighths modulo six and the other four (`dotted_level`)
_DOTTED_PLACES = [((k, k + 3), tuple(i for i in range(6) if i % 3 != k)) for k in range(3)]


def skips_a_beat(bar: list[float], total: float) -> bool:
    """Whether onset weights on the eight quarter-beats of two beats (`bar`, from the grid's quarter-beat phase; their
    sum at most `total`) leave one beat of the twice-as-fast level empty (under SKIP_EMPTY of `total`) while its
    "and" and the three other beats of that level are struck (QUARTER_SHARE of `total` or more each). That level's
    beats are the four quarter-beats of one parity that hold more weight."""
    parity = 0 if sum(bar[0::2]) >= sum(bar[1::2]) else 1
    beats = [parity + 2 * i for i in range(4)]
    empty = [b for b in beats if bar[b] < SKIP_EMPTY * total]
    if len(empty) != 1:
        return False
    struck = [b for b in beats if b != empty[0]] + [(empty[0] + 1) % 8]
    return all(bar[b] >= QUARTER_SHARE * total for b in struck)


def _mean(sums: list[float], weights: list[float], places: tuple[int, ...]) -> float:
    """The weighted mean over `places` of per-place weighted sums `sums` and weights `weights`: each summed in the
    order given from 0, as `sum` over a generator adds them (the same floats, without a generator per sum)."""
    total = weight = 0
    for i in places:
        total += sums[i]
        weight += weights[i]
    return total / weight


def _take_turns(places: list[int], lone: list[bool], chord: list[bool]) -> bool:
    """Whether lone notes (`lone` True per onset) and chords (`chord`) take turns on a grid's beats and half-beats
    (`places` per onset: 0, 1 or -1, `_beat_or_half`): OOMPAH_SHARE of one place's onsets lone and of the other's
    chords (`TempoEstimator.oompah_level`)."""
    n_on, n_mid = places.count(0), places.count(1)

    def holds(place: int, count: int, kind: list[bool]) -> bool:     # (a place, its count, a kind of onset)
        return sum(p == place and k for p, k in zip(places, kind)) >= OOMPAH_SHARE * count

    return holds(0, n_on, lone) and holds(1, n_mid, chord) or holds(0, n_on, chord) and holds(1, n_mid, lone)


def _beat_or_half(ts: list[float], phase: float, period: float) -> list[int]:
    """Per onset time ts (s), its place on the grid of `period` (s) through `phase` (s): 0 within NEAR of a beat, 1
    within NEAR of half-way between two, -1 elsewhere. In plain Python over the few dozen onsets a re-estimate reads,
    the floats of numpy's masks on ((t - phase) / period) % 1.0 (Python's float remainder is numpy's floored one)
    without their dozen calls (`oompah_level`: ~12 k instructions an estimate, speed26)."""
    places, late = [], 1 - NEAR
    for ti in ts:
        e = ((ti - phase) / period) % 1.0
        places.append(0 if e < NEAR or e > late else 1 if abs(e - 0.5) < NEAR else -1)
    return places


def _at_lag(acf: np.ndarray, lag: float) -> float:
    """The autocorrelation `acf` (one value per frame of lag from 0) read at `lag` (frames, 0 or more) between its
    frames: np.interp's own formula (slope times the distance from the frame below, plus that frame's value: the same
    float; past the last frame its value, as np.interp's right end) without its Python wrapper, some 2 us a call
    (`figure_repeat` reads six a tempo estimate, `bar_level` five, every estimate; `_comb` two)."""
    if lag >= len(acf) - 1:
        return float(acf[-1])
    below = math.floor(lag)
    low = float(acf[below])
    return (float(acf[below + 1]) - low) * (lag - below) + low


def struck(t: np.ndarray, unit: float) -> float:
    """The share of the slots `unit` (s) apart from the first of onsets t (s, sorted) to the last that hold one."""
    # (plain Python over the few dozen onsets of FIGURE_SPAN: the same slots as np.unique(np.round((t - t[-1]) /
    # unit)), Python's round halving to even as numpy's, without np.unique's sort and masks: a decision in
    # SIXTEENTH_BPM asks it twice)
    ts = t.tolist()
    last = ts[-1]
    return len({round((ti - last) / unit) for ti in ts}) / ((t[-1] - t[0]) / unit + 1)


def fastest_pulse(t: np.ndarray, unit: float) -> bool:
    """True when the onsets t (s, sorted) strike FIGURE_FILLED of the slots `unit` (s) apart and not of the slots
    half as far apart (`struck`): `unit` is the fastest pulse running (funk's sixteenths, a bossa's eighths)."""
    return struck(t, unit) >= FIGURE_FILLED > struck(t, unit / 2)


def accented_sixteenth(t: np.ndarray, loud: np.ndarray, phase: float, unit: float, now: float) -> int:
    """Which of four units (s) from `phase` (s, a unit's time) the loudest onsets fall on: 0..3, the one whose
    onsets t (s) with loudness `loud` (velocity / 127) are loudest on average, each weighed by its recency
    (BASS_RECENCY from `now`, s). Funk accents the 1 and the backbeats, on the beat's first sixteenth."""
    k = np.round((t - phase) / unit).astype(int) % 4
    r = np.exp((t - now) / BASS_RECENCY)
    means = [float((loud * r)[k == j].sum() / max(r[k == j].sum(), 1e-9)) for j in range(4)]
    return int(np.argmax(means))


def changed_sixteenth(t: list[float], pcs: list[int], phase: float, unit: float) -> int | None:
    """Which of four units (s) from `phase` (s, a unit's time) the harmony changes on: 0..3, the one whose onsets
    t (s, rising) bring the most pitch classes (`pcs`, bit k for pitch class k) that no onset of the HARMONY_SPAN
    straight beats (four units) before sounded, when it holds HARMONY_SHARE of the window's news and HARMONY_LEAST
    pitch classes or more; else None. Onsets within HARMONY_SPAN beats of the window's first are not weighed (no
    harmony before them is known). Chords change on the beat (the 1, or 3); a funk player's accents, chopped off
    it, do not say where the beat is."""
    span = HARMONY_SPAN * 4 * unit
    times = np.asarray(t)
    # each (onset, pitch class) sounded, by pitch class and then time: news where the class's last sounding before
    # lies over `span` back, or none does since the window's first onset (a few numpy calls, not a loop per onset)
    rows, cols = np.nonzero((np.asarray(pcs)[:, None] >> _PITCH_CLASSES) & 1)
    order = np.lexsort((rows, cols))
    rows, cols = rows[order], cols[order]
    at = times[rows]
    new = np.ones(len(at), dtype=bool)
    new[1:] = (cols[1:] != cols[:-1]) | (at[1:] - at[:-1] > span)
    new &= at - times[0] >= span
    news = np.bincount(np.round((at[new] - phase) / unit).astype(int) % 4, minlength=4)
    total, top = int(news.sum()), int(news.argmax())
    return top if total >= HARMONY_LEAST and news[top] >= HARMONY_SHARE * total else None


def unit_contrast(t: np.ndarray, loud: np.ndarray, unit: float, group: int) -> float:
    """How much louder the loudest of the `group` phases of a grid of `unit` (s) is than all of the onsets t (s,
    sorted) with loudness `loud`: the mean loudness of the onsets nearest each `group`-th unit, at the phase where
    it is largest, over the mean of all (1.0: no accent repeats every `group` units). The units' grid is placed at
    the onsets' circular mean at `unit`."""
    phase = circular_mean(t.tolist(), [1.0] * len(t), unit)
    k = np.round((t - phase) / unit).astype(int) % group
    means = [float(loud[k == r].mean()) for r in range(group) if np.any(k == r)]
    return max(means) / max(float(loud.mean()), 1e-9)


def _unit_repeat(t: np.ndarray, loud: np.ndarray, unit: float, lag: int) -> float:
    """How alike the units' loudness is `lag` units apart: the correlation (-1..1) of the loudness on the grid of
    `unit` (s) through the onsets t (s, sorted; the loudest onset of a unit, the mean where none) with itself `lag`
    units on; 0.0 when either side is flat. A figure accented every three units (6/8's eighths) gives about 1."""
    phase = circular_mean(t.tolist(), [1.0] * len(t), unit)
    k = np.round((t - phase) / unit).astype(int)
    k -= k.min()
    if k[-1] <= lag:
        return 0.0
    units = np.full(k[-1] + 1, -1.0)
    np.maximum.at(units, k, loud)
    units = np.where(units < 0, float(loud.mean()), units) - float(loud.mean())
    a, b = units[:-lag], units[lag:]
    norm = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / norm if norm > 0 else 0.0


def _share(mask: np.ndarray) -> float:
    """The share (0..1) of True in a boolean array of one or more values: np.mean's float (the exact count over the
    length, rounded once), without its Python-level wrapper (some 2 us a call against 0.2 us on session 23's machine;
    the level tests ask it on every tempo estimate)."""
    return np.count_nonzero(mask) / len(mask)


def _thumb_gap(thumbs: np.ndarray, period: float) -> int:
    """How many periods (s) apart the thumb's notes at times `thumbs` (s, rising) lie: 2, 4 or PICK_WALTZ when there
    are PICK_THUMBS or more and their median gap is within that many times NEAR of it (a thumb on every beat, on 1
    and 3, or once a 3/4 bar, at the eighths' level), else 0."""
    if len(thumbs) < PICK_THUMBS:
        return 0
    gap = float(np.median(np.diff(thumbs))) / period
    return next((n for n in (2, 4, PICK_WALTZ) if abs(gap - n) <= n * NEAR), 0)


def _in_line(sizes: list[int], i: int) -> bool:
    """Whether onset `i`, a single note, belongs to a line of single notes (a melody: the onset before or after it
    is a single note too), given each onset's note count `sizes`. A single note between two strums is a
    boom-chick's bass (its fifth above E3 too: sim2's twice_4-4_C-phrygian alternates C3 and G3 under its
    chords, and taken for a melody's eighth its G3 left the tempo at half for 4 s after the band came in)."""
    return (i > 0 and sizes[i - 1] < 2) or (i + 1 < len(sizes) and sizes[i + 1] < 2)
