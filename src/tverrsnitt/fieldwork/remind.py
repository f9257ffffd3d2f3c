"""`tverrsnitt remind`: send the reminder that is due to members who have not completed.

Each run sends at most one mail per member: the most recent reminder whose date has come. A
member who missed an earlier reminder never gets it late, so nobody receives two at once.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import UsageError
from ..study.model import Fieldwork, Reminder
from .context import open_site
from .flow import phase
from .invite import BASE_URL_SETTING, INVITATION, check_window
from .mail import Clock, check_texts, norwegian_date, smtp_settings
from .mail_send import raise_if_stopped, send_mails


def due_reminder(fieldwork: Fieldwork, today: dt.date) -> Reminder | None:
    """The latest reminder dated today or earlier, or None before the first."""
    due = [r for r in fieldwork.reminders if r.date <= today]
    return max(due, key=lambda r: r.date) if due else None


def remind(study_dir: str | Path, *, db_url: str | None = None, today: dt.date | None = None,
           clock: Clock | None = None) -> str:
    """Send the due reminder to every invited member who has neither completed nor been
    screened out and does not have it yet; returns a summary."""
    today = today or dt.date.today()
    site = open_site(study_dir, db_url)
    try:
        fieldwork = site.definition
        if phase(fieldwork, today) == "closed":
            check_window(fieldwork, today, "reminders")
        reminder = due_reminder(fieldwork, today)
        if reminder is None:
            upcoming = (f" The first, {fieldwork.reminders[0].name!r}, is due on "
                        f"{norwegian_date(fieldwork.reminders[0].date)}."
                        if fieldwork.reminders else " fieldwork.yaml lists no reminders.")
            return f"No reminder is due on {norwegian_date(today)}.{upcoming}"
        check_texts(fieldwork, fieldwork.reminder)
        settings = smtp_settings(fieldwork.smtp)
        base_url = site.store.get_setting(BASE_URL_SETTING)
        if base_url is None:
            raise UsageError("No invitations have been sent from this database yet, so there is "
                             "nobody to remind: run `tverrsnitt invite` first.")
        invited = {row["member_id"] for row in site.store.mail_log()
                   if row["kind"] == INVITATION and row["status"] == "sent"}
        waiting = site.store.members_without_mail(reminder.name, only_unfinished=True)
        # A reminder only follows an invitation that went out; the others wait for `invite`.
        members = [m for m in waiting if m.id in invited]
        run = send_mails(site.store, members, kind=reminder.name, text=fieldwork.reminder,
                         fieldwork=fieldwork, settings=settings, base_url=base_url, clock=clock)
    finally:
        site.store.close()
    head = f"Reminder {reminder.name!r} (due {norwegian_date(reminder.date)})."
    if len(waiting) > len(members):
        head += (f" {len(waiting) - len(members)} members who have not completed have no "
                 "invitation yet and were skipped (run `tverrsnitt invite`).")
    raise_if_stopped(run, head)
    return head + "\n" + run.summary()
