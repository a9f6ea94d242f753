"""The hand-composed message parses back to what was put in, and refuses header injection."""

from __future__ import annotations

import email
from email import policy

import pytest

from app.mail.mime import HeaderInjection, address, compose, quoted_printable


def test_composed_message_parses_back_with_both_parts_and_encoded_names():
    text = "Überfällig: ok\n" + "x" * 300 + "\n.\n--=_cw_\nFrom the start\n"
    html = "<p>Überfällig &amp; <b>fällig</b></p>"
    data = compose(
        [("Subject", "Claimwatch digest"), ("To", address('Jürgen, "JJ"', "j@news.example"))],
        quoted_printable(text),
        quoted_printable(html),
    )
    assert all(len(line) <= 78 for line in data.split(b"\r\n"))
    message = email.message_from_bytes(data, policy=policy.default)
    assert message["To"].addresses[0].display_name == 'Jürgen, "JJ"'
    assert message["To"].addresses[0].addr_spec == "j@news.example"
    plain = message.get_body(("plain",)).get_content()
    assert plain.replace("\r\n", "\n") == text
    assert message.get_body(("html",)).get_content().strip() == html


def test_a_line_break_in_a_header_value_is_refused():
    with pytest.raises(HeaderInjection):
        compose([("Subject", "hi\r\nBcc: victim@example.com")], b"t", b"h")
