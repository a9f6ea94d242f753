"""The WSGI entry point for gunicorn: `app.wsgi:app`."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # One line naming the setting, not a traceback in every worker's log.
    sys.exit(f"claimwatch: {exc}")
