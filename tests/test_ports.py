"""Finding the port a user names (engine/io/ports.match_port): the one line a wrong name gets."""

import pytest

from engine.io.ports import PortNotFound, match_port


def test_a_part_of_the_name_finds_the_port_and_an_exact_name_wins():
    ports = ["Midi Through Port-0", "GR-55 MIDI 1", "GR-55"]
    assert match_port("gr-55 midi", ports, "input") == 1
    assert match_port("GR-55", ports, "input") == 2


def test_a_wrong_name_lists_the_ports_there_are():
    with pytest.raises(PortNotFound, match=r"no MIDI input matching 'TriplePlay'; available: 'GR-55 MIDI 1'"):
        match_port("TriplePlay", ["GR-55 MIDI 1"], "input")
    with pytest.raises(PortNotFound, match=r"2 MIDI inputs match 'gr'"):
        match_port("gr", ["GR-55 A", "GR-55 B"], "input")


def test_with_no_inputs_at_all_the_message_says_how_to_get_one():
    with pytest.raises(PortNotFound) as err:
        match_port("GR-55", [], "input")
    line = str(err.value)
    assert "no MIDI inputs here" in line and "--virtual" in line and "\n" not in line


def test_with_no_outputs_at_all_the_message_says_how_to_get_one():
    with pytest.raises(PortNotFound) as err:
        match_port("Digitakt", [], "output")
    line = str(err.value)
    assert line.startswith("no MIDI output matching 'Digitakt'") and "\n" not in line
    assert "no MIDI outputs here" in line and "--midi-out virtual" in line
