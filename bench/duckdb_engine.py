"""The engine's cube approach on DuckDB instead of Polars, to compare the two by measurement.

Only the cube building differs: the analysed respondents, with the engine's packed grouping
cell, are registered with DuckDB through Arrow, and each item's cube (counts by the item and
the grouping cell) is one `GROUP BY ALL` query. The cubes then go through exactly the same
Python summing as the Polars engine (`tverrsnitt.tabulate.engine`), so the rows are directly
comparable and the timing difference is the difference between the two query engines.

Two ways to hand the data to DuckDB are measured:

- `labels`: the frame as it is (`DataFrame.to_arrow()`); DuckDB reads the Arrow dictionary
  (Enum) columns as VARCHAR, so it groups on strings.
- `codes`: Enum columns (and List[Enum] elements) as their small integer codes
  (`to_physical()`), grouped as integers and mapped back to labels on the few hundred cube rows.
- `union`: as `codes`, but all cubes in one statement (`UNION ALL` of the per-item GROUP BYs in
  one long result), so DuckDB can schedule all of them at once instead of one query at a time.
"""

from __future__ import annotations

import duckdb
import polars as pl

from tverrsnitt.clean import AnalysisData
from tverrsnitt.study.conditions import Condition
from tverrsnitt.study.model import Question, Study
from tverrsnitt.tabulate.engine import CELL, Cube, CubeKey, Engine, _figure_rows
from tverrsnitt.tabulate.tables import Tables

MODES = ("labels", "codes", "union")
ORDER = {">=": lambda i, n: range(i, n), ">": lambda i, n: range(i + 1, n),
         "<=": lambda i, n: range(i + 1), "<": lambda i, n: range(i)}


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class DuckDBEngine(Engine):
    """`Engine` with `build()` done by DuckDB; summing into rows is inherited unchanged."""

    def __init__(self, study: Study, data: AnalysisData, mode: str = "codes") -> None:
        super().__init__(study, data)
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.mode = mode
        # label -> value as stored in the registered table (the label itself, or its code)
        self.enums: dict[str, tuple[str, ...]] = {}

    # -- values as stored
    def _stored(self, column: str, label: str) -> str:
        if self.mode != "labels" and column in self.enums:
            return str(self.enums[column].index(label))
        return literal(label)

    def _label(self, column: str, value: object) -> object:
        if self.mode != "labels" and value is not None and column in self.enums:
            return self.enums[column][value]  # type: ignore[index]
        return value

    # -- routing conditions as SQL
    def answered(self, question: Question) -> str:
        column = ident(question.code)
        if question.type == "multi":
            return f"coalesce(len({column}) > 0, false)"
        return f"{column} IS NOT NULL"

    def condition(self, condition: Condition) -> str:
        question = self.study.question(condition.code)
        column = ident(condition.code)
        op, values = condition.op, condition.values
        code = condition.code
        if op == "is_answered":
            return self.answered(question)
        if op in ("==", "!="):
            return f"coalesce({column} {'=' if op == '==' else '<>'} {self._stored(code, values[0])}, false)"
        if op == "in":
            return f"coalesce({column} IN ({', '.join(self._stored(code, v) for v in values)}), false)"
        if op in ORDER:  # ordinal: the options at or above/below the given one, as an IN list
            options = question.options
            chosen = [options[i] for i in ORDER[op](options.index(values[0]), len(options))]
            if not chosen:
                return "false"
            return f"coalesce({column} IN ({', '.join(self._stored(code, v) for v in chosen)}), false)"
        if op == "has_any":
            return f"coalesce(list_contains({column}, {self._stored(code, values[0])}), false)"
        if op == "has_any_except":
            test = f"lambda x: x <> {self._stored(code, values[0])}"
            return f"coalesce(len(list_filter({column}, {test})) > 0, false)"
        raise ValueError(f"unknown operator {op!r}")

    def base(self, question: Question) -> str:
        expr = self.answered(question)
        if question.asked_if is not None:
            expr = f"({expr}) AND ({self.condition(question.asked_if)})"
        return expr

    # -- cube queries
    def items(self) -> dict[CubeKey, tuple[str, str]]:
        """(value expression or '', FROM ... WHERE ... clause) for every cube the engine needs."""
        dims = ident(CELL)
        parts: dict[CubeKey, tuple[str, str]] = {}
        for figure in self.study.figures:
            if figure.statistic == "response_status":
                continue
            if not any(by == "none" or self.study.comparison(by) is None for by in figure.breakdowns):
                continue
            for item in figure.items:
                question = self.study.question(item)
                column = ident(item)
                source = f"FROM resp WHERE {self.base(question)}"
                if figure.statistic_for(item) == "mean":
                    parts[(item, "mean")] = ("", source)
                elif question.type == "multi":
                    parts[(item, "multi-base")] = ("", source)
                    parts[(item, "multi")] = ("v", f"FROM (SELECT unnest({column}) AS v, {dims} {source})")
                else:
                    parts[(item, "single")] = (column, source)
        return parts

    def queries(self) -> dict[CubeKey, str]:
        """One GROUP BY per item and grouping cell (the same cubes as the engine)."""
        dims = ident(CELL)
        queries = {}
        for key, (value, source) in self.items().items():
            total = f", sum({ident(key[0])})" if key[1] == "mean" else ""
            head = f"{value}, " if value else ""
            queries[key] = f"SELECT {head}{dims}, count(*){total} {source} GROUP BY ALL"
        return queries

    def union_query(self) -> tuple[list[CubeKey], str]:
        """All cubes as one long result: (cube number, value code, cell, n, sum)."""
        dims = ident(CELL)
        parts = self.items()
        keys = list(parts)
        selects = []
        for number, key in enumerate(keys):
            value, source = parts[key]
            value = f"CAST({value} AS INTEGER)" if value else "CAST(NULL AS INTEGER)"
            total = f"CAST(sum({ident(key[0])}) AS DOUBLE)" if key[1] == "mean" else "CAST(NULL AS DOUBLE)"
            selects.append(f"SELECT {number} AS k, {value} AS v, {dims}, count(*) AS n, {total} AS s "
                           f"{source} GROUP BY ALL")
        return keys, " UNION ALL ".join(selects)

    def columns(self) -> list[str]:
        """The columns the cubes read: items, their routing questions and the grouping variables."""
        used: dict[str, None] = {}
        for item, _kind in self.items():
            used[item] = None
            asked_if = self.study.question(item).asked_if
            if asked_if is not None:
                used[asked_if.code] = None
        return list(used)

    def _registered(self) -> pl.DataFrame:
        """Only the columns the queries read (no need to convert ids and free text to Arrow)."""
        frame = self.data.respondents.with_columns(self.cell_expr()).select(
            [*self.columns(), CELL])
        if self.mode == "labels":
            return frame
        converted = []
        for name, dtype in frame.schema.items():
            if isinstance(dtype, pl.Enum):
                self.enums[name] = tuple(dtype.categories.to_list())
                converted.append(pl.col(name).to_physical())
            elif isinstance(dtype, pl.List) and isinstance(dtype.inner, pl.Enum):
                self.enums[name] = tuple(dtype.inner.categories.to_list())
                converted.append(pl.col(name).list.eval(pl.element().to_physical()))
        return frame.with_columns(converted)

    def _store(self, key: CubeKey, rows: list[tuple]) -> None:
        """Cube rows as the engine keeps them: (value, cell, n) or (cell, n[, sum])."""
        if key[1] in ("single", "multi"):
            rows = [(self._label(key[0], r[0]), *r[1:]) for r in rows]
        self.cubes[key] = Cube(rows)

    def build(self) -> None:
        connection = duckdb.connect()
        try:
            connection.register("resp", self._registered().to_arrow())
            if self.mode == "union":
                keys, sql = self.union_query()
                grouped: dict[int, list[tuple]] = {number: [] for number in range(len(keys))}
                for k, v, *rest in connection.execute(sql).fetchall():
                    grouped[k].append((v, *rest))
                for number, key in enumerate(keys):
                    rows = grouped[number]
                    if key[1] == "single" or key[1] == "multi":  # (v, cell, n, s)
                        self._store(key, [r[:-1] for r in rows])
                    elif key[1] == "mean":  # (cell, n, s)
                        self._store(key, [r[1:] for r in rows])
                    else:  # (cell, n)
                        self._store(key, [r[1:-1] for r in rows])
                return
            for key, sql in self.queries().items():
                self._store(key, connection.execute(sql).fetchall())
        finally:
            connection.close()


def tabulate(study: Study, data: AnalysisData, mode: str = "codes") -> Tables:
    """Every table of the catalogue, cubes counted by DuckDB."""
    engine = DuckDBEngine(study, data, mode)
    engine.build()
    rows = []
    notes: list[str] = []
    for figure in study.figures:
        rows.extend(_figure_rows(engine, figure, notes))
    return Tables(rows, notes)
