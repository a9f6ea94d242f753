"""A digest as the reader receives it: parts, links, headers, and the one-click unsubscribe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import event, select

from app.claims import assign_claim, resolve_claim
from app.digests.job import run_digest_pass
from app.mail.content import Reader, build_digests
from app.models import DigestDelivery, User
from tests.digests.conftest import flag_overdue

# 10:00 in Berlin: the 08:00 (07:00 UTC) digest of 2026-11-20 is due, covering the day before.
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
EARLIER = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def reader_in_berlin(factory, **kw):
    return factory.user(role="reviewer", timezone="Europe/Berlin", digest_hour=8, **kw)


def overdue_claim(factory, statement="Example Corp will ship the X1 by November"):
    claim = factory.claim(now=EARLIER, statement=statement, window_end=EARLIER + timedelta(days=5))
    flag_overdue(factory.session, claim, datetime(2026, 11, 19, 12, 0, tzinfo=UTC))
    return claim


def test_digest_with_a_newly_overdue_claim_arrives_with_both_parts_and_link(
    mail_app, smtp, factory
):
    reader = reader_in_berlin(factory)
    claim = overdue_claim(factory)
    factory.session.commit()

    summary = run_digest_pass(mail_app, NOW)

    assert summary.sent == 1
    (message,) = smtp.mailbox.messages
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in message.get_payload()}
    assert set(parts) == {"text/plain", "text/html"}
    link = f"http://claimwatch.example/claims/{claim.id}"
    for part in parts.values():
        body = part.get_payload(decode=True).decode()
        assert link in body
        assert "Example Corp will ship the X1 by November" in body
    assert message["To"].endswith(f"<{reader.email}>")
    assert "1 newly overdue" in message["Subject"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    # The token is in the query string: the access log records paths only.
    assert unsubscribe.startswith("http://claimwatch.example/digests/unsubscribe?token=")


def test_one_click_post_turns_the_digest_off_without_session_or_csrf(
    mail_app, smtp, factory, client, session
):
    reader = reader_in_berlin(factory)
    overdue_claim(factory)
    factory.session.commit()
    run_digest_pass(mail_app, NOW)
    link = urlsplit(smtp.mailbox.messages[0]["List-Unsubscribe"].strip("<>"))
    path = f"{link.path}?{link.query}"

    page = client.get(path)
    assert page.status_code == 200
    assert b"Turn off digests" in page.data
    session.refresh(reader)
    assert reader.digest_frequency == "daily", "a GET (or a link scanner) must change nothing"

    response = client.post(
        path,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    session.refresh(reader)
    assert reader.digest_frequency == "off"
    assert reader.role == "reviewer"
    assert reader.active
    # Mail clients may send the one-click POST again: it still answers 2xx.
    assert client.post(path, data="List-Unsubscribe=One-Click").status_code == 200


def test_an_old_link_cannot_turn_the_digest_off_again_once_the_reader_turned_it_on(
    mail_app, smtp, factory, client, session
):
    reader = reader_in_berlin(factory)
    overdue_claim(factory)
    factory.session.commit()
    run_digest_pass(mail_app, NOW)
    link = urlsplit(smtp.mailbox.messages[0]["List-Unsubscribe"].strip("<>"))
    path = f"{link.path}?{link.query}"
    assert client.post(path).status_code == 200
    reader.digest_frequency = "weekly"  # the reader turns the digest on again in Settings
    session.commit()
    assert client.post(path).status_code == 400
    assert client.get(path).status_code == 400
    session.refresh(reader)
    assert reader.digest_frequency == "weekly"


def test_tampered_or_expired_unsubscribe_link_changes_nothing(app, client, factory, session):
    from app.accounts.unsubscribe import LINK_LIFETIME, make_token, mark_of

    reader = reader_in_berlin(factory)
    session.commit()
    token = make_token(app.config["SECRET_KEY"], reader.id, mark_of(reader))
    assert client.post(f"/digests/unsubscribe?token={token}x").status_code == 400
    assert client.post("/digests/unsubscribe").status_code == 400
    import time_machine

    with time_machine.travel(datetime.now(UTC) + LINK_LIFETIME + timedelta(days=1)):
        assert client.post(f"/digests/unsubscribe?token={token}").status_code == 400
    session.refresh(reader)
    assert reader.digest_frequency == "daily"


def test_nothing_to_say_sends_no_email_unless_skip_empty_is_off(mail_app, smtp, factory):
    reader_in_berlin(factory)
    factory.session.commit()
    assert run_digest_pass(mail_app, NOW).skipped == 1
    assert smtp.mailbox.messages == []

    reader_in_berlin(factory)
    factory.session.commit()
    mail_app.config["DIGEST_SKIP_EMPTY"] = False
    assert run_digest_pass(mail_app, NOW).sent == 1
    assert "nothing new" in smtp.mailbox.messages[0]["Subject"]


def test_sections_cover_overdue_closing_resolved_and_assigned(session, factory):
    reader = reader_in_berlin(factory)
    other = reader_in_berlin(factory)
    overdue = overdue_claim(factory, "Overdue one")
    closing = factory.claim(statement="Closing one", window_end=NOW + timedelta(days=3))
    factory.claim(statement="Far away", window_end=NOW + timedelta(days=30))
    resolved = factory.claim(now=EARLIER, statement="Resolved one")
    factory.evidence(resolved)
    resolve_claim(
        session,
        factory.reviewer,
        datetime(2026, 11, 19, 15, tzinfo=UTC),
        resolved.id,
        "confirmed",
        "announced",
    )
    mine = factory.claim(statement="Mine")
    assign_claim(session, factory.reviewer, NOW, mine.id, reader.id)
    session.flush()
    start = datetime(2026, 11, 20, 7, tzinfo=UTC)
    since = start - timedelta(days=1)

    readers = [
        Reader(None, u.id, u.email, u.name, u.timezone, "<m@x>", "D2026-11-20", since, start)
        for u in (reader, other)
    ]
    mine_digest, other_digest = build_digests(session, readers)

    assert [c.claim_id for c in mine_digest.overdue.items] == [overdue.id]
    assert closing.id in [c.claim_id for c in mine_digest.closing.items]
    assert "Far away" not in [c.statement for c in mine_digest.closing.items]
    assert [(c.claim_id, c.status) for c in mine_digest.resolved.items] == [
        (resolved.id, "confirmed")
    ]
    assert [c.claim_id for c in mine_digest.assigned.items] == [mine.id]
    assert other_digest.assigned.total == 0
    assert other_digest.overdue == mine_digest.overdue


def count_queries(engine):
    statements = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return statements, lambda: event.remove(engine, "before_cursor_execute", record)


def test_building_takes_the_same_few_queries_for_one_reader_or_forty(session, factory, engine):
    users = [reader_in_berlin(factory) for _ in range(40)]
    for user in users[:5]:
        claim = overdue_claim(factory)
        assign_claim(session, factory.reviewer, NOW, claim.id, user.id)
    session.flush()
    start = datetime(2026, 11, 20, 7, tzinfo=UTC)

    def readers(some):
        return [
            Reader(
                None, u.id, u.email, u.name, u.timezone, "<m@x>", "p", start - timedelta(1), start
            )
            for u in some
        ]

    counts = []
    for some in (readers(users[:1]), readers(users)):
        statements, stop = count_queries(engine)
        build_digests(session, some)
        stop()
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 5


def test_user_text_never_breaks_a_header(mail_app, smtp, factory, session):
    reader = reader_in_berlin(factory, name="Eve\r\nBcc: victim@example.com")
    overdue_claim(factory, "Injected Bcc: victim@example.com")
    session.commit()
    assert run_digest_pass(mail_app, NOW).sent == 1
    (message,) = smtp.mailbox.messages
    assert message["Bcc"] is None
    assert smtp.mailbox.recipients() == [reader.email]


def test_the_outbox_keeps_one_row_per_reader_and_period(mail_app, smtp, factory, session):
    reader_in_berlin(factory)
    overdue_claim(factory)
    session.commit()
    run_digest_pass(mail_app, NOW)
    run_digest_pass(mail_app, NOW + timedelta(minutes=1))
    rows = session.scalars(select(DigestDelivery)).all()
    assert [(r.period, r.status, r.attempts) for r in rows] == [("D2026-11-20", "sent", 1)]
    assert len(smtp.mailbox.messages) == 1
    assert smtp.mailbox.messages[0]["Message-ID"] == rows[0].message_id
    assert session.scalar(select(User.digest_frequency).where(User.id == rows[0].user_id))


def test_one_pass_sends_every_due_digest_batch_after_batch(mail_app, smtp, factory, session):
    readers = [reader_in_berlin(factory) for _ in range(5)]
    overdue_claim(factory)
    session.commit()
    mail_app.config["DIGEST_BATCH_SIZE"] = 2

    assert run_digest_pass(mail_app, NOW).sent == 5
    assert sorted(smtp.mailbox.recipients()) == sorted(r.email for r in readers)
