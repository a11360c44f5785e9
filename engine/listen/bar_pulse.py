"""A strum a bar: the pulse of a player who strikes one chord each bar and lets it ring.

One strum every 3 or 4 s (a 4/4 bar at 60-80 BPM, whole notes) leaves too few onsets in the beat tracker's 8 s
window for a beat (engine.listen.beat: DENSE_ONSETS, SPARSE_ONSETS), and the band never came in (bench/README.md,
review28: `sparse_takes.py`'s one strum a bar at 60 and whole notes at 80 got no band note). A musician hears a
strum repeated at a steady interval for three bars as the bar itself and counts four beats in it: `BarPulse` keeps
the player's recent strums (their onsets chained within FLAM s, a rolled chord's strings one strum) and names the
bar (s) once STRUMS strums run at one interval, each gap within STEADY of their median.
"""

from __future__ import annotations

from collections import deque

# The strum's interval that is a bar: from SHORTEST (a 4/4 bar at 96 BPM) to LONGEST (a 4/4 bar at 40 BPM, the
# beat tracker's slowest tempo). Under SHORTEST the beat tracker's sparse rule already fits 4 strums over 6 s at the
# half-bar (sparse_takes.py: halves at 60 BPM, 2 s apart, right at main; whole notes at 100, 2.4 s apart, heard
# as 2/4 at 50): a strum every 2-2.5 s is as likely a ballad's half notes as a bar, and is left to it.
SHORTEST = 2.5
LONGEST = 6.0
# Three gaps within STEADY of their median: a player's strum a bar wanders by a few per cent; review27's free
# intros of chords held 2.2-5.0 s (bench/new_user_takes.py) differ by 10 % or more from one chord to the next.
STRUMS = 4
STEADY = 0.08
FLAM = 0.25            # s: an onset this close after the last is the same strum (a chord rolled 150 ms a string)
BEATS = 4              # beats counted in the bar: 4/4, the count every band assumes before it hears another


class BarPulse:
    """The player's recent strums, and the bar they mark when one comes every bar.

    >>> p = BarPulse()
    >>> for t in (1.0, 5.0, 9.02, 12.98):
    ...     p.onset(t)
    >>> round(p.bar(), 2), p.last
    (4.0, 12.98)
    """

    def __init__(self) -> None:
        self._strums: deque[float] = deque(maxlen=STRUMS)   # s: the latest strums' first onsets
        self._latest = -float("inf")                       # s: the latest onset

    def onset(self, t: float) -> None:
        """An onset at `t` (s): a new strum unless within FLAM s of the last onset."""
        if t - self._latest > FLAM:
            self._strums.append(t)
        self._latest = t

    @property
    def last(self) -> float | None:
        """The latest strum (s), None before any."""
        return self._strums[-1] if self._strums else None

    def bar(self) -> float | None:
        """The bar (s) when the last STRUMS strums come at one steady interval from SHORTEST to LONGEST s, the
        median of their gaps; else None."""
        if len(self._strums) < STRUMS:
            return None
        s = self._strums
        gaps = sorted(b - a for a, b in zip(s, list(s)[1:]))
        bar = gaps[len(gaps) // 2]
        if not SHORTEST <= bar <= LONGEST or gaps[-1] - bar > STEADY * bar or bar - gaps[0] > STEADY * bar:
            return None
        return bar
