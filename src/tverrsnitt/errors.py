"""One exception hierarchy for everything a user can get wrong.

Each error carries a message written for the person running the command, an exit code for
the CLI and an HTTP status for the web layer. Tracebacks are reserved for bugs.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class TverrsnittError(Exception):
    """Base class: a problem the user can fix, reported without a traceback."""

    exit_code = 1
    http_status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean 'x'?' when a choice is close to `value`, else ''."""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


def one_of(choices: Sequence[str], limit: int = 12) -> str:
    """Format a list of valid choices for a message, shortened when long."""
    shown = ", ".join(f"'{c}'" for c in choices[:limit])
    more = f" … ({len(choices) - limit} more)" if len(choices) > limit else ""
    return f"[{shown}{more}]"


@dataclass(frozen=True)
class DefinitionProblem:
    """One problem in a study definition file, located by file, key path and line."""

    file: Path
    key_path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.line is not None:
            where += f", line {self.line}"
        if self.key_path:
            where += f", at {self.key_path}"
        return f"{where}: {self.message}"


class StudyDefinitionError(TverrsnittError):
    """The study definition is invalid; lists every problem found."""

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"The study definition has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


@dataclass(frozen=True)
class DataProblem:
    """One problem in an input data file: where it is, what was there, what was expected."""

    file: Path
    row: int | None
    column: str | None
    value: str | None
    expected: str
    # What was expected in the report's language, for the data-quality appendix.
    expected_report: str | None = None

    @property
    def report_text(self) -> str:
        """What was expected, as the report prints it."""
        return self.expected_report or self.expected

    def __str__(self) -> str:
        parts = [str(self.file)]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column '{self.column}'")
        where = ", ".join(parts)
        got = f"found {self.value!r}; " if self.value is not None else ""
        return f"{where}: {got}expected {self.expected}"


class InputDataError(TverrsnittError):
    """An input file cannot be read as the study definition says it should be."""

    max_listed = 20

    def __init__(self, problems: Sequence[DataProblem], hint: str = "") -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the input data:"
        lines = [head, *(f"  - {p}" for p in self.problems[: self.max_listed])]
        if count > self.max_listed:
            lines.append(f"  … and {count - self.max_listed} more")
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class DataFinding:
    """What the data say about the definition: a routing the answers break, a derived variable
    that finds no group, a figure with nothing to count. Printed as a warning on the terminal
    (`where`, in English, with file and line) and listed in the report's data-quality appendix
    (`report`, in the report's language); `--strict` makes it an error."""

    where: DefinitionProblem
    report: str
    kind: str  # 'routing', 'derived' or 'figure'
    count: int = 0

    def __str__(self) -> str:
        return str(self.where)


class DataCheckError(TverrsnittError):
    """With --strict: the data contradict the definition (see `DataFinding`)."""

    def __init__(self, findings: Sequence[DataFinding]) -> None:
        self.findings = tuple(findings)
        count = len(self.findings)
        head = (f"{count} problem{'s' if count != 1 else ''} where the data contradict the "
                "study definition (--strict):")
        super().__init__("\n".join([head, *(f"  - {f}" for f in self.findings),
                                    "Fix the definition or the data, or run without --strict "
                                    "to list them as warnings in the report."]))


class UsageError(TverrsnittError):
    """A command was called with options that cannot work together."""


class StoreError(TverrsnittError):
    """The database cannot be opened or used as asked."""


class ChartError(TverrsnittError):
    """A figure's chart declaration cannot be drawn from its tables."""


class MailError(TverrsnittError):
    """Mail cannot be sent as configured (SMTP settings, server, texts)."""


class ExportError(TverrsnittError):
    """The responses cannot be written in the format asked for."""


class WeightingError(TverrsnittError):
    """Weights cannot be computed as asked (raking did not converge, margins do not fit)."""


class DesignError(TverrsnittError):
    """A survey design or an estimate on it is not well defined (bad weights, lonely PSU)."""


class NotComputable(ValueError):
    """A statistic or test with no defined value for these data (one group, no degrees of
    freedom, no variation), where R gives NA or stops. Not a user error: the report prints
    'ikke beregnbar' with this message (Norwegian, the report's language) and goes on."""
