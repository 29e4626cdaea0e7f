"""Metrics and their dated measurements; what a CIM review records; comments on the CIM work."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.models import Goal, GoalArea, Meeting
from plans.models import (
    Activity,
    Blueprint,
    EssaPlan,
    ImplementationStatus,
    Initiative,
    Outcome,
    PlanForImprovement,
)
from schoolplan.models import Versioned


class Direction(models.TextChoices):
    UP = "up", _("Higher is better")
    DOWN = "down", _("Lower is better")


class MetricKind(models.TextChoices):
    LEADING = "leading", "Leading"
    LAGGING = "lagging", "Lagging"


# What a metric can hang on: exactly one of these (a check constraint says so).
METRIC_PARENTS = ("outcome", "activity", "essa_plan", "blueprint", "initiative", "goal")


def _one_parent():
    condition = models.Q()
    for parent in METRIC_PARENTS:
        condition |= models.Q(
            **{f"{parent}__isnull": False},
            **{other: None for other in METRIC_PARENTS if other != parent},
        )
    return condition


class Metric(Versioned):
    """How something is measured: baseline, target, target date (DOMAIN: progress).

    A metric hangs on exactly one thing: a CIM outcome (its one metric) or activity, an ESSA
    action plan (its leading and lagging metrics), a School Blueprint (its leading measures, by
    area), a Blueprint initiative, or a school's goal. Its status follows progress.status."""

    outcome = models.OneToOneField(
        Outcome, null=True, blank=True, on_delete=models.CASCADE, related_name="metric"
    )
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.CASCADE, related_name="metrics"
    )
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="metrics"
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
    baseline_date = models.DateField(
        "Baseline date",
        null=True,
        blank=True,
        help_text="When the baseline was measured: the on-track path starts here.",
    )
    target = models.DecimalField(max_digits=12, decimal_places=2)
    target_date = models.DateField()
    direction = models.CharField(max_length=4, choices=Direction, default=Direction.UP)

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(name="metric_hangs_on_one_thing", condition=_one_parent())
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.baseline is not None and self.target is not None:
            if self.direction == Direction.UP and self.target < self.baseline:
                errors["target"] = "Higher is better, so the target cannot be below the baseline."
            if self.direction == Direction.DOWN and self.target > self.baseline:
                errors["target"] = "Lower is better, so the target cannot be above the baseline."
        if self.baseline_date and self.target_date and self.target_date <= self.baseline_date:
            errors["target_date"] = "The target date must come after the baseline date."
        if errors:
            raise ValidationError(errors)

    @property
    def path_starts(self):
        """Where the straight path to the target starts (a year before it, if not recorded)."""
        return self.baseline_date or self.target_date - timedelta(days=365)

    @property
    def status(self):
        from ..status import status_of

        latest = self.latest
        return status_of(self, latest.value, latest.date) if latest else status_of(self)

    @property
    def document(self):
        """The plan whose history records changes to this metric."""
        if self.outcome_id:
            return self.outcome.document
        if self.activity_id:
            return self.activity.document
        if self.initiative_id:
            return self.initiative.blueprint
        if self.essa_plan_id:
            return self.essa_plan
        if self.blueprint_id:
            return self.blueprint
        return None  # a goal's metric: plans.services finds the goal's Blueprint

    @property
    def latest(self):
        measurements = list(self.measurements.all())
        return max(measurements, key=lambda m: (m.date, m.pk)) if measurements else None


class CurrentMeasurements(models.Manager):
    """The values in force: one per metric and date. The default manager, so the trend chart,
    the status, the reports and `metric.measurements` read current values only."""

    def get_queryset(self):
        return super().get_queryset().filter(replaced_at__isnull=True)


class Measurement(models.Model):
    """A dated value of a metric, one version of it. A correction never overwrites: the earlier
    version stays, marked replaced (when and by whom), and the new one says why. A removal marks
    the current version replaced with the reason and leaves no current value for the date.

    `Measurement.objects` (and `metric.measurements`) hold the current values only;
    `Measurement.history` every version (the admin lists it; `dumpdata --all` dumps it)."""

    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="measurements")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    review = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="measurements"
    )
    # Who entered this version and when: never changed by a later correction.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(
        "Reason for the correction",
        max_length=300,
        blank=True,
        help_text="Why this value replaced the one recorded before it for the same date.",
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removal_reason = models.CharField("Reason for the removal", max_length=300, blank=True)

    objects = CurrentMeasurements()
    history = models.Manager()  # noqa: DJ012 - a manager (the check knows `objects` only)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "date"],
                condition=models.Q(replaced_at__isnull=True),
                name="one_current_measurement_per_date",
            )
        ]

    def __str__(self):
        return f"{self.metric}: {self.value} on {self.date}"

    @property
    def is_current(self):
        return self.replaced_at is None

    @property
    def is_removed(self):
        return self.replaced_at is not None and bool(self.removal_reason)


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
    # The team records a review together: a save names the version it started from (0: the
    # row did not exist yet) and a stale one is refused for this row only (progress.review_rows).
    version = models.PositiveIntegerField(default=1)

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


# --- SPF results and the family summary (DOMAIN: progress; seed 000) ---------------------------


# --- CIM progress reports (seed 001; DOMAIN: CIM, Progress) ------------------------------------
