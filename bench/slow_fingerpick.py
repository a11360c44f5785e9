"""Slow fingerpicked takes (review20's ballad60a): a 4/4 arpeggio at 50-70 BPM, one note an eighth, the thumb's
bass on beats 1 and 3, a chord a bar. Does the listener hear their beat, or the eighths (twice the tempo)?

    python bench/slow_fingerpick.py --out DIR        # writes DIR/NAME.mid + NAME.json (truth), prints a row each

The takes are written here with mido, not by the simulators: ten, at 50, 52, ... 70 BPM, in four keys and
three picking patterns (p-i-m-a-p-a-m-i, p-i-m-i-p-i-m-i, p-a-m-i-p-a-m-i with the fifth as the bass on 3),
timing scattered by up to 12 ms, the bass louder (velocity 84) than the treble (58-70). Each row gives the
tempo the online listener hears at the end (its median beat over the last 16 beats), the ratio to the truth
(1.0 right, 2.0 the eighths) and its beat F-measure (mir_eval, 70 ms) against the truth's beats. The folder
is scored by the band too: `python bench/band_eval.py --sets DIR`.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import mido
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402

TEMPI = (50, 52, 55, 58, 60, 62, 64, 66, 68, 70)
# (tonic, mode, chords a bar as (Harte label, bass MIDI, fifth MIDI, treble MIDI x3))
SONGS = (
    ("C", "major", [("C:maj", 48, 55, (60, 64, 67)), ("A:min", 45, 52, (57, 60, 64)),
                    ("F:maj", 41, 48, (57, 60, 65)), ("G:maj", 43, 50, (55, 59, 62))]),
    ("A", "minor", [("A:min", 45, 52, (57, 60, 64)), ("D:min", 50, 57, (62, 65, 69)),
                    ("E:maj", 40, 47, (56, 59, 64)), ("A:min", 45, 52, (57, 60, 64))]),
    ("G", "major", [("G:maj", 43, 50, (59, 62, 67)), ("E:min", 40, 47, (55, 59, 64)),
                    ("C:maj", 48, 55, (60, 64, 67)), ("D:maj", 50, 57, (57, 62, 66))]),
    ("D", "minor", [("D:min", 50, 57, (62, 65, 69)), ("A#:maj", 46, 53, (58, 62, 65)),
                    ("C:maj", 48, 55, (60, 64, 67)), ("A:maj", 45, 52, (57, 61, 64))]),
)
# Per eighth of the bar: "p" the bass (root), "q" the fifth as bass, 0-2 a treble note of the chord
PATTERNS = ("p012p210", "p010p010", "p210q210")
BARS = 16
LEAD = 0.5      # s before the first note


def take(bpm: float, song: int, pattern: str, seed: int) -> tuple[mido.MidiFile, dict]:
    """One take and its truth (key, meter, beats, downbeats, chords, end; seconds)."""
    rng = random.Random(seed)
    tonic, mode, chords = SONGS[song]
    beat = 60.0 / bpm
    mid = mido.MidiFile(type=0, ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500_000))     # 120 BPM in the file: a tick is 1/960 s
    events: list[tuple[float, int, int, int]] = []                 # (s, note-on 1 / off 0, pitch, velocity)
    labels = []
    for bar in range(BARS):
        label, root, fifth, treble = chords[bar % len(chords)]
        labels.append({"time": round(LEAD + bar * 4 * beat, 4), "label": label})
        for k, step in enumerate(pattern):
            t = LEAD + (bar * 8 + k) * beat / 2 + rng.uniform(-0.012, 0.012)
            if step in "pq":
                pitch, vel, length = (root if step == "p" else fifth), 84, 2 * beat * 0.95
            else:
                pitch, vel, length = treble[int(step)], rng.randint(58, 70), beat * 0.9
            events += [(t, 1, pitch, vel), (t + length, 0, pitch, 0)]
    end = LEAD + BARS * 4 * beat
    events += [(end, 1, chords[0][1], 80), (end + 3 * beat, 0, chords[0][1], 0)]
    last = 0
    for t, on, pitch, vel in sorted(events, key=lambda e: (e[0], e[1])):
        tick = round(t * 960)
        track.append(mido.Message("note_on" if on else "note_off", note=pitch, velocity=vel, time=tick - last))
        last = tick
    beats = [round(LEAD + b * beat, 4) for b in range(BARS * 4 + 1)]
    truth = {"key": {"tonic": tonic, "mode": mode}, "meter": "4/4", "beats": beats, "downbeats": beats[::4],
             "chords": labels, "end": round(end, 4), "bpm": bpm}
    return mid, truth


def heard(path: Path) -> tuple[float, float]:
    """(tempo the online listener hears at the end, BPM; its beat F-measure against the truth)."""
    import mir_eval  # noqa: PLC0415

    truth = json.loads(path.with_suffix(".json").read_text())
    analysis, _ = run_online(read_guitar_file(path).messages, ListenerConfig())
    beats = np.array(analysis.beats)
    bpm = 60.0 / float(np.median(np.diff(beats[-17:]))) if len(beats) > 2 else 0.0
    return bpm, mir_eval.beat.f_measure(np.array(truth["beats"]), beats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    ratios, scores = [], []
    for i, bpm in enumerate(TEMPI):
        pattern = PATTERNS[i % len(PATTERNS)]
        mid, truth = take(bpm, i % len(SONGS), pattern, seed=i)
        name = f"fingerpick_{bpm}bpm_{truth['key']['tonic']}-{truth['key']['mode']}_{pattern}"
        path = args.out / f"{name}.mid"
        mid.save(path)
        path.with_suffix(".json").write_text(json.dumps(truth))
        bpm_heard, f = heard(path)
        ratios.append(bpm_heard / bpm)
        scores.append(f)
        print(f"  {name}: heard {bpm_heard:.1f} BPM ({bpm_heard / bpm:.2f} x), beat F {f:.2f}", flush=True)
    right = sum(abs(r - 1) < 0.08 for r in ratios)
    print(f"tempo right on {right} of {len(ratios)}; beat F mean {np.mean(scores):.3f}")


if __name__ == "__main__":
    main()
