"""One bar per row in one colour (`kind: bars`): per item, per category of one item, or per
group. Drawn as the one-series case of the grouped bars (grouped.draw)."""

from __future__ import annotations

from ..errors import ChartError
from ..study.model import Figure, Study
from .data import (
    TOTAL,
    Cells,
    ChartData,
    Panel,
    Row,
    RowsAre,
    Series,
    axis_label_for,
    breakdown_parts,
    drawn_items,
    item_categories,
    item_label,
    shown_category,
    sorted_rows,
    with_n,
)


def build(study: Study, figure: Figure, cells: Cells) -> ChartData:
    """One bar per row in one colour: per item, per category of one item, or per group."""
    rows_are: RowsAre
    items = drawn_items(figure)
    panels = []
    if figure.by == "none" and (len(items) > 1 or figure.statistic in ("top2", "bottom2")):
        rows = []
        for item in items:
            category = shown_category(study, figure, item)
            if category is None:
                continue
            value = cells.value(category, item, "none", TOTAL, category)
            rows.append(Row(with_n(item_label(study, item), [value.base]), item, None, (value,),
                            category))
        panels.append(Panel(None, tuple(sorted_rows(rows, figure, cells, "none", TOTAL))))
        rows_are = "items"
        name = rows[0].values[0].series
    elif figure.by == "none":
        item = items[0]
        name = item_label(study, item)
        rows = [Row(c, item, None, (cells.value(name, item, "none", TOTAL, c),), c)
                for c in item_categories(study, figure, item)]
        panels.append(Panel(None, tuple(rows)))
        rows_are = "categories"
    else:
        item = items[0]
        category = shown_category(study, figure, item)
        if len(items) > 1 or category is None:
            raise ChartError(f"Figure {figure.id}: a bar chart by '{figure.by}' draws one item and one "
                             "category; use chart.kind: grouped for more")
        parts = breakdown_parts(figure)
        for by in parts:
            rows = []
            for group in cells.groups(study, by):
                value = cells.value(category, item, by, group, category)
                rows.append(Row(with_n(group, [value.base]), item, group, (value,), category))
            title = study.breakdown_label(by) if len(parts) > 1 else None
            panels.append(Panel(title, tuple(sorted_rows(rows, figure, cells, by, TOTAL))))
        rows_are = "groups"
        name = category
    return ChartData(
        figure_id=figure.id, kind="bars", series=(Series(name, name),), panels=tuple(panels),
        ordinal=False, axis_label=axis_label_for(rows_are, panels), note=figure.chart.note,
        rows_are=rows_are, breakdown=study.breakdown_label(figure.by),
    )
