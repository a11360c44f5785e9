"""The band's instruments: MIDI channels, General MIDI programs, mix, and the set-up sent before it plays.

General MIDI has no dombra (DOMAIN.md §1): its body is Nylon Guitar (program 24, 0-based) and its bright
attack a quieter Shamisen (106) layered on a second channel; the percussion plays on channel 10 (9 here).
"""

from __future__ import annotations

from engine.events import DOMBRA, PERCUSSION, Control, Event, Program
from engine.midi import GM_DRUMS
from engine.mixer import Levels

DOMBRA_CHANNEL = 6        # Nylon Guitar: the dombra's body
DOMBRA_LAYER_CHANNEL = 7  # Shamisen, quieter: the dombra's bright attack
DRUM_CHANNEL = GM_DRUMS
DOMBRA_PROGRAM = 24
DOMBRA_LAYER_PROGRAM = 106
BAND_CHANNELS = frozenset({DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DRUM_CHANNEL})

# Mix: channel volume (CC7) and pan (CC10) for the band's channels.
MIX = {DOMBRA_CHANNEL: (108, 54), DOMBRA_LAYER_CHANNEL: (64, 50), DRUM_CHANNEL: (96, 64)}

GEN_RELEASE = 38                  # SoundFont generator: volume envelope release (SF2.01 §8.1.3)
DOMBRA_RELEASE_TIMECENTS = -2400  # a quarter of the guitar sample's release: a dombra string stops short


def soundfont_nrpn(generator: int, value: int) -> list[tuple[int, int]]:
    """Controller messages (CC, value) that offset a SoundFont generator on one channel (SF2.01 §9.6 NRPN,
    understood by FluidSynth; other synths ignore them). Release times go in steps of 2 timecents.

    >>> soundfont_nrpn(GEN_RELEASE, -2400)
    [(99, 120), (98, 38), (38, 80), (6, 54)]
    """
    raw = value // 2 + 8192
    return [(99, 120), (98, generator), (38, raw & 0x7F), (6, raw >> 7)]


def part_of(channel: int) -> str:
    """The band's part playing on `channel` (one of BAND_CHANNELS)."""
    return PERCUSSION if channel == DRUM_CHANNEL else DOMBRA


def volume_events(t: float, levels: Levels) -> list[Control]:
    """Channel volume (CC7) of the band's channels at time `t` (s) for the parts' `levels` (engine/mixer.py):
    the band's own mix (`MIX`) at 0 dB."""
    return [Control(t, ch, 7, levels.volume(part_of(ch), volume), part_of(ch)) for ch, (volume, _) in MIX.items()]


def setup_events(t: float, levels: Levels = Levels()) -> list[Event]:
    """Programs, volume (at the parts' `levels`, dB) and pan, and the dombra's short release, all at time `t`
    (s): sent once, just before the band's first note."""
    events: list[Event] = []
    for ch, program in ((DOMBRA_CHANNEL, DOMBRA_PROGRAM), (DOMBRA_LAYER_CHANNEL, DOMBRA_LAYER_PROGRAM)):
        events.append(Program(t, ch, program, DOMBRA))
    for volume, (ch, (_, pan)) in zip(volume_events(t, levels), MIX.items()):
        events.append(volume)
        events.append(Control(t, ch, 10, pan, part_of(ch)))
    for ch in (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL):
        for control, value in soundfont_nrpn(GEN_RELEASE, DOMBRA_RELEASE_TIMECENTS):
            events.append(Control(t, ch, control, value, DOMBRA))
    return events
