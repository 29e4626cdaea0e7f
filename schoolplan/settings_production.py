"""Production: the environment's settings, hardened so `check --deploy` has nothing to say."""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import (
    DATABASES,
    DEV_SECRET_KEY,
    SECRET_KEY,
    STORAGES,
    TRUSTED_PROXY_COUNT,
    env_bool,
)

if SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production.")

DEBUG = False

# A new PostgreSQL connection per request costs more than the request (about 290 against
# 1,200-1,800 /health/ answers a second): keep each for a minute, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))

# "This came over HTTPS" is believed from our own proxies only (schoolplan.edge drops the header
# from anyone else); with no proxy configured, from nobody.
if TRUSTED_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Hashed file names so browsers may cache the vendored assets for ever.
# Uploads stay where the environment puts them (S3_BUCKET or MEDIA_ROOT, schoolplan.settings).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
