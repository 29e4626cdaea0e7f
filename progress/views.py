from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from meetings import cim
from meetings.models import Meeting, MeetingType
from plans import services as plan_services
from plans.models import ImplementationStatus, Outcome, PlanForImprovement
from schoolplan import clock
from schoolplan.forms import posted_ids, posted_int, posted_text, show_errors
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
from .measurements import parse_value
from .models import ActivityReview, Comment, Measurement


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
        context.update(
            {
                "months": cim.monthly_compliance(district, year, today),
                "team": cim.team_for(district, year),
                "reviews": reviews,
                "plan": PlanForImprovement.objects.filter(
                    district=district, school_year=year
                ).first(),
                "schedule_form": ReviewScheduleForm(),
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
    team = cim.team_for(district, year) or CimTeam(district=district, school_year=year)
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
    plan = plan_services.start_plan(district=district, year=year, user=request.user)
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def review_schedule(request, pk):
    district = _district(request, pk)
    require(request.user, LEAD_CIM, district)
    form = ReviewScheduleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = cim.schedule_review(
                user=request.user,
                district=district,
                **form.when_and_where,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, f"{review.title} is scheduled and the team invited.")
            return redirect("review_record", pk=review.pk)
    return render(request, "progress/review_schedule.html", {"district": district, "form": form})


def _review(request, pk):
    review = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("district", "school_year"),
        pk=pk,
        meeting_type=MeetingType.CIM_REVIEW,
    )
    return review


def _parse_review(request, review, activities):
    """Read the review form; return (entries, measurements, errors). Nothing is written here."""
    errors, entries, measurements = [], {}, {}
    statuses = set(ImplementationStatus.values)
    for activity in activities:
        status = request.POST.get(f"status-{activity.pk}", activity.status)
        if status not in statuses:
            errors.append(f"Choose an implementation status for “{activity}”.")
        entries[activity] = {
            "status": status,
            "barriers": posted_text(request.POST.get(f"barriers-{activity.pk}")),
            "next_steps": posted_text(request.POST.get(f"next-{activity.pk}")),
            "expected_version": posted_int(request.POST.get(f"version-{activity.pk}")),
        }
        for outcome in activity.outcomes.all():
            metric = getattr(outcome, "metric", None)
            if metric is None:
                continue
            raw = request.POST.get(f"value-{metric.pk}", "").strip()
            if not raw:
                continue
            try:
                measurements[metric] = parse_value(raw)
            except ValueError as error:
                errors.append(f"{metric.name}: {error}.")
    return entries, measurements, errors


@require_http_methods(["GET", "POST"])
def review_record(request, pk):
    """At the monthly review: status of each activity, data toward each outcome, attendance."""
    review = _review(request, pk)
    plan = PlanForImprovement.objects.filter(
        district=review.district, school_year=review.school_year
    ).first()
    activities = list(services.plan_activities(plan)) if plan else []
    can_edit = can(request.user, EDIT_CIM_PLAN, review) and not review.is_cancelled
    invitations = list(review.invitations.select_related("user"))
    form_errors = []
    if request.method == "POST":
        require(request.user, EDIT_CIM_PLAN, review)
        entries, measurements, form_errors = _parse_review(request, review, activities)
        if not form_errors:
            attended_ids = posted_ids(request.POST.getlist("attended"))
            try:
                services.record_review(
                    review,
                    user=request.user,
                    activities=entries,
                    measurements=measurements,
                    minutes=posted_text(request.POST.get("minutes")),
                    attended=[i.user for i in invitations if i.user_id in attended_ids],
                    mark_held=request.POST.get("mark_held") == "on",
                )
            except ValidationError as error:
                form_errors = error.messages
            else:
                messages.success(request, "Review recorded.")
                return redirect("review_record", pk=review.pk)
    recorded = {r.activity_id: r for r in ActivityReview.objects.filter(review=review)}
    values = {m.metric_id: m for m in Measurement.objects.filter(review=review)}
    minutes = getattr(review, "minutes", None)
    return render(
        request,
        "progress/review_record.html",
        {
            "review": review,
            "plan": plan,
            "activities": activities,
            "recorded": recorded,
            "values": values,
            "statuses": ImplementationStatus.choices,
            "invitations": invitations,
            "minutes": minutes,
            "can_edit": can_edit and not (minutes and minutes.is_published),
            "can_comment": plan is not None and can(request.user, COMMENT_CIM, plan),
            "comments": Comment.objects.filter(review=review).select_related("author"),
            "form_errors": form_errors,
            "posted": request.POST if request.method == "POST" else None,
        },
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
