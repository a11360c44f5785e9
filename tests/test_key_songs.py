"""A take of two songs with a rest between them, as a set is played: the second song's key is heard afresh,
as soon as it would be alone. Review 21: a D dorian song, 20 s of silence, then an A minor one was heard in
D dorian all through the second (its phrase chord, kept over a stop, outweighed the new notes); the three
examples, each followed by another, never reached the second song's key in its 30 s."""

import mido
import pytest

from engine.analyze import analyze
from engine.theory import pitch_class
from tests.conftest import example, truth

SONG = 30.0     # s of each example
REST = 20.0     # s of silence between them (a render's songs end after 8: listen/phrases.py SONG_GAP)


def opening(name: str, offset: float = 0.0) -> list[tuple[float, mido.Message]]:
    """The first SONG s of example `name`'s messages, each with its time (s) plus `offset`."""
    timed, t = [], 0.0
    for msg in mido.MidiFile(example(name)):
        t += msg.time
        if not msg.is_meta and t < SONG:
            timed.append((t + offset, msg))
    return timed


def save_timed(timed: list[tuple[float, mido.Message]], path) -> None:
    """Messages at their times (s) as a one-track MIDI file at `path` (120 BPM: 960 ticks a second)."""
    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    last = 0
    for t, msg in sorted(timed, key=lambda x: x[0]):
        tick = round(t * 960)
        track.append(msg.copy(time=tick - last))
        last = tick
    mid.save(path)


def two_songs(first: str, second: str, path) -> None:
    """The first SONG s of example `first`, REST s of silence, then the first SONG s of `second`, in one track."""
    save_timed(opening(first) + opening(second, SONG + REST), path)


@pytest.mark.parametrize("first, second", [("d_dorian_96_4-4", "a_minor_66_6-8"),
                                           ("a_minor_66_6-8", "e_mixolydian_ramp_88-116_4-4"),
                                           ("e_mixolydian_ramp_88-116_4-4", "d_dorian_96_4-4")])
def test_a_song_after_a_long_rest_is_heard_in_its_own_key(first, second, tmp_path):
    path = tmp_path / "set.mid"
    two_songs(first, second, path)
    key = truth(second)["key"]
    want = (pitch_class(key["tonic"]), key["mode"])
    changes = analyze(path).keys                 # online: what the band knew when
    start = SONG + REST
    # the key from 5 s into the second song to its end (alone, each example is heard in its key within 5 s)
    held = [c for c in changes if c["time"] <= start + 5.0][-1:] + [c for c in changes if c["time"] > start + 5.0]
    heard = [(pitch_class(c["tonic"]), c["mode"], round(c["time"], 1)) for c in held]
    assert all(h[:2] == want for h in heard), (want, heard)


def test_offline_the_song_keeps_its_key_over_a_tuning_tail(tmp_path):
    """Offline analysis names one key for the whole file: a song, 20 s of silence and a few tuning plucks on the
    open strings is the song's key, not the plucks' (the online rule that a piece after a long rest is heard
    afresh had the offline pass name E major or E minor for 8 sim2 and sim3 tuning-tail takes)."""
    timed = opening("d_dorian_96_4-4")
    for k, pitch in enumerate([40, 40, 45, 45, 50, 55, 59, 64, 64, 40] * 2):     # E A D G B E, re-tuned twice
        at = SONG + REST + 1.5 * k
        timed += [(at, mido.Message("note_on", note=pitch, velocity=90)),
                  (at + 1.2, mido.Message("note_off", note=pitch, velocity=0))]
    path = tmp_path / "tail.mid"
    save_timed(timed, path)
    a = analyze(path, offline=True)
    assert (pitch_class(a.key["tonic"]), a.key["mode"]) == (pitch_class("D"), "dorian"), a.key
