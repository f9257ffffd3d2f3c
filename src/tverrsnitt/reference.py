"""The reference of the definition language, generated from the models that read it.

`docs/definition.md` (every key of every file: type, default, allowed values, what it means,
an example) and one JSON Schema per file (`docs/schema/*.schema.json`, for an editor's YAML
extension to complete and check keys as you type) are written from the same pydantic models
`load_study` validates with, and from the registries of statistics and chart kinds. A test
fails when the committed files drift from the models: `tverrsnitt reference --out docs`
writes them anew.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined

from .study.charts import CHART_KINDS
from .study.conditions import OPERATORS
from .study.files import STUDY_FILES
from .study.qual import QualFile
from .study.statistics import PROSE_FORMATS, STATISTICS

FILES: dict[str, type[BaseModel]] = {**STUDY_FILES, "qual.yaml": QualFile}
PURPOSE = {
    "study.yaml": "what the study is, its example data and disclosure control, the register "
                  "link, the non-response analysis and the raking margins",
    "questionnaire.yaml": "answer scales and the questions, in export order",
    "derived.yaml": "derived variables (groups, bands, age groups), sample/population "
                    "comparisons, screening",
    "figures.yaml": "every table and figure, and the published surveys they are compared with",
    "report.yaml": "title page, chapters, prose with numbers from the tables, method tables",
    "fieldwork.yaml": "(optional) the web questionnaire's pages and texts, mails, reminders",
    "qual.yaml": "(optional) focus groups, theme codebook, anonymisation, codings, placements",
}
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"

# One short example per part of the language; tests/test_reference.py validates every one.
EXAMPLES: dict[str, str] = {
    "StudyFile": """\
name: arbeidsmiljo-2025
title: Arbeidsmiljø i helse og omsorg 2025
survey_year: 2025
default_data: data/export.csv
min_cell: 5
ci_method: logit
""",
    "QuestionnaireFile": """\
scales:
  enighet5:
    options: [Helt uenig, Litt uenig, Verken enig eller uenig, Litt enig, Helt enig]
    ordinal: true
    top2: [Litt enig, Helt enig]
    bottom2: [Helt uenig, Litt uenig]
questions:
  - {code: id, header: Svar-ID, type: id}
  - code: b3_ar
    header: Hvor mange år har du jobbet i helse og omsorg?
    type: number
    integer: true
    range: [0, 50]
    unit: år
  - code: q5_anbefale
    header: Hvor sannsynlig er det at du vil anbefale arbeidsplassen din til en venn?
    type: scale
    range: [0, 10]
    labels: {0: Svært lite sannsynlig, 10: Svært sannsynlig}
    net: {plus: [9, 10], minus: ['0..6']}
  - battery: q1
    stem: Hvor enig eller uenig er du i disse utsagnene?
    scale: enighet5
    items:
      - {code: q1_tid, statement: Jeg har nok tid til å gjøre jobben min godt}
""",
    "QuestionSpec": """\
code: q4_meldt
header: Ble den siste hendelsen meldt som avvik?
type: single
label: Hendelsen meldt som avvik
options: [Ja, Nei, Vet ikke]
asked_if: q3_vold == 'Ja'
""",
    "BatterySpec": """\
battery: q1
stem: Hvor enig eller uenig er du i disse utsagnene om arbeidsplassen din?
scale: enighet5
items:
  - {code: q1_tid, statement: Jeg har nok tid til å gjøre jobben min godt}
  - {code: q1_leder, statement: Jeg får støtte fra nærmeste leder når jeg trenger det}
""",
    "Scale": """\
options: [Helt uenig, Litt uenig, Verken enig eller uenig, Litt enig, Helt enig]
ordinal: true
top2: [Litt enig, Helt enig]
bottom2: [Helt uenig, Litt uenig]
net: {plus: [Litt enig, Helt enig], minus: [Helt uenig, Litt uenig]}
""",
    "NetSpec": "plus: [9, 10]\nminus: ['0..6']\n",
    "DerivedFile": """\
derived:
  - kind: recode
    code: yrkesgruppe
    label: Yrkesgruppe
    source: b1_rolle
    groups:
      - {label: Helsefagarbeider, values: [Helsefagarbeider]}
      - {label: Sykepleier/vernepleier, values: [Sykepleier, Vernepleier]}
screening:
  - {question: s1_samtykke, keep: [Ja], reason: Ikke samtykket}
""",
    "Recode": """\
kind: recode
code: anbefaler
label: Anbefaler arbeidsplassen
source: q5_anbefale
groups:
  - {label: Kritikere (0–6), values: [0, 1, 2, 3, 4, 5, 6]}
  - {label: Nøytrale (7–8), values: [7, 8]}
  - {label: Ambassadører (9–10), values: [9, 10]}
""",
    "Bands": """\
kind: bands
code: ansiennitet
label: År i helse og omsorg
source: b3_ar
cuts: [3, 6, 11, 21]   # 0–2, 3–5, 6–10, 11–20, 21 eller mer
""",
    "AgeBands": """\
kind: age_bands
code: aldersgruppe
label: Alder
birth_year: b5_fodt
reference_date: starttid
bands:
  - {label: Under 30 år, max: 29}
  - {label: 30 år eller eldre, min: 30}
""",
    "FiguresFile": """\
figures:
  - id: '2.2'
    title: Figur 2.2 Arbeidstimer per uke, gjennomsnitt etter yrkesgruppe
    items: [b4_timer]
    statistic: mean
    by: yrkesgruppe
""",
    "Figure": """\
id: '5.2'
title: Figur 5.2 Netto-score for å anbefale arbeidsplassen (eNPS), etter yrkesgruppe
items: [q5_anbefale]
statistic: net
by: yrkesgruppe
chart: {kind: dots}
""",
    "ChartSpec": "kind: grouped\nshow: {b4_ansettelse: Fast ansatt, b5_heltid: Heltid}\n",
    "NumberRef": "figure: '2.2'\nitem: b4_timer\ncategory: mean\ndecimals: 1\n",
    "ReportSpec": """\
title: Arbeidsmiljø i helse og omsorg
language: nb
chapters:
  - title: De ansatte
    paragraphs:
      - text: De jobber i gjennomsnitt {timer} i en vanlig uke.
        values:
          timer: {figure: '2.2', item: b4_timer, category: mean}
    figures: ['2.2']
""",
    "Fieldwork": """\
title: Arbeidsmiljø i helse og omsorg
opens: 2025-03-03
closes: 2025-03-24
welcome: [Vi vil gjerne høre hvordan du har det på jobb.]
completion: [Takk for at du deltok!]
screened_out: {Ikke samtykket: Takk for svaret.}
pages:
  - {title: Samtykke, questions: [s1_samtykke]}
invitation: {subject: Undersøkelse, body: 'Svar her: {link}'}
reminder: {subject: Påminnelse, body: 'Svar her: {link}'}
""",
}

# What each file is for, in the order a new user writes them.
INTRO = """\
# The study definition language

A study is a folder of YAML files; this page lists every key of every file. It is generated
from the models that read the files (`tverrsnitt reference --out docs` writes it, and a test
fails when it drifts from them), so what is here is what `tverrsnitt validate` accepts. Every
file also has a JSON Schema in [`schema/`](schema/): put

    # yaml-language-server: $schema=../../docs/schema/figures.schema.json

at the top of a file (with the path to this folder) and an editor with a YAML extension
completes and checks the keys as you type.

Keys are written as shown; a key marked *required* must be there, the others take their
default. Codes (question codes, derived variables, figure ids) are names for the definition,
not display labels: labels can change without changing `tables.csv`.

| file | what it holds |
|---|---|
"""


def _default(field: Any) -> str:
    if field.is_required():
        return "*required*"
    value = field.default_factory() if field.default_factory is not None else field.default
    if value is PydanticUndefined or value is None:
        return "–"
    if isinstance(value, BaseModel):
        return "(see the part)"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple | list | dict) and not value:
        return "`[]`" if not isinstance(value, dict) else "`{}`"
    return f"`{json.dumps(value, ensure_ascii=False, default=str)}`".replace('"', "")


def _anchor(name: str) -> str:
    return name.lower()


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    """A property's JSON Schema as words: 'list of text', 'one of `a`, `b`', a link to a part."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{_anchor(name)})"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        kinds = [o for o in options if o.get("type") != "null"]
        if {o.get("type") for o in kinds} == {"string", "number"} and len(kinds) == 2:
            return "label (text; a number is read as text)"
        return " or ".join(dict.fromkeys(_type(o, defs) for o in kinds))
    kind = schema.get("type")
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type(p, defs) for p in schema["prefixItems"]) + "]"
        return f"list of {_type(schema.get('items', {}), defs)}"
    if kind == "object":
        values = schema.get("additionalProperties")
        return f"mapping of keys to {_type(values, defs)}" if isinstance(values, dict) else "mapping"
    if schema.get("format") == "date":
        return "date (YYYY-MM-DD)"
    return {"string": "text", "integer": "whole number", "number": "number",
            "boolean": "`true` or `false`"}.get(str(kind), "any")


def _limits(schema: dict[str, Any]) -> str:
    options = [schema, *(schema.get("anyOf") or [])]
    parts = []
    for option in options:
        for key, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="),
                          ("exclusiveMaximum", "<")):
            if key in option:
                parts.append(f"{word} {option[key]}")
        if option.get("minItems") and "prefixItems" not in option:
            parts.append(f"at least {option['minItems']}")
    return ", ".join(dict.fromkeys(parts))


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _parts(root: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """The model and every model inside it, each once, in reading order."""
    seen: list[type[BaseModel]] = []
    pending = [root]
    while pending:
        model = pending.pop(0)
        if model in seen:
            continue
        seen.append(model)
        yield model
        for field in model.model_fields.values():
            pending.extend(m for m in _models(field.annotation) if m not in seen)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def _section(model: type[BaseModel], schema: dict[str, Any], documented: set[str],
             level: str) -> list[str]:
    name = model.__name__
    documented.add(name)
    doc = _one_line(model.__doc__)
    lines = [f"{level} {name}", "", doc, ""]
    properties = schema.get("properties", {})
    lines += ["| key | type | default | allowed | what it is |", "|---|---|---|---|---|"]
    # A model's own keys first (a question's code and header), then what it shares with others.
    own = inspect.get_annotations(model)
    fields = sorted(model.model_fields.items(), key=lambda item: item[0] not in own)
    for field_name, field in fields:
        key = field.alias or field_name
        prop = properties.get(key, {})
        lines.append(f"| `{key}` | {_type(prop, {})} | {_default(field)} | {_limits(prop)} | "
                     f"{_one_line(field.description)} |")
    example = EXAMPLES.get(name)
    if example:
        lines += ["", "Example:", "", "```yaml", example.rstrip("\n"), "```"]
    return [*lines, ""]


def _registries() -> list[str]:
    lines = ["## Statistics", "",
             "`statistic:` of a figure (or `overrides:` of an item) is one of these. Shares are "
             "percents of the base with R survey's `svyciprop` intervals; numbers and net points "
             "have R's intervals on their own scale (t on the group's degrees of freedom; "
             "quantiles by `svyquantile`'s defaults, Woodruff's interval, including survey 4.1's "
             "rule that takes the second-lowest value when the lowest alone carries more than "
             "the share p of the weight). Groups of `by` are tested against each other where it "
             "says so (Rao–Scott for shares, a Wald test of equal means for means and net scores, "
             "with Holm-adjusted pairs).", "",
             "| statistic | question types | rows (`category` in tables.csv) | scale "
             "| groups tested | what it is |",
             "|---|---|---|---|---|---|"]
    lines.insert(-2, "Question type `scale` is a numeric rating (`type: scale`, points 0–10), "
                     "not a Likert question that names a `scale:` of options (that one is "
                     "`single`).")
    lines.insert(-2, "")
    for kind in STATISTICS.values():
        rows = ", ".join(f"`{c}`" for c in kind.categories) if kind.categories else kind.rows
        types = ", ".join(f"`{t}`" for t in kind.types) or "–"
        lines.append(f"| `{kind.name}` | {types} | {rows} | {kind.value} | "
                     f"{'yes' if kind.tested else 'no'} | {kind.description} |")
    lines += ["", "## Chart kinds", "", "`chart.kind` of a figure:", "",
              "| kind | draws | what it looks like |", "|---|---|---|",
              "| `auto` | – | chosen from the statistic and the breakdown (numbers: `dots`) |"]
    for chart in CHART_KINDS.values():
        draws = ", ".join(chart.values) or "–"
        lines.append(f"| `{chart.name}` | {draws} | {chart.description} |")
    lines += ["", "## Numbers in the prose", "",
              "A placeholder prints its row's number in the format its `format` names; `auto` "
              "(the default) is the first of the row's scale. Any other format is a validation "
              "error (a mean is never printed as a percent).", "",
              "| scale of the row | formats |", "|---|---|"]
    for value, formats in PROSE_FORMATS.items():
        lines.append(f"| {value} | " + ", ".join(f"`{f}`" for f in formats) + " |")
    lines += ["", "## Routing conditions", "",
              "`asked_if`, a comparison group's `when` and the non-response analysis' "
              "`respondents` are conditions `<code> <operator> <value>`: " +
              ", ".join(f"`{op}`" for op in OPERATORS) + ". Values are quoted option labels "
              "(`in` takes a list: `b2 in ['A', 'B']`); `>=`, `<=`, `>` and `<` compare in the "
              "option order of an ordinal question; `has_any` and `has_any_except` test a "
              "multi-select; `is_answered` takes no value.", ""]
    return lines


def markdown() -> str:
    """docs/definition.md."""
    lines = [INTRO.rstrip("\n")]
    for file in FILES:
        lines.append(f"| [`{file}`](#{_anchor(file.replace('.', ''))}) | {PURPOSE[file]} |")
    lines.append("")
    lines += _registries()
    documented: set[str] = set()
    for file, model in FILES.items():
        lines += [f"## {file}", ""]
        schema = TypeAdapter(model).json_schema(by_alias=True)
        defs = schema.get("$defs", {})
        for part in _parts(model):
            if part.__name__ in documented:
                lines += [f"({part.__name__}: see [above](#{_anchor(part.__name__)}).)", ""]
                continue
            part_schema = schema if part is model else defs.get(part.__name__, {})
            lines += _section(part, part_schema, documented, "###")
    return "\n".join(lines).rstrip() + "\n"


def json_schema(file: str) -> dict[str, Any]:
    """The JSON Schema of one file of a study folder."""
    schema = TypeAdapter(FILES[file]).json_schema(by_alias=True)
    return {"$schema": SCHEMA_DRAFT, "title": f"tverrsnitt {file}", **schema}


def write_reference(folder: Path) -> list[Path]:
    """Write definition.md and schema/<file>.schema.json into `folder`; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "definition.md"]
    written[0].write_text(markdown(), encoding="utf-8")
    schemas = folder / "schema"
    schemas.mkdir(exist_ok=True)
    for file in FILES:
        path = schemas / f"{file.removesuffix('.yaml')}.schema.json"
        path.write_text(json.dumps(json_schema(file), indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
