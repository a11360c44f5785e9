"""A chord loop that does not start on its tonic is heard in its tonic's key, as a musician hears it: where the loop
resolves (the chord a cadence reaches, the chord held longest), not the chord it starts on (review34: F G C Am in C
was heard F lydian for the whole take, minor VI-VII-i-i F lydian, iv-v-i-i D dorian; key.py's phrase cue gave the
loop's first chord the tonic's bonus). Takes: review34's converter takes (/work/scratch/s28/review34/mk.py:
open-shape strums D.DU.UDU, one chord a bar, 16 bars and the final chord, each string's latency and jitter), and
the same generator's ii-V-I, vi-IV-I-V and capo takes (session 28, loop28). Session 29 (key29) took loop28's rule
with the guards the held-out and real songs asked for (key.py `_may_resolve`, `RESOLVE_EVEN`, the lydian II-I):
the tests below them hold those cases."""

from pathlib import Path

import pytest

from engine.analyze import analyze
from engine.theory import pitch_class

DATA = Path(__file__).parent / "data"
SETTLED = 25.0   # s: the key from here on (each loop has come round twice: a resolution recurs, key.py RESOLVE_STAYS;
#                 review34: 10-19 s with the cue off; once, at 15 s, before RESOLVE_STAYS)

# file (tests/data/key-loop-*.mid), tonic, mode
OFF_TONIC = [
    ("IV-V-I-vi-C-96-review34", "C", "major"),            # F G C Am: heard F lydian
    ("IV-V-I-vi-Eb-capo3-104-review34", "Eb", "major"),   # Ab Bb Eb Cm: heard Ab lydian
    ("IV-V-I-vi-D-review34", "D", "major"),               # G A D Bm: heard G lydian
    ("ii-V-I-I-C-100", "C", "major"),                     # Dm G C C: heard D dorian for 11 s
    ("ii-V-I-vi-Bb-capo3-96", "Bb", "major"),             # Cm F Bb Gm: heard C dorian for 13 s
    ("VI-VII-i-i-Am-review34", "A", "minor"),             # F G Am Am: heard F lydian
    ("iv-v-i-i-Am-review34", "A", "minor"),               # Dm Em Am Am: heard D dorian
    ("iv-v-i-i-Bm-capo2-100", "B", "minor"),              # Em F#m Bm Bm
    ("III-VII-i-i-Em-review34", "E", "minor"),            # G D Em Em: heard G major
    ("IV-V-I-vi-A-92-review36", "A", "major"),            # D E A F#m, ends on A: heard D lydian at main
    ("IV-V-I-vi-E-84-review36", "E", "major"),            # A B E C#m, ends on E: heard A lydian at main
]
ON_TONIC = [
    ("I-V-vi-IV-C-review34", "C", "major"),               # C G Am F: no IV-V-I, no chord held longer
    ("polka-I-V7-G-120-review34", "G", "major"),          # G D7 G C G: V7 held two bars to I's one
]
# The loops whose cues tie: vi-IV-I-V has no IV-V-I and no chord held longer
# (it is also A minor's i-VI-III-VII), V-vi-IV-I likewise; IV-V-I-I's start is reached by II-V-I (D G C in C D G G),
# so it is a resolution too, as a dorian vamp's i is reached from its IV (key.py RESOLVE_START). Heard in the first
# chord's key; a melody or the final chord would have to tell.
TIED = [
    ("vi-IV-I-V-C-100", "C", "major"),                    # Am F C G: heard A minor
    ("V-vi-IV-I-C-review34", "C", "major"),               # G Am F C: heard G mixolydian
    ("IV-V-I-I-G-review34", "G", "major"),                # C D G G: heard C lydian
]


def heard_from(name: str, since: float) -> list[tuple[int, str, float]]:
    """The keys the online analysis of tests/data/key-loop-`name`.mid named from `since` s to its end: (tonic pitch
    class, mode, time of the change (s)), the key already named at `since` first."""
    changes = analyze(DATA / f"key-loop-{name}.mid").keys
    held = [c for c in changes if c["time"] <= since][-1:] + [c for c in changes if c["time"] > since]
    return [(pitch_class(c["tonic"]), c["mode"], round(c["time"], 1)) for c in held]


# Up to session 28 (a known limit, strict xfails) key.py's phrase cue gave the loop's first chord the tonic's bonus;
# since session 29 it goes to where the loop resolves (key.py `_resolution`: loop28's rule, commit 397034d, and its
# guards).
@pytest.mark.parametrize("name, tonic, mode", OFF_TONIC + ON_TONIC)
def test_a_loop_is_heard_in_its_tonic_once_it_has_come_round(name, tonic, mode):
    heard = heard_from(name, SETTLED)
    assert heard and all(h[:2] == (pitch_class(tonic), mode) for h in heard), (tonic, mode, heard)


# review36's takes (/work/scratch/s29/review36/mk.py: the review34 kind's strums, one chord a bar, six loops and a
# held final chord): the same loop in E at 84 and another seed's jitter, ending on its IV (the loop's first chord),
# resolves to E major at 24.1 s and goes back to A lydian at 41.1 s for the rest of the take (the A lydian bonus
# wins again while the I's stays decay); the twin ending on E stays E from 22.9 s.
@pytest.mark.xfail(strict=True, reason="the resolution's stays decay and the loop's first chord takes the key "
                                       "back mid-take (review36: 41.1 s, four loops in)")
def test_a_resolved_loop_stays_in_its_tonic():
    heard = heard_from("IV-V-I-vi-E-84-ends-IV-review36", SETTLED)
    assert [h[:2] for h in heard if h[2] < 60.0] == [(pitch_class("E"), "major")], heard


@pytest.mark.parametrize("name, tonic, mode", OFF_TONIC[:1] + OFF_TONIC[5:7] + ON_TONIC[:1])
def test_offline_a_loop_is_named_by_its_tonic(name, tonic, mode):
    key = analyze(DATA / f"key-loop-{name}.mid", offline=True).key
    assert (pitch_class(key["tonic"]), key["mode"]) == (pitch_class(tonic), mode), key


@pytest.mark.xfail(strict=True, reason="the loop's cadence and hold cues tie or its start is itself reached by a "
                                       "cadence: heard in its first chord's key (vi-IV-I-V is also i-VI-III-VII)")
@pytest.mark.parametrize("name, tonic, mode", TIED)
def test_a_loop_whose_chords_tie_is_heard_in_its_tonic(name, tonic, mode):
    heard = heard_from(name, SETTLED)
    assert all(h[:2] == (pitch_class(tonic), mode) for h in heard), (tonic, mode, heard)


def test_a_lydian_vamp_whose_II_is_held_longest_is_heard_on_its_I():
    # sim2's twice_3-4_C-lydian kind: C Em D D in C lydian (a 3/4 bar each). D is held twice as long as C, so the hold
    # rule alone (loop28) took D for the tonic (D mixolydian, the same notes); but the loop comes back to C from the
    # major chord a tone above it, lydian's II-I, in every pass: a start reached so is home (key.py `_stay`).
    from engine.analyze import run_online
    from tests.test_key_evidence import strummed

    c, em, d = (48, 55, 60, 64, 67), (52, 59, 64, 67, 71), (50, 57, 62, 66, 69)
    a, _ = run_online(strummed([c, em, d, d] * 6 + [c], 2.0, 0))
    assert (pitch_class(a.key["tonic"]), a.key["mode"]) == (0, "lydian"), a.keys


@pytest.mark.parametrize("start, best, minor, cadence, ok", [
    ("C", "Eb", False, False, False),   # a minor blues's Cm7 labelled Eb over its walking bass: held longest, not home
    ("A", "C", False, True, False),     # a minor song's VII-III (G C in A minor) is no V-I of its relative major
    ("G", "E", True, False, True),      # III-VII-i-i in E minor: the relative minor's i, held two bars in four
    ("D", "B", False, False, False),    # a ragtime's VI7 held two bars (Nottingham reelsm-q62's B7 in D)
    ("C", "A", True, True, False),      # a cadence to the vi (E7 Am in C) is no resolution of the loop
    ("C", "G", False, False, False),    # the start's V7 held longest (a polka's, a blues's): a dominant, not home
    ("F", "C", False, True, True),      # IV-V-I-vi: the cadence's I a fifth above the start
    ("D", "A", True, False, True),      # iv-v-i-i in A minor: the i a fifth above, minor, held longest
])
def test_a_loop_resolves_where_a_musician_hears_home(start, best, minor, cadence, ok):
    from engine.listen.key import _may_resolve

    assert _may_resolve(pitch_class(start), pitch_class(best), minor, cadence) is ok


@pytest.mark.parametrize("tune, tonic, offline", [("jigs227", "E", True), ("reelsm-q62", "D", False)])
def test_a_tunes_secondary_cadence_does_not_move_its_tonic(tune, tonic, offline):
    """Nottingham tunes as accuracy.py's `nottingham` set plays them (melody and chords, the first 60 s). jigs227 (Em
    A7 D in E minor): its ii-V-I of D, D held 0.6 of Em's stays, turned the key to D's notes (loop28: offline E
    dorian, then D; key.py `RESOLVE_EVEN`). reelsm-q62 (a rag in D: D D G E7 A7 ..., B7 E7 A7 each two bars): loop28's
    hold rule took its B7 for the tonic, B minor (`_may_resolve`), and its A7 D G for a II-V-I of G."""
    import sys

    from engine.analyze import run_offline, run_online
    from engine.io.midi_input import read_guitar_file
    from tests.conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    import accuracy
    import datasets

    midi = datasets.DATA_ROOT / "nottingham" / "MIDI" / f"{tune}.mid"
    if not midi.is_file():
        pytest.skip(f"{midi} is not here")
    messages = accuracy.cut(read_guitar_file(midi).messages, 60.0)
    key = run_offline(messages).key if offline else run_online(messages)[0].key
    assert pitch_class(key["tonic"]) == pitch_class(tonic), key
