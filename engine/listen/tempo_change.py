"""Sudden tempo changes: a new tempo found in the last seconds alone, adopted at once when it clearly fits better.

When the beat grid explains less than `switch_below` of the recent onsets, the last `switch_window` seconds
alone are searched for a tempo at the same level (up to 1.5x either way); if it explains them clearly better,
the tracker adopts it at once and forgets the older onsets (recovery in about two seconds instead of the long
window's five or more: waiting for the long window to agree would cost several bars). Recovery time after a
tempo change is one of the measures a live system needs (../shared/notes/ALGORITHMS.md, "Tempo, beat,
downbeat").
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.listen.phase import NEAR, circular_mean
from engine.listen.tempo import TempoEstimator

SURE = 0.5        # the new grid's confidence needed, or ...
SURE_FEW = 0.35   # ... this much when the window holds fewer than FULL_COUNT onsets (the confidence counts eight
FULL_COUNT = 8    # near beats for a full 1, engine.listen.phase.confidence: three beats of a slow 6/8 bass-and-chord
MARGIN = 0.25     # the new grid's confidence over the current period's (in `few`, scaled by the count cap)
LOST = 0.25       # figure, 1.2 s a beat, give six) and the current period explains less than LOST of them, when
BASS_ON = 0.7     # this share of the bass notes falls on the new grid's beats (`on_bass`)
# A regrouping, not a tempo change (`regrouping`): session 15 traced every sudden change on the dev sets (bench/
# tempo_changes.py); the players' steps came at 0.83-1.34 of the period, the false ones at 0.66-0.79 and 1.39 (a
# syncopated figure heard in dotted eighths, 3:4, or back: GuitarSet Funk3 and SS1). The faster bound is a player's
# step's (engine/listen/beat.py STEP[0]): GuitarSet Funk3's fill was offered 0.793 at 30.66 s (session 26, gsbar26).
REGROUP = ((0.66, 0.8), (1.37, 1.6))   # new / old period outside a player's step ...
OLD_BEATS = 8.0   # ... on a grid that has stood this many of its beats, ...
FIGURE = 1.2      # ... its window holding this many onsets a beat (a figure; a line's sparse notes regroup any way)
# ... A faster change at about 3:4 (within THREE_FOUR: the beat's dotted eighth, three of its sixteenths) is taken
# only as a player's step (`step_goes_on`): offered again and again for CONFIRM of the new beats (offers at most
# OFFER_GAP new beats apart, the new period within OFFER_NEAR), the player's figure the same at the new tempo (the
# median gap between onsets, in beats, within FIGURE_SAME of the one before: a step plays the old figure faster, a
# fill in dotted eighths strikes once a new beat). Set on tests/test_listen.py's strummed steps (100 -> 133, 90 ->
# 120, 80 -> 106: offered every 0.25-0.56 s for 1.4 s and more, gaps 0.50 of a beat before and after) and
# GuitarSet Funk3 (its fill at 30.2-34.6 s: gaps 0.63-0.87 of the new beat after 0.31 of the old; its lone offers
# at 16.1 and 26.8 s and SS1's at 28.7 s, none repeated). The window test alone (below) let Funk3's fill through
# at 30.79 s (gsbar26) and refusing every 3:4 change on an old grid lost the players' steps.
THREE_FOUR = 0.05
CONFIRM = 1.0
OFFER_GAP = 2.0
OFFER_NEAR = 0.06
FIGURE_SAME = 0.15
Grid = tuple[float, float, float]     # (phase: time of a beat (s), period (s per beat), confidence 0..1)
# A faster level the onsets do not show (`old_holds`): the old grid's sixteenths still hold OLD_HOLDS of the last
# seconds' onset weight, and more than the new grid's. sim4 (dev) sixteenths C-major s07, running sixteenths at 78
# BPM offered 103.5 (3:4) at 65.5 s: 1.00 on the old grid's, 0.47 on the new's; the faster changes taken on the
# dev sets that were right (aqsaq's quarter to its eighths' level, sim-aqsaq and sim3) held 0.17-0.61 on the old,
# GuitarSet's (BN2 comping 5.1 s, Funk3 30.7 s) 0.69 and 0.27 (bench/tempo_changes.py).
OLD_HOLDS = 0.9
SIXTEENTH_NEAR = 0.2    # of a sixteenth: an onset this near one of a grid's sixteenths lies on them


def on_bass(tb: np.ndarray, grid: Grid) -> bool:
    """True when there are two bass onsets tb (s) or more and BASS_ON of them lie within NEAR of `grid`'s beats."""
    if len(tb) < 2:
        return False
    e = (tb - grid[0]) / grid[1]
    return bool((np.abs(e - np.round(e)) < NEAR).sum() >= BASS_ON * len(tb))


def on_sixteenths(t: np.ndarray, w: np.ndarray, grid: Grid, near: float) -> float:
    """Share of the weights w of onsets t (s) within `near` (s) of the sixteenths of `grid`."""
    step = grid[1] / 4
    e = (t - grid[0]) / step
    on = np.abs(e - np.round(e)) * step < near
    return float(w[on].sum() / w.sum()) if w.sum() > 0 else 0.0


def old_holds(t: np.ndarray, w: np.ndarray, now: float, window: float, old: Grid, new: Grid) -> bool:
    """True when the onsets t (s) weighted w of the last `window` s before `now` (s) still lie on the sixteenths of
    the `old` grid's tempo (OLD_HOLDS of their weight or more, and more than on the `new` grid's): the new tempo is a
    level of the old one's figure, not a tempo the player moved to (whose onsets leave the old tempo's sixteenths).
    The old sixteenths are placed where the onsets fall on them (their circular mean), not from the old grid's
    beat: a figure whose "a" leads into the beat pulls the beat's fit early (0.15 of a beat: sim4 habanera_2-4
    G-minor at 68: its grid held 0.00 of the onsets on its sixteenths, every onset lay on the tempo's), and whether
    the tempo holds does not depend on which sixteenth is the beat."""
    m = t >= now - window
    near = SIXTEENTH_NEAR * min(old[1], new[1]) / 4
    step = old[1] / 4
    lattice = (circular_mean(t[m].tolist(), w[m].tolist(), step), old[1], old[2])   # the sixteenths, not the beat
    held = on_sixteenths(t[m], w[m], lattice, near)
    return held >= OLD_HOLDS and held > on_sixteenths(t[m], w[m], new, near)


class Offers:
    """The sudden changes offered lately at one new period: `held(now, new)` tells for how long (s) the change to
    `new` (s) has been offered, each offer no more than OFFER_GAP of its beats after the last and within OFFER_NEAR
    of its period (a player's step is offered again and again while the window fills with the new tempo)."""

    def __init__(self) -> None:
        self.first = self.last = -np.inf    # s: the first and the last offer of `period`
        self.period = 0.0                   # s: the period offered

    def held(self, now: float, new: float) -> float:
        """Seconds since the change to `new` (s) was first offered, noting the offer at `now` (s); 0 for a new one."""
        if now - self.last > OFFER_GAP * new or abs(new / self.period - 1) > OFFER_NEAR:
            self.first, self.period = now, new
        self.last = now
        return now - self.first


def figure_same(t: np.ndarray, period: float, new: float, window: float) -> bool:
    """True when the median gap between the onsets t (s) of the last `window` s, in beats of the `new` period (s),
    is within FIGURE_SAME of the median gap of the twelve onsets before them in beats of the old `period` (s)."""
    last = t >= t[-1] - window
    after, before = np.diff(t[last]) / new, np.diff(t[~last][-12:]) / period
    if len(after) < 2 or len(before) < 2:
        return False
    return abs(float(np.median(after)) / float(np.median(before)) - 1) < FIGURE_SAME


def step_goes_on(t: np.ndarray, period: float, new: float, window: float, held: float) -> bool:
    """True when a change from `period` (s) to `new` (s) at about 3:4 is a player's step: offered for `held` s,
    CONFIRM of the new beats or more, and the onsets t (s) play the same figure at the new tempo (`figure_same`)."""
    return held >= CONFIRM * new and figure_same(t, period, new, window)


def regrouping(tempo: TempoEstimator, t: np.ndarray, w: np.ndarray, period: float, new: float, age: float,
               window: float, held: float = 0.0) -> bool:
    """True when a sudden change from `period` (s) to `new` (s) regroups the figure instead of changing the tempo:
    the ratio is outside a player's step (REGROUP), the old grid has stood `age` >= OLD_BEATS of its beats, and
    the whole window's onsets t (s) weighted w still repeat at the old period (`tempo.nearest_level` within 8 % of
    it): the last seconds alone heard in dotted eighths, the music not. GuitarSet dev Funk3, a steady 98 BPM,
    was switched to 129 and 131 BPM at 0.75 of the period (bench/README.md, sessions 15 and 17). At about 3:4
    (THREE_FOUR) no window tells a fill 3-4 s long from a step (Funk3's fill is half the 8 s window by its end):
    it is a regrouping unless the change, offered for `held` s, goes on with the same figure (`step_goes_on`)."""
    if age < OLD_BEATS or not any(lo <= new / period <= hi for lo, hi in REGROUP):
        return False
    if (t >= t[-1] - window).sum() < FIGURE * window / period:
        return False
    if abs(new / period - 3 / 4) < THREE_FOUR:
        return not step_goes_on(t, period, new, window, held)
    whole = tempo.nearest_level(t, w, period)
    return whole is not None and abs(whole / period - 1) < 0.08


def sudden_change(tempo: TempoEstimator, t: np.ndarray, w: np.ndarray, pw: np.ndarray, now: float,
                  current: float, *, window: float,
                  fit: Callable[[np.ndarray, np.ndarray, float, float], Grid | None],
                  bass: np.ndarray | None = None, age: float | None = None,
                  offers: Offers | None = None) -> Grid | None:
    """A grid from the onsets of the last `window` seconds before `now` (s) alone, at the metrical level of the
    `current` period (s; up to 1.5x faster or slower, and at least 8 % away from it), when it explains those
    onsets clearly better than the current period can (confidence at least 0.5, and MARGIN above the current
    period's). Onset times t (s), weights w for the tempo and pw for the phase (arrays of one length);
    `tempo` scores the periods, `fit(t, w, now, period)` fits a grid (`engine.listen.phase.fit_grid`). With
    fewer than FULL_COUNT onsets that the current period explains less than LOST of, SURE_FEW is enough when
    `bass` (True per onset with a bass note) is given and the new grid's beats hold the bass notes (`on_bass`):
    in three beats of a 6/8 bass-and-chord figure the bass-to-chord gap (two eighths) also fits, and the bass
    tells the beat, and the margin over the current period's confidence (MARGIN) is scaled by the count cap the
    window allows (its beats at the new period / FULL_COUNT), as the confidences themselves are: three beats of a
    slow 6/8 reach 0.375 at most, and the old grid still catching a few onsets (0.19) left no room for 0.25
    (converter-set-b sim_09, -13 % at 67.5 dotted quarters a minute: the grid off the player's beats for five
    beats). With the grid's `age` (its beats since it was set or last switched), a change that only
    regroups the figure (`regrouping`, on all of t) is refused; `offers` (the tracker's `Offers`) notes each offer
    and tells `regrouping` for how long the same change has been offered. None when there is no such grid."""
    m = t >= now - window
    if int(m.sum()) < 5:
        return None
    ts, ws, ps = t[m], w[m], pw[m]
    period = tempo.nearest_level(ts, ws, current)
    if period is None or abs(period / current - 1) < 0.08:
        return None
    new = fit(ts, ps, now, period)
    old = fit(ts, ps, now, current)
    lost = 0.0 if old is None else old[2]
    few = len(ts) < FULL_COUNT and lost < LOST and new is not None and bass is not None and on_bass(ts[bass[m]], new)
    margin = MARGIN * min(1.0, window / new[1] / FULL_COUNT) if few else MARGIN
    if new is None or new[2] < lost + margin or new[2] < (SURE_FEW if few else SURE):
        return None
    held = 0.0 if offers is None else offers.held(now, new[1])
    if age is not None and regrouping(tempo, t, w, current, new[1], age, window, held):
        return None
    return new
