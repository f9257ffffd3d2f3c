"""The report tables in plain pandas: the baseline bench/report.py measures the engine against.

This is the straightforward way a competent analyst would compute the tables in pandas, one
figure, item and breakdown at a time: filter the item's base (routing + valid answer) with a
boolean mask, then `groupby(..., observed=True).size()` / `value_counts()` on categoricals,
`Totalt` as the sum of the groups, top2/bottom2 as sums of option columns, multi-select items
via `explode`, means via `groupby().agg()`. No cubes, no caching across figures.

It reads the study definition (figures, routing conditions, derived variables, screening) so that
it produces exactly the rows of `tverrsnitt.tabulate.tabulate`:
(figure, item, by, group, category, count, base, percent).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tverrsnitt.study import layout
from tverrsnitt.study.conditions import Condition, parse_condition
from tverrsnitt.study.model import AgeBands, Figure, Question, Recode, Study

Row = tuple[str, str, str, str, str, int, int, float]
TOTAL = "Totalt"


@dataclass
class PandasData:
    """Analysed respondents (with derived variables), the register, and the screening counts."""

    respondents: pd.DataFrame
    register: pd.DataFrame | None
    answered: int
    excluded: list[tuple[str, int]]


def share(count: int, base: int) -> float:
    """100 * count / base (0 for an empty base), the same formula as the engine."""
    return 100 * count / base if base else 0.0


# ----------------------------------------------------------------------------- cleaning


def prepare(study: Study, responses: pd.DataFrame, register: pd.DataFrame | None) -> PandasData:
    """Screening step by step, then the derived grouping variables in both frames."""
    df = responses
    excluded = []
    for step in study.screening:
        keep = df[step.question].isin(step.keep)
        excluded.append((step.reason, int((~keep).sum())))
        df = df[keep]
    return PandasData(add_derived(df, study),
                      add_derived(register, study) if register is not None else None,
                      len(responses), excluded)


def add_derived(df: pd.DataFrame, study: Study) -> pd.DataFrame:
    """Recodes via a dict `map` to an ordered categorical; age bands via `pd.cut`."""
    new = {}
    for variable in study.derived:
        if isinstance(variable, Recode):
            if variable.source not in df.columns:
                continue
            mapping = {value: g.label for g in variable.groups for value in g.values}
            labels = [g.label for g in variable.groups]
            new[variable.code] = df[variable.source].map(mapping).astype(pd.CategoricalDtype(labels))
        elif {variable.birth_year, variable.reference_date} <= set(df.columns):
            new[variable.code] = age_bands(df, variable)
    return df.assign(**new)


def age_bands(df: pd.DataFrame, variable: AgeBands) -> pd.Series:
    """Age = year of the reference date - birth year, cut into whole-year bands."""
    age = df[variable.reference_date].dt.year - df[variable.birth_year]
    bands = variable.bands
    # pd.cut needs contiguous bands: (previous max, max] == [min, max] for whole-year ages.
    for before, after in itertools.pairwise(bands):
        assert before.max is not None and after.min == before.max + 1, "bands must be contiguous"
    edges = [-np.inf if bands[0].min is None else bands[0].min - 1,
             *(b.max for b in bands[:-1]),
             np.inf if bands[-1].max is None else bands[-1].max]
    return pd.cut(age, bins=edges, labels=[b.label for b in bands], right=True)


# ----------------------------------------------------------------------------- routing -> masks


def answered_mask(df: pd.DataFrame, question: Question) -> pd.Series:
    """A valid answer: not missing; a multi-select needs at least one ticked option."""
    column = df[question.code]
    if question.type == "multi":
        return column.str.len().fillna(0) > 0
    return column.notna()


def condition_mask(df: pd.DataFrame, condition: Condition, study: Study) -> pd.Series:
    """A routing condition as a boolean mask; a missing answer never satisfies it."""
    question = study.question(condition.code)
    column = df[condition.code]
    op, values = condition.op, condition.values
    if op == "is_answered":
        return answered_mask(df, question)
    if op == "==":
        return column.notna() & (column == values[0])
    if op == "!=":
        return column.notna() & (column != values[0])
    if op == "in":
        return column.isin(values)
    if op in (">=", "<=", ">", "<"):
        codes = column.cat.codes  # ordinal: position in the low -> high option list
        index = question.options.index(values[0])
        test = {">=": codes >= index, "<=": codes <= index, ">": codes > index, "<": codes < index}[op]
        return column.notna() & test
    if op in ("has_any", "has_any_except"):
        ticked = column.explode()
        hit = ticked == values[0] if op == "has_any" else ticked.notna() & (ticked != values[0])
        return hit.groupby(level=0).any().reindex(df.index, fill_value=False)
    raise ValueError(f"unknown operator {op!r}")


def base_mask(df: pd.DataFrame, question: Question, study: Study) -> pd.Series:
    """Asked the item (its asked_if holds) and gave a valid answer."""
    mask = answered_mask(df, question)
    if question.asked_if is not None:
        mask &= condition_mask(df, question.asked_if, study)
    return mask


# ----------------------------------------------------------------------------- tables


def tabulate(study: Study, data: PandasData) -> list[Row]:
    """Every row of every figure, in the engine's order."""
    rows: list[Row] = []
    for figure in study.figures:
        if figure.statistic == "response_status":
            rows.extend(response_status(study, figure, data))
            continue
        for item in figure.items:
            based = None
            exploded = None
            for by in figure.breakdowns:
                if study.comparison(by) is not None:
                    rows.extend(comparison(study, figure, item, by, data))
                    continue
                if based is None:
                    question = study.question(item)
                    df = data.respondents
                    # only the columns this item's tables need: the item and its breakdowns
                    dims = [b for b in figure.breakdowns
                            if b != "none" and study.comparison(b) is None]
                    based = df.loc[base_mask(df, question, study), [item, *dims]]
                    if question.type == "multi":
                        # one row per ticked option; keep the option order as a categorical
                        exploded = based.explode(item)
                        exploded[item] = exploded[item].astype(pd.CategoricalDtype(question.options))
                rows.extend(item_rows(study, figure, item, by, based, exploded))
    return rows


def crosstab(frame: pd.DataFrame, item: str, by: str) -> pd.DataFrame:
    """Counts with groups as rows and options as columns, plus a Totalt row (sum of groups)."""
    if by == "none":
        counts = frame[item].value_counts(sort=False).to_frame().T
        counts.index = [TOTAL]
        return counts
    table = frame.groupby([by, item], observed=True).size().unstack(fill_value=0)
    table.loc[TOTAL] = table.sum()
    return table


def group_sizes(frame: pd.DataFrame, by: str) -> pd.Series:
    """Respondents per group, plus Totalt (the sum of the groups)."""
    if by == "none":
        return pd.Series({TOTAL: len(frame)})
    sizes = frame.groupby(by, observed=True).size()
    sizes[TOTAL] = sizes.sum()
    return sizes


def lookup(table: pd.DataFrame, group: str, category: str) -> int:
    if group in table.index and category in table.columns:
        return int(table.at[group, category])
    return 0


def item_rows(study: Study, figure: Figure, item: str, by: str, based: pd.DataFrame,
              exploded: pd.DataFrame | None) -> list[Row]:
    statistic = figure.statistic_for(item)
    groups = layout.groups(study, by)
    fid = figure.id
    if statistic == "mean":
        if by == "none":
            agg = pd.DataFrame({"n": [len(based)], "sum": [based[item].sum()]}, index=[TOTAL])
        else:
            agg = based.groupby(by, observed=True)[item].agg(n="size", sum="sum")
            agg.loc[TOTAL] = agg.sum()
        rows = []
        for group in groups:
            n = int(agg.at[group, "n"]) if group in agg.index else 0
            total = float(agg.at[group, "sum"]) if n else 0.0
            rows.append((fid, item, by, group, "mean", n, n, total / n if n else 0.0))
        return rows
    if exploded is not None:  # multi-select: counts of ticks, base = respondents
        table = crosstab(exploded, item, by)
        bases = group_sizes(based, by)
    else:
        table = crosstab(based, item, by)
        bases = table.sum(axis=1)
    if statistic == "count":
        return composition(study, figure, item, by, table, bases)
    sets = layout.top_bottom(study, figure, item)
    rows = []
    for group in groups:
        base = int(bases.get(group, 0))
        for category in layout.categories(study, figure, item):
            if category in sets:
                count = sum(lookup(table, group, v) for v in sets[category])
            else:
                count = lookup(table, group, category)
            rows.append((fid, item, by, group, category, count, base, share(count, base)))
    return rows


def composition(study: Study, figure: Figure, item: str, by: str, table: pd.DataFrame,
                bases: pd.Series) -> list[Row]:
    """Tabell 3.1: counts per source option within each group, as a share of everyone."""
    total = int(bases.get(TOTAL, 0))
    variable = study.derived_variable(by)
    own_recode = isinstance(variable, Recode) and variable.source == item
    rows = []
    for group in layout.groups(study, by):
        if group == TOTAL:
            rows.append((figure.id, item, by, group, TOTAL, total, total, share(total, total)))
            continue
        members = (layout.group_members(study, by, group) if own_recode
                   else study.question(item).options)
        for value in members:
            n = lookup(table, group, value)
            rows.append((figure.id, item, by, group, value, n, total, share(n, total)))
        n = int(bases.get(group, 0))
        rows.append((figure.id, item, by, group, TOTAL, n, total, share(n, total)))
    return rows


def comparison(study: Study, figure: Figure, item: str, by: str, data: PandasData) -> list[Row]:
    """Sample vs. population: each side counted in its own frame."""
    comp = study.comparison(by)
    assert comp is not None
    column = figure.variables.get(item, item)
    categories = layout.variable_categories(study, figure, item)
    rows = []
    for group in comp.groups:
        if group.source == "register":
            if data.register is None:
                continue
            frame = data.register
        else:
            frame = data.respondents
            if group.when is not None:
                frame = frame[condition_mask(frame, parse_condition(group.when), study)]
        counts = frame[column].value_counts()
        base = int(counts.sum())
        for category in categories:
            n = int(counts.get(category, 0))
            rows.append((figure.id, item, by, group.label, category, n, base, share(n, base)))
    return rows


def response_status(study: Study, figure: Figure, data: PandasData) -> list[Row]:
    """Tabell 2.1: invited, answered, excluded by reason, analysed."""
    if data.register is None:
        return []
    invited = len(data.register)
    analysed = len(data.respondents)
    values = [("Distribuert", invited), ("Svart", data.answered),
              ("Ekskludert", data.answered - analysed), ("Total N", analysed), *data.excluded]
    item = layout.RESPONSE_STATUS_ITEM
    return [(figure.id, item, "none", TOTAL, c, n, invited, share(n, invited)) for c, n in values]
