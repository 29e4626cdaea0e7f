from django.conf import settings
from django.db import models
from django.urls import reverse

from .organisation import District
from .pdf_job import PdfJobStatus


class RosterSource(models.TextChoices):
    ONEROSTER = "oneroster", "OneRoster CSV bundle"
    PLAIN = "plain", "SchoolPlan CSV templates (schools.csv, staff.csv)"


class RosterImport(models.Model):
    """One roster upload and what became of it (schoolplan.roster): its dry run, then, once a
    district staff member confirms, the import. Kept as the district's import log: who, when,
    the counts and every problem found."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="roster_imports")
    source = models.CharField(max_length=20, choices=RosterSource, blank=True)
    filename = models.CharField(max_length=255)
    # The upload as a .zip, only until its dry run: a SIS export holds pupils, and SchoolPlan
    # keeps none. What the import needs (schools, staff, classes) is kept in roster.
    bundle = models.BinaryField(default=b"")
    roster = models.JSONField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # The dry run (status: waiting, rendering = checking, done, failed).
    status = models.CharField(max_length=10, choices=PdfJobStatus, default=PdfJobStatus.WAITING)
    counts = models.JSONField(default=dict)  # {"schools": {"create": n, ...}, ...}
    changes = models.JSONField(default=list)  # the preview's lines, the first few per kind
    problems = models.JSONField(default=list)  # [{"file", "row", "column", "message"}]
    error = models.TextField(blank=True)
    # The import itself, after the confirmation.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    apply_status = models.CharField(max_length=10, choices=PdfJobStatus, blank=True)
    applied_counts = models.JSONField(default=dict)
    applied_at = models.DateTimeField(null=True, blank=True)

    permission_scope = {"district": "district_id"}

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self):
        return f"Roster import #{self.pk} ({self.district}): {self.filename}"

    def get_absolute_url(self):
        return reverse("roster_import", args=[self.pk])

    @property
    def changes_anything(self):
        return any(
            n for kind in self.counts.values() for action, n in kind.items() if action != "skip"
        )

    @property
    def may_confirm(self):
        return self.status == PdfJobStatus.DONE and not self.problems and not self.apply_status
