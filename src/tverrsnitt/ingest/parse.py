"""Turn raw text cells into a typed response frame, column by column, as the definition says.

Columns are matched by header text (never by position). Each question type has one parser;
every cell that does not fit becomes a `DataProblem` naming file, row, column, value and what
was expected. Strict reading stops on any problem; lenient reading blanks the cell and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from ..errors import DataProblem, did_you_mean, one_of
from ..study.model import Question, normalise_header
from .guard import GUARDED_SUFFIXES, unguard_column
from .readers import ROW, RawTable

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M", "%Y-%m-%d", "%d.%m.%Y",
)
MULTI_SEPARATOR = ";"
LISTED_PER_COLUMN = 50


@dataclass
class Parsed:
    """A typed frame (one column per question code, plus the source row) and what was found."""

    frame: pl.DataFrame
    problems: list[DataProblem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)


def match_columns(raw: RawTable, questions: Sequence[Question]) -> tuple[dict[str, str], Parsed]:
    """Map question code -> frame column; report missing, repeated and unknown headers."""
    by_text: dict[str, list[int]] = {}
    for index, header in enumerate(raw.headers):
        by_text.setdefault(normalise_header(header), []).append(index)
    wanted = {normalise_header(q.header) for q in questions}
    unmatched = [h for h in raw.headers if normalise_header(h) not in wanted]
    result = Parsed(pl.DataFrame())
    mapping: dict[str, str] = {}
    for question in questions:
        found = by_text.get(normalise_header(question.header), [])
        if len(found) > 1:
            result.problems.append(DataProblem(
                raw.file, 1, question.header, None,
                f"one column with this header, found {len(found)}"))
        if found:
            mapping[question.code] = raw.columns[found[0]]
        else:
            result.missing_columns.append(question.header)
            result.problems.append(DataProblem(
                raw.file, 1, question.header, None,
                f"a column with this header for question '{question.code}' "
                f"(the export has no such column).{did_you_mean(question.header, unmatched)}",
                f"en kolonne med denne overskriften for spørsmålet {question.code} (filen har "
                "ingen slik kolonne)"))
    result.unknown_columns = unmatched
    if not mapping and questions:
        # Nothing matches: the wrong file or the wrong study; one message says so better than
        # a hundred missing columns.
        shown = ", ".join(f"'{h}'" for h in raw.headers[:5])
        result.problems = [DataProblem(
            raw.file, 1, None, shown + (" …" if len(raw.headers) > 5 else ""),
            f"the question texts of this study as column headers (none of its "
            f"{len(questions)} columns were found; is this the right file for the study?)")]
    return mapping, result


def parse_responses(raw: RawTable, questions: Sequence[Question],
                    renames: Mapping[str, Mapping[str, str]] | None = None) -> Parsed:
    """Type every matched column; missing columns become empty columns (and problems).

    `renames` maps, per question code, an answer text of this file onto the definition's
    option (another wave spelt it differently); the cell is read as that option.
    """
    renames = renames or {}
    mapping, result = match_columns(raw, questions)
    headers = dict(zip(raw.columns, raw.headers, strict=True))
    # Spreadsheet exports carry the formula guard on free text (ours always: `ingest.guard`).
    guarded = raw.file.suffix.lower() in GUARDED_SUFFIXES
    rows = raw.frame[ROW]
    columns = [rows]
    for question in questions:
        column = mapping.get(question.code)
        if column is None:
            columns.append(pl.Series(question.code, [None] * raw.frame.height,
                                     dtype=empty_dtype(question)))
            continue
        cells = raw.frame[column].str.strip_chars().replace("", None)
        if guarded and question.type in ("text", "id"):
            cells = unguard_column(cells)
        if renames.get(question.code):
            cells = _renamed(question, cells, renames[question.code])
        series, problems = parse_column(question, cells, rows)
        result.problems.extend(DataProblem(raw.file, row, headers[column], value, expected, report)
                               for row, value, expected, report in problems)
        columns.append(series.alias(question.code))
    result.frame = pl.DataFrame(columns)
    return result


def _renamed(question: Question, cells: pl.Series, renames: Mapping[str, str]) -> pl.Series:
    """Cells with another wave's answer texts replaced by the definition's options; in a
    multi-select cell each part is, and two parts merged onto one option count once."""
    if question.type != "multi":
        return cells.replace(dict(renames))
    parts = cells.str.split(MULTI_SEPARATOR).list.eval(
        pl.element().str.strip_chars().replace(dict(renames)))
    return parts.list.unique(maintain_order=True).list.join(MULTI_SEPARATOR)


def empty_dtype(question: Question) -> pl.DataType:
    """The column type of a question in the response frame."""
    if question.is_choice:
        return pl.Enum(list(question.options))
    if question.type == "multi":
        return pl.List(pl.Enum(list(question.options)))
    if question.type == "number":
        return pl.Float64()
    if question.type == "datetime":
        return pl.Datetime("us")
    return pl.String()


# (row, value, what was expected, the same in the report's language: Norwegian)
CellProblem = tuple[int, str, str, str]


def _problems(rows: pl.Series, cells: pl.Series, bad: pl.Series, expected: str,
              report: str) -> list[CellProblem]:
    picked = pl.DataFrame({"row": rows, "value": cells}).filter(bad)
    return [(r, v, expected, report) for r, v in picked.iter_rows()]


def _labels(options: list[str]) -> str:
    return ", ".join(f"«{o}»" for o in options[:12]) + (" …" if len(options) > 12 else "")


def parse_column(question: Question, cells: pl.Series,
                 rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    """Parse one column of text cells by question type; bad cells become None + a problem."""
    parser = {"single": _single, "multi": _multi, "number": _number, "scale": _scale,
              "datetime": _datetime}.get(question.type, _text)
    return parser(question, cells, rows)


def _text(question: Question, cells: pl.Series, rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    return cells, []


def _single(question: Question, cells: pl.Series,
            rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    options = list(question.options)
    bad = cells.is_not_null() & ~cells.is_in(options)
    problems: list[CellProblem] = []
    if bad.any():
        problems = [(r, v, f"one of {one_of(options)}{did_you_mean(v, options)}",
                     f"et av svaralternativene {_labels(options)}")
                    for r, v, _, _ in _problems(rows, cells, bad, "", "")]
        cells = pl.select(pl.when(bad).then(None).otherwise(cells)).to_series()
    return cells.cast(pl.Enum(options)), problems


def _multi(question: Question, cells: pl.Series,
           rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    options = list(question.options)
    parts = cells.str.split(MULTI_SEPARATOR).list.eval(
        pl.element().str.strip_chars().filter(pl.element() != "")
    )
    unknown = parts.list.eval(pl.element().is_in(options).not_()).list.any().fill_null(False)
    problems: list[CellProblem] = []
    expected = f"option labels from {one_of(options)} joined by '{MULTI_SEPARATOR}'"
    problems += _problems(rows, cells, unknown, expected,
                          f"svaralternativer blant {_labels(options)}, skilt med «{MULTI_SEPARATOR}»")
    bad = unknown
    exclusive = question.exclusive_option
    if exclusive is not None:
        clash = (parts.list.contains(exclusive) & (parts.list.len() > 1)).fill_null(False)
        problems += _problems(rows, cells, clash & ~unknown,
                              f"'{exclusive}' alone (it cannot be combined with other options)",
                              f"«{exclusive}» alene (kan ikke kombineres med andre svar)")
        bad = bad | clash
    empty = parts.list.len() == 0
    parts = pl.select(pl.when(bad | empty).then(None).otherwise(parts)).to_series()
    return parts.cast(pl.List(pl.Enum(options))), problems


def _number(question: Question, cells: pl.Series,
            rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    # Norwegian exports may write a decimal comma.
    values = cells.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    bad = cells.is_not_null() & values.is_null()
    problems = _problems(rows, cells, bad, "a number", "et tall")
    if question.integer:
        fraction = (values.is_not_null() & (values != values.round(0))).fill_null(False)
        problems += _problems(rows, cells, fraction, "a whole number (the question is 'integer')",
                              "et helt tall")
        values = pl.select(pl.when(fraction).then(None).otherwise(values)).to_series()
    if question.range is not None:
        low, high = question.range
        out_of_range = (values < low) | (values > high)
        out_of_range = out_of_range.fill_null(False)
        problems += _problems(rows, cells, out_of_range, f"a number from {low:g} to {high:g}",
                              f"et tall fra {_norwegian(low)} til {_norwegian(high)}")
        values = pl.select(pl.when(out_of_range).then(None).otherwise(values)).to_series()
    return values, problems


def _scale(question: Question, cells: pl.Series,
           rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    """A point of a 0–10 (or other) scale: its number ('9', '9.0', '9,0'), or the text of a
    labelled point (an SPSS file applies value labels: 'Svært sannsynlig' for 10)."""
    options = list(question.options)
    by_label = {text: point for point, text in question.labels.items()}
    named = cells.replace_strict(by_label, default=None, return_dtype=pl.String)
    numbers = cells.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    whole = pl.select(pl.when(numbers == numbers.round(0)).then(numbers.cast(pl.Int64, strict=False)
                                                                .cast(pl.String))).to_series()
    points = named.fill_null(whole)
    bad = cells.is_not_null() & ~points.is_in(options).fill_null(False)
    problems: list[CellProblem] = []
    if bad.any():
        low, high = options[0], options[-1]
        labels = "".join(f", or '{text}'" for text in question.labels.values())
        texts = "".join(f" eller «{text}»" for text in question.labels.values())
        problems = _problems(rows, cells, bad, f"a whole number from {low} to {high}{labels}",
                             f"et helt tall fra {low} til {high}{texts}")
        points = pl.select(pl.when(bad).then(None).otherwise(points)).to_series()
    return points.cast(pl.Enum(options)), problems


def _datetime(question: Question, cells: pl.Series,
              rows: pl.Series) -> tuple[pl.Series, list[CellProblem]]:
    present = cells.is_not_null()
    best: pl.Series | None = None
    best_missing = None
    for fmt in DATETIME_FORMATS:
        parsed = cells.str.strptime(pl.Datetime("us"), fmt, strict=False)
        missing = int((present & parsed.is_null()).sum())
        if best_missing is None or missing < best_missing:
            best, best_missing = parsed, missing
        if missing == 0:
            break
    assert best is not None
    bad = present & best.is_null()
    return best, _problems(rows, cells, bad, "a date and time like 2023-02-02 09:01:39",
                           "dato og klokkeslett som 2023-02-02 09:01:39")


def _norwegian(value: float) -> str:
    return f"{value:g}".replace(".", ",")  # keeps a typed value's form: '1e+03' stays visible
