"""Prose with numbers from the tables: placeholders in report.yaml filled at build time."""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import (
    NBSP,
    number,
    percent_range_words,
    percent_words,
    points,
    thousands,
    with_unit,
)
from ..study import layout
from ..study.model import NumberRef, Paragraph, Study
from ..study.statistics import PROSE_FORMATS, category_value, decimals_for
from ..tabulate import TableRow, Tables, shown_whole_percent


class MissingNumber(LookupError):
    """A placeholder's cell is not in this run's tables (e.g. no register was given)."""


@dataclass(frozen=True)
class FilledParagraph:
    """A paragraph ready to print, or the reason it had to be left out."""

    text: str | None
    missing: str | None = None


def _rows(study: Study, tables: Tables, ref: NumberRef) -> list[TableRow]:
    figure = study.figure(ref.figure)
    items = (ref.item,) if isinstance(ref.item, str) else ref.item
    rows = []
    for item in items:
        row = tables.get(ref.figure, item, ref.by or figure.by, ref.group, ref.category)
        if row is None or tables.is_hidden(row):
            # A withheld cell is as good as missing: the prose must not print it either.
            raise MissingNumber(f"{ref.figure} / {item} / {ref.group} / {ref.category}")
        if category_value(row.category) != "share" and (row.estimate is None or row.count == 0):
            # No answers in the group (or R gives NA): there is no number to quote.
            raise MissingNumber(f"{ref.figure} / {item} / {ref.group} / {ref.category} "
                                "(ingen svar)")
        rows.append(row)
    return rows


def resolved_format(ref: NumberRef) -> str:
    """The format a placeholder is printed in: its own, or auto's choice for its category."""
    if ref.format == "auto":
        return PROSE_FORMATS[category_value(ref.category)][0]
    return ref.format


def change_words(study: Study, tables: Tables, ref: NumberRef) -> str:
    """'opp 6 prosentpoeng fra 2023', 'ned 0,4 timer fra 2023', or 'om lag som i 2023' when
    the change is not significant (Holm-adjusted over the figure's statements, as the tables
    mark it): the direction word is never used for a change the data do not show."""
    comparison = tables.comparison
    [row] = _rows(study, tables, ref)
    if comparison is None:
        raise MissingNumber(f"{ref.figure} / {row.item}: endring (trenger --compare)")
    change = comparison.get(row.key)
    # The response status counts everyone invited: its change is exact, not an estimate.
    counted = row.item == layout.RESPONSE_STATUS_ITEM
    if change is None or change.change is None or (change.p_adjusted is None and not counted):
        raise MissingNumber(f"{ref.figure} / {row.item} / {ref.group} / {ref.category}: "
                            f"endring fra {comparison.wave_from}")
    since = comparison.wave_from
    if not (change.significant or (counted and round(change.change, 1) != 0)):
        return f"om lag som i {since}"
    kind = category_value(row.category)
    question = study.question(row.item) if study.has_question(row.item) else None
    if kind == "share":
        digits = 0 if round(abs(change.change)) >= 1 else 1
        amount = f"{number(abs(change.change), digits)}{NBSP}prosentpoeng"
    elif kind == "points":
        amount = f"{number(abs(change.change), 0)}{NBSP}poeng"
    else:
        amount = with_unit(number(abs(change.change), 1), question.unit if question else None)
    return f"{'opp' if change.change > 0 else 'ned'} {amount} fra {since}"


def format_value(study: Study, tables: Tables, ref: NumberRef) -> str:
    """The text for one placeholder, formatted as the reference asks."""
    fmt = resolved_format(ref)
    if fmt == "change":
        return change_words(study, tables, ref)
    rows = _rows(study, tables, ref)
    if fmt == "count":
        return thousands(rows[0].count)
    if fmt == "number":
        value = rows[0].estimate if rows[0].estimate is not None else rows[0].value
        question = study.question(rows[0].item) if study.has_question(rows[0].item) else None
        digits = (ref.decimals if ref.decimals is not None
                  else decimals_for(question is not None and question.whole_numbers,
                                    ref.category))
        return with_unit(number(value, digits), question.unit if question else None)
    if fmt == "points":
        return points(rows[0].value)
    percents = [shown_whole_percent(r) for r in rows]
    if fmt == "percent":
        return str(percents[0])
    if fmt == "range_prosent":
        return percent_range_words(min(percents), max(percents))
    return percent_words(percents[0])


def fill(study: Study, tables: Tables, paragraph: Paragraph | str) -> FilledParagraph:
    """Fill every placeholder of a paragraph; a missing cell leaves the paragraph out."""
    if isinstance(paragraph, str):
        return FilledParagraph(paragraph)
    try:
        values = {name: format_value(study, tables, ref) for name, ref in paragraph.values.items()}
    except MissingNumber as exc:
        return FilledParagraph(None, missing=str(exc))
    return FilledParagraph(paragraph.text.format(**values))
