"""A single-note line's bars (engine.listen.line_accents, engine.listen.bar_pointer): a melody in 4/4 played with
every note alike is heard in 4/4, not in the 3/4 that comping's downbeat cues lean to on a line."""


import pytest

from engine.analyze import run_online
from engine.events import InputMessage
from engine.listen import ListenerConfig
from engine.listen.line_accents import durational_accent, line_evidence, line_features
from tests.conftest import nottingham_line

# Ode to Joy (Beethoven, 1824; the melody alone, in C): (MIDI pitch, length in quarter notes), 16 bars of 4/4.
ODE = [(64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1), (60, 1), (60, 1), (62, 1), (64, 1),
       (64, 1.5), (62, 0.5), (62, 2), (64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1),
       (60, 1), (60, 1), (62, 1), (64, 1), (62, 1.5), (60, 0.5), (60, 2),
       (62, 1), (62, 1), (64, 1), (60, 1), (62, 1), (64, 0.5), (65, 0.5), (64, 1), (60, 1),
       (62, 1), (64, 0.5), (65, 0.5), (64, 1), (62, 1), (60, 1), (62, 1), (55, 2),
       (64, 1), (64, 1), (65, 1), (67, 1), (67, 1), (65, 1), (64, 1), (62, 1), (60, 1), (60, 1), (62, 1), (64, 1),
       (62, 1.5), (60, 0.5), (60, 2)]


def line(melody, bpm: float, times: int = 1) -> list[InputMessage]:
    """The melody played `times` over at `bpm` quarter notes per minute from 0.5 s, one channel, velocity 90 (a
    converter's solo: every note alike), each note released 20 ms before the next."""
    out, t, beat = [], 0.5, 60.0 / bpm
    for _ in range(times):
        for pitch, length in melody:
            out.append(InputMessage(t, 0x90, pitch, 90))
            t += length * beat
            out.append(InputMessage(t - 0.02, 0x80, pitch, 0))
    return out


@pytest.mark.parametrize("bpm", [80, 112])
def test_a_melody_in_four_four_is_heard_in_four_four(bpm):
    """On main the line was heard in 3/4 at both tempi (the bar pointer's comping cues: their mean is negative
    on every beat of a line, and a 4/4 bar has two beats weighed to a 3/4 bar's one)."""
    analysis, _ = run_online(line(ODE, bpm), ListenerConfig())
    assert analysis.meter == "4/4"


def test_a_long_note_on_the_beat_weighs_for_a_downbeat():
    """A half note on the beat says 'downbeat' more than an eighth does; no note on the beat says less."""
    beat = 0.5
    long = [(1.0, 64, 0.7, False), (2.0, 62, 0.7, False)]
    short = [(1.0, 64, 0.7, False), (1.25, 62, 0.7, False)]
    at_long, at_short = line_features(long, 1.0, beat, 2.5), line_features(short, 1.0, beat, 2.5)
    assert at_long[:2] == [1.0, durational_accent(1.0)] and at_short[:2] == [1.0, durational_accent(0.25)]
    assert line_evidence(at_long)[0] > line_evidence(at_short)[0] > line_evidence([0.0] * 4)[0]


# A jig (made for this test, in G): (MIDI pitch, length in eighth notes), 8 bars of 6/8: runs of eighths, a quarter
# and an eighth here and there, a dotted quarter at the phrase ends, as the Nottingham jigs.
JIG = [(67, 1), (71, 1), (74, 1), (71, 2), (67, 1), (69, 1), (72, 1), (76, 1), (72, 2), (69, 1),
       (67, 1), (69, 1), (71, 1), (72, 1), (74, 1), (71, 1), (69, 3), (62, 3),
       (67, 1), (71, 1), (74, 1), (79, 2), (74, 1), (72, 1), (76, 1), (72, 1), (69, 2), (72, 1),
       (71, 1), (72, 1), (74, 1), (69, 1), (66, 1), (62, 1), (67, 3), (67, 2), (62, 1)]


@pytest.mark.parametrize("bpm", [60, 70])
def test_a_jig_is_heard_in_dotted_quarters(bpm):
    """A jig at `bpm` dotted quarters a minute: its running eighths recur every two eighths as much as every three,
    and on main the tempo prior took the two (at 60: 4/4 at 90; at 70: 3/4 at 105, as ten of the solo set's
    Nottingham jigs); its long notes fall on the dotted quarters (TempoEstimator.line_level)."""
    eighths = [(pitch, length / 2) for pitch, length in JIG]          # in quarter notes for `line`
    analysis, _ = run_online(line(eighths, 1.5 * bpm, times=3), ListenerConfig())
    assert analysis.meter == "6/8"
    assert abs(analysis.tempo[-1]["bpm"] / bpm - 1) < 0.05


@pytest.mark.parametrize(("name", "bpm"), [("jigs110", 68), ("jigs317", 101)])
def test_a_jig_stays_in_dotted_quarters_while_its_bars_recur_a_little_less(name, bpm):
    """bench/accuracy.py's solo takes nottingham-jigs110 and -jigs317 (jigs in 6/8 at `bpm` dotted quarters a
    minute, the melody alone, one velocity, as that set plays them). Their dotted quarters explain a third of the
    running eighths, so the sudden-change search runs on and finds the eighths' twos (1.5 x `bpm`), which the
    line's level let in whenever the window's autocorrelation at three of those beats dipped under LINE_BAR of
    that at four (jigs110: 0.88-0.90), its long notes' contrast under LINE_GROUPING_MIN or the window was short
    after a change (jigs317). Seconds of 60 heard at the twos: jigs110 28 on main, 11 now (before its first move);
    jigs317 51 on main, 0 now. Once at the 3:2 level a line stays while the ratio holds LINE_BAR_KEEP."""
    analysis, _ = run_online(nottingham_line(name), ListenerConfig())
    changes = [(c["time"], c["bpm"]) for c in analysis.tempo] + [(60.0, 0.0)]
    at_twos = sum(b[0] - a[0] for a, b in zip(changes, changes[1:]) if a[1] > 1.25 * bpm)    # s heard at 1.5 x bpm
    assert at_twos < 20, analysis.tempo
