"""The bands of a `bands` derived variable as intervals with labels, in report order.

One place decides what a band contains and what it is called, so the derivation (clean), the
group labels (tables, charts) and validation agree. `cuts: [3, 6, 11]` on whole numbers gives
0–2, 3–5, 6–10 and '11 eller mer'; on decimals 'Under 3', '3 til under 6' …; explicit `bands`
keep their own labels and inclusive ends.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # model builds on this module (Study.group_labels)
    from .model import Bands, Question

NDASH = "–"


@dataclass(frozen=True)
class Interval:
    """low <= x (< or <=) high; an open end is infinite."""

    label: str
    low: float
    high: float
    high_inclusive: bool

    def contains(self, value: float) -> bool:
        """True when `value` falls in this band."""
        if value < self.low:
            return False
        return value <= self.high if self.high_inclusive else value < self.high


def _number(value: float) -> str:
    text = f"{value:g}" if not float(value).is_integer() else str(int(value))
    return text.replace(".", ",").replace("-", "\u2212")


def _cut_labels(cuts: tuple[float, ...], question: Question) -> list[str]:
    """Generated names of the bands made by `cuts` (whole numbers read 0–2, 3–5 …)."""
    whole = question.whole_numbers and all(float(c).is_integer() for c in cuts)
    low_end = question.range[0] if question.range is not None else None
    labels = []
    edges = [-math.inf, *cuts, math.inf]
    for low, high in itertools.pairwise(edges):
        if math.isinf(high):
            labels.append(f"{_number(low)} eller mer")
        elif whole:
            start = low_end if math.isinf(low) else low
            if start is None or (math.isinf(low) and start >= high):
                labels.append(f"Under {_number(high)}")
            elif start == high - 1:
                labels.append(_number(start))
            else:
                labels.append(f"{_number(start)}{NDASH}{_number(high - 1)}")
        elif math.isinf(low):
            labels.append(f"Under {_number(high)}")
        else:
            labels.append(f"{_number(low)} til under {_number(high)}")
    return labels


def intervals(variable: Bands, question: Question) -> tuple[Interval, ...]:
    """The variable's bands in order (an invalid definition gives what can be read of it;
    `check` reports the problem)."""
    if variable.cuts is not None:
        cuts = tuple(variable.cuts)
        names = list(variable.labels) if variable.labels is not None else _cut_labels(cuts, question)
        edges = [-math.inf, *cuts, math.inf]
        return tuple(Interval(name, low, high, False)
                     for name, low, high in zip(names, edges[:-1], edges[1:], strict=False))
    return tuple(Interval(band.label, -math.inf if band.min is None else band.min,
                          math.inf if band.max is None else band.max, True)
                 for band in variable.bands or ())
