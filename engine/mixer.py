"""The mixer: each part's level in dB, and the channel volume (CC7) that plays it.

A level is a change from the band's own mix (engine/arrange/band.py `MIX`), in dB: 0 leaves a part as it is,
-6 halves its amplitude, `off` silences it (CC7 0: FluidSynth's floor, -96 dB). It is played as MIDI channel
volume (CC7) on the part's channels, so the same level sounds alike offline (the WAV and its stems), live
(FluidSynth) and in the MIDI file (any DAW or synth), and a footswitch can change it while the band plays.

Why CC7 and not a gain per synth: live there is one FluidSynth and one synth gain for all parts; a per-part
gain would need a synth (and an audio client) per part. FluidSynth follows the SoundFont 2.01 default
modulator, CC7 -> attenuation on a concave curve: 40·log10(v/127) dB (measured: within 0.05 dB for
v = 1..127), so a level of L dB on a channel whose volume is v is round(v · 10^(L/40)).

CC7 stops at 127, so a part cannot be raised much above the band's mix (the dombra sits at 108: +2.8 dB).
Levels are therefore relative: when a part is raised, every part is played `top` dB lower (the highest level
given), which keeps the balance asked for; the WAV is peak-normalised anyway, so offline it sounds exactly
as a boost, and live the whole band is `top` dB quieter (turn the amplifier up).

>>> levels = parse_mix("dombra=-6,percussion=off")
>>> levels.db(DOMBRA), levels.db(PERCUSSION), levels.db(GUITAR)
(-6.0, -inf, 0.0)
>>> levels.volume(DOMBRA, 108), levels.volume(PERCUSSION, 96)
(76, 0)
>>> silenced(levels, (DOMBRA, PERCUSSION), muted=(DOMBRA,))
['--mute dombra', '--mix percussion=off']
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from engine.checks import did_you_mean
from engine.events import DOMBRA, GUITAR, PERCUSSION

PARTS = (DOMBRA, PERCUSSION, GUITAR)
MIN_DB, MAX_DB = -60.0, 12.0       # a sane range for a level; below it, say `off`
OFF_WORDS = ("off", "mute")
GM_VOLUME = 100                    # a channel's volume before any CC7 (General MIDI's default; FluidSynth's)


@dataclass(frozen=True)
class Levels:
    """Each part's level in dB (a part not named is at 0; `-inf` is off). Immutable: `step` returns anew."""

    levels: tuple[tuple[str, float], ...] = field(default=())

    def db(self, part: str) -> float:
        """The level of `part` in dB (0 when not set, -inf when off)."""
        return dict(self.levels).get(part, 0.0)

    @property
    def top(self) -> float:
        """The highest level above 0 dB (0 when none is raised): every part plays this much lower."""
        return max([0.0, *(db for _, db in self.levels)])

    @property
    def flat(self) -> bool:
        """True when every part is at 0 dB: the band's own mix, nothing to change."""
        return all(db == 0 for _, db in self.levels)

    def volume(self, part: str, base: int) -> int:
        """The CC7 value (0..127) that plays `part` at its level on a channel whose volume is `base` at 0 dB;
        0 when off, at least 1 otherwise (CC7 0 is silence)."""
        db = self.db(part)
        if db == -math.inf or base == 0:
            return 0
        return max(1, min(127, round(base * 10 ** ((db - self.top) / 40))))

    def step(self, part: str, delta: float) -> Levels:
        """The levels with `part` moved by `delta` dB, kept within MIN_DB..MAX_DB; a part that is off stays
        off. Raises ValueError for an unknown part."""
        if part not in PARTS:
            raise ValueError(f"no part {part!r}; parts: {', '.join(PARTS)}")
        db = self.db(part)
        if db != -math.inf:
            db = min(MAX_DB, max(MIN_DB, db + delta))
        return self.set(part, db)

    def set(self, part: str, db: float) -> Levels:
        """The levels with `part` at `db` (dB, or -inf for off)."""
        rest = tuple((p, v) for p, v in self.levels if p != part)
        return Levels(tuple(sorted(rest + ((part, float(db)),), key=lambda pv: PARTS.index(pv[0]))))


def parse_level(text: str) -> float:
    """A level as written: a number of dB within MIN_DB..MAX_DB ("-3", "+2.5", "0") or off/mute (-inf).
    Raises ValueError saying what is allowed."""
    word = text.strip().lower()
    if word in OFF_WORDS:
        return -math.inf
    try:
        db = float(word.removesuffix("db"))
        if not math.isfinite(db):
            raise ValueError
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a level; give dB as a number ({MIN_DB:g}..+{MAX_DB:g}) "
                         "or off") from None
    if not MIN_DB <= db <= MAX_DB:
        raise ValueError(f"level {text.strip()} dB is out of range; give {MIN_DB:g}..+{MAX_DB:g} dB, or off")
    return db


def parse_mix(spec: str, parts: tuple[str, ...] = PARTS) -> Levels:
    """`--mix` as written, "dombra=-3,percussion=0,guitar=off": PART=LEVEL pairs (see `parse_level`) for
    parts among `parts`, each at most once. Raises ValueError with the one line to show.

    >>> parse_mix("dombra=-3, guitar=+2").levels
    (('dombra', -3.0), ('guitar', 2.0))
    """
    levels = Levels()
    seen: set[str] = set()
    for item in spec.split(","):
        part, eq, value = (s.strip() for s in item.partition("="))
        part = part.lower()           # DOMBRA=-3 names the dombra as well
        if not eq or not part or not value:
            raise ValueError(f"{item.strip()!r} is not PART=DB; write e.g. dombra=-3,percussion=0")
        if part not in parts:
            raise ValueError(f"no part {part!r}{did_you_mean(part, parts)}; parts: {', '.join(parts)}")
        if part in seen:
            raise ValueError(f"{part} is given twice; give each part once")
        seen.add(part)
        try:
            levels = levels.set(part, parse_level(value))
        except ValueError as exc:
            raise ValueError(f"{part}: {exc}") from None
    return levels


def silenced(levels: Levels, parts: tuple[str, ...], muted: tuple[str, ...] = ()) -> list[str]:
    """The options that silence `parts`, in their order: "--mute PART" for a part in `muted`, "--mix PART=off"
    for one whose level is off; a part still heard adds nothing, so a list as long as `parts` means none of
    them would be heard (a command refuses that rather than render or play silence without a word)."""
    return [f"--mute {part}" if part in muted else f"--mix {part}=off"
            for part in parts if part in muted or levels.db(part) == -math.inf]
