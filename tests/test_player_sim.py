# SPDX-License-Identifier: MIT
"""Tests of bench/player_sim.py: determinism, valid SMF, converter behaviour and a consistent truth."""
from __future__ import annotations

import io
import re
from collections import defaultdict, deque

import mido
import numpy as np
import pytest
from conftest import bench_module
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ps = bench_module("player_sim")

BEATS_PER_BAR = {"2/4": 2, "3/4": 3, "4/4": 4, "6/8": 2, "5/8": 2, "7/8": 3}
HARTE = re.compile(r"^(N|[A-G][b#]?:(maj|min|7|min7|maj7))$")
SLACK = 0.05  # s: latency (<= 40 ms) + jitter (<= 4 ms) + rounding


def timeline(mid: mido.MidiFile) -> list[tuple]:
    """(tick, message) of every track, merged by tick (track order within a tick), without copies."""
    ev = []
    for ti, track in enumerate(mid.tracks):
        tick = 0
        for k, msg in enumerate(track):
            tick += msg.time
            ev.append((tick, ti, k, msg))
    ev.sort(key=lambda e: e[:3])
    return [(e[0], e[3]) for e in ev]


def paired_notes(events: list[tuple]) -> list[tuple]:
    """(channel, pitch, on s, off s, velocity) by first-in first-out pairing per channel and pitch."""
    pending, out = defaultdict(deque), []
    for tick, msg in events:
        if msg.type == "note_on" and msg.velocity > 0:
            pending[msg.channel, msg.note].append((tick, msg.velocity))
        elif msg.type in ("note_on", "note_off"):
            assert pending[msg.channel, msg.note], f"note-off without note-on at tick {tick}: {msg}"
            on, vel = pending[msg.channel, msg.note].popleft()
            assert tick > on, f"zero-length note at tick {tick}: {msg}"
            out.append((msg.channel, msg.note, on / 960, tick / 960, vel))
    assert not any(pending.values()), "note-on without note-off"
    return out


_CHECKED: dict = {}


def check_file(take: ps.Take) -> list[tuple]:
    """The SMF parses, has the converter's header and tempo, and its notes are well formed (cached)."""
    key = take.midi   # not the name: a forced and a chosen tempo behaviour give one name to two takes
    if key not in _CHECKED:
        _CHECKED[key] = _check_file(take)
    return _CHECKED[key]


def _check_file(take: ps.Take) -> list[tuple]:
    mid = mido.MidiFile(file=io.BytesIO(take.midi))
    assert mid.type in (0, 1) and mid.ticks_per_beat == 480
    tempos = [m.tempo for tr in mid.tracks for m in tr if m.type == "set_tempo"]
    assert tempos == [500000]
    events = timeline(mid)
    notes = paired_notes(events)
    assert notes
    poly = take.truth["converter"]["poly"]
    by_channel = defaultdict(list)
    for ch, pitch, on, off, vel in notes:
        by_channel[ch].append((on, off))
        if poly:
            assert ch == 0
        elif vel > 12:   # a real note: its string's range (octave errors on the two low strings)
            low = ps.OPEN[ch] - (12 if ch >= 4 else 0)
            assert low <= pitch <= ps.OPEN[ch] + 15 + (12 if ch >= 4 else 3), (ch, pitch)
    if not poly:   # one note per string at a time
        for spans in by_channel.values():
            spans.sort()
            assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:]))
    check_bends(events, poly)
    return notes


def check_bends(events: list[tuple], poly: bool) -> None:
    """Bends only in mono takes, on a held note, within +3 semitones, reset before the channel's next note."""
    bent, held = set(), defaultdict(int)
    for _, msg in events:
        if msg.type == "pitchwheel":
            assert not poly
            if msg.pitch:
                assert held[msg.channel] and 0 < msg.pitch <= round(3 * 8192 / 12)
                bent.add(msg.channel)
            else:
                bent.discard(msg.channel)
        elif msg.type == "note_on" and msg.velocity > 0:
            assert msg.channel not in bent, "note-on on a bent channel"
            held[msg.channel] += 1
        elif msg.type in ("note_on", "note_off"):
            held[msg.channel] -= 1
    assert not bent


def song_ends(t: dict) -> list[float]:
    """Ends of the renditions: span ends that are not the start of a stop."""
    stop_starts = {s["start"] for s in t["stops"]}
    return [e for _, e in t["playing"] if e not in stop_starts]


def check_truth(take: ps.Take, notes: list[tuple]) -> None:
    """Every promise the truth JSON makes, checked against itself and the file."""
    t = take.truth
    beats, downbeats = np.array(t["beats"]), t["downbeats"]
    assert np.all(np.diff(beats) > 0.1) and len(t["bpm"]) == len(beats)
    assert set(downbeats) <= set(t["beats"]) and len(downbeats) >= 24
    assert all(25 < b < 300 for b in t["bpm"])
    assert t["meter"] in BEATS_PER_BAR and all(m["meter"] in BEATS_PER_BAR for m in t["meters"])
    assert t["meters"][0]["time"] == downbeats[0] and {m["time"] for m in t["meters"]} <= set(downbeats)
    assert all(HARTE.match(c["label"]) for c in t["chords"])
    assert all(a["time"] < b["time"] and a["label"] != b["label"] for a, b in zip(t["chords"], t["chords"][1:]))
    check_meter(t)
    spans = t["playing"]
    assert spans[0][0] == t["first_onset"] and all(a < b for s in spans for a, b in zip(s, s[1:]))
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    for s in t["stops"]:
        inside = [b for b in t["beats"] if s["start"] - 1e-6 <= b < s["end"] - 1e-6]
        assert s["start"] in t["beats"] and s["end"] in downbeats and len(inside) == s["beats"] >= 1
        assert any(abs(a[1] - s["start"]) < 1e-6 for a in spans)
    ends = song_ends(t)
    assert len(ends) == len(t.get("renditions", [1]))
    for end in ends:
        nxt = min([s[0] for s in spans if s[0] > end], default=None)
        later = beats[beats > end + 1e-6]
        assert not len(later) or (nxt is not None and later[0] >= nxt - SLACK), "a beat after a song's end"
    tp = t["tuning_plucks"]
    assert all(p > spans[-1][1] + 5 for p in tp)
    for ch, pitch, on, off, vel in notes:
        ok = any(0 <= on - p <= SLACK for p in tp) or any(a <= on <= b + SLACK for a, b in spans)
        assert ok, f"note at {on:.3f} s outside the playing spans"
    assert abs(t["end"] - max(n[3] for n in notes)) < 1e-3
    assert spans[-1][0] <= t["last_chord"] <= spans[-1][1]
    assert min(n[2] for n in notes if n[4] > 12) >= t["first_onset"] + 0.015   # converter latency
    assert min(n[2] for n in notes) >= t["first_onset"]                       # ghosts come after the pluck
    assert sum(d["notes"] for d in t["dynamics"]) > 0 and len(t["dynamics"]) == len(downbeats)


def check_meter(t: dict) -> None:
    """Beats per bar, aqsaq group lengths and pulse, and bpm against the beat spacing."""
    beats, downbeats, ends = np.array(t["beats"]), t["downbeats"], song_ends(t)
    pulse = np.array(t.get("pulse", []))
    assert ("pulse" in t) == any(m["meter"] in ps.AQSAQ for m in t["meters"])
    for k, db in enumerate(downbeats):
        meter = [m["meter"] for m in t["meters"] if m["time"] <= db][-1]
        limit = min([e for e in ends if e > db] + downbeats[k + 1:k + 2])
        bar = beats[(beats >= db) & (beats < limit - 1e-6)]
        assert len(bar) == BEATS_PER_BAR[meter], (db, meter, bar)
        groups = np.array(ps.METERS[meter], float)
        lengths = np.diff(np.append(bar, limit))
        assert np.allclose(lengths / lengths.sum(), groups / groups.sum(), rtol=0.12)
        i = int(np.searchsorted(beats, db))
        unit = 3 if meter == "6/8" else 2
        assert np.allclose(t["bpm"][i:i + len(bar)], 60 * groups / unit / lengths, rtol=0.01)
        if meter in ps.AQSAQ:
            in_bar = pulse[(pulse >= db - 1e-6) & (pulse < limit - 1e-6)]
            assert len(in_bar) == sum(ps.METERS[meter]) and set(np.round(bar, 4)) <= set(np.round(in_bar, 4))


def check_take(take: ps.Take) -> None:
    check_truth(take, check_file(take))


@pytest.fixture(scope="module")
def default_set() -> list[ps.Take]:
    return [ps.make_take(kind, 1, i, tags) for i, (kind, tags) in enumerate(ps.schedule(24))]


def test_default_set_covers_every_kind_twice(default_set):
    counts = defaultdict(int)
    for take in default_set:
        for k in take.truth["kinds"]:
            counts[k] += 1
    assert set(counts) == set(ps.KINDS) and min(counts.values()) >= 2, counts
    assert len({t.name for t in default_set}) == 24
    assert sum(t.truth["converter"]["poly"] for t in default_set) == 4


def test_default_set_is_consistent(default_set):
    for take in default_set:
        check_take(take)


def test_same_seed_same_bytes(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, 3), (b, 3), (c, 4)):
        assert ps.main(["--out", str(out), "--count", "4", "--seed", str(seed)]) == 0
    files = sorted(p.name for p in a.iterdir())
    assert len(files) == 8 and files == sorted(p.name for p in b.iterdir())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert [(a / f).read_bytes() for f in files if f.endswith(".mid")] != \
        [(c / f).read_bytes() for f in sorted(p.name for p in c.iterdir()) if f.endswith(".mid")]


def test_only_kind(tmp_path, capsys):
    ps.main(["--out", str(tmp_path), "--count", "2", "--only", "aqsaq78"])
    names = sorted(p.name for p in tmp_path.glob("*.mid"))
    assert len(names) == 2 and all(n.startswith("aqsaq_7-8_") for n in names)
    assert len(capsys.readouterr().out.strip().splitlines()) == 2


def test_dynamics_soft_middle_is_quieter_and_sparser():
    for seed in range(3):
        t = ps.make_take("dynamics", seed).truth
        a, b = t["sections"][0]["bars"]
        soft = [d for d in t["dynamics"] if a <= d["bar"] < b]
        loud = [d for d in t["dynamics"][:-1] if not a <= d["bar"] < b]
        assert 18 < np.mean([d["velocity_mean"] for d in soft]) < 33
        assert 55 < np.mean([d["velocity_mean"] for d in loud if d["notes"]]) < 75
        assert np.mean([d["notes"] for d in soft]) < 0.7 * np.mean([d["notes"] for d in loud])


def strum_spreads(notes: list[tuple]) -> list[float]:
    """Spread (s) of each run of >= 4 real note-ons less than 30 ms apart."""
    ons = sorted(n[2] for n in notes if n[4] > 12)
    runs, run = [], [ons[0]]
    for t in ons[1:]:
        if t - run[-1] < 0.03:
            run.append(t)
        else:
            runs += [run[-1] - run[0]] if len(run) >= 4 else []
            run = [t]
    return runs


def test_converter_artefacts_present(default_set):
    notes = [n for t in default_set for n in check_file(t)]
    ghosts = sum(n[4] <= 12 for n in notes) / len(notes)
    assert 0.01 < ghosts < 0.06
    spreads = [s for t in default_set if t.truth["style"] == "strum" for s in strum_spreads(check_file(t))]
    assert len(spreads) > 500 and 0.010 < np.median(spreads) < 0.040 and np.percentile(spreads, 5) > 0.008
    files = [mido.MidiFile(file=io.BytesIO(t.midi)) for t in default_set]
    assert any(m.type == "pitchwheel" for f in files for tr in f.tracks for m in tr)


def test_stops_take_has_four_stop_lengths():
    t = ps.make_take("stops", 11).truth
    per_bar = BEATS_PER_BAR[t["meter"]]
    lengths = sorted(s["beats"] for s in t["stops"])
    assert lengths[:3] == [1, per_bar, 2 * per_bar] and lengths[3] >= 4 * per_bar
    assert len(t["playing"]) == 5


def test_twice_has_a_silent_gap():
    t = ps.make_take("twice", 5).truth
    (a, b), (c, d) = t["playing"]
    assert c - b > 3 and not [x for x in t["beats"] if b < x < c - SLACK]


def test_voicings_hold_the_chord_with_the_root_in_the_bass():
    rng = np.random.default_rng(0)
    for root in range(12):
        for quality, tones in ps.QUALITIES.items():
            for pref in (0.0, 1.0):
                v = ps.pick_voicing(rng, (root, quality), pref)
                pitches = [ps.OPEN[s] + f for s, f in enumerate(v) if f is not None]
                assert {p % 12 for p in pitches} <= {(root + i) % 12 for i in tones}
                assert min(pitches) % 12 == root and all(0 <= f <= 15 for f in v if f is not None)


def test_progressions_start_on_the_tonic_and_stay_mostly_in_mode():
    assert ps.roman("bVII", 0) == (10, "maj") and ps.roman("iv", 0) == (5, "min")
    assert ps.roman("V7", 2) == (9, "7") and ps.roman("i7", 9) == (9, "min7")
    for mode, progs in ps.PROGRESSIONS.items():
        for prog in progs:
            chords = [ps.roman(s, 0) for s in prog.split()]
            assert chords[0][0] == 0
            for sym, (root, _) in zip(prog.split(), chords):
                assert root in ps.MODES[mode] or (mode == "minor" and sym == "V7")


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(ps.KINDS), seed=st.integers(0, 2**32 - 1), index=st.integers(0, 99),
       tag=st.sampled_from((None,) + ps.COMBINABLE))
def test_any_take_is_consistent(kind, seed, index, tag):
    take = ps.make_take(kind, seed, index, (tag,) if tag and tag != kind else ())
    check_take(take)
