"""bench/line_key_cues.py: the cues of a single melody line that may name its tonic (aqyn issue 12)."""

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import line_key_cues as lkc  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402

BN1 = ROOT.parent / "shared" / "data" / "guitarset-dev" / "gssolo_00_BN1-129-Eb.mid"
C, D, E, F, G, A, B = 60, 62, 64, 65, 67, 69, 71


def line(*notes: tuple[float, int], length: float = 0.2) -> list[tuple[float, float, int]]:
    """(onset s, release s, pitch) of notes given as (onset s, pitch), each `length` s long."""
    return [(t, t + length, p) for t, p in notes]


def test_phrases_close_after_a_rest_and_a_step_makes_the_close_a_cadence():
    # C D E D C in quarter-second steps, a rest; G A B, a leap down to E, a rest; C. The C before the first rest
    # is reached by a step (a cadence), the E before the second by a leap (a close, no cadence).
    notes = line((0.0, C), (0.25, D), (0.5, E), (0.75, D), (1.0, C), (2.2, G), (2.45, A), (2.7, B), (2.95, E - 12),
                 (4.2, C))
    v = lkc.cues(notes, [], [])
    assert v["phrase end"][0] == pytest.approx(1.2) and v["phrase end"][4] == pytest.approx(1.25)
    assert v["cadence"][0] == pytest.approx(1.2) and v["cadence"][4] == 0
    assert v["phrase start"][0] == 2 and v["phrase start"][7] == 1      # the first note, and after each rest
    assert v["last"][0] == 1 and v["last"].sum() == 1


def test_a_lines_own_bass_and_a_leading_tone_resolving_on_the_beat():
    # Beats every half second, bars of two. B up to C on a beat; E up to F off the beats; G3 the second bar's low.
    notes = line((0.4, B - 12), (0.5, C), (0.75, E), (0.9, F), (1.0, G - 12), (1.5, A))
    v = lkc.cues(notes, [0.0, 0.5, 1.0, 1.5], [0.0, 1.0])
    assert v["to beat"][0] == 1 and v["to beat"].sum() == 1
    assert v["bar low"][11] == 1 and v["bar low"][7] == 1 and v["bar low"].sum() == 2
    assert v["low"][11] == pytest.approx(0.2) and v["low"][7] == pytest.approx(0.2)    # B3, G3 and C4: under the
    assert v["low"].sum() == pytest.approx(0.6)                                           # median pitch (D4)


@pytest.mark.skipif(not BN1.exists(), reason="GuitarSet dev takes not present")
def test_bossa_solo_line_names_its_fifth_by_every_cue_but_a_leading_tone_on_the_beat():
    # GuitarSet's BN1 solo (Eb major by its lead sheet) is a line in B-flat major's notes (A naturals, the lydian
    # fourth over Ebmaj7): its notes, long and low notes, triads and phrase ends all weigh B-flat above E-flat;
    # one cue names E-flat, the D resolving up to it on bar 7's second beat (bench/README.md, session 24).
    truth = json.loads(BN1.with_suffix(".json").read_text())
    v = lkc.cues(lkc.notes_of(read_guitar_file(BN1).messages), truth["beats"], truth["downbeats"])
    e_flat, b_flat = 3, 10
    for cue in ("count", "duration", "downbeat", "beat", "longer", "triad", "phrase end", "bar low", "low"):
        assert v[cue][b_flat] > v[cue][e_flat], cue
    assert v["to beat"][e_flat] == 1 and v["to beat"][b_flat] == 0
