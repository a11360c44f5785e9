"""Where songs end in a recorded take: what an offline render knows that live play cannot.

A take holds songs separated by long silences, and sometimes stray notes (a tuning pluck, a string brushed)
after the music. Strums are counted as the listener hears them (engine/listen/guitar.py's `GuitarConfig`: its
channels, converter latency, ghost velocity and strum window). A *phrase* is a run of strums with no gap
longer than PHRASE_GAP, holding at least PHRASE_STRUMS strums: playing, not a pluck. A song ends at the last
strum of a phrase followed by SONG_GAP seconds without a phrase (or by the end of the take): the player's
final chord, on which the band's ending lands.

>>> from engine.events import InputMessage
>>> song = [InputMessage(0.5 * k, 0x90, 52, 90) for k in range(12)]
>>> final_chords(song + [InputMessage(30.0, 0x90, 40, 60)])     # 12 strums, then a tuning pluck
[5.5]
"""

from __future__ import annotations

from engine.events import InputMessage
from engine.listen.guitar import GuitarConfig
from engine.midi import NOTE_ON

PHRASE_GAP = 2.5      # s: a longer gap ends a phrase
PHRASE_STRUMS = 6     # strums a phrase needs to be playing
SONG_GAP = 8.0        # s: silence (or stray notes) after a phrase this long ends the song


def strums(messages: list[InputMessage], guitar: GuitarConfig) -> list[float]:
    """Strum onsets (s, the converter's latency taken off) of the note-ons in `messages` that the listener
    with conditioner settings `guitar` would hear (its channels, louder than a ghost)."""
    out: list[float] = []
    channels = guitar.channels
    for m in messages:
        if m.kind == NOTE_ON and m.data2 >= guitar.min_velocity and (channels is None or m.channel in channels):
            t = max(0.0, m.time - guitar.converter_latency)
            if not out or t - out[-1] > guitar.strum_window:
                out.append(t)
    return out


def phrases(onsets: list[float]) -> list[tuple[float, float]]:
    """(first, last) strum of every phrase among the strum onsets (s, in order)."""
    out: list[tuple[float, float]] = []
    start = count = 0
    for i, t in enumerate(onsets):
        if i and t - onsets[i - 1] > PHRASE_GAP:
            if count >= PHRASE_STRUMS:
                out.append((onsets[start], onsets[i - 1]))
            start, count = i, 0
        count += 1
    if onsets and count >= PHRASE_STRUMS:
        out.append((onsets[start], onsets[-1]))
    return out


def final_chords(messages: list[InputMessage], guitar: GuitarConfig | None = None) -> list[float]:
    """The final chord (s, pluck time) of every song in the take, heard with conditioner settings `guitar`
    (default: `GuitarConfig()`): see the module docstring."""
    found = phrases(strums(messages, guitar or GuitarConfig()))
    return [last for (first, last), nxt in zip(found, found[1:] + [(float("inf"), 0.0)])
            if nxt[0] - last >= SONG_GAP]
