"""Metrics and their dated measurements; what a CIM review records; comments on the CIM work."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
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
from schoolplan.models import CimStatus, District, School, SchoolYear, Versioned


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
        from .status import status_of

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


class SpfRating(models.TextChoices):
    """The School Performance Framework's overall ratings, best first."""

    DISTINGUISHED = "distinguished", _("Distinguished")
    MEETS = "meets", _("Meets expectations")
    WATCH = "watch", _("Accredited on watch")
    PRIORITY_WATCH = "priority_watch", _("Accredited on priority watch")
    PROBATION = "probation", _("Accredited on probation")


# The indicators, each a percent of the points the school could earn on it.
SPF_INDICATORS = [
    ("growth", _("Student growth")),
    ("achievement", _("Student achievement")),
    ("gaps", _("Closing the gaps")),
    ("engagement", _("Student engagement")),
    ("postsecondary", _("College and career readiness")),
]


def _percent(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


class SpfResult(models.Model):
    """A school's SPF result for one year: its overall rating and indicator scores."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="spf_results")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField("Overall rating", max_length=20, choices=SpfRating)
    overall = models.DecimalField(
        "Overall (% of points)",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    growth = _percent("Student growth")
    achievement = _percent("Student achievement")
    gaps = _percent("Closing the gaps")
    engagement = _percent("Student engagement")
    postsecondary = _percent("College and career readiness")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        verbose_name = "SPF result"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_spf_result_a_year")
        ]

    def __str__(self):
        return f"SPF {self.school_year.name}: {self.school} – {self.get_rating_display()}"

    @property
    def indicators(self):
        return [(key, label, getattr(self, key)) for key, label in SPF_INDICATORS]


class SpfSummary(models.Model):
    """The plain-language SPF summary for families, in each of the school's languages.

    Published, it shows on the school's family page; published inside the year's SPF sharing
    window, it meets the requirement to share SPF results with families (seed 000)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="spf_summaries")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    texts = models.JSONField(default=dict)  # language code -> the text families read
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    permission_scope = {"district": "school__district_id", "school": "school_id"}

    class Meta:
        verbose_name = "SPF family summary"
        verbose_name_plural = "SPF family summaries"
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="one_spf_summary_a_year")
        ]

    def __str__(self):
        return f"SPF summary {self.school_year.name}: {self.school}"

    @property
    def is_published(self):
        return self.published_at is not None

    def text_in(self, language):
        """The text in language, else in English, else in any language: (language, text)."""
        for code in (language, "en", *self.texts):
            if (self.texts.get(code) or "").strip():
                return code, self.texts[code]
        return None, ""


# --- CIM progress reports (seed 001; DOMAIN: CIM, Progress) ------------------------------------


class PeriodKind(models.TextChoices):
    # seed 001: Intensive LEAs report quarterly, Targeted LEAs semi-annually.
    QUARTER = "quarter", "Quarter"
    HALF = "half", "Half"


class ReportDue(models.Model):
    """One reporting period of a district's year and when its progress report is due. The
    periods follow the CIM level in force (progress/reports.py, "Due dates")."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="report_dues")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    period_starts = models.DateField()
    period_ends = models.DateField()
    due_on = models.DateField("Due")
    kind = models.CharField(max_length=10, choices=PeriodKind)
    # Made with the period: "Quarter 2", or "Half 1 (15 Nov – 31 Dec)" when a change of level
    # clipped it, so it stays right whatever its length.
    label = models.CharField(max_length=60)
    # The level the period was made for (routing reads it); blank: made before levels were
    # kept per year, read as the district's level today.
    cim_status = models.CharField(
        "CIM monitoring status", max_length=20, choices=CimStatus, blank=True
    )
    # A period's report goes after the period ends (DOMAIN.md, 2026-12), unless district staff
    # allow this period's to go early.
    early_submission_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    early_submission_allowed_at = models.DateTimeField(null=True, blank=True)

    permission_scope = {"district": "district_id"}

    class Meta:
        ordering = ["school_year__start_year", "period_starts", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "school_year", "number"], name="one_report_due_per_period"
            )
        ]

    def __str__(self):
        return f"{self.label} {self.school_year.name}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class SubmittedReportError(Exception):
    """A submitted progress report is never changed or deleted (a correction is a new version)."""


class ProgressReport(models.Model):
    """A CIM progress report for one period. Once submitted, its content (the data it was made
    from), its PDF and the PDF's SHA-256 are frozen: the app refuses changes and, on the
    database, a trigger refuses any UPDATE or DELETE of a submitted row. A correction is a new
    version that names the one it corrects."""

    due = models.ForeignKey(ReportDue, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(default=1)
    corrects = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        help_text="The submitted version this one corrects.",
    )
    status = models.CharField(max_length=10, choices=ReportStatus, default=ReportStatus.DRAFT)
    summary = models.TextField("Summary of the period", blank=True)
    # Per High-Leverage Strategy (by id): {"barriers": ..., "next_steps": ...}, the team's words.
    narratives = models.JSONField(default=dict, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    send_to_selpa = models.BooleanField(
        "Also send it to the SELPA",
        default=False,
        help_text="Targeted 1: the LEA keeps its report; the SELPA may ask for it.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content = models.JSONField(default=dict, blank=True)  # what the PDF was made from, frozen
    recipients = models.JSONField(default=list, blank=True)  # [[who, address], ...] at submission
    pdf = models.BinaryField(null=True, blank=True)
    pdf_sha256 = models.CharField("SHA-256 of the PDF", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The draft's optimistic lock (`version` is the report's correction version): each save
    # names the edit version its page showed; part_edits says who last changed each part and
    # when ({"summary": {"by": user id, "name": ..., "at": ISO moment, "edit": n}, ...}).
    edit_version = models.PositiveIntegerField(default=0)
    part_edits = models.JSONField(default=dict, blank=True)
    # Targeted 2 (seed 001): the SELPA designates its own form; the team's completed copy is
    # sent instead of our PDF, which stays the record of all the template's information.
    selpa_form = models.BinaryField(null=True, blank=True)
    selpa_form_name = models.CharField("SELPA form", max_length=200, blank=True)
    selpa_form_type = models.CharField(max_length=100, blank=True)
    selpa_form_sha256 = models.CharField("SHA-256 of the SELPA form", max_length=64, blank=True)

    permission_scope = {"district": "due__district_id"}

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["due", "version"], name="one_report_per_version")
        ]

    def __str__(self):
        return f"Progress report {self.due}, version {self.version}"

    def save(self, *args, **kwargs):
        if (
            self.pk
            and type(self).objects.filter(pk=self.pk, status=ReportStatus.SUBMITTED).exists()
        ):
            raise SubmittedReportError("A submitted progress report cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("progress_report", args=[self.pk])

    def delete(self, *args, **kwargs):
        if self.is_submitted:
            raise SubmittedReportError("A submitted progress report cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_submitted(self):
        return self.status == ReportStatus.SUBMITTED


class RenderJobStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RenderJob(models.Model):
    """Rendering a report's PDF off the request path: a preview, or the submission itself."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="jobs")
    submit = models.BooleanField(default=False)
    # Rendered for the lead's confirmation page: this PDF, unchanged, is what is submitted.
    for_confirmation = models.BooleanField(default=False)
    content = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=RenderJobStatus, default=RenderJobStatus.WAITING
    )
    pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{'Submission' if self.submit else 'Preview'} of {self.report}: {self.status}"
