"""Stop-time and endings on real MIDI files (aqyn issue 11), read back as a DAW reads the render.

The takes are the simulator's (bench/player_sim.py), with their truth beside them: `stops` (first silent
beat, resuming downbeat, silent beats) and `last_chord` (s). Offline the render knows where the guitar ends;
the live path (the same engine, no final chord known) is run under a virtual clock.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import mido
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from engine.arrange.form import Form
from engine.arrange.styles import load_style, style_chooser
from engine.cli import app
from engine.events import Beat, InputMessage, Marker, Note
from engine.inputs import Cue
from engine.io.midi_file import MidiFileSink
from engine.io.midi_input import read_guitar_file
from engine.io.sinks import RecordingSink
from engine.listen.activity import PlayerActivity
from engine.pipeline import Engine, run_offline
from engine.render import guitar_track, play
from engine.state import BeatGrid
from tests.conftest import BAND_CHANNELS, bar_times, note_ons

DATA = Path(__file__).parent / "data"
TOL = 0.07           # s: bench/band_eval.py's tolerance
runner = CliRunner()


def truth(name: str) -> dict:
    return json.loads((DATA / f"{name}.json").read_text())


def band_note_ons(tmp_path: Path, name: str) -> np.ndarray:
    """Render DATA/name.mid with the command and return the band's note-on times (s), tempo map applied."""
    out = tmp_path / f"{name}.mid"
    r = runner.invoke(app, ["render", str(DATA / f"{name}.mid"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    return note_ons(out, BAND_CHANNELS)


def beat_at(tr: dict, t: float) -> float:
    """The truth's beat length (s) at time t."""
    beats = np.array(tr["beats"])
    k = int(np.clip(np.searchsorted(beats, t), 1, len(beats) - 1))
    return float(beats[k] - beats[k - 1])


def test_the_band_is_silent_from_a_beat_into_every_stop_and_back_with_the_player(tmp_path):
    # A 2/4 take the band plays in 4/4 (the fix must not need the meter right), stops of 1, 2, 4 and 12 beats,
    # some after an offbeat strum. At main the band played 6, 6 and 35 notes inside them: silence was heard
    # 1.75 usual gaps after the last strum, too late for the band's next beat, and a fill ran into the stop.
    # Heard as 4/4, the band (a 2/4 style in pairs) rejoins on its 4/4 downbeat: after the 12-beat stop (a tempo
    # step on the return) 3.9 beats after the player, on its pair's first bar (2.0 before session 17, on the
    # second bar's line, which in a true 4/4 is the player's beat 3).
    band, tr = band_note_ons(tmp_path, "stops-2-4-sim3"), truth("stops-2-4-sim3")
    long = [s for s in tr["stops"] if s["beats"] >= 2]
    assert len(long) == 3
    for s in long:
        beat = beat_at(tr, s["start"])
        inside = band[(band >= s["start"] + beat) & (band <= s["end"] - TOL)]
        assert len(inside) == 0, (s, inside)
        back = band[band >= s["end"] - TOL]      # on the next 1 of the band's 4/4: within its bar
        assert len(back) and back[0] - s["end"] < 4.5 * beat, (s, back[:1])


@pytest.mark.parametrize("name", ["waltz-3-4-late-meter-sim2", "tuning-tail-2-4-sim3", "picked-3-4-a-major-66-sim4"])
def test_the_ending_lands_on_the_players_last_chord(tmp_path, name):
    # The waltz: heard 2/4 until the meter changed to 3/4 a bar before the end, and the change hid the bar
    # the ending had to begin on (3.1 beats late at main). The tuning tail: the band at half the player's
    # tempo, its bars 6 of the player's beats long, so no bar line lay within a beat of the final chord
    # (2.6 beats early at main); the band now cuts its bar short there. The pluck 20 s later brings no band.
    # The picked 3/4 at 66 with fermatas, played in the ballad style once its level is heard: the final
    # stroke was on the chord, but the ballad's rings shook on through the last bar, 2 beats after it.
    band, tr = band_note_ons(tmp_path, name), truth(name)
    last = tr["last_chord"]
    beat = beat_at(tr, last)
    assert abs(band.max() - last) <= beat, (band.max(), last, beat)
    for pluck in tr["tuning_plucks"]:
        assert not np.any(band > pluck - 1.0)


def live_events(messages: list[InputMessage]) -> list:
    """The band's events for `messages` played in as live: under a virtual clock, no final chord known."""
    rec = RecordingSink()
    engine = Engine(style_chooser("auto"), 0, [rec])
    run_offline(engine, sorted(messages, key=lambda m: m.time))
    return rec.events


def test_live_stops_silence_the_band_within_a_beat_and_a_bar_of_silence_brings_the_ending():
    tr = truth("stops-2-4-sim3")
    events = live_events(read_guitar_file(DATA / "stops-2-4-sim3.mid").messages)
    notes = np.array([e.time for e in events if isinstance(e, Note)])
    marks = [(m.time, m.text) for m in events if isinstance(m, Marker)]
    endings = [t for t, text in marks if text == "section: ending"]
    for s in (s for s in tr["stops"] if s["beats"] >= 2):
        beat = beat_at(tr, s["start"])
        stop = next(t for t, text in marks if text == "stop" and t >= s["start"] - beat)
        assert stop < s["start"] + beat - 0.08          # heard before the band's next beat is committed
        ending = next((t for t in endings if s["start"] < t < s["end"]), s["end"])
        assert not np.any((notes >= s["start"] + beat) & (notes < ending - TOL)), s
        if s["beats"] >= 12:                            # a long stop, live, is the end: within a bar of certain
            bar = 4 * beat                              # silence (a bar after the stop), as the band plays 4/4
            assert stop + bar <= ending <= stop + 2 * bar + TOL, (stop, ending)


def test_live_a_few_tuning_plucks_after_the_ending_do_not_restart_the_band():
    messages = read_guitar_file(DATA / "tuning-tail-2-4-sim3.mid").messages
    plucks = [InputMessage(64.0 + 0.8 * k + dt, kind, p, v) for k, p in enumerate((40, 45, 50, 40))
              for dt, kind, v in ((0.0, 0x90, 70), (0.6, 0x80, 0))]
    events = live_events(list(messages) + plucks)
    outs = [m.time for m in events if isinstance(m, Marker) and m.text == "band out"]
    assert outs and outs[-1] < 60.0
    assert not [e for e in events if isinstance(e, Note) and e.time > outs[-1]]
    assert len([m for m in events if isinstance(m, Marker) and m.text.startswith("band in")]) == 1


def test_live_a_tuning_pluck_in_the_endings_first_bar_does_not_drop_it():
    # The D dorian example's first 12 bars, then silence: live, the ending begins at about 34.1 s, and the player
    # plucks the open low E to tune 0.6 s into it. At main the pluck dropped the ending ("the player is back"),
    # the band rejoined and played main B over the player's chat for 3.6 s, then a second ending (review23's
    # live set: 41 band onsets in the chat between two songs). A player back with a phrase still drops it
    # (test_live_a_player_back_during_the_endings_first_bar_drops_it_and_the_band_plays_on_with_them).
    beat = 60 / 96
    messages = [m for m in read_guitar_file(Path("examples/d_dorian_96_4-4.mid")).messages
                if m.time < 0.5 + 48 * beat]
    ending = next(m.time for m in live_events(messages) if isinstance(m, Marker) and m.text == "section: ending")
    pluck = [InputMessage(ending + 0.6, 0x90, 40, 70), InputMessage(ending + 2.1, 0x80, 40, 0)]
    events = live_events(messages + pluck)
    marks = [(m.time, m.text) for m in events if isinstance(m, Marker)]
    assert not [t for t, text in marks if text == "ending: dropped, the player is back"], marks
    out = [t for t, text in marks if text == "band out"]
    assert len(out) == 1 and out[0] < ending + 4 * 4 * beat, marks                # the ending's bar, then out
    assert not [e for e in events if isinstance(e, Note) and e.time > out[0]]
    assert len([t for t, text in marks if text == "section: ending"]) == 1, marks


def held_push_strums(bpm: float, bars: int) -> list[InputMessage]:
    """4/4 strummed D . . U D U D U (a chord on 1 held to the "and" of 2, then eighths), G D Em C, one channel
    per string, down-strums low string first over 24 ms, up-strums over the top four strings."""
    shapes = {"G": (43, 47, 50, 55, 59, 67), "D": (50, 57, 62, 66), "Em": (40, 47, 52, 55, 59, 64),
              "C": (48, 52, 55, 60, 64)}
    beat, out = 60 / bpm, []
    for bar in range(bars):
        chord = shapes[("G", "D", "Em", "C")[bar % 4]]
        for eighth, down in ((0, True), (3, False), (4, True), (5, False), (6, True), (7, False)):
            t = 1.0 + (bar * 4 + eighth / 2) * beat
            notes = chord if down else chord[-4:][::-1]
            for i, pitch in enumerate(notes):
                ch = len(notes) - i if down else i + 1
                out += [InputMessage(t + 0.006 * i, 0x90 | (ch - 1), pitch, 90 if down else 70),
                        InputMessage(t + beat / 2 - 0.02, 0x80 | (ch - 1), pitch, 0)]
    return sorted(out, key=lambda m: m.time)


def test_a_strum_held_over_beat_two_every_bar_is_no_stop():
    # D . . U D U D U at 104 BPM: 1.5 beats between the strum on 1 and the up-strum on the "and" of 2, in every
    # bar, the other gaps half a beat. At main the band heard a stop there in every bar (the gap rule's 1.25 beats:
    # 1.75 x the usual gap, the 75th percentile, half a beat) and left its notes out until the up-strum, live and
    # offline (review23's live set: 8 stops in 16 bars; its render left 84 band notes out).
    messages = held_push_strums(104, 10)
    marks = [(m.time, m.text) for m in live_events(messages) if isinstance(m, Marker)]
    entry = next(t for t, text in marks if text.startswith("band in"))
    bar = 4 * 60 / 104
    assert not [t for t, text in marks if text == "stop" and entry + 3 * bar < t < messages[-1].time], marks
    # a real stop after it is still heard within a bar and a half beat of the last strum's beat
    back = [InputMessage(m.time + messages[-1].time + 2 * bar, m.status, m.data1, m.data2)
            for m in held_push_strums(104, 2)]
    marks = [(m.time, m.text) for m in live_events(messages + back) if isinstance(m, Marker)]
    last = messages[-1].time
    assert [t for t, text in marks if text == "stop" and last < t < last + bar], marks


def strummed(activity: PlayerActivity, times: list[float]) -> None:
    for t in times:
        for j in range(4):                              # a four-note strum: the player comps
            activity.note(t + 0.008 * j, 90)


@settings(max_examples=60, deadline=None)
@given(bpm=st.floats(70, 170), phase=st.floats(-0.5, 0.5), beats=st.integers(8, 14),
       offbeat=st.booleans())
def test_a_player_keeping_the_beat_is_heard_stopping_just_past_the_offbeat_of_the_first_silent_beat(
        bpm, phase, beats, offbeat):
    period = 60 / bpm
    grid = BeatGrid(1.0, 0, period, 4, 0)
    times = [1.0 + k * period + 0.01 * phase for k in range(beats)]
    if offbeat:                                         # an offbeat eighth after the last beat
        times.append(times[-1] + period / 2)
    a = PlayerActivity()
    strummed(a, times)
    first_silent = 1.0 + beats * period
    late = a.config.beat_late
    assert 0.5 < late < 1.0                             # past the offbeat, before the next beat
    assert not a.missed_beat(first_silent + (late - 0.05) * period, grid)
    assert a.missed_beat(first_silent + (late + 0.05) * period, grid)
    assert a.silent(first_silent + period - 0.09, period, period, 4, grid)   # before the next beat's commit
    # a strum on the silent beat's offbeat, a little late (a syncopation): no stop until the next beat is missed
    strummed(a, [first_silent + 0.55 * period])
    assert not a.missed_beat(first_silent + period + (late - 0.05) * period, grid)


def test_a_syncopating_player_skipping_lone_beats_is_not_heard_stopping_at_each():
    # Two bars of 4/4 with beat 3 tied over (a lone skipped beat in every bar): not keeping the beat.
    period = 0.5
    grid = BeatGrid(1.0, 0, period, 4, 0)
    a = PlayerActivity()
    strummed(a, [1.0 + k * period for k in range(12) if k % 4 != 2])
    assert not a.missed_beat(1.0 + 12.9 * period, grid)


def test_an_ending_begun_late_leaves_out_its_first_bars_and_keeps_its_last():
    style = load_style("tokpe-waltz")
    form = Form(style, intro=False)
    form.next_bar()
    form.end_soon(1)
    plans = [form.next_bar() for _ in range(3)]
    assert [(p.section, p.section_bar, p.last) for p in plans[:1]] == [("ending", 1, True)]
    assert plans[1].section == plans[2].section == "out"
    form = Form(style, intro=False)
    form.cue(Cue.ENDING)
    assert [form.next_bar().section_bar for _ in range(2)] == [0, 1]


def test_a_cued_ending_of_a_2_4_style_in_4_4_puts_its_final_stroke_on_the_players_1_a_landing_one_as_placed():
    # A 2/4 style pairs its bars into the player's 4/4 (group 2): its second bar line is the player's beat 3.
    # tokpe-gallop's two-bar ending ends on a stroke at its last bar's downbeat: a cued ending (footswitch, or
    # live a bar of certain silence) begins on the second bar of a pair, so that stroke is the player's 1.
    style = load_style("tokpe-gallop")
    assert style.section("ending").bars == 2
    for decided, sections in ((1, ["ending", "ending", "out"]), (2, ["main_a", "ending", "ending"])):
        form = Form(style, intro=False, group=2)
        for _ in range(decided):
            form.next_bar()
        form.cue(Cue.ENDING)
        plans = [form.next_bar() for _ in range(3)]
        assert [p.section for p in plans] == sections
        last = next(p for p in plans if p.last)
        assert last.bar % 2 == 0                # the final stroke's bar starts one of the player's bars
    # Placed to land on the final chord (`end_soon`): it begins where it was placed, on either bar.
    form = Form(style, intro=False, group=2)
    form.next_bar(), form.next_bar()
    form.end_soon(0)
    assert form.next_bar().section == "ending"
    # A landing called off does not let a later cued ending end off the 1.
    form = Form(style, intro=False, group=2)
    form.next_bar(), form.next_bar()
    form.end_soon(0)
    assert form.call_off_ending()
    form.cue(Cue.ENDING)
    assert [form.next_bar().section for _ in range(2)] == ["main_a", "ending"]


def test_a_next_cue_of_a_2_4_style_in_4_4_begins_the_new_section_on_the_players_1_after_a_fill():
    # tokpe-gallop in the player's 4/4 (group 2): a `next` (a held footswitch) taken on the second bar of a pair,
    # the player's beat 3, fills that bar and the new section begins on the next bar, the player's 1 (main began
    # main B on beat 3). Taken on the first bar of a pair, the new section begins at once.
    style = load_style("tokpe-gallop")
    for decided, sections in ((1, ["fill", "main_b", "main_b"]), (2, ["main_b", "main_b", "main_b"])):
        form = Form(style, intro=False, group=2)
        for _ in range(decided):
            form.next_bar()
        form.cue(Cue.NEXT)
        plans = [form.next_bar() for _ in range(3)]
        assert [p.section for p in plans] == sections
        first = next(p for p in plans if p.section == "main_b")
        assert first.bar % 2 == 0 and first.section_bar == 0
    # A one-bar group (a 4/4 style in 4/4): at once, as before.
    form = Form(load_style("tokpe-gallop"), intro=False)
    form.next_bar()
    form.cue(Cue.NEXT)
    assert form.next_bar().section == "main_b"


def live_with_rest(rest_beats: float):
    """The D dorian example (96 BPM) played live with a rest of `rest_beats` beats from bar 9: (beat s, the rest's
    start s, the player back s, the messages, the live events, the markers as (time s, text))."""
    beat = 60 / 96
    start = 0.5 + 32 * beat
    back = start + rest_beats * beat
    messages = [m for m in read_guitar_file(Path("examples/d_dorian_96_4-4.mid")).messages
                if not start - 0.05 <= m.time < back - 0.05]
    events = live_events(messages)
    return beat, start, back, messages, events, [(m.time, m.text) for m in events if isinstance(m, Marker)]


def test_live_a_player_back_before_the_endings_bar_calls_the_ending_off():
    # The D dorian example with a rest of 5.5 beats from bar 9 (96 BPM): a bar of silence after the stop was
    # heard cues the ending for the band's next bar line, and the player comes back before it. At main the band
    # played its ending over the player's return, went out and came in again with its intro 4 s later.
    beat, start, back, messages, events, marks = live_with_rest(5.5)
    assert any(text == "stop" and start < t < back for t, text in marks)
    assert not [t for t, text in marks if text == "section: ending" and t < messages[-1].time - 1.0], marks
    assert len([t for t, text in marks if text.startswith("band in")]) == 1
    notes = np.array([e.time for e in events if isinstance(e, Note)])
    assert np.any((notes > back) & (notes < back + 4 * 4 * beat))      # back with the player within a few bars


def test_live_a_player_back_during_the_endings_first_bar_drops_it_and_the_band_plays_on_with_them():
    # The same example with a rest of 9.5 beats: the ending cued by a bar of silence has begun (its bar line at
    # about 24.3 s) when the player comes back. At main the band played its ending over the player's return,
    # wrote "stop: rejoin", went out and came in again with its intro a bar later (live only: the render rejoins).
    beat, start, back, messages, events, marks = live_with_rest(9.5)
    ending = next(t for t, text in marks if text == "section: ending" and start < t < back)
    dropped = next(t for t, text in marks if text == "ending: dropped, the player is back")
    assert back < dropped <= back + 4 * beat + 0.1, marks          # at the band's next beat once heard back
    assert len([t for t, text in marks if text.startswith("band in")]) == 1, marks
    assert not [t for t, text in marks if text == "band out" and t < messages[-1].time - 1.0], marks
    rejoin = next(t for t, text in marks if text.startswith("stop: rejoin") and t > ending)
    notes = np.array([e.time for e in events if isinstance(e, Note)])
    assert not np.any((notes > dropped - 0.05) & (notes < rejoin - 0.05))   # nothing over the player's return
    assert np.any((notes >= rejoin - 0.05) & (notes < rejoin + 0.1))         # the marker is where it plays again
    assert rejoin < back + 4 * 4 * beat


def test_live_an_ending_dropped_mid_song_leaves_the_songs_own_ending_audible():
    # The rest of 9.5 beats drops the ending begun in it; the song then plays on to its end. At main the drop's
    # band beat was kept until the band went out, so every note of the song's own ending, past it, was left
    # out: the band fell silent half a bar after the last chord and went out without a stroke.
    beat, start, back, messages, events, marks = live_with_rest(9.5)
    assert any(text == "ending: dropped, the player is back" for _, text in marks)
    ending = max(t for t, text in marks if text == "section: ending")
    assert ending > back + 16 * beat                                                # the song's, not the rest's
    out = next(t for t, text in marks if text == "band out" and t > ending)
    notes = np.array([e.time for e in events if isinstance(e, Note)])
    assert np.sum((notes >= ending - 0.05) & (notes <= out)) >= 4, (ending, out)    # the ending is heard


def _rejoins_on_the_players_downbeat(marks: list[tuple[float, str]], beat: float, back: float) -> None:
    """The band plays again within the bar of the D dorian example (bars of 4 beats from 0.5 s) that begins at
    `back` (s; rest30: it waited for the next bar line), and its bars are the player's from there: the bar watch
    has nothing to move for the next four bars."""
    rejoin = next(t for t, text in marks if text.startswith("stop: rejoin") and t > back)
    assert rejoin < back + 4 * beat, (rejoin, marks)
    assert not [t for t, text in marks if text.startswith("bar: ") and rejoin < t < rejoin + 16 * beat], marks


def test_a_band_in_a_2_4_style_over_4_4_rejoins_on_the_players_downbeat_not_on_their_beat_3():
    # The D dorian example (4/4, played by a 2/4 style in pairs of its bars) with a rest of two bars from bar 9:
    # the player counts through it and is back on bar 11's downbeat. At main the band rejoined on its next 2/4
    # bar line, the player's beat 3: live (the ending a bar of silence cued, dropped) its new arrangement's
    # pairs ran half a bar off the player's until the bar watch moved them 6 beats later; offline it came
    # back on beat 3 (the reviewer's endC.mid, session 17).
    beat = 60 / 96
    start, back = 0.5 + 32 * beat, 0.5 + 40 * beat
    guitar = read_guitar_file(Path("examples/d_dorian_96_4-4.mid"))
    guitar = replace(guitar, messages=[m for m in guitar.messages            # the take's first 16 bars
                                       if m.time < 0.5 + 64 * beat and not start - 0.05 <= m.time < back - 0.05])
    live = live_events(guitar.messages)
    marks = [(m.time, m.text) for m in live if isinstance(m, Marker)]
    assert any(text == "ending: dropped, the player is back" for _, text in marks), marks
    _rejoins_on_the_players_downbeat(marks, beat, back)
    last = max(t for t, text in marks if text == "section: ending")     # the take's end: this ending plays (at
    assert len([e for e in live if isinstance(e, Note) and e.time >= last - 0.05]) > 10   # main silent: dropped)
    _, events = play(guitar)
    _rejoins_on_the_players_downbeat([(m.time, m.text) for m in events if isinstance(m, Marker)], beat, back)


def test_a_phrase_after_a_rest_starts_on_its_first_strong_chord_or_bass_note_not_on_a_pickup():
    activity = PlayerActivity()
    strummed(activity, [0.0, 0.5, 1.0])
    assert activity.phrase_start is None                   # no rest yet
    activity.note(5.0, 70, rest=2.0)                       # after 4 s: a pickup's single notes, above the bass
    activity.note(5.5, 72, rest=2.0)
    assert activity.phrase_start is None
    activity.note(6.0, 95, bass=True, rest=2.0)            # the bass note it leads to: the downbeat
    strummed(activity, [6.5])
    assert activity.phrase_start == 6.0
    strummed(activity, [9.0])                               # a rest of 2.5 s: a new phrase on a full strum
    activity.note(9.6, 80, rest=2.0)
    assert activity.phrase_start == 6.0                     # 9.0 came without `rest`: not a rest as heard
    activity.note(12.0, 80, rest=2.0)
    activity.note(12.01, 80, rest=2.0)
    assert activity.phrase_start is None                    # two notes so far: not yet a strong chord
    activity.note(12.02, 80, rest=2.0)
    assert activity.phrase_start == 12.0


def rest_take(path: Path, rest_beats: float, bpm: float = 100.0) -> tuple[float, float]:
    """A 4/4 strummed phrase (4 bars of A minor, F, C, G: a chord on every beat, the bass on beats 1 and 3), a rest
    of `rest_beats` beats, the phrase again for 6 bars, written to `path`: (the player back (s), the beat (s))."""
    chords = [(45, [57, 64, 69, 72]), (41, [53, 60, 65, 69]), (48, [55, 60, 64, 67]), (43, [55, 59, 62, 67])]
    beat = 60 / bpm
    back = 0.5 + (16 + rest_beats) * beat
    notes = []
    for start, bars in ((0.5, 4), (back, 6)):
        for n in range(4 * bars):
            bass, chord = chords[n // 4 % 4]
            for j, pitch in enumerate(([bass] if n % 2 == 0 else []) + chord):
                on = start + n * beat + 0.008 * j
                notes += [(on, 1, pitch, 100 if n % 4 == 0 else 80), (on + 0.9 * beat, 0, pitch, 0)]
    track, last = mido.MidiTrack(), 0
    for t, on, pitch, velocity in sorted(notes):
        tick = round(t * 960)                               # 480 ticks a beat at 120 BPM
        track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=velocity, time=tick - last))
        last = tick
    mid = mido.MidiFile(ticks_per_beat=480)
    mid.tracks.append(track)
    mid.save(path)
    return back, beat


def live_file(take: Path, out: Path) -> None:
    """Play `take` in as live (no final chord known, under a virtual clock) and write what the band played as a
    MIDI file, as `aqyn render` writes one."""
    guitar = read_guitar_file(take)
    sink = MidiFileSink(out)
    for event in guitar_track(guitar):
        sink.send(event)
    engine = Engine(style_chooser("auto"), 0, [sink])
    run_offline(engine, sorted(guitar.messages, key=lambda m: m.time))
    engine.close()


@pytest.mark.parametrize("rest_beats, live", [(4.5, False), (4.5, True), (2.5, True), (6.5, False)])
def test_a_player_back_on_the_bands_offbeat_after_a_rest_brings_the_bands_bars_onto_theirs(tmp_path, rest_beats, live):
    # A rest of 4.5 beats (heard as a stop of less than a bar), 2.5 or 6.5 beats: the player starts again with a
    # strong chord half a beat off the band's count and strums on from there. At main the band played on its old
    # count (4.5, 2.5: too short a stop to listen; 6.5: near the offbeat, taken for a syncopated way back in),
    # its bar lines 0.5 or 1.5 beats off the player's until the bar watch moved them 5-10 s later. The band comes
    # back within the player's first bar, once their phrase is heard (rest30: it waited silent for their second
    # downbeat), and the file's bar lines are theirs from their first downbeat back.
    take, out = tmp_path / "rest.mid", tmp_path / "band.mid"
    back, beat = rest_take(take, rest_beats)
    if live:
        live_file(take, out)
    else:
        assert runner.invoke(app, ["render", str(take), "-o", str(out)]).exit_code == 0
    lines, notes = bar_times(out), note_ons(out, BAND_CHANNELS)
    player = back + 4 * beat * np.arange(0, 6)              # the player's bar lines from their first bar back
    for bar in player[player < notes.max() - 4 * beat]:
        assert np.min(np.abs(lines - bar)) <= TOL, (bar, lines[np.argmin(np.abs(lines - bar))])
    assert not np.any((notes > back - rest_beats * beat + beat) & (notes < back - TOL))   # silent in the rest
    assert np.any((notes >= back - TOL) & (notes < back + 3 * beat))  # ... and in with them in their first bar


def test_live_a_melodys_ending_starts_within_a_bar_of_certain_silence():
    # A fingerpicked 4/4 take: single notes, so its stop is heard only a bar and half a beat after its last note.
    # Silence is certain a bar past the beat after the last note (a player back from a one-bar stop is back by
    # then): the ending must start at the band's first bar line after that. At main it waited a bar from the stop
    # as heard and began 2.5 bars (10 beats) after the last note; now 1.5 bars.
    tr = truth("fingerpick-4-4-sim3")
    messages = read_guitar_file(DATA / "fingerpick-4-4-sim3.mid").messages
    last = max(m.time for m in messages if m.status & 0xF0 == 0x90 and m.data2 > 0)
    beat = beat_at(tr, last)
    marks = [(m.time, m.text) for m in live_events(messages) if isinstance(m, Marker)]
    ending = next(t for t, text in marks if text == "section: ending" and t > last)
    certain = last + (4 + 1 + 0.2) * beat
    assert certain - TOL <= ending <= certain + 4 * beat + TOL, (last, certain, ending)


def waltz_with_a_stop(path: Path) -> list[float]:
    """A 3/4 waltz at 126 BPM, G C D G Em C D G, a strum on every beat (velocity 96 on the 1, 70 else, 2 less on
    each string), bar 11
    silent, a final G on bar 21; written as a DAW records it. Returns the bars' downbeats (s)."""
    chords = {"G": (43, 47, 50, 55, 59, 67), "C": (48, 52, 55, 60, 64), "D": (50, 57, 62, 66),
              "Em": (40, 47, 52, 55, 59, 64)}
    beat = 60 / 126
    bars = (["G", "C", "D", "G", "Em", "C", "D", "G"] * 3)[:20] + ["G"]
    events = []
    for i, name in enumerate(bars):
        for b in range(1 if i == 20 else 3):
            if i == 10:
                continue
            t = (3 * i + b) * beat
            for k, p in enumerate(chords[name]):
                v = (96 if b == 0 else 70) - 2 * k             # a strum fades across the strings
                events += [(t + 0.008 * k, "note_on", p, v), (t + 0.85 * beat, "note_off", p, 0)]
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    last = 0
    for t, kind, p, v in sorted(events):
        tick = round(t * 960)                      # 120 BPM: 960 ticks a second
        track.append(mido.Message(kind, note=p, velocity=v, time=tick - last))
        last = tick
    mid.save(path)
    return [3 * i * beat for i in range(21)]


def test_a_one_bar_stop_does_not_leave_the_band_sparse_for_the_rest_of_the_song(tmp_path):
    # The player plays bars 12-20 as bars 1-10; the band's dombra played 28-40 notes a bar before the stop and
    # 10-14 (the sparse bar's) after it, to the end: the stop's silence counted as playing few strums.
    downbeats = waltz_with_a_stop(tmp_path / "waltz.mid")
    out = tmp_path / "band.mid"
    r = runner.invoke(app, ["render", str(tmp_path / "waltz.mid"), "-o", str(out), "--style", "tokpe-waltz"])
    assert r.exit_code == 0, r.output
    dombra = note_ons(out, (6, 7))
    per_bar = [int(np.sum((dombra >= a - TOL) & (dombra < b - TOL))) for a, b in zip(downbeats, downbeats[1:])]
    before, after = np.median(per_bar[4:9]), np.median(per_bar[12:19])
    assert before >= 20 and after >= 0.75 * before, per_bar


def test_offline_the_band_is_silent_in_a_one_beat_stop_time_break(tmp_path):
    # review22's take: 4/4 at 116, every 4th bar strummed on 1, 2, 3 and choked, beat 4 silent (a 0.52 s break).
    # At main the band played 14-32 notes in each break: live stop-time hears a stop 2/3 of a beat in, and the
    # band's fill fell on it. Offline the player's silences are known: the band stops with them, also in the last
    # break, before the final chord, in its ending (12 notes there in session 20, the gallop's sixteenth leading
    # into each downbeat too), and hits that chord with them.
    name = "stoptime-1-beat-4-4-sim-r22"
    band, tr = band_note_ons(tmp_path, name), truth(name)
    for begin, end in tr["breaks"]:
        inside = band[(band >= begin + TOL) & (band < end - TOL)]
        assert len(inside) == 0, (begin, end, inside)
    end = tr["breaks"][-1][1]          # the final chord, rolled over 0.1 s: the stroke lands on its last notes
    assert np.any((band >= end - TOL) & (band <= end + 0.25 * beat_at(tr, end))), "the final stroke"
    assert np.any((band > tr["breaks"][0][1] + TOL) & (band < tr["breaks"][1][0])), "the band plays between them"


def test_after_a_fermata_the_band_rejoins_on_the_players_downbeat_not_a_beat_or_two_off():
    # The D dorian example (4/4 at 96, bars of 4 beats from 0.5 s): bar 9's first strum held as a fermata, its
    # notes ringing 5 beats past the bar, then the take goes on a tempo from bar 10 (the player's downbeat at
    # band beat 41 of a count kept through the hold: its beat 2). At the branch's start the phrase, on a beat of
    # the band's count, was taken for a rest counted through: the band rejoined on its own bar lines, a beat off
    # the player's, until the bar watch moved them 3 s later (review25's fermata take: 5 s).
    beat = 60 / 96
    hold, back, extra = 0.5 + 32 * beat, 0.5 + 36 * beat, 5 * beat
    guitar = read_guitar_file(Path("examples/d_dorian_96_4-4.mid"))
    held = {m.data1 for m in guitar.messages if hold - 0.05 <= m.time < hold + 0.1 and m.status & 0xF0 == 0x90}
    messages = []
    for m in guitar.messages:
        if m.time < hold - 0.05 or hold - 0.05 <= m.time < hold + 0.1 and m.status & 0xF0 == 0x90 and m.data2:
            messages.append(m)                                  # the take up to the fermata's strum, and that strum
        elif m.time >= back - 0.05 and m.time < 0.5 + 64 * beat:
            messages.append(replace(m, time=m.time + extra))     # the take from bar 10 on, 5 beats later
    messages += [InputMessage(back + extra - 0.06, 0x80, n, 0) for n in held]     # the hold's release
    _, events = play(replace(guitar, messages=sorted(messages, key=lambda m: m.time)))
    marks = [(m.time, m.text) for m in events if isinstance(m, Marker)]
    rejoin = next(t for t, text in marks if text.startswith("stop: rejoin") and t > back + extra - 0.1)
    assert rejoin < back + extra + 4 * beat, (rejoin, marks)   # back within the player's first bar (rest30) ...
    first = next(b for b in events if isinstance(b, Beat) and b.restarted)
    assert abs(first.time - first.beat_in_bar * first.period - back - extra) < 0.07   # ... its bar begun at theirs
    assert not [t for t, text in marks if text.startswith("bar: the guitar") and rejoin < t < rejoin + 16 * beat]
