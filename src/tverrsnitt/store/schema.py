"""The fieldwork database: members, personal links, responses, answers, mail log, admins.

Answers are stored per question code, so a wording fix that keeps the codes keeps every answer
already given. Tokens are stored only as SHA-256 hashes: they are 256-bit random values, so a
fast hash is enough to make a stolen database useless for opening anyone's questionnaire.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

members = Table(
    "members", metadata,
    Column("id", Integer, primary_key=True),
    Column("member_no", String(64), nullable=False, unique=True),
    Column("email", String(320), nullable=False),
    # The register columns as imported (birth year, gender, county, …), keyed by column name.
    Column("background", JSON, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

respondents = Table(
    "respondents", metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), unique=True, nullable=True),
    # invited | started | screened_out | completed
    Column("status", String(20), nullable=False),
    Column("screened_reason", String(200), nullable=True),
    Column("page", Integer, nullable=False, default=0),
    Column("receipt", String(32), nullable=True),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)

tokens = Table(
    "tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("respondent_id", Integer, ForeignKey("respondents.id"), nullable=False, index=True),
    # invitation | the reminder's name | open
    Column("purpose", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

answers = Table(
    "answers", metadata,
    Column("respondent_id", Integer, ForeignKey("respondents.id"), primary_key=True),
    Column("code", String(100), primary_key=True),
    # JSON text: a string, a number or a list of option labels.
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

mails = Table(
    "mails", metadata,
    Column("id", Integer, primary_key=True),
    Column("member_id", Integer, ForeignKey("members.id"), nullable=False),
    # invitation | the reminder's name
    Column("kind", String(100), nullable=False),
    # sending (claimed, outcome unknown) | sent | failed
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("error", Text, nullable=True),
    Column("message_id", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("member_id", "kind", name="one_mail_per_kind"),
)

admins = Table(
    "admins", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A TOTP secret (base32) when the admin logs in with a one-time code as well.
    Column("totp_secret", String(64), nullable=True),
)

# Logged-in admin sessions, on the server so that logging out (or a new password) ends them
# everywhere and for good, restarts included. Only the SHA-256 of the session id is stored.
admin_sessions = Table(
    "admin_sessions", metadata,
    Column("sid_hash", String(64), primary_key=True),
    Column("username", String(100), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

# Rate limits shared by every worker process (and kept through restarts): a fixed window of
# events per purpose and subject (a client address, a username with its address).
rate_limits = Table(
    "rate_limits", metadata,
    Column("purpose", String(40), primary_key=True),
    Column("subject", String(300), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("last_at", DateTime(timezone=True), nullable=False),
)

settings = Table(
    "settings", metadata,
    # Facts a later command needs, such as the base URL the invitations used.
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)

# ----------------------------------------------------------------------------- codings
# Focus-group codings (qual): a coder's span of an anonymised transcript and its themes. Rows are
# never removed: deleting a coding sets deleted_at, so no coding is ever lost.

codings = Table(
    "codings", metadata,
    Column("id", Integer, primary_key=True),
    Column("coder", String(100), nullable=False),
    Column("focus_group", String(100), nullable=False),
    # Character offsets into the group's anonymised plain text.
    Column("start_pos", Integer, nullable=False),
    Column("end_pos", Integer, nullable=False),
    # The themes sorted and joined with ';' (the rows of coding_themes, for the unique key).
    Column("theme_key", String(1000), nullable=False),
    Column("memo", Text, nullable=False),
    Column("segment", String(100), nullable=True),
    # A consensus coding: the coders whose identical codings it stands for (a JSON list).
    Column("merged_from", JSON, nullable=False),
    # Where the coding came from: 'web', a codings file's name, 'merge:A+B'.
    Column("source", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("deleted_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("coder", "focus_group", "start_pos", "end_pos", "theme_key",
                     name="one_coding_per_coder_span_themes"),
)

coding_themes = Table(
    "coding_themes", metadata,
    Column("coding_id", Integer, ForeignKey("codings.id"), primary_key=True),
    Column("theme", String(100), primary_key=True, index=True),
)

theme_memos = Table(
    "theme_memos", metadata,
    # A memo on a theme as a whole, by theme code.
    Column("theme", String(100), primary_key=True),
    Column("memo", Text, nullable=False),
    Column("author", String(100), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
