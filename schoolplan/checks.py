"""Deployment checks of our own, beside Django's `check --deploy`."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def two_factor_required(app_configs, **kwargs):
    if settings.TWO_FACTOR_REQUIRED:
        return []
    return [
        checks.Warning(
            "TWO_FACTOR_REQUIRED is off: principals and school staff can read pupil notes "
            "with a password alone.",
            hint="Unset TWO_FACTOR_REQUIRED (it defaults to on); only a local demo turns it off.",
            id="schoolplan.W001",
        )
    ]


LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


@checks.register(checks.Tags.security, deploy=True)
def site_url(app_configs, **kwargs):
    """Every e-mail's links start with SITE_URL: the development default sends people to
    their own computer."""
    from urllib.parse import urlsplit

    parts = urlsplit(settings.SITE_URL)
    if parts.scheme == "https" and (parts.hostname or "") not in LOCAL_HOSTS:
        return []
    return [
        checks.Error(
            f"SITE_URL is {settings.SITE_URL!r}: the links in every e-mail (CPM notices, "
            "reminders, workshops, ESSA, cadres, password resets) would lead there.",
            hint="Set SITE_URL to the address people open, e.g. https://schoolplan.example.org",
            id="schoolplan.E001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def sender_address(app_configs, **kwargs):
    from email.utils import parseaddr

    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2].lower()
    if domain and domain != "localhost" and "." in domain:
        return []
    return [
        checks.Warning(
            f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}: mail servers refuse or "
            "bin mail from that address, and replies go nowhere.",
            hint="Set DEFAULT_FROM_EMAIL to an address of your district's domain.",
            id="schoolplan.W002",
        )
    ]


@checks.register(checks.Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Without Redis the cache is each process's own (gunicorn runs several per node), and
    Celery has no broker: tasks run inside web requests and beat's schedule reaches nobody."""
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("LocMemCache"):
        return []
    return [
        checks.Warning(
            "REDIS_URL is not set: each web process keeps its own cache (a published SPF "
            "summary stays stale on the families' page served by another), and no worker or "
            "beat runs, so no deadline reminder is sent.",
            hint="Set REDIS_URL to the Redis every web node, worker and beat share, e.g. "
            'redis://redis:6379/0 (README, "Several nodes").',
            id="schoolplan.W003",
        )
    ]
