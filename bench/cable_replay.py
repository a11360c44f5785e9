"""A pulled cable replayed as `aqyn live` meets it, on a virtual clock (deterministic; no JACK, no load).

    python -P bench/cable_replay.py [--mode finish|continue] [--pull 13.3] [--backs 18.3,20.3,...] [--take FILE]
                                    [--engine DIR]

The take (the D dorian example by default) with its cable pulled at `--pull` s and plugged back at each of
`--backs` s: the loss cue (`--on-input-loss finish`: ENDING; `continue`: KEEP_GOING) and `Cue.RESUME` each come a
port check (engine/live/session.py PORT_CHECK_EVERY) after, and the guitar's messages until RESUME are lost (the
input reconnects before anything reaches it). Per return time: the band's first note after it (s after the return),
its entry and whether it moved its bar to the player's downbeat within 4 s of it (it came in off their downbeat),
whether an intro was played, the largest gap between band notes from the return to 35 s, the stop-time and ending
markers, and the key at the end. `--engine DIR`: another checkout's engine (main's, to compare).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = "C C# D Eb E F F# G Ab A Bb B".split()
BACKS = "18.3,19.3,20.3,20.8,21.3,21.8,22.3,22.8,23.3,24.3,25.3"


def replay(take: Path, mode: str, pull: float, back: float) -> dict:
    """One pulled cable (`pull`, `back` in s of `take`) under `mode`: the row's figures."""
    from engine import render  # noqa: PLC0415
    from engine.events import Marker, Note  # noqa: PLC0415 (after --engine chose the checkout)
    from engine.inputs import Cue, CueInput  # noqa: PLC0415
    from engine.io.midi_input import read_guitar_file  # noqa: PLC0415
    from engine.live.session import PORT_CHECK_EVERY  # noqa: PLC0415
    from engine.pipeline import run_offline  # noqa: PLC0415

    guitar = read_guitar_file(take)
    again = back + PORT_CHECK_EVERY
    loss = Cue.ENDING if mode == "finish" else Cue.KEEP_GOING
    items = [m for m in guitar.messages if m.time < pull] + [CueInput(pull + PORT_CHECK_EVERY, loss)]
    items += [CueInput(again, Cue.RESUME)] + [m for m in guitar.messages if m.time > again]
    recorder = render.RecordingSink()
    config = render.EngineConfig(render.PlayerSettings().listener_config(), render.SchedulerConfig())
    engine = render.Engine(render.style_chooser("auto", None, True), 0, [recorder], config)
    run_offline(engine, items, tail=20.0)
    notes = sorted(e.time for e in recorder.events if isinstance(e, Note) and e.time >= back)
    marks = [(e.time, e.text) for e in recorder.events if isinstance(e, Marker) and pull < e.time < 40.0]
    entry = next((t for t, text in marks if text.startswith("band in")), None)
    span = [t for t in notes if t < 35.0]
    key = engine.listener.key.key
    return {
        "first": notes[0] - back if notes else None,
        "entry": entry,
        "moved": entry is not None and any(entry <= t < entry + 4.0 and text.startswith("bar: the guitar")
                                           for t, text in marks),
        "intro": any(text == "section: intro" for t, text in marks if t >= back),
        "gap": max((b - a for a, b in zip(span, span[1:])), default=None),
        "stops": sorted({text for t, text in marks if t >= back and text.startswith(("stop", "section: ending",
                                                                                      "band out"))}),
        "key": f"{NAMES[key[0]]} {key[1]}" if key else None,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mode", choices=("finish", "continue"), default="finish")
    ap.add_argument("--pull", type=float, default=13.3, help="s of the take when the cable is pulled")
    ap.add_argument("--backs", default=BACKS, help="s of the take when it is plugged back, comma-separated")
    ap.add_argument("--take", type=Path, default=ROOT / "examples" / "d_dorian_96_4-4.mid")
    ap.add_argument("--engine", type=Path, default=ROOT, help="the checkout whose engine plays")
    args = ap.parse_args()
    sys.path.insert(0, str(args.engine))
    print(f"{args.take.name}, --on-input-loss {args.mode}, cable pulled at {args.pull} s; engine {args.engine}")
    print(f"{'back s':>6} {'first s':>7} {'entry':>6} {'off 1':>5} {'intro':>5} {'gap s':>5}  key            stops")
    for back in (float(b) for b in args.backs.split(",")):
        r = replay(args.take, args.mode, args.pull, back)
        first = f"{r['first']:.2f}" if r["first"] is not None else "-"
        entry = f"{r['entry']:.2f}" if r["entry"] is not None else "-"
        gap = f"{r['gap']:.2f}" if r["gap"] is not None else "-"
        print(f"{back:6.1f} {first:>7} {entry:>6} {'yes' if r['moved'] else '':>5} {'yes' if r['intro'] else '':>5} "
              f"{gap:>5}  {r['key'] or '-':14} {', '.join(r['stops'])}")


if __name__ == "__main__":
    main()
