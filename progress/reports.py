"""CIM progress reports (seed 001): when they are due, where they go, what they say, and how a
submitted one is frozen.

- Due dates come from the district's monitoring status: Intensive quarterly, Targeted twice a
  year, none without a CIM status. They are generated from the school year (defaults below) and
  district staff may move them.
- The report's content is built from the Plan for Improvement, the monthly reviews and the
  measurements of the period: aggregates only (no pupil-level data exists in these models).
  The team edits the narrative parts (summary, barriers, next steps per strategy).
- Submitting renders the PDF from a frozen copy of the content (a Celery task), stores the PDF
  with its SHA-256, and e-mails it to the recipients the level requires (outbox, retried).
"""

import copy
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.dateparse import parse_date

from meetings.models import Meeting, MeetingStatus, MeetingType
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from schoolplan import audit, clock
from schoolplan.mail import queue_email
from schoolplan.models import CimStatus
from schoolplan.pdf import render_pdf

from .models import (
    ActivityReview,
    Measurement,
    ProgressReport,
    RenderJob,
    RenderJobStatus,
    ReportDue,
    ReportStatus,
)

# The state copy addresses (DOMAIN.md, CIM: where progress reports go).
TARGETED_COPY = "targetedmonitoring@cde.ca.gov"
INTENSIVE_COPY = "intensivemonitoring@cde.ca.gov"
DUE_AFTER_PERIOD = {4: 15, 2: 31}  # default days after a period ends, by reports per year


# --- Due dates ------------------------------------------------------------------------------


def _add_months(day, months):
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def default_periods(district, year):
    """[(number, starts, ends, due)] for the district's year: quarters, halves, or nothing."""
    count = district.progress_reports_per_year
    if not count:
        return []
    length = 12 // count
    periods = []
    for number in range(1, count + 1):
        starts = _add_months(year.starts_on, length * (number - 1))
        ends = _add_months(starts, length) - timedelta(days=1)
        periods.append((number, starts, ends, ends + timedelta(days=DUE_AFTER_PERIOD[count])))
    return periods


@transaction.atomic
def ensure_due_dates(district, year):
    """The year's ReportDue rows, matching the district's status now. Periods that already have
    a report are kept as they are; the others follow the status (and its defaults)."""
    wanted = {number: (s, e, d) for number, s, e, d in default_periods(district, year)}
    existing = {
        due.number: due
        for due in ReportDue.objects.filter(district=district, school_year=year)
        .select_for_update()
        .prefetch_related("reports")
    }
    for number, due in existing.items():
        if due.reports.all():
            continue
        if number not in wanted:
            due.delete()
        elif (due.period_starts, due.period_ends) != wanted[number][:2]:
            due.period_starts, due.period_ends, due.due_on = wanted[number]
            due.save()
    for number, (starts, ends, due_on) in wanted.items():
        if number not in existing:
            ReportDue.objects.create(
                district=district,
                school_year=year,
                number=number,
                period_starts=starts,
                period_ends=ends,
                due_on=due_on,
            )
    return list(ReportDue.objects.filter(district=district, school_year=year).order_by("number"))


def dues_for(district, year):
    """The year's periods as they stand, without writing: saved rows where they match the
    status (or already have reports), the defaults for the rest (unsaved)."""
    existing = {
        due.number: due
        for due in ReportDue.objects.filter(district=district, school_year=year)
        .select_related("district")
        .prefetch_related("reports__signed_off_by")
    }
    dues = []
    for number, starts, ends, due_on in default_periods(district, year):
        due = existing.pop(number, None)
        if due is None or (
            not due.reports.all() and (due.period_starts, due.period_ends) != (starts, ends)
        ):
            due = ReportDue(
                district=district,
                school_year=year,
                number=number,
                period_starts=starts,
                period_ends=ends,
                due_on=due_on,
            )
        dues.append(due)
    # Periods of an earlier status that already have reports stay on record.
    dues += [due for due in existing.values() if due.reports.all()]
    return sorted(dues, key=lambda d: (d.period_starts, d.number))


def move_due_date(due, due_on):
    if due_on < due.period_ends:
        ends = f"{due.period_ends:%-d %b %Y}"
        raise ValidationError(
            {"due_on": f"A report cannot be due before its period ends ({ends})."}
        )
    due.due_on = due_on
    due.save(update_fields=["due_on"])
    return due


@dataclass
class DueState:
    due: ReportDue
    latest: ProgressReport | None
    state: str  # submitted / late / draft / due / overdue / upcoming
    message: str


def due_states(dues, today):
    """Where each period's report stands, from its newest version. A report is on time when it
    is submitted by the end of its due date in the district (DOMAIN.md, Time)."""
    states = []
    for due in dues:
        saved = due.pk is not None
        reports = sorted(due.reports.all(), key=lambda r: r.version, reverse=True) if saved else []
        latest = reports[0] if reports else None
        submitted = [r for r in reports if r.is_submitted]
        first_submission = min((r.submitted_at for r in submitted), default=None)
        if first_submission:
            submitted_on = clock.local_date(first_submission, due.district)
            on_time = submitted_on <= due.due_on
            state = "submitted" if on_time else "late"
            message = f"Submitted {submitted_on:%-d %b %Y}" + (
                "" if on_time else f", after the due date ({due.due_on:%-d %b %Y})"
            )
        elif today > due.due_on:
            state, message = "overdue", f"Overdue since {due.due_on:%-d %b %Y}"
        elif latest is not None:
            state, message = "draft", f"Draft; due {due.due_on:%-d %b %Y}"
        elif today >= due.period_starts:
            state, message = "due", f"Due {due.due_on:%-d %b %Y}"
        else:
            state, message = "upcoming", f"Due {due.due_on:%-d %b %Y}"
        states.append(DueState(due, latest, state, message))
    return states


# --- Routing --------------------------------------------------------------------------------


def routing(district, *, send_to_selpa=False):
    """(what the page says, [(who, address)]) for the district's monitoring level."""
    status = district.cim_status
    consultant = (
        f"CDE FMTA consultant ({district.cde_consultant_name or 'not named'})",
        district.cde_consultant_email,
    )
    selpa = (f"SELPA ({district.selpa_name or 'not named'})", district.selpa_contact_email)
    if status in (CimStatus.INTENSIVE_1, CimStatus.INTENSIVE_2, CimStatus.INTENSIVE_3):
        return (
            "Intensive: the report goes to the CDE FMTA consultant, with a copy to "
            f"{INTENSIVE_COPY}.",
            [consultant, ("CDE intensive monitoring (copy)", INTENSIVE_COPY)],
        )
    if status == CimStatus.TARGETED_3:
        return (
            "Targeted 3: the report goes to the CDE FMTA consultant, with a copy to "
            f"{TARGETED_COPY}.",
            [consultant, ("CDE targeted monitoring (copy)", TARGETED_COPY)],
        )
    if status == CimStatus.TARGETED_2:
        return (
            "Targeted 2: the report goes to the SELPA, with all the template's information.",
            [selpa],
        )
    if status == CimStatus.TARGETED_1:
        if send_to_selpa:
            return ("Targeted 1: the LEA keeps its report, and sends it to the SELPA.", [selpa])
        return (
            "Targeted 1: the LEA keeps its report; the SELPA may require it (you can send it).",
            [],
        )
    return ("No CIM status: no progress report is due.", [])


# --- Content --------------------------------------------------------------------------------


def _text(value):
    return "" if value is None else str(value)


def _review_notes(reviews):
    """The latest review's barriers and next steps per activity (the period's newest word)."""
    notes = {}
    for review in sorted(reviews, key=lambda r: (r.review.starts_at, r.pk)):
        notes[review.activity_id] = review
    return notes


def build_content(report):
    """Everything the report says, as plain data (JSON): frozen into the report on submission.
    Its days are the district's (DOMAIN.md, Time)."""
    with clock.zone(report.due.district):
        return _content(report)


def _content(report):
    due = report.due
    district = due.district
    plan = PlanForImprovement.objects.filter(district=district, school_year=due.school_year).first()
    starts, ends = due.period_starts, due.period_ends
    reviews = Meeting.objects.filter(
        district=district,
        meeting_type=MeetingType.CIM_REVIEW,
        status=MeetingStatus.HELD,
        starts_at__date__gte=starts,
        starts_at__date__lte=ends,
    ).order_by("starts_at")
    review_list = list(reviews)
    activity_reviews = list(
        ActivityReview.objects.filter(review__in=review_list).select_related("review")
    )
    by_activity = _review_notes(activity_reviews)
    strategies = []
    if plan is not None:
        outcomes = Outcome.objects.select_related("metric").prefetch_related(
            Prefetch(
                "metric__measurements",
                Measurement.objects.filter(date__lte=ends).order_by("date", "pk"),
            )
        )
        activities = Activity.objects.select_related("owner").prefetch_related(
            Prefetch("outcomes", outcomes)
        )
        for strategy in plan.strategies.prefetch_related(Prefetch("activities", activities)):
            narrative = report.narratives.get(str(strategy.pk), {})
            items = []
            for activity in strategy.activities.all():
                review = by_activity.get(activity.pk)
                outcome_rows = []
                for outcome in activity.outcomes.all():
                    metric = getattr(outcome, "metric", None)
                    outcome_rows.append(
                        {
                            "description": outcome.description,
                            "metric": _metric_data(metric, starts, ends) if metric else None,
                        }
                    )
                items.append(
                    {
                        "title": activity.title,
                        "owner": activity.owner.display_name if activity.owner else "",
                        "status": (
                            review.get_status_display() if review else activity.get_status_display()
                        ),
                        "reviewed": review.review.local_date.isoformat() if review else "",
                        "outcomes": outcome_rows,
                    }
                )
            strategies.append(
                {
                    "id": strategy.pk,
                    "title": strategy.title,
                    "description": strategy.description,
                    "activities": items,
                    "barriers": narrative.get("barriers", ""),
                    "next_steps": narrative.get("next_steps", ""),
                    "ta_sessions": [
                        {"date": s.date.isoformat(), "provider": s.provider, "topic": s.topic}
                        for s in strategy.ta_sessions.filter(date__gte=starts, date__lte=ends)
                    ]
                    if district.is_intensive
                    else [],
                }
            )
    headline, recipients = routing(district, send_to_selpa=report.send_to_selpa)
    return {
        "lea": {
            "name": district.name,
            "status": district.get_cim_status_display(),
            "intensive": district.is_intensive,
            "selpa": district.selpa_name,
            "consultant": district.cde_consultant_name,
            "time_zone": district.time_zone,
        },
        "period": {
            "label": due.label,
            "year": due.school_year.name,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "due": due.due_on.isoformat(),
        },
        "version": report.version,
        "corrects": report.corrects.version if report.corrects_id else None,
        "prepared_by": report.prepared_by.display_name if report.prepared_by else "",
        "signed_off_by": report.signed_off_by.display_name if report.signed_off_by else "",
        "signed_off_at": clock.local(report.signed_off_at).isoformat()
        if report.signed_off_at
        else "",
        "summary": report.summary,
        "reviews_held": [clock.local_date(m.starts_at).isoformat() for m in review_list],
        "strategies": strategies,
        "routing": headline,
        "recipients": [[who, address] for who, address in recipients],
    }


def _metric_data(metric, starts, ends):
    values = [
        {"date": m.date.isoformat(), "value": str(m.value)} for m in metric.measurements.all()
    ]
    in_period = [v for v in values if v["date"] >= starts.isoformat()]
    return {
        "name": metric.name,
        "unit": metric.unit,
        "baseline": str(metric.baseline),
        "baseline_date": metric.baseline_date.isoformat() if metric.baseline_date else "",
        "target": str(metric.target),
        "target_date": metric.target_date.isoformat(),
        "direction": metric.direction,
        "values": values,
        "in_period": in_period,
    }


def strategy_ids(report):
    """The High-Leverage Strategies the report speaks of (its narrative is kept per strategy):
    one query, not the whole report's content."""
    return list(
        Strategy.objects.filter(
            plan__district=report.due.district_id, plan__school_year=report.due.school_year_id
        ).values_list("pk", flat=True)
    )


def prefill(report):
    """The narrative parts, from the period's reviews: barriers and next steps per strategy."""
    due = report.due
    with clock.zone(due.district):  # the period's days are the district's
        return _prefill(report, due)


def _prefill(report, due):
    reviews = ActivityReview.objects.filter(
        review__district=due.district,
        review__status=MeetingStatus.HELD,
        review__starts_at__date__gte=due.period_starts,
        review__starts_at__date__lte=due.period_ends,
    ).select_related("review", "activity")
    latest = _review_notes(list(reviews))
    narratives = {}
    for strategy_id in strategy_ids(report):
        parts = [r for r in latest.values() if r.activity.strategy_id == strategy_id]
        narratives[str(strategy_id)] = {
            "barriers": "\n".join(f"{r.activity.title}: {r.barriers}" for r in parts if r.barriers),
            "next_steps": "\n".join(
                f"{r.activity.title}: {r.next_steps}" for r in parts if r.next_steps
            ),
        }
    return narratives


# --- Drafts, versions, sign-off ---------------------------------------------------------------


@transaction.atomic
def start_report(due, *, user):
    """Version 1 of the period's report, or a correction of its newest submitted version."""
    newest = due.reports.order_by("-version").first()
    if newest is not None and not newest.is_submitted:
        return newest
    version = (due.reports.aggregate(top=Max("version"))["top"] or 0) + 1
    report = ProgressReport(due=due, version=version, corrects=newest, prepared_by=user)
    if newest is not None:  # a correction starts from what was submitted
        report.summary, report.narratives = newest.summary, newest.narratives
        report.send_to_selpa = newest.send_to_selpa
    else:
        report.narratives = prefill(report)
    report.save()
    return report


def save_narrative(report, *, summary, narratives, send_to_selpa):
    if report.is_submitted:
        raise ValidationError("The report is submitted: start a correction to change it.")
    report.summary = summary.strip()
    report.narratives = narratives
    report.send_to_selpa = send_to_selpa
    # Any change after the lead's sign-off needs their sign-off again.
    report.signed_off_by = report.signed_off_at = None
    report.save()
    return report


def sign_off(report, *, user):
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    report.signed_off_by, report.signed_off_at = user, clock.now()
    report.save(update_fields=["signed_off_by", "signed_off_at"])
    return report


# --- Rendering and submission ----------------------------------------------------------------


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
    from .charts import trend_svg

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
            variant="pdf/ua-1",
        )


@transaction.atomic
def request_render(report, *, user, submit=False):
    """Queue a preview, or the submission, of the report; returns the job (done when eager)."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_submitted:
        raise ValidationError("The report is already submitted.")
    if submit:
        if report.signed_off_by_id is None:
            raise ValidationError("The CIM lead signs the report off before it is submitted.")
        if report.jobs.filter(submit=True, status__in=("waiting", "rendering")).exists():
            raise ValidationError("The report is being submitted already.")
    job = RenderJob.objects.create(
        report=report, submit=submit, content=build_content(report), requested_by=user
    )
    from .tasks import render_report

    transaction.on_commit(lambda: render_report.delay(job.pk))
    return job


def run_job(job_id):
    """The task's work: render the job's PDF; for a submission, freeze the report and send it."""
    with transaction.atomic():
        job = RenderJob.objects.select_for_update().get(pk=job_id)
        if job.status != RenderJobStatus.WAITING:
            return job  # a retry or a second delivery of the task: already done
        job.status = RenderJobStatus.RENDERING
        job.save(update_fields=["status"])
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
    content = job.content
    name = f"cim-progress-report-{content['period']['year']}-{content['period']['label']}"
    name = name.lower().replace(" ", "-") + f"-v{report.version}.pdf"
    queue_email(
        f"progress-report:{report.pk}",
        [address for _, address in report.recipients],
        f"CIM progress report: {content['lea']['name']}, {content['period']['label']} "
        f"{content['period']['year']}"
        + (f" (version {report.version})" if report.version > 1 else ""),
        f"Please find attached the CIM progress report of {content['lea']['name']} for "
        f"{content['period']['label']} {content['period']['year']} "
        f"({content['period']['starts']} to {content['period']['ends']}).\n\n"
        + (
            f"It corrects version {content['corrects']} submitted earlier.\n\n"
            if content["corrects"]
            else ""
        )
        + f"Prepared by {content['prepared_by'] or '—'}; signed off by "
        f"{content['signed_off_by'] or '—'}.\nSHA-256 of the PDF: {report.pdf_sha256}\n",
        attachment=(name, pdf, "application/pdf"),
    )
    return report
