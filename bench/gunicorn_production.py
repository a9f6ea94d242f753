"""The shipped gunicorn settings (gunicorn.conf.py: 2 x cores + 1 gevent workers, each running
WEB_THREADS requests in the app at once, keep-alive) without the access log, for
`scripts/bench api --gunicorn production`: both apps again get the same settings."""

import runpy
from pathlib import Path

_shipped = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
workers = _shipped["workers"]
worker_class = _shipped["worker_class"]
worker_connections = _shipped["worker_connections"]
threads = _shipped["threads"]
post_worker_init = _shipped["post_worker_init"]
keepalive = _shipped["keepalive"]
timeout = _shipped["timeout"]
accesslog = None
loglevel = "warning"
