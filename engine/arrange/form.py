"""The form: which section each bar plays, decided one bar at a time, as late as possible.

A band that listens decides its next bar from what it hears now. `Form.next_bar` is asked for the bar after
the last one decided, with what the scheduler knows at that moment: whether the guitar is pausing and how
intense it is. Cues from a footswitch wait for the next decided bar. Decisions are never revised.

Rules (the section lengths come from the style):

- an entry starts with the intro (if the style has one), then main A;
- main A plays `main_a.bars` bars, then main B `main_b.bars`, then A again (0 bars: stay until cued);
- inside a main section, phrases of `variation.phrase` bars: the last bar of every `fill_every` bars is a
  fill, the whole bar at a phrase end, the second half of the bar otherwise; not a bar the player's stop-time
  break ends (`rest`, known offline): a drummer does not fill into the player's stop;
- the guitar pauses: the break; still silent when the break is over: the ending, then the band stops;
  the guitar back during the break: the main section resumes on a new phrase;
- cues: `fill` (a one-bar fill), `next` (intro -> main A, main A <-> main B, break -> main; from the next bar
  that starts one of the player's bars, the bars of the pair before it a fill: `group`), `ending` (from
  the next bar whose ending's last bar, the final stroke, starts one of the player's bars: a 2/4 style pairs
  its bars in 4/4, `group`; an ending placed to land on the final chord, `end_soon`, where it was placed);
- the register level (dombra position, DOMAIN.md §2) rises one step per `variation.climb` bars while the
  player is intense enough, changes only at phrase starts and returns to 0 for the ending.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.arrange.patterns import Style
from engine.inputs import FORM_CUES, Cue

OUT = "out"
# Dynamics with hysteresis: a bar is sparse (the band on the beats only) once the player's intensity falls
# below SPARSE_DOWN, and full again once it rises above SPARSE_UP (decided bar by bar: it cannot flicker).
SPARSE_DOWN, SPARSE_UP = 0.28, 0.36


@dataclass(frozen=True, slots=True)
class BarPlan:
    """One bar as the `Form` decided it: the section that plays it and where the bar stands in its section
    and phrase (counts from 0); the arranger voices the bar from it."""

    bar: int              # bar number from the arranger's start
    section: str          # intro main_a main_b fill break ending, or "out" after the ending
    section_bar: int      # bar within this occurrence of the section (main: bar within the main section)
    occurrence: int       # earlier occurrences of this section (fills rotate through their bars with it)
    main: str             # the main section underneath (a half-bar fill plays its first half)
    phrase: int           # phrase counter, for phrase-level variation (motif, alternative bars)
    phrase_bar: int       # bar within the phrase
    fill_from: int        # fills: the step from which the fill replaces the main bar (0 = whole bar)
    level: int            # register level 0..3
    last: bool = False    # the ending's last bar: the band stops at its end
    sparse: bool = False  # the player plays soft and sparse: the band plays only on the beats


def intensity_cap(intensity: float) -> int:
    """The highest register level a player this intense carries the dombra to."""
    return 0 if intensity < 0.3 else 1 if intensity < 0.5 else 2 if intensity < 0.7 else 3


@dataclass
class Form:
    """The sections of one entry of the band, bar by bar (see the module's rules): `next_bar` decides the
    next bar and returns its `BarPlan`; `cue` queues a footswitch cue for it. Starts with the intro when
    `intro` and the style has one, else on `main` ("main_a" or "main_b")."""

    style: Style
    intro: bool = True
    main: str = "main_a"
    bar: int = 0                          # the next bar to decide
    state: str = field(init=False)        # intro main break ending out
    section_bar: int = 0
    main_bar: int = 0
    phrase: int = -1
    level: int = 0
    played: int = 0
    occurrences: dict[str, int] = field(default_factory=dict)
    pending: Cue | None = None
    group: int = 1                        # bars of the style in one of the player's (a 2/4 style in 4/4: 2)
    sparse: bool = False                  # the last bar decided was sparse (hysteresis)
    skip: int = 0                         # the ending's first bars left out (the final chord comes sooner)
    landing: bool = False                 # the ending was placed to land on the final chord (`end_soon`)

    def __post_init__(self) -> None:
        self.state = "intro" if self.intro and self.style.section("intro").bars > 0 else "main"
        if self.state == "intro":
            self._count("intro")
        else:
            self._count(self.main)

    def cue(self, cue: Cue | str) -> None:
        """Fill, next or ending, for the next bar decided. Raises ValueError for any other cue."""
        if cue not in FORM_CUES:
            raise ValueError(f"form cue must be one of {', '.join(FORM_CUES)}, got {cue!r}")
        if self.pending != Cue.ENDING:      # an ending cue is not overridden by a later fill
            self.pending = Cue(cue)

    def call_off_ending(self) -> bool:
        """An ending cued and not yet begun is called off (the player came back before its bar): True if one was."""
        if self.pending != Cue.ENDING:
            return False
        self.pending, self.skip, self.landing = None, 0, False
        return True

    def end_soon(self, skip: int) -> None:
        """The ending for the next bar decided, its first `skip` bars left out (its last bar always plays), on
        whichever bar of a pair (`group`): it was placed to land on the player's final chord. A cued ending
        (`cue`) waits for the bar from which its final stroke falls on the player's downbeat."""
        self.cue(Cue.ENDING)
        self.skip = max(0, min(skip, self.style.section("ending").bars - 1))
        self.landing = True

    @property
    def ending(self) -> bool:
        """True once the ending is cued, under way or over: nothing but the ending is planned then."""
        return self.state in ("ending", OUT) or self.pending == Cue.ENDING

    def _count(self, section: str) -> int:
        n = self.occurrences.get(section, 0)
        self.occurrences[section] = n + 1
        return n

    def _occ(self, section: str) -> int:
        return self.occurrences.get(section, 1) - 1

    def _start_main(self, name: str) -> None:
        self.state, self.main, self.main_bar = "main", name, 0
        self._count(name)

    def _plan(self, section: str, section_bar: int, fill_from: int = 0, last: bool = False,
              phrase_bar: int = 0) -> BarPlan:
        plan = BarPlan(self.bar, section, section_bar, self._occ(section), self.main, max(0, self.phrase),
                       phrase_bar, fill_from, self.level, last, self.sparse)
        self.bar += 1
        self.played += 1
        return plan

    def next_bar(self, pause: bool = False, intensity: float = 0.5, rest: bool = False) -> BarPlan:
        """Decide the next bar: `pause` says the guitar is pausing now, `intensity` (0..1) how hard the
        player plays, `rest` that the player's stop-time break ends the bar (known offline): no fill of the
        phrase's falls on it (a cued one does). Takes the pending cue. After the ending's last bar every bar is
        OUT."""
        s = self.style
        cue, self.pending = self.pending, None
        self.sparse = intensity < (SPARSE_UP if self.sparse else SPARSE_DOWN)
        if self.state == OUT:
            return self._plan(OUT, 0)
        if self.state == "ending":
            return self._ending_bar()
        if cue == Cue.ENDING:
            if self.landing or (self.bar + self.style.section("ending").bars - self.skip - 1) % self.group == 0:
                return self._begin_ending()
            self.pending = cue      # a bar more: the ending's last bar, its final stroke, on the player's 1
                                    # (a 2/4 style's second bar line in 4/4 is the player's beat 3)
        plan = self._break_bar(pause)
        if plan is not None:
            return plan
        if cue == Cue.NEXT and self.state == "main" and self.bar % self.group:
            self.pending = cue      # mid-pair: a fill to the pair's end, the new section on the player's 1
            return self._main_bar(intensity, True)
        if cue == Cue.NEXT:
            if self.state == "intro":
                self._start_main("main_a")
            else:
                self._start_main("main_b" if self.main == "main_a" else "main_a")
        if self.state == "intro":
            if self.section_bar < s.section("intro").bars and cue != Cue.FILL:
                self.section_bar += 1
                return self._plan("intro", self.section_bar - 1)
            self._start_main("main_a")
        return self._main_bar(intensity, cue == Cue.FILL, rest)

    def _break_bar(self, pause: bool) -> BarPlan | None:
        """While the guitar pauses: the break's next bar, or the ending once the break is over (at once when
        the style's break has no bars). None when the band plays on; a main section resumes on a new
        phrase when the guitar is back during the break."""
        s = self.style
        if pause and self.state != "break":
            if s.section("break").bars == 0:
                return self._begin_ending()
            self.state, self.section_bar = "break", 0
            self._count("break")
        if self.state == "break":
            if pause:
                if self.section_bar >= s.section("break").bars:
                    return self._begin_ending()
                self.section_bar += 1
                return self._plan("break", self.section_bar - 1)
            self._start_main(self.main)   # the guitar is back: a new phrase of the main section
        return None

    def _main_bar(self, intensity: float, cued_fill: bool, rest: bool = False) -> BarPlan:
        s, v, g = self.style, self.style.variation, self.group
        length = s.section(self.main).bars
        if length and self.main_bar >= length:
            self._start_main("main_b" if self.main == "main_a" else "main_a")
        phrase, fill_every = v.phrase * g, v.fill_every * g
        phrase_bar = self.main_bar % phrase
        if phrase_bar == 0:
            self.phrase += 1
            target = min(self.played // (v.climb * g), intensity_cap(intensity)) if v.climb else 0
            self.level += (target > self.level) - (target < self.level)
        self.main_bar += 1
        end = phrase_bar + 1
        if cued_fill or (fill_every and not rest and (end % fill_every == 0 or (g > 1 and end > phrase - g))):
            # One bar of the style is half the player's or less (g > 1): the fill is the last such bar of
            # every `fill_every` player bars, and the whole last player bar of the phrase.
            whole = cued_fill or end == phrase or g > 1
            self._count("fill")
            return self._plan("fill", 0, 0 if whole else _half(s), phrase_bar=phrase_bar)
        return self._plan(self.main, self.main_bar - 1, phrase_bar=phrase_bar)

    def _begin_ending(self) -> BarPlan:
        self.state, self.section_bar, self.level = "ending", self.skip, 0
        self._count("ending")
        return self._ending_bar()

    def _ending_bar(self) -> BarPlan:
        n = self.style.section("ending").bars
        self.section_bar += 1
        last = self.section_bar >= n
        plan = self._plan("ending", self.section_bar - 1, last=last)
        if last:
            self.state = OUT
        return plan


def _half(style: Style) -> int:
    """The first group start at or after the middle of the bar: where a half-bar fill takes over."""
    n = style.steps_per_bar
    return next((g for g in style.group_steps if 2 * g >= n), n // 2)
