"""Figures and tables as printable grids of text: the numbers behind every chart.

Only formatting happens here (whole percents, thousands separators); every number comes from
the tabulated rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .. import numbers
from ..ingest.placements import ROUND_LABEL, distance
from ..numbers import NBSP, decimal, number, p_value, percent_range_words, percent_words, points, thousands
from ..study import layout
from ..study.model import Figure, Recode, ReferenceValue, Study
from ..study.statistics import category_value, decimals_for
from ..tabulate import TableRow, Tables, shown_whole_percent
from ..tabulate.changes import Change, ChangeTest
from ..tabulate.differences import NUMERIC_TESTED, GroupDifference
from ..tabulate.evidence import QualEvidence
from ..tabulate.placements import TOTAL as PLACEMENT_TOTAL
from ..tabulate.placements import DistanceRow, distance_table

CATEGORY_LABELS = {"top2": "Topp 2", "bottom2": "Bunn 2", "mean": "Gjennomsnitt",
                   "median": "Median", "q1": "Nedre kvartil", "q3": "Øvre kvartil",
                   "sum": "Sum", "net": "Netto-score"}
CI_HEADING = "95 % KI"  # the confidence interval column of a number


@dataclass
class Grid:
    """A table to print: a caption line, column headings, rows of cells."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    emphasis: list[bool] = field(default_factory=list)
    indented: list[bool] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # lines printed under the table

    def add(self, cells: Sequence[str], strong: bool = False, indent: bool = False) -> None:
        """Append one row (strong rows are subtotals, indented rows belong to the one above)."""
        self.rows.append(list(cells))
        self.emphasis.append(strong)
        self.indented.append(indent)


def n_text(tables: Tables, figure: Figure) -> str:
    """'N = 2 226' or 'N = 2 186–2 232' over the figure's own breakdown (a mean beside shares,
    as Figur 3.3's, aside: it has its own N in the table)."""
    rows = [r for r in tables.for_figure(figure.id) if r.by == figure.by
            and not tables.is_hidden(r) and r.base > 0]
    shares = [r for r in rows if category_value(r.category) == "share"]
    return numbers.n_text(r.base for r in (shares or rows))


def response_status_grid(study: Study, tables: Tables, figure: Figure) -> Grid:
    """Tabell 2.1: percent of invited and number, for each line of the response status; the
    screening reasons, indented, right under 'Ekskludert', whose count they make up."""
    grid = Grid("", ["", "%", "Antall"])
    rows = tables.for_figure(figure.id)
    head = [r for r in rows if r.category in layout.RESPONSE_STATUS_HEAD]
    reasons = [r for r in rows if r.category not in layout.RESPONSE_STATUS_HEAD]
    ordered = [line for r in head
               for line in ([r, *reasons] if r.category == "Ekskludert" else [r])]
    if not any(r.category == "Ekskludert" for r in head):
        ordered += reasons
    for row in ordered:
        percent = "" if row.category == layout.RESPONSE_STATUS_ANALYSED else str(shown_whole_percent(row))
        count = thousands(row.count)
        if tables.is_hidden(row):
            percent, count = HIDDEN, HIDDEN
        reason = row.category not in layout.RESPONSE_STATUS_HEAD
        grid.add([row.category, percent, count], strong=row.category == layout.RESPONSE_STATUS_ANALYSED,
                 indent=reason)
    return grid


def composition_grid(study: Study, tables: Tables, figure: Figure) -> Grid:
    """Tabell 3.1: each group with its share of everyone, then its roles with counts."""
    what = study.question(figure.items[0]).label.lower() if figure.items else ""
    grid = Grid("", [f"{study.breakdown_label(figure.by)} / {what}" if what
                     else study.breakdown_label(figure.by), "Antall", "%"])
    variable = None if study.has_question(figure.by) else study.derived_variable(figure.by)
    headings = ({g.label: g.heading or g.label for g in variable.groups}
                if isinstance(variable, Recode) else {})
    rows = tables.for_figure(figure.id)
    for group in layout.groups(study, figure.by):
        in_group = [r for r in rows if r.group == group]
        total = next((r for r in in_group if r.category == layout.TOTAL), None)
        if total is None:
            continue
        label = layout.TOTAL if group == layout.TOTAL else headings.get(group, group)
        shown = not tables.is_hidden(total)
        grid.add([label, thousands(total.count) if shown else HIDDEN,
                  str(shown_whole_percent(total)) if shown else HIDDEN], strong=True)
        for row in in_group:
            if row.category != layout.TOTAL:
                count = HIDDEN if tables.is_hidden(row) else thousands(row.count)
                grid.add([row.category, count, ""], indent=True)
    return grid


HIDDEN = ":"  # the SSB convention for a number withheld to protect respondents
NOT_COMPUTABLE = "–"  # no number exists (R gives NA): a footnote under the table says why


def answers_grid(study: Study, tables: Tables, figure: Figure, by: str) -> Grid:
    """Free-text answers group by group; a group under K shows neither count nor answers."""
    title = "" if by == figure.by else f"Etter {study.breakdown_label(by).lower()}"
    grid = Grid(title, [study.breakdown_label(by) or "Svar", "Antall"])
    withheld = 0
    for item in figure.items:
        if len(figure.items) > 1:
            grid.add([study.question(item).label, ""], strong=True)
        for group in layout.groups(study, by):
            if by != "none" and group == layout.TOTAL:
                continue
            row = tables.get(figure.id, item, by, group, layout.ANSWERS)
            if row is None or row.count == 0:
                continue
            if tables.is_hidden(row):
                withheld += 1
                grid.add([group, HIDDEN], strong=by != "none")
                continue
            if by != "none":
                grid.add([group, thousands(row.count)], strong=True)
            for text in tables.verbatims.get((figure.id, item, by, group), ()):
                grid.add([text, ""], indent=by != "none")
    if withheld:
        grid.notes.append(f"Svarene fra {withheld} {'gruppe' if withheld == 1 else 'grupper'} "
                          f"er holdt tilbake fordi gruppen har færre enn {tables.min_cell} svar, "
                          "eller fordi tallet ellers kunne regnes ut.")
    return grid


def _cell(study: Study, tables: Tables, row: TableRow | None) -> str:
    if row is None:
        return ""
    if tables.is_hidden(row):
        return HIDDEN
    kind = category_value(row.category)
    if kind != "share":
        if row.estimate is None or row.count == 0:
            return NOT_COMPUTABLE
        return points(row.estimate) if kind == "points" else _number(study, row, row.estimate)
    return str(shown_whole_percent(row))


def _number(study: Study, row: TableRow, value: float) -> str:
    whole = study.has_question(row.item) and study.question(row.item).whole_numbers
    return number(value, decimals_for(whole, row.category))


def _interval(study: Study, tables: Tables, row: TableRow | None) -> str:
    """A number's 95 % confidence interval as '70,5–72,4' ('–' where R has none)."""
    if row is None:
        return ""
    if tables.is_hidden(row):
        return HIDDEN
    if row.ci_low is None or row.ci_high is None:
        return NOT_COMPUTABLE
    if category_value(row.category) == "points":
        return f"{points(row.ci_low)} til {points(row.ci_high)}"
    return f"{_number(study, row, row.ci_low)}–{_number(study, row, row.ci_high)}"


def _with_interval(categories: tuple[str, ...]) -> bool:
    """True for one number per group (a mean, median, sum or net score): it gets a CI column."""
    return len(categories) == 1 and category_value(categories[0]) != "share"


def breakdown_grids(study: Study, tables: Tables, figure: Figure, by: str) -> list[Grid]:
    """Percent by category for each item and group of one breakdown, with N. Several
    statements by group get a table each, the statement as its title (said once, not on every
    row), each with its group test under it."""
    items = _shown_items(tables, figure)
    label = study.breakdown_label(by).lower()
    if by != "none" and len(items) > 1:
        grids = []
        for item in items:
            statement = study.question(item).label if study.has_question(item) else item
            title = statement if by == figure.by else f"{statement} – etter {label}"
            grids.append(_breakdown(study, tables, figure, by, Grid(title, []), [item]))
    else:
        title = "" if by == figure.by else f"Etter {label}"
        grids = [_breakdown(study, tables, figure, by, Grid(title, []), items)]
    if not items and figure.select is not None:
        grids[0].notes.append(f"Ingen utsagn har en signifikant forskjell på minst "
                              f"{decimal(figure.select.min_points, 0)} prosentpoeng mellom "
                              "gruppene.")
    return grids


def _shown_items(tables: Tables, figure: Figure) -> list[str]:
    """The figure's items in print order, less those `select:` leaves out."""
    differences = tables.differences
    if differences is not None and figure.select is not None:
        return list(differences.selected_items(figure))
    return list(layout.figure_items(figure))


def _breakdown(study: Study, tables: Tables, figure: Figure, by: str, grid: Grid,
               items: Sequence[str]) -> Grid:
    """Fill `grid` with the items' rows: one per group (by a breakdown) or per item."""
    differences = tables.differences
    not_computable: list[str] = []
    for item in items:
        categories = layout.categories(study, figure, item)
        interval = _with_interval(categories)
        item_label = study.question(item).label if study.has_question(item) else item
        first = study.breakdown_label(by) if by != "none" and grid.title else ""
        header = [first,
                  *(CATEGORY_LABELS.get(c, c) for c in categories),
                  *((CI_HEADING,) if interval else ()), "N"]
        if grid.header and header[1:] != grid.header[1:]:
            grid.add(header, strong=True)
        elif not grid.header:
            grid.header = header
        for group in layout.groups(study, by):
            cells = [tables.get(figure.id, item, by, group, c) for c in categories]
            present = [c for c in cells if c is not None]
            if not present:
                continue
            label = item_label if by == "none" and len(items) > 1 else group
            base = HIDDEN if any(tables.is_hidden(c) for c in present) else thousands(
                present[0].base)
            extra = [_interval(study, tables, cells[0])] if interval else []
            grid.add([label, *(_cell(study, tables, c) for c in cells), *extra, base],
                     strong=group == layout.TOTAL and by != "none")
            for cell in present:
                if cell.note and not tables.is_hidden(cell) and cell.count > 0:
                    not_computable.append(f"{label}: {cell.note}")
        if differences is not None:
            for result in differences.find(figure.id, item, by):
                grid.notes.append(test_line(study, result, several=len(items) > 1))
    for line in dict.fromkeys(not_computable):
        grid.notes.append(f"{NOT_COMPUTABLE} ikke beregnbar – {line}.")
    grid.notes.extend(method_notes(study, figure, items))
    return grid


# How each statistic of numbers is computed, said under its table (in the report's language).
METHOD_NOTES = {
    "mean": "Gjennomsnitt med 95 prosent konfidensintervall (KI) som i R survey: svymean, "
            "t-fordeling med gruppens frihetsgrader.",
    "sum": "Sum med 95 prosent konfidensintervall (KI) som i R survey: svytotal.",
    "quantile": "Median og kvartiler som i R survey: svyquantile med regelen «math» (den "
                "minste verdien der den kumulative andelen når p); konfidensintervall etter "
                "Woodruffs metode.",
}


def method_notes(study: Study, figure: Figure, items: Sequence[str]) -> list[str]:
    """One line per kind of number in the table: how it and its interval are computed."""
    notes: list[str] = []
    for item in items:
        statistic = figure.statistic_for(item)
        if statistic == "net":
            plus, minus = layout.net_sets(study, figure, item)
            line = (f"Netto-score: andelen {_spans(plus)} minus andelen {_spans(minus)}, i "
                    "poeng, med 95 prosent konfidensintervall (KI) som i R survey: svycontrast.")
        elif statistic in ("median", "quantiles"):
            line = METHOD_NOTES["quantile"]
        else:
            line = METHOD_NOTES.get(statistic, "")
        if line and line not in notes:
            notes.append(line)
    return notes


def _spans(options: Sequence[str]) -> str:
    """'9–10' for a run of scale points, else the options quoted."""
    if options and all(o.lstrip("-").isdigit() for o in options):
        points = [int(o) for o in options]
        if points == list(range(points[0], points[-1] + 1)):
            return f"{points[0]}–{points[-1]}" if len(points) > 1 else str(points[0])
    return " eller ".join(f"«{o}»" for o in options)


def test_line(study: Study, result: GroupDifference, several: bool) -> str:
    """'Forskjellen mellom gruppene er (ikke) statistisk signifikant (Rao–Scott F = 4,21,
    p = 0,003).', prefixed by the statement or option it is about when the table has several."""
    verdict = "" if result.significant else "ikke "
    test = result.test
    name = "Wald" if result.method == "wald" else "Rao–Scott"
    if test is None:
        line = f"Forskjellen mellom gruppene kan ikke testes: {result.reason}."
    else:
        line = (f"Forskjellen mellom gruppene er {verdict}statistisk signifikant "
                f"({name} F{NBSP}={NBSP}{decimal(test.f, 2)}, {p_value(test.p_value)}).")
    if result.share is not None and result.share not in ("top2", "bottom2", *NUMERIC_TESTED):
        return f"{result.share}: {line}"  # an option of a multi-select
    return f"{study.question(result.item).label}: {line}" if several else line


def _percent(value: float) -> str:
    return percent_words(int(value)) if value == int(value) else f"{decimal(value)}{NBSP}prosent"


def _reference_value(ref: ReferenceValue) -> str:
    """'7 prosent', 'mellom 52 og 58 prosent' (decimals kept where the source gives them)."""
    if not ref.is_range:
        return _percent(ref.low)
    if ref.low == int(ref.low) and ref.high == int(ref.high):
        return percent_range_words(int(ref.low), int(ref.high))
    return f"mellom {_percent(ref.low).split(NBSP)[0]} og {_percent(ref.high)}"


def _category_text(study: Study, figure: Figure, item: str, category: str) -> str:
    """'«Godt»' for an option; 'enig eller svært enig' for top2/bottom2."""
    run = layout.top_bottom(study, figure, item).get(category)
    if category in ("top2", "bottom2") and run:
        return " eller ".join(option[:1].lower() + option[1:] for option in run)
    return f"«{category}»"


def reference_lines(study: Study, figure: Figure, items: Sequence[str]) -> list[str]:
    """Notes under a figure's numbers: the published values it is compared with, one line per
    statement and category, each value with its source, population and citation ('TALIS 2018,
    lærere på ungdomstrinnet: 7 prosent (Throndsen, Carlsten og Björnsson 2019)')."""
    by_cell: dict[tuple[str, str], list[ReferenceValue]] = {}
    for ref in figure.reference_values:
        if ref.item in items:
            by_cell.setdefault((ref.item, ref.category), []).append(ref)
    lines = []
    for (item, category), refs in by_cell.items():
        what = [_category_text(study, figure, item, category)]
        if len(figure.items) > 1:
            what.insert(0, f"«{study.question(item).label}»")
        values = []
        for ref in refs:
            source = figure.reference_source(ref.source)
            note = f", {ref.note}" if ref.note else ""
            values.append(f"{source.name}, {source.population}: {_reference_value(ref)}{note} "
                          f"({source.citation})")
        lines.append(f"Referanseverdier, {', '.join(what)}: {'; '.join(values)}.")
    return lines


def figure_grids(study: Study, tables: Tables, figure: Figure) -> list[Grid]:
    """The grids printed for a figure: the table itself, or the numbers behind the chart."""
    if figure.statistic == "response_status":
        waves = change_grid(study, tables, figure)  # both waves' response, with --compare
        return [response_status_grid(study, tables, figure), *((waves,) if waves else ())]
    if figure.statistic == "count":
        return [composition_grid(study, tables, figure)]
    if figure.statistic == "answers":
        return [answers_grid(study, tables, figure, by) for by in figure.breakdowns]
    if figure.statistic in ("placement", "placement_distances"):
        if tables.qual is None:
            return []
        return [placement_grid(tables.qual, figure.id) if figure.statistic == "placement"
                else distances_grid(tables.qual)]
    own = breakdown_grids(study, tables, figure, figure.by)
    if figure.reference_values:
        # Under the figure's own table (each statement's under its own, when it has one);
        # statements left out by `select:` take theirs along.
        shown = _shown_items(tables, figure)
        if len(own) > 1:
            for grid, item in zip(own, shown, strict=True):
                grid.notes.extend(reference_lines(study, figure, [item]))
        else:
            own[0].notes.extend(reference_lines(study, figure, shown))
    trend = change_grid(study, tables, figure)
    return [*own, *(grid for by in figure.breakdowns if by != figure.by
                    for grid in breakdown_grids(study, tables, figure, by)),
            *((trend,) if trend is not None else ())]


# ----------------------------------------------------------------------------- waves


def _level(study: Study, change: Change, value: float) -> str:
    """One wave's estimate as the numbers tables print it (a whole percent for a share)."""
    kind = category_value(change.category)
    if kind == "share":
        return str(numbers.whole(value))
    if kind == "points":
        return points(value)
    whole = study.has_question(change.item) and study.question(change.item).whole_numbers
    return number(value, decimals_for(whole, change.category))


def change_grid(study: Study, tables: Tables, figure: Figure) -> Grid | None:
    """The figure's change since the compared wave: each group's number in both waves, the
    change (percentage points for shares) with its 95 % interval, a '*' where it is
    significant. Cells hidden in either wave print ':'."""
    comparison = tables.comparison
    if comparison is None or not comparison.shows_trend(study, figure):
        return None
    before, after = comparison.wave_from, comparison.wave_to
    first = study.breakdown_label(figure.by) if figure.by != "none" else ""
    grid = Grid(f"Endring fra {before} til {after}",
                [first, before, after, "Endring", CI_HEADING])
    items = _shown_items(tables, figure)
    left_out: list[str] = []
    for item in items:
        item_label = study.question(item).label if study.has_question(item) else item
        categories = layout.trend_categories(study, figure, item)
        found = [comparison.get((figure.id, item, figure.by, g, c))
                 for c in categories for g in layout.groups(study, figure.by)]
        present = [c for c in found if c is not None]
        if present and not present[0].comparable:
            left_out.append(item_label)
            continue
        for change in present:
            parts = [item_label] if len(items) > 1 else []
            if len(categories) > 1:
                parts.append(CATEGORY_LABELS.get(change.category, change.category))
            if figure.by != "none":
                parts.append(change.group)
            parts = parts or [item_label]
            strong = change.group == layout.TOTAL and figure.by != "none"
            if change.hidden:
                grid.add([" – ".join(parts), HIDDEN, HIDDEN, HIDDEN, HIDDEN], strong=strong)
                continue
            if change.estimate_from is None or change.estimate_to is None:
                # No answers in the cell in one of the waves: nothing to set side by side.
                grid.add([" – ".join(parts), *[NOT_COMPUTABLE] * 4], strong=strong)
                continue
            levels = [_level(study, change, change.estimate_from),
                      _level(study, change, change.estimate_to)]
            if change.change is None:
                grid.add([" – ".join(parts), *levels, NOT_COMPUTABLE, NOT_COMPUTABLE],
                         strong=strong)
                continue
            if change.ci_low is None or change.ci_high is None:
                # Untested (a count of everyone invited, a quantile): the change, no interval.
                grid.add([" – ".join(parts), *levels, numbers.signed(change.change),
                          NOT_COMPUTABLE], strong=strong)
                continue
            mark = "*" if change.significant else ""
            grid.add([" – ".join(parts), *levels, f"{numbers.signed(change.change)}{mark}",
                      f"{numbers.signed(change.ci_low)} til {numbers.signed(change.ci_high)}"],
                     strong=strong)
    if not grid.rows:
        return None
    unit = ("prosentpoeng" if category_value(grid_category(study, figure, items)) == "share"
            else "spørsmålets enhet")
    if figure.statistic == "response_status":
        grid.notes.append("Prosent av de inviterte i hver runde; endringen i prosentpoeng. Tallene "
                          "er opptellinger av alle inviterte, ikke utvalgsanslag, og testes ikke.")
    else:
        grid.notes.append(f"Endring i {unit} med 95 prosent konfidensintervall (KI). * Signifikant "
                          f"endring (p < 0,05, Holm-justert over figurens utsagn): t-test for "
                          f"uavhengige utvalg på hver rundes eget design, som i R survey "
                          f"(svyby og svycontrast).")
    if figure.by != "none":
        for item in items:
            for category in layout.trend_categories(study, figure, item):
                test = comparison.test(figure.id, item, figure.by, category)
                if test is not None:
                    grid.notes.append(change_test_line(study, test, several=len(items) > 1))
    for label in left_out:
        grid.notes.append(f"«{label}» kan ikke sammenlignes mellom {before} og {after} "
                          "(spørsmålet ble ikke stilt, eller er endret).")
    return grid


def change_test_line(study: Study, test: ChangeTest, several: bool) -> str:
    """'Endringen er (ikke) statistisk signifikant forskjellig mellom gruppene (Rao–Scott
    F = 1,62, p = 0,184).', prefixed by the statement when the table has several."""
    if test.f is None or test.p_value is None:
        line = f"Om endringen er forskjellig mellom gruppene, kan ikke testes ({test.not_computable})."
    else:
        verdict = "" if test.p_value < 0.05 else "ikke "
        name = "Rao–Scott" if test.method == "rao-scott" else "Wald"
        line = (f"Endringen er {verdict}statistisk signifikant forskjellig mellom gruppene "
                f"({name} F{NBSP}={NBSP}{decimal(test.f, 2)}, {p_value(test.p_value)}).")
    label = study.question(test.item).label if study.has_question(test.item) else test.item
    return f"{label}: {line}" if several else line


def grid_category(study: Study, figure: Figure, items: Sequence[str]) -> str:
    """The first printed category of the change table (all of one kind in a figure)."""
    return next((c for item in items for c in layout.trend_categories(study, figure, item)), "top2")


# ----------------------------------------------------------------------------- focus groups

BY_LABEL = {"utdanning": "Utdanning", "gruppe": "Fokusgruppe", "alle": "Alle"}


def placement_grid(evidence: QualEvidence, figure_id: str) -> Grid:
    """Each cup of one diagram: participant, education, distance and whether they wanted it on
    top (asked in the pupil round only)."""
    declared = next(f for f in evidence.qual.figures if f.id == figure_id)
    cups = [p for p in evidence.placements
            if p.group == declared.group and p.round == declared.round]
    asked = declared.round == "elev"
    grid = Grid("", ["Deltaker", "Utdanning", "Avstand", *(["Ønsket oppå"] if asked else [])])
    education = evidence.education()
    for cup in sorted(cups, key=lambda p: distance(p)):
        grid.add([cup.participant, education.get(cup.participant, ""), decimal(distance(cup), 2),
                  *(["ja" if cup.on_top else "nei"] if asked else [])])
    grid.notes.append("Avstand fra sentrum i husradier: kanten av den ytterste ringen er 1.")
    return grid


def distances_grid(evidence: QualEvidence) -> Grid:
    """Mean (min–max) distance from the centre by education, group and in all, per round."""
    rounds = list(ROUND_LABEL)
    grid = Grid("", ["", "Antall", *(ROUND_LABEL[r] for r in rounds), "Ønsket oppå"])
    rows = distance_table(list(evidence.placements), evidence.education())
    by_label: dict[tuple[str, str], dict[str, DistanceRow]] = {}
    for row in rows:
        by_label.setdefault((row.by, row.label), {})[row.round] = row
    current = None
    for (by, label), per_round in by_label.items():
        if by != current and by != "alle":
            grid.add([BY_LABEL[by], "", *("" for _ in rounds), ""], strong=True)
        current = by
        cells = []
        for round_ in rounds:
            found = per_round.get(round_)
            cells.append("" if found is None else
                         f"{decimal(found.mean, 2)} ({decimal(found.minimum, 2)}–"
                         f"{decimal(found.maximum, 2)})")
        count = max(r.participants for r in per_round.values())
        wanted = per_round.get("elev")
        shown = evidence.qual.group(label).label if by == "gruppe" else label
        grid.add([shown, str(count), *cells,
                  str(wanted.on_top) if wanted is not None else ""],
                 strong=label == PLACEMENT_TOTAL, indent=by != "alle")
    grid.notes.append("Gjennomsnittlig avstand fra sentrum i husradier (lavest–høyest); "
                      "«Ønsket oppå»: hvor mange som ville plassert koppen oppå elevens.")
    return grid
