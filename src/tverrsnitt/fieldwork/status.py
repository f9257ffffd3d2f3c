"""The live fieldwork status as data: Tabell 2.1 as it stands today, daily activity, mail log.

The admin page only renders what `fieldwork_status` returns; every number is computed here, with
the report's own rounding (whole percents, half up) so the page and the final report agree.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..store import Store
from ..study import layout
from ..study.model import Fieldwork, Reminder, Study
from ..tabulate.tables import whole_percent
from .flow import phase

NO_REASON = "Uten registrert grunn"  # a screened-out respondent whose reason was not stored

MAIL_STATUSES = ("sent", "failed", "sending")


@dataclass(frozen=True)
class StatusRow:
    """One row of Tabell 2.1: a count and its whole percent of those invited (None: no base)."""

    label: str
    count: int
    percent: int | None
    total: bool = False  # the totals (Distribuert … Total N), as opposed to one reason


@dataclass(frozen=True)
class DayActivity:
    """Respondents who started, and who finished (completed or screened out), on one day."""

    day: dt.date
    started: int
    completed: int


@dataclass(frozen=True)
class MailCount:
    """How many mails of one kind are sent, failed, or still sending (outcome unknown)."""

    kind: str
    sent: int
    failed: int
    sending: int
    # The days (UTC) mails of this kind actually went out, with how many: the chart marks
    # these, not the planned date.
    sent_days: tuple[tuple[dt.date, int], ...] = ()

    @property
    def total(self) -> int:
        """All mails of this kind."""
        return self.sent + self.failed + self.sending


@dataclass(frozen=True)
class MailFailure:
    """A mail that could not be sent, with the error the mail server gave."""

    kind: str
    member_no: str
    email: str
    attempts: int
    error: str
    created_at: dt.datetime | None


@dataclass(frozen=True)
class FieldworkStatus:
    """Where the fieldwork stands: who is invited, how far each has come, and the mailings."""

    invited: int  # Distribuert: members imported from the register
    not_started: int  # invited, no page saved yet
    in_progress: int  # started, not yet submitted
    completed: int  # submitted and passed screening (= analysed, Total N)
    screened_out: int  # Ekskludert
    screened_out_by_reason: tuple[tuple[str, int], ...]  # the study's screening order
    table: tuple[StatusRow, ...]  # Tabell 2.1 as it stands today
    activity: tuple[DayActivity, ...]  # every day with activity, oldest first
    reminders: tuple[Reminder, ...]
    opens: dt.date | None
    closes: dt.date | None
    mail_counts: tuple[MailCount, ...]
    mail_failures: tuple[MailFailure, ...]
    # Where today falls in the fieldwork window, in a sentence for the page ('' without dates).
    window: str = ""

    @property
    def answered(self) -> int:
        """Svart: every submitted response (completed or screened out)."""
        return self.completed + self.screened_out

    @property
    def analysed(self) -> int:
        """Total N: respondents who passed screening."""
        return self.completed

    @property
    def started(self) -> int:
        """Everyone who saved at least one page."""
        return self.in_progress + self.answered

    @property
    def response_rate(self) -> int | None:
        """Svart as a whole percent of Distribuert (None before anyone is invited)."""
        return _percent(self.answered, self.invited)


def mail_kind_label(kind: str) -> str:
    """What a mailing is called on the admin page: 'Invitasjon', 'Påminnelse 1'."""
    return "Invitasjon" if kind == "invitation" else kind[:1].upper() + kind[1:]


def _percent(count: int, base: int) -> int | None:
    return whole_percent(count, base) if base else None


def date_label(day: dt.date) -> str:
    """A date the Norwegian way: 02.02.2023."""
    return day.strftime("%d.%m.%Y")


def window_text(fieldwork: Fieldwork | None, today: dt.date) -> str:
    """Whether the survey is open today, and its dates, as the page says it."""
    if fieldwork is None or (fieldwork.opens is None and fieldwork.closes is None):
        return ""
    opens = f" fra {date_label(fieldwork.opens)}" if fieldwork.opens else ""
    closes = f" til {date_label(fieldwork.closes)}" if fieldwork.closes else ""
    when = phase(fieldwork, today)
    if when == "not_yet":
        assert fieldwork.opens is not None
        return (f"Undersøkelsen er ikke åpnet ennå: den åpner {date_label(fieldwork.opens)}"
                + (f" og stenger {date_label(fieldwork.closes)}." if fieldwork.closes else "."))
    if when == "closed":
        assert fieldwork.closes is not None
        return (f"Undersøkelsen er stengt: den var åpen{opens} til "
                f"{date_label(fieldwork.closes)}. Det sendes ingen invitasjoner eller "
                "påminnelser.")
    return f"Undersøkelsen er åpen{opens}{closes}."


def fieldwork_status(study: Study, store: Store, today: dt.date | None = None) -> FieldworkStatus:
    """Read the store once and build the status page's numbers (as of `today`)."""
    counts = store.status_counts()
    invited = len(store.members())
    completed = counts.get("completed", 0)
    screened_out = counts.get("screened_out", 0)
    by_reason = _reasons(study, store.screened_out_by_reason())
    answered = completed + screened_out
    rows = layout.response_status_rows(invited, answered, screened_out, completed, by_reason)
    table = tuple(StatusRow(label, n, _percent(n, invited),
                            total=index < len(layout.RESPONSE_STATUS_HEAD))
                  for index, (label, n) in enumerate(rows))
    fieldwork = study.fieldwork
    reminders = fieldwork.reminders if fieldwork else ()
    mail_counts, failures = _mail_summary(store.mail_log(), reminders)
    return FieldworkStatus(
        invited=invited, not_started=counts.get("invited", 0),
        in_progress=counts.get("started", 0), completed=completed, screened_out=screened_out,
        screened_out_by_reason=by_reason, table=table,
        activity=tuple(DayActivity(day, s, c) for day, s, c in store.activity_by_day()),
        reminders=reminders, opens=fieldwork.opens if fieldwork else None,
        closes=fieldwork.closes if fieldwork else None, mail_counts=mail_counts,
        mail_failures=failures, window=window_text(fieldwork, today or dt.date.today()))


def _reasons(study: Study, stored: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    """Every screening reason in the study's order (zeros included, as in Tabell 2.1), then
    any reason the store holds that the definition no longer names."""
    reasons = [step.reason for step in study.screening]
    counts = {reason: 0 for reason in reasons}
    for reason, count in stored.items():
        label = reason or NO_REASON
        counts[label] = counts.get(label, 0) + count
    return tuple(counts.items())


def _mail_summary(log: list[dict[str, Any]], reminders: tuple[Reminder, ...]
                  ) -> tuple[tuple[MailCount, ...], tuple[MailFailure, ...]]:
    """Mails counted by kind and status (the invitation first, then reminders in date order),
    and every failure with its error."""
    counted: Counter[tuple[str, str]] = Counter((row["kind"], row["status"]) for row in log)
    known = ["invitation", *(r.name for r in sorted(reminders, key=lambda r: r.date))]
    kinds = sorted({row["kind"] for row in log},
                   key=lambda k: (known.index(k), "") if k in known else (len(known), k))
    days: Counter[tuple[str, dt.date]] = Counter(
        (row["kind"], row["sent_at"].date()) for row in log
        if row["status"] == "sent" and row["sent_at"] is not None)
    counts = tuple(MailCount(kind, counted[kind, "sent"], counted[kind, "failed"],
                             counted[kind, "sending"],
                             tuple(sorted((day, n) for (k, day), n in days.items() if k == kind)))
                   for kind in kinds)
    failures = tuple(MailFailure(row["kind"], row["member_no"], row["email"], row["attempts"],
                                 row["error"] or "", row["created_at"])
                     for row in log if row["status"] == "failed")
    return counts, failures
