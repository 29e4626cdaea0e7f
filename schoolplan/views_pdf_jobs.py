"""A PDF rendered in the worker: its page (polled while it renders), its download, and
"try again" after a failure (schoolplan.pdf_jobs)."""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import pdf_jobs
from .models import PdfJobStatus


def pdf_job(request, pk):
    job, label, back = pdf_jobs.job_for(request.user, pk)
    template = "schoolplan/_pdf_job.html" if request.htmx else "schoolplan/pdf_job.html"
    return render(request, template, {"job": job, "label": label, "back": back})


def pdf_job_download(request, pk):
    job, _, _ = pdf_jobs.job_for(request.user, pk)
    if job.status != PdfJobStatus.DONE:
        raise Http404("The PDF is not ready.")
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response


@require_POST
def pdf_job_retry(request, pk):
    job, _, _ = pdf_jobs.job_for(request.user, pk)
    again = pdf_jobs.request_pdf(job.kind, job.params, user=request.user)
    return redirect(again)
