"""Agreement between two coders: per theme, Cohen's κ and percent agreement.

The unit of analysis is a participant's turn (interviewer turns are not units): for each theme
each coder has, for each turn of each group, coded it with the theme or not. A turn counts as
coded with a theme by a coder when any of that coder's spans with that theme overlaps it by at
least one character. With `roll_up` (the default) a span coded with a sub-theme counts for
every theme above it too, so the chapters of the codebook get their own rows.

For a theme, with n units of which `both` were coded by both coders, `only_a` and `only_b` by
one of them and `neither` by none:

    p_o = (both + neither) / n                      observed agreement (percent agreement)
    p_a = (both + only_a) / n,  p_b = (both + only_b) / n
    p_e = p_a·p_b + (1 − p_a)(1 − p_b)              agreement expected by chance
    κ   = (p_o − p_e) / (1 − p_e)

κ is undefined when p_e = 1 (both coders used the theme on every unit, or neither used it):
it is then None, with the reason. Sums are exact (fractions) and rounded once, to float.
The summary pools the 2×2 tables of all themes as coded (without roll-up), so every
(turn, theme) decision counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from ..errors import did_you_mean, one_of
from ..ingest.codings import Coding, CodingError
from ..ingest.transcripts import Transcript
from ..study.qual import QualDefinition, Theme

POOLED = "(alle temaer)"


@dataclass(frozen=True)
class Unit:
    """A unit of analysis: one participant turn of one group."""

    group: str
    turn: int
    speaker: str
    start: int
    end: int


@dataclass(frozen=True)
class ThemeAgreement:
    """The 2×2 table of one theme and what follows from it."""

    theme: str
    units: int
    both: int
    only_a: int
    only_b: int
    neither: int
    p_o: float | None
    p_e: float | None
    kappa: float | None
    reason: str | None = None  # why κ is None

    @property
    def percent(self) -> float | None:
        """Percent agreement (p_o × 100)."""
        return None if self.p_o is None else 100.0 * self.p_o


@dataclass(frozen=True)
class Agreement:
    """Two coders compared on every theme, and pooled over themes."""

    coder_a: str
    coder_b: str
    units: int
    themes: tuple[ThemeAgreement, ...]
    pooled: ThemeAgreement

    @property
    def mean_kappa(self) -> float | None:
        """The mean of the themes' κ where it is defined."""
        values = [t.kappa for t in self.themes if t.kappa is not None]
        return sum(values) / len(values) if values else None

    def theme(self, code: str) -> ThemeAgreement:
        """The row of one theme (KeyError if it has none)."""
        for row in self.themes:
            if row.theme == code:
                return row
        raise KeyError(code)


def units(qual: QualDefinition, transcripts: Mapping[str, Transcript]) -> list[Unit]:
    """Every participant turn of every group, in group and turn order."""
    result: list[Unit] = []
    for group in qual.groups:
        transcript = transcripts.get(group.id)
        if transcript is None:
            continue
        participants = {p.id for p in group.participants}
        result.extend(Unit(group.id, t.index, t.speaker, t.start, t.end)
                      for t in transcript.turns if t.speaker in participants)
    return result


def table(theme: str, coded_a: set[int], coded_b: set[int], n: int) -> ThemeAgreement:
    """The 2×2 table and κ of one theme from the units each coder coded (by index)."""
    both = len(coded_a & coded_b)
    only_a = len(coded_a - coded_b)
    only_b = len(coded_b - coded_a)
    return kappa_table(theme, both, only_a, only_b, n - both - only_a - only_b)


def kappa_table(theme: str, both: int, only_a: int, only_b: int, neither: int) -> ThemeAgreement:
    """Cohen's κ and percent agreement of a 2×2 table (exact arithmetic, rounded once)."""
    n = both + only_a + only_b + neither
    if n == 0:
        return ThemeAgreement(theme, 0, 0, 0, 0, 0, None, None, None, "no units to compare")
    p_o = Fraction(both + neither, n)
    p_a, p_b = Fraction(both + only_a, n), Fraction(both + only_b, n)
    p_e = p_a * p_b + (1 - p_a) * (1 - p_b)
    if p_e == 1:
        reason = ("neither coder used the theme" if p_a == 0
                  else "both coders coded every unit with the theme")
        return ThemeAgreement(theme, n, both, only_a, only_b, neither, float(p_o), 1.0, None, reason)
    kappa = (p_o - p_e) / (1 - p_e)
    return ThemeAgreement(theme, n, both, only_a, only_b, neither, float(p_o), float(p_e),
                          float(kappa))


def coded_units(codings: Iterable[Coding], unit_list: Sequence[Unit],
                counts_for: Mapping[str, Iterable[str]] | None = None) -> dict[str, set[int]]:
    """For each theme, the indices of the units some coding with that theme overlaps.

    `counts_for` maps a theme to the themes a coding with it counts for (itself and those above
    it, for roll-up); by default a theme counts for itself only.
    """
    by_group: dict[str, list[int]] = {}
    for index, unit in enumerate(unit_list):
        by_group.setdefault(unit.group, []).append(index)
    result: dict[str, set[int]] = {}
    for coding in codings:
        hit = {i for i in by_group.get(coding.group, ())
               if coding.overlaps(unit_list[i].start, unit_list[i].end)}
        if not hit:
            continue
        for theme in coding.themes:
            for target in (counts_for.get(theme, (theme,)) if counts_for else (theme,)):
                result.setdefault(target, set()).update(hit)
    return result


def ancestors(qual: QualDefinition) -> dict[str, tuple[str, ...]]:
    """Each theme with the themes above it: what a coding with it counts for in a roll-up."""
    result: dict[str, tuple[str, ...]] = {}

    def visit(theme: Theme, above: tuple[str, ...]) -> None:
        result[theme.code] = (theme.code, *above)
        for child in theme.children:
            visit(child, (theme.code, *above))

    for top in qual.themes:
        visit(top, ())
    return result


def agreement(unit_list: Sequence[Unit], a: Iterable[Coding], b: Iterable[Coding],
              themes: Sequence[str], *, coder_a: str = "A", coder_b: str = "B",
              counts_for: Mapping[str, Iterable[str]] | None = None) -> Agreement:
    """Compare coder A's codings with coder B's over `unit_list`, for each of `themes`."""
    a, b = list(a), list(b)
    n = len(unit_list)
    rolled_a = coded_units(a, unit_list, counts_for)
    rolled_b = coded_units(b, unit_list, counts_for)
    rows = tuple(table(theme, rolled_a.get(theme, set()), rolled_b.get(theme, set()), n)
                 for theme in themes)
    plain_a, plain_b = coded_units(a, unit_list), coded_units(b, unit_list)
    plain = [table(theme, plain_a.get(theme, set()), plain_b.get(theme, set()), n)
             for theme in dict.fromkeys([*themes, *plain_a, *plain_b])]
    pooled = kappa_table(POOLED, sum(r.both for r in plain), sum(r.only_a for r in plain),
                         sum(r.only_b for r in plain), sum(r.neither for r in plain))
    return Agreement(coder_a, coder_b, n, rows, pooled)


def compare(qual: QualDefinition, transcripts: Mapping[str, Transcript],
            codings: Iterable[Coding], coder_a: str, coder_b: str, *,
            roll_up: bool = True) -> Agreement:
    """Two coders of a study compared on every theme of its codebook (codebook order).

    Raises CodingError when a coder has no codings (naming the coders there are).
    """
    codings = list(codings)
    coders = sorted({c.coder for c in codings})
    for coder in (coder_a, coder_b):
        if coder not in coders:
            raise CodingError(f"No codings by coder {coder!r}; coders with codings: "
                              f"{one_of(coders) if coders else 'none'}.{did_you_mean(coder, coders)}")
    if coder_a == coder_b:
        raise CodingError(f"Compare two different coders, not {coder_a!r} with itself.")
    themes = list(qual.themes_by_code())
    return agreement(units(qual, transcripts),
                     [c for c in codings if c.coder == coder_a],
                     [c for c in codings if c.coder == coder_b], themes,
                     coder_a=coder_a, coder_b=coder_b,
                     counts_for=ancestors(qual) if roll_up else None)
