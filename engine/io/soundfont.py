"""Finding the SoundFont to play the band with.

Order: an explicit path, $AQYN_SOUNDFONT, aqyn's own font (soundfonts/aqyn.sf2: the dombra and the Kazakh
percussion synthesised by soundfonts/build.py, which `make` runs), any other .sf2/.sf3 in the repository's
soundfonts/ folder, then the Debian packages' General MIDI fonts (FluidR3_GM sounds best; TimGM6mb is small).
Our font answers the same programs and drum notes the band sends a GM font, so the MIDI is the same.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.errors import SoundFontNotFound

PROJECT_FONTS = Path(__file__).resolve().parents[2] / "soundfonts"
OWN_FONT = PROJECT_FONTS / "aqyn.sf2"      # built by `make` (python soundfonts/build.py); not in git
SYSTEM_FONTS = (
    Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
    Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
    Path("/usr/share/sounds/sf2/default-GM.sf2"),
)
INSTALL_HINT = ("build aqyn's own with: make (or python soundfonts/build.py), install a GM font with: "
                "sudo apt-get install fluid-soundfont-gm, or pass --soundfont PATH")


def check_soundfont(path: Path) -> Path:
    """A SoundFont (.sf2, or .sf3 with compressed samples) is a RIFF file of form 'sfbk' whose size is the
    file's and whose top level holds the LIST chunks INFO, sdta and pdta (SoundFont 2.04 spec, 4.1). Checking
    that first turns a wrong or cut-short file into one clear message, before FluidSynth prints its own
    error lines. Reads only the chunk headers. Raises SoundFontNotFound."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(12)
            lists = _top_lists(f, size)
    except OSError as exc:
        raise SoundFontNotFound(f"cannot read SoundFont {path} ({exc.strerror})") from None
    if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise SoundFontNotFound(f"{path} is not a SoundFont (.sf2/.sf3); give a General MIDI SoundFont")
    declared = int.from_bytes(head[4:8], "little") + 8
    if declared != size or not {b"INFO", b"sdta", b"pdta"} <= lists:
        raise SoundFontNotFound(f"{path} is a damaged SoundFont ({size} bytes, its header says {declared}; "
                                f"chunks {', '.join(x.decode('latin-1') for x in sorted(lists)) or 'none'}): "
                                "download it again or give another .sf2/.sf3")
    return path


def _top_lists(f, size: int) -> set[bytes]:
    """The list types (INFO, sdta, pdta) of the LIST chunks at the top level of the RIFF file `f`, read from
    byte 12 on by their headers alone."""
    found: set[bytes] = set()
    at = 12
    while at + 12 <= size:
        f.seek(at)
        header = f.read(12)
        if len(header) < 12:
            break
        if header[:4] == b"LIST":
            found.add(header[8:12])
        at += 8 + int.from_bytes(header[4:8], "little")
    return found


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """The SoundFont to use: `explicit` when given (checked), else $AQYN_SOUNDFONT, else aqyn's own
    (OWN_FONT), else another font dropped into soundfonts/, else the best GM font installed (SYSTEM_FONTS
    order). Raises SoundFontNotFound with what to install."""
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise SoundFontNotFound(f"SoundFont not found: {p} (give the path of a .sf2 or .sf3 file)")
        return check_soundfont(p)
    env = os.environ.get("AQYN_SOUNDFONT")
    if env:
        p = Path(env)
        if not p.is_file():
            raise SoundFontNotFound(f"$AQYN_SOUNDFONT points to a missing file: {p}")
        return check_soundfont(p)
    local = sorted([*PROJECT_FONTS.glob("*.sf2"), *PROJECT_FONTS.glob("*.sf3")]) if PROJECT_FONTS.is_dir() else []
    for p in [OWN_FONT, *local, *SYSTEM_FONTS]:
        if p.is_file():
            return check_soundfont(p)
    raise SoundFontNotFound(f"no SoundFont found; {INSTALL_HINT}")
