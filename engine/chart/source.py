"""Where `aqyn play` takes its chart from: a text chart file, an iReal Pro link, or a file holding a link.

A CHART argument that is a URL (`scheme://...`) is read as an iReal link (engine/chart/ireal_link.py; another
scheme is refused). A file is read as a link when its text starts with `irealb://` or `irealbook://` (a
link saved as text) or holds one in an `href` (a playlist page as iReal Pro exports it; an .html page
without a link is refused); else it is a text chart (engine/chart/parse.py). A link with several songs plays
the one `--song` picks: its number (from 1) or its title (in any case), the first by default.

>>> chart, notes = load_chart("irealbook://Tune=Me=Pop=C=n=T44C   |G   Z")
>>> chart.title, len(chart.bars), chart.style, notes
('Tune', 2, 'nomad-gallop', [])
"""

from __future__ import annotations

import re
from pathlib import Path

from engine.chart.ireal import ireal_chart
from engine.chart.ireal_link import PREFIXES, IrealSong, find_link, looks_like_link, read_link
from engine.chart.parse import Chart, parse_chart, read_chart_text
from engine.errors import OptionError

PAGES = (".html", ".htm")              # a page is read for its link, never as a text chart
LINK_SOURCE = "the link"             # the chart's path (and messages' source) for a link given as CHART
_HREF_LINK = re.compile(r"""href\s*=\s*["']?irealb(?:ook)?://""", re.I)


def load_chart(arg: str, song: str | None = None) -> tuple[Chart, list[str]]:
    """The chart `arg` names (a file or an iReal link) and the notes to show the player (one line each).
    `song`: which song of a link (number from 1, or title); None: the first. Raises ChartError (a chart or
    link that cannot be read) or OptionError (--song with a text chart, or naming no song of the link)."""
    if looks_like_link(arg):
        return _song_chart(read_link(arg, LINK_SOURCE).songs, song, LINK_SOURCE)
    text = read_chart_text(arg)
    if text.lstrip().startswith(PREFIXES) or _HREF_LINK.search(text) or Path(arg).suffix.lower() in PAGES:
        return _song_chart(read_link(find_link(text, arg), arg).songs, song, arg)
    if song is not None:
        raise OptionError(f"--song picks a song of an iReal link; {arg} is a text chart (leave --song out)")
    return parse_chart(text, str(Path(arg))), []


def _song_chart(songs: tuple[IrealSong, ...], pick: str | None, source: str) -> tuple[Chart, list[str]]:
    """The chart of the song `pick` names among `songs`."""
    return ireal_chart(pick_song(songs, pick), source)


def pick_song(songs: tuple[IrealSong, ...], pick: str | None) -> IrealSong:
    """The song `pick` names: None the first, a number 1..N, else a title (any case, spaces at the ends
    ignored). Raises OptionError listing the songs when none matches."""
    if pick is None:
        return songs[0]
    if pick.strip().isdigit():
        n = int(pick)
        if not 1 <= n <= len(songs):
            raise OptionError(f"--song {n}: the link has {len(songs)} song{'s' * (len(songs) > 1)}; give 1.."
                              f"{len(songs)} or a title")
        return songs[n - 1]
    want = pick.strip().casefold()
    match = next((s for s in songs if s.title.strip().casefold() == want), None)
    if match is None:
        titles = "; ".join(s.title.strip() for s in songs[:20]) + ("; ..." if len(songs) > 20 else "")
        raise OptionError(f"--song {pick!r}: no song of that title in the link; its songs: {titles}")
    return match
