"""Free-text answers for `statistic: answers` entries, collected by group.

The answers are sorted alphabetically (their order in the export would follow respondents) and
grouped like the entry's count rows: by the breakdown's groups, with Totalt over the respondents
who have a group. Whether a group's answers may be published is decided by disclosure control on
those count rows, not here.
"""

from __future__ import annotations

import polars as pl

from ..clean import AnalysisData
from ..clean.expressions import base_expr
from ..study import layout
from ..study.model import Study
from .tables import Verbatims


def collect_verbatims(study: Study, data: AnalysisData) -> Verbatims:
    """Every `answers` entry's texts per (figure, item, by, group)."""
    found: Verbatims = {}
    frame = data.respondents
    for figure in study.figures:
        for item in figure.items:
            if figure.statistic_for(item) != "answers":
                continue
            answered = frame.filter(base_expr(study.question(item), study))
            for by in figure.breakdowns:
                for group in layout.groups(study, by):
                    if group == layout.TOTAL:
                        chosen = answered if by == "none" else answered.filter(
                            pl.col(by).is_not_null())
                    else:
                        chosen = answered.filter(pl.col(by).cast(pl.String) == group)
                    texts = (str(t).strip() for t in chosen[item].to_list())
                    found[(figure.id, item, by, group)] = tuple(sorted(t for t in texts if t))
    return found
