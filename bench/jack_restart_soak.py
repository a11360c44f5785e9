"""Soak the live path through JACK server restarts: `aqyn live` (its own process, --virtual or --in) on a
JACK dummy server; a probe plays 3 s of guitar into it, the server is killed (SIGKILL) and started again,
the probe plays again, then aqyn gets SIGTERM; N rounds. Prints one line per round and the counts: clean
exits (0, nothing on stderr), other exit codes (-11 is a segmentation fault), rounds without "input back", and
rounds where the rig itself failed (a restarted dummy jackd now and then dies at once on a loaded machine).

    python bench/jack_restart_soak.py [--rounds 20] [--source --virtual|--in] [--sigterms 1]

`--sigterms K` sends K SIGTERMs 20 ms apart instead of one (re-entry). Needs jackd2 and JACK-Client, as the
live tests do (tests/jackrig.py). Written for the segfault on SIGTERM after a restart seen once under load.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
from jackrig import JackServer, Probe  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402

GM_FONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


def guitar(seconds: float) -> list[tuple[float, bytes]]:
    g = read_guitar_file(ROOT / "examples" / "d_dorian_96_4-4.mid")
    return [(m.time, bytes([m.status, m.data1, m.data2])) for m in g.messages if m.time < seconds]


def play_once(srv: JackServer, proc: subprocess.Popen, source: str, events) -> None:
    """Connect a probe to aqyn's input (it connects itself under --in) and play `events`."""
    probe = Probe(srv.name, seconds=5, name="soakprobe")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if "aqyn:guitar in" in {p.name for p in probe.client.get_ports()}:
                if source == "--virtual" and not probe.client.get_all_connections("soakprobe:midi_out"):
                    try:
                        probe.connect_midi("aqyn:guitar in")
                    except probe.jack.JackError:
                        pass                   # connected meanwhile (or not yet activated): looked at again
                if probe.client.get_all_connections("soakprobe:midi_out"):
                    break
            time.sleep(0.1)
        probe.play(events)
        probe.wait_played(15)
        time.sleep(0.5)
    finally:
        probe.close()


def round_trip(k: int, source: str, sigterms: int, tmp: Path) -> tuple[int, str, bool]:
    """One round: its exit code, stderr, and whether aqyn logged "input back"."""
    srv = JackServer(f"aqyn-soak-{os.getpid()}", period=256).start()
    log = tmp / f"live{k}.jsonl"
    args = ["--in", "soakprobe:midi_out"] if source == "--in" else ["--virtual"]
    font = ["--soundfont", GM_FONT] if Path(GM_FONT).is_file() else []
    proc = subprocess.Popen([sys.executable, "-m", "engine", "live", "--quiet", "--log", str(log), *font, *args],
                            cwd=ROOT, env=srv.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    events = guitar(3.0)
    try:
        play_once(srv, proc, source, events)
        srv.crash()
        time.sleep(2.5)
        srv.start()
        play_once(srv, proc, source, events)
        for _ in range(sigterms):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            time.sleep(0.02)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            _, err = proc.communicate()
        srv.release()
    kinds = [json.loads(line)["kind"] for line in log.read_text().splitlines()] if log.exists() else []
    return proc.returncode, err, "input back" in kinds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--source", choices=("--virtual", "--in"), default="--virtual")
    ap.add_argument("--sigterms", type=int, default=1)
    a = ap.parse_args()
    counts: Counter = Counter()
    with TemporaryDirectory() as tmp:
        for k in range(a.rounds):
            try:
                code, err, back = round_trip(k, a.source, a.sigterms, Path(tmp))
            except Exception as exc:  # noqa: BLE001 (the rig, not aqyn: a restarted jackd that died at once)
                counts["rig failed"] += 1
                print(f"round {k + 1}: the rig failed: {exc!r}", flush=True)
                continue
            clean = code == 0 and not err
            counts["clean" if clean else f"exit {code}" + (" +stderr" if err else "")] += 1
            counts["no input back"] += not back
            said = f", stderr {err.strip()[-300:]!r}" if err else ""
            print(f"round {k + 1}: exit {code}, input back {back}{said}", flush=True)
    print(f"{a.rounds} rounds ({a.source}, {a.sigterms} SIGTERM): " + ", ".join(f"{n} {v}" for v, n in counts.items()))


if __name__ == "__main__":
    main()
