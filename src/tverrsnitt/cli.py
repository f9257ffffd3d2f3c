"""Command line: parse options, call the library once, translate errors — nothing else.

Exit codes: 0 success, 1 bad input (study definition, data, options), 2 internal error.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from .errors import TverrsnittError, UsageError
from .ingest.options import DEDUPE, Dedupe
from .progress import Progress

EXIT_OK, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2


class RichProgress(Progress):
    """A progress bar on stderr, shown only on an interactive terminal outside CI."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self._bar = Bar(TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), transient=True, console=Console(stderr=True))
        self._task: Any = None

    def start(self, total: int) -> None:
        self._bar.start()
        self._task = self._bar.add_task("Leser studiedefinisjon", total=total)

    def step(self, description: str) -> None:
        if self._task is not None:
            self._bar.update(self._task, advance=1, description=description)

    def stop(self) -> None:
        """Remove the bar from the terminal."""
        self._bar.stop()


def wants_progress() -> bool:
    """Progress bars only for people at a terminal; CI logs stay quiet."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="tverrsnitt")
def cli() -> None:
    """tverrsnitt — run a survey study end to end, from one study definition.

    \b
    Typical use:
      tverrsnitt validate examples/skolemiljo-2023
      tverrsnitt report examples/skolemiljo-2023 --out out/

    A study is a folder of YAML files (questionnaire, derived variables, figures, report).
    Run `tverrsnitt COMMAND --help` for each command.
    """


class LazyGroup(click.Group):
    """A command group whose module loads only when the group itself is used: `tverrsnitt
    --help` lists it from `short_help` without importing the focus-group models."""

    def __init__(self, name: str, target: str, short_help: str) -> None:
        super().__init__(name=name, short_help=short_help)
        self._target = target
        self._group: click.Group | None = None

    def _load(self) -> click.Group:
        """The real group (module:attribute), imported on first use."""
        if self._group is None:
            import importlib

            module, attribute = self._target.split(":")
            self._group = getattr(importlib.import_module(module), attribute)
        return self._group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._load().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load().get_command(ctx, cmd_name)

    def get_help(self, ctx: click.Context) -> str:
        return self._load().get_help(ctx)

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        real = self._load()
        self.help, self.context_settings = real.help, real.context_settings
        return super().make_context(info_name, args, parent, **extra)


QUAL_SHORT_HELP = "Focus groups: codings, agreement between coders, merge, REFI-QDA exchange."
cli.add_command(LazyGroup("qual", "tverrsnitt.cli_qual:qual", QUAL_SHORT_HELP))


def data_options(command: Any) -> Any:
    """The options that say which data a run reads and how (report and validate --data)."""
    options = [
        click.option("--data", "data", type=click.Path(path_type=Path), metavar="EXPORT",
                     help="Survey export (.csv, .xlsx or .sav). Columns are matched by header "
                          "text. Default: the study's own example data (with its register)."),
        click.option("--register", type=click.Path(path_type=Path), metavar="REGISTER",
                     help="Register of invited members (CSV). Needed for Tabell 2.1 and the "
                          "sample/population figures; without it they are left out with a "
                          "note."),
        click.option("--lenient", is_flag=True,
                     help="Do not stop on cells that break the definition: blank them and "
                          "list every one in the report's data-quality appendix."),
        click.option("--weight", metavar="COLUMN",
                     help="Header of an export column with design weights: shares, SEs and "
                          "CIs are then weighted (weighted_percent, weighted_base); counts stay "
                          "unweighted."),
        click.option("--rake", is_flag=True,
                     help="Rake the analysed respondents (from --weight, or 1) to the "
                          "population margins in study.yaml's 'weighting' section; the report "
                          "shows the margins and a weight summary, and SEs treat the raking "
                          "as calibration."),
        click.option("--strict", is_flag=True,
                     help="Make every warning of the data checks an error: answers that break "
                          "the routing, derived variables that find no group, empty figures."),
        click.option("--dedupe", type=click.Choice(DEDUPE),
                     help="A respondent id (a type: id question, such as the response id or "
                          "member number) on several rows is an error; 'first' keeps each "
                          "one's first row in the file, 'last' the last, and the appendix "
                          "counts the rows left out."),
        click.option("--wave", metavar="ID",
                     help="Which wave of a study with waves in study.yaml the data are (default: "
                          "the last); its export and register are read unless --data is given, "
                          "and are read as that wave's questionnaire was."),
        click.option("--sheet", metavar="NAME",
                     help="The answers sheet of an .xlsx export (default: the study's "
                          "export_sheet, else the one sheet whose first row has the study's "
                          "question texts)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def print_findings(findings: Any) -> None:
    """The data checks' warnings on stderr, each with file, line and what to change."""
    for finding in findings:
        click.echo(f"Warning: {finding}", err=True)


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@data_options
@click.option("--with-data", is_flag=True,
              help="Check the study's own example data too (what --data does for an export).")
def validate(study_dir: Path, data: Path | None, register: Path | None, lenient: bool,
             weight: str | None, rake: bool, strict: bool, dedupe: Dedupe | None,
             wave: str | None, sheet: str | None, with_data: bool) -> None:
    """Check a study definition and list every problem with file, line and key.

    Checks that every name used exists: figures name real questions and breakdowns,
    routing conditions name real options, every option of a recoded question lands in
    exactly one group, every chart can be drawn as declared, and every number placeholder
    in the prose points at a real cell of the right kind (a mean is not a percent).
    qual.yaml (focus groups) is checked too. With --data (or --with-data), everything
    `report` would check is run on the export, without writing anything: warnings
    (routing broken by the answers, derived variables without a group, empty figures)
    are listed, and with --strict they are errors.
    """
    from dataclasses import replace

    from .pipeline import RunOptions, check_data
    from .validate import validate_study

    if data is not None or with_data:
        options = RunOptions(data, register, lenient, weight, rake, strict, dedupe=dedupe,
                             sheet=sheet, wave=wave)
        computed = check_data(study_dir, options)
        study, quality = computed.study, computed.quality
        print_findings(quality.findings)
        checked = (f"; the data: {quality.analysed} analysed respondents, "
                   f"{len(quality.findings)} warning{'s' if len(quality.findings) != 1 else ''}")
        if data is None and wave is None and len(study.meta.waves) > 1:
            # --with-data checks every wave's own files, as `report --compare` reads them.
            for other in study.meta.waves[:-1]:
                if other.data is None:
                    checked += f"; wave {other.id}: no data in study.yaml, not checked"
                    continue
                earlier = check_data(study_dir, replace(options, wave=other.id)).quality
                print_findings(f"wave {other.id}: {f}" for f in earlier.findings)
                checked += (f"; wave {other.id}: {earlier.analysed} analysed respondents, "
                            f"{len(earlier.findings)} warning"
                            f"{'s' if len(earlier.findings) != 1 else ''}")
    else:
        study, checked = validate_study(study_dir), ""
    qual = ""
    if study.qual is not None:
        qual = (f"; {len(study.qual.groups)} focus groups, "
                f"{len(study.qual.themes_by_code())} themes, "
                f"{len(study.qual_figures)} focus-group figures and tables")
    click.echo(f"{study_dir}: OK — {len(study.questions)} questions, {len(study.derived)} "
               f"derived variables, {len(study.figures)} figures and tables{qual}{checked}.")


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@data_options
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              metavar="OUT_DIR", help="Folder to write tables.csv, figurer/ and report.html. "
                                      "Replaced only when the run succeeds.")
@click.option("--format", "formats", default="html,docx,pdf", show_default=True,
              metavar="LIST", help="Which reports to write, comma-separated: report.html, "
                                   "report.docx (Word, with fields for contents and captions) "
                                   "and report.pdf.")
@click.option("--codings-db", metavar="URL",
              help="Take the focus groups' codings (quotes, theme overview) from this database "
                   "(where the web app stores them) instead of the files qual.yaml names.")
@click.option("--no-cache", is_flag=True,
              help="Draw every chart instead of copying the unchanged ones from the chart cache "
                   "($TVERRSNITT_CACHE, else ~/.cache/tverrsnitt; TVERRSNITT_CACHE=off also "
                   "switches it off).")
@click.option("--compare", metavar="ID",
              help="Another wave (from its files in study.yaml): adds changes.csv, the change "
                   "of every estimate with its SE, CI and test, and that wave's rows in "
                   "tables.csv.")
@click.option("--tables-only", is_flag=True,
              help="Write tables.csv and differences.csv only: no charts and no report "
                   "documents (the numbers in a second or two, e.g. to check them against R).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.pass_context
def report(ctx: click.Context, study_dir: Path, data: Path | None, register: Path | None,
           lenient: bool, weight: str | None, rake: bool, strict: bool, dedupe: Dedupe | None,
           sheet: str | None, out_dir: Path, formats: str, codings_db: str | None,
           no_cache: bool, wave: str | None, compare: str | None, tables_only: bool,
           quiet: bool) -> None:
    """Build the report: tables.csv, one SVG and PNG per figure, report.html/.docx/.pdf.

    \b
    Example:
      tverrsnitt report examples/skolemiljo-2023 \\
          --data examples/skolemiljo-2023/data/export.csv \\
          --register examples/skolemiljo-2023/data/register.csv --out out/

    Every input is read and checked before anything is written; on bad input the
    command names file, row, column and value, exits with code 1 and leaves OUT_DIR
    untouched.
    """
    from .pipeline import build_report

    if tables_only and ctx.get_parameter_source("formats") is not ParameterSource.DEFAULT:
        raise UsageError("--tables-only writes no report documents; leave out --format (or "
                         "leave out --tables-only to build the report).")
    progress = RichProgress() if not quiet and wants_progress() else None
    try:
        result = build_report(study_dir, out_dir, data=data, register=register,
                              lenient=lenient, progress=progress, weight=weight, rake=rake,
                              formats=[f.strip() for f in formats.split(",") if f.strip()],
                              codings_db=codings_db, strict=strict, dedupe=dedupe,
                              sheet=sheet, cache=not no_cache, tables_only=tables_only,
                              wave=wave, compare=compare)
    finally:
        if progress is not None:
            progress.stop()
    if not quiet:
        total = sum(result.timings.values())
        problems = sum(len(f.problems) for f in result.quality.files)
        reports = ", ".join(str(f) for f in result.files if f.stem == "report")
        figures = sum(1 for f in result.files if f.suffix == ".svg")
        cached = f" ({result.charts_cached} charts unchanged, from the cache)" \
            if result.charts_cached else ""
        made = "tables.csv and differences.csv only (--tables-only)" if tables_only else \
            f"{figures} figures, {reports}"
        click.echo(f"Wrote {out_dir}/ — {len(result.tables)} table rows, {made} in {total:.1f} s"
                   f"{cached}.")
        if problems:
            what = "1 cell that did not fit was" if problems == 1 else \
                f"{problems} cells that did not fit were"
            click.echo(f"{what} blanked and listed in the data-quality appendix.", err=True)
        if result.changes:
            shown = [c for c in result.changes if c.change is not None]
            click.echo(f"Compared with wave {compare}: {len(result.changes)} estimates in "
                       f"changes.csv, {sum(c.significant for c in shown)} of {len(shown)} "
                       "changes significant (Holm-adjusted p < 0.05).")
        for note in result.tables.notes:
            click.echo(f"Note: {note.terminal}", err=True)
    print_findings(result.quality.findings)
    if compare:
        print_findings(f"wave {compare}: {f}" for f in result.compared_findings)


@cli.command()
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="Folder to write definition.md and schema/*.schema.json into.")
def reference(out_dir: Path) -> None:
    """Write the reference of the definition language and a JSON Schema per file.

    Both are generated from the models `validate` reads the files with; the repository keeps
    them in docs/.
    """
    from .reference import write_reference

    for path in write_reference(out_dir):
        click.echo(f"Wrote {path}")


# ----------------------------------------------------------------------------- fieldwork

DB_OPTION = click.option("--db", "db_url", metavar="URL",
                         help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB. "
                              "Default: fieldwork.db in the study folder.")
# invite and remind act as of a date: the fieldwork window and the reminder schedule.
TODAY_OPTION = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]),
                            metavar="YYYY-MM-DD", help="Treat this date as today (default: today).")


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes (one per CPU core serves the most respondents at once).")
def serve(study_dir: Path, db_url: str | None, host: str, port: int, workers: int) -> None:
    """Serve the web questionnaire and the admin pages.

    Respondents open their personal link (/s/TOKEN); the team logs in at /admin. Set
    TVERRSNITT_SECRET_KEY (the same for every worker and across restarts) before serving
    beyond this machine.
    """
    from .fieldwork.server import serve as run_server

    run_server(study_dir, db_url=db_url, host=host, port=port, workers=workers)


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--members", "members_file", required=True, type=click.Path(path_type=Path),
              metavar="REGISTER", help="Members to invite: the register's columns plus 'email'.")
@click.option("--base-url", required=True, metavar="URL",
              help="Public address of `tverrsnitt serve`, e.g. https://survey.example.org")
@TODAY_OPTION
def invite(study_dir: Path, db_url: str | None, members_file: Path, base_url: str,
           today: Any) -> None:
    """Import members and send each one personal invitation by e-mail.

    Only while the survey is open (fieldwork.yaml 'opens' to 'closes'). Safe to run again:
    members who already have an invitation get none; failed sends are retried. SMTP settings:
    the study's fieldwork.yaml, overridden by TVERRSNITT_SMTP_HOST, _PORT, _SENDER, _USER,
    _PASSWORD and _TLS.
    """
    from .fieldwork.invite import invite as send_invitations

    summary = send_invitations(study_dir, members_file, base_url=base_url, db_url=db_url,
                               today=today.date() if today else None)
    click.echo(summary)


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@TODAY_OPTION
def remind(study_dir: Path, db_url: str | None, today: Any) -> None:
    """Send the reminder that is due to members who have not completed.

    Never sends the same reminder to anyone twice, however often it runs.
    """
    from .fieldwork.remind import remind as send_reminders

    summary = send_reminders(study_dir, db_url=db_url, today=today.date() if today else None)
    click.echo(summary)


@cli.command()
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--out", "out_file", required=True, type=click.Path(path_type=Path),
              metavar="FILE", help="Output file; .csv, .xlsx or .sav by extension.")
def export(study_dir: Path, db_url: str | None, out_file: Path) -> None:
    """Export collected responses in the export format `tverrsnitt report` reads."""
    from .fieldwork.export import export as export_responses

    summary = export_responses(study_dir, out_file, db_url=db_url)
    click.echo(summary)


@cli.command("add-admin")
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--username", required=True, help="Login name.")
@click.password_option(envvar="TVERRSNITT_ADMIN_PASSWORD",
                       help="Password (prompted for; or TVERRSNITT_ADMIN_PASSWORD).")
@click.option("--totp/--no-totp", default=None,
              help="Require (or stop requiring) a one-time code from an authenticator app at "
                   "login; --totp prints the secret to add to the app.")
def add_admin(study_dir: Path, db_url: str | None, username: str, password: str,
              totp: bool | None) -> None:
    """Create an admin login, or give one a new password (which ends its sessions).

    The password needs at least 12 characters (a few words with spaces count), not a
    well-known one and not the username."""
    from .fieldwork.context import open_site
    from .fieldwork.security import password_problem

    problem = password_problem(username, password)
    if problem is not None:
        raise UsageError(f"The password {problem}. Nothing was changed.")
    site = open_site(study_dir, db_url)
    try:
        created = site.store.add_admin(username, password)
        if totp:
            import pyotp

            secret = pyotp.random_base32()
            site.store.set_totp(username, secret)
            uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="tverrsnitt")
            click.echo(f"One-time codes required for {username!r}. Add this to the "
                       f"authenticator app:\n  secret: {secret}\n  {uri}")
        elif totp is False:
            site.store.set_totp(username, None)
    finally:
        site.store.close()
    if created:
        click.echo(f"Admin {username!r} can now log in.")
    else:
        click.echo(f"Admin {username!r} has a new password; every session of theirs has ended.")


@cli.command("unlock-admin")
@click.argument("study_dir", type=click.Path(path_type=Path))
@DB_OPTION
@click.option("--username", required=True, help="The admin whose failed logins to forget.")
def unlock_admin(study_dir: Path, db_url: str | None, username: str) -> None:
    """Let an admin log in again at once after wrong passwords (from every address)."""
    from .fieldwork.context import open_site
    from .fieldwork.security import LoginLimiter

    site = open_site(study_dir, db_url)
    try:
        cleared = LoginLimiter(site.store).unlock(username)
    finally:
        site.store.close()
    click.echo(f"Cleared the failed logins of {username!r} from {cleared} "
               f"address{'es' if cleared != 1 else ''}.")


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map every outcome to an exit code."""
    try:
        cli.main(args=argv, prog_name="tverrsnitt", standalone_mode=False)
    except TverrsnittError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        return EXIT_BAD_INPUT
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_BAD_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_BAD_INPUT
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except Exception:
        click.echo("Internal error — this is a bug in tverrsnitt; please report it with the "
                   "text below.", err=True)
        traceback.print_exc()
        return EXIT_INTERNAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
