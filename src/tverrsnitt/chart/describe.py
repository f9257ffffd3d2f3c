"""Short Norwegian alt texts for screen readers: the kind of chart and what it shows."""

from __future__ import annotations

from collections.abc import Sequence

from ..study import layout
from ..study.model import Figure, Study
from . import style
from .data import ChartData
from .kinds import KINDS


def _listed(names: Sequence[str], last: str = "og") -> str:
    """'a', 'a og b', 'a, b og c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _quoted(names: Sequence[str], last: str = "og") -> str:
    return _listed([f"«{n}»" for n in names], last)


def _measure(study: Study, figure: Figure, data: ChartData) -> str:
    """What each bar is: a distribution, or the share of which categories."""
    item = data.panels[0].rows[0].item
    if data.kind == "stacked":
        return f"fordelingen fra «{data.series[0].name}» til «{data.series[-1].name}»"
    if figure.chart.show:
        return f"andelen {_quoted(list(figure.chart.show.values()))}"
    statistic = figure.statistic_for(item)
    if statistic in ("top2", "bottom2"):
        return f"andelen {_quoted(layout.top_bottom(study, figure, item)[statistic], 'eller')}"
    if data.rows_are == "categories":
        return "andelen per kategori"
    return f"andelen {_quoted([data.series[0].name])}"


def _scope(study: Study, data: ChartData) -> str:
    """Which rows the chart has, and which groups it compares."""
    rows = [row for panel in data.panels for row in panel.rows]
    if data.rows_are == "items":
        statements = all(study.question(r.item).battery for r in rows)
        scope = f"for {len(rows)} {'påstander' if statements else 'spørsmål'}"
    elif data.rows_are == "groups":
        breakdowns = [p.title for p in data.panels if p.title] or [data.breakdown]
        label = study.question(rows[0].item).label
        scope = f"for «{label}» etter {_listed([b.lower() for b in breakdowns])}"
    else:
        labels = list(dict.fromkeys(study.question(r.item).label for r in rows))
        scope = f"for {_listed([label.lower() for label in labels])}"
    if data.kind == "grouped":
        if data.rows_are == "categories" and len(data.series) <= 3:
            # A comparison of a few frames (Utvalg/Populasjon) names them with their N.
            scope += f", {_listed([s.legend for s in data.series])}"
        else:
            scope += f", etter {data.breakdown.lower()}"
    if data.axis_label.startswith(style.AXIS_LABEL) and data.axis_label != style.AXIS_LABEL:
        # The common N of a one-item chart sits in the axis label: 'Prosent (N=2022)'.
        scope += " " + data.axis_label.removeprefix(style.AXIS_LABEL).strip()
    return scope


def alt_text(study: Study, figure: Figure, data: ChartData) -> str:
    """One sentence: chart kind, what each bar is, for which rows and by which groups; a second
    naming the reference surveys marked on the bars, if any."""
    if data.measure:
        whisker = ("med nedre og øvre kvartil" if figure.statistic == "quantiles"
                   else "med 95 prosent konfidensintervall")
        text = (f"{KINDS[data.kind].numbers_words or 'Diagram'} {whisker}: {data.measure} "
                f"{_scope(study, data)}.")
    else:
        text = f"{KINDS[data.kind].shares_words}: {_measure(study, figure, data)} {_scope(study, data)}."
    if data.references:
        names = list(dict.fromkeys(figure.reference_source(k.id).name for k in data.references))
        text += f" Referanseverdier fra {_listed(names)} er markert."
    return text
