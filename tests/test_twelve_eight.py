"""12/8 as the player's meter (issues 11 and 12): a slow 12/8 blues is four dotted quarters to the bar, as 4/4 is
four quarters to 2/4's two; the listener names 12/8 where the harmony keeps four dotted quarters, and 6/8 stays
6/8 (a faster compound beat, or the bar's evidence for two)."""

from pathlib import Path

from engine.analyze import analyze, run_online
from engine.listen import ListenerConfig
from engine.listen.bar_pointer import TWELVE_BPM, BarTracker
from tests.conftest import nottingham_line

DATA = Path(__file__).parent / "data"


def test_a_slow_twelve_bar_blues_is_heard_in_12_8():
    # the second simulator's sim4 (dev) slow shuffle blues in C at 49 dotted quarters a minute, chords every bar
    a = analyze(DATA / "sim4-blues-12-8-C-major-s03.mid")
    assert a.meter == "12/8"


def test_a_6_8_take_stays_6_8():
    a = analyze(DATA / "tempo-step-6-8-sim2.mid")
    assert a.meter == "6/8"


def test_a_slow_jig_melody_alone_stays_6_8():
    # the `solo` set's nottingham-jigs145 (a single-note line, slow: its dotted quarter under TWELVE_BPM): without
    # the line's guard it read 12/8 from 29 s, online and offline
    analysis, _ = run_online(nottingham_line("jigs145", 90.0), ListenerConfig())
    assert analysis.meter == "6/8"


def test_no_12_8_at_a_fast_dotted_quarter():
    bars = BarTracker()
    n = len(bars._belief)
    bars._belief = [0.0] * n
    four = bars._span[3]                      # all belief on a four-beat bar: the harmony says four
    bars._belief[four.start] = 1.0
    bars._next = 1
    assert bars.compound_bar(TWELVE_BPM - 10)[0] == 4
    assert bars.compound_bar(TWELVE_BPM + 10)[0] == 2
    assert bars.compound_bar(None)[0] == 2
