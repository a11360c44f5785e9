"""Footswitches and program changes: a TOML map from MIDI messages to band actions, with gestures.

The familiar grammar of drum pedals: **tap** = fill, **hold** = next section, **double tap** = ending.
A switch is a CC (pressed at value >= 64), a note (note-on pressed, note-off or velocity 0 released) or,
for the whole map, program changes (which select a style). A file:

    # footswitch.toml
    hold_time = 0.5          # s a press must last to count as a hold
    double_time = 0.35       # s within which a second tap makes a double tap

    [[switch]]
    cc = 64                  # or: note = 36
    channel = 16             # 1-16; leave out to match any channel
    tap = "fill"
    hold = "next"
    double = "ending"

    [[switch]]
    cc = 65
    tap = "tap_tempo"        # acts on the press itself, so the tap's timing is exact

    [[switch]]
    note = 38
    tap = "start_stop"
    hold = "lock"

    [[switch]]
    cc = 66
    tap = "level dombra -3"  # a part's level down or up by some dB (dombra or percussion; sign required)
    hold = "level dombra +3"

    [program_change]
    channel = 16             # optional
    styles = ["tokpe-gallop", "trot"]   # program 0 -> first ...; leave out for the styles in name order

Actions: fill, next, ending, start, stop, start_stop, tap_tempo, lock (toggles the tempo lock), and
"level PART +N" / "level PART -N" (PART's level up or down N dB, within -60..+12 dB; engine/mixer.py).
A switch with a double action waits `double_time` after a tap before acting on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from engine.arrange.styles import name_problem
from engine.arrange.tomlpos import read_toml
from engine.checks import did_you_mean, is_number, is_whole, unknown_key
from engine.errors import ConfigError
from engine.events import DOMBRA, PERCUSSION, InputMessage
from engine.inputs import SWITCH_CUES, Cue
from engine.midi import CONTROL, NOTE_OFF, NOTE_ON, PROGRAM

GESTURES = ("tap", "hold", "double")
LEVEL_PARTS = (DOMBRA, PERCUSSION)    # the parts aqyn plays live (the guitar is the player's own)
MAX_STEP = 24.0                       # dB a level action may move a part at once


@dataclass(frozen=True)
class LevelStep:
    """A switch's `level PART +N` action: move `part`'s level by `delta` dB."""

    part: str
    delta: float


def parse_action(value: object) -> Cue | LevelStep:
    """A gesture's action as written in a map: one of SWITCH_CUES, or "level PART +N" / "level PART -N"
    (PART one of LEVEL_PARTS, N dB, 0 < N <= MAX_STEP, the sign written). Raises ValueError with the message.

    >>> parse_action("fill"), parse_action("level dombra -3")
    (<Cue.FILL: 'fill'>, LevelStep(part='dombra', delta=-3.0))
    """
    if isinstance(value, str) and value in SWITCH_CUES:
        return Cue(value)
    words = value.split() if isinstance(value, str) else []
    if not words or words[0] != Cue.LEVEL:
        raise ValueError(f"{value!r} is not an action; use one of {', '.join(SWITCH_CUES)}, "
                         "or 'level PART +N' / 'level PART -N'")
    example = f"write e.g. 'level {DOMBRA} -3' or 'level {PERCUSSION} +2'"
    if len(words) != 3:
        raise ValueError(f"{value!r}: a level action is 'level PART +N' or 'level PART -N'; {example}")
    part, step = words[1], words[2]
    if part not in LEVEL_PARTS:
        raise ValueError(f"{value!r}: no part {part!r}{did_you_mean(part, LEVEL_PARTS)} live; "
                         f"parts: {', '.join(LEVEL_PARTS)}")
    try:
        delta = float(step) if step[:1] in "+-" else math.nan
    except ValueError:
        delta = math.nan
    if not 0 < abs(delta) <= MAX_STEP:       # also NaN: no number, or no sign
        raise ValueError(f"{value!r}: the step must be dB with its sign, up to {MAX_STEP:g}; {example}")
    return LevelStep(part, delta)


@dataclass(frozen=True)
class Switch:
    """One `[[switch]]` of a footswitch map: a CC (pressed at value >= 64) or a note (note-on pressed, note-off
    or velocity 0 released), on one channel or any, with the action of each of its gestures (GESTURES)."""

    kind: str                     # "cc" or "note"
    number: int                   # controller or note number
    channel: int | None           # 0-based, None = any
    actions: dict[str, Cue | LevelStep]   # gesture -> action

    def matches(self, msg: InputMessage) -> bool | None:
        """True pressed, False released, None when the message is not this switch."""
        if self.channel is not None and msg.channel != self.channel:
            return None
        kind = msg.kind
        if self.kind == "cc" and kind == CONTROL and msg.data1 == self.number:
            return msg.data2 >= 64
        if self.kind == "note" and msg.data1 == self.number and kind in (NOTE_OFF, NOTE_ON):
            return kind == NOTE_ON and msg.data2 > 0
        return None


@dataclass(frozen=True)
class FootswitchMap:
    """The footswitches and the program-change table of a map file: hold and double-tap times in seconds,
    the program-change channel 0-based (None: any), `program_styles` the style names by program number."""

    switches: tuple[Switch, ...] = ()
    hold_time: float = 0.5
    double_time: float = 0.35
    program_change: bool = False
    program_channel: int | None = None
    program_styles: tuple[str, ...] = ()
    path: Path | None = None

    @staticmethod
    def load(path: Path, styles: Iterable[str] | None = None) -> FootswitchMap:
        """The map in the TOML file `path` (see the module's example); times in seconds, channels 0-based.
        `styles`: the style names there are (None: not checked), which `[program_change] styles` must be
        among. Raises ConfigError naming path:line:col and what was expected, at load, never on stage."""
        data, bad = read_toml(Path(path), "footswitch map")
        known = ("hold_time", "double_time", "switch", "program_change")
        for k in data:
            if k not in known:
                raise bad((k,), unknown_key(k, known))
        times = {}
        for k, default in (("hold_time", 0.5), ("double_time", 0.35)):
            v = data.get(k, default)
            if not is_number(v) or not 0.05 <= v <= 3:
                raise bad((k,), f"{k} must be seconds between 0.05 and 3, got {v!r}")
            times[k] = float(v)
        switches = _switches(data.get("switch", []), bad)
        program, p_channel, names = _program_change(data.get("program_change"), bad, styles)
        return FootswitchMap(switches, times["hold_time"], times["double_time"], program, p_channel,
                             names, Path(path))


Bad = Callable[[tuple, str], ConfigError]     # (key path, message) -> the error naming path:line:col


def _switches(raw, bad: Bad) -> tuple[Switch, ...]:
    """The `[[switch]]` tables, in order."""
    if not isinstance(raw, list) or not all(isinstance(sw, dict) for sw in raw):
        raise bad(("switch",), "switch must be an array of tables: [[switch]] with cc = N or note = N "
                               "and tap, hold or double")
    return tuple(_switch(sw, i, bad) for i, sw in enumerate(raw))


def _switch(sw: dict, i: int, bad: Bad) -> Switch:
    """The `[[switch]]` table number i (0-based): cc or note 0..127, an optional channel 1..16 and at least one
    gesture with an action. Raises `bad(...)` with a message starting "switch N"."""
    at, where = ("switch", i), f"switch {i + 1}"
    kinds = [k for k in ("cc", "note") if k in sw]
    if len(kinds) != 1:
        raise bad(at, f"{where}: give exactly one of cc = N or note = N")
    number = sw[kinds[0]]
    if not is_whole(number) or not 0 <= number <= 127:
        raise bad(at + (kinds[0],), f"{where}: {kinds[0]} must be a whole number 0..127, got {number!r}")
    channel = _channel(sw.get("channel"), lambda m: bad(at + ("channel",), f"{where}: {m}"))
    actions = {}
    for key, value in sw.items():
        if key in ("cc", "note", "channel"):
            continue
        if key not in GESTURES:
            raise bad(at + (key,), f"{where}: {unknown_key(key, ('cc', 'note', 'channel', *GESTURES))}")
        try:
            actions[key] = parse_action(value)
        except ValueError as exc:
            raise bad(at + (key,), f"{where}: {key} = {exc}") from None
    if not actions:
        raise bad(at, f"{where}: give at least one of tap, hold, double")
    return Switch(kinds[0], int(number), channel, actions)


def _program_change(pc, bad: Bad, known: Iterable[str] | None) -> tuple[bool, int | None, tuple[str, ...]]:
    """The `[program_change]` table (None: absent) as (enabled, channel 0-based or None for any, style
    names by program number), its styles among `known` (None: not checked)."""
    if pc is None:
        return False, None, ()
    at = ("program_change",)
    if not isinstance(pc, dict):
        raise bad(at, "program_change must be a table: [program_change] with channel and styles")
    for k in pc:
        if k not in ("enabled", "channel", "styles"):
            raise bad(at + (k,), f"program_change: {unknown_key(k, ('enabled', 'channel', 'styles'))}")
    enabled = pc.get("enabled", True)
    if not isinstance(enabled, bool):
        raise bad(at + ("enabled",), f"program_change: enabled must be true or false, got {enabled!r}")
    channel = _channel(pc.get("channel"), lambda m: bad(at + ("channel",), f"program_change: {m}"))
    styles = pc.get("styles", [])
    if not isinstance(styles, list) or not all(isinstance(s, str) for s in styles):
        raise bad(at + ("styles",), "program_change: styles must be a list of style names")
    for i, s in enumerate(styles):        # a name, never a path out of the style folders
        if (problem := name_problem(s)) is not None:
            raise bad(at + ("styles", i), f"program_change: {problem}")
    if known is not None:
        names = set(known)
        unknown = [s for s in styles if s not in names]
        if unknown:
            raise bad(at + ("styles",), f"program_change: no style named {', '.join(map(repr, unknown))}; "
                      f"styles: {', '.join(sorted(names))}")
    return enabled, channel, tuple(styles)


def _channel(value, bad: Callable[[str], ConfigError]) -> int | None:
    if value is None:
        return None
    if not is_whole(value) or not 1 <= value <= 16:
        raise bad(f"channel must be 1..16, got {value!r}")
    return int(value) - 1


@dataclass
class _SwitchState:
    pressed_at: float | None = None
    held: bool = False            # the hold action already fired for this press
    consumed: bool = False        # this press completed a double tap: its release does nothing
    tap_at: float | None = None   # a tap waiting to see whether a second one follows


@dataclass
class Controls:
    """Turns footswitch messages into actions. `feed` returns True when it took the message."""

    map: FootswitchMap
    act: Callable[..., None]      # act(action, time[, value])
    _states: dict[int, _SwitchState] = field(default_factory=dict)

    def feed(self, msg: InputMessage) -> bool:
        """Take `msg` if it is the map's: a program change (when the map has them, on its channel) acts at once as
        `act(Cue.STYLE, time in s, program number)`; a switch's press or release acts as its gesture says (a hold
        or a tap waiting for a double may act later, in `tick`; a `tap_tempo` tap on a switch without a double
        acts on the press itself). True when taken; False for any other message, which is the guitar's."""
        m = self.map
        if m.program_change and msg.kind == PROGRAM and (m.program_channel in (None, msg.channel)):
            self.act(Cue.STYLE, msg.time, msg.data1)
            return True
        for i, sw in enumerate(m.switches):
            pressed = sw.matches(msg)
            if pressed is None:
                continue
            st = self._states.setdefault(i, _SwitchState())
            if pressed:
                self._press(sw, st, msg.time)
            else:
                self._release(sw, st, msg.time)
            return True
        return False

    def _press(self, sw: Switch, st: _SwitchState, t: float) -> None:
        if st.pressed_at is not None:
            return                        # a repeated "pressed" value: still the same press
        st.pressed_at, st.held, st.consumed = t, False, False
        if sw.actions.get("tap") == Cue.TAP_TEMPO and "double" not in sw.actions:
            self.act(Cue.TAP_TEMPO, t)    # tap tempo counts the press itself
            st.consumed = True
            return
        if st.tap_at is not None and t - st.tap_at <= self.map.double_time and "double" in sw.actions:
            st.tap_at = None
            st.consumed = True
            self._fire(sw.actions["double"], t)

    def _release(self, sw: Switch, st: _SwitchState, t: float) -> None:
        if st.pressed_at is None:
            return
        pressed_at, st.pressed_at = st.pressed_at, None
        if st.consumed or st.held:
            return
        if t - pressed_at >= self.map.hold_time and "hold" in sw.actions:
            self._fire(sw.actions["hold"], t)
            return
        if "tap" not in sw.actions:
            return
        if "double" in sw.actions:
            st.tap_at = t                 # wait: a second tap may follow
        else:
            self._fire(sw.actions["tap"], t)

    def _fire(self, action: Cue | LevelStep, t: float) -> None:
        """Act: a cue as `act(cue, t)`, a level step as `act(Cue.LEVEL, t, (part, delta))`."""
        if isinstance(action, LevelStep):
            self.act(Cue.LEVEL, t, (action.part, action.delta))
        else:
            self.act(action, t)

    def tick(self, now: float) -> None:
        """Fire holds once a press lasts long enough, and taps whose double-tap window has passed."""
        for i, st in self._states.items():
            sw = self.map.switches[i]
            if (st.pressed_at is not None and not st.held and not st.consumed and "hold" in sw.actions
                    and now - st.pressed_at >= self.map.hold_time):
                st.held = True
                self._fire(sw.actions["hold"], now)
            if st.tap_at is not None and now - st.tap_at > self.map.double_time and st.pressed_at is None:
                st.tap_at = None
                self._fire(sw.actions["tap"], now)
