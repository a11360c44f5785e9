"""The listener imports nothing while it listens: every module its ticks need is loaded with it (numpy 2.x loaded
numpy.ma on the first np.median or np.unique, 8-9 ms of CPU in one tick; engine/listen/__init__.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

REPLAY = """
import sys
from engine.io.midi_input import read_guitar_file
from engine.listen import Listener
from engine.listen.replay import replay
takes = [read_guitar_file(f).messages for f in sys.argv[1:]]
before = set(sys.modules)
for messages in takes:
    for _ in replay(Listener(), messages, messages[-1].time + 1.0):
        pass
print(" ".join(sorted(set(sys.modules) - before)) or "-")
"""


def test_a_replay_imports_no_module():
    # in a fresh interpreter: the examples and a take of running sixteenths (the funk and bossa checks, np.unique)
    takes = [*sorted(str(p) for p in (ROOT / "examples").glob("*.mid")),
             str(ROOT / "tests/data/sixteenths-c-major-78-sim4.mid")]
    out = subprocess.run([sys.executable, "-c", REPLAY, *takes], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == "-"
