"""The Store's placements: where each focus-group participant put their cup, per round.

One row per group, participant and round (the placement exercise of report section 6.3), in
house radii from the centre cup (x to the right, y up) as `qual.placement.Placement` has it.
The admin page saves a whole group's round at once: cups placed are upserted, cups taken off
the sheet are removed, in one transaction. Who saved a row last and when is kept with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    Table,
    UniqueConstraint,
    select,
)

from ..ingest.placements import Placement
from .schema import metadata

placement_rows = Table(
    "placements", metadata,
    Column("id", Integer, primary_key=True),
    Column("focus_group", String(100), nullable=False),
    Column("participant", String(100), nullable=False),
    # laerer | elev (qual.placement.ROUNDS)
    Column("round", String(20), nullable=False),
    # House radii from the centre cup: x to the right, y up.
    Column("x", Float, nullable=False),
    Column("y", Float, nullable=False),
    # The participant asked to put the cup on top of the centre cup.
    Column("on_top", Boolean, nullable=False),
    Column("updated_by", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("focus_group", "participant", "round", name="one_placement_per_round"),
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class StoredPlacement:
    """A placement as stored: the cup, who saved it last and when (UTC)."""

    placement: Placement
    updated_by: str
    updated: dt.datetime


class PlacementStore:
    """Store methods for the placement exercise; mixed into `Store`, which owns the engine."""

    engine: Engine

    def transaction(self) -> Any:  # pragma: no cover - Store's implementation is used
        raise NotImplementedError

    def stored_placements(self, group: str | None = None, round: str | None = None
                          ) -> list[StoredPlacement]:
        """Placements (of one group and/or round, or all) by round, group and participant."""
        table = placement_rows
        query = select(table).order_by(table.c.round, table.c.focus_group, table.c.participant)
        if group is not None:
            query = query.where(placement_rows.c.focus_group == group)
        if round is not None:
            query = query.where(placement_rows.c.round == round)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        result = []
        for row in rows:
            updated = row.updated_at if row.updated_at.tzinfo else row.updated_at.replace(
                tzinfo=dt.UTC)  # SQLite hands times back without a zone
            result.append(StoredPlacement(
                Placement(row.focus_group, row.participant, row.round, float(row.x), float(row.y),
                          bool(row.on_top)), row.updated_by, updated))
        return result

    def placements(self, group: str | None = None, round: str | None = None) -> list[Placement]:
        """The placements (of one group and/or round, or all), without who saved them."""
        return [stored.placement for stored in self.stored_placements(group, round)]

    def save_placements(self, group: str, round: str, cups: Iterable[Placement], *,
                        by: str, remove: Iterable[str] = ()) -> None:
        """Save one group's round in one transaction: each cup is inserted or replaces the
        participant's earlier position; participants in `remove` are taken off the sheet."""
        stamp = _now()
        rows = []
        for cup in cups:
            if cup.group != group or cup.round != round:
                raise ValueError(f"a placement of {cup.group}/{cup.round} saved as {group}/{round}")
            rows.append({"focus_group": group, "participant": cup.participant, "round": round,
                         "x": float(cup.x), "y": float(cup.y), "on_top": bool(cup.on_top),
                         "updated_by": by, "updated_at": stamp})
        gone = sorted(set(remove) - {row["participant"] for row in rows})
        with self.transaction() as connection:
            if gone:
                connection.execute(placement_rows.delete().where(
                    (placement_rows.c.focus_group == group) & (placement_rows.c.round == round)
                    & placement_rows.c.participant.in_(gone)))
            if rows:
                connection.execute(self._upsert_placements(), rows)

    def _upsert_placements(self) -> Any:
        """INSERT … ON CONFLICT (group, participant, round) DO UPDATE, in this dialect."""
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(placement_rows)
        return statement.on_conflict_do_update(
            index_elements=[placement_rows.c.focus_group, placement_rows.c.participant,
                            placement_rows.c.round],
            set_={name: statement.excluded[name]
                  for name in ("x", "y", "on_top", "updated_by", "updated_at")})
