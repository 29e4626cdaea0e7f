"""Every date rule of a district is read on its own calendar (DOMAIN.md, Time), on a server that
runs in UTC: a window closes at local midnight, May 15 ends at midnight where the school is, the
digest goes out at 07:00 local, and pages, exports and reports show the district's dates.

The districts: Riverbend Unified (America/Los_Angeles), Lakeside (America/Denver) and Des Moines
(America/Chicago). Every date is stated relative to the school year the test builds (YEAR)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.dateformat import format as format_date

from meetings.cpm import cpm_year
from meetings.models import ActionItem, Meeting, MeetingStatus, MeetingType
from plans import export, workflow
from progress import compliance
from progress.models import ProgressReport, ReportStatus
from progress.reports import content as report_content
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from progress.templatetags.progress_tags import isodate
from schoolplan import clock as app_clock
from schoolplan import deadlines, reminders
from schoolplan.attention import cards_for
from schoolplan.models import (
    CimStatus,
    EssaDesignation,
    NotificationSettings,
    OutboxEmail,
    Reminder,
    Role,
    SchoolYear,
)

from ..clock import YEAR, moment, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from ..school_plan_helpers import complete_plan

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

UTC = ZoneInfo("UTC")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
DENVER = ZoneInfo("America/Denver")
CHICAGO = ZoneInfo("America/Chicago")

KICK_OFF_OPEN = r'window open">\s*<div class="fw-semibold">Kick Off</div>'


@pytest.fixture(autouse=True)
def server_in_utc(settings):
    # TIME_ZONE is only where a new district starts: no date may be read in it.
    settings.TIME_ZONE = "UTC"


def district_in(name, zone, **fields):
    fields.setdefault("cim_status", CimStatus.NONE)
    district = DistrictFactory(name=name, time_zone=zone.key, **fields)
    return district, SchoolYearFactory(district=district, start_year=YEAR)


def texts(cards):
    return [item.title for card in cards for item in card.items]


# --- (a) A window closes at midnight where the district is ------------------------------------


def test_a_window_closing_at_midnight_in_los_angeles_is_open_there_and_closed_in_denver(
    clock, client
):
    places = {}
    for name, zone in (("Riverbend Unified", LOS_ANGELES), ("Lakeside", DENVER)):
        district, year = district_in(name, zone)
        SchoolYear.objects.filter(pk=year.pk).update(kick_off_closes=on(11, 30))
        year.refresh_from_db()
        school = SchoolFactory(district=district, name=f"{name} Elementary")
        staff = member(Role.DISTRICT_STAFF, district)
        places[name] = (district, year, school, member(Role.PRINCIPAL, school), staff)
    # 30 Nov ends at midnight in Los Angeles, 08:00 UTC: at 07:30 UTC it is 23:30 there, and
    # already 00:30 on 1 Dec in Denver.
    clock.set(moment(on(12, 1), "07:30", UTC))
    assert clock.now() < moment(on(11, 30), "23:59", LOS_ANGELES) + timedelta(minutes=1)

    district, year, school, principal, staff = places["Riverbend Unified"]
    assert app_clock.today(district) == on(11, 30)
    kick_off = compliance.compute(district, year)[0].cells["kick_off"]
    assert (kick_off.state, kick_off.text) == ("due", "Nothing scheduled, closes 30 Nov")
    assert cpm_year(school, year, app_clock.today(school)).requirements[0].state == "due"
    [card] = cards_for(staff)
    assert card.today == on(11, 30)
    assert [d.rule for d in deadlines.for_user(principal) if "Kick Off" in d.title] == [
        "cpm-window"
    ]
    client.force_login(staff)
    assert re.search(KICK_OFF_OPEN, client.get(reverse("home")).content.decode())

    district, year, school, principal, staff = places["Lakeside"]
    assert app_clock.today(district) == on(12, 1)
    kick_off = compliance.compute(district, year)[0].cells["kick_off"]
    assert (kick_off.state, kick_off.text) == ("missed", "Missed")
    assert cpm_year(school, year, app_clock.today(school)).requirements[0].state == "missed"
    [card] = cards_for(staff)
    assert card.today == on(12, 1)
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    assert not re.search(KICK_OFF_OPEN, page)
    assert re.search(r'window open">\s*<div class="fw-semibold">Check In</div>', page)
    assert [d.rule for d in deadlines.for_user(principal) if "Kick Off" in d.title] == [
        "cpm-missed"
    ]
    client.force_login(staff)
    assert "The Kick Off window is open" not in client.get(reverse("home")).content.decode()

    # The sweep reads each district on its own day: only Riverbend is reminded.
    kick_off_reminders = [
        d.subject for d in deadlines.collect_local() if "Kick Off" in d.title and d.occasion
    ]
    assert kick_off_reminders == [f"school:{places['Riverbend Unified'][2].pk}"]


# --- (b) May 15 ends at midnight in Des Moines ------------------------------------------------


@pytest.mark.parametrize(
    ("day", "wall_time", "late"), [((5, 15), "23:30", False), ((5, 16), "00:30", True)]
)
def test_the_essa_plan_is_late_after_midnight_in_the_schools_zone(clock, day, wall_time, late):
    district, year = district_in("Des Moines Public Schools", CHICAGO)
    school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    principal = member(Role.PRINCIPAL, school)
    clock.set(moment(on(4, 20), "10:00", CHICAGO))
    plan = complete_plan(school, year, principal)
    assert plan.due_on == on(5, 15)

    submitted = clock.set(moment(on(*day), wall_time, CHICAGO))
    assert submitted.astimezone(UTC).date() == on(5, 16)  # May 16 in UTC either way
    assert workflow.is_late(plan) is late
    plan = workflow.submit(plan, user=principal)
    assert plan.submitted_late is late

    cell = compliance.compute(district, year)[0].cells["essa"]
    if late:
        assert (cell.state, cell.text) == ("late", "Submitted late 16 May")
    else:
        assert (cell.state, cell.text) == ("met", "Submitted 15 May")
    # The export for the state system says when, in the school's wall time (CDT in May).
    rows = export.essa_content(export.load(plan.pk))
    assert ("Plan", "", "", "Submitted", f"{on(*day).isoformat()}T{wall_time}-05:00") in rows


# --- (c) The digest goes out at 07:00 in each district -----------------------------------------


def _principal_with_a_task(name, zone, due_on, digest=True):
    district, year = district_in(name, zone)
    school = SchoolFactory(district=district, name=f"{name} Elementary")
    principal = member(Role.PRINCIPAL, school)
    NotificationSettings.objects.create(user=principal, digest=digest)
    meeting = Meeting.objects.create(
        district=district,
        school=school,
        school_year=year,
        meeting_type=MeetingType.CPM,
        cpm_stage="check_in",
        title="Check In",
        starts_at=moment(on(12, 10), "17:30", zone),
        ends_at=moment(on(12, 10), "19:00", zone),
        status=MeetingStatus.HELD,
    )
    ActionItem.objects.create(
        meeting=meeting, description=f"Send the {name} flyer", owner=principal, due_on=due_on
    )
    return principal, meeting


def _digests():
    return set(OutboxEmail.objects.filter(key__startswith="digest:").values_list("key", flat=True))


def test_the_digest_goes_out_at_seven_local_time_in_each_district(clock):
    day = on(1, 12)  # both in standard time: 07:00 is 15:00 UTC in LA, 14:00 UTC in Denver
    clock.set(moment(day, "12:00", UTC))
    principals = {
        zone: _principal_with_a_task(name, zone, day + timedelta(days=1))[0]
        for name, zone in (("Riverbend Unified", LOS_ANGELES), ("Lakeside", DENVER))
    }
    sent_at = {}
    for hour in range(24):  # the beat, every hour of a day
        clock.set(moment(day, "12:00", UTC) + timedelta(hours=hour))
        reminders.sweep()
        reminders.send_digests()
        for key in _digests() - set(sent_at):
            sent_at[key] = clock.now()
    assert sent_at == {
        f"digest:{principal.pk}:{day.isoformat()}": moment(day, "07:00", zone)
        for zone, principal in principals.items()
    }
    [digest] = OutboxEmail.objects.filter(key__startswith=f"digest:{principals[DENVER].pk}:")
    assert "Send the Lakeside flyer" in digest.body
    assert format_date(day, "d M Y") in digest.subject


def test_a_second_digest_run_the_same_local_day_sends_nothing_more(clock):
    day = on(1, 12)
    clock.set(moment(day, "06:00", DENVER))
    principal, meeting = _principal_with_a_task("Lakeside", DENVER, day + timedelta(days=1))
    reminders.sweep()
    clock.set(moment(day, "07:00", DENVER))
    assert reminders.send_digests() == 1
    assert reminders.send_digests() == 0
    # A task recorded after this morning's digest waits for tomorrow's.
    clock.set(moment(day, "07:40", DENVER))
    ActionItem.objects.create(
        meeting=meeting, description="Print the agenda", owner=principal, due_on=day
    )
    ActionItem.objects.create(
        meeting=meeting,
        description="Book the room",
        owner=principal,
        due_on=day + timedelta(days=1),
    )
    reminders.sweep()
    assert reminders.send_digests() == 0
    assert Reminder.objects.filter(recipient=principal, email_key="").count() == 1
    clock.set(moment(day + timedelta(days=1), "07:00", DENVER))
    assert reminders.send_digests() == 1
    newest = OutboxEmail.objects.get(key=f"digest:{principal.pk}:{day + timedelta(days=1)}")
    assert "Book the room" in newest.body and "Send the Lakeside flyer" not in newest.body


def test_the_sweep_in_several_zones_reads_in_bulk_whatever_the_number_of_schools(clock):
    clock.set(moment(on(11, 27), "12:00", UTC))  # 3 days before the Kick Off window closes
    districts = [district_in(name, zone)[0] for name, zone in (("A", LOS_ANGELES), ("B", DENVER))]

    def add_schools(count):
        for district in districts:
            for _ in range(count):
                member(Role.PRINCIPAL, SchoolFactory(district=district))

    def statements():
        Reminder.objects.all().delete()
        OutboxEmail.objects.all().delete()
        with CaptureQueriesContext(connection) as context:
            reminders.sweep()
        # SQLite splits a long INSERT into batches; everything else is the same statement.
        return [
            q["sql"].split()[0]
            for q in context.captured_queries
            if not q["sql"].startswith("INSERT")
        ]

    add_schools(2)
    few = statements()
    add_schools(20)
    assert statements() == few
    assert Reminder.objects.count() == 44  # each principal reminded, on their district's day


# --- (d) A Denver district's pages and reports, on a server in UTC ------------------------------


def test_a_denver_districts_pages_show_its_dates_and_times(clock, client):
    district, year = district_in("Lakeside", DENVER)
    school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    principal = member(Role.PRINCIPAL, school)
    clock.set(moment(on(11, 20), "09:00", DENVER))
    plan = complete_plan(school, year, principal)
    clock.set(moment(on(11, 20), "17:30", DENVER))  # 00:30 UTC on 21 Nov
    workflow.submit(plan, user=principal)
    clock.set(moment(on(12, 1), "20:00", DENVER))  # 03:00 UTC on 2 Dec

    client.force_login(principal)
    home = client.get(reverse("home")).content.decode()
    assert f"Today is {format_date(on(12, 1), 'l j F Y')}." in home
    page = client.get(reverse("essa_plan", args=[plan.pk])).content.decode()
    assert f"Submitted {format_date(on(11, 20), 'j M Y')}, 5:30 PM by" in page
    csv = client.get(reverse("essa_export", args=[plan.pk, "csv"])).content.decode()
    assert f"{on(11, 20).isoformat()}T17:30-07:00" in csv

    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.get(reverse("compliance", args=[district.pk]))
    assert response.context["as_of"] == on(12, 1)
    assert f"As of {format_date(on(12, 1), 'j F Y')}" in response.content.decode()
    exported = client.get(reverse("compliance", args=[district.pk]), {"format": "csv"})
    assert "Submitted 20 Nov" in exported.content.decode()


def test_a_progress_report_is_on_time_until_midnight_in_the_district(clock):
    district, year = district_in("Lakeside", DENVER, cim_status=CimStatus.INTENSIVE_1)
    lead = member(Role.CIM_LEAD, district)
    due = next(d for d in report_periods.ensure_due_dates(district, year) if d.number == 2)
    assert due.due_on == on(1, 15)
    clock.set(moment(on(1, 14), "22:30", DENVER))  # 05:30 UTC on 15 Jan
    report = report_workflow.sign_off(report_workflow.start_report(due, user=lead), user=lead)
    content = report_content.build_content(report)
    assert content["signed_off_at"].startswith(on(1, 14).isoformat())
    with app_clock.zone(content["lea"]["time_zone"]):
        assert isodate(content["signed_off_at"], "j F") == "14 January"

    late_evening = moment(on(1, 15), "22:30", DENVER)  # 05:30 UTC on 16 Jan
    ProgressReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.SUBMITTED, submitted_at=late_evening
    )
    clock.set(late_evening + timedelta(hours=2))
    [state] = [
        s
        for s in report_periods.due_states(
            report_periods.dues_for(district, year), app_clock.today(district)
        )
        if s.due.number == 2
    ]
    assert state.state == "submitted"
    assert state.message == f"Submitted {on(1, 15):%-d %b %Y}"


# --- (e) The dashboard's "as of" and the CIM months follow the district's date ----------------


@pytest.mark.parametrize(
    ("zone", "as_of", "elapsed"), [(LOS_ANGELES, (1, 31), 6), (DENVER, (2, 1), 7)]
)
def test_the_dashboards_cim_as_of_is_the_districts_date(clock, client, zone, as_of, elapsed):
    district, year = district_in("CIM district", zone, cim_status=CimStatus.INTENSIVE_1)
    # 07:30 UTC on 1 Feb: 23:30 on 31 Jan in Los Angeles, 00:30 on 1 Feb in Denver.
    clock.set(moment(on(2, 1), "07:30", UTC))
    client.force_login(member(Role.DISTRICT_STAFF, district))
    response = client.get(reverse("compliance", args=[district.pk]))
    assert response.context["as_of"] == on(*as_of)
    reviews = response.context["district_cells"]["reviews"]
    assert reviews.text.startswith(f"0 of {elapsed} months held")
    assert compliance.district_cells(district, year)["reviews"].text == reviews.text
