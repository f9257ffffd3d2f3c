"""Members to invite: the register's columns plus an e-mail address, checked before import.

The members file is the register (as `tverrsnitt report --register` reads it) with one more
column, `email`. It is validated the same way — labels against the questionnaire's options,
errors naming file, row, column and value — and imported with every register column as text,
so the member number and background travel with the personal link (register linkage by
design: the export fills the register-linked questions from it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import DataProblem, InputDataError
from ..ingest import ROW, register_questions
from ..ingest.parse import parse_responses
from ..ingest.readers import read_table
from ..store import Store
from ..study.model import Question, Study, normalise_header

EMAIL_COLUMN = "email"
DEFAULT_KEY_COLUMN = "member_no"
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit on a forward path
LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
DOMAIN = re.compile(r"([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
EMAIL_EXPECTED = "an e-mail address like navn@example.no"


def normalise_email(text: str) -> str | None:
    """The address as it will be sent to (an international domain in its ASCII form), or None
    when it is not a plausible address."""
    local, at, domain = text.strip().rpartition("@")
    if not at or not local or not domain:
        return None
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None
    address = f"{local}@{domain}"
    if len(address) > MAX_EMAIL_LENGTH or not LOCAL_PART.fullmatch(local):
        return None
    return address if DOMAIN.fullmatch(domain) else None


def _key_column(study: Study) -> str:
    return study.register_link.key_column if study.register_link else DEFAULT_KEY_COLUMN


def _register_questions(study: Study, headers: set[str]) -> list[Question]:
    questions = register_questions(study)
    link = study.register_link
    # The register's invitation date records a fieldwork that has not happened yet when the
    # members are first invited, so a members file may leave that column out.
    if link is not None and normalise_header(link.date_column) not in headers:
        questions = [q for q in questions if q.header != link.date_column]
    return questions


def read_members(path: str | Path, study: Study) -> list[dict[str, Any]]:
    """Read and check a members file; rows ready for `Store.import_members`.

    Raises InputDataError listing every problem (file, row, column, value, expected).
    """
    path = Path(path)
    raw = read_table(path)
    if raw.frame.height == 0:
        raise InputDataError([DataProblem(path, None, None, "(no data rows)",
                                          "at least one member row below the header")])
    by_header = {normalise_header(h): c for h, c in zip(raw.headers, raw.columns, strict=True)}
    parsed = parse_responses(raw, _register_questions(study, set(by_header)))
    problems = list(parsed.problems)
    key = _key_column(study)
    key_column, email_column = by_header.get(normalise_header(key)), by_header.get(EMAIL_COLUMN)
    for wanted, found in ((key, key_column), (EMAIL_COLUMN, email_column)):
        if found is None and not any(p.column == wanted and p.row == 1 for p in problems):
            problems.append(DataProblem(path, 1, wanted, None,
                                        f"a column '{wanted}' (one value for every member)"))
    if key_column is None or email_column is None:
        raise InputDataError(problems)
    members: list[dict[str, Any]] = []
    first_row: dict[str, int] = {}
    background_columns = [(h, c) for h, c in zip(raw.headers, raw.columns, strict=True)
                          if normalise_header(h) != EMAIL_COLUMN]
    for record in raw.frame.iter_rows(named=True):
        row = record[ROW]
        member_no, address = record[key_column], record[email_column]
        if member_no is None:
            problems.append(DataProblem(path, row, key, None, "a member number"))
        elif member_no in first_row:
            problems.append(DataProblem(path, row, key, member_no,
                                        f"each member once (also on row {first_row[member_no]})"))
        else:
            first_row[member_no] = row
        email = normalise_email(address) if address is not None else None
        if email is None:
            problems.append(DataProblem(path, row, EMAIL_COLUMN, address, EMAIL_EXPECTED))
        members.append({"member_no": member_no, "email": email,
                        "background": {h: record[c] for h, c in background_columns}})
    if problems:
        problems.sort(key=lambda p: (p.row or 0))
        raise InputDataError(problems)
    return members


def import_members(store: Store, path: str | Path, study: Study) -> int:
    """Check the members file, then add (or update) every member in the store."""
    return store.import_members(read_members(path, study))
