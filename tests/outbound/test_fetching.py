"""With ALLOW_PRIVATE_URLS: what a fetch or a POST gives, and the limits that stay in force."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from app.outbound import (
    FetchFailed,
    OutboundClient,
    OutboundError,
    OutboundPolicy,
    RefusedURL,
    TooLarge,
    fetch,
    post,
)
from tests.outbound.conftest import OPEN, ScriptedResolver
from tests.outbound.servers import Handler, reply
from tests.tcp_forwarder import free_port


def test_a_get_gives_status_headers_body_and_final_url(server):
    server.routes["/feed.xml"] = lambda h: reply(
        h, 200, b"<rss/>", {"Content-Type": "application/rss+xml", "ETag": '"v1"'}
    )
    result = fetch(server.url("/feed.xml"), policy=OPEN)
    assert result.status == 200
    assert result.body == b"<rss/>"
    assert result.headers["content-type"] == "application/rss+xml"
    assert result.headers["etag"] == '"v1"'
    assert result.final_url == server.url("/feed.xml")
    assert server.seen[0].headers["User-Agent"].startswith("Claimwatch/")


def test_names_are_resolved_by_the_system_resolver(server):
    server.routes["/"] = lambda h: reply(h, 200, b"hello")
    assert fetch(server.url("/", host="localhost"), policy=OPEN).body == b"hello"


def test_an_error_status_is_an_answer_not_an_exception(server):
    assert fetch(server.url("/missing"), policy=OPEN).status == 404


def test_a_conditional_get_gets_304_and_an_empty_body(server):
    def conditional(handler: Handler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            reply(handler, 304, headers={"ETag": '"v1"'})
        else:
            reply(handler, 200, b"<rss/>", {"ETag": '"v1"'})

    server.routes["/feed.xml"] = conditional
    headers = {"If-None-Match": '"v1"', "If-Modified-Since": "Fri, 20 Nov 2026 09:00:00 GMT"}
    result = fetch(server.url("/feed.xml"), policy=OPEN, headers=headers)
    assert (result.status, result.body) == (304, b"")
    assert server.seen[0].headers["If-Modified-Since"] == "Fri, 20 Nov 2026 09:00:00 GMT"


def test_a_declared_body_over_5_mb_is_refused_without_reading_it(server):
    def announce_6_mb_then_stall(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(6 * 2**20))
        handler.end_headers()
        handler.wfile.flush()
        time.sleep(3)  # reading the body would run into the timeout instead

    server.routes["/big"] = announce_6_mb_then_stall
    started = time.monotonic()
    with pytest.raises(TooLarge) as too_large:
        fetch(server.url("/big"), policy=OutboundPolicy(allow_private=True, timeout=2))
    assert str(too_large.value) == "response larger than 5 MB (status 200)"
    assert too_large.value.status == 200
    assert time.monotonic() - started < 1


def test_an_endless_body_is_cut_off_at_5_mb(server):
    def endless(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        chunk = b"x" * 65536
        try:
            while True:
                handler.wfile.write(chunk)
        except OSError:
            return  # the client stopped reading and closed

    server.routes["/endless"] = endless
    with pytest.raises(TooLarge, match="larger than 5 MB"):
        fetch(server.url("/endless"), policy=OPEN)


def test_a_body_of_exactly_the_limit_is_whole_and_one_byte_more_is_too_large(server):
    small = OutboundPolicy(allow_private=True, max_bytes=1000)
    server.routes["/exact"] = lambda h: reply(h, 200, b"a" * 1000)
    server.routes["/over"] = lambda h: reply(h, 200, b"a" * 1001)
    assert fetch(server.url("/exact"), policy=small).body == b"a" * 1000
    with pytest.raises(TooLarge, match="larger than 1,000 bytes"):
        fetch(server.url("/over"), policy=small)


def test_a_server_slower_than_the_timeout_fails_within_about_the_timeout(server):
    def slow(handler: Handler) -> None:
        time.sleep(3)
        reply(handler, 200, b"late")

    server.routes["/slow"] = slow
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"^timed out after 0\.5 s$"):
        fetch(server.url("/slow"), policy=OutboundPolicy(allow_private=True, timeout=0.5))
    assert time.monotonic() - started < 1.5


def test_a_body_that_trickles_in_fails_at_the_deadline(server):
    """Each byte comes well within the read timeout; the whole answer does not."""

    def trickle(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        try:
            for _ in range(1000):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.05)
        except OSError:
            return

    server.routes["/trickle"] = trickle
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"^timed out after 0\.5 s$"):
        fetch(server.url("/trickle"), policy=OutboundPolicy(allow_private=True, timeout=0.5))
    assert time.monotonic() - started < 1.5


def redirect_chain(server, hops: int) -> str:
    """/hop/0 → /hop/1 → ... → /hop/{hops} (which answers 200); returns the first URL."""
    for n in range(hops):
        location = f"/hop/{n + 1}"
        server.routes[f"/hop/{n}"] = lambda h, location=location: reply(
            h, 302, headers={"Location": location}
        )
    server.routes[f"/hop/{hops}"] = lambda h: reply(h, 200, b"arrived")
    return server.url("/hop/0")


def test_five_redirects_are_followed(server):
    result = fetch(redirect_chain(server, 5), policy=OPEN)
    assert (result.status, result.body) == (200, b"arrived")
    assert result.final_url == server.url("/hop/5")


def test_a_sixth_redirect_is_refused_and_never_requested(server):
    with pytest.raises(FetchFailed, match=r"^more than 5 redirects$"):
        fetch(redirect_chain(server, 6), policy=OPEN)
    assert [seen.path for seen in server.seen] == [f"/hop/{n}" for n in range(6)]


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://files.example/feed.xml",
        "javascript:alert(1)",
        "data:text/plain,hello",
        "gopher://127.0.0.1:70/",
        "http://user:pw@127.0.0.1/",
    ],
)
def test_a_redirect_to_anything_but_a_plain_http_url_is_refused(server, location):
    server.routes["/feed"] = lambda h: reply(h, 301, headers={"Location": location})
    with pytest.raises(RefusedURL, match=r"\(after 1 redirect\)$"):
        fetch(server.url("/feed"), policy=OPEN)
    assert len(server.seen) == 1


def test_a_post_redirected_with_307_sends_its_body_again(server):
    server.routes["/hook"] = lambda h: reply(h, 307, headers={"Location": "/hook2"})
    server.routes["/hook2"] = lambda h: reply(h, 204)
    result = post(server.url("/hook"), policy=OPEN, content=b'{"a":1}')
    assert result.status == 204
    assert [(s.method, s.path, s.body) for s in server.seen] == [
        ("POST", "/hook", b'{"a":1}'),
        ("POST", "/hook2", b'{"a":1}'),
    ]


def test_a_closed_port_is_a_fetch_failure():
    port = free_port()
    with pytest.raises(FetchFailed, match=r"^127\.0\.0\.1 refused the connection$"):
        fetch(f"http://127.0.0.1:{port}/", policy=OPEN)


def test_an_unknown_name_is_a_fetch_failure():
    resolver = ScriptedResolver({})
    with pytest.raises(FetchFailed, match=r"^could not resolve nowhere\.example$"):
        fetch("http://nowhere.example/", policy=OPEN, resolve=resolver)


def test_a_broken_answer_is_a_fetch_failure_not_an_httpx_error():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def garbage() -> None:
            conn, _ = listener.accept()
            conn.recv(65536)
            conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            conn.close()

        threading.Thread(target=garbage, daemon=True).start()
        with pytest.raises(FetchFailed, match="not valid HTTP") as failed:
            fetch(f"http://127.0.0.1:{port}/", policy=OPEN)
    assert isinstance(failed.value, OutboundError)
    assert "httpx" not in type(failed.value).__module__


def test_a_post_sends_exactly_the_bytes_and_headers_given(server):
    server.routes["/hook"] = lambda h: reply(h, 200, b"thanks")
    body = b'{"type":"claim.created","data":{"claim":{"id":1}}}\n'
    headers = {
        "Content-Type": "application/json",
        "webhook-id": "msg_1",
        "webhook-timestamp": "1795165200",
        "webhook-signature": "v1,c2lnbmF0dXJl",
    }
    result = post(server.url("/hook"), policy=OPEN, content=body, headers=headers)
    assert (result.status, result.body) == (200, b"thanks")
    [seen] = server.seen
    assert (seen.method, seen.path, seen.body) == ("POST", "/hook", body)
    for name, value in headers.items():
        assert seen.headers[name] == value
    assert seen.headers["Content-Length"] == str(len(body))
    assert seen.headers["User-Agent"].startswith("Claimwatch/")


def test_a_batch_reuses_one_connection_and_one_lookup(server):
    server.routes["/hook"] = lambda h: reply(h, 204)
    resolver = ScriptedResolver({"hooks.example": [["127.0.0.1"]]})
    with OutboundClient(OPEN, resolve=resolver) as client:
        for n in range(20):
            client.post(server.url("/hook", host="hooks.example"), content=str(n).encode())
    assert len(server.seen) == 20
    assert server.connections == 1
    assert resolver.calls == ["hooks.example"]


def test_proxy_settings_in_the_environment_are_ignored(server, monkeypatch):
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    server.routes["/"] = lambda h: reply(h, 200, b"direct")
    assert fetch(server.url("/"), policy=OPEN).body == b"direct"


def test_cookies_set_by_one_answer_are_not_sent_with_the_next(server):
    server.routes["/a"] = lambda h: reply(h, 200, b"", {"Set-Cookie": "track=1; Path=/"})
    server.routes["/b"] = lambda h: reply(h, 200, b"")
    with OutboundClient(OPEN) as client:
        client.get(server.url("/a"))
        client.get(server.url("/b"))
    assert "Cookie" not in server.seen[1].headers
