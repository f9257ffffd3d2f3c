"""One model per file of a study folder: which keys each file holds at its top.

`load` checks every file's top-level keys against these (a misspelt `questons:` is an error
with the near match, not a silently empty questionnaire), and the reference of the definition
language and its JSON Schemas are generated from them (tverrsnitt/reference.py).
"""

from __future__ import annotations

from pydantic import Field

from .messages import keys_of
from .model import (
    BatterySpec,
    Comparison,
    Derived,
    Fieldwork,
    Figure,
    Frozen,
    Nonresponse,
    QuestionSpec,
    ReferenceSource,
    Register,
    ReportSpec,
    Scale,
    ScreeningStep,
    StudyMeta,
    Weighting,
)


class StudyFile(StudyMeta):
    """study.yaml: what the study is, its example data and disclosure control, how the register
    of invited members links to the export, the non-response analysis and the raking margins."""

    # 'register' is also a method of every pydantic model's class; the key keeps its name.
    register_link: Register | None = Field(default=None, alias="register")
    """How the member register links to the export (needed for response rates, the
    non-response analysis and raking to register totals)."""
    nonresponse: Nonresponse | None = None
    """The non-response analysis: linked respondents against everyone invited."""
    weighting: Weighting | None = None
    """The margins `report --rake` rakes to."""


class QuestionnaireFile(Frozen):
    """questionnaire.yaml: named answer scales, and the questions in export order (a battery is
    one entry with its statements)."""

    scales: dict[str, Scale] = Field(default_factory=dict)
    """Answer scales shared by many questions, by name."""
    questions: tuple[QuestionSpec | BatterySpec, ...]
    """The questions: one entry per question, or a battery (`battery:` with `items:`)."""


class DerivedFile(Frozen):
    """derived.yaml: variables made from the answers (groups, bands, age groups), the
    sample/population comparisons, and the screening that decides who is analysed."""

    derived: tuple[Derived, ...] = ()
    """Derived variables: `kind: recode`, `bands` or `age_bands`."""
    comparisons: tuple[Comparison, ...] = ()
    """Breakdowns whose groups are different frames (the respondents against the register)."""
    screening: tuple[ScreeningStep, ...] = ()
    """The screening steps, in the order they are asked."""


class FiguresFile(Frozen):
    """figures.yaml: every table and figure of the report, and the published surveys they are
    compared with."""

    references: tuple[ReferenceSource, ...] = ()
    """Published surveys, each once (give each a YAML anchor, `&talis2018`, to cite it)."""
    figures: tuple[Figure, ...]
    """The tables and figures."""


def file_keys(model: type[Frozen]) -> list[str]:
    """The keys a file may have at its top, as written in YAML."""
    return [field.alias or name for name, field in model.model_fields.items()]


STUDY_FILES: dict[str, type[Frozen]] = {
    "study.yaml": StudyFile,
    "questionnaire.yaml": QuestionnaireFile,
    "derived.yaml": DerivedFile,
    "figures.yaml": FiguresFile,
    "report.yaml": ReportSpec,
    "fieldwork.yaml": Fieldwork,
}

# Every key of the study's files, for 'did you mean' on an unknown one.
KNOWN_KEYS = keys_of(STUDY_FILES.values())
