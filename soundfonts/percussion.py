"""Kazakh percussion (and the few rock-kit drums a style uses) by modal and noise synthesis.

A struck membrane, bar or bell rings in its modes: damped sinusoids at the body's mode frequencies. A
circular membrane's modes stand at the zeros of Bessel functions (ratios 1, 1.59, 2.14, 2.30, 2.65, 2.92,
3.16 to the lowest; Fletcher & Rossing, The Physics of Musical Instruments, 1998, §18.1); a kettle's air
load pulls them towards a harmonic series (1, 1.5, 2, 2.44, 2.9; ibid. §18.2); a bell's partials follow a
bell's own ratios (ibid. §21). The hand, stick or hoof adds a short noise burst, and jingles, rattles and
cymbals are clusters of short metallic grains. Hitting harder shortens the contact and so brightens the
sound: the loud layer gives the upper modes and the noise more weight. Every random draw is seeded from the
note and layer: the same code gives the same samples.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import signal

RATE = 44100
MEMBRANE = (1.0, 1.59, 2.14, 2.30, 2.65, 2.92, 3.16, 3.50)
KETTLE = (1.0, 1.5, 1.99, 2.44, 2.9, 3.4)
LAYER_TOP = (84, 127)          # velocity layers: soft 1-84, loud 85-127
# Notes that play two sounds by velocity: note -> (velocity where the second begins, its kit entry). Each
# sound keeps two layers within its half. The body tap (37) is always soft (the band plays it 30 below a
# soft stroke); a hard hit on 37 is the stick on the dauylpaz's hoop (GM's side stick is a rim sound too).
SPLIT_TOP = {37: 64}


def _t(seconds: float) -> np.ndarray:
    return np.arange(int(seconds * RATE)) / RATE


def modes(f0: float, ratios, decay: float, seconds: float, tilt: float, glide: float = 0.0,
          rng: np.random.Generator | None = None) -> np.ndarray:
    """Damped sinusoids at `f0` * ratios: mode k decays with time constant decay / ratio^0.7 and weighs
    ratio^-tilt (a lower tilt is a harder, brighter hit), the lowest mode 2.5 times more (the drum's pitch,
    which rings on after the stroke's noise); `glide` raises the pitch at the strike by that
    fraction, falling back within ~40 ms (a membrane's tension rises with a loud stroke)."""
    t = _t(seconds)
    bend = 1.0 + glide * np.exp(-t / 0.04)
    phase_rate = 2 * np.pi * f0 * np.cumsum(bend) / RATE
    out = np.zeros_like(t)
    for k, r in enumerate(ratios):
        start = rng.uniform(0, 2 * np.pi) if rng is not None else 0.0
        out += r ** -tilt * np.sin(r * phase_rate + start) * np.exp(-t * r ** 0.7 / decay) * (0.8 + 1.2 * (k == 0))
    return out


def noise(seconds: float, lo: float, hi: float, decay: float, rng: np.random.Generator) -> np.ndarray:
    """Band-passed white noise (`lo`..`hi` Hz) with an exponential decay (time constant `decay` s)."""
    t = _t(seconds)
    b, a = signal.butter(2, [lo / (RATE / 2), min(hi, 20000) / (RATE / 2)], btype="band")
    return signal.lfilter(b, a, rng.standard_normal(len(t))) * np.exp(-t / decay)


def grains(seconds: float, count: int, spread: float, freqs: tuple[float, float], decay: float,
           rng: np.random.Generator) -> np.ndarray:
    """`count` metallic grains (each three inharmonic partials in `freqs` Hz, decaying with time constant
    `decay` s) at random onsets within `spread` s: ring jingles, small bells, rattle seeds."""
    out = np.zeros(int(seconds * RATE))
    for _ in range(count):
        at = int(rng.uniform(0, spread) * RATE)
        f = rng.uniform(*freqs)
        t = np.arange(len(out) - at) / RATE
        ratios = (1.0, rng.uniform(1.3, 1.6), rng.uniform(1.9, 2.4))
        g = sum(np.sin(2 * np.pi * f * r * t + rng.uniform(0, 6.3)) / r for r in ratios)
        out[at:at + len(t)] += rng.uniform(0.5, 1.0) * g * np.exp(-t / decay)
    return out


def _membrane_drum(f0, ratios, decay, seconds, stick_lo, stick_hi, stick):
    """A drum voice: modes at f0 plus a stick/hand noise burst; returns a function of (loud, rng)."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        tilt = 1.0 if loud else 1.8
        x = modes(f0, ratios, decay, seconds, tilt, glide=0.06 if loud else 0.02, rng=rng)
        x += (stick if loud else stick * 0.4) * noise(seconds, stick_lo, stick_hi, 0.008, rng) * 8
        return x
    return voice


def _jingle(count, freqs, decay, seconds, spread, thump=None):
    """Jingles or bells: grains (more and brighter when loud), with an optional membrane/wood thump."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        lo, hi = freqs
        band = (lo, hi) if loud else (lo, lo + 0.7 * (hi - lo))
        x = grains(seconds, count if loud else max(1, count // 2), spread, band, decay, rng)
        if thump:
            low = thump(loud, rng)
            x = low + 0.5 * np.abs(low).max() * x / np.abs(x).max()
        return x
    return voice


def _rings(count, freqs, decay, seconds, spread):
    """Metal rings and jingles shaken against each other: many short grains at scattered pitches over the
    rattle of their contacts (band-passed noise in the same range), more and brighter when loud."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        lo, hi = freqs
        band = (lo, hi) if loud else (lo, lo + 0.7 * (hi - lo))
        x = grains(seconds, count if loud else count // 2, spread, band, decay, rng)
        x = x / np.abs(x).max()
        rattle = noise(seconds, band[0], band[1], 2 * decay, rng)
        env = np.convolve(rng.uniform(0, 1, int(seconds * RATE)) < 0.002, np.hanning(64), "same")
        return x + 0.6 * rattle / np.abs(rattle).max() * (0.4 + env)
    return voice


def _hoof(f1, f2):
    """The hoof clapper (tuyaqtas): two bone/wood modes, a short low thud and a click."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        s = 0.18
        x = modes(f1, (1.0, f2 / f1), 0.035, s, 0.6 if loud else 1.4, rng=rng)
        x += 0.5 * modes(f1 * 0.33, (1.0,), 0.02, s, 1.0, rng=rng)
        x += (0.5 if loud else 0.2) * noise(s, 1500, 9000, 0.003, rng) * 6
        return x
    return voice


def _rim(loud: bool, rng: np.random.Generator) -> np.ndarray:
    """The stick on the dauylpaz's wooden hoop: a hard crack (two wood modes and a click) over the head's low
    ring, far quieter than an open stroke."""
    s = 0.3
    x = modes(1750, (1.0, 2.45), 0.04, s, 0.5 if loud else 1.2, rng=rng)
    x += (0.9 if loud else 0.5) * noise(s, 2000, 10000, 0.003, rng) * 6
    return x + 0.04 * modes(84, MEMBRANE[:3], 0.3, s, 1.5, rng=rng)


def split_sounds() -> dict[int, tuple[str, Callable, float, float, int]]:
    """The second sound of each note in SPLIT_TOP, as kit entries (see `kit`)."""
    return {37: ("dauylpaz rim", _rim, 2.37, 0.3, 0)}


def _body_tap(body: np.ndarray):
    """A knuckle on the dombra's body: the body's impulse response through a soft 2-4 ms contact."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        width = int((0.002 if loud else 0.004) * RATE)
        pulse = np.hanning(width)
        x = np.zeros(int(0.15 * RATE))
        tap = np.convolve(pulse, body)[: len(x)]
        x[: len(tap)] = tap / np.abs(tap).max()
        return x + (0.5 if loud else 0.25) * noise(0.15, 1500, 7000, 0.003, rng) * 6   # the nail on the wood
    return voice


def _metal(decay, seconds, lo):
    """Hi-hat and cymbal: six square waves at inharmonic frequencies (the classic analogue recipe) plus
    noise, high-passed at `lo` Hz, decaying with time constant `decay`."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        t = _t(seconds)
        x = sum(np.sign(np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))) for f in (205, 304, 369, 522, 540, 800))
        x = x + 2.0 * rng.standard_normal(len(t))
        b, a = signal.butter(4, lo / (RATE / 2), btype="high")
        x = signal.lfilter(b, a, x)
        if not loud:                 # a lighter touch: less of the top
            b, a = signal.butter(2, 2.2 * lo / (RATE / 2))
            x = signal.lfilter(b, a, x)
        return x * np.exp(-t / decay)
    return voice


def _snare(loud: bool, rng: np.random.Generator) -> np.ndarray:
    """Snare: membrane modes at 185 Hz and the wires' noise."""
    s = 0.35
    return 2.0 * modes(185, MEMBRANE[:4], 0.09, s, 1.0 if loud else 1.6, 0.04, rng) + \
        (1.0 if loud else 0.6) * noise(s, 1200, 6000 if loud else 4500, 0.08, rng) * 6


def _clap(loud: bool, rng: np.random.Generator) -> np.ndarray:
    """Hand clap: three quick noise bursts and a tail."""
    s = 0.3
    x = noise(s, 900, 4000, 0.06, rng)
    env = np.zeros(len(x))
    for at in (0.0, 0.011, 0.023):
        i = int(at * RATE)
        env[i:] += np.exp(-np.arange(len(x) - i) / (0.004 * RATE))
    return x * (env + 0.3)


def _rattle(count, seconds, lo, hi):
    """Syldyrmaq rattles and shakers: many seeds striking a shell, band-passed noise grains."""
    def voice(loud: bool, rng: np.random.Generator) -> np.ndarray:
        t = _t(seconds)
        clicks = np.zeros(len(t))
        idx = (rng.beta(2, 5, count if loud else count // 2) * len(t) * 0.7).astype(int)
        clicks[idx] = rng.uniform(0.3, 1.0, len(idx))
        top = hi if loud else lo + 0.5 * (hi - lo)       # a gentler shake: fewer, duller seeds
        b, a = signal.butter(2, [lo / (RATE / 2), top / (RATE / 2)], btype="band")
        return signal.lfilter(b, a, clicks + 0.05 * rng.standard_normal(len(t)) * np.exp(-t / 0.05))
    return voice


def kit(body: np.ndarray) -> dict[int, tuple[str, Callable, float, float, int]]:
    """The kit: GM drum note -> (name, voice(loud, rng), level, seconds, exclusive class). Notes after
    DOMAIN.md §4 and patterns/README.md's kit mapping. `level` is the loud hit's peak (1 = a full-scale
    sample; above 1, build.py layers copies): set so that each drum is as loud (RMS of its first 250 ms at
    velocity 100 through FluidSynth) as the FluidR3_GM sound the band's mix was balanced on, except the bells
    (konyrau), held back: FluidR3's bell tree is a faint glissando, ours real struck bells."""
    return {
        35: ("asatayak thump", _jingle(10, (2600, 5200), 0.06, 0.35, 0.03,
                                       _membrane_drum(68, (1.0, 2.3), 0.08, 0.35, 200, 1500, 0.4)), 0.96, 0.35, 0),
        36: ("dabyl", _membrane_drum(58, KETTLE, 0.55, 1.1, 300, 3000, 0.6), 0.68, 1.1, 0),
        37: ("body tap", _body_tap(body), 1.7, 0.15, 0),
        38: ("snare", _snare, 1.3, 0.35, 0),
        39: ("clap", _clap, 1.76, 0.3, 0),
        41: ("dauylpaz", _membrane_drum(84, MEMBRANE, 0.65, 1.0, 500, 5000, 1.0), 2.28, 1.0, 0),
        43: ("dauylpaz high", _membrane_drum(122, MEMBRANE, 0.28, 0.7, 400, 4000, 0.5), 1.58, 0.7, 0),
        42: ("closed hihat", _metal(0.035, 0.2, 7000), 0.45, 0.2, 1),
        44: ("pedal hihat", _metal(0.02, 0.15, 6000), 0.55, 0.15, 1),
        45: ("dangyra", _membrane_drum(70, MEMBRANE, 0.7, 1.0, 300, 2500, 0.15), 0.53, 1.0, 0),
        46: ("open hihat", _metal(0.3, 0.8, 6500), 0.23, 0.8, 1),
        47: ("tom mid", _membrane_drum(145, MEMBRANE[:5], 0.42, 0.8, 400, 4000, 0.5), 1.24, 0.8, 0),
        49: ("crash", _metal(1.0, 1.6, 2000), 0.78, 1.6, 0),
        50: ("tom high", _membrane_drum(190, MEMBRANE[:5], 0.36, 0.7, 400, 4000, 0.5), 1.08, 0.7, 0),
        53: ("shyndauyl bell", _jingle(1, (1240, 1260), 0.35, 0.7, 0.0), 0.28, 0.7, 0),
        54: ("dangyra rings", _rings(40, (3000, 9000), 0.03, 0.45, 0.05), 1.07, 0.45, 0),
        62: ("kepshik muted", _membrane_drum(290, MEMBRANE[:4], 0.03, 0.15, 1000, 7000, 1.4), 1.47, 0.15, 0),
        63: ("kepshik tek", _membrane_drum(330, MEMBRANE, 0.07, 0.25, 1000, 8000, 1.0), 2.81, 0.25, 0),
        64: ("kepshik dum", _membrane_drum(116, MEMBRANE, 0.16, 0.5, 300, 2500, 0.3), 0.79, 0.5, 0),
        69: ("cabasa", _rattle(90, 0.2, 4000, 12000), 1.42, 0.2, 0),
        70: ("syldyrmaq", _rattle(60, 0.25, 2500, 9000), 1.48, 0.25, 0),
        75: ("tuyaqtas clave", _hoof(2450, 6100), 1.59, 0.18, 0),
        76: ("tuyaqtas high", _hoof(1080, 2700), 1.48, 0.18, 0),
        77: ("tuyaqtas low", _hoof(720, 1850), 1.35, 0.18, 0),
        82: ("shaker", _rattle(120, 0.3, 3000, 10000), 1.04, 0.3, 0),
        83: ("asatayak jingles", _rings(24, (2400, 6500), 0.06, 0.6, 0.07), 0.94, 0.6, 0),
        84: ("konyrau", _jingle(3, (880, 1180), 0.5, 1.2, 0.09), 0.2, 1.2, 0),
        85: ("tuyaqtas click", _hoof(3100, 5200), 0.75, 0.18, 0),
    }


def render_hit(voice: Callable, loud: bool, level: float, seconds: float, seed: int) -> np.ndarray:
    """One hit as float samples: the voice, DC removed, faded to zero over its last fifth, peak `level`
    (the loud layer; the soft one at 0.8 of it, FluidSynth's velocity curve does the rest). A level above 1
    is for build.py to share among copies."""
    x = voice(loud, np.random.default_rng(seed))[: int(seconds * RATE)]
    x = signal.lfilter([1.0, -1.0], [1.0, -0.997], x)
    n = max(64, len(x) // 5)
    x[-n:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n))
    x[-4:] = 0.0
    return (level if loud else 0.8 * level) * x / np.abs(x).max()
