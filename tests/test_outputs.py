"""Where `aqyn render` writes: only regular files, each output its own, with the permissions a new file gets,
and nothing left behind when it is stopped (issue 13's output kinds; paths in a temp folder, never the real
/dev/null)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import example
from typer.testing import CliRunner

from engine.cli import app

runner = CliRunner()
DORIAN = str(example("d_dorian_96_4-4"))


def refused(result, *words):
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("aqyn: error: ")
    for w in words:
        assert w in lines[0]


def test_a_fifo_a_link_or_a_read_only_file_is_not_written_through(tmp_path):
    fifo, link, target, ro = tmp_path / "fifo.mid", tmp_path / "link.mid", tmp_path / "t.mid", tmp_path / "ro.mid"
    os.mkfifo(fifo)
    link.symlink_to(target)
    ro.write_bytes(b"x")
    ro.chmod(0o444)
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(fifo)]), "not a regular file")
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(link)]), "symbolic link")
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(ro)]), "read-only")
    assert fifo.exists() and not fifo.is_file() and link.is_symlink() and not target.exists()
    assert ro.read_bytes() == b"x"


def test_two_outputs_with_one_path_are_refused(tmp_path):
    same = tmp_path / "same"
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(same), "--wav", str(same)]), "-o and --wav")
    assert not same.exists()


def test_outputs_get_the_umask_or_keep_the_mode_of_the_file_they_replace(tmp_path):
    old = os.umask(0o022)
    try:
        assert runner.invoke(app, ["render", DORIAN, "-o", str(tmp_path / "new.mid")]).exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "new.mid").stat().st_mode & 0o777 == 0o644
    kept = tmp_path / "kept.mid"
    kept.write_bytes(b"x")
    kept.chmod(0o640)
    assert runner.invoke(app, ["render", DORIAN, "-o", str(kept)]).exit_code == 0
    assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_bytes()[:4] == b"MThd"


@pytest.mark.slow
@pytest.mark.parametrize("stage", [".tmp", ".mix"])
def test_sigterm_during_a_render_leaves_no_temporary_files_and_the_old_file_intact(tmp_path, stage):
    # .tmp: the outputs are being written; .mix: the WAV's float mix is streaming to its scratch file.
    out, wav = tmp_path / "band.mid", tmp_path / "band.wav"
    out.write_bytes(b"the old take")
    proc = subprocess.Popen([sys.executable, "-m", "engine", "render", DORIAN, "-o", str(out), "--wav", str(wav),
                             "--with-guitar"], cwd=Path(__file__).parents[1],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Stop it while it writes: its temporary files beside the outputs exist (the WAV takes a second or two).
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(stage) for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline, "the render ended before it wrote"
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM
    assert sorted(p.name for p in tmp_path.iterdir()) == ["band.mid"] and out.read_bytes() == b"the old take"


def test_a_style_titled_in_kazakh_cyrillic_renders_and_its_markers_read_back(tmp_path):
    # Text that goes into the MIDI file (a style's title in its markers) is written as ASCII, romanised: it
    # reads the same whatever charset the reader assumes (UTF-8 read as `TÃ¶kpe` in mido's default Latin-1, as
    # in a DAW reading Latin-1; review20), and never crashes the writer (Latin-1 refused Cyrillic).
    import mido

    shipped = Path(__file__).parents[1] / "patterns" / "tokpe-gallop.toml"
    text = shipped.read_text(encoding="utf-8").replace('name = "tokpe-gallop"', 'name = "kaz"')
    text = text.replace('title = "Tökpe gallop"', 'title = "Төкпе шауып"')
    (tmp_path / "kaz.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "kaz.mid"
    r = runner.invoke(app, ["render", DORIAN, "-o", str(out), "--patterns", str(tmp_path), "--style", "kaz"])
    assert r.exit_code == 0, r.output
    markers = [m.text for m in mido.MidiFile(out, charset="utf-8").tracks[0] if m.type == "marker"]
    assert "band in: Tokpe shauyp" in markers
    assert markers == [m.text for m in mido.MidiFile(out).tracks[0] if m.type == "marker"]     # as Latin-1 too
    r = runner.invoke(app, ["render", DORIAN, "-o", str(out)])                 # the shipped Tökpe gallop
    assert "band in: Tokpe gallop" in [m.text for m in mido.MidiFile(out).tracks[0] if m.type == "marker"]


def test_arrays_nested_thousands_deep_are_one_line_not_a_recursion_error(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(tmp_path / "x.mid"), "--cues", str(deep)]),
            "nested too deeply")


def test_sigterm_at_any_moment_of_a_streamed_render_exits_143_and_leaves_nothing(tmp_path):
    # The WAV is synthesised in threads while the band plays: a SIGTERM landing at any point (loading the
    # synths, listening, rendering a block, finishing) must end the process cleanly: no crash, no hang, no
    # temporary or scratch file. Earlier, 2 in 16 such stops crashed with a segfault (CPython bpo-45274).
    for k in range(8):
        folder = tmp_path / str(k)
        folder.mkdir()
        proc = subprocess.Popen([sys.executable, "-m", "engine", "render", DORIAN, "-o", str(folder / "b.mid"),
                                 "--wav", str(folder / "b.wav"), "--with-guitar"], cwd=Path(__file__).parents[1],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(folder.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline, "the render ended before it wrote"
            time.sleep(0.005)
        time.sleep(0.04 + 0.17 * k)
        # Once its outputs are in place the render is over: what is left is the report and the interpreter's
        # teardown (~0.1 s), where SIGTERM's default action applies (exit -15, the outputs whole). On a quick
        # machine the last stop landed there (CI: k 7, exit -15): then the run is waited for instead.
        if not (folder / "b.mid").exists():
            proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=60)
        assert code in (0, 128 + signal.SIGTERM), (k, code, proc.stderr.read()[-2000:])
        left = sorted(p.name for p in folder.iterdir())
        assert left == ([] if code else ["b.mid", "b.wav"]), (k, left)


def test_a_stop_asked_for_while_a_temporary_file_is_made_waits_for_its_name_to_be_known(tmp_path):
    """outputs.stop (what aqyn's SIGTERM handlers call) raises at once outside `stops_held`, and at the end of
    the outermost block inside it, when the file made there is known to the clean-up."""
    from engine.io import outputs

    with pytest.raises(SystemExit) as now:
        outputs.stop(143)
    assert now.value.code == 143
    made = []
    with pytest.raises(SystemExit) as later:
        with outputs.stops_held():
            with outputs.stops_held():
                outputs.stop(143)                    # the signal lands here ...
                made.append(tmp_path / "x.tmp")      # ... and the name is still recorded
            made.append("inner block left")
    assert later.value.code == 143 and made == [tmp_path / "x.tmp", "inner block left"]
    with outputs.stops_held():
        pass                                         # nothing pending is left behind


def test_an_output_named_as_another_kind_of_file_is_refused(tmp_path):
    """review25: `-o song.wav` wrote MIDI data under a WAV's name (and `--wav x.mid` a WAV under a MIDI file's),
    which a player or a DAW refuses; each is refused in one line naming the right option, nothing written."""
    song = tmp_path / "song.wav"
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(song)]), "-o", "song.mid", "--wav")
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(tmp_path / "a.mid"), "--wav", str(tmp_path / "b.MID")]),
            "--wav", "b.wav")
    refused(runner.invoke(app, ["render", DORIAN, "-o", str(tmp_path / "a.mid"), "--plot", str(tmp_path / "a.wav")]),
            "--plot", "a.png")
    chart = Path(__file__).resolve().parents[1] / "examples" / "steppe_song.chart"
    refused(runner.invoke(app, ["play", str(chart), "-o", str(song)]), "-o", "song.mid")
    assert list(tmp_path.iterdir()) == []
    assert runner.invoke(app, ["render", DORIAN, "-o", str(tmp_path / "take")]).exit_code == 0   # no suffix: as given
