"""The timeline picture of `--plot OUT.png`: what aqyn heard and what the band played, lane by lane, on one
time axis (seconds of the input file).

Lanes, top to bottom:

    guitar      the notes as a piano roll (pitch over time, darker = louder); the beats the listener heard as
                thin lines, its downbeats as thicker ones
    tempo       the tempo heard (BPM: the listener's change points); with a render, the band's beat by beat
    key         the key as the listener decided it, a span per key, coloured round the circle of fifths
    chords      the chord as decided, a span per chord, labelled where there is room
    band        (render only) the band's sections as labelled spans, its entries and exits, its downbeats
    confidence  the listener's key, beat and meter confidence, 0..1

Drawn with matplotlib's object API on the Agg canvas (no display, no global pyplot state); matplotlib is the
optional extra `aqyn[plot]`, and `plot_problem()` says when it is missing, before any work.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from engine.analyze import Analysis, note_spans
from engine.events import Beat, Event, Marker
from engine.io.outputs import replace_file
from engine.listen.chord import pretty
from engine.theory import pitch_class

MISSING = "--plot needs matplotlib: pip install 'aqyn[plot]'"
LANES = ("guitar", "tempo", "key", "chords", "band", "confidence")
HEIGHTS = {"guitar": 3.0, "tempo": 1.3, "key": 0.5, "chords": 0.7, "band": 0.9, "confidence": 1.1}
CONFIDENCES = (("key", "#1f77b4"), ("beat", "#ff7f0e"), ("meter", "#2ca02c"))


def plot_problem() -> str | None:
    """None when matplotlib can be imported, else the one line to tell the user (MISSING)."""
    try:
        import matplotlib  # noqa: F401, PLC0415
    except ImportError:
        return MISSING
    return None


@dataclass
class BandLanes:
    """What the band played, for its lane: beats as (time s, downbeat?, period s), sections as (start s, end
    s, name), and its entries, exits and stops as (time s, text)."""

    beats: list[tuple[float, bool, float]] = field(default_factory=list)
    sections: list[tuple[float, float, str]] = field(default_factory=list)
    marks: list[tuple[float, str]] = field(default_factory=list)


@dataclass
class Picture:
    """One timeline picture: a `title`, the guitar's notes as (start s, end s, pitch, velocity), what the
    listener heard (`Analysis`, with its confidence samples) and, for a render, the band (`BandLanes`)."""

    title: str
    notes: list[tuple[float, float, int, int]]
    heard: Analysis
    band: BandLanes | None = None

    @property
    def end(self) -> float:
        """The time axis' end (s): the last note, beat or mark, a little after."""
        ends = [self.heard.duration] + [n[1] for n in self.notes[-1:]]
        if self.band is not None:
            ends += [b[0] for b in self.band.beats[-1:]] + [m[0] for m in self.band.marks[-1:]]
        return max(ends) + 0.5

    @property
    def lanes(self) -> tuple[str, ...]:
        """The lanes drawn, in order (the band's only for a render)."""
        return tuple(name for name in LANES if name != "band" or self.band is not None)


def band_lanes(events: list[Event]) -> BandLanes:
    """The band's lane from its events (a render's): Beat events, and the markers `section: NAME`, `band in:
    ...`, `band out`, `stop...`. A section lasts until the next one or the band's exit."""
    lanes = BandLanes()
    open_section: tuple[float, str] | None = None
    for e in sorted((e for e in events if isinstance(e, (Beat, Marker))), key=lambda e: e.time):
        if isinstance(e, Beat):
            lanes.beats.append((e.time, e.beat_in_bar == 0, e.period))
            continue
        if e.text.startswith("section: ") or e.text == "band out":
            if open_section is not None:
                lanes.sections.append((open_section[0], e.time, open_section[1]))
            open_section = (e.time, e.text[len("section: "):]) if e.text != "band out" else None
        if not e.text.startswith("section: "):
            lanes.marks.append((e.time, e.text))
    if open_section is not None:
        end = max([open_section[0]] + [b[0] + b[2] for b in lanes.beats])
        lanes.sections.append((open_section[0], end, open_section[1]))
    return lanes


def picture_of(title: str, messages: list, heard: Analysis, band: list[Event] | None = None) -> Picture:
    """A `Picture` of a guitar's `messages` (InputMessages), the `heard` analysis and the band's events."""
    return Picture(title, sorted(note_spans(messages)), heard, band_lanes(band) if band is not None else None)


def timeline_figure(picture: Picture, width: float = 12.0, dpi: float = 100.0):
    """The picture as a matplotlib Figure (Agg canvas attached), `width` inches wide at `dpi`; each lane an
    axes whose y label is its name (LANES). Needs matplotlib (see `plot_problem`)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    lanes = picture.lanes
    ratios = [HEIGHTS[n] for n in lanes]
    fig = Figure(figsize=(width, 0.9 + 0.75 * sum(ratios)), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(lanes), 1, sharex=True, gridspec_kw={"height_ratios": ratios})
    draw = {"guitar": _guitar, "tempo": _tempo, "key": _key, "chords": _chords, "band": _band,
            "confidence": _confidence}
    for name, ax in zip(lanes, axes):
        ax.set_ylabel(name, rotation=0, ha="right", va="center")
        ax.tick_params(labelsize=7)
        draw[name](ax, picture)
    axes[-1].set_xlim(0, picture.end)
    axes[-1].set_xlabel("seconds")
    fig.suptitle(picture.title, fontsize=10)
    return fig


def save_timeline(picture: Picture, path: Path, width: float = 12.0, dpi: float = 100.0) -> None:
    """Draw the picture and write it as a PNG at `path`, all at once (temporary file, then renamed). Raises
    OutputPathError when it cannot be written."""
    buffer = io.BytesIO()
    timeline_figure(picture, width, dpi).savefig(buffer, format="png", dpi=dpi)
    replace_file(Path(path), buffer.getvalue())


# -- the lanes -------------------------------------------------------------------------------------------------
def _hue(pc: int, light: float = 0.0):
    """A colour for pitch class `pc` round the circle of fifths (neighbouring keys look alike), paler with
    `light` (0..1)."""
    import colorsys  # noqa: PLC0415

    r, g, b = colorsys.hls_to_rgb((pc * 7 % 12) / 12, 0.55 + 0.3 * light, 0.55)
    return (r, g, b)


def _grid_lines(ax, heard: Analysis) -> None:
    ax.vlines(heard.beats, 0, 1, transform=ax.get_xaxis_transform(), colors="#bbbbbb", linewidth=0.4)
    ax.vlines(heard.downbeats, 0, 1, transform=ax.get_xaxis_transform(), colors="#777777", linewidth=0.9)


def _guitar(ax, p: Picture) -> None:
    _grid_lines(ax, p.heard)
    if not p.notes:
        return
    from matplotlib import colormaps  # noqa: PLC0415

    shade = colormaps["Greys"]
    starts, ends, pitches, velocities = zip(*p.notes)
    ax.hlines(pitches, starts, ends, colors=[shade(0.35 + 0.65 * v / 127) for v in velocities], linewidth=2.2)
    low, high = min(pitches) - 2, max(pitches) + 2
    ax.set_ylim(low, high)
    ticks = [n for n in range(low, high + 1) if n % 12 in (0, 7)]      # every C and G, named as in scientific
    ax.set_yticks(ticks, [f"{'C' if n % 12 == 0 else 'G'}{n // 12 - 1}" for n in ticks])   # pitch (C4 = 60)


def _tempo(ax, p: Picture) -> None:
    tempo = p.heard.tempo
    if tempo:
        times = [t["time"] for t in tempo] + [p.end]
        bpms = [t["bpm"] for t in tempo]
        ax.step(times, bpms + bpms[-1:], where="post", color="#1f77b4", linewidth=1.2, label="heard")
    if p.band is not None and p.band.beats:
        ax.plot([b[0] for b in p.band.beats], [60.0 / b[2] for b in p.band.beats], ".", color="#d62728",
                markersize=2.5, label="band")
    if tempo or (p.band is not None and p.band.beats):
        ax.legend(loc="upper left", fontsize=6, frameon=False, ncol=2)
    else:
        _say(ax, "no steady beat heard")
    ax.set_ylabel("tempo\n(BPM)", rotation=0, ha="right", va="center")


def _say(ax, words: str) -> None:
    """A lane with nothing to draw says why, in its middle."""
    ax.text(0.5, 0.5, words, transform=ax.transAxes, ha="center", va="center", fontsize=7, color="#777777")
    ax.set_yticks([])


def _spans(ax, spans: list[tuple[float, float, str, tuple]], end: float) -> None:
    """Labelled coloured spans on one row; a label only where it fits (about 6 px a letter)."""
    width_px = ax.get_window_extent().width or 1.0
    for start, stop, label, colour in spans:
        ax.barh(0, stop - start, left=start, height=0.8, color=colour, edgecolor="white", linewidth=0.5)
        if (stop - start) / end * width_px > 6 * len(label) + 4:
            ax.text((start + stop) / 2, 0, label, ha="center", va="center", fontsize=7)
    ax.set_ylim(-0.5, 0.5)
    ax.set_yticks([])


def _changes(points: list[dict], end: float) -> list[tuple[float, float, dict]]:
    """Change points (each holding until the next) as (start s, end s, the point)."""
    return [(c["time"], n["time"] if n else end, c) for c, n in zip(points, points[1:] + [None])]


def _key(ax, p: Picture) -> None:
    spans = [(a, b, f"{k['tonic']} {k['mode']}", _hue(pitch_class(k["tonic"]), 0.3))
             for a, b, k in _changes(p.heard.keys, p.end)]
    _spans(ax, spans, p.end)


def _chords(ax, p: Picture) -> None:
    spans = []
    for a, b, c in _changes(p.heard.chords, p.end):
        label = c["label"]
        colour = (0.85, 0.85, 0.85) if label == "N" else _hue(pitch_class(label.split(":")[0]), 0.5)
        spans.append((a, b, pretty(label, p.heard.key_at(a)), colour))
    _spans(ax, spans, p.end)


def _band(ax, p: Picture) -> None:
    band = p.band
    if not band.sections:
        _say(ax, "the band did not come in")
    spans = [(a, b, name, _section_colour(name)) for a, b, name in band.sections]
    _spans(ax, spans, p.end)
    downbeats = [b[0] for b in band.beats if b[1]]
    ax.vlines(downbeats, -0.5, -0.4, colors="#333333", linewidth=0.8)
    for t, text in band.marks:
        if text.startswith("band in") or text == "band out":
            ax.axvline(t, color="#d62728", linewidth=1.4)
            ax.text(t, 0.45, " in" if text.startswith("band in") else " out", color="#d62728", fontsize=7,
                    va="top")
        else:
            ax.plot([t], [0.35], "v", color="#555555", markersize=3)


def _section_colour(name: str):
    palette = {"intro": "#c6dbef", "main_a": "#9ecae1", "main_b": "#6baed6", "fill": "#fdae6b",
               "break": "#d9d9d9", "ending": "#fc9272"}
    return palette.get(name, "#c7e9c0")


def _confidence(ax, p: Picture) -> None:
    samples = p.heard.confidence
    if samples:
        times = [s[0] for s in samples]
        for k, (name, colour) in enumerate(CONFIDENCES, 1):
            ax.plot(times, [s[k] for s in samples], color=colour, linewidth=1.0, label=name)
        ax.legend(loc="lower right", fontsize=6, frameon=False, ncol=3)
    ax.set_ylim(0, 1.05)
    ax.set_yticks([0, 0.5, 1])
