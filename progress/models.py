"""Metrics and their dated measurements; what a CIM review records; comments on the CIM work."""

from django.conf import settings
from django.db import models

from meetings.models import Goal, GoalArea, Meeting
from plans.models import (
    Activity,
    Blueprint,
    EssaPlan,
    ImplementationStatus,
    Outcome,
    PlanForImprovement,
)
from schoolplan.models import Versioned


class Direction(models.TextChoices):
    UP = "up", "Higher is better"
    DOWN = "down", "Lower is better"


class MetricKind(models.TextChoices):
    LEADING = "leading", "Leading"
    LAGGING = "lagging", "Lagging"


class Metric(Versioned):
    """How something is measured: baseline, target, target date (DOMAIN: progress).

    A metric hangs on exactly one thing: a CIM outcome, an ESSA action plan (its leading and
    lagging metrics), a School Blueprint (its leading measures, by area) or a school's goal."""

    outcome = models.OneToOneField(
        Outcome, null=True, blank=True, on_delete=models.CASCADE, related_name="metric"
    )
    essa_plan = models.ForeignKey(
        EssaPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="metrics"
    )
    blueprint = models.ForeignKey(
        Blueprint, null=True, blank=True, on_delete=models.CASCADE, related_name="measures"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="metrics"
    )
    kind = models.CharField(max_length=7, choices=MetricKind, default=MetricKind.LAGGING)
    area = models.CharField(max_length=12, choices=GoalArea, blank=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40, blank=True, help_text="e.g. %, students, days")
    baseline = models.DecimalField(max_digits=12, decimal_places=2)
    target = models.DecimalField(max_digits=12, decimal_places=2)
    target_date = models.DateField()
    direction = models.CharField(max_length=4, choices=Direction, default=Direction.UP)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                name="metric_hangs_on_one_thing",
                condition=(
                    models.Q(outcome__isnull=False, essa_plan=None, blueprint=None, goal=None)
                    | models.Q(outcome=None, essa_plan__isnull=False, blueprint=None, goal=None)
                    | models.Q(outcome=None, essa_plan=None, blueprint__isnull=False, goal=None)
                    | models.Q(outcome=None, essa_plan=None, blueprint=None, goal__isnull=False)
                ),
            )
        ]

    def __str__(self):
        return self.name

    @property
    def document(self):
        """The plan whose history records changes to this metric."""
        if self.outcome_id:
            return self.outcome.document
        if self.essa_plan_id:
            return self.essa_plan
        if self.blueprint_id:
            return self.blueprint
        return None  # a goal's metric: plans.services finds the goal's Blueprint

    @property
    def latest(self):
        measurements = list(self.measurements.all())
        return max(measurements, key=lambda m: (m.date, m.pk)) if measurements else None


class Measurement(models.Model):
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    review = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.metric}: {self.value} on {self.date}"


class ActivityReview(models.Model):
    """At a monthly review: one activity's implementation status, barriers and next steps."""

    review = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="activity_reviews")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(max_length=12, choices=ImplementationStatus)
    barriers = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity__strategy__position", "activity__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "activity"], name="one_activity_review_per_meeting"
            )
        ]

    def __str__(self):
        return f"{self.activity} at {self.review}"


class Comment(models.Model):
    """A comment on the CIM plan or on a review: how a TA provider takes part (read + comment)."""

    plan = models.ForeignKey(PlanForImprovement, on_delete=models.CASCADE, related_name="comments")
    review = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="cim_comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = {"district": "plan__district_id"}

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:50]
