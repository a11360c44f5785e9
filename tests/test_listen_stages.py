"""A strum's decision runs in stages on successive ticks (`Listener._run_stage`: the beat on the tick the strum
closes, then the key's re-score when due, then the chord), and hears what it heard when one tick ran it whole:
once a decision's stages have run, the listener's state is the one-tick listener's, bit for bit."""

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.events import InputMessage
from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from tests.conftest import example

NOTE_ON, NOTE_OFF, PITCH_BEND = 0x90, 0x80, 0xE0


class OneTickListener(Listener):
    """A listener that runs a strum's whole decision on the tick the strum closes (as before stages)."""

    def _decide(self, now: float) -> bool:
        decided = super()._decide(now)
        self._finish()
        return decided


def heard(listener: Listener, msgs: list[InputMessage], taps=(), tick: float = 0.01) -> tuple[list, int, int]:
    """Each tick's (tick number, state, chord label, meter, key) once no stage waits (`Listener.deciding`), how
    many ticks had a stage waiting after them, and how many strums were decided."""
    out, waiting, decided, i, n = [], 0, 0, 0, 0
    taps = sorted(taps)
    end = (msgs[-1].time if msgs else 0.0) + 3.0
    while n * tick <= end:
        now = n * tick
        n += 1
        while i < len(msgs) and msgs[i].time <= now:
            listener.feed(msgs[i])
            i += 1
        while taps and taps[0] <= now:
            listener.tap(taps.pop(0))
        decided += listener.update(now)
        if listener.deciding:
            waiting += 1
            continue
        out.append(repr((n, listener.state(now), listener.chord_label, listener.beat.meter, listener.key.key,
                         listener.key.confidence, listener.playing)))
    return out, waiting, decided


def test_stages_hear_what_one_tick_hears_on_an_example():
    msgs = read_guitar_file(example("d_dorian_96_4-4")).messages
    staged, waiting, decided = heard(Listener(), msgs)
    whole, none, decided_whole = heard(OneTickListener(), msgs)
    assert none == 0 and decided == decided_whole > 50
    assert decided <= waiting <= 2 * decided      # every decision waits a tick or two for its last stage ...
    assert [s for s in whole if s in set(staged)] == staged   # ... and then hears what one tick heard
    assert len(whole) - len(staged) == waiting


def test_a_release_between_the_stages_comes_after_them():
    """Staccato strums (C, F, G, Am, a chord every 0.5 s) let go 70 ms after they are struck: each release
    arrives after the tick the strum closes on (60 ms), before its chord's stage, which hears the notes ringing
    as the one tick heard them."""
    msgs = []
    for k in range(32):
        t = 0.503 + 0.5 * k
        for j, pitch in enumerate((48, 52, 55, 60) if k % 4 == 0 else (53, 57, 60, 65) if k % 4 == 1
                                  else (55, 59, 62, 67) if k % 4 == 2 else (57, 60, 64, 69)):
            msgs.append(InputMessage(t + 0.008 * j, NOTE_ON, pitch, 90 - 10 * j))
            msgs.append(InputMessage(t + 0.07 + 0.001 * j, NOTE_OFF, pitch, 0))
    msgs.sort(key=lambda m: m.time)
    staged, _, decided = heard(Listener(), msgs)
    whole = heard(OneTickListener(), msgs)[0]
    assert decided > 20 and set(staged) <= set(whole)


notes = st.lists(st.tuples(st.floats(0.0, 0.4), st.integers(40, 88), st.integers(1, 127), st.floats(0.0, 0.6),
                           st.integers(0, 16383) | st.none()), min_size=1, max_size=60)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(notes, st.lists(st.floats(0.0, 8.0), max_size=3))
def test_stages_hear_what_one_tick_hears_on_any_input(played, taps):
    """Random notes (gap to the last onset s, pitch, velocity, length s, a pitch bend while held), some taps:
    messages and taps between a decision's stages come after them, as they came after the one tick."""
    msgs, t = [], 0.1
    for gap, pitch, velocity, length, bend in played:
        t += gap
        msgs.append(InputMessage(t, NOTE_ON, pitch, velocity))
        if bend is not None:
            msgs.append(InputMessage(t + length / 2, PITCH_BEND, bend & 0x7F, bend >> 7))
        msgs.append(InputMessage(t + length, NOTE_OFF, pitch, 0))
    msgs.sort(key=lambda m: m.time)
    staged = heard(Listener(), msgs, taps)[0]
    whole = heard(OneTickListener(), msgs, taps)[0]
    assert set(staged) <= set(whole)
