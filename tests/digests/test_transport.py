"""SMTP_URL: host, port, login and the STARTTLS switch."""

from __future__ import annotations

import pytest
import trustme
from aiosmtpd.controller import Controller

from app.mail.transport import ConnectionFailure, SmtpConfig, SmtpTransport
from tests.digests.smtp import AuthServer, Mailbox, free_port


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


@pytest.fixture
def trusted_ca(tmp_path, monkeypatch) -> trustme.CA:
    """A private CA that the transport trusts (through SSL_CERT_FILE, as an operator would)."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    return ca


def test_transport_logs_in_with_the_urls_credentials_after_starttls(trusted_ca):
    with AuthServer(trusted_ca) as server:
        url = f"smtp://desk:secret@127.0.0.1:{server.port}"
        SmtpTransport(SmtpConfig.from_url(url)).send(*message())
    assert server.logins == [(b"desk", b"secret")]
    assert len(server.mailbox.messages) == 1


@pytest.mark.parametrize("mode", ["", "?starttls=auto", "?starttls=off"])
def test_with_a_login_a_server_without_starttls_never_gets_the_password(mode):
    # `off` with a login is refused at start-up (tests/test_config.py); the transport refuses
    # it again for a config built some other way.
    with AuthServer() as server:
        url = f"smtp://desk:secret@127.0.0.1:{server.port}{mode}"
        with pytest.raises(ConnectionFailure, match="not sending the SMTP password") as refused:
            SmtpTransport(SmtpConfig.from_url(url)).send(*message())
    assert server.logins == []
    assert server.mailbox.messages == []
    assert "secret" not in str(refused.value)


def test_without_a_login_auto_still_sends_over_a_server_without_starttls():
    with AuthServer() as server:
        SmtpTransport(SmtpConfig.from_url(f"smtp://127.0.0.1:{server.port}")).send(*message())
    assert len(server.mailbox.messages) == 1
    assert server.logins == []


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
