"""The whole report run: study + export (+ register, + focus groups) -> tables.csv,
differences.csv, charts and the report as HTML, Word and PDF.

All inputs are read and checked before anything is written. Output goes to a temporary folder
beside the destination and is moved into place only when complete, so a failed run leaves
neither a half-written folder nor a damaged earlier result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .atomic import atomic_folder, check_output_folder
from .chart.placements import render_placements
from .clean import AnalysisData, prepare
from .clean.checks import derived_findings, routing_findings
from .errors import DataCheckError, DataFinding, UsageError, did_you_mean, one_of
from .ingest import Dedupe, Ingested, read_export, read_register
from .progress import Progress
from .report.methods import MethodResults
from .report.quality import DataQuality, FileQuality
from .study import Study
from .tabulate import Tables, tabulate, write_tables_csv
from .tabulate.changes import (
    Change,
    Comparison,
    compare_waves,
    wave_group_tests,
    write_change_tests_csv,
    write_changes_csv,
)
from .tabulate.checks import figure_findings
from .tabulate.differences import Differences, group_differences, write_differences_csv
from .tabulate.disclosure import check_k, suppressed_cells
from .tabulate.evidence import gather
from .tabulate.tables import Note
from .tabulate.uncertainty import add_uncertainty
from .tabulate.verbatims import collect_verbatims
from .validate import validate_study
from .weight import summarise_weights
from .weight.representativity import analyse_nonresponse
from .weight.study_raking import rake_respondents

FORMATS = ("html", "docx", "pdf")


def _writer(name: str) -> Callable[..., None]:
    """The renderer of one format, imported only when that format is asked for."""
    if name == "html":
        from .report.html import write_html
        return write_html
    if name == "docx":
        from .report.docx import write_docx
        return write_docx
    from .report.pdf import write_pdf
    return write_pdf


def check_formats(formats: Sequence[str]) -> tuple[str, ...]:
    """The asked formats in a fixed order, each once; an unknown one is a usage error."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"Unknown report format {', '.join(map(repr, unknown)) or '(none)'}; "
                         f"choose any of {', '.join(FORMATS)} (e.g. --format html,pdf).")
    return tuple(f for f in FORMATS if f in formats)


@dataclass
class ReportResult:
    """What a run produced and how long each stage took."""

    out_dir: Path
    tables: Tables
    quality: DataQuality
    files: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    charts_cached: int = 0  # charts copied from the chart cache instead of drawn
    changes: tuple[Change, ...] = ()  # with --compare: every cell's change between the waves
    # With --compare: the data checks' warnings on the compared wave's files.
    compared_findings: tuple[DataFinding, ...] = ()


@dataclass(frozen=True)
class Inputs:
    """Which files a run reads, after applying the study's defaults."""

    data: Path
    register: Path | None


def chosen_wave(study: Study, wave: str | None) -> str | None:
    """The wave a run reads: the one asked for, else the study's last (None: no `waves`)."""
    waves = study.meta.waves
    if wave is None:
        return waves[-1].id if waves else None
    ids = study.meta.wave_ids()
    if wave not in ids:
        raise UsageError(f"Unknown wave {wave!r}; the study's waves (study.yaml 'waves') are "
                         f"{one_of(ids)}.{did_you_mean(wave, ids)}")
    return wave if waves else None


def resolve_inputs(study: Study, data: str | Path | None, register: str | Path | None,
                   wave: str | None = None) -> Inputs:
    """Use the study's example files (or the wave's own) only when no export is given at all.

    A register from another wave would give wrong response rates, so an explicit --data never
    picks up the study's bundled register.
    """
    if data is not None:
        return Inputs(Path(data), Path(register) if register is not None else None)
    chosen = chosen_wave(study, wave)
    if chosen is not None:
        spec = next(w for w in study.meta.waves if w.id == chosen)
        if spec.data is None:
            raise UsageError(f"No export given for wave {chosen!r}: pass --data EXPORT, or give "
                             f"the wave 'data: FILE' in study.yaml.")
        wave_register = (Path(register) if register is not None
                         else study.root / spec.register_data if spec.register_data else None)
        return Inputs(study.root / spec.data, wave_register)
    if study.meta.default_data is None:
        raise UsageError("No export given: pass --data EXPORT (the study names no default data).")
    default_register = study.meta.default_register
    chosen_register = (Path(register) if register is not None
                       else study.root / default_register if default_register else None)
    return Inputs(study.root / study.meta.default_data, chosen_register)


def _quality(study: Study, export: Ingested, register: Ingested | None, tables: Tables,
             answered: int, excluded: tuple[tuple[str, int], ...], analysed: int,
             lenient: bool, methods: MethodResults,
             findings: Sequence[DataFinding]) -> DataQuality:
    files = [FileQuality("Svardata", export.file, export.rows, export.unknown_columns,
                         export.missing_columns, export.problems, export.deduplicated)]
    if register is not None:
        files.append(FileQuality("Medlemsregister", register.file, register.rows,
                                 register.unknown_columns, register.missing_columns,
                                 register.problems, register.deduplicated))
    return DataQuality(tuple(files), answered, excluded, analysed, lenient, tables.notes, methods,
                       tuple(findings))


def _weigh(study: Study, analysis: AnalysisData, rake: bool,
           weight: str | None) -> tuple[AnalysisData, MethodResults]:
    """Non-response analysis (when the register is there) and the run's weights, if any."""
    nonresponse = (analyse_nonresponse(study, analysis)
                   if study.nonresponse is not None and analysis.register is not None else None)
    if rake:
        weights = rake_respondents(study, analysis)
        return (analysis.with_weights(weights.design.weights),
                MethodResults(nonresponse, weights=weights))
    if weight is not None:
        assert analysis.weights is not None  # read_export put the --weight column in
        supplied = summarise_weights(analysis.weights)
        return analysis, MethodResults(nonresponse, supplied=supplied, weight_column=weight)
    return analysis, MethodResults(nonresponse)


@dataclass(frozen=True)
class RunOptions:
    """How a run reads and weights its data (the report's and `validate --data`'s options)."""

    data: str | Path | None = None
    register: str | Path | None = None
    lenient: bool = False
    weight: str | None = None
    rake: bool = False
    strict: bool = False
    codings_db: str | None = None
    # Which row of a respondent on several rows to keep (None: such rows are an error).
    dedupe: Dedupe | None = None
    # A workbook's answers sheet (None: the study's export_sheet, or the one that fits).
    sheet: str | None = None
    # The wave whose export this is (None: the study's last wave, or its only one).
    wave: str | None = None


@dataclass(frozen=True)
class Computed:
    """Everything a run computes before it writes: the published tables (with the group
    tests, free text and focus groups on them) and what the appendix reports."""

    study: Study
    tables: Tables
    quality: DataQuality


def compute(study: Study, options: RunOptions,
            lap: Callable[[str, str], None] = lambda name, step: None) -> Computed:
    """Read, clean, weight, tabulate and test; check the data against the definition.

    With `options.strict` a finding (routing broken by the answers, a derived variable that
    finds no group, an empty figure) is an error; otherwise it is a warning in the appendix.
    """
    inputs = resolve_inputs(study, options.data, options.register, options.wave)
    wave = chosen_wave(study, options.wave)
    export = read_export(inputs.data, study, lenient=options.lenient, weight=options.weight,
                         dedupe=options.dedupe, sheet=options.sheet, wave=wave)
    lap("export", "Leser medlemsregister")
    member_register = (read_register(inputs.register, study, lenient=options.lenient,
                                     dedupe=options.dedupe)
                       if inputs.register is not None else None)
    lap("register", "Renser og avleder variabler")
    analysis = prepare(study, export.frame,
                       member_register.frame if member_register is not None else None)
    findings = [*routing_findings(study, analysis.respondents),
                *derived_findings(study, analysis.respondents)]
    lap("clean", "Frafallsanalyse og vekting")
    analysis, methods = _weigh(study, analysis, options.rake, options.weight)
    lap("weights", "Tabulerer")
    raked = methods.weights.design if methods.weights is not None else None
    # The wave's own view: figures without the questions it did not ask, and a note for each.
    asked = study.in_wave(wave)
    tables = add_uncertainty(asked, analysis, tabulate(asked, analysis, design=raked),
                             study.meta.ci_method, design=raked)
    tables = tables.with_notes(_not_asked_notes(study, wave))
    study = asked
    findings.extend(figure_findings(study, tables))
    if options.strict and findings:
        raise DataCheckError(findings)
    lap("tabulate", "Tester gruppeforskjeller")
    differences = group_differences(study, analysis, analysis.weights, design=raked)
    lap("differences", "Leser fokusgruppene")
    evidence = gather(study, options.codings_db)
    lap("qual", "Tegner figurer")
    screening = analysis.screening
    quality = _quality(study, export, member_register, tables, screening.answered,
                       screening.excluded, screening.analysed_count, options.lenient, methods,
                       findings)
    # Published output hides small cells; tables.csv (the analyst's file) shows everything.
    k = check_k(study.meta.min_cell)
    # Group tests, free text and the focus groups ride on the published tables, so charts and
    # every renderer mark, select and quote from the same object.
    published = tables.published(suppressed_cells(study, tables, k), k, differences,
                                 collect_verbatims(study, analysis), evidence)
    return Computed(study, published, quality)


def _not_asked_notes(study: Study, wave: str | None) -> list[Note]:
    """'«Fornøyd med jobben» ble ikke spurt i 2023' for each figure item the wave did not ask."""
    used = {item for figure in study.figures for item in figure.items}
    return [Note(f"«{study.question(code).label}» ble ikke spurt i {wave}; det er utelatt fra "
                 "figurene og tabellene.",
                 f"{code!r} was not asked in wave {wave}; it is left out of the figures and "
                 "tables.")
            for code in study.not_asked(wave) if code in used]


def check_data(study_dir: str | Path, options: RunOptions) -> Computed:
    """`validate --data`: every check a report run makes, without writing anything (the
    charts are built as data, not drawn)."""
    computed = compute(validate_study(study_dir), options)
    from .chart import chart_data

    study = computed.study  # the wave's view: the figures as that wave asked them
    for figure in study.figures:
        if computed.tables.has_figure(figure.id) and not figure.is_table:
            chart_data(study, figure, computed.tables)
    return computed


def _compared(study: Study, options: RunOptions, this_wave: str,
              compare: str | None) -> Computed | None:
    """The wave compared with, computed from its files in study.yaml."""
    if compare is None:
        return None
    if not study.meta.waves:
        raise UsageError("--compare needs the study's waves: list them in study.yaml, e.g. "
                         "waves: [{id: '2023', data: data/export-2023.csv}, {id: '2025', "
                         "data: data/export-2025.csv}]")
    other = chosen_wave(study, compare)
    if other == this_wave:
        raise UsageError(f"--compare {compare} names the wave the report is of; compare with "
                         "another wave.")
    earlier = replace(options, data=None, register=None, wave=other)
    return compute(study, earlier)


def build_report(study_dir: str | Path, out_dir: str | Path, data: str | Path | None = None,
                 register: str | Path | None = None, lenient: bool = False,
                 progress: Progress | None = None, weight: str | None = None,
                 rake: bool = False, formats: Sequence[str] = FORMATS,
                 codings_db: str | None = None, strict: bool = False,
                 dedupe: Dedupe | None = None, sheet: str | None = None,
                 cache: bool = True, tables_only: bool = False, wave: str | None = None,
                 compare: str | None = None) -> ReportResult:
    """Run the whole pipeline and write OUT/tables.csv, OUT/differences.csv, OUT/figurer/*
    and OUT/report.{html,docx,pdf}.

    `weight` names an export column of design weights; `rake` rakes the analysed respondents
    (from those weights, or 1) to the margins in the study definition. Unweighted otherwise.
    `formats` chooses among report.html, report.docx and report.pdf (all by default); every
    format renders the same published tables and charts. With a qual.yaml, the focus groups'
    quotes and placements come from its files, the codings from `codings_db` when given.
    `strict` makes every finding of the data checks an error. `dedupe` ('first' or 'last')
    keeps one row of a respondent found on several (else an error); `sheet` names a
    workbook's answers sheet. `cache=False` draws every chart instead of copying the unchanged
    ones from the chart cache (chart.cache). `tables_only` writes tables.csv and
    differences.csv alone: the numbers, checked and disclosure-controlled as always, without
    the time the charts and documents take. `wave` picks the wave of a study with `waves`
    (default its last); `compare` names another wave, read from its own files in study.yaml,
    and writes changes.csv (tabulate.changes) and that wave's rows into tables.csv.
    """
    formats = () if tables_only else check_formats(formats)
    from .chart import ChartCache, render_charts
    from .chart.cache import default_folder

    progress = progress or Progress()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str, next_step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        progress.step(next_step)

    study = validate_study(study_dir)
    # Refused before any work: an --out that would replace the study, the data or a folder
    # that is not an earlier output.
    inputs = resolve_inputs(study, data, register)
    protected = [study.root, inputs.data, *([inputs.register] if inputs.register else [])]
    check_output_folder(Path(out_dir), protected)
    chart_count = 0 if tables_only else sum(1 for f in study.figures if not f.is_table)
    # One step per lap below (10, and one per format) and one per survey chart drawn.
    progress.start(10 + len(formats) + chart_count)
    lap("study", "Leser svardata")
    options = RunOptions(data, register, lenient, weight, rake, strict, codings_db, dedupe, sheet,
                         wave)
    this_wave = chosen_wave(study, wave) or study.meta.wave_ids()[-1]
    earlier = _compared(study, options, this_wave, compare)
    computed = compute(study, options, lap)
    # The wave's view of the study: the figures as that wave asked them.
    study, published, quality = computed.study, computed.tables, computed.quality
    if compare and earlier is not None:
        # The changes are computed before anything is drawn, so charts, tables and prose of
        # every format print the same ones.
        changes = compare_waves(study, earlier.tables, published, compare, this_wave)
        tests = wave_group_tests(study, earlier.tables, published, compare, this_wave,
                                 groups_covary=rake)
        published = published.with_comparison(Comparison(compare, this_wave, changes, tests))
        # The method tables of both waves (non-response analysis, R-indicator).
        quality = replace(quality, methods=replace(quality.methods, wave=this_wave,
                                                   compared_wave=compare,
                                                   compared=earlier.quality.methods))
    result = ReportResult(Path(out_dir), published, quality, timings=timings)
    with atomic_folder(Path(out_dir), protected) as work:
        kept = ChartCache(default_folder() if cache else None)
        charts = {} if tables_only else render_charts(
            study, published, work, cache=kept,
            progress=lambda figure_id: progress.step(f"Tegner figur {figure_id}"))
        result.charts_cached = kept.hits
        if published.qual is not None and not tables_only:
            charts.update(render_placements(published.qual, work))
        lap("charts", "Skriver tables.csv")
        write_tables_csv(published, work / "tables.csv", this_wave,
                         [(compare, earlier.tables)] if compare and earlier is not None else [])
        write_differences_csv(published.differences or Differences(()),
                              work / "differences.csv")
        if published.comparison is not None and earlier is not None:
            result.changes = published.comparison.changes
            result.compared_findings = earlier.quality.findings
            write_changes_csv(result.changes, work / "changes.csv")
            write_change_tests_csv(published.comparison.tests, work / "change_tests.csv")
        lap("tables.csv", "Skriver rapport")
        for name in formats:
            _writer(name)(study, published, charts, quality, work / f"report.{name}")
            lap(f"report.{name}", "Ferdig" if name == formats[-1] else "Skriver rapport")
        result.files = sorted(p.relative_to(work) for p in work.rglob("*") if p.is_file())
    return result
