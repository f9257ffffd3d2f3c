"""`tverrsnitt qual …`: codings in the database, agreement, merge and REFI-QDA exchange.

Every command reads the study's qual.yaml and transcripts and anonymises them first: codings
always refer to the anonymised text. Errors a user can fix are TverrsnittErrors (exit 1).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import UsageError, did_you_mean, one_of
from .ingest.codings import Coding
from .ingest.transcripts import Transcript
from .study.qual import QualDefinition, Theme

if TYPE_CHECKING:
    from .store import Store
    from .tabulate.agreement import Agreement

DB_OPTION = click.option("--db", "db_url", metavar="URL",
                         help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB. "
                              "Default: fieldwork.db in the study folder.")
CODERS_OPTION = click.option("--coders", required=True, metavar="A,B",
                             help="The two coders, comma-separated (e.g. koder-a,koder-b).")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def qual() -> None:
    """Focus groups: codings, agreement between coders, merge, REFI-QDA exchange.

    \b
    Typical use:
      tverrsnitt qual anonymise examples/skolemiljo-2023 --out anonymisert/
      tverrsnitt qual import-codings examples/skolemiljo-2023 --db sqlite:///koding.db \\
          examples/skolemiljo-2023/qual/codings-a.csv examples/skolemiljo-2023/qual/codings-b.csv
      tverrsnitt qual agreement examples/skolemiljo-2023 --db sqlite:///koding.db \\
          --coders koder-a,koder-b
      tverrsnitt qual merge examples/skolemiljo-2023 --db sqlite:///koding.db \\
          --coders koder-a,koder-b --as konsensus
      tverrsnitt qual export examples/skolemiljo-2023 --db sqlite:///koding.db \\
          --out fokusgrupper.qdpx

    Codings refer to the anonymised transcripts, so no quote carries a name.
    """


# ----------------------------------------------------------------------------- helpers


def load(study_dir: Path) -> tuple[QualDefinition, dict[str, Transcript]]:
    """The study's qual.yaml and its anonymised transcripts by group."""
    from .clean.anonymise import anonymise_all
    from .ingest.transcripts import load_transcripts
    from .study.qual import load_qual

    definition = load_qual(study_dir)
    anonymised = anonymise_all(definition, load_transcripts(definition))
    return definition, {group: a.transcript for group, a in anonymised.items()}


def open_store(study_dir: Path, db_url: str | None, *, existing: bool = False) -> Store:
    """The study's database (fieldwork.db in the study folder unless --db says otherwise).
    A command that only reads codings (`existing`) never creates an empty SQLite file: a
    mistyped --db is an error, not an empty result."""
    from .store import Store, sqlite_url

    url = db_url or sqlite_url(Path(study_dir) / "fieldwork.db")
    if existing and url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).is_file():
        raise UsageError(f"No database at {url[len('sqlite:///'):]} (--db {url}): give the "
                         "database the codings were imported into, or import them first with "
                         "`tverrsnitt qual import-codings STUDY_DIR FILE… --db URL`.")
    return Store(url)


def study_name(study_dir: Path) -> tuple[str, str | None]:
    """The study's name (it seeds the REFI-QDA GUIDs) and title, from study.yaml if there."""
    import yaml

    name, title = Path(study_dir).resolve().name, None
    path = Path(study_dir) / "study.yaml"
    if path.is_file():
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            data = None
        if isinstance(data, dict):
            name = str(data.get("name") or name)
            title = str(data["title"]) if data.get("title") else None
    return name, title


def two_coders(text: str) -> tuple[str, str]:
    """'A,B' as two different coder names."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if len(names) != 2 or names[0] == names[1]:
        raise UsageError(f"--coders {text!r}: give two different coders separated by a comma, "
                         "e.g. --coders koder-a,koder-b")
    return names[0], names[1]


# ----------------------------------------------------------------------------- commands


@qual.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Folder for the anonymised transcripts (GROUP.txt) and gjennomgang.csv.")
def anonymise(study_dir: Path, out_dir: Path) -> None:
    """Anonymise the transcripts and list what a person must review.

    Writes DIR/GROUP.txt (the text codings and quotes refer to: listed and detected names
    replaced, pronouns gender-neutral) and DIR/gjennomgang.csv: one row per possible
    identifier left in the text (places, schools, employers, listed words) with group, turn,
    speaker, line, the text and why it was flagged. Add what must go to `anonymisation:
    names:` in qual.yaml and run again; the originals are never changed.
    """
    from .atomic import atomic_folder, check_output_folder
    from .clean.anonymise import anonymise_all
    from .ingest.transcripts import load_transcripts
    from .study.qual import load_qual

    check_output_folder(out_dir, [study_dir])
    definition = load_qual(study_dir)
    results = anonymise_all(definition, load_transcripts(definition))
    review = io.StringIO()
    writer = csv.writer(review)
    writer.writerow(["group", "turn", "speaker", "line", "text", "kind", "reason"])
    texts: dict[str, str] = {}
    for group, result in results.items():
        texts[f"{group}.txt"] = result.transcript.text
        for flag in result.flags:
            turn = result.transcript.turns[flag.turn]
            writer.writerow([group, flag.turn, turn.speaker,
                             result.transcript.line_of(flag.start), flag.text, flag.kind,
                             flag.reason])
        replaced = Counter(r.kind for r in result.replacements)
        click.echo(f"{group}: {replaced['listed']} listed and {replaced['detected']} detected "
                   f"names replaced, {replaced['pronoun']} pronouns made neutral, "
                   f"{len(result.flags)} passages to review.")
    texts["gjennomgang.csv"] = review.getvalue()
    # One folder, replaced whole: never a mix of this run's transcripts and an earlier one's.
    with atomic_folder(out_dir, [study_dir]) as work:
        for name, text in texts.items():
            (work / name).write_bytes(text.encode("utf-8"))
    click.echo(f"Wrote {Path(out_dir)}/: {len(results)} transcripts and gjennomgang.csv.")


@qual.command("import-codings")
@click.argument("study_dir", type=click.Path(path_type=Path))
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@DB_OPTION
def import_codings(study_dir: Path, files: tuple[Path, ...], db_url: str | None) -> None:
    """Import codings files (.csv or .xlsx) into the database.

    Without FILES, the files under `codings:` in qual.yaml. Columns:
    coder,group,turn,quote,themes,memo,segment; `quote` is the exact text of the anonymised
    transcript, `themes` theme codes separated by ';'. Every file is checked before anything
    is stored. Importing a file again changes only what changed in it; codings taken out of
    it are marked deleted (and kept).
    """
    from .ingest.codings import read_codings

    definition, transcripts = load(study_dir)
    paths = list(files) or list(definition.codings_paths)
    if not paths:
        raise UsageError("Name the codings files to import, or list them under 'codings:' in "
                         f"{Path(study_dir) / 'qual.yaml'}.")
    read = [(path, read_codings(path, definition, transcripts)) for path in paths]
    store = open_store(study_dir, db_url)
    try:
        for path, codings in read:
            click.echo(str(store.import_codings(codings, source=path.name)))
        coders = store.coders()
    finally:
        store.close()
    click.echo("Coders: " + ", ".join(f"{c} ({n})" for c, n in coders.items()))


@qual.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
def coders(study_dir: Path, db_url: str | None) -> None:
    """List the coders in the database and how many codings each has."""
    store = open_store(study_dir, db_url, existing=True)
    try:
        found = store.coders()
    finally:
        store.close()
    if not found:
        click.echo("No codings yet.")
    for coder, count in found.items():
        click.echo(f"{coder}\t{count}")


@qual.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@CODERS_OPTION
@click.option("--no-roll-up", is_flag=True,
              help="Count a sub-theme's codings for that theme only, not for the themes above it.")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Also write the table as CSV.")
def agreement(study_dir: Path, db_url: str | None, coders: str, no_roll_up: bool,
              csv_file: Path | None) -> None:
    """Per theme, Cohen's κ and percent agreement between two coders.

    Units are participant turns: a turn counts as coded with a theme by a coder when one of
    the coder's spans with that theme overlaps it.
    """
    from .tabulate.agreement import compare

    coder_a, coder_b = two_coders(coders)
    definition, transcripts = load(study_dir)
    codings = _codings(study_dir, db_url)
    result = compare(definition, transcripts, codings, coder_a, coder_b, roll_up=not no_roll_up)
    click.echo(agreement_table(result, definition))
    if csv_file is not None:
        from .atomic import write_file

        write_file(csv_file, agreement_csv(result).encode("utf-8"))
        click.echo(f"Wrote {csv_file}")


@qual.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@CODERS_OPTION
@click.option("--as", "as_coder", required=True, metavar="NAME",
              help="The coder name the consensus is stored under (e.g. konsensus).")
def merge(study_dir: Path, db_url: str | None, coders: str, as_coder: str) -> None:
    """Merge two coders' codings into a consensus stored as coder NAME.

    Identical codings (same span, same themes) become one that records both coders; every
    other coding is kept, with its coder recorded. No coding is lost, and running the merge
    again only brings the consensus up to date.
    """
    from .clean.merge_codings import merge as merge_codings
    from .ingest.codings import CODER

    coder_a, coder_b = two_coders(coders)
    if as_coder in (coder_a, coder_b) or not CODER.fullmatch(as_coder):
        raise UsageError(f"--as {as_coder!r}: give a new coder name for the consensus (letters, "
                         "digits, '.', '-', '_'), not one of the coders merged")
    store = open_store(study_dir, db_url, existing=True)
    try:
        found = store.coders()
        for coder in (coder_a, coder_b):
            if coder not in found:
                raise UsageError(f"No codings by coder {coder!r}; coders with codings: "
                                 f"{one_of(list(found)) if found else 'none'}."
                                 + did_you_mean(coder, found))
        merged = merge_codings([*store.codings(coder_a), *store.codings(coder_b)], as_coder=as_coder)
        summary = store.import_codings(merged.codings, source=f"merge:{coder_a}+{coder_b}")
    finally:
        store.close()
    both = sum(1 for c in merged.codings if len(c.merged_from) > 1)
    click.echo(f"{as_coder}: {len(merged.codings)} codings, {both} made alike by {coder_a} and "
               f"{coder_b}. {summary}")
    for conflict in merged.conflicts:
        click.echo(f"Check: {conflict}", err=True)


@qual.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--out", "out_file", type=click.Path(path_type=Path), metavar="FILE.qdpx",
              help="The REFI-QDA project to write (NVivo, ATLAS.ti, MAXQDA, QualCoder).")
@click.option("--codebook", "codebook_file", type=click.Path(path_type=Path), metavar="FILE.qdc",
              help="Also (or only) write the codebook as a REFI-QDA .qdc.")
@click.option("--coders", "coder_list", metavar="A,B,…",
              help="Export only these coders' codings (default: every coder's).")
def export(study_dir: Path, db_url: str | None, out_file: Path | None,
           codebook_file: Path | None, coder_list: str | None) -> None:
    """Export the focus groups as a REFI-QDA project (.qdpx) and/or codebook (.qdc).

    The project holds the anonymised transcripts, the codebook, every coding with its coder
    and memo, and one case per participant with education and job title. Files are validated
    against the REFI-QDA schema and replaced only when complete.
    """
    from .atomic import write_file
    from .report.refi import export_codebook, export_project

    if out_file is None and codebook_file is None:
        raise UsageError("Say what to write: --out FILE.qdpx and/or --codebook FILE.qdc.")
    for path, suffix in ((out_file, ".qdpx"), (codebook_file, ".qdc")):
        if path is not None and path.suffix.lower() != suffix:
            raise UsageError(f"{path}: a REFI-QDA file of this kind ends in {suffix}")
    definition, transcripts = load(study_dir)
    name, title = study_name(study_dir)
    if out_file is not None:
        store = open_store(study_dir, db_url, existing=True)
        try:
            codings = store.codings()
            memos = store.theme_memos()
        finally:
            store.close()
        if coder_list:
            wanted = {c.strip() for c in coder_list.split(",") if c.strip()}
            missing = sorted(wanted - {c.coder for c in codings})
            if missing:
                raise UsageError(f"--coders: no codings by {', '.join(missing)}")
            codings = [c for c in codings if c.coder in wanted]
        project = export_project(definition, transcripts, codings, name=name, title=title,
                                 theme_memos=memos)
        write_file(out_file, project.zip_bytes())
        click.echo(f"Wrote {out_file}: {len(transcripts)} transcripts, {len(codings)} codings by "
                   f"{len({c.coder for c in codings})} coders.")
        if not codings:
            click.echo("Note: the database has no codings; import them with `tverrsnitt qual "
                       "import-codings` first.", err=True)
    if codebook_file is not None:
        write_file(codebook_file, export_codebook(definition.themes, name=name))
        click.echo(f"Wrote {codebook_file}: {len(definition.themes_by_code())} themes.")


@qual.command("import-codebook")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--study", "study_dir", type=click.Path(path_type=Path), metavar="STUDY_DIR",
              help="Keep this study's theme codes for the codes exported from it.")
def import_codebook(file: Path, study_dir: Path | None) -> None:
    """Print a REFI-QDA codebook (.qdc, or a .qdpx's) as the `themes:` of qual.yaml.

    Theme codes are made from the code names, except that with --study the codes exported
    from that study keep their theme codes.
    """
    from .report.refi import known_codes, read_codebook, themes_yaml
    from .study.qual import load_qual

    known = None
    if study_dir is not None:
        known = known_codes(load_qual(study_dir).themes, name=study_name(study_dir)[0])
    click.echo(themes_yaml(read_codebook(file, known=known)), nl=False)


# ----------------------------------------------------------------------------- output


def _codings(study_dir: Path, db_url: str | None) -> list[Coding]:
    store = open_store(study_dir, db_url, existing=True)
    try:
        return store.codings()
    finally:
        store.close()


def _depths(definition: QualDefinition) -> Mapping[str, int]:
    depths: dict[str, int] = {}

    def visit(theme: Theme, depth: int) -> None:
        depths[theme.code] = depth
        for child in theme.children:
            visit(child, depth + 1)

    for top in definition.themes:
        visit(top, 0)
    return depths


def _number(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def agreement_table(result: Agreement, definition: QualDefinition) -> str:
    """The agreement of two coders as a plain-text table."""
    depths = _depths(definition)
    head = (f"Agreement between {result.coder_a} (A) and {result.coder_b} (B): "
            f"{result.units} participant turns")
    columns = f"{'theme':<28} {'n':>4} {'both':>5} {'A only':>6} {'B only':>6} {'neither':>7} " \
              f"{'agree %':>7} {'p_e':>6} {'kappa':>6}"
    lines = [head, "", columns, "-" * len(columns)]
    notes = []
    for row in [*result.themes, result.pooled]:
        label = ("  " * depths.get(row.theme, 0) + row.theme)[:28]
        if row is result.pooled:
            lines.append("-" * len(columns))
        lines.append(f"{label:<28} {row.units:>4} {row.both:>5} {row.only_a:>6} {row.only_b:>6} "
                     f"{row.neither:>7} {_number(row.percent, 1):>7} {_number(row.p_e):>6} "
                     f"{_number(row.kappa):>6}")
        if row.kappa is None and row.reason and row is not result.pooled:
            notes.append(f"{row.theme}: kappa undefined, {row.reason}")
    lines.append("")
    lines.append(f"Mean kappa over {sum(1 for t in result.themes if t.kappa is not None)} themes: "
                 f"{_number(result.mean_kappa)}")
    lines.extend(notes)
    return "\n".join(lines)


def agreement_csv(result: Agreement) -> str:
    """The agreement table as CSV (one row per theme, then the pooled row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["coder_a", "coder_b", "theme", "units", "both", "only_a", "only_b",
                     "neither", "p_o", "p_e", "kappa", "reason"])
    for row in [*result.themes, result.pooled]:
        writer.writerow([result.coder_a, result.coder_b, row.theme, row.units, row.both,
                         row.only_a, row.only_b, row.neither,
                         "" if row.p_o is None else repr(row.p_o),
                         "" if row.p_e is None else repr(row.p_e),
                         "" if row.kappa is None else repr(row.kappa), row.reason or ""])
    return out.getvalue()
