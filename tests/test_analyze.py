"""`aqyn analyze`: the JSON contract of DESIGN.md, the readable output, the chord tracker, bad input."""

import json
from pathlib import Path

import numpy as np
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


def progression_with_melody(beats_late=0):
    """C Am F G, a bar (4 beats of 0.5 s) each, twice: the bass root held through the bar, the triad strummed
    short on beats 1 and 3, and an eighth-note melody full of passing tones (seconds, fourths, sevenths): on
    beats 2 and 4 only the bass and the melody sound."""
    from tests.test_listen import NOTE_OFF, NOTE_ON

    bars = [(36, (52, 55, 60), (74, 72, 71, 72, 74, 77, 76, 74)),   # C: D5 B4 F5 over C E G
            (45, (52, 57, 60), (71, 72, 74, 76, 79, 76, 74, 71)),   # Am: B4 D5 G5
            (41, (53, 57, 60), (79, 77, 76, 74, 72, 74, 76, 79)),   # F: G5 E5 D5
            (43, (55, 59, 62), (81, 79, 77, 76, 74, 72, 71, 72))]   # G: A5 F5 E5 C5
    msgs = []
    for k in range(8):
        root, triad, tune = bars[k % 4]
        t0 = 0.5 + 2.0 * k
        msgs += [InputMessage(t0, NOTE_ON, root, 90), InputMessage(t0 + 1.95, NOTE_OFF, root, 0)]
        for b in (0, 2):
            for j, p in enumerate(triad):
                msgs += [InputMessage(t0 + 0.5 * b + 0.01 * j, NOTE_ON, p, 70),
                         InputMessage(t0 + 0.5 * b + 0.45, NOTE_OFF, p, 0)]
        for i, p in enumerate(tune):
            msgs += [InputMessage(t0 + 0.25 * i, NOTE_ON, p, 80), InputMessage(t0 + 0.25 * i + 0.2, NOTE_OFF, p, 0)]
    msgs.sort(key=lambda m: m.time)
    beats = [0.5 + 0.5 * i for i in range(4 * beats_late, 32)]
    return msgs, beats


def test_chords_per_beat_label_a_progression_through_its_passing_notes():
    # The melody puts a second, a fourth or a seventh over every chord: each bar still reads as its triad
    # (the forward filter carries it through the beats of bass and melody alone), and the change lands on
    # the bar line (the bass and the triad move together).
    from engine.analyze import _chords_per_beat

    msgs, beats = progression_with_melody()
    chords = _chords_per_beat(msgs, beats, None)
    assert [c["label"] for c in chords] == ["C:maj", "A:min", "F:maj", "G:maj"] * 2
    assert [c["time"] for c in chords] == [0.5 + 2.0 * k for k in range(8)]


def test_chords_per_beat_hear_a_bare_fifth_among_triads_as_the_keys_triad():
    # G# minor (GuitarSet's bossa nova): a bar of E major strummed in full, then bars of Ab Eb alone: G#m
    # (the key's i), as online; the same dyads with no triad before them are Ab5.
    from engine.analyze import _chords_per_beat
    from tests.test_listen import NOTE_OFF, NOTE_ON

    def dyads_after(triad: bool) -> list[str]:
        bars = [(40, 47, 56)] if triad else []
        bars += [(44, 51, 56)] * 3                                      # E G# ... then Ab Eb Ab
        msgs = [InputMessage(2.0 * k + 0.5 * b + 0.01 * j, kind, p, 90 if kind == NOTE_ON else 0)
                for k, shape in enumerate(bars) for b in range(4) for j, p in enumerate(shape)
                for kind in (NOTE_ON, NOTE_OFF)]
        msgs = [m if m.kind == NOTE_ON else InputMessage(m.time + 0.45, m.status, m.data1, 0) for m in msgs]
        chords = _chords_per_beat(sorted(msgs, key=lambda m: m.time), [0.5 * b for b in range(4 * len(bars))],
                                  (8, "minor"))
        return [c["label"] for c in chords]

    assert dyads_after(True) == ["E:maj", "Ab:min"]
    assert dyads_after(False) == ["Ab:5"]


def test_chords_per_beat_label_the_notes_before_the_first_beat():
    # The beat tracker locked a bar late: the first bar is labelled anyway, from its first note.
    from engine.analyze import _chords_per_beat

    msgs, beats = progression_with_melody(beats_late=1)
    chords = _chords_per_beat(msgs, beats, None)
    assert chords[0] == {"time": 0.5, "label": "C:maj"} and chords[1]["label"] == "A:min"


def test_chord_tracker_prefers_the_triad_under_a_passing_melody():
    # A strummed C major (C in the bass) under a softer picked D5, B5, F5, D5: at each note's decision it is
    # still C:maj, not Cmaj7 or Csus2 (passing notes are common; richer and suspended chords must be clear).
    c = ChordTracker()
    strum = [(48, 0.0), (52, 0.01), (55, 0.02), (60, 0.03)]
    for p, t in strum:
        c.note_on(t, p, 80, p == 48)
    ringing = list(strum)
    for i, p in enumerate((74, 83, 77, 74)):
        t = 0.3 + 0.3 * i
        c.note_on(t, p, 60, False)
        ringing = [(q, s) for q, s in ringing if q < 70] + [(p, t)]
        assert c.decide(t + 0.06, ringing, (0, "major")) == "C:maj"


def test_chord_filter_holds_through_one_odd_beat_and_follows_a_change():
    from engine.listen.chord import ChordFilter

    t, f = ChordTracker(outside=0.5, bass_fresh=0.3), ChordFilter()
    c, g = np.zeros(12), np.zeros(12)
    c[[0, 4, 7]] = 1.0
    g[[7, 11, 2]] = 1.0
    odd = c.copy()
    odd[[2, 5]] = 1.5                                  # a beat crowded with passing D and F
    labels = [f.step(t.scores(x, None, True, None)) for x in (c, c, c, odd, c, g, g, g)]
    assert labels[:5] == ["C:maj"] * 5 and labels[6:] == ["G:maj"] * 2


def test_chords_per_beat_a_thin_beat_counts_less():
    # A bar of C major, then a beat of two short soft notes (B, D: all of G's evidence there is) and C again:
    # so little sound does not outweigh the bar before it, while a full G strum two beats long does.
    from engine.analyze import _chords_per_beat
    from tests.test_listen import NOTE_OFF, NOTE_ON

    def strum(t, pitches, velocity=80, length=0.48):
        return [m for p in pitches for m in (InputMessage(t, NOTE_ON, p, velocity),
                                              InputMessage(t + length, NOTE_OFF, p, 0))]

    msgs = [m for b in range(4) for m in strum(0.5 * b, (48, 52, 55, 60))]
    msgs += strum(2.0, (59,), 50, 0.1) + strum(2.1, (62,), 50, 0.1)
    msgs += [m for b in range(5, 7) for m in strum(0.5 * b, (48, 52, 55, 60))]
    msgs += [m for b in range(7, 9) for m in strum(0.5 * b, (43, 55, 59, 62))]
    msgs.sort(key=lambda m: m.time)
    chords = _chords_per_beat(msgs, [0.5 * b for b in range(9)], None)
    assert [c["label"] for c in chords] == ["C:maj", "G:maj"]


def test_online_beats_are_committed_ahead_never_in_hindsight():
    # The online beats are what the band would have committed: each one predicted before its time. When the
    # listener's confidence dipped under the lock and came back, the beats missed in between were written at
    # past times on the new grid (converter-set-b sim_03: online beat F 0.87 in hindsight, 0.19 as committed).
    from engine.analyze import OnlineAnalysis
    from engine.clock import VirtualClock
    from engine.io.midi_input import read_guitar_file
    from engine.pipeline import ListSource, run

    class Watch(OnlineAnalysis):
        def tick(self, now):
            before = len(self.result.beats)
            super().tick(now)
            late = [t for t in self.result.beats[before:] if t < now]
            assert not late, f"beats at {late} committed at {now:.3f} s"

    guitar = read_guitar_file(Path(__file__).parent / "data" / "sim_03.mid")    # ../shared/cases' converter-set-b
    watch = Watch(None, 0.08, guitar.duration)
    run(watch, ListSource(guitar.messages), VirtualClock(), until=guitar.duration + 2.0)
    beats = watch.result.beats
    assert len(beats) > 20 and beats == sorted(beats)


def test_readable_chords_are_spelled_as_the_key_writes_them(tmp_path):
    """The D dorian example a semitone up is Eb dorian (Db major's five flats): its bVII is Db, never C#, in the
    lines people read; the JSON keeps mir_eval's Harte labels."""
    import mido

    song = mido.MidiFile(example("d_dorian_96_4-4"))
    for track in song.tracks:
        for i, msg in enumerate(track):
            if msg.type in ("note_on", "note_off"):
                track[i] = msg.copy(note=msg.note + 1)
    path = tmp_path / "eb_dorian.mid"
    song.save(path)
    r = runner.invoke(app, ["analyze", str(path)])
    assert r.exit_code == 0, r.output
    assert "key     Eb dorian" in r.stdout
    chords = next(line for line in r.stdout.splitlines() if line.startswith("  chords"))
    names = {c.split(":", 1)[1] for c in chords.split()[1:] if ":" in c}
    assert {"Ebm", "Db", "Ab"} <= names and not {n for n in names if n.startswith(("C#", "G#", "D#"))}, chords


def test_the_meter_said_is_the_one_heard_longest_not_the_one_at_the_end():
    """review24's waltz: 3/4 in D fingerpicked at 88, a rallentando to 55 in its last 4 bars and a held final chord,
    which the listener hears in 4/4. The take is 3/4 (the meter heard longest), in the text and the JSON; a 5/8 take
    followed by 30 bars of 3/4 says both in the text, and its meter (JSON) is the longer, 5/8."""
    waltz = Path(__file__).parent / "data" / "waltz-D-88-rall-3-4-review24.mid"
    assert json.loads(runner.invoke(app, ["analyze", str(waltz), "--json"]).stdout)["meter"] == "3/4"
    assert "meter   3/4\n" in runner.invoke(app, ["analyze", str(waltz), "--offline"]).stdout
    two = Path(__file__).parent / "data" / "aqsaq-5-8-then-3-4.mid"
    assert "meter   5/8, then 3/4 from 83.2 s\n" in runner.invoke(app, ["analyze", str(two)]).stdout
    assert json.loads(runner.invoke(app, ["analyze", str(two), "--json"]).stdout)["meter"] == "5/8"
