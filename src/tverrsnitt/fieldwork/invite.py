"""`tverrsnitt invite`: import the members and send each one personal invitation.

Safe to run again and again: members who have their invitation get nothing, failed sends are
retried, and new members in the file are invited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UsageError
from ..study.model import Fieldwork
from .context import open_site
from .flow import phase
from .mail import Clock, check_texts, norwegian_date, smtp_settings
from .mail_send import raise_if_stopped, send_mails
from .members import read_members

INVITATION = "invitation"
BASE_URL_SETTING = "base_url"


def check_base_url(base_url: str) -> str:
    """The public address of `tverrsnitt serve` without a trailing slash, or a UsageError."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise UsageError(f"--base-url must be the public address of the questionnaire, like "
                         f"https://survey.example.org; got {base_url!r}.")
    return base_url.strip().rstrip("/")


def check_window(fieldwork: Fieldwork, today: dt.date, what: str) -> None:
    """Mail goes out only while the survey is open: before `opens` its link shows the closed
    page, after `closes` the mail gives a deadline that has passed."""
    when = phase(fieldwork, today)
    if when == "open":
        return
    hint = ("Set this wave's 'opens' and 'closes' in fieldwork.yaml, or use --today YYYY-MM-DD "
            "to act as of another date.")
    if when == "closed":
        assert fieldwork.closes is not None
        raise UsageError(f"The survey closed on {norwegian_date(fieldwork.closes)} "
                         f"(fieldwork.yaml 'closes'); no {what} are sent after that: they would "
                         f"give a deadline that has passed. Nothing was sent. {hint}")
    assert fieldwork.opens is not None
    raise UsageError(f"The survey opens on {norwegian_date(fieldwork.opens)} (fieldwork.yaml "
                     f"'opens'); {what} sent before that lead to a page saying the survey is "
                     f"closed. Nothing was sent. {hint}")


def invite(study_dir: str | Path, members_file: str | Path, *, base_url: str,
           db_url: str | None = None, clock: Clock | None = None,
           today: dt.date | None = None) -> str:
    """Import `members_file` and send every member without an invitation their personal one;
    returns a summary. Refused outside the fieldwork window (as of `today`). Raises MailError
    (after recording every failure) when the SMTP server cannot be used at all."""
    base = check_base_url(base_url)
    site = open_site(study_dir, db_url)
    try:
        fieldwork = site.definition
        if fieldwork.mode != "personal":
            raise UsageError(f"{study_dir}: fieldwork.yaml says mode: {fieldwork.mode}, so there "
                             "are no personal invitations to send (share the open link instead).")
        check_window(fieldwork, today or dt.date.today(), "invitations")
        check_texts(fieldwork, fieldwork.invitation)
        settings = smtp_settings(fieldwork.smtp)
        imported = site.store.import_members(read_members(members_file, site.study))
        site.store.set_setting(BASE_URL_SETTING, base)
        run = send_mails(site.store, site.store.members_without_mail(INVITATION), kind=INVITATION,
                         text=fieldwork.invitation, fieldwork=fieldwork, settings=settings,
                         base_url=base, clock=clock)
    finally:
        site.store.close()
    head = f"Imported {imported} members from {members_file}."
    raise_if_stopped(run, head)
    return head + "\n" + run.summary()
