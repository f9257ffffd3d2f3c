"""Where published reference values sit on a chart: one mark per value, on the Totalt bar.

Pure data, like `data`: a value of a share chart (top2, one option, an option of a
multi-select) sits at its own percent. On a 100 % stacked bar a share marks the boundary of
the categories it counts, measured from the end of the bar where they are stacked: top2 from
the right end (the scale runs low -> high left to right), bottom2 and the first option from the
left, the last option from the right. An inner option is placed by adding the same source's
values for the categories between it and one end, so a source's full distribution marks each
boundary once (the share of the middle category of three repeats a boundary and is left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import ChartError
from ..study import layout
from ..study.model import Figure, ReferenceValue, Study
from . import style

if TYPE_CHECKING:
    from .data import ChartData, Row

TOTAL = layout.TOTAL
# Marker shapes in the order sources get them (see canvas.MARK_SHAPES).
MARKERS = ("diamond", "triangle", "square", "circle")


@dataclass(frozen=True)
class Mark:
    """One reference value on a row: a point (low == high) or a range, in percent of the scale."""

    source: str  # ReferenceKey.id
    low: float
    high: float
    series: str | None = None  # the bar of a cluster it sits on (grouped); None: the row's bar

    @property
    def is_range(self) -> bool:
        return self.high > self.low


@dataclass(frozen=True)
class ReferenceKey:
    """How one source's marks look, and its legend text ('TALIS 2018: lærere på ungdomstrinnet')."""

    id: str
    legend: str
    marker: str | None  # shape of its points, and on its ranges when several sources have ranges
    points: bool  # it has point values on the chart
    ranges: bool  # it has ranges on the chart
    marked_ranges: bool = False  # its ranges carry its marker (several sources have ranges)


def legend_text(name: str, population: str) -> str:
    return f"{name}: {population}"


def place(study: Study, figure: Figure, data: ChartData) -> ChartData:
    """`data` with the figure's reference values as marks on their rows, a legend key per source
    and a footnote naming the sources; unchanged when the figure has none."""
    if not figure.reference_values:
        return data
    placed: set[int] = set()  # indices into figure.reference_values
    panels = []
    for panel in data.panels:
        rows = []
        for row in panel.rows:
            marks = _row_marks(study, figure, data, row, placed)
            rows.append(replace(row, marks=marks) if marks else row)
        panels.append(replace(panel, rows=tuple(rows)))
    drawn = {row.item for panel in data.panels for row in panel.rows}
    for index, ref in enumerate(figure.reference_values):
        # Items left out (by `select:`) take their values with them; a drawn item must show its own.
        if ref.item in drawn and index not in placed:
            raise ChartError(f"Figure {figure.id}: the reference value for '{ref.item}' / "
                             f"'{ref.category}' ({ref.source}) has no place on this chart; it "
                             "shows no Totalt bar of that category")
    drawn_marks = [m for panel in panels for row in panel.rows for m in row.marks]
    if not drawn_marks:
        return data
    keys = _keys(figure, drawn_marks)
    note = footnote(figure, [k.id for k in keys])
    return replace(data, panels=tuple(panels), references=tuple(keys),
                   note=f"{data.note}\n{note}" if data.note else note)


def footnote(figure: Figure, source_ids: Sequence[str]) -> str:
    """'Referanseverdier: TALIS 2018 (Throndsen, Carlsten og Björnsson 2019), …'."""
    sources = [figure.reference_source(i) for i in source_ids]
    return style.REFERENCE_NOTE.format(", ".join(f"{s.name} ({s.citation})" for s in sources))


def _keys(figure: Figure, marks: Sequence[Mark]) -> list[ReferenceKey]:
    """One key per source with marks, in the figure's order; markers go to the sources that
    need one: those with points, and every source with ranges when several have ranges."""
    used = [s for s in figure.references if any(m.source == s.id for m in marks)]
    ranged = [s.id for s in used if any(m.source == s.id and m.is_range for m in marks)]
    shapes = iter(MARKERS * (len(used) // len(MARKERS) + 1))
    keys = []
    for source in used:
        points = any(m.source == source.id and not m.is_range for m in marks)
        ranges = source.id in ranged
        marked_ranges = ranges and len(ranged) > 1
        keys.append(ReferenceKey(source.id, legend_text(source.name, source.population),
                                 next(shapes) if points or marked_ranges else None, points,
                                 ranges, marked_ranges))
    return keys


def _row_marks(study: Study, figure: Figure, data: ChartData, row: Row,
               placed: set[int]) -> tuple[Mark, ...]:
    """The marks on one row: only Totalt is compared (a row of a group other than Totalt, or a
    cluster without a Totalt bar, gets none)."""
    refs = [(i, r) for i, r in enumerate(figure.reference_values) if r.item == row.item]
    if not refs:
        return ()
    if data.kind == "stacked":
        if row.group not in (None, TOTAL):
            return ()
        return _stacked_marks(study, figure, row, refs, placed)
    series: str | None = None
    if data.kind == "grouped":
        if TOTAL not in [v.series for v in row.values]:
            return ()
        series = TOTAL
    elif row.group not in (None, TOTAL):
        return ()
    marks = []
    for index, ref in refs:
        if ref.category == row.category:
            marks.append(Mark(ref.source, ref.low, ref.high, series))
            placed.add(index)
    return tuple(marks)


def _stacked_marks(study: Study, figure: Figure, row: Row,
                   refs: list[tuple[int, ReferenceValue]], placed: set[int]) -> tuple[Mark, ...]:
    categories = [v.series for v in row.values]
    if tuple(categories) != layout.variable_categories(study, figure, row.item):
        raise ChartError(f"Figure {figure.id}: reference values on a stacked chart need every "
                         "category of the bar drawn (no chart.show_categories)")
    runs = layout.top_bottom(study, figure, row.item)
    last = len(categories) - 1
    marks: list[tuple[int, Mark]] = []  # (declaration index, mark), to keep the YAML's order
    taken: set[tuple[str, int]] = set()  # (source, boundary after category k)
    inner = []
    # Values counted from an end of the bar first: they are drawn whatever else is given.
    for index, ref in refs:
        run = sorted(categories.index(c) for c in runs.get(ref.category, (ref.category,)))
        if run == list(range(len(run))):  # stacked at the left end
            boundary, low, high = len(run) - 1, ref.low, ref.high
        elif run == list(range(last - len(run) + 1, last + 1)):  # at the right end
            boundary, low, high = last - len(run), 100 - ref.high, 100 - ref.low
        else:
            if ref.category not in runs:  # an inner option; a split top2 stays unplaced
                inner.append((index, ref))
            continue
        marks.append((index, Mark(ref.source, low, high)))
        taken.add((ref.source, boundary))
        placed.add(index)
    for index, ref in inner:
        position = categories.index(ref.category)
        same = {r.category: r for _, r in refs if r.source == ref.source}
        sides = (  # (boundary, categories summed, from the left?)
            (position, categories[:position + 1], True),
            (position - 1, categories[position:], False),
        )
        for boundary, counted, from_left in sides:
            if not all(c in same for c in counted):
                continue
            placed.add(index)  # placeable: drawn, or already marked by its neighbour
            if (ref.source, boundary) in taken:
                continue
            low = sum(same[c].low for c in counted)
            high = sum(same[c].high for c in counted)
            if not from_left:
                low, high = 100 - high, 100 - low
            marks.append((index, Mark(ref.source, low, high)))
            taken.add((ref.source, boundary))
            break
    return tuple(_clamped(m) for _, m in sorted(marks, key=lambda pair: pair[0]))


def _clamped(mark: Mark) -> Mark:
    """Rounded published shares may add up to a little over 100."""
    return replace(mark, low=min(max(mark.low, 0.0), 100.0), high=min(max(mark.high, 0.0), 100.0))
