"""One way out for e-mail: queue it in the outbox, let a sender deliver it exactly once."""

import base64
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q

from . import clock
from .models import OutboxEmail
from .text import fit

log = logging.getLogger(__name__)


def queue_email(key, to, subject, body, attachment=None, html_body="", reply_to=(), cc=()):
    """Queue one e-mail for the event named by key; a key already queued is left alone.

    attachment: (filename, content, mimetype) or None; content is text, or bytes (a PDF).
    reply_to, cc: addresses (answers go to, copied). It comes from DEFAULT_FROM_EMAIL.
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
            "cc": [address for address in cc if address and address not in recipients],
            "reply_to": [address for address in reply_to if address],
            "subject": fit(OutboxEmail, "subject", subject),
            "body": body,
            "html_body": html_body,
            "attachment_name": name,
            "attachment_content": content,
            "attachment_mimetype": mimetype,
            "attachment_base64": binary,
        },
    )
    if created:
        transaction.on_commit(send_queued_emails.delay)
    return created


def queue_many(emails):
    """Queue many e-mails in bulk statements (a roster import's invitations): each a dict of
    key, to, subject, body; a key already queued is left alone. Returns how many were given."""
    rows = [
        OutboxEmail(
            key=email["key"],
            to=[address for address in email["to"] if address],
            subject=fit(OutboxEmail, "subject", email["subject"]),
            body=email["body"],
        )
        for email in emails
        if any(email["to"])
    ]
    OutboxEmail.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    if rows:
        transaction.on_commit(send_queued_emails.delay)
    return len(rows)


BACKOFF_MAX = timedelta(hours=6)


def claim_stale_after():
    """A sender holding a row longer than this died (OUTBOX_CLAIM_STALE_SECONDS, default 600)."""
    return timedelta(seconds=getattr(settings, "OUTBOX_CLAIM_STALE_SECONDS", 600))


def backoff(attempts):
    """How long a row waits after its n-th failure: 1, 2, 4, 8 … minutes (the base is
    OUTBOX_RETRY_BASE_SECONDS, default 60), at most six hours."""
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 60)
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def _unclaimed(now):
    """Unsent rows nobody holds, or held by a sender that died (its claim went stale)."""
    return Q(sent_at__isnull=True) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - claim_stale_after())
    )


def _claim(email_id, now):
    """Claim one row with a conditional UPDATE: of two senders, exactly one gets it."""
    return OutboxEmail.objects.filter(_unclaimed(now), pk=email_id).update(claimed_at=now) == 1


def _message(email):
    message = EmailMultiAlternatives(
        email.subject,
        email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=email.to,
        cc=email.cc or None,  # rows queued before cc and Reply-To existed have them empty
        reply_to=email.reply_to or None,
        headers={"X-SchoolPlan-Key": email.key},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    if email.attachment_name:
        content = email.attachment_content
        if email.attachment_base64:
            content = base64.b64decode(content)
        message.attach(email.attachment_name, content, email.attachment_mimetype)
    return message


def send_queued(limit=100):
    """Send what is due, one row at a time: claim it, send it, mark it sent at once.

    Each row is committed on its own, so a worker killed mid-batch loses nothing: rows it had
    not claimed wait for the next sender, a row it had claimed but not sent is claimed again
    once the claim is stale. The one window SMTP leaves open is between the server accepting a
    message and the row being marked sent; it is a single UPDATE, kept as short as it can be.
    """
    now = clock.now()
    due = list(
        OutboxEmail.objects.filter(_unclaimed(now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for email_id in due:
        now = clock.now()
        if not _claim(email_id, now):
            continue  # another sender has it
        email = OutboxEmail.objects.get(pk=email_id)
        try:
            _message(email).send()
        except Exception as error:  # SMTP down or refusing: try again later, never give up
            log.warning("Sending %s failed: %s", email.key, error)
            OutboxEmail.objects.filter(pk=email_id).update(
                claimed_at=None,
                attempts=F("attempts") + 1,
                last_error=str(error)[:2000],
                next_attempt_at=clock.now() + backoff(email.attempts + 1),
            )
            continue
        OutboxEmail.objects.filter(pk=email_id).update(
            sent_at=clock.now(), attempts=F("attempts") + 1, last_error=""
        )
        sent += 1
    return sent


def retry_now(emails):
    """Make failed, unsent rows due at once (the admin's "Retry now") and wake the sender after
    the commit; the send itself goes the usual way, claimed, never twice. Returns how many."""
    count = emails.filter(sent_at__isnull=True, attempts__gt=0).update(next_attempt_at=None)
    if count:
        transaction.on_commit(send_queued_emails.delay)
    return count


@shared_task(name="schoolplan.tasks.send_queued_emails")
def send_queued_emails():
    """Send what the outbox holds (on each queue_email's commit, and every minute by beat)."""
    return send_queued()
