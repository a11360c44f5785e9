"""Even eighths: which half of the beat is the beat, from the accents a musician hears in a line of alike eighths.

A straight-eighth walking boogie (the low-string figure 1 1 3 3 5 5 6 6, a root-fifth-sixth-seventh walk, Chuck
Berry's 5-6 dyads) strikes every eighth alike: at the beat's period the onsets of the two halves cancel in the
circular mean, and the tracker's recency weighting put each fit on the half of the latest onset (review36's
walk44_A_120: the band's beat on the "and" and back, beat F 0.37). A listener hears the beat in what is not alike:

- a group start: a note (or dyad) repeated on the next eighth starts a group of like notes, and the strong beat
  comes early in a group (Lerdahl & Jackendoff 1983, A Generative Theory of Tonal Music: grouping preference rule 3,
  a change of pitch is a group boundary; metrical preference rule 2, a strong beat early in the group): the pairs
  of the boogie change their note on the beat;
- a dynamic accent: the bar's first eighth struck harder than the rest (metrical preference rule 4);
- a deep bass: the figure's lowest note, under its neighbours on both sides, is the root on the 1.

`half_accents` counts these on each half of the beat over the onsets given; the tracker (engine/listen/beat.py,
`_even_accents`) takes the half that holds clearly more of them. Times are seconds; loudness is velocity / 127;
pitch classes are bit sets (bit k for pitch class k).
"""

from __future__ import annotations

from collections.abc import Sequence

NEAR = 0.15          # share of the period: an onset this close to a beat (or to its "and") is on that half
LOUDER = 1.1         # an onset this much louder than the median of the onsets is a dynamic accent


def half_accents(ts: Sequence[float], loud: Sequence[float], pcs: Sequence[int], deep: Sequence[bool],
                 phase: float, period: float) -> tuple[int, int]:
    """(accents on the beats, accents on the "ands") of the onsets ts (s, rising) on the grid of `period` (s)
    through `phase` (s): per onset, one for a group start (its pitch classes `pcs` not the last onset's and the
    next onset's alike), one for a dynamic accent (`loud` LOUDER times the median or more) and one for a deep bass
    (`deep`). The last onset has no next one: it starts no group yet. The latest onset's half is the grid's; the
    others' are counted back from it eighth by eighth, gap by gap, as a player counts: a period a few per cent off
    the player's (a fresh tempo) slides the grid's far beats a whole eighth over a window of a dozen beats, while
    one gap holds a whole number of eighths. An onset whose gap is no whole number of eighths (within NEAR of the
    beat) is counted on no half.

    >>> half_accents([0.0, 0.25, 0.5, 0.75, 1.0, 1.25], [0.6] * 6, [8, 1, 1, 2, 2, 4], [False] * 6, 0.0, 0.5)
    (0, 2)
    """
    n = len(ts)
    if n < 3:
        return 0, 0
    usual = sorted(loud)[n // 2]
    eighth = period / 2
    counts = [0, 0]
    e = (ts[-1] - phase) / eighth
    k, on_pulse = round(e), abs(e - round(e)) < 2 * NEAR
    for i in range(n - 1, -1, -1):
        if i < n - 1:
            g = (ts[i + 1] - ts[i]) / eighth
            k -= round(g)
            on_pulse = abs(g - round(g)) < 2 * NEAR
        if not on_pulse:
            continue
        starts = 0 < i < n - 1 and pcs[i] != pcs[i - 1] and pcs[i] == pcs[i + 1] and pcs[i] != 0
        counts[k % 2] += starts + (usual > 0 and loud[i] >= LOUDER * usual) + bool(deep[i])
    return counts[0], counts[1]
