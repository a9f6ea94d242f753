"""Gunicorn settings for the API benchmark: the same for our app and the bare endpoint."""

workers = 2  # one per core
worker_class = "sync"
accesslog = None
loglevel = "warning"
