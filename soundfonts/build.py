"""Build aqyn's own SoundFont: the dombra and the Kazakh percussion, synthesised from physical models.

    python soundfonts/build.py [OUT.sf2]        # default: soundfonts/aqyn.sf2 beside this file

Needs numpy and scipy (the `font` extra: pip install -e '.[font]'). The same code writes the same bytes: every
random draw is seeded. What the font holds and why is in soundfonts/README.md.

Presets (bank:program, 0-based as FluidSynth counts them) answer the programs aqyn's band already sends, so
the MIDI it writes is the same whichever font plays it:
    0:24   Dombra          the band's dombra channel (GM Nylon Guitar's number)
    0:106  Dombra attack   the band's second dombra channel (GM Shamisen's number): the same strings, only
                           their first tenth of a second, a brighter attack under the main channel
    0:28   Dombra teris    the muted chop, strings damped by the palm (GM Muted Guitar's number)
    8:24   Dombra up-stroke the soft layer's timbre (finger flesh, farther from the bridge) at every velocity,
                           for a player who sends up-strokes on their own channel (bank 8: GS's variation bank)
    0:0, 0:25-27           the dombra string again, so a guitar part (`--with-guitar`) or a synth's default
                           program sounds instead of falling silent
    128:0  Kazakh kit      the drum channel: notes after DOMAIN.md §4 and patterns/README.md
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import dombra  # noqa: E402
import percussion  # noqa: E402
from sf2write import Instrument, Preset, Sample, Zone, write_sf2  # noqa: E402

DEFAULT_OUT = HERE / "aqyn.sf2"
RELEASE = 600            # timecents (1.4 s) before the band's NRPN offset of -2400: 0.35 s, a string let go
KIT_RELEASE = 1200       # timecents (2 s): a drum note-off never cuts the ring short
INFO = {"INAM": "aqyn dombra and Kazakh percussion",
        "ICOP": "MIT License, Copyright (c) aqyn contributors",
        "ICMT": "Synthesised from physical models by soundfonts/build.py: Karplus-Strong nylon strings through "
                "a modelled wooden body; modal and noise percussion.",
        "ISFT": "aqyn soundfonts/build.py"}


def pcm(x: np.ndarray) -> np.ndarray:
    """Float samples (peak < 1) as int16."""
    return np.round(np.clip(x, -1.0, 1.0) * 32767).astype("<i2")


def _key_span(i: int) -> tuple[int, int]:
    """The keys the i-th dombra root serves: itself and one either side; the ends stretch to 0 and 127."""
    root = dombra.ROOTS[i]
    lo = 0 if i == 0 else root - 1
    hi = 127 if i == len(dombra.ROOTS) - 1 else root + 1
    return lo, hi


def dombra_samples(samples: list[Sample], body: np.ndarray) -> tuple[list[Zone], ...]:
    """Synthesise the plucked and the muted strings into `samples`; returns the zones of the plucked dombra
    (every velocity layer), of its attack layer (the hardest layer over all velocities), of the up-stroke
    (the softest layer over all velocities) and of the teris."""
    plucked, attack, up, teris = [], [], [], []
    for i, root in enumerate(dombra.ROOTS):
        keys, low = _key_span(i), 0
        for layer, (top, *_rest) in enumerate(dombra.LAYERS):
            samples.append(Sample(f"dombra {root} v{layer}", pcm(dombra.string_note(root, layer, 100 * root + layer,
                                                                                     body)), dombra.RATE, root))
            plucked.append(Zone(len(samples) - 1, keys, (low, top)))
            if layer == 0:
                up.append(Zone(len(samples) - 1, keys))
            low = top + 1
        attack.append(Zone(len(samples) - 1, keys))
        samples.append(Sample(f"teris {root}", pcm(dombra.string_note(root, 1, 100 * root + 50, body, muted=True)),
                              dombra.RATE, root))
        teris.append(Zone(len(samples) - 1, keys))
    return plucked, attack, up, teris


def kit_samples(samples: list[Sample], body: np.ndarray) -> list[Zone]:
    """Synthesise every drum of the kit in two velocity layers into `samples`; returns the kit's zones. A zone
    cannot be louder than its sample at full scale (initialAttenuation is never negative, SF2.04 §8.1.3), so
    a drum whose level is above 1 is the same sample in that many identical zones (rounded up): FluidSynth
    sums their voices, exactly the louder sound, for no extra bytes."""
    zones = []
    splits = percussion.split_sounds()
    for note, entry in sorted(percussion.kit(body).items()):
        if note in percussion.SPLIT_TOP:
            top = percussion.SPLIT_TOP[note]
            zones += _drum_zones(samples, note, entry, (0, top // 2, top), seed=1000 + 2 * note)
            zones += _drum_zones(samples, note, splits[note], (top + 1, (top + 128) // 2, 127), seed=1500 + 2 * note)
        else:
            zones += _drum_zones(samples, note, entry, (0,) + percussion.LAYER_TOP, seed=1000 + 2 * note)
    return zones


def _drum_zones(samples: list[Sample], note: int, entry: tuple, bounds: tuple[int, int, int],
                seed: int) -> list[Zone]:
    """One drum's soft and loud samples into `samples`, and their zones: velocities bounds[0]..bounds[1] and
    up to bounds[2], each zone `copies` times (see kit_samples)."""
    name, voice, level, seconds, group = entry
    zones, low, copies = [], bounds[0], int(np.ceil(level))
    for loud, top in zip((False, True), bounds[1:]):
        x = percussion.render_hit(voice, loud, level / copies, seconds, seed=seed + loud)
        samples.append(Sample(f"{name[:14]} {'f' if loud else 'p'}", pcm(x), percussion.RATE, note))
        gens = {"exclusiveClass": group} if group else {}
        zones += [Zone(len(samples) - 1, (note, note), (low, top), gens)] * copies
        low = top + 1
    return zones


def build() -> bytes:
    """The SoundFont's bytes."""
    body = dombra.body_response()
    samples: list[Sample] = []
    plucked, attack, up, teris = dombra_samples(samples, body)
    kit = kit_samples(samples, body)
    instruments = [
        Instrument("Dombra", plucked, {"releaseVolEnv": RELEASE}),
        Instrument("Dombra attack", attack, {"decayVolEnv": -1600, "sustainVolEnv": 1000,
                                             "releaseVolEnv": RELEASE}),
        Instrument("Dombra teris", teris, {"releaseVolEnv": RELEASE}),
        Instrument("Kazakh kit", kit, {"releaseVolEnv": KIT_RELEASE}),
        Instrument("Dombra up-stroke", up, {"releaseVolEnv": RELEASE}),
    ]
    presets = [Preset("Dombra", 0, 24, 0), Preset("Dombra attack", 0, 106, 1), Preset("Dombra teris", 0, 28, 2),
               Preset("Kazakh kit", 128, 0, 3), Preset("Dombra up-stroke", 8, 24, 4)]
    presets += [Preset("Plucked string", 0, p, 0) for p in (0, 25, 26, 27)]
    return write_sf2(samples, instruments, presets, INFO)


def main(argv: list[str]) -> int:
    """Write the font to argv[0] (default soundfonts/aqyn.sf2) through a temporary file renamed into place."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    data = build()
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".part")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, out)
    print(f"wrote {out} ({len(data) / 2**20:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
