"""Workshops (seed 002; DOMAIN: Workshops): the priority window, one registration per school,
capacity by level and per session, the waitlist and its promotion, concurrency on the last slot,
the district's view and roster, and the reminder before the priority window closes."""

import csv
import io
import threading
from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from meetings import workshops
from meetings.models import RegistrationStatus, WorkshopRegistration
from schoolplan import deadlines
from schoolplan.models import EssaDesignation, Level, OutboxEmail, Role

from ..clock import YEAR, on
from ..factories import SchoolFactory, member
from ..workshop_helpers import make_series

# Registration is read against its windows on the day the test states.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

OPENS, PRIORITY, CLOSES = on(12, 1), on(12, 14), on(1, 15)
IN_PRIORITY, AFTER_PRIORITY = on(12, 5), on(12, 20)
SESSION_DAY = on(2, 2)


@pytest.fixture
def series(district, school_year, clock):
    """A series whose pages are visited after its priority window, while registration is open."""
    clock.set(AFTER_PRIORITY)
    return make_series(
        district,
        school_year,
        capacities=(2, 1),
        times=(time(9), time(12)),
        place="District office",
        title="Collaborative problem solving",
    )


def _school(district, essa=EssaDesignation.TARGETED, level=Level.ELEMENTARY):
    return SchoolFactory(district=district, essa_designation=essa, level=level)


def _register(series, school, today=AFTER_PRIORITY, people=6):
    session = series.sessions.get(
        level="secondary" if school.level != "elementary" else "elementary"
    )
    return workshops.register(
        series,
        school=school,
        session=session,
        user=member(Role.PRINCIPAL, school),
        people=people,
        prework="1. Math talk\n2. Family nights",
        today=today,
    )


def test_the_priority_window_refuses_non_designated_schools_naming_the_date(series, district):
    plain = _school(district, EssaDesignation.NONE)
    with pytest.raises(ValidationError) as refused:
        _register(series, plain, today=IN_PRIORITY)
    assert f"Your school can register from 15 December {YEAR}." in str(refused.value)
    assert not WorkshopRegistration.objects.exists()
    designated = _school(district)
    assert _register(series, designated, today=IN_PRIORITY).status == "registered"
    assert _register(series, plain, today=AFTER_PRIORITY).status == "registered"


@pytest.mark.parametrize(
    ("today", "message"),
    [
        (on(11, 30), f"Registration opens on 1 December {YEAR}."),
        (on(1, 16), f"Registration closed on 15 January {YEAR + 1}."),
    ],
)
def test_registration_has_its_window(series, district, today, message):
    with pytest.raises(ValidationError, match=message):
        _register(series, _school(district), today=today)


def test_one_registration_per_school_per_series(client, series, district):
    school = _school(district)
    first = _register(series, school)
    with pytest.raises(ValidationError, match="already registered for this series"):
        _register(series, school)
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.get(reverse("workshop_register", args=[series.pk, school.pk]))
    assert response.status_code == 302 and response["Location"] == first.get_absolute_url()


def test_capacity_by_level_then_the_waitlist_in_order(series, district):
    a, b, c, d = (_school(district) for _ in range(4))
    assert [_register(series, s).status for s in (a, b, c, d)] == [
        "registered",
        "registered",
        "waitlisted",
        "waitlisted",
    ]
    secondary = _school(district, level=Level.HIGH)
    middle = _school(district, level=Level.MIDDLE)
    assert _register(series, secondary).status == "registered"
    assert _register(series, middle).status == "waitlisted"  # 1 secondary slot in all


def test_capacity_per_session_when_the_series_sets_none(district, school_year):
    staff = member(Role.DISTRICT_STAFF, district)
    series = workshops.create_series(
        district=district,
        year=school_year,
        user=staff,
        title="Per session",
        description="",
        registration_opens=OPENS,
        priority_closes=PRIORITY,
        registration_closes=CLOSES,
    )
    with pytest.raises(ValidationError, match="Give the session a capacity"):
        workshops.add_session(
            series,
            user=staff,
            day=SESSION_DAY,
            starts=time(9),
            ends=time(12),
            place="Room",
            level="elementary",
        )
    workshops.add_session(
        series,
        user=staff,
        day=SESSION_DAY,
        starts=time(9),
        ends=time(12),
        place="Room",
        level="elementary",
        capacity=1,
    )
    assert _register(series, _school(district)).status == "registered"
    assert _register(series, _school(district)).status == "waitlisted"


def test_a_cancellation_promotes_the_first_waitlisted_and_tells_them(series, district):
    a, b, c, d = (_school(district) for _ in range(4))
    first, _, third, fourth = (_register(series, s) for s in (a, b, c, d))
    workshops.cancel(first, user=None, today=AFTER_PRIORITY)
    third.refresh_from_db()
    fourth.refresh_from_db()
    assert (third.status, fourth.status) == ("registered", "waitlisted")
    email = OutboxEmail.objects.get(key=f"workshop-promoted:{third.pk}")
    assert "You have a place" in email.subject and third.registered_by.email in email.to
    # Cancelling a waitlisted one promotes nobody.
    workshops.cancel(fourth, user=None, today=AFTER_PRIORITY)
    assert OutboxEmail.objects.filter(key__startswith="workshop-promoted").count() == 1


def test_bad_registrations_are_refused_with_reasons(series, district):
    school = _school(district)
    session = series.sessions.get(level="elementary")
    # The pre-work is not asked for at registration (issue 23): meetings.prework.
    with pytest.raises(ValidationError, match="how many people"):
        workshops.register(
            series, school=school, session=session, user=None, today=AFTER_PRIORITY, people=0
        )
    secondary_session = series.sessions.get(level="secondary")
    with pytest.raises(ValidationError, match="for secondary schools"):
        workshops.register(
            series,
            school=school,
            session=secondary_session,
            user=None,
            people=6,
            prework="x",
            today=AFTER_PRIORITY,
        )
    assert not WorkshopRegistration.objects.exists()


def test_the_register_page_warns_below_a_team_of_six(client, series, district):
    school = _school(district)
    client.force_login(member(Role.PRINCIPAL, school))
    session = series.sessions.get(level="elementary")
    response = client.post(
        reverse("workshop_register", args=[series.pk, school.pk]),
        {"session": session.pk, "people": 4, "prework": "1. Math talk"},
        follow=True,
    )
    page = response.content.decode()
    assert "the guidance is a team of 6 or more" in page
    assert WorkshopRegistration.objects.get().people == 4


def test_other_districts_and_schools_cannot_reach_it(client, series, district, other_school):
    school = _school(district)
    registration = _register(series, school)
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(registration.get_absolute_url()).status_code == 404
    assert client.get(reverse("workshop_series", args=[series.pk])).status_code == 404
    assert client.get(reverse("workshop_register", args=[series.pk, school.pk])).status_code == 404
    sibling = _school(district)
    client.force_login(member(Role.PRINCIPAL, sibling))
    assert client.get(registration.get_absolute_url()).status_code == 404
    response = client.post(reverse("workshop_cancel", args=[registration.pk]), {"confirm": "on"})
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_only_district_staff_create_series_and_sessions(client, district, school_year):
    client.force_login(member(Role.CIM_LEAD, district))
    response = client.post(reverse("workshops", args=[district.pk]), {"title": "X"})
    assert response.status_code == 403


def test_district_view_and_roster_csv(client, series, district):
    designated_not_registered = _school(district)
    registered = [_register(series, _school(district), people=n) for n in (7, 9)]
    waitlisted = _register(series, _school(district))
    client.force_login(member(Role.DISTRICT_STAFF, district))
    page = client.get(reverse("workshop_series", args=[series.pk])).content.decode()
    assert "2 schools, 16 people" in page and "1 waitlisted" in page
    assert designated_not_registered.name in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("workshop_roster_csv", args=[series.pk])).content.decode()
            )
        )
    )
    schools = {row[2]: (row[4], row[5]) for row in rows[1:]}
    assert schools[registered[0].school.name] == ("Registered", "7")
    assert schools[waitlisted.school.name] == ("Waitlisted", "6")


def test_the_essa_plan_links_to_the_schools_workshop(client, series, district, school_year):
    from plans import workflow

    school = _school(district)
    registration = _register(series, school)
    principal = member(Role.PRINCIPAL, school)
    plan = workflow.start_essa_plan(school=school, year=school_year, user=principal)
    client.force_login(principal)
    assert registration.get_absolute_url() in client.get(plan.get_absolute_url()).content.decode()
    page = client.get(registration.get_absolute_url()).content.decode()
    assert reverse("school_essa", args=[school.pk]) in page


def test_a_reminder_before_the_priority_window_closes(series, district):
    school = _school(district)
    principal = member(Role.PRINCIPAL, school)
    _school(district, EssaDesignation.NONE)  # not reminded: no priority for it
    found = [d for d in deadlines.collect(on(12, 7)) if d.rule == "workshop-priority"]
    assert [(d.occasion, d.recipients) for d in found] == [
        (f"workshop-{series.pk}-7d", [principal.pk])
    ]
    _register(series, school, today=IN_PRIORITY)
    assert not [d for d in deadlines.collect(on(12, 12)) if d.rule == "workshop-priority"]


@pytest.mark.django_db(transaction=True)
def test_two_schools_taking_the_last_slot_at_once_one_gets_it(district, school_year):
    if connection.vendor != "postgresql":
        pytest.skip("real parallel transactions need PostgreSQL; CI runs this on it")
    staff = member(Role.DISTRICT_STAFF, district)
    series = workshops.create_series(
        district=district,
        year=school_year,
        user=staff,
        title="Race",
        description="",
        registration_opens=OPENS,
        priority_closes=PRIORITY,
        registration_closes=CLOSES,
        elementary_capacity=3,
    )
    session = workshops.add_session(
        series,
        user=staff,
        day=SESSION_DAY,
        starts=time(9),
        ends=time(12),
        place="Room",
        level="elementary",
    )
    for _ in range(2):
        _register(series, _school(district))
    racers = [_school(district) for _ in range(6)]
    barrier = threading.Barrier(len(racers))
    outcomes = []

    def take(school):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            outcomes.append(
                workshops.register(
                    series,
                    school=school,
                    session=session,
                    user=None,
                    people=6,
                    prework="x",
                    today=AFTER_PRIORITY,
                ).status
            )
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=take, args=(s,)) for s in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["registered"] + ["waitlisted"] * 5
    assert WorkshopRegistration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 3


def test_a_waitlisted_school_hears_what_is_taken_and_its_position(client, series, district):
    """issue 23: "the secondary places of this series are taken", and its place in line."""
    _register(series, _school(district, level=Level.HIGH))
    waiting = _school(district, level=Level.MIDDLE)
    principal = member(Role.PRINCIPAL, waiting)
    client.force_login(principal)
    session = series.sessions.get(level="secondary")
    url = reverse("workshop_register", args=[series.pk, waiting.pk])
    response = client.post(
        url,
        {"session": session.pk, "people": 5, "prework": "1. Math talk\n2. Family nights"},
        follow=True,
    )
    page = response.content.decode()
    assert "The secondary places of this series are taken: your school is number 1" in page
    assert "the session is full" not in page.lower()
    later = _register(series, _school(district, level=Level.HIGH))
    assert workshops.waitlist_position(later) == 2
    page = client.get(WorkshopRegistration.objects.get(school=waiting).get_absolute_url())
    text = page.content.decode()
    assert "your school is number 1" in text and "Yes, take us off the waitlist" in text
    assert "the place goes to the first school" not in text


def test_a_refused_registration_says_so_once(client, series, district):
    """issue 23: the window's refusal once, not three times around the form."""
    school = _school(district)
    client.force_login(member(Role.PRINCIPAL, school))
    series.registration_closes = on(12, 15)
    series.save()
    url = reverse("workshop_register", args=[series.pk, school.pk])
    response = client.post(
        url,
        {
            "session": series.sessions.get(level="elementary").pk,
            "people": 5,
            "prework": "1. Math talk",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Registration closed on") == 1
