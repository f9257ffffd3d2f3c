"""One mailing run: claim each mail in the store, send it, record the outcome — never twice.

The store's claim is taken BEFORE the message leaves, so a run that dies between the SMTP
server's "250 OK" and the audit-log entry leaves the mail 'sending', and no later run sends it
again. Such mails are listed in every summary for a person to check by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..store import Store
from ..store.database import Member
from ..study.model import Fieldwork, MailText, SmtpSettings
from .mail import Clock, MailError, RateLimit, SendFailure, SmtpSender, SystemClock, compose

# Consecutive connection failures after which the run stops rather than knock on a dead server
# once for every remaining member (a wrong host name would otherwise cost a timeout each).
CONNECTION_ATTEMPTS = 3
LISTED = 10


@dataclass
class MailRun:
    """What one run did with one kind of mail; `summary()` is what the command prints."""

    kind: str
    sent: int = 0
    already: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    not_attempted: int = 0
    stopped: str | None = None
    pending: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True unless the run had to stop because the server cannot be used."""
        return self.stopped is None

    def summary(self) -> str:
        """Counts, the reasons for failures, and what to do next."""
        lines = [f"{self.kind}: {self.sent} sent, {len(self.failed)} failed"
                 + (f", {self.already} skipped (claimed by another run)" if self.already else "")
                 + (f", {self.not_attempted} not attempted" if self.not_attempted else "") + "."]
        if self.stopped:
            lines.append(f"Stopped: {self.stopped}. Fix the SMTP settings (fieldwork.yaml smtp, "
                         "or TVERRSNITT_SMTP_*) and run again; nothing is sent twice.")
        if self.failed:
            reasons = Counter(reason for _member, reason in self.failed)
            for reason, count in reasons.most_common(LISTED):
                lines.append(f"  {count} failed: {reason}")
            if not self.stopped:
                lines.append("Failed mails are retried the next time the command runs.")
        if self.unknown:
            lines.append(f"{len(self.unknown)} mails may or may not have reached the SMTP server "
                         "(the connection broke after the message was handed over); they are "
                         "not resent automatically.")
        if self.pending:
            shown = ", ".join(self.pending[:LISTED]) + (" …" if len(self.pending) > LISTED else "")
            lines.append(f"{len(self.pending)} {self.kind} mails have an unknown outcome (claimed "
                         f"by a run that never recorded the result): member numbers {shown}. "
                         "Check the SMTP server's log; they are never resent automatically.")
        return "\n".join(lines)


def personal_link(base_url: str, token: str) -> str:
    """The address a member opens: {base_url}/s/{token}."""
    return f"{base_url.rstrip('/')}/s/{token}"


def send_mails(store: Store, members: Sequence[Member], *, kind: str, text: MailText,
               fieldwork: Fieldwork, settings: SmtpSettings, base_url: str,
               clock: Clock | None = None) -> MailRun:
    """Send `text` as mail `kind` to each member who does not have it yet, one fresh personal
    link each, paced at `settings.per_minute` and `settings.batch_size` per connection."""
    run = MailRun(kind)
    pace = RateLimit(settings.per_minute, clock or SystemClock())
    connection_failures = attempts = 0
    with SmtpSender(settings) as sender:
        for index, member in enumerate(members):
            # Wait first, claim last: the claim is held for as short a time as possible, since
            # a run killed while holding it leaves a mail whose outcome nobody knows.
            pace.wait()
            token = store.claim_mail(member.id, kind)
            if token is None:
                run.already += 1
                continue
            message = compose(settings, member.email, text, link=personal_link(base_url, token),
                              fieldwork=fieldwork)
            attempts += 1
            try:
                sender.send(message)
            except SendFailure as failure:
                if failure.unknown:
                    run.unknown.append(member.member_no)  # stays 'sending': never resent
                else:
                    store.finish_mail(member.id, kind, sent=False, error=failure.reason)
                    run.failed.append((member.member_no, failure.reason))
                connection_failures = connection_failures + 1 if failure.connection else 0
                if failure.fatal or connection_failures >= CONNECTION_ATTEMPTS:
                    run.stopped = failure.reason
                    run.not_attempted = len(members) - index - 1
                    break
                continue
            connection_failures = 0
            store.finish_mail(member.id, kind, sent=True, message_id=str(message["Message-ID"]))
            run.sent += 1
        if run.ok and attempts and connection_failures == attempts:
            # Every attempt failed to reach the server: as good as stopped, however few.
            run.stopped = run.failed[-1][1] if run.failed else "the SMTP server cannot be reached"
    run.pending = [row["member_no"] for row in store.mail_log()
                   if row["kind"] == kind and row["status"] == "sending"
                   and row["member_no"] not in run.unknown]
    return run


def raise_if_stopped(run: MailRun, before: str = "") -> None:
    """A run the server stopped is an error for the command line (exit code 1), after the
    failures have been recorded."""
    if not run.ok:
        raise MailError((before + "\n" if before else "") + run.summary())
