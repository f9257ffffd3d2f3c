"""Invitations and reminders over a real SMTP server (aiosmtpd on localhost), on SQLite and
PostgreSQL: one mail per member and kind, working personal links, failures retried."""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import os
import re
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tverrsnitt.cli import main
from tverrsnitt.errors import InputDataError, UsageError
from tverrsnitt.fieldwork.invite import invite
from tverrsnitt.fieldwork.mail import MailError, RateLimit, norwegian_date, smtp_settings
from tverrsnitt.fieldwork.members import read_members
from tverrsnitt.fieldwork.remind import remind
from tverrsnitt.store import Store
from tverrsnitt.study import Study
from tverrsnitt.study.model import SmtpSettings

from .conftest import EXAMPLE, REGISTER_CSV

BASE_URL = "https://survey.example.org"
LINK = re.compile(r"https://survey\.example\.org/s/([A-Za-z0-9_-]{43})")
OPEN_DAY = dt.date(2023, 2, 2)  # fieldwork.yaml: opens 2 February, closes 26 March 2023
AFTER_ALL_REMINDERS = dt.date(2023, 3, 20)  # påminnelse 3 was due 14 March; closes 26 March


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every accepted message and refuses chosen recipients."""

    messages: list[tuple[str, EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        for recipient in envelope.rcpt_tos:
            self.messages.append((recipient, message))
        return "250 Message accepted"

    def tokens(self, start: int = 0) -> dict[str, str]:
        """Recipient -> the token in their link, for the messages from `start` on."""
        found = {}
        for recipient, message in self.messages[start:]:
            match = LINK.search(message.get_content())
            assert match, message.get_content()
            found[recipient] = match.group(1)
        return found


class FakeClock:
    """Time that passes only when the sender sleeps: pacing is measured, not waited for."""

    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("TVERRSNITT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TVERRSNITT_SMTP_PORT", str(controller.port))
    try:
        yield box
    finally:
        controller.stop()


def members_file(path: Path, count: int) -> Path:
    """The first `count` members of the example register, each with a synthetic address."""
    with REGISTER_CSV.open(encoding="utf-8") as source:
        rows = list(csv.DictReader(source))[:count]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, [*rows[0], "email"])
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "email": f"m{row['member_no']}@example.org"})
    return path


def test_invitations_to_all_then_reminders_to_those_who_have_not_completed(
        store_url: str, mailbox: Mailbox, tmp_path: Path) -> None:
    clock = FakeClock()
    summary = invite(EXAMPLE, members_file(tmp_path / "members.csv", 200), base_url=BASE_URL,
                     db_url=store_url, clock=clock, today=OPEN_DAY)
    assert "Imported 200 members" in summary and "invitation: 200 sent, 0 failed." in summary
    # 600 a minute, evenly spaced: 199 gaps of 0.1 s after the first mail.
    assert clock.now == pytest.approx(19.9)

    recipients = Counter(recipient for recipient, _ in mailbox.messages)
    assert len(recipients) == 200 and set(recipients.values()) == {1}
    recipient, first = mailbox.messages[0]
    assert first["Subject"] == "Spørreundersøkelse blant skolemiljøansatte"
    assert first["From"] == "undersokelse@nifu.no" and first["To"] == recipient
    assert first["Date"] and first["Message-ID"].endswith("@nifu.no>")
    assert first.get_content_charset() == "utf-8"
    assert "Undersøkelsen er åpen til 26. mars 2023." in first.get_content()

    store = Store(store_url)
    try:
        by_email = {m.email: m for m in store.members()}
        invitations = mailbox.tokens()
        for address, token in invitations.items():
            respondent = store.respondent_for_token(token)
            assert respondent is not None and respondent.member_id == by_email[address].id
            assert respondent.background["member_no"] == by_email[address].member_no
        assert store.get_setting("base_url") == BASE_URL

        completed = sorted(invitations)[:60]
        for address in completed:
            respondent = store.respondent_for_token(invitations[address])
            assert respondent is not None
            store.save_page(respondent.id, {"s1_samtykke": "Ja"}, [], page=18, status="completed")

        sent_before = len(mailbox.messages)
        first_run = remind(EXAMPLE, db_url=store_url, today=AFTER_ALL_REMINDERS, clock=clock)
        second_run = remind(EXAMPLE, db_url=store_url, today=AFTER_ALL_REMINDERS, clock=clock)
        assert "påminnelse 3: 140 sent, 0 failed." in first_run
        assert "påminnelse 3: 0 sent, 0 failed." in second_run
        reminders = mailbox.tokens(sent_before)
        assert len(mailbox.messages) - sent_before == 140 == len(reminders)
        assert set(reminders) == set(invitations) - set(completed)
        reminder = mailbox.messages[-1][1]
        assert reminder["Subject"] == "Påminnelse: Spørreundersøkelse blant skolemiljøansatte"
        for address, token in reminders.items():  # a fresh link to the same response
            respondent = store.respondent_for_token(token)
            assert respondent is not None and token != invitations[address]
            assert respondent.member_id == by_email[address].id

        log = store.mail_log()
        assert Counter((row["kind"], row["status"]) for row in log) == {
            ("invitation", "sent"): 200, ("påminnelse 3", "sent"): 140}
        assert all(row["message_id"] and row["sent_at"] for row in log)
    finally:
        store.close()

    again = invite(EXAMPLE, tmp_path / "members.csv", base_url=BASE_URL, db_url=store_url,
                   clock=clock, today=OPEN_DAY)
    assert "invitation: 0 sent, 0 failed." in again and len(mailbox.messages) == 340


def test_only_the_latest_due_reminder_is_sent(store_url: str, mailbox: Mailbox,
                                              tmp_path: Path) -> None:
    members = members_file(tmp_path / "members.csv", 4)
    invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(), today=OPEN_DAY)
    before_first = remind(EXAMPLE, db_url=store_url, today=dt.date(2023, 2, 12))
    assert "No reminder is due" in before_first and "13. februar 2023" in before_first
    remind(EXAMPLE, db_url=store_url, today=dt.date(2023, 2, 14), clock=FakeClock())
    remind(EXAMPLE, db_url=store_url, today=dt.date(2023, 2, 20), clock=FakeClock())
    # Påminnelse 2 (27 February) was never sent: on 20 March only påminnelse 3 goes out.
    remind(EXAMPLE, db_url=store_url, today=AFTER_ALL_REMINDERS, clock=FakeClock())
    store = Store(store_url)
    try:
        kinds = Counter(row["kind"] for row in store.mail_log())
    finally:
        store.close()
    assert kinds == {"invitation": 4, "påminnelse 1": 4, "påminnelse 3": 4}
    assert len(mailbox.messages) == 12
    with pytest.raises(UsageError, match=r"closed on 26\. mars 2023"):
        remind(EXAMPLE, db_url=store_url, today=dt.date(2023, 3, 27))


@pytest.mark.parametrize(("today", "message"), [
    (dt.date(2023, 3, 27), r"closed on 26\. mars 2023 .*no invitations are sent after that"),
    (dt.date(2023, 2, 1), r"opens on 2\. februar 2023 .*invitations sent before that"),
])
def test_invite_is_refused_outside_the_fieldwork_window(
        store_url: str, mailbox: Mailbox, tmp_path: Path, today: dt.date, message: str) -> None:
    members = members_file(tmp_path / "members.csv", 3)
    with pytest.raises(UsageError, match=message) as caught:
        invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(),
               today=today)
    assert "Nothing was sent" in caught.value.message and "--today" in caught.value.message
    assert mailbox.messages == []
    store = Store(store_url)
    try:
        assert store.members() == [] and store.mail_log() == []  # nothing imported either
    finally:
        store.close()


def test_invite_outside_the_window_on_the_command_line(
        tmp_path: Path, mailbox: Mailbox, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["invite", str(EXAMPLE), "--db", f"sqlite:///{tmp_path / 'f.db'}",
                 "--members", str(members_file(tmp_path / "m.csv", 2)), "--base-url", BASE_URL])
    err = capsys.readouterr().err
    assert code == 1 and "The survey closed on 26. mars 2023" in err and "Traceback" not in err
    assert mailbox.messages == []


def test_a_refused_recipient_is_recorded_and_retried(store_url: str, mailbox: Mailbox,
                                                     tmp_path: Path) -> None:
    members = members_file(tmp_path / "members.csv", 5)
    refused = read_members(members, _study())[2]["email"]
    mailbox.refuse.add(refused)
    summary = invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(), today=OPEN_DAY)
    assert "invitation: 4 sent, 1 failed." in summary
    assert "1 failed: recipient " + refused + " refused: 550 5.1.1 Mailbox unavailable" in summary
    mailbox.refuse.clear()
    retry = invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(), today=OPEN_DAY)
    assert "invitation: 1 sent, 0 failed." in retry
    assert [r for r, _ in mailbox.messages].count(refused) == 1 and len(mailbox.messages) == 5
    store = Store(store_url)
    try:
        row = next(r for r in store.mail_log() if r["email"] == refused)
    finally:
        store.close()
    assert (row["status"], row["attempts"], row["error"]) == ("sent", 2, None)


def test_an_unreachable_server_stops_the_run_and_the_next_run_sends(
        store_url: str, mailbox: Mailbox, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    members = members_file(tmp_path / "members.csv", 5)
    working_port = os.environ["TVERRSNITT_SMTP_PORT"]
    monkeypatch.setenv("TVERRSNITT_SMTP_PORT", str(free_port()))  # nothing listens there
    with pytest.raises(MailError) as failure:
        invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(), today=OPEN_DAY)
    message = failure.value.message
    assert "invitation: 0 sent, 3 failed, 2 not attempted." in message
    assert "3 failed: cannot connect to the SMTP server 127.0.0.1:" in message
    assert "Connection refused" in message
    store = Store(store_url)
    try:
        assert [r["status"] for r in store.mail_log()] == ["failed"] * 3
    finally:
        store.close()
    monkeypatch.setenv("TVERRSNITT_SMTP_PORT", working_port)
    summary = invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(), today=OPEN_DAY)
    assert "invitation: 5 sent, 0 failed." in summary and len(mailbox.messages) == 5


def test_the_command_line_reports_a_dead_server_without_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TVERRSNITT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TVERRSNITT_SMTP_PORT", str(free_port()))
    code = main(["invite", str(EXAMPLE), "--db", f"sqlite:///{tmp_path / 'f.db'}",
                 "--members", str(members_file(tmp_path / "m.csv", 2)), "--base-url", BASE_URL,
                 "--today", "2023-02-02"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("Error: Imported 2 members") and "Traceback" not in err


# ----------------------------------------------------------------------------- units


def _study() -> Study:
    from tverrsnitt.study import load_study

    return load_study(EXAMPLE)


def test_members_file_errors_name_row_column_and_value(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("member_no,birth_year,gender,county,occupation,union_rep,email\n"
                    "1,1980,Kvinne,Oslo,Assistent,Nei,a@example.org\n"
                    "2,1981,Kvine,Oslo,Assistent,Nei,b@example\n"
                    "1,1982,Mann,Oslo,Assistent,Nei,\n", encoding="utf-8")
    with pytest.raises(InputDataError) as failure:
        read_members(path, _study())
    problems = [(p.row, p.column, p.value) for p in failure.value.problems]
    assert problems == [(3, "gender", "Kvine"), (3, "email", "b@example"),
                        (4, "member_no", "1"), (4, "email", None)]
    assert "row 3, column 'gender': found 'Kvine'" in failure.value.message
    assert "Did you mean 'Kvinne'?" in failure.value.message


def test_members_file_needs_the_register_columns_and_email(tmp_path: Path) -> None:
    path = tmp_path / "members.csv"
    path.write_text("member_no,birth_year\n1,1980\n", encoding="utf-8")
    with pytest.raises(InputDataError) as failure:
        read_members(path, _study())
    missing = {p.column for p in failure.value.problems}
    assert missing == {"gender", "county", "occupation", "union_rep", "email"}


def test_members_background_is_the_register_as_text(tmp_path: Path) -> None:
    rows = read_members(members_file(tmp_path / "members.csv", 2), _study())
    assert rows[0] == {"member_no": "1000542", "email": "m1000542@example.org", "background": {
        "member_no": "1000542", "birth_year": "1992", "gender": "Kvinne", "county": "Rogaland",
        "occupation": "Miljøarbeider", "union_rep": "Nei", "invited_at": "2023-02-02",
        "reminder_1": "2023-02-13", "reminder_2": "2023-02-27", "reminder_3": "2023-03-14"}}


def test_smtp_settings_from_the_environment_override_the_study() -> None:
    study = SmtpSettings(host="smtp.nifu.no", port=25, sender="x@nifu.no")
    env = {"TVERRSNITT_SMTP_PORT": "587", "TVERRSNITT_SMTP_TLS": "starttls",
           "TVERRSNITT_SMTP_PASSWORD": "hemmelig"}
    settings = smtp_settings(study, env)
    assert (settings.host, settings.port, settings.tls, settings.password) == (
        "smtp.nifu.no", 587, "starttls", "hemmelig")
    with pytest.raises(MailError, match="TVERRSNITT_SMTP_TLS='tls'"):
        smtp_settings(study, {"TVERRSNITT_SMTP_TLS": "tls"})


def test_norwegian_dates_and_the_rate_limit() -> None:
    assert norwegian_date(dt.date(2023, 3, 26)) == "26. mars 2023"
    assert norwegian_date(dt.date(2024, 12, 1)) == "1. desember 2024"
    clock = FakeClock()
    limit = RateLimit(120, clock)
    for _ in range(11):
        limit.wait()
    assert clock.now == pytest.approx(5.0)  # 120 a minute: 10 gaps of 0.5 s


def test_a_mail_whose_outcome_is_unknown_is_reported_and_never_resent(
        store_url: str, mailbox: Mailbox, tmp_path: Path) -> None:
    members = members_file(tmp_path / "members.csv", 3)
    store = Store(store_url)
    try:
        store.import_members(read_members(members, _study()))
        # A run that crashed after the server accepted the mail, before recording it.
        crashed = store.members()[1]
        assert store.claim_mail(crashed.id, "invitation") is not None
    finally:
        store.close()
    for _ in range(2):
        summary = invite(EXAMPLE, members, base_url=BASE_URL, db_url=store_url, clock=FakeClock(),
                         today=OPEN_DAY)
        assert (f"1 invitation mails have an unknown outcome (claimed by a run that never "
                f"recorded the result): member numbers {crashed.member_no}.") in summary
    assert sorted(r for r, _ in mailbox.messages) == sorted(
        f"m{row['member_no']}@example.org" for i, row in enumerate(read_members(members, _study()))
        if i != 1)
