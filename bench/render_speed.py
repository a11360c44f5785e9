"""Render speed: the whole aqyn pipeline against FluidSynth's own command-line renderer, in one run.

    python bench/render_speed.py [EXAMPLE.mid] [--soundfont PATH] [--repeat N]

For each of N rounds (interleaved, so machine noise hits both alike) it times, as separate processes:
  aqyn      `aqyn render IN.mid -o OUT.mid --wav OUT.wav --with-guitar` (read, listen, arrange, write MIDI,
            synthesise every part, write WAV)
  fluidsynth `fluidsynth -ni -F X.wav -r 44100 ... SOUNDFONT OUT.mid`: the bare C renderer on aqyn's own
            output MIDI, with the same synth settings (gain, chorus off) and the same SoundFont
then prints the medians, their ratio (target <= 1.3) and real-time factors (target >= 100x), plus an
in-process breakdown of aqyn's stages.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.io.soundfont import find_soundfont  # noqa: E402
from engine.io.wav_render import SYNTH_SETTINGS  # noqa: E402


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def fluidsynth_command(font: Path, midi: Path, wav: Path) -> list[str]:
    opts = []
    for key, value in SYNTH_SETTINGS.items():
        opts += ["-o", f"{key}={value}"]
    return ["fluidsynth", "-ni", *opts, "-F", str(wav), "-r", "44100", str(font), str(midi)]


def stages(example: Path, font: Path, folder: Path) -> dict[str, float]:
    """Seconds per stage, in this process (imports already paid)."""
    from engine.arrange.styles import style_chooser
    from engine.io.midi_file import MidiFileSink
    from engine.io.sinks import RecordingSink
    from engine.io.wav_render import render_audio, write_wav
    from engine.pipeline import Engine, run_offline
    from engine.render import guitar_track

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    guitar = read_guitar_file(example)
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
    audio = render_audio(events, font)
    out["synthesise (FluidSynth, incl. SoundFont load)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    write_wav(folder / "stage.wav", audio)
    out["write WAV"] = time.perf_counter() - t0
    out["audio seconds"] = len(audio) / 44100
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("example", nargs="?", default=str(ROOT / "examples" / "d_dorian_96_4-4.mid"))
    ap.add_argument("--soundfont", default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("fluidsynth"):
        sys.exit("bench needs the fluidsynth command: sudo apt-get install fluidsynth")
    example = Path(args.example)
    font = find_soundfont(args.soundfont)
    duration = read_guitar_file(example).duration
    aqyn = [sys.executable, "-m", "engine"]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        midi, wav, cli_wav = d / "out.mid", d / "out.wav", d / "cli.wav"
        render_cmd = [*aqyn, "render", str(example), "-o", str(midi), "--wav", str(wav), "--with-guitar",
                      "--soundfont", str(font)]
        subprocess.run(render_cmd, check=True, capture_output=True)   # warm the page cache for both
        ours, theirs = [], []
        for _ in range(args.repeat):
            ours.append(timed(render_cmd))
            theirs.append(timed(fluidsynth_command(font, midi, cli_wav)))
        parts = stages(example, font, d)
    a, f = statistics.median(ours), statistics.median(theirs)
    audio = parts.pop("audio seconds")
    print(f"example   {example.name}: {duration:.1f} s of guitar, {audio:.1f} s of audio")
    print(f"soundfont {font}")
    print(f"{'':28}{'median s':>10}{'min s':>9}{'x real time':>13}")
    print(f"{'aqyn render --wav':28}{a:10.3f}{min(ours):9.3f}{duration / a:13.1f}")
    print(f"{'fluidsynth -ni -F (C)':28}{f:10.3f}{min(theirs):9.3f}{duration / f:13.1f}")
    print(f"ratio aqyn / fluidsynth: {a / f:.2f}  (target <= 1.30)")
    print(f"aqyn real-time factor:   {duration / a:.0f}x (target >= 100x)")
    print("aqyn stages in-process:")
    for name, sec in parts.items():
        print(f"  {name:46}{sec:8.3f} s")


if __name__ == "__main__":
    main()
