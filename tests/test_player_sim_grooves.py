# SPDX-License-Identifier: MIT
"""Tests of bench/player_sim.py's grooves (sim4): each kind's truth is self-consistent and its notes sit on the
slots its right-hand pattern plays, read back from the written MIDI with mido."""
from __future__ import annotations

import io

import mido
import numpy as np
import pytest
from conftest import bench_module

ps = bench_module("player_sim")

COUNTED = {"2/4": 2, "3/4": 3, "4/4": 4, "12/8": 4}   # beats a musician counts per bar
EIGHTHS = {"2/4": 2, "3/4": 2, "4/4": 2, "12/8": 3}   # eighths per counted beat
EARLY, LATE = 0.02, 0.11   # s: a note-on from its slot: scatter +-15 ms, latency 20-40 ms, strum spread <= 40 ms
CASES = [(kind, seed, tags) for kind in ps.GROOVE_KINDS for seed, tags in ((3, ()), (8, ("tempo",)))]


def note_ons(take) -> list[tuple[float, int]]:
    """(time s, velocity) of every note-on of the take's MIDI file (960 ticks a second)."""
    mid = mido.MidiFile(file=io.BytesIO(take.midi))
    t, out = 0, []
    for msg in mido.merge_tracks(mid.tracks):
        t += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            out.append((t / 960, msg.velocity))
    return out


def bar_slots(truth: dict) -> list[np.ndarray]:
    """Slot times (s) of every whole bar from the truth's beats and feel (sub, swing); the last bar, with no next
    downbeat in the truth, is left out."""
    beats, downs = np.array(truth["beats"]), truth["downbeats"]
    sub, swing = truth["feel"]["sub"], truth["feel"]["swing"]
    frac = (0.0, swing) if sub == 2 else tuple(k / sub for k in range(sub))
    e = EIGHTHS[truth["meter"]]
    out = []
    for a, b in zip(downs, downs[1:]):
        bb = list(beats[(beats >= a - 1e-6) & (beats < b - 1e-6)]) + [b]
        eighths = [x + (y - x) * k / e for x, y in zip(bb, bb[1:]) for k in range(e)] + [b]
        out.append(np.array([x + (y - x) * f for x, y in zip(eighths, eighths[1:]) for f in frac]))
    return out


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c[0]}-{c[1]}{'+' + c[2][0] if c[2] else ''}")
def case(request):
    kind, seed, tags = request.param
    return kind, ps.make_take(kind, seed, seed, tags)


def test_truth_is_self_consistent(case):
    kind, take = case
    t = take.truth
    beats, downs = np.array(t["beats"]), np.array(t["downbeats"])
    meters = {f.meter or ps.GROOVES[kind].meter for f in ps.GROOVES[kind].feels}
    assert t["kind"] == kind and t["meter"] in meters and [m["meter"] for m in t["meters"]] == [t["meter"]]
    assert np.all(np.diff(beats) > 0) and 0 <= beats[0] and beats[-1] < t["end"]
    assert np.isin(downs, beats).all(), "a downbeat that is not a beat"
    per_bar = np.diff(np.searchsorted(beats, downs))
    assert set(per_bar.tolist()) == {COUNTED[t["meter"]]}, per_bar
    assert len(t["bpm"]) == len(beats)
    feel = next(f for f in ps.GROOVES[kind].feels if f.name == t["feel"]["name"])
    if t["tempo"]["mode"] == "steady":
        held = [b for f in t["fermatas"] for b in range(len(beats)) if f["start"] - 1e-6 <= beats[b] < f["end"] - 1e-6]
        bpm = np.delete(np.array(t["bpm"]), held)
        assert feel.bpm[0] * 0.95 <= bpm.min() and bpm.max() <= feel.bpm[1] * 1.05, (bpm.min(), bpm.max())
    if kind == "fermata":
        bar_s = np.diff(downs)
        for f in t["fermatas"]:
            k = int(np.searchsorted(downs, f["start"] - 1e-6))
            assert bar_s[k] > 1.8 * np.median(bar_s), "a fermata bar that is not held"


def test_notes_sit_on_the_pattern_slots(case):
    kind, take = case
    t = take.truth
    pats = [p.split() for p in t["feel"]["bars"]]
    held = {f["bar"] for f in t["fermatas"]}
    ons = [(x, v) for x, v in note_ons(take) if v >= 13]   # the converter's ghost notes are 5-12
    times = np.array([x for x, _ in ons])
    on_hit, hits, heard = 0, 0, 0
    for bar, slots in enumerate(bar_slots(t)):
        if bar in held:
            continue
        tokens = pats[bar % len(pats)]
        nxt = t["downbeats"][bar + 1]
        near = times[(times >= slots[0] - EARLY) & (times < nxt - EARLY)]
        for x in near:
            k = int(np.searchsorted(slots, x + EARLY, side="right")) - 1
            on_hit += x - slots[k] <= LATE and tokens[k] != "."
        for k, tok in enumerate(tokens):
            if tok != ".":
                hits += 1
                heard += bool(np.any((times >= slots[k] - EARLY) & (times <= slots[k] + LATE)))
        heard_bar = len(near)
        assert heard_bar > 0 or kind == "reggae", f"bar {bar} silent"
    in_bars = np.sum((times >= t["downbeats"][0] - EARLY) & (times < t["downbeats"][-1] - EARLY)) - sum(
        np.sum((times >= f["start"] - EARLY) & (times < f["end"] - EARLY)) for f in t["fermatas"])
    assert on_hit >= 0.9 * in_bars, f"{on_hit} of {in_bars} note-ons on the pattern's strokes"
    assert heard >= 0.9 * hits, f"{heard} of {hits} pattern strokes heard"


def test_sixteenths_accent_only_the_one():
    t_take = ps.make_take("sixteenths", 4, 4)
    t = t_take.truth
    ons = note_ons(t_take)
    beats = np.array(t["beats"])
    first = set(np.round(t["downbeats"][:-1], 4))
    loud = {"one": [], "other": []}
    for b in beats[:-1]:
        vels = [v for x, v in ons if b - EARLY <= x <= b + LATE]
        if vels:
            loud["one" if round(b, 4) in first else "other"].append(np.mean(vels))
    assert np.mean(loud["one"]) > 1.25 * np.mean(loud["other"]), {k: np.mean(v) for k, v in loud.items()}


def test_one_drop_leaves_the_one_empty():
    takes = [ps.make_take("reggae", s, s) for s in range(12)]
    one_drop = [tk for tk in takes if tk.truth["feel"]["name"] == "one drop skank"]
    assert one_drop, "no one-drop take among 12 seeds"
    for tk in one_drop:
        times = np.array([x for x, v in note_ons(tk) if v >= 13])
        downs = np.array(tk.truth["downbeats"][1:-1])
        near = np.abs(times[:, None] - (downs[None, :] + 0.03)).min(axis=0) < 0.05
        assert near.mean() < 0.1, "one drop: strokes on the 1"


def test_twelve_eight_blues_counts_dotted_quarters():
    t = ps.make_take("blues", 2, 2).truth
    assert t["meter"] == "12/8" and t["meters"][0]["meter"] == "12/8"
    assert 45 <= np.median(t["bpm"]) <= 70
    assert len(t["downbeats"]) % 12 == 0 and len(t["beats"]) == 4 * len(t["downbeats"])
    labels = [c["label"] for c in t["chords"] if c["label"] != "N"]
    assert all(lab.endswith(":7") or lab.endswith(":min7") for lab in labels), labels


def test_groove_set_is_deterministic_and_covers_every_kind(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        ps.main(["--out", str(out), "--seed", "6", "--grooves", "--count", "12"])
    files = sorted(p.name for p in a.iterdir())
    assert files == sorted(p.name for p in b.iterdir())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    kinds = {f.split("_")[0] for f in files}
    assert kinds == set(ps.GROOVE_KINDS), kinds
