"""The digest as mail clients show it: tables with inline styles, a colour per status, each
deadline in the reader's zone with how long ago or how soon, and dated when it was sent."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

from app.digests.job import run_digest_pass
from tests.digests.test_digest_email import NOW, overdue_claim, reader_in_berlin


def parts(message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in message.get_payload()
    }


def test_the_digest_says_how_long_ago_and_how_soon_in_the_readers_zone(mail_app, smtp, factory):
    reader_in_berlin(factory)
    overdue_claim(factory)  # its window ended 15 Nov 09:00 UTC, flagged on the 19th
    factory.claim(statement="Closing on Monday", window_end="2026-11-23")
    factory.session.commit()

    assert run_digest_pass(mail_app, NOW).sent == 1
    (message,) = smtp.mailbox.messages
    for body in parts(message).values():
        assert "window closed 15 Nov 2026, 10:00 CET — 5 days ago" in body
        assert "closes in 3 days — by end of 23 Nov 2026" in body
        assert "Wed" not in body and "UTC" not in body  # one format, the reader's zone


def test_the_html_part_is_tables_with_inline_styles_and_status_colours(mail_app, smtp, factory):
    reader_in_berlin(factory)
    overdue_claim(factory)
    factory.claim(statement="Closing soon", window_end=NOW + timedelta(days=2))
    factory.session.commit()
    run_digest_pass(mail_app, NOW)
    html = parts(smtp.mailbox.messages[0])["text/html"]
    assert '<table role="presentation"' in html
    assert "<style" not in html and "class=" not in html  # mail clients drop both
    assert "<ul" not in html
    assert "background:#b45309" in html  # overdue
    assert "background:#1d4ed8" in html  # pending
    assert re.search(r">Overdue</span>\s*<a href=", html)


def test_the_date_header_is_when_it_was_sent_not_when_its_period_began(mail_app, smtp, factory):
    reader_in_berlin(factory)  # the period began at 08:00 Berlin, 07:00 UTC
    overdue_claim(factory)
    factory.session.commit()
    run_digest_pass(mail_app, NOW)  # sent at 09:00 UTC
    sent = parsedate_to_datetime(smtp.mailbox.messages[0]["Date"])
    assert abs(sent - NOW) < timedelta(minutes=1)
