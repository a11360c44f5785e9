"""Styles: pattern files (TOML, one character per grid step) loaded into immutable `Style`s.

A style file (the full format, with examples, is in patterns/README.md):

    name = "tokpe-gallop"
    title = "Tökpe gallop"
    meter = "2/4"              # 2/4 3/4 4/4 | 6/8 9/8 12/8 (compound) | 5/8 7/8 (additive, with groups)
    groups = "2+2"             # optional: the bar's accent groups in eighths (7/8: "2+2+3")
    steps_per_beat = 4         # grid steps per listener beat
    tempo = "76-240"           # optional: the listener beats a minute it suits (auto picks by it)
    ring = 0.28                # optional: seconds a dombra note rings at most (0.28-2.0)
    swing = 0.0                # 0..0.5 of a step: every second step is played late
    humanize_ms = 4            # timing scatter (standard deviation, ms)
    humanize_velocity = 6      # velocity scatter (+-)
    tuning = "quartal"         # quartal quintal second unison

    [variation]                # phrase length, automatic fills, register climb, melody, repeats
    phrase = 8
    fill_every = 4

    [main_a]                   # sections: intro main_a main_b fill break ending
    bars = 16                  # how long the section lasts (main: bars before switching to the other main)
    dombra = { grid = "D.DU D.DU", velocity = "9.75 8.75" }   # D U M P H T r .
    tuyaqtas_low = "X..x x..x"                                # one key per instrument: X x .

A file may instead hold a single `[dombra]` table and `[percussion.NAME]` tables: that is its main section.
Every error names file:line:col and what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from engine.arrange.strokes import MAX_RING
from engine.arrange.tomlpos import NESTED, Where, parse_toml, positions, read_text
from engine.checks import did_you_mean, is_number, shown, unknown_key
from engine.errors import PatternError

DOMBRA_STROKES = "DUMPHTr"
DRUM_HITS = "Xx"
REST = "."
SEPARATORS = " |"
STROKE_NAMES = {"D": "down-strum", "U": "up-strum", "M": "muted chop", "P": "pluck", "H": "hammer-on",
                "T": "body tap", "r": "roll (tremolo)", "X": "loud hit", "x": "soft hit"}
DEFAULT_VELOCITY = {"D": 100, "U": 72, "M": 88, "P": 92, "H": 90, "T": 56, "r": 66, "X": 105, "x": 62}

SECTIONS = ("intro", "main_a", "main_b", "fill", "break", "ending")
SECTION_BARS = {"intro": (0, 16), "main_a": (0, 64), "main_b": (0, 64), "fill": (1, 1), "break": (0, 8),
                "ending": (1, 8)}
TUNINGS = ("quartal", "quintal", "second", "unison")
METERS = ("2/4", "3/4", "4/4", "5/8", "6/8", "7/8", "9/8", "12/8")
DEFAULT_GROUPS = {"5/8": (3, 2), "7/8": (2, 2, 3)}
# A style's `tempo` range, in listener beats a minute: the limits a file may give (the beat tracker's own span
# lies inside), and the range of a file that gives none (any tempo).
TEMPO_LIMITS = (20, 400)
ANY_TEMPO = TEMPO_LIMITS
LONGEST_RING = 2.0    # seconds: the longest `ring` a style may give (a plucked nylon string has died away)

# Instruments known by name: GM drum notes, a main note and layers (note, velocity offset), after DOMAIN.md §4.
KIT: dict[str, tuple[tuple[int, int], ...]] = {
    # Kazakh percussion
    "dauylpaz": ((41, 0),), "dauylpaz_high": ((43, 0),),                      # wooden kettle drum, sticks
    "dauylpaz_hand": ((64, 0),), "dauylpaz_hand_tek": ((63, 0),), "dauylpaz_hand_mute": ((62, 0),),
    "dabyl": ((36, 0), (45, -10)),                                            # loud double-headed signal drum
    "shyndauyl": ((41, 0), (53, -45)),                                        # metal-bodied kettle drum
    "dangyra": ((45, 0), (54, -20)), "dangyra_dum": ((64, 0), (54, -20)),      # frame drum with rings
    "dangyra_jingle": ((54, 0),),
    "kepshik_dum": ((64, 0),), "kepshik_tek": ((63, 0),), "kepshik_muted": ((62, 0),),   # frame drum
    "asatayak_shake": ((83, 0), (54, -15)), "asatayak_thump": ((35, 0),), "asatayak_strike": ((37, 0),),
    "tuyaqtas_low": ((77, 0),), "tuyaqtas_high": ((76, 0),),                   # horse-hoof clapper
    "tuyaqtas_clave": ((75, 0),), "tuyaqtas_click": ((85, 0),),
    "konyrau": ((84, 0),), "konyrau_bell": ((83, 0),),                         # bells
    "rattle": ((70, 0),), "rattle_cabasa": ((69, 0),), "rattle_shaker": ((82, 0),),   # syldyrmaq
    "body_tap": ((37, -30),),                                                  # knock on the dombra
    # ethno-rock kit
    "kick": ((36, 0),), "kick_soft": ((35, 0),), "snare": ((38, 0),), "snare_rim": ((37, 0),),
    "clap": ((39, 0),), "hihat": ((42, 0),), "hihat_pedal": ((44, 0),), "hihat_open": ((46, 0),),
    "crash": ((49, 0),), "crash_2": ((57, 0),), "ride": ((51, 0),), "ride_bell": ((53, 0),),
    "splash": ((55, 0),), "china": ((52, 0),), "tom_floor": ((41, 0),), "tom_low": ((45, 0),),
    "tom_mid": ((47, 0),), "tom_high": ((50, 0),), "tambourine": ((54, 0),), "cowbell": ((56, 0),),
}
SECTION_KEYS = ("bars", "dombra", "percussion", *KIT)   # what a section's keys may be
BODY_TAP_NOTE = 37   # the dombra's T stroke sounds on the drum channel
WHAT = "style file"   # what error messages call a pattern file
MAX_TEXT = 100        # characters of a name or title


@dataclass(frozen=True, slots=True)
class Step:
    """One written stroke or hit of a part's bar (a rest is no step): grid position, symbol, MIDI velocity,
    chance, and whether it is accented as a group start."""

    index: int          # step number within the bar
    symbol: str         # a dombra stroke (DUMPHTr) or a drum hit (Xx)
    velocity: int       # 1..127
    chance: float = 1.0  # probability that the step plays (scaled by the player's intensity when < 1)
    accent: bool = False  # the step starts a group of the meter


Bar = tuple[Step, ...]


@dataclass(frozen=True)
class Part:
    """One instrument's pattern in a section: one or more bars, played in turn, with optional alternatives."""

    name: str
    notes: tuple[tuple[int, int], ...]     # drums: (GM note, velocity offset) main note first; dombra: ()
    bars: tuple[Bar, ...]
    alt: tuple[Bar, ...] | None = None      # alternative bars, same count: used instead in some bars
    alt_chance: float = 0.0
    min_intensity: float = 0.0              # the part plays only when the player is at least this intense

    @property
    def is_dombra(self) -> bool:
        """True for the dombra's part (its notes follow key and chord), False for a drum."""
        return self.name == "dombra"

    @property
    def note(self) -> int:
        """The drum's main GM drum note (MIDI note number on channel 10). Raises IndexError for the dombra,
        which has no fixed notes."""
        return self.notes[0][0]


@dataclass(frozen=True)
class Section:
    """One section of a style (a name of SECTIONS) and its parts. `bars`: how long it lasts, within
    SECTION_BARS (a main section: bars before the other main takes over, 0 = until cued; an intro of 0 bars
    is skipped, a break of 0 bars sends a pause straight to the ending)."""

    name: str
    bars: int
    dombra: Part | None
    drums: tuple[Part, ...]
    written: bool = True                    # False when derived from main_a (not in the file)

    @property
    def parts(self) -> tuple[Part, ...]:
        """The parts the section plays: the dombra first (when it has one), then the drums in file order."""
        return ((self.dombra,) if self.dombra else ()) + self.drums


@dataclass(frozen=True)
class Variation:
    """A style's `[variation]` table: how the band varies over a piece (phrase length and automatic fills
    in bars, the register climb, the melody motif's chance, whether phrases may repeat). Read by the `Form`
    and the arranger."""

    phrase: int = 8         # bars per phrase
    fill_every: int = 4     # a fill closes every N bars of a main section (full bar at phrase ends,
                            # the second half of the bar otherwise); 0 = no automatic fills
    climb: int = 16         # bars per step up the register (bas buyn -> saga); 0 = stay low
    melody: float = 0.2     # chance that a strum's high string takes the melody motif's note
    repeat: bool = False    # may two consecutive phrases be identical?


@dataclass(frozen=True)
class Style:
    """One pattern file, parsed and checked (`parse_style_file`, `parse_style_text`): meter and grid, feel,
    tuning, variation and all of SECTIONS in order (those the file leaves out derived from main_a). `swing` is
    in steps (0..0.5), `humanize_ms` the standard deviation of the timing scatter in milliseconds,
    `humanize_velocity` the velocity scatter (+-), `accent` the velocity added on the downbeat (60 % of it on
    the other group starts)."""

    name: str
    title: str
    path: Path
    meter: str
    groups: tuple[int, ...]          # accent groups in eighth notes, summing to the bar
    beats_per_bar: Fraction          # in listener beats (2/4: 2, 6/8: 2, 7/8: 7/2)
    steps_per_beat: int
    swing: float
    humanize_ms: float
    humanize_velocity: int
    tuning: str
    accent: int
    variation: Variation
    sections: tuple[Section, ...] = field(repr=False)
    tempo: tuple[int, int] = ANY_TEMPO   # listener beats a minute the style suits, low and high, both included
    ring: float = MAX_RING               # seconds a dombra note may ring at most (a slow style lets it ring)

    def suits_tempo(self, bpm: float) -> bool:
        """True when `bpm` (listener beats a minute: quarters, dotted quarters in 6/8) is within `tempo`."""
        return self.tempo[0] <= bpm <= self.tempo[1]

    @property
    def whole_beats(self) -> bool:
        """True when a bar is a whole number of listener beats (2/4, 3/4, 4/4, 6/8 ...); False for the aqsaq
        meters 5/8 and 7/8, whose bars end inside a beat (7/8: 7/2 beats)."""
        return self.beats_per_bar.denominator == 1

    @property
    def numerator(self) -> int:
        """The meter's upper number: 7 for 7/8."""
        return int(self.meter.split("/")[0])

    @property
    def denominator(self) -> int:
        """The meter's lower number: 4 or 8."""
        return int(self.meter.split("/")[1])

    @property
    def steps_per_bar(self) -> int:
        """Grid steps in a bar: `beats_per_bar` x `steps_per_beat` (7/8 at 4 steps per beat: 14)."""
        return int(self.beats_per_bar * self.steps_per_beat)

    @property
    def beat_eighths(self) -> int:
        """Eighth notes per listener beat: 3 in compound meters (the dotted quarter), else 2 (the quarter)."""
        return 2 if self.meter.endswith("/4") else _beat_eighths(self.groups, self.numerator)

    @property
    def compound(self) -> bool:
        """True for compound meters (6/8, 9/8, 12/8: the beat splits in three)."""
        return self.beat_eighths == 3

    @property
    def group_steps(self) -> tuple[int, ...]:
        """Step indices where the meter's groups start (the bar's accents)."""
        per_eighth = Fraction(self.steps_per_beat, self.beat_eighths)
        out, e = [], 0
        for g in self.groups:
            out.append(int(e * per_eighth))
            e += g
        return tuple(out)

    def section(self, name: str) -> Section:
        """The section called `name`; every style has all of SECTIONS. Raises KeyError for any other name."""
        for s in self.sections:
            if s.name == name:
                return s
        raise KeyError(name)

    def summary(self) -> str:
        """One line for people: name and title, meter and groups, steps per beat, tempo range, tuning, the
        sections the file writes and the names of all parts."""
        written = [s.name for s in self.sections if s.written]
        parts = sorted({p.name for s in self.sections for p in s.parts})
        groups = "+".join(map(str, self.groups))
        return (f"{self.name} ({self.title}): {self.meter} ({groups}), {self.steps_per_beat} steps per beat, "
                f"{self.tempo[0]}-{self.tempo[1]} BPM, tuning {self.tuning}; sections {', '.join(written)}; "
                f"parts {', '.join(parts)}")


def _beat_eighths(groups: tuple[int, ...], numerator: int) -> int:
    return 3 if numerator % 3 == 0 and all(g == 3 for g in groups) else 2


# ---- parsing --------------------------------------------------------------------------------------------

def parse_style_file(path: Path) -> Style:
    """The style in the pattern file at `path` (TOML in UTF-8; the format is in patterns/README.md).
    Raises PatternError naming file:line:col when the file is missing, not a regular file (a folder, a FIFO,
    a device: refused before reading), over 1 MiB (tomlpos.MAX_BYTES), not UTF-8 or not a valid style (see
    `parse_style_text`)."""
    path = Path(path)
    return parse_style_text(read_text(path, WHAT, PatternError), path)


def parse_style_text(text: str, path: Path | str = "<style>") -> Style:
    """The style written in `text` (a pattern file's TOML); `path` names it in error messages. Raises
    PatternError naming path:line:col and what was expected, for a TOML syntax error or an invalid style.

    >>> style = parse_style_text('meter = "2/4"\\nsteps_per_beat = 4\\ndombra = "D.DU D.DU"\\n')
    >>> style.steps_per_bar, style.section("main_a").bars
    (8, 16)
    >>> parse_style_text('meter = "2/4"\\nsteps_per_beat = 4\\ndombra = "D.DU D.Dx"\\n')
    Traceback (most recent call last):
        ...
    engine.errors.PatternError: <style>:3:19: unexpected 'x' in dombra grid; expected one of D U M P H T r or . (rest)
    """
    path = Path(path)
    data = parse_toml(text, path, WHAT, PatternError)
    try:
        return _Builder(path, text, data).build()
    except RecursionError:
        raise PatternError(f"{path}:1:1: {NESTED}; a {WHAT} is flat") from None


KNOWN_TOP = ("name", "title", "meter", "groups", "steps_per_beat", "tempo", "ring", "swing", "humanize_ms",
             "humanize_velocity", "tuning", "accent", "variation", "dombra", "percussion", *SECTIONS)
KNOWN_VARIATION = ("phrase", "fill_every", "climb", "melody", "repeat")
KNOWN_PART = ("grid", "velocity", "chance", "alt", "alt_chance", "note", "min_intensity")


def _misplaced_setting(name: str) -> str | None:
    """The message for a style setting (`swing`, `phrase`...) written under a section, where it would be read
    as an instrument, else None. In TOML a key belongs to the table header above it, so a setting typed
    below `[main_a]` lands in main A: the likeliest slip when a musician adds a line at the file's end."""
    if name in KNOWN_TOP and name not in SECTION_KEYS and name not in SECTIONS:
        where = "at the top of the file, before the first [section]"
    elif name in KNOWN_VARIATION:
        where = "under [variation]"
    else:
        return None
    return (f"{name} is a setting of the style, not an instrument of this section; put it {where} "
            f"(in TOML a key belongs to the [table] above it)")


class _Builder:
    """Reads a parsed style file into a `Style`: top-level keys, meter, grid, variation and sections.

    The instruments' grids are read by a `_PartReader` once the bar grid is known. Every check raises
    `PatternError` naming file:line:col (from `tomlpos.positions`) and what was expected.
    """

    def __init__(self, path: Path, text: str, data: dict):
        self.path = path
        self.data = data
        self.pos = positions(text)
        self.last_line = text.count("\n") + (0 if text.endswith("\n") else 1)

    # -- error helpers
    def where(self, key: tuple, at: str = "value", offset: int | None = None) -> str:
        w: Where | None = None
        k = key
        while k and w is None:
            w = self.pos.get(k)
            if w is None:
                k = k[:-1]
        if w is None:
            return f"{self.path}:1:1"
        if at == "key" or k != key:
            return f"{self.path}:{w.line}:{w.key_col}"
        col = w.value_col + (1 + offset if offset is not None else 0)
        return f"{self.path}:{w.line}:{col}"

    def error(self, key: tuple, msg: str, at: str = "value", offset: int | None = None) -> PatternError:
        return PatternError(f"{self.where(key, at, offset)}: {msg}")

    def number(self, table: dict, key: tuple, default: Any, low: float, high: float, kind=float) -> Any:
        name = key[-1]
        if name not in table:
            return default
        v = table[name]
        ok = is_number(v) and (isinstance(v, int) or kind is float)
        if not ok or not low <= v <= high:
            what = "an integer" if kind is int else "a number"
            raise self.error(key, f"{name} must be {what} {low:g}..{high:g}, got {shown(v)}")
        return kind(v)

    def unknown(self, table: dict, prefix: tuple, known: tuple[str, ...], what: str) -> None:
        """Raises `PatternError` at the first key of `table` (at key path `prefix`) not among `known`, with a
        "did you mean" for a near miss; `what` says where ("in [variation]")."""
        for k in table:
            if k not in known:
                raise self.error(prefix + (k,), unknown_key(k, known, what), at="key")

    def text(self, key: str, default: str) -> str:
        """The top-level `name` or `title`: a string on one line, 1..MAX_TEXT characters, without control
        characters (it goes into MIDI markers and the live view); `default` when the file has none. Raises
        `PatternError`."""
        if key not in self.data:
            return default
        v = self.data[key]
        if not isinstance(v, str) or not v.strip() or len(v) > MAX_TEXT or not v.isprintable():
            raise self.error((key,), f"{key} must be a string on one line, 1..{MAX_TEXT} printable characters, "
                             f"got {shown(v)}")
        return v

    # -- the style
    def build(self) -> Style:
        """The whole style. Checks run in a fixed order (top-level keys, meter, grid, feel, variation,
        sections); the first that fails raises `PatternError`."""
        d = self.data
        self.unknown(d, (), KNOWN_TOP, "at the top level")
        meter, groups, beat_eighths, beats_per_bar = self.meter()
        spb = self.steps_per_beat(meter, groups, beat_eighths, beats_per_bar)
        swing = self.number(d, ("swing",), 0.0, 0.0, 0.5)
        if swing and spb % 2:
            raise self.error(("swing",), f"swing needs an even steps_per_beat (steps come in pairs), got {spb}")
        hms = self.number(d, ("humanize_ms",), 5.0, 0, 30)
        hv = self.number(d, ("humanize_velocity",), 6, 0, 40, int)
        accent = self.number(d, ("accent",), 12, 0, 40, int)
        tuning = d.get("tuning", "quartal")
        if not isinstance(tuning, str) or tuning not in TUNINGS:
            hint = did_you_mean(tuning, TUNINGS) if isinstance(tuning, str) else ""
            raise self.error(("tuning",), f"unknown tuning {shown(tuning)}{hint}; expected one of {', '.join(TUNINGS)}")
        name = self.text("name", self.path.stem)
        title = self.text("title", name)
        tempo = self.tempo()
        ring = self.number(d, ("ring",), MAX_RING, MAX_RING, LONGEST_RING)
        variation = self.variation()
        grid = _BarGrid(steps=int(beats_per_bar * spb),
                        group_starts=frozenset(int(Fraction(e, beat_eighths) * spb) for e in _starts(groups)),
                        accent=accent, text=f"{meter} at {spb} steps per beat")
        sections = self.sections(_PartReader(self, grid))
        return Style(name=name, title=title, path=self.path, meter=meter, groups=groups,
                     beats_per_bar=beats_per_bar, steps_per_beat=spb,
                     swing=float(swing), humanize_ms=float(hms), humanize_velocity=hv, tuning=tuning, accent=accent,
                     variation=variation, sections=sections, tempo=tempo,
                     ring=float(ring))

    def meter(self) -> tuple[str, tuple[int, ...], int, Fraction]:
        """The meter ("7/8"), its accent groups in eighths, eighths per listener beat (2 or 3) and beats per
        bar. Raises `PatternError` for a missing, malformed or unsupported meter or bad groups."""
        d = self.data
        if "meter" not in d:
            raise PatternError(f"{self.path}:1:1: missing 'meter'; expected e.g. meter = \"2/4\" "
                               f"(one of {' '.join(METERS)})")
        meter = d["meter"]
        if not isinstance(meter, str) or not re.fullmatch(r"\d+/\d+", meter):
            raise self.error(("meter",), f"meter must be a string like \"2/4\" or \"7/8\", got {shown(meter)}")
        if meter not in METERS:
            raise self.error(("meter",), f"meter {meter} is not supported; use one of {' '.join(METERS)}")
        num, den = map(int, meter.split("/"))
        bar_eighths = num * (2 if den == 4 else 1)
        groups = self.groups(meter, num, den, bar_eighths)
        beat_eighths = 2 if den == 4 else _beat_eighths(groups, num)
        return meter, groups, beat_eighths, Fraction(bar_eighths, beat_eighths)

    def steps_per_beat(self, meter: str, groups: tuple[int, ...], beat_eighths: int, beats_per_bar: Fraction) -> int:
        """Grid steps per listener beat (1..12), such that the bar and every group start fall on a step.
        Raises `PatternError` when it is missing, out of range or does not fit the meter."""
        if "steps_per_beat" not in self.data:
            raise PatternError(f"{self.path}:1:1: missing 'steps_per_beat'; expected e.g. steps_per_beat = 4 "
                               "(grid steps per beat)")
        spb = self.number(self.data, ("steps_per_beat",), 4, 1, 12, int)
        if (beats_per_bar * spb).denominator != 1 or any(
                (Fraction(e, beat_eighths) * spb).denominator != 1 for e in _starts(groups)):
            need = "a multiple of 3" if beat_eighths == 3 else "even"
            raise self.error(("steps_per_beat",), f"steps_per_beat = {spb} cannot put the {meter} bar "
                             f"({'+'.join(map(str, groups))} eighths) on the grid; it must be {need}")
        return spb

    def groups(self, meter: str, num: int, den: int, bar_eighths: int) -> tuple[int, ...]:
        d = self.data
        if "groups" not in d:
            return DEFAULT_GROUPS.get(meter, (2,) * num if den == 4 else (3,) * (num // 3))
        g = d["groups"]
        if not isinstance(g, str) or not re.fullmatch(r"\s*[1-9]\d*(\s*\+\s*[1-9]\d*)*\s*", g):
            raise self.error(("groups",), f"groups must be eighth-note counts joined by +, like \"2+2+3\", "
                             f"got {shown(g)}")
        groups = tuple(int(x) for x in g.replace(" ", "").split("+"))
        if sum(groups) != bar_eighths:
            raise self.error(("groups",), f"groups {g} add up to {sum(groups)} eighths; a bar of {meter} has "
                             f"{bar_eighths}")
        if any(x > 4 for x in groups):
            raise self.error(("groups",), f"a group is 1 to 4 eighths long, got {g}")
        return groups

    def tempo(self) -> tuple[int, int]:
        """The `tempo` range, "LOW-HIGH" in listener beats a minute (TEMPO_LIMITS, LOW below HIGH); ANY_TEMPO
        when the file has none. Raises `PatternError` for another shape or an empty or out-of-range span."""
        if "tempo" not in self.data:
            return ANY_TEMPO
        v = self.data["tempo"]
        m = re.fullmatch(r"\s*(\d{1,4})\s*-\s*(\d{1,4})\s*", v) if isinstance(v, str) else None
        if m is None:
            raise self.error(("tempo",), f"tempo must be a range of beats a minute like \"60-120\", got {shown(v)}")
        low, high = int(m[1]), int(m[2])
        if not TEMPO_LIMITS[0] <= low < high <= TEMPO_LIMITS[1]:
            raise self.error(("tempo",), f"tempo {v} is not a range within {TEMPO_LIMITS[0]}-{TEMPO_LIMITS[1]} "
                             "beats a minute, slower first")
        return low, high

    def variation(self) -> Variation:
        v = self.data.get("variation", {})
        if not isinstance(v, dict):
            raise self.error(("variation",), "variation must be a table: [variation]")
        self.unknown(v, ("variation",), KNOWN_VARIATION, "in [variation]")
        k = ("variation",)
        phrase = self.number(v, k + ("phrase",), 8, 1, 32, int)
        fill_every = self.number(v, k + ("fill_every",), 4, 0, 32, int)
        if fill_every and phrase % fill_every:
            raise self.error(k + ("fill_every",), f"fill_every = {fill_every} must divide the phrase "
                             f"({phrase} bars), or be 0 for no automatic fills")
        climb = self.number(v, k + ("climb",), 16, 0, 128, int)
        melody = self.number(v, k + ("melody",), 0.2, 0.0, 1.0)
        repeat = v.get("repeat", False)
        if not isinstance(repeat, bool):
            raise self.error(k + ("repeat",), f"repeat must be true or false, got {shown(repeat)}")
        return Variation(phrase, fill_every, climb, float(melody), repeat)

    # -- the sections
    def sections(self, parts: _PartReader) -> tuple[Section, ...]:
        """All of SECTIONS in order: those the file writes (their parts read by `parts`), the others derived
        from main_a. Raises `PatternError` when the file has no main section, or both [main_a] and a top-level
        [dombra]/[percussion]."""
        d = self.data
        has_legacy = "dombra" in d or "percussion" in d
        if has_legacy and "main_a" in d:
            raise self.error(("main_a",), "a style has either [main_a] or a top-level [dombra]/[percussion] "
                             "(its one main section), not both", at="key")
        if not has_legacy and "main_a" not in d:
            raise PatternError(f"{self.path}:{self.last_line}:1: missing a main section; expected a [main_a] "
                               "table (or a top-level [dombra] table)")
        sections: dict[str, Section] = {}
        if has_legacy:
            sections["main_a"] = self.legacy(parts)
        for name in SECTIONS:
            if name in d:
                sections[name] = self.section(name, parts)
        main = sections["main_a"]
        derived = {
            "main_b": lambda: Section("main_b", main.bars, main.dombra, main.drums, written=False),
            "intro": lambda: Section("intro", 0, None, (), written=False),
            "fill": lambda: Section("fill", 1, main.dombra, main.drums, written=False),
            "break": lambda: _downbeat_only("break", main),
            "ending": lambda: _downbeat_only("ending", main),
        }
        for name, make in derived.items():
            if name not in sections:
                sections[name] = make()
        return tuple(sections[n] for n in SECTIONS)

    def legacy(self, parts: _PartReader) -> Section:
        """main_a of a one-section file: its top-level [dombra] and [percussion.NAME] tables, 16 bars."""
        d = self.data
        if "dombra" not in d:
            raise PatternError(f"{self.path}:1:1: missing 'dombra': a one-section style needs a [dombra] table "
                               "with a grid")
        dombra = parts.part(("dombra",), "dombra", d["dombra"])
        perc = d.get("percussion", {})
        if not isinstance(perc, dict):
            raise self.error(("percussion",), "percussion must hold one table per instrument: [percussion.NAME]")
        drums = tuple(parts.drum(("percussion", n), n, p) for n, p in perc.items())
        return Section("main_a", 16, dombra, drums)

    def section(self, name: str, parts: _PartReader) -> Section:
        """The section table `name` as written: `bars` and one part per other key."""
        t = self.data[name]
        key = (name,)
        if not isinstance(t, dict):
            raise self.error(key, f"{name} must be a table: [{name}]")
        low, high = SECTION_BARS[name]
        default = {"fill": 1, "intro": 2, "break": 1, "ending": 1}.get(name, 8)
        bars = self.number(t, key + ("bars",), default, low, high, int)
        dombra, drums = None, []
        for k, v in t.items():
            if k == "bars":
                continue
            if k == "dombra":
                dombra = parts.part(key + (k,), k, v)
            elif k == "percussion" and isinstance(v, dict):
                drums.extend(parts.drum(key + (k, n), n, p) for n, p in v.items())
            else:
                drums.append(parts.part(key + (k,), k, v))
        if dombra is None and not drums and name in ("main_a", "main_b"):
            raise self.error(key, f"[{name}] has no parts; expected dombra = \"D.DU ...\" or an instrument's grid",
                             at="key")
        return Section(name, bars, dombra, tuple(drums))


@dataclass(frozen=True, slots=True)
class _BarGrid:
    """The bar every grid string of a style is written on."""

    steps: int                      # grid steps per bar
    group_starts: frozenset[int]    # steps that start a group of the meter (the bar's accents)
    accent: int                     # velocity added on the downbeat (60 % of it on the other group starts)
    text: str                       # "7/8 at 4 steps per beat", for messages


class _PartReader:
    """Reads one instrument's table or grid string into a `Part` on the style's bar grid.

    Errors are `PatternError`s made by the `_Builder` `doc` (file:line:col of the offending key or character).
    """

    def __init__(self, doc: _Builder, grid: _BarGrid):
        self.doc = doc
        self.grid = grid

    def part(self, key: tuple, name: str, v: Any) -> Part:
        """The part `name` written at key path `key` as `v` (a grid string, or a table with a grid and options:
        velocity, chance, alt, alt_chance, note, min_intensity). Raises `PatternError`."""
        doc = self.doc
        misplaced = _misplaced_setting(name)
        if misplaced:
            raise doc.error(key, misplaced, at="key")
        dombra = name == "dombra"
        table = {"grid": v} if isinstance(v, str) else v
        if not isinstance(table, dict):
            hint = did_you_mean(name, SECTION_KEYS)
            raise doc.error(key, f"{name}{hint} must be a grid string or a table with a grid, got {shown(v)}")
        if not isinstance(v, str):
            doc.unknown(table, key, KNOWN_PART, f"in {name}")
            if "grid" not in table:
                raise doc.error(key, f"{name} needs a grid string, e.g. grid = \"{'D.DU' if dombra else 'X..x'}\"",
                                at="key")
        gkey = key if isinstance(v, str) else key + ("grid",)
        alphabet = DOMBRA_STROKES if dombra else DRUM_HITS
        cells = self.cells(gkey, table["grid"], alphabet, f"{name} grid")
        n = self.grid.steps
        if len(cells) % n or len(cells) > 16 * n:
            raise doc.error(gkey, f"{name} grid has {len(cells)} steps; a bar of {self.grid.text} needs {n} "
                            f"(or a multiple of {n} for a pattern of several bars)")
        nbars = len(cells) // n
        velocity = self.digits(key + ("velocity",), table, "velocity", len(cells), name)
        chance = self.digits(key + ("chance",), table, "chance", len(cells), name)
        alt = self.alt(key, name, table, alphabet, len(cells), chance, nbars)
        alt_chance = doc.number(table, key + ("alt_chance",), 0.25 if alt else 0.0, 0.0, 1.0)
        if "alt_chance" in table and alt is None:
            raise doc.error(key + ("alt_chance",), f"alt_chance needs an alt grid in {name}", at="key")
        min_intensity = doc.number(table, key + ("min_intensity",), 0.0, 0.0, 1.0)
        notes = self.notes(key, name, table)
        return Part(name, notes, self.bars(cells, velocity, chance, nbars), alt, float(alt_chance),
                    float(min_intensity))

    def drum(self, key: tuple, name: str, v: Any) -> Part:
        """A part written under a `percussion` table: any instrument but the dombra. Raises `PatternError`."""
        if name == "dombra":
            raise self.doc.error(key, "the dombra is not a percussion instrument; write dombra = ... in the "
                                 "section itself", at="key")
        return self.part(key, name, v)

    def alt(self, key: tuple, name: str, table: dict, alphabet: str, steps: int, chance: list[int | None],
            nbars: int) -> tuple[Bar, ...] | None:
        """The part's alternative bars (None without an `alt` grid); the alt grid must have the grid's
        `steps` (it takes the grid's chances, not its velocities). Raises `PatternError`."""
        doc = self.doc
        if "alt" not in table:
            return None
        akey = key + ("alt",)
        alt_cells = self.cells(akey, table["alt"], alphabet, f"{name} alt")
        if len(alt_cells) != steps:
            raise doc.error(akey, f"{name} alt has {len(alt_cells)} steps; it must match the grid's {steps}")
        return self.bars(alt_cells, [None] * steps, chance, nbars)

    def notes(self, key: tuple, name: str, table: dict) -> tuple[tuple[int, int], ...]:
        """A drum's (GM note, velocity offset) pairs, main note first: its `note`, else the KIT entry of its
        name; () for the dombra, whose notes follow key and chord. Raises `PatternError` for a note out of
        35..87, an unknown instrument without a note, or a note on the dombra."""
        doc = self.doc
        if name == "dombra":
            if "note" in table:
                raise doc.error(key + ("note",), "the dombra's notes follow the key and chord; note is for "
                                "percussion instruments", at="key")
            return ()
        if "note" in table:
            note = table["note"]
            if not isinstance(note, int) or isinstance(note, bool) or not 35 <= note <= 87:
                raise doc.error(key + ("note",), f"note must be a GM drum note 35..87, got {shown(note)}")
            return ((note, 0),)
        if name in KIT:
            return KIT[name]
        raise doc.error(key, f"unknown instrument {name!r}{did_you_mean(name, SECTION_KEYS)}: add note = <GM drum note "
                        f"35-87> or use one of {', '.join(sorted(KIT))}", at="key")

    def cells(self, key: tuple, grid: Any, alphabet: str, what: str) -> list[tuple[int, str]]:
        """(column in the string, symbol) of each step of a grid string, separators (space, |) left out.
        Raises `PatternError` for a non-string, a line break, a symbol outside `alphabet` + '.', or no steps."""
        doc = self.doc
        if not isinstance(grid, str):
            raise doc.error(key, f"{what} must be a string of steps, got {shown(grid)}")
        if "\n" in grid:
            raise doc.error(key, f"{what} must be written on one line")
        cells = [(i, ch) for i, ch in enumerate(grid) if ch not in SEPARATORS]
        for i, ch in cells:
            if ch not in alphabet and ch != REST:
                raise doc.error(key, f"unexpected {ch!r} in {what}; expected one of {' '.join(alphabet)} "
                                "or . (rest)", offset=i)
        if not cells:
            raise doc.error(key, f"{what} is empty; expected {self.grid.steps} steps")
        return cells

    def digits(self, key: tuple, table: dict, what: str, n: int, name: str) -> list[int | None]:
        """A velocity or chance string's digits per step (None for '.' or when the table has none); it must
        have the grid's `n` steps. Raises `PatternError`."""
        doc = self.doc
        if what not in table:
            return [None] * n
        s = table[what]
        if not isinstance(s, str):
            raise doc.error(key, f"{name} {what} must be a string of digits, got {shown(s)}")
        cells = [(i, ch) for i, ch in enumerate(s) if ch not in SEPARATORS]
        for i, ch in cells:
            if not (ch in "123456789" or ch == REST):
                raise doc.error(key, f"unexpected {ch!r} in {name} {what}; expected a digit 1-9 or . "
                                f"({'1 soft .. 9 = 127' if what == 'velocity' else '1 = 10% .. 9 = 90%, . = always'})",
                                offset=i)
        if len(cells) != n:
            raise doc.error(key, f"{name} {what} has {len(cells)} steps; it must match the grid's {n}")
        return [None if ch == REST else int(ch) for _, ch in cells]

    def bars(self, cells, velocity, chance, nbars) -> tuple[Bar, ...]:
        """`nbars` bars of Steps from the cells with their velocity and chance digits: a written velocity
        digit d plays 127 * d / 9, else the stroke's default plus the accent of a group start."""
        n = self.grid.steps
        out = []
        for b in range(nbars):
            steps = []
            for j in range(n):
                k = b * n + j
                ch = cells[k][1]
                if ch == REST:
                    continue
                accent = j in self.grid.group_starts
                if velocity[k] is not None:
                    vel = round(127 * velocity[k] / 9)
                else:
                    boost = self.grid.accent if j == 0 else (self.grid.accent * 0.6 if accent else 0)
                    vel = min(127, round(DEFAULT_VELOCITY[ch] + (boost if ch not in "Tx" else 0)))
                p = 1.0 if chance[k] is None else chance[k] / 10
                steps.append(Step(j, ch, max(1, vel), p, accent))
            out.append(tuple(steps))
        return tuple(out)


def _starts(groups: tuple[int, ...]) -> list[int]:
    out, e = [], 0
    for g in groups:
        out.append(e)
        e += g
    return out


def _downbeat_only(name: str, main: Section) -> Section:
    """A derived break or ending: the main section's first-bar strokes on the downbeat, nothing else."""
    def first(part: Part | None) -> Part | None:
        if part is None:
            return None
        steps = tuple(s for s in part.bars[0] if s.index == 0)
        return Part(part.name, part.notes, (steps,)) if steps else None

    dombra = first(main.dombra)
    drums = tuple(p for p in (first(d) for d in main.drums) if p is not None)
    return Section(name, 1, dombra, drums, written=False)
