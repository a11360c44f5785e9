"""Fit the joint model's observation (engine/listen/joint.py) on the development takes only, and print it.

    PYTHONPATH=. python bench/fit_joint.py [--sets guitarset-dev,sim2] [--seconds 60] [--search]

Each take runs through the listener with the joint model; every strum it weighs is labelled by the annotated
grid point within 50 ms of it: a downbeat, another beat (an aqsaq group start), an off-beat eighth (the
annotated pulse where the take has one, else the beats' midpoints, or their thirds in compound time), the
sixteenth between two eighths, or "other". From these:

- `silence` (q per class): the share of annotated points of that class with a strum on them;
- `weights` and the class part of `bias`: a multinomial logistic regression (L2, numpy gradient descent) of the
  strum's class on its features, "other" the reference: exp(alpha_c + beta_c . x) is p(c | x) / p(other | x),
  so the likelihood ratio p(x | c) / p(x | other) is that over the classes' counts; the bias of a point class
  then adds log(q / (1 - q)) (a point passed without a strum already cost log(1 - q));
- the bias of "other": the log share of 100 ms windows that hold a strum off the grid.

With `--search`, the few structural settings (`SEARCH`: the meter prior of 2/4 and of the aqsaq meters, the
tempo prior's width, the tempo's moves) are then chosen one at a time by a small grid: each value runs the
online listener on the same takes and scores mean(beat F, downbeat F, meter right) with bench/metrics.py.

The sim2-held and converter-set-b takes are never read here (they are the held-out sets of bench/accuracy.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import datasets  # noqa: E402
import metrics  # noqa: E402
from accuracy import CONVERTER_SETS, cut  # noqa: E402

import engine.listen.listener as listener_module  # noqa: E402
from engine.analyze import run_online  # noqa: E402
from engine.io.midi_input import read_guitar_file  # noqa: E402
from engine.listen import ListenerConfig  # noqa: E402
from engine.listen.guitar import GuitarConfig  # noqa: E402
from engine.listen.joint import CLASSES, FEATURES, JointParams, JointTracker  # noqa: E402

TOL = 0.05          # s: a strum this close to an annotated point is on it
HELD_OUT = ("sim2-held", "converter-set-b")


def strums(messages, latency: float) -> list[tuple[float, np.ndarray]]:
    """(time s, features) of every strum the joint tracker weighs on `messages`."""
    log: list[tuple[float, np.ndarray]] = []
    original = JointTracker._features

    def recorded(self, s):
        x = original(self, s)
        log.append((s.t, x))
        return x

    JointTracker._features = recorded
    try:
        config = ListenerConfig(guitar=GuitarConfig(converter_latency=latency), beat_model="joint")
        run_online(messages, config)
    finally:
        JointTracker._features = original
    return log


def grid_points(piece) -> tuple[np.ndarray, np.ndarray]:
    """(times s, classes 0 downbeat / 1 beat / 2 off-beat eighth / 3 the sixteenth between two eighths) of the
    take's annotated grid."""
    truth = piece.info["truth"]
    beats = np.asarray(piece.beats, float)
    down = np.asarray(piece.downbeats, float)
    if truth.get("pulse"):
        pulse = np.asarray(truth["pulse"], float)
    else:
        meters = truth.get("meters") or [{"time": 0.0, "meter": truth.get("meter", "4/4")}]
        pulse = [beats[-1:]]
        for a, b in zip(beats, beats[1:]):
            meter = [m["meter"] for m in meters if float(m["time"]) <= a + 1e-6] or [meters[0]["meter"]]
            n = 3 if meter[-1] in ("6/8", "9/8", "12/8") else 2
            pulse.append(a + (b - a) * np.arange(n) / n)
        pulse = np.sort(np.concatenate(pulse))
    pulse = np.sort(np.concatenate([pulse, (pulse[1:] + pulse[:-1]) / 2]))
    cls = np.tile([2, 3], len(pulse) // 2 + 1)[:len(pulse)]
    for times, c in ((beats, 1), (down, 0)):
        for t in times:
            i = int(np.argmin(np.abs(pulse - t)))
            if abs(pulse[i] - t) < TOL:
                cls[i] = c
    return pulse, cls


def label(times: np.ndarray, points: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """The class (0..4) of each strum time: its annotated point's within TOL, else 4 (other)."""
    idx = np.clip(np.searchsorted(points, times), 1, len(points) - 1)
    near = np.where(np.abs(points[idx - 1] - times) < np.abs(points[idx] - times), idx - 1, idx)
    return np.where(np.abs(points[near] - times) < TOL, cls[near], 4)


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 3000) -> np.ndarray:
    """Multinomial logistic regression, the last class the reference: (classes - 1, 1 + features) of (bias,
    weights), by gradient descent on the mean log loss plus `l2` times the squared weights."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    k = int(y.max()) + 1
    onehot = np.eye(k)[y]
    w = np.zeros((k - 1, xb.shape[1]))
    for _ in range(steps):
        z = np.hstack([xb @ w.T, np.zeros((len(x), 1))])
        z -= z.max(axis=1, keepdims=True)
        prob = np.exp(z)
        prob /= prob.sum(axis=1, keepdims=True)
        grad = (prob - onehot)[:, :-1].T @ xb / len(x)
        grad[:, 1:] += 2 * l2 * w[:, 1:]
        w -= 0.5 * grad
    return w


SEARCH = {      # setting -> values tried (meter_prior entries: 2/4, 3/4, 4/4, 6/8, 5/8, 7/8)
    "meter_prior": [(-1.0, -1.0, 0.0, -1.0, -2.5, -2.5), (-2.0, -1.0, 0.0, -1.0, -2.5, -2.5),
                    (-1.0, -1.0, 0.0, -1.0, -4.0, -4.0), (-2.0, -1.0, 0.0, -1.0, -4.0, -4.0),
                    (-0.5, -0.5, 0.0, -0.5, -2.5, -2.5)],
    "octaves": [0.6, 0.8, 1.0],
    "tempo_rate": [0.02, 0.05, 0.15],
}


def score(takes, params: JointParams) -> float:
    """mean(beat F, downbeat F, meter right) of the online listener with the joint model at `params` over
    `takes` ((piece, messages, latency) triples)."""
    made = listener_module.JointTracker
    listener_module.JointTracker = lambda **kw: made(params=params, **kw)
    try:
        out = []
        for piece, messages, latency in takes:
            config = ListenerConfig(guitar=GuitarConfig(converter_latency=latency), beat_model="joint")
            a, _ = run_online(messages, config)
            ref = piece.beats[piece.beats <= 60]
            beat_f = metrics.beat_scores(np.array(a.beats), ref)["F-measure"] if len(a.beats) > 1 else 0.0
            down = piece.downbeats[piece.downbeats <= 60]
            down_f = metrics.downbeat_f(np.array(a.downbeats), down) if len(a.downbeats) > 1 else 0.0
            out.append((beat_f + down_f + float(a.meter == piece.meter)) / 3)
        return float(np.mean(out))
    finally:
        listener_module.JointTracker = made


def search(takes, params: JointParams) -> JointParams:
    """`params` with each setting of SEARCH in turn set to its best value on `takes` (printed)."""
    for name, values in SEARCH.items():
        scores = []
        for v in values:
            setattr(params, name, v)
            scores.append(score(takes, params))
            print(f"  {name}={v}: {scores[-1]:.3f}", flush=True)
        setattr(params, name, values[int(np.argmax(scores))])
        print(f"{name} = {getattr(params, name)}")
    return params


def gather(sets: str, seconds: float):
    """(takes, features, classes, hits and count of annotated points per class, 100 ms windows) over `sets`."""
    takes, xs, ys, hits, points_n, off_windows = [], [], [], np.zeros(4), np.zeros(4), 0.0
    for name in sets.split(","):
        if name in HELD_OUT:
            raise SystemExit(f"{name} is held out of all tuning; fit on guitarset-dev and sim2 only")
        for piece in datasets.load(name, limit=100):
            messages = cut(read_guitar_file(piece.midi).messages, seconds)
            latency = 0.03 if name in CONVERTER_SETS else 0.0
            takes.append((piece, messages, latency))
            log = strums(messages, latency)
            if len(log) < 8:
                continue
            times = np.array([t for t, _ in log])
            points, cls = grid_points(piece)
            inside = (points >= times[0]) & (points <= times[-1])
            points, cls = points[inside], cls[inside]
            if len(points) < 8:
                continue
            y = label(times, points, cls)
            xs.append(np.array([x for _, x in log]))
            ys.append(y)
            for c in range(4):
                on = points[cls == c]
                points_n[c] += len(on)
                hits[c] += sum(bool(np.any(np.abs(times - t) < TOL)) for t in on)
            off_windows += (times[-1] - times[0]) / (2 * TOL)
            print(f"  {piece.name}: {len(log)} strums, classes {np.bincount(y, minlength=5).tolist()}")
    return takes, np.vstack(xs), np.concatenate(ys), hits, points_n, off_windows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="guitarset-dev,sim2")
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--search", action="store_true", help="then choose the SEARCH settings by a small grid")
    args = ap.parse_args()
    takes, x, y, hits, points_n, off_windows = gather(args.sets, args.seconds)
    counts = np.bincount(y, minlength=5)
    q = np.clip(hits / np.maximum(points_n, 1), 0.05, 0.95)
    w = logistic(x, y)
    print(f"\nstrums by class {dict(zip(CLASSES, counts.tolist()))}; points by class {points_n.tolist()}")
    for c in range(5):
        print(f"  mean features of {CLASSES[c]:9}: " + " ".join(f"{f}={v:.2f}" for f, v in
                                                            zip(FEATURES, x[y == c].mean(axis=0))))
    bias = [float(w[c, 0] - np.log(counts[c] / counts[4]) + np.log(q[c] / (1 - q[c]))) for c in range(4)]
    bias.append(float(np.log(counts[4] / off_windows)))
    weights = [tuple(round(float(v), 2) for v in w[c, 1:]) for c in range(4)] + [(0.0,) * len(FEATURES)]
    print("\nJointParams fitted on " + args.sets + ":")
    print(f"    silence: tuple = {tuple(round(float(v), 2) for v in q)}")
    print(f"    bias: tuple = {tuple(round(v, 2) for v in bias)}")
    print(f"    weights = {tuple(weights)}")
    if args.search:
        print("\nsearch (with the fitted observation):")
        fitted = JointParams(silence=tuple(q), bias=tuple(bias), weights=tuple(weights))
        best = search(takes, fitted)
        print("\nJointParams searched: " + ", ".join(f"{k}={getattr(best, k)}" for k in SEARCH))


if __name__ == "__main__":
    main()
