"""The player's bars as the band keeps them: the meter it writes, and when its bar or meter must move.

A style fits the player's meter when both are simple or both compound and one bar is a whole number of the
other's (a 2/4 style over a 4/4 guitar pairs its bars; a 4/4 style over 2/4 spans two). When the listener
hears an aqsaq 5/8 or 7/8 (the grid's `groups`), only a style of that many eighths fits it; over another
meter a 5/8 or 7/8 style is taken as the player asks. The band writes the player's meter when its style fits
it in whole beats, else the style's own.

The band checks at each of its bar lines whether that line is the player's downbeat and whether the
player's meter is still the one it plays in. The listener's beliefs move from strum to strum, so an answer
counts only when it has come `patience` bar lines in a row, or once when the listener is sure of its bar
(`SURE`: a musician who hears the player's "1" plainly moves there at once); then the band moves its bar to the player's
next downbeat (the bar between is cut short), or changes meter there. In an aqsaq meter a bar line is counted
in eighths against both bars of the grid's two-bar cycle (the second starts between two beats), and only
whole beats are moved (an eighth is the band's time line's, engine/timeline.py).

>>> from engine.state import BeatGrid
>>> grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=1,
...                 meter_confidence=0.6)
>>> watch = BarWatch(patience=2)
>>> watch.bar_line(2.0, grid), watch.bar_line(4.0, grid)      # beat 4 and 8: the player's downbeat is 5, 9
(None, 1)
>>> sure = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=1)
>>> watch.bar_line(6.0, sure)                                  # the listener is sure: at once
1
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.arrange.patterns import Style
from engine.state import BeatGrid

PATIENCE = 2          # bar lines in a row an answer must come to count
SURE = 0.9            # the listener's meter confidence (0..1) at which its bar is followed at the first bar line
ON_BEAT = 0.25        # a band bar line within this many beats of a listener beat is on it
# A beat struck under this share of the mean beat's notes is one the player leaves (`MusicalState.downbeat_played`):
# the band does not move its bar onto it while the listener is not sure of its bar. Under a reggae skank or a funk
# chop on 2 and 4 the 1 and the 3 are both left: the listener's choice between them rests on weak cues and turned
# (review23's skank at 76: the band came in on the 1 and moved onto the 3 at 21.5 s, bar F 1.00 -> 0.18); on the
# dev sets every bar move that put the band on the player's downbeat went onto a beat struck at least 0.7 times as
# often as the mean beat, and two of the three that took it off one onto a beat struck 0 and 0.2 times as often.
# Once the listener hears the skank as off-beat comping (engine/listen/bar_pointer.py `_offbeat`), it places the 1 by
# the chords' harmonic news and reports the 1 as played (1.0): the guard would keep a band that came in on the 3 there.
LEFT = 1 / 3
# Nor, while the listener is not sure, onto a 1 struck under STRUCK_LESS times as often as the beat the band's bar
# starts on (`MusicalState.played_by_beat`): a musician keeps the bar where the player strikes more, as the strum
# pattern's repeat says, until the listener is sure (SURE). GuitarSet's bossa BN1: the band came in on the player's
# 1, the pointer heard the 4 as the 1 for 14 s (confidence 0.74) and the band moved onto it at 7.0 s, a beat struck
# 0.50-0.67 times as often as the band's 1 (bar F 0.57; kept: 1.00). Even strums say nothing: sim4's funk
# sixteenths (A-dorian s21) strike every beat alike, their 1 0.83-0.96 times the band's line, and a move there
# blocked at 1.0 cost bar F 0.36 -> 0.31. Set between the two on those dev takes (bench/README.md, session 25
# meter25). A single-note line reports no counts (a solo's notes fall where its phrases take them).
STRUCK_LESS = 0.75


@dataclass(frozen=True)
class Meter:
    """A meter in listener beats: `beats` to the bar, `compound` when a beat splits in three; in an aqsaq meter
    `groups` in eighths ((3, 2) or (2, 2, 3)) and `beats` the quarter-note beats of two bars (5 or 7)."""

    beats: int
    compound: bool
    groups: tuple[int, ...] = ()

    @staticmethod
    def of(grid: BeatGrid) -> Meter:
        """The player's meter as the listener tracks it."""
        return Meter(grid.beats_per_bar, grid.compound, grid.groups)

    @staticmethod
    def of_signature(numerator: int, denominator: int, beat_eighths: int) -> Meter:
        """The meter whose `signature` this is (5/8 as 3+2 and 7/8 as 2+2+3, the aqsaq groupings)."""
        if denominator == 8 and beat_eighths == 2:
            return Meter(numerator, False, (3, 2) if numerator == 5 else (2, 2, 3))
        return Meter(numerator // 3, True) if beat_eighths == 3 else Meter(numerator, False)

    @staticmethod
    def of_name(name: str) -> Meter:
        """The meter the listener names `name` ("3/4", "6/8", "7/8": BeatGrid.meter); 5/8 and 7/8 are the aqsaq
        meters (grouped as `of_signature` does), the other eighths compound. Raises ValueError on another form."""
        numerator, denominator = (int(part) for part in name.split("/"))
        if denominator == 8:
            return Meter.of_signature(numerator, 8, 2 if numerator in (5, 7) else 3)
        return Meter(numerator, False)

    def signature(self) -> tuple[int, int, int]:
        """(numerator, denominator, eighths per beat) of the time signature: 4/4, 3/4, 2/4, 6/8, 12/8, 5/8, 7/8"""
        if self.groups:
            return sum(self.groups), 8, 2
        return (3 * self.beats, 8, 3) if self.compound else (self.beats, 4, 2)


def fits(style: Style, meter: Meter) -> bool:
    """True when `style` can play in the player's `meter` (see the module docstring)."""
    if meter.groups:
        return not style.whole_beats and style.denominator == 8 and style.numerator == sum(meter.groups)
    if not style.whole_beats:
        return True
    if style.compound != meter.compound:
        return False
    beats = int(style.beats_per_bar)
    return beats % meter.beats == 0 or meter.beats % beats == 0


def _in_players_bars(style: Style, meter: Meter) -> bool:
    """True when the band counts its bars as the player's: the style fits the meter in whole beats (a 5/8 or
    7/8 style keeps its own bars)."""
    return fits(style, meter) and style.whole_beats


def band_signature(style: Style, meter: Meter) -> tuple[int, int, int]:
    """The time signature the band writes: the player's meter when the style fits it, else the style's."""
    if _in_players_bars(style, meter):
        return meter.signature()
    return style.numerator, style.denominator, style.beat_eighths


def group(style: Style, meter: Meter) -> int:
    """How many of the style's bars make one of the player's: 2 for a 2/4 style in 4/4, else 1."""
    bar = style.beats_per_bar
    if not style.whole_beats or not fits(style, meter) or meter.beats <= int(bar):
        return 1
    return meter.beats // int(bar)


def band_cycle(style: Style, meter: Meter) -> int:
    """Beats in the band's bar as the file counts them (a 7/8 cycle is two bars: 7 beats)."""
    if _in_players_bars(style, meter):
        return meter.beats
    return style.beats_per_bar.numerator


def _beats_off(position: float, grid: BeatGrid) -> int | None:
    """Whole beats from a band bar line at grid beat `position` to the player's next downbeat, None when the
    line is not on a beat. In an aqsaq meter (`groups`) the line may fall on either half of a beat and the
    player's downbeats on both (the bar is an odd number of eighths): counted in eighths, and an odd eighth
    left over is not moved here (the band's time line aims at the player's bar within an eighth)."""
    if not grid.groups:
        k = round(position)
        return None if abs(position - k) > ON_BEAT else (grid.downbeat_phase - k) % grid.beats_per_bar
    eighth = round(2 * position)
    if abs(2 * position - eighth) > ON_BEAT:
        return None
    return (2 * grid.downbeat_phase - eighth) % sum(grid.groups) // 2


def _struck_less(off: int, by_beat: tuple[float, ...], beats: int) -> bool:
    """True when the listener's 1 is struck under STRUCK_LESS times as often as the beat the band's bar line is
    on, `off` beats before it (`by_beat`: how often each beat of the listener's bar is struck against the mean
    beat, the 1 first; False unless it holds the listener's `beats`, or when `off` is 0)."""
    return bool(off) and len(by_beat) == beats and by_beat[0] < STRUCK_LESS * by_beat[-off]


class BarWatch:
    """Compares the band's bar lines with the player's downbeats and meter; see the module docstring."""

    def __init__(self, patience: int = PATIENCE):
        self.patience = patience
        self._shift: tuple[int, int] = (0, 0)        # (beats to the player's downbeat, bar lines in a row)
        self._meter: tuple[Meter | None, int] = (None, 0)

    def bar_line(self, t: float, grid: BeatGrid, played: float = 1.0, by_beat: tuple[float, ...] = ()) -> int | None:
        """At a band bar line at `t` (s): the beats (1 .. a bar - 1) to the player's next downbeat once the
        band's bar has been off by that much `patience` bar lines in a row, or at once when the listener's
        confidence in its meter and bar (`grid.meter_confidence`) is at least `SURE` (not in an aqsaq meter, whose
        confidence is the aqsaq watch's in the meter's name) and while the meter heard is not the band's (`meter`
        is asked first at each bar line); else None. `played`: how often the player strikes the listener's 1
        against the mean beat (`MusicalState.downbeat_played`): under `LEFT`, a beat the player leaves, the band
        keeps its bar unless the listener is sure. `by_beat`: `played` for each beat of the listener's bar (the 1
        first; `MusicalState.played_by_beat`, empty when not known): the band keeps its bar unless the listener is
        sure while its own 1 is struck clearly more than the listener's (`_struck_less`)."""
        off = _beats_off(grid.beat_at(t), grid)
        unsure = grid.meter_confidence < SURE
        if off is None or (unsure and (played < LEFT or _struck_less(off, by_beat, grid.beats_per_bar))):
            self._shift = (0, 0)
            return None
        count = self._shift[1] + 1 if off and off == self._shift[0] else (1 if off else 0)
        self._shift = (off, count)
        # sure: not in an aqsaq meter (its confidence is its name's, not its bar's), nor while another meter is
        # heard (`meter` counts it: a bar moved in the old meter at each line put the meter change off for ever)
        sure = (grid.meter_confidence >= SURE or grid.cued) and not grid.groups and self._meter[0] is None
        if off and (count >= self.patience or sure):
            self._shift = (0, 0)
            return off
        return None

    def meter(self, grid: BeatGrid, playing: Meter) -> Meter | None:
        """The player's new meter once it has differed from `playing` at `patience` bar lines in a row."""
        heard = Meter.of(grid)
        if heard == playing:
            self._meter = (None, 0)
            return None
        count = self._meter[1] + 1 if heard == self._meter[0] else 1
        self._meter = (heard, count)
        if count >= self.patience:
            self._meter = (None, 0)
            return heard
        return None

    def reset(self) -> None:
        """Forget what was seen (the band moved its bar or came in)."""
        self._shift, self._meter = (0, 0), (None, 0)
