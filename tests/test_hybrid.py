"""The hybrid beat model (engine/listen/hybrid.py): the acf tracker's grid with the joint filter's bar, on
hand-built strum streams."""

from __future__ import annotations

import pytest

from engine.listen import Listener, ListenerConfig
from engine.listen.beat import BeatTracker
from engine.listen.hybrid import HybridTracker

CHORDS = ([48, 52, 55, 60], [43, 47, 50, 55], [45, 52, 57, 60], [41, 48, 53, 57])   # one per bar, lowest first
FOUR = (8, [(0, "chord"), (1, "up"), (2, "chord"), (3, "up"), (4, "chord"), (5, "up"), (6, "chord"), (7, "up")])
WALTZ = (6, [(0, "bass"), (2, "up"), (4, "up")])
SEVEN = (7, [(0, "chord"), (1, "up"), (2, "chord"), (3, "up"), (4, "chord"), (5, "up"), (6, "up")])


def play(trackers, bars: int, eighth: float, cell) -> float:
    """`bars` bars of `cell` ((eighths to the bar, [(eighth, kind)]); kind "bass": the chord's root alone,
    "chord": the chord, "up": its upper notes, softer) with eighths of `eighth` s, into every tracker, as the
    listener feeds it (onsets and notes, an update once the strum is complete, the bar pointer every 10 ms).
    Returns the next bar's time (s)."""
    length, pairs = cell
    t, clock = 0.0, 0.0
    for b in range(bars):
        chord = CHORDS[b % len(CHORDS)]
        for e, kind in pairs:
            at = t + e * eighth
            while clock < at:
                for tr in trackers:
                    tr.advance(clock)
                clock += 0.01
            notes = {"bass": chord[:1], "chord": chord, "up": chord[1:]}[kind]
            velocity = (100 if kind != "up" else 60) / 127
            for i, p in enumerate(notes):
                for tr in trackers:
                    tr.onset(at + 0.005 * i, velocity, i == 0, i == 0 and p < 50)
                    tr.note(at + 0.005 * i, p, velocity, i == 0 and p < 50)
            for tr in trackers:
                tr.update(at + 0.06)
        t += length * eighth
    return t


def downbeat_at(tr, t: float) -> bool:
    """The tracker's grid puts a downbeat at t (s)."""
    n = round(tr.beat_at(t))
    return abs(tr.beat_at(t) - n) < 0.2 and (n - tr.downbeat_phase) % tr.beats_per_bar == 0


def test_a_four_four_strum_keeps_the_acf_grid_and_finds_the_bar():
    h, acf = HybridTracker(), BeatTracker()
    end = play([h, acf], 10, 0.3, FOUR)     # 100 BPM
    assert (h.period, h.anchor_time, h.anchor_beat) == (acf.period, acf.anchor_time, acf.anchor_beat)
    assert abs(h.bpm - 100) < 3 and h.meter == "4/4" and not h.compound
    assert downbeat_at(h, end)


def test_a_sparse_oom_pah_pah_is_three_four_where_the_joint_filter_alone_hears_six_eight():
    h = HybridTracker()
    end = play([h], 10, 0.25, WALTZ)        # 120 BPM
    assert h.joint.meter != "3/4"           # the joint filter's known slip (tests/test_joint.py)
    assert h.meter == "3/4" and h.beats_per_bar == 3
    assert abs(h.bpm - 120) < 5
    assert downbeat_at(h, end)


def test_a_seven_eight_aqsaq_is_named_while_the_beat_stays_the_trackers():
    h, acf, plain = HybridTracker(), BeatTracker(), BeatTracker(aqsaq=False)
    play([h, acf, plain], 14, 0.18, SEVEN)
    assert acf.meter == "7/8" and plain.meter != "7/8"   # the default tracker hears it too
    assert h.meter == "7/8" and abs(h.period - acf.period) < 1e-9   # acf alone keeps its bars' eighth
    # the filter's pulse is the grid's beat, or its bar cannot be counted on the grid and is only named
    assert (h.beats_per_bar, h.groups) in ((7, (2, 2, 3)), (plain.beats_per_bar, (2, 2, 3)))


def test_the_listener_takes_the_hybrid_model_and_the_default_stays_acf():
    assert type(Listener(ListenerConfig(beat_model="hybrid")).beat) is HybridTracker
    assert type(Listener().beat) is BeatTracker
    with pytest.raises(ValueError, match="beat model"):
        Listener(ListenerConfig(beat_model="both"))
