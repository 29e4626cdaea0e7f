"""Workshops: district staff run the series; schools register (DOMAIN: Workshops, seed 002)."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from schoolplan import clock, uploads
from schoolplan.csvfiles import spreadsheet_safe
from schoolplan.forms import show_errors
from schoolplan.models import District, School, SchoolYear
from schoolplan.permissions import (
    EDIT_SCHOOL_PLAN,
    MANAGE_DISTRICT,
    VIEW_DISTRICT_WORK,
    VIEW_SCHOOL,
    can,
    get_visible_or_404,
    require,
)

from . import prework, workshop_teams, workshops
from .forms_workshops import RegistrationForm, SeriesForm, SessionForm
from .models import RegistrationStatus, WorkshopRegistration, WorkshopSeries, workshop_level_of


@require_http_methods(["GET", "POST"])
def district_workshops(request, pk):
    district = get_visible_or_404(District.objects.all(), request.user, VIEW_DISTRICT_WORK, pk=pk)
    clock.activate(district)
    may_manage = can(request.user, MANAGE_DISTRICT, district)
    form = SeriesForm(request.POST or None)
    if request.method == "POST":
        require(request.user, MANAGE_DISTRICT, district)
        year = SchoolYear.objects.of_district_on(district.pk, clock.today(district))
        if year is None:
            form.add_error(None, "Set up the school year first.")
        elif form.is_valid():
            try:
                series = workshops.create_series(
                    district=district, year=year, user=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Series created: now add its sessions.")
                return redirect(series)
    return render(
        request,
        "meetings/workshops_district.html",
        {
            "district": district,
            "series_list": district.workshops.select_related("school_year"),
            "form": form,
            "may_manage": may_manage,
        },
    )


def _series(request, pk):
    series = get_visible_or_404(
        WorkshopSeries.objects.select_related("district", "school_year"),
        request.user,
        VIEW_DISTRICT_WORK,
        pk=pk,
    )
    clock.activate(series.district)  # sessions are shown, and typed, in the district's zone
    return series


@require_http_methods(["GET", "POST"])
def workshop_series(request, pk):
    series = _series(request, pk)
    may_manage = can(request.user, MANAGE_DISTRICT, series)
    form = SessionForm(request.POST or None, prefix="session")
    if request.method == "POST":
        require(request.user, MANAGE_DISTRICT, series)
        # Attendance is recorded by name per session (views_workshop_teams.session_attendance).
        if form.is_valid():
            try:
                workshops.add_session(series, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Session added.")
                return redirect(series)
    return render(
        request,
        "meetings/workshop_series.html",
        {
            "series": series,
            "rosters": workshops.rosters(series),
            "seats": workshops.seats(series),
            "to_chase": workshops.designated_not_registered(series),
            "form": form,
            "may_manage": may_manage,
        },
    )


def workshop_roster_csv(request, pk):
    series = _series(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{series.pk}-roster.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        ["Session", "Level", "School", "ESSA", "Status", "People", "Dietary needs", "Registered"]
    )

    for roster in workshops.rosters(series):
        when = f"{roster.session.meeting.local_date:%Y-%m-%d}"
        for registration in roster.registered + roster.waitlisted:
            writer.writerow(
                [
                    when,
                    roster.session.get_level_display(),
                    spreadsheet_safe(registration.school.name),
                    registration.school.essa_short or "",
                    registration.get_status_display(),
                    registration.people,
                    spreadsheet_safe(registration.dietary_notes),
                    f"{clock.local(registration.created_at, series.district):%Y-%m-%d %H:%M}",
                ]
            )
    return response


def _school(request, pk):
    school = get_visible_or_404(
        School.objects.select_related("district"), request.user, VIEW_SCHOOL, pk=pk
    )
    clock.activate(school)
    return school


def school_workshops(request, school_pk):
    school = _school(request, school_pk)
    today = clock.today(school)
    series_list = list(
        WorkshopSeries.objects.filter(district=school.district_id, registration_closes__gte=today)
        .prefetch_related("sessions__meeting__district")
        .order_by("registration_opens")
    )
    mine = {
        r.series_id: r
        for r in WorkshopRegistration.objects.filter(school=school)
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("session__meeting__district")
        .prefetch_related("prework_actions")
    }
    rows = []
    for series in series_list:
        try:
            workshops.check_window(series, school, today)
            window = ""
        except ValidationError as error:
            window = " ".join(error.messages)
        rows.append((series, mine.get(series.pk), window))
    return render(
        request,
        "meetings/school_workshops.html",
        {
            "school": school,
            "rows": rows,
            "can_register": can(request.user, EDIT_SCHOOL_PLAN, school),
            "past": WorkshopRegistration.objects.filter(school=school)
            .exclude(series__in=series_list)
            .select_related("series", "session__meeting__district")[:20],
        },
    )


@require_http_methods(["GET", "POST"])
def workshop_register(request, series_pk, school_pk):
    school = _school(request, school_pk)
    require(request.user, EDIT_SCHOOL_PLAN, school)
    series = get_object_or_404(WorkshopSeries, pk=series_pk, district=school.district_id)
    existing = (
        WorkshopRegistration.objects.filter(series=series, school=school)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        messages.info(request, "Your school is already registered for this series: here it is.")
        return redirect(existing)
    sessions = series.sessions.filter(level=workshop_level_of(school)).select_related(
        "meeting__district"
    )
    form = RegistrationForm(
        request.POST or None,
        request.FILES or None,
        sessions=sessions,
        initial={"team": workshop_teams.sami_team_text(school, series.school_year)},
    )
    window = ""
    try:
        workshops.check_window(series, school, clock.today(school))
    except ValidationError as error:
        window = " ".join(error.messages)
    if request.method == "POST" and form.is_valid():
        try:
            registration = workshops.register(
                series, school=school, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            # A refusal the window alert already says is said once (issue 23).
            if " ".join(error.messages) != window:
                show_errors(form, error)
        else:
            if registration.status == RegistrationStatus.WAITLISTED:
                position = workshops.waitlist_position(registration)
                messages.warning(
                    request,
                    f"{workshops.places_taken(series, registration.session)}: your school is "
                    f"number {position} on the waitlist. You will get an e-mail if a place "
                    "opens up for it.",
                )
            else:
                messages.success(request, "Registered.")
            if registration.people < workshops.RECOMMENDED_TEAM:
                messages.warning(
                    request,
                    f"{registration.people} people: the guidance is a team of "
                    f"{workshops.RECOMMENDED_TEAM} or more, the team that did the SAMI.",
                )
            return redirect(registration)
    return render(
        request,
        "meetings/workshop_register.html",
        {"school": school, "series": series, "form": form, "window": window, "sessions": sessions},
    )


def _registration(request, pk):
    registration = get_object_or_404(
        WorkshopRegistration.objects.select_related(
            "school__district", "series", "session__meeting__district"
        ),
        pk=pk,
    )
    if not (
        can(request.user, VIEW_SCHOOL, registration.school)
        or can(request.user, VIEW_DISTRICT_WORK, registration.series)
    ):
        raise Http404("No such registration.")
    clock.activate(registration.school)
    return registration


@require_http_methods(["GET", "POST"])
def workshop_registration(request, pk):
    registration = _registration(request, pk)
    may_edit = can(request.user, EDIT_SCHOOL_PLAN, registration.school)
    form = RegistrationForm(
        request.POST or None,
        request.FILES or None,
        sessions=registration.series.sessions.filter(pk=registration.session_id).select_related(
            "meeting__district"
        ),
        editing=True,
        initial={
            "session": registration.session_id,
            "people": registration.people,
            "dietary_notes": registration.dietary_notes,
        },
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Only the school's staff change its registration.")
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "session"}
            try:
                workshops.update(registration, user=request.user, **data)
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Registration updated.")
                return redirect(registration)
    return render(
        request,
        "meetings/workshop_registration.html",
        {
            "registration": registration,
            "form": form,
            "may_edit": may_edit,
            "waitlist_position": workshops.waitlist_position(registration),
            "prework": prework.prework_state(registration),
        },
    )


def workshop_prework_file(request, pk):
    """The pre-work a school attached: whoever may see its registration (the school, the
    district's workshop organisers)."""
    registration = _registration(request, pk)
    if not registration.prework_file:
        raise Http404("No pre-work file.")
    return uploads.download(registration.prework_file)


@require_POST
def workshop_cancel(request, pk):
    registration = _registration(request, pk)
    require(request.user, EDIT_SCHOOL_PLAN, registration.school)
    if request.POST.get("confirm") != "on":
        messages.error(request, "Tick the box to confirm the cancellation.")
        return redirect(registration)
    try:
        workshops.cancel(registration, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(registration)
    messages.success(request, "Registration cancelled.")
    return redirect("school_workshops", school_pk=registration.school_id)
