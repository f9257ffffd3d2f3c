"""Change between two waves of the survey: both waves' estimates, the change, its SE and CI,
and a test of change for independent samples, with multiplicity control.

The waves are independent samples, each on its own design, so the numbers are those of R's
`svyby(~y, ~wave, subset(stacked, domain), svymean)` + `svycontrast(c(-1, 1))` on the stacked
design `svydesign(ids = ~1, strata = ~wave, weights = ~w)`: the estimates of the two strata
do not covary, so the change's SE is sqrt(se_from² + se_to²) of the two waves' own SEs, and
the Wald t test uses `degf` of the domain, n_from + n_to − 2 (see `r/changes_crosscheck.R`).
The family adjusted (Holm by default) is the statements of a figure for one group and
category, as the group tests are adjusted over a breakdown's pairs.

Disclosure: a change is published only when the cell is published in both waves; a cell hidden
in either is hidden in the comparison, so no change can be subtracted back to a hidden number.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
from scipy import stats

from ..study import Study, layout
from ..study.model import Figure
from ..study.statistics import NO_CHANGE_TEST, STATISTICS, category_value
from .output import format_number
from .pairwise import adjust_p
from .rao_scott import lrt_p_value
from .tables import TableRow, Tables, shown_percent

COLUMNS = ("figure", "item", "by", "group", "category", "wave_from", "wave_to",
           "estimate_from", "estimate_to", "change", "se", "ci_low", "ci_high", "p_value",
           "p_adjusted", "comparable")

# Statistics whose rows are estimates a change can be computed for (shares, means, net
# scores), and the response status (Tabell 2.1: shares of the invited, compared untested).
_CHANGEABLE = frozenset(name for name, kind in STATISTICS.items()
                        if kind.value in ("share", "number", "points")) | {"response_status"}


def trend_id(figure_id: str) -> str:
    """The key of a figure's chart of both waves beside its own chart ('3.1' -> '3.1-endring';
    its files are figur-3-1-endring.svg and .png)."""
    return f"{figure_id}-endring"


@dataclass(frozen=True)
class Change:
    """One cell's change from `wave_from` to `wave_to` (estimates on the published scale:
    percent for shares, so the change of a share is in percentage points)."""

    figure: str
    item: str
    by: str
    group: str
    category: str
    wave_from: str
    wave_to: str
    estimate_from: float | None
    estimate_to: float | None
    change: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    p_adjusted: float | None
    # False when the question changed too much between the waves (questionnaire.yaml `waves`).
    comparable: bool
    # True when the cell is hidden in either wave: published output prints none of its numbers.
    hidden: bool
    # Why a number is missing, for the report (None when everything is there).
    note: str | None = None
    # The cell's respondents in each wave (0 where a wave has no such cell).
    base_from: int = 0
    base_to: int = 0

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The five columns that identify the cell in tables.csv."""
        return (self.figure, self.item, self.by, self.group, self.category)

    @property
    def significant(self) -> bool:
        """True when the change is significant at 5 % after the figure's adjustment."""
        return self.p_adjusted is not None and self.p_adjusted < 0.05


@dataclass(frozen=True)
class ChangeTest:
    """Did the change differ between the groups of a breakdown? A test of wave × group on the
    stacked design, for designs whose groups' estimates do not covary within a wave
    (`ids = ~1`, with or without weights), from each group's estimate in each wave:

    - a share: the Rao–Scott working likelihood ratio test, as R's `regTermTest(svyglm(y ~
      wave * group, subset(stacked, cell), family = quasibinomial()), ~wave:group, method =
      "LRT")` — the deviance of the model without the interaction against the saturated one,
      its p-value by saddlepoint over the design effects (`lrt_p_value`); `f` is the
      statistic over the mean design effect and k − 1 (a Rao–Scott first-order F);
    - a mean or net score: the Wald F test of R's default `regTermTest` on the same model
      (gaussian), F = Σ (Δ_g − Δ̄)² / v_g / (k − 1) with Δ̄ weighted by 1 / v_g.

    Both on k − 1 and n − 2k − 1 df (svyglm's residual df on the stacked design)."""

    figure: str
    item: str
    by: str
    category: str
    wave_from: str
    wave_to: str
    f: float | None
    ndf: int
    ddf: int
    p_value: float | None
    # Why there is no test (one group, a group without answers in a wave, a raked design).
    not_computable: str | None = None
    method: str = "wald"  # or 'rao-scott' (shares)


@dataclass(frozen=True)
class Comparison:
    """A run's changes since another wave, for the report: looked up by cell."""

    wave_from: str
    wave_to: str
    changes: tuple[Change, ...]
    tests: tuple[ChangeTest, ...] = ()

    def test(self, figure: str, item: str, by: str, category: str) -> ChangeTest | None:
        """The wave × group test of one item's category by a breakdown, if there is one."""
        return next((t for t in self.tests if (t.figure, t.item, t.by, t.category)
                     == (figure, item, by, category)), None)

    def get(self, key: tuple[str, str, str, str, str]) -> Change | None:
        """The change of one cell (figure, item, by, group, category), if both waves have it."""
        return self._by_key.get(key)

    @cached_property
    def _by_key(self) -> dict[tuple[str, str, str, str, str], Change]:
        return {change.key: change for change in self.changes}

    def figures(self) -> frozenset[str]:
        """Figures with at least one change that has numbers."""
        return frozenset(c.figure for c in self.changes if c.change is not None)

    def shows_trend(self, study: Study, figure: Figure) -> bool:
        """True when the figure shows its change: it says `trend: true`, or no figure does
        and it has changes."""
        if any(f.trend for f in study.figures):
            return figure.trend
        return figure.id in self.figures()


def comparable(study: Study, item: str, wave_from: str, wave_to: str) -> bool:
    """True unless the item's question was not asked, or declared not comparable, in a wave."""
    if not study.has_question(item):
        return True
    question = study.question(item)
    return all(question.in_wave(w).asked and question.in_wave(w).comparable
               for w in (wave_from, wave_to))


def _estimated(row: TableRow) -> bool:
    """True when the row has a number to compare (answers, and an estimate or a share)."""
    if row.base == 0:
        return False
    if category_value(row.category) == "share":
        return row.percent is not None or row.weighted_percent is not None
    return row.estimate is not None and not math.isnan(row.estimate)


def _finite(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else value


def _one(study: Study, before: TableRow, after: TableRow, wave_from: str, wave_to: str,
         hidden: bool, level: float) -> Change:
    key = after.key
    same = comparable(study, after.item, wave_from, wave_to)
    if hidden or not same:
        note = ("færre enn grensen for visning i en av rundene" if hidden
                else "spørsmålet kan ikke sammenlignes mellom rundene")
        return Change(*key, wave_from, wave_to, None, None, None, None, None, None, None, None,
                      same, hidden, note)
    if not (_estimated(before) and _estimated(after)):
        # No answers in the cell in a wave (or R gives NA): nothing to compare, not a 0.
        return Change(*key, wave_from, wave_to, None, None, None, None, None, None, None, None,
                      True, False, "ingen svar i en av rundene")
    start, end = before.value, after.value
    change = end - start
    if after.item == layout.RESPONSE_STATUS_ITEM:
        # Counts of everyone invited, not a sample estimate: the change has no test.
        return Change(*key, wave_from, wave_to, start, end, change, None, None, None, None, None,
                      True, False, "svarprosenten er en opptelling og testes ikke")
    if after.category in NO_CHANGE_TEST:
        # A quantile's or a total's change is printed without a test: R's svycontrast is not
        # what its interval comes from, and no fixture checks one.
        return Change(*key, wave_from, wave_to, start, end, change, None, None, None, None, None,
                      True, False, "endringen testes ikke for medianer, kvartiler og summer")
    se_from, se_to = _finite(before.se), _finite(after.se)
    df = before.base + after.base - 2
    if se_from is None or se_to is None or df <= 0:
        return Change(*key, wave_from, wave_to, start, end, change, None, None, None, None, None,
                      True, False, "usikkerheten kan ikke beregnes (for få svar)")
    se = math.sqrt(se_from ** 2 + se_to ** 2)
    quantile = float(stats.t.ppf(1 - (1 - level) / 2, df))
    # R: t = 0/0 is NaN (no test) when nothing changed; any change over no spread is p = 0.
    p = float(2 * stats.t.sf(abs(change / se), df)) if se > 0 else (
        None if change == 0.0 else 0.0)
    return Change(*key, wave_from, wave_to, start, end, change, se, change - quantile * se,
                  change + quantile * se, p, None, True, False)


def compare_waves(study: Study, before: Tables, after: Tables, wave_from: str, wave_to: str,
                  level: float = 0.95, adjust: str = "holm") -> tuple[Change, ...]:
    """The change of every estimate present in both waves, in `after`'s row order.

    `before` and `after` are the published tables of the two waves (each with the cells its
    own disclosure control hides)."""
    figures = {f.id: f for f in study.figures}
    changes: list[Change] = []
    for row in after:
        figure = figures.get(row.figure)
        if figure is None or figure.statistic_for(row.item) not in _CHANGEABLE:
            continue
        earlier = before.get(*row.key)
        if earlier is None:
            if not comparable(study, row.item, wave_from, wave_to):
                # Not asked then: listed as not comparable, with no numbers.
                changes.append(Change(*row.key, wave_from, wave_to, None, None, None, None,
                                      None, None, None, None, False, False,
                                      "spørsmålet ble ikke stilt i en av rundene"))
            continue
        hidden = after.is_hidden(row) or before.is_hidden(earlier)
        changes.append(replace(_one(study, earlier, row, wave_from, wave_to, hidden, level),
                               base_from=earlier.base, base_to=row.base))
    return _adjusted(changes, adjust)


def wave_group_tests(study: Study, before: Tables, after: Tables, wave_from: str, wave_to: str,
                     groups_covary: bool = False) -> tuple[ChangeTest, ...]:
    """The wave × group test for every changeable category of a figure broken down by groups.

    `groups_covary` is True for a raked run: calibration makes the groups' estimates covary
    within a wave, which the closed form does not see, so no test is given rather than a
    wrong one."""
    tests: list[ChangeTest] = []
    for figure in study.figures:
        for by in figure.breakdowns:
            if by == "none" or study.comparison(by) is not None:
                continue
            for item in layout.figure_items(figure):
                if (figure.statistic_for(item) not in _CHANGEABLE
                        or not comparable(study, item, wave_from, wave_to)):
                    continue
                for category in layout.categories(study, figure, item):
                    if category in NO_CHANGE_TEST:
                        continue  # no tested change of a quantile or a total (see _one)
                    test = _group_test(study, before, after, (figure.id, item, by, category),
                                       wave_from, wave_to, groups_covary)
                    if test is not None:
                        tests.append(test)
    return tuple(tests)


def _group_test(study: Study, before: Tables, after: Tables, cell: tuple[str, str, str, str],
                wave_from: str, wave_to: str, groups_covary: bool) -> ChangeTest | None:
    figure, item, by, category = cell
    groups = [g for g in layout.groups(study, by) if g != layout.TOTAL]
    pairs = [(before.get(figure, item, by, g, category), after.get(figure, item, by, g, category))
             for g in groups]
    if any(a is None or b is None for a, b in pairs):
        return None
    present = [(a, b) for a, b in pairs if a is not None and b is not None
               and (a.base > 0 or b.base > 0)]
    k = len(present)
    n = sum(a.base + b.base for a, b in present)
    ddf = n - 2 * k - 1

    method = "rao-scott" if category_value(category) == "share" else "wald"

    def refused(reason: str) -> ChangeTest:
        return ChangeTest(figure, item, by, category, wave_from, wave_to, None, max(k - 1, 0),
                          ddf, None, reason, method)

    if groups_covary:
        return refused("raked design: the groups' estimates covary within a wave")
    if k < 2:
        return refused("fewer than two groups")
    if any(a.base == 0 or b.base == 0 for a, b in present):
        return refused("a group has no answers in one of the waves")
    if any(_finite(a.se) is None or _finite(b.se) is None for a, b in present):
        return refused("a group's standard error is not computable")
    if ddf <= 0:
        return refused("too few answers")
    if category_value(category) == "share":
        return _rao_scott(cell, wave_from, wave_to, present, ddf, refused)
    changes = np.asarray([b.value - a.value for a, b in present])
    v = np.asarray([(a.se or 0.0) ** 2 + (b.se or 0.0) ** 2 for a, b in present])
    if not (v > 0).all():
        return refused("no variation within a group")
    centre = float((changes / v).sum() / (1 / v).sum())
    f = float(((changes - centre) ** 2 / v).sum()) / (k - 1)
    return ChangeTest(figure, item, by, category, wave_from, wave_to, f, k - 1, ddf,
                      float(stats.f.sf(f, k - 1, ddf)))


def _rao_scott(cell: tuple[str, str, str, str], wave_from: str, wave_to: str,
               present: list[tuple[TableRow, TableRow]], ddf: int,
               refused: Callable[[str], ChangeTest]) -> ChangeTest:
    """The Rao–Scott LRT of wave × group for a share, from the 2k cells (wave, group): each
    cell's weighted share p, its weight sum W and its design variance (see ChangeTest)."""
    k = len(present)
    cells = [row for pair in present for row in pair]  # (group 1 then, now), (group 2 …)
    p = np.asarray([shown_percent(r) / 100 for r in cells])
    total = np.asarray([r.weighted_base if r.weighted_base is not None else r.base
                        for r in cells], dtype=float)
    var = np.asarray([((r.se or 0.0) / 100) ** 2 for r in cells])
    if ((p <= 0) | (p >= 1)).any() or not (var > 0).all():
        return refused("a group's share is 0 or 100 percent in a wave")
    # The model without the interaction (wave + group) fitted to the cells by IRLS; the
    # saturated model fits every cell's share exactly.
    x = np.zeros((2 * k, k + 1))
    x[:, 0] = 1.0
    x[1::2, 1] = 1.0  # the later wave
    for g in range(1, k):
        x[2 * g:2 * g + 2, g + 1] = 1.0
    beta: np.ndarray = np.zeros(k + 1)
    for _ in range(100):
        mu = 1 / (1 + np.exp(-(x @ beta)))
        weight = total * mu * (1 - mu)
        working = x @ beta + (p - mu) / (mu * (1 - mu))
        step = np.linalg.solve(x.T @ (weight[:, None] * x), x.T @ (weight * working))
        done = float(np.abs(step - beta).max()) < 1e-13
        beta = step
        if done:
            break
    mu = 1 / (1 + np.exp(-(x @ beta)))
    chisq = float(2 * (total * (p * np.log(p / mu) + (1 - p) * np.log((1 - p) / (1 - mu)))).sum())
    # The interaction as differences of the changes in log odds against the first group.
    contrast = np.zeros((k - 1, 2 * k))
    for g in range(1, k):
        contrast[g - 1, [2 * g + 1, 2 * g, 1, 0]] = (1.0, -1.0, -1.0, 1.0)
    odds = p * (1 - p)
    design = contrast @ np.diag(var / odds ** 2) @ contrast.T
    naive = contrast @ np.diag(1 / (total * odds)) @ contrast.T
    misspec = np.linalg.eigvals(np.linalg.solve(naive, design)).real
    figure, item, by, category = cell
    return ChangeTest(figure, item, by, category, wave_from, wave_to,
                      chisq / float(misspec.mean()) / (k - 1), k - 1, ddf,
                      lrt_p_value(chisq, misspec, ddf), method="rao-scott")


def _adjusted(changes: list[Change], adjust: str) -> tuple[Change, ...]:
    """Holm (or another p.adjust method) over the statements of a figure, per group and
    category."""
    families: dict[tuple[str, str, str, str], list[int]] = {}
    for index, change in enumerate(changes):
        if change.p_value is not None:
            key = (change.figure, change.by, change.group, change.category)
            families.setdefault(key, []).append(index)
    result = list(changes)
    for members in families.values():
        adjusted = adjust_p(np.array([changes[i].p_value for i in members], dtype=float), adjust)
        for index, value in zip(members, adjusted, strict=True):
            result[index] = replace(changes[index], p_adjusted=float(value))
    return tuple(result)


def _cell(value: float | None) -> str:
    return "" if value is None else format_number(value)


TEST_COLUMNS = ("figure", "item", "by", "category", "wave_from", "wave_to", "f", "ndf", "ddf",
                "p_value", "not_computable", "method")


def write_change_tests_csv(tests: Iterable[ChangeTest], path: Path) -> None:
    """change_tests.csv: whether the change differed between a breakdown's groups."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(TEST_COLUMNS)
        for t in tests:
            writer.writerow([t.figure, t.item, t.by, t.category, t.wave_from, t.wave_to,
                             _cell(t.f), t.ndf, t.ddf, _cell(t.p_value), t.not_computable or "",
                             t.method])


def write_changes_csv(changes: Iterable[Change], path: Path) -> None:
    """changes.csv: one row per cell and pair of waves (UTF-8, RFC 4180, as tables.csv). A
    cell hidden in either wave, or not comparable, has its numbers left empty."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for c in changes:
            writer.writerow([*c.key, c.wave_from, c.wave_to, _cell(c.estimate_from),
                             _cell(c.estimate_to), _cell(c.change), _cell(c.se), _cell(c.ci_low),
                             _cell(c.ci_high), _cell(c.p_value), _cell(c.p_adjusted),
                             "true" if c.comparable else "false"])
