"""The shipped gunicorn settings (gunicorn.conf.py: 2 x cores + 1 gthread workers, keep-alive)
without the access log, for `scripts/bench api --gunicorn production`: both apps again get the
same settings."""

import runpy
from pathlib import Path

_shipped = runpy.run_path(str(Path(__file__).resolve().parent.parent / "gunicorn.conf.py"))
workers = _shipped["workers"]
worker_class = _shipped["worker_class"]
threads = _shipped["threads"]
keepalive = _shipped["keepalive"]
timeout = _shipped["timeout"]
accesslog = None
loglevel = "warning"
