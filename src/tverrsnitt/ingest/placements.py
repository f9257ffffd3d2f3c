"""The placement exercise (report section 2.2 and 6.3): where each participant put their cup.

At the end of each focus group the participants wrote their education on the bottom of an
upside-down paper cup and placed it on a curling house drawn on a flip-chart sheet, relative
to a cup in the centre: first "L" (the teacher), then "E" (the pupil). In the second round
many asked to put their cup on top of the pupil's. One row of a placement file records one
cup in one round:

    group,participant,round,distance,angle,x,y,on_top
    FG1,D1,laerer,0.55,120,,,nei
    FG1,D1,elev,,,0.18,-0.16,ja

Positions are in house radii from the centre (1.0 is the outer edge of the outer ring; up to
`MAX_DISTANCE` outside it, where the sheet still was), given either as `distance` and `angle`
(degrees, 0 to the right, counter-clockwise) or as `x` and `y` (x to the right, y up) —
exactly one of the two per row. `on_top` is ja/nei (true/false, 1/0, yes/no also read).

`tabulate.placements.distance_table` turns them into the table of distances by education,
group and in total; `chart.curling.draw_curling` draws them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataProblem, InputDataError, did_you_mean, one_of
from .readers import ROW, RawTable, read_table

ROUNDS = ("laerer", "elev")
# What stood in the centre cup, as written on it (Figur 6.2–6.5).
CENTRE_LETTER = {"laerer": "L", "elev": "E"}
ROUND_LABEL = {"laerer": "Læreren i sentrum", "elev": "Eleven i sentrum"}
# Spellings a note-taker may use for a round; the keys are compared in lower case.
_ROUND_ALIASES = {"laerer": "laerer", "lærer": "laerer", "l": "laerer", "elev": "elev", "e": "elev"}

# Positions outside the house are real ("på sidelinjen", section 6.3) but stay on the sheet.
MAX_DISTANCE = 1.6

_YES = frozenset({"ja", "j", "true", "yes", "y", "1"})
_NO = frozenset({"nei", "n", "false", "no", "0"})

COLUMNS = ("group", "participant", "round", "distance", "angle", "x", "y", "on_top")
_REQUIRED = ("group", "participant", "round", "on_top")
_POLAR, _CARTESIAN = ("distance", "angle"), ("x", "y")

_Problem = Callable[[str, str], None]  # (column, expected): record a problem of the current row


@dataclass(frozen=True)
class Placement:
    """One participant's cup in one round, in house radii from the centre cup."""

    group: str
    participant: str
    round: str  # "laerer" or "elev"
    x: float
    y: float
    on_top: bool  # asked to put the cup on top of the centre cup


def distance(placement: Placement) -> float:
    """Distance of the cup from the centre, in house radii."""
    return math.hypot(placement.x, placement.y)


def angle(placement: Placement) -> float:
    """Direction of the cup from the centre in degrees, 0 to the right, counter-clockwise, [0, 360)."""
    return math.degrees(math.atan2(placement.y, placement.x)) % 360.0


# ----------------------------------------------------------------------------- reading


def read_placements(path: Path) -> list[Placement]:
    """Read a placement file (.csv or .xlsx) into one `Placement` per row, in file order.

    Every problem in the file is collected and raised together as one `InputDataError` naming
    file, row, column, the value found and what was expected.
    """
    path = Path(path)
    table = read_table(path)
    columns = _header_columns(table)
    problems: list[DataProblem] = []
    placements: list[Placement] = []
    first_row: dict[tuple[str, str], int] = {}  # (round, participant) -> row placed
    group_of: dict[str, tuple[str, int]] = {}  # participant -> (group, first row)
    for record in table.frame.iter_rows(named=True):
        row = record[ROW]
        cells = {name: record[column] if column else None for name, column in columns.items()}
        placement = _placement(path, row, cells, problems)
        if placement is None:
            continue
        key = (placement.round, placement.participant)
        if key in first_row:
            problems.append(DataProblem(
                path, row, "participant", placement.participant,
                f"one row per participant and round: '{placement.participant}' is already placed "
                f"in round '{placement.round}' at row {first_row[key]}"))
            continue
        group, group_row = group_of.setdefault(placement.participant, (placement.group, row))
        if group != placement.group:
            problems.append(DataProblem(
                path, row, "group", placement.group,
                f"'{group}': participant '{placement.participant}' is in that group at row {group_row}"))
            continue
        first_row[key] = row
        placements.append(placement)
    if problems:
        raise InputDataError(problems)
    if not placements:
        raise InputDataError([DataProblem(path, None, None, "(no rows)",
                                          "one row per participant and round under the header")])
    return placements


def _header_columns(table: RawTable) -> dict[str, str | None]:
    """The frame column of each known header (matched without case or surrounding space)."""
    found: dict[str, str] = {}
    problems = []
    for header, column in zip(table.headers, table.columns, strict=True):
        name = header.strip().lower()
        if name in found:
            problems.append(DataProblem(table.file, 1, header, header,
                                        "each column once in the header row"))
        elif name in COLUMNS:
            found[name] = column
    headers = [h.strip() for h in table.headers]
    for name in _REQUIRED:
        if name not in found:
            problems.append(DataProblem(
                table.file, 1, name, None,
                f"a column '{name}' in the header row (found {one_of(headers)})"
                + did_you_mean(name, headers)))
    if not (all(c in found for c in _POLAR) or all(c in found for c in _CARTESIAN)):
        problems.append(DataProblem(
            table.file, 1, "distance", None,
            f"columns 'distance' and 'angle', or 'x' and 'y', in the header row (found {one_of(headers)})"))
    if problems:
        raise InputDataError(problems)
    return {name: found.get(name) for name in COLUMNS}


def _placement(path: Path, row: int, cells: Mapping[str, str | None],
               problems: list[DataProblem]) -> Placement | None:
    """The placement of one row, or None with its problems appended."""

    def problem(column: str, expected: str) -> None:
        problems.append(DataProblem(path, row, column, cells.get(column), expected))

    group, participant = cells["group"], cells["participant"]
    if not group:
        problem("group", "the name of the focus group, e.g. 'FG1'")
    if not participant:
        problem("participant", "the participant's pseudonym, e.g. 'D1'")

    round_text = (cells["round"] or "").lower()
    round_ = _ROUND_ALIASES.get(round_text)
    if round_ is None:
        problem("round", f"one of {one_of(ROUNDS)} (teacher or pupil in the centre)"
                + did_you_mean(round_text, _ROUND_ALIASES))

    on_top_text = (cells["on_top"] or "").lower()
    on_top = True if on_top_text in _YES else False if on_top_text in _NO else None
    if on_top is None:
        problem("on_top", "'ja' or 'nei' (also true/false, 1/0): did the participant ask to put "
                          "the cup on top of the centre cup")

    point = _point(cells, problem)
    if not (group and participant and round_ and on_top is not None and point):
        return None
    return Placement(group, participant, round_, point[0], point[1], on_top)


def _point(cells: Mapping[str, str | None], problem: _Problem) -> tuple[float, float] | None:
    """x and y in house radii from either coordinate form of a row."""
    polar = [bool(cells[c]) for c in _POLAR]
    cartesian = [bool(cells[c]) for c in _CARTESIAN]
    if any(polar) and any(cartesian):
        column = "x" if cells["x"] else "y"
        problem(column, "either 'distance' and 'angle' or 'x' and 'y', not both (this row has "
                        f"distance={cells['distance']!r}, angle={cells['angle']!r})")
        return None
    if not any(polar) and not any(cartesian):
        problem("distance", "a position: 'distance' and 'angle', or 'x' and 'y'")
        return None
    form = _POLAR if any(polar) else _CARTESIAN
    for column in form:
        if not cells[column]:
            other = form[1] if column == form[0] else form[0]
            problem(column, f"a number with '{other}' (both coordinates of the same form)")
            return None
    first, second = (_number(cells[c], c, problem) for c in form)
    if first is None or second is None:
        return None
    if form == _POLAR:
        if not 0.0 <= first <= MAX_DISTANCE:
            problem("distance", f"a distance from 0 to {_decimal(MAX_DISTANCE)} house radii "
                                "(1 is the edge of the outer ring)")
            return None
        radians = math.radians(second)
        return first * math.cos(radians), first * math.sin(radians)
    reach = math.hypot(first, second)
    if reach > MAX_DISTANCE:
        problem("x", f"a point at most {_decimal(MAX_DISTANCE)} house radii from the centre "
                     f"(x={cells['x']}, y={cells['y']} is {reach:.2f} away)")
        return None
    return first, second


def _number(text: str | None, column: str, problem: _Problem) -> float | None:
    """A finite number; a decimal comma (Norwegian Excel) and a Unicode minus are read too."""
    try:
        value = float((text or "").replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        unit, example = ("degrees", "120") if column == "angle" else ("house radii", "0.45")
        problem(column, f"a number ({unit}), e.g. '{example}'")
        return None
    return value


def _decimal(value: float) -> str:
    return f"{value:g}"
