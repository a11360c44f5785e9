"""Digests of what `aqyn render` and `aqyn analyze` produce, to show that a change leaves behaviour alone.

    python bench/render_digest.py --out /tmp/before.txt     # on the old code
    python bench/render_digest.py --out /tmp/after.txt      # on the new code
    diff /tmp/before.txt /tmp/after.txt                     # nothing: byte-identical outputs

Renders every example (with the automatic style and in every shipped style), the converter takes in
../shared/cases/converter-set-b/ and the guitar excerpts in ../shared/data/guitarset-dev/, through the
installed `aqyn` command, and prints one line per output: its SHA-256 (of the MIDI file; of the JSON for
analyze) or the exit code and last error line when the command failed. Runs through the command line only,
so it measures the same thing before and after any internal change.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
STYLES = ("tokpe-gallop", "tokpe-flow", "trot", "shertpe-332", "aqsaq-7-8", "aqsaq-5-8", "nomad-gallop", "ballad")


def inputs(extra: list[Path] = ()) -> list[Path]:
    """The input files: examples, converter-set-b, guitarset-dev (those that exist here), then each folder
    of `extra` (e.g. bench/.cache/sim4), sorted within each folder."""
    found = sorted((ROOT / "examples").glob("*.mid"))
    for folder in (SHARED / "cases" / "converter-set-b", SHARED / "data" / "guitarset-dev", *extra):
        found += sorted(folder.glob("*.mid"))
    return found


def jobs(aqyn: str, out: Path, extra: list[Path] = (),
         analyze: bool = True) -> list[tuple[str, list[str], Path | None]]:
    """(label, command, output file or None for stdout) for every run; `extra`: further input folders;
    `analyze` False: the renders alone."""
    runs = []
    for f in inputs(extra):
        styles = ("auto",) + (STYLES if f.parent.name == "examples" else ())
        for style in styles:
            target = out / f"{f.parent.name}--{f.stem}--{style}.mid"
            runs.append((f"render {f.parent.name}/{f.name} {style}",
                         [aqyn, "render", str(f), "-o", str(target), "--style", style], target))
        for mode in ((), ("--offline",)) if analyze else ():
            runs.append((f"analyze {f.parent.name}/{f.name} {' '.join(mode) or 'online'}",
                         [aqyn, "analyze", str(f), "--json", *mode], None))
    return runs


def digest(label: str, cmd: list[str], target: Path | None) -> str:
    """One line: the label and the SHA-256 of the output, or the exit code and last stderr line."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        last = (p.stderr.strip().splitlines() or [""])[-1]
        return f"{label}: exit {p.returncode}: {last}"
    if target is not None:
        data = target.read_bytes()
    else:   # analyze: the JSON names the input by the path given, which differs between checkouts
        data = re.sub(r'"file": "[^"]*"', '"file": ""', p.stdout).encode()
    return f"{label}: {hashlib.sha256(data).hexdigest()}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True, help="file to write the digest lines to")
    ap.add_argument("--aqyn", default=str(ROOT / ".venv" / "bin" / "aqyn"), help="the aqyn command to run")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--extra", type=Path, nargs="*", default=[],
                    help="further folders of takes to digest, e.g. bench/.cache/sim2 bench/.cache/sim4")
    ap.add_argument("--renders", action="store_true",
                    help="the renders alone (a third of the runs: the analyses are the listener's, which accuracy.py's "
                         "rows check too)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = jobs(args.aqyn, Path(tmp), args.extra, analyze=not args.renders)
        with ThreadPoolExecutor(args.jobs) as pool:
            lines = list(pool.map(lambda r: digest(*r), runs))
    args.out.write_text("\n".join(lines) + "\n")
    failed = sum(": exit " in line for line in lines)
    print(f"{len(lines)} outputs, {failed} failed runs; digests in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
