"""A chord loop that does not start on its tonic is heard in its tonic's key, as a musician hears it: where the loop
resolves (the chord a cadence reaches, the chord held longest), not the chord it starts on (review34: F G C Am in C
was heard F lydian for the whole take, minor VI-VII-i-i F lydian, iv-v-i-i D dorian; key.py's phrase cue gave the
loop's first chord the tonic's bonus). Takes: review34's converter takes (/work/scratch/s28/review34/mk.py:
open-shape strums D.DU.UDU, one chord a bar, 16 bars and the final chord, each string's latency and jitter), and
the same generator's ii-V-I, vi-IV-I-V and capo takes (session 28, loop28)."""

from pathlib import Path

import pytest

from engine.analyze import analyze
from engine.theory import pitch_class

DATA = Path(__file__).parent / "data"
SETTLED = 15.0   # s: the key from here on (each loop has come round once; review34: 10-19 s with the cue off)

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


# Known limit (session 28, loop28): key.py's phrase cue gives the loop's first chord the tonic's bonus. A rule that
# moved it to where the loop resolves (the chord held longest; else the one IV-V-I or ii-V-I reaches; commit 397034d on
# branch loop28, reverted) made these pass and cost the held-out sim4-held key exact 0.792 -> 0.708 (bench/README.md).
OFF_TONIC_LIMIT = pytest.mark.xfail(strict=True, reason="known limit: a loop is heard in the key of the chord it "
                                                        "starts on (review34; bench/README.md loop28)")


@pytest.mark.parametrize("name, tonic, mode", [pytest.param(*t, marks=OFF_TONIC_LIMIT) for t in OFF_TONIC]
                         + ON_TONIC)
def test_a_loop_is_heard_in_its_tonic_once_it_has_come_round(name, tonic, mode):
    heard = heard_from(name, SETTLED)
    assert heard and all(h[:2] == (pitch_class(tonic), mode) for h in heard), (tonic, mode, heard)


@pytest.mark.parametrize("name, tonic, mode", [pytest.param(*t, marks=OFF_TONIC_LIMIT)
                                                for t in OFF_TONIC[:1] + OFF_TONIC[5:7]] + ON_TONIC[:1])
def test_offline_a_loop_is_named_by_its_tonic(name, tonic, mode):
    key = analyze(DATA / f"key-loop-{name}.mid", offline=True).key
    assert (pitch_class(key["tonic"]), key["mode"]) == (pitch_class(tonic), mode), key


@pytest.mark.xfail(strict=True, reason="the loop's cadence and hold cues tie or its start is itself reached by a "
                                       "cadence: heard in its first chord's key (vi-IV-I-V is also i-VI-III-VII)")
@pytest.mark.parametrize("name, tonic, mode", TIED)
def test_a_loop_whose_chords_tie_is_heard_in_its_tonic(name, tonic, mode):
    heard = heard_from(name, SETTLED)
    assert all(h[:2] == (pitch_class(tonic), mode) for h in heard), (tonic, mode, heard)
