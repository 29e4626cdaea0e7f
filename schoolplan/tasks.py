from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task
def record_heartbeat(token):
    """Write token to the shared cache: proof that a worker picked a task off the broker."""
    cache.set(f"heartbeat:{token}", timezone.now().isoformat(), timeout=300)


@shared_task
def send_queued_emails():
    from .mail import send_queued

    return send_queued()
