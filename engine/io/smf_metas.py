"""Meta events mido cannot decode, found in a Standard MIDI File's bytes and turned into unknown metas.

A key signature with 9 sharps or mode 5, a time signature of two bytes, an SMPTE offset with frame-rate code
7: mido raises on them (KeySignatureError, IndexError, KeyError) and the whole file would be refused. aqyn
hears key, meter and tempo itself, so such a meta carries nothing it needs. `unreadable_metas` walks the
tracks as mido reads them (delta time, running status, sysex and meta lengths) and gives every meta of a
known type whose data mido cannot decode an undefined type byte (UNKNOWN), of the same length: mido then
reads it as an `UnknownMetaMessage`, which aqyn ignores, and every event keeps its time.

>>> track = bytes.fromhex("00 ff 59 02 09 05  00 ff 2f 00")          # a key of 9 sharps in mode 5
>>> smf = bytes.fromhex("4d546864 00000006 0000 0001 01e0 4d54726b 0000000a") + track
>>> fixed, names = unreadable_metas(smf)
>>> names, fixed[-10:].hex(" ")
(['key_signature'], '00 ff 60 02 09 05 00 ff 2f 00')
"""

from __future__ import annotations

from mido.messages.specs import SPEC_BY_STATUS
from mido.midifiles.meta import build_meta_message

UNKNOWN = 0x60        # a meta type the SMF spec and mido leave undefined: read as UnknownMetaMessage
META, SYSEX = 0xFF, (0xF0, 0xF7)


def unreadable_metas(data: bytes) -> tuple[bytes, list[str]]:
    """`data` (an SMF) with every undecodable meta of a known type made an UNKNOWN meta of the same length,
    and the mido type names of those metas in file order. Bytes that are not an SMF, or a track that cannot
    be walked, are left as they are (mido then says what is wrong). Raises nothing."""
    if data[:4] != b"MThd" or len(data) < 14:
        return data, []
    out, names = bytearray(data), []
    at = 8 + int.from_bytes(data[4:8], "big")
    while at + 8 <= len(data) and data[at:at + 4] == b"MTrk":
        end = at + 8 + int.from_bytes(data[at + 4:at + 8], "big")
        at = _track(data, at + 8, end, out, names)
        if at is None:
            break
    return bytes(out), names


def _track(data: bytes, i: int, end: int, out: bytearray, names: list[str]) -> int | None:
    """Walk one track's events from byte `i` to `end` as mido does, marking undecodable metas in `out`.
    The position after the track, or None when it cannot be walked."""
    last = None
    while i != end:
        i = _varlen(data, i)[1]              # the delta time
        if i is None or i >= len(data):
            return None
        status, peeked = data[i], 0
        i += 1
        if status < 0x80:                    # running status: this byte was the first data byte
            if last is None:
                return None
            status, peeked = last, 1
        elif status != META:                 # a meta does not end running status
            last = status
        i = _event(data, i, status, peeked, out, names)
        if i is None or i > len(data):
            return None
    return i


def _event(data: bytes, i: int, status: int, peeked: int, out: bytearray, names: list[str]) -> int | None:
    """Skip the body of an event with `status` starting at byte `i` (`peeked` data bytes already read);
    an undecodable meta is marked in `out` and named in `names`. The position after it, or None."""
    if status == META:
        if i >= len(data):
            return None
        kind = data[i]
        length, j = _varlen(data, i + 1)
        if j is None:
            return None
        if _undecodable(kind, data[j:j + length]):
            out[i] = UNKNOWN
            names.append(_name(kind))
        return j + length
    if status in SYSEX:
        length, j = _varlen(data, i)
        return None if j is None else j + length
    if status in SPEC_BY_STATUS:
        return i + SPEC_BY_STATUS[status]["length"] - 1 - peeked
    return None


def _undecodable(kind: int, payload: bytes) -> bool:
    """True when `kind` is a meta type mido knows and it cannot decode `payload` as one."""
    try:
        build_meta_message(kind, list(payload))
    except Exception:  # noqa: BLE001 (any failure of mido's decoder is what is looked for)
        return True
    return False


def _name(kind: int) -> str:
    from mido.midifiles.meta import _META_SPECS  # noqa: PLC0415 (mido's table of meta types)

    spec = _META_SPECS.get(kind)
    return spec.type if spec is not None else f"meta 0x{kind:02x}"


def _varlen(data: bytes, i: int) -> tuple[int, int | None]:
    """A variable-length quantity at byte `i`: (value, position after it), or (0, None) when cut short."""
    value = 0
    while i < len(data):
        b = data[i]
        value = (value << 7) | (b & 0x7F)
        i += 1
        if b < 0x80:
            return value, i
    return 0, None
