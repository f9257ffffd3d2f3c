"""The package's shape as a contract: imports run down the pipeline (pyproject.toml's
import-linter layers), and no module reaches into another package's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "src" / "tverrsnitt"


def test_imports_run_down_the_pipeline() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "Imports run down the pipeline KEPT" in result.stdout


def _stage(module: str) -> str:
    """'tverrsnitt.report.grids' -> 'report'; top-level modules are their own stage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_no_private_name_is_imported_from_another_package() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(relative.parts)
        package = parts[:-1]
        if parts[-1] == "__init__":
            parts = parts[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = package[:len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if not target.startswith("tverrsnitt") or _stage(target) == _stage(".".join(parts)):
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{relative}: from {target} import {alias.name}")
    assert found == []


RENDERERS = ("html", "pdf", "docx", "docx_appendix", "docx_fields", "docx_layout",
             "docx_tables")
NUMERIC = ("numpy", "polars", "scipy", "pandas", "math", "statistics", "fractions",
           "tverrsnitt.weight", "tverrsnitt.tabulate.disclosure", "tverrsnitt.tabulate.engine")


def test_renderers_only_print_what_was_built() -> None:
    """The HTML, PDF and Word renderers do no arithmetic on the numbers: no numeric library,
    no weighting or suppression of their own (all of that is in the built outline and grids)."""
    found = []
    for name in RENDERERS:
        path = PACKAGE / "report" / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = "tverrsnitt" if node.level == 2 else "tverrsnitt.report" if node.level else ""
                modules = [".".join(p for p in (base, node.module or "") if p)]
            else:
                continue
            found += [f"report/{name}.py imports {m}" for m in modules
                      if any(m == n or m.startswith(f"{n}.") for n in NUMERIC)]
    assert found == []
