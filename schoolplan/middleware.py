"""A Content-Security-Policy on every response: scripts only from our own static files (no
inline script, no event-handler attributes, no eval), nothing framed, forms posted only here."""

import logging

logger = logging.getLogger("schoolplan.database")

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Bootstrap and htmx set inline styles at run time; styles cannot run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response


class SessionTimeoutMiddleware:
    """Sessions end after SESSION_IDLE_SECONDS without a request and, however active,
    SESSION_ABSOLUTE_SECONDS after sign-in. The last request's time is written at most once a
    minute, so most requests cost no session write."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout

        from schoolplan import clock

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = clock.now().timestamp()
            session = request.session
            signed_in_at = session.get("signed_in_at", now)
            last_seen = session.get("last_seen", now)
            if (
                now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS
                or now - last_seen > settings.SESSION_IDLE_SECONDS
            ):
                logout(request)
            elif "signed_in_at" not in session or now - last_seen > 60:
                session["signed_in_at"] = signed_in_at
                session["last_seen"] = now
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A lost database connection (PostgreSQL restarting, failing over, out of connections) is
    a 503 "briefly unavailable, try again" page, not a 500. The request's transaction rolled
    back with the connection, so nothing it wrote is kept; Django connects again on the next
    request. The page is rendered without a request context: it must not need the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import InterfaceError, OperationalError

        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable(request, exception)


def database_unavailable(request, exception):
    from django.http import HttpResponse
    from django.template import loader

    logger.warning("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = "10"
    return response


def server_error(request):
    """handler500: a database lost before any view ran (loading the session or the user, which
    the middleware above never sees) is the same 503 "try again" page. Anything else is our
    fault: trying again will not help, so the page says so and gives an error id that the log
    line carries, for the administrator to find."""
    import sys
    import uuid

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponseServerError
    from django.template import loader

    exception = sys.exc_info()[1]
    if isinstance(exception, OperationalError | InterfaceError):
        return database_unavailable(request, exception)
    error_id = uuid.uuid4().hex[:12]
    logging.getLogger("schoolplan.errors").error(
        "Server error %s: %s %s", error_id, request.method, request.path, exc_info=exception
    )
    # Rendered without a request context: the failure may be in what a context needs.
    return HttpResponseServerError(loader.render_to_string("500.html", {"error_id": error_id}))


class DistrictTimeZoneMiddleware:
    """Pages show times in the district's zone (DOMAIN.md, Time): the signed-in user's district
    here; an object's page switches to the object's district (get_visible_or_404) and a family
    page to its school's. Without a district, settings.TIME_ZONE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import timezone

        from schoolplan.permissions import scope_for

        user = getattr(request, "user", None)
        zone = scope_for(user).time_zone if user is not None else None
        if zone:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
