"""iReal Pro links: an `irealb://` (or the older `irealbook://`) URL and the songs it carries.

The link is a percent-encoded text. Its songs are separated by `===`; with more than one song the last piece
is the playlist's name. A song's fields are separated by `=`:

- `irealb://`: title, composer, (empty), style, key, transpose, music, comp style, BPM, repeats; the music
  starts with `1r34LbKcu7` and is scrambled (below). Older links leave out the transpose field.
- `irealbook://`: title, composer, style, key, `n`, music, unscrambled.

The scramble, as the open-source readers of the format describe it (iReal's own "custom chord chart
protocol" page documents only the plain `irealbook://` form): the music after the prefix is cut into blocks
of 50 characters; a block is left as is when it is the last one or fewer than 2 characters follow it; in
every other block the characters at positions 0-4 and 10-23 change places with those at 49-i (0 with 49,
10 with 39 ...). The same function scrambles and unscrambles. The unscrambled music then has three
shorthands spelled out: `XyQ` is three empty cells, `LZ` a bar line (` |`), `Kcl` a bar repeated (`| x`).

>>> scramble(scramble("1r34" * 30)) == "1r34" * 30
True
>>> [s.title for s in read_link("irealbook://Tune=Me=Waltz=C=n=T34C  |G7  Z").songs]
['Tune']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from engine.errors import ChartError

PREFIXES = ("irealb://", "irealbook://")
MUSIC_PREFIX = "1r34LbKcu7"
BLOCK = 50
SWAPPED = (*range(0, 5), *range(10, 24))        # positions i that change places with 49 - i in a block
SHORTHANDS = (("XyQ", "   "), ("LZ", " |"), ("Kcl", "| x"))
_HREF = re.compile(r'(irealb(?:ook)?://[^"<>\s]*)')          # a raw ' may be in a title
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class IrealSong:
    """One song of a link: its fields as written (`music` unscrambled, shorthands spelled out); `bpm` 0 and
    `transpose` 0 when unset."""

    title: str
    composer: str
    style: str
    key: str
    music: str
    bpm: int = 0
    transpose: int = 0


@dataclass(frozen=True)
class Playlist:
    """The songs of a link, in order, and the playlist's name ("" for a single song)."""

    songs: tuple[IrealSong, ...]
    name: str = ""


def scramble(music: str) -> str:
    """`music` scrambled as iReal scrambles it (see the module docstring); also its own inverse."""
    out, rest = [], music
    while len(rest) > BLOCK:
        block, rest = rest[:BLOCK], rest[BLOCK:]
        if len(rest) >= 2:
            chars = list(block)
            for i in SWAPPED:
                chars[i], chars[BLOCK - 1 - i] = block[BLOCK - 1 - i], block[i]
            block = "".join(chars)
        out.append(block)
    return "".join(out) + rest


def looks_like_link(text: str) -> bool:
    """True when `text` is a URL (`scheme://...`), an iReal link or not (a wrong one is refused by read_link)."""
    return bool(_URL.match(text.strip()))


def find_link(text: str, source: str) -> str:
    """The first iReal link in `text`: the text itself, or the link in a page's `<a href=...>` as iReal Pro
    exports playlists. Raises ChartError naming `source` when there is none."""
    m = _HREF.search(text)
    if m is None:
        raise ChartError(f"{source}: no irealb:// link in it; give a chart, an irealb:// link or a file "
                         "holding one")
    return m.group(1)


def read_link(link: str, source: str = "the link") -> Playlist:
    """The songs of an iReal link (`source` names it in messages). Raises ChartError (one line) for another
    kind of URL, a link that is not percent-encoded text, or a song whose fields are cut short."""
    link = link.strip()
    prefix = next((p for p in PREFIXES if link.startswith(p)), None)
    if prefix is None:
        scheme = link.split("://", 1)[0] + "://" if "://" in link else link[:20]
        raise ChartError(f"{source}: {scheme!r} links are not read; give an irealb:// link (iReal Pro: Share, "
                         "Text or HTML) or a chart file")
    try:
        body = unquote(link[len(prefix):], errors="strict")
    except UnicodeDecodeError:
        raise ChartError(f"{source}: the link is not percent-encoded UTF-8 text; copy the whole link "
                         "again") from None
    pieces = body.split("===")
    name = pieces.pop() if len(pieces) > 1 else ""
    songs = tuple(_song(piece, prefix, source, n) for n, piece in enumerate(pieces, start=1) if piece.strip())
    if not songs:
        raise ChartError(f"{source}: the link holds no song; copy the whole link again")
    return Playlist(songs, name.strip())


def _song(text: str, prefix: str, source: str, n: int) -> IrealSong:
    """One song's fields (see the module docstring)."""
    fields = text.split("=")
    if prefix == "irealbook://":
        if len(fields) < 6:
            raise _cut(source, n, fields)
        title, composer, style, key, music = fields[0], fields[1], fields[2], fields[3], "=".join(fields[5:])
        return IrealSong(title, composer, style, key, _spelled(music))
    at = next((i for i, f in enumerate(fields) if f.startswith(MUSIC_PREFIX)), None)
    if at is None or at < 4:
        raise _cut(source, n, fields)
    head, tail = fields[:at], fields[at + 1:]
    style, key = (head[2], head[3]) if at == 4 else (head[3], head[4])     # title=composer==style=key=...
    transpose = _number(head[5]) if len(head) > 5 else 0
    bpm = _number(tail[1]) if len(tail) > 1 else 0
    return IrealSong(head[0], head[1], style, key, _spelled(scramble(fields[at][len(MUSIC_PREFIX):])),
                     bpm, transpose)


def _cut(source: str, n: int, fields: list[str]) -> ChartError:
    """The error for song `n` whose fields are cut short."""
    title = fields[0][:40] if fields and fields[0] else f"song {n}"
    return ChartError(f"{source}: song {title!r} is cut short (no music in it); copy the whole link again")


def _spelled(music: str) -> str:
    """The music with the scrambled form's shorthands spelled out."""
    for short, spelled in SHORTHANDS:
        music = music.replace(short, spelled)
    return music


def _number(text: str) -> int:
    """An integer field (0 when empty or not a number: iReal leaves unset fields empty or 0)."""
    try:
        return int(text.strip())
    except ValueError:
        return 0
