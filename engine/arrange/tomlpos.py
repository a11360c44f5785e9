"""Where each key and value of a TOML document is written, so errors found after parsing can name line:col.

`tomllib` parses but forgets positions. This scanner walks a document that `tomllib` already accepted and
records, for every key path (table headers, dotted keys, inline tables, array items, the items of an array of
tables as `name, index`), the line and column (1-based) of the key and of the value's first character.

>>> pos = positions('a = 1\\n[t]\\nb = { c = "x" }\\n')
>>> pos[("t", "b", "c")]
Where(line=3, key_col=7, value_col=11)
>>> positions('[[s]]\\nx = 1\\n[[s]]\\nx = 2\\n')[("s", 1, "x")]
Where(line=4, key_col=1, value_col=5)
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.errors import ConfigError

KeyPath = tuple  # of str (keys) and int (array items)


@dataclass(frozen=True, slots=True)
class Where:
    """Where a key path is written: the line (1-based) and the columns (1-based) of the key and of the
    first character of its value."""

    line: int
    key_col: int
    value_col: int


_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class _Scanner:
    def __init__(self, text: str):
        self.s = text
        self.i = 0
        self.out: dict[KeyPath, Where] = {}
        self.starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(k + 1)

    def _lc(self, i: int) -> tuple[int, int]:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:                        # the last line start <= i
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, i - self.starts[lo] + 1

    def _record(self, path: KeyPath, key_at: int, value_at: int) -> None:
        line, kc = self._lc(key_at)
        _, vc = self._lc(value_at)
        self.out.setdefault(path, Where(line, kc, vc))

    def _peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def _skip(self, newlines: bool) -> None:
        while self.i < len(self.s):
            ch = self.s[self.i]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.i += 1
            elif ch == "#":
                while self.i < len(self.s) and self.s[self.i] != "\n":
                    self.i += 1
            else:
                return

    def _key(self) -> tuple[str, ...]:
        parts = []
        while True:
            self._skip(False)
            ch = self._peek()
            if ch in "\"'":
                start = self.i
                self._string()
                raw = self.s[start + 1:self.i - 1]
                parts.append(raw.replace('\\"', '"').replace("\\\\", "\\") if ch == '"' else raw)
            else:
                start = self.i
                while self._peek() in _BARE and self._peek():
                    self.i += 1
                parts.append(self.s[start:self.i])
                if self.i == start:          # not a key at all: stop (the document is valid TOML)
                    return tuple(parts)
            self._skip(False)
            if self._peek() == ".":
                self.i += 1
                continue
            return tuple(parts)

    def _string(self) -> None:
        s, q = self.s, self._peek()
        if s.startswith(q * 3, self.i):
            end = s.find(q * 3, self.i + 3)
            while q == '"' and end > 0 and _escaped(s, end):
                end = s.find(q * 3, end + 1)
            self.i = (end if end >= 0 else len(s)) + 3
            while self._peek() == q:          # up to two quotes may close a multi-line string
                self.i += 1
            return
        j = self.i + 1
        while j < len(s) and s[j] != q and s[j] != "\n":
            j += 2 if (q == '"' and s[j] == "\\") else 1
        self.i = j + 1

    def _value(self, path: KeyPath) -> None:
        ch = self._peek()
        if ch in "\"'":
            self._string()
        elif ch == "{":
            self.i += 1
            while True:
                self._skip(True)
                if self._peek() in ("}", ""):
                    self.i += 1
                    return
                if self._peek() == ",":
                    self.i += 1
                    continue
                key_at = self.i
                sub = path + self._key()
                self._skip(False)
                self.i += 1                   # '='
                self._skip(False)
                self._record(sub, key_at, self.i)
                self._value(sub)
        elif ch == "[":
            self.i += 1
            n = 0
            while True:
                self._skip(True)
                if self._peek() in ("]", ""):
                    self.i += 1
                    return
                if self._peek() == ",":
                    self.i += 1
                    continue
                self._record(path + (n,), self.i, self.i)
                self._value(path + (n,))
                n += 1
        else:
            while self._peek() not in (",", "]", "}", "\n", "#", ""):
                self.i += 1

    def run(self) -> dict[KeyPath, Where]:
        table: tuple = ()
        arrays: dict[tuple, int] = {}        # array-of-tables path -> items seen
        while True:
            self._skip(True)
            if self.i >= len(self.s):
                return self.out
            if self._peek() == "[":
                # [table] or [[array of tables]]
                at = self.i
                double = self._peek(1) == "["
                self.i += 2 if double else 1
                table = self._key()
                self._record(table, at + (2 if double else 1), at)
                if double:                    # [[name]]: its items are name, 0 ... name, n
                    item = arrays.get(table, 0)
                    arrays[table] = item + 1
                    table = table + (item,)
                    self._record(table, at + 2, at)
                self.i += 2 if double else 1
                continue
            key_at = self.i
            path = table + self._key()
            self._skip(False)
            if self._peek() != "=":           # should not happen in valid TOML; skip the line
                while self._peek() not in ("\n", ""):
                    self.i += 1
                continue
            self.i += 1
            self._skip(False)
            self._record(path, key_at, self.i)
            self._value(path)


def _escaped(s: str, at: int) -> bool:
    n = 0
    while at - 1 - n >= 0 and s[at - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


def positions(text: str) -> dict[KeyPath, Where]:
    """Key path -> where its key and value are written. Paths of table headers map to the header."""
    return _Scanner(text).run()


MAX_BYTES = 1 << 20   # 1 MiB: a config or style file is small; anything bigger (a device, a wrong file) is refused
NESTED = "arrays or tables nested too deeply"


def read_text(path: Path, what: str, error: type[Exception] = ConfigError) -> str:
    """The UTF-8 text of the file at `path` (a `what`: "cue file", "style file"; a leading byte-order mark
    dropped). Raises `error` naming path:line:col for a missing file, one that is not a regular file (a
    directory, a FIFO, a device such as /dev/zero: refused before reading, so nothing blocks or fills memory),
    one over MAX_BYTES, or bytes that are not UTF-8 (the position of the first bad byte)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise error(f"{path}:1:1: {what} not found; check the path") from None
    except OSError as exc:
        raise error(f"{path}:1:1: cannot read the {what} ({exc.strerror or exc}); check the path") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise error(f"{path}:1:1: the {what} is {kind}; give a .toml file")
    if st.st_size > MAX_BYTES:
        raise error(f"{path}:1:1: the {what} is {st.st_size / 2**20:.1f} MiB, larger than the "
                    f"{MAX_BYTES // 2**20} MiB a {what} may be; is it the right file?")
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)       # the file may have grown since the stat
    except OSError as exc:
        raise error(f"{path}:1:1: cannot read the {what} ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise error(f"{path}:1:1: the {what} is larger than {MAX_BYTES // 2**20} MiB; is it the right file?")
    try:
        return raw.decode("utf-8-sig")      # a byte-order mark (Windows editors write one) is not text
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise error(f"{path}:{line}:{col}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                    f"save the {what} as UTF-8") from None


def parse_toml(text: str, path: Path | str, what: str, error: type[Exception] = ConfigError) -> dict:
    """The TOML document `text` (of the file `path`, a `what`). Raises `error` naming path:line:col for a
    syntax error (at the end of the document: the line and column after its last character), or for
    arrays nested too deeply to read (RecursionError)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if m:
            where = f"{m.group(1)}:{m.group(2)}"
        else:                                 # "(at end of document)"
            where = f"{text.count(chr(10)) + 1}:{len(text) - (text.rfind(chr(10)) + 1) + 1}"
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise error(f"{path}:{where}: TOML syntax error: {reason}") from None
    except RecursionError:
        raise error(f"{path}:1:1: {NESTED}; a {what} is flat") from None


def read_toml(path: Path, what: str) -> tuple[dict, Callable[[KeyPath, str], ConfigError]]:
    """The TOML document in the file `path` (a `what`: "cue file", "footswitch map") and `bad(key path,
    message)`, which makes the ConfigError that names path:line:col of that key's value. Raises ConfigError
    (path:line:col and what is wrong) as `read_text` and `parse_toml` do."""
    path = Path(path)
    text = read_text(path, what)
    data = parse_toml(text, path, what)
    try:
        pos = positions(text)
    except RecursionError:
        raise ConfigError(f"{path}:1:1: {NESTED}; a {what} is flat") from None

    def bad(key: KeyPath, message: str) -> ConfigError:
        w = pos.get(key)
        return ConfigError(f"{path}:{w.line if w else 1}:{w.value_col if w else 1}: {message}")

    return data, bad
