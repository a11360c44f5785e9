"""bench/band_eval.py: the DAW grid read from hand-made MIDI files, and each metric on hand-made band/truth pairs.

Only the last test renders (with the real `aqyn`); the rest build their MIDI files with mido.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_eval as be  # noqa: E402

TPQ = 480


def meta(kind: str, tick: int, **kw):
    return tick, mido.MetaMessage(kind, **kw)


def tempo(tick: int, bpm: float):
    return meta("set_tempo", tick, tempo=round(60e6 / bpm))


def sig(tick: int, num: int, den: int):
    return meta("time_signature", tick, numerator=num, denominator=den)


def track(name: str, timed: list) -> mido.MidiTrack:
    """A track from (absolute tick, message) pairs."""
    tr = mido.MidiTrack([mido.MetaMessage("track_name", name=name)])
    last = 0
    for tick, msg in sorted(timed, key=lambda x: x[0]):
        tr.append(msg.copy(time=tick - last))
        last = tick
    return tr


def notes(ticks, pitch=60, channel=0, length=60) -> list:
    out = []
    for t in ticks:
        out += [(t, mido.Message("note_on", note=pitch, velocity=90, channel=channel)),
                (t + length, mido.Message("note_off", note=pitch, velocity=0, channel=channel))]
    return out


def midi(conductor: list, parts: dict | None = None, tpq: int = TPQ) -> mido.MidiFile:
    mid = mido.MidiFile(type=1, ticks_per_beat=tpq)
    mid.tracks.append(track("aqyn", conductor))
    for name, timed in (parts or {}).items():
        mid.tracks.append(track(name, timed))
    return mid


def grid_of(conductor: list, last_tick: int) -> be.Grid:
    return be.daw_grid(midi(conductor, {"x": notes([last_tick])}))


# ------------------------------------------------------------------ the DAW grid

def test_4_4_at_120_has_half_second_beats_and_two_second_bars():
    g = grid_of([tempo(0, 120), sig(0, 4, 4)], 8 * TPQ)
    assert np.allclose(g.beats[:9], np.arange(9) * 0.5)
    assert np.allclose(g.bars[:3], [0, 2, 4])
    assert g.segments[0].meter == "4/4"


def test_6_8_beat_is_a_dotted_quarter():
    # quarter = 90 BPM, so a dotted quarter lasts 1 s and a 6/8 bar 2 s
    g = grid_of([tempo(0, 90), sig(0, 6, 8)], 12 * TPQ)
    assert np.allclose(np.diff(g.beats), 1.0)
    assert np.allclose(g.bars[:4], [0, 2, 4, 6])
    assert (g.segments[0].unit_q, g.segments[0].level) == (1.5, "beat")


def test_3_4_bars_of_three_beats():
    g = grid_of([tempo(0, 100), sig(0, 3, 4)], 9 * TPQ)
    assert np.allclose(np.diff(g.beats), 0.6)
    assert np.allclose(g.bars[:3], [0, 1.8, 3.6])


def test_no_time_signature_is_4_4_and_no_tempo_is_120():
    g = grid_of([], 8 * TPQ)
    assert g.segments[0].meter == "4/4"
    assert np.allclose(g.bars[:2], [0, 2])


def test_tempo_change_moves_the_later_beats():
    g = grid_of([tempo(0, 120), sig(0, 4, 4), tempo(4 * TPQ, 60)], 8 * TPQ)
    assert np.allclose(g.beats[:7], [0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0])
    assert np.allclose(g.bars[:3], [0, 2, 6])
    assert [round(b) for _, b in g.tempi] == [120, 60]


def test_time_signature_change_and_odd_eighths():
    # 120 BPM: a 4/4 bar (2 s), two 3/4 bars (1.5 s), then 7/8 counted in eighths (0.25 s, bars of 1.75 s)
    conductor = [tempo(0, 120), sig(0, 4, 4), sig(4 * TPQ, 3, 4), sig(10 * TPQ, 7, 8)]
    g = grid_of(conductor, 17 * TPQ)
    assert np.allclose(g.bars[:5], [0, 2, 3.5, 5, 6.75])
    assert [s.meter for s in g.segments] == ["4/4", "3/4", "7/8"]
    assert g.segments[2].level == "eighth"
    late = g.beats[g.beats >= 5.0]
    assert np.allclose(np.diff(late), 0.25)


def test_bars_restart_at_a_time_signature_off_the_bar_line():
    g = grid_of([tempo(0, 120), sig(0, 4, 4), sig(6 * TPQ, 2, 4)], 10 * TPQ)
    assert np.allclose(g.bars[:4], [0, 2, 3, 4])


def test_beat_units():
    assert be.beat_unit(4, 4) == (1.0, "beat")
    assert be.beat_unit(2, 2) == (2.0, "beat")
    assert be.beat_unit(12, 8) == (1.5, "beat")
    assert be.beat_unit(5, 8) == (0.5, "eighth")
    assert be.beat_unit(7, 8) == (0.5, "eighth")


def test_smpte_and_zero_tempo_clocks():
    smpte = mido.MidiFile(type=0, ticks_per_beat=-7600)   # 30 fps x 80 ticks per frame
    assert np.allclose(be.Clock(smpte).seconds([2400, 4800]), [1.0, 2.0])
    mid = midi([tempo(0, 60), meta("set_tempo", 480, tempo=0)])
    clock = be.Clock(mid)
    assert clock.bad_tempi == 1
    assert np.allclose(clock.seconds([960]), [2.0])      # the zero tempo is skipped
    with pytest.raises(ValueError):
        be.Clock(mido.MidiFile(type=0, ticks_per_beat=0))


def test_riff_rmid_is_unwrapped(tmp_path):
    plain = tmp_path / "a.mid"
    midi([tempo(0, 120)], {"guitar": notes([0, 480])}).save(plain)
    smf = plain.read_bytes()
    body = b"RMID" + b"data" + len(smf).to_bytes(4, "little") + smf
    wrapped = tmp_path / "a.rmi"
    wrapped.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)
    assert np.allclose(be.input_onsets(wrapped), [0.0, 0.5])


# ------------------------------------------------------------------ metrics on hand-made pairs

def steady_grid(period: float = 0.5, n: int = 64, meter: str = "4/4", unit_q: float = 1.0, level="beat",
                per_bar: int = 4) -> be.Grid:
    beats = np.arange(n) * period
    return be.Grid(beats, beats[::per_bar], [be.Segment(0.0, n * period, meter, unit_q, level)],
                   [(0.0, 60 / period * unit_q)])


def truth_of(period=0.5, n=64, meter="4/4", per_bar=4, **kw) -> be.Truth:
    beats = np.arange(n) * period
    return be.Truth(beats=beats, downbeats=beats[::per_bar], meter=meter, **kw)


def test_band_100_ms_late_on_every_beat_scores_zero():
    truth = truth_of()
    windows = [(0.0, 31.5)]
    late = be.Grid(truth.beats + 0.1, truth.downbeats + 0.1, [be.Segment(0, 40, "4/4", 1.0, "beat")], [(0, 120)])
    assert be.beat_scores(late, windows, truth)["f"] == 0.0
    on = be.beat_scores(steady_grid(), windows, truth)
    assert on["f"] == pytest.approx(1.0) and on["p"] == pytest.approx(1.0)


def test_beat_f_within_the_window_only_and_no_five_second_trim():
    truth = truth_of()
    scores = be.beat_scores(steady_grid(), [(1.0, 3.0)], truth)
    assert scores["f"] == pytest.approx(1.0) and scores["n_ref"] == 5


def test_doubled_tempo_halves_precision():
    scores = be.beat_scores(steady_grid(period=0.25, n=128), [(0.0, 31.5)], truth_of())
    assert scores["p"] == pytest.approx(0.5, abs=0.01) and scores["r"] == pytest.approx(1.0)


def test_odd_eighths_against_pulse_or_skipped():
    grid = steady_grid(period=0.25, n=128, meter="7/8", unit_q=0.5, level="eighth", per_bar=7)
    assert be.beat_scores(grid, [(0, 20)], truth_of(meter="7/8"))["f"] is None
    with_pulse = truth_of(meter="7/8", pulse=np.arange(128) * 0.25)
    assert be.beat_scores(grid, [(0, 20)], with_pulse)["f"] == pytest.approx(1.0)


def test_a_30_percent_jump_is_counted():
    beats = np.concatenate([np.arange(10) * 0.5, 4.5 + 0.65 + np.arange(10) * 0.5])
    grid = be.Grid(beats, beats[::4], [be.Segment(0, 20, "4/4", 1.0, "beat")], [(0, 120)])
    j = be.jump_scores(grid, [(0, 20)])
    assert j["max_jump"] == pytest.approx(0.3)
    assert j["jumps_over"] == 2                      # 0.5 -> 0.65 (+30 %) and 0.65 -> 0.5 (-23 %)
    assert be.jump_scores(steady_grid(), [(0, 20)]) == {"max_jump": pytest.approx(0.0), "jumps_over": 0}


def test_a_jump_where_the_player_stepped_is_told_apart():
    # The player goes from 0.5 s to 0.6 s a beat at 10 s; the band follows with one 30 % jump at 11.0 s
    # (a step, issue 11 allows it) and stumbles twice more about 16 s, where the player kept time.
    played = np.concatenate([np.arange(20) * 0.5, 10.0 + np.arange(1, 30) * 0.6])
    band = np.concatenate([np.arange(23) * 0.5, 11.0 + 0.65 + np.arange(8) * 0.6])
    band = np.concatenate([band[band < 16.0], 16.0 + 0.8 + np.arange(10) * 0.6])
    grid = be.Grid(band, band[::4], [be.Segment(0, 30, "4/4", 1.0, "beat")], [(0, 120)])
    played_truth = be.Truth(played, played[::4], "4/4")
    j = be.jump_scores(grid, [(0, 30)], played_truth)
    assert j["jumps_over"] == 3 and j["jumps_at_steps"] == 1, j     # 0.5 -> 0.65 at the step; 0.6 -> 0.95 -> 0.6
    assert be.aggregate([{"crash": False, "has_truth": True, "has_stops": False, **j}])[
        "files_with_jumps_off_steps"] == "1/1"


def test_jumps_not_counted_across_a_change_of_beat_unit():
    # 2/4 quarters at 0.5 s, then 6/8 dotted quarters at 0.75 s: a meter change, not a stumble
    g = grid_of([tempo(0, 120), sig(0, 2, 4), sig(8 * TPQ, 6, 8)], 20 * TPQ)
    assert be.jump_scores(g, [(0.0, 9.0)])["jumps_over"] == 0


def test_ending_three_beats_late_is_out():
    truth = truth_of()
    assert be.end_scores(20.0 + 1.5, 20.0, truth.beats) == {"end_beats": pytest.approx(3.0), "end_ok": False}
    assert be.end_scores(20.0 - 0.25, 20.0, truth.beats)["end_ok"]


def test_last_strum_groups_note_ons_within_60_ms():
    assert be.last_strum(np.array([1.0, 2.0, 2.03, 2.06, 2.09])) == pytest.approx(2.0)
    assert be.last_strum(np.array([1.0, 2.0, 2.1])) == pytest.approx(2.1)


def test_entry_in_truth_bars_and_on_downbeat():
    truth = truth_of()
    e = be.entry_scores(4.0, 0.0, steady_grid(), truth)
    assert e == {"entry_bars": pytest.approx(2.0), "entry_s": pytest.approx(4.0), "entry_counted": pytest.approx(2.0),
                 "entry_on_downbeat": True, "entry_first_downbeat": False, "first_bar_on_downbeat": True}
    off = be.entry_scores(4.5, 0.0, steady_grid(), truth)
    assert not off["entry_on_downbeat"] and off["first_bar_on_downbeat"]
    short = be.entry_scores(4.0, 0.0, steady_grid(per_bar=2), truth_of(meter="2/4", per_bar=2))
    assert short["entry_bars"] == pytest.approx(4.0) and short["entry_s"] == pytest.approx(e["entry_s"])


def test_entry_on_the_first_downbeat_is_the_truths_first_at_or_after_the_first_note_less_a_quarter_beat():
    # the guitar's first note at 2.9 s, a pickup before the downbeat at 4.0 s (bars of 2 s, beats of 0.5 s)
    truth = truth_of()
    assert be.entry_scores(4.0, 2.9, steady_grid(), truth)["entry_first_downbeat"]
    assert not be.entry_scores(6.0, 2.9, steady_grid(), truth)["entry_first_downbeat"]     # a bar later
    # a first strum pushed 0.1 s (a fifth of a beat) ahead of its downbeat is on it
    assert be.entry_scores(2.0, 1.9, steady_grid(), truth)["entry_first_downbeat"]


def test_entry_counted_in_the_truths_own_bars_when_the_tempo_ramps():
    # bars of 2.7, 2.6, 2.5 ... s (a take speeding up): an entry on the third downbeat is two bars counted, more in
    # the take's mean bar (the e_mixolydian 88-116 ramp: 2.30 mean bars)
    downbeats = np.cumsum([0.0] + [2.7 - 0.1 * k for k in range(12)])
    truth = be.Truth(beats=downbeats, downbeats=downbeats, meter="4/4")
    e = be.entry_scores(float(downbeats[2]), 0.0, steady_grid(), truth)
    assert e["entry_counted"] == pytest.approx(2.0) and e["entry_bars"] > 2.2
    # a pickup half a bar before the first downbeat, the entry on the second: 1.5 bars counted
    assert be.entry_scores(float(downbeats[1]), -1.35, steady_grid(), truth)["entry_counted"] == pytest.approx(1.5)


def test_meter_for_most_of_the_span_and_strict_equality():
    g = grid_of([tempo(0, 120), sig(0, 3, 4), sig(6 * TPQ, 2, 4)], 40 * TPQ)
    m = be.meter_scores(g, [(0.0, 18.0)], truth_of(meter="3/4", per_bar=3))
    assert (m["meter_out"], m["meter_true"], m["meter_ok"]) == ("2/4", "3/4", False)
    assert m["meter_agree"] == pytest.approx(3.0 / 18.0)


def test_band_spans_split_at_a_long_silence():
    band = np.concatenate([np.arange(0, 10, 0.25), np.arange(20, 30, 0.25)])
    assert be.band_spans(band, steady_grid()) == [(0.0, 9.75), (20.0, 29.75)]


def test_stops_count_band_notes_and_the_return():
    beat = lambda t: 0.5  # noqa: E731
    stop = [{"start": 10.0, "end": 16.0, "beats": 12}]
    playing_through = np.arange(0, 30, 0.5)
    r = be.stop_scores(playing_through, stop, beat)
    assert not r["stop_ok"] and r["stops"][0]["notes_in_stop"] == 11      # 10.5 ... 15.5
    quiet = np.concatenate([np.arange(0, 11.0, 0.5), np.arange(17.0, 30, 0.5)])
    r = be.stop_scores(quiet, stop, beat)
    assert not r["stop_ok"]                                                # 10.5 is after start + 1 beat
    s = r["stops"][0]
    assert s["silent_after_beats"] == pytest.approx(1.0) and s["return_beats"] == pytest.approx(2.0)
    silent = np.concatenate([np.arange(0, 10.5, 0.5), np.arange(16.0, 30, 0.5)])
    assert be.stop_scores(silent, stop, beat)["stop_ok"]
    assert be.stop_scores(silent, [{"start": 10.0, "end": 10.3, "beats": 0.6}], beat) == {}


def test_input_stops_from_the_guitars_own_notes():
    strums = np.concatenate([np.arange(33) * 0.3, 20.0 + np.arange(33) * 0.3])
    onsets = np.sort(np.concatenate([strums, strums + 0.02]))
    beat = be.input_beat(onsets)
    assert beat == pytest.approx(0.6)
    (stop,) = be.input_stops(onsets, beat)
    assert (stop["start"], stop["end"]) == (pytest.approx(9.9), pytest.approx(20.0))
    assert stop["beats"] == pytest.approx(10.1 / 0.6)


def test_pre_entry_tempo_67_for_a_96_take_fails():
    truth = truth_of(period=0.625)                       # 96 BPM
    slow = be.Grid(np.zeros(0), np.zeros(0), [be.Segment(0, 60, "4/4", 1.0, "beat")],
                   [(0.0, 67.0), (2.5, 96.0)])
    r = be.pre_entry_scores(slow, 0.0, 5.0, truth)
    assert r["pre_entry_bpm"] == [67.0, 96.0] and not r["pre_entry_bpm_ok"]
    later = be.pre_entry_scores(slow, 2.6, 5.0, truth)   # the slow tempo ended before the guitar came in
    assert later["pre_entry_bpm_ok"]


def test_pre_entry_bar_lines_against_the_players_downbeats():
    # The truth's downbeats every 2 s from 0.5 (the first note); the file's bar lines continued back from the
    # band's entry at 4.5 s at a slightly faster beat land 0.1 s late on the first downbeat, on the second.
    truth = truth_of()
    truth = be.Truth(beats=truth.beats + 0.5, downbeats=truth.downbeats + 0.5, meter="4/4")
    g = be.Grid(np.zeros(0), np.array([0.0, 0.6, 2.55, 4.5, 6.5]), [be.Segment(0, 60, "4/4", 1.0, "beat")],
                [(0.0, 120.0)])
    r = be.pre_entry_scores(g, 0.5, 4.5, truth)
    assert r["pre_entry_db"] == 0.5                      # 0.5 has no bar line within 70 ms, 2.5 has
    on = be.Grid(np.zeros(0), np.array([0.0, 0.5, 2.5, 4.5]), g.segments, g.tempi)
    assert be.pre_entry_scores(on, 0.5, 4.5, truth)["pre_entry_db"] == 1.0
    agg = be.aggregate([{"crash": False, "has_truth": True, "has_stops": False, **r},
                        {"crash": False, "has_truth": True, "has_stops": False, "pre_entry_db": 1.0}])
    assert agg["pre_entry_db_all"] == "1/2"


def test_pre_entry_tempo_in_the_files_own_beat():
    # 6/8 with a dotted quarter of 66 (quarter BPM 99) against a truth dotted-quarter beat of 66
    truth = truth_of(period=60 / 66, meter="6/8", per_bar=2)
    g = be.Grid(np.zeros(0), np.zeros(0), [be.Segment(0, 60, "6/8", 1.5, "beat")], [(0.0, 99.0)])
    r = be.pre_entry_scores(g, 0.5, 4.0, truth)
    assert r["pre_entry_bpm"] == [66.0, 66.0] and r["pre_entry_bpm_ok"]


def test_aggregate_counts_a_crash_as_a_failure():
    ok = {"crash": False, "has_truth": True, "has_stops": False, "beat": {"f": 0.9}, "meter_ok": True,
          "max_jump": 0.3, "jumps_over": 2, "end_ok": True, "sanity": []}
    crash = {"crash": True, "traceback": True, "has_truth": True, "has_stops": False}
    agg = be.aggregate([ok, crash])
    assert agg["crashes"] == 1 and agg["tracebacks"] == 1
    assert agg["beat_f_ge_085"] == "1/2" and agg["meter_ok"] == "1/2" and agg["files_with_jumps"] == "1/1"
    assert agg["beat_f_median"] == pytest.approx(0.9) and agg["stops_ok"] == "–"
    assert len(be.aggregate_table(agg)) == 3


# ------------------------------------------------------------------ measure() on a hand-made output file

def band_file(tmp_path: Path, late_s: float = 0.0) -> tuple[Path, Path, be.Truth]:
    """A 4/4 file at 120 BPM (its first quarter late_s longer, so every later beat of the file is late_s
    late): the guitar strums every true beat from 0 to 15.5 s, the band plays on the file's beats from bar 3
    to beat 32."""
    guitar = notes(range(0, 32 * TPQ, TPQ), pitch=52)
    band = {"guitar": guitar, "dombra": notes(range(8 * TPQ, 33 * TPQ, TPQ), channel=6),
            "percussion": notes(range(8 * TPQ, 33 * TPQ, 2 * TPQ), pitch=77, channel=9)}
    out, src = tmp_path / "out.mid", tmp_path / "in.mid"
    midi([tempo(0, 60 / (0.5 + late_s)), tempo(TPQ, 120), sig(0, 4, 4)], band).save(out)
    midi([tempo(0, 120)], {"guitar": guitar}).save(src)
    return out, src, truth_of(n=32)


def test_measure_a_band_on_the_beat(tmp_path):
    out, src, truth = band_file(tmp_path)
    r = be.measure(out, src, truth, pause=False)
    assert r["beat"]["f"] == pytest.approx(1.0) and r["bar"]["f"] == pytest.approx(1.0)
    assert r["meter_ok"] and r["max_jump"] == pytest.approx(0.0, abs=1e-6)
    assert r["entry_bars"] == pytest.approx(2.0) and r["entry_on_downbeat"] and r["first_bar_on_downbeat"]
    assert r["end_beats"] == pytest.approx(1.0) and r["end_ok"]
    assert r["pre_entry_bpm_ok"] and r["sanity"] == [] and r["band_notes"] == 25 + 13


def test_measure_a_band_100_ms_late(tmp_path):
    out, src, truth = band_file(tmp_path, late_s=0.1)
    r = be.measure(out, src, truth, pause=False)
    assert r["beat"]["f"] == 0.0 and r["bar"]["f"] == 0.0
    assert not r["entry_on_downbeat"] and not r["pre_entry_bpm_ok"]     # a first beat at 100 BPM, not 120
    assert any("guitar track moved by up to 100 ms" in p for p in r["sanity"])


def test_measure_flags_a_moved_guitar_track(tmp_path):
    out, src, truth = band_file(tmp_path)
    midi([tempo(0, 100)], {"guitar": notes(range(0, 32 * TPQ, TPQ), pitch=52)}).save(src)
    assert any("guitar track moved" in p for p in be.measure(out, src, truth, pause=False)["sanity"])


# ------------------------------------------------------------------ end to end with the real aqyn

@pytest.mark.slow
def test_script_end_to_end_on_an_example(tmp_path):
    aqyn = be.default_aqyn()
    if not Path(aqyn).exists():
        pytest.skip("no aqyn command")
    for ext in (".mid", ".json"):
        shutil.copy(ROOT / "examples" / f"d_dorian_96_4-4{ext}", tmp_path / f"d_dorian_96_4-4{ext}")
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "band_eval.py"), "--sets", str(tmp_path),
                           "--jobs", "1", "--verbose", "--json", str(report), "--keep", str(tmp_path / "keep")],
                          capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    assert "| takes |" in proc.stdout and "d_dorian_96_4-4" in proc.stdout
    (take,) = json.loads(report.read_text())["sets"][tmp_path.name]["takes"]
    assert not take["crash"] and take["band_notes"] > 100
    assert 0.0 <= take["beat"]["f"] <= 1.0 and take["meter_out"] and take["meter_true"] == "4/4"
    assert (tmp_path / "keep" / tmp_path.name / "d_dorian_96_4-4.mid").exists()
