"""Load a study folder into a validated, frozen `Study`.

A study folder holds five YAML files, each with one job:

    study.yaml          what the study is, its register link and example data, the
                        non-response analysis and the raking margins
    questionnaire.yaml  scales and questions (export headers, options, routing)
    derived.yaml        derived variables, comparisons and screening steps
    figures.yaml        every table and figure of the report
    report.yaml         title page and chapter structure, prose with numbers from the tables
    fieldwork.yaml      (optional) the web questionnaire's pages and texts, mailings, reminders
    qual.yaml           (optional) focus groups, their transcripts, theme codebook, anonymisation

Every problem found is reported at once, each with file, line, key path and the valid choices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import DefinitionProblem, StudyDefinitionError, did_you_mean, one_of
from .check import check_study
from .conditions import ConditionSyntaxError, parse_condition
from .files import KNOWN_KEYS, STUDY_FILES, file_keys
from .messages import keys_of, models_in, pydantic_message
from .model import (
    CHOICE_TYPES,
    AnswerSpec,
    BatterySpec,
    Comparison,
    Derived,
    Fieldwork,
    Figure,
    Nonresponse,
    Question,
    QuestionSpec,
    Register,
    ReportSpec,
    Scale,
    ScreeningStep,
    Study,
    StudyMeta,
    Weighting,
)
from .qual import QUAL_FILE, read_qual
from .yamlfile import KeyPath, YamlDocument, read_yaml

FILES = ("study.yaml", "questionnaire.yaml", "derived.yaml", "figures.yaml", "report.yaml")
FIELDWORK_FILE = "fieldwork.yaml"
# What to write when a study folder lacks one of its files (docs/definition.md has every key).
MISSING_HINT = {
    "study.yaml": "every study folder starts with it (name, title, default_data, min_cell)",
    "questionnaire.yaml": "it lists the export's questions (questions: [...])",
    "derived.yaml": "a study without derived variables, comparisons or screening writes "
                    "`derived: []` in it",
    "figures.yaml": "it lists the report's tables and figures (figures: [...])",
    "report.yaml": "it gives the report's title and chapters (title: ..., chapters: [...])",
}

M = TypeVar("M", bound=BaseModel)


def vocabulary(cls: Any) -> tuple[str, ...]:
    """The keys a misspelt key of `cls` (a model, or a union of models) may have meant: its own
    and its parts' keys, not every key of every file ('prosent' is no near miss of a key of
    study.yaml when it stands in figures.yaml)."""
    return keys_of(models_in(cls)) or KNOWN_KEYS


class _Collector:
    """Accumulates problems so that one run reports all of them."""

    def __init__(self) -> None:
        self.problems: list[DefinitionProblem] = []

    def add(self, doc: YamlDocument, key_path: KeyPath, message: str) -> None:
        self.problems.append(doc.problem(key_path, message))

    def model(self, cls: type[M], doc: YamlDocument, key_path: KeyPath, data: Any, *,
              salvage: bool = False) -> M | None:
        """Validate `data` as `cls`, turning pydantic's errors into located problems. With
        `salvage`, a mapping that fails is tried again without its faulty keys (their
        defaults instead), so the checks across files can still run on the rest; the problems
        stand, so such an object never reaches a report."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
                self.add(doc, (*key_path, *loc), pydantic_message(err, vocabulary(cls)))
            if not salvage or not isinstance(data, dict):
                return None
            faulty = {err["loc"][0] for err in exc.errors() if err["loc"]}
            try:
                return cls.model_validate({k: v for k, v in data.items() if k not in faulty})
            except ValidationError:
                return None


def _as_list(doc: YamlDocument, key: str, out: _Collector) -> list[Any]:
    value = doc.data.get(key, []) if isinstance(doc.data, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        out.add(doc, (key,), "expected a list")
        return []
    return value


def _expect_mapping(doc: YamlDocument, out: _Collector) -> dict[str, Any]:
    """The file's top-level mapping; a key its file model does not know is a problem (a
    misspelt `questons:` would otherwise leave the questionnaire silently empty)."""
    if isinstance(doc.data, dict):
        model = STUDY_FILES.get(doc.path.name)
        if model is None:
            return doc.data
        known = file_keys(model)
        for key in doc.data:
            if key not in known:
                out.add(doc, (key,), f"unknown key {key!r} at the top of {doc.path.name}; "
                                     f"expected one of {one_of(known)}."
                                     f"{did_you_mean(str(key), known)}")
        # Reported once here; the models below see only the keys they know.
        return {key: value for key, value in doc.data.items() if key in known}
    out.add(doc, (), "expected a mapping of keys at the top of the file")
    return {}


def load_study(folder: str | Path) -> Study:
    """Read and validate a study folder; raise StudyDefinitionError listing every problem."""
    root = Path(folder)
    if not root.is_dir():
        raise StudyDefinitionError(
            [DefinitionProblem(root, "", "no such study folder (expected a folder with "
                                          f"{', '.join(FILES)})")]
        )
    missing = [name for name in FILES if not (root / name).is_file()]
    if missing:
        raise StudyDefinitionError(
            [DefinitionProblem(root / name, "", f"file not found: {MISSING_HINT[name]}")
             for name in missing]
        )
    docs = {name: read_yaml(root / name) for name in FILES}
    out = _Collector()

    study_doc = docs["study.yaml"]
    study_data = dict(_expect_mapping(study_doc, out))
    register_data = study_data.pop("register", None)
    nonresponse_data = study_data.pop("nonresponse", None)
    weighting_data = study_data.pop("weighting", None)
    meta = out.model(StudyMeta, study_doc, (), study_data, salvage=True)
    register = (
        out.model(Register, study_doc, ("register",), register_data)
        if register_data is not None else None
    )
    nonresponse = (out.model(Nonresponse, study_doc, ("nonresponse",), nonresponse_data)
                   if nonresponse_data is not None else None)
    weighting = (out.model(Weighting, study_doc, ("weighting",), weighting_data)
                 if weighting_data is not None else None)

    q_doc = docs["questionnaire.yaml"]
    q_data = _expect_mapping(q_doc, out)
    scales: dict[str, Scale] = {}
    raw_scales = q_data.get("scales") or {}
    if not isinstance(raw_scales, dict):
        out.add(q_doc, ("scales",), "expected a mapping of scale names to scales")
        raw_scales = {}
    for name, raw in raw_scales.items():
        scale = out.model(Scale, q_doc, ("scales", name), raw)
        if scale is not None:
            scales[name] = scale
    questions = _questions(q_doc, _as_list(q_doc, "questions", out), scales, out)

    d_doc = docs["derived.yaml"]
    _expect_mapping(d_doc, out)
    derived = _entries(Derived, d_doc, "derived", out)
    comparisons = _entries(Comparison, d_doc, "comparisons", out)
    screening = _entries(ScreeningStep, d_doc, "screening", out)

    f_doc = docs["figures.yaml"]
    _expect_mapping(f_doc, out)
    figures = _entries(Figure, f_doc, "figures", out)

    r_doc = docs["report.yaml"]
    report = out.model(ReportSpec, r_doc, (), _expect_mapping(r_doc, out), salvage=True)

    fieldwork = None
    if (root / FIELDWORK_FILE).is_file():
        docs[FIELDWORK_FILE] = read_yaml(root / FIELDWORK_FILE)
        f_doc = docs[FIELDWORK_FILE]
        fieldwork = out.model(Fieldwork, f_doc, (), _expect_mapping(f_doc, out))

    # Focus groups (optional).
    qual = None
    if (root / QUAL_FILE).is_file():
        docs[QUAL_FILE] = read_yaml(root / QUAL_FILE)
        qual, qual_problems = read_qual(docs[QUAL_FILE], root)
        out.problems.extend(qual_problems)

    if meta is None or report is None:
        raise StudyDefinitionError(out.problems or [DefinitionProblem(root, "", "invalid")])

    study = Study(
        root=root.resolve(), meta=meta, scales=scales, questions=tuple(questions),
        derived=tuple(derived), comparisons=tuple(comparisons), screening=tuple(screening),
        register_link=register, figures=tuple(figures), report=report, fieldwork=fieldwork,
        nonresponse=nonresponse, weighting=weighting, qual=qual, documents=docs,
    )
    if out.problems:
        # Every problem in one run: the checks across files run on what did load, except
        # what they would say about entries that failed to load (those are reported already).
        raise StudyDefinitionError([*out.problems, *_cross_problems(study, docs, out)])
    problems = check_study(study, docs)
    if problems:
        raise StudyDefinitionError(problems)
    return study


def _names(data: Any) -> set[str]:
    """Every code, id and battery name written in a YAML value."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("code", "id", "battery") and isinstance(value, str):
                found.add(value)
            found |= _names(value)
    elif isinstance(data, list):
        for value in data:
            found |= _names(value)
    return found


def _cross_problems(study: Study, docs: dict[str, YamlDocument],
                    out: _Collector) -> list[DefinitionProblem]:
    """`check_study`'s problems with a definition that loaded in part, leaving out those that
    name an entry which failed to load or repeat a problem found already."""
    loaded = ({q.code for q in study.questions} | {q.battery for q in study.questions
                                                   if q.battery} |
              {d.code for d in study.derived} | {c.code for c in study.comparisons} |
              {f.id for f in study.figures})
    failed = set().union(*(_names(doc.data) for doc in docs.values())) - loaded
    try:
        found = check_study(study, docs)
    except Exception:  # a part-loaded definition may break a check's assumptions:
        return []      # the problems found so far are reported regardless
    return [p for p in found if p not in out.problems
            and not any(f"'{name}'" in p.message for name in failed)]


def _entries(cls: Any, doc: YamlDocument, key: str, out: _Collector) -> list[Any]:
    from pydantic import TypeAdapter

    adapter: TypeAdapter[Any] = TypeAdapter(cls)
    result = []
    for index, raw in enumerate(_as_list(doc, key, out)):
        try:
            result.append(adapter.validate_python(raw))
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(p for p in err["loc"] if p not in ("recode", "age_bands"))
                out.add(doc, (key, index, *loc), pydantic_message(err, vocabulary(cls)))
    return result


def _questions(doc: YamlDocument, raw_list: Sequence[Any], scales: dict[str, Scale],
               out: _Collector) -> list[Question]:
    questions: list[Question] = []
    for index, raw in enumerate(raw_list):
        path: KeyPath = ("questions", index)
        if isinstance(raw, dict) and "battery" in raw:
            battery = out.model(BatterySpec, doc, path, raw)
            if battery is not None:
                questions.extend(_battery_questions(doc, path, battery, scales, out))
        else:
            spec = out.model(QuestionSpec, doc, path, raw)
            if spec is not None:
                question = _question(doc, path, spec, scales, out)
                if question is not None:
                    questions.append(question)
    return questions


def _options(doc: YamlDocument, path: KeyPath, spec: AnswerSpec, kind: str,
             scales: dict[str, Scale], out: _Collector) -> Scale | None:
    if kind == "scale":
        return _points(doc, path, spec, out)
    if spec.scale is not None and spec.options is not None:
        out.add(doc, (*path, "scale"), "give either 'scale' or 'options', not both")
        return None
    if spec.scale is not None:
        if spec.scale not in scales:
            out.add(doc, (*path, "scale"), f"unknown scale {spec.scale!r}; expected one of "
                    f"{one_of(sorted(scales))}.{did_you_mean(spec.scale, scales)}")
            return None
        base = scales[spec.scale]
    else:
        base = Scale(options=spec.options or ())
    return Scale(
        options=base.options,
        ordinal=spec.ordinal if spec.ordinal is not None else base.ordinal,
        top2=spec.top2 if spec.top2 is not None else base.top2,
        bottom2=spec.bottom2 if spec.bottom2 is not None else base.bottom2,
        net=spec.net if spec.net is not None else base.net,
    )


# A numeric scale has at most this many points (0-10 has 11; a 0-100 slider is a number).
MAX_POINTS = 21


def _points(doc: YamlDocument, path: KeyPath, spec: AnswerSpec, out: _Collector) -> Scale | None:
    """A `scale` question's options: the whole points of its range, low to high."""
    for key in ("scale", "options"):
        if getattr(spec, key) is not None:
            out.add(doc, (*path, key), f"a 'scale' question takes no '{key}': its points come "
                                       "from 'range' (e.g. range: [0, 10])")
            return None
    if spec.range is None:
        out.add(doc, path, "a 'scale' question needs 'range: [low, high]', e.g. [0, 10]")
        return None
    low, high = spec.range
    if not (float(low).is_integer() and float(high).is_integer()) or low >= high:
        out.add(doc, (*path, "range"), f"a scale's range must be two whole numbers, low < high; "
                                       f"got [{low:g}, {high:g}]")
        return None
    if high - low + 1 > MAX_POINTS:
        out.add(doc, (*path, "range"), f"a scale has at most {MAX_POINTS} points; a range of "
                                       f"{int(high - low + 1)} is a number: use type: number")
        return None
    points = tuple(str(v) for v in range(int(low), int(high) + 1))
    for point in spec.labels or {}:
        if point not in points:
            out.add(doc, (*path, "labels", point), f"{point!r} is not a point of the scale "
                                                   f"[{int(low)}, {int(high)}]")
    return Scale(options=points, ordinal=True, top2=spec.top2, bottom2=spec.bottom2, net=spec.net)


def _condition(doc: YamlDocument, path: KeyPath, text: str | None, out: _Collector) -> Any:
    if text is None:
        return None
    try:
        return parse_condition(text)
    except ConditionSyntaxError as exc:
        out.add(doc, path, str(exc))
        return None


def _question(doc: YamlDocument, path: KeyPath, spec: QuestionSpec, scales: dict[str, Scale],
              out: _Collector) -> Question | None:
    if spec.type not in CHOICE_TYPES and spec.type != "multi":
        for key in ("scale", "options", "top2", "bottom2", "net", "ordinal"):
            if getattr(spec, key) is not None:
                out.add(doc, (*path, key), f"a '{spec.type}' question takes no '{key}'")
                return None
    if spec.labels is not None and spec.type != "scale":
        out.add(doc, (*path, "labels"), "'labels' names the points of a 'scale' question; a "
                                        f"'{spec.type}' question takes none")
        return None
    if spec.range is not None and spec.type not in ("number", "scale"):
        out.add(doc, (*path, "range"), f"'range' bounds a number or a scale; a '{spec.type}' "
                                       "question takes none")
        return None
    if spec.integer and spec.type != "number":
        out.add(doc, (*path, "integer"), "'integer' is for 'number' questions (a scale's points "
                                         "are whole numbers already)")
        return None
    scale = _options(doc, path, spec, spec.type, scales, out)
    if scale is None:
        return None
    return Question(
        code=spec.code, header=spec.header, type=spec.type,
        label=spec.label or spec.header, options=scale.options, ordinal=scale.ordinal,
        top2=scale.top2, bottom2=scale.bottom2, net=scale.net,
        asked_if=_condition(doc, (*path, "asked_if"), spec.asked_if, out),
        screening=spec.screening, exclusive_option=spec.exclusive_option, range=spec.range,
        labels=dict(spec.labels or {}), unit=spec.unit, integer=spec.integer,
        register_column=spec.register_column, reconstructed=spec.reconstructed,
        waves=dict(spec.waves),
    )


def _battery_questions(doc: YamlDocument, path: KeyPath, spec: BatterySpec,
                       scales: dict[str, Scale], out: _Collector) -> Iterable[Question]:
    scale = _options(doc, path, spec, spec.type, scales, out)
    if scale is None:
        return []
    for key in ("labels", "range"):
        if getattr(spec, key) is not None and spec.type != "scale":
            out.add(doc, (*path, key), f"'{key}' is for a battery of 'type: scale'")
    result = []
    for index, item in enumerate(spec.items):
        condition_text = item.asked_if if item.asked_if is not None else spec.asked_if
        result.append(Question(
            code=item.code, header=item.header or f"{spec.stem} [{item.statement}]",
            type=spec.type, label=item.statement, options=scale.options, ordinal=scale.ordinal,
            top2=scale.top2, bottom2=scale.bottom2, net=scale.net,
            range=spec.range if spec.type == "scale" else None, labels=dict(spec.labels or {}),
            asked_if=_condition(doc, (*path, "items", index, "asked_if"), condition_text, out),
            battery=spec.battery, stem=spec.stem,
            reconstructed=item.reconstructed if item.reconstructed is not None
            else spec.reconstructed,
            waves={**spec.waves, **item.waves},
        ))
    return result
