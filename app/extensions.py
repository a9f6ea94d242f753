"""The web extensions, created once and bound to each app in `init_web`."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
# No default limits: only sign-in is limited here. Storage from RATELIMIT_STORAGE_URI
# (memory:// by default, Redis in production so every web process shares the counters).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
