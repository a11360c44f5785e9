"""Peer tools on a sample of each benchmark dataset: one table of dataset x metric x peer.

    .venv/bin/python bench/peer_check.py [--n 20] [--seed 0] [--seconds 60] [--datasets pop909 asap nottingham]
                                         [--no-madmom] [--no-music21]

Keys are judged on the whole file against the first annotated key (MIREX weighted score, fifths both
ways); ASAP has only key signatures, so there the score is the share of estimates whose key signature
matches the first annotated one. Beats and tempi are judged on the first `--seconds` seconds (the peers
see only the notes that start in that window; mir_eval ignores the first 5 s). Tempo is strict (4 %) and
octave-tolerant (x2, x1/2, x3, x1/3); a peer's tempo is its own estimate (pretty_midi, partitura) or 60 /
median inter-beat interval of its beats (madmom). A peer that fails on a piece scores 0 there; failures
are counted. No peer estimates downbeat phase or chords, so those columns of aqyn's own benchmark have
no peer figures here.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datasets  # noqa: E402
import metrics  # noqa: E402
import peers  # noqa: E402


class Tally:
    """Scores per (dataset, metric, peer) and seconds per (dataset, peer)."""

    def __init__(self):
        """Empty tallies."""
        self.scores = defaultdict(list)
        self.seconds = defaultdict(list)

    def add(self, dataset: str, metric: str, peer: str, value: float) -> None:
        """Record one piece's score."""
        self.scores[(dataset, metric, peer)].append(float(value))

    def timed(self, dataset: str, peer: str, fn, *args, **kwargs):
        """Call a peer, recording its wall time."""
        t0 = time.perf_counter()
        out = fn(*args, **kwargs)
        self.seconds[(dataset, peer)].append(time.perf_counter() - t0)
        return out


def check_keys(tally: Tally, piece: datasets.Piece, use_music21: bool) -> None:
    """Key peers on the whole file."""
    ds = piece.dataset
    finders = [("partitura", peers.partitura_key)] + ([("music21", peers.music21_key)] if use_music21 else [])
    for name, fn in finders:
        est = tally.timed(ds, name + " key", fn, piece.midi)
        if piece.key is not None:
            tally.add(ds, "key MIREX", name, metrics.key_score(est, piece.key))
            tally.add(ds, "key exact", name, float(metrics.key_score(est, piece.key) == 1.0))
        if piece.key_signatures:
            tally.add(ds, "key signature", name, metrics.key_signature_match(est, piece.key_signatures[0][1]))


def check_beats(tally: Tally, piece: datasets.Piece, seconds: float, use_madmom: bool) -> None:
    """Beat and tempo peers on the first `seconds` of the file."""
    ds = piece.dataset
    ref = piece.beats[piece.beats < seconds]
    if len(ref) < 4:
        return
    trackers = [("partitura", peers.partitura_beats)]
    if use_madmom:
        trackers += [("madmom online", peers.madmom_online_beats), ("madmom offline", peers.madmom_offline_beats)]
    for name, fn in trackers:
        est = tally.timed(ds, name + " beats", fn, piece.midi, max_seconds=seconds)
        for metric, value in metrics.beat_scores(est, ref).items():
            tally.add(ds, f"beat {metric}", name, value)
        if name.startswith("madmom"):
            _tempo(tally, ds, name, peers.tempo_from_beats(est), ref)
    _tempo(tally, ds, "partitura", tally.timed(ds, "partitura tempo", peers.partitura_tempo, piece.midi,
                                               max_seconds=seconds), ref)
    _tempo(tally, ds, "pretty_midi", tally.timed(ds, "pretty_midi tempo", peers.pretty_midi_tempo, piece.midi,
                                                 max_seconds=seconds), ref)


def _tempo(tally: Tally, ds: str, peer: str, bpm, ref) -> None:
    """Record strict and octave-tolerant tempo accuracy of `bpm` (None counts as wrong)."""
    for metric, value in metrics.tempo_scores(bpm, ref).items():
        tally.add(ds, f"tempo {metric}", peer, value)


def print_table(tally: Tally) -> None:
    """Mean score (and count) per dataset x metric, one column per peer."""
    peers_seen = sorted({p for _, _, p in tally.scores})
    print("\n| dataset | metric | " + " | ".join(peers_seen) + " |")
    print("|---|---|" + "---|" * len(peers_seen))
    for ds, metric in sorted({(d, m) for d, m, _ in tally.scores}):
        cells = []
        for p in peers_seen:
            vals = tally.scores.get((ds, metric, p))
            cells.append(f"{np.mean(vals):.3f} (n={len(vals)})" if vals else "")
        print(f"| {ds} | {metric} | " + " | ".join(cells) + " |")


def print_timing(tally: Tally) -> None:
    """Median and maximum seconds per peer call, per dataset."""
    print("\n| dataset | peer call | median s | max s | calls |")
    print("|---|---|---|---|---|")
    for (ds, peer), secs in sorted(tally.seconds.items()):
        print(f"| {ds} | {peer} | {np.median(secs):.2f} | {np.max(secs):.2f} | {len(secs)} |")


def main(argv=None) -> int:
    """Load the samples, run the peers, print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20, help="pieces per dataset")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=60.0, help="beat/tempo window, s")
    ap.add_argument("--datasets", nargs="+", default=list(datasets.DATASETS))
    ap.add_argument("--no-madmom", action="store_true")
    ap.add_argument("--no-music21", action="store_true")
    args = ap.parse_args(argv)

    use_madmom = not args.no_madmom
    if use_madmom and (reason := peers.madmom_available()):
        print(f"madmom skipped: {reason}")
        use_madmom = False
    tally = Tally()
    for ds in args.datasets:
        t0 = time.perf_counter()
        pieces = datasets.load(ds, limit=args.n, seed=args.seed)
        report = datasets.last_report(ds)
        print(f"\n== {ds}: {report['loaded']} pieces loaded in {time.perf_counter() - t0:.1f} s; "
              f"skipped {sum(report['skipped'].values())}: {dict(report['skipped'])}; notes {dict(report['notes'])}")
        for i, piece in enumerate(pieces):
            t1 = time.perf_counter()
            check_keys(tally, piece, not args.no_music21)
            check_beats(tally, piece, args.seconds, use_madmom)
            print(f"  [{i + 1}/{len(pieces)}] {piece.name} {time.perf_counter() - t1:.1f} s", flush=True)
    print_table(tally)
    print_timing(tally)
    print(f"\npeer failures: {dict(peers.FAILURES)}")
    for name, msg in peers.LAST_ERROR.items():
        print(f"  {name}: {msg}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
