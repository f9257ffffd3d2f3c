"""Per-item sums of n, w and w² by answer and grouping cell: all an `ids = ~1` design needs.

For `svydesign(ids = ~1, weights = ~w)` every share, its linearised SE and the Rao–Scott and
pairwise tests depend on the data only through n, sum(w) and sum(w²) of each (answer, group)
cell (see `closed_form`). So, as the tabulation engine does for counts, each item is summed once
by its answer and the packed integer of all grouping variables (`Engine.cell_expr`), all items in
one parallel Polars run, and every breakdown is a small sum over that cube. This is what makes
SEs, CIs and tests for every figure cheap at a million respondents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from ..clean import AnalysisData
from ..clean.expressions import base_expr
from ..errors import DesignError
from ..study import layout
from ..study.model import Study
from .engine import CELL, Engine

_W = "__w__"
_N, _SW, _SW2 = "__n__", "__sw__", "__sw2__"

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class CellTable:
    """Sums for one item and breakdown: answers (rows) by groups (columns), and each group's base.

    For a single-choice item a row is an answer; for a multi-select item it is an option ticked
    (a respondent can be in several rows), so the base is kept separately. Groups are the
    breakdown's in study order (respondents without a group are left out); 'none' has one
    group, Totalt. Arrays: rows x groups, and one value per group for the base.
    """

    values: tuple[str, ...]
    groups: tuple[str, ...]
    n: FloatArray
    sw: FloatArray
    sw2: FloatArray
    base_n: FloatArray
    base_sw: FloatArray
    base_sw2: FloatArray

    def rows(self, labels: Iterable[str]) -> tuple[FloatArray, FloatArray, FloatArray]:
        """n, sum w, sum w² per group of the respondents whose answer is one of `labels`."""
        picked = [i for i, value in enumerate(self.values) if value in set(labels)]
        return (self.n[picked].sum(axis=0), self.sw[picked].sum(axis=0),
                self.sw2[picked].sum(axis=0))


@dataclass(frozen=True, eq=False)
class _Cube:
    """Sums by (value, cell); `value` is None for the base cube of a multi-select item."""

    values: NDArray[np.object_]
    cells: NDArray[np.int64]
    n: FloatArray
    sw: FloatArray
    sw2: FloatArray


class ItemSums:
    """The cubes of every requested item, summed into `CellTable`s per breakdown on demand.

    An item is a question code, or (item, column) for an item counted through a derived
    variable made from it (`variables:`); its table is then looked up by the column.
    """

    def __init__(self, study: Study, data: AnalysisData, items: Iterable[str | tuple[str, str]],
                 weights: ArrayLike | None = None) -> None:
        self.study = study
        self.engine = Engine(study, data)
        self.weighted = weights is not None
        frame = data.respondents.lazy().with_columns(self.engine.cell_expr())
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            if w.shape != (data.respondents.height,) or not np.all(np.isfinite(w) & (w > 0)):
                raise DesignError("The closed-form design needs one positive, finite weight per "
                                  "respondent.")
            frame = frame.with_columns(pl.Series(_W, w))
        queries: dict[tuple[str, str], pl.LazyFrame] = {}
        for entry in dict.fromkeys(items):
            item, column = (entry, entry) if isinstance(entry, str) else entry
            question = study.question(item)
            based = frame.filter(base_expr(question, study))
            if column != item:
                based = based.filter(pl.col(column).is_not_null())
                queries[(column, "value")] = self._sums(based, [column, CELL])
            elif question.type == "multi":
                # A tick counted once even if the export repeats it, as "has the option" means.
                ticks = based.with_columns(pl.col(item).list.unique()).explode(item)
                queries[(item, "value")] = self._sums(ticks, [item, CELL])
                queries[(item, "base")] = self._sums(based, [CELL])
            else:
                queries[(item, "value")] = self._sums(based, [item, CELL])
        keys = list(queries)
        self._cubes = {key: self._cube(result, key[0] if key[1] == "value" else None)
                       for key, result in zip(keys, pl.collect_all([queries[k] for k in keys]),
                                              strict=True)}
        self._group_index: dict[str, dict[int, int]] = {}

    def _sums(self, frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
        if not self.weighted:  # sum w = sum w² = n: one count is enough
            return frame.group_by(keys).agg(pl.len().alias(_N))
        w = pl.col(_W)
        return frame.group_by(keys).agg(pl.len().alias(_N), w.sum().alias(_SW),
                                        (w * w).sum().alias(_SW2))

    def _cube(self, result: pl.DataFrame, item: str | None) -> _Cube:
        n = result[_N].to_numpy().astype(float)
        values = (np.full(result.height, None, dtype=object) if item is None
                  else result[item].cast(pl.String).to_numpy().astype(object))
        cells = result[CELL].to_numpy().astype(np.int64)
        if not self.weighted:
            return _Cube(values, cells, n, n, n)
        return _Cube(values, cells, n, result[_SW].to_numpy().astype(float),
                     result[_SW2].to_numpy().astype(float))

    def _groups_of(self, by: str, cells: NDArray[np.int64]) -> tuple[tuple[str, ...], NDArray[np.intp]]:
        """The breakdown's groups and each cell's column among them (-1: no group)."""
        if by == "none":
            return (layout.TOTAL,), np.zeros(cells.size, np.intp)
        labels = self.study.group_labels(by)
        index = self._group_index.setdefault(by, {})
        dim = self.engine.dims.index(by)
        position = {label: i for i, label in enumerate(labels)}
        for cell in np.unique(cells).tolist():
            if cell not in index:
                label = self.engine.cell_labels(cell)[dim]
                index[cell] = -1 if label is None else position[label]
        return labels, np.array([index[c] for c in cells.tolist()], dtype=np.intp)

    def table(self, item: str, by: str) -> CellTable:
        """The sums of `item` by its answers and the groups of breakdown `by`."""
        cube = self._cubes[(item, "value")]
        groups, column = self._groups_of(by, cube.cells)
        values = tuple(sorted({str(v) for v in cube.values.tolist()}))
        row = {value: i for i, value in enumerate(values)}
        rows = np.array([row[str(v)] for v in cube.values.tolist()], dtype=np.intp)
        keep = column >= 0
        shape = (len(values), len(groups))
        flat = rows[keep] * len(groups) + column[keep]
        n, sw, sw2 = (_sum_at(flat, x[keep], shape[0] * shape[1]).reshape(shape)
                      for x in (cube.n, cube.sw, cube.sw2))
        base = self._cubes.get((item, "base"))
        if base is None:
            base_n, base_sw, base_sw2 = n.sum(axis=0), sw.sum(axis=0), sw2.sum(axis=0)
        else:
            _, base_column = self._groups_of(by, base.cells)
            inside = base_column >= 0
            base_n, base_sw, base_sw2 = (_sum_at(base_column[inside], x[inside], len(groups))
                                         for x in (base.n, base.sw, base.sw2))
        return CellTable(values, groups, n, sw, sw2, base_n, base_sw, base_sw2)


def _sum_at(index: NDArray[np.intp], values: FloatArray, size: int) -> FloatArray:
    """Sum of `values` at each position 0..size-1 of `index`."""
    return np.bincount(index, weights=values, minlength=size).astype(float)
