"""The text of the meta events aqyn writes (markers, track names): printable ASCII, which every DAW shows right.

A Standard MIDI File has no field for a text's character set. SMF 1.0 ("Meta-Events", FF 01 Text Event, which
the other text events follow) asks for printable ASCII "for maximum interchange": other codes may pass between
programs on one computer. Readers therefore guess: mido decodes text as Latin-1 unless told otherwise, Windows
programs read their code page, some read UTF-8; RP-026 (SMF Language and Display Extensions) tags a character
set in lyric events only. UTF-8 markers read as `TÃ¶kpe` in mido and in a Latin-1 DAW (review20). So the text
is written in ASCII: Latin letters lose their accents (Tökpe -> Tokpe), Kazakh and Russian Cyrillic is
romanised letter by letter (Төкпе шауып -> Tokpe shauyp: the spelling the style names use), and anything left
that has no ASCII form becomes `?`, as a DAW that cannot show a character does. The result reads the same
whatever charset a reader assumes, so aqyn's own readers agree with any DAW.

>>> ascii_text("band in: Tökpe gallop"), ascii_text("Shälderish dance (6/8)")
('band in: Tokpe gallop', 'Shalderish dance (6/8)')
>>> ascii_text("Төкпе шауып"), ascii_text("Қара жорға"), ascii_text("Ёлка"), ascii_text("♪ 音")
('Tokpe shauyp', 'Qara zhorgha', 'Yolka', '? ?')
"""

from __future__ import annotations

import unicodedata

# Kazakh and Russian Cyrillic, lower case, romanised one letter at a time (the Kazakh letters as the style names
# spell them: ө o, қ q, ғ gh, ң ng; the Russian ones by the common BGN/PCGN-like forms).
CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u",
     "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "gh", "q", "ng", "o", "u", "u", "h",
     "i"]))


def ascii_text(text: str) -> str:
    """`text` as printable ASCII (see the module docstring): ASCII kept as it is, accents dropped, Cyrillic
    romanised (an upper-case letter capitalised: Ш -> Sh), other characters `?`; control characters (a line
    break, a tab) become spaces. Raises nothing."""
    if text.isascii() and text.isprintable():
        return text            # the usual marker: nothing to do
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch if ch.isprintable() else " ")
        elif (roman := CYRILLIC.get(ch.lower())) is not None:
            out.append(roman.capitalize() if ch.isupper() else roman)
        else:
            folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isprintable())
            out.append(folded or "?")
    return "".join(out)
