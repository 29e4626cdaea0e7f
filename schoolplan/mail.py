"""One way out for e-mail: queue it in the outbox, let a sender deliver it exactly once."""

import base64
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutboxEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_email(key, to, subject, body, attachment=None):
    """Queue one e-mail for the event named by key; a key already queued is left alone.

    attachment: (filename, content, mimetype) or None; content is text, or bytes (a PDF).
    Returns whether it was newly queued.
    """
    recipients = [address for address in to if address]
    if not recipients:
        return False
    name, content, mimetype = attachment or ("", "", "")
    binary = isinstance(content, bytes)
    if binary:
        content = base64.b64encode(content).decode("ascii")
    _, created = OutboxEmail.objects.get_or_create(
        key=key,
        defaults={
            "to": recipients,
            "subject": subject,
            "body": body,
            "attachment_name": name,
            "attachment_content": content,
            "attachment_mimetype": mimetype,
            "attachment_base64": binary,
        },
    )
    if created:
        from .tasks import send_queued_emails

        transaction.on_commit(send_queued_emails.delay)
    return created


def send_queued(limit=100):
    """Send what is waiting; rows are claimed under a lock so two senders never share one."""
    sent = 0
    with transaction.atomic():
        batch = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .order_by("pk")[:limit]
        )
        for email in batch:
            message = EmailMessage(email.subject, email.body, to=email.to)
            if email.attachment_name:
                content = email.attachment_content
                if email.attachment_base64:
                    content = base64.b64decode(content)
                message.attach(email.attachment_name, content, email.attachment_mimetype)
            try:
                message.send()
            except Exception as error:  # an SMTP hiccup: try again on the next wake-up
                log.warning("Sending %s failed: %s", email.key, error)
                email.attempts += 1
                email.last_error = str(error)
                email.save(update_fields=["attempts", "last_error"])
                continue
            email.sent_at = timezone.now()
            email.attempts += 1
            email.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
