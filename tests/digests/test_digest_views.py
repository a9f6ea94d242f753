"""The digest's other surfaces: the settings preview, the admin list, the command, .eml files."""

from __future__ import annotations

import email
from datetime import timedelta

from sqlalchemy import func, select

from app.digests.job import run_digest_pass
from app.mail.preview import preview_digest
from app.mail.render import MailSettings
from app.models import DigestDelivery
from app.web.deliveries import recent_deliveries
from tests.digests.test_digest_email import NOW, overdue_claim, reader_in_berlin


def test_preview_shows_what_the_next_digest_says_so_far(app, factory, session):
    reader = reader_in_berlin(factory)
    claim = factory.claim(statement="Closing soon", window_end=NOW + timedelta(days=2))
    session.flush()

    preview = preview_digest(session, reader, NOW, MailSettings.from_config(app.config))

    assert "Closing soon" in preview.text
    assert f"/claims/{claim.id}" in preview.html
    assert "1 closing this week" in preview.subject
    assert session.scalar(select(func.count(DigestDelivery.id))) == 0, "a preview sends nothing"


def test_admins_see_recent_deliveries_with_their_state(mail_app, smtp, factory, session):
    first = reader_in_berlin(factory)
    second = reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    smtp.mailbox.replies.extend(["250 OK", "550 5.7.1 Rejected"])
    run_digest_pass(mail_app, NOW)

    rows = recent_deliveries(session, limit=10)

    assert {(r.email, r.status) for r in rows} == {(first.email, "sent"), (second.email, "failed")}
    failed = next(r for r in rows if r.status == "failed")
    assert failed.last_error == "550 5.7.1 Rejected"
    assert recent_deliveries(session, limit=1)[0].id == max(r.id for r in rows)


def test_without_smtp_url_digests_are_written_as_eml_files(app, factory, session, tmp_path):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    assert app.config["SMTP_URL"] is None

    assert run_digest_pass(app, NOW).sent == 1
    run_digest_pass(app, NOW + timedelta(minutes=5))

    (path,) = (tmp_path / "outbox").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes())
    assert message.get_content_type() == "multipart/alternative"


def test_send_command_dry_run_changes_nothing_then_send_sends(runner, factory, session, tmp_path):
    reader = reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()

    dry = runner.invoke(args=["digests", "send", "--dry-run", "--now", "2026-11-20T09:00:00Z"])
    assert dry.exit_code == 0, dry.output
    assert f"would send D2026-11-20 to {reader.email}: 1 newly overdue" in dry.output
    assert session.scalar(select(func.count(DigestDelivery.id))) == 0
    assert not (tmp_path / "outbox").exists()

    sent = runner.invoke(args=["digests", "send", "--now", "2026-11-20T09:00:00Z"])
    assert sent.exit_code == 0, sent.output
    assert "1 sent" in sent.output
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_send_command_refuses_a_bad_now(runner):
    result = runner.invoke(args=["digests", "send", "--now", "yesterday"])
    assert result.exit_code == 2
    assert "--now" in result.output
