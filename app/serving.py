"""How the web server hands requests to the app (gunicorn.conf.py, `post_worker_init`).

A request's body is read in before the request takes one of its worker's places in the app,
and a worker has `WEB_THREADS` places (one by default): the app's work is CPU-bound Python,
and more requests at once would only interleave them, each holding a pooled database
connection. With the gevent worker, waiting for a client costs a greenlet and no place: one
that sends its headers or its body slowly, or never, or reads its answer slowly, does not keep
other requests out of the app.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def read_body_first(environ: dict[str, Any], limit: int) -> None:
    """Replace the request's input stream by its body, read into memory.

    A body declared longer than `limit` is left unread: the app refuses it (413) without
    reading it. A chunked body is read up to `limit` + 1 bytes, so one that is too long still
    looks too long to the app, which refuses it the same way.
    """
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.isdigit():
        size = int(declared)
        if size == 0 or size > limit:
            return
    elif "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        size = limit + 1
    else:
        return
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(size))


def in_turn(app: WsgiApp, places: int, body_limit: int) -> WsgiApp:
    """`app` entered by at most `places` requests at once, each with its body already read.

    `threading` is gevent's own in a gevent worker (monkey-patched before the app is loaded),
    so requests wait here as greenlets; in a threaded worker they wait as threads.
    """
    slots = threading.BoundedSemaphore(places)

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        read_body_first(environ, body_limit)
        with slots:
            return app(environ, start_response)

    return serve


# The headers of every answer of ours (app.security) that apply to an error body.
ERROR_HEADERS = (
    "Content-Type: application/problem+json\r\n"
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
)


def write_problem(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's answer to a request it cannot parse (a header with a NUL, a folded line,
    a request line too long...), as a problem document like every other error of ours (RFC
    9457) instead of gunicorn's HTML page. Installed in place of `gunicorn.util.write_error`.
    """
    import json

    from gunicorn.util import write_nonblock

    detail = f"the request is not valid HTTP and was not read: {mesg}" if mesg else reason
    body = json.dumps(
        {"type": "about:blank", "title": reason, "status": status_int, "detail": detail[:500]}
    ).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n{ERROR_HEADERS}"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    write_nonblock(sock, head.encode("latin-1") + body)
