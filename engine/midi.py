"""MIDI numbers, named once (MIDI 1.0 Detailed Specification, 4.2; Standard MIDI Files 1.0).

>>> hex(NOTE_ON | 9), clocks_per_beat(3)
('0x99', 36)
"""

from __future__ import annotations

# Channel messages: the status byte's high nibble.
NOTE_OFF, NOTE_ON, POLY_PRESSURE, CONTROL, PROGRAM, CHANNEL_PRESSURE, PITCH_BEND = (
    0x80, 0x90, 0xA0, 0xB0, 0xC0, 0xD0, 0xE0)
# System common and real-time messages.
SONG_POSITION = 0xF2
TIME_CODE, SONG_SELECT, TUNE_REQUEST, ACTIVE_SENSING = 0xF1, 0xF3, 0xF6, 0xFE
CLOCK, START, CONTINUE, STOP = 0xF8, 0xFA, 0xFB, 0xFC
REALTIME = frozenset({CLOCK, START, CONTINUE, STOP})

# General MIDI's percussion channel (channel 10; 0-based 9): drums in GM songs and Karaoke files, never a
# guitar's string.
GM_DRUMS = 9

# Controllers.
CC_VOLUME, CC_PAN, CC_SUSTAIN, CC_ALL_SOUND_OFF, CC_ALL_NOTES_OFF = 7, 10, 64, 120, 123

FILE_PPQ = 480       # ticks per quarter note in the MIDI files aqyn writes
CLOCK_PPQ = 24       # MIDI clocks per quarter note


def clocks_per_beat(eighths: int) -> int:
    """MIDI clocks in a beat of `eighths` eighth notes: 24 for a quarter, 36 for a dotted quarter."""
    return CLOCK_PPQ // 2 * eighths


def data_bytes(status: int) -> int:
    """How many data bytes follow a channel message's status byte (program and channel pressure: one)."""
    return 1 if status & 0xF0 in (PROGRAM, CHANNEL_PRESSURE) else 2
