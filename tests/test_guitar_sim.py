import random
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.guitar_sim import (  # noqa: E402
    GuitarSimulator,
    SimConfig,
    fret_of,
    generated_progression,
    simulate,
    spell,
    warp_annotations,
)

CLEAN = dict(ghost_rate=0.0, octave_error_rate=0.0, bend_rate=0.0)
NOTE_ON, NOTE_OFF, BEND = 0x90, 0x80, 0xE0


def note_ons(messages):
    return [m for m in messages if m.kind == NOTE_ON]


def busy_input(n=400, seed=5):
    """Dense mixed input: runs, repeated notes, overlapping chords, a few out-of-range pitches."""
    rng = random.Random(seed)
    notes, t = [], 0.2
    for _ in range(n):
        if rng.random() < 0.3:
            root = rng.randint(40, 60)
            dur = rng.uniform(0.1, 1.5)
            notes += [(t, t + dur, root + i, rng.randint(40, 110)) for i in (0, 7, 12, 16, 19)]
        else:
            notes.append((t, t + rng.uniform(0.02, 0.8), rng.randint(35, 90), rng.randint(40, 110)))
        t += rng.choice([0.0, 0.01, 0.05, 0.12, 0.25, 0.5])
    return notes


def check_well_formed(messages):
    """Sorted, non-negative, every note-on closed by a later note-off of the same channel and pitch."""
    times = [m.time for m in messages]
    assert times == sorted(times)
    assert min(times) >= 0
    open_notes = defaultdict(int)
    for m in messages:
        key = (m.channel, m.data1)
        if m.kind == NOTE_ON:
            assert m.data2 > 0
            assert open_notes[key] == 0, f"note-on over a sounding note {key} at {m.time}"
            open_notes[key] += 1
        elif m.kind == NOTE_OFF:
            assert open_notes[key] == 1, f"note-off without note-on {key} at {m.time}"
            open_notes[key] -= 1
    assert not any(open_notes.values())


def test_per_string_channels_and_frets():
    notes, truth = generated_progression("A", "minor", bars=12, meter="4/4", seed=3)
    sim = GuitarSimulator(SimConfig(**CLEAN))
    messages, _ = sim.run(notes + [(60.0, 61.0, 76, 80), (61.0, 62.0, 41, 80)])
    channels = set()
    for m in note_ons(messages):
        string = 5 - m.channel
        assert 0 <= string <= 5
        assert fret_of(string, m.data1) is not None, (m.channel, m.data1)
        channels.add(m.channel)
    assert channels == set(range(6))
    assert all(p.channel == 5 - p.string for p in sim.played)
    assert next(p for p in sim.played if p.pitch == 41).string == 0   # F2 only exists on the low E string


def test_chords_voiced_low_to_high_with_playable_span():
    notes, _ = generated_progression("E", "mixolydian", bars=16, seed=2)
    sim = GuitarSimulator(SimConfig(**CLEAN, jitter=0.0))
    sim.run(notes)
    starts = sorted(notes)          # PlayedNote.source indexes the input sorted by (start, end, pitch, velocity)
    groups = defaultdict(list)
    for p in sim.played:
        groups[starts[p.source][0]].append(p)
    assert sum(len(g) > 1 for g in groups.values()) > 40
    for group in groups.values():
        group.sort(key=lambda p: p.string)
        assert [p.pitch for p in group] == sorted(p.pitch for p in group)
        assert len({p.string for p in group}) == len(group)
        fretted = [fret_of(p.string, p.pitch) for p in group if fret_of(p.string, p.pitch) > 0]
        if fretted:
            assert max(fretted) - min(fretted) <= 4
            assert max(fretted) <= 12          # low positions for plain triads


def test_one_note_per_string_at_a_time():
    messages, _ = simulate(busy_input(), SimConfig(ghost_rate=0.3, octave_error_rate=0.2, bend_rate=0.1, seed=4))
    sounding = {}
    for m in messages:
        if m.kind == NOTE_ON:
            assert m.channel not in sounding, f"two notes on channel {m.channel} at {m.time}"
            sounding[m.channel] = m.data1
        elif m.kind == NOTE_OFF:
            assert sounding.pop(m.channel) == m.data1
    assert not sounding


def test_new_note_on_a_string_ends_the_previous_first():
    # E2 and F2 can only be played on the low E string: the second must cut the first.
    messages, _ = simulate([(0.0, 2.0, 40, 90), (1.0, 2.0, 41, 90)], SimConfig(**CLEAN, jitter=0.0))
    kinds = [(m.kind, m.channel, m.data1) for m in messages]
    assert kinds == [(NOTE_ON, 5, 40), (NOTE_OFF, 5, 40), (NOTE_ON, 5, 41), (NOTE_OFF, 5, 41)]
    assert messages[1].time <= messages[2].time < 1.1


@pytest.mark.parametrize("poly", [False, True])
def test_note_on_off_balance_sorted_and_non_negative(poly):
    config = SimConfig(ghost_rate=0.3, octave_error_rate=0.3, bend_rate=0.2, drift=0.04, poly=poly, seed=9)
    sim = GuitarSimulator(config)
    messages, _ = sim.run(busy_input(seed=7))
    check_well_formed(messages)
    ons = note_ons(messages)
    assert len(ons) == sim.counts.notes_out + sim.counts.ghosts
    if poly:
        assert {m.channel for m in messages} == {0}
    else:
        assert len({m.channel for m in messages}) == 6


def test_poly_mode_merges_unisons_on_one_channel():
    # The same pitch on two strings at once (E4 as B-string fret 5 and open high E) is sent once.
    sim = GuitarSimulator(SimConfig(**CLEAN, poly=True, jitter=0.0, latency=(0.03, 0.03),
                                    strum_spread=(0.0, 0.0)))
    messages, _ = sim.run([(0.5, 1.5, 64, 90), (0.5, 1.5, 64, 90)])
    check_well_formed(messages)
    assert len(note_ons(messages)) == 1 and sim.counts.dropped_merged == 1


def test_latency_in_range_and_low_strings_later():
    rng = random.Random(1)
    notes = [(0.5 + 0.6 * k, 0.5 + 0.6 * k + 0.3, rng.randint(40, 83), 80) for k in range(600)]
    config = SimConfig(**CLEAN, latency=(0.020, 0.040), jitter=0.010)
    sim = GuitarSimulator(config)
    messages, _ = sim.run(notes)
    ons = note_ons(messages)
    assert [m.data1 for m in ons] == [n[2] for n in notes]
    delays = np.array([m.time - n[0] for m, n in zip(ons, notes)])
    assert delays.min() >= 0.020 - 1e-9 and delays.max() <= 0.050 + 1e-9
    assert delays.max() - delays.min() > 0.02                     # really spread, not constant
    strings = np.array([p.string for p in sim.played])
    assert delays[strings == 0].mean() > delays[strings == 5].mean() + 0.01
    offs = [m for m in messages if m.kind == NOTE_OFF]
    assert all(off.time - on.time == pytest.approx(0.3, abs=1e-6) for on, off in zip(ons, offs))


def test_jitter_is_extra_latency():
    notes = [(0.5 + 0.5 * k, 0.7 + 0.5 * k, 64, 80) for k in range(300)]
    messages, _ = simulate(notes, SimConfig(**CLEAN, latency=(0.02, 0.02), jitter=0.030))
    delays = np.array([m.time - n[0] for m, n in zip(note_ons(messages), notes)])
    assert delays.min() >= 0.02 - 1e-9 and delays.max() <= 0.05 + 1e-9
    assert delays.std() == pytest.approx(0.030 / 12 ** 0.5, rel=0.2)   # uniform 0..30 ms


def e_chord(t):
    return [(t, t + 0.3, p, 90) for p in (40, 47, 52, 56, 59, 64)]   # open E major, all six strings


def strum_channels(messages, start, window=0.2):
    return [m.channel for m in note_ons(messages) if start <= m.time < start + window]


def test_strums_alternate_down_up_and_spread():
    notes = [n for k in range(7) for n in e_chord(1.0 + 0.4 * k)] + e_chord(6.0)   # gap > 1 s: down again
    config = SimConfig(**CLEAN, jitter=0.0, latency=(0.03, 0.03), strum_spread=(0.010, 0.040))
    sim = GuitarSimulator(config)
    messages, _ = sim.run(notes)
    for k, start in enumerate([1.0 + 0.4 * k for k in range(7)] + [6.0]):
        chans = strum_channels(messages, start)
        down = k % 2 == 0 or start == 6.0
        assert chans == ([5, 4, 3, 2, 1, 0] if down else [0, 1, 2, 3, 4, 5]), (k, chans)
        ons = [m.time for m in note_ons(messages) if start <= m.time < start + 0.2]
        assert 0.010 - 1e-9 <= ons[-1] - ons[0] <= 0.040 + 1e-9
        assert ons[0] == pytest.approx(start + 0.03)                      # first string struck on time
    assert (sim.counts.down_strokes, sim.counts.up_strokes, sim.counts.chords) == (5, 3, 8)


def test_strum_direction_from_beats():
    beats = [1.0, 1.6, 2.2, 2.8]
    starts = [1.0, 1.3, 1.6, 2.2, 2.5]         # on, off, on, on, off the beat
    notes = [n for s in starts for n in e_chord(s)]
    config = SimConfig(**CLEAN, jitter=0.0, latency=(0.03, 0.03))
    messages, _ = simulate(notes, config, beats=beats)
    for start, down in zip(starts, [True, False, True, True, False]):
        assert strum_channels(messages, start, 0.15) == ([5, 4, 3, 2, 1, 0] if down else [0, 1, 2, 3, 4, 5])


def test_deterministic_for_a_seed():
    notes = busy_input(seed=11)
    a = simulate(notes, SimConfig(drift=0.03, seed=3))[0]
    b = simulate(list(reversed(notes)), SimConfig(drift=0.03, seed=3))[0]
    c = simulate(notes, SimConfig(drift=0.03, seed=4))[0]
    assert a == b
    assert a != c


def test_ghost_and_octave_error_counts_match_rates():
    rng = random.Random(2)
    notes = [(0.3 * k, 0.3 * k + 0.2, rng.randint(40, 83), rng.randint(40, 110)) for k in range(5000)]
    sim = GuitarSimulator(SimConfig(ghost_rate=0.1, octave_error_rate=0.2, bend_rate=0.0, seed=6))
    messages, _ = sim.run(notes)
    counts = sim.counts
    assert counts.notes_out == 5000
    assert abs(counts.ghosts - 500) < 5 * (5000 * 0.1 * 0.9) ** 0.5
    eligible = counts.octave_eligible
    assert eligible > 500
    assert abs(counts.octave_errors - 0.2 * eligible) < 5 * (eligible * 0.2 * 0.8) ** 0.5
    # What the messages show agrees with the counts.
    ons, durations = note_ons(messages), {}
    offs = defaultdict(list)
    for m in messages:
        if m.kind == NOTE_OFF:
            offs[(m.channel, m.data1)].append(m.time)
    ghosts = [m for m in ons if m.data2 <= 12]
    assert len(ghosts) == counts.ghosts
    for g in ghosts:
        end = min(t for t in offs[(g.channel, g.data1)] if t > g.time)
        durations[g] = end - g.time
    assert all(0 < d <= 0.008 + 1e-9 for d in durations.values())
    above = [p.reported - p.pitch for p in sim.played if p.ghost]
    assert sum(d in (12, 19) for d in above) > 0.6 * len(above)
    wrong = [p for p in sim.played if not p.ghost and p.reported != p.pitch]
    assert len(wrong) == counts.octave_errors
    assert all(p.string <= 1 and abs(p.reported - p.pitch) == 12 for p in wrong)


def test_bends_stay_inside_their_note_and_end_centred():
    notes = [(0.5 + k, 1.3 + k, 50 + k % 20, 90) for k in range(40)]
    sim = GuitarSimulator(SimConfig(ghost_rate=0.0, octave_error_rate=0.0, bend_rate=1.0, seed=2))
    messages, _ = sim.run(notes)
    assert sim.counts.bends == 40
    for p in sim.played:
        bends = [m for m in messages if m.kind == BEND and m.channel == p.channel and p.on <= m.time <= p.off]
        assert len(bends) >= 4
        last = bends[-1]
        assert (last.data2 << 7 | last.data1) == 8192 and last.time < p.off
    inside = sum(1 for m in messages if m.kind == BEND
                 for p in sim.played if p.channel == m.channel and p.on <= m.time < p.off)
    assert inside == sim.counts.bend_messages == sum(m.kind == BEND for m in messages)


def test_out_of_range_notes_are_shifted_or_dropped_and_counted():
    notes = [(0.5, 1.0, 28, 80),                                   # below E2: up an octave to 40
             (1.5, 2.0, 100, 80),                                  # above fret 19 on high E: dropped
             (2.5, 2.5, 60, 80)]                                   # empty: dropped
    notes += [(3.0, 4.0, p, 80) for p in (45, 50, 55, 59, 62, 64, 67, 71)]   # 8 at once: 2 dropped
    sim = GuitarSimulator(SimConfig(**CLEAN))
    messages, _ = sim.run(notes)
    c = sim.counts
    assert (c.notes_in, c.shifted_octave, c.dropped_range, c.dropped_empty, c.dropped_chord) == (11, 1, 1, 1, 2)
    assert c.notes_out == 7 == len(note_ons(messages))
    assert note_ons(messages)[0].data1 == 40
    played = {p.pitch for p in sim.played}
    assert {45, 71} <= played                                      # bass and top kept


def test_warp_is_smooth_monotonic_and_within_drift():
    notes, truth = generated_progression("D", "dorian", bars=40, bpm=100, seed=1)
    sim = GuitarSimulator(SimConfig(**CLEAN, drift=0.05, jitter=0.0, seed=8))
    messages, warp = sim.run(notes)
    t = np.linspace(0, 120, 12001)
    w = warp(t)
    assert warp(0.0) == 0.0
    assert np.all(np.diff(w) > 0)
    slope = np.diff(w) / np.diff(t)
    assert slope.min() >= 0.95 - 1e-6 and slope.max() <= 1.05 + 1e-6
    assert np.abs(w - t).max() > 0.1                                # it really drifts
    warped = warp_annotations(truth, warp)
    assert warped["beats"] == [warp(b) for b in truth["beats"]]
    assert warped["chords"][3]["time"] == warp(truth["chords"][3]["time"])
    # Notes follow the warp; latency is added on top, not inside it.
    first_on = note_ons(messages)[0].time
    assert warp(notes[0][0]) + 0.02 - 1e-9 <= first_on <= warp(notes[0][0]) + 0.08
    identity = simulate(notes, SimConfig(drift=0.0))[1]
    assert identity(37.5) == 37.5


def test_generated_progression_ground_truth():
    notes, truth = generated_progression("D", "dorian", bars=16, bpm=96, meter="4/4", seed=0)
    labels = [c["label"] for c in truth["chords"]]
    assert len(labels) == 16 and labels[-1] == "D:min"
    assert all(re.fullmatch(r"[A-G][#b]?:(maj|min)", lab) for lab in labels)
    assert set(labels) <= {"D:min", "E:min", "F:maj", "G:maj", "A:min", "C:maj"}   # D dorian triads
    assert "G:maj" in labels                                        # the dorian IV
    assert len(truth["beats"]) == 64 and truth["downbeats"] == truth["beats"][::4]
    assert truth["beats"][1] - truth["beats"][0] == pytest.approx(60 / 96)
    assert all(0.5 <= s < e <= truth["end"] for s, e, _, _ in notes)
    for meter, per_bar in (("3/4", 3), ("6/8", 2)):
        _, t = generated_progression("A", "minor", bars=8, meter=meter, seed=1)
        assert len(t["beats"]) == 8 * per_bar
    _, t = generated_progression("Bb", "major", bars=8, seed=2)
    assert {c["label"] for c in t["chords"]} <= {"Bb:maj", "Eb:maj", "F:maj", "G:min", "C:min", "D:min"}
    assert spell("E", 2, 8) == "G#" and spell("F", 3, 10) == "Bb"
    with pytest.raises(ValueError):
        generated_progression("B", "locrian")


def test_bad_config_and_notes_rejected():
    with pytest.raises(ValueError):
        SimConfig(drift=0.6)
    with pytest.raises(ValueError):
        SimConfig(latency=(0.04, 0.02))
    with pytest.raises(ValueError):
        simulate([(-0.1, 0.5, 60, 80)])
    with pytest.raises(ValueError):
        simulate([(0.1, 0.5, 60, 0)])


def test_wide_shapes_only_when_no_narrow_one_exists():
    import itertools

    from bench.guitar_sim import _Hand, voice

    rng = random.Random(4)
    wide = 0
    for _ in range(3000):
        pitches = sorted(rng.sample(range(40, 84), rng.randint(2, 5)))
        kept, strings = voice(pitches, _Hand(), 0.0)
        assert kept and len(kept) == len(strings)
        chosen = [pitches[i] for i in kept]
        frets = [fret_of(s, p) for s, p in zip(strings, chosen)]
        assert None not in frets and list(strings) == sorted(set(strings))
        fretted = [f for f in frets if f > 0]
        if fretted and max(fretted) - min(fretted) > 4:
            wide += 1
            for combo in itertools.combinations(range(6), len(chosen)):
                alt = [fret_of(s, p) for s, p in zip(combo, chosen)]
                alt_fretted = [f for f in alt if f]
                assert None in alt or (alt_fretted and max(alt_fretted) - min(alt_fretted) > 4), (chosen, combo)
    assert wide < 3000 * 0.2


def test_tracker_settles_on_the_dotted_quarter_of_a_simulated_6_8_strum():
    # A 6/8 progression at 66 dotted quarters per minute through the simulator (jitter, drift, ghosts): its
    # first three seconds favour a quarter-note level (about 99 BPM); the tracker must not keep that guess.
    from engine.analyze import run_online

    notes, ann = generated_progression("A", "minor", bars=24, bpm=66, meter="6/8", seed=1)
    messages, warp = GuitarSimulator(SimConfig(jitter=0.030, drift=0.03, seed=1)).run(notes, beats=ann["beats"])
    a, L = run_online(messages)
    assert L.beat.bpm == pytest.approx(66, rel=0.06)
    assert a.meter == "6/8"
