"""bench/line_takes.py: a line set's piece as a take band_eval reads (its truth JSON)."""

import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import line_takes  # noqa: E402

from engine.events import InputMessage  # noqa: E402


def test_a_pieces_truth_is_cut_where_its_messages_are_and_ends_on_its_last_note():
    piece = SimpleNamespace(name="pop909/001", beats=np.arange(0.5, 80.0, 0.5), downbeats=np.arange(0.5, 80.0, 2.0),
                            meter=None)
    messages = [InputMessage(1.0, 0x90, 60, 90), InputMessage(1.4, 0x80, 60, 0), InputMessage(59.2, 0x90, 62, 90),
                InputMessage(60.0, 0x80, 62, 0)]
    truth = line_takes.truth(piece, messages, 60.0)
    assert truth["beats"][-1] == 60.0 and len(truth["beats"]) == 120
    assert truth["downbeats"][-1] <= 60.0 and truth["downbeats"][0] == 0.5
    assert truth["meter"] == "4/4" and truth["last_chord"] == 59.2 and truth["source"] == "pop909/001"


def test_an_unknown_set_is_refused():
    with pytest.raises(SystemExit):
        line_takes.pieces("jigs", 60)
