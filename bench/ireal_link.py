"""Write iReal Pro links from music strings, as iReal Pro writes them: the tests' songs, or your own.

`python bench/ireal_link.py TITLE MUSIC [--style S] [--key K] [--bpm N]` prints an `irealb://` link for
`aqyn play`. MUSIC is iReal's unscrambled music string (examples/CHARTS.md, "iReal Pro links"), e.g.
`"{*AT44D-   |D-  C |G   |D-   }"`. The writer is ours: the scramble of engine/chart/ireal_link.py (its
own inverse), iReal's shorthands (`XyQ` for three empty cells, `LZ` for ` |`, `Kcl` for `| x`) and
percent-encoding.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.chart.ireal_link import MUSIC_PREFIX, scramble  # noqa: E402

SHORTENED = (("| x", "Kcl"), (" |", "LZ"), ("   ", "XyQ"))


@dataclass(frozen=True)
class Song:
    """A song to write: iReal's fields."""

    title: str
    music: str
    style: str = "Medium Swing"
    key: str = "C"
    bpm: int = 0
    composer: str = "aqyn tests"


def irealb_body(song: Song) -> str:
    """One song as an irealb:// link writes it (before percent-encoding)."""
    music = song.music
    for spelled, short in SHORTENED:
        music = music.replace(spelled, short)
    return (f"{song.title}={song.composer}=={song.style}={song.key}=={MUSIC_PREFIX}{scramble(music)}"
            f"=Jazz-Medium Swing={song.bpm}=1")


def irealb_link(songs: list[Song], playlist: str = "") -> str:
    """An irealb:// link of `songs` (with more than one, `playlist` names them)."""
    body = "===".join(irealb_body(s) for s in songs)
    if len(songs) > 1 or playlist:
        body += "===" + (playlist or "aqyn")
    return "irealb://" + quote(body, safe="")


def irealbook_link(song: Song) -> str:
    """The older, unscrambled irealbook:// link of one song."""
    return "irealbook://" + quote(f"{song.title}={song.composer}={song.style}={song.key}=n={song.music}", safe="")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("title")
    ap.add_argument("music")
    ap.add_argument("--style", default="Medium Swing")
    ap.add_argument("--key", default="C")
    ap.add_argument("--bpm", type=int, default=0)
    args = ap.parse_args()
    print(irealb_link([Song(args.title, args.music, args.style, args.key, args.bpm)]))


if __name__ == "__main__":
    main()
