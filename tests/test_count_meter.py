"""A count-in knows its meter: three (or six) even taps before the guitar's first note count in a waltz, and
`--meter 3/4` gives a render's (or a live) count-in three clicks to the bar; the band comes in in that meter on
the player's bars (review23 L2: a waltz after four taps came in as a 4/4 gallop for 4.2 s).

The take is review23's 3/4 A minor waltz at ~138 BPM with +-3 % rubato, played as a converter sends it
(tests/data/waltz-3-4-am-138-review23.mid, its truth beside it)."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from engine.events import Beat, Marker, Note, TimeSignature
from engine.inputs import Cue, CueInput
from engine.io.midi_input import read_guitar_file
from engine.listen.beat import BeatTracker
from engine.listen.listener import PlayerSettings
from engine.render import play

WALTZ = Path(__file__).parent / "data" / "waltz-3-4-am-138-review23.mid"
PERIOD = 60.0 / 138
SHIFT = 2.0     # s of silence put before the take, for the taps


def shifted_waltz():
    """The waltz SHIFT s later, and its truth's beats (s) moved with it."""
    guitar = read_guitar_file(WALTZ)
    msgs = [dataclasses.replace(m, time=m.time + SHIFT) for m in guitar.messages]
    truth = json.loads(WALTZ.with_suffix(".json").read_text())
    return dataclasses.replace(guitar, messages=msgs, duration=guitar.duration + SHIFT), \
        [b + SHIFT for b in truth["beats"]]


def band_in(events) -> list[tuple[float, str]]:
    return [(e.time, e.text) for e in events if isinstance(e, Marker) and e.text.startswith(("band in", "meter:"))]


def test_three_taps_count_in_a_waltz_the_band_plays_its_bars_in_3_4_from_the_players_first_note():
    """Three taps a beat apart, the guitar's first note where the fourth would fall: the band comes in in a 3/4
    style a beat after it (on the player's beat 2: the count is known to be over only when they play), and its
    bar lines are the player's downbeats from there. On main it listened and came in 2.6 s after the first
    note (a bar later than here)."""
    guitar, beats = shifted_waltz()
    first = beats[0]
    taps = [CueInput(first - (3 - k) * PERIOD, Cue.TAP_TEMPO) for k in range(3)]
    _, events = play(guitar, cues=taps)
    notes = [e for e in events if isinstance(e, Note)]
    assert notes and first + 0.5 * PERIOD < notes[0].time < first + 1.3 * PERIOD
    signatures = [(e.numerator, e.denominator) for e in events if isinstance(e, TimeSignature)
                  and e.time > first - 0.1]
    assert signatures[0] == (3, 4)
    marks = band_in(events)
    assert "(3/4)" in marks[0][1] and [t for t, text in marks if text.startswith("meter:")] == []
    band = [b.time for b in events if isinstance(b, Beat) and b.beat_in_bar == 0][:6]
    players = beats[3:19:3]
    assert band == pytest.approx(players, abs=0.08)


def test_four_taps_before_the_waltz_still_count_a_bar_of_4_4_in():
    """The count's length is its meter: four taps count in a bar of 4/4, the band in on the beat after them;
    a bar of four tells no meter (the listener's own first guess), so the 3/4 it then hears wins as soon as
    without the taps (held as the count's meter, it kept the band in 4/4 a bar longer)."""
    guitar, beats = shifted_waltz()
    first = beats[0]
    _, events = play(guitar, cues=[CueInput(first - (4 - k) * PERIOD, Cue.TAP_TEMPO) for k in range(4)])
    notes = [e for e in events if isinstance(e, Note)]
    assert notes[0].time == pytest.approx(first, abs=0.05)
    marks = band_in(events)
    assert "(3/4)" not in marks[0][1]
    assert [t for t, text in marks if text == "meter: 3/4" and t < first + 5.0]   # as soon as main (3.8 s)


def test_a_count_of_three_or_six_in_4_4_waits_for_the_guitar_other_counts_are_no_waltz():
    tracker = BeatTracker()
    told = {}
    for k in range(1, 9):
        tracker.tap(1.0 + 0.5 * k)
        told[k] = tracker.count_bar()
    assert told[3] == (pytest.approx(3.0), 3)        # where the fourth tap would fall, a bar of three
    assert told[6] == (pytest.approx(4.5), 3)
    assert [k for k, bar in told.items() if bar is not None] == [3, 6]


def test_a_render_counted_in_3_4_comes_in_in_3_4_on_the_first_note():
    """`--count-in 1 --bpm 138 --meter 3/4`: three clicks (told to the listener, none sounding), and the band's
    first notes are a 3/4 style's on the player's first note; with the default (the auto style's four clicks)
    it came in as a 4/4 gallop and moved to 3/4 5 s later."""
    guitar = read_guitar_file(WALTZ)
    first = json.loads(WALTZ.with_suffix(".json").read_text())["beats"][0]
    player = PlayerSettings(converter_latency=0.04, bpm=138, count_in=1, count_meter=3)
    _, events = play(guitar, player=player)
    notes = [e for e in events if isinstance(e, Note)]
    assert notes[0].time == pytest.approx(first, abs=0.03)
    marks = band_in(events)
    assert "(3/4)" in marks[0][1] and [t for t, text in marks if text.startswith("meter:")] == []
    assert player.count_in_before(1.04, 4).beats == 3


@pytest.mark.parametrize("args, words", [
    (["--meter", "5/4", "--count-in", "1", "--bpm", "138"], "--meter must be one of 2/4, 3/4, 4/4"),
    (["--meter", "3/4"], "--meter is the count-in's meter"),
])
def test_a_bad_meter_is_one_line_and_exit_2(tmp_path, args, words):
    p = subprocess.run([sys.executable, "-m", "engine", "render", str(WALTZ), "-o", str(tmp_path / "o.mid"), *args],
                       capture_output=True, text=True)
    assert p.returncode == 2 and words in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_idle_ticks_hear_a_tapped_waltz_count_as_full_ticks_do():
    """The listener's idle ticks (`Listener._idle_until`) miss nothing of a count that waits for the guitar and
    a cue kept for a bar: tick by tick the same state as a listener whose every tick runs in full."""
    from engine.listen import Listener
    from tests.test_listen_idle import FullListener, heard

    class Counting(Listener):
        def tap(self, t: float, count_in: bool = True) -> None:
            super().tap(t, count_in=True)

    class CountingFull(FullListener):
        def tap(self, t: float, count_in: bool = True) -> None:
            super().tap(t, count_in=True)

    guitar, beats = shifted_waltz()
    msgs = [m for m in guitar.messages if m.time < beats[0] + 6.0]
    taps = [beats[0] - (3 - k) * PERIOD for k in range(3)]
    fast, idle = heard(Counting(), msgs, taps)
    full, _ = heard(CountingFull(), msgs, taps)
    assert idle > len(fast) / 3 and fast == full
    after = full[round((beats[0] + 0.2) / 0.01)]       # the count was told: its downbeat is cued, a bar of three
    cued = re.search(r"cued=([0-9.]+)", after)
    assert cued and float(cued.group(1)) == pytest.approx(beats[0]) and "'3/4'" in after
