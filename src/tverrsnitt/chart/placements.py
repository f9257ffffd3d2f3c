"""The placement exercise's charts: one curling-house diagram per focus group and round."""

from __future__ import annotations

from pathlib import Path

from ..tabulate.evidence import QualEvidence
from . import Chart, file_stem
from .curling import alt_text, draw_curling


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
