"""12/8 as the player's meter (issues 11 and 12): a slow 12/8 blues is four dotted quarters to the bar, as 4/4 is
four quarters to 2/4's two; the listener names 12/8 where the harmony keeps four dotted quarters, and 6/8 stays
6/8 (a faster compound beat, or the bar's evidence for two)."""

import math
import sys
from pathlib import Path

import pytest

from engine.analyze import analyze, run_online
from engine.listen import ListenerConfig
from engine.listen.bar_pointer import ACCENT_BEATS, TWELVE_BPM, BarTracker
from engine.listen.beat import SHUFFLE_READS, BeatTracker
from tests.conftest import nottingham_line

DATA = Path(__file__).parent / "data"
sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
from compound_strums import midi_of  # noqa: E402
from guitar_idioms import Take, perform, song  # noqa: E402


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
    assert bars.compound_bar(None, shuffled=True)[0] == 2


def _four_beat_bars(loud: dict[int, float]) -> BarTracker:
    """A bar pointer whose belief is all on a four-beat bar with its 1 on beats 0, 4, 8 ..., the last ACCENT_BEATS
    beats weighed struck with loudest weight `loud` by position in that bar (0 the 1, 2 the 3; 0.6 elsewhere)."""
    bars = BarTracker()
    bars._belief = [0.0] * len(bars._belief)
    bars._belief[bars._span[3].start + (ACCENT_BEATS - 1) % 4] = 1.0
    bars._next = ACCENT_BEATS
    bars._bar_loud.extend((n, math.log(loud.get(n % 4, 0.6)), 0.0, 1) for n in range(ACCENT_BEATS))
    return bars


def test_a_shuffle_is_12_8_at_any_tempo_where_its_1_is_struck_harder_than_its_3():
    # a 12/8 bar is strong-weak-medium-weak (sim4's blues and boogies: the 1 struck 1.15, the 3 1.04 of the level)
    bars = _four_beat_bars({0: 0.9, 2: 0.8})
    assert bars.bar((4,))[1] == 0
    assert bars.compound_bar(TWELVE_BPM + 10, shuffled=True)[0] == 4
    assert bars.compound_bar(TWELVE_BPM + 10)[0] == 2


def test_a_6_8_struck_long_short_stays_6_8_where_its_bars_start_alike():
    # review27's 6/8 D.U D.U: a shuffle by its figure, four-beat evidence from a chord held two bars, but two 6/8
    # bars start alike: the 1 and the 3 of the pointer's four are struck as hard
    bars = _four_beat_bars({0: 0.8, 2: 0.8})
    assert bars.compound_bar(TWELVE_BPM + 10, shuffled=True)[0] == 2
    assert bars.compound_bar(TWELVE_BPM - 10, shuffled=True)[0] == 4     # a slow 12/8 keeps the harmony's count


def test_a_shuffle_is_held_through_a_fit_without_its_figure():
    # all of the last fits asked for, sim4's boogie Bb-minor flipped 12/8 <-> 6/8 at every fit that missed the
    # figure; the shuffle is held while half of the recent fits read it, and only then
    tracker = BeatTracker()
    for k in range(SHUFFLE_READS):
        tracker._shuffles.append(k % 4 != 0)          # three fits in four
    assert tracker._shuffled()
    for _ in range(SHUFFLE_READS // 2 + 1):
        tracker._shuffles.append(False)
    assert not tracker._shuffled()


def test_a_boogie_at_115_is_heard_in_12_8():
    # sim4's (dev) boogie in Bb minor, a walking shuffle bass at 115 dotted quarters (over TWELVE_BPM), its 1 struck
    # harder than its 3: heard 6/8 (half the player's bar) before session 27's meter27
    a = analyze(DATA / "sim4-boogie-12-8-Bb-minor-s14.mid")
    assert a.meter == "12/8"


@pytest.mark.parametrize("progression, bpm", [("G G C D", 78), ("Am Am E E", 70), ("Am Am Am E", 62)])
def test_a_6_8_strummed_long_short_over_chords_held_two_bars_stays_6_8(tmp_path, progression, bpm):
    # a 6/8 strummed D.U D.U (a shuffle by its figure) at 62-78 over chords held two bars: with the 12/8 allowed
    # where the 1 brought more harmonic news than the 3 (tried in session 27, meter27), these went 12/8
    key = ("G", "major") if progression.startswith("G") else ("A", "minor")
    events, _ = perform(Take("6/8", bpm, key, song(progression, "D.UD.U", 6), steps=3, accents=(0, 3)), bpm)
    path = tmp_path / "take.mid"
    midi_of(events).save(path)
    assert analyze(path).meter == "6/8"


def _four_beat_bars_with_news(news: dict[int, float]) -> BarTracker:
    """`_four_beat_bars` with the 1 struck harder than the 3 (a 12/8's accents, or a 6/8 phrased in two-bar
    units), each beat bringing harmonic news `news` by its position in the four-beat bar (0 the 1)."""
    bars = _four_beat_bars({0: 0.9, 2: 0.8})
    bars._bar_loud = type(bars._bar_loud)(((n, loud, news[n % 4], k) for n, loud, _, k in bars._bar_loud),
                                          maxlen=ACCENT_BEATS)
    return bars


def test_a_shuffle_whose_chords_change_on_its_1_and_its_3_is_two_6_8_bars():
    # review33's 6/8 ballad phrased in two-bar units (chords every 6/8 bar: news about 0.64 on the 1, 0.89 on the
    # 3, 0.19 and 0.36 on the 2 and 4) against a boogie's walking figure (news on every beat, the 2 as the 1)
    ballad = _four_beat_bars_with_news({0: 0.64, 1: 0.19, 2: 0.89, 3: 0.36})
    assert ballad.compound_bar(TWELVE_BPM + 10, shuffled=True)[0] == 2
    boogie = _four_beat_bars_with_news({0: 0.79, 1: 0.6, 2: 1.1, 3: 0.45})
    assert boogie.compound_bar(TWELVE_BPM + 10, shuffled=True)[0] == 4


def test_a_6_8_ballad_phrased_in_two_bar_units_stays_6_8():
    # review33's mk3.py ballad68_phrased_72_D: D.U D.U at 72 dotted quarters, a chord a bar, the odd bars' 1 at
    # velocity 104 and the even bars' at 84: heard 12/8 after session 27's meter27 (the phrase's strong bar read as
    # a 12/8's 1)
    assert analyze(DATA / "ballad-6-8-phrased-72-review33.mid").meter == "6/8"
