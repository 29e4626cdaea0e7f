"""The audit log: sign-ins, sign-outs and failed sign-ins, and every change to a submitted or
published record (ESSA plans, Blueprints, SPF summaries, minutes, progress reports, cadre plans).
Rows are only ever added; Django's admin shows them read-only."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models.audit import AuditEvent
from .text import fit


def record(user, action, obj=None, summary="", subject="", request=None):
    if obj is not None and not subject:
        subject = f"{obj._meta.model_name}:{obj.pk}"
    AuditEvent.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=action,
        subject=fit(AuditEvent, "subject", subject),
        summary=fit(AuditEvent, "summary", summary or (str(obj) if obj is not None else "")),
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    from . import clock

    if request is not None and hasattr(request, "session"):
        now = clock.now().timestamp()
        request.session["signed_in_at"] = request.session["last_seen"] = now
    record(user, "login", request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(user, "logout", request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    AuditEvent.objects.create(
        username=fit(AuditEvent, "username", credentials.get("username", "")),
        action="login_failed",
        ip_address=request.META.get("REMOTE_ADDR") if request is not None else None,
    )
