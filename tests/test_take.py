"""`aqyn live --record`: the take, through the real `LiveSession` under a virtual clock (tests/sessionrig.py),
and `aqyn render` of a take. The JACK tests (a real port, a real process, SIGTERM, a pulled cable) are in
tests/test_take_jack.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import mido
import pytest
from conftest import ROOT, example
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sessionrig import Script, play_session

from engine.errors import InputFileError
from engine.events import Beat, InputMessage, Marker
from engine.inputs import CountIn, Cue, CueInput
from engine.io.midi_input import GuitarFile, read_guitar_file
from engine.io.take import TakeRecorder, take_cues
from engine.listen.listener import PlayerSettings
from engine.live.controls import FootswitchMap
from engine.live.session import LiveConfig
from engine.render import play

DORIAN = "d_dorian_96_4-4"
LEAD = 1.3          # s of the session before the guitar's first message
PEDAL = '[[switch]]\ncc = 64\nchannel = 16\ntap = "fill"\nhold = "next"\n'


def played(until: float, lead: float = LEAD) -> list[tuple[list[int], float]]:
    """The D dorian example's first `until` seconds as (bytes, stamp s), `lead` s into the session."""
    g = read_guitar_file(example(DORIAN))
    return [([m.status, m.data1, m.data2], m.time + lead) for m in g.messages if m.time < until]


def record(tmp_path: Path, script: Script, **config) -> tuple:
    """Run a recorded session through `script`; (its outcome, the take's path)."""
    take = tmp_path / "take.mid"
    pedal = tmp_path / "pedal.toml"
    pedal.write_text(PEDAL)
    cfg = LiveConfig(input="guitar", record=take, footswitch=FootswitchMap.load(pedal), **config)
    outcome = play_session(cfg, script)
    return outcome, take


def markers(path: Path) -> list[str]:
    return [m.text for m in mido.MidiFile(path, charset="utf-8") if m.type == "marker"]


def test_the_take_holds_every_note_at_its_time_and_the_cues_as_markers(tmp_path):
    taps = [([0xBF, 64, 127], 9.0), ([0xBF, 64, 0], 9.1),      # a tap: a fill
            ([0xBF, 64, 127], 12.0), ([0xBF, 64, 0], 13.0)]    # a hold: the next section
    guitar = played(18.0)
    outcome, take = record(tmp_path, Script(sorted(guitar + taps, key=lambda m: m[1])), duration=30.0)
    assert outcome.code == 0
    got = read_guitar_file(take).messages
    assert [(m.status, m.data1, m.data2) for m in got] == [tuple(b) for b, _ in guitar]
    assert max(abs(m.time - t) for m, (_, t) in zip(got, guitar)) < 30e-6     # a tick is 50 us
    cues = take_cues(take)
    assert [(c.cue, round(c.time, 4)) for c in cues] == [(Cue.FILL, 9.1), (Cue.NEXT, 12.0 + 0.5)], cues
    texts = markers(take)
    assert any(t.startswith("band in: ") for t in texts[:3]) and texts[-1] == "band out" and "key: D dorian" in texts
    assert "section: main_a" in texts and "cue: fill" in texts
    assert ("take", {"file": str(take), "messages": len(guitar)}) in outcome.events


def test_the_take_replays_what_the_live_engine_heard(tmp_path):
    """The render of the take hears what the live engine heard: the same key and the band's beats where the
    live band put them, and the render of the original file (the same cues, shifted) agrees."""
    guitar = played(24.0)
    taps = [([0xBF, 64, 127], 10.0), ([0xBF, 64, 0], 10.1)]
    outcome, take = record(tmp_path, Script(sorted(guitar + taps, key=lambda m: m[1])), duration=26.0)
    live_beats = [e.time for e in outcome.wire.sent if isinstance(e, Beat)]
    state = outcome.session.engine.listener.state(24.0 + LEAD)
    engine, band = play(read_guitar_file(take), cues=take_cues(take))
    take_beats = [e.time for e in band if isinstance(e, Beat)]
    assert engine.listener.state(24.0 + LEAD).tonic == state.tonic == 2             # D
    # Offline the whole take is known (its last chord: the band's ending lands on it), so the two differ
    # from the guitar's end on; up to there every live beat is the take's.
    until = 22.0 + LEAD
    live, offline = [t for t in live_beats if t < until], [t for t in take_beats if t < until]
    assert len(live) > 20 and len(live) == len(offline)
    assert max(abs(a - b) for a, b in zip(live, offline)) < 0.002
    original = read_guitar_file(example(DORIAN))
    head = [InputMessage(m.time + LEAD, m.status, m.data1, m.data2) for m in original.messages if m.time < 24.0]
    shifted = GuitarFile(original.path, head, head[-1].time, sum(m.kind == 0x90 and m.data2 > 0 for m in head))
    _, band = play(shifted, cues=[CueInput(10.1, Cue.FILL)])
    again = [e.time for e in band if isinstance(e, Beat) and e.time < until]
    assert len(again) == len(offline) and max(abs(a - b) for a, b in zip(again, offline)) < 1e-4   # ticks: 50 us


@pytest.mark.parametrize("way_out", ["sigterm", "cable"])
def test_a_take_cut_short_is_a_valid_file_with_what_came_before(tmp_path, way_out):
    guitar = played(20.0)
    if way_out == "sigterm":
        script = Script(guitar, signal_at=8.0, signal=signal.SIGTERM)
    else:
        script = Script(guitar, lost_at=8.0)      # the port vanishes; the band ends; the session goes on
    player = PlayerSettings(converter_latency=0.03, channels=tuple(range(6)))
    outcome, take = record(tmp_path, script, duration=30.0, seed=2, player=player)
    assert outcome.code == 0
    got = read_guitar_file(take)
    assert got.notes > 20 and got.messages[-1].time >= 7.5
    about = [m.text for m in mido.MidiFile(take).tracks[0] if m.type == "text"]
    assert about == ["recorded by aqyn live; replay with: aqyn render TAKE.mid -o OUT.mid --seed 2 "
                     "--converter-latency-ms 30 --channels 1,2,3,4,5,6"]
    if way_out == "cable":
        assert "cue: ending" in markers(take)
        assert [c.cue for c in take_cues(take)] == [Cue.ENDING]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(stop=st.floats(0.5, 15.0), lost=st.none() | st.floats(0.0, 15.0), sig=st.sampled_from([signal.SIGINT,
                                                                                              signal.SIGTERM]))
def test_any_session_leaves_a_take_with_every_input_it_took(tmp_path, stop, lost, sig):
    outcome, take = record(tmp_path, Script(played(16.0), lost_at=lost, signal_at=stop, signal=sig),
                           duration=16.0)
    mid = mido.MidiFile(take)                       # valid, whatever stopped it
    assert mid.tracks[0][0].name == "aqyn take"
    kept = [m for track in mid.tracks for m in track if not m.is_meta]
    took = outcome.session.feed.counters
    assert len(kept) == took.messages + took.ended     # every message the engine took (and the notes a lost port ended)


def test_a_take_is_rewritten_whole_every_second(tmp_path):
    """Read while the session runs, the file on disk is always a whole take that is at most a second or two
    behind: what a crash (SIGKILL, a power cut) would leave."""
    take = tmp_path / "take.mid"
    rec = TakeRecorder(take, "a test")
    rec.flush(0.0)
    assert mido.MidiFile(take).tracks[1][0].name == "guitar"
    for k in range(50):
        t = k * 0.1
        rec.inputs([InputMessage(t, 0x90, 40 + k % 20, 90), InputMessage(t + 0.05, 0x80, 40 + k % 20, 0)])
        if t >= rec.next_flush:
            rec.flush(t)
            times = [m.time for m in read_guitar_file(take).messages]
            assert times[-1] >= t - 1e-9 and len(times) == 2 * (k + 1)
    rec.inputs([CueInput(5.0, Cue.FILL), CountIn(0.2, 8, 0.5, 4)])
    rec.close()
    assert len(read_guitar_file(take).messages) == 100
    assert take_cues(take) == [CountIn(0.2, 8, 0.5, 4, clicks=False), CueInput(5.0, Cue.FILL)]
    assert not list(tmp_path.glob(".take.mid.*"))     # no temporary file left beside it


def test_a_takes_markers_read_the_same_in_any_charset_and_its_cues_keep_their_style(tmp_path):
    """The band's markers of a take are ASCII (`Tökpe gallop` read as `TÃ¶kpe gallop` in mido's default
    Latin-1, as in a DAW reading Latin-1; review20); a cue of a style whose name is not ASCII keeps the name,
    and `aqyn render` replays it (round trip through the file)."""
    from engine.arrange.styles import load_style

    shipped = ROOT / "patterns" / "tokpe-gallop.toml"
    text = shipped.read_text(encoding="utf-8").replace('name = "tokpe-gallop"', 'name = "төкпе"')
    (tmp_path / "төкпе.toml").write_text(text.replace('title = "Tökpe gallop"', 'title = "Төкпе шауып"'))
    style = load_style("төкпе", [tmp_path])
    take = tmp_path / "take.mid"
    rec = TakeRecorder(take)
    rec.inputs([InputMessage(0.5, 0x90, 50, 90), InputMessage(1.0, 0x80, 50, 0), CueInput(2.0, Cue.STYLE, style)])
    rec.band.send(Marker(0.7, "band in: Tökpe gallop"))
    rec.band.send(Marker(2.5, f"style: {style.title}"))
    rec.close()
    band = [m for m in markers(take) if not m.startswith("cue: ")]
    assert band == ["band in: Tokpe gallop", "style: Tokpe shauyp"]
    assert band == [m.text for m in mido.MidiFile(take) if m.type == "marker" and not m.text.startswith("cue: ")]
    assert take_cues(take, [tmp_path]) == [CueInput(2.0, Cue.STYLE, style)]


def test_markers_of_another_file_are_not_cues(tmp_path):
    mid = mido.MidiFile(type=1)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="song"),
                                      mido.MetaMessage("marker", text="cue: fill", time=100),
                                      mido.Message("note_on", note=60, velocity=90, time=10)]))
    path = tmp_path / "song.mid"
    mid.save(path)
    assert take_cues(path) == []


def bad_take(tmp_path: Path, text: str) -> Path:
    take = tmp_path / "take.mid"
    rec = TakeRecorder(take)
    rec.inputs([InputMessage(0.5, 0x90, 50, 90), InputMessage(1.0, 0x80, 50, 0)])
    rec.band.send(Marker(0.7, text))
    rec.close()
    return take


def test_a_cue_marker_that_cannot_be_replayed_is_one_line(tmp_path):
    with pytest.raises(InputFileError, match=r"marker 'cue: dance' at 0.700 s names no cue aqyn knows"):
        take_cues(bad_take(tmp_path, "cue: dance"))
    r = subprocess.run([sys.executable, "-m", "engine", "render", str(bad_take(tmp_path, "cue: style nowhere")),
                        "-o", str(tmp_path / "out.mid")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "style" in r.stderr, r.stderr
    assert not (tmp_path / "out.mid").exists()


def test_render_replays_the_takes_cues_unless_given_others(tmp_path):
    guitar = played(20.0)
    taps = [([0xBF, 64, 127], 9.0), ([0xBF, 64, 0], 9.1)]
    _, take = record(tmp_path, Script(sorted(guitar + taps, key=lambda m: m[1])), duration=22.0)
    out, plain = tmp_path / "out.mid", tmp_path / "plain.mid"
    none = tmp_path / "none.toml"
    none.write_text("")
    for o, extra in ((out, []), (plain, ["--cues", str(none)])):
        r = subprocess.run([sys.executable, "-m", "engine", "render", str(take), "-o", str(o), *extra], cwd=ROOT,
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    def fills(path: Path) -> list[float]:
        t, out = 0.0, []
        for m in mido.MidiFile(path):
            t += m.time
            if m.type == "marker" and m.text == "section: fill":
                out.append(t)
        return out

    cued = [t for t in fills(out) if 9.1 < t < 9.1 + 2 * 60 / 96 * 4]    # the fill from the next bar on
    assert cued and not [t for t in fills(plain) if abs(t - cued[0]) < 0.1], (fills(out), fills(plain))


def test_live_record_options_fail_before_any_port(tmp_path):
    def live(*args):
        return subprocess.run([sys.executable, "-m", "engine", "live", "--virtual", "--quiet", *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)

    r = live("--record", str(tmp_path / "no" / "take.mid"))
    assert r.returncode == 2 and "folder" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    same = str(tmp_path / "x.mid")
    r = live("--record", same, "--log", same)
    assert r.returncode == 2 and "--record and --log name the same file" in r.stderr, r.stderr
    # A session that cannot start (here: no JACK server of that name) leaves no take behind.
    take = tmp_path / "take.mid"
    r = subprocess.run([sys.executable, "-m", "engine", "live", "--virtual", "--quiet", "--midi-api", "jack",
                        "--duration", "1", "--record", str(take)], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, env={**os.environ, "JACK_DEFAULT_SERVER": "aqyn-no-such-server",
                                        "JACK_NO_START_SERVER": "1"})
    assert r.returncode == 2 and "JACK" in r.stderr and not take.exists(), r.stderr
    assert list(tmp_path.iterdir()) == []


def test_reading_a_files_markers_leaves_mido_as_it_was(tmp_path):
    """A file whose texts are not UTF-8 (a Karaoke file in CP1251) is read for cues without changing how
    mido decodes the next file's metas (its charset is a global that a failed read leaves behind)."""
    mid = mido.MidiFile(type=1)
    mid.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="Гитара".encode("cp1251").decode("latin-1")),
                                      mido.MetaMessage("marker", text="\xce\xe9", time=10),
                                      mido.Message("note_on", note=60, velocity=90, time=10)]))
    path = tmp_path / "song.mid"
    mid.save(path)
    assert take_cues(path) == []
    assert read_guitar_file(path).warnings == ()     # its metas still decode (as Latin-1): nothing ignored
