"""bench/listen_levels.py: the level a reported tempo is at, and a real take's beats matched to the truth's."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import listen_levels as ll  # noqa: E402


def test_level_of_names_each_ratio_and_only_within_tolerance():
    assert ll.level_of(110.3 / 166.0) == "2:3"        # GuitarSet BN2 solo's dotted quarters
    assert ll.level_of(166.0 / 110.3) == "3:2"
    assert ll.level_of(1.03) == "1"
    assert ll.level_of(1.2) == "other"
    assert ll.level_of(2.0 * (1 + 0.9 * ll.TOLERANCE)) == "2"
    assert ll.level_of(2.0 * (1 + 1.1 * ll.TOLERANCE)) == "other"


def test_a_steady_strummed_take_is_counted_at_its_own_level():
    """GuitarSet's SS1 comping (100 BPM, strummed): its beats are matched to the truth's, most at ratio 1."""
    items = [(p, m) for p, m in ll.items_of("guitarset-dev", 60) if "gscomp_01_SS1" in p.name]
    shares, _ = ll.take_levels(*items[0])
    assert abs(sum(shares.values()) - 1) < 1e-9
    assert shares.get("1", 0.0) > 0.8


def test_the_reels_set_holds_reels_only_and_never_a_held_out_name():
    """accuracy.reel_pieces: Nottingham reels alone, at REEL_BPM, none whose CRC-32 is 0 mod 4 (solo-held's rule).
    The Nottingham loader reads its files with pretty_midi, a bench extra (`pip install -e '.[bench]'`, `make
    accuracy`) that `make test` does not install: without it every reel is skipped, so the test is too."""
    import zlib

    pytest.importorskip("pretty_midi")

    items = ll.items_of("reels", 60)
    assert len(items) == 30
    lo, hi = ll.accuracy.REEL_BPM
    for piece, messages in items:
        source = "nottingham/" + piece.name.split("/")[-1]
        assert source.startswith("nottingham/reels") and zlib.crc32(source.encode()) % 4 != 0
        assert lo - 0.5 <= 60.0 / float(piece.beats[1] - piece.beats[0]) <= hi + 0.5 or piece.meter != "4/4"
        assert {m.data2 for m in messages if m.kind == 0x90} == {ll.accuracy.SOLO_VELOCITY}
