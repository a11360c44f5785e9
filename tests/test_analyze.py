"""`aqyn analyze`: the JSON contract of DESIGN.md, the readable output, the chord tracker, bad input."""

import json

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.events import InputMessage
from engine.listen.chord import ChordTracker
from tests.conftest import example, truth

runner = CliRunner()
TONICS = {"C", "C#", "Db", "D", "Eb", "E", "F", "F#", "Gb", "G", "Ab", "A", "Bb", "B"}
MODES = {"major", "minor", "dorian", "phrygian", "lydian", "mixolydian", "locrian"}


@pytest.mark.parametrize("offline", [False, True])
def test_json_contract(offline):
    path = example("e_mixolydian_ramp_88-116_4-4")
    r = runner.invoke(app, ["analyze", str(path), "--json"] + (["--offline"] if offline else []))
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    assert set(a) == {"file", "duration", "mode", "key", "keys", "tempo", "beats", "downbeats", "meter", "chords"}
    assert a["file"] == str(path) and a["mode"] == ("offline" if offline else "online")
    assert a["duration"] == pytest.approx(69.57, abs=0.01)
    assert a["key"]["tonic"] == "E" and a["key"]["mode"] == "mixolydian" and 0 <= a["key"]["confidence"] <= 1
    for k in a["keys"]:
        assert k["tonic"] in TONICS and k["mode"] in MODES and set(k) == {"time", "tonic", "mode", "confidence"}
    times = [t["time"] for t in a["tempo"]]
    assert times == sorted(times) and all(60 < t["bpm"] < 140 for t in a["tempo"])
    assert a["beats"] == sorted(a["beats"]) and set(a["downbeats"]) <= set(a["beats"])
    assert a["meter"] == "4/4"
    assert all(":" in c["label"] or c["label"] == "N" for c in a["chords"])
    # The accelerando is followed: the tempo at the end is the ramp's end.
    assert a["tempo"][-1]["bpm"] == pytest.approx(116, rel=0.04)


def test_online_estimates_match_the_ground_truth():
    name = "a_minor_66_6-8"
    r = runner.invoke(app, ["analyze", str(example(name)), "--json"])
    a, t = json.loads(r.stdout), truth(name)
    assert (a["key"]["tonic"], a["key"]["mode"]) == ("A", "minor") and a["meter"] == "6/8"
    ref = t["beats"]
    hits = sum(any(abs(b - x) < 0.07 for x in ref) for b in a["beats"])
    assert hits / len(a["beats"]) > 0.9
    labels = {c["label"] for c in a["chords"]}
    assert {"A:min", "G:maj", "F:maj", "E:maj"} <= labels


def test_offline_tracks_beats_from_the_first_bar():
    name = "d_dorian_96_4-4"
    a = json.loads(runner.invoke(app, ["analyze", str(example(name)), "--json", "--offline"]).stdout)
    ref = truth(name)["beats"]
    assert a["beats"][0] < ref[2]
    assert a["chords"][0]["label"] == "D:min"


def test_readable_output():
    r = runner.invoke(app, ["analyze", str(example("d_dorian_96_4-4"))])
    assert r.exit_code == 0
    assert "key     D dorian" in r.stdout and "meter   4/4" in r.stdout and "Dm" in r.stdout


def test_bad_input(tmp_path, no_notes_mid):
    r = runner.invoke(app, ["analyze", str(tmp_path / "none.mid"), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and "not found" in r.stderr
    r = runner.invoke(app, ["analyze", str(no_notes_mid)])
    assert r.exit_code == 2 and "no notes" in r.stderr


def test_chord_tracker_labels_triads_and_sevenths():
    c = ChordTracker()
    for p in (43, 47, 50, 55, 59, 67):          # G major, open shape, G in the bass
        c.note_on(1.0, p, 90, p == 43)
    assert c.decide(1.05, [(p, 1.0) for p in (43, 47, 50, 55, 59, 67)], (7, "major")) == "G:maj"
    c = ChordTracker()
    for p in (40, 47, 50, 56, 59, 64):          # E7
        c.note_on(2.0, p, 90, p == 40)
    assert c.decide(2.05, [(p, 2.0) for p in (40, 47, 50, 56, 59, 64)], (9, "minor")) == "E:7"
    c = ChordTracker()
    assert c.decide(0.0, [], None) == "N"


def test_chord_tracker_keeps_an_arpeggio_through_its_melody_notes():
    # A picked A minor arpeggio (one note every 0.2 s, notes ring 0.8 s) under a melody that touches
    # non-chord tones (B4, D5, F5): once the arpeggio has sounded, the label stays A:min at every decision.
    c = ChordTracker()
    arpeggio, melody = [45, 52, 57, 60, 64, 57, 60, 52], {2: 71, 5: 74, 7: 77}
    labels, ringing = [], []
    for i in range(16):
        t = 0.2 * i
        p = arpeggio[i % 8]
        c.note_on(t, p, 80, i % 8 == 0)
        ringing = [(q, s) for q, s in ringing if t - s < 0.8] + [(p, t)]
        if i % 8 in melody:
            c.note_on(t + 0.01, melody[i % 8], 70, False)
            ringing.append((melody[i % 8], t + 0.01))
        labels.append(c.decide(t + 0.06, ringing, (9, "minor")))
    assert set(labels[3:]) == {"A:min"}


def test_offline_downbeats_follow_the_bars_the_second_pass_settled_on():
    # Nine beats of the same strum (no bass, no chord change: no sign of the bar yet), then bars with the
    # bass on their first beat. The second pass's first downbeats are guesses; the offline bar phase is the
    # one most of its downbeats agree with, so every bar start is found.
    from engine.analyze import run_offline
    from tests.test_listen import NOTE_OFF, NOTE_ON, bars

    for meter_beats in (3, 4):
        msgs, downbeats = bars(meter_beats, count=16, start=0.5 + 0.6 * 9)
        for k in range(9):
            t = 0.5 + 0.6 * k
            for j, p in enumerate((48, 52, 55, 60)):
                msgs += [InputMessage(t + 0.008 * j, NOTE_ON, p, 80), InputMessage(t + 0.45, NOTE_OFF, p, 0)]
        msgs.sort(key=lambda m: m.time)
        a = run_offline(msgs)
        assert a.meter == {3: "3/4", 4: "4/4"}[meter_beats]
        assert all(min(abs(d - t) for t in a.downbeats) < 0.07 for d in downbeats)
