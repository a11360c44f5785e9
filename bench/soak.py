"""A gig soak: hours of simulated playing through the live driver, with the figures a gig depends on.

    python bench/soak.py [--hours 3] [--seed 0]             under a VirtualClock, as fast as the machine runs
    python bench/soak.py --jack [--minutes 10]              in real time, the band through FluidSynth into a
                                                            JACK server on the dummy backend (tests/jackrig.py)

The set: songs from bench/player_sim.py (every kind in turn: tempo drift, ramps, steps and rubato, stops,
meter changes, songs played twice; each in its own key and mode) with 4-20 s pauses between, about an hour of
it, played as many times as the gig has hours. Before each song a program change picks its style, and
footswitch presses (tap: fill, hold: next section) fall inside it, all as raw MIDI through the footswitch map.
The live driver runs it: `LiveFeed` (each message put when the clock reaches it, as the port's callback
would) -> `LiveLoop` (`engine.pipeline.run`) -> a `WireSink` (engine/io/wire.py, flat memory), and with
--jack also FluidSynth (`FluidLiveSink`) on a `SystemClock`.

Figures (targets from issue 13):
  beat drift   the band's beats against the player's true beats (truth JSON; band beats within a quarter beat
               of one): the median offset in ms per set (about an hour; the same songs each set), and the
               drift, the last set's median minus the first's (target <= 1 ms)
  memory       traced Python memory (tracemalloc) and RSS, end of the first set to the end (target <= 5 MB)
  late events  notes the band committed or the synth got after their time (target 0)
  stuck notes  notes still sounding when the gig is over, before the panic (target 0), and after it
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from player_sim import KINDS, make_take  # noqa: E402

from engine.arrange.styles import style_chooser  # noqa: E402
from engine.clock import SystemClock, VirtualClock  # noqa: E402
from engine.events import Beat  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.io.wire import WireSink  # noqa: E402
from engine.listen.listener import PlayerSettings  # noqa: E402
from engine.live.controls import FootswitchMap  # noqa: E402
from engine.live.feed import LiveFeed  # noqa: E402
from engine.live.loop import LiveLoop  # noqa: E402
from engine.live.status import rss_mb  # noqa: E402
from engine.pipeline import Engine, EngineConfig  # noqa: E402

HOUR = 3600.0
STYLES = ("tokpe-gallop", "trot", "tokpe-flow", "aqsaq-7-8", "tokpe-waltz", "shertpe-332")
FOOTSWITCH = f"""
[[switch]]
cc = 64
channel = 16
tap = "fill"
hold = "next"

[program_change]
channel = 16
styles = {list(STYLES)!r}
""".replace("'", '"')
TAIL = 60.0     # s after the last song for the band to end


@dataclass
class Song:
    """One take placed in the gig: its messages (bytes, s), its true beats (s) and where it spans (s)."""

    start: float
    end: float
    beats: array
    messages: list[tuple[list[int], float]]


@dataclass
class Gig:
    """The whole gig: songs in order, and its length (s)."""

    songs: list[Song] = field(default_factory=list)
    length: float = 0.0


def make_set(seed: int, seconds: float, tmp: Path) -> list[tuple[list[tuple[list[int], float]], list[float], float]]:
    """About `seconds` of songs: (messages from 0 s, true beats s, length s) each, with cues among the messages."""
    songs, total, index = [], 0.0, 0
    while total < seconds:
        take = make_take(KINDS[index % len(KINDS)], seed, index)
        path = tmp / "take.mid"
        path.write_bytes(take.midi)
        guitar = read_guitar_file(path)
        length = guitar.duration + 2.0
        msgs = [([m.status, m.data1, m.data2], m.time + 1.0) for m in guitar.messages]
        msgs.append(([0xCF, index % len(STYLES)], 0.0))                        # the song's style
        for at, hold in ((0.3, 0.1), (0.55, 0.8), (0.8, 0.1)):                 # fill, next section, fill
            msgs += [([0xBF, 64, 127], 1.0 + at * guitar.duration), ([0xBF, 64, 0], 1.0 + at * guitar.duration + hold)]
        songs.append((sorted(msgs, key=lambda m: m[1]), [b + 1.0 for b in take.truth["beats"]], length))
        total += length
        index += 1
    return songs


def make_gig(seconds: float, sets: int, seed: int) -> Gig:
    """A set of about `seconds` / `sets` of songs, played `sets` times, 4-20 s between songs."""
    with tempfile.TemporaryDirectory() as tmp:
        one_set = make_set(seed, seconds / sets, Path(tmp))
    gig, t, k = Gig(), 0.5, 0
    while k < sets * len(one_set):
        msgs, beats, length = one_set[k % len(one_set)]
        gig.songs.append(Song(t, t + length, array("d", (b + t for b in beats)), [(m, s + t) for m, s in msgs]))
        t += length + 4.0 + (k * 7919 % 17)
        k += 1
    gig.length = t
    return gig


class GigSource:
    """The live feed, given each message when the clock reaches it (as a port's callback would)."""

    def __init__(self, feed: LiveFeed, gig: Gig):
        self.feed, self.gig = feed, gig
        self._song, self._msg = 0, 0

    @property
    def arrivals(self) -> list[float]:
        return self.feed.arrivals

    def pull(self, clock, due: float):
        songs = self.gig.songs
        while self._song < len(songs):
            msgs = songs[self._song].messages
            while self._msg < len(msgs) and msgs[self._msg][1] <= due:
                self.feed.put(*msgs[self._msg])
                self._msg += 1
            if self._msg < len(msgs):
                break
            self._song, self._msg = self._song + 1, 0
        return self.feed.pull(clock, due)


class BeatTap:
    """A sink keeping the band's beat times (s) only."""

    def __init__(self):
        self.times = array("d")

    def send(self, event) -> None:
        if isinstance(event, Beat):
            self.times.append(event.time)

    def close(self) -> None:
        pass


def beat_offsets(gig: Gig, band: array, parts: int, part: float) -> list[list[float]]:
    """Per part of `part` s: band beat - nearest true beat (s), for band beats within a song and within a quarter
    beat of a true one."""
    out: list[list[float]] = [[] for _ in range(parts)]
    for song in gig.songs:
        truth = song.beats
        if len(truth) < 2:
            continue
        for t in band[bisect_left(band, song.start):bisect_left(band, song.end)]:
            i = bisect_left(truth, t)
            near = min((truth[j] for j in (i - 1, i) if 0 <= j < len(truth)), key=lambda b: abs(b - t))
            gap = truth[min(max(i, 1), len(truth) - 1)] - truth[min(max(i, 1), len(truth) - 1) - 1]
            if abs(t - near) <= 0.25 * gap:
                out[min(int(t // part), parts - 1)].append(t - near)
    return out


def memory() -> tuple[float, float | None]:
    """Traced Python memory and RSS, MiB."""
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 2**20, rss_mb()


@dataclass
class Figures:
    """What a soak measured (see the module docstring); times in s, offsets in s, memory in MiB."""

    offsets: list[list[float]]
    traced: tuple[float, float] | None     # after the first part, at the end
    rss: tuple[float | None, float | None]
    late: int
    stuck_before: int
    stuck_after: int
    notes: int
    messages: int
    virtual_s: float
    wall_s: float


def play_gig(gig: Gig, clock, parts: int, synth=None, seed: int = 0) -> Figures:
    """Play `gig` through the live driver on `clock` until the band has ended after it; measure memory after
    the first of `parts` equal parts and at the end. `synth`: a FluidLiveSink too (real time)."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "fs.toml").write_text(FOOTSWITCH)
        fmap = FootswitchMap.load(Path(tmp) / "fs.toml")
    wire, tap = WireSink(clock, keep=False), BeatTap()
    sinks = [s for s in (synth, wire, tap) if s is not None]
    engine = Engine(style_chooser("auto", strict=False), seed, sinks, EngineConfig(PlayerSettings().listener_config()))
    feed = LiveFeed(fmap)
    source = GigSource(feed, gig) if not clock.realtime else feed
    if clock.realtime:
        threading.Thread(target=port_thread, args=(feed, gig, clock), daemon=True).start()
    loop, first, end = LiveLoop(engine, source, clock), [], gig.length + TAIL
    wall = time.perf_counter()

    def stop(now: float) -> bool:
        if not first and now >= gig.length / parts:
            first.append(memory())
        return now >= end

    loop.play(stop)
    last = memory()
    stuck_before = wire.stuck()
    engine.close()
    traced = (first[0][0], last[0]) if tracemalloc.is_tracing() else None
    late = wire.late + engine.scheduler.late + (synth.late if synth is not None else 0)
    return Figures(beat_offsets(gig, tap.times, parts, gig.length / parts), traced, (first[0][1], last[1]), late,
                   stuck_before, wire.stuck(), wire.notes, feed.counters.messages, clock.now(),
                   time.perf_counter() - wall)


def port_thread(feed: LiveFeed, gig: Gig, clock) -> None:
    """Real time: put each message when its time comes, stamped with the clock then (a port's callback)."""
    for song in gig.songs:
        for data, t in song.messages:
            wait = t - clock.now()
            if wait > 0:
                time.sleep(wait)
            feed.put(data, clock.now())


def report(f: Figures, part: str) -> None:
    """Print the figures, each with its target."""
    medians = [median(o) * 1000 if o else float("nan") for o in f.offsets]
    print(f"played {f.virtual_s / 3600:.2f} h of gig in {f.wall_s:.0f} s wall ({f.virtual_s / f.wall_s:.1f}x real "
          f"time): {f.messages} MIDI messages in, {f.notes} band notes out")
    print(f"beat offset, band - player's true beat, median per {part}: "
          + ", ".join(f"{m:+.2f} ms ({len(o)} beats)" for m, o in zip(medians, f.offsets)))
    p90 = [sorted(abs(x) for x in o)[int(0.9 * len(o))] * 1000 if o else float("nan") for o in f.offsets]
    print(f"  |offset| p90 per {part}: " + ", ".join(f"{p:.1f} ms" for p in p90))
    print(f"beat drift, last {part} - first: {medians[-1] - medians[0]:+.3f} ms (target <= 1 ms)")
    if f.traced is not None:
        print(f"memory (tracemalloc) after the first {part}: {f.traced[0]:.2f} MiB, at the end: {f.traced[1]:.2f} MiB; "
              f"growth {f.traced[1] - f.traced[0]:+.2f} MiB (target <= 5 MB)")
    if f.rss[0] is not None and f.rss[1] is not None:
        print(f"memory (RSS) after the first {part}: {f.rss[0]:.1f} MiB, at the end: {f.rss[1]:.1f} MiB; "
              f"growth {f.rss[1] - f.rss[0]:+.1f} MiB (target <= 5 MB)")
    print(f"late events: {f.late} (target 0)")
    print(f"stuck notes: {f.stuck_before} when the gig is over, {f.stuck_after} after the panic (target 0)")


def run_jack(minutes: float, seed: int) -> Figures:
    """Real time: FluidSynth into a JACK server on the dummy backend, the set played twice."""
    sys.path.insert(0, str(ROOT / "tests"))
    from jackrig import JackServer  # noqa: PLC0415

    from engine.io.fluid_live import AudioConfig, FluidLiveSink  # noqa: PLC0415
    from engine.io.soundfont import find_soundfont  # noqa: PLC0415

    server = JackServer(f"aqyn-soak-{os.getpid()}", period=256).start()
    os.environ.update(JACK_DEFAULT_SERVER=server.name, JACK_NO_START_SERVER="1")
    try:
        gig = make_gig(minutes * 60 - TAIL, 2, seed)
        clock = SystemClock()
        synth = FluidLiveSink(clock, find_soundfont(None), AudioConfig(driver="jack", jack_autoconnect=False))
        sys.setswitchinterval(0.0005)          # as the live session does
        return play_gig(gig, clock, 2, synth, seed)
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hours", type=float, default=3.0, help="length of the virtual gig (h)")
    ap.add_argument("--jack", action="store_true", help="real time through a JACK dummy server instead")
    ap.add_argument("--minutes", type=float, default=10.0, help="length of the real-time run (min)")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.jack:
        report(run_jack(a.minutes, a.seed), "half")
        return 0
    sets = max(1, round(a.hours))
    gig = make_gig(a.hours * HOUR, sets, a.seed)
    tracemalloc.start()
    report(play_gig(gig, VirtualClock(), sets, seed=a.seed), f"set ({gig.length / sets / 3600:.2f} h)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
