"""The DMPS Collaborative Problem-Solving Process per school (seed 002): the workshop completes
steps 1–2 and starts step 3; the late-June district-facilitated meetings continue step 3 for
schools that attended and start the process for those that did not; district staff set a step
by hand; the dashboard shows it; who may see or set it."""

import pytest
from django.urls import reverse

from meetings import problem_solving, workshop_teams
from meetings.models import ProblemSolvingStep, SeriesKind, Step, StepSource
from progress import compliance
from schoolplan.models import Role

from ..factories import member
from ..workshop_helpers import (
    AFTER_PRIORITY,
    LATE_JUNE_DAY,
    designated_school,
    make_series,
    register,
)

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def workshop(district, school_year, clock):
    clock.set(AFTER_PRIORITY)
    return make_series(district, school_year)


@pytest.fixture
def late_june(district, school_year, workshop):
    return make_series(district, school_year, kind=SeriesKind.LATE_JUNE, day=LATE_JUNE_DAY)


def _came(registration, user=None):
    registration.refresh_from_db()
    refused = workshop_teams.record_attendance(
        registration.session,
        [
            workshop_teams.SchoolAttendance(
                registration=registration,
                version=registration.team_version,
                present=set(),
                school_came=True,
                added=[],
            )
        ],
        user=user,
    )
    assert not refused


def _step(school, year):
    return problem_solving.step_of(school, year)


def test_attending_the_workshop_completes_steps_one_and_two_and_starts_three(
    workshop, district, school_year
):
    registration = register(workshop, designated_school(district))
    staff = member(Role.DISTRICT_STAFF, district)
    _came(registration, staff)
    step = _step(registration.school, school_year)
    assert (step.step, step.number, step.source) == (Step.ACTION_PLAN, 3, StepSource.WORKSHOP)
    assert step.set_by == staff and step.note == workshop.title


def test_recording_attendance_again_changes_nothing(workshop, district, school_year):
    registration = register(workshop, designated_school(district))
    _came(registration)
    first = _step(registration.school, school_year)
    _came(registration)
    again = _step(registration.school, school_year)
    assert (again.step, again.version, again.set_at) == (first.step, first.version, first.set_at)
    assert ProblemSolvingStep.objects.count() == 1


def test_a_school_that_did_not_come_does_not_move(workshop, district, school_year):
    registration = register(workshop, designated_school(district))
    refused = workshop_teams.record_attendance(
        registration.session,
        [
            workshop_teams.SchoolAttendance(
                registration=registration, version=1, present=set(), school_came=False, added=[]
            )
        ],
        user=None,
    )
    assert not refused
    assert _step(registration.school, school_year).step == Step.NOT_STARTED
    assert not ProblemSolvingStep.objects.exists()


def test_late_june_continues_step_three_for_schools_that_attended(
    workshop, late_june, district, school_year
):
    school = designated_school(district)
    _came(register(workshop, school))
    _came(register(late_june, school))
    step = _step(school, school_year)
    assert (step.step, step.number, step.source) == (
        Step.ACTION_PLAN_DETAIL,
        3,
        StepSource.LATE_JUNE,
    )


def test_late_june_starts_the_process_for_schools_that_did_not_attend(
    workshop, late_june, district, school_year
):
    school = designated_school(district)
    register(workshop, school)  # registered, never came
    _came(register(late_june, school))
    assert _step(school, school_year).step == Step.PROBLEM_STATEMENTS


def test_attendance_never_moves_a_school_back(workshop, district, school_year):
    school = designated_school(district)
    staff = member(Role.DISTRICT_STAFF, district)
    problem_solving.set_by_hand(
        school, school_year, step=Step.ACTION_PLAN_DETAIL, user=staff, version=0
    )
    _came(register(workshop, school))
    step = _step(school, school_year)
    assert (step.step, step.source) == (Step.ACTION_PLAN_DETAIL, StepSource.BY_HAND)


def test_district_staff_set_the_step_by_hand_with_who_and_when(
    client, workshop, district, school_year
):
    school = designated_school(district)
    staff = member(Role.DISTRICT_STAFF, district)
    client.force_login(staff)
    url = reverse("school_problem_solving", args=[school.pk])
    response = client.post(url, {"step": Step.ROOT_CAUSES, "note": "Met in May", "version": 0})
    assert response.status_code == 302
    step = _step(school, school_year)
    assert (step.step, step.source, step.set_by, step.note) == (
        Step.ROOT_CAUSES,
        StepSource.BY_HAND,
        staff,
        "Met in May",
    )
    page = client.get(url).content.decode()
    assert "Step 2: verify root causes" in page and "Set by district staff" in page


def test_a_stale_step_is_refused(client, workshop, district, school_year):
    school = designated_school(district)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    _came(register(workshop, school))  # moved to step 3 after the page was opened
    response = client.post(
        reverse("school_problem_solving", args=[school.pk]),
        {"step": Step.PROBLEM_STATEMENTS, "version": 0},
    )
    assert "changed since you opened the page" in response.content.decode()
    assert _step(school, school_year).step == Step.ACTION_PLAN


def test_a_step_that_is_not_one_is_refused_beside_the_field(client, workshop, district):
    school = designated_school(district)
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("school_problem_solving", args=[school.pk]), {"step": "9", "version": "0"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ProblemSolvingStep.objects.exists()


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF])
def test_school_staff_see_their_own_step_only_and_do_not_set_it(
    client, workshop, district, school_year, role
):
    school, sibling = designated_school(district), designated_school(district)
    client.force_login(member(role, school))
    own = reverse("school_problem_solving", args=[school.pk])
    assert "Not started" in client.get(own).content.decode()
    assert client.post(own, {"step": Step.ACTION_PLAN, "version": 0}).status_code == 403
    other = reverse("school_problem_solving", args=[sibling.pk])
    assert client.get(other).status_code == 404
    assert client.post(other, {"step": Step.ACTION_PLAN, "version": 0}).status_code == 404
    assert not ProblemSolvingStep.objects.exists()


def test_another_districts_staff_get_404(client, workshop, district, other_school):
    client.force_login(member(Role.DISTRICT_STAFF, other_school.district))
    school = designated_school(district)
    url = reverse("school_problem_solving", args=[school.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"step": Step.ACTION_PLAN, "version": 0}).status_code == 404


def test_the_dashboard_shows_each_schools_step_and_sorts_by_it(
    client, workshop, district, school_year
):
    ahead = designated_school(district, name="Ahead Elementary")
    started = designated_school(district, name="Begun Elementary")
    designated_school(district, name="Calm Elementary")
    _came(register(workshop, ahead))
    problem_solving.set_by_hand(
        started, school_year, step=Step.PROBLEM_STATEMENTS, user=None, version=0
    )
    rows = compliance.compute(district, school_year, AFTER_PRIORITY)
    cells = {row.school.name: row.cells["problem_solving"] for row in rows}
    assert (cells["Ahead Elementary"].state, cells["Ahead Elementary"].text) == (
        "met",
        "Step 3: action plan started",
    )
    assert (cells["Begun Elementary"].state, cells["Begun Elementary"].text) == (
        "partial",
        "Step 1: problem statements",
    )
    assert (cells["Calm Elementary"].state, cells["Calm Elementary"].text) == (
        "upcoming",
        "Not started",
    )
    client.force_login(member(Role.DISTRICT_STAFF, district))
    page = client.get(
        reverse("compliance", args=[district.pk]), {"sort": "problem_solving", "dir": "desc"}
    ).content.decode()
    assert "Problem solving" in page
    order = [page.index(name) for name in ("Ahead", "Begun", "Calm")]  # furthest first
    assert order == sorted(order)


def test_the_migration_puts_schools_that_attended_before_names_at_step_three(
    workshop, district, school_year
):
    """Registrations marked attended before attendance was by name keep their count and
    "attended"; their schools completed steps 1–2 and started step 3 (seed 002)."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("meetings.migrations.0011_workshop_team_and_problem_solving")
    came, missed = (register(workshop, designated_school(district)) for _ in range(2))
    came.__class__.objects.filter(pk=came.pk).update(attended=True)
    migration.steps_from_past_attendance(apps, None)
    migration.steps_from_past_attendance(apps, None)  # run twice: the same
    assert _step(came.school, school_year).step == Step.ACTION_PLAN
    assert _step(missed.school, school_year).step == Step.NOT_STARTED
    came.refresh_from_db()
    assert came.attended and came.people == 6 and not came.team.exists()
