"""The core's Celery tasks, for autodiscovery: each task that does a module's work is defined
in that module (mail, reminders, pdf_jobs), so no module imports this one back."""

from celery import shared_task
from django.core.cache import cache

from . import clock
from .mail import send_queued_emails  # noqa: F401
from .pdf_jobs import render_pdf_job  # noqa: F401
from .reminders import send_reminder_digests, sweep_reminders  # noqa: F401
from .roster_jobs import apply_roster_import, preview_roster_import  # noqa: F401


@shared_task
def record_heartbeat(token):
    """Write token to the shared cache: proof that a worker picked a task off the broker."""
    cache.set(f"heartbeat:{token}", clock.now().isoformat(), timeout=300)
