from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who signed in (or failed to), and every change to a submitted or published record."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)  # as typed, for failed log-ins
    action = models.CharField(max_length=40)
    subject = models.CharField(max_length=80, blank=True)  # e.g. "essa-plan:12"
    summary = models.CharField(max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.user} {self.action} {self.subject}"
