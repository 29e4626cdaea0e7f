"""Workshops, by name: the team a school brings, who attended (for paying teachers'
off-contract time), and each school's step in the Collaborative Problem-Solving Process
(seed 002)."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from schoolplan import between_years, clock
from schoolplan.csvfiles import spreadsheet_safe
from schoolplan.forms import posted_year, show_errors
from schoolplan.models import SchoolYear
from schoolplan.permissions import (
    EDIT_SCHOOL_PLAN,
    MANAGE_DISTRICT,
    VIEW_DISTRICT_WORK,
    can,
    get_visible_or_404,
    require,
)

from . import problem_solving, workshop_teams
from .forms_workshops import AttendanceForm, ProblemSolvingStepForm, TeamForm
from .models import WorkshopSession
from .views_workshops import _registration, _school, _series


@require_http_methods(["GET", "POST"])
def workshop_team(request, pk):
    """The school names the team it brings, until the session starts."""
    registration = _registration(request, pk)
    may_write = can(request.user, EDIT_SCHOOL_PLAN, registration.school)
    may_edit = may_write and registration.open_to_the_school()
    form = TeamForm(
        request.POST or None,
        initial={
            "team": workshop_teams.team_text(registration),
            "team_version": registration.team_version,
        },
    )
    if request.method == "POST":
        if not may_write:
            raise PermissionDenied("Only the school's staff name its team.")
        if form.is_valid():
            try:
                raised = workshop_teams.set_team(
                    registration,
                    team=form.cleaned_data["team"],
                    version=form.cleaned_data["team_version"],
                    user=request.user,
                )
            except workshop_teams.StaleTeam as conflict:
                show_errors(form, conflict)
                form.data = form.data.copy()
                form.data["team_version"] = conflict.registration.team_version
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Team saved.")
                if raised:
                    registration.refresh_from_db()
                    messages.info(
                        request,
                        f"The number attending is now {registration.people}: the people named.",
                    )
                return redirect("workshop_team", pk=registration.pk)
    return render(
        request,
        "meetings/workshop_team.html",
        {
            "registration": registration,
            "team": registration.team.all(),
            "form": form,
            "may_edit": may_edit or bool(form.errors),
        },
    )


def _session(request, pk):
    session = get_visible_or_404(
        WorkshopSession.objects.select_related(
            "series__district", "series__school_year", "meeting__district"
        ),
        request.user,
        VIEW_DISTRICT_WORK,
        pk=pk,
    )
    clock.activate(session.series.district)
    return session


@require_http_methods(["GET", "POST"])
def session_attendance(request, pk):
    """District staff record who came, by name, and who was added on the day."""
    session = _session(request, pk)
    may_manage = can(request.user, MANAGE_DISTRICT, session.series)
    registrations = workshop_teams.registered_with_team(
        session.registrations.select_related("school").order_by("school__name", "pk")
    )
    form = AttendanceForm(request.POST or None, registrations=registrations)
    conflicts = []
    if request.method == "POST":
        require(request.user, MANAGE_DISTRICT, session.series)
        if form.is_valid():
            refused = workshop_teams.record_attendance(session, form.records(), user=request.user)
            if not refused:
                messages.success(request, "Attendance saved.")
                return redirect("session_attendance", pk=session.pk)
            # The other schools were saved; the refused ones are shown as they are now, with
            # the people typed as added on the day kept in their box.
            conflicts = [" ".join(workshop_teams.StaleTeam(r).messages) for r in refused]
            typed = {f"added-{r.pk}": request.POST.get(f"added-{r.pk}", "") for r in refused}
            form = AttendanceForm(registrations=registrations.all(), initial=typed)
    return render(
        request,
        "meetings/workshop_attendance.html",
        {
            "session": session,
            "series": session.series,
            "form": form,
            "conflicts": conflicts,
            "may_manage": may_manage,
        },
    )


def attendance_csv(request, pk):
    """Who attended, one person a row, for paying teachers' off-contract time."""
    series = _series(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workshop-{series.pk}-attendance.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            "School",
            "Name",
            "Role",
            "Session date",
            "Starts",
            "Ends",
            "Hours",
            "Attended",
            "Added on the day",
        ]
    )
    for row in workshop_teams.attendance_rows(series):
        writer.writerow(
            [
                spreadsheet_safe(row["school"]),
                spreadsheet_safe(row["name"]),
                spreadsheet_safe(row["role"]),
                f"{row['starts']:%Y-%m-%d}",
                f"{row['starts']:%H:%M}",
                f"{row['ends']:%H:%M}",
                f"{row['hours']:g}",
                "yes" if row["attended"] else "no",
                "yes" if row["added_on_the_day"] else "no",
            ]
        )
    return response


@require_http_methods(["GET", "POST"])
def school_problem_solving(request, school_pk):
    """The school's step in the Collaborative Problem-Solving Process this year; district
    staff set it by hand."""
    school = _school(request, school_pk)
    today = clock.today(school)
    # The current year, else (between two years) the one just ended; ?year= shows another.
    year = SchoolYear.objects.chosen_or_current(
        school.district_id, posted_year(request.GET), today
    ) or (between_years.outlook(school.district_id, today).shown_year)
    if year is None:
        return render(request, "meetings/school_problem_solving.html", {"school": school})
    current = problem_solving.step_of(school, year)
    may_set = can(request.user, MANAGE_DISTRICT, school)
    form = ProblemSolvingStepForm(
        request.POST or None, initial={"step": current.step, "version": current.version}
    )
    if request.method == "POST":
        require(request.user, MANAGE_DISTRICT, school)
        if form.is_valid():
            try:
                problem_solving.set_by_hand(school, year, user=request.user, **form.cleaned_data)
            except problem_solving.StaleStep as conflict:
                show_errors(form, conflict)
                current = conflict.current
                form.data = form.data.copy()
                form.data["version"] = current.version
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(request, "Step saved.")
                return redirect(request.get_full_path())
    return render(
        request,
        "meetings/school_problem_solving.html",
        {"school": school, "year": year, "current": current, "form": form, "may_set": may_set},
    )
