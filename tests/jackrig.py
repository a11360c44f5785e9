"""A real JACK rig for live tests and bench/live_timing.py: a dummy-backend server, and a probe client that
plays MIDI into a port at exact frames and records audio from ports, all on JACK's one frame clock.

Needs jackd2 (apt) and JACK-Client (pip, a dev dependency). Nothing here is mocked: the server, the ports,
the MIDI and the audio are JACK's own.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

RATE = 48000
PERIOD = 128


def jack_available() -> str | None:
    """None when a JACK server can be started here, else why not."""
    if shutil.which("jackd") is None:
        return "jackd is not installed (apt-get install jackd2)"
    try:
        import jack  # noqa: F401, PLC0415
    except (ImportError, OSError) as exc:
        return f"JACK-Client is not usable ({exc})"
    return None


class JackServer:
    """`jackd --sync --no-realtime -n NAME -d dummy`, started and stopped by PID.

    Synchronous: each cycle waits for every client. In the default asynchronous mode a client late for a
    cycle is skipped, and for that cycle its MIDI input is lost and its recording has a hole (which reads as
    a false onset); on two shared cores the Python probe missed about 2 % of cycles that way (~200 holes per
    40 s under load, none with --sync). A real-time server with real-time clients does not skip them either.
    """

    def __init__(self, name: str, rate: int = RATE, period: int = PERIOD, sync: bool = True):
        self.name, self.rate, self.period, self.sync = name, rate, period, sync
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        return {**os.environ, "JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    def start(self) -> "JackServer":
        self.proc = subprocess.Popen(
            ["jackd", *(["--sync"] if self.sync else []), "--no-realtime", "-n", self.name,
             "-d", "dummy", "-r", str(self.rate), "-p", str(self.period)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            r = subprocess.run(["jack_wait", "-s", self.name, "-c"], capture_output=True, text=True, env=self.env())
            if "running" in r.stdout and "not" not in r.stdout:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"jackd exited with code {self.proc.returncode}")
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("jackd did not come up within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def crash(self) -> None:
        """The server dies (SIGKILL: no goodbye to its clients), as a server whose machine or process failed."""
        self.proc.kill()
        self.proc.wait()
        self.proc = None

    def release(self) -> None:
        """Stop the server and remove what JACK left of it. One that had to be killed (it did not stop on
        SIGTERM) keeps its place in JACK's registry of at most eight servers, and enough of those stop every
        JACK test on the machine from starting one: a server started under its name and stopped cleanly
        gives the place back; a killed client's semaphores are removed."""
        self.stop()
        registry = Path("/dev/shm/jack-shm-registry")
        entry = f"jack-{os.getuid()}:{self.name}:".encode()
        if registry.exists() and entry in registry.read_bytes():
            JackServer(self.name, sync=False).start().stop()
        for left in Path("/dev/shm").glob(f"jack_sem.*_{self.name}_*"):
            left.unlink(missing_ok=True)


def stop_live(proc: subprocess.Popen, timeout: float = 15.0) -> str:
    """Stop an `aqyn live` process as a musician's Ctrl-C would reach it (SIGTERM) and wait for it: its stderr.
    Raises subprocess.TimeoutExpired when it has not exited within `timeout` s (`end_live` then kills it)."""
    proc.terminate()
    return proc.communicate(timeout=timeout)[1]


def end_live(proc: subprocess.Popen, *probes: "Probe | None") -> None:
    """A live test's clean-up (its `finally`): `proc` killed when a failure left it running, then `probes`
    closed (None: none)."""
    if proc.poll() is None:
        proc.kill()
    for probe in probes:
        if probe is not None:
            probe.close()


class Probe:
    """A JACK client with one MIDI output and two audio inputs.

    `play(events)` sends (seconds, bytes) at exact frames from a start a little ahead; `record` keeps every
    audio frame from activation on, so `audio()` and `frame_of(seconds)` share JACK's frame clock.
    """

    def __init__(self, server: str, seconds: float = 90.0, name: str = "probe"):
        import jack  # noqa: PLC0415

        self.jack = jack
        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.rate = self.client.samplerate
        self.midi = self.client.midi_outports.register("midi_out")
        self.midi_in = self.client.midi_inports.register("midi_in")
        self.received: list[tuple[int, bytes]] = []   # (JACK frame, bytes) arriving on midi_in
        self.cycles: list[tuple[float, int]] = []       # (time.monotonic() at the callback, cycle's first frame)
        self.ins = [self.client.inports.register(f"in_{i}") for i in (1, 2)]
        self.buf = np.zeros((int(seconds * self.rate), 2), dtype=np.float32)
        self.first_frame: int | None = None
        self.recorded = 0
        self.missed_frames = 0     # frames of cycles this client was skipped for (none on a --sync server)
        self._events: list[tuple[int, bytes]] = []
        self._next = 0
        self._lock = threading.Lock()
        self.client.set_process_callback(self._process)
        self.client.activate()

    def _process(self, frames: int) -> None:
        start = self.client.last_frame_time
        if self.cycles and start > self.cycles[-1][1] + frames:
            self.missed_frames += start - self.cycles[-1][1] - frames
        self.cycles.append((time.monotonic(), start))
        with self._lock:
            midi = self.midi
            if midi is not None:
                midi.clear_buffer()
            ev = self._events
            while self._next < len(ev) and ev[self._next][0] < start + frames:
                frame, data = ev[self._next]
                if midi is not None:    # an unplugged cable loses what is played meanwhile
                    midi.write_midi_event(max(0, frame - start), data)
                self._next += 1
        for offset, data in self.midi_in.incoming_midi_events():
            self.received.append((start + offset, bytes(data)))
        if self.first_frame is None:
            self.first_frame = start
        pos = start - self.first_frame
        if 0 <= pos and pos + frames <= len(self.buf):
            self.buf[pos:pos + frames, 0] = self.ins[0].get_array()
            self.buf[pos:pos + frames, 1] = self.ins[1].get_array()
            self.recorded = pos + frames

    def port_names(self) -> set[str]:
        """The names of the server's ports now. JACK-Client lists the names, then looks each one up: a port that
        is unregistered in between (aqyn re-opening its input after a restart) raised JackError out of a test's
        wait (CI, session 27). The list is read again then; after five such tries, none (the callers poll again)."""
        for _ in range(5):
            try:
                return {p.name for p in self.client.get_ports()}
            except self.jack.JackError:
                time.sleep(0.05)
        return set()

    def connect_midi(self, dest: str) -> None:
        self._connect(self.midi, dest)

    def drop_midi_out(self) -> None:
        """Unregister the MIDI output: to a reader, the port vanishes as an unplugged converter's would."""
        with self._lock:
            midi, self.midi = self.midi, None
        midi.unregister()

    def restore_midi_out(self) -> None:
        with self._lock:
            self.midi = self.client.midi_outports.register("midi_out")

    def connect_audio(self, left: str, right: str) -> None:
        self._connect(left, self.ins[0])
        self._connect(right, self.ins[1])

    def _connect(self, source, destination, timeout: float = 3.0) -> None:
        """Connect, retrying for a moment: a client's ports are visible before the client is activated, and
        JACK refuses to connect ports of an inactive client. A try that failed on a loaded --sync server (its
        answer late) may have connected all the same: the next then finds it there (EEXIST), which is done."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.client.connect(source, destination)
                return
            except self.jack.JackErrorCode as exc:
                if exc.code == errno.EEXIST:
                    return
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def now_frame(self) -> int:
        return self.client.frame_time

    def play(self, events: list[tuple[float, bytes]], lead: float = 0.3) -> int:
        """Queue (seconds, bytes) events; returns the frame that is second 0."""
        origin = self.client.frame_time + int(lead * self.rate)
        timed = sorted((origin + int(round(t * self.rate)), bytes(d)) for t, d in events)
        with self._lock:
            self._events, self._next = timed, 0
        return origin

    def wait_played(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._next >= len(self._events):
                    return True
            time.sleep(0.05)
        return False

    def clock_ratio(self) -> float:
        """JACK frames per second of the monotonic clock, over the cycles seen, / the sample rate: 1.0 when
        the frame clock keeps time (a --sync server on a loaded machine runs a few per cent slow)."""
        (t0, f0), (t1, f1) = self.cycles[0], self.cycles[-1]
        return (f1 - f0) / ((t1 - t0) * self.rate) if t1 > t0 else 1.0

    def index_of(self, frame: int) -> int:
        """Row of the recording holding JACK frame `frame`."""
        return frame - (self.first_frame or 0)

    def audio(self) -> np.ndarray:
        return self.buf[: self.recorded]

    def close(self) -> None:
        self.client.deactivate()
        self.client.close()


def onsets(audio: np.ndarray, rate: int, hop: int = 48, threshold_db: float = -45.0, rise_db: float = 9.0,
           min_gap: float = 0.06) -> np.ndarray:
    """Times (s) where the level jumps: `rise_db` above the level 10 ms before and above `threshold_db`.

    Coarse but robust for percussive attacks (a dombra strum, a drum hit): hop 1 ms at 48 kHz.
    """
    mono = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    n = len(mono) // hop
    if n < 12:
        return np.zeros(0)
    env = mono[: n * hop].reshape(n, hop).max(axis=1)
    db = 20 * np.log10(env + 1e-9)
    back = 10
    rise = db[back:] - db[:-back]
    cand = np.where((rise > rise_db) & (db[back:] > threshold_db))[0] + back
    out: list[float] = []
    for i in cand:
        t = i * hop / rate
        if not out or t - out[-1] >= min_gap:
            out.append(t)
    return np.array(out)
