"""Which addresses an outgoing request may connect to, and how a host becomes addresses.

An address is public when it is in none of the special-purpose blocks of the IANA IPv4 and
IPv6 registries listed below and Python's `is_global` agrees. The tables are written out
instead of relying on `is_global` alone because its tables differ between Python patch
releases and leave out multicast, 6to4, NAT64 and the deprecated site-local and
IPv4-compatible IPv6 forms. An IPv6 address that carries an IPv4 address (IPv4-mapped,
IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by the IPv4 address inside,
because that is where a dual-stack socket, a NAT64 gateway or a 6to4 relay delivers it.
Everything outside 2000::/3 (IPv6 global unicast) is refused. `localhost` and names under
it are refused by name (RFC 6761 reserves them for this machine), without asking DNS.

A host is turned into addresses here and nowhere else, and the connection is made to exactly
the addresses checked (see `transport.py`), so a second DNS answer cannot slip in between.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from app.outbound.errors import FetchFailed, RefusedURL
from app.outbound.policy import OutboundPolicy

IPAddress = IPv4Address | IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""`resolve(host, port)` → the host's addresses as text; raises OSError when it has none."""

_IPV4_BLOCKS = tuple(
    (IPv4Network(network), why)
    for network, why in (
        ("0.0.0.0/8", "an unspecified address"),
        ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a shared address (carrier-grade NAT)"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address"),
        ("192.0.0.0/24", "an IETF protocol address"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.88.99.0/24", "a 6to4 relay address"),
        ("192.168.0.0/16", "a private address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),
    )
)

_IPV6_BLOCKS = tuple(
    (IPv6Network(network), why)
    for network, why in (
        ("::/128", "an unspecified address"),
        ("::1/128", "a loopback address"),
        ("64:ff9b:1::/48", "a local NAT64 address"),
        ("100::/64", "a discard-only address"),
        ("2001::/32", "a Teredo tunnel address"),
        ("2001::/23", "an IETF protocol address"),
        ("2001:db8::/32", "a documentation address"),
        ("3fff::/20", "a documentation address"),
        ("fc00::/7", "a private (unique local) address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)

_IPV4_COMPATIBLE = IPv6Network("::/96")
_NAT64 = IPv6Network("64:ff9b::/96")
_SIX_TO_FOUR = IPv6Network("2002::/16")
_GLOBAL_UNICAST = IPv6Network("2000::/3")

_NUMBER = {10: re.compile(r"[0-9]+"), 8: re.compile(r"[0-7]+"), 16: re.compile(r"[0-9a-fA-F]*")}


def non_public_reason(address: IPAddress) -> str | None:
    """Why `address` is not public ("a loopback address"), or None when it is."""
    if isinstance(address, IPv4Address):
        return _ipv4_reason(address)
    return _ipv6_reason(address)


def _ipv4_reason(address: IPv4Address) -> str | None:
    for network, why in _IPV4_BLOCKS:
        if address in network:
            return why
    return None if address.is_global else "not a public address"


def _ipv6_reason(address: IPv6Address) -> str | None:
    if address.ipv4_mapped is not None:
        return _carried("an IPv4-mapped form", address.ipv4_mapped)
    if address in _NAT64:
        return _carried("a NAT64 form", IPv4Address(int(address) & 0xFFFFFFFF))
    if address.sixtofour is not None:
        return _carried("a 6to4 form", address.sixtofour)
    for network, why in _IPV6_BLOCKS:
        if address in network:
            return why
    if address in _IPV4_COMPATIBLE:
        inner = IPv4Address(int(address) & 0xFFFFFFFF)
        return _carried("an IPv4-compatible form", inner) or "a deprecated IPv4-compatible address"
    if address not in _GLOBAL_UNICAST:
        return "a reserved address"
    return None if address.is_global else "not a public address"


def _carried(form: str, inner: IPv4Address) -> str | None:
    why = _ipv4_reason(inner)
    return f"{form} of {inner}, {why}" if why else None


def numeric_ipv4(host: str) -> IPv4Address | None:
    """The address a host written as a number stands for, as browsers read it; else None.

    Follows the WHATWG URL standard's IPv4 parser: `2130706433`, `0x7f000001`,
    `017700000001` and `127.1` all mean 127.0.0.1. A host that ends in a number but is no valid
    address (`1.2.3.4.5`, `1.2.3.999`) is refused rather than sent to DNS.
    """
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not _is_number(labels[-1]):
        return None
    numbers = [_ipv4_number(label) for label in labels]
    if len(labels) > 4 or any(n is None for n in numbers):
        raise RefusedURL(f"{host} is neither a host name nor a valid IPv4 address")
    parts = [n for n in numbers if n is not None]
    if any(n > 255 for n in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        raise RefusedURL(f"{host} is neither a host name nor a valid IPv4 address")
    value = parts[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(parts[:-1]))
    return IPv4Address(value)


def _is_number(label: str) -> bool:
    if _NUMBER[10].fullmatch(label):
        return True
    return label[:2].lower() == "0x" and _NUMBER[16].fullmatch(label[2:]) is not None


def _ipv4_number(label: str) -> int | None:
    text, base = label, 10
    if text[:2].lower() == "0x":
        text, base = text[2:], 16
    elif len(text) > 1 and text.startswith("0"):
        text, base = text[1:], 8
    if not _NUMBER[base].fullmatch(text):
        return None
    return int(text, base) if text else 0


def is_localhost_name(host: str) -> bool:
    """`localhost` and names under it, which RFC 6761 reserves for this machine."""
    name = host.lower().removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for `host`, in its order, without repeats."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(answer[4][0]) for answer in answers))


def checked_addresses(
    host: str, port: int, policy: OutboundPolicy, resolve: Resolver
) -> list[IPAddress]:
    """The addresses to connect to for `host`, every one of them allowed by `policy`.

    Raises RefusedURL when any of them is not public (a host with one private address among
    public ones is refused whole), FetchFailed when the name does not resolve.
    """
    try:
        literal: IPAddress | None = ip_address(host)
        as_number = False
    except ValueError:
        literal = numeric_ipv4(host)
        as_number = literal is not None
    if literal is not None:
        addresses = [literal]
    else:
        if not policy.allow_private and is_localhost_name(host):
            raise RefusedURL(f"{host} is a localhost name, which means this machine")
        try:
            answers = resolve(host, port)
        except (OSError, UnicodeError):
            raise FetchFailed(f"could not resolve {host}") from None
        if not answers:
            raise FetchFailed(f"could not resolve {host}")
        addresses = [ip_address(answer) for answer in answers]
    if policy.allow_private:
        return addresses
    for address in addresses:
        if (str(address), port) in policy.treat_as_public:
            continue
        why = non_public_reason(address)
        if why is None:
            continue
        if literal is None:
            raise RefusedURL(f"{host} resolves to {address}, {why}")
        if as_number:
            raise RefusedURL(f"{host} means {address}, {why}")
        raise RefusedURL(f"{host} is {why}")
    return addresses
