"""What the cleaned answers say about the definition: answers that break the routing, and
derived variables that find no group for answers they should group.

Neither stops a run (the data decide, not the definition), but neither may vanish silently:
each becomes a `DataFinding` with the file and line of the routing or derivation, printed on
the terminal and listed in the report's data-quality appendix (`--strict` makes them errors).
"""

from __future__ import annotations

import polars as pl

from ..errors import DataFinding
from ..numbers import thousands
from ..study.model import AgeBands, Derived, Recode, Study
from .expressions import answered_expr, condition_expr

SHOWN_VALUES = 5  # example values quoted in a finding


def routing_findings(study: Study, respondents: pl.DataFrame) -> list[DataFinding]:
    """Per question: analysed respondents who answered it although its `asked_if` says they
    were not asked (or its filter question is unanswered). Their answers stay out of the
    question's base, as the routing defines it."""
    if respondents.height == 0:
        return []
    checked = [q for q in study.questions if q.asked_if is not None and q.code in respondents.columns
               and q.asked_if.code in respondents.columns]
    if not checked:
        return []
    counts = respondents.select(
        (answered_expr(q) & ~condition_expr(q.asked_if, study)).sum().alias(q.code)
        for q in checked if q.asked_if is not None).row(0)
    findings = []
    for question, count in zip(checked, counts, strict=True):
        if not count:
            continue
        condition = question.asked_if
        path = (*study.question_path(question.code), "asked_if")
        where = study.locate("questionnaire.yaml", path,
                             f"{count} respondent{'s' if count != 1 else ''} answered "
                             f"{question.code!r} although it is asked only if {condition}; those "
                             "answers are left out of its base (check the routing, or the export)")
        report = (f"«{question.label}» ({question.code}): {thousands(count)} svar fra "
                  f"respondenter som ikke skulle få spørsmålet (filter: {condition}). Svarene "
                  "er holdt utenfor spørsmålets grunnlag.")
        findings.append(DataFinding(where, report, "routing", count))
    return findings


def _source_answered(study: Study, variable: Derived) -> pl.Expr:
    if isinstance(variable, AgeBands):
        return pl.col(variable.birth_year).is_not_null() & pl.col(variable.reference_date).is_not_null()
    source = study.question(variable.source)
    expr = answered_expr(source)
    if isinstance(variable, Recode) and variable.ungrouped:
        # Options the definition leaves out on purpose are not missed groups.
        expr = expr & ~pl.col(variable.source).cast(pl.String).is_in(list(variable.ungrouped))
    return expr


def _examples(frame: pl.DataFrame, study: Study, variable: Derived) -> str:
    """A few source values that found no group (ages for age bands), for the message."""
    if isinstance(variable, AgeBands):
        values = frame.select((pl.col(variable.reference_date).dt.year().cast(pl.Int64)
                               - pl.col(variable.birth_year).cast(pl.Int64)).alias("age"))["age"]
        shown = [str(v) for v in values.unique().sort().head(SHOWN_VALUES).to_list()]
        return f"ages {', '.join(shown)}"
    column = frame[variable.source]
    shown = [f"{v:g}" if isinstance(v, float) else str(v)
             for v in column.unique().sort().head(SHOWN_VALUES).to_list()]
    return ", ".join(shown)


def derived_findings(study: Study, respondents: pl.DataFrame) -> list[DataFinding]:
    """Derived variables that give no group to answers of their source: all of them (an age
    band on a number that is not a birth year gives no age at all) or some (a gap between
    bands, an age outside every band)."""
    findings = []
    for variable in study.derived:
        source = study.derived_source(variable)
        needed = ([variable.birth_year, variable.reference_date] if isinstance(variable, AgeBands)
                  else [source])
        if variable.code not in respondents.columns or not set(needed) <= set(respondents.columns):
            continue
        answered = respondents.filter(_source_answered(study, variable))
        if answered.height == 0:
            continue
        lost = answered.filter(pl.col(variable.code).is_null())
        if lost.height == 0:
            continue
        examples = _examples(lost, study, variable)
        path = study.derived_path(variable.code)
        if lost.height == answered.height:
            message = (f"{variable.code!r} gives no group to any of the {answered.height} "
                       f"respondents who answered {source!r} ({examples}): every share of it "
                       f"would be empty; check that {source!r} is what the derivation expects")
            report = (f"Den avledede variabelen «{variable.label}» ({variable.code}) gir ingen "
                      f"gruppe for noen av de {thousands(answered.height)} som har svart på "
                      f"{source}; den er utelatt.")
        else:
            message = (f"{variable.code!r} gives no group to {lost.height} of the "
                       f"{answered.height} respondents who answered {source!r} (for example "
                       f"{examples}); they are left out of its groups: widen or add a band or "
                       "group")
            report = (f"Den avledede variabelen «{variable.label}» ({variable.code}) gir ingen "
                      f"gruppe for {thousands(lost.height)} av {thousands(answered.height)} som "
                      f"har svart på {source}; de er holdt utenfor gruppene.")
        findings.append(DataFinding(study.locate("derived.yaml", path, message), report,
                                    "derived", lost.height))
    return findings
