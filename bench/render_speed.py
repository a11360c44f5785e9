"""Render speed and memory: the whole aqyn pipeline against FluidSynth's own command-line renderer, for takes
of 1, 10 and 60 minutes, in one run.

    python bench/render_speed.py [--minutes 1,10,60] [--repeat N] [--soundfont PATH]

A take of N minutes is the three example songs played one after another, over and over, 2 s apart (a gig's
set list: keys, tempi and meters change). For each length and each of N rounds (interleaved, so machine
noise hits both alike) it runs, as separate processes, and reads each one's elapsed time and peak resident
memory (the kernel's maxrss of that child):
  aqyn       `aqyn render TAKE.mid -o OUT.mid --wav OUT.wav --with-guitar` (read, listen, arrange, write
             MIDI, synthesise every part, write WAV)
  fluidsynth `fluidsynth -ni -F X.wav -r 44100 ... SOUNDFONT OUT.mid`: the bare C renderer on aqyn's own
             output MIDI, with the same synth settings (gain, chorus off) and the same SoundFont
then prints the medians and their ratios. Targets (issue 13): time <= 1.0x fluidsynth's, peak memory <= 1.2x,
and aqyn's memory flat with length. Then an in-process breakdown of aqyn's stages on the 1-minute take.
Last (issue 14), the SoundFonts side by side: aqyn's own (soundfonts/aqyn.sf2) against FluidR3_GM, each
`aqyn render --wav --with-guitar` of the 1-minute take (median time and peak memory, interleaved rounds) and
the time FluidSynth takes to load the whole font and the memory of a process holding it (as `aqyn live`
does; the offline render loads only the presets it plays). `--fonts A.sf2,B.sf2` compares others; `--fonts ''` skips it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import mido

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.io.soundfont import OWN_FONT, SYSTEM_FONTS, find_soundfont  # noqa: E402
from engine.io.wav_render import SYNTH_SETTINGS  # noqa: E402

GAP = 2.0   # s between songs of the take


def long_take(minutes: float, path: Path) -> float:
    """Write a take of at least `minutes` (the examples in turn, GAP s apart, as one track at 120 BPM and
    960 ticks a beat, the examples' own grid) to `path`; returns its length in seconds."""
    songs = [mido.MidiFile(p) for p in sorted((ROOT / "examples").glob("*.mid"))]
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500_000, time=0)])
    gap_ticks = int(GAP * 2 * 960)
    total, song, carry = 0.0, 0, 0
    while total < minutes * 60:
        source = songs[song % len(songs)]
        song += 1
        for msg in mido.merge_tracks(source.tracks):
            if msg.is_meta:         # each song's own name and tempo: the take keeps one
                carry += msg.time
                continue
            track.append(msg.copy(time=msg.time + carry))
            carry = 0
        carry += gap_ticks
        total += source.length + GAP
    track.append(mido.MetaMessage("end_of_track", time=carry))
    take = mido.MidiFile(ticks_per_beat=960)
    take.tracks.append(track)
    take.save(path)
    return total


def measured(cmd: list[str]) -> tuple[float, float]:
    """Run `cmd` to the end: (elapsed seconds, peak resident memory in MiB) of that process alone."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.read().decode()[-300:]}")
    return elapsed, usage.ru_maxrss / 1024


def fluidsynth_command(font: Path, midi: Path, wav: Path) -> list[str]:
    """The fluidsynth command that renders `midi` to `wav` as aqyn does (same settings and rate)."""
    opts = []
    for key, value in SYNTH_SETTINGS.items():
        opts += ["-o", f"{key}={value}"]
    return ["fluidsynth", "-ni", *opts, "-F", str(wav), "-r", "44100", str(font), str(midi)]


def compare(minutes: float, font: Path, folder: Path, repeat: int) -> dict[str, float]:
    """Medians over `repeat` interleaved rounds for a take of `minutes`: seconds and MiB of each renderer."""
    take, midi, wav, ref = (folder / n for n in ("take.mid", "band.mid", "band.wav", "ref.wav"))
    seconds = long_take(minutes, take)
    aqyn = [sys.executable, "-m", "engine", "render", str(take), "-o", str(midi), "--wav", str(wav),
            "--with-guitar", "--soundfont", str(font)]
    ours, theirs = [], []
    for _ in range(repeat):
        ours.append(measured(aqyn))
        theirs.append(measured(fluidsynth_command(font, midi, ref)))
    for p in (wav, ref):
        p.unlink()
    return {"take s": seconds,
            "aqyn s": statistics.median(t for t, _ in ours), "aqyn MiB": statistics.median(m for _, m in ours),
            "fluidsynth s": statistics.median(t for t, _ in theirs),
            "fluidsynth MiB": statistics.median(m for _, m in theirs)}


def stages(take: Path, font: Path, folder: Path) -> dict[str, float]:
    """Seconds per stage of `aqyn render --wav` on `take`, in this process (imports already paid)."""
    from engine.arrange.styles import style_chooser
    from engine.io.midi_file import MidiFileSink
    from engine.io.midi_input import read_guitar_file
    from engine.io.sinks import RecordingSink
    from engine.io.wav_render import FluidRenderer
    from engine.pipeline import Engine, run_offline
    from engine.render import guitar_track

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    guitar = read_guitar_file(take)
    out["read input"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    rec = RecordingSink()
    engine = Engine(style_chooser("auto"), 0, [rec])
    run_offline(engine, guitar.messages)
    out["listen + arrange + schedule"] = time.perf_counter() - t0
    events = guitar_track(guitar) + rec.events
    t0 = time.perf_counter()
    sink = MidiFileSink(folder / "stage.mid")
    for e in events:
        sink.send(e)
    sink.close()
    out["write MIDI"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    renderer = FluidRenderer(font)
    try:
        renderer.render_file(events, folder / "stage.wav")
    finally:
        renderer.close()
    out["synthesise and write WAV (incl. SoundFont load)"] = time.perf_counter() - t0
    return out


def load_ms(font: Path, repeat: int = 5) -> float:
    """Median milliseconds for FluidSynth to load the whole of `font` (no dynamic sample loading, as live)."""
    from engine.io.fluid_lib import import_fluidsynth

    fluidsynth = import_fluidsynth()

    times = []
    for _ in range(repeat):
        synth = fluidsynth.Synth(samplerate=44100.0, **SYNTH_SETTINGS)
        t0 = time.perf_counter()
        if synth.sfload(str(font)) == -1:
            sys.exit(f"FluidSynth could not load {font}")
        times.append((time.perf_counter() - t0) * 1000)
        synth.delete()
    return statistics.median(times)


def loaded_mib(font: Path) -> float:
    """Peak resident memory (MiB) of a Python process that loads the whole of `font` into FluidSynth, as
    `aqyn live` does (the interpreter and pyfluidsynth included)."""
    code = ("import fluidsynth, sys; s = fluidsynth.Synth(samplerate=44100.0); "
            "sys.exit(0 if s.sfload(sys.argv[1]) != -1 else 1)")
    return measured([sys.executable, "-c", code, str(font)])[1]


def compare_fonts(fonts: list[Path], folder: Path, repeat: int) -> None:
    """Print a row per font: its size, load time, and aqyn's render time and peak memory on the 1-minute take
    (medians of `repeat` rounds, the fonts interleaved)."""
    take, midi, wav = (folder / n for n in ("fonts.mid", "fonts-band.mid", "fonts.wav"))
    seconds = long_take(1, take)
    runs: dict[Path, list[tuple[float, float]]] = {f: [] for f in fonts}
    for _ in range(repeat):
        for font in fonts:
            runs[font].append(measured([sys.executable, "-m", "engine", "render", str(take), "-o", str(midi),
                                        "--wav", str(wav), "--with-guitar", "--soundfont", str(font)]))
    print(f"SoundFonts, aqyn render --wav --with-guitar of a {seconds / 60:.1f}-minute take ({repeat} rounds):")
    print(f"{'font':>16}{'MiB':>8}{'load ms':>10}{'loaded MiB':>12}{'render s':>10}{'peak MiB':>10}")
    for font in fonts:
        t = statistics.median(r[0] for r in runs[font])
        m = statistics.median(r[1] for r in runs[font])
        print(f"{font.name:>16}{font.stat().st_size / 2**20:8.1f}{load_ms(font):10.1f}{loaded_mib(font):12.0f}"
              f"{t:10.2f}{m:10.0f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", default="1,10,60", help="take lengths, comma-separated")
    ap.add_argument("--repeat", type=int, default=0, help="rounds per length (default: 3 up to 10 min, else 1)")
    ap.add_argument("--soundfont", default=None)
    ap.add_argument("--fonts", default=None,
                    help="comma-separated SoundFonts to compare (default: aqyn's own and FluidR3_GM; '' skips)")
    args = ap.parse_args()
    fonts = [Path(f) for f in args.fonts.split(",") if f] if args.fonts is not None else \
        [f for f in (OWN_FONT, SYSTEM_FONTS[0]) if f.is_file()]
    if not shutil.which("fluidsynth"):
        sys.exit("bench needs the fluidsynth command: sudo apt-get install fluidsynth")
    font = find_soundfont(args.soundfont)
    print(f"soundfont {font} ({font.stat().st_size / 2**20:.0f} MiB)")
    print(f"{'take':>8}{'aqyn s':>9}{'fluid s':>9}{'time ratio':>12}{'aqyn MiB':>10}{'fluid MiB':>10}"
          f"{'mem ratio':>11}{'x real time':>13}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for minutes in (float(m) for m in args.minutes.split(",")):
            r = compare(minutes, font, folder, args.repeat or (3 if minutes <= 10 else 1))
            print(f"{r['take s'] / 60:7.1f}m{r['aqyn s']:9.1f}{r['fluidsynth s']:9.1f}"
                  f"{r['aqyn s'] / r['fluidsynth s']:12.2f}{r['aqyn MiB']:10.0f}{r['fluidsynth MiB']:10.0f}"
                  f"{r['aqyn MiB'] / r['fluidsynth MiB']:11.2f}{r['take s'] / r['aqyn s']:13.0f}", flush=True)
        print("targets: time ratio <= 1.00, memory ratio <= 1.20, aqyn's memory flat with length")
        long_take(1, folder / "one.mid")
        print("aqyn stages in-process, 1-minute take:")
        for name, sec in stages(folder / "one.mid", font, folder).items():
            print(f"  {name:50}{sec:8.3f} s")
        if fonts:
            compare_fonts(fonts, folder, args.repeat or 3)


if __name__ == "__main__":
    main()
