"""What the web server wraps around the app (app/serving.py): bodies first, then a few at a time."""

from __future__ import annotations

import io
import threading
import time

from app.serving import in_turn, read_body_first


def request(body: bytes, **environ: str) -> dict:
    return {"wsgi.input": io.BytesIO(body), **environ}


def test_a_body_is_read_in_whole_before_the_app_sees_it():
    environ = request(b"hello, and the next request", CONTENT_LENGTH="5")
    original = environ["wsgi.input"]
    read_body_first(environ, limit=100)
    assert environ["wsgi.input"].read() == b"hello"
    assert original.read() == b", and the next request"  # not a byte past the body


def test_a_body_longer_than_the_limit_is_left_unread_for_the_app_to_refuse():
    environ = request(b"x" * 20, CONTENT_LENGTH="20")
    original = environ["wsgi.input"]
    read_body_first(environ, limit=10)
    assert environ["wsgi.input"] is original
    assert original.tell() == 0


def test_a_chunked_body_longer_than_the_limit_still_looks_too_long_to_the_app():
    environ = request(b"y" * 30, HTTP_TRANSFER_ENCODING="chunked")
    read_body_first(environ, limit=10)
    assert len(environ["wsgi.input"].read()) == 11


def test_a_request_without_a_body_reads_nothing():
    environ = request(b"pipelined bytes")
    original = environ["wsgi.input"]
    read_body_first(environ, limit=10)
    assert environ["wsgi.input"] is original
    assert original.tell() == 0


def test_only_as_many_requests_as_there_are_places_run_in_the_app_at_once():
    running, most = 0, 0
    lock = threading.Lock()

    def app(_environ, _start_response):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return [b"ok"]

    serve = in_turn(app, places=2, body_limit=0)
    callers = [threading.Thread(target=serve, args=(request(b""), None)) for _ in range(6)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert most == 2
