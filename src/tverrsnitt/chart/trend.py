"""The change since another wave as a chart: a pair of bars per row, one per wave.

Built only for a figure that shows its change (`Comparison.shows_trend`): shares are drawn by
the grouped kind (a cluster per row, a colour per wave), means and net scores as dots on the
number's own axis (the dots kind, one per wave). Each row's label carries both waves' N and a
'*' where the change is significant; rows hidden by disclosure control in either wave are left
out and the note says so.
"""

from __future__ import annotations

from ..numbers import NBSP, thousands, whole
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import NO_CHANGE_TEST, category_value
from ..tabulate.changes import Change, Comparison, trend_id
from . import style
from .data import (
    MEASURES,
    ChartData,
    Panel,
    Row,
    RowsAre,
    Series,
    Value,
    item_label,
    number_axis,
    number_text,
)


def _label(text: str, change: Change) -> str:
    n = f"N{NBSP}={NBSP}{thousands(change.base_from)}/{thousands(change.base_to)}"
    return f"{text}{' *' if change.significant else ''} ({n})"


def _values(study: Study, change: Change) -> tuple[Value, Value]:
    """Both waves' numbers: whole percents for a share, the number as charts print it else."""
    assert change.estimate_from is not None and change.estimate_to is not None
    if category_value(change.category) == "share":
        labels: tuple[int | str, int | str] = (whole(change.estimate_from),
                                               whole(change.estimate_to))
    else:
        integral = study.has_question(change.item) and study.question(change.item).whole_numbers
        labels = (number_text(change.estimate_from, change.category, integral),
                  number_text(change.estimate_to, change.category, integral))
    return (Value(change.wave_from, change.estimate_from, labels[0], change.base_from),
            Value(change.wave_to, change.estimate_to, labels[1], change.base_to))


def build(study: Study, figure: Figure, comparison: Comparison) -> ChartData | None:
    """Both waves' numbers of the figure's changed categories, or None when it has none."""
    if not comparison.shows_trend(study, figure):
        return None
    by = figure.by
    panels: list[Panel] = []
    left_out = False
    kinds = {category_value(c) for item in layout.figure_items(figure)
             for c in layout.trend_categories(study, figure, item)}
    if len(kinds) != 1 or "count" in kinds:
        return None  # one kind of number per chart: shares as bars, numbers as dots
    numbers = kinds != {"share"}
    for item in layout.figure_items(figure):
        rows = []
        categories = tuple(c for c in layout.trend_categories(study, figure, item)
                           if c not in NO_CHANGE_TEST)
        for category in categories:
            for group in layout.groups(study, by):
                change = comparison.get((figure.id, item, by, group, category))
                if change is None or not change.comparable:
                    continue
                if change.hidden or change.estimate_from is None or change.estimate_to is None:
                    left_out = True
                    continue
                parts = [item_label(study, item)] if by == "none" else [group]
                if len(categories) > 1:
                    parts.insert(0, category)
                rows.append(Row(_label(" – ".join(parts), change), item,
                                None if by == "none" else group, _values(study, change),
                                category))
        if rows:
            title = item_label(study, item) if by != "none" else None
            panels.append(Panel(title, tuple(rows)))
    if by == "none" and panels:
        panels = [Panel(None, tuple(row for panel in panels for row in panel.rows))]
    if not panels:
        return None
    note = (f"* Signifikant endring fra {comparison.wave_from} til {comparison.wave_to} "
            "(p < 0,05, Holm-justert over figurens utsagn).")
    if left_out:
        note += (f" Grupper med færre enn {study.meta.min_cell} svar i en av rundene er "
                 "utelatt.")
    series = (Series(comparison.wave_from, comparison.wave_from),
              Series(comparison.wave_to, comparison.wave_to))
    rows_are: RowsAre = "items" if by == "none" else "groups"
    breakdown = study.breakdown_label(by) if by != "none" else ""
    if not numbers:
        return ChartData(trend_id(figure.id), "grouped", series, tuple(panels), ordinal=True,
                         axis_label=style.AXIS_LABEL, note=note, rows_are=rows_are,
                         breakdown=breakdown)
    category = panels[0].rows[0].category or ""
    measure, word = MEASURES.get(category, ("verdien", category))
    question = study.question(figure.items[0]) if study.has_question(figure.items[0]) else None
    unit = f", {question.unit}" if question is not None and question.unit and category != "net" \
        else ""
    values = [v for panel in panels for row in panel.rows for v in row.values]
    return ChartData(trend_id(figure.id), "dots", series, tuple(panels), ordinal=True,
                     axis_label=f"{word}{unit}", note=note, rows_are=rows_are,
                     breakdown=breakdown, axis=number_axis(study, figure, values),
                     measure=measure)


def _shown(study: Study, figure: Figure, change: Change) -> str:
    """A row's name as the chart prints it (without its N and mark)."""
    if figure.by != "none":
        return change.group
    return item_label(study, change.item)


def alt_text(study: Study, figure: Figure, comparison: Comparison, data: ChartData) -> str:
    """What the chart compares, and which of its rows changed significantly."""
    first, second = comparison.wave_from, comparison.wave_to
    shape = ("Punktdiagram: {title} i {first} og {second}, ett punkt per runde."
             if data.kind == "dots" else
             "Gruppert stolpediagram i prosent: {title} i {first} og {second}, en stolpe per "
             "runde.")
    text = shape.format(title=figure.title, first=first, second=second)
    drawn = {(row.item, row.group, row.category) for panel in data.panels for row in panel.rows}
    starred = [_shown(study, figure, c) for c in comparison.changes
               if c.figure == figure.id and c.by == figure.by and c.significant
               and (c.item, None if figure.by == "none" else c.group, c.category) in drawn]
    if starred:
        return f"{text} Signifikant endring for {', '.join(dict.fromkeys(starred))}."
    return f"{text} Ingen av endringene er statistisk signifikante."
