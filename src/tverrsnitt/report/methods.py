"""Method tables: non-response by register variable, the R-indicator, and the weights used.

Only formatting happens here; the numbers come from `weight.representativity` and
`weight.study_raking`; which categories are withheld (":"), with everything computed from
them, is decided by `tabulate.disclosure.withheld_parts`, the rule every table follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..numbers import decimal, signed, thousands
from ..study import layout
from ..tabulate.disclosure import withheld_parts
from ..weight.representativity import NonresponseAnalysis
from ..weight.study_raking import StudyWeights
from ..weight.summary import WeightSummary
from .grids import HIDDEN, Grid

if TYPE_CHECKING:
    from ..tabulate.evidence import QualEvidence


@dataclass(frozen=True)
class MethodResults:
    """What the run computed for the method tables (None where it was not computed)."""

    nonresponse: NonresponseAnalysis | None = None
    weights: StudyWeights | None = None
    # --weight COLUMN: the export supplied the weights; their summary and the column's name.
    supplied: WeightSummary | None = None
    weight_column: str | None = None
    # With --compare: this run's wave, and the compared wave's own results, whose
    # non-response tables are printed after this wave's.
    wave: str | None = None
    compared_wave: str | None = None
    compared: MethodResults | None = None


def nonresponse_grids(analysis: NonresponseAnalysis, k: int) -> list[Grid]:
    """One table per register variable: invited, linked respondents, difference, response."""
    grids = []
    for variable in analysis.variables:
        grid = Grid(f"Frafallsanalyse: {variable.label.lower()}",
                    [variable.label, "Inviterte", "Inviterte %", "Svarte", "Svarte %",
                     "Differanse (pp)", "Koblet svarandel %"])
        hidden = withheld_parts([(c.category, (c.respondents, c.invited))
                                 for c in variable.categories], k)
        for c in variable.categories:
            if c.category in hidden:
                grid.add([c.category, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN])
                continue
            grid.add([c.category, thousands(c.invited), decimal(c.invited_percent),
                      thousands(c.respondents), decimal(c.respondent_percent),
                      signed(c.difference), decimal(c.response_rate)])
        grid.add([layout.TOTAL, thousands(variable.invited), "100,0",
                  thousands(variable.respondents), "100,0", "", ""], strong=True)
        grid.notes.append(
            f"Svarte: de {thousands(analysis.linked)} av {thousands(analysis.analysed)} "
            "analyserte som kan kobles til medlemsregisteret. Koblet svarandel er andelen av de "
            "inviterte som er blant dem, ikke svarprosenten.")
        if hidden:
            grid.notes.append(f"«{HIDDEN}» betyr at tallet er holdt tilbake fordi det bygger på "
                              f"færre enn {k} personer, eller ville avsløre et slikt tall.")
        grids.append(grid)
    return grids


def representativity_grid(analysis: NonresponseAnalysis) -> Grid:
    """The R-indicator with the propensities behind it, or why it could not be estimated."""
    grid = Grid("Representativitet (R-indikator)", ["", "Verdi"])
    indicator = analysis.indicator
    if indicator is None:
        grid.notes.append(f"R-indikatoren kunne ikke beregnes: {analysis.indicator_problem}")
        return grid
    grid.add(["R-indikator", decimal(indicator.r, 3)], strong=True)
    grid.add(["Gjennomsnittlig svarsannsynlighet", decimal(indicator.mean_propensity, 4)])
    grid.add(["Standardavvik i svarsannsynlighet", decimal(indicator.sd_propensity, 4)])
    grid.add(["Inviterte", thousands(indicator.invited)])
    grid.add(["Koblede svar", thousands(indicator.respondents)])
    grid.notes.append(
        "R = 1 − 2·S(ρ), der ρ er svarsannsynligheter fra en logistisk regresjon på "
        f"{', '.join(analysis.model_labels or indicator.variables)} (hovedeffekter) over alle "
        "inviterte. R = 1 betyr at alle hadde like stor sannsynlighet for å svare "
        "(Schouten, Cobben og Bethlehem 2009).")
    return grid


def weight_grids(results: MethodResults) -> list[Grid]:
    """The margins the weights were raked to and the weights' spread, design effect and n."""
    weights = results.weights
    if weights is None:
        if results.supplied is None:
            return []
        return [_spread(results.supplied, [f"Vektene er hentet fra kolonnen «{results.weight_column}» "
                                           "i svardata."])]
    margins = Grid("Vekting: marginer før og etter raking",
                   ["Kategori", "Populasjon", "Populasjon %", "Svarte", "Uvektet %", "Vektet %"])
    for check in weights.margins:
        margins.add([f"{check.variable}: {check.category}", thousands(round(check.population)),
                     decimal(check.population_percent), thousands(check.respondents),
                     decimal(check.unweighted_percent), decimal(check.weighted_percent)])
    if weights.note:
        margins.notes.append(weights.note)
    notes = []
    if weights.trim is not None:
        notes.append(f"Vektene er trimmet til mellom {decimal(weights.trim.lower, 2)} og "
                     f"{decimal(weights.trim.upper, 2)} ganger gjennomsnittsvekten.")
    notes.append("Usikkerheten i andelene og testene av forskjeller mellom grupper er beregnet "
                 "med Taylor-linearisering der rakingen behandles som kalibrering, som i "
                 "R-pakken survey.")
    return [margins, _spread(weights.summary, notes)]


def _spread(summary: WeightSummary, notes: list[str]) -> Grid:
    grid = Grid("Vekting: oppsummering av vektene", ["", "Verdi"])
    grid.add(["Antall svar", thousands(summary.n)])
    grid.add(["Minste vekt", decimal(summary.minimum, 2)])
    grid.add(["Største vekt", decimal(summary.maximum, 2)])
    grid.add(["Gjennomsnittlig vekt", decimal(summary.mean, 2)])
    grid.add(["Variasjonskoeffisient (CV)", decimal(summary.cv, 3)])
    grid.add(["Designeffekt (1 + CV²)", decimal(summary.deff, 3)])
    grid.add(["Effektivt antall svar", thousands(round(summary.n_eff))], strong=True)
    grid.notes.extend(notes)
    return grid


def themes_grid(evidence: QualEvidence) -> Grid:
    """Coded passages per theme and focus group (a theme's count includes its sub-themes')."""
    groups = evidence.qual.groups
    grid = Grid("Tematisk oversikt: kodede utsagn per tema og fokusgruppe",
                ["Tema", *(g.label for g in groups), layout.TOTAL])
    counts = evidence.theme_counts()
    for top in evidence.qual.themes:
        for theme in top.walk():
            per_group = [counts.get((theme.code, g.id), 0) for g in groups]
            grid.add([theme.name, *(str(n) for n in per_group), str(sum(per_group))],
                     strong=theme is top, indent=theme is not top)
    coders = " og ".join(evidence.coders) if evidence.coders else "ingen"
    grid.notes.append(f"Kodet av {coders}; utsagn begge kodet likt er telt én gang. Et utsagn "
                      "kan ha flere temaer.")
    return grid
