"""bench/load_bench.py's server settings: production's, on plain http at 127.0.0.1.

Production forces HTTPS (redirects, secure-only cookies, HSTS); the benchmark's gunicorn
speaks plain http with no TLS proxy in front, so those four are switched off here. Everything
else (DEBUG off, hashed static file names through whitenoise, Redis cache) is production's.
"""

from schoolplan.settings_production import *  # noqa: F403
from schoolplan.settings_production import VAR_DIR

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STATIC_ROOT = VAR_DIR / "load-bench-static"
# Production's hashed names (what {% static %} writes) without its compressed copies: the
# benchmark's users fetch pages, not static files, and compressing takes half a minute.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
