"""The placement exercise's table: distances from the centre by education, group and in total,
per round (Tabell 6.1)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean

from ..ingest.placements import ROUNDS, Placement, distance
from ..study import layout

# Rows of `distance_table`: which breakdown a row belongs to.
BY_EDUCATION, BY_GROUP, BY_ALL = "utdanning", "gruppe", "alle"
TOTAL = layout.TOTAL
NO_EDUCATION = "Ikke oppgitt"


@dataclass(frozen=True)
class DistanceRow:
    """Distances from the centre for one education, group or everyone, in one round.

    `by` is `"utdanning"`, `"gruppe"` or `"alle"`; `label` the education, the group or
    "Totalt". Distances are in house radii, unrounded; `on_top` counts the participants who
    wanted their cup on top of the centre cup.
    """

    by: str
    label: str
    round: str
    participants: int
    mean: float
    minimum: float
    maximum: float
    on_top: int



def distance_table(placements: Sequence[Placement], education: Mapping[str, str]) -> list[DistanceRow]:
    """Distances from the centre by education, by group and in total, for each round.

    `education` maps a participant to the education written on their cup; participants it
    does not name count as "Ikke oppgitt". Educations come in the mapping's order, groups in
    the order of the placements, each with the rounds in `ROUNDS` order; a round nobody in
    the row's set was placed in has no row.
    """
    educations = list(dict.fromkeys(text.strip() or NO_EDUCATION for text in education.values()))

    def education_of(p: Placement) -> str:
        return (education.get(p.participant) or "").strip() or NO_EDUCATION

    if any(education_of(p) == NO_EDUCATION for p in placements) and NO_EDUCATION not in educations:
        educations.append(NO_EDUCATION)
    groups = list(dict.fromkeys(p.group for p in placements))
    rows = [*_rows(BY_EDUCATION, educations, education_of, placements),
            *_rows(BY_GROUP, groups, lambda p: p.group, placements),
            *_rows(BY_ALL, [TOTAL], lambda p: TOTAL, placements)]
    return rows


def _rows(by: str, labels: Iterable[str], label_of: Callable[[Placement], str],
          placements: Sequence[Placement]) -> list[DistanceRow]:
    rows = []
    for label in labels:
        for round_ in ROUNDS:
            members = [p for p in placements if p.round == round_ and label_of(p) == label]
            if not members:
                continue
            distances = [distance(p) for p in members]
            rows.append(DistanceRow(by, label, round_, len(members), fmean(distances),
                                    min(distances), max(distances), sum(p.on_top for p in members)))
    return rows
