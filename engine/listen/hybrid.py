"""A hybrid beat model: the autocorrelation tracker's tempo and beat grid, with the meter and downbeat of the joint
filter where the two agree on the beat (`HybridTracker`, `ListenerConfig.beat_model = "hybrid"`).

The two models fail differently (bench/README.md): the autocorrelation tracker (engine/listen/beat.py) finds
tempo and beat well, even on sparse waltzes and real comping, but its bar model knows only 2, 3 and 4 beats
and simple or compound time from off-beats; the joint filter (engine/listen/joint.py) hears 6/8 and the aqsaq
meters 5/8 and 7/8 and finds their downbeats, but its coarse tempo and its own beat lose to the tracker's.
So the grid (tempo, phase, beat numbers, confidence) is always the tracker's, and the bar is read off the
joint filter's belief, mapped onto the tracker's beat numbers, when

- the filter's beat (its eighth times the meter's beat in eighths) is the tracker's beat within `AGREE`,
- and the filter believes its meter by at least `SURE`.

Otherwise (another metrical level, an unsure filter) the tracker's own bar pointer stands. Between 2/4 and
4/4 the filter's belief splits on where the chords change, and real comping changes chord every two beats
of a 4/4 bar: the bar pointer's count of beats stands there, and the filter's downbeat is taken only where
they agree and the filter is surer than `DUPLE_SURE`.

Aqsaq: the tracker's grid is uniform. When its beat is the eighth pulse the filter's 5/8 or 7/8 bar is
counted on it (`beats_per_bar` 5 or 7, downbeats on the pulse, `groups` the grouping in pulses). When its
beat is another level (two eighths, say) no bar of whole beats fits: the meter is named (`meter` is the
filter's 5/8 or 7/8 when it is surer than `NAME_SURE`, and `groups` is given in eighths) while beats, bar and
downbeats stay the tracker's.

6/8: the tracker's phase fit can settle on the wrong eighth of the dotted quarter. Where the filter, sure of its
beat (`PHASE_SURE`), puts the same beat more than `PHASE_OFF` beats away for `PHASE_HOLD` s running, the grid
is moved onto the filter's beat, and the tracker's later fits keep that correction while the filter hears 6/8.
Times are seconds.
"""

from __future__ import annotations

import math

from engine.listen.beat import BeatTracker
from engine.listen.joint import JointParams, JointTracker, JointView, Meter

__all__ = ["AGREE", "DUPLE_SURE", "NAME_SURE", "SURE", "HybridTracker"]

AGREE = 0.08        # |log(filter's beat / tracker's beat)| under this: the same beat
SURE = 0.5          # meter belief the filter needs before its bar is taken
DUPLE_SURE = 0.85   # ... in 2/4 and 4/4, where real comping misleads it (see the module docstring)
NAME_SURE = 0.95    # ... and before it names an aqsaq meter its bar cannot be counted on the grid
PHASE_SURE = 0.8    # belief in its beat grid the filter needs before its phase may move the tracker's
PHASE_OFF = 0.2     # beats: a phase further off than this from the filter's ...
PHASE_HOLD = 4.0    # ... for this many seconds running is moved onto it
PHASE_METERS = ("6/8",)   # the meters whose phase the filter may set


class HybridTracker(BeatTracker):
    """A `BeatTracker` (autocorrelation tempo, phase fit, bar pointer) that reads meter and downbeat from a
    `JointTracker` fed the same strums, where the two agree on the beat (see the module docstring). Arguments
    as BeatTracker's, plus `params` for the joint filter (`JointParams`; None: its fitted defaults)."""

    def __init__(self, bpm_prior: float = 100.0, prior_octaves: float = 1.0, min_bpm: float = 40.0,
                 max_bpm: float = 220.0, window: float = 8.0, params: JointParams | None = None) -> None:
        super().__init__(bpm_prior, prior_octaves, min_bpm, max_bpm, window, bar_model="pointer", aqsaq=False)
        self.joint = JointTracker(bpm_prior, prior_octaves, min_bpm, max_bpm, window, params)
        self._joint_bar: tuple[Meter, int, float] | None = None   # (meter, downbeat phase, confidence)
        self._named: Meter | None = None        # an aqsaq meter named while the grid is at another level
        self._shift = 0.0                       # beats added to every phase fit (the filter's correction) ...
        self._shift_level: float | None = None  # ... at this beat period (s)
        self._off_since: float | None = None    # since when (s) the filter's phase has been off the grid's

    # ---- input -------------------------------------------------------------------------------------
    def onset(self, t: float, weight: float, new: bool, bass: bool) -> None:
        """A note started at t (s) with salience `weight` (see `BeatTracker.onset`): to both models."""
        super().onset(t, weight, new, bass)
        self.joint.onset(t, weight, new, bass)

    def note(self, t: float, pitch: int, weight: float, bass: bool) -> None:
        """A confirmed note (see `BeatTracker.note`): to the bar pointer and to the joint filter."""
        super().note(t, pitch, weight, bass)
        self.joint.note(t, pitch, weight, bass)

    # ---- estimation ----------------------------------------------------------------------------------
    def update(self, now: float) -> bool:
        """Re-estimate the grid (the tracker's), weigh the new strums in the joint filter, and read its bar
        against the grid. True when the grid changed."""
        changed = super().update(now)
        self.joint.update(now)
        self._read_joint(now)
        return changed

    def _phase(self, t, w, now: float, period: float) -> tuple[float, float, float] | None:
        """The tracker's phase fit (`BeatTracker._phase`), moved by the filter's correction at this level."""
        fit = super()._phase(t, w, now, period)
        if fit is None or self._shift_level is None or not 0.8 < fit[1] / self._shift_level < 1.25:
            return fit
        return fit[0] + self._shift * fit[1], fit[1], fit[2]

    def _correct_phase(self, view: JointView, now: float) -> None:
        """Move the grid onto the filter's beat when they agree on the period but the filter, sure of its
        beat, has put it more than `PHASE_OFF` beats away for `PHASE_HOLD` s (in 6/8 the phase fit can settle on
        the wrong eighth of the dotted quarter; the filter's bar positions tell them apart)."""
        m = view.meter
        if (m.name not in PHASE_METERS or view.confidence < PHASE_SURE or self.hold_tempo or self.led_by_master
                or abs(math.log(view.eighth * m.beat_eighths / self.period)) >= AGREE):
            self._off_since = None
            return
        last_beat = view.time - (view.position % m.beat_eighths) * view.eighth
        off = self.beat_at(last_beat)
        off -= round(off)
        if abs(off) < PHASE_OFF:
            self._off_since = None
            return
        if self._off_since is None:
            self._off_since = now
        if now - self._off_since < PHASE_HOLD:
            return
        if self._shift_level is None or not 0.8 < self.period / self._shift_level < 1.25:
            self._shift = 0.0
        self._shift_level = self.period
        self._shift = (self._shift + off + 0.5) % 1.0 - 0.5
        self.anchor_time += off * self.period
        self._off_since = None

    def _read_joint(self, now: float) -> None:
        """The joint filter's bar on the tracker's beat numbers, or None where it does not fit (see the module
        docstring)."""
        self._joint_bar = self._named = None
        view = self.joint.filter.view()
        if view is None or self.period is None or self.joint.filter.strums < self.joint.first_strums:
            return
        if view.meter_confidence < SURE:
            return
        if view.meter.name not in PHASE_METERS:
            self._shift = 0.0                   # the meter moved on: the phase correction was for its bar
        m = view.meter
        ratio = abs(math.log(view.eighth * m.beat_eighths / self.period))
        if ratio >= AGREE:
            if m.pulse and view.meter_confidence >= NAME_SURE:
                self._named = m
            return
        self._correct_phase(view, now)
        self._joint_bar = (m, _downbeat_phase(view, now, self.beat_at), view.meter_confidence)

    def _chosen(self) -> tuple[Meter, int, float] | None:
        """The joint filter's (meter, downbeat phase, confidence) where it stands, else None (the bar pointer's)."""
        jb = self._joint_bar
        if jb is None:
            return None
        if jb[0].name in ("2/4", "4/4") and not self._meter.compound:
            beats = super()._bar()[0]
            if beats in (2, 4) and (beats != jb[0].beats_per_bar or jb[2] < DUPLE_SURE):
                return None
        return jb

    # ---- queries -----------------------------------------------------------------------------------
    def _bar(self) -> tuple[int, int, float]:
        """(beats to the bar, downbeat phase, confidence): the joint filter's where it stands, else the bar
        pointer's."""
        chosen = self._chosen()
        if chosen is None:
            return super()._bar()
        m, phase, confidence = chosen
        return m.beats_per_bar, phase, confidence

    @property
    def compound(self) -> bool:
        """True when the beat divides in three (6/8): the joint filter's meter where it stands, else the
        off-beats' count."""
        chosen = self._chosen()
        return self._meter.compound if chosen is None else chosen[0].name == "6/8"

    @property
    def meter(self) -> str:
        """The meter: the joint filter's (2/4 3/4 4/4 6/8 5/8 7/8) where it stands or names an aqsaq bar, else
        the bar pointer's (2/4 3/4 4/4 6/8)."""
        chosen = self._chosen()
        if chosen is not None:
            return chosen[0].name
        if self._named is not None:
            return self._named.name
        return super().meter

    @property
    def groups(self) -> tuple[int, ...]:
        """The bar's beat groups: in beats of the grid when the joint filter's bar stands ((3, 2) or (2, 2, 3)
        in 5/8 and 7/8, the grid's beat the eighth pulse), in eighths when an aqsaq meter is only named, else
        one per beat."""
        chosen = self._chosen()
        if chosen is not None and chosen[0].pulse:
            return chosen[0].groups
        if chosen is None and self._named is not None:
            return self._named.groups
        return (1,) * self.beats_per_bar


def _downbeat_phase(view: JointView, now: float, beat_at) -> int:
    """The downbeat phase (beat number mod the bar) of the filter's bar on a grid whose `beat_at(t)` gives the
    beat position of t (s): the filter's downbeat nearest `now` (s), rounded to the grid's beat."""
    m = view.meter
    bar = m.eighths * view.eighth
    downbeat = view.time - view.position * view.eighth
    downbeat += bar * round((now - downbeat) / bar)
    return round(beat_at(downbeat)) % m.beats_per_bar

