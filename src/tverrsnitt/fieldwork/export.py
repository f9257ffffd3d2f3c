"""`tverrsnitt export`: collected responses in the export format `tverrsnitt report` reads.

Only respondents who submitted (completed, or screened out — as the survey tool's export has
them) are exported; those who started and stopped are counted in the summary. The file is
written beside its destination and moved into place, so a reader never sees half of it.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import write_file
from ..store import Store
from ..study.model import Study
from .context import open_site
from .export_formats import FORMATS, ExportError, render
from .export_table import ExportTable, build_table

__all__ = ["ExportError", "export", "export_bytes", "export_table"]


def export_table(study: Study, store: Store) -> ExportTable:
    """The responses in the store as an export table (rows plus who was left out)."""
    return build_table(study, store.responses())


def export_bytes(study: Study, store: Store, fmt: str) -> bytes:
    """The export file's bytes in format 'csv', 'xlsx' or 'sav' (for downloads)."""
    return render(export_table(study, store), fmt, study.meta.export_sheet)


def format_of(path: Path) -> str:
    """The export format named by a file's extension, or an ExportError."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"Cannot tell the export format from {path.name!r}: the file name must "
                          f"end in {', '.join('.' + f for f in FORMATS)}.")
    return fmt


def export(study_dir: str | Path, out_file: str | Path, *, db_url: str | None = None) -> str:
    """Write the responses to `out_file` (.csv, .xlsx or .sav); returns a summary."""
    out = Path(out_file)
    fmt = format_of(out)
    site = open_site(study_dir, db_url)
    meta = site.study.meta
    for name in meta.data_files():
        if out.resolve() == (site.study.root / name).resolve():
            site.store.close()
            raise ExportError(f"--out {out}: this is the study's own {name}, which the report "
                              "reads by default; write the export to a new file and pass it "
                              "to `tverrsnitt report --data`.")
    try:
        table = export_table(site.study, site.store)
    finally:
        site.store.close()
    write_file(out, render(table, fmt, site.study.meta.export_sheet))
    summary = (f"Wrote {out} — {len(table.rows)} responses ({table.completed} completed, "
               f"{table.screened_out} screened out).")
    if table.unfinished:
        summary += (f" {table.unfinished} respondents who started but have not submitted were "
                    "left out.")
    return summary
