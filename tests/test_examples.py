import json
import subprocess
import sys

from tests.conftest import EXAMPLES


def test_examples_are_reproducible(tmp_path):
    subprocess.run([sys.executable, str(EXAMPLES / "make_examples.py"), str(tmp_path)], check=True,
                   capture_output=True)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert len(made) >= 6
    for name in made:
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name


def test_ground_truth_is_complete_and_consistent():
    for path in sorted(EXAMPLES.glob("*.json")):
        t = json.loads(path.read_text())
        assert {"key", "meter", "tempo", "beats", "downbeats", "chords"} <= set(t)
        beats = t["beats"]
        assert all(b2 > b1 for b1, b2 in zip(beats, beats[1:]))
        assert set(t["downbeats"]) <= set(beats)
        assert (EXAMPLES / t["file"]).exists()
        assert all(c["label"].split(":")[1] in ("maj", "min", "7") for c in t["chords"])
