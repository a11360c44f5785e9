"""The twelve-bar blues heard from its roots: which four-beat bars of the beat grid follow the form.

A musician tells a 12/8 blues from 6/8 played over chords held two bars, and a 4/4 boom-chick blues from 2/4, by
its form: twelve bars of four beats, the I for four bars (or I-IV-I-I, the quick change), the IV for two, the I for
two, then the V, the IV (or V), the I, and the I or the V as the turnaround. Where the beats' accents and figure
repeat every two beats (a shuffle whose 1 and 3 are struck alike, a slow blues whose bass alternates root and fifth
on every beat, a boom-chick with its root on the 1 and its fifth on the 3), the bar pointer's cues cannot tell the
bar of four from two bars of two (bench/README.md, session 28 meter28), but the changes land on the form's bars only
when they are counted in fours. A bar's root here is the lowest note struck on its 1 (the bass of boom-chick, the
root of a shuffle's dyad or of a walking figure, an open chord's lowest string).

Beat numbers are the beat tracker's integers (the bar pointer's); pitch classes 0..11 (C = 0).
"""

from __future__ import annotations

# The form, bar by bar: the roots allowed, as semitones over the tonic (I = 0, IV = 5, V = 7): the quick change's IV
# in bar 2, the V or IV in bar 10, the turnaround's V in bar 12.
FORM = ((0,), (0, 5), (0,), (0,), (5,), (5,), (0,), (0,), (7,), (5, 7), (0,), (0, 7))
# Bars that must follow the form before it counts, and how many of them may be off (a bar whose 1 had no note, a
# passing chord, a converter's glitch on the bass). Nine bars are the first chorus up to its V (bar 9), the first
# place the form differs from a song on two chords. LANDMARKS, the IV's arrival in bar 5 and the V's in bar 9 (FORM's
# 4 and 8), are never off and must lie among the bars: with them free to miss like any bar, tests/data's stoptime
# 6/8 takes (A E D A in pairs of bars, a turnaround's chords) matched for 26-33 reads. With them, no take of
# guitarset-dev, converter-set-b, examples/, sim2, sim3, sim-aqsaq, sim2-held, sim4's other kinds, tests/data's and
# review33's other takes or meter27's 36 6/8 takes matched, and every twelve-bar blues of sim4, sim4-held,
# tests/data and review33 did (scratch s28/meter28/formreach.py).
FORM_BARS = 9
FORM_MISSES = 1
LANDMARKS = (4, 8)
KEPT = 4 * (len(FORM) + 1)      # beats of roots kept: a chorus and a bar


def follows_form(roots: list[int | None]) -> bool:
    """True when `roots` (pitch classes bar after bar, oldest first; None: no note on the bar's 1), FORM_BARS or
    more, follow FORM from some bar of it over some tonic: its LANDMARKS (the IV's arrival in bar 5, the V's in bar
    9) among them and each on its root, at most FORM_MISSES other bars off. A song on I alone, on two chords a fourth
    apart, or on a turnaround's V-IV-I over and over is no blues.

    >>> e, a, b = 4, 9, 11
    >>> follows_form([e, e, e, e, a, a, e, e, b])
    True
    >>> follows_form([e, e, a, a, e, e, a, a, e])
    False
    >>> follows_form([a, e, 2, a, a, e, 2, a, a])   # A E D A, a turnaround's chords: bar 5 would be E, not D
    False
    """
    if len(roots) < FORM_BARS:
        return False
    bars = len(FORM)
    for tonic in {r for r in roots if r is not None}:
        for start in range(bars):
            if any((mark - start) % bars >= len(roots) for mark in LANDMARKS):
                continue                           # the window misses bar 5 or bar 9
            misses = 0
            for i, r in enumerate(roots):
                bar = (start + i) % bars
                if r is None or (r - tonic) % 12 not in FORM[bar]:
                    misses += 1 + FORM_MISSES * (bar in LANDMARKS)
                    if misses > FORM_MISSES:
                        break
            else:
                return True
    return False


class BarRoots:
    """The lowest pitch class struck on each beat weighed, and the four-beat bar phases whose 1s follow the form."""

    def __init__(self) -> None:
        self._low: dict[int, int | None] = {}      # beat number -> pitch class of its lowest note on the beat
        self._last: int | None = None              # the last beat number weighed
        self._checked: dict[int, tuple[int, bool]] = {}   # phase -> (the 1 of its last complete bar, follows)
        self._found: tuple[int | None, list[int]] = (None, [])  # (the last beat, `phases` then): read many times a beat

    def clear(self) -> None:
        """Another grid: the beat numbers kept are the old grid's."""
        self._low.clear()
        self._checked.clear()
        self._found = (None, [])
        self._last = None

    def beat(self, n: int, low: int | None) -> None:
        """Beat number n was weighed; `low` the pitch class of its lowest note on the beat (None: none)."""
        if self._last is not None and n == self._last + 1:
            self._low.pop(n - KEPT, None)          # the beat a chorus and a bar ago
        else:                                      # a silence or a jump on the grid: whatever lies that far back
            for k in [k for k in self._low if k <= n - KEPT]:
                del self._low[k]
        self._low[n] = low
        self._last = n

    def phases(self) -> list[int]:
        """The phases p (0..3) of four-beat bars (beat numbers n with n % 4 == p their 1s) whose last complete bars,
        FORM_BARS to twelve of them, follow the form (`follows_form`). Each phase is checked once a bar."""
        last = self._last
        if last is None:
            return []
        if self._found[0] == last:
            return self._found[1]
        found = []
        for phase in range(4):
            end = last - (last - phase) % 4 - 4    # the 1 of the last complete bar
            checked = self._checked.get(phase)
            if checked is None or checked[0] != end:
                roots = [self._low.get(m) for m in range(end - 4 * (len(FORM) - 1), end + 1, 4)]
                while len(roots) > FORM_BARS and roots[0] is None:
                    roots.pop(0)                   # before the player's first bar
                checked = self._checked[phase] = (end, follows_form(roots))
            if checked[1]:
                found.append(phase)
        self._found = (last, found)
        return found
