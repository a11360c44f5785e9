"""Live play for real, with no sound card: a JACK server on the dummy backend, `aqyn live` as a separate
process, a probe client playing a guitar file into aqyn's input port and recording aqyn's audio — all on
JACK's one frame clock. Nothing is mocked."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, example, truth
from jackrig import JackServer, Probe, jack_available, onsets

pytestmark = pytest.mark.slow
SERVER = "aqyn-test"
RAMP = "e_mixolydian_ramp_88-116_4-4"
PLAY_SECONDS = 30.0


@pytest.fixture(scope="module")
def server():
    reason = jack_available()
    if reason:
        pytest.fail(f"the live tests need JACK: {reason}; `make test` installs it")
    srv = JackServer(SERVER).start()
    yield srv
    srv.stop()


def start_live(server: JackServer, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "engine", "live", "--quiet", "--log", str(log), *args],
                            cwd=ROOT, env=server.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_ports(probe: Probe, names: list[str], proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        have = {p.name for p in probe.client.get_ports()}
        if all(n in have for n in names):
            return
        if proc.poll() is not None:
            pytest.fail(f"aqyn live exited early ({proc.returncode}): {proc.stderr.read()}")
        time.sleep(0.1)
    pytest.fail(f"ports {names} did not appear")


def guitar_events(name: str, until: float) -> list[tuple[float, bytes]]:
    from engine.io.midi_input import read_guitar_file

    g = read_guitar_file(example(name))
    return [(m.time, bytes([m.status, m.data1, m.data2])) for m in g.messages if m.time < until]


def log_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture(scope="module")
def ramp_session(server, tmp_path_factory):
    """Play 30 s of the accelerating example (88 -> ~104 BPM by then) into `aqyn live --virtual`; record."""
    log = tmp_path_factory.mktemp("live") / "live.jsonl"
    probe = Probe(SERVER, seconds=PLAY_SECONDS + 20)
    proc = start_live(server, "--virtual", log=log)
    try:
        wait_ports(probe, ["aqyn:guitar in", "aqyn-synth:left"], proc)
        probe.connect_midi("aqyn:guitar in")
        probe.connect_audio("aqyn-synth:left", "aqyn-synth:right")
        origin = probe.play(guitar_events(RAMP, PLAY_SECONDS))
        assert probe.wait_played(PLAY_SECONDS + 10)
        time.sleep(6.0)     # the guitar has stopped: the band should stop by itself, the process keeps running
        proc.terminate()
        out, err = proc.communicate(timeout=15)
        audio = probe.audio().copy()
        t0 = probe.index_of(origin) / probe.rate
    finally:
        if proc.poll() is None:
            proc.kill()
        probe.close()
    return {"audio": audio, "rate": probe.rate, "t0": t0, "code": proc.returncode, "err": err, "log": log_lines(log)}


def test_live_process_stops_cleanly_on_sigterm(ramp_session):
    s = ramp_session
    assert s["code"] == 0, s["err"]
    kinds = [e["kind"] for e in s["log"]]
    assert kinds[0] == "start" and "stop" in kinds
    last = [e for e in s["log"] if e["kind"] == "status"][-1]
    assert last["garbage"] == 0 and last["messages"] > 300 and last["input"] == "ok"


def test_band_comes_in_and_plays_on_the_guitars_beats(ramp_session):
    s = ramp_session
    band = onsets(s["audio"], s["rate"]) - s["t0"]
    beats = np.array(truth(RAMP)["beats"])
    beats = beats[beats < PLAY_SECONDS - 1]
    assert len(band) > 40, "the band never played"
    assert band[0] < 12.0, f"the band came in only at {band[0]:.1f} s"
    playing = beats[beats > band[0] + 1.0]
    err = np.array([band[np.argmin(np.abs(band - b))] - b for b in playing])
    # Every beat while the band plays has a band onset near it, early and late in the ramp alike: the
    # band followed the accelerating guitar (without following, the error would grow past a 16th note).
    half = len(err) // 2
    for part in (err[:half], err[half:]):
        assert np.median(np.abs(part)) <= 0.030, f"median {np.median(np.abs(part)) * 1000:.0f} ms off the beat"
        assert np.abs(part).max() <= 0.060, f"worst beat {np.abs(part).max() * 1000:.0f} ms off"


def test_band_follows_the_tempo_change(ramp_session):
    statuses = [e for e in ramp_session["log"] if e["kind"] == "status" and e["bpm"] and e["playing"]]
    early = [e["bpm"] for e in statuses if e["time"] < statuses[0]["time"] + 5]
    late = [e["bpm"] for e in statuses if e["time"] > statuses[0]["time"] + 15]
    assert early and late
    # The example accelerates from 88 BPM; by the end of the 30 s it is about 15 % faster.
    assert np.median(late) > np.median(early) * 1.08


def test_nothing_sounds_after_the_band_stops(ramp_session):
    s = ramp_session
    audio, rate = s["audio"], s["rate"]
    # The guitar stopped at 30 s; the band stops within a bar or two and its last notes ring < 1 s.
    quiet_from = int((s["t0"] + PLAY_SECONDS + 4.0) * rate)
    tail = audio[quiet_from:]
    assert len(tail) > rate, "recording too short to check the silence"
    assert np.abs(tail).max() < 1e-4, f"sound after the band stopped: peak {np.abs(tail).max():.4f}"
