"""SchoolPlan settings, read from the environment.

With no environment at all this runs the embedded default: SQLite under var/, Celery tasks
in-process, e-mail to the console. Production sets DJANGO_SETTINGS_MODULE to
schoolplan.settings_production, which hardens these.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Only for the embedded default; production refuses to start without its own key.
DEV_SECRET_KEY = "django-insecure-schoolplan-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET_KEY
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "schoolplan",
    "meetings",
    "plans",
    "progress",
    # The top floor: the demo data (`make run`) and the district generator (benchmarks). It
    # has no models and nothing imports it; installed everywhere, for its commands.
    "demo",
]

MIDDLEWARE = [
    # First: the client's address through our own proxies only (TRUSTED_PROXY_COUNT), then the
    # health check, before the host check and the HTTPS redirect (schoolplan.edge).
    "schoolplan.edge.ClientAddressMiddleware",
    "schoolplan.edge.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "schoolplan.middleware.ContentSecurityPolicyMiddleware",
    # A lost database connection is a 503 "try again" page (the transaction rolled back).
    "schoolplan.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whatever a signed-in person receives is "Cache-Control: private, no-store".
    "schoolplan.edge.PrivateCacheMiddleware",
    "schoolplan.middleware.SessionTimeoutMiddleware",
    "schoolplan.middleware.DistrictTimeZoneMiddleware",
    # Every page needs a login unless its view opts out with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After the password, the second step (schoolplan.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "schoolplan.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "schoolplan.urls"
WSGI_APPLICATION = "schoolplan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "schoolplan.context_processors.navigation",
                "schoolplan.context_processors.single_sign_on",
            ],
        },
    },
]

VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'schoolplan.sqlite3'}",
        # Seconds a connection is kept for the next request (production: 60, see there).
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        # A kept connection is checked before reuse: after a PostgreSQL restart it reconnects.
        conn_health_checks=True,
    )
}
# Behind PgBouncer in transaction mode a cursor may not outlive its transaction (README).
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DB_DISABLE_SERVER_SIDE_CURSORS")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "schoolplan.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out login never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in with the district's identity provider (schoolplan/sso.py); answers its callback only.
    "schoolplan.sso.DistrictSsoBackend",
]
# OpenID Connect (README, "Rolling out in a district"): off unless OIDC_ISSUER is set.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your district account")
# "district-slug=domain.org,other.org;second-slug=…": whose addresses may sign in, per district.
OIDC_DISTRICT_DOMAINS = os.environ.get("OIDC_DISTRICT_DOMAINS", "")
# acr values that mean the provider did a second factor (amr values are read as RFC 8176 says).
OIDC_MFA_ACR_VALUES = env_list("OIDC_MFA_ACR_VALUES")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # an account comes from the district's roster, never from a sign-in
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Sessions end after SESSION_IDLE_MINUTES without a request, and at the latest
# SESSION_ABSOLUTE_HOURS after sign-in, however active (schoolplan.middleware).
SESSION_IDLE_SECONDS = 60 * int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
SESSION_ABSOLUTE_SECONDS = 3600 * int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
LOGIN_REDIRECT_URL = "home"
# Two-factor sign-in (TOTP): open to everyone, required of those who can read pupil notes
# (principals, school staff) and of site administrators. Only a local demo turns it off.
TWO_FACTOR_REQUIRED = env_bool("TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "SchoolPlan"
# Wrong codes lock the device for 1, 2, 4 … seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): five wrong passwords for one account from one address lock
# that pair out for fifteen minutes; the lockout page says so.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# REMOTE_ADDR is already the client's address behind our trusted proxies (schoolplan.edge).
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# How many proxies of our own (nginx, a load balancer) stand in front of the app. Their
# X-Forwarded-For and X-Forwarded-Proto are believed; nobody else's (SECURITY.md). 0: none, the
# socket's address is the client's.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

LANGUAGE_CODE = "en"
# Staff pages are in English. The families' pages, their e-mails and calendar files are in each
# of these languages, chosen by their address (/families/<school>/vi/), not by the browser, so a
# page and its cache agree. Adding one: README, "Adding a language".
LANGUAGES = [("en", "English"), ("es", "Español"), ("vi", "Tiếng Việt"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# A presigned download URL of object storage works this long: the browser follows it at once,
# and one copied from a history, a log or a shoulder is dead a minute later (schoolplan.uploads).
UPLOAD_URL_SECONDS = 60
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Outside production whitenoise serves straight from static/, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# Uploads (CAP assessment data, workshop pre-work) go to S3-compatible object storage when
# S3_BUCKET names a bucket, so several web nodes share them; else to MEDIA_ROOT (README).
S3_BUCKET = os.environ.get("S3_BUCKET", "")
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,  # none: AWS itself
            "region_name": os.environ.get("S3_REGION") or None,
            # None: boto3's own chain (AWS_* variables, an instance or task role).
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,
            "signature_version": "s3v4",
            # Private objects: no ACL of ours, the bucket's own (private) applies; a download is
            # a presigned URL handed out after the app's permission check (schoolplan.uploads).
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": UPLOAD_URL_SECONDS,
            # Two schools' "scores.csv" must never overwrite each other: a free name, as on disk.
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_TAGS = {40: "danger"}  # Bootstrap calls Django's "error" level "danger"

# E-mail: the console unless told otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
# The outbox sender: retry after 1, 2, 4 … times this; a claim older than that is a dead sender's.
OUTBOX_RETRY_BASE_SECONDS = int(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))
OUTBOX_CLAIM_STALE_SECONDS = int(os.environ.get("OUTBOX_CLAIM_STALE_SECONDS", "600"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SchoolPlan <schoolplan@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Links in e-mails point here.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Redis, when given, is Celery's broker and Django's cache; without it tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "schoolplan",
        }
    }
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    # Proof of life for beat's healthcheck (manage.py healthcheck beat).
    "heartbeat": {"task": "schoolplan.tasks.record_heartbeat", "schedule": 60.0, "args": ("beat",)},
    # The outbox is the truth; this sweep catches anything a wake-up missed or that failed.
    "send-queued-emails": {"task": "schoolplan.tasks.send_queued_emails", "schedule": 60.0},
    # Deadline reminders: recorded hourly (REMINDER_SWEEP_SECONDS). Digests: asked every hour,
    # each goes out at REMINDER_DIGEST_HOUR in its recipient's district zone (DOMAIN.md, Time).
    "sweep-reminders": {
        "task": "schoolplan.tasks.sweep_reminders",
        "schedule": float(os.environ.get("REMINDER_SWEEP_SECONDS", "3600")),
    },
    "send-reminder-digests": {
        "task": "schoolplan.tasks.send_reminder_digests",
        "schedule": crontab(minute=0),
    },
    # Families coming to a meeting who left an address hear again the day before.
    "remind-coming-families": {
        "task": "progress.replies.remind_coming_families",
        "schedule": crontab(minute=15),
    },
    # Families' names and contacts in their answers to a meeting: kept 30 days after it.
    "forget-family-reply-contacts": {
        "task": "progress.replies.forget_reply_contacts",
        "schedule": crontab(minute=30, hour=3),
    },
}
REMINDER_DIGEST_HOUR = int(os.environ.get("REMINDER_DIGEST_HOUR", "7"))  # local, 0-23
# A sweep after downtime catches up on reminders this many days old, no older (no flood).
REMINDER_CATCH_UP_DAYS = int(os.environ.get("REMINDER_CATCH_UP_DAYS", "7"))
# An invitation's link (a roster import's new accounts, schoolplan.invitations) works this long.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "14"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every layout step at INFO; only its warnings matter here.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}},
}
