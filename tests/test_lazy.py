"""Packages that load their names lazily still offer every name they list, and the command
line starts without the heavy libraries."""

from __future__ import annotations

import importlib
import subprocess
import sys

import click
import pytest


@pytest.mark.parametrize("package", ["tverrsnitt.ingest", "tverrsnitt.tabulate"])
def test_every_listed_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'nosuch'"):
        module.nosuch  # noqa: B018


def test_the_command_line_loads_no_polars_scipy_or_matplotlib() -> None:
    code = ("import sys, tverrsnitt.cli; "
            "print(sorted(m for m in ('polars', 'scipy', 'matplotlib', 'weasyprint', "
            "'tverrsnitt.cli_qual', 'pydantic') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_lazy_qual_group_is_the_real_one() -> None:
    from tverrsnitt.cli import QUAL_SHORT_HELP, cli
    from tverrsnitt.cli_qual import qual

    listed = cli.get_command(click.Context(cli), "qual")
    assert listed is not None and listed.list_commands(click.Context(listed)) == \
        qual.list_commands(click.Context(qual))
    assert qual.help is not None and qual.help.splitlines()[0] == QUAL_SHORT_HELP
