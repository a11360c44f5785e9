"""Band evaluation: the band as its users meet it, the rendered MIDI file as a DAW shows it.

    python bench/band_eval.py [--sets cases,guitarset,examples,bugs,DIR...] [--aqyn PATH] [--style auto]
                              [--render-args "--look-ahead"] [--jobs 2] [--verbose] [--json OUT.json] [--keep DIR]

For every take (IN.mid, with its truth IN.json beside it when there is one) this runs
`aqyn render IN.mid -o OUT.mid --style STYLE [RENDER-ARGS]` as a separate process and reads OUT.mid back the way a DAW
does: the tempo map and time signatures give the time in seconds of every beat and bar line. Nothing here
imports the engine, so the measure survives a refactoring of its internals.

Sets: `cases` (../shared/cases/converter-set-b), `guitarset` (../shared/data/guitarset-dev), `examples`
(examples/ of this repository), `bugs` (../shared/cases/bug-reports: no truth, so only crashes, timing
sanity and, for the pause files, stops derived from the input's own notes), or any folder of NAME.mid +
NAME.json pairs. The shared folder is /work/shared unless AQYN_SHARED names another.

Measurement choices (times in seconds, tolerance TOL = 70 ms everywhere):
* DAW beat = the time signature's beat: a quarter in x/4, a half in x/2, a dotted quarter in 6/8, 9/8 and
  12/8. In 5/8 and 7/8 (and other odd x/8) the file's eighths are compared with the truth's `pulse`; without
  a pulse those stretches are left out of beat F. Bars restart at every time-signature event.
* Band = note-ons of the tracks named dombra and percussion. Its spans are split wherever it is silent for
  more than a bar of the file and at least 2 s. Beats, bars, jumps and meter are taken inside the spans,
  widened by TOL on each side and cut to where the truth knows the beat (its `playing` spans when it has
  them, else its first to last beat, so a band ending past the guitar shows in end_beats, not beat F).
* stops: band note-ons in [start + 1 beat, end - TOL]; "silent after" = the band's last note-on before its
  first silence of over two beats, from the stop's start, in beats.
* beat_f / bar_f: mir_eval.beat.f_measure on the two arrays as they are (no 5 s trim), TOL window.
* max_jump: largest |IBI_k / IBI_(k-1) - 1| of the file's beats, within stretches of one beat unit;
  jumps_at_steps: how many of those over 15 % fall where the player's own beat length changed by more than
  10 % in the eight beats before (issue 11 allows a jump there); "... not at a player's tempo step" counts the
  files with any other.
* pre_entry: every tempo the file shows from the guitar's first note to the band's first note (a change within
  ON_TICK after that note shares its MIDI tick: the note plays at the new tempo), in its DAW
  beats per minute (quarter BPM / 1.5 in 6/8), against the truth's beat rate there: the tempo is judged in
  the file's own beat, so a wrong meter is counted by meter_ok, not here. pre_entry_db: the share of the truth's
  downbeats from the guitar's first note to the band's first note that have a file bar line within TOL (the
  player's bars before the band came in, as a DAW shows them; the file's beats there are the player's as aqyn
  heard them, engine/lead_in.py).
* end_beats / entry_bars: in truth beats at the last chord / the truth's mean bar; entry_s: the same delay in
  seconds (a bar of 2/4, 5/8 or 7/8 is short: four bars of 2/4 take as long as two of 4/4 at one tempo);
  entry_counted: the same delay in the truth's own bars, counted along its downbeats (each bar its own length):
  on a take whose tempo moves, the mean bar is not the bars the guitar played before the entry (the
  e_mixolydian 88-116 ramp's entry on its third downbeat reads 2.30 mean bars, 2.00 counted).
  entry_first_downbeat: the band's first note within TOL of the player's first downbeat, the truth's first at or
  after the guitar's first note less a quarter of the truth's beat there (a strum pushed early is on its
  downbeat; a pickup before it is not); `--render-args "--look-ahead"` is meant to put it there.
* n/N in the tables: N = takes where the check applies, a crashed take failing it; medians and minima are
  over the takes that rendered.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import mido
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AQYN_SHARED", "/work/shared"))
SETS = {
    "cases": SHARED / "cases" / "converter-set-b",
    "guitarset": SHARED / "data" / "guitarset-dev",
    "examples": ROOT / "examples",
    "bugs": SHARED / "cases" / "bug-reports",
}
BAND_TRACKS = ("dombra", "percussion")
TOL = 0.070            # s: beat / bar / entry window
STRUM_GAP = 0.060      # s: note-ons closer than this are one strum
JUMP_LIMIT = 0.15      # relative IBI change counted as a stumble
STEP_LIMIT = 0.10      # relative change of the player's own beat length that is a tempo step (`player_stepped`)
TEMPO_TOL = 0.10       # relative: pre-entry tempo against the truth's
ON_TICK = 0.002        # s: a tempo change this little after the guitar's first note is at its tick (in force at it)
MIN_SILENCE = 2.0      # s: a band silence at least this long (and over a bar) splits its spans
TIMEOUT = 120.0        # s per render


# ------------------------------------------------------------------ reading MIDI like a DAW

def read_midi(path: Path) -> mido.MidiFile:
    """The Standard MIDI File at path, unwrapped from a RIFF RMID container if it is in one."""
    data = Path(path).read_bytes()
    if data[:4] == b"RIFF" and data[8:12] == b"RMID":
        at = data.find(b"data", 12)
        if at < 0:
            raise ValueError("RMID without a data chunk")
        size = int.from_bytes(data[at + 4:at + 8], "little")
        data = data[at + 8:at + 8 + size]
    return mido.MidiFile(file=io.BytesIO(data), clip=True)


def absolute(track: mido.MidiTrack):
    """(absolute tick, message) for every message of a track."""
    tick = 0
    for msg in track:
        tick += msg.time
        yield tick, msg


class Clock:
    """Ticks to seconds for one file: its division and the tempo metas of all its tracks (a zero tempo is
    skipped, as the bug reports allow). SMPTE divisions count seconds as ticks / (fps x ticks per frame)."""

    def __init__(self, mid: mido.MidiFile):
        div = mid.ticks_per_beat
        if div == 0:
            raise ValueError("division 0")
        self.ppq = div if div > 0 else None
        self.smpte_rate = None if div > 0 else (lambda fps, tpf: (29.97 if fps == 29 else fps) * tpf)(
            -(div >> 8), div & 0xFF)
        changes = sorted(((t, m.tempo) for tr in mid.tracks for t, m in absolute(tr)
                          if m.type == "set_tempo" and m.tempo > 0), key=lambda x: x[0])
        self.bad_tempi = sum(1 for tr in mid.tracks for m in tr if m.type == "set_tempo" and m.tempo <= 0)
        ticks, tempi = [0], [500000]
        for t, us in changes:
            if t == ticks[-1]:
                tempi[-1] = us
            else:
                ticks.append(t)
                tempi.append(us)
        self.ticks = np.array(ticks, dtype=float)
        self.us = np.array(tempi, dtype=float)
        spans = np.diff(self.ticks) * self.us[:-1] / 1e6 / (self.ppq or 1)
        self.start_s = np.concatenate([[0.0], np.cumsum(spans)])

    def seconds(self, ticks) -> np.ndarray:
        """Seconds from the start of the file at each tick (array in, array out)."""
        ticks = np.asarray(ticks, dtype=float)
        if self.ppq is None:
            return ticks / self.smpte_rate
        i = np.searchsorted(self.ticks, ticks, side="right") - 1
        return self.start_s[i] + (ticks - self.ticks[i]) * self.us[i] / 1e6 / self.ppq

    def tempi(self) -> list[tuple[float, float]]:
        """(time in s, quarter-note BPM) of every tempo in force, the first at 0 s."""
        return [(float(s), 60e6 / us) for s, us in zip(self.start_s, self.us)]


def note_ons(mid: mido.MidiFile, clock: Clock, names: tuple[str, ...] | None = None) -> np.ndarray:
    """Sorted note-on times (s, velocity > 0) of the tracks named in names (any case), or of all tracks."""
    out = []
    for track in mid.tracks:
        if names is not None and track.name.strip().lower() not in names:
            continue
        out += [t for t, m in absolute(track) if m.type == "note_on" and m.velocity > 0]
    return np.sort(clock.seconds(out)) if out else np.zeros(0)


@dataclass
class Segment:
    """A stretch of one time signature: start and end (s), meter "n/d", the DAW beat in quarter notes and its
    level: "beat", or "eighth" for 5/8, 7/8 and other odd x/8 (compared with a truth pulse)."""
    start: float
    end: float
    meter: str
    unit_q: float
    level: str


@dataclass
class Grid:
    """The file's DAW grid: beat and bar-line times (s), the time-signature segments, the tempi in force."""
    beats: np.ndarray
    bars: np.ndarray
    segments: list[Segment]
    tempi: list[tuple[float, float]]
    bad_tempi: int = 0


def beat_unit(num: int, den: int) -> tuple[float, str]:
    """The DAW beat of a time signature in quarter notes, and its level ("beat" or "eighth")."""
    note = 4.0 / den
    if den == 8 and num > 3 and num % 3 == 0:
        return 3 * note, "beat"          # compound: dotted quarter
    if den == 8 and num > 4 and num % 2 == 1:
        return note, "eighth"            # 5/8, 7/8, 11/8: compared with the truth's pulse
    return note, "beat"


def time_signatures(mid: mido.MidiFile) -> list[tuple[int, int, int]]:
    """(tick, numerator, denominator) of every time signature, 4/4 from tick 0 unless one is there."""
    sigs = sorted(((t, m.numerator, m.denominator) for tr in mid.tracks for t, m in absolute(tr)
                   if m.type == "time_signature"), key=lambda x: x[0])
    out: list[tuple[int, int, int]] = []
    for s in sigs:
        if out and out[-1][0] == s[0]:
            out[-1] = s
        else:
            out.append(s)
    if not out or out[0][0] > 0:
        out.insert(0, (0, 4, 4))
    return out


def daw_grid(mid: mido.MidiFile) -> Grid:
    """Beat and bar-line times (s) of a PPQ file as a DAW draws them, from tick 0 to a bar past its last
    event; bars restart at every time-signature event."""
    clock = Clock(mid)
    if clock.ppq is None:
        raise ValueError("SMPTE division: no bars or beats")
    last = max((t for tr in mid.tracks for t, _ in absolute(tr)), default=0)
    sigs = time_signatures(mid)
    beats, bars, segments = [], [], []
    for k, (start, num, den) in enumerate(sigs):
        unit_q, level = beat_unit(num, den)
        bar_ticks = num * 4.0 / den * clock.ppq
        end = sigs[k + 1][0] if k + 1 < len(sigs) else max(last, start) + bar_ticks
        beats.append(np.arange(start, end, unit_q * clock.ppq))
        bars.append(np.arange(start, end, bar_ticks))
        s0, s1 = clock.seconds([start, end])
        segments.append(Segment(float(s0), float(s1), f"{num}/{den}", unit_q, level))
    return Grid(clock.seconds(np.concatenate(beats)), clock.seconds(np.concatenate(bars)), segments,
                clock.tempi(), clock.bad_tempi)


# ------------------------------------------------------------------ truth

@dataclass
class Truth:
    """Ground truth of a take, times in seconds. Optional fields come from the second simulator."""
    beats: np.ndarray
    downbeats: np.ndarray
    meter: str
    meters: list[tuple[float, str]] = field(default_factory=list)   # (time, meter) changes
    pulse: np.ndarray | None = None                                  # eighths, for 5/8 and 7/8
    playing: list[tuple[float, float]] = field(default_factory=list)
    stops: list[dict] = field(default_factory=list)                  # {start, end, beats}
    last_chord: float | None = None


def _span(x) -> tuple[float, float]:
    """(start, end) in s from {"start", "end"} or a pair."""
    return (float(x["start"]), float(x["end"])) if isinstance(x, dict) else (float(x[0]), float(x[1]))


def _times(x) -> np.ndarray | None:
    """Sorted times (s) from a list of numbers or of {"time"} dicts (or a dict holding such a list)."""
    if x is None:
        return None
    if isinstance(x, dict):
        x = x.get("times", x.get("eighths", []))
    return np.array(sorted(float(v["time"]) if isinstance(v, dict) else float(v) for v in x))


def load_truth(path: Path) -> Truth:
    """A truth JSON (converter-set-b, guitarset-dev, examples or the second simulator's format)."""
    d = json.loads(Path(path).read_text())
    last = d.get("last_chord")
    if isinstance(last, dict):
        last = last.get("time", last.get("start"))
    return Truth(
        beats=_times(d["beats"]), downbeats=_times(d["downbeats"]), meter=str(d.get("meter", "4/4")),
        meters=sorted((float(m["time"]), str(m["meter"])) for m in d.get("meters") or []),
        pulse=_times(d.get("pulse")), playing=[_span(p) for p in d.get("playing") or []],
        stops=[{"start": float(s["start"]), "end": float(s["end"]), "beats": s.get("beats")}
               for s in d.get("stops") or []],
        last_chord=None if last is None else float(last))


def local_ibi(beats: np.ndarray, t: float, around: int = 2) -> float:
    """Median inter-beat interval (s) of the beats within `around` beats of the one nearest t."""
    i = int(np.argmin(np.abs(beats - t)))
    seg = beats[max(0, i - around):i + around + 1]
    if len(seg) < 2:
        seg = beats[-2:] if i > 0 else beats[:2]
    return float(np.median(np.diff(seg)))


def truth_bpm(truth: Truth, t0: float, t1: float, level: str = "beat") -> float | None:
    """The truth's beat rate (per minute) over [t0, t1] (s), widened by a second each side; at the "eighth"
    level its pulse rate (None without a pulse)."""
    ref = truth.pulse if level == "eighth" else truth.beats
    if ref is None or len(ref) < 2:
        return None
    near_ = ref[(ref >= t0 - 1.0) & (ref <= t1 + 1.0)]
    ibi = float(np.median(np.diff(near_))) if len(near_) >= 2 else local_ibi(ref, t0)
    return 60.0 / ibi


# ------------------------------------------------------------------ windows

Window = tuple[float, float]


def bar_length_at(grid: Grid, t: float) -> float:
    """The file's bar length (s) at time t."""
    i = int(np.clip(np.searchsorted(grid.bars, t, side="right") - 1, 0, max(len(grid.bars) - 2, 0)))
    return float(grid.bars[i + 1] - grid.bars[i]) if len(grid.bars) > 1 else MIN_SILENCE


def band_spans(onsets: np.ndarray, grid: Grid) -> list[Window]:
    """(first, last) note-on times (s) of each stretch the band plays, split at silences longer than a bar
    of the file and MIN_SILENCE."""
    if len(onsets) == 0:
        return []
    spans, start = [], onsets[0]
    for a, b in zip(onsets[:-1], onsets[1:]):
        if b - a > max(MIN_SILENCE, bar_length_at(grid, a)):
            spans.append((float(start), float(a)))
            start = b
    spans.append((float(start), float(onsets[-1])))
    return spans


def intersect(a: list[Window], b: list[Window]) -> list[Window]:
    """The parts of time covered by both window lists (s)."""
    out = []
    for a0, a1 in a:
        for b0, b1 in b:
            lo, hi = max(a0, b0), min(a1, b1)
            if hi > lo:
                out.append((lo, hi))
    return sorted(out)


def compare_windows(spans: list[Window], truth: Truth | None) -> list[Window]:
    """The band spans widened by TOL, cut to where the truth knows the beat: its `playing` spans when it
    has them, else its first to last beat (the band's ending past the guitar is end_beats' business)."""
    wide = [(a - TOL, b + TOL) for a, b in spans]
    if truth is None:
        return wide
    known = truth.playing or ([(float(truth.beats[0]), float(truth.beats[-1]))] if len(truth.beats) else [])
    return intersect(wide, [(a - TOL, b + TOL) for a, b in known])


def pieces(windows: list[Window], grid: Grid) -> list[tuple[float, float, Segment]]:
    """The windows cut where the file's DAW beat changes (unit or level); each piece with its segment."""
    out = []
    for seg in grid.segments:
        for a, b in intersect(windows, [(seg.start, seg.end)]):
            prev = out[-1] if out else None
            if prev and abs(prev[1] - a) < 1e-9 and (prev[2].unit_q, prev[2].level) == (seg.unit_q, seg.level):
                out[-1] = (prev[0], b, prev[2])
            else:
                out.append((a, b, seg))
    return out


def inside(times: np.ndarray, windows: list[Window]) -> np.ndarray:
    """The times (s) that fall in any window, sorted."""
    if times is None or len(times) == 0 or not windows:
        return np.zeros(0)
    keep = np.zeros(len(times), dtype=bool)
    for a, b in windows:
        keep |= (times >= a) & (times <= b)
    return np.unique(times[keep])


# ------------------------------------------------------------------ metrics

def match_scores(est: np.ndarray, ref: np.ndarray) -> dict:
    """F-measure (mir_eval.beat.f_measure, no trimming), precision and recall of estimated against reference
    event times (s) within TOL; None when there is no reference."""
    import mir_eval

    est, ref = np.unique(np.asarray(est, float)), np.unique(np.asarray(ref, float))
    if len(ref) == 0:
        return {"f": None, "p": None, "r": None, "n_est": len(est), "n_ref": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = float(mir_eval.beat.f_measure(ref, est, f_measure_threshold=TOL))
    hits = len(mir_eval.util.match_events(ref, est, TOL)) if len(est) else 0
    return {"f": f, "p": hits / len(est) if len(est) else 0.0, "r": hits / len(ref),
            "n_est": len(est), "n_ref": len(ref)}


def beat_scores(grid: Grid, windows: list[Window], truth: Truth) -> dict:
    """Beat F of the file's DAW beats in the windows against the truth beats there; where the file is in an
    odd x/8, its eighths against the truth's pulse (left out when the truth has none: `skipped_s`)."""
    est, ref, skipped = [], [], 0.0
    for a, b, seg in pieces(windows, grid):
        if seg.level == "eighth" and truth.pulse is None:
            skipped += b - a
            continue
        est.append(inside(grid.beats, [(a, b)]))
        ref.append(inside(truth.pulse if seg.level == "eighth" else truth.beats, [(a, b)]))
    if not est:
        return {"f": None, "p": None, "r": None, "skipped_s": round(skipped, 3)}
    scores = match_scores(np.concatenate(est), np.concatenate(ref))
    return {**scores, "skipped_s": round(skipped, 3)}


def ibi_jumps(beats: np.ndarray) -> np.ndarray:
    """|IBI_k / IBI_(k-1) - 1| for consecutive beats (s)."""
    ibi = np.diff(beats)
    return np.abs(ibi[1:] / ibi[:-1] - 1.0) if len(ibi) >= 2 else np.zeros(0)


def player_stepped(truth_beats: np.ndarray, t: float) -> bool:
    """True when the player's tempo stepped shortly before `t` (s): the median of their beats' lengths over the
    four beats from eight to four before the beat nearest t and over the three around it differ by more than
    STEP_LIMIT. Issue 11 allows the band a jump there ("unless the player's tempo really jumped")."""
    i = int(np.argmin(np.abs(truth_beats - t)))
    before, after = np.diff(truth_beats[max(0, i - 8):max(0, i - 3)]), np.diff(truth_beats[max(0, i - 1):i + 3])
    if len(before) < 2 or len(after) < 2:
        return False
    return abs(np.log(np.median(after) / np.median(before))) > np.log(1 + STEP_LIMIT)


def jump_scores(grid: Grid, windows: list[Window], truth: Truth | None = None) -> dict:
    """Largest relative beat-interval change of the file's beats in the windows, and how many exceed
    JUMP_LIMIT; stretches of different beat units are not compared with each other. With a truth, also how
    many of those fall where the player's tempo stepped (`player_stepped`, at the jump's middle beat)."""
    jumps, at_steps = [], 0
    for a, b, _ in pieces(windows, grid):
        beats = inside(grid.beats, [(a, b)])
        jumps.append(ibi_jumps(beats))
        # in 5/8 and 7/8 the player's tempo from their eighths (their beats are groups of 2 and 3 eighths)
        ref = None if truth is None else truth.pulse if truth.pulse is not None else truth.beats
        if ref is not None and len(jumps[-1]):
            at_steps += sum(player_stepped(ref, float(t)) for t in beats[1:-1][jumps[-1] > JUMP_LIMIT])
    jumps = np.concatenate(jumps) if jumps else np.zeros(0)
    step = {"jumps_at_steps": at_steps} if truth is not None else {}
    if len(jumps) == 0:
        return {"max_jump": None, "jumps_over": 0} | step
    return {"max_jump": float(jumps.max()), "jumps_over": int((jumps > JUMP_LIMIT).sum())} | step


def meter_in(windows: list[Window], meter_spans: list[tuple[float, float, str]]) -> dict[str, float]:
    """Seconds of the windows spent in each meter of (start, end, meter) spans."""
    out: dict[str, float] = {}
    for a, b, meter in meter_spans:
        for lo, hi in intersect(windows, [(a, b)]):
            out[meter] = out.get(meter, 0.0) + hi - lo
    return out


def truth_meter_spans(truth: Truth, end: float) -> list[tuple[float, float, str]]:
    """(start, end, meter) of the truth's meters up to `end` (s)."""
    changes = [(-1e9, truth.meter)] + list(truth.meters)
    return [(t, changes[k + 1][0] if k + 1 < len(changes) else end, m) for k, (t, m) in enumerate(changes)]


def meter_scores(grid: Grid, windows: list[Window], truth: Truth | None) -> dict:
    """The file's meter for most of the windows, the truth's, strict equality, and the share of the window
    time (0-1) where the two meters agree."""
    file_spans = [(s.start, s.end, s.meter) for s in grid.segments]
    by = meter_in(windows, file_spans)
    out = {"meter_out": max(by, key=by.get) if by else None}
    if truth is None:
        return out
    end = max([b for _, b in windows] + [grid.segments[-1].end])
    true_by = meter_in(windows, truth_meter_spans(truth, end))
    out["meter_true"] = max(true_by, key=true_by.get) if true_by else truth.meter
    out["meter_ok"] = out["meter_out"] == out["meter_true"]
    out["meter_agree"] = agreement(windows, file_spans, truth_meter_spans(truth, end))
    return out


def agreement(windows: list[Window], spans: list, true_spans: list) -> float | None:
    """Share (0-1) of the windows' time where two lists of (start, end, meter) spans name the same meter."""
    same = [(max(a, c), min(b, d)) for a, b, m in spans for c, d, n in true_spans if m == n and min(b, d) > max(a, c)]
    total = sum(b - a for a, b in windows)
    return sum(hi - lo for lo, hi in intersect(windows, same)) / total if total > 0 else None


def bar_count(t: float, downbeats: np.ndarray) -> float:
    """Where t (s) falls in the truth's bars: the index of the downbeat at or before it plus the share of that bar
    gone by, each bar its own length (before the first downbeat and after the last, the first's or last's
    length); needs two downbeats or more."""
    k = int(np.clip(np.searchsorted(downbeats, t, side="right") - 1, 0, len(downbeats) - 2))
    return k + (t - downbeats[k]) / (downbeats[k + 1] - downbeats[k])


def near(t: float, refs: np.ndarray, tol: float = TOL) -> bool:
    """Whether time t (s) is within tol of any reference time."""
    return bool(len(refs)) and bool(np.min(np.abs(refs - t)) <= tol)


def first_downbeat(guitar_first: float, truth: Truth) -> np.ndarray:
    """The player's first downbeat (s) as a one-element array (empty when the truth has none after the guitar's
    first note): the truth's first at or after `guitar_first` less a quarter of its beat there."""
    early = 0.25 * local_ibi(truth.beats, guitar_first) if len(truth.beats) > 1 else TOL
    after = truth.downbeats[truth.downbeats >= guitar_first - max(early, TOL)]
    return after[:1]


def entry_scores(band_first: float, guitar_first: float, grid: Grid, truth: Truth) -> dict:
    """Entry delay in truth bars (the truth's mean bar) and in seconds (`entry_s`), whether the band's first
    note and the file's first bar line after it fall on a truth downbeat (within TOL)."""
    bar = float(np.mean(np.diff(truth.downbeats))) if len(truth.downbeats) > 1 else None
    after = grid.bars[grid.bars >= band_first - TOL]
    counted = bar_count(band_first, truth.downbeats) - bar_count(guitar_first, truth.downbeats) if bar else None
    return {"entry_bars": (band_first - guitar_first) / bar if bar else None, "entry_s": band_first - guitar_first,
            "entry_counted": counted,
            "entry_on_downbeat": near(band_first, truth.downbeats),
            "entry_first_downbeat": near(band_first, first_downbeat(guitar_first, truth)),
            "first_bar_on_downbeat": near(float(after[0]), truth.downbeats) if len(after) else False}


def last_strum(onsets: np.ndarray, gap: float = STRUM_GAP) -> float | None:
    """Onset (s) of the last strum: note-ons chained by gaps of at most `gap` s are one strum."""
    if len(onsets) == 0:
        return None
    k = len(onsets) - 1
    while k > 0 and onsets[k] - onsets[k - 1] <= gap:
        k -= 1
    return float(onsets[k])


def end_scores(band_last: float, last_chord: float, truth_beats: np.ndarray) -> dict:
    """The band's last note-on after the guitar's last chord, in truth beats at that point (target +-1)."""
    beats = (band_last - last_chord) / local_ibi(truth_beats, last_chord)
    return {"end_beats": beats, "end_ok": abs(beats) <= 1.0}


def silence_start(band: np.ndarray, start: float, end: float, beat: float) -> float | None:
    """When (s) the band, after `start`, first plays its last note-on before a silence of over two beats
    that begins before `end`; None if it never does."""
    prev = start
    for t in band[(band >= start) & (band < end)]:
        if t - prev > 2 * beat:
            return float(prev)
        prev = t
    return float(prev) if end - prev > 2 * beat else None


def stop_scores(band: np.ndarray, stops: list[dict], beat_at) -> dict:
    """For each stop of at least a beat: band note-ons in [start + 1 beat, end - TOL] (should be none), when
    the band went silent and when it came back (first note-on from end - TOL on), both in beats;
    beat_at(t) gives the beat length (s) at time t."""
    rows = []
    for s in stops:
        beat = beat_at(s["start"])
        length = s["beats"] if s.get("beats") is not None else (s["end"] - s["start"]) / beat
        if length < 1:
            continue
        n = int(((band >= s["start"] + beat) & (band <= s["end"] - TOL)).sum())
        quiet = silence_start(band, s["start"], s["end"], beat)
        back = band[band >= s["end"] - TOL]
        rows.append({"start": s["start"], "end": s["end"], "notes_in_stop": n,
                     "silent_after_beats": None if quiet is None else (quiet - s["start"]) / beat,
                     "return_beats": float((back[0] - s["end"]) / beat) if len(back) else None})
    if not rows:
        return {}
    return {"stops": rows, "stop_ok": all(r["notes_in_stop"] == 0 for r in rows)}


def input_stops(onsets: np.ndarray, beat: float, min_rest: float = MIN_SILENCE * 2) -> list[dict]:
    """Rests in the guitar's own notes (for takes without truth): from where the next strum after the last
    one would have come (last strum + its strum interval) to the first note after a gap over min_rest s."""
    strums = strum_onsets(onsets)
    if len(strums) < 3:
        return []
    step = float(np.median(np.diff(strums)))
    return [{"start": float(a + step), "end": float(b), "beats": (b - a - step) / beat}
            for a, b in zip(strums[:-1], strums[1:]) if b - a > min_rest]


def strum_onsets(onsets: np.ndarray, gap: float = STRUM_GAP) -> np.ndarray:
    """The first onset (s) of every strum (note-ons chained by gaps of at most `gap` s)."""
    if len(onsets) == 0:
        return onsets
    return onsets[np.concatenate([[True], np.diff(onsets) > gap])]


def input_beat(onsets: np.ndarray) -> float | None:
    """A beat length (s) from the guitar's own strums, for takes without truth: the median strum interval
    doubled or halved into 0.4-0.8 s (75-150 BPM)."""
    strums = strum_onsets(onsets)
    if len(strums) < 3:
        return None
    beat = float(np.median(np.diff(strums)))
    while beat < 0.4:
        beat *= 2
    while beat > 0.8:
        beat /= 2
    return beat


def segment_at(grid: Grid, t: float) -> Segment:
    """The file's time-signature segment in force at time t (s)."""
    return next((seg for seg in reversed(grid.segments) if seg.start <= t), grid.segments[0])


def pre_entry_scores(grid: Grid, guitar_first: float, band_first: float, truth: Truth | None) -> dict:
    """Every tempo the file shows from the guitar's first note to the band's first note, in the file's DAW
    beats per minute (quarter BPM / beat in quarters), and whether all are within TEMPO_TOL of the truth's
    beat rate there (its pulse where the file counts eighths)."""
    if band_first <= guitar_first:
        return {}
    shown = []
    for k, (t, qbpm) in enumerate(grid.tempi):
        if t < band_first and (k + 1 == len(grid.tempi) or grid.tempi[k + 1][0] > guitar_first + ON_TICK):
            seg = segment_at(grid, max(t, guitar_first))
            shown.append((qbpm / seg.unit_q, seg.level))
    out = {"pre_entry_bpm": [round(min(b for b, _ in shown), 2), round(max(b for b, _ in shown), 2)]}
    if truth is None:
        return out
    pre = truth.downbeats[(truth.downbeats >= guitar_first - TOL) & (truth.downbeats < band_first - TOL)]
    if len(pre):
        out["pre_entry_db"] = round(sum(near(float(d), grid.bars) for d in pre) / len(pre), 3)
    ref = {lv: truth_bpm(truth, guitar_first, band_first, lv) for lv in {lv for _, lv in shown}}
    if all(ref.values()):
        out["truth_bpm"] = round(ref[shown[0][1]], 2)
        out["pre_entry_bpm_ok"] = all(abs(b / ref[lv] - 1) <= TEMPO_TOL for b, lv in shown)
    return out


def sanity_problems(grid: Grid, band: np.ndarray, guitar_out: np.ndarray, guitar_in: np.ndarray | None) -> list:
    """Timing sanity of an output file: tempi readable and in 20-400 quarter BPM, band notes present, the
    copied guitar track at the input's times (within 10 ms), no band note over 30 s after the guitar's last."""
    bad = []
    if grid.bad_tempi:
        bad.append(f"{grid.bad_tempi} tempo metas of 0")
    out_of_range = [b for _, b in grid.tempi if not 20 <= b <= 400]
    if out_of_range:
        bad.append(f"tempo {out_of_range[0]:.1f} BPM")
    if len(band) == 0:
        bad.append("no band notes")
    if guitar_in is not None:
        if len(guitar_in) != len(guitar_out):
            bad.append(f"guitar track has {len(guitar_out)} note-ons, input {len(guitar_in)}")
        elif len(guitar_in) and np.max(np.abs(guitar_in - guitar_out)) > 0.010:
            bad.append(f"guitar track moved by up to {np.max(np.abs(guitar_in - guitar_out)) * 1000:.0f} ms")
        if len(band) and len(guitar_in) and band[-1] > guitar_in[-1] + 30:
            bad.append(f"band plays {band[-1] - guitar_in[-1]:.0f} s past the guitar")
    return bad


# ------------------------------------------------------------------ one take

@dataclass
class Take:
    """One input file of a set, with its truth JSON when there is one."""
    set: str
    name: str
    midi: Path
    truth: Path | None


def run_render(aqyn: str, src: Path, out: Path, style: str, extra: tuple[str, ...] = ()) -> dict:
    """Run `aqyn render` as a process (`extra`: more of its options): exit code, crash (exit code != 0 or a
    traceback on stderr), the last stderr line and the wall time (s)."""
    cmd = [aqyn, "render", str(src), "-o", str(out), "--style", style, *extra]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"crash": True, "exit_code": None, "traceback": False, "timeout": True,
                "message": f"timeout after {TIMEOUT:.0f} s", "render_s": time.perf_counter() - t0}
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    tb = "Traceback (most recent call last)" in proc.stderr
    played = re.search(r", style (\S+),", proc.stdout)      # the style auto chose (render's summary line)
    res = {"crash": proc.returncode != 0 or tb, "exit_code": proc.returncode, "traceback": tb,
           "timeout": False, "message": lines[-1].strip() if lines else "", "render_s": time.perf_counter() - t0,
           "style": played[1] if played else None}
    if not res["crash"] and not out.exists():
        res.update(crash=True, message="exit 0 but no output file")
    return res


def input_onsets(path: Path) -> np.ndarray | None:
    """The guitar's note-on times (s) in the input file, or None when it cannot be read."""
    try:
        mid = read_midi(path)
        return note_ons(mid, Clock(mid))
    except Exception:
        return None


def truth_scores(grid: Grid, band: np.ndarray, windows: list[Window], guitar: np.ndarray, truth: Truth) -> dict:
    """The metrics that need the truth: beat F, bar F, entry, end, stops, pre-entry tempo."""
    res = {"beat": beat_scores(grid, windows, truth),
           "bar": match_scores(inside(grid.bars, windows), inside(truth.downbeats, windows))}
    first, last = float(band[0]), float(band[-1])
    res.update(entry_scores(first, float(guitar[0]), grid, truth))
    chord = truth.last_chord if truth.last_chord is not None else last_strum(guitar)
    res["last_chord"] = chord
    res.update(end_scores(last, chord, truth.beats))
    res.update(stop_scores(band, truth.stops, lambda t: local_ibi(truth.beats, t)))
    res.update(pre_entry_scores(grid, float(guitar[0]), first, truth))
    return res


def measure(out: Path, src: Path, truth: Truth | None, pause: bool) -> dict:
    """Every metric of one rendered file `out` of input `src` (see the module docstring)."""
    mid = read_midi(out)
    grid, clock = daw_grid(mid), Clock(mid)
    band = note_ons(mid, clock, BAND_TRACKS)
    guitar_out = note_ons(mid, clock, ("guitar",))
    guitar_in = input_onsets(src)
    res: dict = {"band_notes": int(len(band)), "sanity": sanity_problems(grid, band, guitar_out, guitar_in)}
    guitar = guitar_in if guitar_in is not None and len(guitar_in) else guitar_out
    if len(band) == 0 or len(guitar) == 0:
        return res
    spans = band_spans(band, grid)
    windows = compare_windows(spans, truth)
    res["band_spans"] = [[round(a, 3), round(b, 3)] for a, b in spans]
    res.update(jump_scores(grid, windows, truth))
    res.update(meter_scores(grid, windows, truth))
    if truth is not None:
        res.update(truth_scores(grid, band, windows, guitar, truth))
    elif pause:
        beat = input_beat(guitar)
        if beat:
            res["input_beat_s"] = beat
            res.update(stop_scores(band, input_stops(guitar, beat), lambda t: beat))
    return res


def evaluate(take: Take, aqyn: str, style: str, out_dir: str, extra: tuple[str, ...] = ()) -> dict:
    """Render one take (`extra`: more render options) and measure it; a failure of the measurement itself is
    recorded as `eval_error`."""
    truth = load_truth(take.truth) if take.truth else None
    pause = truth is None and "pause" in take.name
    row = {"set": take.set, "take": take.name, "input": str(take.midi), "has_truth": truth is not None,
           "has_stops": bool(truth and any(_stop_beats(s, truth) >= 1 for s in truth.stops)) or pause}
    out = Path(out_dir) / f"{take.name}.mid"
    row.update(run_render(aqyn, take.midi, out, style, extra))
    if not row["crash"]:
        try:
            row.update(measure(out, take.midi, truth, pause))
        except Exception as exc:  # the file a DAW would open could not be measured: say so, keep going
            row["eval_error"] = f"{type(exc).__name__}: {exc}"
    return row


def _stop_beats(stop: dict, truth: Truth) -> float:
    """A truth stop's length in beats (its `beats`, else measured in the truth's local beat)."""
    if stop.get("beats") is not None:
        return float(stop["beats"])
    return (stop["end"] - stop["start"]) / local_ibi(truth.beats, stop["start"])


# ------------------------------------------------------------------ tables

def fmt(v, nd: int = 2) -> str:
    """A number for a table cell ("–" for none)."""
    if v is None:
        return "–"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return f"{v:.{nd}f}" if isinstance(v, float) else str(v)


def get(row: dict, path: str):
    """row["a"]["b"] for path "a.b", None when any part is missing."""
    for key in path.split("."):
        row = row.get(key) if isinstance(row, dict) else None
    return row


def passed(rows: list[dict], path: str, ok, applies) -> str:
    """"n/N": N = crashed takes the check applies to plus rendered takes with a value; n = rendered passes."""
    vals = [get(r, path) for r in rows if not r["crash"]]
    n_total = sum(1 for r in rows if r["crash"] and applies(r)) + sum(v is not None for v in vals)
    return f"{sum(1 for v in vals if v is not None and ok(v))}/{n_total}" if n_total else "–"


def stat(rows: list[dict], path: str, how) -> float | None:
    """A statistic (median, min, max) of a metric over the rendered takes that have it."""
    vals = [get(r, path) for r in rows if not r["crash"] and get(r, path) is not None]
    return float(how(vals)) if vals else None


def aggregate(rows: list[dict]) -> dict:
    """One row of aggregates over a set's takes."""
    truth = lambda r: r["has_truth"]  # noqa: E731
    jumpy = [r for r in rows if not r["crash"] and r.get("max_jump") is not None]
    return {
        "takes": len(rows),
        "crashes": sum(r["crash"] for r in rows),
        "tracebacks": sum(bool(r.get("traceback")) for r in rows),
        "beat_f_median": stat(rows, "beat.f", statistics.median),
        "beat_f_min": stat(rows, "beat.f", min),
        "beat_f_ge_085": passed(rows, "beat.f", lambda v: v >= 0.85, truth),
        "max_jump_median": stat(rows, "max_jump", statistics.median),
        "max_jump_max": stat(rows, "max_jump", max),
        "files_with_jumps": f"{sum(r['jumps_over'] > 0 for r in jumpy)}/{len(jumpy)}",
        "files_with_jumps_off_steps":
            f"{sum(r['jumps_over'] > r.get('jumps_at_steps', 0) for r in jumpy)}/{len(jumpy)}",
        "meter_ok": passed(rows, "meter_ok", bool, truth),
        "bar_f_median": stat(rows, "bar.f", statistics.median),
        "entry_bars_median": stat(rows, "entry_bars", statistics.median),
        "entry_s_median": stat(rows, "entry_s", statistics.median),
        "entry_counted_median": stat(rows, "entry_counted", statistics.median),
        "entry_on_downbeat": passed(rows, "entry_on_downbeat", bool, truth),
        "entry_first_downbeat": passed(rows, "entry_first_downbeat", bool, truth),
        "end_within_1_beat": passed(rows, "end_ok", bool, truth),
        "stops_ok": passed(rows, "stop_ok", bool, lambda r: r["has_stops"]),
        "pre_entry_bpm_ok": passed(rows, "pre_entry_bpm_ok", bool, truth),
        "pre_entry_db_all": passed(rows, "pre_entry_db", lambda v: v == 1.0, truth),
        "sanity_ok": passed(rows, "sanity", lambda v: not v, lambda r: True),
    }


AGG_COLUMNS = [
    ("takes", "takes"), ("crashes (tracebacks)", None), ("beat F med / min", None), ("F ≥ 0.85", "beat_f_ge_085"),
    ("max jump med / max", None), ("files with jumps > 15 %", "files_with_jumps"),
    ("... not at a player's tempo step", "files_with_jumps_off_steps"), ("meter ok", "meter_ok"),
    ("bar F med", "bar_f_median"), ("entry bars med", "entry_bars_median"),
    ("entry s med", "entry_s_median"), ("entry bars counted med", "entry_counted_median"),
    ("entry on downbeat", "entry_on_downbeat"), ("entry on first downbeat", "entry_first_downbeat"),
    ("end ±1 beat", "end_within_1_beat"), ("stops ok", "stops_ok"),
    ("pre-entry tempo ok", "pre_entry_bpm_ok"), ("pre-entry bar lines on db", "pre_entry_db_all"),
    ("sanity ok", "sanity_ok"),
]


def aggregate_table(agg: dict) -> list[str]:
    """The markdown lines of a set's one-row aggregate table."""
    special = {"crashes (tracebacks)": f"{agg['crashes']} ({agg['tracebacks']})",
               "beat F med / min": f"{fmt(agg['beat_f_median'])} / {fmt(agg['beat_f_min'])}",
               "max jump med / max": f"{fmt(agg['max_jump_median'])} / {fmt(agg['max_jump_max'])}"}
    cells = [special[h] if key is None else fmt(agg[key]) for h, key in AGG_COLUMNS]
    return ["| " + " | ".join(h for h, _ in AGG_COLUMNS) + " |", "|" + "---|" * len(AGG_COLUMNS),
            "| " + " | ".join(cells) + " |"]


TAKE_COLUMNS = ["take", "crash / exit", "beat F (P/R)", "max jump (>15 %)", "meter out vs true", "bar F",
                "1st bar on db", "entry bars (s)", "entry on db", "end beats", "stops: notes, silent, back",
                "pre-entry BPM (truth)", "pre-entry db on bars", "sanity", "band notes", "render s"]


def stops_cell(row: dict) -> str:
    """Per stop: band notes inside it, beats until the band went silent, beats until it came back."""
    if not row.get("stops"):
        return "–"
    return "; ".join(f"{s['notes_in_stop']}, {fmt(s['silent_after_beats'], 1)}, {fmt(s['return_beats'], 1)}"
                     for s in row["stops"])


def take_cells(r: dict) -> list[str]:
    """The verbose table's cells for one take."""
    if r["crash"]:
        msg = r["message"].replace("|", "/")[:90]
        return [r["take"], f"{'traceback' if r.get('traceback') else 'exit'} {r['exit_code']}: {msg}"] + \
            ["–"] * (len(TAKE_COLUMNS) - 3) + [fmt(r["render_s"], 1)]
    beat, pre = r.get("beat") or {}, r.get("pre_entry_bpm")
    return [
        r["take"], f"exit {r['exit_code']}" + (f" ({r['eval_error']})" if r.get("eval_error") else ""),
        f"{fmt(beat.get('f'))} ({fmt(beat.get('p'))}/{fmt(beat.get('r'))})",
        f"{fmt(r.get('max_jump'))} ({r.get('jumps_over', '–')}"
        + (f", {r['jumps_at_steps']} at a step)" if r.get("jumps_at_steps") else ")"),
        f"{r.get('meter_out') or '–'} vs {r.get('meter_true') or '–'}", fmt(get(r, "bar.f")),
        fmt(r.get("first_bar_on_downbeat")), f"{fmt(r.get('entry_bars'), 1)} ({fmt(r.get('entry_s'), 1)} s)",
        fmt(r.get("entry_on_downbeat")),
        fmt(r.get("end_beats"), 1), stops_cell(r),
        f"{pre[0]:.0f}-{pre[1]:.0f} ({fmt(r.get('truth_bpm'), 0)})" if pre else "–", fmt(r.get("pre_entry_db")),
        "ok" if not r.get("sanity") else "; ".join(r["sanity"]), fmt(r.get("band_notes")),
        fmt(r["render_s"], 1)]


def take_table(rows: list[dict]) -> list[str]:
    """The markdown lines of the per-take table."""
    lines = ["| " + " | ".join(TAKE_COLUMNS) + " |", "|" + "---|" * len(TAKE_COLUMNS)]
    return lines + ["| " + " | ".join(take_cells(r)) + " |" for r in rows]


# ------------------------------------------------------------------ command line

MIDI_SUFFIXES = (".mid", ".midi", ".rmi")


def discover(spec: str) -> tuple[str, Path, list[Take]]:
    """A set's label, folder and takes: every MIDI file there, with NAME.json beside it as its truth
    (the bugs set has none)."""
    folder = SETS.get(spec, Path(spec)).resolve()
    if not folder.is_dir():
        raise SystemExit(f"band_eval: no such set or folder: {spec}")
    label = spec if spec in SETS else folder.name
    takes = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in MIDI_SUFFIXES):
        truth = path.with_suffix(".json")
        takes.append(Take(label, path.stem, path, truth if truth.exists() and spec != "bugs" else None))
    return label, folder, takes


def truth_takes(sets: str, only: list[str]):
    """Yield (take, output path in a temporary folder) for every take with a truth JSON in the comma-separated
    `sets` (names or folders, as `discover`) whose name holds one of `only` (all when empty): the loop of the
    per-take tracing scripts (band_gap.py, band_jumps.py). The folder is removed when the loop ends."""
    with tempfile.TemporaryDirectory() as tmp:
        for spec in sets.split(","):
            for take in discover(spec)[2]:
                if take.truth is not None and (not only or any(n in take.name for n in only)):
                    yield take, Path(tmp) / f"{take.name}.mid"


def rounded(x):
    """x with floats rounded to 4 decimals, for the JSON file."""
    if isinstance(x, float):
        return round(x, 4)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [rounded(v) for v in x]
    if isinstance(x, np.generic):
        return rounded(x.item())
    return x


def default_aqyn() -> str:
    """The repository's .venv/bin/aqyn, else aqyn on PATH."""
    own = ROOT / ".venv" / "bin" / "aqyn"
    return str(own) if own.exists() else (shutil.which("aqyn") or str(own))


def commit() -> str | None:
    """The repository's checked-out commit, for the record."""
    try:
        return subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except Exception:
        return None


def run_set(spec: str, args, pool: ProcessPoolExecutor, out_root: Path) -> dict:
    """Render and measure every take of one set; print its tables."""
    label, folder, takes = discover(spec)
    out_dir = out_root / label
    out_dir.mkdir(parents=True, exist_ok=True)
    extra = tuple(shlex.split(args.render_args))
    futures = [pool.submit(evaluate, t, args.aqyn, args.style, str(out_dir), extra) for t in takes]
    rows = []
    for take, fut in zip(takes, futures):
        rows.append(fut.result())
        print(f"  {label}/{take.name}: {'CRASH ' + rows[-1]['message'] if rows[-1]['crash'] else 'ok'}",
              file=sys.stderr, flush=True)
    agg = aggregate(rows)
    print(f"\n### {label} ({folder})\n")
    print("\n".join(aggregate_table(agg)))
    if args.verbose:
        print()
        print("\n".join(take_table(rows)))
    return {"folder": str(folder), "aggregate": agg, "takes": rows}


def parse_args(argv=None):
    """The command line (see the module docstring)."""
    ap = argparse.ArgumentParser(description="Measure aqyn's band in its rendered MIDI files, as a DAW shows them.")
    ap.add_argument("--sets", default="cases,guitarset,examples,bugs",
                    help="comma-separated: cases, guitarset, examples, bugs, or folders of NAME.mid + NAME.json")
    ap.add_argument("--aqyn", default=default_aqyn(), help="the aqyn command (default: the repo's .venv)")
    ap.add_argument("--style", default="auto")
    ap.add_argument("--render-args", default="", help='more `aqyn render` options, e.g. "--look-ahead"')
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--verbose", action="store_true", help="a row per take too")
    ap.add_argument("--json", type=Path, help="write every per-take metric here")
    ap.add_argument("--keep", type=Path, help="keep the rendered MIDI files here (DIR/SET/NAME.mid)")
    return ap.parse_args(argv)


def main(argv=None) -> int:
    """Run every set given, print its tables, write the JSON report; exit code 0 (crashes are results)."""
    args = parse_args(argv)
    report = {"aqyn": args.aqyn, "style": args.style, "render_args": args.render_args, "commit": commit(), "sets": {}}
    with tempfile.TemporaryDirectory(prefix="band_eval-") as tmp, \
            ProcessPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        out_root = args.keep or Path(tmp)
        for spec in [s.strip() for s in args.sets.split(",") if s.strip()]:
            label = spec if spec in SETS else Path(spec).resolve().name
            report["sets"][label] = run_set(spec, args, pool, out_root)
    if args.json:
        args.json.write_text(json.dumps(rounded(report), indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
