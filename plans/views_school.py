"""A school's plans: the ESSA action plan and its workflow, the Blueprint, and exports."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meetings.models import Goal, GoalArea, RegistrationStatus, SamiItem, WorkshopRegistration
from schoolplan import clock
from schoolplan.forms import Posted, posted_year
from schoolplan.models import School, SchoolYear
from schoolplan.pdf_jobs import request_pdf
from schoolplan.permissions import (
    EDIT_SCHOOL_PLAN,
    REVIEW_SCHOOL_PLAN,
    SUBMIT_SCHOOL_PLAN,
    VIEW_SCHOOL,
    can,
    get_visible_or_404,
    require,
)

from . import export, workflow
from .documents import BLUEPRINT, ESSA
from .models import Blueprint, EssaPlan, EssaPlanStatus, RootCause


def school_and_year(request, school_pk, ability=VIEW_SCHOOL):
    """The school (404 outside the user's scope) and the year asked for, else the current one."""
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, ability, pk=school_pk
    )
    years = SchoolYear.objects.filter(district_id=school.district_id).order_by("-start_year")
    year = SchoolYear.objects.chosen_or_current(
        school.district_id,
        posted_year(request.GET) or posted_year(request.POST),
        clock.today(school),
    )
    return school, year, years


def document_for_school(request, school_pk, *, document, start, may_start, template, started):
    """A school's plan document of the year (redirect), or the page that starts it (POST)."""
    model = document.model
    school, year, years = school_and_year(request, school_pk, document.view)
    existing = model.objects.filter(school=school, school_year=year).first() if year else None
    if existing is not None:
        return redirect(existing)
    if request.method == "POST":
        require(request.user, may_start, school)
        if year is None:
            raise Http404("No school year is set up.")
        messages.success(request, started)
        return redirect(start(school=school, year=year, user=request.user))
    return render(
        request,
        template,
        {
            "school": school,
            "year": year,
            "document_label": document.label,
            "others": model.objects.filter(school=school).select_related("school_year"),
            "can_start": can(request.user, may_start, school),
        },
    )


@require_http_methods(["GET", "POST"])
def essa_plan_for_school(request, school_pk):
    return document_for_school(
        request,
        school_pk,
        document=ESSA,
        start=workflow.start_essa_plan,
        may_start=EDIT_SCHOOL_PLAN,
        template="plans/essa_start.html",
        started="ESSA action plan started.",
    )


def _plan(request, pk):
    return get_visible_or_404(
        EssaPlan.objects.select_related("school__district", "school_year", "submitted_by"),
        request.user,
        VIEW_SCHOOL,
        pk=pk,
    )


def essa_plan(request, pk):
    return _essa_page(request, _plan(request, pk))


def _essa_page(request, plan, decision=None):
    """The plan's page; after a refused decision, the comment as typed and the reason."""
    problems = plan.problems.prefetch_related(
        Prefetch(
            "root_causes",
            RootCause.objects.order_by("pk").prefetch_related(
                Prefetch("sami_items", SamiItem.objects.select_related("sami"))
            ),
        )
    )
    can_edit = can(request.user, EDIT_SCHOOL_PLAN, plan) and plan.is_editable
    return render(
        request,
        "plans/essa_plan.html",
        {
            "plan": plan,
            "problems": problems,
            "focus_areas": plan.focus_areas.all(),
            "steps": plan.action_steps.select_related("focus_area"),
            "metrics": plan.metrics.prefetch_related("measurements"),
            "monitoring": plan.monitoring.all(),
            "events": plan.events.select_related("by"),
            "missing": workflow.missing_for_submission(plan) if plan.is_editable else [],
            "can_edit": can_edit,
            "can_measure": can(request.user, EDIT_SCHOOL_PLAN, plan),
            "can_submit": can(request.user, SUBMIT_SCHOOL_PLAN, plan) and plan.is_editable,
            "can_review": can(request.user, REVIEW_SCHOOL_PLAN, plan)
            and plan.status == EssaPlanStatus.SUBMITTED,
            "would_be_late": workflow.is_late(plan),
            # seed 002: the workshop's problem solving feeds the plan.
            "workshops": WorkshopRegistration.objects.filter(school=plan.school)
            .exclude(status=RegistrationStatus.CANCELLED)
            .select_related("series", "session__meeting"),
            "today": clock.today(plan.school),
            "decision": decision or Posted(names=DECISION_BOXES),
        },
    )


@require_POST
def essa_submit(request, pk):
    plan = _plan(request, pk)
    require(request.user, SUBMIT_SCHOOL_PLAN, plan)
    try:
        plan = workflow.submit(plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if plan.submitted_late:
            messages.warning(
                request,
                f"Submitted after the due date ({plan.due_on:%-d %B %Y}): it is recorded as late.",
            )
        else:
            messages.success(request, "Submitted to the district.")
    return redirect(plan)


DECISION_BOXES = ("decision", "comment")


@require_POST
def essa_decide(request, pk):
    plan = _plan(request, pk)
    require(request.user, REVIEW_SCHOOL_PLAN, plan)
    decision = Posted(request.POST, DECISION_BOXES)
    comment = decision["comment"].value
    try:
        if decision["decision"].value == "return":
            workflow.return_for_changes(plan, user=request.user, comment=comment)
            messages.success(request, "Returned to the school with your comment.")
        elif decision["decision"].value == "accept":
            workflow.accept(plan, user=request.user, comment=comment)
            messages.success(request, "Plan accepted.")
        else:
            raise ValidationError("Choose to accept the plan or return it.")
    except ValidationError as error:
        decision.refuse(error)
        plan.refresh_from_db()
        return _essa_page(request, plan, decision)
    return redirect(plan)


def essa_export(request, pk, fmt):
    plan = _plan(request, pk)
    if fmt == "pdf":  # made in the worker now: ask for it on the plan's page (a POST)
        return redirect(plan)
    plan = export.load(plan.pk)
    response = HttpResponse(export.essa_csv(plan), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.file_name(plan)}.csv"'
    return response


@require_POST
def essa_pdf(request, pk):
    """Ask the worker for the plan's PDF; its page shows the progress, then the download.
    Whether the user may see the plan is request_pdf's check (export.visible_plan): 404 if not."""
    return redirect(request_pdf("essa-plan", {"plan": pk}, user=request.user))


@require_http_methods(["GET", "POST"])
def blueprint_for_school(request, school_pk):
    return document_for_school(
        request,
        school_pk,
        document=BLUEPRINT,
        start=workflow.start_blueprint,
        may_start=EDIT_SCHOOL_PLAN,
        template="plans/blueprint_start.html",
        started="Blueprint started.",
    )


def blueprint_sections(blueprint):
    """Goals, initiatives and leading measures grouped by the Blueprint's areas."""
    goals = list(
        Goal.objects.filter(school=blueprint.school, school_year=blueprint.school_year)
        .select_related("set_at")
        .prefetch_related("metrics__measurements")
    )
    initiatives = list(blueprint.initiatives.prefetch_related("metrics__measurements"))
    measures = list(blueprint.measures.prefetch_related("measurements"))
    return [
        {
            "area": area,
            "goals": [g for g in goals if g.area == area.value],
            "initiatives": [i for i in initiatives if i.area == area.value],
            "measures": [m for m in measures if m.area == area.value],
        }
        for area in GoalArea
    ]


def blueprint_view(request, pk):
    blueprint = get_visible_or_404(
        Blueprint.objects.select_related("school__district", "school_year", "published_by"),
        request.user,
        VIEW_SCHOOL,
        pk=pk,
    )
    return render(
        request,
        "plans/blueprint.html",
        {
            "blueprint": blueprint,
            "sections": blueprint_sections(blueprint),
            "can_edit": can(request.user, EDIT_SCHOOL_PLAN, blueprint),
            "can_publish": can(request.user, SUBMIT_SCHOOL_PLAN, blueprint),
        },
    )


@require_POST
def blueprint_publish(request, pk):
    blueprint = get_visible_or_404(Blueprint.objects.all(), request.user, VIEW_SCHOOL, pk=pk)
    require(request.user, SUBMIT_SCHOOL_PLAN, blueprint)
    try:
        if request.POST.get("publish") == "0":
            workflow.unpublish_blueprint(blueprint, user=request.user)
            messages.success(request, "Unpublished: families no longer see the Blueprint.")
        else:
            workflow.publish_blueprint(blueprint, user=request.user)
            messages.success(request, "Published on the school's family page.")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(blueprint)
