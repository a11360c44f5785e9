"""Make the example guitar performances in this folder, shaped like a pickup converter's output.

Each performance is a .mid file (one MIDI channel per string as a GK/GR converter sends it: channel 1 =
high E string; strums spread 10-40 ms in stroke direction, lowest string first on a down-stroke; human
timing deviation; a tempo drift or ramp; a DAW's default 120 BPM tempo map that says nothing about the real
tempo) and a .json ground truth beside it: key, meter, tempo, beat and downbeat times, chords (Harte labels).

    python examples/make_examples.py [OUT_DIR]

Deterministic: the same script writes byte-identical files.
"""

from __future__ import annotations

import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import mido

OPEN = (40, 45, 50, 55, 59, 64)   # low E .. high E
PPQ = 960
FILE_TEMPO = 500_000               # the DAW's 120 BPM; the guitarist ignores it

# Frets low E .. high E, None = not played. Bass = the string index that holds the root.
SHAPES = {
    "D:min": ((None, None, 0, 2, 3, 1), 2),
    "G:maj": ((3, 2, 0, 0, 0, 3), 0),
    "C:maj": ((None, 3, 2, 0, 1, 0), 1),
    "A:min": ((None, 0, 2, 2, 1, 0), 1),
    "F:maj": ((1, 3, 3, 2, 1, 1), 0),
    "E:maj": ((0, 2, 2, 1, 0, 0), 0),
    "D:maj": ((None, None, 0, 2, 3, 2), 2),
    "A:maj": ((None, 0, 2, 2, 2, 0), 1),
}


@dataclass(frozen=True)
class Song:
    name: str
    tonic: str
    mode: str
    meter: str                    # "4/4" or "6/8"
    bars: list[str]               # one chord per bar
    bpm: callable                 # beat number -> BPM (beats are quarters in 4/4, dotted quarters in 6/8)
    seed: int


def dorian_progression() -> list[str]:
    phrase = ["D:min", "G:maj", "D:min", "C:maj"]
    return phrase * 5 + ["D:min", "G:maj", "C:maj", "D:min"]


def minor_progression() -> list[str]:
    return (["A:min", "G:maj", "F:maj", "E:maj"] * 3 + ["A:min", "F:maj", "G:maj", "A:min"] * 2
            + ["F:maj", "G:maj", "E:maj", "A:min"])


def mixolydian_progression() -> list[str]:
    return ["E:maj", "D:maj", "A:maj", "E:maj"] * 6 + ["D:maj", "A:maj", "E:maj", "E:maj"]


SONGS = [
    Song("d_dorian_96_4-4", "D", "dorian", "4/4", dorian_progression(),
         lambda k: 96 * (1 + 0.025 * math.sin(2 * math.pi * k / 40)), seed=1),
    Song("a_minor_66_6-8", "A", "minor", "6/8", minor_progression(),
         lambda k: 66 * (1 + 0.02 * math.sin(2 * math.pi * k / 24)), seed=2),
    Song("e_mixolydian_ramp_88-116_4-4", "E", "mixolydian", "4/4", mixolydian_progression(),
         lambda k: 88 + 28 * min(1.0, k / 100), seed=3),
]

# Strum patterns per bar as (position in beats, stroke, accent). B = root bass note alone,
# b = the alternate bass (fifth), D = down-strum, U = up-strum (top strings only, softer).
PATTERNS = {
    "4/4": [(0, "B", 1.0), (1, "D", 0.85), (1.5, "U", 0.6), (2, "b", 0.85), (2.5, "U", 0.55),
            (3, "D", 0.8), (3.5, "U", 0.6)],
    "6/8": [(0, "B", 1.0), (2 / 3, "U", 0.55), (1, "D", 0.85), (5 / 3, "U", 0.6)],
}
FINAL = [(0, "D", 1.0)]


def beat_times(song: Song, n: int, rng: random.Random) -> list[float]:
    """Intended beat times: the tempo curve integrated beat by beat, starting after a short breath."""
    times = [0.5]
    for k in range(n):
        times.append(times[-1] + 60.0 / song.bpm(k))
    return times


def strum_notes(chord: str, stroke: str, alt_bass: int | None) -> list[int]:
    frets, root_string = SHAPES[chord]
    played = [(s, OPEN[s] + f) for s, f in enumerate(frets) if f is not None]
    if stroke == "B":
        return [root_string]
    if stroke == "b":
        return [alt_bass if alt_bass is not None else root_string]
    if stroke == "U":
        return [s for s, _ in played if s >= 3][::-1]  # high strings, high first
    return [s for s, _ in played if s > root_string]    # down: above the bass, low first


def alternate_bass(chord: str) -> int:
    frets, root_string = SHAPES[chord]
    # The next lower or higher string that is played and is not the root string.
    for s in (root_string + 1, root_string - 1):
        if 0 <= s < 6 and frets[s] is not None:
            return s
    return root_string


def perform(song: Song) -> tuple[mido.MidiFile, dict]:
    """The song played: a one-track MIDI file (a channel per string, the DAW's 120 BPM tempo map) and its
    ground truth (key, meter, tempo in BPM, beat and downbeat times in seconds, chords by bar)."""
    rng = random.Random(song.seed)
    beats_per_bar = 4 if song.meter == "4/4" else 2
    n_beats = len(song.bars) * beats_per_bar
    beats = beat_times(song, n_beats + 2, rng)

    def when(beat_pos: float) -> float:
        k = min(int(beat_pos), len(beats) - 2)
        return beats[k] + (beat_pos - k) * (beats[k + 1] - beats[k])

    events: list[tuple[float, int, mido.Message]] = []   # (seconds, order, message)
    sounding: dict[int, tuple[int, float]] = {}           # string -> (pitch, start)

    def play(t: float, string: int, pitch: int, vel: int) -> None:
        if string in sounding:
            old, _ = sounding.pop(string)
            events.append((t - 0.004, 0, mido.Message("note_off", channel=5 - string, note=old)))
        events.append((t, 1, mido.Message("note_on", channel=5 - string, note=pitch, velocity=vel)))
        sounding[string] = (pitch, t)

    bars = song.bars + ["__final__"]
    for bar, chord in enumerate(bars):
        pattern = FINAL if chord == "__final__" else PATTERNS[song.meter]
        chord = song.bars[-1] if chord == "__final__" else chord
        frets, _ = SHAPES[chord]
        alt = alternate_bass(chord)
        # Changing chord, the fretting hand lifts and mutes strings the new shape does not play.
        t_change = when(bar * beats_per_bar) - 0.03
        for s in [s for s in sounding if frets[s] is None or OPEN[s] + frets[s] != sounding[s][0]]:
            if bar and t_change > sounding[s][1]:
                events.append((t_change, 0, mido.Message("note_off", channel=5 - s, note=sounding.pop(s)[0])))
        for pos, stroke, accent in pattern:
            beat_pos = bar * beats_per_bar + pos
            t0 = when(beat_pos) + rng.gauss(0, 0.008)
            strings = strum_notes(chord, stroke, alt)
            spread = rng.uniform(0.010, 0.040) if len(strings) > 1 else 0.0
            base_vel = 100 * accent * rng.uniform(0.9, 1.05)
            for i, s in enumerate(strings):
                t = t0 + (spread * i / max(1, len(strings) - 1))
                vel = int(max(20, min(127, base_vel - 4 * i * (stroke == "U") + rng.gauss(0, 4))))
                play(t, s, OPEN[s] + frets[s], vel)
    end = when(len(bars) * beats_per_bar) + 1.5
    events += let_ring(sounding, end)
    return midi_file(events), ground_truth(song, beats, n_beats, beats_per_bar)


def let_ring(sounding: dict[int, tuple[int, float]], end: float) -> list[tuple[float, int, mido.Message]]:
    """The last chord's end: a little vibrato on its held top string (converters send it as pitch bend),
    then every string still `sounding` (string -> (pitch, start s)) released at `end` s, the bend reset."""
    events = []
    top = max(sounding)
    t_last = sounding[top][1]
    for i in range(40):
        t = t_last + 0.4 + i * 0.02
        if t < end:
            value = int(300 * math.sin(2 * math.pi * 5 * (t - t_last)))
            events.append((t, 1, mido.Message("pitchwheel", channel=5 - top, pitch=value)))
    for s, (pitch, _) in sorted(sounding.items()):
        events.append((end, 0, mido.Message("note_off", channel=5 - s, note=pitch)))
    events.append((end + 0.01, 1, mido.Message("pitchwheel", channel=5 - top, pitch=0)))
    return events


def midi_file(events: list[tuple[float, int, mido.Message]]) -> mido.MidiFile:
    """A type-1 file with one guitar track: the (seconds, order, message) events in time order (order breaks
    ties: offs before ons), at the DAW's 120 BPM."""
    events.sort(key=lambda e: (e[0], e[1]))
    ticks_per_second = PPQ * 1_000_000 / FILE_TEMPO
    track = mido.MidiTrack([mido.MetaMessage("track_name", name="Guitar (GK pickup)", time=0),
                            mido.MetaMessage("set_tempo", tempo=FILE_TEMPO, time=0)])
    last = 0
    for t, _, msg in events:
        tick = max(last, round(t * ticks_per_second))
        track.append(msg.copy(time=tick - last))
        last = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mid.tracks.append(track)
    return mid


def ground_truth(song: Song, beats: list[float], n_beats: int, beats_per_bar: int) -> dict:
    """The JSON ground truth: key, meter, tempo (start, end, median BPM), the first `n_beats` + 1 beat times
    and the downbeats (s, 4 decimals), and one chord per bar at its downbeat."""
    beat_list = [round(t, 4) for t in beats[: n_beats + 1]]
    return {
        "file": f"{song.name}.mid",
        "key": {"tonic": song.tonic, "mode": song.mode},
        "meter": song.meter,
        "tempo": {"start": round(song.bpm(0), 2), "end": round(song.bpm(n_beats - 1), 2),
                  "median": round(sorted(song.bpm(k) for k in range(n_beats))[n_beats // 2], 2)},
        "beats": beat_list,
        "downbeats": beat_list[::beats_per_bar],
        "chords": [{"time": round(beats[i * beats_per_bar], 4), "label": c} for i, c in enumerate(song.bars)],
    }


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for song in SONGS:
        mid, truth = perform(song)
        mid.save(out_dir / f"{song.name}.mid")
        (out_dir / f"{song.name}.json").write_text(json.dumps(truth, indent=1) + "\n")
        print(f"{song.name}: {len(truth['beats'])} beats, {truth['beats'][-1]:.1f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
