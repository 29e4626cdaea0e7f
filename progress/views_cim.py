from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from meetings import cim_reviews
from meetings.models import Meeting, MeetingType
from meetings.services import NeedsConfirmation
from plans import carry_over as plan_carry_over
from plans.carry_over import last_years_plan
from plans.models import Outcome, PlanForImprovement
from schoolplan import cim_levels, clock
from schoolplan.forms import posted_int, posted_text, show_errors
from schoolplan.models import CimTeam, District, SchoolYear
from schoolplan.permissions import (
    COMMENT_CIM,
    EDIT_CIM_PLAN,
    LEAD_CIM,
    MANAGE_DISTRICT,
    VIEW_DISTRICT,
    can,
    get_visible_or_404,
    require,
)

from . import services
from .forms import CimTeamForm, MetricForm, ReviewScheduleForm


def _district(request, pk):
    return get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT, pk=pk)


def _year(district, request):
    years = SchoolYear.objects.filter(district=district)
    chosen = posted_int(request.GET.get("year"), maximum=9999)
    if chosen is not None:
        return years.filter(start_year=chosen).first()
    return SchoolYear.objects.of_district_on(district, clock.today(district))


def cim_home(request, pk):
    """The CIM team's page: the team, the monthly compliance strip, reviews, the plan."""
    district = _district(request, pk)
    year = _year(district, request)
    today = clock.today(district)
    context = {
        "district": district,
        "year": year,
        "can_edit": can(request.user, EDIT_CIM_PLAN, district),
        "can_lead": can(request.user, LEAD_CIM, district),
        "can_set_team": can(request.user, LEAD_CIM, district)
        or can(request.user, MANAGE_DISTRICT, district),
    }
    if year is not None:
        reviews = Meeting.objects.filter(
            district=district, meeting_type=MeetingType.CIM_REVIEW, school_year=year
        ).order_by("-starts_at")
        spans = cim_levels.levels_of(district, year)
        context.update(
            {
                "months": cim_reviews.monthly_compliance(district, year, today),
                "team": cim_reviews.team_for(district, year),
                "reviews": reviews,
                "plan": PlanForImprovement.objects.filter(
                    district=district, school_year=year
                ).first(),
                "last_plan": last_years_plan(district, year),
                "schedule_form": ReviewScheduleForm(),
                # The level over the year and what changed when (schoolplan/cim_levels.py).
                "level_summary": cim_levels.summary(spans),
                "in_cim": any(span.reports_per_year for span in spans),
                "can_set_level": can(request.user, MANAGE_DISTRICT, district),
            }
        )
    return render(request, "progress/cim_home.html", context)


@require_http_methods(["GET", "POST"])
def team_edit(request, pk):
    """District staff or the lead record the year's CIM team (seed 001)."""
    district = _district(request, pk)
    if not (can(request.user, LEAD_CIM, district) or can(request.user, MANAGE_DISTRICT, district)):
        raise PermissionDenied("The district's staff or the CIM lead record the team.")
    year = _year(district, request)
    if year is None:
        raise Http404("No school year.")
    team = cim_reviews.team_for(district, year) or CimTeam(district=district, school_year=year)
    form = CimTeamForm(request.POST or None, instance=team, district=district)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
        messages.success(request, f"The CIM team for {year.name} is saved.")
        return redirect("cim_home", pk=district.pk)
    return render(
        request, "progress/team_form.html", {"district": district, "year": year, "form": form}
    )


@require_POST
def plan_start(request, pk):
    district = _district(request, pk)
    require(request.user, EDIT_CIM_PLAN, district)
    year = _year(district, request)
    if year is None:
        raise Http404("No school year.")
    # seed 001: a new year's plan may start from last year's (plans.carry_over), or empty.
    from_last_year = request.POST.get("start") == "last_year"
    try:
        plan = plan_carry_over.start_plan(
            district=district, year=year, user=request.user, from_last_year=from_last_year
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        started = PlanForImprovement.objects.filter(district=district, school_year=year).first()
        home = reverse("cim_home", args=[district.pk])
        return redirect(started or f"{home}?year={year.start_year}")
    if from_last_year:
        messages.success(
            request,
            f"The {year.name} plan starts from last year's: its analysis, strategies, activities, "
            "outcomes and metrics are carried over (see the history). Activities start again as "
            "not started.",
        )
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def review_schedule(request, pk):
    district = _district(request, pk)
    require(request.user, LEAD_CIM, district)
    clock.activate(district)  # the times typed are the district's wall clock
    form = ReviewScheduleForm(request.POST or None, host=district)
    if request.method == "POST" and form.is_valid():
        try:
            review = cim_reviews.schedule_review(
                user=request.user,
                district=district,
                **form.when_and_where,
                confirm_late=form.cleaned_data["confirm_late"],
            )
        except NeedsConfirmation as error:
            form.ask_for_confirmation(error.messages[0])
        except ValidationError as error:
            show_errors(form, error)
        else:
            if review.recorded_late_at:
                messages.warning(
                    request,
                    f"{review.title} is recorded late: record its minutes and who attended "
                    "to count it held. The district's staff have been told.",
                )
            else:
                messages.success(request, f"{review.title} is scheduled and the team invited.")
            return redirect("review_record", pk=review.pk)
    year = SchoolYear.objects.of_district_on(district, clock.today(district))
    invited = cim_reviews.invitees(cim_reviews.team_for(district, year)) if year else []
    return render(
        request,
        "progress/review_schedule.html",
        {"district": district, "form": form, "invited": invited},
    )


@require_http_methods(["GET", "POST"])
def metric_edit(request, pk):
    outcome = get_object_or_404(
        Outcome.objects.select_related("activity__strategy__plan__district"), pk=pk
    )
    plan = outcome.activity.strategy.plan
    if not can(request.user, VIEW_DISTRICT, plan):
        raise Http404("No such outcome.")
    require(request.user, EDIT_CIM_PLAN, plan)
    metric = getattr(outcome, "metric", None)
    form = MetricForm(request.POST or None, instance=metric)
    if request.method == "POST" and form.is_valid():
        services.save_metric(outcome, user=request.user, **form.cleaned_data)
        messages.success(request, "Metric saved.")
        return redirect(plan)
    return render(
        request, "progress/metric_form.html", {"outcome": outcome, "plan": plan, "form": form}
    )


@require_POST
def comment_add(request, pk):
    plan = get_object_or_404(PlanForImprovement.objects.visible_to(request.user), pk=pk)
    require(request.user, COMMENT_CIM, plan)
    review = None
    if request.POST.get("review"):
        review = get_object_or_404(
            Meeting.objects.visible_to(request.user),
            pk=posted_int(request.POST["review"]) or 0,  # not an id: no such review
            meeting_type=MeetingType.CIM_REVIEW,
        )
    try:
        services.add_comment(
            plan, user=request.user, text=posted_text(request.POST.get("text")), review=review
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Comment added.")
    if review is not None:
        return redirect("review_record", pk=review.pk)
    return redirect(plan)
