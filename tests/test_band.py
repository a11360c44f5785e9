"""The band under a virtual clock: when it comes in, that it follows, breaks when the guitar pauses, plays its
ending when the guitar stops, obeys footswitch cues, switches style on a bar line, and that its notes are
the same however time is sliced."""

from fractions import Fraction

import pytest

from engine.arrange.arranger import Arranger
from engine.arrange.band import DOMBRA_CHANNEL, DRUM_CHANNEL
from engine.arrange.dombra import open_strings, tune
from engine.arrange.styles import load_style, style_chooser
from engine.clock import VirtualClock
from engine.events import Beat, InputMessage, Marker, Note, TimeSignature
from engine.inputs import Cue, CueInput, input_order
from engine.io.sinks import RecordingSink, channel_messages
from engine.pipeline import Engine, ListSource, run, run_offline
from engine.state import BeatGrid, MusicalState
from engine.theory import SCALES

BPM = 100
PERIOD = 60 / BPM
C_MAJOR = {s % 12 for s in SCALES["major"]}


def strumming(beats: range, start: float = 0.5):
    """Bass on each bar's beat 1 and 3, a chord on 2 and 4, C major, at 100 BPM."""
    msgs = []
    for k in beats:
        t = start + k * PERIOD
        notes = (36, 48) if k % 2 == 0 else (52, 55, 60, 64)
        for j, p in enumerate(notes):
            msgs.append(InputMessage(t + 0.012 * j, 0x90, p, 100 if k % 4 == 0 else 80))
            msgs.append(InputMessage(t + PERIOD * 0.9, 0x80, p, 0))
    return sorted(msgs, key=lambda m: m.time)


def play(msgs, seed=0, style="tokpe-gallop"):
    rec = RecordingSink()
    engine = Engine(style_chooser(style), seed, [rec])
    run_offline(engine, sorted(msgs, key=lambda m: m.time))
    return engine, rec.events


def drive(msgs, cues, seed=0, style="tokpe-gallop", end=None):
    """Run the engine through the one loop (pipeline.run) with cues as timed inputs ("style:NAME" switches
    style), noting the section the band plays after every tick."""
    rec = RecordingSink()
    engine = Engine(style_chooser(style), seed, [rec])
    inputs = list(msgs) + [CueInput(t, Cue.STYLE, load_style(what.split(":", 1)[1])) if what.startswith("style:")
                           else CueInput(t, Cue(what)) for t, what in cues]
    inputs.sort(key=input_order)
    end = end if end is not None else max(m.time for m in msgs) + 2.0
    statuses = []
    run(engine, ListSource(inputs), VirtualClock(), until=end,
        after_tick=lambda now, due: statuses.append((now, engine.scheduler.section)))
    return engine, rec.events, statuses


def markers(events, prefix=""):
    return [(m.time, m.text) for m in events if isinstance(m, Marker) and m.text.startswith(prefix)]


def sections(events):
    return [(t, text.split(": ", 1)[1]) for t, text in markers(events, "section: ")]


def notes_between(events, a, b):
    return [e for e in events if isinstance(e, Note) and a <= e.time < b]


def test_band_comes_in_on_the_beat_stops_with_the_guitar_ends_and_comes_back():
    msgs = strumming(range(0, 24)) + strumming(range(40, 64))
    engine, events = play(msgs)
    ins = [t for t, _ in markers(events, "band in")]
    outs = [t for t, _ in markers(events, "band out")]
    assert len(ins) == 2 and len(outs) == 2
    last_strum = 0.5 + 23 * PERIOD
    resume = 0.5 + 40 * PERIOD
    # After the guitar stops: stop-time (silent within a beat), then, with no final chord known (as live),
    # after a bar of silence the ending; the band is out before the guitar returns.
    stop = markers(events, "stop")[0][0]
    assert last_strum < stop <= last_strum + 2 * PERIOD
    endings = [t for t, name in sections(events) if name == "ending" and last_strum < t < outs[0]]
    assert endings and endings[0] <= stop + 6 * PERIOD
    # tokpe-gallop's two 2/4 bars of ending end on a stroke at the second's downbeat: the player's 1.
    final_stroke = endings[0] + 2 * PERIOD
    assert abs((final_stroke - 0.5) / (4 * PERIOD) % 1 - 0.5) > 0.45, endings
    assert notes_between(events, stop + 0.1, endings[0] - 0.01) == []
    assert last_strum < outs[0] < resume
    # It comes back in (with its intro) within two bars of the guitar's return.
    assert resume < ins[1] < resume + 8 * PERIOD
    assert [name for t, name in sections(events) if t >= ins[1]][0] == "intro"
    assert notes_between(events, outs[0] + 0.3, ins[1] - 0.1) == []
    # Band beats land on the guitar's beats.
    beats = [e for e in events if isinstance(e, Beat)]
    assert all(b2.time > b1.time for b1, b2 in zip(beats, beats[1:]))
    for b in beats:
        if b.time < last_strum or ins[1] < b.time < 0.5 + 63 * PERIOD:
            k = round((b.time - 0.5) / PERIOD)
            assert abs(b.time - (0.5 + k * PERIOD)) < 0.03
    # In key and in range: the dombra plays C major's notes on a dombra tuned to C.
    notes = [e for e in events if isinstance(e, Note)]
    d = tune(0, "major")
    dombra = [n.pitch for n in notes if n.channel == DOMBRA_CHANNEL]
    assert {p % 12 for p in dombra} <= C_MAJOR
    assert d.lowest <= min(dombra) and max(dombra) <= d.highest
    assert {d.low, d.high} <= set(dombra)
    assert {n.channel for n in notes} == {DOMBRA_CHANNEL, DOMBRA_CHANNEL + 1, DRUM_CHANNEL}
    assert engine.scheduler.late == 0


def test_a_short_pause_is_stop_time_and_the_band_plays_on_with_the_guitar():
    msgs = strumming(range(0, 24)) + strumming(range(27, 48))
    engine, events = play(msgs)
    assert len(markers(events, "band in")) == 1 and len(markers(events, "band out")) == 1
    last_strum, back = 0.5 + 23 * PERIOD, 0.5 + 27 * PERIOD
    (stop, _), (again, _) = markers(events, "stop")[:2]
    assert last_strum < stop <= last_strum + 2 * PERIOD and back <= again <= back + 0.1
    assert notes_between(events, last_strum + 2 * PERIOD, back - 0.01) == []     # silent within a beat
    assert notes_between(events, back, back + 2 * PERIOD)                        # back with the guitar
    names = [name for t, name in sections(events) if t > last_strum]
    assert "ending" not in names[:-1] and names[-1] == "ending"


def test_same_seed_same_events_other_seed_other_events():
    msgs = strumming(range(0, 32))
    _, a = play(msgs, seed=3)
    _, b = play(msgs, seed=3)
    _, c = play(msgs, seed=4)
    assert a == b
    assert [e for e in a if isinstance(e, Note)] != [e for e in c if isinstance(e, Note)]


def test_every_note_on_has_its_note_off():
    _, events = play(strumming(range(0, 32)))
    ons = offs = 0
    for _, status, _, d2, _, _ in channel_messages(events):
        if status & 0xF0 == 0x90 and d2 > 0:
            ons += 1
        elif status & 0xF0 in (0x80, 0x90):
            offs += 1
    assert ons == offs > 100


# ---- footswitch cues -------------------------------------------------------------------------------------

LONG = strumming(range(0, 80))          # 48 s of steady C major at 100 BPM


def first_section_after(events, t):
    return next((at, name) for at, name in sections(events) if at > t)


def test_cue_fill_plays_a_fill_at_the_next_bar():
    engine, events, _ = drive(LONG, [])
    plans, start = engine.scheduler.arranger.plans, engine.scheduler.arranger.start
    beat_time = {b.index: b.time for b in events if isinstance(b, Beat)}
    # A main bar followed by another main bar: cue a fill inside it.
    i = next(i for i in range(6, len(plans) - 1)
             if plans[i].section.startswith("main") and plans[i + 1].section.startswith("main"))
    t = beat_time[int(start) + 2 * i] + 0.3          # 2/4 bars: two beats each
    engine, events, _ = drive(LONG, [(t, "fill")])
    plans = engine.scheduler.arranger.plans
    assert plans[i].section.startswith("main") and plans[i + 1].section == "fill"
    assert plans[i + 2].section.startswith("main") or plans[i + 2].section == "fill"


def test_cue_next_moves_to_main_b_and_back():
    t1 = 0.5 + 20 * PERIOD + 0.3
    t2 = 0.5 + 40 * PERIOD + 0.3
    engine, events, statuses = drive(LONG, [(t1, "next"), (t2, "next")])
    # Cued on the player's beat 1.5 (t1) and 3.5 (t2): tokpe-gallop's 2/4 bars pair into their 4/4, and the new
    # section begins on their next 1, within a bar, after a fill of the pair's last bar when cued in its first.
    at = next(t for t, name in sections(events) if t > t1 and name == "main_b")
    assert at - t1 <= 4 * PERIOD + 0.1 and abs((at - 0.5) / (4 * PERIOD) % 1 - 0.5) > 0.45, at
    at2 = next(t for t, name in sections(events) if t > t2 and name == "main_a")
    assert at2 - t2 <= 4 * PERIOD + 0.1 and abs((at2 - 0.5) / (4 * PERIOD) % 1 - 0.5) > 0.45, at2
    assert any(s == "main_b" for now, s in statuses if at < now < t2)


def test_cue_next_leaves_the_intro():
    engine, events, _ = drive(LONG, [])
    intro_at = next(t for t, n in sections(events) if n == "intro")
    engine, events, _ = drive(LONG, [(intro_at + 0.1, "next")])
    names = [n for t, n in sections(events)]
    assert names[:2] == ["intro", "main_a"]
    starts = [t for t, n in sections(events)]
    assert starts[1] - starts[0] == pytest.approx(2 * PERIOD, abs=0.05)   # one 2/4 bar of intro, not two


def test_cue_ending_plays_the_ending_then_stays_out_until_start():
    t_end = 0.5 + 30 * PERIOD + 0.3
    t_start = 0.5 + 50 * PERIOD
    engine, events, statuses = drive(LONG, [(t_end, "ending"), (t_start, "start")])
    at, name = first_section_after(events, t_end)
    # Cued on the player's beat 3 of a bar: the 2/4 ending's two bars begin at the next beat 3, within a bar of
    # the player's, so that its final stroke (the second bar's downbeat) is their 1.
    assert name == "ending" and at - t_end <= 4 * PERIOD + 0.1
    assert abs((at + 2 * PERIOD - 0.5) / (4 * PERIOD) % 1 - 0.5) > 0.45, at
    outs = [t for t, _ in markers(events, "band out")]
    ins = [t for t, _ in markers(events, "band in")]
    ending_bars = load_style("tokpe-gallop").section("ending").bars
    assert outs[0] == pytest.approx(at + ending_bars * 2 * PERIOD, abs=0.05)
    assert notes_between(events, outs[0] + 0.3, t_start) == []          # the guitar plays on; the band is out
    assert len(ins) == 2 and t_start < ins[1] < t_start + 6 * PERIOD
    assert all(s is None for now, s in statuses if outs[0] + 0.05 < now < t_start)


@pytest.mark.parametrize("beat", [28.3, 29.6, 30.3, 31.6])
def test_a_cued_ending_lands_its_final_stroke_on_the_players_downbeat(beat):
    # tokpe-gallop (2/4) plays over this 4/4 in pairs of its bars, and its ending is two of them: begun on the
    # band's next bar line, an ending pressed in the second half of the player's bar put its final stroke on
    # their beat 3 (review20: a pedal at beat 4 of bar 19 ended the band on bar 20's beat 3).
    t_end = 0.5 + beat * PERIOD
    engine, events, _ = drive(LONG, [(t_end, "ending")])
    last = max(e.time for e in events if isinstance(e, Note))
    final = (last - 0.5) / PERIOD
    assert final % 4 == pytest.approx(0, abs=0.25) or final % 4 == pytest.approx(4, abs=0.25), final
    assert last - t_end <= 8 * PERIOD           # the ending from the player's next bar line at the latest


def test_cue_stop_is_silent_at_the_next_beat_and_start_lets_the_band_back():
    t_stop = 0.5 + 30 * PERIOD + 0.2
    t_start = 0.5 + 44 * PERIOD
    engine, events, _ = drive(LONG, [(t_stop, "stop"), (t_start, "start")])
    outs = [t for t, _ in markers(events, "band out")]
    assert t_stop < outs[0] <= t_stop + PERIOD + 0.1
    assert [n for a, n in sections(events) if t_stop < a < outs[0]] == []     # no ending: silent
    assert notes_between(events, outs[0], t_start) == []
    assert len(markers(events, "band in")) == 2


def test_stop_then_nothing_keeps_the_band_out():
    engine, events, _ = drive(LONG, [(0.5 + 30 * PERIOD, "stop")])
    assert len(markers(events, "band in")) == 1
    assert not engine.scheduler.playing and engine.scheduler.section is None


def test_unknown_cue_is_a_value_error():
    rec = RecordingSink()
    engine = Engine(style_chooser("trot"), 0, [rec])
    with pytest.raises(ValueError, match="fill, next, ending, start, stop"):
        engine.cue("solo", 0.0)


def test_set_style_switches_at_the_next_bar():
    t = 0.5 + 30 * PERIOD + 0.3
    engine, events, statuses = drive(LONG, [(t, "style:aqsaq-7-8")])
    switch = markers(events, "style: ")
    assert switch and switch[0][1] == "style: Aqsaq 7/8 (2+2+3)"
    at = switch[0][0]
    assert t < at <= t + 2 * PERIOD + 0.1
    # On a bar line of the old style (2/4 bars start on the guitar's even beats).
    k = (at - 0.5) / PERIOD
    assert abs(k - round(k)) < 0.05 and round(k) % 2 == 0
    sigs = [(e.numerator, e.denominator) for e in events if isinstance(e, TimeSignature)]
    assert sigs == [(4, 4), (7, 8)]          # the guitar's 4/4 (the 2/4 style pairs its bars), then 7/8
    assert engine.scheduler.arranger.style.name == "aqsaq-7-8"
    assert notes_between(events, at + 0.1, at + 4.0)                       # it plays on
    assert all(s is not None for now, s in statuses if at < now < at + 4.0)


def test_set_style_by_unknown_name_changes_nothing():
    from engine.errors import StyleNotFound

    rec = RecordingSink()
    engine = Engine(style_chooser("trot"), 0, [rec])
    with pytest.raises(StyleNotFound):
        engine.set_style("polka")
    assert engine.scheduler._style is None


# ---- the arranger ------------------------------------------------------------------------------------------

STATE = MusicalState(time=0.0, tonic=2, mode="dorian", key_confidence=1.0,
                     grid=BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.625, beats_per_bar=4, downbeat_phase=0),
                     beat_confidence=1.0, loudness=90.0, last_onset=0.0)


def test_arranger_does_not_depend_on_how_time_is_sliced():
    style = load_style("tokpe-gallop")
    whole = Arranger(style, seed=5, start=4).query(4.0, 40.0, STATE)
    sliced = []
    arr = Arranger(style, seed=5, start=4)
    edges = [4.0, 4.3, 5.0, 7.77, 11.01, 16.5, 20.0, 33.3, 40.0]
    for a, b in zip(edges, edges[1:]):
        sliced += arr.query(a, b, STATE)
    assert whole == sliced
    assert all(4 <= p.position < 40 for p in whole)
    assert Fraction(4) in {p.position for p in whole}


def test_additive_bars_start_between_beats():
    style = load_style("aqsaq-7-8")
    arr = Arranger(style, seed=1, start=8)
    notes = arr.query(8.0, 8.0 + 7.0, STATE)
    starts = {arr.bar_start(b) for b in range(2)}
    assert starts == {Fraction(8), Fraction(23, 2)}
    assert {p.position for p in notes if p.channel == DOMBRA_CHANNEL} >= starts


@pytest.mark.parametrize("tonic", range(12))
def test_dombra_open_strings_are_standard_tuning_retuned_to_the_tonic(tonic):
    low, high = open_strings(tonic)
    assert tonic in (low % 12, high % 12) and high - low == 5
    assert 47 <= low <= 53                                  # D3-G3 moved at most three semitones


def test_a_style_chosen_during_the_ending_waits_for_the_next_entry():
    t_end = 0.5 + 30 * PERIOD + 0.3
    engine, events, _ = drive(LONG, [(t_end, "ending"), (t_end + 0.5, "style:trot"), (0.5 + 50 * PERIOD, "start")])
    outs = [t for t, _ in markers(events, "band out")]
    assert markers(events, "style: ") == []                       # the ending was not cut short
    assert [n for t, n in sections(events) if t_end < t < outs[0]] == ["ending"]
    ins = markers(events, "band in")
    assert len(ins) == 2 and ins[1][1] == "band in: Trot (6/8)"     # the next entry plays the new style


def test_after_a_stop_of_a_bar_the_band_listens_then_rejoins_at_its_bar_line():
    # engine.presence: back from a stop of a bar or more, the band stays silent while its next beat is more
    # than ALIGNED from the player's; once within it, it plays again from its next bar line.
    from engine.arrange.arranger import Arranger
    from engine.arrange.styles import load_style
    from engine.presence import ALIGNED, Presence
    from engine.state import BeatGrid

    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=0)
    arranger = Arranger(load_style("tokpe-flow"), seed=1, start=0)
    presence = Presence()
    presence.stop_time(10.0, True, grid, arranger)          # the guitar stops ...
    assert presence.silenced("main_a", 24.0)
    assert presence.stop_time(12.5, False, grid, arranger) == "stop: back"   # ... for 2.5 s: over a bar
    assert presence.silenced("main_a", 26.0)                # listening
    assert presence.rejoin(12.6, 2 * ALIGNED, grid, arranger, 25.2) is None
    assert presence.silenced("main_a", 26.0)
    assert presence.rejoin(12.9, ALIGNED / 2, grid, arranger, 25.8) == "stop: rejoin"
    line = presence.rejoin_at
    assert line > 25.8 and float(arranger.bar_start(arranger.bar_at(line))) == line   # a bar line ahead
    assert presence.silenced("main_a", line - 0.5) and not presence.silenced("main_a", line)
    assert not presence.silenced("ending", line - 0.5)
    presence.stop_time(20.0, True, grid, arranger)          # a second long stop, and the band goes out while
    presence.stop_time(23.0, False, grid, arranger)         # listening: its next entry starts afresh
    assert presence.listening
    presence.went_out(24.0)
    assert not presence.listening and not presence.silenced("intro", line - 0.5)


def test_after_a_long_stop_a_2_4_style_in_4_4_rejoins_on_the_first_bar_of_its_pair():
    # A 2/4 style over the player's 4/4 pairs its bars (group 2): the band's bar line it rejoins on is the
    # player's downbeat, the first bar of a pair, not the second bar's line (the player's beat 3).
    from engine.arrange.arranger import Arranger
    from engine.arrange.styles import load_style
    from engine.presence import ALIGNED, Presence

    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=0)
    arranger = Arranger(load_style("tokpe-gallop"), seed=1, start=0, group=2)
    presence = Presence()
    presence.stop_time(10.0, True, grid, arranger)
    presence.stop_time(12.5, False, grid, arranger)         # back after 2.5 s: listening
    assert presence.rejoin(12.6, ALIGNED / 2, grid, arranger, 25.2) == "stop: rejoin"
    assert presence.rejoin_at == 28.0                       # beat 25.2 is in the pair from 24: the next from 28
    assert [arranger.players_bar_after(b) for b in (24.5, 25.0, 26.0, 27.9, 28.0)] == [14, 14, 14, 14, 16]


def test_a_short_stop_needs_no_rejoining():
    from engine.arrange.arranger import Arranger
    from engine.arrange.styles import load_style
    from engine.presence import Presence
    from engine.state import BeatGrid

    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=0.5, beats_per_bar=4, downbeat_phase=0)
    arranger = Arranger(load_style("tokpe-flow"), seed=1, start=0)
    presence = Presence()
    presence.stop_time(10.0, True, grid, arranger)
    presence.stop_time(11.0, False, grid, arranger)          # a second: half a bar
    assert not presence.silenced("main_a", 23.0) and presence.rejoin(11.1, 0.3, grid, arranger, 23.0) is None
