"""Where the online chord labels lose majmin, by kind, per take (issue 12: chords a guitarist plays).

    python bench/chord_misses.py [--sets sim2,sim3,guitarset-dev] [--limit 100] [--only comping] [--seconds 60]
                                 [--jobs 1] [--lags]

Each take is run through the live listener as `accuracy.py` runs it (its first 60 s, the declared converter
latency on the converter sets) and its online chord labels are compared with the truth every 10 ms
(mir_eval's majmin, as `metrics.chord_scores`). Every 10 ms missed is put in the first kind that fits:

- `truth N`: the truth says no chord (the simulators write N after a song's last bar while it rings);
- `est N`: we say no chord (before the first decision, or hushed);
- `late`: the truth changed, we still hold the last chord and get the new one within LATE s of the change
  (the strum window and the converter's latency: a chord is only known once struck);
- `lone bass`: the label was decided at a single note struck alone, the lowest ringing (boom-chick's boom, a
  thumb's bass);
- `flip`: within one truth chord we had it right and left it (melody or passing notes read as a change);
- `power`: `X:5` on the right root (a lead sheet writes E for E5);
- `quality`: the right root, another quality (a third, a seventh taken for a sus...);
- `slash`: the wrong root, and our root is the lowest note ringing (a bass that is the chord's third or fifth);
- `root`: the wrong root otherwise.

The table gives each kind's share of the take's scored time (so the kinds add up to 1 - majmin); `--lags`
also prints how long after each truth change the label first came right (median, quartiles).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402
import datasets  # noqa: E402

from engine.analyze import note_spans, run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402
from engine.listen.guitar import GuitarConfig  # noqa: E402

STEP = 0.01      # s between the samples compared
LATE = 0.5       # s: a change got within this of the truth's is late, not wrong
KINDS = ("truth N", "est N", "late", "lone bass", "flip", "power", "quality", "slash", "root")


def _label_at(segments: list[tuple[float, float, str]], times: np.ndarray, default: str = "N") -> list[str]:
    starts = np.array([s for s, _, _ in segments])
    out = []
    for t in times:
        i = int(np.searchsorted(starts, t, side="right")) - 1
        out.append(segments[i][2] if i >= 0 and t < segments[i][1] else default)
    return out


def _majmin(ref: list[str], est: list[str]) -> np.ndarray:
    import mir_eval

    pairs = sorted(set(zip(ref, est)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = dict(zip(pairs, mir_eval.chord.majmin([r for r, _ in pairs], [e for _, e in pairs])))
    return np.array([score[p] for p in zip(ref, est)], float)


def _root(label: str) -> int | None:
    if label in ("N", "X"):
        return None
    return datasets.tonic_pc(label.split(":")[0].split("/")[0])


def take_misses(piece, seconds: float, latency: float) -> dict:
    """The kinds of majmin loss of one take: {kind: seconds}, 'scored' seconds, and the lags (s) of its changes."""
    messages = accuracy.cut(read_guitar_file(piece.midi).messages, seconds)
    config = ListenerConfig(guitar=GuitarConfig(converter_latency=latency))
    online, _ = run_online(messages, config)
    est = accuracy.chord_segments(online.chords, seconds)
    ref = [(s, min(e, seconds), lab) for s, e, lab in piece.chords if s < seconds and min(e, seconds) > s]
    times = np.arange(ref[0][0], ref[-1][1], STEP)
    r_lab, e_lab = _label_at(ref, times), _label_at(est, times)
    ok = _majmin(r_lab, e_lab)
    spans = [(s - latency, e - latency, p) for s, e, p, _ in note_spans(messages)]
    onsets = np.array(sorted(s for s, _, _ in spans))
    # per estimated change: how many notes were struck within the strum window of the last onset before it
    decided_alone = {}
    for c in online.chords:
        i = int(np.searchsorted(onsets, c["time"] - latency, side="right")) - 1
        if i < 0:
            continue
        first = i
        while first > 0 and onsets[i] - onsets[first - 1] < GuitarConfig.strum_window:
            first -= 1
        alone = first == i and (i == 0 or onsets[i] - onsets[i - 1] > GuitarConfig.strum_window)
        if alone:       # ... and a bass: the lowest note ringing then
            t0 = onsets[i]
            ringing = [p for a, b, p in spans if a <= t0 < b]
            struck = [p for a, b, p in spans if a == t0]
            alone = bool(ringing) and bool(struck) and min(struck) == min(ringing)
        decided_alone[c["time"]] = alone
    est_starts = np.array([s for s, _, _ in est])
    ref_starts = np.array([s for s, _, _ in ref])
    kinds: Counter = Counter()
    lags = []
    right_since: dict[int, float] = {}      # per truth segment, when we first had it right
    for j, (t, r, e, good) in enumerate(zip(times, r_lab, e_lab, ok)):
        k = int(np.searchsorted(ref_starts, t, side="right")) - 1
        if good < 0:
            continue
        kinds["scored"] += STEP
        if good > 0:
            right_since.setdefault(k, t)
            continue
        kinds[_kind(t, r, e, k, ref, ref_starts, est, est_starts, right_since, decided_alone, spans, times, ok, j)] \
            += STEP
    for k, (s, e, lab) in enumerate(ref):
        if lab != "N" and k in right_since:
            lags.append(right_since[k] - s)
    return {"name": piece.name, "kinds": dict(kinds), "lags": lags}


def _kind(t, r, e, k, ref, ref_starts, est, est_starts, right_since, decided_alone, spans, times, ok, j) -> str:
    if r == "N":
        return "truth N"
    if e == "N":
        return "est N"
    s = ref[k][0]
    if k not in right_since and t - s < LATE:
        # right within LATE of the change?
        ahead = (times > t) & (times < s + LATE) & (ok > 0)
        if ahead.any() and _root(e) == _root(ref[k - 1][2] if k > 0 else "N"):
            return "late"
    i = int(np.searchsorted(est_starts, t, side="right")) - 1
    decided = est[i][0] if i >= 0 else None
    if decided is not None and decided_alone.get(decided, False):
        return "lone bass"
    if k in right_since:
        return "flip"
    root, rroot = _root(e), _root(r)
    if root == rroot:
        return "power" if e.endswith(":5") else "quality"
    ringing = [p for a, b, p in spans if a <= t < b]
    if ringing and min(ringing) % 12 == root:
        return "slash"
    return "root"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="sim2,sim3,guitarset-dev")
    ap.add_argument("--limit", type=int, default=100)
    ap.add_argument("--only", default=None, help="only takes whose name holds this (e.g. gscomp)")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--lags", action="store_true")
    args = ap.parse_args()
    for name in args.sets.split(","):
        pieces = [p for p in datasets.load(name, limit=args.limit) if not args.only or args.only in p.name]
        latency = 0.03 if name in accuracy.CONVERTER_SETS else 0.0
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(take_misses, pieces, [args.seconds] * len(pieces), [latency] * len(pieces)))
        total: Counter = Counter()
        print(f"== {name}: share of scored time missed, by kind")
        print(f"  {'take':52}{'majmin':>7}" + "".join(f"{k:>10}" for k in KINDS))
        for row in rows:
            kinds = row["kinds"]
            total.update(kinds)
            print(_line(row["name"].split("/")[-1][:52], kinds))
        print(_line("all", total))
        if args.lags:
            lags = np.array([x for row in rows for x in row["lags"]])
            print(f"  lag to the right label after a truth change: median {np.median(lags):.3f} s, quartiles "
                  f"{np.percentile(lags, 25):.3f} / {np.percentile(lags, 75):.3f} s, n={len(lags)}")


def _line(name: str, kinds) -> str:
    scored = kinds.get("scored", 0.0) or 1.0
    missed = sum(v for k, v in kinds.items() if k != "scored")
    return f"  {name:52}{1 - missed / scored:7.3f}" + "".join(f"{kinds.get(k, 0.0) / scored:10.3f}" for k in KINDS)


if __name__ == "__main__":
    main()
