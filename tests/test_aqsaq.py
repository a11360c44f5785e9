"""The aqsaq meters heard by the default listener and played by the band: a 7/8 (2+2+3) and a 5/8 (3+2) take of
the second simulator (bench/player_sim.py, seed 1, with their truth) are heard in their meter with their bars,
and rendered with `--style auto` into a file whose time signature is theirs and whose bar lines (as a DAW draws
them) are the player's; square takes are never named aqsaq at any moment, whatever the eighths' accents."""

import json
from dataclasses import replace
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.analyze import run_offline, run_online
from engine.arrange.styles import AUTO, load_style, style_chooser
from engine.bars import BarWatch, Meter, fits
from engine.cli import app
from engine.events import Beat, InputMessage, Marker, Note
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import read_guitar_file
from engine.io.sinks import RecordingSink
from engine.listen import Listener, ListenerConfig
from engine.listen.guitar import GuitarConfig
from engine.pipeline import TICK
from engine.render import play
from engine.schedule import AQSAQ_HOLD, METER_WAIT, Scheduler
from engine.state import BeatGrid, MusicalState
from tests.conftest import ticks

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parents[1]
TAKES = {"7/8": DATA / "aqsaq-7-8-sim2.mid", "5/8": DATA / "aqsaq-5-8-sim2.mid"}
TOL = 0.07              # s: a bar line or downbeat this close to the truth's is on it
runner = CliRunner()


def truth(path: Path) -> dict:
    return json.loads(path.with_suffix(".json").read_text())


def hit_rate(found, true, after: float) -> float:
    """The share of `true` times (s) after `after` with one of `found` within TOL."""
    found, true = np.asarray(found), np.asarray([t for t in true if t > after])
    return float(np.mean([np.min(np.abs(found - t)) < TOL for t in true])) if len(found) else 0.0


@pytest.mark.parametrize("meter", list(TAKES))
def test_an_aqsaq_take_is_heard_in_its_meter_with_its_bars(meter):
    path = TAKES[meter]
    t = truth(path)
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=0.03))
    a, listener = run_online(read_guitar_file(path).messages, config)
    assert a.meter == meter == t["meter"]
    assert listener.grid().meter == meter
    # Once heard (a few bars in), the reported downbeats are the player's bar starts, and the beats its groups'.
    late = t["first_onset"] + 10.0
    assert hit_rate(a.downbeats, t["downbeats"], late) > 0.8
    assert hit_rate(t["downbeats"], [d for d in a.downbeats if d < t["downbeats"][-1]], late) > 0.8
    assert hit_rate(a.beats, t["beats"], late) > 0.8
    # ... and they stay there. The groups start on both halves of the quarter's beats, so before the grid's phase
    # was fitted at the eighth (BeatTracker._eighth_phase) it slid by parts of an eighth between strums: 91 % of
    # the 5/8 take's downbeats and 92 % of its beats were found; 97 % and 98 % now.
    assert hit_rate(a.downbeats, t["downbeats"], late) > 0.95
    assert hit_rate(a.beats, t["beats"], late) > 0.95



def test_an_aqsaq_meter_is_named_once_its_evidence_has_added_up():
    # The 5/8 take's belief in 5/8 climbs to 0.92-0.95 two bars in and stays near there: the watch names it once the
    # log-odds summed over the slots it leaned there reach NAME_EVIDENCE, 3.5 bars after the first note (four
    # slots running over 0.95 named it at 4.1 bars, and the band waiting for it came in a bar later).
    path = TAKES["5/8"]
    t = truth(path)
    listener = Listener(ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    named = next(now for now in ticks(listener, read_guitar_file(path).messages, t["first_onset"] + 20)
                 if listener.beat.meter == "5/8")
    bar = (t["downbeats"][-1] - t["downbeats"][0]) / (len(t["downbeats"]) - 1)
    assert (named - t["first_onset"]) / bar < 3.9

def daw_bar_lines(mid: mido.MidiFile) -> tuple[list[float], list[tuple[float, int, int]]]:
    """The bar lines (s) a DAW draws from the file's time signatures and tempo map, and the signatures as (s,
    numerator, denominator)."""
    meta, t = [], 0
    for m in mido.merge_tracks(mid.tracks):
        t += m.time
        if m.type in ("set_tempo", "time_signature"):
            meta.append((t, m))
    end = max(sum(m.time for m in track) for track in mid.tracks)
    tempi = [(tick, m.tempo) for tick, m in meta if m.type == "set_tempo"] or [(0, 500000)]

    def seconds(tick: int) -> float:
        s, last, tempo = 0.0, 0, 500000
        for at, value in tempi:
            if at > tick:
                break
            s += (at - last) * tempo / 1e6 / mid.ticks_per_beat
            last, tempo = at, value
        return s + (tick - last) * tempo / 1e6 / mid.ticks_per_beat

    sigs = [(tick, m.numerator, m.denominator) for tick, m in meta if m.type == "time_signature"] or [(0, 4, 4)]
    lines = []
    for k, (tick, num, den) in enumerate(sigs):
        stop = sigs[k + 1][0] if k + 1 < len(sigs) else end
        lines += [seconds(x) for x in range(tick, stop, num * mid.ticks_per_beat * 4 // den)]
    return lines, [(seconds(tick), num, den) for tick, num, den in sigs]


@pytest.mark.parametrize("meter", list(TAKES))
def test_the_band_plays_an_aqsaq_style_in_the_players_meter_on_the_players_bars(tmp_path, meter):
    path = TAKES[meter]
    t = truth(path)
    out = tmp_path / "band.mid"
    result = runner.invoke(app, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"style aqsaq-{meter.replace('/', '-')}" in result.output
    lines, sigs = daw_bar_lines(mido.MidiFile(out))
    num, den = map(int, meter.split("/"))
    assert (sigs[-1][1], sigs[-1][2]) == (num, den)
    # the band's first bar line in the player's meter from the guitar's first downbeat on (a band that comes in in
    # the player's meter shows it from the file's start, over a lead-in bar before the first note)
    since = next(s for s, n, d in sigs if (n, d) == (num, den))
    since = next(x for x in lines if x >= max(since, t["downbeats"][0] - TOL))
    # from the band's first bar in the player's meter to the player's last bar, the bar lines a DAW draws are the
    # player's: the first one, and most of them (the aqsaq watch keeps its eighths when the tracker's grid moves by
    # one: before, the band's 5/8 bar went an eighth off the player's after ten bars or so, a third on it)
    played = [x for x in lines if since <= x <= t["last_chord"]]
    assert len(played) > 15
    assert np.min(np.abs(np.asarray(t["downbeats"]) - since)) < TOL
    on = np.mean([np.min(np.abs(np.asarray(t["downbeats"]) - x)) < TOL for x in played])
    assert on > {"7/8": 0.75, "5/8": 0.6}[meter]


def test_the_band_comes_in_on_a_5_8_take_in_5_8_not_in_the_square_meter_heard_first():
    # The 5/8 take: ready at 5.5 s, heard in 3/4 while the aqsaq watch believed 5/8 by 0.31 (not yet leaning), the
    # band came in in 3/4 (tokpe-waltz) and played 4.4 s in it before it moved to 5/8. It waits for the meter
    # while the belief is STIR or more (engine/listen/aqsaq.py), and comes in in 5/8. (The take's first 12 s.)
    guitar = read_guitar_file(TAKES["5/8"])
    guitar = replace(guitar, messages=[m for m in guitar.messages if m.time < 12.0], duration=12.0)
    _, events = play(guitar)
    markers = [e for e in events if isinstance(e, Marker)]
    entry = next(e for e in markers if e.text.startswith("band in"))
    assert "5/8" in entry.text and entry.time < 8.0
    assert not [e for e in markers if e.text.startswith("meter:")]



def test_the_band_waits_for_a_5_8_its_entry_filter_stirs_to_while_the_listener_hears_3_4():
    # sim-aqsaq's 5/8 Bb-minor (tests/data/aqsaq-5-8-bb-minor-simaqsaq: bench/.cache/sim-aqsaq aqsaq_5-8_Bb-minor_s07,
    # its first 12 s), heard in 3/4: when the entry was planned and decided the listener's belief in 5/8 was 0.08-0.19
    # (under STIR) while the entry filter's (a bar starting at the first note, aqsaq.OPENING) was 0.21-0.24; the band
    # came in in 3/4 at 4.38 s, off the player's downbeats (4.04, 5.49 s). Stirred by either belief, it waits and
    # comes in in 5/8 on a downbeat of the player's, and stays in 5/8.
    assert_in_on_a_downbeat_in_5_8(DATA / "aqsaq-5-8-bb-minor-simaqsaq.mid")


def test_the_band_waits_for_a_5_8_the_listener_leans_to_while_it_hears_6_8():
    # sim-aqsaq's 5/8 Db-minor (tests/data/aqsaq-5-8-db-minor-simaqsaq: bench/.cache/sim-aqsaq aqsaq_5-8_Db-minor_s05,
    # its first 12 s), heard in 6/8: the watch believed 5/8 by 0.69-0.75 when the entry was planned (3.85 s) and
    # decided (4.06 s), but in compound time no meter was pending and the band came in in 6/8 at 4.24 s, off the
    # player's downbeats (3.31, 4.44 s). In compound time a meter the watch leans to (LEAN) is pending: the band
    # waits and comes in in 5/8 on a downbeat of the player's.
    assert_in_on_a_downbeat_in_5_8(DATA / "aqsaq-5-8-db-minor-simaqsaq.mid")


def test_a_square_6_8_take_keeps_no_band_waiting_for_an_aqsaq_meter():
    # The compound gate asks the watch to lean (0.5), not to stir: the 6/8 example and the second simulator's 6/8
    # tempo step never leave an aqsaq meter pending.
    for path in (ROOT / "examples" / "a_minor_66_6-8.mid", DATA / "tempo-step-6-8-sim2.mid"):
        listener = Listener(ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
        for _ in ticks(listener, read_guitar_file(path).messages, 20.0):
            assert not listener.beat.meter_pending


def assert_in_on_a_downbeat_in_5_8(path: Path) -> None:
    """The band, rendered over `path`'s first 12 s, comes in in 5/8 on a truth downbeat (within TOL) and stays in
    it."""
    downbeats = truth(path)["downbeats"]
    guitar = read_guitar_file(path)
    guitar = replace(guitar, messages=[m for m in guitar.messages if m.time < 12.0], duration=12.0)
    _, events = play(guitar)
    markers = [e for e in events if isinstance(e, Marker)]
    entry = next(e for e in markers if e.text.startswith("band in"))
    first = min(e.time for e in events if isinstance(e, Note))
    assert "5/8" in entry.text and min(abs(first - d) for d in downbeats) < TOL
    assert not [e for e in markers if e.text.startswith("meter:")]


def assert_in_on_bar_3_in_7_8(path):
    """The band, rendered over `path`'s first 12 s, comes in in 7/8 on the truth's third downbeat (within TOL)."""
    downbeats = truth(path)["downbeats"]
    guitar = read_guitar_file(path)
    guitar = replace(guitar, messages=[m for m in guitar.messages if m.time < 12.0], duration=12.0)
    _, events = play(guitar)
    entry = next(e for e in events if isinstance(e, Marker) and e.text.startswith("band in"))
    first = min(e.time for e in events if isinstance(e, Note))
    assert "7/8" in entry.text and abs(first - downbeats[2]) < TOL


def test_the_band_comes_in_on_a_7_8_take_s_third_bar_in_7_8():
    # sim3's 7/8 Ab-phrygian take (tests/data/aqsaq-7-8-sim3: bench/.cache/sim3 aqsaq_7-8_Ab-phrygian+tuning_tail_s19,
    # its first 12 s): the band is ready at 1.65 bars, while the watch leans to 7/8 and has not named it. With half
    # naming's evidence asked before the lean was offered it came in on the fourth downbeat (3.0 bars); with a
    # quarter (one slot's worth at 0.95: aqsaq.ENTRY_EVIDENCE) on the third (2.0 bars), in 7/8, on the downbeat.
    assert_in_on_bar_3_in_7_8(DATA / "aqsaq-7-8-sim3.mid")


def test_the_band_comes_in_on_the_third_bar_of_a_7_8_take_whose_second_bar_a_shifted_square_bar_explains():
    # sim-aqsaq's 7/8 A-minor strum (tests/data/aqsaq-7-8-simaqsaq: bench/.cache/sim-aqsaq aqsaq_7-8_A-minor_s02, its
    # first 12 s): bar 2's group starts all fall off the grid's beats, as a square bar shifted an eighth has them, and
    # with the aqsaq prior spread over the bar's positions the watch leaned 0.53 to 7/8 when bar 3's entry was
    # decided, offered it on bar 3's downbeat and the band came in on bar 4. The entry's filter, with half that prior
    # on a bar starting at the take's first note (aqsaq.OPENING), offers it in bar 2: the band comes in on bar 3, in
    # 7/8.
    assert_in_on_bar_3_in_7_8(DATA / "aqsaq-7-8-simaqsaq.mid")

def listen(messages: list[InputMessage]) -> list[tuple[int, ...]]:
    """The aqsaq groups the listener heard at every engine tick of `messages` (() when none)."""
    listener = Listener(ListenerConfig())
    return [listener.beat.aqsaq_groups for _ in ticks(listener, messages, messages[-1].time + 1.0, tick=TICK)]


EXAMPLES = Path(__file__).parents[1] / "examples"


@pytest.mark.parametrize("path", [DATA / "sim_00.mid", DATA / "sim_08.mid", DATA / "power-chords.mid",
                                  EXAMPLES / "d_dorian_96_4-4.mid", EXAMPLES / "e_mixolydian_ramp_88-116_4-4.mid",
                                  EXAMPLES / "a_minor_66_6-8.mid"], ids=lambda p: p.stem)
def test_square_takes_are_never_named_aqsaq(path):
    assert set(listen(read_guitar_file(path).messages)) == {()}


# Square bars of eighths: where the accent (a bass note and a full, loud down-strum) falls in a bar of eight
SQUARE = {"straight": (0, 2, 4, 6), "boom-chick": (0, 4), "tresillo": (0, 3, 6), "backbeat": (0, 2, 3, 6),
          "charleston": (0, 3)}


def eighths_take(bpm: float, accents: tuple[int, ...], bars: int, roots: list[int], rest: float) -> list:
    """InputMessages of a square take strummed in eighths at `bpm`: accented eighths of each bar of eight get a
    bass note and a loud six-note strum, the others a soft three-note up-strum or (every `rest`-th) nothing."""
    msgs, eighth = [], 30.0 / bpm
    for k in range(8 * bars):
        t, e, root = 0.5 + k * eighth, k % 8, roots[(k // 8) % len(roots)]
        if e in accents:
            notes, vel = [root, root + 7, root + 12, root + 16, root + 19, root + 24], 100
        elif rest and k % rest == 0:
            continue
        else:
            notes, vel = [root + 24, root + 19, root + 16], 55
        for j, p in enumerate(notes):
            msgs.append(InputMessage(t + 0.006 * j, 0x90, p, vel))
            msgs.append(InputMessage(t + 0.9 * eighth, 0x80, p, 0))
    return sorted(msgs, key=lambda m: (m.time, m.status == 0x90))


def test_square_backbeat_eighths_heard_in_dotted_beats_are_not_named_aqsaq():
    # Eighths accented 3+3+2 (0, 2, 3, 6) at 151.5, heard in beats of three eighths (101, 2:3 of the quarter), were
    # named 5/8 after 14 s (found by a draw below; a known limit until session 21): the fits between the grid's
    # beats now go onto the beat's thirds, where every eighth lies (BeatTracker._triplet_phase), and it stays
    # 6/8. Still a limit: 6/8 at 101, not 4/4 at 151.5.
    assert set(listen(eighths_take(151.5, SQUARE["backbeat"], 16, [40], 0))) == {()}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bpm=st.floats(80, 160), pattern=st.sampled_from(sorted(SQUARE)),
       roots=st.lists(st.integers(40, 47), min_size=1, max_size=4), rest=st.sampled_from([0, 3, 5]))
def test_square_eighths_with_any_accents_are_never_named_aqsaq(bpm, pattern, roots, rest):
    assert set(listen(eighths_take(bpm, SQUARE[pattern], 16, roots, rest))) == {()}


def test_a_charleston_held_at_its_half_notes_keeps_its_phase():
    # a 3+3+2 figure's half-note level (running eighths, heard at 60 for 119): funk's sixteenth phase
    # (`BeatTracker._sixteenth_phase`) took its eighths for sixteenths and moved the grid by eighths, and the aqsaq
    # watch named 5/8 (found by the test above on the first version of funk25)
    assert set(listen(eighths_take(119.0, SQUARE["charleston"], 16, [40], 0))) == {()}


def test_an_aqsaq_meter_fits_only_styles_of_its_eighths_and_auto_picks_one():
    seven, five, four = Meter(7, False, (2, 2, 3)), Meter(5, False, (3, 2)), Meter(4, False)
    assert fits(load_style("aqsaq-7-8"), seven) and fits(load_style("tokpe-7-8"), seven)
    assert not fits(load_style("aqsaq-5-8"), seven) and not fits(load_style("tokpe-gallop"), seven)
    assert fits(load_style("aqsaq-5-8"), five) and not fits(load_style("shertpe-332"), five)
    assert fits(load_style("tokpe-gallop"), four)
    assert seven.signature() == (7, 8, 2) and five.signature() == (5, 8, 2)
    auto = style_chooser(AUTO)
    grid = BeatGrid(0.0, 0, 0.4, 7, 0, groups=(2, 2, 3))
    assert auto(grid).name == "aqsaq-7-8" and grid.meter == "7/8"
    assert auto(BeatGrid(0.0, 0, 0.4, 5, 0, groups=(3, 2))).name == "aqsaq-5-8"
    assert auto(BeatGrid(0.0, 0, 0.4, 4, 0)).name == "tokpe-gallop"


# The bass-and-chord figure of dombra-style guitar in aqsaq: a lone bass note (B root, A fifth) on each group's
# start, a four-note chord (c) above it on the other eighths
# ("." nothing), and square bars' figures of the kind
FIGURES = {"5/8": "B c c A c", "7/8": "B c A c B c c"}
SQUARE_FIGURES = ("B c A c B c A c", "B c c c A c c c", "B c . c A c . c", "B . c c A . c c", "B c c A c c B c")


def figure_take(bpm: float, figure: str, bars: int, roots: list[int]) -> tuple[list, list[float]]:
    """InputMessages of a take played as a bass-and-chord `figure` (one token an eighth) at `bpm` quarter notes (a
    thumb's bass a little louder per note than the chord's strings), and its bar starts (s)."""
    msgs, starts, eighth = [], [], 30.0 / bpm
    tokens = figure.split()
    for k in range(len(tokens) * bars):
        t, tok, root = 0.5 + k * eighth, tokens[k % len(tokens)], roots[(k // len(tokens)) % len(roots)]
        if k % len(tokens) == 0:
            starts.append(t)
        if tok == ".":
            continue
        notes, vel = ({"B": [root], "A": [root + 7]}[tok], 90) if tok in "BA" else \
            ([root + 12, root + 16, root + 19, root + 24], 70)
        for j, p in enumerate(notes):
            msgs.append(InputMessage(t + 0.006 * j, 0x90, p, vel))
            msgs.append(InputMessage(t + 0.9 * eighth, 0x80, p, 0))
    return sorted(msgs, key=lambda m: (m.time, m.status == 0x90)), starts


# Where the listener hears the lone-bass figure, played exactly in time: swept at every 0.5 BPM from 90 to 180
# with roots [40], [44], [45], [42, 47] and [47, 40, 43] (bench/README.md, "Known: the lone-bass aqsaq figure").
# While the aqsaq watch leans to or names a bar, the tempo level stays at the quarter (engine/listen/beat.py
# `_aqsaq_level`). Outside, a known limit (README, "aqsaq"): in 5/8 from 159.5 BPM (eighths of 0.19 s) the grid
# never settles on the quarter before the watch can lean (three, four or five eighths a beat: 6/8 or 4/4), at
# scattered tempi (159.5, 162, 168.5, 171-179). 7/8 is heard at every tempo swept. The examples are
# derandomized: CI tests the same ones on every run.
HEARD = {"5/8": (90.0, 159.0), "7/8": (90.0, 180.0)}


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.floats(0, 1), meter=st.sampled_from(sorted(FIGURES)),
       roots=st.lists(st.integers(40, 47), min_size=1, max_size=3))
def test_a_lone_bass_on_each_group_start_is_where_the_groups_start(where, meter, roots):
    # the chord an eighth after each bass is bigger and louder in sum, but the bass starts the group: the bars
    # and beats are heard on the bass notes, not an eighth late on the chords (at `where` in the meter's HEARD)
    low, high = HEARD[meter]
    assert_lone_bass_bars_heard(low + where * (high - low), meter, roots)


def assert_lone_bass_bars_heard(bpm: float, meter: str, roots: list[int]) -> None:
    """The lone-bass `meter` figure at `bpm` with `roots` (24 bars) is heard in its meter, and after 10 s over 0.8
    of its bar starts have a downbeat."""
    messages, starts = figure_take(bpm, FIGURES[meter], 24, roots)
    a, _ = run_online(messages, ListenerConfig())
    assert a.meter == meter
    late = starts[0] + 10.0
    assert hit_rate(a.downbeats, starts, late) > 0.8


@pytest.mark.parametrize(("bpm", "meter", "roots"), [
    (128.5, "5/8", [40]),           # the grid went to 2.8 eighths and back, the watch lost the bars (issue 12)
    (131.75, "5/8", [45]),          # bars heard two eighths off before the level stayed on the quarter
    (160.0, "7/8", [47, 40, 43]),   # heard 6/8: three eighths a beat
])
def test_a_lone_bass_figure_once_lost_to_another_tempo_level_is_heard(bpm, meter, roots):
    # the strict xfail examples before the tempo level stayed on the quarter in aqsaq (engine/listen/beat.py)
    assert_lone_bass_bars_heard(bpm, meter, roots)


@pytest.mark.xfail(strict=True, reason="known limit: the lone-bass figure outside HEARD (README, aqsaq)")
@pytest.mark.parametrize(("bpm", "meter", "roots"), [
    (159.5, "5/8", [40]),           # heard 6/8: three eighths a beat (hit rate 0.31)
    (168.5, "5/8", [45]),           # heard 4/4 (0.0)
    (171.0, "5/8", [47, 40, 43]),   # heard 4/4 (0.0)
])
def test_a_lone_bass_figure_outside_the_tempi_heard_is_not_heard_yet(bpm, meter, roots):
    # strict: the day the listener hears one of these, this test fails and HEARD (and the README) should grow
    assert_lone_bass_bars_heard(bpm, meter, roots)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bpm=st.floats(80, 160), figure=st.sampled_from(SQUARE_FIGURES),
       roots=st.lists(st.integers(40, 47), min_size=1, max_size=4))
def test_square_bars_of_lone_basses_and_chords_are_never_named_aqsaq(bpm, figure, roots):
    assert set(listen(figure_take(bpm, figure, 16, roots)[0])) == {()}


def band_markers(pending_until: float, named_at: float, named_until: float = 99.0, ticks: int = 800,
                 sinks: tuple = (), leaning_from: float = 99.0) -> list[Marker]:
    """The band's markers when the listener, ready from second 1, leans towards a 7/8 (`meter_pending`) until
    `pending_until` s and hears it (the grid's groups) from `named_at` to `named_until` s, over 4/4 else (0.4 s
    beats from second 0: the 7/8 bars start at 0, 1.4, 2.8, 4.2 s ..., every second one between two beats); from
    `leaning_from` s, while pending, it offers that 7/8 grid as the one it leans to (`MusicalState.leaning`).
    `sinks` get the band's events too; the ticks go on to `ticks` x TICK s."""
    sink = RecordingSink()
    scheduler = Scheduler(style_chooser(AUTO), seed=0, sinks=[sink, *sinks])
    aqsaq = BeatGrid(0.0, 0, 0.4, 7, 0, groups=(2, 2, 3))
    for n in range(1, ticks):
        now = n * TICK
        grid = aqsaq if named_at <= now < named_until else BeatGrid(0.0, 0, 0.4, 4, 0)
        pending = now < pending_until
        scheduler.tick(now, MusicalState(time=now, tonic=2, mode="minor", key_confidence=1.0, grid=grid,
                                         beat_confidence=1.0, locked=now >= 1.0, loudness=80.0, density=2.0,
                                         silent=False, last_onset=now - 0.05, meter_pending=pending,
                                         leaning=aqsaq if pending and now >= leaning_from else None))
    return [e for e in sink.events if isinstance(e, Marker)]


def band_in(pending_until: float, named_at: float, sinks: tuple = (), until: int = 800) -> Marker | None:
    """The band's entry marker (see `band_markers`)."""
    return next((e for e in band_markers(pending_until, named_at, ticks=until, sinks=sinks)
                 if e.text.startswith("band in")), None)


def test_the_band_playing_goes_into_an_aqsaq_meter_on_the_players_downbeat_soon_after_it_is_named():
    # In 4/4 from 1 s, 7/8 named at 4 s (beats of 0.4 s: a 7/8 bar lasts 1.4 s, the grid's two bars 2.8 s):
    # the band changes on the player's first downbeat of its cycle after the meter has held a bar, not after
    # two of its own 4/4 bar lines (the bar watch's patience: 3 to 6 s on the simulated aqsaq takes).
    hold = AQSAQ_HOLD * 1.4
    meter = [e for e in band_markers(0.0, 4.0, ticks=1600) if e.text.startswith("meter:")]
    assert meter and meter[0].text == "meter: 7/8"
    assert 4.0 + hold <= meter[0].time <= 4.0 + hold + 2.8 + 0.2
    assert round(meter[0].time / 0.4) % 7 == 0        # on the grid's downbeat
    # named for less than a bar, then 4/4 again: no change
    assert not [e for e in band_markers(0.0, 4.0, 4.0 + 0.9 * hold, 1600) if e.text.startswith("meter:")]


def test_the_band_waits_a_little_for_a_pending_aqsaq_meter():
    # ready at 1 s while the 7/8 is pending, heard at 3 s: the band comes in after it, in 7/8
    entry = band_in(pending_until=3.0, named_at=3.0)
    assert entry.time >= 3.0 and "7/8" in entry.text
    # nothing pending: in at once, in the meter heard
    entry = band_in(pending_until=0.0, named_at=3.0)
    assert entry.time < 2.0 and "7/8" not in entry.text
    # pending for ever: the band waits METER_WAIT s, no longer
    entry = band_in(pending_until=99.0, named_at=99.0)
    assert 1.0 + METER_WAIT <= entry.time < 1.0 + METER_WAIT + 1.7


def test_the_band_comes_in_on_the_downbeat_of_the_aqsaq_meter_the_listener_leans_to_before_it_is_named():
    # Pending from 1 s, named at 3 s: waiting for the name, the band comes in on the 7/8's downbeat after it
    # (4.2 s). Offered the grid the listener leans to from 2 s (evidence a quarter of what naming asks), it comes
    # in on that grid's first downbeat it can reach, 2.8 s, in 7/8, and stays in 7/8 once the name comes.
    assert band_in(pending_until=3.0, named_at=3.0).time > 4.0
    markers = band_markers(pending_until=3.0, named_at=3.0, leaning_from=2.0)
    entry = next(e for e in markers if e.text.startswith("band in"))
    assert 2.7 <= entry.time < 2.8 and "7/8" in entry.text
    assert not [e for e in markers if e.text.startswith("meter:")]


def test_the_aqsaq_watch_offers_the_bar_it_leans_to_before_naming_it_and_names_the_same_bar():
    # The 5/8 take: the watch leans to 5/8 with a quarter of the evidence naming asks, a third of a bar or more
    # before it names it, and the bar starts it leaned to are the ones it names (the band may come in on them:
    # engine/schedule.py).
    path = TAKES["5/8"]
    t = truth(path)
    listener = Listener(ListenerConfig(guitar=GuitarConfig(converter_latency=0.03)))
    leaned = None
    for now in ticks(listener, read_guitar_file(path).messages, t["first_onset"] + 20):
        lean = listener.leaning()
        if leaned is None and lean is not None:
            leaned = now, lean
        if listener.beat.meter == "5/8":
            break
    assert leaned is not None and leaned[1].meter == "5/8"
    named, grid = now, listener.grid()
    bar = (t["downbeats"][-1] - t["downbeats"][0]) / (len(t["downbeats"]) - 1)
    assert (named - leaned[0]) / bar > 0.3
    assert (leaned[1].beats_per_bar, leaned[1].downbeat_phase, leaned[1].groups) == (
        grid.beats_per_bar, grid.downbeat_phase, grid.groups)


def test_the_band_comes_in_on_an_aqsaq_downbeat_between_two_beats(tmp_path):
    # 7/8 heard at 3 s: its next downbeat is at 4.2 s (beat 10.5, between two beats), the one after on a whole
    # beat at 5.6 s (beat 14). The band comes in at 4.2 s, on the second bar of its cycle (of its intro), and
    # the file's bar lines a DAW draws are the player's from there (the band counts its cycle from beat 7).
    out = tmp_path / "band.mid"
    midi = MidiFileSink(out)
    entry = band_in(pending_until=3.0, named_at=3.0, sinks=(midi,), until=1000)
    midi.close()
    assert 4.1 <= entry.time < 4.2 and "7/8" in entry.text
    notes = [e for e in midi.events if isinstance(e, Note)]
    assert abs(min(n.time for n in notes) - 4.2) < 0.06
    beats = [e for e in midi.events if isinstance(e, Beat)]
    assert (beats[0].beat_in_bar, beats[0].beats_per_bar) == (4, 7) and abs(beats[0].time - 4.4) < 1e-6
    lines, sigs = daw_bar_lines(mido.MidiFile(out))
    assert sigs[0][1:] == (7, 8)
    played = [x for x in lines if 4.0 <= x <= 9.0]
    assert np.allclose(played, [4.2, 5.6, 7.0, 8.4], atol=0.01)


def test_auto_follows_a_take_that_leaves_aqsaq_for_3_4_and_a_named_style_is_played_as_asked(tmp_path):
    """A 5/8 take (bench/player_sim.py seed 4, `aqsaq_5-8_Ab-minor_s00`, 67 s) and then 30 bars of 3/4 strums
    (90 BPM, a bass and a loud chord on one). `--style auto` played aqsaq-5-8 over the 3/4 to the end (an aqsaq
    style keeps its own bars in any square meter) and warned that it picked it by ear; it now picks again once
    the 3/4 has been heard for a phrase, a 3/4 style, with no warning. A style named on the command line is
    still played to the end, and 'played as asked'."""
    path = DATA / "aqsaq-5-8-then-3-4.mid"
    auto = runner.invoke(app, ["render", str(path), "-o", str(tmp_path / "a.mid")])
    assert auto.exit_code == 0, auto.output
    assert "style tokpe-waltz" in auto.output and "is in 5/8" not in auto.stderr, auto.output
    named = runner.invoke(app, ["render", str(path), "-o", str(tmp_path / "n.mid"), "--style", "aqsaq-5-8"])
    assert named.exit_code == 0 and "aqyn played it as asked" in named.stderr


@pytest.mark.parametrize("position, shift", [(3.5, None), (7.0, None), (3.0, None), (2.5, 1), (0.5, 3)])
def test_the_bar_watch_counts_an_aqsaq_bar_line_in_eighths_to_either_of_the_players_bars(position, shift):
    # 7/8: the player's downbeats fall at beats 0, 3.5, 7 (eighths 0, 7, 14). A band line on either is on
    # the player's bar; one an eighth early is the time line's to mend (it aims within an eighth); two or more
    # eighths off move the band's bar by whole beats (an odd eighth left to the time line).
    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=7, downbeat_phase=0, groups=(2, 2, 3))
    watch = BarWatch(patience=2)
    t = grid.seconds_at(position)
    assert watch.bar_line(t, grid) is None
    assert watch.bar_line(t, grid) == shift


@pytest.mark.parametrize("meter", list(TAKES))
def test_the_tempo_reported_in_aqsaq_is_the_quarters_online_and_offline(meter):
    # A 5/8 or 7/8 beat is a group of 2 or 3 eighths: the tempo is given per quarter (two eighths; a 3-eighth group
    # counts 1.5), as the band's MIDI file writes it and the truth's `bpm` holds (bench/README.md, "Tempo in
    # aqsaq"). Offline, the tempo was the median of every four group intervals: 84.6 BPM for a 104 BPM 5/8 take.
    path = TAKES[meter]
    quarter = float(np.median(truth(path)["bpm"]))
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=0.03))
    messages = read_guitar_file(path).messages
    for a in (run_online(messages, config)[0], run_offline(messages, config)):
        after = truth(path)["first_onset"] + 10.0          # the tempo in force from then on
        late = [t["bpm"] for k, t in enumerate(a.tempo) if k + 1 == len(a.tempo) or a.tempo[k + 1]["time"] > after]
        assert all(abs(bpm / quarter - 1) < 0.04 for bpm in late), (a.mode, quarter, late)


@pytest.mark.xfail(strict=True, reason="known limit: a charleston at 156.5 with a rest of five eighths named 5/8")
def test_square_charleston_near_the_top_of_the_range_is_not_named_aqsaq():
    # Found by a random draw of the test above (session 27, flaky27's full run; CI's examples are derandomized and
    # never met it): the charleston figure (3+3+2) at 156.5625 BPM over E, with a rest of five eighths, is named
    # aqsaq 3+2. Kept as a strict xfail until the aqsaq watch tells a square 3+3+2 near 160 from 5/8.
    assert set(listen(eighths_take(156.5625, SQUARE["charleston"], 16, [40], 5))) == {()}
