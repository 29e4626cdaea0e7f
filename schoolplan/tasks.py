from celery import shared_task
from django.core.cache import cache

from . import clock


@shared_task
def record_heartbeat(token):
    """Write token to the shared cache: proof that a worker picked a task off the broker."""
    cache.set(f"heartbeat:{token}", clock.now().isoformat(), timeout=300)


@shared_task
def send_queued_emails():
    from .mail import send_queued

    return send_queued()


@shared_task
def sweep_reminders():
    """Hourly (beat): record the reminders due and hand them to the outbox."""
    from .reminders import sweep

    return sweep()


@shared_task
def send_reminder_digests():
    """Hourly (beat): the digests of the people for whom it is now the digest hour (07:00) in
    their district; one e-mail a day per person who chose the digest."""
    from .reminders import send_digests

    return send_digests()
