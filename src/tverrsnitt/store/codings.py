"""The Store's codings: each coder's codings of the focus groups, kept apart and never lost.

A coding is unique by coder, group, span and themes. Deleting one only marks it deleted
(`deleted_at`); importing it again restores it. Importing a file is a sync of that file's
codings: importing the same file twice changes nothing, and a coding taken out of the file is
marked deleted on the next import (codings from the web app or other files are not touched).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError
from ..ingest.codings import Coding, ThemeMemo
from .schema import coding_themes, codings, theme_memos

SOURCE_WEB = "web"

_Key = tuple[str, str, int, int, str]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """Times as UTC-aware values (SQLite hands them back without a zone)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def theme_key(themes: Iterable[str]) -> str:
    """The stored form of a coding's themes: sorted, unique, joined with ';'."""
    return ";".join(sorted(set(themes)))


@dataclass(frozen=True)
class StoredCoding:
    """A coding as stored: its id (for deleting), where it came from, when it changed."""

    id: int
    coding: Coding
    source: str
    updated: dt.datetime
    deleted: dt.datetime | None


@dataclass(frozen=True)
class CodingImport:
    """What importing codings changed."""

    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    restored: int = 0
    removed: int = 0

    def __str__(self) -> str:
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.restored:
            parts.append(f"{self.restored} restored")
        if self.removed:
            parts.append(f"{self.removed} no longer in {self.source} (marked deleted, kept)")
        return f"{self.source}: " + ", ".join(parts)


class CodingStore:
    """Store methods for codings; mixed into `Store`, which owns the engine."""

    engine: Engine

    def transaction(self) -> Any:  # pragma: no cover - Store's implementation is used
        raise NotImplementedError

    # ------------------------------------------------------------------ reading
    def stored_codings(self, coder: str | None = None, *, include_deleted: bool = False
                       ) -> list[StoredCoding]:
        """Codings (of one coder, or all) by coder, group and position."""
        query = select(codings).order_by(codings.c.coder, codings.c.focus_group,
                                         codings.c.start_pos, codings.c.end_pos,
                                         codings.c.theme_key)
        if coder is not None:
            query = query.where(codings.c.coder == coder)
        if not include_deleted:
            query = query.where(codings.c.deleted_at.is_(None))
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
            themes = self._themes(connection, [row.id for row in rows])
        return [self._stored(row, themes.get(row.id, ())) for row in rows]

    def codings(self, coder: str | None = None) -> list[Coding]:
        """The live codings (of one coder, or of all)."""
        return [stored.coding for stored in self.stored_codings(coder)]

    def coders(self) -> dict[str, int]:
        """Every coder with live codings, and how many."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(codings.c.coder, func.count())
                                      .where(codings.c.deleted_at.is_(None))
                                      .group_by(codings.c.coder).order_by(codings.c.coder))
            return {coder: count for coder, count in rows}

    @staticmethod
    def _themes(connection: Connection, ids: Sequence[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        for start in range(0, len(ids), 500):  # stay under the database's parameter limit
            chunk = list(ids[start:start + 500])
            for coding_id, theme in connection.execute(
                    select(coding_themes.c.coding_id, coding_themes.c.theme)
                    .where(coding_themes.c.coding_id.in_(chunk))):
                result.setdefault(coding_id, []).append(theme)
        return result

    @staticmethod
    def _stored(row: Any, themes: Iterable[str]) -> StoredCoding:
        coding = Coding(row.coder, row.focus_group, row.start_pos, row.end_pos, tuple(themes),
                        row.memo, row.segment, _aware(row.created_at), tuple(row.merged_from or ()))
        updated = _aware(row.updated_at)
        assert updated is not None
        return StoredCoding(row.id, coding, row.source, updated, _aware(row.deleted_at))

    # ------------------------------------------------------------------ writing
    def add_coding(self, coding: Coding, *, source: str = SOURCE_WEB) -> int:
        """Store one coding (from the web app, say) and return its id.

        The same coding again (coder, span, themes) is not stored twice: its memo and segment
        are updated, and a deleted one is restored.
        """
        with self.transaction() as connection:
            row = connection.execute(select(codings).where(self._key_match(_key(coding)))).first()
            if row is None:
                return self._insert(connection, coding, source)
            changes = self._changes(row, coding)
            if row.deleted_at is not None:
                changes["deleted_at"] = None
            if changes:
                connection.execute(update(codings).where(codings.c.id == row.id)
                                   .values(updated_at=_now(), **changes))
            return int(row.id)

    def delete_coding(self, coding_id: int) -> bool:
        """Mark a coding deleted (it stays in the database); False if there is none live."""
        with self.transaction() as connection:
            result = connection.execute(update(codings).where(
                (codings.c.id == coding_id) & codings.c.deleted_at.is_(None))
                .values(deleted_at=_now(), updated_at=_now()))
            return bool(result.rowcount)

    def restore_coding(self, coding_id: int) -> bool:
        """Undo a delete; False if the coding is not deleted."""
        with self.transaction() as connection:
            result = connection.execute(update(codings).where(
                (codings.c.id == coding_id) & codings.c.deleted_at.is_not(None))
                .values(deleted_at=None, updated_at=_now()))
            return bool(result.rowcount)

    def import_codings(self, incoming: Iterable[Coding], *, source: str) -> CodingImport:
        """Bring the codings of one source (a file's name, 'merge:A+B') up to date in one
        transaction: new codings are added, changed memos and segments updated, deleted ones
        restored, and codings of this source that are no longer in it are marked deleted."""
        wanted: dict[_Key, Coding] = {}
        for coding in incoming:
            wanted.setdefault(_key(coding), coding)
        counts = {"added": 0, "updated": 0, "unchanged": 0, "restored": 0, "removed": 0}
        coders = sorted({key[0] for key in wanted})
        try:
            with self.transaction() as connection:
                rows = connection.execute(select(codings).where(
                    or_(codings.c.source == source, codings.c.coder.in_(coders)))).all()
                existing = {(r.coder, r.focus_group, r.start_pos, r.end_pos, r.theme_key): r
                            for r in rows}
                stamp = _now()
                for key, coding in wanted.items():
                    row = existing.get(key)
                    if row is None:
                        self._insert(connection, coding, source)
                        counts["added"] += 1
                        continue
                    changes = self._changes(row, coding)
                    if row.deleted_at is not None:
                        changes["deleted_at"] = None
                        counts["restored"] += 1
                    elif changes:
                        counts["updated"] += 1
                    else:
                        counts["unchanged"] += 1
                    if changes:
                        connection.execute(update(codings).where(codings.c.id == row.id)
                                           .values(updated_at=stamp, **changes))
                gone = [r.id for key, r in existing.items()
                        if r.source == source and r.deleted_at is None and key not in wanted]
                for start in range(0, len(gone), 500):
                    connection.execute(update(codings).where(codings.c.id.in_(gone[start:start + 500]))
                                       .values(deleted_at=stamp, updated_at=stamp))
                counts["removed"] = len(gone)
        except IntegrityError as exc:
            raise StoreError(f"Codings from {source} were changed by someone else at the same "
                             f"time; import again ({exc.orig}).") from None
        return CodingImport(source, **counts)

    @staticmethod
    def _key_match(key: _Key) -> Any:
        coder, group, start, end, themes = key
        return and_(codings.c.coder == coder, codings.c.focus_group == group,
                    codings.c.start_pos == start, codings.c.end_pos == end,
                    codings.c.theme_key == themes)

    @staticmethod
    def _changes(row: Any, coding: Coding) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        if row.memo != coding.memo:
            changes["memo"] = coding.memo
        if row.segment != coding.segment:
            changes["segment"] = coding.segment
        if list(row.merged_from or ()) != list(coding.merged_from):
            changes["merged_from"] = list(coding.merged_from)
        return changes

    @staticmethod
    def _insert(connection: Connection, coding: Coding, source: str) -> int:
        stamp = _now()
        inserted = connection.execute(insert(codings).values(
            coder=coding.coder, focus_group=coding.group, start_pos=coding.start,
            end_pos=coding.end, theme_key=theme_key(coding.themes), memo=coding.memo,
            segment=coding.segment, merged_from=list(coding.merged_from), source=source,
            created_at=coding.created or stamp, updated_at=stamp)).inserted_primary_key
        assert inserted is not None
        coding_id = inserted[0]
        connection.execute(insert(coding_themes), [{"coding_id": coding_id, "theme": theme}
                                                   for theme in coding.themes])
        return int(coding_id)

    # ------------------------------------------------------------------ theme memos
    def set_theme_memo(self, theme: str, memo: str, author: str = "") -> None:
        """Write the memo of a theme (replacing an earlier one; an empty memo removes it)."""
        with self.transaction() as connection:
            connection.execute(theme_memos.delete().where(theme_memos.c.theme == theme))
            if memo.strip():
                connection.execute(insert(theme_memos).values(theme=theme, memo=memo.strip(),
                                                              author=author, updated_at=_now()))

    def theme_memos(self) -> list[ThemeMemo]:
        """Every theme memo, by theme code."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(theme_memos).order_by(theme_memos.c.theme)).all()
        return [ThemeMemo(r.theme, r.memo, r.author, _aware(r.updated_at)) for r in rows]


def _key(coding: Coding) -> _Key:
    return coding.coder, coding.group, coding.start, coding.end, theme_key(coding.themes)
