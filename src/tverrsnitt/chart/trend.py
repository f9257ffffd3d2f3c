"""The change since another wave as a chart: a pair of bars per row, one per wave.

Built only for a figure that shows its change (`Comparison.shows_trend`) and whose changed
categories are shares; drawn by the grouped kind (a cluster per row, a colour per wave). Each
row's label carries both waves' N and a '*' where the change is significant; rows hidden by
disclosure control in either wave are left out and the note says so.
"""

from __future__ import annotations

from ..numbers import NBSP, thousands, whole
from ..study import layout
from ..study.model import Figure, Study
from ..study.statistics import category_value
from ..tabulate.changes import Change, Comparison, trend_id
from . import style
from .data import ChartData, Panel, Row, Series, Value, item_label


def _label(text: str, change: Change) -> str:
    n = f"N{NBSP}={NBSP}{thousands(change.base_from)}/{thousands(change.base_to)}"
    return f"{text}{' *' if change.significant else ''} ({n})"


def _values(change: Change) -> tuple[Value, Value]:
    assert change.estimate_from is not None and change.estimate_to is not None
    return (Value(change.wave_from, change.estimate_from, whole(change.estimate_from),
                  change.base_from),
            Value(change.wave_to, change.estimate_to, whole(change.estimate_to), change.base_to))


def build(study: Study, figure: Figure, comparison: Comparison) -> ChartData | None:
    """Both waves' shares of the figure's changed categories, or None when it has none."""
    if not comparison.shows_trend(study, figure):
        return None
    by = figure.by
    panels: list[Panel] = []
    left_out = False
    for item in layout.figure_items(figure):
        rows = []
        categories = layout.trend_categories(study, figure, item)
        if any(category_value(c) != "share" for c in categories):
            continue  # numbers keep their change table only
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
                                None if by == "none" else group, _values(change), category))
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
    return ChartData(
        figure_id=trend_id(figure.id), kind="grouped",
        series=(Series(comparison.wave_from, comparison.wave_from),
                Series(comparison.wave_to, comparison.wave_to)),
        panels=tuple(panels), ordinal=True, axis_label=style.AXIS_LABEL, note=note,
        rows_are="items" if by == "none" else "groups",
        breakdown=study.breakdown_label(by) if by != "none" else "")
