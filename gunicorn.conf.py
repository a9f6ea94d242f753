"""Gunicorn settings for scripts/run and the image; PORT, WEB_CONCURRENCY, WEB_THREADS override."""

import multiprocessing
import os
from typing import Any

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# gevent: every connection is read by a greenlet of its own, and a request reaches the app only
# once its headers (which a client must send within `keepalive` seconds) and its body are in
# (app/serving.py). A client that stalls halfway through its request, or reads its answer
# slowly, holds a greenlet, never the worker. (gthread hands a connection to a thread as soon
# as its first byte arrives, and the thread waits for the rest with no timeout: with one
# thread per worker, a handful of half-sent requests stopped the site.) See scripts/slowclients.
worker_class = "gevent"
worker_connections = 1000  # per worker; includes idle keep-alive and stalled connections
# Requests a worker runs in the app at once (app/serving.py), as gthread's threads did.
threads = int(os.environ.get("WEB_THREADS", "1"))
timeout = 30
graceful_timeout = 20
keepalive = 5  # seconds: idle keep-alive, and the time a client has to send request headers
accesslog = os.environ.get("ACCESS_LOG", "-")
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# The path without its query string: feed keys and unsubscribe tokens travel in query strings
# and must not end up in logs.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'


def post_worker_init(worker: Any) -> None:
    """Bodies read in first, then `threads` requests of this worker in the app at a time;
    requests gunicorn itself refuses are answered as problem documents."""
    import gunicorn.util

    from app.serving import in_turn, write_problem

    gunicorn.util.write_error = write_problem

    app = worker.wsgi
    # Longer bodies are refused unread (413); an app without a limit gets no body read in.
    limit = getattr(app, "config", {}).get("MAX_CONTENT_LENGTH") or 0
    worker.wsgi = in_turn(app, worker.cfg.threads, limit)
