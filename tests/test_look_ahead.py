"""`aqyn render --look-ahead`: the band of a backing track plays from the player's first downbeat (issue 11).

Pass one renders as live; engine/look_ahead.py reads the player's first downbeat, tempo, meter and key off its
band; pass two renders with a silent count-in ending on that downbeat and the key told at once. On real takes:
the examples (their truth beside them) and sim2's 2/4 take with a pickup (tests/data/pickup-2-4-d-major-sim2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.events import Beat, KeyChange, LeadIn, Note, TimeSignature
from engine.io.midi_input import read_guitar_file
from engine.io.sinks import RecordingSink
from engine.listen.key import KeyTracker
from engine.look_ahead import AGREE, SETTLED_BARS, Named, follows, named, opening, whole_key
from engine.render import play
from engine.theory import pitch_class

ROOT = Path(__file__).resolve().parents[1]
PICKUP = ROOT / "tests" / "data" / "pickup-2-4-d-major-sim2.mid"


def truth_of(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text())


def first_note(events) -> float:
    return min(e.time for e in events if isinstance(e, Note))


@pytest.mark.parametrize("name", ["a_minor_66_6-8", "d_dorian_96_4-4"])
def test_the_band_plays_from_the_guitars_first_downbeat_in_its_meter_and_key(name):
    """The band's first note within an eighth of a beat of the truth's first downbeat (as live it came in about
    two bars later: 5.4 s into the D dorian take, whose first downbeat is at 0.50 s), in the take's meter and key
    from that note on, the dombra too."""
    path = ROOT / "examples" / f"{name}.mid"
    truth = truth_of(path)
    beat = truth["beats"][1] - truth["beats"][0]
    guitar = read_guitar_file(path)
    _, live = play(guitar)
    _, band = play(guitar, look_ahead=True)
    downbeat = truth["downbeats"][0]
    assert first_note(live) > downbeat + 2 * beat          # as live: the band waits to be sure
    assert abs(first_note(band) - downbeat) <= beat / 8
    dombra = [e.time for e in band if isinstance(e, Note) and e.part == "dombra"]
    assert abs(dombra[0] - downbeat) <= beat / 8
    signature = next(e for e in band if isinstance(e, TimeSignature))
    assert f"{signature.numerator}/{signature.denominator}" == truth["meter"]
    key = next(e for e in band if isinstance(e, KeyChange))
    assert (pitch_class(key.tonic), key.mode) == (pitch_class(truth["key"]["tonic"]), truth["key"]["mode"])


def test_a_pickup_stays_a_pickup_the_band_starts_on_the_downbeat_after_it():
    """sim2's 2/4 take opens with a pickup 0.85 s before its first downbeat: the band's first note is on that
    downbeat, not on the pickup, in 2/4 (pass one came in in 4/4 and settled in 2/4 later: the settled reading
    counts)."""
    truth = truth_of(PICKUP)
    guitar = read_guitar_file(PICKUP)
    _, heard = play(guitar)
    assert next(e for e in heard if isinstance(e, TimeSignature)).numerator == 4      # pass one's first guess
    _, band = play(guitar, look_ahead=True)
    beat = truth["beats"][1] - truth["beats"][0]
    assert guitar.first_onset < truth["downbeats"][0] - beat
    assert abs(first_note(band) - truth["downbeats"][0]) <= beat / 8
    assert next(e for e in band if isinstance(e, TimeSignature)).numerator == 2


def band_beats(start: float, period: float, bars: int, beats_per_bar: int, index: int = 0) -> list[Beat]:
    return [Beat(start + k * period, index + k, k % beats_per_bar, beats_per_bar, period)
            for k in range(bars * beats_per_bar)]


def test_the_settled_meter_counts_not_the_first_guess_and_the_bars_are_counted_back_along_the_heard_beats():
    """A band in on 4/4 for two bars that then settles in 2/4: the opening is in 2/4, counted back from the
    settled run's first downbeat along the band's and the lead-in's beats to the first at or after the guitar's
    first note (less a quarter beat: a pickup half a bar before it stays a pickup); the key is the one the band
    played at the end of its first phrase (a first guess corrected)."""
    lead = LeadIn(4.0, (1.0, 1.5, 2.0, 2.5, 3.0, 3.5))
    guess = band_beats(4.0, 0.5, 2, 4, index=6)
    settled = band_beats(8.0, 0.5, SETTLED_BARS + 1, 2, index=14)
    band = [TimeSignature(4.0, 4, 4), lead, KeyChange(4.0, "G", "major"), *guess,
            TimeSignature(8.0, 2, 4), KeyChange(6.0, "E", "minor"), *settled]
    start = opening(band, first_onset=1.45)
    assert start is not None and (start.downbeat, start.beats_per_bar, start.key) == (2.0, 2, ("E", "minor"))
    assert start.period == pytest.approx(0.5)
    assert opening(band, first_onset=1.45, struck=[1.45, 2.04]).downbeat == 2.04    # its strum, within SNAP
    assert opening(band, first_onset=1.0).downbeat == 1.0      # a first note on a downbeat: there
    assert opening(band[:6], first_onset=1.0) is None          # never settled: the render as live


def test_the_count_in_ends_on_the_downbeat_and_the_key_is_told_at_the_start():
    start = opening([TimeSignature(2.0, 3, 4), LeadIn(2.0, (0.5, 1.0, 1.5)), KeyChange(2.0, "Bb", "dorian"),
                     *band_beats(2.0, 0.5, SETTLED_BARS, 3)], first_onset=0.5)
    count, hint = start.inputs()
    assert count.downbeat == pytest.approx(0.5) and count.beats_per_bar == 3 and not count.clicks
    assert count.beats >= 4 and count.period == pytest.approx(0.5) and count.eighths == 2
    assert (hint.time, hint.tonic, hint.mode) == (0.0, "Bb", "dorian")


def test_the_opening_key_is_the_one_held_longest_over_the_first_phrases_not_a_turnarounds_detour():
    """review36's jazz take (Bbmaj7 G7 | Cm7 F7 at 144): pass one heard B-flat at 2.4 s, G mixolydian 6.5-11.9 s
    (the VI7's B natural), B-flat after; four bars in it was on the detour, and pass two was told G mixolydian
    from its first bar. Over the first two phrases B-flat is held longest; a first guess put right stays put
    right (the settled-meter test above), and a key that comes after the phrases is the opening when alone."""
    period = 60 / 144
    beats = band_beats(2.4, period, 12, 4)
    keys = [KeyChange(2.4, "Bb", "major"), KeyChange(6.5, "G", "mixolydian"), KeyChange(11.9, "Bb", "major")]
    band = [TimeSignature(2.4, 4, 4), LeadIn(2.4, tuple(2.4 - k * period for k in range(4, 0, -1))), *beats]
    start = opening([*band[:2], keys[0], *beats[:17], keys[1], *beats[17:23], keys[2], *beats[23:]], 0.73)
    assert start is not None and start.key == ("Bb", "major")
    late = opening([*band[:2], *beats[:30], KeyChange(beats[30].time, "F", "major"), *beats[30:]], 0.73)
    assert late is not None and late.key == ("F", "major")


def test_a_key_told_holds_through_a_first_ambiguous_strum_and_the_notes_overturn_a_wrong_one():
    """Told D dorian, a D major triad (the first strum, which alone names D major) leaves it D dorian; told
    F major, ten seconds of E major's notes overturn it."""
    told = KeyTracker()
    told.expect(0.0, pitch_class("D"), "dorian")
    assert told.key == (2, "dorian")
    for p in (50, 54, 57, 62):
        told.note_on(0.1, p, 100, p == 50)
    told.update(0.5)
    assert told.key == (2, "dorian")
    wrong = KeyTracker()
    wrong.expect(0.0, pitch_class("F"), "major")
    for k in range(40):
        for p in (40, 47, 52, 56, 59):
            wrong.note_on(0.25 * k, p, 100, p == 40)
        wrong.update(0.25 * k + 0.2)
    assert wrong.key == (4, "major")


def test_look_ahead_with_a_count_in_is_one_line_and_exit_2(tmp_path):
    r = CliRunner().invoke(app, ["render", str(ROOT / "examples" / "d_dorian_96_4-4.mid"), "-o",
                                 str(tmp_path / "out.mid"), "--look-ahead", "--count-in", "1", "--bpm", "96"])
    assert r.exit_code == 2
    assert r.stderr.strip().splitlines() == [
        "aqyn: error: --look-ahead starts the band on your first downbeat by itself; leave out --count-in "
        "(or --look-ahead)"]
    assert not (tmp_path / "out.mid").exists()


def test_a_batch_renders_each_take_as_its_own_look_ahead_render(tmp_path):
    """`render A.mid B.mid -o DIR --look-ahead`: each output byte for byte the single look-ahead render of its
    take, which is not the render as live."""
    folder = tmp_path / "takes"
    folder.mkdir()
    takes = [folder / "dorian.mid", folder / "waltz.mid"]
    takes[0].write_bytes((ROOT / "examples" / "d_dorian_96_4-4.mid").read_bytes())
    takes[1].write_bytes((ROOT / "tests" / "data" / "waltz-3-4-am-138-review23.mid").read_bytes())
    runner = CliRunner()
    r = runner.invoke(app, ["render", *map(str, takes), "-o", str(tmp_path / "out"), "--jobs", "1", "--look-ahead"])
    assert r.exit_code == 0, r.output
    for take in takes:
        single, live = tmp_path / f"single-{take.name}", tmp_path / f"live-{take.name}"
        assert runner.invoke(app, ["render", str(take), "-o", str(single), "--look-ahead"]).exit_code == 0
        assert runner.invoke(app, ["render", str(take), "-o", str(live)]).exit_code == 0
        assert (tmp_path / "out" / take.name).read_bytes() == single.read_bytes() != live.read_bytes()


def test_pass_two_follows_when_its_beats_and_bar_lines_are_pass_ones_and_not_when_they_drift():
    live = band_beats(4.0, 0.5, 8, 4)
    assert follows(live, band_beats(2.0, 0.5, 9, 4)) == 1.0        # the same beats and bars from a bar earlier
    off_bar = [Beat(b.time, b.index, (b.beat_in_bar + 1) % 4, 4, b.period) for b in band_beats(2.0, 0.5, 9, 4)]
    assert follows(live, off_bar) == 0.0                              # every beat, but the bar a beat off
    drifting = band_beats(2.0, 0.5, 5, 4) + band_beats(12.0, 0.52, 4, 4, index=20)
    assert follows(live, drifting) < AGREE                           # the second half 0.02 s a beat late, growing
    assert follows([], drifting) == 1.0                               # pass one never played: nothing to keep


BOSSA = ROOT.parent / "shared" / "data" / "guitarset-dev" / "gscomp_00_BN1-129-Eb.mid"


@pytest.mark.skipif(not BOSSA.exists(), reason="needs ../shared/data/guitarset-dev")
def test_where_the_early_band_would_not_follow_the_player_as_the_live_one_did_the_render_is_as_live():
    """GuitarSet's bossa comping (BN1, 129 BPM): begun on the first downbeat, the band took the syncopation's
    dotted quarters for the beat later on (pass two follows pass one on 27 % of its beats); the look-ahead render
    is then the render as live."""
    guitar = read_guitar_file(BOSSA)
    _, live = play(guitar)
    _, band = play(guitar, look_ahead=True)
    assert band == live


def test_a_beat_no_count_in_can_hold_leaves_the_render_as_live():
    """A settled run at 0.19 s a beat (over 300 BPM, CountIn's limit) gives no opening: pass two would have
    raised ValueError building its count-in (review35: the shared case pause-10s-then-return.mid)."""
    band = [TimeSignature(2.0, 4, 4), LeadIn(2.0, (1.24, 1.43, 1.62, 1.81)), KeyChange(2.0, "G", "major"),
            *band_beats(2.0, 0.19, SETTLED_BARS + 1, 4)]
    assert opening(band, first_onset=1.24) is None
    slower = [TimeSignature(2.0, 4, 4), LeadIn(2.0, (0.4, 0.8, 1.2, 1.6)), KeyChange(2.0, "G", "major"),
              *band_beats(2.0, 0.4, SETTLED_BARS + 1, 4)]
    assert opening(slower, first_onset=0.4) is not None      # the same run at 0.4 s a beat has one


def test_look_ahead_renders_a_take_with_a_long_pause(tmp_path):
    """The bug-report take of 4 bars, 10 s of rest, 4 bars: --look-ahead exits 0 and writes the file."""
    out = tmp_path / "out.mid"
    r = CliRunner().invoke(app, ["render", str(ROOT / "tests" / "data" / "pause-10s-then-return.mid"), "-o",
                                 str(out), "--look-ahead"])
    assert r.exit_code == 0, r.output
    assert out.exists()


def test_a_blues_is_written_major_from_its_first_key_marker_where_the_whole_take_names_it_so():
    """review35's 12/8 shuffle in A: the listener names its key A mixolydian (the I7's G) until the first V7 bars
    (E7's G#), 25 s in, then A major. Offline the whole take's name is the last marker's: every A mixolydian
    marker is written A major; another tonic's marker, and a take whose whole name is mixolydian, stay."""
    heard = [KeyChange(5.3, "A", "mixolydian"), KeyChange(25.6, "A", "major")]
    whole = whole_key(heard)
    assert whole == ("A", "major")
    assert named(heard[0], whole) == KeyChange(5.3, "A", "major")
    assert named(KeyChange(9.0, "D", "mixolydian"), whole) == KeyChange(9.0, "D", "mixolydian")
    modal = [KeyChange(2.0, "G", "mixolydian")]
    assert named(modal[0], whole_key(modal)) == modal[0]
    assert whole_key([Note(1.0, 0.5, 0, 62, 90, "dombra")]) is None
    sink = RecordingSink()
    passed = Named(sink, whole)
    for e in [*heard, Note(6.0, 0.5, 0, 69, 90, "dombra")]:
        passed.send(e)
    assert [(k.tonic, k.mode) for k in sink.events if isinstance(k, KeyChange)] == [("A", "major")] * 2


def test_a_look_ahead_render_of_a_blues_shows_its_major_key_signature_from_the_first_bar():
    """review35's 12/8 shuffle in A (84 BPM; /work/scratch/s28/review35/mk.py): as live the key marker says A
    mixolydian (the signature of D) from the band's entry until the first V7 bars, 25.6 s in; the look-ahead
    render's markers all say A major."""
    guitar = read_guitar_file(ROOT / "tests" / "data" / "review35-blues-shuffle-A-84-12-8.mid")
    _, live = play(guitar)
    _, band = play(guitar, look_ahead=True)
    assert [(k.tonic, k.mode) for k in live if isinstance(k, KeyChange)][:2] == [("A", "mixolydian"), ("A", "major")]
    assert {(k.tonic, k.mode) for k in band if isinstance(k, KeyChange)} == {("A", "major")}
