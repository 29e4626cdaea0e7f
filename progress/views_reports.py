"""CIM progress reports: the district's periods, one report's page, its PDF and its rendering."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import cim_levels, clock, uploads
from schoolplan.forms import posted_int, posted_year
from schoolplan.models import CimStatus, District, SchoolYear
from schoolplan.permissions import (
    EDIT_CIM_PLAN,
    LEAD_CIM,
    MANAGE_DISTRICT,
    VIEW_DISTRICT,
    can,
    get_visible_or_404,
    require,
)

from . import report_drafts
from .measurements import parse_date
from .models import ProgressReport, RenderJob, RenderJobStatus
from .reports import content as report_content
from .reports import periods as report_periods
from .reports import render as report_render
from .reports import routing as report_routes
from .reports import workflow as report_workflow


def _district_and_year(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)
    years = SchoolYear.objects.filter(district=district).order_by("-start_year")
    year = SchoolYear.objects.chosen_or_current(
        district.pk,
        posted_year(request.GET) or posted_year(request.POST),
        clock.today(district),
    )
    if year is None:
        raise Http404("No school year is set up.")
    return district, year, years


def reports_home(request, pk):
    district, year, years = _district_and_year(request, pk)
    headline, recipients = report_routes.routing(district)
    # The periods follow the level in force; the page says what it was and what changed when.
    spans = cim_levels.levels_of(district, year)
    return render(
        request,
        "progress/reports_home.html",
        {
            "district": district,
            "year": year,
            "years": years,
            "states": report_periods.due_states(
                report_periods.dues_for(district, year), clock.today(district)
            ),
            "routing": headline,
            "recipients": recipients,
            "level_summary": cim_levels.summary(spans),
            "level_changed": len(spans) > 1,
            "can_start": can(request.user, EDIT_CIM_PLAN, district),
            "can_move": can(request.user, MANAGE_DISTRICT, district),
        },
    )


@require_POST
def report_start(request, pk, number):
    district, year, _ = _district_and_year(request, pk)
    require(request.user, EDIT_CIM_PLAN, district)
    due = next(
        (d for d in report_periods.ensure_due_dates(district, year) if d.number == number), None
    )
    if due is None:
        raise Http404("No such reporting period.")
    report = report_workflow.start_report(due, user=request.user)
    return redirect(report)


@require_POST
def due_dates_edit(request, pk):
    district, year, _ = _district_and_year(request, pk)
    require(request.user, MANAGE_DISTRICT, district)
    problems = []
    # All the dates or none: a refused date undoes the others (transaction rolled back).
    with transaction.atomic():
        for due in report_periods.ensure_due_dates(district, year):
            value = request.POST.get(f"due-{due.number}", "").strip()
            try:
                day = parse_date(value) if value else None
            except ValueError as error:
                problems.append(f"{due.label}: {error}.")
                continue
            if day and day != due.due_on:
                try:
                    report_periods.move_due_date(due, day)
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
    clock.activate(report.due.district)  # its dates and times are the district's
    if request.method == "GET":
        return _report_page(request, report)
    action = request.POST.get("action")
    if action == "correct":
        require(request.user, EDIT_CIM_PLAN, report)
        correction = report_workflow.start_report(report.due, user=request.user)
        messages.success(request, f"Version {correction.version} started.")
        return redirect(correction)
    require(request.user, EDIT_CIM_PLAN, report)
    if action in ("sign_off", "submit"):
        require(request.user, LEAD_CIM, report)
    ids = report_content.strategy_ids(report)
    typed = request.POST.get("narrative") == "1"
    posted, bases, edit_version = ({}, {}, None)
    if typed:
        posted, bases, edit_version = report_drafts.read_post(request.POST, ids)
    try:
        draft = _save_draft(request, report, ids, posted, bases, edit_version, typed)
    except report_drafts.ReportSubmitted as submitted:
        return _report_page(request, submitted.report, unsaved=(posted, bases))
    except ValidationError as error:
        return _report_page(
            request, report, kept=(posted, bases, edit_version), errors=error.message_dict
        )
    if draft is not None:
        report = draft.report
        if draft.conflicts:  # refused for those parts only; the rest is saved
            return _report_page(request, report, draft=draft)
    return _after_save(request, report, action, draft, edit_version)


def _save_draft(request, report, ids, posted, bases, edit_version, typed):
    """Save what the page's form sent (the SELPA form with it); None when it sent no draft."""
    upload = request.FILES.get("selpa_form")
    if not typed and upload is None:
        return None
    if report.is_submitted:
        raise report_drafts.ReportSubmitted(report)
    selpa_form = report_drafts.check_selpa_form(report, upload) if upload else None
    return report_drafts.save_draft(
        report,
        user=request.user,
        posted=posted,
        bases=bases,
        edit_version=edit_version,
        strategy_ids=ids,
        selpa_form=selpa_form,
    )


def _after_save(request, report, action, draft, edit_version):
    """The button's own work, once the draft is saved."""
    try:
        if action == "sign_off":
            # The lead signs off what their page showed, with their own changes.
            mine = 1 if draft is not None and draft.saved else 0
            seen = None if edit_version is None else edit_version + mine
            report_workflow.sign_off(report, user=request.user, edit_version=seen)
            messages.success(request, "Signed off: the report can be submitted.")
        elif action == "preview":
            job = report_render.request_render(report, user=request.user)
            return redirect(f"{report.get_absolute_url()}?job={job.pk}")
        elif action == "submit":
            return _prepare_submission(request, report)
        elif action == "remove_selpa_form":
            report_drafts.remove_selpa_form(report, user=request.user)
            messages.success(request, "The SELPA form is removed: our PDF is sent instead.")
        elif draft is not None and draft.saved:
            withdrawn = " The lead signs off again before submitting." * draft.sign_off_withdrawn
            messages.success(request, f"Saved.{withdrawn}")
        else:
            messages.info(request, "Nothing to save: the report is as you left it.")
    except report_drafts.ReportSubmitted:
        messages.error(request, "The report is submitted: nothing was changed.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(report)


def _prepare_submission(request, report):
    """Render the report for the lead to confirm; what blocks it is listed on the page."""
    confirm_url = reverse("report_confirm", args=[report.pk])
    if report_workflow.submission_problems(report, clock.today(report.due.district)):
        return redirect(confirm_url)
    job = report_render.request_render(report, user=request.user, confirm=True)
    return redirect(f"{confirm_url}?job={job.pk}")


def _report_page(request, report, *, draft=None, kept=None, errors=None, unsaved=None):
    """The report's page: its draft (with what a refused save typed, kept), or the frozen one."""
    due = report.due
    district = due.district
    submitted = report.is_submitted
    content = report.content if submitted else report_content.build_content(report)
    numbers = {s["id"]: n for n, s in enumerate(content["strategies"], 1)}
    can_edit = can(request.user, EDIT_CIM_PLAN, report) and not submitted
    boxes, strategies = {}, content["strategies"]
    if can_edit:
        kept_parts = kept[:2] if kept else None
        boxes = report_drafts.boxes(report, numbers, draft=draft, kept=kept_parts)
        strategies = [
            {**s, "boxes": [boxes[f"barriers-{s['id']}"], boxes[f"next_steps-{s['id']}"]]}
            for s in strategies
        ]
    edit_version = kept[2] if kept and kept[2] is not None else report.edit_version
    typed = {}
    if unsaved is not None:  # what the late save changed on its page that the report lacks
        posted, bases = unsaved
        frozen = report_drafts.parts(report, numbers)
        typed = {
            key: value
            for key, value in posted.items()
            if isinstance(value, str)
            and value != frozen.get(key)
            and report_drafts.token(value) != bases.get(key)
        }
    job = None
    job_pk = posted_int(request.GET.get("job"))
    if job_pk is not None:
        job = RenderJob.objects.filter(pk=job_pk, report=report).first()
    headline, recipients = report_routes.routing(
        district, send_to_selpa=report.send_to_selpa, due=due
    )
    today = clock.today(district)
    return render(
        request,
        "progress/report_detail.html",
        {
            "report": report,
            "district": district,
            "content": content,
            "strategies": strategies,
            "boxes": boxes,
            "edit_version": edit_version,
            "draft": draft,
            "conflicts": [boxes[key] for key in draft.conflicts] if draft else [],
            "saved_parts": [
                report_drafts.part_label(key, numbers) for key in (draft.saved if draft else [])
            ],
            "errors": errors or {},
            "unsaved": [
                (report_drafts.part_label(key, numbers), value) for key, value in typed.items()
            ],
            "unsaved_refused": unsaved is not None,
            "routing": content.get("routing", headline) if submitted else headline,
            "recipients": report.recipients if submitted else recipients,
            "versions": due.reports.select_related("submitted_by").order_by("-version"),
            "job": job,
            "can_edit": can_edit,
            "can_lead": can(request.user, LEAD_CIM, report),
            "may_correct": submitted
            and can(request.user, EDIT_CIM_PLAN, report)
            and report == due.reports.order_by("-version").first(),
            "targeted_1": report_periods.level_in_force(due) == CimStatus.TARGETED_1,
            "takes_selpa_form": report_drafts.takes_selpa_form(report),
            "selpa_form_types": ", ".join(report_drafts.SELPA_FORM_TYPES),
            "selpa_form_max": report_drafts.SELPA_FORM_MAX_BYTES,
            "period_ended": today > due.period_ends,
            "may_allow_early": not submitted
            and today <= due.period_ends
            and due.early_submission_allowed_at is None
            and can(request.user, MANAGE_DISTRICT, report),
            # The key the deadline rule gives this period's reminders (progress.deadlines).
            "report_subject": f"report-due:{district.pk}:{due.school_year.start_year}:{due.number}",
        },
    )


@require_http_methods(["GET", "POST"])
def report_confirm(request, pk):
    """The lead's last look before submitting: recipients, who answers, what is attached and
    the hash the PDF will have. GET shows; POST renders it (prepare) or submits it."""
    report = _report(request, pk)
    require(request.user, LEAD_CIM, report)
    district = report.due.district
    clock.activate(district)
    error = None
    job_pk = posted_int(request.POST.get("job") or request.GET.get("job"))
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "prepare":
                job = report_render.request_render(report, user=request.user, confirm=True)
                return redirect(f"{request.path}?job={job.pk}")
            if action == "submit":
                report_render.submit_confirmed(report, job_id=job_pk, user=request.user)
                messages.success(request, "Submitted: the report is frozen and on its way.")
                return redirect(report)
            return redirect(request.path)
        except ValidationError as refused:
            error = refused
        report = _report(request, pk)
    job = None
    if job_pk is not None:
        job = report.jobs.filter(pk=job_pk, for_confirmation=True).first()
    facts = report_render.confirmation(report, job, clock.today(district))
    return render(
        request,
        "progress/report_confirm.html",
        {
            "report": report,
            "district": district,
            "facts": facts,
            "job": job,
            "error": error,
            "content_changed": isinstance(error, report_render.ContentChanged) or facts.changed,
            "from_email": settings.DEFAULT_FROM_EMAIL,
        },
    )


@require_POST
def report_allow_early(request, pk):
    """District staff let this period's report be submitted before the period ends."""
    report = _report(request, pk)
    require(request.user, MANAGE_DISTRICT, report)
    due = report_workflow.allow_early_submission(report.due, user=request.user)
    messages.success(
        request,
        f"{due.label} may now be submitted before it ends on {due.period_ends:%-d %b %Y}.",
    )
    return redirect(report)


def report_selpa_form(request, pk):
    """The SELPA's own form the team attached (Targeted 2), as it was uploaded."""
    report = _report(request, pk)
    if not report.selpa_form_name:
        raise Http404("No SELPA form is attached to this report.")
    return uploads.download(report.selpa_form, filename=report.selpa_form_name)


def render_job(request, pk):
    """The job's progress, for the page to poll (htmx) while the PDF renders."""
    job = get_object_or_404(RenderJob.objects.select_related("report"), pk=pk)
    report = _report(request, job.report_id)
    if job.status == RenderJobStatus.DONE and request.htmx:
        if job.submit:
            target = report.get_absolute_url()
        elif job.for_confirmation:
            target = f"{reverse('report_confirm', args=[report.pk])}?job={job.pk}"
        else:
            target = None
        if target:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
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
