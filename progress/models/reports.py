"""CIM progress reports: the periods' due dates, the reports, their render jobs."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from schoolplan.models import CimStatus, District, PdfJobStatus, SchoolYear


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


def selpa_form_upload_to(report, filename):
    return f"selpa-forms/{report.due.district_id}/{filename}"


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
    # The file is in the uploads' storage (object storage when S3_BUCKET is set); its name,
    # type and SHA-256 are frozen with the submitted row, and every version has its own copy.
    selpa_form = models.FileField(
        "SELPA form file", upload_to=selpa_form_upload_to, max_length=300, blank=True
    )
    selpa_form_size = models.PositiveIntegerField(default=0)
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


# A report's rendering goes through the same four states as any PDF made in the worker.
RenderJobStatus = PdfJobStatus


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
