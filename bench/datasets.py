"""Benchmark datasets as `Piece` records: POP909, ASAP and the Nottingham folk tunes.

    from datasets import load                      # with bench/ on sys.path
    pieces = load("pop909", limit=20, seed=0)
    report = last_report("pop909")                 # how many were loaded / skipped, and why

All times are seconds on the MIDI file's own clock. The data stay in /work/shared/data (override with
the AQYN_DATA environment variable); nothing is copied. Test use only: ASAP is CC BY-NC-SA and
Nottingham GPL-3, neither may ship with aqyn.

What each loader reads (checked against the files, see the module notes below):

* POP909 (`pop909/NNN/`): `NNN.mid`; `beat_midi.txt` = time, flag, flag. The first flag marks the start
  of every short bar (every 2nd beat in duple songs, every 3rd in triple ones), the second marks every
  4th (duple) or 6th (triple) beat. Downbeats are therefore column 3 for duple songs (4/4) and column 2
  for triple songs (3/4), except that a triple song whose MIDI says 6/8 takes column 3 (6 beats to the
  bar). The annotated beat equals the MIDI quarter note (median 74 BPM), and the beat times coincide with
  note onsets to the millisecond. `chord_midi.txt` labels are Harte already (all 124 805 pass mir_eval's
  validation); anything invalid would become "X". `key_audio.txt` comes from the audio, but its first
  segment starts within 0.1 s of the first MIDI note in half the songs (median -0.05 s): POP909's MIDI
  shares the audio's clock, so no offset is applied. 22 songs change key.
* ASAP: every performance MIDI with a `<name>_annotations.txt` beside it (the `midi_score` files are
  not performances and are left out). Beat types `b`, `db` and `bR` (beat of uncertain position) all
  count as beats; `db` are the downbeats. The annotation gives key *signatures* only (number of sharps,
  negative = flats), never a mode, so `key` is None and `keys` is empty; the signatures are kept in
  `key_signatures` as (time, sharps). ASAP has no chord labels.
* Nottingham: `MIDI/<file><X>.mid` is tune `X:` of `ABC_cleaned/<file>.abc` (verified: the MIDI's key
  and time signature must equal the ABC's first `K:` and body `M:`). The MIDI has no tempo event (so
  120 quarter notes per minute) and one time signature; a pickup is padded to a full bar, so bars start
  at multiples of the bar length from 0. Beats follow the meter: quarter in x/4, half in x/2, dotted
  quarter in 6/8, 9/8, 12/8. Keys and chords come from the ABC, unfolded (repeats, first/second
  endings, the part order in `Y:`/`P:`) onto a time line that is accepted only when it ends where the
  MIDI ends and its chord changes land on chord-track note onsets; otherwise the chords are read from
  the MIDI chord track (each block's pitch classes matched to the tune's own ABC chord symbols) and the
  key changes are dropped (the first key is kept). Tunes with a meter change are skipped, and so are
  tunes whose chord-track onsets do not sit on the beat grid (irregular bars; 7 tunes).

  How the ABC is unfolded: the MIDI files were converted with rules that differ from tune to tune (a
  `:|` with no `|:` may go back to the part's start or to the last bar line with a repeat sign; an outer
  repeat may re-arm inner ones; some tunes with `P:` parts but no play order were converted with only
  their first part). `Unfolding` lists these choices; every combination is tried and the one whose note
  onsets match the MIDI melody's (F >= 0.98 within 10 ms, ties resolved as the converter did: "A3 -A" is
  two notes) is used. A pair of chord symbols ("Em""Bm", first/second time) takes the first, as the
  MIDI does. Measured on the 1011 tunes that load (of 1034): 964 fit, and of those 935 have ABC chords
  that land on the chord track's onsets while 17 take the chord track's; 47 did not fit; 12 have no
  chords. Where both exist, ABC chords and chord-track chords agree (majmin 1.00 on 72 tunes checked).

Full loads (seconds on this machine): POP909 909 of 909 (6 s; 152 change key; meters 880 x 4/4, 25 x
3/4, 4 x 6/8), ASAP 1067 of 1067 (2 s; 183 change meter), Nottingham 1011 of 1034 (27 s; skipped: 11
meter changes, 7 irregular bars, 3 MIDI time signature != ABC, 2 MIDI key != ABC).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

DATA_ROOT = Path(os.environ.get("AQYN_DATA", "/work/shared/data"))
CASES_ROOT = DATA_ROOT.parent / "cases"
SIM_ROOT = Path(__file__).resolve().parent / ".cache"
DATASETS = ("pop909", "asap", "nottingham", "guitarset-dev", "converter-set-b", "sim2", "sim2-held", "sim3",
            "sim-aqsaq", "sim4", "sim4-held")

PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass
class Piece:
    """One annotated piece. Times are seconds on the MIDI file's clock."""

    dataset: str  # "pop909" | "asap" | "nottingham"
    name: str  # e.g. "pop909/001"
    midi: Path  # the MIDI file to feed to a tracker
    beats: np.ndarray  # annotated beat times, s (float64, sorted)
    downbeats: np.ndarray  # annotated downbeat times, s
    key: tuple[str, str] | None  # (tonic, mode) of the first key, e.g. ("Gb", "major")
    keys: list[tuple[float, str, str]]  # key change points (time s, tonic, mode)
    chords: list[tuple[float, float, str]]  # (start s, end s, Harte label), e.g. "B:maj", "N"
    meter: str | None  # e.g. "4/4" when known
    key_signatures: list[tuple[float, int]] = field(default_factory=list)  # ASAP: (time s, sharps; <0 flats)
    info: dict = field(default_factory=dict)  # loader notes, e.g. where the chords came from


class SkipPiece(Exception):
    """Raised by a per-piece parser when the piece's annotations cannot be used; the message is the reason."""


_REPORTS: dict[str, dict] = {}


def last_report(dataset: str) -> dict:
    """The report of the last `load(dataset)`: {"loaded": n, "skipped": Counter(reason -> n), "notes": Counter}."""
    return _REPORTS.get(dataset, {"loaded": 0, "skipped": Counter(), "notes": Counter()})


def load(dataset: str, limit: int | None = None, seed: int = 0, where=None) -> list[Piece]:
    """Load a dataset's pieces, skipping (and counting, see `last_report`) those that cannot be parsed.

    With `limit`, candidates are taken in a seeded shuffle of the sorted names until `limit` pieces have
    loaded, so the subset is deterministic for a given seed; the result is sorted by name. `where` (name ->
    bool), when given, keeps only the names it accepts before the shuffle (accuracy.py's `reels`).
    """
    if dataset not in _LOADERS:
        raise ValueError(f"unknown dataset {dataset!r}; choose one of {DATASETS}")
    lister, parser = _LOADERS[dataset]
    candidates = sorted((c for c in lister() if where is None or where(c[0])), key=lambda c: c[0])
    if limit is not None:
        order = np.random.default_rng(seed).permutation(len(candidates))
        candidates = [candidates[i] for i in order]
    pieces: list[Piece] = []
    skipped: Counter = Counter()
    notes: Counter = Counter()
    for name, ref in candidates:
        if limit is not None and len(pieces) >= limit:
            break
        try:
            piece = parser(name, ref)
        except SkipPiece as e:
            skipped[str(e)] += 1
            continue
        except Exception as e:  # a malformed file must not stop the whole load
            skipped[f"error: {type(e).__name__}: {str(e)[:60]}"] += 1
            continue
        notes.update(piece.info.get("notes", ()))
        pieces.append(piece)
    _REPORTS[dataset] = {"loaded": len(pieces), "skipped": skipped, "notes": notes}
    return sorted(pieces, key=lambda p: p.name)


# ---------------------------------------------------------------- shared helpers


def tonic_pc(name: str) -> int:
    """Pitch class 0-11 of a note name such as "Gb", "F#", "c", "Bbb" (metrics.pitch_class)."""
    from metrics import pitch_class  # noqa: PLC0415 (a sibling module in bench/)

    return pitch_class(name)


def harte_or_x(label: str) -> str:
    """`label` if mir_eval accepts it as a Harte chord, else "X" (unknown, ignored by the chord metrics)."""
    import mir_eval

    try:
        mir_eval.chord.encode(label)
        return label
    except Exception:
        return "X"


def _sorted_times(values) -> np.ndarray:
    """Float64 array of unique, sorted times."""
    return np.unique(np.asarray(values, dtype=np.float64))


def _meter_notes(meter: str) -> tuple[int, Fraction]:
    """(beats per bar, beat length in whole notes) for a time signature, compound meters in dotted beats."""
    num, den = (int(x) for x in meter.split("/"))
    if num in (6, 9, 12) and den >= 4:
        return num // 3, Fraction(3, den)
    return num, Fraction(1, den)


# ---------------------------------------------------------------- POP909


def _pop909_list() -> list[tuple[str, Path]]:
    """(name, song folder) of every POP909 song folder."""
    root = DATA_ROOT / "pop909"
    if not root.is_dir():
        return []
    return [(f"pop909/{d.name}", d) for d in root.iterdir() if d.is_dir() and d.name.isdigit()]


def _pop909_beats(folder: Path, midi: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """Beats, downbeats and meter from beat_midi.txt (see the module notes for the two flag columns)."""
    rows = np.loadtxt(folder / "beat_midi.txt", ndmin=2)
    if rows.shape[1] < 3 or len(rows) < 8:
        raise SkipPiece("pop909: beat_midi.txt malformed")
    beats = rows[:, 0]
    short_bar = np.flatnonzero(rows[:, 1] > 0.5)
    if len(short_bar) < 2:
        raise SkipPiece("pop909: no bar flags")
    gaps = Counter(np.diff(short_bar).tolist())
    per_short_bar = gaps.most_common(1)[0][0]
    if per_short_bar == 3:
        if _midi_time_signature(midi) == (6, 8):
            return _sorted_times(beats), _sorted_times(beats[rows[:, 2] > 0.5]), "6/8"
        return _sorted_times(beats), _sorted_times(beats[short_bar]), "3/4"
    return _sorted_times(beats), _sorted_times(beats[rows[:, 2] > 0.5]), "4/4"


def _midi_time_signature(midi: Path) -> tuple[int, int] | None:
    """The first time signature in a MIDI file, or None."""
    import mido

    for track in mido.MidiFile(midi).tracks:
        for msg in track:
            if msg.type == "time_signature":
                return msg.numerator, msg.denominator
    return None


def _pop909_chords(path: Path) -> list[tuple[float, float, str]]:
    """(start, end, Harte label) rows of chord_midi.txt."""
    chords = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        start, end = float(parts[0]), float(parts[1])
        if end > start:
            chords.append((start, end, harte_or_x(parts[2])))
    if not chords:
        raise SkipPiece("pop909: no chords")
    return chords


def _pop909_keys(path: Path) -> list[tuple[float, str, str]]:
    """(start, tonic, mode) rows of key_audio.txt, e.g. "Gb:maj" -> ("Gb", "major")."""
    keys = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) != 3:
            continue
        tonic, _, quality = parts[2].partition(":")
        mode = {"maj": "major", "min": "minor"}.get(quality)
        if mode is None:
            raise SkipPiece(f"pop909: key label {parts[2]!r}")
        tonic_pc(tonic)  # validates the name
        keys.append((float(parts[0]), tonic, mode))
    if not keys:
        raise SkipPiece("pop909: no key")
    return sorted(keys)


def _pop909_piece(name: str, folder: Path) -> Piece:
    """One POP909 song: MIDI beats, MIDI chords, audio keys (same clock)."""
    midi = folder / f"{folder.name}.mid"
    needed = [midi] + [folder / f for f in ("beat_midi.txt", "chord_midi.txt", "key_audio.txt")]
    missing = [p.name for p in needed if not p.exists()]
    if missing:
        raise SkipPiece(f"pop909: missing {missing[0]}")
    beats, downbeats, meter = _pop909_beats(folder, midi)
    keys = _pop909_keys(folder / "key_audio.txt")
    notes = ["key changes"] if len(keys) > 1 else []
    return Piece("pop909", name, midi, beats, downbeats, keys[0][1:], keys,
                 _pop909_chords(folder / "chord_midi.txt"), meter, info={"notes": notes})


# ---------------------------------------------------------------- ASAP


def _asap_list() -> list[tuple[str, Path]]:
    """(name, annotation file) of every ASAP performance annotation (score annotations excluded)."""
    root = DATA_ROOT / "asap"
    if not root.is_dir():
        return []
    out = []
    for ann in root.rglob("*_annotations.txt"):
        if ann.name == "midi_score_annotations.txt":
            continue
        stem = ann.name[: -len("_annotations.txt")]
        rel = ann.parent.relative_to(root).as_posix()
        out.append((f"asap/{rel}/{stem}", ann))
    return out


def _asap_rows(path: Path) -> list[tuple[float, str, str, str]]:
    """(time, beat type, time signature, key signature) per line; the last two may be ""."""
    rows = []
    for line in path.read_text().splitlines():
        cols = line.split("\t")
        if len(cols) < 3:
            continue
        fields = cols[2].split(",") + ["", ""]
        rows.append((float(cols[0]), fields[0].strip(), fields[1].strip(), fields[2].strip()))
    return rows


def _asap_piece(name: str, ann: Path) -> Piece:
    """One ASAP performance: hand-aligned beats and downbeats, meter, key signatures (no key, no chords)."""
    midi = ann.with_name(ann.name[: -len("_annotations.txt")] + ".mid")
    if not midi.exists():
        raise SkipPiece("asap: annotation without performance MIDI")
    rows = _asap_rows(ann)
    beats = [t for t, kind, _, _ in rows if kind in ("b", "db", "bR")]
    downbeats = [t for t, kind, _, _ in rows if kind == "db"]
    if len(beats) < 8:
        raise SkipPiece("asap: fewer than 8 beats")
    unknown = {kind for _, kind, _, _ in rows} - {"b", "db", "bR"}
    if unknown:
        raise SkipPiece(f"asap: beat type {sorted(unknown)[0]!r}")
    meters = [ts for _, _, ts, _ in rows if ts]
    signatures = [(t, int(ks)) for t, _, _, ks in rows if ks]
    notes = ["meter changes"] if len(set(meters)) > 1 else []
    return Piece("asap", name, midi, _sorted_times(beats), _sorted_times(downbeats), None, [], [],
                 meters[0] if meters else None, key_signatures=signatures, info={"notes": notes})


# ---------------------------------------------------------------- Nottingham: ABC reading

_FIELD_LINE = re.compile(r"^([A-Za-z]):(.*)$")
_NOTE = re.compile(r"[\^_=]*[A-Ga-gzx][,']*(\d*)(/*)(\d*)")


def _abc_tunes(path: Path) -> dict[int, str]:
    """Tune text by its `X:` number."""
    text = path.read_text(encoding="latin-1")
    tunes = {}
    for chunk in re.split(r"\n(?=X:)", "\n" + text):
        m = re.match(r"X:\s*(\d+)", chunk)
        if m:
            tunes[int(m.group(1))] = chunk
    return tunes


def abc_key(value: str) -> tuple[str, str]:
    """ABC `K:` value -> (tonic, mode): "G" -> ("G", "major"), "Am" -> ("A", "minor"), "Bb" -> ("Bb", "major")."""
    m = re.match(r"\s*([A-G])([#b]?)\s*(maj|major|m|min|minor)?\s*$", value)
    if not m:
        raise SkipPiece(f"nottingham: key {value.strip()!r}")
    mode = "minor" if m.group(3) in ("m", "min", "minor") else "major"
    return m.group(1) + m.group(2), mode


_QUALITY = {"": "maj", "m": "min", "7": "7", "m7": "min7", "6": "maj6", "m6": "min6", "d": "dim",
            "a": "aug", "maj7": "maj7", "7b9": "7(b9)", "a7": "aug(b7)", "m7b5": "hdim7", "dim": "dim",
            "aug": "aug", "d7": "dim7", "9": "9"}
_DEGREE = ("1", "b2", "2", "b3", "3", "4", "b5", "5", "b6", "6", "b7", "7")


def abc_chord_to_harte(symbol: str) -> str | None:
    """ABC chord symbol -> Harte label: "Em" -> "E:min", "D/f+" -> "D:maj/3" (f+ = F#), "Cd" -> "C:dim".

    Returns None for an empty or unreadable symbol. Bass notes are lower case; "+" sharpens, a trailing
    "b" flattens ("Gm/bb" = Gm over Bb).
    """
    s = symbol.strip().strip("()").strip()
    m = re.match(r"^([A-G])([#b]?)([a-z0-9]*)(?:/([a-gA-G])([+#b]?))?$", s)
    if not m:
        return None
    root, acc, quality, bass, bass_acc = m.groups()
    if quality not in _QUALITY:
        return None
    label = f"{root}{acc}:{_QUALITY[quality]}"
    if bass:
        root_pc = tonic_pc(root + acc)
        bass_pc = (PITCH_CLASS[bass.upper()] + {"+": 1, "#": 1, "b": -1}.get(bass_acc or "", 0)) % 12
        interval = (bass_pc - root_pc) % 12
        if interval:
            label += "/" + _DEGREE[interval]
    return None if harte_or_x(label) == "X" else label


def _abc_split(tune: str) -> tuple[dict[str, str], list[str]]:
    """Header fields (first occurrence, up to and including the first K:) and the body lines."""
    header: dict[str, str] = {}
    lines = tune.splitlines()
    for i, line in enumerate(lines):
        m = _FIELD_LINE.match(line.strip())
        if m:
            header.setdefault(m.group(1), m.group(2).strip())
            if m.group(1) == "K":
                return header, lines[i + 1:]
    raise SkipPiece("nottingham: no K: field")


def _default_unit(meter: str) -> Fraction:
    """ABC default note length: 1/16 when the meter is below 3/4, else 1/8."""
    try:
        num, den = (int(x) for x in meter.split("/"))
    except ValueError:
        return Fraction(1, 8)
    return Fraction(1, 16) if num / den < 0.75 else Fraction(1, 8)


def _abc_tokens(body: list[str]) -> list[tuple[str, str]]:
    """Tokenise an ABC body into (kind, text): field, chord, note, bar, tuplet, chordstart, chordend."""
    tokens: list[tuple[str, str]] = []
    for raw in body:
        line = raw.split("%", 1)[0].rstrip()
        m = _FIELD_LINE.match(line.strip())
        if m:
            tokens.append(("field", m.group(1) + ":" + m.group(2).strip()))
            continue
        tokens.extend(_abc_music_tokens(line))
    return tokens


_BAR = re.compile(r":*\|+[\]:]*|:*\[\||::+|:+\|")


def _abc_music_tokens(line: str) -> list[tuple[str, str]]:
    """Tokens of one music line (see `_abc_tokens`)."""
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(line):
        tokens, i = _abc_token(line, i)
        out.extend(tokens)
    return out


def _abc_token(line: str, i: int) -> tuple[list[tuple[str, str]], int]:
    """The tokens that start at `line[i]` (none for decorations, grace notes, slurs and spaces) and the index
    where the next token starts."""
    c, n = line[i], len(line)
    if c in '"!{':
        return _abc_quoted(line, i)
    if c == "[" and i + 2 < n and line[i + 1].isalpha() and line[i + 2] == ":":
        j = line.find("]", i)
        j = n if j < 0 else j
        return [("field", line[i + 1:j])], j + 1
    if c == "[" and i + 1 < n and line[i + 1] in "12":
        return [("ending", line[i + 1])], i + 2
    if c in "|:" or (c == "[" and i + 1 < n and line[i + 1] == "|"):
        return _abc_bar(line, i)
    if c == "[":
        return [("chordstart", "")], i + 1
    if c == "]":
        m = re.match(r"\](\d*)(/*)(\d*)", line[i:])
        return [("chordend", m.group(0)[1:])], i + len(m.group(0))
    if c == "(" and i + 1 < n and line[i + 1].isdigit():
        return [("tuplet", line[i + 1])], i + 2
    m = _NOTE.match(line, i)
    if m and m.end() > i:
        return [("note", m.group(0))], m.end()
    if c == "-" and i > 0 and not line[i - 1].isspace():  # "A3 -A" is no tie for the MIDI's converter
        return [("tie", "")], i + 1
    return [], i + 1  # slurs, spaces, decorations, continuation backslashes


def _abc_quoted(line: str, i: int) -> tuple[list[tuple[str, str]], int]:
    """A chord symbol "Em" (a token), a decoration !trill! or grace notes {g} (skipped), to its closing mark
    or the end of the line; and the index after it."""
    c, n = line[i], len(line)
    j = line.find({'"': '"', "!": "!", "{": "}"}[c], i + 1)
    if c == '"':
        j = n if j < 0 else j
        return [("chord", line[i + 1:j])], j + 1
    return [], n if j < 0 else j + 1


def _abc_bar(line: str, i: int) -> tuple[list[tuple[str, str]], int]:
    """A bar line at `line[i]` (with the ending number right after it, if any); a lone ':' is skipped."""
    n = len(line)
    m = _BAR.match(line, i)
    if not m:
        return [], i + 1
    text = m.group(0)
    i = m.end()
    if i < n and line[i] in "12" and "|" in text:
        return [("bar", text), ("ending", line[i])], i + 1
    return [("bar", text)], i


def _note_length(text: str, unit: Fraction) -> Fraction:
    """Length in whole notes of a note token's length suffix ("2", "/2", "3/2", "/", "//")."""
    m = re.search(r"(\d*)(/*)(\d*)$", text)
    num = int(m.group(1)) if m.group(1) else 1
    slashes = len(m.group(2))
    if slashes == 0:
        return unit * num
    den = int(m.group(3)) if m.group(3) else 2 ** slashes
    return unit * Fraction(num, den)


def _bar_kinds(text: str) -> tuple[bool, bool]:
    """(ends a repeat, starts a repeat) for a bar-line token."""
    if text.startswith("::") or ":|:" in text or ":||:" in text:
        return True, True
    return text.startswith(":"), text.endswith(":")


def _abc_parts(tokens: list[tuple[str, str]]) -> tuple[dict[str, list], list[str]]:
    """Tokens grouped by `P:` part label, and the labels in order of appearance ("" = before any P:)."""
    parts: dict[str, list] = {"": []}
    order = [""]
    current = ""
    for kind, text in tokens:
        if kind == "field" and text.startswith("P:"):
            current = text[2:].strip()
            if current not in parts:
                parts[current] = []
                order.append(current)
            continue
        parts[current].append((kind, text))
    return parts, order


@dataclass(frozen=True)
class Unfolding:
    """How to read repeats and parts; the MIDI files were made with rules that differ between tunes.

    `from_part_start`: a `:|` with no `|:` before it goes back to the start of the part (else also
    `||` and any earlier `:|` mark where a repeat starts, as in ABC 2.1). `retake_inner`: taking an
    outer repeat re-arms the repeats inside it (abc2midi's A A B A A B for `A :| B :|`). `order`: "play"
    follows `Y:` / a header `P:` list, "written" plays the parts as written, "first" only the first part.
    """

    from_part_start: bool = False
    retake_inner: bool = False
    order: str = "play"


UNFOLDINGS = tuple(Unfolding(a, b, c) for c in ("play", "written", "first")
                   for a in (False, True) for b in (False, True))


def _unfold(tokens: list[tuple[str, str]], how: Unfolding = Unfolding()) -> list[tuple[str, str]]:
    """Play order of a part's tokens: repeats taken twice, first endings skipped on the second pass."""
    out: list[tuple[str, str]] = []
    start, i, n = 0, 0, len(tokens)
    done: set[int] = set()
    second_pass = False
    while i < n:
        kind, text = tokens[i]
        if kind == "ending" and text == "1" and second_pass:
            j = i + 1
            while j < n and tokens[j] != ("ending", "2"):
                j += 1
            if j >= n:
                raise SkipPiece("nottingham: first ending without a second")
            second_pass = False
            i = j + 1
            continue
        if kind == "bar":
            ends, starts = _bar_kinds(text)
            if ends and i not in done:
                if how.retake_inner:
                    done = {d for d in done if d > i}
                done.add(i)
                second_pass = True
                i = start
                continue
            if ends:
                second_pass = False
            if starts or (not how.from_part_start and (ends or text in ("||", "|]"))):
                start = i + 1
        out.append((kind, text))
        i += 1
        if len(out) > 100_000:
            raise SkipPiece("nottingham: repeat structure does not terminate")
    return out


def _abc_events(header: dict[str, str], tokens: list[tuple[str, str]]):
    """Walk unfolded tokens, in whole notes: ([(time, "chord"|"key", value)], note onsets, total length)."""
    walk = _AbcWalk(_abc_unit(header))
    last_was_chord = False
    for kind, text in tokens:
        if kind == "chord":
            if not last_was_chord:  # of a pair "Em""Bm" the MIDI plays the first
                walk.events.append((walk.t, "chord", text))
            last_was_chord = True
            continue
        last_was_chord = False
        walk.take(kind, text)
    if not walk.onsets:
        raise SkipPiece("nottingham: ABC tune has no notes")
    return walk.events, walk.onsets, walk.t


@dataclass
class _AbcWalk:
    """Where a walk through a tune's unfolded tokens is: time `t` and the unit note length in whole notes,
    the note onsets and key changes so far, a pending tuplet, a [chord] being read, a tie into the next note."""

    unit: Fraction
    t: Fraction = Fraction(0)
    onsets: list[Fraction] = field(default_factory=list)
    events: list = field(default_factory=list)
    tuplet_left: int = 0
    tuplet_factor: Fraction = Fraction(1)
    in_chord: bool = False
    chord_len: Fraction | None = None
    chord_onset: bool = False
    tied: bool = False

    def take(self, kind: str, text: str) -> None:
        """Take one token other than a chord symbol (see `_abc_tokens` for the kinds)."""
        if kind == "tie":
            self.tied = True
        elif kind == "field":
            if text.startswith("K:"):
                self.events.append((self.t, "key", text[2:]))
            elif text.startswith("L:"):
                self.unit = Fraction(text[2:].strip())
        elif kind == "tuplet":
            p = int(text)
            self.tuplet_left, self.tuplet_factor = p, Fraction({2: 3, 3: 2, 4: 3, 6: 2, 8: 3}.get(p, 2), p)
        elif kind == "chordstart":
            self.in_chord, self.chord_len, self.chord_onset = True, None, False
        elif kind == "chordend" and self.in_chord:
            self.in_chord = False
            if self.chord_onset:
                self.onsets.append(self.t)
            length = (self.chord_len or self.unit) * (_note_length(text, Fraction(1)) if text else 1)
            self.t, self.tuplet_left = _advance(self.t, length, self.tuplet_left, self.tuplet_factor)
        elif kind == "note":
            self.note(text)

    def note(self, text: str) -> None:
        """A note or rest: inside a [chord] it only sets the chord's length and onset, else it sounds (unless
        a rest or tied) and moves the time on."""
        length = _note_length(text, self.unit)
        sounding = text.lstrip("^_=")[0] not in "zx" and not self.tied
        self.tied = False
        if self.in_chord:
            self.chord_len = self.chord_len or length
            self.chord_onset = self.chord_onset or sounding
            return
        if sounding:
            self.onsets.append(self.t)
        self.t, self.tuplet_left = _advance(self.t, length, self.tuplet_left, self.tuplet_factor)


def _advance(t: Fraction, length: Fraction, tuplet_left: int, factor: Fraction) -> tuple[Fraction, int]:
    """Move the time by one note, applying a pending tuplet."""
    if tuplet_left > 0:
        return t + length * factor, tuplet_left - 1
    return t + length, 0


def _abc_unit(header: dict[str, str]) -> Fraction:
    """The tune's unit note length (L:, else the ABC default for its meter)."""
    if "L" in header:
        return Fraction(header["L"].strip())
    return _default_unit(header.get("M", "4/4"))


def _abc_play_order(header: dict[str, str], order: list[str], how: Unfolding) -> list[str]:
    """Part labels in playing order (see `Unfolding.order`); "" is the music before any `P:`."""
    seq = header.get("Y") or (header.get("P") if len(header.get("P", "")) > 1 else None)
    lead = [""] if "" in order else []
    if how.order == "first":
        return lead + [c for c in order[1:2]]
    if how.order == "written" or not seq:
        return order
    return lead + [c for c in seq.strip() if not c.isspace()]


def abc_timeline(tune: str, how: Unfolding = Unfolding()):
    """Unfold a tune: (header, [(time, kind, value)], note onsets, total length), times in whole notes."""
    header, body = _abc_split(tune)
    parts, order = _abc_parts(_abc_tokens(body))
    played: list[tuple[str, str]] = []
    for label in _abc_play_order(header, order, how):
        if label not in parts:
            raise SkipPiece("nottingham: part order names a missing part")
        played.extend(_unfold(parts[label], how))
    events, onsets, total = _abc_events(header, played)
    return header, events, onsets, total


# ---------------------------------------------------------------- Nottingham: MIDI side


def _notes_by_track(midi: Path) -> list[list[tuple[float, float, int]]]:
    """(start s, end s, pitch) notes of each track with notes, with mido's tempo handling."""
    import warnings

    import pretty_midi

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm = pretty_midi.PrettyMIDI(str(midi))
    return [[(n.start, n.end, n.pitch) for n in inst.notes] for inst in pm.instruments if inst.notes]


def _midi_meta(midi: Path) -> dict:
    """Tempi (us per quarter), time signatures and key names in a MIDI file."""
    import mido

    meta = {"tempo": [], "ts": [], "keys": []}
    for track in mido.MidiFile(midi).tracks:
        for msg in track:
            if msg.type == "set_tempo":
                meta["tempo"].append(msg.tempo)
            elif msg.type == "time_signature":
                meta["ts"].append((msg.numerator, msg.denominator))
            elif msg.type == "key_signature":
                meta["keys"].append(msg.key)
    return meta


def _chord_blocks(notes: list[tuple[float, float, int]]) -> list[tuple[float, float, list[int]]]:
    """Group chord-track notes by onset: (start s, end s, pitches)."""
    blocks: dict[float, list] = {}
    for start, end, pitch in notes:
        blocks.setdefault(round(start, 3), []).append((end, pitch))
    return [(s, max(e for e, _ in v), [p for _, p in v]) for s, v in sorted(blocks.items())]


def _label_pcs(label: str) -> tuple[frozenset, int]:
    """Absolute pitch classes and bass pitch class of a Harte label."""
    import mir_eval

    root, bitmap, bass = mir_eval.chord.encode(label)
    pcs = frozenset((root + i) % 12 for i in np.flatnonzero(bitmap))
    return pcs, (root + bass) % 12


def _match_block(pitches: list[int], vocabulary: list[str]) -> str:
    """The vocabulary label whose pitch classes best match a chord-track block (exact set first)."""
    pcs = frozenset(p % 12 for p in pitches)
    bass = min(pitches) % 12
    best, best_score = "X", -1.0
    for label in vocabulary:
        lpcs, lbass = _label_pcs(label)
        score = len(pcs & lpcs) - len(pcs ^ lpcs) + 0.5 * (lbass == bass)
        if score > best_score:
            best, best_score = label, score
    return best


def _segments(changes: list[tuple[float, str]], end: float) -> list[tuple[float, float, str]]:
    """(start, end, label) segments from label changes, merging repeats of the same label."""
    changes = sorted(changes, key=lambda c: c[0])  # stable: equal times keep their written order
    if changes and changes[0][0] > 0:
        changes = [(0.0, "N")] + changes
    out: list[list] = []
    for t, label in changes:
        if out and out[-1][2] == label:
            continue
        if out:
            out[-1][1] = t
        out.append([t, end, label])
    return [(s, e, lab) for s, e, lab in out if e > s]


# ---------------------------------------------------------------- Nottingham: pieces


def _nottingham_list() -> list[tuple[str, Path]]:
    """(name, MIDI file) of every melody+chords MIDI file at the top of nottingham/MIDI."""
    root = DATA_ROOT / "nottingham" / "MIDI"
    if not root.is_dir():
        return []
    return [(f"nottingham/{p.stem}", p) for p in root.glob("*.mid")]


_TUNE_CACHE: dict[str, dict[int, str]] = {}


def _find_tune(midi: Path) -> str:
    """The ABC text of the tune a MIDI file was made from: `<file><X>.mid` -> tune X of `<file>.abc`."""
    m = re.match(r"^(.*?)(\d+)$", midi.stem)
    if not m:
        raise SkipPiece("nottingham: MIDI name without tune number")
    abc = DATA_ROOT / "nottingham" / "ABC_cleaned" / f"{m.group(1)}.abc"
    if not abc.exists():
        raise SkipPiece("nottingham: no ABC file for MIDI")
    if m.group(1) not in _TUNE_CACHE:
        _TUNE_CACHE[m.group(1)] = _abc_tunes(abc)
    tune = _TUNE_CACHE[m.group(1)].get(int(m.group(2)))
    if tune is None:
        raise SkipPiece("nottingham: tune number not in ABC file")
    return tune


def _body_meters(tune: str) -> tuple[str | None, list[str]]:
    """The header meter (last M: before the first K:) and every meter set in the body (inline too)."""
    _, body = _abc_split(tune)
    head_m = [m.group(1).strip() for m in re.finditer(r"^M:(.*)$", tune.split("\nK:", 1)[0], re.M)]
    body_m = [t[2:].strip() for k, t in _abc_tokens(body) if k == "field" and t.startswith("M:")]
    return (head_m[-1] if head_m else None), body_m


def _nottingham_grid(meter: str, seconds_per_whole: float, end: float, first_onset: float):
    """Beats and downbeats on the MIDI's bar grid (bars from 0), from the beat holding the first onset."""
    per_bar, beat = _meter_notes(meter)
    beat_s = float(beat) * seconds_per_whole
    first = np.floor(first_onset / beat_s + 1e-6) * beat_s
    beats = np.arange(first, end - 1e-6, beat_s)
    bar_s = beat_s * per_bar
    downbeats = beats[np.isclose(np.mod(beats + 1e-6, bar_s), 0, atol=1e-4)]
    return _sorted_times(beats), _sorted_times(downbeats)


def _nottingham_piece(name: str, midi: Path) -> Piece:
    """One Nottingham tune: beats from the MIDI meter at 120 quarter notes per minute, keys and chords from ABC."""
    tune = _find_tune(midi)
    header, body = _abc_split(tune)
    first_key = abc_key(header["K"])
    head_meter, body_meters = _body_meters(tune)
    if len(set(body_meters)) > 1:
        raise SkipPiece("nottingham: meter changes")
    meter = body_meters[0] if body_meters else head_meter
    if not meter:
        raise SkipPiece("nottingham: no meter")
    meta = _midi_meta(midi)
    if len(set(meta["ts"])) != 1 or f"{meta['ts'][0][0]}/{meta['ts'][0][1]}" != meter:
        raise SkipPiece("nottingham: MIDI time signature differs from ABC")
    if meta["keys"] and _key_name_pc(meta["keys"][0]) != _key_name_pc(header["K"]):
        raise SkipPiece("nottingham: MIDI key differs from ABC")
    if len(set(meta["tempo"])) > 1:
        raise SkipPiece("nottingham: tempo changes")
    quarter_s = (meta["tempo"][0] / 1e6) if meta["tempo"] else 0.5
    whole_s = 4 * quarter_s
    tracks = _notes_by_track(midi)
    if not tracks:
        raise SkipPiece("nottingham: MIDI without notes")
    end = max(e for tr in tracks for _, e, _ in tr)
    first_onset = min(s for tr in tracks for s, _, _ in tr)
    beats, downbeats = _nottingham_grid(meter, whole_s, end, first_onset)
    if len(tracks) > 1:
        chord_onsets = np.array(sorted({s for s, _, _ in tracks[1]}))
        if np.mean(_nearest_gap(beats, chord_onsets) < 0.02) < 0.9:
            raise SkipPiece("nottingham: chord track off the bar grid (irregular bars)")
    keys, chords, notes = _nottingham_harmony(tune, tracks, whole_s, end, first_key)
    return Piece("nottingham", name, midi, beats, downbeats, first_key, keys, chords, meter,
                 info={"notes": notes})


def _key_name_pc(name: str) -> tuple[int, bool]:
    """(tonic pitch class, minor?) of a MIDI key name ("Am", "Bb") or an ABC K: value."""
    tonic, mode = abc_key(name)
    return tonic_pc(tonic), mode == "minor"


def _nearest_gap(grid: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Distance from each of `times` to the nearest value of sorted `grid`."""
    idx = np.clip(np.searchsorted(grid, times), 1, len(grid) - 1)
    return np.minimum(np.abs(grid[idx] - times), np.abs(grid[idx - 1] - times))


def _onset_match(abc_s: np.ndarray, midi_s: np.ndarray, tol: float = 0.01) -> float:
    """F-measure of ABC note onsets against MIDI melody onsets (both in seconds)."""
    if len(abc_s) == 0 or len(midi_s) == 0:
        return 0.0
    hit_midi = np.mean(_nearest_gap(abc_s, midi_s) < tol)
    hit_abc = np.mean(_nearest_gap(midi_s, abc_s) < tol)
    return 0.0 if hit_midi + hit_abc == 0 else 2 * hit_midi * hit_abc / (hit_midi + hit_abc)


def _fit_timeline(tune: str, melody: list, whole_s: float):
    """The unfolding whose note onsets match the MIDI melody: (events in seconds, match F) or (None, best F)."""
    midi_on = np.array(sorted({round(s, 4) for s, _, _ in melody}))
    best, best_f = None, 0.0
    for how in UNFOLDINGS:
        try:
            _, events, onsets, _ = abc_timeline(tune, how)
        except SkipPiece:
            continue
        abc_on = np.array([float(t) * whole_s for t in onsets])
        offset = float(midi_on[0] - abc_on[0])
        f = _onset_match(abc_on + offset, midi_on)
        if f > best_f:
            best_f = f
            best = [(float(t) * whole_s + offset, k, v) for t, k, v in events]
        if f > 0.999:
            break
    return (best, best_f) if best_f >= 0.98 else (None, best_f)


def _nottingham_harmony(tune, tracks, whole_s, end, first_key):
    """Keys and chords of a tune: from the unfolded ABC when it fits the MIDI, else from the chord track."""
    melody = tracks[0]
    chord_track = tracks[1] if len(tracks) > 1 else []
    events, _ = _fit_timeline(tune, melody, whole_s)
    if events is not None:
        keys = [(max(0.0, t), *abc_key(v)) for t, k, v in events if k == "key"]
        keys = _dedupe_keys([(0.0, *first_key)] + keys)
        changes = [(t, abc_chord_to_harte(v) or "N") for t, k, v in events if k == "chord"]
        if not chord_track:
            return keys, [], ["keys from ABC", "no chords"]
        if _on_chord_onsets(changes, chord_track) >= 0.9:
            return keys, _segments(changes, end), ["keys from ABC", "chords from ABC"]
        notes = ["keys from ABC", "chords from MIDI chord track (ABC chords off its onsets)"]
    else:
        keys, notes = [(0.0, *first_key)], ["first key only, chords from MIDI chord track (ABC did not fit)"]
    vocabulary = sorted({lab for lab in (abc_chord_to_harte(v) for _, k, v in _all_chord_symbols(tune)) if lab})
    if not chord_track or not vocabulary:
        return keys, [], notes + ["no chords"]
    changes = [(s, _match_block(p, vocabulary)) for s, _, p in _chord_blocks(chord_track)]
    return keys, _segments(changes, end), notes


def _on_chord_onsets(changes: list[tuple[float, str]], chord_track: list) -> float:
    """Fraction of chord changes (other than "N") that land within 20 ms of a chord-track note onset."""
    times = np.array([t for t, lab in changes if lab != "N"])
    if len(times) == 0:
        return 0.0
    onsets = np.array(sorted({s for s, _, _ in chord_track}))
    return float(np.mean(_nearest_gap(onsets, times) < 0.02))


def _all_chord_symbols(tune: str) -> list:
    """Every quoted chord symbol in a tune, as (0, "chord", text) triples."""
    _, body = _abc_split(tune)
    return [(0, "chord", t) for k, t in _abc_tokens(body) if k == "chord"]


def _dedupe_keys(keys: list[tuple[float, str, str]]) -> list[tuple[float, str, str]]:
    """Drop key events that repeat the key already in force."""
    out: list[tuple[float, str, str]] = []
    for k in sorted(keys, key=lambda x: x[0]):
        if out and (tonic_pc(out[-1][1]), out[-1][2]) == (tonic_pc(k[1]), k[2]):
            continue
        out.append(k)
    return out


# ---------------------------------------------------------------- takes with a truth JSON


def _truth_list(folder: Path):
    """A lister for a folder of NAME.mid takes with NAME.json truth beside each."""
    def lister() -> list[tuple[str, Path]]:
        return [(f"{folder.name}/{m.stem}", m) for m in sorted(folder.glob("*.mid")) if m.with_suffix(".json").exists()]
    return lister


def _sim_folder(seed: int, name: str, runs: tuple[tuple[int, str, int], ...] = (), grooves: bool = False) -> Path:
    """The second simulator's takes for `seed` (bench/player_sim.py, written from a spec without reading the
    trackers), generated into bench/.cache/NAME the first time; `runs` ((seed, kind, count), ...) instead
    generates `count` takes of one kind per run into the same folder; `grooves`: its 24 groove takes (bossa,
    funk, reggae, 12/8 blues and boogie, bolero, habanera, sixteenths, bluegrass, fermata) instead."""
    folder = SIM_ROOT / name
    if not folder.exists() or not any(folder.glob("*.json")):
        import subprocess  # noqa: PLC0415
        import sys  # noqa: PLC0415
        sim = str(Path(__file__).resolve().parent / "player_sim.py")
        for args in ([["--seed", str(s), "--only", kind, "--count", str(n)] for s, kind, n in runs]
                     or [["--seed", str(seed)] + (["--grooves"] if grooves else [])]):
            subprocess.run([sys.executable, sim, "--out", str(folder), *args], check=True,
                           stdout=subprocess.DEVNULL)
    return folder


def truth_piece(name: str, midi: Path) -> Piece:
    """A take with a truth JSON beside it (guitarset-dev, converter-set-b, the second simulator): key (one,
    with its mode), meter (the longest one for a take that changes meter), beats, downbeats, chords as change
    points (or start/end spans) in Harte syntax."""
    import json  # noqa: PLC0415

    d = json.loads(midi.with_suffix(".json").read_text())
    end = float(d.get("end") or d["beats"][-1])
    changes = d.get("chords") or []
    starts = [float(c.get("start", c["time"])) for c in changes]
    ends = [float(c["end"]) if "end" in c else e for c, e in zip(changes, starts[1:] + [end])]
    chords = [(s, e, harte_or_x(c["label"])) for c, s, e in zip(changes, starts, ends) if e > s]
    key = (d["key"]["tonic"], d["key"]["mode"]) if d.get("key") else None
    return Piece(dataset=name.split("/")[0], name=name, midi=midi, beats=_sorted_times(d["beats"]),
                 downbeats=_sorted_times(d["downbeats"]), key=key, keys=[(0.0, *key)] if key else [],
                 chords=chords, meter=_main_meter(d, end), info={"truth": d})


def _main_meter(d: dict, end: float) -> str:
    """The meter that holds longest up to `end` (s) in a truth JSON ("meters": change points), else its "meter".
    accuracy.py asks it again with `end` at the scored seconds, so both sides of `meter` cover the same time."""
    spans = d.get("meters") or []
    if not spans:
        return str(d.get("meter", "4/4"))
    times = [float(m["time"]) for m in spans] + [max(end, float(spans[0]["time"]))]
    length: Counter = Counter()
    for m, a, b in zip(spans, times, times[1:]):
        length[str(m["meter"])] += max(0.0, min(b, end) - a)
    return length.most_common(1)[0][0]


def meter_until(piece: Piece, seconds: float) -> str | None:
    """The truth's meter held longest over a take's first `seconds` (s): the scored window's, for a take that
    changes meter (its `meter` is the whole take's); `piece.meter` for a take with no truth JSON."""
    d = piece.info.get("truth")
    return _main_meter(d, seconds) if d else piece.meter


_LOADERS = {
    "pop909": (_pop909_list, _pop909_piece),
    "asap": (_asap_list, _asap_piece),
    "nottingham": (_nottingham_list, _nottingham_piece),
    "guitarset-dev": (_truth_list(DATA_ROOT / "guitarset-dev"), truth_piece),
    "converter-set-b": (_truth_list(CASES_ROOT / "converter-set-b"), truth_piece),
    # The second simulator: seed 1 may be used for tuning, seed 2 is held out of all tuning.
    "sim2": (lambda: _truth_list(_sim_folder(1, "sim2"))(), truth_piece),
    "sim2-held": (lambda: _truth_list(_sim_folder(2, "sim2-held"))(), truth_piece),
    "sim3": (lambda: _truth_list(_sim_folder(3, "sim3"))(), truth_piece),
    "sim-aqsaq": (lambda: _truth_list(_sim_folder(0, "sim-aqsaq", ((4, "aqsaq58", 8), (5, "aqsaq78", 8))))(),
                  truth_piece),
    # The second simulator's grooves (issue 12): seed 6 may be used for tuning, seed 7 is held out of all tuning.
    "sim4": (lambda: _truth_list(_sim_folder(6, "sim4", grooves=True))(), truth_piece),
    "sim4-held": (lambda: _truth_list(_sim_folder(7, "sim4-held", grooves=True))(), truth_piece),
}
