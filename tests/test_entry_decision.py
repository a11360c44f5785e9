"""The band's entry is decided just before its first beat, on the grid heard then (engine/schedule.py `_enter`)."""

from __future__ import annotations

from fractions import Fraction

from engine.arrange.styles import AUTO, style_chooser
from engine.events import Beat
from engine.io.sinks import RecordingSink
from engine.pipeline import TICK
from engine.schedule import LEVEL_WAIT, METER_WAIT, Scheduler
from engine.state import BeatGrid, MusicalState

PLANNED = BeatGrid(0.0, 0, 0.4, 4, 0)      # 4/4 at 0.4 s a beat: the entry is planned on beat 4, 1.6 s
METER_MOVED = BeatGrid(0.0, 0, 0.4, 3, 0)   # from 1.3 s heard in 3/4: beat 4 is no downbeat, beat 6 (2.4 s) is
TEMPO_MOVED = BeatGrid(2.15, 7, 0.3, 3, 0)   # from 2.0 s a new tempo (a fresh lock's correction): its beats at
                                             # 1.85, 2.15, 2.45 ... s, the old beat 6 (2.4 s) between two of them


def band_beats(grids: list[tuple[float, BeatGrid]], until: float = 4.0, contested: float = 0.0) -> list[Beat]:
    """The band's beats when the listener, locked from 1 s, reports each grid of `grids` ((from s, grid), in
    order) from its time on, and a line's level contested until `contested` (s)."""
    sink = RecordingSink()
    scheduler = Scheduler(style_chooser(AUTO), seed=0, sinks=[sink])
    for n in range(1, int(until / TICK)):
        now = n * TICK
        grid = [g for at, g in grids if at <= now][-1]
        scheduler.tick(now, MusicalState(time=now, tonic=2, mode="minor", key_confidence=1.0, grid=grid,
                                         beat_confidence=1.0, locked=now >= 1.0, loudness=80.0, density=2.0,
                                         silent=False, last_onset=now - 0.05, level_contested=now < contested))
    return [e for e in sink.events if isinstance(e, Beat)]


def off_grid(t: float, grid: BeatGrid) -> float:
    """Seconds from `t` to the grid's nearest beat."""
    return abs(grid.seconds_at(round(grid.beat_at(t))) - t)


def test_an_entry_whose_downbeat_was_lost_is_decided_when_the_next_is_due_on_the_grid_then():
    # The planned downbeat (1.6 s) is lost to the meter heard at the decision; the next (2.4 s) is a bar away.
    # Decided then, the band fixed its first beat by that grid and came in at 2.03 s, 0.12 s off the new tempo's
    # beats (GuitarSet BN2 comping: decided 1.6 s ahead on an 84 BPM lock, the listener moved at 5.13 s, the band
    # came in off every beat). Decided when due, it comes in on a beat of the grid it hears then, at its tempo.
    beats = band_beats([(0.0, PLANNED), (1.3, METER_MOVED), (2.0, TEMPO_MOVED)])
    first = beats[0]
    assert first.time >= 2.0 and off_grid(first.time, TEMPO_MOVED) < 0.01
    assert abs(beats[1].time - first.time - TEMPO_MOVED.period) < 0.04


def test_an_entry_whose_grid_stands_comes_in_on_the_downbeat_planned():
    # Nothing moves: in on the planned downbeat, beat 4 at 1.6 s; the meter moved alone: on the next, 2.4 s.
    assert abs(band_beats([(0.0, PLANNED)])[0].time - 1.6) < 0.01
    assert abs(band_beats([(0.0, PLANNED), (1.3, METER_MOVED)])[0].time - 2.4) < 0.01


def test_a_downbeat_out_of_reach_is_planned_until_the_band_has_been_ready_meter_wait_seconds():
    # 1.2 s ahead (beat 6 at 2.4 s, decided at 1.2 s) is out of reach: planned, not decided; but a band ready for
    # METER_WAIT s decides it (a grid that keeps moving does not keep the band out for good).
    scheduler = Scheduler(style_chooser(AUTO), seed=0, sinks=[RecordingSink()])
    state = MusicalState(time=1.2, tonic=2, mode="minor", key_confidence=1.0, grid=METER_MOVED, beat_confidence=1.0,
                         locked=True, loudness=80.0, density=2.0, silent=False, last_onset=1.15)
    scheduler._ready_at = 1.0
    assert scheduler._out_of_reach(1.2, state, METER_MOVED, Fraction(6))
    assert abs(scheduler._entry - 2.4) < 1e-9 and abs(scheduler._entry_count - 2.4) < 1e-9
    assert not scheduler._out_of_reach(1.2, state, METER_MOVED, Fraction(3))      # 1.2 s: within reach
    scheduler._ready_at = 1.2 - METER_WAIT
    assert not scheduler._out_of_reach(1.2, state, METER_MOVED, Fraction(6))


FLEETING = BeatGrid(0.0, 0, 0.4, 2, 1)      # from 1.45 s heard in two beats a bar, its downbeats on odd beats (2.0 s)


def test_a_deferred_entry_is_not_brought_forward_by_a_meter_heard_on_the_moved_grid():
    # Deferred at the decision for 2.4 s (its planned downbeat lost to 3/4), then heard in two a bar, whose downbeat
    # at 2.0 s comes sooner: a deferred plan is not brought forward (the meters heard on a grid that just moved come
    # and go: GuitarSet BN2 comping, deferred to 7.27 s, brought forward to 6.72 s by a 6/8 heard 0.1 s later, came
    # in off the player's downbeats, band beat F 1.00 -> 0.94); it is decided when due, on the grid heard then.
    beats = band_beats([(0.0, PLANNED), (1.3, METER_MOVED), (1.45, FLEETING)])
    assert beats[0].time > 2.4 - 0.01 and off_grid(beats[0].time, FLEETING) < 0.01


def test_a_band_ready_waits_while_a_lines_level_is_contested_and_comes_in_on_the_next_downbeat():
    # Ready at 1.0 s, planned on 1.6 s; the level contested until 2.5 s (GuitarSet BN2's solo: a line that fits its
    # dotted quarters as well as its beat until 14 s): in on the first downbeat after, 3.2 s; contested until 1.5 s,
    # when the entry planned on 1.6 s is decided: in on 3.2 s too (the decision waits as the plan does).
    assert abs(band_beats([(0.0, PLANNED)])[0].time - 1.6) < 0.01
    assert abs(band_beats([(0.0, PLANNED)], contested=2.5)[0].time - 3.2) < 0.01
    assert abs(band_beats([(0.0, PLANNED)], contested=1.55)[0].time - 3.2) < 0.01


def test_a_band_ready_waits_for_a_contested_level_no_longer_than_level_wait():
    # Contested for good: in on the first downbeat after LEVEL_WAIT s of readiness, no later.
    first = band_beats([(0.0, PLANNED)], until=LEVEL_WAIT + 4.0, contested=1e9)[0].time
    assert 1.0 + LEVEL_WAIT <= first <= 1.0 + LEVEL_WAIT + PLANNED.period * PLANNED.beats_per_bar + 0.01
