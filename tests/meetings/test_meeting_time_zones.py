"""A meeting is entered and shown in its host district's zone (DOMAIN.md, Time). On a server in
UTC, a Denver meeting at 17:30 reads 17:30 on its page, in its e-mails, its .ics and the
families' page, and keeps 17:30 across the DST changes; a window closes at local midnight.

No PDF shows a meeting's time: the compliance PDF and the CIM progress report show its local
date only, which the November test checks in the compliance PDF (17:30 in Denver is already the
next day in UTC)."""

import io
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import services, workshops
from meetings.calendar import create_feed
from meetings.models import Meeting, RegistrationStatus
from schoolplan import deadlines
from schoolplan.models import EssaDesignation, OutboxEmail, Role, User

from ..clock import YEAR, moment, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

DENVER = ZoneInfo("America/Denver")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture(autouse=True)
def server_in_utc(settings):
    # TIME_ZONE is only where a new district starts; nothing may show times in it.
    settings.TIME_ZONE = "UTC"


@pytest.fixture
def lakeside(db):
    district = DistrictFactory(name="Lakeside", time_zone="America/Denver")
    SchoolYearFactory(district=district, start_year=YEAR)
    return district


@pytest.fixture
def school(lakeside):
    return SchoolFactory(district=lakeside, name="Aspen Elementary", public_slug="aspen")


@pytest.fixture
def principal(school):
    return member(Role.PRINCIPAL, school)


def schedule_on_the_page(client, school, day, stage="kick_off", start="17:30", end="19:00"):
    """The principal's scheduling form, as typed: the wall time where the school is."""
    response = client.post(
        reverse("schedule_cpm", args=[school.pk]),
        {
            "stage": stage,
            "date": day.isoformat(),
            "start_time": start,
            "end_time": end,
            "place": "Gym",
            "languages_offered": ["en", "es"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return Meeting.objects.get(school=school, cpm_stage=stage)


def ics_event(content):
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def assert_denver_wall_time(content, day, wall_time):
    calendar, event = ics_event(content)
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "America/Denver"
    assert event["DTEND"].params["TZID"] == "America/Denver"
    assert (start.date(), start.time()) == (day, wall_time)
    assert start == datetime.combine(day, wall_time, tzinfo=DENVER)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["America/Denver"]
    assert "TZID:America/Denver" in content.decode()


def test_a_denver_meeting_at_17_30_reads_17_30_everywhere(client, clock, school, principal):
    clock.set(on(8, 10))
    day = on(10, 14)
    client.force_login(principal)
    meeting = schedule_on_the_page(client, school, day)
    assert meeting.starts_at == moment(day, "17:30", DENVER)
    assert meeting.local_date == day

    # Its page, for the principal.
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "5:30 PM – 7:00 PM MDT" in page

    # The notice to the district's CPM contact.
    notice = OutboxEmail.objects.get(key__startswith="cpm-notice:")
    assert f"{day:%A} {day.day} October {day.year}, 5:30 PM – 7:00 PM MDT" in notice.body

    # The invitation e-mail and its calendar entry.
    teacher = member(Role.SCHOOL_STAFF, school)
    response = client.post(reverse("meeting_invite", args=[meeting.pk]), {"people": [teacher.pk]})
    assert response.status_code == 302
    invitation = OutboxEmail.objects.get(key__startswith="invitation:")
    assert "5:30 PM – 7:00 PM MDT" in invitation.body
    assert_denver_wall_time(invitation.attachment_content.encode(), day, time(17, 30))

    # The .ics download and the school's private feed.
    response = client.get(reverse("meeting_ics", args=[meeting.pk]))
    assert_denver_wall_time(response.content, day, time(17, 30))
    feed = create_feed(school, principal)
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert_denver_wall_time(response.content, day, time(17, 30))
    assert "X-WR-TIMEZONE:America/Denver" in response.content.decode()

    # The families' page, in English and Spanish, and its calendar file (no login).
    client.logout()
    english = client.get(reverse("family_school", args=[school.public_slug])).content.decode()
    assert "5:30 p.m.–7 p.m." in english
    spanish = client.get(
        reverse("family_school_in", args=[school.public_slug, "es"])
    ).content.decode()
    assert "17:30–19:00" in spanish
    response = client.get(reverse("family_meeting_ics", args=[school.public_slug, meeting.pk]))
    assert_denver_wall_time(response.content, day, time(17, 30))

    # Tomorrow's-meeting reminder, the evening before (the invited teacher).
    [reminder] = [
        d
        for d in deadlines.collect(day - timedelta(days=1))
        if d.rule == "meeting-tomorrow" and d.subject == f"meeting:{meeting.pk}"
    ]
    assert reminder.title.endswith(", 5:30 PM MDT") and teacher.pk in reminder.recipients


def test_an_administrator_elsewhere_types_and_reads_the_meeting_in_its_district(
    client, clock, school, principal
):
    """A superuser has no district (no zone of their own): the form and the page still use the
    meeting's district's zone, not the server's."""
    clock.set(on(8, 10))
    admin = User.objects.create_superuser("admin", "admin@example.org", "a-long-password-1")
    client.force_login(admin)
    day = on(10, 14)
    meeting = schedule_on_the_page(client, school, day)
    assert meeting.starts_at == moment(day, "17:30", DENVER)
    assert "5:30 PM – 7:00 PM" in client.get(meeting.get_absolute_url()).content.decode()
    edit = client.get(reverse("meeting_edit", args=[meeting.pk])).content.decode()
    assert 'value="17:30"' in edit and "Local time in America/Denver" in edit


@pytest.mark.parametrize(
    ("stage", "day", "zone_name", "in_utc"),
    [
        # After the US change to summer time (second Sunday of March): UTC-6.
        ("check_in", on(3, 15), "MDT", time(23, 30)),
        # After the change back (first Sunday of November): UTC-7, the next day in UTC.
        ("kick_off", on(11, 16), "MST", time(0, 30)),
    ],
)
def test_a_meeting_keeps_its_wall_time_across_dst(
    client, clock, school, principal, stage, day, zone_name, in_utc
):
    clock.set(on(8, 10))
    client.force_login(principal)
    meeting = schedule_on_the_page(client, school, day, stage=stage)
    assert meeting.starts_at == moment(day, "17:30", DENVER)
    assert meeting.starts_at.astimezone(ZoneInfo("UTC")).time() == in_utc
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f"5:30 PM – 7:00 PM {zone_name}" in page
    response = client.get(reverse("meeting_ics", args=[meeting.pk]))
    assert_denver_wall_time(response.content, day, time(17, 30))
    # The form to move it shows the 17:30 that was typed.
    edit = client.get(reverse("meeting_edit", args=[meeting.pk])).content.decode()
    assert 'value="17:30"' in edit and f'value="{day.isoformat()}"' in edit


def test_a_november_evening_in_denver_is_dated_locally_in_the_compliance_pdf(
    client, clock, school, principal
):
    """17:30 on 16 November in Denver is 00:30 on the 17th in UTC: the PDF says 16 Nov."""
    clock.set(on(8, 10))
    day = on(11, 16)
    services.schedule_cpm_meeting(
        user=principal,
        school=school,
        stage="kick_off",
        starts_at=moment(day, "17:30", DENVER),
        ends_at=moment(day, "19:00", DENVER),
        place="Gym",
    )
    assert moment(day, "17:30", DENVER).astimezone(ZoneInfo("UTC")).date() == day + timedelta(1)
    client.force_login(member(Role.DISTRICT_STAFF, school.district))
    response = client.post(
        reverse("compliance_pdf", args=[school.district.pk]), {"year": str(YEAR)}
    )
    # The worker renders it wherever it runs, in whatever zone is active there: here, UTC.
    from django.utils import timezone

    from schoolplan import pdf_jobs

    with timezone.override(ZoneInfo("UTC")):
        job = pdf_jobs.run_pdf_job(int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(bytes(job.pdf))).pages)
    assert "Scheduled 16 Nov" in text


@pytest.fixture
def riverbend(db):
    district = DistrictFactory(name="Riverbend Unified", time_zone="America/Los_Angeles")
    SchoolYearFactory(district=district, start_year=YEAR)
    return district


def test_a_kick_off_at_23_30_on_the_last_day_in_los_angeles_is_in_its_window(
    client, clock, riverbend
):
    """The Kick Off window closes on 30 November at midnight in Los Angeles; 23:30 that
    evening is 07:30 on 1 December in UTC and still in the window."""
    clock.set(on(11, 20))
    school = SchoolFactory(district=riverbend, name="Valdez Elementary")
    principal = member(Role.PRINCIPAL, school)
    client.force_login(principal)
    last_day = on(11, 30)
    meeting = schedule_on_the_page(client, school, last_day, start="23:30", end="23:59")
    assert meeting.starts_at == moment(last_day, "23:30", LOS_ANGELES)
    assert meeting.starts_at.astimezone(ZoneInfo("UTC")).date() == on(12, 1)
    assert meeting.local_date == last_day
    # Half an hour later it is 1 December where the school is: outside the window.
    with pytest.raises(ValidationError, match="outside it"):
        services.update_meeting(
            meeting,
            user=principal,
            starts_at=moment(on(12, 1), "00:30", LOS_ANGELES),
            ends_at=moment(on(12, 1), "01:30", LOS_ANGELES),
        )


def test_at_07_30_utc_on_1_december_the_kick_off_window_is_open_in_la_and_closed_in_denver(
    client, clock, riverbend, lakeside
):
    clock.set(datetime.combine(on(12, 1), time(7, 30), tzinfo=ZoneInfo("UTC")))
    valdez = SchoolFactory(district=riverbend, name="Valdez Elementary")
    aspen = SchoolFactory(district=lakeside, name="Aspen Elementary")
    states = {}
    for school in (valdez, aspen):
        client.force_login(member(Role.PRINCIPAL, school))
        response = client.get(reverse("cpm_year", args=[school.pk]))
        glance = response.context["glance"]
        states[school.name] = next(r.state for r in glance.requirements if r.key == "kick_off")
    assert states == {"Valdez Elementary": "due", "Aspen Elementary": "missed"}


@pytest.fixture
def des_moines(db):
    district = DistrictFactory(name="Des Moines Public Schools", time_zone="America/Chicago")
    SchoolYearFactory(district=district, start_year=YEAR)
    return district


def test_workshop_sessions_are_typed_and_mailed_in_the_districts_zone(client, clock, des_moines):
    clock.set(on(11, 2))
    staff = member(Role.DISTRICT_STAFF, des_moines)
    series = workshops.create_series(
        district=des_moines,
        year=des_moines.school_years.get(),
        user=staff,
        title="Collaborative problem solving",
        description="",
        registration_opens=on(12, 1),
        priority_closes=on(12, 14),
        registration_closes=on(1, 15),
        elementary_capacity=1,
        secondary_capacity=1,
    )
    client.force_login(staff)
    response = client.post(
        reverse("workshop_series", args=[series.pk]),
        {
            "session-day": on(2, 2).isoformat(),
            "session-starts": "09:00",
            "session-ends": "12:00",
            "session-place": "District office",
            "session-level": "elementary",
        },
    )
    assert response.status_code == 302
    session = series.sessions.get()
    assert session.meeting.starts_at == moment(on(2, 2), "09:00", CHICAGO)
    page = client.get(reverse("workshop_series", args=[series.pk])).content.decode()
    assert "9:00 AM–12:00 PM" in page  # issue 23: 12-hour times in English

    # The priority window closes at midnight in Des Moines: at 20:00 there on its last day
    # (02:00 the next day in UTC) a school without an ESSA designation still waits.
    clock.set(moment(on(12, 14), "20:00", CHICAGO))
    plain = SchoolFactory(district=des_moines, essa_designation=EssaDesignation.NONE)
    with pytest.raises(ValidationError, match="ESSA designation only"):
        workshops.register(
            series,
            school=plain,
            session=session,
            user=member(Role.PRINCIPAL, plain),
            people=6,
            prework="1. Math talk",
        )

    clock.set(on(12, 20))
    first, second = (SchoolFactory(district=des_moines) for _ in range(2))
    registrations = [
        workshops.register(
            series,
            school=school,
            session=session,
            user=member(Role.PRINCIPAL, school),
            people=6,
            prework="1. Math talk",
        )
        for school in (first, second)
    ]
    assert [r.status for r in registrations] == [
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
    ]
    workshops.cancel(registrations[0], user=None)
    email = OutboxEmail.objects.get(key=f"workshop-promoted:{registrations[1].pk}")
    assert f"on 2 February {on(2, 2).year} at 9:00 AM CST" in email.body
