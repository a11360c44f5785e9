"""`aqyn patterns list | show NAME | check FILE`: the band's styles from the terminal. Thin: parse, call the
library, print. Exit 0 ok, 2 bad input (one line: `aqyn: error: file:line:col: ...`)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from engine.cli.common import PATTERNS_OPTION, fail
from engine.cli.common import pattern_dirs as _dirs
from engine.errors import EngineError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="List, show and check the band's styles (pattern files).")


@app.command("list")
def list_command(patterns: Optional[Path] = PATTERNS_OPTION) -> None:
    """List the styles: name, meter, title and where the file is (user folders shadow shipped styles). A
    broken style file is left out of the list and said in one warning line on stderr (file:line:col); the
    exit code stays 0."""
    from engine.arrange.styles import PATTERN_DIR, good_styles, list_styles  # noqa: PLC0415

    files = list_styles(_dirs(patterns))
    good, _ = good_styles(files)
    rows = [(name, s.meter, s.title, "shipped" if files[name].parent == PATTERN_DIR else str(files[name]))
            for name, s in good.items()]
    if not rows:
        typer.echo("no styles found")
        return
    w0, w2 = max(len(r[0]) for r in rows), max(len(r[2]) for r in rows)
    for name, meter, title, where in rows:
        typer.echo(f"{name:<{w0}}  {meter:<5}  {title:<{w2}}  {where}".rstrip())


@app.command("show")
def show_command(name: str = typer.Argument(..., metavar="NAME", help="Style name, or a .toml file."),
                 patterns: Optional[Path] = PATTERNS_OPTION) -> None:
    """Draw a style's grids in the terminal, section by section and part by part."""
    from engine.arrange.styles import load_style  # noqa: PLC0415

    try:
        style = load_style(name, _dirs(patterns))
    except EngineError as exc:
        fail(str(exc))
    for line in draw(style):
        typer.echo(line)


@app.command("check")
def check_command(file: Path = typer.Argument(..., metavar="FILE", help="A style file (.toml) to check.")) -> None:
    """Check a style file: a summary when it is good, else one line naming file:line:col (exit 2)."""
    from engine.arrange.patterns import parse_style_file  # noqa: PLC0415

    try:
        style = parse_style_file(file)
    except EngineError as exc:
        fail(str(exc))
    typer.echo(f"ok: {file}: {style.summary()}")


# ---- drawing ---------------------------------------------------------------------------------------------

def _cells(style, steps, fill: str = ".") -> list[str]:
    row = [fill] * style.steps_per_bar
    for s in steps:
        row[s.index] = s.symbol
    return row


def _join(style, cells: list[str]) -> str:
    """Cells with a bar line at each group of the meter: `|D . D U|D . D U|`."""
    groups = set(style.group_steps)
    out = ""
    for i, c in enumerate(cells):
        out += ("|" if i in groups else " ") + c
    return out + "|"


def draw(style) -> list[str]:
    """A `Style` as text lines (no newlines): a header, then per section a ruler and rows per part and bar."""
    from engine.arrange.patterns import SECTIONS  # noqa: PLC0415
    from engine.arrange.strokes import MAX_RING  # noqa: PLC0415

    v = style.variation
    groups = "+".join(map(str, style.groups))
    lines = [f"{style.title} ({style.name}) — {style.meter} ({groups} eighths), {style.steps_per_beat} steps per "
             f"beat, tuning {style.tuning}" + (f", swing {style.swing:g}" if style.swing else "")
             + f", {style.tempo[0]}-{style.tempo[1]} BPM" + (f", notes ring up to {style.ring:g} s"
                                                              if style.ring != MAX_RING else ""),
             f"humanise ±{style.humanize_ms:g} ms, ±{style.humanize_velocity} velocity; phrases of {v.phrase} bars, "
             f"fills every {v.fill_every or 'never'}, register climbs every {v.climb or 'never'} bars, "
             f"melody {v.melody:.0%}{', phrases may repeat' if v.repeat else ''}",
             f"file: {style.path}", ""]
    labels = [p.name for s in style.sections for p in s.parts] + ["velocity", "chance"]
    width = max(len(x) for x in labels) + 4
    starts = style.group_steps
    ruler = ["."] * style.steps_per_bar
    for k, g in enumerate(starts, 1):
        ruler[g] = str(k % 10)
    for name in SECTIONS:
        sec = style.section(name)
        note = {"main_a": ", then main_b", "main_b": ", then main_a"}.get(name, "") if sec.bars else ""
        length = f"{sec.bars} bar{'s' if sec.bars != 1 else ''}" if sec.bars else "until cued"
        origin = "" if sec.written else " (not in the file: derived from main_a)"
        lines.append(f"{name}: {length}{note}{origin}")
        if not sec.parts:
            lines.append(f"  {'(silent)':<{width}}")
            lines.append("")
            continue
        lines.append(f"  {'':<{width}}{_join(style, ruler)}")
        for part in sec.parts:
            for b, steps in enumerate(part.bars):
                lines += _bar_rows(style, part, b, steps, width)
        lines.append("")
    lines.append("dombra: D down-strum  U up-strum  M muted chop  P pluck  H hammer-on  T body tap  r roll;  "
                 "drums: X loud  x soft;  . rest")
    return lines


def _bar_rows(style, part, b: int, steps, width: int) -> list[str]:
    """Bar `b` of a part: its grid row (labelled with the part's name on bar 0, with the intensity it needs),
    the dombra's velocity digits (1..9), the chance digits (tenths) when some step may not play, and the
    alternative bar with its chance. Labels are padded to `width` characters."""
    label = part.name if b == 0 else f"  bar {b + 1}"
    extra = ""
    if b == 0 and part.min_intensity:
        extra += f"  from intensity {part.min_intensity:g}"
    rows = [f"  {label:<{width}}{_join(style, _cells(style, steps))}{extra}"]
    if part.is_dombra:
        vel = ["."] * style.steps_per_bar
        for s in steps:
            vel[s.index] = str(max(1, min(9, round(s.velocity * 9 / 127))))
        rows.append(f"  {'  velocity':<{width}}{_join(style, vel)}")
    if any(s.chance < 1 for s in steps):
        ch = ["."] * style.steps_per_bar
        for s in steps:
            if s.chance < 1:
                ch[s.index] = str(round(s.chance * 10))
        rows.append(f"  {'  chance':<{width}}{_join(style, ch)}")
    if part.alt is not None:
        rows.append(f"  {f'  alt {part.alt_chance:.0%}':<{width}}{_join(style, _cells(style, part.alt[b]))}")
    return rows
