"""The dombra's samples: a nylon string by the extended Karplus-Strong model, plucked through a wooden body.

The string is the extended Karplus-Strong loop of Jaffe & Smith ("Extensions of the Karplus-Strong plucked
string algorithm", Computer Music Journal 7(2), 1983): a delay line of N samples closed through
  - a loss filter g((1-S) + S z^-1): loss g sets the decay time of the fundamental, S how much faster the
    upper partials die (a nylon string loses its brightness within a few tenths of a second);
  - a first-order allpass (a + z^-1)/(1 + a z^-1) whose delay falls with frequency: a little dispersion, the
    stiffness that stretches a real string's partials;
  - a first-order allpass tuning filter for the fraction of a sample that N cannot give (Jaffe & Smith §3);
the whole loop's phase delay at the fundamental equals one period, so the sample is in tune. The loop is
one recursive filter, run by scipy.signal.lfilter. The excitation is a pluck (a raised-cosine pulse, narrower
and so brighter the harder the stroke, with a little nail noise) through a pluck-position comb 1 - z^-M
(M = beta * period: the harmonics with a node at the plucking point are missing), then through the body's
impulse response: commuted synthesis (Smith 1993; Karjalainen, Välimäki & Jánosy 1993) moves the body from
after the string to before it, which a linear system allows. The body is a dombra's small pear-shaped
wooden box: damped modes near 200-300 Hz (the air cavity and the lowest plate mode) and 1-3 kHz (plate
modes), plus a short noise tail. Every random draw is seeded: the same code gives the same samples.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

RATE = 44100
ROOTS = tuple(range(46, 80, 3))          # sample roots: 46 49 ... 79; each serves its key and the two around it
# Velocity layers: (highest velocity, pluck pulse width ms, pluck position as a fraction of the string,
# nail noise level). Soft strokes (the band's up-strokes land here) are the flesh of the finger, farther
# from the bridge: darker; hard down-strokes are the nail near the bridge: bright.
LAYERS = ((72, 0.8, 0.24, 0.02), (104, 0.4, 0.17, 0.04), (127, 0.2, 0.12, 0.07))
# Body modes (Hz, decay time constant s, relative amplitude): air cavity and lowest plate modes near
# 200-300 Hz, plate modes at 1-3 kHz. Values chosen for a small dombra body, not measured from one.
BODY_MODES = ((215, 0.040, 1.0), (272, 0.034, 0.8), (395, 0.025, 0.35), (540, 0.020, 0.3),
              (1120, 0.012, 0.6), (1580, 0.010, 0.55), (2250, 0.008, 0.45), (2900, 0.006, 0.3))
DISPERSION = 0.18                        # allpass coefficient a: "a little" stretch of the upper partials


def body_response(seed: int = 7, seconds: float = 0.12) -> np.ndarray:
    """The wooden body's impulse response (float, peak 1): a direct click, the damped BODY_MODES and a
    decaying noise tail (seeded). Used by the excitation (commuted synthesis) and the body-tap drum."""
    t = np.arange(int(seconds * RATE)) / RATE
    ir = np.zeros_like(t)
    ir[0] = 1.0
    for f, tau, amp in BODY_MODES:
        ir += 0.12 * amp * np.sin(2 * np.pi * f * t) * np.exp(-t / tau)
    noise = np.random.default_rng(seed).standard_normal(len(t))
    b, a = signal.butter(2, [800 / (RATE / 2), 5000 / (RATE / 2)], btype="band")
    ir += 0.05 * signal.lfilter(b, a, noise) * np.exp(-t / 0.006)
    return ir / np.abs(ir).max()


def pluck(period: float, width_ms: float, position: float, nail: float, seed: int) -> np.ndarray:
    """The excitation before the body: a raised-cosine pulse `width_ms` wide plus nail noise, through the
    pluck-position comb 1 - z^-M with M = `position` * `period` (samples)."""
    width = max(3, int(width_ms * 1e-3 * RATE))
    pulse = np.zeros(width + int(period) + 64)
    pulse[:width] = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(width) / width)
    noise = np.random.default_rng(seed).standard_normal(width + 32) * np.hanning(width + 32)
    pulse[:width + 32] += nail * noise * 4
    m = max(1, int(round(position * period)))
    combed = pulse.copy()
    combed[m:] -= pulse[:-m]
    return combed


def phase_delay(b, a, w: float) -> float:
    """Phase delay (samples) of the filter b/a at angular frequency `w` (rad/sample)."""
    _, h = signal.freqz(b, a, worN=[w])
    return float(-np.angle(h[0]) / w)


def _tuning_allpass(delay: float, w: float) -> float:
    """The coefficient c of (c + z^-1)/(1 + c z^-1) whose phase delay at `w` is `delay` samples (0.1..1.6),
    found by bisection (the delay falls as c grows)."""
    lo, hi = -0.95, 0.95
    for _ in range(60):
        c = 0.5 * (lo + hi)
        if phase_delay([c, 1.0], [1.0, c], w) > delay:
            lo = c
        else:
            hi = c
    return 0.5 * (lo + hi)


def string_filter(f0: float, t20: float, bright: float) -> tuple[np.ndarray, np.ndarray]:
    """The string loop as one recursive filter (b, a) for lfilter: in tune at `f0` Hz (the loop's phase delay
    at f0 is one period), its fundamental 20 dB down after `t20` seconds, `bright` = 1 - S of the loss filter
    (0.5..1; lower loses the upper partials faster)."""
    w0 = 2 * np.pi * f0 / RATE
    s = 1.0 - bright
    loss = [1.0 - s, s]
    disp = ([DISPERSION, 1.0], [1.0, DISPERSION])
    rest = RATE / f0 - phase_delay(loss, [1.0], w0) - phase_delay(*disp, w0)
    n = int(np.floor(rest - 0.6))
    c = _tuning_allpass(rest - n, w0)
    gain = 0.1 ** (1.0 / (f0 * t20)) / abs(np.polyval(loss[::-1], np.exp(-1j * w0)))
    # Y/X = 1 / (1 - z^-n L A_d A_c); with A = num/den this is den_d den_c / (den_d den_c - z^-n g l num_d num_c)
    dens = np.convolve([1.0, DISPERSION], [1.0, c])
    nums = np.convolve(np.convolve(loss, [DISPERSION, 1.0]), [c, 1.0]) * gain
    a = np.zeros(n + len(nums))
    a[:len(dens)] += dens
    a[n:] -= nums
    return dens, a


def _dc_block(x: np.ndarray) -> np.ndarray:
    """Remove DC and rumble below ~30 Hz: y[n] = x[n] - x[n-1] + R y[n-1] (R = 0.996)."""
    return signal.lfilter([1.0, -1.0], [1.0, -0.996], x)


def _fade(x: np.ndarray, seconds: float) -> np.ndarray:
    """Fade the last `seconds` to exact zero (a half cosine): no click at the sample's end."""
    n = int(seconds * RATE)
    x = x.copy()
    x[-n:] *= 0.5 + 0.5 * np.cos(np.linspace(0, np.pi, n))
    x[-4:] = 0.0
    return x


def note_decay(f0: float) -> float:
    """Seconds for the fundamental to fall 20 dB: about 1.2 s at A2, shorter up the neck."""
    return 1.25 * (110.0 / f0) ** 0.15


def string_note(key: int, layer: int, seed: int, body: np.ndarray, muted: bool = False) -> np.ndarray:
    """One string's note at MIDI `key` for velocity `layer` (index into LAYERS), float, peak 0.85. `muted`:
    the teris chop, the string damped by the palm at once (fundamental -20 dB in 0.1 s, duller)."""
    f0 = 440.0 * 2 ** ((key - 69) / 12)
    _, width, position, nail = LAYERS[layer]
    if muted:
        t20, bright, seconds, width = 0.10, 0.55, 0.4, width * 1.6
    else:
        t20 = note_decay(f0)
        bright = 0.78 + 0.07 * layer
        seconds = min(1.4, max(1.0, 2.0 * t20))
    excitation = np.convolve(pluck(RATE / f0, width, position, nail, seed), body)
    x = np.zeros(int(seconds * RATE))
    x[:len(excitation)] = excitation[:len(x)]
    y = _dc_block(signal.lfilter(*string_filter(f0, t20, bright), x))
    y = _fade(y, 0.25 if not muted else 0.15)
    return 0.85 * y / np.abs(y).max()


def measured_f0(x: np.ndarray, f0: float) -> float:
    """The fundamental (Hz) of `x` near `f0`: the autocorrelation peak of 0.05-0.35 s, refined by a parabola."""
    seg = x[int(0.05 * RATE): int(0.35 * RATE)]
    seg = seg - seg.mean()
    ac = np.correlate(seg, seg, "full")[len(seg) - 1:]
    p = RATE / f0
    lo, hi = int(p * 0.9), int(p * 1.1) + 2
    k = lo + int(np.argmax(ac[lo:hi]))
    y0, y1, y2 = ac[k - 1], ac[k], ac[k + 1]
    return RATE / (k + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2))
