"""Rendering and sending a CIM progress report: the PDF rendered from a frozen copy of the content
(a Celery task), the lead's confirmation (recipients, attachment, SHA-256), and the e-mail from
the outbox."""

import copy
import hashlib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from decimal import Decimal

from celery import shared_task
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date

from schoolplan import audit, clock
from schoolplan.jobs import claim
from schoolplan.mail import queue_email
from schoolplan.pdf import render_pdf

from .. import report_drafts
from ..models import (
    ProgressReport,
    RenderJob,
    RenderJobStatus,
    ReportStatus,
)
from .content import build_content
from .workflow import submission_problems


class _ChartMetric:
    """A metric as the chart renderer reads it, from frozen content."""

    def __init__(self, data):
        self.name, self.unit, self.direction = data["name"], data["unit"], data["direction"]
        self.baseline, self.target = Decimal(data["baseline"]), Decimal(data["target"])
        self.target_date = parse_date(data["target_date"])
        self.baseline_date = parse_date(data["baseline_date"]) if data["baseline_date"] else None
        self.path_starts = self.baseline_date or self.target_date - timedelta(days=365)


@dataclass
class _Point:
    date: date
    value: Decimal
    pk: int = 0


def pdf_context(content):
    """The template's context: the frozen content, with each metric's chart drawn."""
    from ..charts import trend_svg

    content = copy.deepcopy(content)  # the frozen content itself stays chart-free JSON
    for s, strategy in enumerate(content["strategies"]):
        for a, activity in enumerate(strategy["activities"]):
            for o, outcome in enumerate(activity["outcomes"]):
                data = outcome["metric"]
                if data:
                    points = [
                        _Point(parse_date(v["date"]), Decimal(v["value"])) for v in data["values"]
                    ]
                    outcome["chart"] = trend_svg(
                        _ChartMetric(data), points, chart_id=f"chart-{s}-{a}-{o}"
                    )
    return {"report": content}


def render(content):
    lea, period = content["lea"], content["period"]
    # In the district's zone, wherever the worker runs (content frozen before it named its zone:
    # the zone active here).
    with clock.zone(lea.get("time_zone")):
        return render_pdf(
            "progress/report_pdf.html",
            pdf_context(content),
            title=f"CIM progress report – {lea['name']} – {period['label']} {period['year']}",
            author=content["prepared_by"] or lea["name"],
        )


@transaction.atomic
def request_render(report, *, user, submit=False, confirm=False):
    """Queue a preview, the rendering the lead confirms (confirm), or a submission without the
    confirmation step (submit: the demo); returns the job (done when Celery is eager)."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    if submit or confirm:
        problems = submission_problems(report, clock.today(report.due.district))
        if problems:
            raise ValidationError([problem.message for problem in problems])
        if report.jobs.filter(submit=True, status__in=("waiting", "rendering")).exists():
            raise ValidationError("The report is being submitted already.")
    job = RenderJob.objects.create(
        report=report,
        submit=submit,
        for_confirmation=confirm,
        content=build_content(report),
        requested_by=user,
    )
    transaction.on_commit(lambda: render_report.delay(job.pk))
    return job


@shared_task(name="progress.tasks.render_report")
def render_report(job_id):
    """Render a progress report's PDF off the request path (a preview, or the submission)."""
    run_job(job_id)


def run_job(job_id):
    """The task's work: render the job's PDF; for a submission, freeze the report and send it."""
    job = claim(RenderJob, job_id)
    if job is None:
        return RenderJob.objects.get(pk=job_id)  # a retry or a second delivery: already done
    try:
        pdf = render(job.content)
    except Exception as error:
        RenderJob.objects.filter(pk=job.pk).update(
            status=RenderJobStatus.FAILED, error=str(error)[:2000], finished_at=clock.now()
        )
        raise
    with transaction.atomic():
        if job.submit:
            _freeze(job, pdf)
        RenderJob.objects.filter(pk=job.pk).update(
            status=RenderJobStatus.DONE, pdf=pdf, finished_at=clock.now()
        )
    job.refresh_from_db()
    return job


@dataclass
class Attachment:
    name: str
    mimetype: str
    size: int
    sha256: str


@dataclass
class Confirmation:
    """What the lead confirms: where it goes, who answers, what is attached, the PDF's hash."""

    job: RenderJob | None
    problems: list
    changed: bool = False  # the report changed after this rendering: confirm again
    headline: str = ""
    recipients: list = dataclass_field(default_factory=list)
    lead: dict | None = None
    attachments: list = dataclass_field(default_factory=list)
    pdf_sha256: str = ""
    record_only: bool = False  # the PDF is kept as the record, not sent (the SELPA's form is)


def pdf_name(content):
    period = content["period"]
    name = f"cim-progress-report-{period['year']}-{period['label']}"
    return name.lower().replace(" ", "-") + f"-v{content['version']}.pdf"


def confirmation(report, job, today):
    """The confirmation page's facts for the job the lead asked for (None: not rendered yet)."""
    problems = submission_problems(report, today)
    if job is None or job.status != RenderJobStatus.DONE:
        return Confirmation(job, problems)
    content, pdf = job.content, bytes(job.pdf)
    sha = hashlib.sha256(pdf).hexdigest()
    attachments = [Attachment(pdf_name(content), "application/pdf", len(pdf), sha)]
    form = content.get("selpa_form")
    if form:
        size = report.selpa_form_size
        attachments = [Attachment(form["name"], form["type"], size, form["sha256"])]
    return Confirmation(
        job,
        problems,
        changed=content != build_content(report),
        headline=content["routing"],
        recipients=content["recipients"],
        lead=content.get("cim_lead"),
        attachments=attachments,
        pdf_sha256=sha,
        record_only=bool(form),
    )


class ContentChanged(ValidationError):
    """The report changed between the confirmation and the submission."""


@transaction.atomic
def submit_confirmed(report, *, job_id, user):
    """Submit what the lead confirmed: the confirmation's PDF itself, so the hash they saw is
    the hash submitted; refused if anything the report says changed since."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    job = report.jobs.filter(pk=job_id, for_confirmation=True, status=RenderJobStatus.DONE).first()
    if job is None:
        raise ValidationError("Nothing was confirmed: render the report for submission first.")
    problems = submission_problems(report, clock.today(report.due.district))
    if problems:
        raise ValidationError([problem.message for problem in problems])
    if job.content != build_content(report):
        raise ContentChanged(
            "Not submitted: the report changed after you confirmed it (its text, its data, its "
            "recipients or its attachment). Look at it again and confirm the new version."
        )
    RenderJob.objects.filter(pk=job.pk).update(submit=True, requested_by=user)
    job.submit, job.requested_by = True, user
    return _freeze(job, bytes(job.pdf))


def _freeze(job, pdf):
    report = ProgressReport.objects.select_for_update().get(pk=job.report_id)
    if report.is_submitted:
        return report
    report.status = ReportStatus.SUBMITTED
    report.content = job.content
    report.pdf = pdf
    report.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    report.recipients = job.content["recipients"]
    report.submitted_at = clock.now()
    report.submitted_by = job.requested_by
    report.save()
    audit.record(
        job.requested_by,
        "progress-report-submitted",
        report,
        summary=f"SHA-256 {report.pdf_sha256}",
    )
    _send(report, job.content, pdf)
    return report


def _send(report, content, pdf):
    """E-mail the submitted report: from DEFAULT_FROM_EMAIL, answers to the CIM lead, who is
    copied; the SELPA's own form instead of the PDF where the team attached it (Targeted 2)."""
    lea, period = content["lea"], content["period"]
    form = content.get("selpa_form")
    if form:
        attachment = (form["name"], report_drafts.selpa_form_bytes(report), form["type"])
        attached = (
            f"The SELPA's form is attached ({form['name']}, SHA-256 {form['sha256']}). The "
            "LEA keeps the full template report, with all its information, as a PDF "
            f"(SHA-256 {report.pdf_sha256}); ask the CIM lead for a copy.\n"
        )
    else:
        attachment = (pdf_name(content), pdf, "application/pdf")
        attached = f"SHA-256 of the PDF: {report.pdf_sha256}\n"
    lead = content.get("cim_lead") or {}
    queue_email(
        f"progress-report:{report.pk}",
        [address for _, address in report.recipients],
        f"CIM progress report: {lea['name']}, {period['label']} {period['year']}"
        + (f" (version {report.version})" if report.version > 1 else ""),
        f"Please find attached the CIM progress report of {lea['name']} for "
        f"{period['label']} {period['year']} ({period['starts']} to {period['ends']}).\n\n"
        + (
            f"It corrects version {content['corrects']} submitted earlier.\n\n"
            if content["corrects"]
            else ""
        )
        + f"Prepared by {content['prepared_by'] or '—'}; signed off by "
        f"{content['signed_off_by'] or '—'}.\n"
        + attached
        + (f"Please reply to the CIM lead, {lead['name']} ({lead['email']}).\n" if lead else ""),
        attachment=attachment,
        reply_to=[lead.get("email")],
        cc=[lead.get("email")],
    )
