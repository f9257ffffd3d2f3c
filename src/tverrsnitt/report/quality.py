"""What the data-quality appendix reports: what ingest found, who was excluded, and how
the run weighted the answers and checked who answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataFinding, DataProblem
from ..tabulate.tables import Note
from .methods import MethodResults

# The appendix section on what the data say about the definition (HTML and DOCX alike).
FINDINGS_HEADING = "Svar som ikke passer definisjonen"
FINDINGS_INTRO = ("Kontrollen av svarene mot studiedefinisjonen fant følgende. Ingen av disse "
                  "svarene er regnet med der definisjonen utelukker dem.")


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
    notes: tuple[Note, ...] = field(default_factory=tuple)
    # How the run handled non-response and weights (the report's method tables).
    methods: MethodResults = field(default_factory=MethodResults)
    # What the data say about the definition: broken routing, derived variables without a
    # group, empty figures (warnings; errors with --strict).
    findings: tuple[DataFinding, ...] = ()
