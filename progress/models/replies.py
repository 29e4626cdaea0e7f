"""Families' answers to a community meeting's invitation (issue 22, "RSVP without an account")."""

from django.db import models

from meetings.models import Meeting


class FamilyReply(models.Model):
    """One family's answer: coming or not, how many, the interpretation and childcare they need,
    and, if they chose to give them, a name and a way to reach them.

    The family changes or withdraws it through a private link whose token only they hold (the
    database keeps its SHA-256). Thirty days after the meeting the name, contact and link are
    forgotten (FamilyReply.objects.forget_contacts); the numbers stay, for the meeting's record."""

    # Most people one answer may bring: a family, not a bus (issue 22, abuse).
    MAX_ADULTS = 8
    MAX_CHILDREN = 10
    # Days after the meeting its families' names and contacts are kept.
    CONTACT_DAYS = 30

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="family_replies")
    coming = models.BooleanField()
    adults = models.PositiveSmallIntegerField(default=0)
    children = models.PositiveSmallIntegerField(default=0)
    # A family language code (schoolplan FAMILY_LANGUAGES), or "" for none needed.
    interpretation = models.CharField(max_length=10, blank=True)
    childcare = models.BooleanField(default=False)
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    language = models.CharField(max_length=10)  # the families' page language they answered in
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    contact_forgotten_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    permission_scope = {"district": "meeting__district_id", "school": "meeting__school_id"}

    class Meta:
        verbose_name = "family reply"
        verbose_name_plural = "family replies"
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(adults__lte=8) & models.Q(children__lte=10),
                name="family_reply_party_size",
            ),
            models.CheckConstraint(
                condition=models.Q(coming=True) | (models.Q(adults=0) & models.Q(children=0)),
                name="family_reply_nobody_if_not_coming",
            ),
        ]

    def __str__(self):
        return f"Family reply {self.pk} to {self.meeting_id}"

    @property
    def counts(self):
        """Whether the answer counts: not withdrawn."""
        return self.withdrawn_at is None
