"""Where songs end in a recorded take: what an offline render knows that live play cannot.

A take holds songs separated by long silences, and sometimes stray notes (a tuning pluck, a string brushed)
after the music. Strums are counted as the listener hears them (engine/listen/guitar.py's `GuitarConfig`: its
channels, converter latency, ghost velocity and strum window). A *phrase* is a run of strums with no
silence longer than PHRASE_GAP between them, holding at least PHRASE_STRUMS strums: playing, not a pluck. The
silence before a strum is counted from when the notes before it stopped sounding (their note-offs, a note
counted as sounding at most RING_MAX), not from the last strum's onset: a ballad's fermata holds its chord for
seconds and the final chord comes after it, which counted from the onset was a stray pluck after the song. A
song ends at the last strum of a phrase followed by SONG_GAP seconds without a phrase (or by the end of the
take): the player's final chord, on which the band's ending lands.

>>> from bisect import bisect_left, bisect_right

from engine.events import InputMessage
>>> song = [InputMessage(0.5 * k, 0x90, 52, 90) for k in range(12)]
>>> final_chords(song + [InputMessage(30.0, 0x90, 40, 60)])     # 12 strums, then a tuning pluck
[5.5]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from engine.events import InputMessage
from engine.listen.guitar import GuitarConfig
from engine.midi import NOTE_OFF, NOTE_ON

PHRASE_GAP = 2.5      # s: a longer gap ends a phrase
PHRASE_STRUMS = 6     # strums a phrase needs to be playing
SONG_GAP = 8.0        # s: silence (or stray notes) after a phrase this long ends the song
BREAK_MIN = 0.2      # s: a shorter silence is no break at any tempo (a beat at 240 BPM is 0.25 s)
RING_MAX = 6.0        # s: a held note sounds at most this long (a whole note at 40 BPM, a fermata; a note-off
#                       lost or never sent does not join a pluck 20 s later to the song)


def strums(messages: list[InputMessage], guitar: GuitarConfig) -> list[tuple[float, float]]:
    """Strums of the note-ons in `messages` that the listener with conditioner settings `guitar` would hear
    (its channels, louder than a ghost): (onset, silence before it) in s, the converter's latency taken off;
    the silence runs from the end of the sound before the strum (see the module docstring; the first strum's
    is its onset)."""
    out: list[tuple[float, float]] = []
    channels = guitar.channels
    held: dict[tuple[int, int], float] = {}       # (channel, pitch) -> onset of a note still sounding
    sounded = 0.0                                 # when the notes already ended stopped sounding
    for m in messages:
        if channels is not None and m.channel not in channels:
            continue
        t = max(0.0, m.time - guitar.converter_latency)
        if m.kind == NOTE_ON and m.data2 >= guitar.min_velocity:
            if not out or t - out[-1][0] > guitar.strum_window:
                ringing = max(held.values(), default=-RING_MAX) + RING_MAX
                out.append((t, max(0.0, t - max(sounded, min(ringing, t)))))
            held[(m.channel, m.data1)] = t
        elif (m.kind == NOTE_OFF or m.kind == NOTE_ON and m.data2 == 0) and (m.channel, m.data1) in held:
            sounded = max(sounded, min(t, held.pop((m.channel, m.data1)) + RING_MAX))
    return out


def phrases(onsets: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(first, last) strum of every phrase among the strums, (onset, silence before it) in s, in order."""
    out: list[tuple[float, float]] = []
    start = count = 0
    for i, (t, silence) in enumerate(onsets):
        if i and silence > PHRASE_GAP:
            if count >= PHRASE_STRUMS:
                out.append((onsets[start][0], onsets[i - 1][0]))
            start, count = i, 0
        count += 1
    if onsets and count >= PHRASE_STRUMS:
        out.append((onsets[start][0], onsets[-1][0]))
    return out


def breaks(messages: list[InputMessage], guitar: GuitarConfig | None = None) -> list[tuple[float, float]]:
    """The player's silences in the take, heard with conditioner settings `guitar` (default `GuitarConfig()`):
    (begin, end) in s, from when every note stopped sounding to the next strum, BREAK_MIN s or longer, that
    strum a chord (two notes or more struck within the strum window: a stop-time break ends on a chord; a
    melody's rest ends on a single note). None before the first strum. Whether one is a stop-time break
    depends on the beat and the bar (engine/presence.py)."""
    guitar = guitar or GuitarConfig()
    channels = guitar.channels
    struck = sorted(max(0.0, m.time - guitar.converter_latency) for m in messages
                    if m.kind == NOTE_ON and m.data2 >= guitar.min_velocity
                    and (channels is None or m.channel in channels))
    return [(t - silence, t) for t, silence in strums(messages, guitar)[1:]
            if silence >= BREAK_MIN and bisect_right(struck, t + guitar.strum_window) - bisect_left(struck, t) >= 2]


def final_chords(messages: list[InputMessage], guitar: GuitarConfig | None = None) -> list[float]:
    """The final chord (s, pluck time) of every song in the take, heard with conditioner settings `guitar`
    (default: `GuitarConfig()`): see the module docstring."""
    found = phrases(strums(messages, guitar or GuitarConfig()))
    return [last for (first, last), nxt in zip(found, found[1:] + [(float("inf"), 0.0)])
            if nxt[0] - last >= SONG_GAP]
