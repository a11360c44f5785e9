import json
from pathlib import Path

import mido
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def example(name: str) -> Path:
    return EXAMPLES / f"{name}.mid"


def truth(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


@pytest.fixture
def no_notes_mid(tmp_path: Path) -> Path:
    mid = mido.MidiFile(type=1)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="empty"),
                                      mido.Message("control_change", control=7, value=100, time=10)]))
    path = tmp_path / "empty.mid"
    mid.save(path)
    return path


def metronome(bpm: float, beats: int, start: float = 0.5, pitch: int = 48, accent_every: int = 4):
    """InputMessages of a steady pulse: a bass note on every beat, louder on bar starts."""
    from engine.events import InputMessage

    msgs = []
    period = 60.0 / bpm
    for k in range(beats):
        t = start + k * period
        vel = 110 if k % accent_every == 0 else 80
        msgs.append(InputMessage(t, 0x90, pitch, vel))
        msgs.append(InputMessage(t + period * 0.5, 0x80, pitch, 0))
    return msgs
