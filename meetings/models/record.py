"""What a meeting leaves behind: its minutes and their amendments, action items and their updates,
goals; and the calendar feeds of its people."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from schoolplan.models import (
    School,
    SchoolYear,
    Versioned,
)

from .engine import Meeting


class PublishedMinutesError(ValidationError):
    pass


class Minutes(models.Model):
    """What was discussed and decided. Once published, only an amendment changes it."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField("Minutes")
    decisions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # A save names the version it started from; a stale one is refused, never overwrites.
    version = models.PositiveIntegerField(default=1)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "minutes"

    def __str__(self):
        return f"Minutes of {self.meeting}"

    def save(self, *args, amending=False, **kwargs):
        # Published minutes are a record: the text changes only through amend_minutes(),
        # which keeps the earlier text as an Amendment.
        if self.pk and not amending:
            stored = (
                Minutes.objects.filter(pk=self.pk)
                .values_list("text", "decisions", "published_at")
                .first()
            )
            if stored and stored[2] is not None and stored[:2] != (self.text, self.decisions):
                raise PublishedMinutesError(
                    "These minutes are published; record an amendment to change them."
                )
        super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.published_at is not None


class Amendment(models.Model):
    """An amendment to published minutes, keeping the text it replaced."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    reason = models.TextField()
    previous_text = models.TextField()
    previous_decisions = models.TextField(blank=True)
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["amended_at", "pk"]

    def __str__(self):
        return f"Amendment to {self.minutes}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"
    # Reviewed at a later meeting and continued there as a new, linked action (seed 003).
    CARRIED = "carried", "Carried forward"


class ActionCategory(models.TextChoices):
    """What kind of change an agreed action makes (seed 003: teaching and curriculum first)."""

    TEACHING = "teaching", "Teaching approach"
    CURRICULUM = "curriculum", "Curriculum adaptation"
    TA_SUPPORT = "ta_support", "Targeted support by a teaching assistant"
    PARENTAL = "parental", "Parental engagement"
    OTHER = "other", "Other"


class ActionItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    description = models.CharField("What", max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
    )
    due_on = models.DateField("Due date", null=True, blank=True)
    status = models.CharField(max_length=10, choices=ActionStatus, default=ActionStatus.OPEN)
    category = models.CharField(max_length=12, choices=ActionCategory, blank=True)
    research_title = models.CharField("Research basis", max_length=300, blank=True)
    research_url = models.URLField("Research link", blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {"district": "meeting__district_id", "school": "meeting__school_id"}

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            # The reminder sweep's and the home page's "due tomorrow or overdue" (meetings/
            # deadlines.py action_items): the open items by due date, not every item ever made
            # (bench/scale_bench.py showed a Seq Scan on all action items at 10,000 schools).
            models.Index(
                fields=["due_on"],
                name="open_action_item_due",
                condition=models.Q(status="open"),
            ),
        ]

    def __str__(self):
        return self.description

    def is_overdue(self, today):
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < today


class ActionItemUpdate(models.Model):
    """One entry in an action item's history."""

    action_item = models.ForeignKey(ActionItem, on_delete=models.CASCADE, related_name="updates")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_status = models.CharField(max_length=10, choices=ActionStatus, blank=True)
    new_status = models.CharField(max_length=10, choices=ActionStatus)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.action_item}: {self.old_status or 'new'} → {self.new_status}"


class GoalArea(models.TextChoices):
    """seed 002: the School Blueprint's areas: learning (math & reading), thriving, belonging."""

    MATH = "math", _("Learning: math")
    READING = "reading", _("Learning: reading")
    THRIVING = "thriving", _("Thriving")
    BELONGING = "belonging", _("Belonging")
    OTHER = "other", _("Other")


class Goal(Versioned):
    """One of a school's goals for the year: set at a CPM Kick Off or Check In (seed 000) or
    written into the School Blueprint (seed 002). One model, so the Blueprint, the ESSA action
    plan and the Check In and Wrap Up agendas all list the same goals."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="goals")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    set_at = models.ForeignKey(
        Meeting,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals_set",
        help_text="The CPM meeting that set this goal, if one did.",
    )
    area = models.CharField(max_length=12, choices=GoalArea, default=GoalArea.OTHER)
    text = models.CharField("Goal", max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text


class CalendarFeed(models.Model):
    """A school's private calendar feed: anyone with the token's URL reads its meetings."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Calendar feed of {self.school}"

    @property
    def is_active(self):
        return self.revoked_at is None
