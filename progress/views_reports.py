"""CIM progress reports: the district's periods, one report's page, its PDF and its rendering."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import clock
from schoolplan.forms import posted_int, posted_text
from schoolplan.models import District, SchoolYear
from schoolplan.permissions import (
    EDIT_CIM_PLAN,
    LEAD_CIM,
    MANAGE_DISTRICT,
    VIEW_DISTRICT,
    can,
    get_visible_or_404,
    require,
)

from . import reports
from .measurements import parse_date
from .models import ProgressReport, RenderJob, RenderJobStatus


def _district_and_year(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)
    years = SchoolYear.objects.filter(district=district).order_by("-start_year")
    year = SchoolYear.objects.chosen_or_current(
        district.pk, request.GET.get("year") or request.POST.get("year"), clock.today(district)
    )
    if year is None:
        raise Http404("No school year is set up.")
    return district, year, years


def reports_home(request, pk):
    district, year, years = _district_and_year(request, pk)
    headline, recipients = reports.routing(district)
    return render(
        request,
        "progress/reports_home.html",
        {
            "district": district,
            "year": year,
            "years": years,
            "states": reports.due_states(reports.dues_for(district, year), clock.today(district)),
            "routing": headline,
            "recipients": recipients,
            "can_start": can(request.user, EDIT_CIM_PLAN, district),
            "can_move": can(request.user, MANAGE_DISTRICT, district),
        },
    )


@require_POST
def report_start(request, pk, number):
    district, year, _ = _district_and_year(request, pk)
    require(request.user, EDIT_CIM_PLAN, district)
    due = next((d for d in reports.ensure_due_dates(district, year) if d.number == number), None)
    if due is None:
        raise Http404("No such reporting period.")
    report = reports.start_report(due, user=request.user)
    return redirect(report)


@require_POST
def due_dates_edit(request, pk):
    district, year, _ = _district_and_year(request, pk)
    require(request.user, MANAGE_DISTRICT, district)
    problems = []
    # All the dates or none: a refused date undoes the others (transaction rolled back).
    with transaction.atomic():
        for due in reports.ensure_due_dates(district, year):
            value = request.POST.get(f"due-{due.number}", "").strip()
            try:
                day = parse_date(value) if value else None
            except ValueError as error:
                problems.append(f"{due.label}: {error}.")
                continue
            if day and day != due.due_on:
                try:
                    reports.move_due_date(due, day)
                except ValidationError as error:
                    problems.append(f"{due.label}: {' '.join(error.messages)}")
        if problems:
            transaction.set_rollback(True)
    if problems:
        messages.error(request, "No date was saved. " + " ".join(problems))
    else:
        messages.success(request, "Due dates saved.")
    return redirect(f"{request.path.rsplit('due-dates/', 1)[0]}?year={year.start_year}")


def _report(request, pk):
    return get_visible_or_404(
        ProgressReport.objects.select_related(
            "due__district", "due__school_year", "corrects", "prepared_by", "signed_off_by"
        ),
        request.user,
        VIEW_DISTRICT,
        pk=pk,
    )


@require_http_methods(["GET", "POST"])
def report_detail(request, pk):
    report = _report(request, pk)
    district = report.due.district
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "correct":
                require(request.user, EDIT_CIM_PLAN, report)
                correction = reports.start_report(report.due, user=request.user)
                messages.success(request, f"Version {correction.version} started.")
                return redirect(correction)
            if action in ("save", "preview", "submit"):
                require(request.user, EDIT_CIM_PLAN, report)
                if not report.is_submitted:
                    _save_narrative(request, report)
            if action == "sign_off":
                require(request.user, LEAD_CIM, report)
                reports.sign_off(report, user=request.user)
                messages.success(request, "Signed off: the report can be submitted.")
            elif action in ("preview", "submit"):
                if action == "submit":
                    require(request.user, LEAD_CIM, report)
                job = reports.request_render(report, user=request.user, submit=action == "submit")
                return redirect(f"{report.get_absolute_url()}?job={job.pk}")
            elif action == "save":
                messages.success(request, "Saved. The lead signs off again before submitting.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(report)
    content = reports.build_content(report) if not report.is_submitted else report.content
    job = None
    job_pk = posted_int(request.GET.get("job"))
    if job_pk is not None:
        job = RenderJob.objects.filter(pk=job_pk, report=report).first()
    headline, recipients = reports.routing(district, send_to_selpa=report.send_to_selpa)
    return render(
        request,
        "progress/report_detail.html",
        {
            "report": report,
            "district": district,
            "content": content,
            "routing": report.content.get("routing", headline) if report.is_submitted else headline,
            "recipients": report.recipients if report.is_submitted else recipients,
            "versions": report.due.reports.select_related("submitted_by").order_by("-version"),
            "job": job,
            "can_edit": can(request.user, EDIT_CIM_PLAN, report) and not report.is_submitted,
            "can_lead": can(request.user, LEAD_CIM, report),
            "may_correct": report.is_submitted
            and can(request.user, EDIT_CIM_PLAN, report)
            and report == report.due.reports.order_by("-version").first(),
            "targeted_1": district.cim_status == "targeted_1",
            # The key the deadline rule gives this period's reminders (progress.deadlines).
            "report_subject": f"report-due:{district.pk}:{report.due.school_year.start_year}:"
            f"{report.due.number}",
        },
    )


def _save_narrative(request, report):
    """Save what the page's form sent; a field it did not send keeps its value."""
    if request.POST.get("narrative") != "1":
        return
    narratives = {}
    for strategy_id in reports.strategy_ids(report):
        key = str(strategy_id)
        kept = report.narratives.get(key, {})
        narratives[key] = {
            part: posted_text(request.POST.get(f"{part}-{key}", kept.get(part, ""))).strip()
            for part in ("barriers", "next_steps")
        }
    summary = posted_text(request.POST.get("summary", report.summary)).strip()
    send_to_selpa = request.POST.get("send_to_selpa") == "on"
    if (narratives, summary, send_to_selpa) != (
        report.narratives,
        report.summary,
        report.send_to_selpa,
    ):
        reports.save_narrative(
            report, summary=summary, narratives=narratives, send_to_selpa=send_to_selpa
        )


def render_job(request, pk):
    """The job's progress, for the page to poll (htmx) while the PDF renders."""
    job = get_object_or_404(RenderJob.objects.select_related("report"), pk=pk)
    report = _report(request, job.report_id)
    if job.status == RenderJobStatus.DONE and job.submit and request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = report.get_absolute_url()
        return response
    return render(request, "progress/_render_job.html", {"job": job, "report": report})


def render_job_pdf(request, pk):
    job = get_object_or_404(RenderJob, pk=pk, status=RenderJobStatus.DONE)
    report = _report(request, job.report_id)
    response = HttpResponse(bytes(job.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="preview-{report.pk}-{job.pk}.pdf"'
    return response


def report_pdf(request, pk):
    report = _report(request, pk)
    if not report.is_submitted:
        raise Http404("Only a submitted report has a final PDF; preview this one.")
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="cim-progress-report-{report.pk}-v{report.version}.pdf"'
    )
    return response
