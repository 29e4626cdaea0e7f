"""What arrives at the edge, before any page: the client's real address behind our own proxies,
the health check (before host checks and the HTTPS redirect, so a load balancer may probe it by
IP over plain HTTP), and private pages kept out of every cache.

Trust (SECURITY.md): X-Forwarded-For and X-Forwarded-Proto are believed only as far as
TRUSTED_PROXY_COUNT proxies of our own set them. Each proxy appends the address it saw, so with
N proxies the client is the N-th address from the right; anything further left was written by
the client and is ignored.
"""

import ipaddress

from django.conf import settings


def _trusted_hops(meta, trusted_proxies):
    """The X-Forwarded-For addresses when at least trusted_proxies proxies wrote them, else None
    (no proxy of ours, or fewer than configured: the request came straight to the app)."""
    if trusted_proxies <= 0:
        return None
    header = meta.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in (part.strip() for part in header.split(",")) if hop]
    return hops if len(hops) >= trusted_proxies else None


def _client(meta, hops, trusted_proxies):
    remote = meta.get("REMOTE_ADDR", "")
    if hops is None:
        return remote  # believe only the socket
    try:
        return str(ipaddress.ip_address(hops[-trusted_proxies]))
    except ValueError:
        return remote


def client_address(meta, trusted_proxies=None):
    """The client's address from a request's META, through the configured trusted proxies."""
    if trusted_proxies is None:
        trusted_proxies = settings.TRUSTED_PROXY_COUNT
    return _client(meta, _trusted_hops(meta, trusted_proxies), trusted_proxies)


class ClientAddressMiddleware:
    """REMOTE_ADDR becomes the client's address (client_address), so django-axes, the audit log
    and the rate limits all see the person, not the proxy; X-Forwarded-Proto from anyone but
    our proxies is dropped. Runs first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta, trusted_proxies = request.META, settings.TRUSTED_PROXY_COUNT
        hops = _trusted_hops(meta, trusted_proxies)
        if hops is not None:
            meta["PROXY_ADDR"] = meta.get("REMOTE_ADDR", "")
            meta["REMOTE_ADDR"] = _client(meta, hops, trusted_proxies)
        else:
            # Only our proxies may say the request came over HTTPS (SECURE_PROXY_SSL_HEADER).
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class HealthCheckMiddleware:
    """/health/ answered before the host check and the HTTPS redirect: a load balancer or a
    Docker healthcheck probes http://10.0.0.5:8000/health/ and gets 200 "ok" (or the 503 page
    when the database is lost), never a 301 or a 400."""

    PATH = "/health/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.PATH and request.method in ("GET", "HEAD"):
            from .views_health import health

            return health(request)
        return self.get_response(request)


class PrivateCacheMiddleware:
    """Every response to a signed-in person (pages, pupil assessment files, PDFs, CSVs) is
    `Cache-Control: private, no-store`: no shared cache keeps it and no browser writes it to
    disk. Public family pages, served to anonymous visitors, keep their own caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response
