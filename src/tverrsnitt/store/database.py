"""The one class that owns the fieldwork database: connections, transactions, migrations.

SQLite is the default (one file, WAL, foreign keys on); PostgreSQL is used when the URL says so.
Each public method is one transaction, so a page save either happens whole or not at all, and
a crash in the middle loses nothing that was acknowledged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Text,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ..errors import StoreError, TverrsnittError
from .access import AccessStore
from .codings import CodingStore
from .placements import PlacementStore
from .schema import admins, answers, mails, members, respondents, settings, tokens

try:
    import fcntl
except ImportError:  # Windows: the threads of one process still take turns
    fcntl = None  # type: ignore[assignment]

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG
# Connections per server process. Starlette runs requests in 40 threads: SQLite gets one
# connection each; PostgreSQL up to 20 for reads and 20 for writes, so that two workers stay
# within its default max_connections of 100 (more workers: raise it or use a pooler).
POOL_SIZE = 20
POOL_OVERFLOW = 20
PG_POOL_SIZE = 10
PG_POOL_OVERFLOW = 10
DEFAULT_URL = "sqlite:///tverrsnitt.db"


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


def hash_token(token: str) -> str:
    """The stored form of a personal link's token."""
    return hashlib.sha256(token.encode("ascii", errors="replace")).hexdigest()


def new_token() -> str:
    """A fresh, unguessable token for a personal link (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


@dataclass(frozen=True)
class Respondent:
    """One respondent's progress: who, how far, and with what outcome."""

    id: int
    member_id: int | None
    status: str
    screened_reason: str | None
    page: int
    receipt: str | None
    background: Mapping[str, Any]


@dataclass(frozen=True)
class Member:
    """An invited member as imported from the register."""

    id: int
    member_no: str
    email: str
    background: Mapping[str, Any]


FINAL = ("completed", "screened_out")

# The statements every page view and save runs, built once: SQLAlchemy then finds their compiled
# form by a memoised cache key instead of building and hashing a new statement per request.
# Only the columns a Respondent holds (no timestamps, whose parsing per row costs most).
_PROGRESS = (respondents.c.id, respondents.c.member_id, respondents.c.status,
             respondents.c.screened_reason, respondents.c.page, respondents.c.receipt)
_RESPONDENT_COLUMNS = select(*_PROGRESS, members.c.background)
_BY_TOKEN = (_RESPONDENT_COLUMNS
             .select_from(tokens.join(respondents, tokens.c.respondent_id == respondents.c.id)
                          .outerjoin(members, respondents.c.member_id == members.c.id))
             .where(tokens.c.token_hash == bindparam("token_hash")))
# A respondent with all their answers in one query (one row per answer; the member's background
# cast to text so it is decoded once, not once per row): a page view or a page save then
# needs one round trip to the database instead of two.
_STATE = select(*_PROGRESS, cast(members.c.background, Text).label("background_json"),
                answers.c.code.label("answer_code"), answers.c.value.label("answer_value"))
_STATE_BY_TOKEN = (_STATE.select_from(
    tokens.join(respondents, tokens.c.respondent_id == respondents.c.id)
    .outerjoin(members, respondents.c.member_id == members.c.id)
    .outerjoin(answers, answers.c.respondent_id == respondents.c.id))
    .where(tokens.c.token_hash == bindparam("token_hash")))
_STATE_BY_TOKEN_LOCKED = _STATE_BY_TOKEN.with_for_update(of=respondents)
# PostgreSQL locks the respondent's row (only that one: FOR UPDATE OF); SQLite ignores FOR
# UPDATE, BEGIN IMMEDIATE has locked the database already.
_STATE_LOCKED = (_STATE.select_from(
    respondents.outerjoin(members, respondents.c.member_id == members.c.id)
    .outerjoin(answers, answers.c.respondent_id == respondents.c.id))
    .where(respondents.c.id == bindparam("respondent_id"))
    .with_for_update(of=respondents))
_ANSWERS = (select(answers.c.code, answers.c.value)
            .where(answers.c.respondent_id == bindparam("respondent_id")))
_SAVE_PROGRESS = (update(respondents)
                  .where((respondents.c.id == bindparam("respondent_id"))
                         & respondents.c.status.not_in(FINAL)))
_CLEAR = answers.delete().where((answers.c.respondent_id == bindparam("respondent_id"))
                                & answers.c.code.in_(bindparam("codes", expanding=True)))


def _upsert(dialect: str) -> Any:
    """INSERT … ON CONFLICT (respondent, code) DO UPDATE, in this database's dialect."""
    from sqlalchemy.dialects import postgresql, sqlite

    statement = (postgresql if dialect == "postgresql" else sqlite).insert(answers)
    return statement.on_conflict_do_update(
        index_elements=[answers.c.respondent_id, answers.c.code],
        set_={"value": statement.excluded.value, "updated_at": statement.excluded.updated_at})


def _as_respondent(row: Any) -> Respondent:
    return Respondent(row.id, row.member_id, row.status, row.screened_reason, row.page,
                      row.receipt, row.background or {})


def _state(rows: Iterable[Any]) -> tuple[Respondent, dict[str, Any]] | None:
    """The respondent and answers from the rows of a `_STATE` query; None without rows."""
    rows = list(rows)
    if not rows:
        return None
    first = rows[0]
    respondent = Respondent(first.id, first.member_id, first.status, first.screened_reason,
                            first.page, first.receipt,
                            json.loads(first.background_json) if first.background_json else {})
    return respondent, {row.answer_code: json.loads(row.answer_value) for row in rows
                        if row.answer_code is not None}


def _answers(connection: Connection, respondent_id: int) -> dict[str, Any]:
    rows = connection.execute(_ANSWERS, {"respondent_id": respondent_id})
    return {code: json.loads(value) for code, value in rows}


class PageTransaction:
    """What one page post may do inside `Store.page_transaction`: read the respondent and their
    answers, then save. The respondent's row is locked for the whole transaction."""

    def __init__(self, store: Store, connection: Connection,
                 state: tuple[Respondent, dict[str, Any]]) -> None:
        self.store, self.connection = store, connection
        self.respondent, self._answers = state
        self.respondent_id = self.respondent.id

    def answers(self) -> dict[str, Any]:
        """The respondent's answers as they are in this transaction (read under its lock)."""
        return dict(self._answers)

    def save(self, values: Mapping[str, Any], cleared: Iterable[str], *, page: int, status: str,
             screened_reason: str | None = None, back: bool = False) -> Respondent:
        """Answers set or cleared, progress and status; the stored state unchanged when the
        respondent is done already. The resume point only moves back when the respondent
        asked for it ('Tilbake'): a stale tab's page posted late never rewinds it."""
        current = self.respondent
        if current.status in FINAL:
            return current
        connection, respondent_id, stamp = self.connection, self.respondent_id, now()
        cleared = list(cleared)
        if cleared:
            connection.execute(_CLEAR, {"respondent_id": respondent_id, "codes": cleared})
        if values:
            # One upsert for the whole page (both SQLite and PostgreSQL have ON CONFLICT).
            connection.execute(self.store._upsert_answers, [
                {"respondent_id": respondent_id, "code": code, "updated_at": stamp,
                 "value": json.dumps(value, ensure_ascii=False)}
                for code, value in values.items()])
        resume = page if back or status in FINAL else max(page, current.page)
        changes: dict[str, Any] = {"status": status, "page": resume, "updated_at": stamp,
                                   "screened_reason": screened_reason}
        if current.status == "invited":
            changes["started_at"] = stamp
        if status in FINAL:
            changes["completed_at"] = stamp
            changes["receipt"] = secrets.token_hex(4).upper()
        # Compare-and-set: the row changes only while the respondent is not done, checked
        # by the database itself (the lock makes this belt and braces).
        updated = connection.execute(_SAVE_PROGRESS.values(**changes),
                                     {"respondent_id": respondent_id})
        if updated.rowcount != 1:
            raise StoreError(f"Respondent {respondent_id} changed while its page was saved.")
        self.respondent = replace(current, status=status, page=resume,
                                  screened_reason=screened_reason,
                                  receipt=changes.get("receipt", current.receipt))
        return self.respondent


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of an SQLite file."""
    return f"sqlite:///{Path(path)}"


class WriterLock:
    """SQLite's one writer at a time, taken in turn rather than by polling.

    SQLite's own busy handler sleeps (1, 2, 5 … up to 100 ms) and retries, so under load the
    slowest saves waited seconds. Here the threads of a process queue on a lock, and the
    processes (`serve --workers`) on an flock of a file beside the database, which the kernel
    hands to the next waiter the moment it is released. Other writers (the command line) still
    wait in SQLite's busy timeout."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.Lock()
        self._path = (Path(database + "-writer") if database and database != ":memory:"
                      and fcntl is not None else None)
        self._file: Any = None

    def __enter__(self) -> None:
        self._threads.acquire()
        if self._path is None:
            return
        try:
            if self._file is None:
                self._file = open(self._path, "a+b")  # kept open for the process
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._file is not None:
                self._file.close()
                self._file = None


def password_hasher() -> Any:
    """The admins' password hash: Argon2id with argon2-cffi's defaults (RFC 9106's
    low-memory profile, 64 MiB and three passes: about 0.1 s a login, on purpose)."""
    from argon2 import PasswordHasher

    return PasswordHasher()


class Store(CodingStore, PlacementStore, AccessStore):
    """Fieldwork storage behind one narrow interface, for SQLite and PostgreSQL alike.

    The focus-group codings' methods are in `codings.CodingStore`, the placements' in
    `placements.PlacementStore`, sessions and rate limits in `access.AccessStore`."""

    def __init__(self, url: str = DEFAULT_URL, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = self._engine(url)
        # Reads that decide nothing (showing a page, finding a link's respondent) need no
        # transaction: on PostgreSQL they use connections in autocommit, sparing the BEGIN
        # and ROLLBACK round trips around each (a page view takes two round trips, not four).
        self._reads = (self._engine(url, isolation_level="AUTOCOMMIT")
                       if self.engine.dialect.name == "postgresql" else self.engine)
        self._writer = WriterLock(self.engine.url.database
                                  if self.engine.dialect.name == "sqlite" else None)
        if migrate:
            self.migrate()

    # ------------------------------------------------------------------ connections
    @staticmethod
    def _engine(url: str, **options: Any) -> Engine:
        try:
            if url.startswith("sqlite"):
                # As many connections as the server has request threads (40 in Starlette's
                # pool): a request never waits for a connection, only (in order) for the lock.
                engine = create_engine(url, connect_args={"timeout": 30}, pool_size=POOL_SIZE,
                                       max_overflow=POOL_OVERFLOW)

                @event.listens_for(engine, "connect")
                def _pragmas(connection: Any, _record: Any) -> None:
                    cursor = connection.cursor()
                    cursor.execute("PRAGMA journal_mode=WAL")
                    # In WAL mode NORMAL keeps every commit through a crash of the server
                    # process (bench/fieldwork.py SIGKILLs it under load: nothing lost); only
                    # a power cut can roll back the last commits. FULL would fsync on every
                    # page save and cost a seventh of the throughput. Use PostgreSQL where
                    # power-cut durability matters.
                    cursor.execute("PRAGMA synchronous=NORMAL")
                    cursor.execute("PRAGMA foreign_keys=ON")
                    cursor.execute("PRAGMA busy_timeout=30000")
                    cursor.close()

                return engine
            for scheme in ("postgresql://", "postgres://"):  # postgres:// as Heroku & co write
                if url.startswith(scheme):
                    url = "postgresql+psycopg://" + url.removeprefix(scheme)
            if not url.startswith("postgresql+"):
                raise StoreError(f"Cannot use database URL {url!r}: write sqlite:///FILE (a "
                                 "file, e.g. sqlite:///fieldwork.db) or postgresql://USER@HOST/DB.")
            # No ping before each checkout (a round trip per request): after a database
            # restart the first request on a dead connection fails once (the 500 page; nothing
            # saved is lost), and SQLAlchemy then discards the whole pool.
            return create_engine(url, pool_pre_ping=False, pool_size=PG_POOL_SIZE,
                                 max_overflow=PG_POOL_OVERFLOW, **options)
        except StoreError:
            raise
        except Exception as exc:  # a malformed URL
            raise StoreError(f"Cannot use database URL {url!r}: {exc}. Write sqlite:///FILE or "
                             "postgresql://USER@HOST/DB.") from None

    def transaction(self) -> Any:
        """A connection in one transaction (commits on success, rolls back on error)."""
        return self.engine.begin()

    def migrate(self) -> None:
        """Bring the schema up to date (Alembic migrations shipped with the package)."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        try:
            with self.engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except Exception as exc:
            if isinstance(exc, TverrsnittError):
                raise
            raise StoreError(f"Cannot open or migrate the database {self.url!r}: {exc}") from exc

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()
        self._reads.dispose()
        self._writer.close()

    # ------------------------------------------------------------------ members and tokens
    def import_members(self, rows: Iterable[Mapping[str, Any]]) -> int:
        """Add members (member_no, email, background); existing member numbers are updated."""
        count = 0
        with self.transaction() as connection:
            existing = {row.member_no: row.id for row in
                        connection.execute(select(members.c.member_no, members.c.id))}
            for row in rows:
                values = {"email": row["email"], "background": dict(row["background"])}
                if row["member_no"] in existing:
                    connection.execute(update(members)
                                       .where(members.c.id == existing[row["member_no"]])
                                       .values(**values))
                else:
                    result = connection.execute(insert(members).values(
                        member_no=row["member_no"], imported_at=now(), **values))
                    member_id = result.inserted_primary_key[0]
                    connection.execute(insert(respondents).values(
                        member_id=member_id, status="invited", page=0))
                count += 1
        return count

    def members(self) -> list[Member]:
        """All members in import order."""
        with self.engine.connect() as connection:
            return [Member(r.id, r.member_no, r.email, r.background) for r in
                    connection.execute(select(members).order_by(members.c.id))]

    def issue_token(self, member_id: int, purpose: str,
                    connection: Connection | None = None) -> str:
        """A new personal link token for a member's one response (every mail gets its own)."""
        token = new_token()

        def run(conn: Connection) -> None:
            respondent_id = conn.execute(select(respondents.c.id)
                                         .where(respondents.c.member_id == member_id)).scalar_one()
            conn.execute(insert(tokens).values(token_hash=hash_token(token),
                                               respondent_id=respondent_id, purpose=purpose,
                                               created_at=now()))

        if connection is not None:
            run(connection)
        else:
            with self.transaction() as conn:
                run(conn)
        return token

    def open_respondent(self) -> str:
        """Open-link mode: a new anonymous respondent and its token."""
        token = new_token()
        with self.transaction() as connection:
            respondent_id = connection.execute(insert(respondents).values(
                status="invited", page=0)).inserted_primary_key[0]
            connection.execute(insert(tokens).values(token_hash=hash_token(token),
                                                     respondent_id=respondent_id,
                                                     purpose="open", created_at=now()))
        return token

    def respondent_for_token(self, token: str) -> Respondent | None:
        """The respondent a token belongs to, or None for an unknown token."""
        with self._reads.connect() as connection:
            row = connection.execute(_BY_TOKEN, {"token_hash": hash_token(token)}).first()
        return None if row is None else _as_respondent(row)

    def open_page(self, token: str) -> tuple[Respondent, dict[str, Any]] | None:
        """The token's respondent and their answers in one query (what showing a
        questionnaire page needs), or None for an unknown token."""
        with self._reads.connect() as connection:
            return _state(connection.execute(_STATE_BY_TOKEN,
                                             {"token_hash": hash_token(token)}))

    # ------------------------------------------------------------------ answers
    def answers(self, respondent_id: int) -> dict[str, Any]:
        """A respondent's answers by question code (decoded from JSON)."""
        with self.engine.connect() as connection:
            return _answers(connection, respondent_id)

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """A transaction that may read and then write on what it read: the database's write
        lock is taken before the first read (SQLite: BEGIN IMMEDIATE; PostgreSQL takes row
        locks with SELECT … FOR UPDATE), so two of them never both decide from the same
        state — a double-clicked "Send inn" completes once."""
        sqlite = self.engine.dialect.name == "sqlite"
        with self._writer if sqlite else nullcontext(), self.engine.connect() as connection:
            if sqlite:
                # pysqlite would begin only before the first write; a read in between could
                # then see a state another transaction is about to change.
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    @contextmanager
    def page_transaction(self, respondent_id: int) -> Iterator[PageTransaction]:
        """One page post, read and written in one locked transaction: the respondent as it is
        now, their answers, and the save that follows from them."""
        with self.write_transaction() as connection:
            state = _state(connection.execute(_STATE_LOCKED, {"respondent_id": respondent_id}))
            if state is None:
                raise StoreError(f"There is no respondent {respondent_id}.")
            yield PageTransaction(self, connection, state)

    @contextmanager
    def token_transaction(self, token: str) -> Iterator[PageTransaction | None]:
        """`page_transaction` for the respondent of a link (None for an unknown link). On
        PostgreSQL one query finds, locks and reads them; SQLite looks the link up first, so
        that unknown links (a stranger guessing) never take its one write lock."""
        if self.engine.dialect.name != "postgresql":
            respondent = self.respondent_for_token(token)
            if respondent is None:
                yield None
                return
            with self.page_transaction(respondent.id) as page_tx:
                yield page_tx
            return
        with self.write_transaction() as connection:
            state = _state(connection.execute(_STATE_BY_TOKEN_LOCKED,
                                              {"token_hash": hash_token(token)}))
            yield None if state is None else PageTransaction(self, connection, state)

    def save_page(self, respondent_id: int, values: Mapping[str, Any], cleared: Iterable[str],
                  *, page: int, status: str, screened_reason: str | None = None,
                  back: bool = False) -> Respondent:
        """Save one page in one transaction: answers set or cleared, progress and status.

        A completed or screened-out respondent is never changed again: replays of a page or of
        the final submit return the stored state (and its receipt) unchanged.
        """
        with self.page_transaction(respondent_id) as page_tx:
            return page_tx.save(values, cleared, page=page, status=status,
                                screened_reason=screened_reason, back=back)

    @cached_property
    def _upsert_answers(self) -> Any:
        return _upsert(self.engine.dialect.name)

    def responses(self) -> Iterator[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
        """Every respondent who started: (respondent row, member background, answers)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(respondents, members.c.member_no, members.c.background)
                .select_from(respondents.outerjoin(members,
                                                   respondents.c.member_id == members.c.id))
                .where(respondents.c.status != "invited").order_by(respondents.c.completed_at,
                                                                   respondents.c.id)).all()
            by_respondent: dict[int, dict[str, Any]] = {}
            for code_row in connection.execute(select(answers)):
                by_respondent.setdefault(code_row.respondent_id, {})[code_row.code] = json.loads(
                    code_row.value)
        for row in rows:
            yield (dict(row._mapping), dict(row.background or {}),
                   by_respondent.get(row.id, {}))

    # ------------------------------------------------------------------ mail log
    def claim_mail(self, member_id: int, kind: str) -> str | None:
        """Reserve a mail before sending it; returns a fresh token, or None if this member has
        this mail already (sent, or claimed by a run whose outcome is unknown)."""
        with self.transaction() as connection:
            row = connection.execute(select(mails).where(
                (mails.c.member_id == member_id) & (mails.c.kind == kind))).first()
            if row is not None and row.status != "failed":
                return None
            if row is None:
                try:
                    with connection.begin_nested():
                        connection.execute(insert(mails).values(
                            member_id=member_id, kind=kind, status="sending", attempts=1,
                            created_at=now()))
                except IntegrityError:
                    return None  # another run claimed it a moment ago
            else:
                connection.execute(update(mails).where(mails.c.id == row.id).values(
                    status="sending", attempts=row.attempts + 1, error=None))
            return self.issue_token(member_id, kind, connection)

    def finish_mail(self, member_id: int, kind: str, *, sent: bool, error: str | None = None,
                    message_id: str | None = None) -> None:
        """Record the outcome of a claimed mail (the audit log)."""
        with self.transaction() as connection:
            connection.execute(update(mails).where(
                (mails.c.member_id == member_id) & (mails.c.kind == kind)).values(
                status="sent" if sent else "failed", error=error, message_id=message_id,
                sent_at=now() if sent else None))

    def mail_log(self) -> list[dict[str, Any]]:
        """Every mail with its member number, status and times (oldest first)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(mails, members.c.member_no, members.c.email)
                .select_from(mails.join(members, mails.c.member_id == members.c.id))
                .order_by(mails.c.id))
            return [dict(r._mapping) for r in rows]

    def members_without_mail(self, kind: str, *, only_unfinished: bool = False) -> list[Member]:
        """Members who have not (successfully) been sent `kind`; optionally only those who
        have not completed or been screened out."""
        sent = select(mails.c.member_id).where((mails.c.kind == kind) & (mails.c.status != "failed"))
        query = (select(members).join(respondents, respondents.c.member_id == members.c.id)
                 .where(members.c.id.not_in(sent)).order_by(members.c.id))
        if only_unfinished:
            query = query.where(respondents.c.status.in_(("invited", "started")))
        with self.engine.connect() as connection:
            return [Member(r.id, r.member_no, r.email, r.background)
                    for r in connection.execute(query)]

    # ------------------------------------------------------------------ status
    def status_counts(self) -> dict[str, int]:
        """Respondents by status (invited, started, screened_out, completed)."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(respondents.c.status, func.count())
                                      .group_by(respondents.c.status))
            return {status: count for status, count in rows}

    def screened_out_by_reason(self) -> dict[str, int]:
        """Screened-out respondents by the reason recorded."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(respondents.c.screened_reason, func.count())
                .where(respondents.c.status == "screened_out")
                .group_by(respondents.c.screened_reason))
            return {reason: count for reason, count in rows}

    def activity_by_day(self) -> list[tuple[dt.date, int, int]]:
        """(day, started, completed) for every day with activity."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(respondents.c.started_at, respondents.c.completed_at)
                                      .where(respondents.c.started_at.is_not(None))).all()
        started: dict[dt.date, int] = {}
        completed: dict[dt.date, int] = {}
        for start, end in rows:
            started[start.date()] = started.get(start.date(), 0) + 1
            if end is not None:
                completed[end.date()] = completed.get(end.date(), 0) + 1
        days = sorted(set(started) | set(completed))
        return [(day, started.get(day, 0), completed.get(day, 0)) for day in days]

    # ------------------------------------------------------------------ settings
    def get_setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        with self.engine.connect() as connection:
            return connection.execute(select(settings.c.value)
                                      .where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting, replacing an earlier value."""
        with self.transaction() as connection:
            updated = connection.execute(update(settings).where(settings.c.key == key)
                                         .values(value=value))
            if updated.rowcount == 0:
                connection.execute(insert(settings).values(key=key, value=value))

    # ------------------------------------------------------------------ admins
    def add_admin(self, username: str, password: str) -> bool:
        """Create or replace an admin login (password stored as an Argon2 hash). A new password
        ends every session of that admin; returns True when the admin was new."""
        hashed = password_hasher().hash(password)
        with self.transaction() as connection:
            updated = connection.execute(update(admins).where(admins.c.username == username)
                                         .values(password_hash=hashed))
            if updated.rowcount == 0:
                connection.execute(insert(admins).values(username=username, password_hash=hashed,
                                                         created_at=now()))
                return True
        self.end_sessions(username)
        return False

    def check_admin(self, username: str, password: str) -> bool:
        """True when the username exists and the password matches."""
        from argon2.exceptions import VerificationError

        with self.engine.connect() as connection:
            stored = connection.execute(select(admins.c.password_hash)
                                        .where(admins.c.username == username)).scalar()
        hasher = password_hasher()
        if stored is None:
            hasher.hash(password)  # spend the same time, so timing does not reveal usernames
            return False
        try:
            return hasher.verify(stored, password)
        except VerificationError:
            return False
