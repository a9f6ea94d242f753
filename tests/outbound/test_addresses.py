"""The address policy and the URL shape, on their own (no sockets)."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address

import pytest

from app.outbound import FetchFailed, OutboundPolicy, RefusedURL, non_public_reason
from app.outbound.addresses import checked_addresses, numeric_ipv4
from app.outbound.urls import checked_url
from tests.outbound.conftest import ScriptedResolver

CLOSED = OutboundPolicy(allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "2606:4700:4700::1111",
        "::ffff:8.8.8.8",  # IPv4-mapped public address
        "64:ff9b::808:808",  # NAT64 of a public address (IPv6-only networks need these)
        "2002:808:808::1",  # 6to4 of a public address
    ],
)
def test_public_addresses_are_allowed(address):
    assert non_public_reason(ip_address(address)) is None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "a loopback address"),
        ("127.255.255.254", "a loopback address"),
        ("10.0.0.1", "a private address"),
        ("172.16.5.4", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a link-local address"),
        ("100.64.0.1", "a shared address (carrier-grade NAT)"),
        ("0.0.0.0", "an unspecified address"),
        ("0.1.2.3", "an unspecified address"),
        ("192.0.0.8", "an IETF protocol address"),
        ("192.0.2.10", "a documentation address"),
        ("198.51.100.7", "a documentation address"),
        ("203.0.113.9", "a documentation address"),
        ("198.18.0.1", "a benchmarking address"),
        ("192.88.99.1", "a 6to4 relay address"),
        ("224.0.0.251", "a multicast address"),
        ("239.255.255.250", "a multicast address"),
        ("240.0.0.1", "a reserved address"),
        ("255.255.255.255", "a reserved address"),
        ("::1", "a loopback address"),
        ("::", "an unspecified address"),
        ("fe80::1", "a link-local address"),
        ("fe80::1%eth0", "a link-local address"),
        ("fc00::1", "a private (unique local) address"),
        ("fd12:3456::1", "a private (unique local) address"),
        ("fec0::1", "a site-local address"),
        ("ff02::1", "a multicast address"),
        ("2001:db8::1", "a documentation address"),
        ("3fff::1", "a documentation address"),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "a Teredo tunnel address"),
        ("2001:10::1", "an IETF protocol address"),
        ("100::1", "a discard-only address"),
        ("64:ff9b:1::1", "a local NAT64 address"),
        ("4000::1", "a reserved address"),
        ("::ffff:127.0.0.1", "an IPv4-mapped form of 127.0.0.1, a loopback address"),
        ("::ffff:10.1.2.3", "an IPv4-mapped form of 10.1.2.3, a private address"),
        ("::ffff:169.254.169.254", "an IPv4-mapped form of 169.254.169.254, a link-local address"),
        ("::127.0.0.1", "an IPv4-compatible form of 127.0.0.1, a loopback address"),
        ("::8.8.8.8", "a deprecated IPv4-compatible address"),
        ("64:ff9b::127.0.0.1", "a NAT64 form of 127.0.0.1, a loopback address"),
        ("2002:7f00:1::1", "a 6to4 form of 127.0.0.1, a loopback address"),
        ("2002:c0a8:101::1", "a 6to4 form of 192.168.1.1, a private address"),
    ],
)
def test_every_special_purpose_address_is_refused_with_its_reason(address, reason):
    assert non_public_reason(ip_address(address)) == reason


@pytest.mark.parametrize(
    ("host", "means"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("3232235777", "192.168.1.1"),
    ],
)
def test_hosts_written_as_numbers_are_read_as_browsers_read_them(host, means):
    assert numeric_ipv4(host) == IPv4Address(means)


@pytest.mark.parametrize("host", ["example.com", "feeds.example.", "1.example", "0x.example"])
def test_names_are_not_numbers(host):
    assert numeric_ipv4(host) is None


@pytest.mark.parametrize("host", ["1.2.3.4.5", "1.2.3.256", "4294967296", "09.1", "1..2", "a.0x1"])
def test_a_host_ending_in_a_number_that_is_no_address_is_refused(host):
    with pytest.raises(RefusedURL, match="neither a host name nor a valid IPv4 address"):
        numeric_ipv4(host)


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("127.0.0.1", "refused: 127.0.0.1 is a loopback address"),
        ("2130706433", "refused: 2130706433 means 127.0.0.1, a loopback address"),
        ("0x7f000001", "refused: 0x7f000001 means 127.0.0.1, a loopback address"),
        ("localhost", "refused: localhost is a localhost name, which means this machine"),
        ("LocalHost.", "refused: LocalHost. is a localhost name, which means this machine"),
        ("api.localhost", "refused: api.localhost is a localhost name, which means this machine"),
        ("feeds.example", "refused: feeds.example resolves to 10.0.0.7, a private address"),
    ],
)
def test_a_refusal_names_the_host_the_address_and_why(host, message):
    resolver = ScriptedResolver({"feeds.example": [["10.0.0.7"]]})
    with pytest.raises(RefusedURL) as refused:
        checked_addresses(host, 80, CLOSED, resolver)
    assert str(refused.value) == message


def test_one_private_address_among_public_ones_refuses_the_host():
    resolver = ScriptedResolver({"mixed.example": [["8.8.8.8", "192.168.0.10", "1.1.1.1"]]})
    with pytest.raises(RefusedURL, match=r"resolves to 192\.168\.0\.10, a private address"):
        checked_addresses("mixed.example", 443, CLOSED, resolver)


def test_public_answers_are_returned_in_the_resolvers_order():
    resolver = ScriptedResolver({"ok.example": [["1.1.1.1", "2606:4700:4700::1111"]]})
    addresses = checked_addresses("ok.example", 443, CLOSED, resolver)
    assert addresses == [ip_address("1.1.1.1"), ip_address("2606:4700:4700::1111")]


def test_literal_and_numeric_hosts_never_reach_the_resolver():
    resolver = ScriptedResolver({})
    assert checked_addresses("8.8.8.8", 80, CLOSED, resolver) == [ip_address("8.8.8.8")]
    assert checked_addresses("134744072", 80, CLOSED, resolver) == [ip_address("8.8.8.8")]
    assert resolver.calls == []


def test_a_name_that_does_not_resolve_is_a_fetch_failure():
    with pytest.raises(FetchFailed, match=r"could not resolve nowhere\.example"):
        checked_addresses("nowhere.example", 80, CLOSED, ScriptedResolver({}))


def test_allowing_private_addresses_lifts_the_address_check_only():
    open_policy = OutboundPolicy(allow_private=True)
    resolver = ScriptedResolver({"intranet.example": [["10.0.0.7"]], "localhost": [["::1"]]})
    assert checked_addresses("127.0.0.1", 80, open_policy, resolver) == [ip_address("127.0.0.1")]
    assert checked_addresses("localhost", 80, open_policy, resolver) == [ip_address("::1")]
    assert checked_addresses("intranet.example", 80, open_policy, resolver) == [
        ip_address("10.0.0.7")
    ]
    with pytest.raises(RefusedURL, match="only http and https"):
        checked_url("ftp://intranet.example/")


def test_the_test_allowance_is_one_exact_address_and_port():
    policy = OutboundPolicy(allow_private=False, treat_as_public=frozenset({("127.0.0.2", 8080)}))
    assert checked_addresses("127.0.0.2", 8080, policy, ScriptedResolver({}))
    with pytest.raises(RefusedURL, match=r"127\.0\.0\.2 is a loopback address"):
        checked_addresses("127.0.0.2", 8081, policy, ScriptedResolver({}))
    with pytest.raises(RefusedURL, match=r"127\.0\.0\.1 is a loopback address"):
        checked_addresses("127.0.0.1", 8080, policy, ScriptedResolver({}))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example/feed.xml", "only http and https URLs are fetched, not ftp: URLs"),
        ("file:///etc/passwd", "only http and https URLs are fetched, not file: URLs"),
        ("javascript:alert(1)", "only http and https URLs are fetched, not javascript: URLs"),
        ("gopher://example.com/", "only http and https URLs are fetched, not gopher: URLs"),
        ("/relative/feed.xml", "only http and https URLs are fetched, not relative URLs"),
        ("http:///no-host", "the URL has no host"),
        ("http://user:hunter2@example.com/", "URLs with a user name or password are not fetched"),
        ("https://token@example.com/", "URLs with a user name or password are not fetched"),
        ("http://127.000.0.1/", "not a valid URL"),
    ],
)
def test_urls_that_are_not_plain_http_links_are_refused(url, message):
    with pytest.raises(RefusedURL, match=message) as refused:
        checked_url(url)
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize("limits", [{"timeout": 0}, {"max_bytes": 0}, {"max_redirects": -1}])
def test_a_policy_with_nonsense_limits_is_refused(limits):
    with pytest.raises(ValueError):  # noqa: PT011 - each message names its own field
        OutboundPolicy(allow_private=False, **limits)
