"""What happens when the SMTP server says no, later, or nothing at all: nothing is dropped."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.digests.job import run_digest_pass
from app.digests.outbox import MAX_ATTEMPTS
from app.models import DigestDelivery
from tests.digests.smtp import AuthServer, SmtpServer, free_port
from tests.digests.test_digest_email import NOW, overdue_claim, reader_in_berlin


def the_row(session):
    session.expire_all()
    return session.scalars(select(DigestDelivery)).one()


def test_a_451_reply_is_retried_after_backoff_and_delivered(mail_app, smtp, factory, session):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    smtp.mailbox.replies.append("451 4.3.0 Mailbox busy, try later")

    first = run_digest_pass(mail_app, NOW)
    row = the_row(session)
    assert (first.retried, row.status, row.attempts) == (1, "pending", 1)
    assert row.last_error == "451 4.3.0 Mailbox busy, try later"
    assert row.next_attempt_at > NOW

    assert run_digest_pass(mail_app, NOW + timedelta(seconds=30)).sent == 0, "backoff respected"
    assert run_digest_pass(mail_app, row.next_attempt_at).sent == 1
    row = the_row(session)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert len(smtp.mailbox.messages) == 1
    assert smtp.mailbox.messages[0]["Message-ID"] == row.message_id


def test_a_550_reply_marks_the_row_failed_with_the_servers_answer(mail_app, smtp, factory, session):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    smtp.mailbox.replies.append("550 5.1.1 No such user here")

    assert run_digest_pass(mail_app, NOW).failed == 1
    row = the_row(session)
    assert (row.status, row.last_error) == ("failed", "550 5.1.1 No such user here")
    assert run_digest_pass(mail_app, NOW + timedelta(hours=2)).sent == 0
    assert smtp.mailbox.messages == []


def test_a_server_that_is_down_is_retried_until_it_is_up(app, factory, session):
    reader_in_berlin(factory)
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    port = free_port()
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"

    down = run_digest_pass(app, NOW)
    assert (down.sent, down.retried) == (0, 2)
    rows = session.scalars(select(DigestDelivery)).all()
    assert {r.status for r in rows} == {"pending"}
    assert all("cannot reach" in r.last_error for r in rows)
    still_down = run_digest_pass(app, max(r.next_attempt_at for r in rows))
    assert still_down.retried == 2

    server = SmtpServer(port=port).start()
    try:
        session.expire_all()
        later = max(r.next_attempt_at for r in session.scalars(select(DigestDelivery)))
        assert run_digest_pass(app, later).sent == 2
        assert len(server.mailbox.messages) == 2
    finally:
        server.stop()
    session.expire_all()
    assert {r.status for r in session.scalars(select(DigestDelivery))} == {"sent"}


def test_temporary_failures_give_up_visibly_after_the_last_attempt(
    mail_app, smtp, factory, session
):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    smtp.mailbox.replies.extend(["452 4.2.2 Over quota"] * MAX_ATTEMPTS)
    now = NOW
    for _ in range(MAX_ATTEMPTS):
        run_digest_pass(mail_app, now)
        now = the_row(session).next_attempt_at
    row = the_row(session)
    assert row.status == "failed"
    assert row.last_error.startswith(f"gave up after {MAX_ATTEMPTS} attempts: 452")


def test_an_address_that_needs_smtputf8_fails_its_row_with_the_reason_and_others_go_out(
    mail_app, smtp, factory, session
):
    # Such addresses are refused at account creation now; this account is from before.
    jorg = reader_in_berlin(factory)
    jorg.email = "jörg@newsroom.example"
    other = reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()

    summary = run_digest_pass(mail_app, NOW)
    assert (summary.sent, summary.failed, summary.retried) == (1, 1, 0)
    session.expire_all()
    rows = {row.user_id: row for row in session.scalars(select(DigestDelivery))}
    assert rows[jorg.id].status == "failed"
    assert (
        "jörg@newsroom.example has letters outside ASCII before the @" in rows[jorg.id].last_error
    )
    assert rows[other.id].status == "sent"
    assert smtp.mailbox.recipients() == [other.email]
    again = run_digest_pass(mail_app, NOW + timedelta(hours=2))
    assert (again.sent, again.failed, again.retried) == (0, 0, 0), "not tried again"


def test_a_domain_in_other_letters_is_mailed_at_its_ascii_form(mail_app, smtp, factory, session):
    reader_in_berlin(factory, email="joerg@bücher.example")
    overdue_claim(factory)
    session.commit()
    assert run_digest_pass(mail_app, NOW).sent == 1
    assert smtp.mailbox.recipients() == ["joerg@xn--bcher-kva.example"]


def test_a_server_without_starttls_never_gets_the_password_and_the_row_says_why(
    app, factory, session
):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    with AuthServer() as server:  # offers AUTH on the plain connection, no STARTTLS
        app.config["SMTP_URL"] = f"smtp://desk:secret@127.0.0.1:{server.port}"
        outcome = run_digest_pass(app, NOW)
    assert (outcome.sent, outcome.retried) == (0, 1)
    row = the_row(session)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == (
        "127.0.0.1 does not offer STARTTLS: not sending the SMTP password unencrypted"
    )
    assert server.logins == []
    assert server.mailbox.messages == []
