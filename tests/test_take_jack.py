"""`aqyn live --record` for real: a JACK server on the dummy backend, `aqyn live` as its own process, a probe
client playing the D dorian example and a footswitch into aqyn's input port; then the cable is pulled and the
process stopped with SIGTERM, or killed outright. Nothing is mocked (tests/jackrig.py)."""

from __future__ import annotations

import bisect
import os
import subprocess
import sys
import time
from pathlib import Path

import mido
import numpy as np
import pytest
from conftest import ROOT, example, jack_server
from jackrig import JackServer, Probe, end_live, stop_live

from engine.events import Beat, InputMessage
from engine.inputs import Cue
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.io.take import take_cues
from engine.render import play

pytestmark = pytest.mark.slow
SERVER = f"aqyn-take-{os.getpid()}"
DORIAN = "d_dorian_96_4-4"
PULLED_AT = 14.0      # s of the played events: the cable is pulled for good


@pytest.fixture(scope="module")
def server():
    yield from jack_server(SERVER, period=256)


def start_live(server: JackServer, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "engine", "live", "--quiet", *args], cwd=ROOT, env=server.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(what, proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if proc.poll() is not None:
            pytest.fail(f"aqyn live exited early ({proc.returncode}): {proc.stderr.read()}")
        if time.monotonic() > deadline:
            pytest.fail("aqyn live did not come up")
        time.sleep(0.05)


def guitar(until: float) -> list[tuple[float, bytes]]:
    g = read_guitar_file(example(DORIAN))
    return [(m.time, bytes([m.status, m.data1, m.data2])) for m in g.messages if m.time < until]


def sent_at(probe: Probe, frame: int) -> float:
    """The monotonic time (s) at which the probe handed the port the event of JACK frame `frame`: its cycle's
    callback time, plus the frame's place in the cycle."""
    starts = [f for _, f in probe.cycles]
    i = max(0, bisect.bisect_right(starts, frame) - 1)
    return probe.cycles[i][0] + (frame - starts[i]) / probe.rate


@pytest.fixture(scope="module")
def take_session(server, tmp_path_factory):
    """Play 20 s with a footswitch tap at 8 s; read the take while the session runs (10 s); pull the cable at
    14 s; read it again 7 s later; stop with SIGTERM."""
    tmp = tmp_path_factory.mktemp("take")
    take, pedal = tmp / "take.mid", tmp / "pedal.toml"
    pedal.write_text('[[switch]]\ncc = 64\nchannel = 16\ntap = "fill"\n')
    probe = Probe(SERVER, seconds=40, name="takeprobe")
    proc = start_live(server, "--in", "takeprobe:midi_out", "--footswitch", str(pedal), "--record", str(take))
    try:
        wait_for(lambda: probe.client.get_all_connections("takeprobe:midi_out") and take.exists(), proc)
        taps = [(8.0, bytes([0xBF, 64, 127])), (8.1, bytes([0xBF, 64, 0]))]
        origin = probe.play(guitar(20.0) + taps)
        wait_for(lambda: probe.now_frame() >= origin + 10.0 * probe.rate, proc)
        during = take.read_bytes()                    # what a crash now would leave
        wait_for(lambda: probe.now_frame() >= origin + PULLED_AT * probe.rate, proc)
        pulled = probe.now_frame()
        probe.drop_midi_out()
        time.sleep(7.0)                               # the band plays its ending and goes out
        after_pull = take.read_bytes()
        err = stop_live(proc)
        with probe._lock:
            played = [(sent_at(probe, f), d) for f, d in probe._events[:probe._next] if f < pulled]
    finally:
        end_live(proc, probe)
    sent = [(t, d) for t, d in played if d[0] != 0xBF]
    pedal = [t for t, d in played if d[0] == 0xBF]
    lag = np.median([m.time - t for m, (t, _) in zip(read_guitar_file(take).messages, sent)])
    return {"code": proc.returncode, "err": err, "take": take, "during": during, "after_pull": after_pull,
            "sent": sent, "pedal": pedal, "lag": lag, "tmp": tmp}


def read(data: bytes, tmp: Path, name: str) -> GuitarFile:
    path = tmp / name
    path.write_bytes(data)
    return read_guitar_file(path)


def sounding(sent: list[tuple[float, bytes]]) -> list[bytes]:
    """The note-ons of `sent` (seconds, bytes) whose note-off was not sent: the notes sounding at its end."""
    on: dict[tuple[int, int], bytes] = {}
    for _, d in sent:
        if d[0] & 0xF0 == 0x90 and d[2] > 0:
            on[(d[0] & 0x0F, d[1])] = d
        elif d[0] & 0xF0 in (0x80, 0x90):
            on.pop((d[0] & 0x0F, d[1]), None)
    return list(on.values())


def test_the_take_holds_the_notes_played_at_their_times(take_session):
    s = take_session
    assert s["code"] == 0 and s["err"] == "", s["err"]
    got = read_guitar_file(s["take"]).messages
    sent = s["sent"]
    assert len(sent) > 150
    # All that was played, and a note-off (velocity 0) for each note sounding when the cable was pulled (the feed
    # ends them there, their own note-offs gone with the cable: the take's render hears what live heard).
    ended = [bytes([m.status, m.data1, m.data2]) for m in got if m.kind == 0x80 and m.data2 == 0]
    assert sorted(bytes([m.status, m.data1, m.data2]) for m in got if not (m.kind == 0x80 and m.data2 == 0)) \
        == sorted(d for _, d in sent)
    assert sorted(ended) == sorted(bytes([0x80 | d[0] & 0x0F, d[1], 0]) for d in sounding(sent)) != []
    # In order, note-on by note-on (the reader puts a note-off before a note-on stamped alike, as for any file):
    ons = [m for m in got if m.kind == 0x90]
    sent_ons = [(t, d) for t, d in sent if d[0] & 0xF0 == 0x90]
    assert [bytes([m.status, m.data1, m.data2]) for m in ons] == [d for _, d in sent_ons]   # pitches, channels
    # The take's seconds are the session's clock; the probe's the monotonic clock: one offset apart, give or
    # take the JACK period (5.3 ms) the input port is read in.
    lag = np.array([m.time - t for m, (t, _) in zip(ons, sent_ons)])
    spread = np.abs(lag - np.median(lag))
    print(f"take onsets vs played: median {np.median(spread) * 1000:.2f} ms, worst {spread.max() * 1000:.2f} ms")
    assert np.median(spread) < 0.003 and spread.max() < 0.020, (np.median(spread), spread.max())


def test_the_take_on_disk_is_always_a_whole_file(take_session):
    s = take_session
    during = read(s["during"], s["tmp"], "during.mid")
    first = read_guitar_file(s["take"]).messages[0].time - guitar(1.0)[0][0]
    # Read 10 s into the playing: a whole file holding the playing up to a second or two before.
    assert during.messages[-1].time - first > 10.0 - 2.5
    assert not list(s["tmp"].glob(".take.mid.*")), "a temporary file was left beside the take"


def test_the_pulled_cable_and_the_footswitch_are_in_the_take(take_session):
    s = take_session
    pulled = read(s["after_pull"], s["tmp"], "pulled.mid")
    final = read_guitar_file(s["take"])
    assert pulled.messages == final.messages          # nothing came after the cable was pulled
    cues = [c for c in take_cues(s["take"]) if c.cue in (Cue.FILL, Cue.ENDING)]
    assert [c.cue for c in cues] == [Cue.FILL, Cue.ENDING], cues
    released = s["pedal"][1] + s["lag"]                  # in the take's seconds
    assert abs(cues[0].time - released) < 0.020, (cues[0].time, released)   # the tap, as it happened
    first = final.messages[0].time - guitar(1.0)[0][0]       # second 0 of the played events, in the take
    assert PULLED_AT - 0.5 < cues[1].time - first < PULLED_AT + 2.5     # seen within the watchdog's second
    texts = [m.text for m in mido.MidiFile(s["take"], charset="utf-8") if m.type == "marker"]
    assert any(t.startswith("band in: ") for t in texts[:3]) and texts[-2:] == ["section: ending", "band out"], texts


def test_the_render_of_the_take_is_the_render_of_what_was_played(take_session):
    s = take_session
    take = read_guitar_file(s["take"])
    engine, band = play(take, cues=take_cues(s["take"]))
    # What was played: the probe's messages at the (monotonic) times it handed them to the port, in the
    # take's seconds. (JACK's dummy frames run a little slow against the wall clock, the take's clock.)
    played = [InputMessage(t + s["lag"], *d) for t, d in s["sent"]]
    last = played[-1].time
    truth = GuitarFile(Path("played.mid"), played, last, sum(m.kind == 0x90 and m.data2 > 0 for m in played))
    engine0, band0 = play(truth, cues=take_cues(s["take"]))
    key, key0 = engine.listener.state(last), engine0.listener.state(last)
    assert (key.tonic, key.mode) == (key0.tonic, key0.mode) == (2, "dorian")
    beats = np.array([e.time for e in band if isinstance(e, Beat) and e.time < last - 2])
    beats0 = np.array([e.time for e in band0 if isinstance(e, Beat) and e.time < last - 2])
    assert len(beats) > 10 and len(beats) == len(beats0)
    # The take's stamps and the probe's own times of playing each carry a few ms of scheduling jitter (more
    # under load); the beat tracker turns that into a few ms on the band's beats, now and then a correction
    # taken a tick apart (measured: median 1-3 ms, worst 5-28 ms; under a loaded machine's scheduling, once a
    # median of 9 ms: a decision a 10 ms tick later shifts the beats after it; a 16th note at 96 BPM is 156 ms).
    err = np.abs(beats - beats0)
    print(f"band beats, take vs played: median {np.median(err) * 1000:.2f} ms, worst {err.max() * 1000:.2f} ms")
    assert np.median(err) < 0.015 and err.max() < 0.040, (np.median(err), err.max())


def test_a_killed_session_leaves_the_take_it_had_a_moment_before(tmp_path):
    # Its own server, not in --sync mode: a --sync server waits for a SIGKILLed client for ever, will not stop
    # on SIGTERM, and once killed keeps its place in JACK's registry of (at most eight) servers, which would
    # stop every JACK test on this machine from starting one.
    srv = JackServer(f"{SERVER}-kill", period=256, sync=False).start()
    take = tmp_path / "take.mid"
    probe = Probe(srv.name, seconds=20, name="killprobe")
    proc = start_live(srv, "--virtual", "--record", str(take))
    try:
        wait_for(lambda: "aqyn:guitar in" in probe.port_names() and take.exists(), proc)
        probe.connect_midi("aqyn:guitar in")
        origin = probe.play(guitar(8.0))
        wait_for(lambda: probe.now_frame() >= origin + 6.0 * probe.rate, proc)
        proc.kill()                                     # SIGKILL: no clean-up runs at all
        proc.communicate(timeout=15)
    finally:
        end_live(proc, probe)
        srv.release()
    got = read_guitar_file(take)
    assert got.messages[-1].time - got.messages[0].time > 6.0 - 2.5
