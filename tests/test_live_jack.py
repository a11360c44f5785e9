"""Live play for real, with no sound card: a JACK server on the dummy backend, `aqyn live` as a separate
process, a probe client playing a guitar file into aqyn's input port and recording aqyn's audio — all on
JACK's one frame clock. Nothing is mocked."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, example, jack_server, truth
from jackrig import JackServer, Probe, end_live, onsets, stop_live

pytestmark = pytest.mark.slow
SERVER = f"aqyn-test-{os.getpid()}"  # one per run: worktrees testing at once must not share a server
RAMP = "e_mixolydian_ramp_88-116_4-4"
PLAY_SECONDS = 30.0


@pytest.fixture(scope="module")
def server():
    # 256-frame periods (5.3 ms): a --sync server waits for its slowest client, and at 128 frames the Python
    # probe overran often enough to slow the frame clock by up to 5 % on an idle machine (0.8 % at 256).
    yield from jack_server(SERVER, period=256)


# These tests time the band from onsets picked in its audio; the picker was set on FluidR3_GM's drums. With
# aqyn's own font (drier, softer hits; an intro's quiet pickup loud enough to count) it missed a beat's onset
# or took a pickup for the first beat in about 1 run of 4: the measurement's fault, not the timing's. So the
# live process plays FluidR3_GM here (make test installs it); the font's own checks are test_soundfont_quality.
GM_FONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
FONT_ARGS = ("--soundfont", str(GM_FONT)) if GM_FONT.is_file() else ()


def start_live(server: JackServer, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "engine", "live", "--quiet", "--log", str(log), *FONT_ARGS,
                             *args], cwd=ROOT, env=server.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_ports(probe: Probe, names: list[str], proc: subprocess.Popen, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        have = probe.port_names()
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
    probe = Probe(SERVER, seconds=PLAY_SECONDS + 40)     # room for a slow start under load
    proc = start_live(server, "--virtual", log=log)
    try:
        wait_ports(probe, ["aqyn:guitar in", "aqyn-synth:left"], proc)
        probe.connect_midi("aqyn:guitar in")
        probe.connect_audio("aqyn-synth:left", "aqyn-synth:right")
        # After the guitar stops the band ends by itself; the process keeps running until terminated.
        return play_record_stop(probe, proc, guitar_events(RAMP, PLAY_SECONDS), PLAY_SECONDS + 10, 10.0) | {
            "log": log_lines(log)}
    finally:
        end_live(proc, probe)


def play_record_stop(probe: Probe, proc: subprocess.Popen, events, timeout: float, settle: float) -> dict:
    """Play `events`, wait `settle` s after the last, stop aqyn with SIGTERM; its exit code and stderr, the
    recording and where second 0 of the events is in it."""
    origin = probe.play(events)
    assert probe.wait_played(timeout)
    time.sleep(settle)
    err = stop_live(proc)
    return {"audio": probe.audio().copy(), "rate": probe.rate, "t0": probe.index_of(origin) / probe.rate,
            "code": proc.returncode, "err": err, "clock_ratio": probe.clock_ratio()}


def test_live_process_stops_cleanly_on_sigterm(ramp_session):
    s = ramp_session
    assert s["code"] == 0 and s["err"] == "", s["err"]     # --quiet: not a line, libjack's neither
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
    sixteenth = np.interp(playing, beats[1:], np.diff(beats)) / 4     # s, at the guitar's tempo there
    # Every beat while the band plays has a band onset near it, early and late in the ramp alike: the
    # band followed the accelerating guitar (without following, the error would grow past a 16th note).
    # The worst beat is held to a 16th, as that claim says, and nine beats in ten to 50 ms: a lone beat
    # 81-97 ms off (the rest within 40 ms) came on loaded machines only: 1 of
    # 4 clean-clone CI runs in session 18, 1 of 6 runs at load 8-10 in session 19.
    half = len(err) // 2
    for part, limit in ((err[:half], sixteenth[:half]), (err[half:], sixteenth[half:])):
        assert np.median(np.abs(part)) <= 0.030, f"median {np.median(np.abs(part)) * 1000:.0f} ms off the beat"
        p90 = np.quantile(np.abs(part), 0.9)
        assert p90 <= 0.050, f"a tenth of the beats over {p90 * 1000:.0f} ms off"
        worst = int(np.argmax(np.abs(part) - limit))
        assert abs(part[worst]) <= limit[worst], f"a beat {abs(part[worst]) * 1000:.0f} ms off (over a 16th)"


def test_band_follows_the_tempo_change(ramp_session):
    statuses = [e for e in ramp_session["log"] if e["kind"] == "status" and e["bpm"] and e["playing"]]
    beats = np.array(truth(RAMP)["beats"])
    assert statuses

    def true_bpm(t: float) -> float:
        near = beats[np.abs(beats - t) <= 2.0]
        return 60.0 / np.median(np.diff(near))

    # Status times are aqyn's clock; the guitar's second 0 came about 1-2 s after aqyn started, so compare
    # over whole stretches: the reported tempo tracks the accelerating truth within 6 %.
    start = statuses[0]["time"]
    late = [e for e in statuses if e["time"] > start + 12]
    assert late, "the band did not play long enough"
    early_bpm = np.median([e["bpm"] for e in statuses if e["time"] < start + 4])
    late_bpm = np.median([e["bpm"] for e in late])
    assert late_bpm > early_bpm * 1.03, ([(e["time"], e["bpm"]) for e in statuses][::4], ramp_session["clock_ratio"])
    # The guitar is played on JACK's frame clock, aqyn hears it on the wall clock: on a loaded machine the
    # dummy backend's frames run a few per cent slow, and the tempo aqyn hears is the file's times that.
    truth_late = true_bpm(PLAY_SECONDS - 6) * ramp_session["clock_ratio"]
    assert abs(late_bpm - truth_late) / truth_late < 0.08, (late_bpm, truth_late)


def test_nothing_sounds_after_the_band_stops(ramp_session):
    s = ramp_session
    audio, rate = s["audio"], s["rate"]
    # The guitar stopped at 30 s; the band plays its break, then its ending, and stops (~6 s later).
    quiet_from = int((s["t0"] + PLAY_SECONDS + 8.0) * rate)
    tail = audio[quiet_from:]
    assert len(tail) > rate, "recording too short to check the silence"
    assert np.abs(tail).max() < 1e-4, f"sound after the band stopped: peak {np.abs(tail).max():.4f}"


def test_the_guitar_stopping_silences_the_band_within_a_beat_and_the_ending_follows_within_a_bar(ramp_session):
    # Live, no final chord is known: stop-time first (no band note from a beat and a half after the player's
    # last strum: the beat after it may still sound), then, a bar of certain silence on, the ending at the
    # band's next bar line (aqyn issue 11). Read from the level in 50 ms windows: a stroke is a window more
    # than twice as loud as the one before (the onset picker also fires on a long decay's tail).
    s = ramp_session
    last = max(t for t, data in guitar_events(RAMP, PLAY_SECONDS) if data[0] & 0xF0 == 0x90 and data[2] > 0)
    beats = np.array(truth(RAMP)["beats"])
    period = float(np.median(np.diff(beats[(beats > last - 4.0) & (beats <= last)]))) * s["clock_ratio"]
    audio = s["audio"] if s["audio"].ndim == 1 else s["audio"].mean(axis=1)
    step = int(0.05 * s["rate"])
    start = int((s["t0"] + last + 1.5 * period) * s["rate"])
    level = np.array([np.sqrt(np.mean(audio[i:i + step] ** 2)) for i in range(start, len(audio) - step, step)])
    rises = np.flatnonzero(level[1:] > 2 * level[:-1] + 0.01)
    assert len(rises), "no ending after the guitar stopped"
    ending = last + 1.5 * period + (rises[0] + 1) * 0.05
    assert last + 4 * period <= ending <= last + 10.5 * period, (last, ending, period)


DORIAN = "d_dorian_96_4-4"
GARBAGE = [bytes([0x90, 200, 100]), bytes([0xF4]), bytes([0x3C, 0x40])]   # bad data byte, undefined, no status


@pytest.fixture(scope="module")
def wired_session(server, tmp_path_factory):
    """aqyn live reading the probe's port (--in), sending the band and MIDI clock back to it; garbage on the
    wire, and the cable pulled at 13 s and plugged back at 16 s."""
    tmp = tmp_path_factory.mktemp("wired")
    log = tmp / "live.jsonl"
    probe = Probe(SERVER, seconds=40, name="guitarprobe")
    footswitch = tmp / "fs.toml"
    footswitch.write_text('[[switch]]\ncc = 64\nchannel = 16\ntap = "fill"\nhold = "next"\n')
    proc = start_live(server, "--in", "guitarprobe:midi_out", "--midi-out", "guitarprobe:midi_in", "--clock-out",
                      "--footswitch", str(footswitch), log=log)
    try:
        wait_ports(probe, ["aqyn:guitar in", "aqyn-synth:left"], proc)
        deadline = time.monotonic() + 10
        while not probe.client.get_all_connections("guitarprobe:midi_out") and time.monotonic() < deadline:
            time.sleep(0.05)
        pedal = [(8.0, bytes([0xBF, 64, 127])), (8.8, bytes([0xBF, 64, 0])),     # hold: next section
                 (10.0, bytes([0xBF, 64, 127])), (10.1, bytes([0xBF, 64, 0]))]   # tap: a fill
        events = guitar_events(DORIAN, 24.0) + [(3.0 + 0.1 * i, g) for i, g in enumerate(GARBAGE)] + pedal
        probe.play(events)
        time.sleep(13.3)
        probe.drop_midi_out()
        time.sleep(3.0)
        probe.restore_midi_out()
        assert probe.wait_played(20)
        time.sleep(5.0)
        err = stop_live(proc)
        received = list(probe.received)
    finally:
        end_live(proc, probe)
    return {"code": proc.returncode, "err": err, "log": log_lines(log), "midi": received, "rate": probe.rate}


def test_garbage_midi_is_counted_and_survived(wired_session):
    s = wired_session
    assert s["code"] == 0, s["err"]
    last = [e for e in s["log"] if e["kind"] == "status"][-1]
    assert last["garbage"] >= 2


def test_footswitch_gestures_reach_the_band(wired_session):
    log = wired_session["log"]
    actions = [e["action"] for e in log if e["kind"] == "control"]
    # Both must arrive: the hold (0.8 s) and the short tap (0.1 s). The tap used to be lost in one run in a
    # few under load, while the JACK server skipped late clients (async mode); on the --sync server it is not.
    assert "next" in actions and "fill" in actions, [e for e in log if e["kind"] != "status"]
    sections = [e["section"] for e in log if e["kind"] == "status" and 9.0 < e["time"] < 13.0]
    assert sections, "no status while the band played"


def test_pulled_cable_is_survived_and_reconnected(wired_session):
    log = wired_session["log"]
    kinds = [e["kind"] for e in log]
    assert "input lost" in kinds and "input back" in kinds
    lost = kinds.index("input lost")
    back = kinds.index("input back")
    assert lost < back
    statuses = [e for e in log if e["kind"] == "status"]
    t_back = next(e["time"] for e in statuses[::-1] if e["input"] == "lost")
    before = max(e["messages"] for e in statuses if e["time"] <= t_back)
    assert statuses[-1]["messages"] > before + 20, "no notes arrived after the port came back"
    assert statuses[-1]["input"] == "ok"
    assert statuses[-1]["inputs_lost"] == 1         # the count of lost inputs, in the log's status too


def test_a_removed_connection_is_made_again_and_the_band_plays_on(server, tmp_path):
    """Our input's JACK connection is removed while both ports stay (a patchbay's click; or rtmidi's own
    connect failing unseen, which rtmidi does not report: a restart test failed so in CI). aqyn connects
    again once two checks in a row find it gone, says "input relinked", counts it, and the band plays on: no
    "input lost", so no ending for what was no pulled cable."""
    log = tmp_path / "live.jsonl"
    probe = Probe(SERVER, seconds=20, name="relinkprobe")
    proc = start_live(server, "--in", "relinkprobe:midi_out", log=log)
    try:
        wait_connected(probe, proc, "--in", log, "at the start")
        probe.play(guitar_events(DORIAN, 12.0))
        time.sleep(6.0)
        for ours in probe.client.get_all_connections("relinkprobe:midi_out"):
            probe.client.disconnect("relinkprobe:midi_out", ours)
        t_cut = time.time()
        wait_connected(probe, proc, "--in", log, "after the connection was removed", timeout=5.0)
        relinked_in = time.time() - t_cut
        assert probe.wait_played(20)
        time.sleep(0.5)
        err = stop_live(proc)
    finally:
        end_live(proc, probe)
    assert proc.returncode == 0 and err == "", err
    lines = log_lines(log)
    kinds = [e["kind"] for e in lines]
    assert "input relinked" in kinds and "input lost" not in kinds, [e for e in lines if e["kind"] != "status"]
    assert relinked_in < 3.0, relinked_in       # checked four times a second, gone on two checks in a row
    t_relink = next(e["t"] for e in lines if e["kind"] == "input relinked")
    statuses = [e for e in lines if e["kind"] == "status"]
    before = max(e["messages"] for e in statuses if e["t"] <= t_relink)
    assert statuses[-1]["messages"] > before + 20, "no notes arrived after the connection was made again"
    relinks = [round(e["t"] - t_relink, 2) for e in lines if e["kind"] == "input relinked"]
    assert 1 <= statuses[-1]["relinks"] == len(relinks) <= 2, relinks     # a relink, not a flapping link
    assert statuses[-1]["inputs_lost"] == 0


def test_a_relink_that_does_not_hold_is_made_on_a_new_client(server, tmp_path):
    """CI, stop 38: after a JACK restart aqyn's client kept its port but JACK would not connect it (a client the
    server no longer runs; rtmidi drops jack_connect's failure), and aqyn relinked on that client 43 times in 5 s,
    none held: the band never heard the guitar again. Here a saboteur plays that server: it removes every
    connection to the guitar while aqyn's first client is the one named "aqyn". A relink not seen linked before
    the next is made on a new client, which holds."""
    import threading

    log = tmp_path / "live.jsonl"
    probe = Probe(SERVER, seconds=5, name="refuseprobe")
    proc = start_live(server, "--in", "refuseprobe:midi_out", "--on-input-loss", "continue", log=log)
    stop, source = threading.Event(), "refuseprobe:midi_out"

    def refuse(first: str) -> None:
        while not stop.is_set():
            try:
                ours = probe.client.get_uuid_for_client_name("aqyn")
            except probe.jack.JackError:
                ours = None
            if ours == first:
                for port in probe.client.get_all_connections(source):
                    probe.client.disconnect(source, port)
            time.sleep(0.005)

    saboteur = None
    try:
        wait_connected(probe, proc, "--in", log, "at the start")
        first = probe.client.get_uuid_for_client_name("aqyn")
        saboteur = threading.Thread(target=refuse, args=(first,), daemon=True)
        saboteur.start()
        time.sleep(1.0)
        held = time.monotonic() + 8.0
        while time.monotonic() < held and not (probe.client.get_all_connections(source)
                                               and probe.client.get_uuid_for_client_name("aqyn") != first):
            time.sleep(0.1)
        time.sleep(1.0)                    # connected on the new client: it stays connected
        assert probe.client.get_all_connections(source), f"never connected again; log: {log_tail(log)}"
        err = stop_live(proc)
    finally:
        stop.set()
        if saboteur is not None:
            saboteur.join()
        end_live(proc, probe)
    assert proc.returncode == 0 and err == "", err
    statuses = [e for e in log_lines(log) if e["kind"] == "status"]
    assert 2 <= statuses[-1]["relinks"] <= 4 and statuses[-1]["inputs_lost"] == 0, statuses[-1]


def test_the_band_keeps_its_groove_until_the_guitar_is_back_after_a_long_pulled_cable(server, tmp_path):
    """`--on-input-loss continue`, the cable out 10 s (longer than the beat's 8 s window with the last notes) and
    the player's first strum 0.8 s after it is back: the band keeps going until that strum (`Cue.RESUME` to the
    listener and the scheduler). Main heard the moment's silence as the player's: a stop, its ending and an intro,
    2.9 s without a band note here (review29's pull.py: 2.6 s; tests/test_input_loss.py replays it exactly)."""
    log = tmp_path / "live.jsonl"
    probe = Probe(SERVER, seconds=40, name="cableprobe")
    proc = start_live(server, "--in", "cableprobe:midi_out", "--midi-out", "cableprobe:midi_in",
                      "--on-input-loss", "continue", log=log)
    pull, back = 8.0, 18.0     # s of the song, on JACK's frame clock (a loaded --sync server's runs slow)

    def wait_song(at: float) -> None:
        while (probe.now_frame() - origin) / probe.rate < at:
            time.sleep(0.01)

    try:
        wait_connected(probe, proc, "--in", log, "at the start")
        origin = probe.play([(t, m) for t, m in guitar_events(DORIAN, 26.0) if not pull <= t < back + 0.8])
        wait_song(pull)
        probe.drop_midi_out()
        wait_song(back)
        probe.restore_midi_out()
        assert probe.wait_played(40)     # (the frame clock of a loaded --sync server runs slow)
        time.sleep(1.0)
        err = stop_live(proc)
        received = list(probe.received)
    finally:
        end_live(proc, probe)
    assert proc.returncode == 0 and err == "", err
    kinds = [e["kind"] for e in log_lines(log)]
    assert "input lost" in kinds and "input back" in kinds, kinds
    ons = sorted((frame - origin) / probe.rate for frame, data in well_formed(received)
                 if data[0] & 0xF0 == 0x90 and data[2] > 0)
    near = [t for t in ons if back - 1.0 <= t <= back + 4.5]
    assert near and near[0] < back - 0.5 and near[-1] > back + 4.0, (back, near[:3], near[-3:])
    assert max(np.diff(near)) < 1.5, [(round(a, 2), round(b - a, 2)) for a, b in zip(near, near[1:]) if b - a > 0.5]


def test_midi_out_carries_the_band_with_no_hanging_notes(wired_session):
    midi = wired_session["midi"]
    ons: dict[tuple[int, int], int] = {}
    notes = stacked = 0
    good = well_formed(midi)
    mangled = len(midi) - len(good)
    assert len(good) >= 0.98 * len(midi), f"{mangled} of {len(midi)} messages malformed"
    for _, data in good:
        kind, ch = data[0] & 0xF0, data[0] & 0x0F
        if kind == 0x90 and data[2] > 0:
            ons[(ch, data[1])] = ons.get((ch, data[1]), 0) + 1
            stacked += ons[(ch, data[1])] > 1          # a second note-on of a sounding pitch
            notes += 1
            assert ch in (6, 7, 9)
        elif kind == 0x80 or kind == 0x90:
            ons[(ch, data[1])] = max(ons.get((ch, data[1]), 0) - 1, 0)
    assert notes > 100
    # Every note gets its own note-off, at close too (all-notes-off is not counted as one). A note-off RtMidi
    # mangled (see well_formed) leaves its note-on unmatched here, though aqyn sent it: only more unmatched or
    # stacked note-ons than mangled messages is aqyn's doing.
    hanging = sum(v for v in ons.values() if v > 0)
    assert hanging + stacked <= mangled, f"{hanging} note-ons without their note-off, {stacked} stacked"


def well_formed(midi: list[tuple[int, bytes]]) -> list[tuple[int, bytes]]:
    """Messages of the right length for their status. Under load, RtMidi's JACK output (python-rtmidi 1.5)
    now and then hands JACK a message whose size and bytes were written apart (its two ring buffers race);
    those few are counted by the callers, not read as music."""
    sizes = {0x80: 3, 0x90: 3, 0xA0: 3, 0xB0: 3, 0xC0: 2, 0xD0: 2, 0xE0: 3}
    out = []
    for f, d in midi:
        if not d or d[0] < 0x80:
            continue
        want = sizes.get(d[0] & 0xF0, 1 if d[0] >= 0xF8 else None)
        if want is not None and len(d) == want:
            out.append((f, d))
    return out


def test_midi_clock_out_counts_24_per_band_beat(wired_session):
    """A DAW or drum machine following our clock: start first, then every 24th clock on one of the band's
    beats (its notes are sent on the same sender), at the guitar's tempo."""
    s = wired_session
    rate = s["rate"]
    midi = well_formed(s["midi"])
    assert len(midi) >= 0.98 * len(s["midi"])
    kinds = [d[0] for _, d in midi]
    assert 0xFA in kinds and 0xFC in kinds and kinds.index(0xFA) < kinds.index(0xF8)
    start, stop = kinds.index(0xFA), kinds.index(0xFC)
    clocks = np.array([f for f, d in midi[start:stop] if d[0] == 0xF8])
    assert len(clocks) > 24 * 8
    beats = clocks[::24][:-1]                      # the last may be the stop's own beat, with no note
    notes = np.array([f for f, d in midi[start:stop] if d[0] & 0xF0 == 0x90 and d[2] > 0])
    on_a_note = np.array([np.abs(notes - b).min() <= 256 for b in beats])   # within a JACK cycle (5.3 ms)
    assert on_a_note.mean() >= 0.8, f"clock beats on band notes: {on_a_note.astype(int).tolist()}"
    true_bpm = 60.0 / np.median(np.diff(truth(DORIAN)["beats"]))
    bpm = 60.0 * rate / np.median(np.diff(beats))
    assert bpm == pytest.approx(true_bpm, rel=0.05)


def test_wrong_port_name_lists_the_ports(server, tmp_path):
    """A wrong --in is one line naming the ports there are, before the synth opens: an earlier WAV given as
    --audio-file (the file driver writes at once) is left as it was (the reviewer lost one), live and play."""
    precious = tmp_path / "p.wav"
    precious.write_bytes(b"precious")
    wav = ["--audio-driver", "file", "--audio-file", str(precious)]
    probe = Probe(SERVER, seconds=1, name="someconverter")
    try:
        r = subprocess.run([sys.executable, "-m", "engine", "live", "--in", "GR-55", "--quiet", *wav], cwd=ROOT,
                           env=server.env(), capture_output=True, text=True, timeout=60)
        chart = subprocess.run([sys.executable, "-m", "engine", "play", "examples/steppe_song.chart", "--in",
                                "GR-55", *wav], cwd=ROOT, env=server.env(), capture_output=True, text=True,
                               timeout=60)
        ports = subprocess.run([sys.executable, "-m", "engine", "ports"], cwd=ROOT, env=server.env(),
                               capture_output=True, text=True, timeout=60)
    finally:
        probe.close()
    for run in (r, chart):
        assert run.returncode == 2, run.stderr
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and "no MIDI input matching 'GR-55'" in lines[0], run.stderr
        assert "someconverter:midi_out" in lines[0]
    assert precious.read_bytes() == b"precious"
    assert ports.returncode == 0 and "someconverter:midi_out" in ports.stdout and "jack" in ports.stdout


def test_panic_silences_ringing_notes_at_once(server):
    """In process: long notes through the live synth sink, then panic() while the audio keeps running."""
    import os

    from engine.clock import SystemClock
    from engine.events import Note
    from engine.io.fluid_live import AudioConfig, FluidLiveSink
    from engine.io.soundfont import find_soundfont

    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    clock = SystemClock()
    probe = Probe(SERVER, seconds=8, name="panicprobe")
    sink = FluidLiveSink(clock, find_soundfont(), AudioConfig(jack_name="aqyn-panic", jack_autoconnect=False))
    try:
        probe.connect_audio("aqyn-panic:left", "aqyn-panic:right")
        time.sleep(0.3)
        t = clock.now() + 0.2
        sink.send(Note(t, 5.0, 0, 60, 110, "t"))      # a piano holding 5 s
        sink.send(Note(t, 5.0, 0, 64, 110, "t"))
        while clock.now() < t + 0.8:
            sink.flush(clock.now())
            time.sleep(0.01)
        frame_at_panic = probe.now_frame()
        sink.panic()
        time.sleep(1.6)
        audio = probe.audio().copy()
        i = probe.index_of(frame_at_panic)
    finally:
        sink.close()
        probe.close()
    def peak(a: float, b: float) -> float:
        return float(np.abs(audio[i + int(a * probe.rate): i + int(b * probe.rate)]).max())

    before = peak(-0.5, 0.0)
    assert before > 0.01, "the notes never sounded"
    # The notes stop at once; only the reverb's tail fades (a held piano note would stay near `before`).
    assert peak(0.2, 0.3) < before / 10, f"still sounding after panic: {peak(0.2, 0.3):.4f} vs {before:.4f}"
    assert peak(1.0, 1.4) < 1e-4, f"still sounding 1 s after panic: {peak(1.0, 1.4):.5f}"


def test_count_in_clicks_at_the_tempo_and_sets_the_beat(server, tmp_path):
    log = tmp_path / "live.jsonl"
    probe = Probe(SERVER, seconds=15, name="countprobe")
    proc = start_live(server, "--virtual", "--count-in", "1", "--bpm", "120", "--duration", "5", log=log)
    try:
        wait_ports(probe, ["aqyn-synth:left"], proc)
        probe.connect_audio("aqyn-synth:left", "aqyn-synth:right")
        proc.wait(timeout=30)
        audio = probe.audio().copy()
    finally:
        end_live(proc, probe)
    assert proc.returncode == 0
    heard = onsets(audio, probe.rate, min_gap=0.3)    # a wood block rings with a second, smaller attack
    clicks, band = heard[:4], heard[4:]
    assert np.diff(clicks) == pytest.approx([0.5] * 3, abs=0.012)   # 120 BPM, within the measured jitter
    # With no guitar, the band comes in on the downbeat after the count-in (percussion, no key yet).
    assert len(band) >= 3 and band[0] - clicks[-1] == pytest.approx(0.5, abs=0.03), heard
    statuses = [e for e in log_lines(log) if e["kind"] == "status"]
    assert statuses[-1]["bpm"] == pytest.approx(120, abs=0.5) and statuses[-1]["beat_confidence"] == 1.0


def test_clock_in_starts_leads_and_stops_the_band(server, tmp_path):
    """A drum machine as master: MIDI clock on the guitar's beats with start and stop. The band comes in on
    the clock's beats and, at the master's stop, stops and stays out while the guitar plays on."""
    log = tmp_path / "live.jsonl"
    probe = Probe(SERVER, seconds=40, name="clockprobe")
    proc = start_live(server, "--in", "clockprobe:midi_out", "--clock-in", log=log)
    beats = np.array(truth(DORIAN)["beats"])
    start_at, stop_at, guitar_until = beats[2], 15.0, 22.0
    ticking = beats[(beats >= start_at) & (beats < stop_at)]
    clocks = [(a + k * (b - a) / 24, bytes([0xF8])) for a, b in zip(ticking, ticking[1:]) for k in range(24)]
    events = guitar_events(DORIAN, guitar_until) + clocks + [
        (start_at - 0.02, bytes([0xF2, 0, 0])),       # song position: the top (a DAW sends it before playing)
        (start_at - 0.01, bytes([0xF3, 0])),          # song select
        (start_at - 0.001, bytes([0xFA])), (stop_at, bytes([0xFC]))]
    try:
        wait_ports(probe, ["aqyn:guitar in", "aqyn-synth:left"], proc)
        deadline = time.monotonic() + 10
        while not probe.client.get_all_connections("clockprobe:midi_out") and time.monotonic() < deadline:
            time.sleep(0.05)
        probe.connect_audio("aqyn-synth:left", "aqyn-synth:right")
        run = play_record_stop(probe, proc, events, guitar_until + 10, 1.0)
    finally:
        end_live(proc, probe)
    assert run["code"] == 0, run["err"]
    audio, t0 = run["audio"], run["t0"]
    lines = log_lines(log)
    actions = [e["action"] for e in lines if e["kind"] == "control"]
    assert actions[:2] == ["start", "stop"], actions
    assert [e for e in lines if e["kind"] == "status"][-1]["garbage"] == 0   # system messages are not garbage
    band = onsets(audio, probe.rate) - t0
    playing = band[(band > start_at) & (band < stop_at)]
    assert len(playing) > 20, f"the band hardly played under the clock: {len(playing)} onsets"
    # The master's start is a downbeat, half a bar away from the guitar's: the band comes in on a master's bar.
    assert np.abs(ticking[::4] - playing[0]).min() <= 0.060, (playing[0], ticking[::4])
    on_beats = ticking[(ticking > playing[0] + 1.0) & (ticking < stop_at - 1.0)]
    err_s = np.array([playing[np.argmin(np.abs(playing - b))] - b for b in on_beats])
    # The scatter here is mostly the rig's: the dummy server's frames run a few per cent slow and unevenly under
    # load (clock_ratio), while aqyn hears the clock on the wall clock.
    assert np.median(np.abs(err_s)) <= 0.030, (f"median {np.median(np.abs(err_s)) * 1000:.0f} ms off the clock's "
                                               f"beats; JACK frames per wall second {run['clock_ratio']:.3f}")
    # Stopped at the next beat, silently; the dombra's last notes ring out within about two seconds.
    tail = audio[int((t0 + stop_at + 2.5) * probe.rate): int((t0 + guitar_until) * probe.rate)]
    assert len(tail) > probe.rate
    assert np.abs(tail).max() < 1e-3, f"the band played on after the master's stop: peak {np.abs(tail).max():.4f}"


def test_midi_out_never_stacks_a_pitch_and_ends_every_note_at_close(server):
    """In process, on a real JACK MIDI port: a pitch struck again while sounding gets its note-off first (a
    hardware synth would cut or stack it), the older note's own off is not sent (it would end the newer
    note), and a note still sounding at close gets its note-off before all-notes-off."""
    from engine.clock import SystemClock
    from engine.events import Note
    from engine.io.midi_out import MidiOutSink, TimedSender
    from engine.io.ports import MidiOutput, probe

    os.environ["JACK_DEFAULT_SERVER"] = SERVER
    clock = SystemClock()
    # rtmidi holds the GIL while it opens and closes JACK clients, which the probe's Python callback needs on
    # this --sync server: the port opens before the probe starts and closes after it stops.
    output = MidiOutput(probe("jack"), None, "synth out")
    jack_probe = Probe(SERVER, seconds=4, name="synthprobe")
    sink = MidiOutSink(TimedSender(output, clock))
    try:
        jack_probe._connect("aqyn-out:synth out", jack_probe.midi_in)
        time.sleep(0.3)
        t0 = clock.now() + 0.2
        for at, duration, channel, pitch in [(0.0, 0.4, 6, 62), (0.2, 0.1, 6, 62),    # re-struck, shorter
                                             (0.5, 0.3, 6, 62), (0.6, 0.1, 6, 62),
                                             (0.7, 0.1, 9, 36), (0.8, 0.1, 9, 36),    # off and on at once
                                             (0.9, 10.0, 7, 50)]:                     # still sounding at close
            sink.send(Note(t0 + at, duration, channel, pitch, 100, "t"))
        time.sleep(t0 + 1.1 - clock.now())
        sink.close()
        time.sleep(0.2)
        received = list(jack_probe.received)
    finally:
        jack_probe.close()
        output.close()
    rate = jack_probe.rate
    notes = [(f, d[0] & 0x0F, d[1], d[0] & 0xF0 == 0x90 and d[2] > 0) for f, d in received if d[0] & 0xE0 == 0x80]

    def on_off(channel: int, pitch: int) -> list[bool]:
        return [on for _, c, p, on in notes if (c, p) == (channel, pitch)]

    assert on_off(6, 62) == [True, False] * 4 and on_off(9, 36) == [True, False] * 2
    assert on_off(7, 50) == [True, False]
    close_off = next(i for i, n in enumerate(notes) if n[1:3] == (7, 50) and not n[3])
    all_off = next(i for i, (f, d) in enumerate(received) if d[0] == 0xB7 and d[1] == 123)
    assert received.index((notes[close_off][0], bytes([0x87, 50, 0]))) < all_off
    # The re-struck short note ends after its own 0.1 s, not at the first note's end 0.1 s later (JACK frames
    # of arrival: each within a 256-frame period, 5.3 ms).
    frames = [f for f, c, p, _ in notes if (c, p) == (6, 62)]
    assert (frames[3] - frames[2]) / rate == pytest.approx(0.1, abs=0.04)
    assert (frames[2] - frames[0]) / rate == pytest.approx(0.2, abs=0.04)


def test_sigterm_fades_the_file_drivers_wav_out(server, tmp_path):
    """`--audio-driver file`: SIGTERM just after a hit ends the WAV in a fade (no step to silence mid-note),
    and the WAV is whole (its header's length is the data written)."""
    import wave

    wav = tmp_path / "live.wav"
    proc = start_live(server, "--virtual", "--count-in", "1", "--bpm", "120", "--audio-driver", "file",
                      "--audio-file", str(wav), log=tmp_path / "live.jsonl")
    try:
        hit_at = wait_for_a_hit(wav, proc, after=1.0)
        err = stop_live(proc)
    finally:
        end_live(proc)
    assert proc.returncode == 0 and err == "", err
    with wave.open(str(wav)) as w:
        rate, n = w.getframerate(), w.getnframes()
        audio = np.frombuffer(w.readframes(n), dtype=np.int16).reshape(-1, w.getnchannels()) / 32768.0
    assert len(audio) == n > hit_at and wav.stat().st_size == 44 + n * 4
    block = int(0.0025 * rate)
    tail = np.abs(audio[-(len(audio) // block) * block:]).max(axis=1).reshape(-1, block).max(axis=1)[-120:]
    # Whether a hit still rings when the fade begins is the machine's doing: a drum hit falls under 0.01 in
    # ~25 ms, and the WAV's hit shows ~20 ms late (the driver's writes) and the signal's handling takes more on
    # a loaded machine (seen: 3 runs in 8 at load 8-10). The fade of a note that surely rings is
    # test_close_fades_a_ringing_note_out_of_the_wav; here: a clean exit, a whole WAV, silence at its end and
    # no step in what was sounding.
    assert tail[-2:].max() < 5e-4, f"the WAV ends at {tail[-1]:.4f}, not in silence"
    # A fade: the level never drops by more than 12 dB from one 2.5 ms block to the next while audible.
    drops = [(round(a, 4), round(b, 4)) for a, b in zip(tail, tail[1:]) if a > 2e-3 and b < a / 4]
    assert not drops, f"the sound stops in a step: {drops}"


def test_close_fades_a_ringing_note_out_of_the_wav(tmp_path):
    """In process, the synth sink on FluidSynth's file driver: a piano chord held 5 s, the sink closed 0.6 s in
    (as a stop does): the WAV ends in an 80 ms fade from the chord's level to silence, with no step."""
    import wave

    from engine.clock import SystemClock
    from engine.events import Note
    from engine.io.fluid_live import AudioConfig, FluidLiveSink
    from engine.io.soundfont import find_soundfont

    wav = tmp_path / "close.wav"
    clock = SystemClock()
    sink = FluidLiveSink(clock, find_soundfont(), AudioConfig(driver="file", file=wav))
    try:
        t = clock.now() + 0.1
        for pitch in (60, 64, 67):
            sink.send(Note(t, 5.0, 0, pitch, 110, "t"))
        while clock.now() < t + 0.5:
            sink.flush(clock.now())
            time.sleep(0.01)
    finally:
        sink.close()
    with wave.open(str(wav)) as w:
        rate, n = w.getframerate(), w.getnframes()
        audio = np.frombuffer(w.readframes(n), dtype=np.int16).reshape(-1, w.getnchannels()) / 32768.0
    block = int(0.0025 * rate)
    tail = np.abs(audio[-(len(audio) // block) * block:]).max(axis=1).reshape(-1, block).max(axis=1)[-80:]
    assert tail[:20].min() > 0.02, "the chord was not ringing when the sink closed"
    assert tail[-2:].max() < 5e-4, f"the WAV ends at {tail[-1]:.4f}, not in silence"
    steps = [(round(a, 4), round(b, 4)) for a, b in zip(tail, tail[1:]) if a > 2e-3 and b < a / 4]
    assert not steps, f"the sound stops in a step: {steps}"
    fading = np.nonzero(tail < tail[:20].min() / 2)[0]
    assert (len(tail) - fading[0]) * 0.0025 >= 0.03, "no fade: the level fell to silence at once"


def wait_for_a_hit(wav: Path, proc: subprocess.Popen, after: float, timeout: float = 30.0) -> int:
    """Watch the WAV the file driver writes in real time; return its frame count when, `after` seconds of audio
    in, the last 20 ms hold a hit (peak over 0.05)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"aqyn live exited early ({proc.returncode}): {proc.stderr.read()}")
        size = wav.stat().st_size if wav.exists() else 0
        frames = max(size - 44, 0) // 4
        if frames > after * 48000:
            with open(wav, "rb") as f:
                f.seek(44 + (frames - 960) * 4)
                last = np.frombuffer(f.read(960 * 4), dtype=np.int16)
            if np.abs(last).max() / 32768.0 > 0.05:
                return frames
        time.sleep(0.005)
    pytest.fail("no hit in the WAV")


def _tear_down(probe, proc, srv) -> None:
    """After a test that kills its own JACK server: the probe closed (None: already), aqyn killed if it still
    runs, and the server's place in JACK's registry released."""
    if probe is not None:
        probe.close()
    if proc.poll() is None:
        proc.kill()
    srv.release()


@pytest.mark.parametrize("source", ["--in", "--virtual"])
def test_a_jack_server_that_dies_and_returns_is_noticed_and_reconnected(tmp_path, source):
    """The JACK server is killed under `aqyn live --quiet` and started again: "input lost", then "input back"
    and notes heard again (through --in the converter's port, through --virtual our own port, re-made);
    no crash, no hang, and --quiet keeps libjack's complaints off stderr."""
    srv = JackServer(f"{SERVER}-restart", period=256).start()
    log = tmp_path / "live.jsonl"
    args = ["--in", "restartprobe:midi_out"] if source == "--in" else ["--virtual"]
    proc = start_live(srv, *args, log=log)
    probe = None
    try:
        for round_ in ("before the restart", "after the restart"):
            probe = Probe(srv.name, seconds=5, name="restartprobe")
            wait_connected(probe, proc, source, log, round_)
            probe.play(guitar_events(DORIAN, 3.0))
            assert probe.wait_played(15)
            time.sleep(0.5)
            probe.close()
            probe = None
            if srv.proc is not None:
                srv.crash()                    # the server dies (SIGKILL: no goodbye to its clients)
                time.sleep(2.5)
                srv.start()
        time.sleep(0.5)
        err = stop_live(proc, 20)
    finally:
        _tear_down(probe, proc, srv)           # with the killed server's place in JACK's registry
    assert proc.returncode == 0 and err == "", err
    lines = log_lines(log)
    kinds = [e["kind"] for e in lines]
    assert "input lost" in kinds and "input back" in kinds[kinds.index("input lost"):], kinds
    assert "error" not in kinds, [e for e in lines if e["kind"] == "error"]   # the JACK audio opened again too
    statuses = [e for e in lines if e["kind"] == "status"]
    t_back = next(e["t"] for e in lines if e["kind"] == "input back")     # wall clock seconds
    before = max(e["messages"] for e in statuses if e["t"] <= t_back)
    assert statuses[-1]["messages"] > before + 20, "no notes arrived after the server came back"


def log_tail(log: Path, n: int = 12) -> list:
    """The last `n` events of aqyn's JSON log but its status lines, and the last status, for a failure's message."""
    if not log.exists():
        return []
    lines = log_lines(log)
    status = [e for e in lines if e["kind"] == "status"][-1:]
    return [e for e in lines if e["kind"] != "status"][-n:] + status


def test_a_midi_out_port_back_after_the_jack_server_is_opened_again(tmp_path):
    """After a JACK restart the port `--midi-out` names comes back 3 s after the server (a synth's JACK bridge
    started after jackd): aqyn says the first try's failure once, tries again at each port check, says "output
    back", and the band reaches that port again (review30: tried once, the band was lost to it for good)."""
    srv = JackServer(f"{SERVER}-outback", period=256).start()
    log = tmp_path / "live.jsonl"
    proc = start_live(srv, "--in", "gtr:midi_out", "--midi-out", "synthbox:midi_in", "--on-input-loss", "continue",
                      log=log)
    guitar = synth = None
    try:
        guitar, synth = Probe(srv.name, seconds=5, name="gtr"), Probe(srv.name, seconds=5, name="synthbox")
        wait_connected(guitar, proc, "--in", log, "before the restart")
        guitar.close()
        synth.close()
        guitar = synth = None
        srv.crash()
        time.sleep(2.0)
        srv.start()
        guitar = Probe(srv.name, seconds=5, name="gtr")
        wait_connected(guitar, proc, "--in", log, "after the restart")
        time.sleep(3.0)
        synth = Probe(srv.name, seconds=5, name="synthbox")
        deadline = time.monotonic() + 15
        while "output back" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        guitar.play(guitar_events(DORIAN, 10.0))
        assert guitar.wait_played(30)
        received = list(synth.received)
        err = stop_live(proc, 20)
    finally:
        for probe in (guitar, synth):
            if probe is not None:
                probe.close()
        if proc.poll() is None:
            proc.kill()
        srv.release()
    assert proc.returncode == 0, err
    assert [line.split(" did not")[0] for line in err.splitlines()] == ["aqyn: error: midi out: synthbox:midi_in"]
    events = [e for e in log_lines(log) if e["kind"] != "status"]
    midi_out = [e for e in events if e.get("where") == "midi out"]
    assert [e["kind"] for e in midi_out] == ["error", "output back"], events
    assert any(data[0] & 0xF0 == 0x90 and data[2] > 0 for _, data in received), "no band note reached the port"


def wait_connected(probe: Probe, proc: subprocess.Popen, source: str, log: Path | None = None, where: str = "",
                   timeout: float = 20.0) -> None:
    """Until aqyn's input is connected to the probe's MIDI out (it connects itself with --in; with --virtual
    the probe connects to aqyn's port once it is there). A failure's message says `where`, and the end of aqyn's
    `log` (its JSON lines), and the probe's view of the ports."""
    deadline, out = time.monotonic() + timeout, f"{probe.client.name}:midi_out"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"aqyn live exited early ({proc.returncode}): {proc.stderr.read()}")
        names = probe.port_names()
        if "aqyn:guitar in" in names:
            if source == "--virtual" and not probe.client.get_all_connections(out):
                probe.connect_midi("aqyn:guitar in")
            if probe.client.get_all_connections(out):
                return
        time.sleep(0.1)
    ports = sorted(probe.port_names())
    pytest.fail(f"aqyn's input did not connect to the probe ({where}); ports: {ports}; "
                f"aqyn's log: {log_tail(log) if log else '-'}")


def test_stop_signals_while_jack_reconnects_and_while_closing_leave_a_whole_close(tmp_path):
    """SIGTERM every 20 ms from the moment a killed JACK server is back (aqyn about to reconnect its watch, its
    JACK audio and its input) until aqyn has exited. A signal only asks for the stop, so none cuts a
    reconnection or the close in half: the close runs to its end (the take written last, its "take" line in
    the log), nothing on stderr. Once the close is over, the handlers before it are back and a later SIGTERM
    may end the process by its default action (exit -15): everything is closed by then. Before, each signal
    raised KeyboardInterrupt wherever the main thread was: inside the close's fade (the close abandoned, a
    traceback), or between the watch reconnecting and the dead JACK clients being abandoned, where the close
    then closed a client libjack had already freed (a segmentation fault, seen once under load)."""
    srv = JackServer(f"{SERVER}-storm", period=256).start()
    log, take = tmp_path / "live.jsonl", tmp_path / "take.mid"
    proc = start_live(srv, "--virtual", "--record", str(take), log=log)
    try:
        probe = Probe(srv.name, seconds=2, name="stormprobe")
        wait_ports(probe, ["aqyn:guitar in", "aqyn-synth:left"], proc)
        probe.close()
        deadline = time.monotonic() + 10       # opened whole (its JACK watch opens after the ports)
        while not log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.crash()                            # the server dies (SIGKILL: no goodbye to its clients)
        deadline = time.monotonic() + 10
        while "input lost" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        srv.start()
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.02)
        _, err = proc.communicate(timeout=20)
    finally:
        end_live(proc)
        srv.release()                          # the killed server's place in JACK's registry too
    assert proc.returncode in (0, -signal.SIGTERM) and err == "", (proc.returncode, err)
    kinds = [e["kind"] for e in log_lines(log)]
    assert "input lost" in kinds and kinds.count("stop") == 1, kinds
    assert kinds[-1] == "take", kinds[-6:]              # the close's last step: it ran to its end
    import mido  # noqa: PLC0415

    assert mido.MidiFile(take).tracks                   # the take is a whole MIDI file



def test_the_jack_watch_opens_before_any_other_jack_client_of_aqyn(server, tmp_path):
    """`aqyn live` watches the JACK server through a client of its own (engine/io/jack_watch.py), which libjack
    tells when the server dies. It opens first, before the synth's JACK audio and the MIDI ports: a server
    dying once any of aqyn's JACK clients exists is then noticed (test above: "input lost", and back). Opened
    after the ports, as it was, a death between them and the watch went unnoticed and the band stayed deaf.
    Read from the server's own client registrations, in order."""
    import jack  # noqa: PLC0415

    order: list[str] = []
    observer = jack.Client("orderprobe", servername=SERVER, no_start_server=True)
    observer.set_client_registration_callback(lambda name, registered: registered and order.append(name))
    observer.activate()
    log = tmp_path / "live.jsonl"
    proc = start_live(server, "--virtual", log=log)
    try:
        deadline = time.monotonic() + 30       # opened whole: its start line is in the log
        while not (log.exists() and log.read_text()) and time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"aqyn live exited early ({proc.returncode}): {proc.stderr.read()}")
            time.sleep(0.05)
        err = stop_live(proc, 20)
    finally:
        end_live(proc)
        observer.deactivate()
        observer.close()
    assert proc.returncode == 0 and err == "", err
    ours = [n for n in order if n in ("aqyn-watch", "aqyn-synth", "aqyn")]
    assert ours[:3] == ["aqyn-watch", "aqyn-synth", "aqyn"], order


NATIVE_LINES = ("Cannot read socket", "CheckRes error", "JackSocketClientChannel", "fluidsynth:", "Help!",
                "Cannot connect to server")


@pytest.mark.parametrize("verbose", [False, True])
def test_a_dying_jack_server_shows_aqyns_line_not_libjacks(tmp_path, verbose):
    """On stage (no --quiet) a killed JACK server is aqyn's "input lost" line on the view, and none of the 13
    lines libjack and FluidSynth print from their own threads ("CheckRes error", "fluidsynth: error: Help! Lost
    the connection to the JACK server"; review 23, L1) on stderr; --verbose shows them."""
    srv = JackServer(f"{SERVER}-noise", period=256).start()
    log = tmp_path / "live.jsonl"
    extra = ["--verbose"] if verbose else []
    proc = subprocess.Popen([sys.executable, "-m", "engine", "live", "--virtual", "--log", str(log), *FONT_ARGS,
                             *extra], cwd=ROOT, env=srv.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    probe = Probe(srv.name, seconds=5, name="noiseprobe")
    try:
        wait_ports(probe, ["aqyn:guitar in"], proc)
        probe.close()
        probe = None
        srv.crash()                            # SIGKILL: libjack's threads in aqyn find the socket dead
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (log.exists() and '"input lost"' in log.read_text()):
            time.sleep(0.1)
        time.sleep(1.0)                        # the reconnection's attempts may print too
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    finally:
        _tear_down(probe, proc, srv)
    assert proc.returncode == 0, err
    assert any(line.startswith("input lost") and "jack_server gone" in line for line in out.splitlines()), out
    native = [line for line in err.splitlines() if line.startswith(NATIVE_LINES)]
    assert bool(native) == verbose, err


WALTZ = ROOT / "tests" / "data" / "waltz-3-4-am-138-review23.mid"


def test_three_taps_count_a_waltz_in_live(server, tmp_path):
    """review23 L2, live: three taps of a tap_tempo switch a beat apart at 138 BPM, then the 3/4 waltz from where
    the fourth tap would fall. The take aqyn records shows the band in in a 3/4 style a beat after the guitar's
    first note (it knows the count is over only when the guitar plays; main listened for two bars and more),
    and no meter change after it."""
    take, pedal, log = tmp_path / "take.mid", tmp_path / "pedal.toml", tmp_path / "live.jsonl"
    pedal.write_text('[[switch]]\ncc = 64\nchannel = 16\ntap = "tap_tempo"\n')
    from engine.io.midi_input import read_guitar_file

    guitar = read_guitar_file(WALTZ)
    period, first = 60.0 / 138, json.loads(WALTZ.with_suffix(".json").read_text())["beats"][0]
    start = 3 * period + 0.5 - first          # s the waltz is put later: the taps before it
    taps = [(0.5 + k * period + d, bytes([0xBF, 64, v])) for k in range(3) for d, v in ((0.0, 127), (0.05, 0))]
    events = taps + [(m.time + start, bytes([m.status, m.data1, m.data2])) for m in guitar.messages
                     if m.time < first + 2.5]
    probe = Probe(SERVER, seconds=20, name="tapprobe")
    proc = start_live(server, "--in", "tapprobe:midi_out", "--footswitch", str(pedal), "--record", str(take),
                      log=log)
    try:
        wait_ports(probe, ["aqyn:guitar in"], proc)
        deadline = time.monotonic() + 10
        while not probe.client.get_all_connections("tapprobe:midi_out") and time.monotonic() < deadline:
            time.sleep(0.05)
        run = play_record_stop(probe, proc, events, 10.0, 0.3)
    finally:
        end_live(proc, probe)
    assert run["code"] == 0, run["err"]
    import mido

    midi = mido.MidiFile(take)
    def timed(track):
        t = 0
        for msg in track:
            t += msg.time
            yield t * 50e-6, msg                   # the take's 10,000 ticks a quarter at 120 BPM
    marks = [(t, m.text) for t, m in timed(midi.tracks[0]) if m.type == "marker"]
    played = [t for t, m in timed(midi.tracks[1]) if m.type == "note_on" and m.velocity > 0]
    band = [(t, text) for t, text in marks if text.startswith(("band in", "meter:"))]
    assert band and "(3/4)" in band[0][1], marks
    assert 0.3 * period < band[0][0] - played[0] < 1.6 * period, (band, played[0])
    assert [text for _, text in band[1:]] == [], band
