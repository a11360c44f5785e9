"""How many songs of iReal Pro playlists `aqyn play` reads, and why it refuses the others.

`python bench/ireal_corpus.py FILE...`: every `irealb://` / `irealbook://` link in the files (pages or text,
as iReal Pro exports playlists or its forum posts them), every song read as `aqyn play` reads it; prints the
songs read, how many carry a note (navigation not followed) and the reasons for the refused ones, most
common first. The figure in examples/CHARTS.md ("iReal Pro links") is of the playlists the ireal-musicxml
project tests with (test/data/*.txt and *.html there: not ours to ship, so fetch them to count).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.chart.ireal import ireal_chart  # noqa: E402
from engine.chart.ireal_link import read_link  # noqa: E402
from engine.errors import ChartError  # noqa: E402

LINK = re.compile(r'irealb(?:ook)?://[^"<>\s]*')


def main() -> None:
    read, noted, refused = 0, 0, Counter()
    for path in sys.argv[1:]:
        for link in LINK.findall(Path(path).read_text(encoding="utf-8", errors="replace")):
            try:
                songs = read_link(link, path).songs
            except ChartError as exc:
                refused[str(exc).split(": ", 1)[1]] += 1
                continue
            for song in songs:
                try:
                    _, notes = ireal_chart(song, path)
                except ChartError as exc:
                    refused[re.sub(r"'[^']*'", "'...'", str(exc).split(": ", 3)[-1])] += 1
                    continue
                read, noted = read + 1, noted + bool(notes)
    total = read + sum(refused.values())
    print(f"{read} of {total} songs read ({100 * read / max(total, 1):.1f}%), {noted} with a note (navigation "
          "not followed)")
    for reason, n in refused.most_common():
        print(f"{n:6d}  {reason}")


if __name__ == "__main__":
    main()
