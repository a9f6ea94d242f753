# One image for both processes: the web server (default) and the scheduler (`scheduler`).
#   docker run IMAGE                 -> migrations, then gunicorn on $PORT (8000)
#   docker run IMAGE scheduler       -> flask scheduler (the sweep and digest jobs)
# gunicorn runs gevent workers (gunicorn.conf.py), which read requests without tying up a
# worker, so no buffering proxy is needed in the image; scripts/run serves the same way.
# Production needs DATABASE_URL, SECRET_KEY and RATELIMIT_STORAGE_URI (see README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=app \
    CLAIMWATCH_ENV=production \
    INSTANCE_PATH=/srv/claimwatch/instance

WORKDIR /srv/claimwatch
RUN useradd --system --uid 10001 --home-dir /srv/claimwatch claimwatch

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=root:root . .
RUN mkdir -p instance && chown claimwatch:claimwatch instance

USER claimwatch
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
ENTRYPOINT ["scripts/entrypoint"]
CMD ["web"]
