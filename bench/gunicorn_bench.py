"""Gunicorn settings shared by every server of `scripts/bench web` (the page and the baseline).

gthread with 4 threads per worker, as a page that waits on its database is deployed: the waits
overlap. The bare endpoint gets exactly the same settings. No access log: it would be measured.
"""

workers = 2
worker_class = "gthread"
threads = 4
backlog = 256
loglevel = "warning"
accesslog = None
