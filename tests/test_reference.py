"""The reference of the definition language (docs/definition.md) and the JSON Schemas
(docs/schema/) are generated from the models and must not drift from them; the schemas accept
both bundled studies and refuse what validate refuses, so an editor checks keys as validate
does."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import TypeAdapter

from tverrsnitt.cli import main
from tverrsnitt.reference import EXAMPLES, FILES, json_schema, markdown
from tverrsnitt.study import files, model
from tverrsnitt.study.statistics import STATISTICS

from .conftest import EXAMPLE, ROOT

DOCS = ROOT / "docs"
STUDIES = [EXAMPLE, ROOT / "examples" / "arbeidsmiljo-2025"]
FIX = "run `tverrsnitt reference --out docs` and commit the result"


def test_definition_md_is_generated_from_the_models() -> None:
    committed = (DOCS / "definition.md").read_text(encoding="utf-8")
    assert committed == markdown(), f"docs/definition.md drifted from the models: {FIX}"


@pytest.mark.parametrize("file", list(FILES))
def test_json_schema_is_generated_from_the_models(file: str) -> None:
    path = DOCS / "schema" / f"{file.removesuffix('.yaml')}.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == json_schema(file), \
        f"{path.name} drifted from the models: {FIX}"


def test_every_key_is_documented() -> None:
    text = markdown()
    for name in files.STUDY_FILES.values():
        for part in (name, *_inner(name)):
            for field_name, field in part.model_fields.items():
                assert field.description, f"{part.__name__}.{field_name} has no docstring"
                assert f"| `{field.alias or field_name}` |" in text
    for statistic in STATISTICS:
        assert f"| `{statistic}` |" in text


def _inner(root: type) -> list[type]:
    """The models a model's fields hold (through lists, unions and Annotated)."""
    found: list[type] = []

    def walk(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, model.Frozen):
            if annotation not in found:
                found.append(annotation)
            return
        for arg in getattr(annotation, "__args__", ()):
            walk(arg)
        walk_origin = getattr(annotation, "__origin__", None)
        if walk_origin is not None and walk_origin is not annotation:
            walk(walk_origin)

    for field in root.model_fields.values():  # type: ignore[attr-defined]
        walk(field.annotation)
    return found


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_example_in_the_reference_is_valid(name: str) -> None:
    cls = next(c for f in FILES.values() for c in (f, *_all_parts(f)) if c.__name__ == name)
    assert isinstance(TypeAdapter(cls).validate_python(yaml.safe_load(EXAMPLES[name])), cls)


def _all_parts(root: type) -> list[type]:
    seen, pending = [], [root]
    while pending:
        current = pending.pop()
        for inner in _inner(current):
            if inner not in seen:
                seen.append(inner)
                pending.append(inner)
    return seen


@pytest.mark.parametrize("study_dir", STUDIES, ids=lambda p: p.name)
def test_the_bundled_studies_pass_their_schemas(study_dir: Path) -> None:
    for file in FILES:
        path = study_dir / file
        if not path.is_file():
            continue
        # As an editor sees it: dates are text (YAML reads them as dates).
        data = json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")),
                                     default=str))
        jsonschema.validate(data, json_schema(file))
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header == f"# yaml-language-server: $schema=../../docs/schema/{path.stem}.schema.json"


def test_the_schemas_refuse_a_misspelt_key() -> None:
    data = yaml.safe_load((STUDIES[1] / "figures.yaml").read_text(encoding="utf-8"))
    data["figures"][0]["statistc"] = "mean"
    with pytest.raises(jsonschema.ValidationError, match="statistc"):
        jsonschema.validate(data, json_schema("figures.yaml"))


def test_reference_command_writes_the_committed_files(tmp_path: Path) -> None:
    assert main(["reference", "--out", str(tmp_path)]) == 0
    for path in sorted(tmp_path.rglob("*")):
        if path.is_file():
            assert path.read_bytes() == (DOCS / path.relative_to(tmp_path)).read_bytes(), path
