"""Peer tools' estimates on a MIDI file, for comparison with aqyn's listeners.

Every public function takes a MIDI path and returns its estimate, or None when the tool fails: a
failure is counted in `FAILURES[name]` (the last message in `LAST_ERROR[name]`), never raised. Times
are seconds, tempi BPM, keys (tonic, mode) with flats spelled "b" ("Bb", "F#").

* `music21_key`: music21's default key analysis (`Stream.analyze("key")` = Aarden-Essen profiles) on
  the parsed MIDI. Parsing is the slow part (it quantises the file): about 2-10 s per POP909 song.
* `partitura_key`: `partitura.musicanalysis.estimate_key` (Krumhansl-Kessler) on the MIDI loaded as a
  performance (so durations are seconds).
* `partitura_beats`: `partitura.musicanalysis.estimate_time`, Dixon's BeatRoot agents, on the
  performance's note array (onset_sec); it returns {"tempo", "meter_numerator", "beats": [(time,
  salience)]}, of which the beat times are kept. Its IOI clustering is quadratic in the number of
  onsets, hence `max_seconds`.
* `partitura_tempo`: the tempo (BPM) from the same call.
* `pretty_midi_tempo`: `pretty_midi.PrettyMIDI.estimate_tempo()`.
* `madmom_online_beats`: the MIDI rendered to audio with the FluidSynth command line (TimGM6mb), then
  madmom's causal beat tracker: `RNNBeatProcessor(online=True)` (unidirectional LSTMs, frames windowed
  to the left, so running it on the whole signal equals running it frame by frame) and
  `DBNBeatTrackingProcessor(online=True, fps=100)` (forward algorithm).
* `madmom_offline_beats`: the offline tracker (bidirectional LSTMs, Viterbi DBN) on the same rendering.
  madmom's downbeat tracker is not offered: `DBNDownBeatTrackingProcessor.process` builds a ragged
  array (`np.asarray(results)`), which NumPy >= 1.24 refuses; no import-time shim can fix that.

madmom 0.16.1 predates Python 3.10 / NumPy 1.24: `_madmom_shims()` restores the aliases it imports
(`collections.MutableSequence` and the like, `np.float`, `np.int`, ...) at run time; site-packages is
not edited. Installed with: pip install Cython wheel; pip install --no-build-isolation madmom.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import subprocess
import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

FAILURES: Counter = Counter()
LAST_ERROR: dict[str, str] = {}
SOUNDFONT = Path("/usr/share/sounds/sf2/TimGM6mb.sf2")
_FLAT = {"C#": "Db", "D#": "Eb", "G#": "Ab", "A#": "Bb"}  # spellings as in POP909 (F# stays)


def _guarded(fn):
    """Return None (and count the failure) instead of raising."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        """`fn`, with warnings silenced and exceptions turned into None."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return fn(*args, **kwargs)
        except Exception as e:  # noqa: BLE001 - a peer's failure must never stop a benchmark
            FAILURES[fn.__name__] += 1
            LAST_ERROR[fn.__name__] = f"{type(e).__name__}: {e}"[:200]
            return None

    return wrapper


def _tonic(name: str) -> str:
    """Normalise a tonic: music21 "B-" -> "Bb", "c#" -> "Db"."""
    name = name.strip().replace("-", "b")
    name = name[0].upper() + name[1:]
    return _FLAT.get(name, name)


# ---------------------------------------------------------------- key


@_guarded
def music21_key(midi) -> tuple[str, str]:
    """music21's default key estimate (Aarden-Essen) of a MIDI file: (tonic, "major"|"minor")."""
    import music21

    score = music21.converter.parse(str(midi))
    key = score.analyze("key")
    return _tonic(key.tonic.name), key.mode


def _import_partitura():
    """Import partitura with pyfluidsynth hidden from it.

    partitura 1.9 downloads a SoundFont at import time whenever pyfluidsynth is importable (aqyn
    depends on pyfluidsynth) and raises when offline. Hiding the module during that one import makes
    partitura skip its (unused here) synthesis support; sys.modules is restored afterwards.
    """
    import sys

    if "partitura" in sys.modules:
        return sys.modules["partitura"]
    saved = sys.modules.get("fluidsynth", ...)
    sys.modules["fluidsynth"] = None  # makes `from fluidsynth import Synth` raise ImportError
    try:
        import partitura
    finally:
        if saved is ...:
            del sys.modules["fluidsynth"]
        else:
            sys.modules["fluidsynth"] = saved
    return partitura


def _performance_notes(midi, max_seconds: float | None = None) -> np.ndarray:
    """partitura note array of a MIDI file read as a performance (onset_sec, duration_sec), sorted."""
    partitura = _import_partitura()

    notes = partitura.load_performance_midi(str(midi)).note_array()
    notes = notes[np.argsort(notes["onset_sec"], kind="stable")]
    if max_seconds is not None:
        notes = notes[notes["onset_sec"] < max_seconds]
    if len(notes) == 0:
        raise ValueError("no notes")
    return notes


@_guarded
def partitura_key(midi) -> tuple[str, str]:
    """partitura's Krumhansl-Kessler key estimate of a MIDI file: (tonic, "major"|"minor")."""
    _import_partitura()
    from partitura.musicanalysis import estimate_key

    name = estimate_key(_performance_notes(midi))
    minor = name.endswith("m")
    return _tonic(name[:-1] if minor else name), "minor" if minor else "major"


# ---------------------------------------------------------------- tempo and beats


@functools.lru_cache(maxsize=8)
def _beatroot(midi: str, max_seconds: float | None, stamp: int = 0) -> dict:
    """partitura.musicanalysis.estimate_time on the first `max_seconds` of a MIDI file (cached by path and
    modification time `stamp`, so a rewritten file is analysed afresh)."""
    _import_partitura()
    from partitura.musicanalysis import estimate_time

    return estimate_time(_performance_notes(midi, max_seconds))


@_guarded
def partitura_beats(midi, max_seconds: float | None = None) -> np.ndarray:
    """Beat times (s) from partitura's BeatRoot port, on notes starting before `max_seconds`."""
    beats = _beatroot(str(midi), max_seconds, Path(midi).stat().st_mtime_ns)["beats"]
    return np.sort(np.array([b[0] for b in beats], dtype=np.float64))


@_guarded
def partitura_tempo(midi, max_seconds: float | None = None) -> float:
    """Tempo (BPM) from partitura's BeatRoot port, on notes starting before `max_seconds`."""
    return float(_beatroot(str(midi), max_seconds, Path(midi).stat().st_mtime_ns)["tempo"])


@_guarded
def pretty_midi_tempo(midi, max_seconds: float | None = None) -> float:
    """pretty_midi's `estimate_tempo()` (BPM), on notes starting before `max_seconds`."""
    pm = _pretty_midi(midi, max_seconds)
    return float(pm.estimate_tempo())


def _pretty_midi(midi, max_seconds: float | None = None):
    """A PrettyMIDI object, with notes starting at or after `max_seconds` removed."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(str(midi))
    if max_seconds is not None:
        for inst in pm.instruments:
            inst.notes = [n for n in inst.notes if n.start < max_seconds]
            for n in inst.notes:
                n.end = min(n.end, max_seconds)
            inst.control_changes = [c for c in inst.control_changes if c.time < max_seconds]
            inst.pitch_bends = [b for b in inst.pitch_bends if b.time < max_seconds]
    return pm


# ---------------------------------------------------------------- madmom


def _madmom_shims() -> None:
    """Aliases madmom 0.16.1 still imports from Python < 3.10 and NumPy < 1.24 (set once, at run time)."""
    import collections
    import collections.abc

    for name in ("MutableSequence", "MutableMapping", "Mapping", "Sequence", "Iterable", "Callable"):
        if not hasattr(collections, name):
            setattr(collections, name, getattr(collections.abc, name))
    for name, value in (("float", float), ("int", int), ("complex", complex), ("bool", bool),
                        ("object", object), ("str", str)):
        if name not in np.__dict__:
            setattr(np, name, value)


def madmom_available() -> str | None:
    """None when madmom imports (with the shims), else the reason it cannot be used."""
    try:
        _madmom_shims()
        import madmom  # noqa: F401
        from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor  # noqa: F401
    except Exception as e:  # noqa: BLE001
        return f"madmom unavailable: {type(e).__name__}: {e}"
    if shutil.which("fluidsynth") is None or not SOUNDFONT.exists():
        return "fluidsynth or the TimGM6mb SoundFont is missing (needed to render MIDI to audio)"
    return None


_RENDER_DIR: Path | None = None
_LAST_RENDER: dict[tuple, str] = {}


def render_wav(midi, max_seconds: float | None = None) -> str:
    """Render the first `max_seconds` of a MIDI file to a 44.1 kHz WAV with FluidSynth; returns its path.

    Only the latest rendering is kept (in a temporary folder removed at exit), so the madmom peers
    can share it.
    """
    global _RENDER_DIR
    st = Path(midi).stat()
    key = (str(midi), st.st_mtime_ns, st.st_size, max_seconds)   # a rewritten file is a new rendering
    if key in _LAST_RENDER and Path(_LAST_RENDER[key]).exists():
        return _LAST_RENDER[key]
    if _RENDER_DIR is None:
        _RENDER_DIR = Path(tempfile.mkdtemp(prefix="aqyn_peer_"))
        atexit.register(shutil.rmtree, _RENDER_DIR, True)
    for old in _LAST_RENDER.values():
        Path(old).unlink(missing_ok=True)
    _LAST_RENDER.clear()
    src = Path(midi)
    if max_seconds is not None:
        src = _RENDER_DIR / "cut.mid"
        _pretty_midi(midi, max_seconds).write(str(src))
    wav = _RENDER_DIR / "render.wav"
    subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", "44100", str(SOUNDFONT), str(src)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    if not wav.exists() or wav.stat().st_size < 1000:
        raise RuntimeError("FluidSynth produced no audio")
    if max_seconds is not None:
        _truncate_wav(wav, max_seconds)  # tempo events after the cut still make FluidSynth play on
    _LAST_RENDER[key] = str(wav)
    return str(wav)


def _truncate_wav(path: Path, seconds: float) -> None:
    """Keep only the first `seconds` of a WAV file (in place)."""
    import wave

    with wave.open(str(path), "rb") as src:
        params = src.getparams()
        frames = src.readframes(int(seconds * params.framerate))
    with wave.open(str(path), "wb") as dst:
        dst.setparams(params)
        dst.writeframes(frames)


@functools.lru_cache(maxsize=1)
def _madmom_processors():
    """(online RNN, online DBN, offline RNN, offline DBN) processors, built once."""
    reason = madmom_available()
    if reason:
        raise RuntimeError(reason)
    from madmom.features.beats import DBNBeatTrackingProcessor, RNNBeatProcessor

    return (RNNBeatProcessor(online=True, origin="online"),
            DBNBeatTrackingProcessor(fps=100, online=True),
            RNNBeatProcessor(),
            DBNBeatTrackingProcessor(fps=100))


@_guarded
def madmom_online_beats(midi, max_seconds: float | None = None) -> np.ndarray:
    """Beat times (s) from madmom's causal RNN + forward-DBN tracker on a FluidSynth rendering."""
    act_proc, dbn, *_ = _madmom_processors()
    activations = act_proc(render_wav(str(midi), max_seconds))
    dbn.reset()
    return np.asarray(dbn.process_online(activations, reset=True), dtype=np.float64)


@_guarded
def madmom_offline_beats(midi, max_seconds: float | None = None) -> np.ndarray:
    """Beat times (s) from madmom's offline RNN + Viterbi-DBN tracker on a FluidSynth rendering."""
    _, _, act_proc, dbn = _madmom_processors()
    return np.asarray(dbn(act_proc(render_wav(str(midi), max_seconds))), dtype=np.float64)


def tempo_from_beats(beats) -> float | None:
    """Tempo (BPM) as 60 / median inter-beat interval of beat times (s); None with fewer than 2 beats."""
    if beats is None or len(beats) < 2:
        return None
    ibi = np.diff(np.sort(np.asarray(beats, dtype=np.float64)))
    ibi = ibi[ibi > 0]
    return float(60.0 / np.median(ibi)) if len(ibi) else None
