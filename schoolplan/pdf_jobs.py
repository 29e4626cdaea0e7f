"""PDFs rendered in the Celery worker, not in the request: a thousand-school compliance PDF took
20 s, and gunicorn ends a request at 60. The page asks for a job (a POST), then shows its
progress (it polls, like the progress report's), then the download.

Each kind of PDF is registered by the app that makes it (plans: the ESSA action plan;
progress: the compliance dashboard) with two functions:

    visible(user, params) -> (what it is, the page it comes from); Http404 when the user may not
                             see it (asked again at every visit and download)
    render(params, user)  -> (pdf bytes, title, file name), run in the worker
"""

import logging
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.http import Http404

from . import clock
from .jobs import claim
from .models import PdfJob, PdfJobStatus
from .text import fit


@dataclass(frozen=True)
class PdfKind:
    visible: object
    render: object


PDF_KINDS = {}
log = logging.getLogger(__name__)


def register_pdf_kind(kind, *, visible, render):
    PDF_KINDS[kind] = PdfKind(visible, render)


def kind_of(job):
    try:
        return PDF_KINDS[job.kind]
    except KeyError:
        raise Http404("No such PDF.") from None


def request_pdf(kind, params, *, user):
    """Queue a PDF of kind for user (who must be allowed to see it); returns the job."""
    PDF_KINDS[kind].visible(user, params)
    job = PdfJob.objects.create(kind=kind, params=params, requested_by=user)
    transaction.on_commit(lambda: render_pdf_job.delay(job.pk))
    return job


def job_for(user, pk):
    """The user's own job, while they may still see what it shows; else Http404."""
    job = PdfJob.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404("No such PDF.")
    label, back = kind_of(job).visible(user, job.params)
    return job, label, back


@shared_task(name="schoolplan.tasks.render_pdf_job")
def render_pdf_job(job_id):
    run_pdf_job(job_id)


def run_pdf_job(job_id):
    """The task's work: render once (a second delivery of the task finds it started)."""
    job = claim(PdfJob, job_id)
    if job is None:
        return PdfJob.objects.filter(pk=job_id).first()
    try:
        pdf, title, filename = kind_of(job).render(job.params, job.requested_by)
    except Exception as error:  # the page says it failed and offers to try again
        log.exception("PDF job %s (%s) failed", job.pk, job.kind)
        PdfJob.objects.filter(pk=job.pk).update(
            status=PdfJobStatus.FAILED, error=str(error)[:2000], finished_at=clock.now()
        )
        return job
    PdfJob.objects.filter(pk=job.pk).update(
        status=PdfJobStatus.DONE,
        pdf=pdf,
        title=fit(PdfJob, "title", title),  # names a school or a district
        filename=filename[:200],  # built from slugs and a year: far shorter
        finished_at=clock.now(),
    )
    job.refresh_from_db()
    return job
