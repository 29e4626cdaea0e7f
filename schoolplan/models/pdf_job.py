from django.conf import settings
from django.db import models


class PdfJobStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    RENDERING = "rendering", "Rendering"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PdfJob(models.Model):
    """A PDF rendered off the request path (schoolplan.pdf_jobs): the compliance dashboard, an
    ESSA action plan. Its page polls until it is done, then offers the download; only the
    person who asked sees it, and only while they may still see what it shows."""

    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)  # what the kind needs to render it again, ids only
    status = models.CharField(max_length=10, choices=PdfJobStatus, default=PdfJobStatus.WAITING)
    title = models.CharField(max_length=300, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} PDF #{self.pk}: {self.status}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("pdf_job", args=[self.pk])
