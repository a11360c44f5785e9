"""Scores for key, beat, tempo, downbeat and chord estimates, with mir_eval's default parameters.

Times are seconds, tempi beats per minute, keys (tonic, mode) tuples such as ("Gb", "major"); tonics are
compared by pitch class, so enharmonic spellings are equal (Gb == F#).

* `key_score`: the MIREX weighted score, with the fifth credited in both directions (mir_eval's
  `key.weighted_score` credits only a fifth above the reference; MIREX counts both).
* `beat_scores`: F-measure (+-70 ms), CMLt and AMLt (0.175 tolerance), after `mir_eval.beat.trim_beats`
  (beats before 5 s are ignored), as `mir_eval.beat.evaluate` does.
* `tempo_scores`: strict (within 4 % of 60 / median reference inter-beat interval) and octave-tolerant
  (the estimate times 2, 1/2, 3 or 1/3 may also fall within 4 %).
* `downbeat_f`: the beat F-measure on downbeats (also trimmed at 5 s).
* `chord_scores`: duration-weighted `mir_eval.chord` root and majmin (and sevenths), after cropping or
  padding the estimate to the reference's span and merging both segmentations, as
  `mir_eval.chord.evaluate` does; and `majmin (5 = maj)`, majmin with an estimated power chord `X:5` read
  as `X:maj` (`as_lead_sheet`): a lead sheet writes E for what a guitarist plays as E5, so against
  references that know only major and minor (GuitarSet's, the simulators') a correctly heard power chord
  would otherwise score as wrong. Both are reported: majmin as it is, and this one beside it.
"""

from __future__ import annotations

import warnings

import numpy as np

NAMES = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_STEPS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


def pitch_class(tonic: str) -> int:
    """Pitch class (0-11) of a tonic spelled with any number of # / b ("Gb", "F#", "Cb", "E#")."""
    tonic = tonic.strip()
    pc = _STEPS[tonic[0].upper()]
    for ch in tonic[1:]:
        pc += {"#": 1, "b": -1}.get(ch, 0)
    return pc % 12


def _key_string(key: tuple[str, str]) -> str:
    """mir_eval key string ("F# major") with a canonical enharmonic spelling."""
    tonic, mode = key
    mode = mode.lower()
    if mode not in ("major", "minor"):
        mode = "other"
    return f"{NAMES[pitch_class(tonic)]} {mode}"


def key_score(est: tuple[str, str] | None, ref: tuple[str, str]) -> float:
    """MIREX weighted key score: 1 same key, 0.5 a fifth above or below (same mode), 0.3 relative,
    0.2 parallel, else 0. A missing estimate (None) scores 0."""
    import mir_eval

    if est is None:
        return 0.0
    e, r = _key_string(est), _key_string(ref)
    score = float(mir_eval.key.weighted_score(r, e))
    if score == 0.0 and e.split()[1] == r.split()[1]:
        if (pitch_class(est[0]) - pitch_class(ref[0])) % 12 == 5:  # a fifth below
            return 0.5
    return score


def key_fifths(key: tuple[str, str]) -> int:
    """Key signature of a major or minor key as sharps (-5..6; flats negative), e.g. ("A", "minor") -> 0."""
    pc = pitch_class(key[0])
    if key[1].lower() == "minor":
        pc = (pc + 3) % 12  # relative major
    fifths = (pc * 7) % 12
    return fifths - 12 if fifths > 6 else fifths


def key_signature_match(est: tuple[str, str] | None, sharps: int) -> float:
    """1.0 when an estimated key has the annotated key signature (enharmonic: 7 sharps == 5 flats), else 0."""
    if est is None:
        return 0.0
    return float((key_fifths(est) - sharps) % 12 == 0)


def _beats(values) -> np.ndarray:
    """Sorted float64 array of beat times in seconds."""
    arr = np.asarray([] if values is None else values, dtype=np.float64).ravel()
    return np.sort(arr[np.isfinite(arr)])


def beat_scores(est_beats, ref_beats) -> dict:
    """{"F-measure", "CMLt", "AMLt"} of estimated vs reference beat times (s), beats before 5 s ignored."""
    import mir_eval

    ref = mir_eval.beat.trim_beats(_beats(ref_beats))
    est = mir_eval.beat.trim_beats(_beats(est_beats))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # empty estimates: mir_eval warns and scores 0
        f = mir_eval.beat.f_measure(ref, est)
        _, cmlt, _, amlt = mir_eval.beat.continuity(ref, est)
    return {"F-measure": float(f), "CMLt": float(cmlt), "AMLt": float(amlt)}


def reference_tempo(ref_beats, pulse=None) -> float:
    """Reference tempo in BPM: 60 / median inter-beat interval of the reference beats (s). With `pulse` (an
    aqsaq take's eighths, s) the quarter's: 30 / median eighth. An aqsaq beat is a group of 2 or 3 eighths
    (3+2 in 5/8), so the median interval of its beats is no tempo: half the dotted quarter, half the mean
    of 2.5 eighths, by the parity of the count. A quarter's tempo is what a score, a DAW and a MIDI file's
    tempo meta (microseconds per quarter) give, and what bench/player_sim.py's `bpm` holds (a 3-eighth group
    counts 1.5); bench/README.md, "Tempo in aqsaq"."""
    if pulse is not None and len(pulse) > 2:
        eighth = np.diff(_beats(pulse))
        eighth = eighth[eighth > 0]
        return float(30.0 / np.median(eighth)) if len(eighth) else float("nan")
    ibi = np.diff(_beats(ref_beats))
    ibi = ibi[ibi > 0]
    return float(60.0 / np.median(ibi)) if len(ibi) else float("nan")


def tempo_scores(est_bpm: float | None, ref_beats, tolerance: float = 0.04, pulse=None) -> dict:
    """{"strict", "octave"} tempo accuracy (0/1) of an estimate in BPM against the reference beats (s) (in an
    aqsaq take, against its quarter: `pulse`, see `reference_tempo`).

    strict: |est - ref| <= 4 % of ref; octave: the same for est x 1, 2, 1/2, 3 or 1/3.
    """
    ref = reference_tempo(ref_beats, pulse)
    if est_bpm is None or not np.isfinite(est_bpm) or est_bpm <= 0 or not np.isfinite(ref):
        return {"strict": 0.0, "octave": 0.0}

    def close(bpm: float) -> bool:
        """True when `bpm` is within the tolerance of the reference tempo."""
        return abs(bpm - ref) <= tolerance * ref

    octave = any(close(est_bpm * f) for f in (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0))
    return {"strict": float(close(est_bpm)), "octave": float(octave)}


def tempo_track_scores(changes: list[dict], ref_times, per_quarter: bool = False, tolerance: float = 0.04) -> dict:
    """{"strict", "octave"} tempo accuracy (0/1) of a listener's reported tempo against the truth's beat by beat:
    at each reference interval, the tempo the listener reported in force at its start (`changes`: [{"time": s,
    "bpm": BPM}, ...], time-ordered) against the interval's own (60 / its length, s; 30 / it when `ref_times`
    are an aqsaq take's eighths, `per_quarter`: see `reference_tempo`); strict when the median relative error
    is within `tolerance`, octave when it is with each interval's error the least of the reported tempo x 1, 2,
    1/2, 3 or 1/3 (a take heard at half tempo for a while is octave-right throughout). A take whose tempo
    steps (70 then 60 BPM) has no one tempo: a single median of its beats falls on the side with more beats,
    however right the listener was on both. Intervals before the first change do not count."""
    ref = _beats(ref_times)
    times = np.array([float(c["time"]) for c in changes])
    idx = np.searchsorted(times, ref[:-1], side="right")
    ibi = np.diff(ref)
    keep = (idx > 0) & (ibi > 0)
    if not keep.any():
        return {"strict": 0.0, "octave": 0.0}
    est = np.array([float(changes[i - 1]["bpm"]) for i in idx[keep]])
    truth = (30.0 if per_quarter else 60.0) / ibi[keep]

    errors = np.array([np.abs(est * f / truth - 1) for f in (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0)])
    strict, octave = float(np.median(errors[0])), float(np.median(errors.min(axis=0)))
    return {"strict": float(strict <= tolerance), "octave": float(octave <= tolerance)}


def downbeat_f(est_downbeats, ref_downbeats) -> float:
    """Beat F-measure (+-70 ms) applied to downbeat times (s), downbeats before 5 s ignored."""
    import mir_eval

    ref = mir_eval.beat.trim_beats(_beats(ref_downbeats))
    est = mir_eval.beat.trim_beats(_beats(est_downbeats))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(mir_eval.beat.f_measure(ref, est))


def _intervals(segments) -> tuple[np.ndarray, list[str]]:
    """(n x 2 interval array in s, labels) from (start, end, label) triples, dropping empty segments."""
    rows = [(float(s), float(e), str(lab)) for s, e, lab in segments if float(e) > float(s)]
    if not rows:
        return np.zeros((0, 2)), []
    return np.array([[s, e] for s, e, _ in rows]), [lab for _, _, lab in rows]


def as_lead_sheet(label: str) -> str:
    """An estimated power chord as a lead sheet writes it, for scoring against major/minor-only references:
    'E:5' -> 'E:maj' (a bass after '/' kept); every other label as it is."""
    chord, slash, bass = label.partition("/")
    return chord[:-2] + ":maj" + slash + bass if chord.endswith(":5") else label


def chord_scores(est, ref) -> dict:
    """Duration-weighted {"root", "majmin", "majmin (5 = maj)", "sevenths"} of (start, end, Harte label)
    segments (s); "majmin (5 = maj)" reads an estimated `X:5` as `X:maj` (`as_lead_sheet`).

    The estimate is cropped / padded with "N" to the reference's span and both are cut at each other's
    boundaries, as `mir_eval.chord.evaluate` does. Reference chords outside a metric's vocabulary (and
    "X") do not count. An empty estimate counts as "N" throughout.
    """
    import mir_eval
    from mir_eval import util

    ref_iv, ref_lab = _intervals(ref)
    if not ref_lab:
        return {name: float("nan") for name in ("root", "majmin", "majmin (5 = maj)", "sevenths")}
    est_iv, est_lab = _intervals(est)
    if not est_lab:
        est_iv, est_lab = ref_iv[:1].copy(), ["N"]
    est_iv, est_lab = util.adjust_intervals(est_iv, est_lab, ref_iv.min(), ref_iv.max(),
                                            mir_eval.chord.NO_CHORD, mir_eval.chord.NO_CHORD)
    iv, r_lab, e_lab = util.merge_labeled_intervals(ref_iv, ref_lab, est_iv, est_lab)
    durations = util.intervals_to_durations(iv)
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nothing in the vocabulary: mir_eval warns and returns 0
        for name in ("root", "majmin", "sevenths"):
            comparison = getattr(mir_eval.chord, name)(r_lab, e_lab)
            out[name] = float(mir_eval.chord.weighted_accuracy(comparison, durations))
        lead_sheet = mir_eval.chord.majmin(r_lab, [as_lead_sheet(lab) for lab in e_lab])
        out["majmin (5 = maj)"] = float(mir_eval.chord.weighted_accuracy(lead_sheet, durations))
    return out


def _self_check() -> None:
    """A few hand-checked cases (run: python bench/metrics.py)."""
    assert key_score(("C", "major"), ("C", "major")) == 1.0
    assert key_score(("F#", "major"), ("Gb", "major")) == 1.0  # enharmonic
    assert key_score(("G", "major"), ("C", "major")) == 0.5  # fifth above
    assert key_score(("F", "major"), ("C", "major")) == 0.5  # fifth below (mir_eval alone: 0)
    assert key_score(("D", "minor"), ("A", "minor")) == 0.5
    assert key_score(("E", "minor"), ("A", "minor")) == 0.5
    assert key_score(("A", "minor"), ("C", "major")) == 0.3  # relative
    assert key_score(("Eb", "major"), ("C", "minor")) == 0.3
    assert key_score(("C", "minor"), ("C", "major")) == 0.2  # parallel
    assert key_score(("G", "minor"), ("C", "major")) == 0.0  # fifth, other mode
    assert key_score(("D", "major"), ("C", "major")) == 0.0
    assert key_score(None, ("C", "major")) == 0.0
    assert key_fifths(("Gb", "major")) == 6 and key_fifths(("F", "major")) == -1 and key_fifths(("A", "minor")) == 0
    assert key_signature_match(("C#", "minor"), 4) == 1.0 and key_signature_match(("B", "major"), -7) == 1.0
    ref = np.arange(0, 60, 0.5)
    assert beat_scores(ref, ref)["F-measure"] == 1.0
    half = beat_scores(ref[::2], ref)
    assert half["CMLt"] == 0.0 and half["AMLt"] == 1.0
    assert tempo_scores(120.0, ref) == {"strict": 1.0, "octave": 1.0}
    assert tempo_scores(60.0, ref) == {"strict": 0.0, "octave": 1.0}
    assert tempo_scores(40.0, ref)["octave"] == 1.0 and tempo_scores(100.0, ref)["octave"] == 0.0
    assert downbeat_f(ref[::4], ref[::4]) == 1.0
    chords = [(0.0, 2.0, "C:maj"), (2.0, 4.0, "A:min7")]
    assert chord_scores(chords, chords)["majmin"] == 1.0
    s = chord_scores([(0.0, 4.0, "C:maj")], chords)
    assert s["majmin"] == 0.5 and s["root"] == 0.5
    assert chord_scores([(0.0, 1.0, "C:maj")], [(0.0, 2.0, "C:maj")])["majmin"] == 0.5  # padded with N
    assert chord_scores([], chords)["majmin"] == 0.0
    power = chord_scores([(0.0, 2.0, "C:5"), (2.0, 4.0, "A:5")], chords)
    assert power["majmin"] == 0.0 and power["majmin (5 = maj)"] == 0.5 and power["root"] == 1.0
    assert as_lead_sheet("E:5") == "E:maj" and as_lead_sheet("E:5/5") == "E:maj/5" and as_lead_sheet("A:min") == "A:min"


if __name__ == "__main__":
    _self_check()
    print("metrics: all checks passed")
