"""What `validate` checks, and every report run checks first: the definition as one whole.

The study stage checks names, types and cross-references (study.check); the chart stage
builds every declared chart on tables with every cell (chart.check), so a declaration a
report would refuse is refused here, from the same code, with its file and line. With data,
`pipeline.check_data` adds what only the data can tell.
"""

from __future__ import annotations

from pathlib import Path

from .chart.check import chart_problems
from .errors import StudyDefinitionError
from .study import Study, load_study


def validate_study(folder: str | Path) -> Study:
    """Load and check a study folder; raise StudyDefinitionError listing every problem."""
    study = load_study(folder)
    problems = chart_problems(study)
    if problems:
        raise StudyDefinitionError(problems)
    return study
