"""Prose with numbers from the tables: placeholders in report.yaml filled at build time."""

from __future__ import annotations

from dataclasses import dataclass

from ..study.model import NumberRef, Paragraph, Study
from ..tabulate import TableRow, Tables, shown_whole_percent
from .numbers import prosent, range_prosent, thousands


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
        rows.append(row)
    return rows


def format_value(study: Study, tables: Tables, ref: NumberRef) -> str:
    """The text for one placeholder, formatted as the reference asks."""
    rows = _rows(study, tables, ref)
    if ref.format == "count":
        return thousands(rows[0].count)
    percents = [shown_whole_percent(r) for r in rows]
    if ref.format == "percent":
        return str(percents[0])
    if ref.format == "range_prosent":
        return range_prosent(min(percents), max(percents))
    return prosent(percents[0])


def fill(study: Study, tables: Tables, paragraph: Paragraph | str) -> FilledParagraph:
    """Fill every placeholder of a paragraph; a missing cell leaves the paragraph out."""
    if isinstance(paragraph, str):
        return FilledParagraph(paragraph)
    try:
        values = {name: format_value(study, tables, ref) for name, ref in paragraph.values.items()}
    except MissingNumber as exc:
        return FilledParagraph(None, missing=str(exc))
    return FilledParagraph(paragraph.text.format(**values))
