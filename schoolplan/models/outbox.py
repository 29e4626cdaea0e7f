from django.db import models


class OutboxEmail(models.Model):
    """An e-mail to send, keyed by the event it tells of.

    The database is the truth for work to do: a notice is queued once per event (the key is
    unique), and senders claim unsent rows atomically, so nothing goes twice or gets lost when
    a worker dies. Celery only wakes the sender up.
    """

    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list)
    # Copied, and where answers go; empty on rows queued before they existed.
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_content = models.TextField(blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    # A binary attachment (a PDF) is kept as base64 text.
    attachment_base64 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A sender claims a row before sending it; a claim older than the stale limit is taken to
    # belong to a sender that died, and the row is claimed again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failure, the row waits until then (exponential backoff); it is never given up.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["sent_at"]),
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
