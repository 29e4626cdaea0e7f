"""The CIM Plan for Improvement (seed 001): High-Leverage Strategies → activities → outcomes.

Every change is kept in PlanChange; strategies, activities and outcomes carry a version so two
people editing one at once cannot silently overwrite each other (plans.services).
"""

import operator
from functools import reduce

from django.conf import settings
from django.db import models
from django.urls import reverse

from schoolplan.models import District, SchoolYear, Versioned


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from schoolplan.permissions import VIEW_DISTRICT, restrict

        return restrict(self, user, VIEW_DISTRICT)


class PlanForImprovement(models.Model):
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="cim_plans")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200, default="Plan for Improvement")

    objects = PlanQuerySet.as_manager()

    permission_scope = {"district": "district_id"}

    class Meta:
        verbose_name = "Plan for Improvement"
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_year"], name="one_cim_plan_per_district_year"
            )
        ]

    def __str__(self):
        return f"{self.title} – {self.district} {self.school_year.name}"

    def get_absolute_url(self):
        return reverse("cim_plan", args=[self.pk])


class Strategy(Versioned):
    """A High-Leverage Strategy."""

    plan = models.ForeignKey(
        PlanForImprovement, on_delete=models.CASCADE, related_name="strategies"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    # seed 001: data analysis -> root cause -> plan; a strategy says what it addresses.
    root_causes = models.ManyToManyField(
        "plans.CimRootCause",
        blank=True,
        related_name="strategies",
        verbose_name="root causes it addresses",
    )
    problem_statements = models.ManyToManyField(
        "plans.CimProblemStatement",
        blank=True,
        related_name="strategies",
        verbose_name="problem statements it addresses",
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    permission_scope = {"district": "plan__district_id"}

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "High-Leverage Strategy"
        verbose_name_plural = "High-Leverage Strategies"

    def __str__(self):
        return self.title

    @property
    def document(self):
        return self.plan


class ImplementationStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    IMPLEMENTED = "implemented", "Implemented"
    SUSTAINED = "sustained", "Sustained"


class Activity(Versioned):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cim_activities",
    )
    starts_on = models.DateField("Starts", null=True, blank=True)
    ends_on = models.DateField("Ends", null=True, blank=True)
    status = models.CharField(
        "Implementation status",
        max_length=12,
        choices=ImplementationStatus,
        default=ImplementationStatus.NOT_STARTED,
    )
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    permission_scope = {"district": "strategy__plan__district_id"}

    class Meta:
        ordering = ["starts_on", "pk"]
        verbose_name_plural = "activities"

    def __str__(self):
        return self.title

    @property
    def document(self):
        return self.strategy.plan


class Outcome(Versioned):
    """A measurable outcome of an activity; its metric lives in progress (progress.Metric)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="outcomes")
    description = models.CharField(max_length=300)
    # Last year's outcome this one continues: its metric's values follow the outcome across years.
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    permission_scope = {"district": "activity__strategy__plan__district_id"}

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description

    @property
    def document(self):
        return self.activity.strategy.plan


def _exactly_one(*names):
    """A condition: exactly one of the named foreign keys is set."""
    return reduce(
        operator.or_,
        (
            models.Q(**{f"{name}__isnull": False}, **{o: None for o in names if o != name})
            for name in names
        ),
    )


class PlanChange(models.Model):
    """One change to a plan: who, when, what. Each plan document keeps its own history: the CIM
    Plan for Improvement, a school's ESSA action plan, its Blueprint, its cadre's plan, its SAMI
    note catcher."""

    plan = models.ForeignKey(
        PlanForImprovement, null=True, on_delete=models.CASCADE, related_name="changes"
    )
    essa_plan = models.ForeignKey(
        "plans.EssaPlan", null=True, on_delete=models.CASCADE, related_name="changes"
    )
    blueprint = models.ForeignKey(
        "plans.Blueprint", null=True, on_delete=models.CASCADE, related_name="changes"
    )
    cadre = models.ForeignKey(
        "plans.Cadre", null=True, on_delete=models.CASCADE, related_name="changes"
    )
    sami = models.ForeignKey(
        "meetings.Sami", null=True, on_delete=models.CASCADE, related_name="changes"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10)  # added / changed / removed
    object_kind = models.CharField(max_length=40)
    object_label = models.CharField(max_length=300)
    object_id = models.PositiveBigIntegerField(null=True)
    version = models.PositiveIntegerField(null=True)  # the object's version after the change
    changes = models.JSONField(default=dict, blank=True)  # field label -> [old, new]
    # Where the change was made, when not on the plan itself: "the review of October 2026".
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="plan_change_names_one_document",
                condition=_exactly_one("plan", "essa_plan", "blueprint", "cadre", "sami"),
            )
        ]

    def __str__(self):
        return f"{self.by} {self.action} {self.object_kind} {self.object_label}"


class TaSession(models.Model):
    """A Technical Assistance session (seed 001: Intensive LEAs work with a TA provider)."""

    plan = models.ForeignKey(
        PlanForImprovement, on_delete=models.CASCADE, related_name="ta_sessions"
    )
    date = models.DateField()
    # The TA provider's account when they have one; else (or also) their name as typed.
    provider_account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="TA provider",
    )
    provider = models.CharField("Provider's name", max_length=200, blank=True)
    topic = models.CharField(max_length=300)
    strategy = models.ForeignKey(
        Strategy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ta_sessions",
        verbose_name="Strategy supported",
    )
    notes = models.TextField(blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    permission_scope = {"district": "plan__district_id"}

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = "TA session"

    def __str__(self):
        return f"{self.date}: {self.topic}"

    @property
    def provider_name(self):
        if self.provider_account_id:
            return self.provider_account.display_name
        return self.provider


# --- The analysis behind the plan (seed 001: data analysis -> root cause -> plan) -------------


class AnalysisItem(Versioned):
    """An item of the plan's analysis: versioned like the plan's items, and linked to the item
    of last year's plan it was carried over from."""

    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    permission_scope = {"district": "plan__district_id"}

    class Meta:
        abstract = True

    @property
    def document(self):
        return self.plan


class DataFinding(AnalysisItem):
    """What the data shows, and where it comes from."""

    plan = models.ForeignKey(PlanForImprovement, on_delete=models.CASCADE, related_name="findings")
    statement = models.TextField("What the data shows")
    source = models.CharField("Source or evidence", max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "data finding"

    def __str__(self):
        return self.statement[:120]


class CimRootCause(AnalysisItem):
    """A root cause of the plan's problems, supported by the data findings."""

    plan = models.ForeignKey(
        PlanForImprovement, on_delete=models.CASCADE, related_name="root_causes"
    )
    description = models.TextField("Root cause")
    findings = models.ManyToManyField(
        DataFinding, blank=True, related_name="root_causes", verbose_name="findings that support it"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "root cause"

    def __str__(self):
        return self.description[:120]


class CimProblemStatement(AnalysisItem):
    """A problem the plan sets out to solve, and the root causes behind it."""

    plan = models.ForeignKey(
        PlanForImprovement, on_delete=models.CASCADE, related_name="problem_statements"
    )
    statement = models.TextField("Problem statement")
    root_causes = models.ManyToManyField(
        CimRootCause, blank=True, related_name="problem_statements", verbose_name="root causes"
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "problem statement"

    def __str__(self):
        return self.statement[:120]
