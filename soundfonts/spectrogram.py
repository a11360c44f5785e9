"""A spectrogram PNG of a WAV's first seconds, to see what a SoundFont does to the band (make demo draws one
for aqyn's font and one for FluidR3_GM from the same song).

    python soundfonts/spectrogram.py out/song--aqyn-font.wav [--seconds 12] [--title TEXT]

Writes the PNG beside the WAV (same name, .png). Needs matplotlib (the `plot` extra: pip install -e '.[plot]').
"""

from __future__ import annotations

import argparse
import sys
import wave
from pathlib import Path

import numpy as np


def read_mono(path: Path, seconds: float) -> tuple[np.ndarray, int]:
    """The first `seconds` of a 16-bit WAV as float mono (the channels averaged) and its rate (Hz)."""
    with wave.open(str(path)) as w:
        rate, channels = w.getframerate(), w.getnchannels()
        frames = w.readframes(min(w.getnframes(), int(seconds * rate)))
    x = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768
    return x.reshape(-1, channels).mean(axis=1), rate


def first_sound(x: np.ndarray, rate: int) -> int:
    """The sample where `x` first rises above -60 dBFS, less 0.1 s (0 for a silent file): the band's WAV is
    silent until it comes in."""
    loud = np.nonzero(np.abs(x) > 1e-3)[0]
    return max(0, int(loud[0]) - rate // 10) if len(loud) else 0


def draw(wav: Path, seconds: float, title: str) -> Path:
    """Draw the spectrogram (dB, 0-8 kHz, 2048-point Hann frames) of `seconds` of `wav` from its first sound
    (within its first minute) into a PNG beside it; returns the PNG's path."""
    import matplotlib  # noqa: PLC0415 (optional: only this drawing needs it)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    x, rate = read_mono(wav, seconds + 60.0)
    start = first_sound(x, rate)
    x = x[start: start + int(seconds * rate)]
    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    with np.errstate(divide="ignore"):        # a digital silence is -inf dB, drawn as the floor
        ax.specgram(x, NFFT=2048, Fs=rate, noverlap=1536, cmap="magma", vmin=-120, vmax=-20, scale="dB")
    ax.set_ylim(0, 8000)
    ax.set_xlabel(f"seconds from the first sound ({start / rate:.1f} s into the file)")
    ax.set_ylabel("Hz")
    ax.set_title(title or wav.stem)
    fig.tight_layout()
    png = wav.with_suffix(".png")
    fig.savefig(png)
    plt.close(fig)
    return png


def main(argv: list[str]) -> int:
    """Command line: draw one PNG per WAV given."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("wavs", nargs="+", type=Path)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--title", default="")
    args = ap.parse_args(argv)
    for wav in args.wavs:
        print(f"wrote {draw(wav, args.seconds, args.title)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
