"""`--plot OUT.png`: the timeline picture's lanes, a small golden image, and the commands' files and failures.

The golden image (tests/data/plot_golden.png) is a hand-made picture drawn small with its text hidden (the
words are checked through the figure's artists instead, and fonts differ between machines); it is compared
as a downsampled grayscale with a tolerance, so antialiasing differences pass and a moved span, a changed
colour or a missing lane do not. After an intended change of the picture, write it again with
`AQYN_GOLDEN=write pytest tests/test_plot.py` and look at it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, example

from engine.analyze import Analysis, analyze_guitar
from engine.events import Beat, Marker
from engine.io.midi_input import read_guitar_file
from engine.io.plot import Picture, band_lanes, picture_of, timeline_figure
from engine.render import play

GOLDEN = ROOT / "tests" / "data" / "plot_golden.png"
BLOCK = 4                # pixels averaged per side before comparing
MEAN_TOLERANCE = 0.002   # mean absolute difference of the downsampled grayscale (0..1) that still passes
BLOCK_TOLERANCE = 0.03   # and the largest difference of one block


def labels(fig) -> list[str]:
    return [ax.get_ylabel().split()[0] for ax in fig.axes]


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


@pytest.fixture(scope="module")
def dorian():
    g = read_guitar_file(example("d_dorian_96_4-4"))
    return g, analyze_guitar(g), play(g)[1]


def test_an_analysis_picture_has_the_heard_lanes(dorian):
    g, heard, _ = dorian
    fig = timeline_figure(picture_of("dorian", g.messages, heard))
    assert labels(fig) == ["guitar", "tempo", "key", "chords", "confidence"]
    guitar, tempo, key, chords, confidence = fig.axes
    notes = guitar.collections[-1]
    assert len(notes.get_segments()) == g.notes                     # a bar per note in the piano roll
    beats = guitar.collections[0]
    assert len(beats.get_segments()) == len(heard.beats)
    assert "D dorian" in texts(key) and {"Dm", "C", "G"} <= set(texts(chords))
    assert len(confidence.lines) == 3 and [line.get_label() for line in confidence.lines] == ["key", "beat", "meter"]
    assert max(confidence.lines[1].get_ydata()) > 0.9                # the beat was heard with confidence
    bpm = tempo.lines[0].get_ydata()
    assert 90 < np.median(bpm) < 102


def test_a_render_picture_adds_the_bands_lane(dorian):
    g, heard, band = dorian
    picture = picture_of("dorian", g.messages, heard, band)
    fig = timeline_figure(picture)
    assert labels(fig) == ["guitar", "tempo", "key", "chords", "band", "confidence"]
    lane = fig.axes[4]
    assert {"intro", "main_a", "fill"} <= set(texts(lane)) and " in" in texts(lane) and " out" in texts(lane)
    entry = next(t for t, text in picture.band.marks if text.startswith("band in"))
    assert picture.band.sections[0][0] == pytest.approx(entry, abs=0.1)
    assert len(fig.axes[1].lines) == 2                                # heard and played tempo


def test_the_bands_lane_reads_its_markers():
    events = [Marker(1.0, "band in: Tokpe"), Marker(1.0, "section: intro"), Beat(1.0, 0, 0, 4, 0.5),
              Marker(3.0, "section: main_a"), Beat(3.0, 4, 0, 4, 0.5), Marker(7.0, "stop"),
              Marker(9.0, "band out"), Marker(10.0, "section: main_a"), Beat(10.0, 0, 0, 4, 0.5)]
    lanes = band_lanes(events)
    assert lanes.sections == [(1.0, 3.0, "intro"), (3.0, 9.0, "main_a"), (10.0, 10.5, "main_a")]
    assert lanes.marks == [(1.0, "band in: Tokpe"), (7.0, "stop"), (9.0, "band out")]
    assert [b[1] for b in lanes.beats] == [True, True, True]


def golden_picture(shift: float = 0.0) -> Picture:
    """A small made-up take: a bar of D minor, one of C, the band in for both (`shift` moves the chords)."""
    notes = [(0.5 * k, 0.5 * k + 0.4, 50 + (k % 3) * 5 - (k >= 8) * 2, 60 + 8 * (k % 4)) for k in range(16)]
    heard = Analysis(file="g", duration=8.0, mode="online", beats=[0.5 * k for k in range(16)],
                     downbeats=[0.0, 2.0, 4.0, 6.0], tempo=[{"time": 1.0, "bpm": 118.0}, {"time": 4.0, "bpm": 122.0}],
                     keys=[{"time": 1.0, "tonic": "D", "mode": "dorian", "confidence": 0.8}],
                     chords=[{"time": 0.2 + shift, "label": "D:min"}, {"time": 4.0 + shift, "label": "C:maj"}],
                     confidence=[(0.1 * k, min(1, 0.02 * k), min(1, 0.03 * k), min(1, 0.015 * k)) for k in range(80)])
    band = [Marker(2.0, "band in: test"), Marker(2.0, "section: intro"), Marker(4.0, "section: main_a"),
            Marker(7.5, "band out")] + [Beat(2.0 + 0.5 * k, k, k % 4, 4, 0.5) for k in range(11)]
    return Picture("golden", notes, heard, band_lanes(band))


def grey_blocks(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    rgb = imread(path)[..., :3]
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    h, w = (grey.shape[0] // BLOCK) * BLOCK, (grey.shape[1] // BLOCK) * BLOCK
    return grey[:h, :w].reshape(h // BLOCK, BLOCK, w // BLOCK, BLOCK).mean(axis=(1, 3))


def draw_without_text(picture: Picture, path: Path) -> None:
    from matplotlib.text import Text

    fig = timeline_figure(picture, width=6.0, dpi=50)
    for text in fig.findobj(Text):
        text.set_visible(False)
    fig.savefig(path, format="png", dpi=50)


def looks_alike(a: Path, b: Path) -> bool:
    x, y = grey_blocks(a), grey_blocks(b)
    if x.shape != y.shape:
        return False
    diff = np.abs(x - y)
    return diff.mean() < MEAN_TOLERANCE and diff.max() < BLOCK_TOLERANCE


def test_the_picture_looks_as_it_did(tmp_path):
    drawn = tmp_path / "golden.png"
    draw_without_text(golden_picture(), drawn)
    if os.environ.get("AQYN_GOLDEN") == "write":
        GOLDEN.write_bytes(drawn.read_bytes())
    assert looks_alike(drawn, GOLDEN)
    assert GOLDEN.stat().st_size < 20_000
    # The comparison sees a real change: the chords a second later, another key, no band lane.
    moved, other_key, no_band = golden_picture(shift=1.0), golden_picture(), golden_picture()
    other_key.heard.keys = [dict(other_key.heard.keys[0], tonic="A")]
    no_band.band = None
    for k, changed in enumerate((moved, other_key, no_band)):
        draw_without_text(changed, tmp_path / f"changed{k}.png")
        assert not looks_alike(tmp_path / f"changed{k}.png", GOLDEN), k


def aqyn(*args: str, pre: str = "") -> subprocess.CompletedProcess:
    code = f"{pre}import sys; from engine.cli import main; sys.argv = ['aqyn', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_analyze_and_render_write_the_picture(tmp_path):
    png = tmp_path / "heard.png"
    r = aqyn("analyze", str(example("a_minor_66_6-8")), "--plot", str(png))
    assert r.returncode == 0, r.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.stdout.splitlines()[-1] == f"wrote {png}"          # said, as render says what it wrote
    out, played = tmp_path / "band.mid", tmp_path / "band.png"
    r = aqyn("render", str(example("a_minor_66_6-8")), "-o", str(out), "--plot", str(played))
    assert r.returncode == 0, r.stderr
    assert f"wrote {out} and {played}" in r.stdout
    assert played.stat().st_size > png.stat().st_size / 2 and out.exists()
    assert not list(tmp_path.glob(".*"))                     # no temporary file left


def test_without_matplotlib_plot_is_one_line_and_no_work(tmp_path):
    hide = "import sys; sys.modules['matplotlib'] = None; "
    for args in (["analyze", str(example("a_minor_66_6-8"))],
                 ["render", str(example("a_minor_66_6-8")), "-o", str(tmp_path / "out.mid")]):
        r = aqyn(*args, "--plot", str(tmp_path / "p.png"), pre=hide)
        assert r.returncode == 2 and r.stdout == ""
        assert r.stderr == "aqyn: error: --plot needs matplotlib: pip install 'aqyn[plot]'\n"
    assert list(tmp_path.iterdir()) == []
    r = aqyn("analyze", str(example("a_minor_66_6-8")), pre=hide)     # without --plot it is not needed
    assert r.returncode == 0, r.stderr


def test_a_picture_that_cannot_be_written_fails_before_any_work(tmp_path):
    r = aqyn("analyze", str(example("a_minor_66_6-8")), "--plot", str(tmp_path / "no" / "p.png"))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "does not exist" in r.stderr, r.stderr
    r = aqyn("render", str(example("a_minor_66_6-8")), "-o", str(tmp_path / "x"), "--plot", str(tmp_path / "x"))
    assert r.returncode == 2 and "-o and --plot name the same file" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


def test_lanes_with_nothing_to_draw_say_why():
    from engine.events import InputMessage

    messages = [InputMessage(0.0, 0x90, 60, 90), InputMessage(0.25, 0x80, 60, 0)]
    heard = Analysis(file="two", duration=0.25, mode="online",
                     keys=[{"time": 0.06, "tonic": "C", "mode": "major", "confidence": 0.0}])
    fig = timeline_figure(picture_of("two notes", messages, heard, band=[]))
    assert labels(fig) == ["guitar", "tempo", "key", "chords", "band", "confidence"]
    assert texts(fig.axes[1]) == ["no steady beat heard"] and texts(fig.axes[4]) == ["the band did not come in"]
