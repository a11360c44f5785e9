"""The band under a virtual clock: when it comes in, that it follows, stops and comes back, and that its
notes are the same however time is sliced."""

from fractions import Fraction

import pytest

from engine.arrange.arranger import DOMBRA_CHANNEL, DRUM_CHANNEL, Arranger
from engine.arrange.dombra import open_strings
from engine.arrange.patterns import load_style
from engine.events import Beat, InputMessage, Marker, Note
from engine.pipeline import Engine, run_offline
from engine.render import style_chooser
from engine.sinks import RecordingSink, channel_messages
from engine.state import MusicalState

BPM = 100
PERIOD = 60 / BPM


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


def play(msgs, seed=0):
    rec = RecordingSink()
    engine = Engine(style_chooser("tokpe-gallop"), seed, [rec])
    run_offline(engine, msgs)
    return engine, rec.events


def test_band_comes_in_on_the_beat_stops_when_the_guitar_does_and_comes_back():
    msgs = strumming(range(0, 24)) + strumming(range(32, 56))
    engine, events = play(sorted(msgs, key=lambda m: m.time))
    markers = [e for e in events if isinstance(e, Marker)]
    ins = [m.time for m in markers if m.text.startswith("band in")]
    outs = [m.time for m in markers if m.text == "band out"]
    assert len(ins) == 2 and len(outs) == 2
    pause_start = 0.5 + 23 * PERIOD
    # Out within three beats of the guitar's last strum before the pause, back within two bars of its return.
    assert pause_start < outs[0] <= pause_start + 3 * PERIOD + 0.05
    resume = 0.5 + 32 * PERIOD
    assert resume < ins[1] < resume + 8 * PERIOD
    notes = [e for e in events if isinstance(e, Note)]
    during_pause = [n for n in notes if outs[0] + 0.05 < n.time < ins[1] - 0.1]
    assert during_pause == []
    # Band beats land on the guitar's beats.
    beats = [e for e in events if isinstance(e, Beat)]
    assert all(b2.time > b1.time for b1, b2 in zip(beats, beats[1:]))
    for b in beats:
        k = round((b.time - 0.5) / PERIOD)
        assert abs(b.time - (0.5 + k * PERIOD)) < 0.03
    # In key: the dombra drones on C (tonic) and G (the fifth below).
    low, high = open_strings(0)
    assert {n.pitch for n in notes if n.channel == DOMBRA_CHANNEL} == {low, high}
    assert {n.channel for n in notes} == {DOMBRA_CHANNEL, DOMBRA_CHANNEL + 1, DRUM_CHANNEL}
    assert engine.scheduler.late == 0


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


STATE = MusicalState(time=0.0, tonic=2, mode="dorian", key_confidence=1.0, bpm=96.0, beat_confidence=1.0,
                     subdivision=2, beats_per_bar=4, loudness=90.0, last_onset=0.0)


def test_arranger_does_not_depend_on_how_time_is_sliced():
    style = load_style("tokpe-gallop")
    whole = Arranger(style, seed=5, start=4).query(4.0, 20.0, STATE)
    sliced = []
    arr = Arranger(style, seed=5, start=4)
    edges = [4.0, 4.3, 5.0, 7.77, 11.01, 16.5, 20.0]
    for a, b in zip(edges, edges[1:]):
        sliced += arr.query(a, b, STATE)
    assert whole == sliced
    assert all(4 <= p.position < 20 for p in whole)
    assert Fraction(4) in {p.position for p in whole}


@pytest.mark.parametrize("tonic", range(12))
def test_dombra_open_strings_are_tonic_and_fifth_below_in_range(tonic):
    low, high = open_strings(tonic)
    assert high % 12 == tonic and high - low == 5
    assert 45 <= low and high <= 61
