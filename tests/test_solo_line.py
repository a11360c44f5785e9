"""A single-note line (a solo through a converter, every note struck alike): its long notes mark the beat's period
(engine.listen.beat.durational_accent)."""

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analyze import run_online
from engine.events import Beat, InputMessage
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.listen import ListenerConfig
from engine.listen.line_accents import durational_accent
from engine.listen.onsets import OnsetWindow
from engine.listen.tempo import TempoEstimator
from engine.render import play

DATA = Path(__file__).parent / "data"


def test_a_folk_line_of_eighths_and_quarters_is_heard_at_its_quarter_note():
    """Yankee Doodle (traditional, written out here; its 16 bars three times) at 72 quarter notes per minute,
    velocity 90 throughout: running eighths with quarter notes at the phrase ends. Without the durational accent
    every onset weighed the same and the eighths were heard as the beat (144 BPM)."""
    messages = read_guitar_file(DATA / "yankee-doodle-line-72bpm.mid").messages
    analysis, _ = run_online(messages, ListenerConfig())
    bpm = 60 / float(np.median(np.diff(analysis.beats)))
    assert abs(bpm / 72 - 1) < 0.04, bpm


def test_the_durational_accent_grows_with_the_interval_and_saturates():
    accents = [durational_accent(s) for s in (0.0, 0.125, 0.25, 0.5, 1.0, 2.0, 4.0)]
    assert accents[0] == 0.0
    assert all(a < b for a, b in zip(accents, accents[1:]))
    assert 0.95 < accents[-1] <= 1.0


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.08, 1.5), st.integers(1, 4)), min_size=6, max_size=30))
def test_only_the_onsets_of_a_single_note_line_get_a_durational_accent(events):
    """(gap to the next onset s, notes in the strum): strums of two notes or more keep accent 1; a lone note's
    accent is 1 (off a line) or that of its interval to the next onset."""
    window, t = OnsetWindow(), 0.0
    for gap, size in events:
        for k in range(size):
            window.add(t + 0.005 * k, 0.7, k == 0, False)
        t += gap
    assert len(window.accent) == len(window.t) == len(events)
    for i, (n, a) in enumerate(zip(window.notes, window.accent)):
        if n > 1:
            assert a == 1.0
        elif a != 1.0 and i + 1 < len(window.t):
            assert a == durational_accent(window.t[i + 1] - window.t[i])


# A straight bossa line in eighths, bar by bar (eighth positions 0-7 of a 4/4 bar that sound): 3+3+2 figures and
# their variations, as a GuitarSet bossa solo plays them (gssolo BN2, 166 BPM). Written here, not taken from it.
BOSSA_BARS = ((0, 3, 6), (1, 3, 6, 7), (6,), (4, 6), (0, 3, 6), (1, 4, 5, 6), (0, 3, 5, 6, 7), (1, 3, 4, 5, 6, 7),
              (0, 3, 6), (0, 6, 7), (2, 3, 5, 7), (3, 6), (0, 3, 5, 7), (1, 3, 5), (0, 1, 2, 3, 6), (4, 5, 6))
BOSSA_PITCHES = (68, 70, 72, 75, 73, 72, 70, 68, 67, 68, 70, 63)


def _line(onsets: list[float], end: float) -> list[InputMessage]:
    """Messages of a single-note line: each note (velocity 90, pitches in turn) held until 20 ms before the next."""
    out = []
    for i, t in enumerate(onsets):
        pitch = BOSSA_PITCHES[i % len(BOSSA_PITCHES)]
        stop = onsets[i + 1] if i + 1 < len(onsets) else end
        out += [InputMessage(t, 0x90, pitch, 90), InputMessage(stop - 0.02, 0x80, pitch, 0)]
    return sorted(out, key=lambda m: m.time)


def test_a_fast_straight_line_of_3_3_2_figures_is_heard_at_its_beat_not_its_dotted_quarters():
    """The bossa line at 166 BPM, its 16 bars twice (46 s): its long notes fall a dotted quarter apart, and the
    autocorrelation and durational accents took that level (110 BPM, 2:3 of the beat, heard as 6/8); one steady
    grid of the beat holds more of its notes than one of the dotted quarters (`TempoEstimator.straight_level`)."""
    eighth = 60.0 / 166 / 2
    onsets = [(8 * b + k) * eighth for b, bar in enumerate(BOSSA_BARS * 2) for k in bar]
    analysis, _ = run_online(_line(onsets, 32 * 8 * eighth), ListenerConfig())
    beats = np.array(analysis.beats)
    bpm = 60 / float(np.median(np.diff(beats[beats > 23.0])))
    assert abs(bpm / 166 - 1) < 0.04, bpm


def test_a_6_8_line_of_quarter_eighth_figures_keeps_its_dotted_quarter_beat():
    """A 6/8 line at 105 dotted quarters a minute of quarter-eighth figures (its eighths 2+1, a long and a short
    note per beat, some beats one long note): its gaps are not eighths, so only one steady grid's share tells
    its level, and the dotted quarter keeps its phase."""
    eighth = 60.0 / 105 / 3
    figures = ((0, 2), (0, 2), (0,), (0, 1, 2), (0, 2), (0,), (0, 2), (0,))
    onsets = [(3 * (8 * r + b) + k) * eighth for r in range(6) for b, beat in enumerate(figures) for k in beat]
    analysis, _ = run_online(_line(onsets, 144 * eighth), ListenerConfig())
    beats = np.array(analysis.beats)
    bpm = 60 / float(np.median(np.diff(beats[beats > 15.0])))
    assert abs(bpm / 105 - 1) < 0.04, bpm


def test_a_fast_line_keeps_its_beat_through_two_bars_on_the_and():
    """A straight line at 150 BPM (quarter notes, a bar of eighths on beat one and a quarter after), 12 bars, then
    two bars with every note on the "and" (eighths 1, 3, 5, 7: anticipations), then 6 bars as before: a player
    keeps the beat through the syncopated bars. The fits there sit half a beat off with full confidence, and the
    grid jumped to them after three beats (1.2 s) until the line came back (GuitarSet BN2's solo went to the "and"
    at 17 s); a fast line's sure grid now waits LINE_HOLD s (`BeatTracker._line_wait`)."""
    eighth = 60.0 / 150 / 2
    figure = ((0, 2, 4, 6), (0, 1, 2, 4, 6))
    bars = [figure[b % 2] for b in range(12)] + [(1, 3, 5, 7)] * 2 + [figure[b % 2] for b in range(6)]
    onsets = [(8 * b + k) * eighth for b, bar in enumerate(bars) for k in bar]
    analysis, _ = run_online(_line(onsets, 8 * len(bars) * eighth), ListenerConfig())
    beats = np.array(analysis.beats)
    stretch = beats[(beats > 8 * 11 * eighth) & (beats < 8 * 17 * eighth)]    # a bar before to three after
    offs = np.abs((stretch / (2 * eighth) + 0.5) % 1.0 - 0.5)
    assert len(stretch) > 20 and offs.max() < 0.15, offs


def test_a_riff_in_double_stops_keeps_its_beat_through_its_push_onto_the_and():
    """Dyads in thirds (velocity 90, a rock riff at 117 BPM, written here): 12 bars of quarters and eighths on the
    beat, then GuitarSet Rock3's solo figure "1 2 3 3+ | 4+ 1+ 2+ 3+ 4+" whose six dyads from 3+ sit on the "and"
    (2.6 s), then 6 bars on the beat again: a player keeps the beat through the push. The fits there sit half a
    beat off with full confidence, and the grid jumped to them after three beats (1.5 s; Rock3's solo, on the beat
    from 17 s, went to the "and" at 19.9 s); a riff's sure grid now waits LINE_HOLD s (`BeatTracker._line_wait`)."""
    eighth = 60.0 / 117 / 2
    figure = ((0, 2, 4, 6), (0, 2, 4, 5, 6))
    eighths = [8 * b + k for b in range(12) for k in figure[b % 2]]
    eighths += [96 + k for k in (0, 2, 4, 5, 7, 9, 11, 13, 15)]
    eighths += [112 + 8 * b + k for b in range(6) for k in figure[b % 2]]
    dyads = ((70, 74), (69, 72), (67, 70), (69, 72))
    messages = []
    for i, e in enumerate(eighths):
        t, stop = e * eighth, (eighths[i + 1] if i + 1 < len(eighths) else 160) * eighth - 0.02
        for j, pitch in enumerate(dyads[i % len(dyads)]):
            messages += [InputMessage(t + 0.012 * j, 0x90, pitch, 90), InputMessage(stop, 0x80, pitch, 0)]
    analysis, _ = run_online(sorted(messages, key=lambda m: m.time), ListenerConfig())
    beats = np.array(analysis.beats)
    stretch = beats[(beats > 88 * eighth) & (beats < 136 * eighth)]    # a bar before the riff to three after it
    offs = np.abs((stretch / (2 * eighth) + 0.5) % 1.0 - 0.5)
    assert len(stretch) > 20 and offs.max() < 0.15, offs


def test_a_line_of_dotted_figures_is_heard_with_its_long_notes_on_the_beat():
    """A 2/4 hornpipe-like line at 130 BPM, every beat a dotted eighth and its sixteenth (long-short, velocity 90,
    written here), 16 bars twice: the two onsets of a figure weigh alike, a quarter beat apart, and the phase fit's
    mean fell between them, where no onset is, so the grid was never sure and no beat was heard in 60 s (the `solo`
    set's nottingham-ashover32). The line's long notes place the beat (`BeatTracker._long_notes`)."""
    beat = 60.0 / 130
    onsets = [(b + k) * beat for b in range(64) for k in (0.0, 0.75)]
    analysis, _ = run_online(_line(onsets, 64 * beat), ListenerConfig())
    beats = np.array(analysis.beats)
    late = beats[beats > 10.0]
    offs = np.abs((late / beat + 0.5) % 1.0 - 0.5)
    assert len(late) > 30 and np.median(offs) < 0.08, (len(late), offs)


def _opening_riff(repeats: int, notes: int) -> list[InputMessage]:
    """GuitarSet Rock3's solo figure at 117 BPM (written here, not taken from it): "1 2 3 3+ | 4+ 1+ 2+ 3+ 4+", two
    bars `repeats` times from the take's first note, each onset `notes` notes (a dyad in thirds, or its top note
    alone), velocity 90, held until 20 ms before the next."""
    eighth = 60.0 / 117 / 2
    eighths = [16 * r + k for r in range(repeats) for k in (0, 2, 4, 5, 7, 9, 11, 13, 15)]
    dyads = ((74, 70), (72, 69), (70, 67), (72, 69))
    messages = []
    for i, e in enumerate(eighths):
        t, stop = e * eighth, (eighths[i + 1] if i + 1 < len(eighths) else 16 * repeats) * eighth - 0.02
        for j, pitch in enumerate(dyads[i % len(dyads)][:notes]):
            messages += [InputMessage(t + 0.012 * j, 0x90, pitch, 90), InputMessage(stop, 0x80, pitch, 0)]
    return sorted(messages, key=lambda m: m.time)


def test_a_riff_that_opens_on_the_beat_keeps_its_count_through_its_pushes():
    """The riff opens with three notes a beat apart, then pushes six onto the "and": in every two bars three notes
    on the beat and six on the "and", and the fit, which weighs the last two seconds, put every grid half a beat off
    (GuitarSet Rock3's solo: its first 13 s). A listener who heard the opening's count keeps it, the notes on the
    "and" telling where it is (`BeatTracker._opening`, `_counted`): every beat heard on the count, in double stops
    (24 s) and, over its first 12 s, as a single-note line."""
    beat = 60.0 / 117
    for notes, until in ((2, 30.0), (1, 12.0)):
        analysis, _ = run_online(_opening_riff(6, notes), ListenerConfig())
        beats = np.array(analysis.beats)
        beats = beats[beats < until]
        offs = np.abs((beats / beat + 0.5) % 1.0 - 0.5)
        assert len(beats) > 10 and offs.max() < 0.15, (notes, offs)


def test_the_band_waits_for_a_fast_straight_lines_beat_while_its_dotted_quarters_contest_it():
    """The bossa line at 166 BPM (above): to 11 s its notes fit a grid of its dotted quarters (110 BPM) as well as
    one of its beats, and the listener counts 110 until `straight_level` takes 166 at 14.2 s. The band came in at
    7.2 s on the 110 grid and played 7 s at the wrong level (GuitarSet BN2's solo, band beat F 0.70); now it waits
    while the level is contested (`BeatTracker.level_contested`) and comes in at the line's beat."""
    eighth = 60.0 / 166 / 2
    onsets = [(8 * b + k) * eighth for b, bar in enumerate(BOSSA_BARS * 2) for k in bar]
    messages = _line(onsets, 32 * 8 * eighth)
    guitar = GuitarFile(Path("bossa.mid"), messages, messages[-1].time, len(onsets))
    _, events = play(guitar)
    beats = np.array(sorted(e.time for e in events if isinstance(e, Beat)))
    first = beats[0]
    assert first > 11.0, first
    assert abs(float(np.median(np.diff(beats[:16]))) / (2 * eighth) - 1) < 0.04


def test_a_lines_level_is_contested_by_its_dotted_quarters_only_while_its_notes_fall_a_beat_apart():
    """`TempoEstimator.level_contested` on the bossa line's first 6.3 s at its dotted quarters (110 BPM: the 166
    grid holds as many of its notes, which fall a beat of 110 apart), not at its own beat (the 2:3 of 166 is 249,
    past STRAIGHT_BPM), and not on running eighths at 110 (a reel's: the 2:3 grid holds them equally, but their
    gaps are half a beat and tell nothing of the level)."""
    eighth = 60.0 / 166 / 2
    onsets = np.array([(8 * b + k) * eighth for b, bar in enumerate(BOSSA_BARS) for k in bar])
    opening = onsets[onsets <= 6.34]
    tempo = TempoEstimator()
    assert tempo.level_contested(opening, 3 * eighth)
    assert not tempo.level_contested(opening, 2 * eighth)
    assert not tempo.level_contested(np.arange(24) * 60.0 / 110 / 2, 60.0 / 110)
