"""Composing a `multipart/alternative` message as wire bytes, quickly and injection-safe.

The `email` package's header objects cost more than sending the message (docs/benchmarks.md,
"digests"), and a digest's headers are few and known: every value is checked for line breaks
(refused), non-ASCII display names are RFC 2047-encoded by `formataddr`, and both bodies are
quoted-printable, so no body line can look like a boundary or exceed SMTP's line limit.
"""

from __future__ import annotations

import binascii
import secrets
from email.utils import formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email


class UnsendableMessage(ValueError):
    """The message cannot be put on the wire as it is; trying again would not help."""


class HeaderInjection(UnsendableMessage):
    """A header value carried a line break."""


class UnsendableAddress(UnsendableMessage):
    """The recipient's address needs SMTPUTF8 (letters outside ASCII before the @)."""


def wire_address(addr_spec: str) -> str:
    """`addr_spec` as SMTP and the To header carry it: an internationalised domain in its
    ASCII (IDNA) form. Letters outside ASCII before the @ would need SMTPUTF8, which digests
    do not use (accounts with such addresses are refused; older ones get UnsendableAddress)."""
    if addr_spec.isascii():
        return addr_spec
    try:
        ascii_form = validate_email(addr_spec, check_deliverability=False).ascii_email
    except EmailNotValidError as exc:
        raise UnsendableAddress(f"{addr_spec} is not an address mail can go to: {exc}") from None
    if ascii_form is None:
        raise UnsendableAddress(
            f"{addr_spec} has letters outside ASCII before the @, which needs SMTPUTF8; "
            "give the account an ASCII address"
        )
    return ascii_form


def address(display_name: str, addr_spec: str) -> str:
    """`Name <addr>`, with a non-ASCII name encoded; the name must already be one line."""
    return formataddr((display_name, addr_spec), charset="utf-8")


def reformat_address(value: str) -> str:
    """A configured `Name <addr>` (MAIL_FROM) in the same encoded form."""
    name, addr = parseaddr(value)
    return address(name, addr)


def _header(name: str, value: str) -> bytes:
    if "\r" in value or "\n" in value:
        raise HeaderInjection(f"line break in the {name} header")
    return f"{name}: {value}\r\n".encode("ascii")


def quoted_printable(text: str) -> bytes:
    """`text` with CRLF line ends, UTF-8, quoted-printable; pieces that each end a line
    can be encoded separately and joined."""
    crlf = text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
    return binascii.b2a_qp(crlf, istext=True)


def compose(headers: list[tuple[str, str]], text_qp: bytes, html_qp: bytes) -> bytes:
    """The whole message from already-encoded bodies, CRLF line endings, ready for SMTP DATA
    or an .eml file."""
    # "=_" cannot occur in quoted-printable output, so the boundary never occurs in a body.
    boundary = f"=_cw_{secrets.token_hex(12)}"
    parts = [b"".join(_header(n, v) for n, v in headers)]
    parts.append(_header("MIME-Version", "1.0"))
    parts.append(_header("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    parts.append(b"\r\n")
    for subtype, body in (("plain", text_qp), ("html", html_qp)):
        parts.append(f"--{boundary}\r\n".encode())
        parts.append(_header("Content-Type", f'text/{subtype}; charset="utf-8"'))
        parts.append(_header("Content-Transfer-Encoding", "quoted-printable"))
        parts.append(b"\r\n")
        # The CRLF before a boundary belongs to the boundary, not to the body.
        parts.append(body + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts)
