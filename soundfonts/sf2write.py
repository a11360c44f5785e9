"""A small SoundFont 2 writer: mono 16-bit samples, instruments of zones, presets of one instrument each.

Follows the SoundFont 2.04 specification (E-mu/Creative, 2006): a RIFF file of form 'sfbk' holding three
LIST chunks, INFO (ifil 2.04, isng, INAM, ICOP, ICMT, ISFT), sdta (one smpl chunk: every sample followed by
46 zero points, §7.10) and pdta (the nine "hydra" sub-chunks phdr pbag pmod pgen inst ibag imod igen shdr,
each closed by its terminal record, §7.2-7.10). Generator order within a zone as §8.1.2 requires: keyRange,
then velRange, then the rest, with instrument (preset zones) or sampleID (instrument zones) last. No
modulators are written: the default modulators of §8.4 apply (velocity to attenuation and filter, ...).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

# Generator numbers (SF2.04 §8.1.2), the ones this font uses.
GEN = {"initialFilterFc": 8, "initialFilterQ": 9, "pan": 17, "attackVolEnv": 34, "holdVolEnv": 35,
       "decayVolEnv": 36, "sustainVolEnv": 37, "releaseVolEnv": 38, "instrument": 41, "keyRange": 43,
       "velRange": 44, "initialAttenuation": 48, "coarseTune": 51, "fineTune": 52, "sampleID": 53,
       "sampleModes": 54, "exclusiveClass": 57, "overridingRootKey": 58}
PAD = 46              # zero sample points after each sample (§7.10: at least 46)
MONO = 1              # sfSampleType: monoSample


@dataclass
class Sample:
    """A mono sample: int16 `data`, `rate` (Hz), MIDI `root` key and `correction` (cents, -99..99) so that
    playing `root` sounds the recorded pitch plus the correction; `loop` = (start, end) in points within
    the sample (only used by zones with sampleModes 1)."""

    name: str
    data: np.ndarray
    rate: int
    root: int
    correction: int = 0
    loop: tuple[int, int] | None = None


@dataclass
class Zone:
    """One instrument zone: a sample index, key and velocity ranges, and other generators by name."""

    sample: int
    keys: tuple[int, int] = (0, 127)
    vels: tuple[int, int] = (0, 127)
    gens: dict[str, int] = field(default_factory=dict)


@dataclass
class Instrument:
    """A named list of zones; `gens` go in a global zone first (generators every zone shares)."""

    name: str
    zones: list[Zone]
    gens: dict[str, int] = field(default_factory=dict)


@dataclass
class Preset:
    """A preset (bank, program) playing one instrument over all keys, with optional preset-level generators
    (they add to the instrument's, §9.4)."""

    name: str
    bank: int
    program: int
    instrument: int
    gens: dict[str, int] = field(default_factory=dict)


def _name(text: str) -> bytes:
    """A 20-byte zero-padded ASCII name (§7.2)."""
    raw = text.encode("ascii")[:19]
    return raw + b"\0" * (20 - len(raw))


def _chunk(tag: bytes, body: bytes) -> bytes:
    """A RIFF chunk, padded to an even size."""
    return tag + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def _list(kind: bytes, chunks: list[bytes]) -> bytes:
    """A LIST chunk of `kind` holding `chunks`."""
    return _chunk(b"LIST", kind + b"".join(chunks))


def _zstr(text: str) -> bytes:
    """An INFO string: zero-terminated, even length (§5.1)."""
    raw = text.encode("ascii") + b"\0"
    return raw + (b"\0" if len(raw) % 2 else b"")


def _gen(name: str, value: int | tuple[int, int]) -> bytes:
    """One generator record: ranges as two bytes (lo, hi), other amounts as a signed or unsigned word."""
    if isinstance(value, tuple):
        return struct.pack("<HBB", GEN[name], value[0], value[1])
    return struct.pack("<Hh" if value < 0 else "<HH", GEN[name], value)


def _ordered(gens: dict, last: tuple[str, int] | None) -> list[bytes]:
    """Generators in the order §8.1.2 requires: keyRange, velRange, the others, then `last`."""
    order = sorted(gens, key=lambda g: (g != "keyRange", g != "velRange", GEN[g]))
    out = [_gen(g, gens[g]) for g in order]
    if last:
        out.append(_gen(*last))
    return out


def _sdta(samples: list[Sample]) -> tuple[bytes, list[int]]:
    """The smpl chunk's body and each sample's start point."""
    parts, starts, at = [], [], 0
    for s in samples:
        starts.append(at)
        data = np.asarray(s.data, dtype="<i2")
        parts.append(data.tobytes() + b"\0\0" * PAD)
        at += len(data) + PAD
    return b"".join(parts), starts


def _shdr(samples: list[Sample], starts: list[int]) -> bytes:
    """Sample headers (§7.10) and the terminal EOS record."""
    out = b""
    for s, start in zip(samples, starts):
        end = start + len(s.data)
        lo, hi = s.loop if s.loop else (8, len(s.data) - 8)
        out += _name(s.name) + struct.pack("<IIIIIBbHH", start, end, start + lo, start + hi, s.rate, s.root,
                                           s.correction, 0, MONO)
    return out + _name("EOS") + b"\0" * 26


def _instruments(instruments: list[Instrument]) -> tuple[bytes, bytes, bytes]:
    """inst, ibag and igen bodies, terminals included."""
    inst, ibag, igen, bag_at, gen_at = b"", b"", b"", 0, 0
    for ins in instruments:
        inst += _name(ins.name) + struct.pack("<H", bag_at)
        zones = ([_ordered(ins.gens, None)] if ins.gens else [])
        zones += [_ordered({"keyRange": z.keys, "velRange": z.vels, **z.gens}, ("sampleID", z.sample))
                  for z in ins.zones]
        for records in zones:
            ibag += struct.pack("<HH", gen_at, 0)
            igen += b"".join(records)
            gen_at += len(records)
            bag_at += 1
    inst += _name("EOI") + struct.pack("<H", bag_at)
    ibag += struct.pack("<HH", gen_at, 0)
    igen += b"\0" * 4
    return inst, ibag, igen


def _presets(presets: list[Preset]) -> tuple[bytes, bytes, bytes]:
    """phdr, pbag and pgen bodies, terminals included; presets sorted by bank then program."""
    phdr, pbag, pgen, gen_at = b"", b"", b"", 0
    for i, p in enumerate(sorted(presets, key=lambda p: (p.bank, p.program))):
        phdr += _name(p.name) + struct.pack("<HHHIII", p.program, p.bank, i, 0, 0, 0)
        records = _ordered(p.gens, ("instrument", p.instrument))
        pbag += struct.pack("<HH", gen_at, 0)
        pgen += b"".join(records)
        gen_at += len(records)
    phdr += _name("EOP") + struct.pack("<HHHIII", 0, 0, len(presets), 0, 0, 0)
    pbag += struct.pack("<HH", gen_at, 0)
    pgen += b"\0" * 4
    return phdr, pbag, pgen


def write_sf2(samples: list[Sample], instruments: list[Instrument], presets: list[Preset],
              info: dict[str, str]) -> bytes:
    """The bytes of a SoundFont 2.04 file. `info` gives INAM (name), ICOP (copyright), ICMT (comment) and
    ISFT (tool); isng is EMU8000 (§5.3). Deterministic: the same arguments give the same bytes."""
    infos = [_chunk(b"ifil", struct.pack("<HH", 2, 4)), _chunk(b"isng", _zstr("EMU8000"))]
    infos += [_chunk(tag.encode(), _zstr(info[tag])) for tag in ("INAM", "ICOP", "ICMT", "ISFT") if tag in info]
    smpl, starts = _sdta(samples)
    inst, ibag, igen = _instruments(instruments)
    phdr, pbag, pgen = _presets(presets)
    empty_mod = b"\0" * 10
    pdta = [_chunk(b"phdr", phdr), _chunk(b"pbag", pbag), _chunk(b"pmod", empty_mod), _chunk(b"pgen", pgen),
            _chunk(b"inst", inst), _chunk(b"ibag", ibag), _chunk(b"imod", empty_mod), _chunk(b"igen", igen),
            _chunk(b"shdr", _shdr(samples, starts))]
    body = b"sfbk" + _list(b"INFO", infos) + _list(b"sdta", [_chunk(b"smpl", smpl)]) + _list(b"pdta", pdta)
    return _chunk(b"RIFF", body)
