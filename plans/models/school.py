"""A school's own plans (seed 002): the ESSA action plan and the School Blueprint.

Both are one per school and year. Their items carry a version (optimistic locking) and every
change is kept in PlanChange, exactly as for the CIM plan (plans.services).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from meetings.models import GoalArea
from schoolplan.models import EssaDesignation, School, SchoolYear, Versioned

SCHOOL_SCOPE = {"district": "school__district_id", "school": "school_id"}
PLAN_SCOPE = {"district": "plan__school__district_id", "school": "plan__school_id"}


def essa_due_on(school, year):
    """seed 002: targeted-support schools submit their ESSA action plan by the year's due date
    (May 15); other schools have no deadline (None). The one statement of the rule: the plan,
    its standing (plans.essa), the pages and the reminders read it."""
    if school.essa_designation != EssaDesignation.TARGETED:
        return None
    return year.essa_plan_due


class EssaPlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    ACCEPTED = "accepted", "Accepted"


# While the district holds it (submitted) or has accepted it, the plan's content is frozen.
EDITABLE_STATUSES = (EssaPlanStatus.DRAFT, EssaPlanStatus.RETURNED)


class EssaPlan(models.Model):
    """The ESSA action plan of one school for one year (seed 002's problem-solving process)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="essa_plans")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=EssaPlanStatus, default=EssaPlanStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Recorded at submission: submitted after the school year's ESSA due date (May 15).
    submitted_late = models.BooleanField(default=False)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    permission_scope = SCHOOL_SCOPE

    class Meta:
        verbose_name = "ESSA action plan"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="one_essa_plan_per_school_year"
            )
        ]

    def __str__(self):
        return f"ESSA action plan – {self.school} {self.school_year.name}"

    def get_absolute_url(self):
        return reverse("essa_plan", args=[self.pk])

    @property
    def due_on(self):
        """The day it is due (plans.essa), None for a school with no deadline."""
        return essa_due_on(self.school, self.school_year)

    @property
    def must_submit(self):
        return self.due_on is not None

    @property
    def is_editable(self):
        return self.status in EDITABLE_STATUSES


class EssaPlanEvent(models.Model):
    """A step of the workflow: submitted, returned (with the district's comment), accepted."""

    plan = models.ForeignKey(EssaPlan, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=10, choices=EssaPlanStatus)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(blank=True)
    late = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_status_display()} by {self.by} at {self.at:%Y-%m-%d %H:%M}"


class EssaItem(Versioned):
    """An item of the ESSA action plan (each declares its `plan`), kept in the plan's history."""

    permission_scope = PLAN_SCOPE

    class Meta:
        abstract = True
        ordering = ["pk"]

    @property
    def document(self):
        return self.plan


class ProblemStatement(EssaItem):
    """seed 002: the desired state against the current state of student outcomes, and the gap."""

    plan = models.ForeignKey(EssaPlan, on_delete=models.CASCADE, related_name="problems")
    desired_state = models.TextField("Desired state")
    current_state = models.TextField("Current state")
    gap = models.CharField("The gap", max_length=300)

    def __str__(self):
        return self.gap


class RootCause(Versioned):
    """Why the gap exists, and the evidence that verifies it."""

    problem = models.ForeignKey(
        ProblemStatement, on_delete=models.CASCADE, related_name="root_causes"
    )
    description = models.CharField("Root cause", max_length=500)
    evidence = models.TextField("Evidence that verifies it")
    verified = models.BooleanField("Verified by the evidence", default=False)
    # seed 002: causes are verified "within the context of the SAMI": the school's SAMI items
    # (of the plan's year) this cause was checked against.
    sami_items = models.ManyToManyField(
        "meetings.SamiItem",
        blank=True,
        related_name="root_causes",
        verbose_name="SAMI items it was verified against",
    )

    permission_scope = {
        "district": "problem__plan__school__district_id",
        "school": "problem__plan__school_id",
    }

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.description

    @property
    def document(self):
        return self.problem.plan


class FocusArea(EssaItem):
    plan = models.ForeignKey(EssaPlan, on_delete=models.CASCADE, related_name="focus_areas")
    title = models.CharField("Area of focus", max_length=300)
    initiatives = models.TextField("Initiatives", blank=True)

    def __str__(self):
        return self.title


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    STALLED = "stalled", "Stalled"


class ActionStep(EssaItem):
    plan = models.ForeignKey(EssaPlan, on_delete=models.CASCADE, related_name="action_steps")
    focus_area = models.ForeignKey(
        FocusArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_steps",
        verbose_name="Area of focus",
    )
    description = models.CharField("Action step", max_length=500)
    owner = models.CharField("Owner", max_length=200, help_text="A person or a team.")
    starts_on = models.DateField("Start")
    due_on = models.DateField("Due")
    status = models.CharField(max_length=12, choices=StepStatus, default=StepStatus.NOT_STARTED)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description

    def clean(self):
        if self.starts_on and self.due_on and self.due_on < self.starts_on:
            raise ValidationError({"due_on": "The due date cannot come before the start."})


class ReviewFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"
    ASSESSMENT = "assessment", "After each assessment point"
    QUARTERLY = "quarterly", "Quarterly"


class MonitoringRoutine(EssaItem):
    """The monitoring structure: who reviews what, how often."""

    plan = models.ForeignKey(EssaPlan, on_delete=models.CASCADE, related_name="monitoring")
    who = models.CharField("Who reviews", max_length=200)
    what = models.CharField("What they review", max_length=300)
    frequency = models.CharField("How often", max_length=12, choices=ReviewFrequency)

    def __str__(self):
        return f"{self.who}: {self.what}"


class PublishStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Blueprint(Versioned):
    """The School Blueprint (seed 002): the year at a glance for all stakeholders, families too.

    Its goals are the school's goals of the year (meetings.Goal): the ones set at CPM meetings
    are the same rows, not copies. Its leading measures are metrics (progress.Metric)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="blueprints")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    # Public (the families' page): limited, as every public text is (README, "Length limits").
    theory_of_action = models.TextField(
        "Theory of action", blank=True, max_length=5000, help_text="If we …, then …, so that …"
    )
    status = models.CharField(max_length=10, choices=PublishStatus, default=PublishStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    permission_scope = SCHOOL_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year"], name="one_blueprint_per_school_year"
            )
        ]

    def __str__(self):
        return f"School Blueprint – {self.school} {self.school_year.name}"

    def get_absolute_url(self):
        return reverse("blueprint", args=[self.pk])

    @property
    def document(self):
        return self

    @property
    def is_published(self):
        return self.status == PublishStatus.PUBLISHED

    @property
    def goals(self):
        return self.school.goals.filter(school_year=self.school_year)


class Initiative(Versioned):
    blueprint = models.ForeignKey(Blueprint, on_delete=models.CASCADE, related_name="initiatives")
    area = models.CharField(max_length=12, choices=GoalArea)
    title = models.CharField("Initiative", max_length=300)
    description = models.TextField(blank=True, max_length=5000)  # public, like the Blueprint

    permission_scope = {
        "district": "blueprint__school__district_id",
        "school": "blueprint__school_id",
    }

    class Meta:
        ordering = ["area", "pk"]

    def __str__(self):
        return self.title

    @property
    def document(self):
        return self.blueprint
