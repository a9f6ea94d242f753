"""SMTP_URL: host, port, login and the STARTTLS switch."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.mail.transport import ConnectionFailure, SmtpConfig, SmtpTransport
from tests.digests.smtp import Mailbox, free_port


def test_smtp_url_gives_host_port_login_and_starttls_mode():
    cfg = SmtpConfig.from_url("smtp://digest%40desk:p%40ss@mail.example:587?starttls=require")
    assert (cfg.host, cfg.port, cfg.username, cfg.password) == (
        "mail.example",
        587,
        "digest@desk",
        "p@ss",
    )
    assert (cfg.starttls, cfg.implicit_tls) == ("require", False)
    assert SmtpConfig.from_url("smtps://mail.example").port == 465
    assert SmtpConfig.from_url("smtp://mail.example").starttls == "auto"
    with pytest.raises(ValueError, match="starttls"):
        SmtpConfig.from_url("smtp://mail.example?starttls=maybe")


def message() -> tuple[str, str, bytes, str]:
    data = b"From: claimwatch@newsroom.example\r\nSubject: test\r\n\r\nhello\r\n"
    return "claimwatch@newsroom.example", "reader@newsroom.example", data, "<t@x>"


def test_transport_logs_in_with_the_urls_credentials():
    seen = []

    def authenticator(_server, _session, _envelope, _mechanism, data):
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=True)

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        SmtpTransport(SmtpConfig.from_url(f"smtp://desk:secret@127.0.0.1:{port}")).send(*message())
    finally:
        controller.stop()
    assert seen[0] == (b"desk", b"secret")
    assert len(mailbox.messages) == 1


def test_starttls_require_refuses_a_server_without_it():
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        transport = SmtpTransport(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}?starttls=require"))
        with pytest.raises(ConnectionFailure, match="STARTTLS"):
            transport.send(*message())
    finally:
        controller.stop()
    assert mailbox.messages == []
