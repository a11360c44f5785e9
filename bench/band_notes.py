"""The band's notes apart from its key signatures: whether a change that renames the key moved the band.

    python -P bench/band_notes.py --engine /work/main FILE.mid ... > main.txt
    python -P bench/band_notes.py --engine /work/wt-x FILE.mid ... > x.txt
    diff main.txt x.txt       # only the key changes' column may differ

Per take: the SHA-256 (first 16 hex digits) of the band's `Note` events (every part, time, length, pitch, velocity),
of every other event but its key changes (beats, meters, markers), and the key changes (time s, tonic, mode), as
`engine.render.play` makes them under the automatic style with the engine at `--engine`. `render_digest.py` hashes
the whole file, key signature included, so a name the band does not play by shows there as a change.
"""

from __future__ import annotations

import argparse
import hashlib
import sys


def digest(events: list) -> str:
    """The first 16 hex digits of the SHA-256 of the events' reprs (the events are frozen dataclasses)."""
    return hashlib.sha256(repr(events).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="guitar MIDI files")
    ap.add_argument("--engine", required=True, help="the tree whose engine renders (a worktree or /work/main)")
    args = ap.parse_args()
    sys.path.insert(0, args.engine)
    from engine.events import KeyChange, Note  # noqa: PLC0415 (the engine at --engine)
    from engine.io.midi_input import read_guitar_file  # noqa: PLC0415
    from engine.render import play  # noqa: PLC0415

    for path in args.files:
        _, events = play(read_guitar_file(path))
        notes = [e for e in events if isinstance(e, Note)]
        other = [e for e in events if not isinstance(e, (Note, KeyChange))]
        keys = [(round(e.time, 2), e.tonic, e.mode) for e in events if isinstance(e, KeyChange)]
        print(path.split("/")[-1], digest(notes), digest(other), keys, flush=True)


if __name__ == "__main__":
    main()
