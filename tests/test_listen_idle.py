"""The listener's shortcuts change nothing: its idle ticks (`Listener.update` returns at once until its next
piece of work is due) hear exactly what full ticks hear, tick by tick, the phase alone (`beat_phase`) is
fit_grid's phase with no line fitted, and the phase fit's one pass for the weights and the circular mean gives
the two passes' floats; the tempo level tests read their deep basses once and their shares (`tempo._share`) as
np.mean gives them."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import InputMessage
from engine.inputs import CountIn
from engine.io.midi_input import read_guitar_file
from engine.listen import Listener, ListenerConfig
from engine.listen.activity import intensity
from engine.listen.guitar import GuitarConfig
from engine.listen.listener import IDLE_MARGIN, QUIET
from engine.listen.phase import _weights_and_mean, beat_phase, circular_mean, fit_grid, recent_weights
from engine.listen.replay import UPDATE, replay
from engine.state import MusicalState
from tests.conftest import example

NOTE_ON, NOTE_OFF, PITCH_BEND = 0x90, 0x80, 0xE0


class FullListener(Listener):
    """A listener whose every tick runs in full (no idle ticks)."""

    def _idle_until(self) -> float:
        return -math.inf


def heard(listener: Listener, msgs: list[InputMessage], taps=(), tick: float = 0.01) -> tuple[list, int]:
    """Each tick's (update's result, state, chord label, meter) on the engine's tick grid (`engine.listen.replay`),
    and how many ticks returned at once (the listener's `_idle` was ahead of the tick)."""
    out, idle = [], 0
    end = (msgs[-1].time if msgs else 0.0) + 3.0
    for kind, now, _, decided, was_idle, _ in replay(listener, msgs, end, tick=tick, taps=taps):
        if kind == UPDATE:
            idle += was_idle
            out.append(repr((decided, listener.state(now), listener.chord_label, listener.beat.meter,
                             listener.playing)))
    return out, idle


@pytest.mark.parametrize("name", ["d_dorian_96_4-4", "a_minor_66_6-8"])
@pytest.mark.parametrize("model", ["acf", "hybrid", "joint"])
def test_idle_ticks_hear_what_full_ticks_hear_on_the_examples(name, model):
    msgs = read_guitar_file(example(name)).messages
    config = ListenerConfig(beat_model=model)
    fast, idle = heard(Listener(config), msgs)
    full, never = heard(FullListener(config), msgs)
    assert never == 0
    assert idle > len(fast) / 2          # most ticks are idle ...
    assert fast == full                  # ... and they hear the same, bit for bit


def test_a_count_in_and_a_converter_latency_are_heard_alike():
    msgs = read_guitar_file(example("e_mixolydian_ramp_88-116_4-4")).messages[:400]
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=0.013))
    results = []
    for cls in (Listener, FullListener):
        listener = cls(config)
        listener.count_in(CountIn(msgs[0].time - 2.0, 4, 0.5, 4, clicks=False))
        results.append(heard(listener, msgs)[0])
    assert results[0] == results[1]


def test_a_note_on_leaves_the_ticks_idle_until_it_can_be_confirmed():
    """The tick a note-on arrives on has nothing to do (the note is confirmed `min_duration` later); a release
    brings no work before its hush; a restrike (a note-on over the same note held) runs the next tick in full."""
    listener = Listener()
    listener.update(0.0)
    listener.feed(InputMessage(0.1, NOTE_ON, 60, 90))
    assert listener._idle == pytest.approx(0.1 + GuitarConfig().min_duration, abs=1e-5)
    assert not listener.update(0.1) and listener.notes_in == 0
    for n in range(12, 30):
        listener.update(n / 100)
    assert listener.notes_in == 1
    idle = listener._idle
    listener.feed(InputMessage(0.3, NOTE_OFF, 60, 0))
    assert listener._idle == min(idle, 0.3 + QUIET - IDLE_MARGIN)
    listener.feed(InputMessage(0.35, NOTE_ON, 62, 90))
    listener.update(0.4)
    listener.feed(InputMessage(0.45, NOTE_ON, 62, 90))
    assert listener._idle == -math.inf


notes = st.lists(st.tuples(st.floats(0.0, 0.4), st.integers(40, 88), st.integers(1, 127), st.floats(0.0, 0.6),
                           st.integers(0, 16383) | st.none()), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(notes, st.lists(st.floats(0.0, 8.0), max_size=3))
def test_idle_ticks_hear_what_full_ticks_hear_on_any_input(played, taps):
    """Random notes (gap to the last onset s, pitch, velocity, length s, a pitch bend while held), some taps."""
    msgs, t = [], 0.1
    for gap, pitch, velocity, length, bend in played:
        t += gap
        msgs.append(InputMessage(t, NOTE_ON, pitch, velocity))
        if bend is not None:
            msgs.append(InputMessage(t + length / 2, PITCH_BEND, bend & 0x7F, bend >> 7))
        msgs.append(InputMessage(t + length, NOTE_OFF, pitch, 0))
    msgs.sort(key=lambda m: m.time)
    assert heard(Listener(), msgs, taps)[0] == heard(FullListener(), msgs, taps)[0]


onsets = st.lists(st.tuples(st.floats(0.05, 1.0), st.floats(0.0, 2.0)), min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(onsets, st.floats(0.25, 1.5), st.floats(0.5, 4.0))
def test_the_phase_alone_is_the_fits_phase_without_a_line(played, period, recency):
    """Onsets (gap to the last s, weight) at any period (s) and recency (s): the same float or None."""
    t = [sum(gap for gap, _ in played[:i + 1]) for i in range(len(played))]
    w = [weight for _, weight in played]
    fit = fit_grid(t, w, t[-1], period, recency=recency, curve=0.0, slope_range=0.0)
    assert beat_phase(t, w, t[-1], period, recency=recency) == (None if fit is None else fit[0])


@settings(max_examples=200, deadline=None)
@given(onsets, st.floats(0.25, 1.5), st.floats(0.5, 4.0))
def test_one_pass_gives_the_recency_weights_and_circular_mean_of_two(played, period, recency):
    """Onsets (gap to the last s, weight) at any period (s) and recency (s): the weights, their sum and the mean
    are the floats `recent_weights` and `circular_mean` give, bit for bit."""
    t = [sum(gap for gap, _ in played[:i + 1]) for i in range(len(played))]
    w = [weight for _, weight in played]
    ts, rs, total = recent_weights(t, w, t[-1], recency)
    assert _weights_and_mean(t, w, t[-1], recency, period) == (ts, rs, total, circular_mean(ts, rs, period))


def test_tempo_level_reads_the_deep_basses_once_per_estimate(monkeypatch):
    """In simple time the tempo's level tests (the bar's split, the picking level) share one `OnsetWindow.deep`
    per estimate: d_dorian_96_4-4 (4/4 comping) asked it twice an estimate before."""
    from engine.listen.onsets import OnsetWindow
    from engine.listen.tempo import TempoEstimator

    calls = {"deep": 0, "estimate": 0}
    deep, estimate = OnsetWindow.deep, TempoEstimator.estimate

    def counted(name, f):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return f(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(OnsetWindow, "deep", counted("deep", deep))
    monkeypatch.setattr(TempoEstimator, "estimate", counted("estimate", estimate))
    heard(Listener(), read_guitar_file(example("d_dorian_96_4-4")).messages)
    assert calls["estimate"] > 10
    assert calls["deep"] <= calls["estimate"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=200))
def test_share_is_np_means_float(bits):
    """tempo._share, the level tests' share of True without np.mean's wrapper, is np.mean's float to the bit."""
    import numpy as np

    from engine.listen.tempo import _share

    mask = np.array(bits, dtype=bool)
    assert _share(mask) == float(np.mean(mask))
    assert math.copysign(1.0, _share(mask)) == math.copysign(1.0, float(np.mean(mask)))


def _deep_split_in_numpy(tempo, bass, period):
    """deep_split's test as numpy arrays said it before it went to plain Python (np.rint, np.mean)."""
    import numpy as np

    from engine.listen.tempo import DEEP_LEAST, DEEP_ODD, FPS, NEAR

    if len(bass) < DEEP_LEAST or 0.5 * period * FPS < tempo.lag_lo:
        return False
    r = np.diff(bass) / (1.5 * period)
    k = np.rint(r)
    if (k < 1).any() or (np.abs(r - k) * 1.5 > NEAR).any():
        return False
    return bool(np.mean(k % 2 == 1) >= DEEP_ODD)


@settings(max_examples=400, deadline=None)
@given(st.floats(0.3, 1.2), st.floats(0.0, 5.0),
       st.lists(st.tuples(st.integers(1, 4), st.floats(-0.08, 0.08)), min_size=2, max_size=12))
def test_deep_split_in_python_answers_as_numpy(period, start, steps):
    """TempoEstimator.deep_split's plain-Python gaps give the numpy formula's answer: basses 1.5 periods apart
    times 1-4, each off by up to 0.08 s (NEAR's edge for the shorter periods), ties rounded half to even alike."""
    import numpy as np

    from engine.listen.tempo import TempoEstimator

    times = [start]
    for count, off in steps:
        times.append(times[-1] + 1.5 * period * count + off)
    bass, tempo = np.array(times), TempoEstimator()
    assert tempo.deep_split(bass, period) == _deep_split_in_numpy(tempo, bass, period)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.0, 50.0), min_size=6, max_size=6), st.lists(st.floats(0.01, 20.0), min_size=6, max_size=6))
def test_dotted_means_are_the_generator_sums(sums, weights):
    """tempo._mean, dotted_level's place means without a generator per sum, gives `sum`'s floats for every group of
    places it is asked."""
    from engine.listen.tempo import _DOTTED_PLACES, _mean

    for places in [(0, 2, 4), (1, 3, 5)] + [p for pair in _DOTTED_PLACES for p in pair]:
        expected = sum(sums[i] for i in places) / sum(weights[i] for i in places)
        assert _mean(sums, weights, places) == expected


def test_tempo_scores_read_the_lags_as_the_fancy_index_did():
    """TempoEstimator.scores reads the comb's lags through strided slices: the same scores as the index arrays
    (lags, twice, three and four times them) gave, on d_dorian_96_4-4's first 8 s of onsets."""
    import numpy as np

    from engine.listen.tempo import TempoEstimator

    tempo = TempoEstimator()
    msgs = [m for m in read_guitar_file(example("d_dorian_96_4-4")).messages if m.kind == NOTE_ON and m.data2 > 0]
    t = np.array(sorted({m.time for m in msgs if m.time < 8.0}))
    w = np.linspace(0.5, 1.5, len(t))
    acf, lags = tempo.autocorrelation(t, w), tempo.lags
    expected = (acf[lags] + tempo.comb2 * acf[2 * lags]
                + tempo.comb_bar * np.maximum(acf[3 * lags], acf[4 * lags])) * tempo._prior_at_lags
    assert np.array_equal(tempo.scores(t, w), expected)
    assert expected.max() > 0


class EagerHush(Listener):
    """The listener as before cost30: `_hush` works out when the chord goes quiet before asking whether a note
    rings."""

    def _hush(self, now: float) -> None:
        if self.activity.last_onset is None or now < self._hush_at() or self.guitar.ringing:
            return
        self.chord.current = None
        self.chord_label = self._heard_label = "N"
        self.key.chord(now, None)


def test_the_hush_is_not_worked_out_while_a_note_rings(monkeypatch):
    """`Listener._hush` asks whether a note rings before working out when the chord goes quiet (`_hush_at`, a groove
    gap on the bar read), and so never while one rings (99 % of its ticks in the examples), hearing what the eager
    order hears, tick by tick."""
    msgs = read_guitar_file(example("d_dorian_96_4-4")).messages
    eager, _ = heard(EagerHush(), msgs)
    ringing = []
    original = Listener._hush_at

    def hush_at(self):
        ringing.append(self.guitar.ringing)
        return original(self)

    monkeypatch.setattr(Listener, "_hush_at", hush_at)
    lazy, _ = heard(Listener(), msgs)
    assert ringing and not any(ringing)
    assert lazy == eager


class EagerState(Listener):
    """The listener as before state30: `state` reads the beat, key, chord and activity again on every call."""

    def state(self, now: float) -> MusicalState:
        b, k, a = self.beat, self.key, self.activity
        density, grid = a.density, self.grid()
        return MusicalState(
            time=now, tonic=k.tonic, mode=k.mode, key_confidence=k.confidence, grid=grid,
            beat_confidence=b.confidence, locked=self.locked, chord=self.chord.current, loudness=a.loudness,
            density=density, intensity=intensity(a.loudness, a.played_density(now, b.period)),
            silent=a.silent(now, b.period, b.usual_gap, b.beats_per_bar, None if b.bar_pulse else grid, b.bar_gap),
            last_onset=a.last_onset, cued=self._cued, meter_pending=b.meter_pending,
            level_contested=b.level_contested, phrase_start=a.phrase_start, leaning=self.leaning(),
            strum_notes=a.strum_notes, downbeat_played=b.downbeat_played, played_by_beat=b.played_by_beat,
            bar_pulse=b.bar_pulse, written_mode=self._written_mode(),
        )


def test_a_state_kept_while_the_listener_does_not_move_is_the_state_read_afresh():
    """`Listener.state` keeps its reads that do not move with the clock until the listener moves (a working tick, a
    note, a tap, a cue); read after every call of a replay with taps and a rest, and after a start, a resume and a
    tempo lock between ticks, it is the state as read before state30, bit for bit: a change that did not drop the
    kept reads would show them stale. Most reads are kept ones (the ticks idle), and the silence comes at its tick."""
    msgs = read_guitar_file(example("d_dorian_96_4-4")).messages
    half = len(msgs) // 2                   # a rest of 3 s mid-take: a phrase after it (`played_density`)
    msgs = msgs[:half] + [InputMessage(m.time + 3.0, m.status, m.data1, m.data2) for m in msgs[half:]]
    taps = [msgs[0].time + 0.625 * k for k in range(8)] + [msgs[-1].time + 0.1 + 0.5 * k for k in range(4)]
    kept, eager = Listener(), EagerState()
    calls = zip(replay(kept, msgs, msgs[-1].time + 4.0, taps=taps), replay(eager, msgs, msgs[-1].time + 4.0, taps=taps))
    reads = idle = silences = 0
    for k, ((kind, now, *_, was_idle, _), _) in enumerate(calls):
        if k % 997 == 500:                  # a cue between ticks: no update before the band reads the state
            cue = ("start", "resume", "lock_tempo")[k // 997 % 3]
            for listener in (kept, eager):
                getattr(listener, cue)(*(() if cue == "lock_tempo" else (now,)))
        state = kept.state(now)
        assert state == eager.state(now), (kind, now)
        reads += 1
        idle += kind == UPDATE and was_idle
        silences += state.silent
    assert idle > reads / 2 and silences > 0
