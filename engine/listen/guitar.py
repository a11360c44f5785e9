"""Guitar input conditioning: raw converter MIDI in, confirmed notes and strums out.

What a pickup converter really sends (DOMAIN.md §5): one channel per string (or all on one channel), pitch
bend per channel, pick-attack noise read as very short high notes, quiet ghosts, octave errors on the low
strings, strums as 3-6 note-ons spread over 10-50 ms.

- A note is *confirmed* only once it has lasted `min_duration` (longer for very high notes, where attack
  noise lands); a note ended sooner is a glitch, dropped and counted. Confirmation happens in `update(now)`,
  so trackers see confirmed notes with their original onset time, a few ms late at most.
- Quiet note-ons (velocity below `min_velocity`) are ghosts.
- A note that re-triggers its string an octave away from the note just before it on that string, within
  `octave_window`, is an octave error.
- Pitch bend turns into sounding pitch (rounded to the nearest semitone at confirmation) with `bend_range`, or
  with the range a channel's pitch-bend sensitivity (RPN 0: CC 101 = 0, CC 100 = 0, then CC 6 semitones and CC 38
  cents) set: a converter or DAW that says its range is read by it (review32: bends sent at +/-2 and +/-24 with their
  RPN were heard 12/2 and 12/24 as far, an A dorian's hammer-on from A to B read as A to Bb).
  A bend on a held note that moves its sounding pitch to another semitone and stays there `bend_hold`
  seconds is a new note (converters send hammer-ons, slides and bends as bends on the held note): the old
  pitch is released, the new one confirmed as a `legato` note (no pick attack) at the time the bend got
  there, and released in turn when the bend moves on or the string stops. A vibrato wobble (under half a
  semitone, or back within `bend_hold`) changes nothing.
- Note-ons closer than `strum_window` to a strum's first note join that strum (its size, spread and
  direction are kept); the strum's lowest note while nothing lower rings is the bass cue for beat and bars
  when it is under E3 (`bass_below`). For key and chords (`tonal_bass`) it is also a bass when it lies in the
  player's own register while the player strums chords: less than `bass_span` semitones above the lowest note
  of the last `register_memory` seconds. A take moved to another key, capo or tuning keeps its tonic (a fixed
  "below E3" heard a D dorian take moved up a fourth with only its C chord's bass, and the tonic went to C);
  the beat keeps the fixed cue (the register-relative one for everything cost GuitarSet beat F 0.59 -> 0.55,
  meter 0.63 -> 0.50), and a single-note line (a solo) has no bass register (it cost a solo its key).
- A declared converter latency is subtracted from every time, so estimates refer to the pluck.
"""

from __future__ import annotations

import math
from collections import Counter, deque
from dataclasses import dataclass, field

from engine.events import InputMessage
from engine.midi import CONTROL, GM_DRUMS, NOTE_OFF, NOTE_ON, PITCH_BEND

# The bass-and-chord figure (oom-pa: a 6/8 jig's bass then chord, a waltz's oom-pah-pah, boom-chick, dombra-style
# aqsaq): a single low note, then a chord of at least LONE_BASS_CHORD notes all LONE_BASS_GAP semitones or more
# above it. The listener's beat and the aqsaq watch both read it (engine/listen/listener.py, aqsaq.py).
LONE_BASS_GAP = 5     # semitones
LONE_BASS_CHORD = 4   # notes


@dataclass
class GuitarConfig:
    """How the converter's MIDI is conditioned (the rules are in the module docstring; DOMAIN.md §5): times in
    seconds, pitches MIDI numbers, `bend_range` in semitones. Raises ValueError for a bend range outside 1..36,
    a channel outside 0..15 or a converter latency outside 0..0.2 s."""

    channels: tuple[int, ...] | None = None  # 0-based channels to listen to, e.g. (0,1,2,3,4,5); None: all
    #                                          but GM's drum channel 10 (a GM song's or Karaoke file's drums)
    poly: bool = False            # all strings on one channel: string-based glitch rules are off
    bend_range: float = 12.0      # semitones of a full pitch-bend (converters often use 12; 1-36)
    min_velocity: int = 12        # quieter note-ons are ghosts
    min_duration: float = 0.012   # s; shorter notes are glitches
    spike_pitch: int = 84         # notes at or above this pitch (C6) ...
    spike_duration: float = 0.035  # ... must last this long (s): attack noise reads as short high notes
    octave_window: float = 0.08   # s; an octave jump on the same string this soon is a tracking error
    strum_window: float = 0.06    # s; note-ons within this of a strum's first note belong to it (spreads reach 50 ms)
    bass_below: int = 52          # a strum's lowest note under E3 may be the bass (for beat and bars)
    bass_span: int = 12           # for key and chords, also one less than this many semitones above the floor ...
    register_memory: float = 10.0  # s; ... (the floor: the lowest note of this many seconds), while comping
    bass_memory: float = 1.5      # s; a held lower note stops later notes counting as bass this long
    converter_latency: float = 0.0  # s; subtracted from every input time
    bend_hold: float = 0.08       # s a bent pitch must stay to sound as a note (a 5-6 Hz vibrato crest is shorter)

    def __post_init__(self) -> None:
        if not 1 <= self.bend_range <= 36:
            raise ValueError(f"bend_range must be 1..36 semitones, got {self.bend_range!r}")
        if self.channels is not None and not all(0 <= c <= 15 for c in self.channels):
            raise ValueError(f"channels must be 0..15, got {self.channels!r}")
        if not 0 <= self.converter_latency <= 0.2:
            raise ValueError(f"converter_latency must be 0..0.2 s, got {self.converter_latency!r}")


@dataclass(slots=True)
class ConfirmedNote:
    """A note that lasted long enough to be played, as the trackers receive it: onset in seconds (converter
    latency removed), sounding MIDI pitch (bend applied), velocity, 0-based channel, whether it is the strum's
    bass note, the strum it belongs to, and whether it was reached by a pitch bend on a held note (`legato`:
    no pick attack, so not an onset for the beat)."""

    time: float          # onset, seconds (latency removed)
    pitch: int           # sounding pitch
    velocity: int
    channel: int
    bass: bool
    strum: "Strum"
    legato: bool = False
    tonal_bass: bool = False   # a bass for key and chords: `bass`, or low in the player's own register while comping


@dataclass(slots=True)
class Strum:
    """Notes struck together: the confirmed notes whose onsets fall within `strum_window` of the first one.
    Times in seconds (converter latency removed), pitches MIDI numbers."""

    time: float                          # first note-on
    pitches: list[int] = field(default_factory=list)   # in arrival order
    last: float = 0.0                    # latest note-on

    @property
    def size(self) -> int:
        """How many notes the strum has so far."""
        return len(self.pitches)

    @property
    def spread(self) -> float:
        """Seconds from the strum's first onset to its latest."""
        return self.last - self.time

    @property
    def direction(self) -> str:
        """'down' (low string first), 'up' (high first) or '' for a single note."""
        if len(self.pitches) < 2 or self.pitches[0] == self.pitches[-1]:
            return ""
        return "down" if self.pitches[0] < self.pitches[-1] else "up"


class GuitarConditioner:
    """Turns the converter's raw MIDI into confirmed notes and strums (the rules are in the module docstring).
    `feed` takes messages in time order and `update(now)` confirms; each confirmed note goes to
    `on_note(ConfirmedNote)` and its release to `on_release(time, pitch, duration, tonal_bass)` (seconds, MIDI pitch).
    `dropped` counts what was thrown away by reason ("other channel", "quiet", "octave", "short", "spike"),
    `confirmed` the notes confirmed."""

    def __init__(self, config: GuitarConfig | None = None):
        self.config = config or GuitarConfig()
        self.dropped: Counter[str] = Counter()   # glitches thrown away, by reason
        self.confirmed = 0
        self._bend = [0.0] * 16                   # semitones, per channel
        self._bend_range = [self.config.bend_range] * 16   # semitones of a full bend, per channel (RPN 0 sets it)
        self._rpn = [(127, 127)] * 16             # the registered parameter (MSB, LSB) each channel selected: none
        self._pending: dict[tuple[int, int], tuple[float, int]] = {}   # (ch, note) -> (time, velocity)
        self._held: dict[tuple[int, int], tuple[float, int, bool, int]] = {}  # -> (time, pitch, tonal_bass, velocity)
        self._bent: dict[tuple[int, int], tuple[float, int]] = {}    # held note -> (time, bent pitch) to confirm
        self._last_on: dict[int, tuple[float, int]] = {}                # channel -> (time, note)
        self._strum: Strum | None = None
        self._lows: deque[tuple[float, int]] = deque()   # (time, pitch), pitch rising: the register's floor first
        self._sizes: deque[int] = deque(maxlen=8)          # notes in each of the last strums
        self.bass_memory = self.config.bass_memory   # the listener stretches it to 3 beats once it knows the beat
        self.on_note = None      # callback(ConfirmedNote)
        self.on_release = None   # callback(time, pitch, duration, tonal_bass)

    def feed(self, msg: InputMessage) -> float:
        """One raw message, stamped on arrival (s): a note-on starts a pending note (unless it is a ghost or an
        octave error), a note-off or a note-on with velocity 0 (MIDI 1.0) ends one (a pending one as a glitch), a
        pitch bend (14 bits, centre 8192) sets its channel's bend; other channels' messages (without a channel list,
        GM's drum channel 10) are counted and dropped, other kinds ignored. Returns the earliest time (s, input
        clock) from which `update` has work the message brought: the new pending note's confirmation (as
        `next_update`), inf for none (dropped, ignored, a glitch thrown away, a release: `on_release` was told),
        -inf when not worked out (a restrike, a bend)."""
        cfg = self.config
        ch = msg.channel
        if ch not in cfg.channels if cfg.channels is not None else ch == GM_DRUMS:
            self.dropped["other channel"] += 1
            return math.inf
        t = max(0.0, msg.time - cfg.converter_latency)
        kind = msg.kind
        if kind == NOTE_ON and msg.data2 > 0:
            return self._note_on(t, ch, msg.data1, msg.data2)
        if kind == NOTE_OFF or kind == NOTE_ON:
            return math.inf if self._note_off(t, ch, msg.data1) else -math.inf
        if kind == PITCH_BEND:
            self._bend[ch] = ((msg.data1 | (msg.data2 << 7)) - 8192) / 8192 * self._bend_range[ch]
            self._bend_held(t, ch)
            return -math.inf
        if kind == CONTROL:
            self._parameter(ch, msg.data1, msg.data2)
        return math.inf

    def _parameter(self, ch: int, control: int, value: int) -> None:
        """A control change on channel `ch` that selects a registered parameter (CC 101 its MSB, CC 100 its LSB)
        or sets the selected one (CC 6 its coarse value, CC 38 its fine): RPN 0, pitch-bend sensitivity, sets the
        channel's bend range to CC 6 semitones (CC 38 cents keep them), within GuitarConfig's 1..36 (a bend range
        of 0 would silence every bend: kept at 1). Others change nothing."""
        msb, lsb = self._rpn[ch]
        if control == 101:
            self._rpn[ch] = (value, lsb)
        elif control == 100:
            self._rpn[ch] = (msb, value)
        elif (msb, lsb) == (0, 0) and control == 6:
            self._bend_range[ch] = float(min(36, max(1, value)))
        elif (msb, lsb) == (0, 0) and control == 38:
            whole = math.floor(self._bend_range[ch])
            self._bend_range[ch] = min(36.0, max(1.0, whole + min(value, 99) / 100))

    def _bend_held(self, t: float, ch: int) -> None:
        """A bend moved channel `ch`'s held notes to a sounding pitch at t (s): a new semitone waits to be
        confirmed (`bend_hold`); a return to the pitch already sounding cancels the wait."""
        for key, (_, pitch, _, _) in self._held.items():
            if key[0] != ch:
                continue
            bent = min(127, max(0, round(key[1] + self._bend[ch])))
            if bent == pitch:
                self._bent.pop(key, None)
            elif self._bent.get(key, (0.0, -1))[1] != bent:
                self._bent[key] = (t, bent)

    def _note_on(self, t: float, ch: int, note: int, velocity: int) -> float:
        """A note-on at t (s): pending until confirmed. Returns when it may be confirmed (s, input clock; inf when
        dropped, -inf after a restrike, which released the held note first)."""
        cfg = self.config
        if velocity < cfg.min_velocity:
            self.dropped["quiet"] += 1
            return math.inf
        if not cfg.poly:
            prev = self._last_on.get(ch)
            if prev and t - prev[0] < cfg.octave_window and abs(note - prev[1]) == 12:
                self.dropped["octave"] += 1
                return math.inf
            self._last_on[ch] = (t, note)
        key = (ch, note)
        due = t + self._lasts(note) + cfg.converter_latency
        if key in self._held:   # a restrike before its note-off: end the old one first
            self._note_off(t, ch, note)
            due = -math.inf
        self._pending[key] = (t, velocity)
        return due

    def _note_off(self, t: float, ch: int, note: int) -> bool:
        """A note-off at t (s): a pending note is a glitch, a held one is released (`on_release`). False when a
        bent pitch was confirmed on the way (`_sound_bend`), else True."""
        key = (ch, note)
        if key in self._pending:
            start, _ = self._pending.pop(key)
            self.dropped["spike" if note >= self.config.spike_pitch else "short"] += 1
            return True
        bent = self._bent.pop(key, None)
        sounded = bent is not None and t - bent[0] >= self.config.bend_hold
        if sounded:
            self._sound_bend(key, *bent)
        held = self._held.pop(key, None)
        if held is not None and self.on_release is not None:
            start, pitch, bass, _ = held
            self.on_release(t, pitch, t - start, bass)
        return not sounded

    def update(self, now: float) -> None:
        """Confirm pending notes, and bent pitches of held notes, that have lasted long enough by `now`
        (seconds, input clock)."""
        cfg = self.config
        now = now - cfg.converter_latency
        if self._bent:                  # bends on held notes are rare: no list built on every tick
            for key, (t, pitch) in [(k, b) for k, b in self._bent.items() if now - b[0] >= cfg.bend_hold]:
                del self._bent[key]
                self._sound_bend(key, t, pitch)
        if not self._pending:
            return
        ready = [(t, key, vel) for key, (t, vel) in self._pending.items() if now - t >= self._lasts(key[1])]
        ready.sort()
        for t, key, vel in ready:
            del self._pending[key]
            self._confirm(t, key[0], key[1], vel)

    def _lasts(self, note: int) -> float:
        """How long (s) a note-on of `note` must last to be confirmed: `spike_duration` from `spike_pitch` up (a
        high glitch), else `min_duration`."""
        cfg = self.config
        return cfg.spike_duration if note >= cfg.spike_pitch else cfg.min_duration

    def next_update(self) -> float:
        """The earliest time (s, input clock) at which `update` may confirm a pending note or a bent pitch:
        before it, and with no message fed, `update` does nothing. inf when nothing waits."""
        if not self._pending and not self._bent:
            return math.inf                 # (the usual tick's answer, found at once)
        cfg = self.config
        due = math.inf
        for key, (t, _) in self._pending.items():
            due = min(due, t + self._lasts(key[1]))
        for t, _ in self._bent.values():
            due = min(due, t + cfg.bend_hold)
        return due + cfg.converter_latency

    def strum_closes(self) -> float:
        """The time (s, input clock) from which the latest strum can grow no more by the clock (`strum_open`
        without pending notes); -inf before any strum."""
        if self._strum is None:
            return -math.inf
        return self._strum.time + self.config.strum_window + self.config.converter_latency

    def _confirm(self, t: float, ch: int, note: int, velocity: int) -> None:
        cfg = self.config
        pitch = min(127, max(0, round(note + self._bend[ch])))
        strum = self._strum
        if strum is None or t - strum.time > cfg.strum_window:
            if strum is not None:
                self._sizes.append(strum.size)
            strum = self._strum = Strum(t)
        lowest = pitch < min(strum.pitches, default=128) and all(
            pitch <= p for (start, p, _, _) in self._held.values() if t - start < self.bass_memory)
        floor = self._floor(t, pitch)
        bass = lowest and pitch < cfg.bass_below
        tonal = bass or (lowest and pitch < floor + cfg.bass_span and self._comping())
        strum.pitches.append(pitch)
        strum.last = t
        self._held[(ch, note)] = (t, pitch, tonal, velocity)   # its release goes to the key alone: tonal
        self.confirmed += 1
        if self.on_note is not None:
            self.on_note(ConfirmedNote(t, pitch, velocity, ch, bass, strum, tonal_bass=tonal))

    def _comping(self) -> bool:
        """Whether the player is strumming chords: at least half of the last strums (4 or more of them) had
        three notes or more. A single-note line (a solo) has no bass register of its own."""
        sizes = self._sizes
        return len(sizes) >= 4 and 2 * sum(n >= 3 for n in sizes) >= len(sizes)

    def _floor(self, t: float, pitch: int) -> int:
        """The lowest pitch confirmed in the last `register_memory` seconds up to t (s), `pitch` (confirmed at t)
        included: a sliding minimum (a queue of the notes no later note undercuts, lowest first)."""
        lows = self._lows
        while lows and lows[-1][1] >= pitch:
            lows.pop()
        lows.append((t, pitch))
        while t - lows[0][0] > self.config.register_memory:
            lows.popleft()
        return lows[0][1]

    def _sound_bend(self, key: tuple[int, int], t: float, pitch: int) -> None:
        """Held note `key` has sounded `pitch` since t (s) by a bend: its old pitch is released at t, the
        new one confirmed as a legato note of the same velocity (in the strum it was struck in)."""
        start, old, bass, velocity = self._held[key]
        if self.on_release is not None:
            self.on_release(t, old, t - start, bass)
        self._held[key] = (t, pitch, False, velocity)
        self.confirmed += 1
        if self.on_note is not None:
            strum = self._strum if self._strum is not None else Strum(t)
            self.on_note(ConfirmedNote(t, pitch, velocity, key[0], False, strum, legato=True))

    @property
    def sounding(self) -> list[tuple[int, float]]:
        """(pitch, onset seconds) of the confirmed notes ringing now (a bent note at its bent pitch)."""
        return [(p, t) for (t, p, _, _) in self._held.values()]

    @property
    def ringing(self) -> bool:
        """True while a confirmed note rings (`sounding` is not empty), without listing them."""
        return bool(self._held)

    def strum_open(self, now: float) -> bool:
        """True while the latest strum may still grow (or has unconfirmed notes)."""
        return bool(self._pending) or (self._strum is not None
                                       and now - self.config.converter_latency - self._strum.time
                                       < self.config.strum_window)
