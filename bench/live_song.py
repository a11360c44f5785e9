"""The song live, as a player meets it: stops, endings, tuning plucks and dynamics through `aqyn live` on a real
JACK server, beside the offline render of the same file.

    python bench/live_song.py FILE.mid [FILE.mid ...] [--style auto] [--tail 16] [--json OUT]

For each take: a JACK dummy server (tests/jackrig.py), `aqyn live --in PROBE --midi-out PROBE --record TAKE` as
its own process, and a probe client playing the take's messages into aqyn's input at exact JACK frames and
receiving the band's MIDI back, all on JACK's one frame clock. The band's note-ons are read from what the
probe received (the MIDI output sends each note at its time), its sections from the take's markers (session
seconds, mapped onto the file's by a line through the recorded guitar messages against the file's own). The
same take is rendered offline (`aqyn render`) and read the same way from its output MIDI. The player's beats
and bars are the truth JSON's when there is one beside the take, else the offline render's tempo map.

Per take and per run (live, offline):
- the band's entry: its first note, s after the guitar's first, and beats from the player's nearest downbeat;
- each stop of the player (a gap of two beats or more between note-ons, or the truth's `stops`): the band's last
  note before its first silence of a beat, in beats after the player's last note (stop-time: within a beat and
  a half, the beat after the last note may still sound); the band's first note after that silence while the
  player is still out (live: the ending, once the silence is certain), in bars after the last note; the band's
  first note once the player is back, in beats after the player's first note (with its intro: a new entry),
  and how far it is from the player's nearest downbeat (beats);
- after the last phrase: where the ending began (its first note after the stop-time silence; bars after the
  last note) and the band's last note;
  band notes after a lone note or a few plucks more than 8 s past the song (`plucks`: they should be none);
- per bar: the band's notes and mean velocity beside the guitar's (dynamics), live and offline.

A third run, `virtual`, is what live play does without the rig: the engine over the take's messages alone
(no song ends, which only a render knows) on a virtual clock; `--no-jack` runs only it and the render.
`--jitter N` adds N virtual runs with the messages stamped as live stamps them (on arrival: a JACK period and the
GIL's wait late, seeds 0..N-1): what a few ms of stamping moves, deterministic and without the rig. The live run
also counts band notes still sounding when the tail ends (`stuck`: meaningful when the tail outlasts the ending,
the default's 16 s). `LIVE_SONG_ENGINE=/work/main` measures another checkout's engine under this script.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import mido
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# The engine measured: this worktree's, or another checkout's (LIVE_SONG_ENGINE=/work/main) under the same script.
ENGINE = Path(os.environ.get("LIVE_SONG_ENGINE", ROOT)).resolve()
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ENGINE))

from jackrig import JackServer, Probe  # noqa: E402

from engine.io.midi_input import read_guitar_file  # noqa: E402

BAND_CHANNELS = (6, 7, 9)       # dombra (two layers) and percussion, 0-based
STOP_BEATS = 2.0                # a gap between note-ons of this many beats or more is a stop
LATE_PHRASE = 8.0               # s: a few notes this long after the song are plucks
PLUCKS = 6                      # ... at most this many
JACK_PERIOD = 256 / 48000       # s: the rig's JACK period (JackServer(period=256), 48 kHz)
GIL_WAIT = 0.005                # s: the most the callback thread waits for the GIL (Python's switch interval)


@dataclass
class Run:
    """What the band did over one take: note-ons (s of the file, velocity) and markers (s, text)."""

    notes: list[tuple[float, int]] = field(default_factory=list)
    markers: list[tuple[float, str]] = field(default_factory=list)


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ENGINE)}


def aqyn(*args: str) -> list[str]:
    return [sys.executable, "-P", "-m", "engine", *args]


# -- the player's side ------------------------------------------------------------------------------------------
def player(path: Path, until: float | None = None) -> tuple[list[tuple[float, bytes]], np.ndarray, np.ndarray]:
    """The take's messages (s, bytes) up to `until` s, its note-on times and velocities (converter ghosts out)."""
    messages = [m for m in read_guitar_file(path).messages if until is None or m.time < until]
    events = [(m.time, bytes([m.status, m.data1, m.data2])) for m in messages]
    ons = [(m.time, m.data2) for m in messages if m.status & 0xF0 == 0x90 and m.data2 >= 12
           and m.status & 0x0F != 9]
    return events, np.array([t for t, _ in ons]), np.array([v for _, v in ons])


def beats_and_bars(path: Path, offline: mido.MidiFile) -> tuple[np.ndarray, np.ndarray]:
    """The player's beats and downbeats (s): the truth JSON beside the take, else the offline render's file."""
    truth = path.with_suffix(".json")
    if truth.exists():
        data = json.loads(truth.read_text())
        if "beats" in data and "downbeats" in data:
            return np.array(data["beats"]), np.array(data["downbeats"])
    tpb = offline.ticks_per_beat
    tempo_track = offline.tracks[0]
    beats, bars, t, sec, tempo, sig = [], [], 0, 0.0, 500000, 4
    events = []
    for m in tempo_track:
        t += m.time
        events.append((t, m))
    end = max(sum(m.time for m in tr) for tr in offline.tracks)
    i, tick, last_tick, bar_tick = 0, 0, 0, 0
    while tick <= end:
        while i < len(events) and events[i][0] <= tick:
            at, m = events[i]
            sec += (at - last_tick) * tempo / 1e6 / tpb
            last_tick = at
            if m.type == "set_tempo":
                tempo = m.tempo
            elif m.type == "time_signature":
                sig, bar_tick = m.numerator * tpb * 4 // m.denominator, at
            i += 1
        s = sec + (tick - last_tick) * tempo / 1e6 / tpb
        beats.append(s)
        if (tick - bar_tick) % sig == 0:
            bars.append(s)
        tick += tpb
    return np.array(beats), np.array(bars)


def stops(path: Path, onsets: np.ndarray, beats: np.ndarray) -> list[tuple[float, float]]:
    """(last note, first note back) of each stop: the truth's, else each gap of STOP_BEATS beats or more."""
    truth = path.with_suffix(".json")
    if truth.exists():
        data = json.loads(truth.read_text())
        if "stops" in data:
            out = []
            for s in data["stops"]:
                before, after = onsets[onsets <= s["start"] + 0.05], onsets[onsets >= s["end"] - 0.05]
                if len(before) and len(after):
                    out.append((float(before[-1]), float(after[0])))
            return out
    out = []
    for a, b in zip(onsets, onsets[1:]):
        if b - a >= STOP_BEATS * period_at(beats, a) and b < song_end(onsets)[0] + 0.01:
            out.append((float(a), float(b)))
    return out


def song_end(onsets: np.ndarray) -> tuple[float, np.ndarray]:
    """The song's last note (s) and the stray notes after it: at most PLUCKS notes after a silence of LATE_PHRASE
    s or more, at the take's end, are plucks, not a song (the last gap before them ends the song)."""
    gaps = np.flatnonzero(np.diff(onsets) >= LATE_PHRASE)
    if len(gaps) and len(onsets) - 1 - gaps[-1] <= PLUCKS:
        return float(onsets[gaps[-1]]), onsets[gaps[-1] + 1:]
    return float(onsets[-1]), onsets[:0]


def period_at(beats: np.ndarray, t: float) -> float:
    near = beats[np.abs(beats - t) <= 4.0]
    return float(np.median(np.diff(near))) if len(near) > 2 else float(np.median(np.diff(beats)))


# -- the band's side --------------------------------------------------------------------------------------------
def offline_run(path: Path, style: str, out: Path) -> tuple[Run, mido.MidiFile]:
    subprocess.run(aqyn("render", str(path), "-o", str(out), "--style", style), check=True, env=env(),
                   cwd=ENGINE, capture_output=True)
    mid = mido.MidiFile(out)
    run = Run()
    # Seconds through the whole file's tempo map: mido's playback iteration merges the tracks.
    t = 0.0
    for m in mid:
        t += m.time
        if m.type == "note_on" and m.velocity > 0 and m.channel in BAND_CHANNELS:
            run.notes.append((t, m.velocity))
        elif m.type == "marker":
            run.markers.append((t, m.text))
    return run, mid


def arrival_stamps(messages: list, period: float, seed: int) -> list:
    """The take's messages stamped as `aqyn live` stamps them: on arrival, at the end of the JACK period (s) that
    delivered them (a random phase of the period grid), plus up to GIL_WAIT s for the callback thread, in order.
    The rig measured the same: a take's recorded notes against the file's within a period or two."""
    from engine.events import InputMessage  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    phase, last, out = rng.uniform(0, period), 0.0, []
    for m in messages:
        t = max(last, (np.floor((m.time - phase) / period) + 1) * period + phase + rng.uniform(0, GIL_WAIT))
        out.append(InputMessage(float(t), m.status, m.data1, m.data2))
        last = t
    return out


def virtual_run(path: Path, style: str, until: float | None, jitter: int | None = None) -> Run:
    """What live play does with the take (no song ends known: its stops and endings by silence alone), under a
    virtual clock: the same engine and inputs as `aqyn live` minus real time, so deterministic. With `jitter` (a
    seed), the messages are stamped as live stamps them (`arrival_stamps`), for the decisions a few ms move."""
    from engine.arrange.styles import style_chooser  # noqa: PLC0415
    from engine.events import Marker, Note  # noqa: PLC0415
    from engine.io.sinks import RecordingSink  # noqa: PLC0415
    from engine.listen.listener import PlayerSettings  # noqa: PLC0415
    from engine.pipeline import Engine, EngineConfig, run_offline  # noqa: PLC0415

    messages = [m for m in read_guitar_file(path).messages if until is None or m.time < until]
    if jitter is not None:
        messages = arrival_stamps(messages, JACK_PERIOD, jitter)
    rec = RecordingSink()
    engine = Engine(style_chooser(style), 0, [rec], EngineConfig(PlayerSettings().listener_config()))
    run_offline(engine, messages)
    run = Run()
    for e in rec.events:
        if isinstance(e, Note) and e.channel in BAND_CHANNELS and e.velocity > 0:
            run.notes.append((e.time, e.velocity))
        elif isinstance(e, Marker):
            run.markers.append((e.time, e.text))
    run.notes.sort()
    run.markers.sort()
    return run


def live_run(path: Path, events: list[tuple[float, bytes]], server: JackServer, style: str, tmp: Path,
             tail: float, extra: tuple[str, ...] = ()) -> tuple[Run, dict]:
    """Play the take into `aqyn live` in real time; the band as heard back on the probe's MIDI input."""
    take, log = tmp / "take.mid", tmp / "live.jsonl"
    duration = max(t for t, _ in events)
    probe = Probe(server.name, seconds=2, name="songprobe")
    proc = subprocess.Popen(aqyn("live", "--quiet", "--in", "songprobe:midi_out", "--midi-out", "songprobe:midi_in",
                                 "--record", str(take), "--log", str(log), "--style", style, *extra),
                            cwd=ENGINE, env={**env(), **server.env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline = time.monotonic() + 30
        while not (probe.client.get_all_connections("songprobe:midi_out")
                   and probe.client.get_all_connections("songprobe:midi_in") and log.exists()
                   and log.stat().st_size):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"aqyn live did not come up: {proc.stderr.read() if proc.poll() else ''}")
            time.sleep(0.05)
        time.sleep(0.5)
        origin = probe.play(events)
        probe.wait_played(duration + 60)
        time.sleep(tail)
        before_exit = len(probe.received)     # what aqyn's shutdown silences is not counted as released
        proc.terminate()
        _, err = proc.communicate(timeout=20)
        received = list(probe.received)
        ratio = probe.clock_ratio()
    finally:
        if proc.poll() is None:
            proc.kill()
        probe.close()
    run = Run()
    for frame, data in received:
        if len(data) == 3 and data[0] & 0xF0 == 0x90 and data[2] > 0 and data[0] & 0x0F in BAND_CHANNELS:
            run.notes.append(((frame - origin) / probe.rate, data[2]))
    run.markers = take_markers(take, events)
    lines = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
    late = max((e.get("late_events", 0) for e in lines if e["kind"] == "status"), default=0)
    return run, {"code": proc.returncode, "stderr": err.strip()[-300:], "clock_ratio": round(ratio, 4),
                 "late_events": late, "controls": [e["action"] for e in lines if e["kind"] == "control"],
                 "stuck": stuck_notes(received[:before_exit])}


def stuck_notes(received: list[tuple[int, bytes]]) -> int:
    """Band notes (channel, pitch) still sounding when the run ended: note-ons with no note-off (or note-on of
    velocity 0) after them, nor an all-notes-off / all-sound-off controller on their channel."""
    sounding: dict[tuple[int, int], int] = {}
    for _, data in received:
        kind, channel = data[0] & 0xF0, data[0] & 0x0F
        if channel not in BAND_CHANNELS or len(data) < 3:
            continue
        if kind == 0x90 and data[2] > 0:
            sounding[(channel, data[1])] = sounding.get((channel, data[1]), 0) + 1
        elif kind in (0x80, 0x90):
            sounding.pop((channel, data[1]), None)
        elif kind == 0xB0 and data[1] in (120, 123):
            sounding = {k: n for k, n in sounding.items() if k[0] != channel}
    return len(sounding)


def take_markers(take: Path, events: list[tuple[float, bytes]]) -> list[tuple[float, str]]:
    """The take's markers in seconds of the file: the session's clock mapped by a line through the recorded guitar
    note-ons (session s) against the file's (s), the k-th of each pitch with the k-th (a message the take left out
    moves no other pair), refitted without pairs more than 30 ms off."""
    mid = mido.MidiFile(take)
    per_tick = 60.0 / 120 / mid.ticks_per_beat       # the take's fixed 120 BPM
    marks, recorded = [], {}
    for track in mid.tracks:
        t = 0
        for m in track:
            t += m.time
            if m.type == "marker":
                marks.append((t * per_tick, m.text))
            elif track.name == "guitar" and m.type == "note_on" and m.velocity > 0:
                recorded.setdefault(m.note, []).append(t * per_tick)
    played: dict[int, list[float]] = {}
    for t, d in events:
        if d[0] & 0xF0 == 0x90 and d[2] > 0:
            played.setdefault(d[1], []).append(t)
    pairs = np.array([(g, p) for pitch, times in recorded.items() for g, p in zip(times, played.get(pitch, []))])
    if len(pairs) < 2:
        return []
    keep = np.ones(len(pairs), bool)
    for _ in range(3):
        a, b = np.polyfit(pairs[keep, 0], pairs[keep, 1], 1)
        keep = np.abs(pairs[:, 1] - (a * pairs[:, 0] + b)) <= 0.03
        if keep.sum() < 2:
            return []
    if os.environ.get("LIVE_SONG_DEBUG"):
        print(f"take fit: {len(pairs)} pairs, {keep.sum()} within 30 ms, slope {a:.4f}, offset {b:.3f}",
              file=sys.stderr)
    return [(float(a * t + b), text) for t, text in marks]


# -- what the band did ------------------------------------------------------------------------------------------
def first_marker(run: Run, prefix: str, since: float, until: float = np.inf) -> float | None:
    return next((t for t, text in run.markers if text.startswith(prefix) and since <= t < until), None)


def entry_row(run: Run, onsets: np.ndarray, beats: np.ndarray, bars: np.ndarray) -> dict:
    """The band's entry: its first note in s after the guitar's first note, and how far (beats) it is from the
    player's nearest downbeat (0: on a downbeat)."""
    if not run.notes or not len(onsets):
        return {"entry_s": None}
    first = run.notes[0][0]
    p = period_at(beats, first)
    return {"entry_s": round(first - float(onsets[0]), 2),
            "entry_from_downbeat_beats": round(float(np.min(np.abs(bars - first))) / p, 2) if len(bars) else None}


def went_quiet(notes: np.ndarray, last: float, until: float, period: float) -> tuple[float, float | None]:
    """After the player's last note at `last` (s): the band's last note before its first silence of a beat or more
    (stop-time: `last` itself when it played none), and its first note after that silence before `until` (s), the
    ending when it plays one (None: silent). Read from the notes alone: the take's markers are stamped on the
    session's clock, mapped onto the file's only to some 0.1 s."""
    after = notes[(notes > last + 0.02) & (notes < until)]
    quiet = last
    for t in after:
        if t - quiet >= period:
            return quiet, float(t)
        quiet = float(t)
    return quiet, None


def stop_rows(run: Run, gaps: list[tuple[float, float]], beats: np.ndarray, bars: np.ndarray) -> list[dict]:
    """Per stop: when the band went quiet, whether an ending began, when it came back (see the module doc)."""
    notes = np.array([t for t, _ in run.notes])
    rows = []
    for last, back in gaps:
        p = period_at(beats, last)
        bar = p * max(1, round(np.median(np.diff(bars)) / p)) if len(bars) > 1 else 4 * p
        quiet, ending = went_quiet(notes, last, back - 0.05, p)
        first = notes[notes >= back - 0.05]
        row = {"last": round(last, 2), "back": round(back, 2), "gap_beats": round((back - last) / p, 1),
               "quiet_beats": round((quiet - last) / p, 2),
               "ending_bars": round((ending - last) / bar, 2) if ending is not None else None}
        entry = first_marker(run, "band in", back - 0.05)
        if entry is not None and len(first) and entry <= first[0] + 0.1:
            row["back_with_intro"] = True
        if len(first):
            row["back_beats"] = round(float(first[0] - back) / p, 2)
            row["from_downbeat_beats"] = round(float(np.min(np.abs(bars - first[0]))) / p, 2)
        rows.append(row)
    return rows


def end_rows(run: Run, onsets: np.ndarray, beats: np.ndarray, bars: np.ndarray) -> dict:
    """After the song's last phrase (its last note followed by LATE_PHRASE s without one): where the ending
    began, the band's last note, and band notes after later stray notes (plucks)."""
    notes = np.array([t for t, _ in run.notes])
    end, later = song_end(onsets)
    p = period_at(beats, end)
    bar = p * max(1, round(np.median(np.diff(bars)) / p)) if len(bars) > 1 else 4 * p
    _, ending = went_quiet(notes, end, later[0] if len(later) else np.inf, p)
    end_notes = notes[(notes > end) & (notes < (later[0] if len(later) else np.inf))]
    row = {"song_end": round(end, 2),
           "ending_bars": round((ending - end) / bar, 2) if ending is not None else None,
           "last_band_bars": round(float(end_notes[-1] - end) / bar, 2) if len(end_notes) else None}
    if len(later):
        row["plucks"] = len(later)
        row["band_after_plucks"] = int(np.sum(notes > later[0]))
    return row


def bar_rows(run: Run, onsets: np.ndarray, velocities: np.ndarray, bars: np.ndarray) -> list[tuple]:
    """Per bar of the player's: (guitar notes, guitar mean velocity, band notes, band mean velocity)."""
    notes = np.array([t for t, _ in run.notes])
    vel = np.array([v for _, v in run.notes])
    rows = []
    for a, b in zip(bars, bars[1:]):
        g = (onsets >= a) & (onsets < b)
        k = (notes >= a) & (notes < b)
        rows.append((int(g.sum()), round(float(velocities[g].mean()), 1) if g.any() else 0.0,
                     int(k.sum()), round(float(vel[k].mean()), 1) if k.any() else 0.0))
    return rows


def measure(path: Path, server: JackServer | None, style: str, tail: float, until: float | None = None,
            jitter: list[int] = ()) -> dict:
    events, onsets, velocities = player(path, until)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        offline, mid = offline_run(path, style, tmp / "offline.mid")
        beats, bars = beats_and_bars(path, mid)
        live, info = live_run(path, events, server, style, tmp, tail) if server else (None, {})
    virtual = virtual_run(path, style, until)
    jittered = [(f"jitter{seed}", virtual_run(path, style, until, seed)) for seed in jitter]
    gaps = stops(path, onsets, beats)
    out = {"file": path.name, "live_info": info}
    for name, run in (("live", live), ("virtual", virtual), *jittered, ("offline", offline)):
        if run is None:
            continue
        out[name] = {"entry": entry_row(run, onsets, beats, bars), "stops": stop_rows(run, gaps, beats, bars),
                     "end": end_rows(run, onsets, beats, bars),
                     "bars": bar_rows(run, onsets, velocities, bars), "notes": len(run.notes),
                     "band_onsets": [round(t, 3) for t, _ in run.notes],
                     "markers": [(round(t, 2), m) for t, m in run.markers
                                 if m.startswith(("band", "stop", "ending", "section: ending", "section: intro"))]}
    return out


def report(r: dict) -> None:
    info = r["live_info"]
    print(f"== {r['file']}" + (f"  (live exit {info['code']}, late events {info['late_events']}, "
                               f"JACK frames per wall s {info['clock_ratio']}, stuck notes {info['stuck']})"
                               if info else ""))
    for name in [k for k in r if k not in ("file", "live_info")]:
        x = r[name]
        print(f"  {name:8s} notes {x['notes']}, entry {x['entry']}, end {x['end']}")
        for s in x["stops"]:
            print(f"    stop {s['last']:7.2f}-{s['back']:7.2f} ({s['gap_beats']:4.1f} beats): quiet after "
                  f"{s['quiet_beats']:5.2f} beats, ending {s['ending_bars']} bars, back after "
                  f"{s.get('back_beats')} beats{' (intro)' if s.get('back_with_intro') else ''}, "
                  f"{s.get('from_downbeat_beats')} beats from a downbeat")
    lv, off = r.get("live", r["virtual"])["bars"], r["offline"]["bars"]
    if lv:
        print("  bar  guitar n/vel   live n/vel   offline n/vel")
    for i, (a, b) in enumerate(zip(lv, off)):
        print(f"  {i:3d}  {a[0]:3d} {a[1]:5.1f}    {a[2]:3d} {a[3]:5.1f}    {b[2]:3d} {b[3]:5.1f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--style", default="auto")
    ap.add_argument("--tail", type=float, default=16.0, help="s to listen after the take's last message")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--quiet-bars", action="store_true", help="leave out the per-bar table")
    ap.add_argument("--no-jack", action="store_true", help="only the virtual-clock run and the render (fast)")
    ap.add_argument("--until", type=float, help="play only the take's first seconds")
    ap.add_argument("--jitter", type=int, default=0, metavar="N",
                    help="N more virtual runs with the messages stamped as live stamps them (seeds 0..N-1)")
    ap.add_argument("--sync-server", action="store_true",
                    help="run JACK synchronously (each cycle waits for every client): on a loaded machine its frame "
                         "clock then runs slow (0.8-0.9 of the wall clock measured) and warps the take aqyn hears; "
                         "the default, asynchronous, keeps time and delays a late client's events by a cycle")
    args = ap.parse_args(argv)
    server = None if args.no_jack else JackServer(f"aqyn-livesong-{os.getpid()}", period=256,
                                                  sync=args.sync_server).start()
    results = []
    try:
        for path in args.files:
            r = measure(path, server, args.style, args.tail, args.until, list(range(args.jitter)))
            if args.quiet_bars:
                for name in [k for k in r if k not in ("file", "live_info")]:
                    r[name]["bars"] = []
            report(r)
            results.append(r)
    finally:
        if server is not None:
            server.release()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
