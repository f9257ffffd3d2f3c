"""The placement page's logic: the cups of one group's round, the form, the CSV download.

Positions are house radii from the centre cup (x to the right, y up), as in
`qual.placement`. The page shows the curling house as an inline SVG with `SCALE` SVG units per
house radius (SVG's y axis points down, so a cup at y is drawn at -y). Each participant has a
row in a form with distance and angle (and, filled by the page's script while dragging, the
exact x and y); a cup whose distance and angle are both left empty is not placed.

What the page shows for a group's round, and what the download holds, is the database's
placements when that round of that group has been saved at least once, otherwise the rows of
the study's placement file (qual.yaml `placements`), so the download can replace that file.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..errors import TverrsnittError
from ..ingest.placements import (
    CENTRE_LETTER,
    COLUMNS,
    MAX_DISTANCE,
    ROUND_LABEL,
    ROUNDS,
    Placement,
    angle,
    distance,
    read_placements,
)
from ..numbers import decimal
from ..study.qual import FocusGroup, QualDefinition

SCALE = 100.0  # SVG units per house radius
SHEET = MAX_DISTANCE + 0.15  # half the drawn sheet's side, in house radii
CUP = 0.1  # a cup's radius in house radii, as qual.curling draws it
TRAY_GAP = 0.08  # between the sheet and the tray of cups not placed yet
TRAY_LABEL = 0.22  # the tray's heading
TRAY_HEIGHT = 0.42  # one row of cups in the tray
TRAY_STEP = 0.55  # between cups in a row of the tray
TRAY_PER_ROW = int((2 * SHEET - 0.1) / TRAY_STEP)
RINGS = ((1.0, "ring-blue"), (2 / 3, "ring-white"), (1 / 3, "ring-red"), (1 / 12, "ring-white"))
# A five-pointed star drawn on a cup whose owner wanted it on top of the centre cup.
STAR = " ".join(
    f"{(6.5 if i % 2 == 0 else 2.7) * math.sin(math.pi * i / 5):.2f},"
    f"{-(6.5 if i % 2 == 0 else 2.7) * math.cos(math.pi * i / 5):.2f}" for i in range(10))
# A posted x/y is used as it is when it rounds to the posted distance and angle (the script
# fills all four while dragging; the form shows distance and angle rounded to these digits).
DISTANCE_DIGITS, ANGLE_DIGITS = 3, 1
CSV_DIGITS = 6  # decimals of x and y in the download (a millionth of a house radius)


@dataclass(frozen=True)
class CupRow:
    """One participant's cup on the page: the form's values as text and, when placed, x and y."""

    index: int
    participant: str
    education: str
    job_title: str
    distance: str
    angle: str
    x: str
    y: str
    on_top: bool
    position: tuple[float, float] | None
    error: str | None = None

    @property
    def svg(self) -> tuple[float, float]:
        """Where the cup is drawn: its position, or its slot in the tray."""
        if self.position is not None:
            return self.position[0] * SCALE, -self.position[1] * SCALE
        return self.tray

    @property
    def tray(self) -> tuple[float, float]:
        """The cup's slot in the tray of cups not placed (SVG units)."""
        return tray_slot(self.index)

    @property
    def label_at(self) -> tuple[float, float, str]:
        """Where the cup's name goes (relative to the cup) and its text-anchor."""
        return label_offset(self.position)

    @property
    def field(self) -> str:
        """The prefix of this participant's form fields and element ids."""
        return f"p{self.index}"


def tray_slot(index: int) -> tuple[float, float]:
    """SVG position of an unplaced cup: in rows under the sheet."""
    row, column = divmod(index, TRAY_PER_ROW)
    x = -SHEET + 0.05 + CUP + column * TRAY_STEP
    y = SHEET + TRAY_GAP + TRAY_LABEL + TRAY_HEIGHT / 2 + row * TRAY_HEIGHT
    return x * SCALE, y * SCALE


LABEL_GAP = 4.0  # SVG units between a cup's rim and its name
LABEL_ASCENT, LABEL_DESCENT = 9.5, 3.0  # of the 13-unit label text, for placing it above/below


def label_offset(position: tuple[float, float] | None) -> tuple[float, float, str]:
    """A cup's name outside the cup, on the side away from the centre (where it is least in
    the way of the crowd around the centre cup); in the tray, to the right. The page's
    script places it the same way when a cup moves."""
    reach = CUP * SCALE + LABEL_GAP
    if position is None or math.hypot(*position) < 1e-9:
        return reach, LABEL_ASCENT / 2 - 1, "start"
    x, y = position
    length = math.hypot(x, y)
    ux, uy = x / length, -y / length  # SVG: y down
    anchor = "start" if ux > 0.35 else "end" if ux < -0.35 else "middle"
    dy = LABEL_ASCENT if uy > 0.35 else -LABEL_DESCENT if uy < -0.35 else LABEL_ASCENT / 2 - 1
    return ux * reach, uy * reach + dy, anchor


@dataclass(frozen=True)
class Geometry:
    """Numbers the template draws with (SVG units; y grows downwards)."""

    scale: float = SCALE
    sheet: float = SHEET * SCALE
    max_distance: float = MAX_DISTANCE * SCALE
    cup: float = CUP * SCALE
    cup_bottom: float = CUP * 0.68 * SCALE
    tray_top: float = (SHEET + TRAY_GAP) * SCALE
    tray_label: float = TRAY_LABEL * SCALE
    star: str = STAR
    rings: tuple[tuple[float, str], ...] = tuple((r * SCALE, c) for r, c in RINGS)

    def bottom(self, cups: int) -> float:
        """The lowest SVG y of the drawing: under the last row of the tray."""
        rows = max(1, -(-cups // TRAY_PER_ROW))
        return self.tray_top + self.tray_label + rows * TRAY_HEIGHT * SCALE + 0.04 * SCALE


GEOMETRY = Geometry()


def number_text(value: float, digits: int) -> str:
    """A number for a form field: rounded, without trailing zeros, '.' as decimal mark."""
    text = f"{round(value, digits) + 0.0:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def comma(value: float, digits: int = 2) -> str:
    """A number for reading: Norwegian decimal comma."""
    return decimal(value, digits)


def cup_rows(group: FocusGroup, placements: Iterable[Placement]) -> list[CupRow]:
    """The form's rows filled from placements (a participant without one is not placed)."""
    by_participant = {p.participant: p for p in placements}
    rows = []
    for index, participant in enumerate(group.participants):
        cup = by_participant.get(participant.id)
        if cup is None:
            rows.append(CupRow(index, participant.id, participant.education,
                               participant.job_title, "", "", "", "", False, None))
            continue
        rows.append(CupRow(index, participant.id, participant.education, participant.job_title,
                           number_text(distance(cup), DISTANCE_DIGITS),
                           number_text(angle(cup), ANGLE_DIGITS), repr(cup.x), repr(cup.y),
                           cup.on_top, (cup.x, cup.y)))
    return rows


def read_form(group: FocusGroup, round: str, fields: Mapping[str, str]
              ) -> tuple[list[CupRow], list[Placement], list[str]]:
    """The posted form: its rows (with errors), the cups placed and the participants not."""
    rows, cups, unplaced = [], [], []
    for index, participant in enumerate(group.participants):
        prefix = f"p{index}"
        text = {name: fields.get(f"{prefix}-{name}", "").strip()
                for name in ("avstand", "vinkel", "x", "y")}
        on_top = fields.get(f"{prefix}-oppaa") == "ja"
        position, error = _position(text["avstand"], text["vinkel"], text["x"], text["y"])
        if error is None and position is None and on_top:
            error = "Plasser koppen før du krysser av for at deltakeren ønsket den oppå."
        rows.append(CupRow(index, participant.id, participant.education, participant.job_title,
                           text["avstand"], text["vinkel"], text["x"], text["y"], on_top,
                           position if error is None else None, error))
        if error is None and position is not None:
            cups.append(Placement(group.id, participant.id, round, position[0], position[1],
                                  on_top))
        elif error is None:
            unplaced.append(participant.id)
    return rows, cups, unplaced


def _number(text: str) -> float | None:
    try:
        value = float(text.replace(",", ".").replace("\u2212", "-"))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _position(distance_text: str, angle_text: str, x_text: str, y_text: str
              ) -> tuple[tuple[float, float] | None, str | None]:
    """x and y from a row's fields, or None for a cup not placed; or the row's problem."""
    if not distance_text and not angle_text:
        return None, None
    if not distance_text or not angle_text:
        return None, ("Fyll inn både avstand og vinkel, eller la begge stå tomme hvis koppen "
                      "ikke er plassert.")
    reach, turn = _number(distance_text), _number(angle_text)
    if reach is None:
        return None, "Avstanden må være et tall, for eksempel 0,45."
    if turn is None:
        return None, "Vinkelen må være et tall i grader, for eksempel 120."
    if not 0.0 <= reach <= MAX_DISTANCE:
        return None, (f"Avstanden må være fra 0 til {comma(MAX_DISTANCE, 1)} husradier (1 er "
                      "kanten av den ytterste ringen).")
    x, y = _number(x_text), _number(y_text)
    if x is not None and y is not None and _agrees(x, y, reach, turn):
        return (x, y), None  # the exact point the cup was dragged to
    radians = math.radians(turn)
    x, y = reach * math.cos(radians) + 0.0, reach * math.sin(radians) + 0.0
    shrink = min(1.0, MAX_DISTANCE / math.hypot(x, y)) if reach else 1.0  # float rounding
    return (x * shrink, y * shrink), None


def _agrees(x: float, y: float, reach: float, turn: float) -> bool:
    """True when x and y round to the distance and angle shown (so they were not retyped)."""
    exact = math.hypot(x, y)
    if exact > MAX_DISTANCE or abs(exact - reach) > 0.5 * 10 ** -DISTANCE_DIGITS + 1e-9:
        return False
    if exact < 1e-6:
        return True
    apart = abs((math.degrees(math.atan2(y, x)) - turn + 180.0) % 360.0 - 180.0)
    return apart <= 0.5 * 10 ** -ANGLE_DIGITS + 1e-9


# ----------------------------------------------------------------------------- sources


def file_placements(qual: QualDefinition) -> tuple[list[Placement], str | None]:
    """The study's placement file (qual.yaml `placements`), or why it cannot be read."""
    path = qual.placements_path
    if path is None or not path.is_file():
        return [], None
    try:
        return read_placements(path), None
    except TverrsnittError as exc:
        return [], exc.message


def merged(saved: Sequence[Placement], from_file: Sequence[Placement]) -> list[Placement]:
    """The database's rounds, and the file's rows for every round not saved yet."""
    done = {(p.group, p.round) for p in saved}
    return [*saved, *(p for p in from_file if (p.group, p.round) not in done)]


def in_study_order(placements: Iterable[Placement], qual: QualDefinition) -> list[Placement]:
    """By round, then group and participant as qual.yaml lists them (others last)."""
    groups = {g.id: i for i, g in enumerate(qual.groups)}
    people = {p.id: i for g in qual.groups for i, p in enumerate(g.participants)}
    rounds = {r: i for i, r in enumerate(ROUNDS)}
    return sorted(placements, key=lambda p: (rounds.get(p.round, len(rounds)),
                                             groups.get(p.group, len(groups)), p.group,
                                             people.get(p.participant, len(people)),
                                             p.participant))


def placements_csv(placements: Iterable[Placement]) -> str:
    """The placement file `qual.placement.read_placements` reads: x and y, on_top ja/nei."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in placements:
        x, y = _written(p.x, p.y)
        writer.writerow([p.group, p.participant, p.round, "", "", x, y,
                         "ja" if p.on_top else "nei"])
    return out.getvalue()


def _written(x: float, y: float) -> tuple[str, str]:
    """x and y to CSV_DIGITS decimals, never rounded past MAX_DISTANCE (the reader refuses that)."""
    if math.hypot(round(x, CSV_DIGITS), round(y, CSV_DIGITS)) > MAX_DISTANCE:
        unit = 10 ** CSV_DIGITS
        x, y = math.trunc(x * unit) / unit, math.trunc(y * unit) / unit  # towards the centre
    return number_text(x, CSV_DIGITS), number_text(y, CSV_DIGITS)


def cup_label(row: CupRow) -> str:
    """What a screen reader hears for a cup."""
    if row.position is None:
        return f"Kopp {row.participant}, ikke plassert"
    x, y = row.position
    reach = math.hypot(x, y)
    where = (f"avstand {comma(reach)} husradier, vinkel {comma(math.degrees(math.atan2(y, x)) % 360, 0)}"
             " grader")
    return f"Kopp {row.participant}, {where}" + (", ønsket oppå" if row.on_top else "")


def round_words(round: str) -> tuple[str, str]:
    """(the round's heading, the centre cup's letter)."""
    return ROUND_LABEL[round], CENTRE_LETTER[round]
