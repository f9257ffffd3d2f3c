"""The placement exercise in the report: one curling-house diagram per group and round, and the
numbers printed beside them (each cup's distance; distances by education, group and round)."""

from __future__ import annotations

from pathlib import Path

from ..chart import Chart, file_stem
from ..numbers import decimal
from ..report.grids import Grid
from .curling import alt_text, draw_curling
from .evidence import QualEvidence
from .placement import ROUND_LABEL, TOTAL, DistanceRow, distance, distance_table

BY_LABEL = {"utdanning": "Utdanning", "gruppe": "Fokusgruppe", "alle": "Alle"}


def render_placements(evidence: QualEvidence, out_dir: Path) -> dict[str, Chart]:
    """Draw every placement figure of qual.yaml that has cups, into `out_dir/figurer/`."""
    folder = Path(out_dir).resolve() / "figurer"
    charts: dict[str, Chart] = {}
    labels = evidence.education()
    for figure in evidence.qual.figures:
        if figure.kind != "placement" or figure.group is None or figure.round is None:
            continue
        if not evidence.has_placements(figure.group, figure.round):
            continue
        svg, png = draw_curling(evidence.placements, figure.group, figure.round, labels,
                                folder / file_stem(figure.id))
        charts[figure.id] = Chart(figure.id, svg, png,
                                  alt_text(evidence.placements, figure.group, figure.round))
    return charts


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
                 strong=label == TOTAL, indent=by != "alle")
    grid.notes.append("Gjennomsnittlig avstand fra sentrum i husradier (lavest–høyest); "
                      "«Ønsket oppå»: hvor mange som ville plassert koppen oppå elevens.")
    return grid
