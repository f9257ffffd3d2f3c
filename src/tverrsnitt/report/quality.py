"""What the data-quality appendix reports: what ingest found, who was excluded, and how
the run weighted the answers and checked who answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataFinding, DataProblem
from ..ingest.duplicates import Deduplicated
from ..numbers import thousands
from ..tabulate.tables import Note
from .methods import MethodResults

# The appendix section on what the data say about the definition (HTML and DOCX alike).
FINDINGS_HEADING = "Svar som ikke passer definisjonen"
FINDINGS_INTRO = ("Kontrollen av svarene mot studiedefinisjonen fant følgende. Ingen av disse "
                  "svarene er regnet med der definisjonen utelukker dem.")


# Repeated ids named in the appendix (the count covers all of them).
LISTED_REPEATS = 20


@dataclass(frozen=True)
class FileQuality:
    """One input file: rows read, columns ignored or missing, cells that did not fit, rows
    of repeated respondents left out."""

    role: str
    file: Path
    rows: int
    unknown_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    problems: tuple[DataProblem, ...] = ()
    deduplicated: Deduplicated | None = None

    def summary(self) -> tuple[str, ...]:
        """The file's lines in the appendix (every report format prints these)."""
        def listed(names: tuple[str, ...]) -> str:
            return ", ".join(f"«{name}»" for name in names)

        dropped = self.deduplicated
        read = self.rows + (dropped.dropped if dropped is not None else 0)
        lines = [f"{thousands(read)} rader lest."]
        if self.unknown_columns:
            lines.append(f"{len(self.unknown_columns)} kolonner er ikke i studiedefinisjonen "
                         f"og ble ignorert: {listed(self.unknown_columns)}.")
        else:
            lines.append("Ingen ukjente kolonner.")
        if self.missing_columns:
            lines.append(f"{len(self.missing_columns)} kolonner mangler og er behandlet som "
                         f"ubesvart: {listed(self.missing_columns)}.")
        lines.append(f"{len(self.problems)} celler passet ikke definisjonen.")
        if dropped is not None:
            kept = "første" if dropped.rule == "first" else "siste"
            ids = "; ".join(f"{r.column} {r.value} (rad {r.rows_text('rader')})"
                            for r in dropped.repeated[:LISTED_REPEATS])
            more = (f" og {len(dropped.repeated) - LISTED_REPEATS} til"
                    if len(dropped.repeated) > LISTED_REPEATS else "")
            lines.append(
                f"{thousands(dropped.dropped)} rader er utelatt fordi samme respondent står på "
                f"flere rader (--dedupe {dropped.rule}: den {kept} raden i filen er beholdt); "
                f"{dropped.conflicting} av {len(dropped.repeated)} gjentatte ID-er hadde ulike "
                f"svar: {ids}{more}.")
        return tuple(lines)


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
