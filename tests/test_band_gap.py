"""bench/band_gap.py: the band beats the time line decided, recorded while a take renders."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import band_gap as bg  # noqa: E402
import mido  # noqa: E402

from engine.render import render  # noqa: E402
from engine.timeline import BandTimeline  # noqa: E402


def first_seconds(src: Path, dst: Path, seconds: float) -> Path:
    """`src`'s first `seconds` (s) of messages written to `dst` (a shorter take renders faster)."""
    mid = mido.MidiFile(src)
    out = mido.MidiFile(ticks_per_beat=mid.ticks_per_beat, type=0)
    track, t, tempo = mido.MidiTrack(), 0.0, 500000
    for msg in mido.merge_tracks(mid.tracks):
        t += mido.tick2second(msg.time, mid.ticks_per_beat, tempo)
        if t > seconds:
            break
        tempo = msg.tempo if msg.type == "set_tempo" else tempo
        track.append(msg)
    out.tracks.append(track)
    out.save(dst)
    return dst


def test_decisions_record_each_band_beat_where_its_length_put_it_and_let_go(tmp_path):
    """The D dorian example's first 20 s (96 BPM, 4/4): every decided beat lies one recorded length after the one
    before, at the band's level, a beat of about 0.625 s on a grid whose nearest beat is within a tenth of a beat;
    the time line's `_decide` is its own again after the block."""
    decide = BandTimeline._decide
    with bg.decisions() as rows:
        take = first_seconds(ROOT / "examples" / "d_dorian_96_4-4.mid", tmp_path / "in.mid", 20.0)
        render(str(take), str(tmp_path / "out.mid"))
    assert BandTimeline._decide is decide
    assert len(rows) > 20
    for (t0, *_), (t1, length, level, *_, grid_period, off) in zip(rows, rows[1:]):
        assert abs(t1 - t0 - length) < 1e-9
        assert level == "1"
        assert abs(length - 0.625) < 0.06 and abs(grid_period - 0.625) < 0.06
        assert abs(off) < 0.1 * grid_period
