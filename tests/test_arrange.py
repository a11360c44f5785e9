"""The arranger on its own: every style in every key and mode stays on the instrument and in the harmony,
percussion stays on the drum channel, phrases vary, fills close phrases, the band follows the player's
intensity, the register climbs, and each stroke sounds as DOMAIN.md describes."""

from fractions import Fraction

import pytest

from engine.arrange.arranger import Arranger
from engine.arrange.band import DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL, DRUM_CHANNEL
from engine.arrange.dombra import FRETS, chord_pcs, rubs_tonic_chord, tune
from engine.arrange.form import Form
from engine.arrange.patterns import parse_style_text
from engine.arrange.strokes import MAX_RING
from engine.arrange.styles import list_styles, load_style
from engine.state import BeatGrid, MusicalState
from engine.theory import SCALES

STYLES = sorted(list_styles())
MODES = tuple(SCALES)


def state(tonic=2, mode="dorian", loudness=90.0, bpm=100.0) -> MusicalState:
    grid = BeatGrid(anchor_time=0.0, anchor_beat=0, period=60.0 / bpm, beats_per_bar=4, downbeat_phase=0)
    return MusicalState(time=0.0, tonic=tonic, mode=mode, key_confidence=1.0, grid=grid, beat_confidence=1.0,
                        loudness=loudness, last_onset=0.0)


def triads(tonic: int, mode: str) -> list[tuple[int, str]]:
    """The mode's diatonic triads, plus a major V (the guitarist's harmonic-minor habit)."""
    scale = [(tonic + s) % 12 for s in SCALES[mode]]
    out = []
    for i, root in enumerate(scale):
        third, fifth = (scale[(i + 2) % 7] - root) % 12, (scale[(i + 4) % 7] - root) % 12
        out.append((root, "dim" if fifth == 6 else ("maj" if third == 4 else "min")))
    return out + [((tonic + 7) % 12, "maj")]


PROGRESSION = (0, 3, 4, 0, 6, 5, 7, 4, 3, 0)     # I IV V I VII VI V(major) V IV I, one chord per bar


@pytest.mark.parametrize("name", STYLES)
def test_every_style_in_every_key_and_mode_stays_on_the_dombra_and_in_the_harmony(name):
    style = load_style(name)
    bar = style.beats_per_bar
    for tonic in range(12):
        for mode in MODES:
            st = state(tonic, mode)
            dombra = tune(tonic, mode, style.tuning)
            scale = dombra.scale
            chords = triads(tonic, mode)
            arr = Arranger(style, seed=tonic * 7 + len(mode), start=0)
            for b, degree in enumerate(PROGRESSION):
                if b == len(PROGRESSION) - 3:
                    arr.cue("ending")
                chord = chords[degree]
                allowed = scale | chord_pcs(chord)
                notes = arr.query(float(b * bar), float((b + 1) * bar), st, chord=chord, intensity=0.5 + b / 20)
                assert notes or b == 0 or arr.plans[b].section == "out"
                for p in notes:
                    if p.channel == DRUM_CHANNEL:
                        assert 35 <= p.pitch <= 87
                        continue
                    assert p.channel in (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL)
                    assert dombra.low <= p.pitch <= dombra.high + FRETS, (name, tonic, mode, p)
                    assert p.pitch % 12 in allowed, (name, tonic, mode, chord, p)
                    assert 0 < p.duration <= style.ring and 1 <= p.velocity <= 127
            assert [p.section for p in arr.plans[-3:]] == ["ending", "ending", "out"] or \
                arr.plans[-1].section == "out", [p.section for p in arr.plans]


@pytest.mark.parametrize("name", STYLES)
def test_the_dyad_moves_with_iv_and_v_and_drones_over_the_rest(name):
    style = load_style(name)
    d = tune(9, "minor", style.tuning)       # A minor
    assert d.dyad((9, "min")) == (d.low, d.high) == d.dyad((7, "maj")) == d.dyad((5, "maj"))  # i, bVII, bVI: drone
    for chord in ((2, "min"), (4, "maj"), (4, "min")):                                        # iv, V, v
        low, high = d.dyad(chord)
        assert {low % 12, high % 12} <= chord_pcs(chord) and low > d.low
        assert high - low in (0, 5, 7, 12)                                                     # 4ths, 5ths


def test_tunings_put_the_open_dyad_on_the_tonic():
    for tonic in range(12):
        for mode in MODES:
            scale = {(tonic + s) % 12 for s in SCALES[mode]}
            for tuning, interval in (("quartal", 5), ("quintal", 7), ("second", 2), ("unison", 0)):
                d = tune(tonic, mode, tuning)
                assert d.high - d.low == interval
                assert 47 <= d.low <= 53 and d.highest == d.high + 19          # D3 retuned 3 at most
                assert {d.low % 12, d.high % 12} <= scale
                reachable = [low for low in range(47, 54) if {low % 12, (low + interval) % 12} <= scale
                             and tonic in (low % 12, (low + interval) % 12)]
                assert (tonic in (d.low % 12, d.high % 12)) == bool(reachable)
                # the least retuning among those whose open strings do not rub against the tonic triad
                calm = [low for low in reachable if not rubs_tonic_chord(low, interval, tonic, scale)]
                if reachable:
                    assert abs(d.low - 50) == min(abs(low - 50) for low in calm or reachable)


def grid_content(arr: Arranger, plans, notes):
    """Notes of each phrase as (position in phrase, pitch, channel): what the phrase plays, not how loud or
    how humanly late."""
    out: dict[int, set] = {}
    bar_len = arr.style.beats_per_bar
    for p in notes:
        b = int((p.position - arr.start) // bar_len)
        plan = plans[b]
        if not plan.section.startswith("main") and plan.section != "fill":
            continue
        rel = p.position - arr.start - (b - plan.phrase_bar) * bar_len
        out.setdefault(plan.phrase, set()).add((rel, p.pitch, p.channel))
    return out


@pytest.mark.parametrize("name", STYLES)
def test_no_two_consecutive_phrases_are_the_same(name):
    style = load_style(name)
    arr = Arranger(style, seed=11, start=0)
    bars = 2 + 4 * style.variation.phrase
    notes = arr.query(0.0, float(bars * style.beats_per_bar), state(), intensity=0.5)
    phrases = grid_content(arr, arr.plans, notes)
    assert len(phrases) >= 4
    for a in range(min(phrases), max(phrases)):
        assert phrases[a] != phrases[a + 1], f"{name}: phrases {a} and {a + 1} are identical"


REPEATING = '''meter = "2/4"
steps_per_beat = 4
[variation]
melody = 0
repeat = true
climb = 0
fill_every = 0
[main_a]
bars = 0
dombra = "D.DU D.DU"
kepshik_dum = "X... ...."
'''


def test_a_style_may_ask_for_identical_phrases():
    style = parse_style_text(REPEATING)
    arr = Arranger(style, seed=11, start=0)
    notes = arr.query(0.0, 64.0, state())
    phrases = grid_content(arr, arr.plans, notes)
    assert len(phrases) == 4 and phrases[0] == phrases[1] == phrases[2] == phrases[3]


def test_fills_close_every_four_bars_whole_at_phrase_ends_and_main_a_turns_to_main_b():
    style = load_style("tokpe-gallop")
    form = Form(style)
    plans = [form.next_bar(intensity=0.5) for _ in range(2 + 40)]
    assert [p.section for p in plans[:2]] == ["intro", "intro"]
    main = plans[2:]
    for p in main:
        end = p.phrase_bar + 1
        if end % 4 == 0:
            assert p.section == "fill"
            assert p.fill_from == (0 if end == 8 else 4)     # the second half of a 2/4 bar is step 4
        else:
            assert p.section in ("main_a", "main_b")
    assert [p.section for p in main[:16] if p.section != "fill"] == ["main_a"] * 12
    assert {p.section for p in main[16:32]} == {"main_b", "fill"}
    assert main[32].section == "main_a"


def test_a_pause_becomes_a_break_then_an_ending_and_the_band_stops():
    style = load_style("nomad-gallop")
    arr = Arranger(style, seed=2, start=0)
    arr.query(0.0, 24.0, state())                   # intro + main
    arr.pause = True
    arr.query(24.0, 48.0, state())
    sections = [p.section for p in arr.plans[6:]]
    assert sections[:1 + style.section("ending").bars] == ["break"] + ["ending"] * style.section("ending").bars
    assert arr.finished_at == arr.bar_start(6 + 1 + style.section("ending").bars)
    assert all(s == "out" for s in sections[3:])
    assert arr.query(40.0, 48.0, state()) == []


def test_the_guitar_back_during_the_break_resumes_the_main_section_on_a_new_phrase():
    style = load_style("tokpe-gallop")
    form = Form(style)
    for _ in range(5):
        form.next_bar()
    brk = form.next_bar(pause=True)
    back = form.next_bar(pause=False)
    assert brk.section == "break" and back.section == "main_a" and back.phrase_bar == 0
    assert back.phrase == brk.phrase + 1


@pytest.mark.parametrize("name", ["tokpe-gallop", "nomad-gallop", "trot", "tokpe-flow"])
def test_quieter_and_sparser_when_the_guitar_is_quiet(name):
    style = load_style(name)
    span = float(20 * style.beats_per_bar)
    quiet = Arranger(style, seed=4, start=0).query(0.0, span, state(loudness=35), intensity=0.05)
    loud = Arranger(style, seed=4, start=0).query(0.0, span, state(loudness=115), intensity=0.95)
    # The same strokes softer, and fewer of them: a soft, sparse player gets the band on the beats only.
    heard = {(n.position, n.channel, n.pitch): n.velocity for n in loud}
    same = [(n.velocity, heard[(n.position, n.channel, n.pitch)]) for n in quiet
            if (n.position, n.channel, n.pitch) in heard]
    assert same and sum(q for q, _ in same) < 0.8 * sum(v for _, v in same)
    assert len(quiet) < 0.75 * len(loud)
    assert all(n.position.denominator == 1 for n in quiet)


def test_the_register_climbs_with_intensity_over_a_long_piece():
    style = load_style("tokpe-gallop")
    bar = style.beats_per_bar
    hot = Arranger(style, seed=4, start=0)
    notes = hot.query(0.0, float(90 * bar), state(), intensity=1.0)
    levels = [p.level for p in hot.plans]
    assert levels[0] == 0 and max(levels) == 3
    assert all(b - a in (0, 1) for a, b in zip(levels, levels[1:]))            # one step at a time
    early = max(p.pitch for p in notes if p.channel == DOMBRA_CHANNEL and p.position < 16 * bar)
    late = max(p.pitch for p in notes if p.channel == DOMBRA_CHANNEL and p.position > 70 * bar)
    assert late >= early + 10
    cool = Arranger(style, seed=4, start=0)
    cool.query(0.0, float(90 * bar), state(), intensity=0.1)
    assert {p.level for p in cool.plans} == {0}


STROKES = '''meter = "4/4"
steps_per_beat = 2
humanize_ms = 0
humanize_velocity = 0
[variation]
melody = 0
[main_a]
dombra = "D.U.M.P. H.r.T..."
'''


def test_each_stroke_sounds_as_the_dombra_does():
    style = parse_style_text(STROKES.replace('"D.U.M.P. H.r.T..."', '"D.U.M.P.H.r.T..."'))
    st = state(tonic=7, mode="major", bpm=60.0)         # G major, one beat a second: eighths of 0.5 s
    d = tune(7, "major")
    arr = Arranger(style, seed=1, start=0)
    notes = [p for p in arr.query(0.0, 8.0, st) if p.channel in (DOMBRA_CHANNEL, DRUM_CHANNEL)]
    at = {}
    for p in notes:
        at.setdefault(p.position, []).append(p)
    down, up, chop, pluck, hammer, roll, tap = (sorted(at[Fraction(k, 2)], key=lambda p: p.offset)
                                                for k in range(0, 14, 2))
    # Down: low string first, 10-30 ms before the high; up: high first and softer.
    assert [p.pitch for p in down] == [d.low, d.high] and 0.010 <= down[1].offset - down[0].offset <= 0.030
    assert [p.pitch for p in up] == [d.high, d.low] and 0.010 <= up[1].offset - up[0].offset <= 0.030
    assert up[0].velocity < down[0].velocity
    # The chop is damped 40-80 ms after its onset; the pluck is the melody string alone.
    assert all(0.030 <= p.duration <= 0.080 for p in chop) and len(chop) == 2
    assert len(pluck) == 1 and pluck[0].pitch % 12 in d.scale and d.high <= pluck[0].pitch
    # Hammer-on: the dyad, then the next scale note above on the high string, later and softer.
    assert len(hammer) == 3 and hammer[2].pitch > d.high and hammer[2].offset > hammer[1].offset + 0.04
    assert hammer[2].velocity < hammer[0].velocity and hammer[2].pitch % 12 in d.scale
    # Roll: several light alternating strums; tap: a soft side stick on the drum channel.
    assert len(roll) >= 6 and max(p.velocity for p in roll) < down[0].velocity
    assert [(p.channel, p.pitch) for p in tap] == [(DRUM_CHANNEL, 37)] and tap[0].velocity < 60
    assert all(p.duration <= MAX_RING for p in notes)


def test_humanised_timing_and_velocity_within_the_styles_ranges():
    style = load_style("tokpe-gallop")
    notes = Arranger(style, seed=9, start=0).query(0.0, 64.0, state())
    offsets = [p.offset for p in notes if p.channel == DRUM_CHANNEL]
    assert len(set(offsets)) > 20
    assert max(abs(o) for o in offsets) <= 2 * style.humanize_ms / 1000 + 1e-9
    downbeats = [p.velocity for p in notes if p.channel == DRUM_CHANNEL and p.pitch == 77
                 and (p.position % 2) == 0]
    assert len(set(downbeats)) > 3


def test_same_seed_same_notes_other_seed_other_notes():
    style = load_style("shertpe-332")
    a = Arranger(style, seed=1, start=0).query(0.0, 64.0, state())
    b = Arranger(style, seed=1, start=0).query(0.0, 64.0, state())
    c = Arranger(style, seed=2, start=0).query(0.0, 64.0, state())
    assert a == b and a != c


@pytest.mark.parametrize("name", STYLES)
def test_over_a_power_chord_the_dombra_plays_root_and_fifth_and_never_a_third(name):
    style = load_style(name)
    for tonic, mode in ((4, "minor"), (7, "major"), (2, "dorian"), (9, "minor")):
        d = tune(tonic, mode, style.tuning)
        for root in range(12):
            chord = (root, "5")
            thirds = {(root + 3) % 12, (root + 4) % 12}
            for level in range(4):
                assert {p % 12 for p in d.dyad(chord, level)} <= chord_pcs(chord)
            assert not {p % 12 for p in d.melody_notes(chord)} & thirds


@pytest.mark.parametrize("name", ["tokpe-gallop", "nomad-gallop", "shertpe-332"])
def test_a_render_of_power_chord_riffs_has_no_dombra_third_over_a_5_chord(name, monkeypatch):
    # E5 G5 A5 riffs (tests/data/power-chords.mid) through the whole engine: every dombra note planned while
    # the listener hears a power chord is neither third above its root (none is ever invented).
    from pathlib import Path

    from engine.arrange.styles import style_chooser
    from engine.io.midi_input import read_guitar_file
    from engine.io.sinks import RecordingSink
    from engine.pipeline import Engine, run_offline

    planned, query = [], Arranger.query

    def spy(self, begin, end, state, chord=None, intensity=None):
        notes = query(self, begin, end, state, chord, intensity)
        planned.extend((chord, n) for n in notes if n.channel in (DOMBRA_CHANNEL, DOMBRA_LAYER_CHANNEL))
        return notes

    monkeypatch.setattr(Arranger, "query", spy)
    take = read_guitar_file(Path(__file__).resolve().parent / "data" / "power-chords.mid").messages
    run_offline(Engine(style_chooser(name), 0, [RecordingSink()]), take)
    power = [(chord, n.pitch) for chord, n in planned if chord is not None and chord[1] == "5"]
    assert {chord for chord, _ in power} == {(4, "5"), (7, "5"), (9, "5")}
    assert not [(c, p) for c, p in power if (p - c[0]) % 12 in (3, 4)]


@pytest.mark.parametrize("key, chord", [((0, "major"), (4, "7")), ((0, "major"), (2, "7")), ((0, "major"), (9, "min")),
                                        ((9, "minor"), (4, "7")), ((9, "minor"), (11, "dim"))])
def test_no_open_string_sounds_a_semitone_from_the_chord(key, chord):
    # A fresh user's chart, | C | E7 | Am | D7 |, drew a C-F drone under all of it: F against E7's E and
    # D7's F#, and a G natural in the melody against E7's G#. Over a chord an open string would rub against,
    # the dombra frets the chord; its melody takes the chord's own tones (G# for G over E7 in A minor).
    d = tune(*key)
    tones = chord_pcs(chord)
    for p in d.dyad(chord):
        assert p % 12 in tones or not {(p + 1) % 12, (p - 1) % 12} & tones, (p, chord)
    melody = {p % 12 for p in d.melody_notes(chord)}
    foreign = tones - d.scale
    assert foreign <= melody
    assert not {(t + k) % 12 for t in foreign for k in (1, 11)} - tones & melody


def test_a_major_seventh_drone_is_a_colour_not_a_clash():
    d = tune(9, "minor")                                    # E3-A3
    assert d.dyad((5, "maj")) == (d.low, d.high)            # the E drone under F: Fmaj7, the aeolian bVI
