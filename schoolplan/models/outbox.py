from django.db import models


class OutboxEmail(models.Model):
    """An e-mail to send, keyed by the event it tells of.

    The database is the truth for work to do: a notice is queued once per event (the key is
    unique), and senders claim unsent rows atomically, so nothing goes twice or gets lost when
    a worker dies. Celery only wakes the sender up.
    """

    key = models.CharField(max_length=200, unique=True)
    to = models.JSONField(default=list)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_content = models.TextField(blank=True)
    attachment_mimetype = models.CharField(max_length=100, blank=True)
    # A binary attachment (a PDF) is kept as base64 text.
    attachment_base64 = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self):
        return f"{self.subject} → {', '.join(self.to)}"
