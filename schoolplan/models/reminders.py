import secrets

from django.conf import settings
from django.db import models


class ReminderCategory(models.TextChoices):
    CPM = "cpm", "CPM meetings"
    SPF = "spf", "Sharing SPF results"
    CIM = "cim", "CIM monthly reviews"
    REPORTS = "reports", "CIM progress reports"
    ESSA = "essa", "ESSA action plan"
    ACTIONS = "actions", "Action items"
    MEETINGS = "meetings", "Tomorrow's meetings"
    WORKSHOPS = "workshops", "Workshop registration"
    SCHOOL_YEAR = "school_year", "Starting the next school year"


class ReminderChannel(models.TextChoices):
    PENDING = "", "Not yet dispatched"
    EMAIL = "email", "E-mailed"
    DIGEST = "digest", "In the daily digest"
    MUTED = "muted", "Not sent (e-mail turned off)"


class Reminder(models.Model):
    """One reminder for one person, recorded before anything is sent.

    The unique constraint on (rule, subject, recipient, occasion) is what makes a sweep run
    twice, two sweeps at once, or a retry harmless: the second insert is ignored."""

    rule = models.CharField(max_length=40)
    category = models.CharField(max_length=12, choices=ReminderCategory)
    subject = models.CharField(max_length=80, help_text='What it is about, e.g. "meeting:12".')
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    occasion = models.CharField(max_length=60, help_text='Which reminder of it, e.g. "14-days".')
    title = models.CharField(max_length=300)
    # The title's words, said again in the recipient's e-mail language (schoolplan.phrases).
    phrase = models.JSONField(null=True, blank=True)
    link = models.CharField(max_length=300, blank=True)
    due_on = models.DateField()
    channel = models.CharField(max_length=8, choices=ReminderChannel, blank=True, default="")
    email_key = models.CharField(max_length=200, blank=True)  # the outbox row that carries it
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject", "recipient", "occasion"], name="one_reminder_each_time"
            )
        ]
        indexes = [
            models.Index(fields=["subject"]),
            models.Index(
                fields=["channel"], name="reminder_pending", condition=models.Q(channel="")
            ),
        ]

    def __str__(self):
        return f"{self.title} → {self.recipient} ({self.occasion})"

    @property
    def text(self):
        """The title in the active language (the e-mail's), when its words were kept."""
        if not self.phrase:
            return self.title
        from schoolplan.phrases import Phrase

        return Phrase.from_json(self.phrase).render()


def _token():
    return secrets.token_urlsafe(24)


class NotificationSettings(models.Model):
    """A person's choices: which categories to e-mail, one daily digest or single e-mails, and
    the language of the e-mails. The token is the address of the page that changes them, so
    every e-mail can link to it without a login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    muted = models.JSONField(default=list, blank=True)  # categories not to e-mail
    digest = models.BooleanField("One daily digest instead of single e-mails", default=False)
    language = models.CharField(
        "E-mail language",
        max_length=5,
        choices=[("en", "English"), ("es", "Español")],
        default="en",
    )
    token = models.CharField(max_length=64, unique=True, default=_token)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self):
        return f"Notification settings of {self.user}"
