"""What the data-quality appendix reports: what ingest found, who was excluded, and how
the run weighted the answers and checked who answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataProblem
from .methods import MethodResults


@dataclass(frozen=True)
class FileQuality:
    """One input file: rows read, columns ignored or missing, cells that did not fit."""

    role: str
    file: Path
    rows: int
    unknown_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    problems: tuple[DataProblem, ...] = ()


@dataclass(frozen=True)
class DataQuality:
    """Everything the appendix lists; built by the pipeline, rendered by the report."""

    files: tuple[FileQuality, ...]
    answered: int
    excluded: tuple[tuple[str, int], ...]
    analysed: int
    lenient: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    # How the run handled non-response and weights (the report's method tables).
    methods: MethodResults = field(default_factory=MethodResults)
