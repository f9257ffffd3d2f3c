"""Mail out: the SMTP settings in force, the messages themselves, and a paced, batched sender.

This module knows SMTP and e-mail formats but nothing about the store; `mail_send.py` runs the
claim -> send -> record loop over it, and `invite.py` / `remind.py` decide who gets what.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import email.utils
import os
import re
import smtplib
import ssl
import time
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Protocol

from pydantic import ValidationError

from ..errors import MailError
from ..study.model import Fieldwork, MailText, SmtpSettings

ENV_PREFIX = "TVERRSNITT_SMTP_"
# Environment variable suffix -> setting; the environment overrides fieldwork.yaml so that a
# password never has to be written into the study folder.
ENV_SETTINGS = {"HOST": "host", "PORT": "port", "SENDER": "sender", "USER": "user",
                "PASSWORD": "password", "TLS": "tls"}
TIMEOUT_SECONDS = 30.0
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
          "oktober", "november", "desember")
PLACEHOLDER = re.compile(r"\{(link|title|deadline)\}")


# ----------------------------------------------------------------------------- settings


def smtp_settings(configured: SmtpSettings, environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP settings in force: fieldwork.yaml's `smtp`, overridden by TVERRSNITT_SMTP_*."""
    environ = os.environ if environ is None else environ
    values = configured.model_dump()
    overridden = {}
    for suffix, name in ENV_SETTINGS.items():
        value = environ.get(ENV_PREFIX + suffix)
        if value is not None and value != "":
            values[name] = value
            overridden[name] = ENV_PREFIX + suffix
    try:
        return SmtpSettings.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "?"
            source = overridden.get(name, f"fieldwork.yaml smtp.{name}")
            problems.append(f"{source}={values.get(name)!r}: {error['msg']}")
        raise MailError("Invalid SMTP settings: " + "; ".join(problems)) from None


# ----------------------------------------------------------------------------- messages


def norwegian_date(day: dt.date) -> str:
    """A date as Norwegian prose writes it: '26. mars 2023'."""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def fill(text: str, *, link: str, title: str, deadline: str) -> str:
    """Replace {link}, {title} and {deadline}; any other braces are left as written.

    Not str.format: a mail text with a literal brace must not crash a run of thousands.
    """
    values = {"link": link, "title": title, "deadline": deadline}
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def check_texts(fieldwork: Fieldwork, *texts: MailText) -> None:
    """Fail before anything is sent when a text needs {deadline} and the study has no date."""
    for text in texts:
        if fieldwork.closes is None and "{deadline}" in text.subject + text.body:
            raise MailError("The mail text uses {deadline}, but fieldwork.yaml sets no 'closes' "
                            "date. Add 'closes: YYYY-MM-DD' or remove {deadline}.")


def envelope_address(sender: str) -> str:
    """The bare address of a From value that may carry a display name ('NIFU <x@nifu.no>')."""
    return email.utils.parseaddr(sender)[1] or sender


def compose(settings: SmtpSettings, recipient: str, text: MailText, *, link: str,
            fieldwork: Fieldwork, now: dt.datetime | None = None) -> EmailMessage:
    """One personal mail: headers (From, To, Subject, Date, Message-ID) and a UTF-8 text body."""
    deadline = norwegian_date(fieldwork.closes) if fieldwork.closes is not None else ""
    values = {"link": link, "title": fieldwork.title, "deadline": deadline}
    message = EmailMessage(policy=email.policy.SMTP)
    message["From"] = settings.sender
    message["To"] = recipient
    # A subject is one line whatever the YAML held.
    message["Subject"] = " ".join(fill(text.subject, **values).split())
    message["Date"] = email.utils.format_datetime(now or dt.datetime.now(dt.UTC))
    domain = envelope_address(settings.sender).rpartition("@")[2] or "localhost"
    # An explicit domain: make_msgid would otherwise ask DNS for this machine's name, per mail.
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    # Quoted-printable keeps the message 7-bit, so servers without 8BITMIME pass æøå intact.
    message.set_content(fill(text.body, **values), charset="utf-8", cte="quoted-printable")
    return message


# ----------------------------------------------------------------------------- pacing


class Clock(Protocol):
    """Time as the sender sees it; tests pass a fake one so that pacing costs no real time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait this long."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """Seconds from time.monotonic()."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """time.sleep()."""
        time.sleep(seconds)


class RateLimit:
    """A token bucket of one token refilled `per_minute` times a minute: evenly spaced mails.

    A bucket of one rather than a burst: receiving servers (and the outgoing relay's quota)
    throttle bursts, and even spacing never exceeds the rate over any window.
    """

    def __init__(self, per_minute: int, clock: Clock, capacity: float = 1.0) -> None:
        self.interval = 60.0 / per_minute
        self.capacity = capacity
        self.clock = clock
        self.tokens = capacity
        self.last = clock.monotonic()

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.last) / self.interval)
        self.last = now

    def wait(self) -> None:
        """Return when one more mail may go, sleeping if the rate would be exceeded."""
        self._refill()
        if self.tokens < 1:
            self.clock.sleep((1 - self.tokens) * self.interval)
            self._refill()
        self.tokens -= 1


# ----------------------------------------------------------------------------- sending


class SendFailure(Exception):
    """One message was not (or maybe not) delivered to the SMTP server.

    `unknown`: the server may have accepted it (the connection broke after the message was
    handed over), so it must not be sent again automatically. `fatal`: every further attempt
    will fail the same way (unreachable server, refused login), so the run should stop.
    """

    def __init__(self, reason: str, *, unknown: bool = False, fatal: bool = False,
                 connection: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.unknown = unknown
        self.fatal = fatal
        self.connection = connection


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(message.split())}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc.smtp_code, exc.smtp_error)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class SmtpSender:
    """Sends messages over SMTP, `batch_size` per connection, reconnecting as needed."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.sender = envelope_address(settings.sender)
        self._connection: smtplib.SMTP | None = None
        self._count = 0

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def where(self) -> str:
        """host:port, for messages."""
        return f"{self.settings.host}:{self.settings.port}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.tls == "ssl":
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context())
            else:
                connection = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT_SECONDS)
        except (smtplib.SMTPException, OSError) as exc:
            raise SendFailure(f"cannot connect to the SMTP server {self.where} ({_describe(exc)})",
                              connection=True) from None
        try:
            connection.ehlo()
            if s.tls == "starttls":
                connection.starttls(context=ssl.create_default_context())
                connection.ehlo()
            if s.user:
                connection.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            connection.close()
            raise SendFailure(f"the SMTP server {self.where} refused the login for {s.user!r} "
                              f"({_describe(exc)})", fatal=True) from None
        except smtplib.SMTPNotSupportedError as exc:
            connection.close()
            raise SendFailure(f"the SMTP server {self.where} does not support "
                              f"{'STARTTLS' if s.tls == 'starttls' else 'login'} ({exc})",
                              fatal=True) from None
        except (smtplib.SMTPException, OSError) as exc:
            connection.close()
            raise SendFailure(f"cannot set up the SMTP session with {self.where} "
                              f"({_describe(exc)})", connection=True) from None
        return connection

    def _drop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection = None

    def _reset(self, connection: smtplib.SMTP) -> None:
        try:
            connection.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; raises SendFailure when it is not accepted."""
        if self._connection is not None and self._count >= self.settings.batch_size:
            self.close()
        if self._connection is None:
            self._connection = self._connect()
            self._count = 0
        connection = self._connection
        self._count += 1
        recipient = str(message["To"])
        # Step by step rather than send_message: a refusal before DATA surely delivered
        # nothing (retry later), a broken connection after it may have (never resend).
        try:
            code, reply = connection.mail(self.sender)
            if code != 250:
                self._reset(connection)
                raise SendFailure(f"sender {self.sender} refused: {_reply(code, reply)}")
            code, reply = connection.rcpt(recipient)
            if code not in (250, 251):
                self._reset(connection)
                raise SendFailure(f"recipient {recipient} refused: {_reply(code, reply)}")
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SendFailure(f"connection to {self.where} lost ({_describe(exc)})",
                              connection=True) from None
        try:
            connection.data(message.as_bytes())
        except smtplib.SMTPDataError as exc:
            self._reset(connection)
            raise SendFailure(f"message to {recipient} refused: {_describe(exc)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise SendFailure(f"connection to {self.where} lost while sending ({_describe(exc)})",
                              unknown=True, connection=True) from None

    def close(self) -> None:
        """End the SMTP session politely (QUIT), or just close a broken one."""
        if self._connection is None:
            return
        try:
            self._connection.quit()
        except (smtplib.SMTPException, OSError):
            self._connection.close()
        self._connection = None
