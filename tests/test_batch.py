"""`aqyn render A.mid B.mid ... -o DIR`: a batch over a process pool, through the real FluidSynth."""

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import mido
import numpy as np
import pytest
from typer.testing import CliRunner

from engine.cli import app
from engine.io.soundfont import find_soundfont

pytestmark = pytest.mark.slow
DATA = Path(__file__).parent / "data"
SONG = DATA / "song-120bpm-for-clock-master.mid"       # 16 s
CHORDS = DATA / "power-chords.mid"                      # 35 s
ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def aqyn(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def takes(tmp_path):
    """Two good takes, a file that is no MIDI and one that is missing, in a folder."""
    folder = tmp_path / "takes"
    folder.mkdir()
    (folder / "song.mid").write_bytes(SONG.read_bytes())
    (folder / "chords.mid").write_bytes(CHORDS.read_bytes())
    (folder / "broken.mid").write_text("not MIDI at all")
    return [folder / "song.mid", folder / "broken.mid", folder / "chords.mid", folder / "missing.mid"]


def test_a_batch_renders_the_good_files_and_names_the_bad_ones(takes, tmp_path):
    out = tmp_path / "out"
    r = aqyn("render", *takes, "-o", out, "--wav", out, "--jobs", 2)
    assert r.exit_code == 2, r.output
    lines = r.stdout.strip().splitlines()
    assert sorted(line.split()[0] for line in lines) == ["failed", "failed", "ok", "ok"]
    assert any(line.startswith(f"failed  {takes[1]}: not a readable MIDI file") for line in lines)
    assert any(line.startswith(f"failed  {takes[3]}: ") for line in lines)
    assert any(line.startswith(f"ok      {takes[0]} -> {out / 'song.mid'}, {out / 'song.wav'}: key ")
               for line in lines)
    assert r.stderr.strip() == f"aqyn: error: 2 of 4 files failed: {takes[1]}, {takes[3]}"
    assert sorted(p.name for p in out.iterdir()) == ["chords.mid", "chords.wav", "song.mid", "song.wav"]
    # Each good file is byte for byte what a render of it alone writes.
    for name in ("song", "chords"):
        single = tmp_path / f"single-{name}"
        alone = aqyn("render", takes[0].parent / f"{name}.mid", "-o", f"{single}.mid", "--wav", f"{single}.wav")
        assert alone.exit_code == 0
        assert f" of audio (SoundFont {find_soundfont().name}), " in alone.stdout   # the font heard is named
        assert (out / f"{name}.mid").read_bytes() == Path(f"{single}.mid").read_bytes()
        assert (out / f"{name}.wav").read_bytes() == Path(f"{single}.wav").read_bytes()


def test_a_batch_says_each_files_warnings_as_a_render_of_it_alone(takes, tmp_path):
    # review34: a batch printed none of a file's warnings (events left out, a style in another meter, cues not
    # taken) that a render of the file alone prints. A stray note long after the song is left out with one.
    mid = mido.MidiFile(SONG)
    track = mid.tracks[0]          # (a type-0 file: the stray note goes into its one track, before its end)
    later = int(mido.second2tick(1500, mid.ticks_per_beat, 500000))    # over STRAY_GAP at any tempo of 80-200
    track[-1:-1] = [mido.Message("note_on", note=40, velocity=80, time=later),
                    mido.Message("note_off", note=40, velocity=0, time=10)]
    stray = tmp_path / "stray.mid"
    mid.save(stray)
    alone = aqyn("render", stray, "-o", tmp_path / "alone.mid")
    said = [line for line in alone.stderr.splitlines() if line.startswith("aqyn: warning: left out")]
    assert alone.exit_code == 0 and len(said) == 1
    r = aqyn("render", stray, takes[2], "-o", tmp_path / "out", "--jobs", 1)
    assert r.exit_code == 0, r.output
    assert r.stderr.strip().splitlines() == [said[0].replace("aqyn: warning: ", f"aqyn: warning: {stray}: ")]


def test_one_or_two_jobs_write_the_same_files(takes, tmp_path):
    good = [takes[0], takes[2]]
    for jobs in (1, 2):
        r = aqyn("render", *good, "-o", tmp_path / f"j{jobs}", "--stems", tmp_path / f"j{jobs}" / "stems",
                 "--jobs", jobs)
        assert r.exit_code == 0, r.output
        assert r.stdout.strip().splitlines()[-1] == f"rendered 2 files into {tmp_path / f'j{jobs}'}"
    files = sorted(p.relative_to(tmp_path / "j1") for p in (tmp_path / "j1").rglob("*") if p.is_file())
    assert [str(f) for f in files] == ["chords.mid", "song.mid", "stems/chords/dombra.wav",
                                       "stems/chords/percussion.wav", "stems/song/dombra.wav",
                                       "stems/song/percussion.wav"]
    # Each file that differs named with where it first does, not pytest's diff of the bytes (of two WAVs it ran
    # for over ten minutes).
    differ = [f"{f}: {first_difference(tmp_path / 'j1' / f, tmp_path / 'j2' / f)}" for f in files
              if (tmp_path / "j1" / f).read_bytes() != (tmp_path / "j2" / f).read_bytes()]
    assert not differ, "one job and two wrote different files:\n" + "\n".join(differ)


def first_difference(a: Path, b: Path) -> str:
    """Where files `a` and `b` (which differ) first do: a MIDI file's first differing event (track, index, tick
    and both messages), a WAV's first differing frame (its time, both samples, how many frames differ and by
    how much at most), else the first differing byte."""
    if a.suffix == ".mid":
        for n, (ta, tb) in enumerate(zip(mido.MidiFile(a).tracks, mido.MidiFile(b).tracks)):
            for i, (ma, mb) in enumerate(zip(ta, tb)):
                if ma != mb:
                    tick = sum(m.time for m in ta[:i + 1])
                    return f"track {n} event {i} (tick {tick}): {ma} / {mb}"
            if len(ta) != len(tb):
                return f"track {n}: {len(ta)} / {len(tb)} events"
    if a.suffix == ".wav":
        with wave.open(str(a)) as wa, wave.open(str(b)) as wb:
            rate = wa.getframerate()
            sa = np.frombuffer(wa.readframes(wa.getnframes()), "<i2").reshape(-1, 2)
            sb = np.frombuffer(wb.readframes(wb.getnframes()), "<i2").reshape(-1, 2)
        if len(sa) != len(sb):
            return f"{len(sa)} / {len(sb)} frames"
        rows = np.flatnonzero((sa != sb).any(axis=1))
        if len(rows):
            i, most = rows[0], int(np.abs(sa.astype(int) - sb).max())
            return (f"frame {i} ({i / rate:.4f} s): {tuple(sa[i].tolist())} / {tuple(sb[i].tolist())}; "
                    f"{len(rows)} frames differ, by up to {most} of 32767")
    da, db = a.read_bytes(), b.read_bytes()
    i = next((i for i, (x, y) in enumerate(zip(da, db)) if x != y), min(len(da), len(db)))
    return f"byte {i} of {len(da)} / {len(db)}"


@pytest.mark.parametrize("make, words", [
    (lambda d: d / "file.mid", "-o {d}/file.mid is a file; with several inputs -o names a folder"),
    (lambda d: d / "no" / "such", "cannot make the folder {d}/no/such for -o"),
    (lambda d: d / "single.mid", "-o {d}/single.mid names a file, but with several inputs -o names a folder"),
])
def test_a_batch_needs_folders(takes, tmp_path, make, words):
    (tmp_path / "file.mid").write_text("x")
    r = aqyn("render", takes[0], takes[2], "-o", make(tmp_path))
    assert r.exit_code == 2
    assert r.stderr.strip().startswith(f"aqyn: error: {words.format(d=tmp_path)}")
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "single.mid").exists()


def test_two_inputs_of_one_name_are_refused_before_any_work(takes, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "song.mid").write_bytes(SONG.read_bytes())
    r = aqyn("render", takes[0], other / "song.mid", "-o", tmp_path / "out")
    assert r.exit_code == 2
    assert "would both write" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_bad_jobs_and_a_single_input_keeps_its_one_line(takes, tmp_path):
    r = aqyn("render", takes[0], takes[2], "-o", tmp_path, "--jobs", 0)
    assert r.exit_code == 2 and r.stderr.strip() == "aqyn: error: --jobs must be 1 or more, got 0"
    r = aqyn("render", takes[1], "-o", tmp_path / "o.mid")
    assert r.exit_code == 2
    assert r.stderr.strip().startswith("aqyn: error: not a readable MIDI file") and r.stdout == ""


@pytest.mark.parametrize("sig, group, code", [(signal.SIGTERM, False, 143), (signal.SIGINT, True, 130)])
def test_a_stopped_batch_leaves_no_half_written_file_and_no_worker(takes, tmp_path, sig, group, code):
    out = tmp_path / "out"
    good = [takes[0], takes[2]]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    # Ctrl-C as a terminal delivers it: a test run started as a background job of a non-interactive shell
    # ignores SIGINT, and so would the batch it starts (it then rendered on and exited 0; session 19).
    p = subprocess.Popen([sys.executable, "-m", "engine", "render", *map(str, good), "-o", str(out),
                          "--wav", str(out), "--jobs", "2"], env=env, start_new_session=True,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 30
    while not any(out.glob(".*.tmp")) and time.monotonic() < deadline:      # the renders are under way
        time.sleep(0.02)
    (os.killpg if group else os.kill)(p.pid, sig)                         # Ctrl-C reaches the whole group
    _, err = p.communicate(timeout=30)
    assert p.returncode == code, err
    assert [f.name for f in out.iterdir() if f.name.startswith(".")] == []   # no temporary or scratch file
    for f in out.iterdir():                                                   # what is there is whole
        assert f.name in ("song.mid", "song.wav", "chords.mid", "chords.wav")
    # Nothing of the batch lives on (the pool's fork server and resource tracker leave once the batch has).
    deadline = time.monotonic() + 10
    while (left := subprocess.run(["pgrep", "-s", str(p.pid)], capture_output=True, text=True).stdout.split()):
        assert time.monotonic() < deadline, left
        time.sleep(0.1)


def test_a_workers_clean_up_is_not_cut_short_by_a_second_sigterm(tmp_path):
    """A stopped worker's first SIGTERM ends its render; a second (the pool terminates the workers still
    alive once one has exited) must not cut the clean-up short: it left the WAV thread's scratch file."""
    code = ("import time, sys\n"
            "from engine.batch import _worker_signals\n"
            "_worker_signals()\n"
            "try:\n"
            "    print('ready', flush=True)\n"      # inside the try: a SIGTERM just after it is caught
            "    time.sleep(30)\n"
            "except SystemExit:\n"
            "    print('stopping', flush=True)\n"
            "    time.sleep(1.0)\n"
            "    print('cleaned up', flush=True)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    p = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline() == "ready\n"
    p.send_signal(signal.SIGTERM)
    assert p.stdout.readline() == "stopping\n"
    p.send_signal(signal.SIGTERM)                  # while it cleans up
    out, _ = p.communicate(timeout=30)
    assert out == "cleaned up\n"


def test_a_difference_is_named_where_it_first_is(tmp_path):
    midi = mido.MidiFile(SONG)
    track, i = next((n, i) for n, t in enumerate(midi.tracks) for i, m in enumerate(t) if m.type == "note_on")
    tick = sum(m.time for m in midi.tracks[track][:i + 1])
    changed = midi.tracks[track][i].copy(velocity=1)
    midi.tracks[track][i] = changed
    midi.save(tmp_path / "changed.mid")
    assert first_difference(SONG, tmp_path / "changed.mid") == (
        f"track {track} event {i} (tick {tick}): {mido.MidiFile(SONG).tracks[track][i]} / {changed}")
    frames = np.zeros((1000, 2), dtype="<i2")
    for name, at in (("a.wav", None), ("b.wav", 441)):
        if at is not None:
            frames[at:at + 3] = (5, -5)
        with wave.open(str(tmp_path / name), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes(frames.tobytes())
    assert first_difference(tmp_path / "a.wav", tmp_path / "b.wav") == (
        "frame 441 (0.0100 s): (0, 0) / (5, -5); 3 frames differ, by up to 5 of 32767")
    (tmp_path / "c.txt").write_bytes(b"abcd")
    (tmp_path / "d.txt").write_bytes(b"abXd")
    assert first_difference(tmp_path / "c.txt", tmp_path / "d.txt") == "byte 2 of 4 / 4"
