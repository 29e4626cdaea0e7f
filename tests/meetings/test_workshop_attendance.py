"""Workshop attendance by name (seed 002: the team that did the SAMI; the district pays
teachers' off-contract time, so it needs names): the team named at registration or later, the
head count kept at least the names, attendance recorded per person and added on the day, the
CSV for paying off-contract time, versions, permissions and query counts."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import workshop_teams
from meetings.models import ProblemSolvingStep, Step, TeamMember, WorkshopRegistration
from schoolplan.models import Role

from ..conftest import IN_CI
from ..factories import member
from ..workshop_helpers import AFTER_PRIORITY, SESSION_DAY, designated_school, make_series, register

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

TEAM = [("Ana Ruiz", "math teacher"), ("Ben Cole", "principal")]


@pytest.fixture
def series(district, school_year, clock):
    clock.set(AFTER_PRIORITY)
    return make_series(district, school_year)


def _attendance_post(registrations, **extra):
    data = {f"version-{r.pk}": r.team_version for r in registrations}
    data.update(extra)
    return data


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def test_the_team_is_named_at_registration(client, series, district):
    school = designated_school(district)
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        reverse("workshop_register", args=[series.pk, school.pk]),
        {
            "session": series.sessions.get(level="elementary").pk,
            "people": 7,
            "prework": "1. Math talk",
            "team": "Ana Ruiz, math teacher\n\n  Ben   Cole ,principal\nCara Diaz",
        },
    )
    assert response.status_code == 302
    registration = WorkshopRegistration.objects.get()
    assert [(m.name, m.role) for m in registration.team.all()] == [
        *TEAM,
        ("Cara Diaz", ""),
    ]


def test_the_team_box_starts_from_the_team_that_did_the_sami(client, series, district):
    """seed 002: the workshop team is the SAMI team; the school may change it before sending."""
    from ..sami_helpers import sami_with_items

    school = designated_school(district)
    principal = member(Role.PRINCIPAL, school)
    sami_with_items(school, series.school_year, principal)
    client.force_login(principal)
    page = client.get(reverse("workshop_register", args=[series.pk, school.pk])).content.decode()
    assert "Ana Ruiz, Principal</textarea>" in page
    other = designated_school(district)
    client.force_login(member(Role.PRINCIPAL, other))
    page = client.get(reverse("workshop_register", args=[series.pk, other.pk])).content.decode()
    assert "Ana Ruiz, Principal" not in page, "another school's SAMI team is not offered"


def test_a_head_count_below_the_names_is_refused_beside_the_field(client, series, district):
    school = designated_school(district)
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        reverse("workshop_register", args=[series.pk, school.pk]),
        {
            "session": series.sessions.get(level="elementary").pk,
            "people": 1,
            "prework": "1. Math talk",
            "team": "Ana Ruiz, math teacher\nBen Cole, principal",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "You named 2 people: the number attending must be at least 2." in page
    assert "Ben Cole, principal" in page  # what was typed is shown back
    assert not WorkshopRegistration.objects.exists() and not TeamMember.objects.exists()


def test_a_bad_team_line_is_named_and_nothing_is_saved(client, series, district):
    school = designated_school(district)
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        reverse("workshop_register", args=[series.pk, school.pk]),
        {
            "session": series.sessions.get(level="elementary").pk,
            "people": 6,
            "prework": "1. Math talk",
            "team": "Ana Ruiz, math teacher\n, librarian",
        },
    )
    assert "Line 2: give the person&#x27;s name before the comma." in response.content.decode()
    assert not WorkshopRegistration.objects.exists()


def test_the_school_changes_its_team_until_the_session(client, series, district, clock):
    school = designated_school(district)
    registration = register(series, school, people=2, team=TEAM)
    client.force_login(member(Role.SCHOOL_STAFF, school))
    url = reverse("workshop_team", args=[registration.pk])
    response = client.post(
        url, {"team": "Ana Ruiz, math teacher\nDee Fox, coach\nEd Gray", "team_version": 1}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    # Naming more people than the head count raises it: it never falls below the names.
    assert registration.people == 3
    assert [m.name for m in registration.team.all()] == ["Ana Ruiz", "Dee Fox", "Ed Gray"]
    clock.set(SESSION_DAY + timedelta(days=1))
    client.force_login(member(Role.SCHOOL_STAFF, school))  # a new day, a new session
    response = client.post(url, {"team": "Ana Ruiz", "team_version": registration.team_version})
    assert "The session has started" in response.content.decode()
    assert registration.team.count() == 3
    assert "Save the team" not in client.get(url).content.decode()


def test_the_edit_form_refuses_a_head_count_below_the_names(client, series, district):
    school = designated_school(district)
    registration = register(series, school, people=2, team=TEAM)
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        registration.get_absolute_url(), {"people": 1, "prework": "1. Math talk"}
    )
    assert "the number attending must be at least 2" in response.content.decode()
    registration.refresh_from_db()
    assert registration.people == 2


def test_a_stale_team_save_is_refused_and_shows_what_was_typed(client, series, district):
    school = designated_school(district)
    registration = register(series, school, team=TEAM)
    workshop_teams.set_team(registration, team=[("Zoe Hart", "")], version=1, user=None)
    client.force_login(member(Role.PRINCIPAL, school))
    response = client.post(
        reverse("workshop_team", args=[registration.pk]),
        {"team": "Ana Ruiz, math teacher\nMy new colleague", "team_version": 1},
    )
    page = response.content.decode()
    assert "changed since you opened the page" in page
    assert "My new colleague" in page
    assert [m.name for m in registration.team.all()] == ["Zoe Hart"]


def test_district_staff_record_attendance_by_name_and_on_the_day(client, series, district):
    came = register(series, designated_school(district), team=TEAM)
    unnamed = register(series, designated_school(district))
    absent = register(series, designated_school(district), team=[("Fay Ito", "teacher")])
    ana = came.team.get(name="Ana Ruiz")
    client.force_login(member(Role.DISTRICT_STAFF, district))
    session = came.session
    response = client.post(
        reverse("session_attendance", args=[session.pk]),
        _attendance_post(
            [came, unnamed, absent],
            **{
                f"present-{ana.pk}": "on",
                f"added-{came.pk}": "Gus Hill, school counselor",
                f"came-{unnamed.pk}": "on",
            },
        ),
    )
    assert response.status_code == 302
    came.refresh_from_db()
    unnamed.refresh_from_db()
    absent.refresh_from_db()
    assert {(m.name, m.attended, m.added_on_the_day) for m in came.team.all()} == {
        ("Ana Ruiz", True, False),
        ("Ben Cole", False, False),
        ("Gus Hill", True, True),
    }
    # The school's "attended" is derived: someone of it came (or it was ticked, no names).
    assert came.attended and unnamed.attended and not absent.attended
    assert came.team_version == 2


def test_a_bad_added_line_saves_nothing_and_is_shown_beside_its_school(client, series, district):
    first = register(series, designated_school(district), team=TEAM)
    second = register(series, designated_school(district))
    ana = first.team.get(name="Ana Ruiz")
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("session_attendance", args=[first.session_id]),
        _attendance_post(
            [first, second],
            **{
                f"present-{ana.pk}": "on",
                f"added-{second.pk}": "Ok Person, teacher\n" + "x" * 201,
            },
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: the name is longer than 200 characters." in page
    assert "Ok Person, teacher" in page
    assert not TeamMember.objects.filter(attended=True).exists()
    assert not WorkshopRegistration.objects.filter(attended=True).exists()


def test_a_stale_attendance_is_refused_for_that_school_only(client, series, district):
    first = register(series, designated_school(district), team=TEAM)
    second = register(series, designated_school(district), team=[("Fay Ito", "teacher")])
    page_seen = _attendance_post([first, second])
    # Someone else renames the first school's team after the page was opened.
    workshop_teams.set_team(first, team=[("Zoe Hart", "")], version=1, user=None)
    fay = second.team.get()
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.post(
        reverse("session_attendance", args=[first.session_id]),
        {
            **page_seen,
            f"came-{first.pk}": "on",
            f"added-{first.pk}": "Late Arrival, librarian",
            f"present-{fay.pk}": "on",
        },
    )
    page = response.content.decode()
    assert "changed since you opened the page" in page
    assert "Late Arrival, librarian" in page  # what was typed for the refused school stays
    first.refresh_from_db()
    fay.refresh_from_db()
    assert not first.attended and not first.team.filter(name="Late Arrival").exists()
    assert fay.attended


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_attendance_at_once_lose_nothing(series, district):
    """Two district staff send the same page at once, each with a person added on the day: one
    is saved, the other is refused for that school with its typed name shown back (PostgreSQL
    row locks: the second waits for the first, then sees its version is gone)."""
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI runs this on PostgreSQL")
        pytest.skip("concurrent transactions need PostgreSQL; CI runs this on it")
    registration = register(series, designated_school(district), team=TEAM)
    url = reverse("session_attendance", args=[registration.session_id])
    staff = [member(Role.DISTRICT_STAFF, district) for _ in range(2)]
    barrier = threading.Barrier(2)
    pages = {}

    def send(n):
        from django.db import connection as thread_connection

        client = Client()
        client.force_login(staff[n])
        added = {f"added-{registration.pk}": f"Walk In {n}, librarian"}
        try:
            barrier.wait()
            response = client.post(url, _attendance_post([registration], **added))
            pages[n] = (response.status_code, response.content.decode())
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    added = list(TeamMember.objects.filter(added_on_the_day=True).values_list("name", flat=True))
    assert len(added) == 1, "one save wins; the other is not written over it"
    winner = int(added[0].split()[-1])
    refused_status, refused_page = pages[1 - winner]
    assert pages[winner][0] == 302
    assert refused_status == 200 and "changed since you opened the page" in refused_page
    assert f"Walk In {1 - winner}, librarian" in refused_page, "what was typed is shown back"
    registration.refresh_from_db()
    assert registration.team_version == 2


def test_the_attendance_csv_pays_off_contract_time(client, series, district):
    school = designated_school(district, name="=HYPERLINK(1) Elementary")
    came = register(series, school, team=[("-Ana", "+teacher"), ("Ben Cole", "principal")])
    ana = came.team.get(name="-Ana")
    workshop_teams.record_attendance(
        came.session,
        [
            workshop_teams.SchoolAttendance(
                registration=came, version=1, present={ana.pk}, school_came=False, added=[]
            )
        ],
        user=None,
    )
    client.force_login(member(Role.DISTRICT_STAFF, district))
    rows = _csv(client.get(reverse("workshop_attendance_csv", args=[series.pk])))
    assert rows[0] == [
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
    day = SESSION_DAY.isoformat()
    assert rows[1:] == [
        [
            "'=HYPERLINK(1) Elementary",
            "'-Ana",
            "'+teacher",
            day,
            "15:15",
            "18:15",
            "3",
            "yes",
            "no",
        ],
        [
            "'=HYPERLINK(1) Elementary",
            "Ben Cole",
            "principal",
            day,
            "15:15",
            "18:15",
            "3",
            "no",
            "no",
        ],
    ]


def test_attendance_page_and_csv_queries_do_not_grow_with_registrations(
    client, series, district, django_assert_max_num_queries
):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    register(series, designated_school(district), team=TEAM)
    session = series.sessions.get(level="elementary")
    urls = [
        reverse("session_attendance", args=[session.pk]),
        reverse("workshop_attendance_csv", args=[series.pk]),
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts.append(len(few))
    for _ in range(8):
        register(series, designated_school(district), team=TEAM)
    for url, count in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(count):
            assert client.get(url).status_code == 200


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF])
def test_schools_do_not_reach_attendance(client, series, district, role, other_school):
    registration = register(series, designated_school(district), team=TEAM)
    client.force_login(member(role, registration.school))
    assert (
        client.get(reverse("session_attendance", args=[registration.session_id])).status_code == 404
    )
    assert client.get(reverse("workshop_attendance_csv", args=[series.pk])).status_code == 404
    client.force_login(member(role, other_school))
    assert client.get(reverse("workshop_team", args=[registration.pk])).status_code == 404
    sibling = designated_school(district)
    client.force_login(member(role, sibling))
    response = client.post(
        reverse("workshop_team", args=[registration.pk]), {"team": "X", "team_version": 1}
    )
    assert response.status_code == 404
    assert registration.team.count() == 2


def test_the_cim_lead_reads_attendance_but_does_not_record_it(client, series, district):
    registration = register(series, designated_school(district), team=TEAM)
    client.force_login(member(Role.CIM_LEAD, district))
    url = reverse("session_attendance", args=[registration.session_id])
    assert "Ana Ruiz" in client.get(url).content.decode()
    response = client.post(
        url, _attendance_post([registration], **{f"came-{registration.pk}": "on"})
    )
    assert response.status_code == 403
    registration.refresh_from_db()
    assert not registration.attended
    assert not ProblemSolvingStep.objects.exists()


def test_recording_attendance_moves_the_school_to_step_three(client, series, district):
    registration = register(series, designated_school(district))
    client.force_login(member(Role.DISTRICT_STAFF, district))
    url = reverse("session_attendance", args=[registration.session_id])
    client.post(url, _attendance_post([registration], **{f"came-{registration.pk}": "on"}))
    step = ProblemSolvingStep.objects.get(school=registration.school)
    assert step.step == Step.ACTION_PLAN and step.set_at is not None
