"""Responses per day as chart geometry: bars, axes and mailing markers for an inline SVG.

The numbers come from `status.fieldwork_status`; this module only places them. The admin
template draws the SVG from these shapes, so every label passes through autoescaping.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from .status import FieldworkStatus, date_label, mail_kind_label

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 56, 34
LABEL_ROW = 15  # height of one row of marker labels above the plot
CHAR_WIDTH = 6.2  # an 11px sans-serif character, on average: enough to keep labels apart
LABEL_GAP = 8
MAX_X_LABELS = 8


@dataclass(frozen=True)
class Bar:
    """One bar: a day's count of one series."""

    x: float
    y: float
    width: float
    height: float
    series: str  # 'started' or 'completed'
    day: dt.date
    count: int


@dataclass(frozen=True)
class Tick:
    """An axis tick: where, and what it says."""

    position: float
    label: str


@dataclass(frozen=True)
class Marker:
    """A vertical line on the day a mail went out (invitation, reminder) or the deadline."""

    x: float
    label: str  # with the date: 'Påminnelse 1 13.02.'
    day: dt.date
    label_y: float
    kind: str  # 'mailing' (sent that day), 'planned' (not sent yet) or 'deadline'
    anchor: str  # 'start', 'middle' or 'end': labels at the edges grow inwards, not off the chart


@dataclass(frozen=True)
class DayRow:
    """One row of the table under the chart: the chart's numbers for one day."""

    day: dt.date
    started: int
    completed: int
    events: tuple[str, ...]


@dataclass(frozen=True)
class ActivityChart:
    """Everything the template needs to draw the chart and say what it shows."""

    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    markers: tuple[Marker, ...]
    description: str
    rows: tuple[DayRow, ...]


def events(status: FieldworkStatus) -> list[tuple[dt.date, str, str]]:
    """The chart's markers (day, label, kind): each mailing on the first day it actually went
    out, or on its planned date while none is sent, and the deadline."""
    sent = {count.kind: count.sent_days for count in status.mail_counts if count.sent_days}
    planned = [("invitation", status.opens), *((r.name, r.date) for r in status.reminders)]
    found: list[tuple[dt.date, str, str]] = []
    for kind in dict.fromkeys([*(k for k, _ in planned), *sent]):
        if kind in sent:
            found.append((sent[kind][0][0], mail_kind_label(kind), "mailing"))
            continue
        day = next((d for k, d in planned if k == kind), None)
        if day is not None:
            found.append((day, f"{mail_kind_label(kind)} (planlagt)", "planned"))
    if status.closes is not None:
        found.append((status.closes, "Frist", "deadline"))
    return sorted(found)


def day_events(status: FieldworkStatus) -> dict[dt.date, list[str]]:
    """What the table under the chart says for each day: every day mails went out (with how
    many), planned mailings not sent yet, and the deadline."""
    by_day: dict[dt.date, list[str]] = {}
    for count in status.mail_counts:
        for day, n in count.sent_days:
            by_day.setdefault(day, []).append(f"{mail_kind_label(count.kind)}: {n} sendt")
    for day, label, kind in events(status):
        if kind != "mailing":
            by_day.setdefault(day, []).append(label)
    return by_day


def _step(maximum: int) -> int:
    """A round step (1, 2, 5, 10, 20, …) that gives at most five gridlines up to `maximum`."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            if maximum / (factor * magnitude) <= 5:
                return factor * magnitude
        magnitude *= 10


def activity_chart(status: FieldworkStatus) -> ActivityChart | None:
    """The daily chart from the first to the last day of fieldwork (None with no dates at all)."""
    dated = events(status)
    days_seen = ([a.day for a in status.activity] + [day for day, _, _ in dated]
                 + [day for count in status.mail_counts for day, _ in count.sent_days])
    if not days_seen:
        return None
    first, last = min(days_seen), max(days_seen)
    count = (last - first).days + 1
    left, right = float(LEFT), float(WIDTH - RIGHT)
    top, bottom = float(TOP), float(HEIGHT - BOTTOM)
    slot = (right - left) / count
    step = _step(max([1, *(max(a.started, a.completed) for a in status.activity)]))
    y_max = step * math.ceil(max([1, *(max(a.started, a.completed) for a in status.activity)])
                             / step)

    def x_of(day: dt.date) -> float:
        return left + ((day - first).days + 0.5) * slot

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * value / y_max

    gap = slot * 0.1 if slot >= 4 else 0.0  # thin days get no gap: a gap would eat the bar
    width = (slot - 2 * gap) / 2
    bars: list[Bar] = []
    for a in status.activity:
        start = left + (a.day - first).days * slot + gap
        for offset, series, value in ((0, "started", a.started), (1, "completed", a.completed)):
            if value:
                bars.append(Bar(start + offset * width, y_of(value), width, bottom - y_of(value),
                                series, a.day, value))

    y_ticks = tuple(Tick(y_of(v), str(v)) for v in range(0, y_max + 1, step))
    every = max(1, math.ceil(count / MAX_X_LABELS))
    if every > 1:
        every = 7 * math.ceil(every / 7)  # whole weeks read more easily than 9-day strides
    x_ticks = tuple(Tick(x_of(first + dt.timedelta(days=i)),
                         (first + dt.timedelta(days=i)).strftime("%d.%m."))
                    for i in range(0, count, every))

    markers: list[Marker] = []
    row_ends = [-math.inf, -math.inf]  # where the last label in each of the two rows ends
    for day, label, kind in dated:
        x = x_of(day)
        text = f"{label} {day:%d.%m.}"
        span = len(text) * CHAR_WIDTH
        anchor = ("start" if x - left < span / 2 else "end" if right - x < span / 2
                  else "middle")
        begin = {"start": x, "middle": x - span / 2, "end": x - span}[anchor]
        row = 0 if begin > row_ends[0] + LABEL_GAP else 1
        row_ends[row] = begin + span
        markers.append(Marker(x, text, day, top - 8 - (1 - row) * LABEL_ROW, kind, anchor))

    by_day = day_events(status)
    activity = {a.day: a for a in status.activity}
    rows = tuple(DayRow(day, activity[day].started if day in activity else 0,
                        activity[day].completed if day in activity else 0,
                        tuple(by_day.get(day, ())))
                 for day in sorted(set(activity) | set(by_day)))

    return ActivityChart(WIDTH, HEIGHT, left, right, top, bottom, tuple(bars), y_ticks, x_ticks,
                         tuple(markers), _describe(status, first, last, dated), rows)


def _describe(status: FieldworkStatus, first: dt.date, last: dt.date,
              dated: list[tuple[dt.date, str, str]]) -> str:
    """The chart in words, for screen readers (the table below it has every number)."""
    parts = [f"Stolpediagram over påbegynte og leverte svar per dag fra {date_label(first)} "
             f"til {date_label(last)}."]
    if status.activity:
        busiest = max(status.activity, key=lambda a: (a.completed, a.started))
        parts.append(f"Flest leverte svar på én dag: {busiest.completed} "
                     f"({date_label(busiest.day)}).")
    else:
        parts.append("Ingen har svart ennå.")
    if dated:
        parts.append("Loddrette linjer markerer " + ", ".join(
            f"{label.lower() if kind != 'deadline' else 'svarfristen'} ({date_label(day)})"
            for day, label, kind in dated) + ".")
    return " ".join(parts)
