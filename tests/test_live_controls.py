"""Footswitch gestures, the footswitch file's errors, and MIDI clock in/out logic (fast, no ports)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from engine.arrange.styles import list_styles
from engine.errors import ConfigError
from engine.events import Beat, InputMessage, Marker, TimeSignature
from engine.inputs import Cue
from engine.io.clock_out import ClockOutSink
from engine.listen.clock_in import ClockFollower
from engine.live.controls import Controls, FootswitchMap
from engine.midi import CLOCK, START, STOP
from engine.midi import CLOCK_PPQ as PPQ

FULL = """
hold_time = 0.5
double_time = 0.3

[[switch]]
cc = 64
channel = 16
tap = "fill"
hold = "next"
double = "ending"

[[switch]]
note = 36
tap = "tap_tempo"

[program_change]
styles = ["trot", "tokpe-gallop"]
"""


def load(tmp_path: Path, text: str) -> FootswitchMap:
    p = tmp_path / "fs.toml"
    p.write_text(text)
    return FootswitchMap.load(p)


def run(fmap: FootswitchMap, presses: list[tuple[float, InputMessage]], until: float) -> list[tuple[str, float]]:
    acts: list[tuple[str, float]] = []
    c = Controls(fmap, lambda action, t, value=None: acts.append((action, round(t, 3))))
    msgs = sorted(presses, key=lambda x: x[0])
    t, i = 0.0, 0
    while t <= until:
        while i < len(msgs) and msgs[i][0] <= t:
            assert c.feed(msgs[i][1])
            i += 1
        c.tick(t)
        t = round(t + 0.01, 3)
    return acts


def cc(t: float, value: int, channel: int = 15, number: int = 64) -> tuple[float, InputMessage]:
    return t, InputMessage(t, 0xB0 | channel, number, value)


def test_tap_is_a_fill_after_the_double_tap_window(tmp_path):
    fmap = load(tmp_path, FULL)
    acts = run(fmap, [cc(1.0, 127), cc(1.1, 0)], 2.0)
    assert acts == [("fill", 1.41)]     # released at 1.1, no second tap within 0.3 s


def test_double_tap_is_an_ending_and_no_fill(tmp_path):
    fmap = load(tmp_path, FULL)
    acts = run(fmap, [cc(1.0, 127), cc(1.08, 0), cc(1.2, 127), cc(1.28, 0)], 2.0)
    assert acts == [("ending", 1.2)]


def test_hold_is_next_section_fired_while_still_held(tmp_path):
    fmap = load(tmp_path, FULL)
    acts = run(fmap, [cc(1.0, 127), cc(2.0, 0)], 2.5)
    assert acts == [("next", 1.5)]


def test_switch_on_another_channel_is_not_taken(tmp_path):
    fmap = load(tmp_path, FULL)
    c = Controls(fmap, lambda *a: None)
    assert not c.feed(InputMessage(1.0, 0xB0 | 3, 64, 127))   # a guitar's sustain CC on channel 4 plays on
    assert not c.feed(InputMessage(1.0, 0x90, 60, 100))


def test_tap_tempo_acts_on_the_press_itself(tmp_path):
    fmap = load(tmp_path, FULL)
    note = [(t, InputMessage(t, 0x99, 36, 100)) for t in (1.0, 1.5)] + \
           [(t + 0.05, InputMessage(t + 0.05, 0x89, 36, 0)) for t in (1.0, 1.5)]
    assert run(fmap, note, 2.0) == [("tap_tempo", 1.0), ("tap_tempo", 1.5)]


def test_program_change_selects_a_style(tmp_path):
    fmap = load(tmp_path, FULL)
    got = []
    c = Controls(fmap, lambda action, t, value=None: got.append((action, value)))
    assert c.feed(InputMessage(1.0, 0xC0, 1, 0))
    assert got == [(Cue.STYLE, 1)] and fmap.program_styles == ("trot", "tokpe-gallop")


def test_without_program_change_section_programs_pass_through(tmp_path):
    fmap = load(tmp_path, "[[switch]]\ncc = 64\ntap = 'fill'\n")
    assert not Controls(fmap, lambda *a: None).feed(InputMessage(1.0, 0xC0, 1, 0))


@pytest.mark.parametrize("text, expected", [
    ("[[switch]]\ntap = 'fill'\n", "switch 1: give exactly one of cc = N or note = N"),
    ("[[switch]]\ncc = 300\ntap = 'fill'\n", "fs.toml:2:6: switch 1: cc must be a whole number 0..127, got 300"),
    ("[[switch]]\ncc = 64\ntap = 'explode'\n", "switch 1: tap = 'explode' is not an action"),
    ("[[switch]]\ncc = 64\nwiggle = 'fill'\n", "switch 1: unknown key 'wiggle'"),
    ("[[switch]]\ncc = 64\nchannel = 17\ntap = 'fill'\n", "switch 1: channel must be 1..16, got 17"),
    ("[[switch]]\ncc = 64\n", "switch 1: give at least one of tap, hold, double"),
    ("hold_time = 9\n", "hold_time must be seconds between 0.05 and 3, got 9"),
    ("colour = 'red'\n", "unknown key 'colour'"),
    ("[[switch]\ncc = 64\n", "fs.toml:1:9: TOML syntax error"),
])
def test_bad_footswitch_files_say_what_is_wrong(tmp_path, text, expected):
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    assert str(e.value).startswith(str(tmp_path / "fs.toml")) and expected in str(e.value)


FILES = Path(__file__).parent / "data" / "files"


@pytest.mark.parametrize("name, where, expected", [
    ("footswitch-cc_bool.toml", "5:6", "switch 1: cc must be a whole number 0..127, got True"),
    ("footswitch-hold_bool.toml", "1:13", "hold_time must be seconds between 0.05 and 3, got True"),
    ("footswitch-pc_enabled_str.toml", "2:11", "program_change: enabled must be true or false, got 'no'"),
    ("footswitch-pc_styles_unknown.toml", "2:10", "program_change: no style named 'polka', 'no-such-style'"),
    ("footswitch-pc_unknown_key.toml", "2:10", "program_change: unknown key 'chanel'"),
    ("footswitch-switch-not-tables.toml", "1:10", "switch must be an array of tables"),
    ("footswitch-switch-strings.toml", "1:10", "switch must be an array of tables"),
])
def test_footswitch_maps_from_a_fuzzer_are_refused_at_load_with_file_line_col(name, where, expected):
    # Wrong types (a boolean for a number, a string for a boolean), unknown keys and style names, and
    # switches that are not tables: refused when the map is loaded, never on stage (../shared/cases/fuzz).
    with pytest.raises(ConfigError) as e:
        FootswitchMap.load(FILES / name, list_styles())
    assert str(e.value).startswith(f"{FILES / name}:{where}: {expected}")


def test_a_fifo_as_a_footswitch_map_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "fs.toml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        FootswitchMap.load(fifo)


def test_clock_follower_reports_every_24th_clock_from_start():
    f = ClockFollower()
    f.start(0.0, restart=True)
    beats = [b for k in range(4 * PPQ) if (b := f.clock(k * 0.5 / PPQ)) is not None]
    # The start's own clock alone gives no period; from the next beat on, each beat's time, period and number.
    assert [b.time for b in beats] == pytest.approx([0.5, 1.0, 1.5])
    assert [b.period for b in beats] == pytest.approx([0.5] * 3) and [b.number for b in beats] == [1, 2, 3]
    f.stop()
    assert f.clock(2.0) is None


def test_song_position_pointer_sets_the_beat_number_a_continue_starts_from():
    f = ClockFollower()
    f.start(0.0, restart=True)
    for k in range(30):
        f.clock(k * 0.02)
    f.stop()
    f.position(20)                                   # 16ths: bar 2, beat 2 of a 4/4 song (beat number 5)
    f.start(5.0, restart=False)                      # continue, after a pause: the old clocks' tempo is stale
    beats = [b for k in range(3 * PPQ) if (b := f.clock(5.0 + k * 0.5 / PPQ)) is not None]
    assert [b.number for b in beats] == [6, 7] and beats[0].time == pytest.approx(5.5)


def test_a_start_reports_the_coming_downbeat_at_once_when_the_clock_ran_before_it():
    """Many masters send clock while stopped: at the start the tempo is known and beat 0 is now."""
    f = ClockFollower()
    f.stop()
    for k in range(PPQ):
        assert f.clock(k * 0.6 / PPQ) is None        # stopped: timed, not counted
    beat = f.start(0.6, restart=True)
    assert beat is not None and beat.time == 0.6 and beat.number == 0
    assert beat.period == pytest.approx(0.6)
    f.position(2)                                    # half a beat in: the next beat is 12 clocks away
    beat = f.start(1.0, restart=False)
    assert beat.time == pytest.approx(1.3) and beat.number == 1


def test_clock_without_a_start_gives_the_beat_but_not_the_bar():
    f = ClockFollower()
    beats = [b for k in range(3 * PPQ) if (b := f.clock(k * 0.5 / PPQ)) is not None]
    assert beats and all(b.number is None for b in beats)
    assert beats[-1].time == pytest.approx(1.0) and beats[-1].period == pytest.approx(0.5)


def test_clock_bursts_and_pauses_give_no_absurd_tempo_and_no_beat_in_the_past():
    f = ClockFollower()
    f.start(0.0, restart=True)
    for k in range(23):                              # stopped one clock before a beat
        f.clock(k * 0.025)
    f.stop()
    f.start(3.0, restart=False)                      # continue: the next clock but one is a beat ...
    assert f.clock(3.0) is None and f.clock(3.0) is None   # ... and both arrive with the same stamp
    reported = [b for k in range(1, 60) if (b := f.clock(3.0 + k * 0.025)) is not None]
    assert reported and all(b.period == pytest.approx(0.6) for b in reported)
    # The clock pauses for 2 s without a stop and comes back: the next beat is reported where it falls now.
    reported = [b for k in range(2 * PPQ) if (b := f.clock(6.0 + k * 0.025)) is not None]
    assert reported and all(b.time >= 6.0 for b in reported)


def test_clock_follower_is_not_moved_by_late_clocks():
    """A busy machine or a USB hub delays some clocks on the way (never advances them): the beat stays put."""
    f = ClockFollower()
    f.start(0.0, restart=True)
    beats = []
    for k in range(6 * PPQ):
        late = 0.012 if k % 24 == 0 or k % 7 == 3 else 0.0     # every beat's own clock among the late ones
        if (b := f.clock(k * 0.6 / PPQ + late)) is not None:
            beats.append(b)
    assert [b.time for b in beats[1:]] == pytest.approx([1.2, 1.8, 2.4, 3.0], abs=0.001)
    assert [b.period for b in beats[1:]] == pytest.approx([0.6] * 4, abs=0.001)


class SentList:
    """Collects what a TimedSender would send (the sender's own timing is measured in the JACK test)."""

    def __init__(self):
        self.sent: list[tuple[float, list[int]]] = []

    def at(self, t, message):
        self.sent.append((t, message))


def test_clock_out_fits_exactly_24_clocks_into_each_beat_as_the_tempo_moves():
    sender = SentList()
    sink = ClockOutSink(sender)
    beats = [1.0, 1.5, 1.95, 2.35, 2.7]            # accelerating
    for i, t in enumerate(beats):
        sink.send(Beat(t, i, i % 4, 4, 0.5))
        sink.flush(t + 0.2)
    sink.send(Marker(3.05, "band out"))
    kinds = [m[0] for _, m in sender.sent]
    assert kinds[0] == START and kinds[-1] == STOP
    clocks = [t for t, m in sender.sent if m[0] == CLOCK]
    for a, b in zip(beats, beats[1:]):
        inside = [t for t in clocks if a - 1e-9 <= t < b - 1e-9]
        assert len(inside) == PPQ, (a, b, len(inside))
        assert inside[0] == pytest.approx(a)
    times = [t for t, _ in sender.sent]
    assert times == sorted(times)


def test_clock_out_sends_36_clocks_per_dotted_quarter_beat_in_6_8():
    """MIDI clock counts quarter notes: a band beat of three eighths (6/8) is 36 clocks, or a DAW runs 1.5x."""
    sender = SentList()
    sink = ClockOutSink(sender)
    sink.send(TimeSignature(0.9, 6, 8, 3))
    beats = [1.0, 1.75, 2.5, 3.25]
    for i, t in enumerate(beats):
        sink.send(Beat(t, i, i % 2, 2, 0.75))
        sink.flush(t + 0.2)
    clocks = [t for t, m in sender.sent if m[0] == CLOCK]
    for a, b in zip(beats, beats[1:]):
        assert len([t for t in clocks if a - 1e-9 <= t < b - 1e-9]) == 36
    sink.send(TimeSignature(3.9, 4, 4, 2))            # a style in 4/4 from the next beat on
    sink.send(Beat(4.0, 4, 0, 4, 0.75))
    sink.send(Beat(4.5, 5, 1, 4, 0.5))
    clocks = [t for t, m in sender.sent if m[0] == CLOCK]
    assert len([t for t in clocks if 3.25 - 1e-9 <= t < 4.0 - 1e-9]) == 36     # the 6/8 beat before it
    assert len([t for t in clocks if 4.0 - 1e-9 <= t < 4.5 - 1e-9]) == PPQ


def test_clock_follower_counts_36_clocks_to_a_dotted_quarter_beat():
    f = ClockFollower()
    f.start(0.0, restart=True)
    step = 0.5 / PPQ                                  # a quarter of 0.5 s: the dotted-quarter beat is 0.75 s
    beats = [b for k in range(4 * 36) if (b := f.clock(k * step, per_beat=36)) is not None]
    assert [b.time for b in beats] == pytest.approx([0.75, 1.5, 2.25])
    assert [b.period for b in beats] == pytest.approx([0.75] * 3) and [b.number for b in beats] == [1, 2, 3]


def jack_stamped(times: np.ndarray, first_frame: int, period: int = 256, rate: int = 48000,
                 delay: float = 0.0004) -> np.ndarray:
    """When a JACK client hears events sent at `times` (s): at the end of the period each falls in (every event
    of a period gets one stamp), `delay` after it; `first_frame` sets where the periods fall."""
    frames = np.floor(times * rate + first_frame) - first_frame
    return (np.floor((frames + first_frame) / period) + 1) * period / rate - first_frame / rate + delay


@pytest.mark.parametrize("first_frame", [0, 37, 101, 200, 255])
def test_clock_stamped_per_jack_period_reads_the_masters_tempo(first_frame):
    """A 120 BPM master heard through 256-frame JACK periods at 48 kHz: the gaps are 4 periods or 3, so the
    median gap read 117.2 BPM; the line through the clocks reads 120 within 0.5 %, one clock delayed or not."""
    step = 0.5 / PPQ
    stamps = jack_stamped(0.3 + step * np.arange(16 * PPQ), first_frame)
    stamps[5 * PPQ + 7] += 0.015                     # a busy machine delays one clock by 15 ms
    f = ClockFollower()
    beats = [b for t in stamps if (b := f.clock(float(t))) is not None]
    bpm = np.array([60.0 / b.period for b in beats[2:]])
    assert np.abs(bpm - 120.0).max() <= 0.6, bpm.round(2).tolist()
    # Each beat where the master's beat is heard: the master's time plus under a period of stamping. (The
    # first beat reported is the second clocked: the first clock alone gives no tempo.)
    master = 0.3 + 0.5 * (np.arange(len(beats)) + 1)
    heard = np.array([b.time for b in beats]) - master - 0.0004
    assert np.all((heard > -0.002) & (heard < 256 / 48000 + 0.002)), (heard * 1000).round(1).tolist()


def test_the_band_follows_a_120_bpm_clock_stamped_per_jack_period():
    """The song a 120 BPM master clocks (no start), through the live feed and the engine: the band's beats are
    0.5 s within 0.5 % all the way."""
    from engine.arrange.styles import style_chooser  # noqa: PLC0415
    from engine.clock import VirtualClock  # noqa: PLC0415
    from engine.io.midi_input import read_guitar_file  # noqa: PLC0415
    from engine.io.sinks import RecordingSink  # noqa: PLC0415
    from engine.listen.listener import PlayerSettings  # noqa: PLC0415
    from engine.live.feed import LiveFeed  # noqa: PLC0415
    from engine.live.loop import LiveLoop  # noqa: PLC0415
    from engine.pipeline import Engine, EngineConfig  # noqa: PLC0415

    guitar = read_guitar_file(Path(__file__).parent / "data" / "song-120bpm-for-clock-master.mid")
    end = guitar.duration
    clocks = jack_stamped(0.5 / PPQ * np.arange(int(end / (0.5 / PPQ))), 113)
    feed = LiveFeed(None, clock_in=True)
    arrivals = [([m.status, m.data1, m.data2], m.time) for m in guitar.messages] + [([CLOCK], t) for t in clocks]
    for data, stamp in sorted(arrivals, key=lambda x: x[1]):
        feed.put(data, float(stamp))
    rec = RecordingSink()
    engine = Engine(style_chooser("auto"), 0, [rec], EngineConfig(PlayerSettings().listener_config()))
    LiveLoop(engine, feed, VirtualClock()).play(lambda now: now > end)
    beats = [e for e in rec.events if isinstance(e, Beat) and 2.0 < e.time < end - 1.0]
    assert len(beats) > 15
    bpm = np.array([60.0 / b.period for b in beats])
    assert np.abs(bpm - 120.0).max() <= 0.6, bpm.round(2).tolist()
    assert np.abs(np.diff([b.time for b in beats]) - 0.5).max() <= 0.0025


def test_a_double_tap_read_after_an_engine_stall_is_still_an_ending(tmp_path):
    """Through the live feed: the first tap's release is read, then the engine thread stalls (the clock is at
    14.5 s when it asks for what is due by 13.9 s) while the second press, stamped 14.0 s (0.12 s after the
    release), is still queued. The double-tap window is judged at 13.9 s, the time up to which messages were
    read, so the second press completes the double tap: an ending, no fill. (Judged at the clock's 14.5 s,
    the window had closed before the press was read: two fills, seen live on an overloaded machine.)"""
    from engine.clock import VirtualClock
    from engine.live.feed import LiveFeed

    fmap = load(tmp_path, FULL)
    actions: list[str] = []
    feed = LiveFeed(fmap, on_event=lambda kind, data: actions.append(data["action"]) if kind == "control" else None)
    for data, stamp in (([0xBF, 64, 127], 13.80), ([0xBF, 64, 0], 13.88), ([0xBF, 64, 127], 14.0),
                        ([0xBF, 64, 0], 14.08)):
        feed.put(data, stamp)
    clock = VirtualClock(14.5)                       # the engine thread is half a second late
    cues = feed.pull(clock, 13.9) + feed.pull(clock, 14.51) + feed.pull(clock, 15.0)
    assert actions == ["ending"] and [c.cue for c in cues] == [Cue.ENDING]
