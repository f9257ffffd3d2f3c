"""`tverrsnitt invite`: import the members and send each one personal invitation.

Safe to run again and again: members who have their invitation get nothing, failed sends are
retried, and new members in the file are invited.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UsageError
from .context import open_site
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


def invite(study_dir: str | Path, members_file: str | Path, *, base_url: str,
           db_url: str | None = None, clock: Clock | None = None) -> str:
    """Import `members_file` and send every member without an invitation their personal one;
    returns a summary. Raises MailError (after recording every failure) when the SMTP server
    cannot be used at all."""
    base = check_base_url(base_url)
    site = open_site(study_dir, db_url)
    try:
        fieldwork = site.definition
        if fieldwork.mode != "personal":
            raise UsageError(f"{study_dir}: fieldwork.yaml says mode: {fieldwork.mode}, so there "
                             "are no personal invitations to send (share the open link instead).")
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
    if fieldwork.closes is not None and dt.date.today() > fieldwork.closes:
        head += (f"\nNote: the survey closed on {norwegian_date(fieldwork.closes)} "
                 "(fieldwork.yaml 'closes'); the invitations still give it as the deadline.")
    raise_if_stopped(run, head)
    return head + "\n" + run.summary()
