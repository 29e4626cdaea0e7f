"""District staff start the next school year from the current one; between two years every page
says what comes next (issue 17, part 3; schoolplan/next_year.py, schoolplan/between_years.py)."""

import calendar
import html
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import workshops
from meetings.models import AssessmentPoint, SchoolClass, WorkshopSeries
from progress.models import ReportDue
from schoolplan import cim_levels, deadlines, next_year
from schoolplan.attention import cards_for
from schoolplan.models import (
    AuditEvent,
    CimStatus,
    CimTeam,
    EssaDesignation,
    Role,
    School,
    SchoolYear,
    default_dates,
)
from schoolplan.next_year import a_year_on, proposed_dates, start_next_year

from ..cap_helpers import make_class, make_point
from ..clock import YEAR, on, year_name
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

JUNE = on(6, 10)  # the current school year's June: district staff start the next one
NEXT = year_name(YEAR + 1)


@pytest.fixture
def staff(district):
    return member(Role.DISTRICT_STAFF, district)


@pytest.fixture
def principal(school):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def year(school_year, clock):
    clock.set(JUNE)
    return school_year


def texts(cards):
    return [item.title for card in cards for item in card.items]


def start(year, user, **dates):
    return start_next_year(
        year, user=user, dates={**proposed_dates(year), **dates}, today=on(6, 10)
    )


# --- The dates --------------------------------------------------------------------------------


def test_the_dates_move_a_year_on_keeping_the_districts_changes(district):
    year = SchoolYearFactory(
        district=district,
        spf_sharing_opens=on(10, 1),
        essa_plan_due=on(5, 1),  # the district moved the ESSA due date from May 15
        wrap_up_closes=on(6, 15),
    )
    dates = proposed_dates(year)
    assert dates["spf_sharing_opens"] == on(10, 1, start_year=YEAR + 1)
    assert dates["essa_plan_due"] == on(5, 1, start_year=YEAR + 1)
    assert dates["wrap_up_closes"] == on(6, 15, start_year=YEAR + 1)
    assert dates["kick_off_opens"] == on(8, 1, start_year=YEAR + 1)


def test_29_february_falls_back_to_the_default(district):
    # A school year whose spring has a 29 February, set as the Check In's last day.
    leap = next(y for y in range(YEAR, YEAR + 8) if calendar.isleap(y + 1))
    year = SchoolYearFactory(
        district=district, start_year=leap, check_in_closes=date(leap + 1, 2, 29)
    )
    assert a_year_on(date(leap + 1, 2, 29)) is None
    dates = proposed_dates(year)
    assert dates["check_in_closes"] == default_dates(leap + 1)["check_in_closes"]


# --- Starting it ------------------------------------------------------------------------------


@pytest.fixture
def full_year(year, district, school, principal, staff):
    """The current year with everything that carries over: a CIM team, CAP classes and points,
    a workshop series."""
    lead = member(Role.CIM_LEAD, district)
    colleague = member(Role.CIM_MEMBER, district)
    provider = member(Role.TA_PROVIDER, district)
    team = CimTeam.objects.create(
        district=district, school_year=year, lead=lead, ta_provider=provider
    )
    team.members.set([lead, colleague])
    teacher = member(Role.SCHOOL_STAFF, school)
    leader = member(Role.SCHOOL_STAFF, school)
    make_class(school, year, teacher, name="3B", co_leaders=[leader])
    make_point(school, year, name="Autumn summative", day=on(11, 2))
    make_point(school, year, name="Spring summative", day=on(3, 20))
    workshops.create_series(
        district=district,
        year=year,
        user=staff,
        title="Collaborative problem solving",
        registration_opens=on(9, 1),
        priority_closes=on(9, 15),
        registration_closes=on(10, 1),
        elementary_capacity=24,
        secondary_capacity=11,
    )
    return year


def test_start_creates_the_year_with_its_windows(full_year, staff):
    started = start(full_year, staff)
    new = started.year
    assert new.start_year == YEAR + 1
    assert new.district == full_year.district
    assert (new.kick_off_opens, new.essa_plan_due) == (
        on(8, 1, start_year=YEAR + 1),
        on(5, 15, start_year=YEAR + 1),
    )
    assert AuditEvent.objects.filter(action="school_year_started").count() == 1


def test_the_cim_team_carries_over(full_year, staff):
    old_team = CimTeam.objects.get(school_year=full_year)
    new = start(full_year, staff).year
    team = CimTeam.objects.get(school_year=new)
    assert team.lead == old_team.lead
    assert set(team.members.all()) == set(old_team.members.all())
    assert team.ta_provider == old_team.ta_provider


def test_a_lead_who_left_is_not_carried_over(full_year, staff):
    team = CimTeam.objects.get(school_year=full_year)
    team.lead.memberships.all().delete()
    started = start(full_year, staff)
    assert not CimTeam.objects.filter(school_year=started.year).exists()
    assert any("is no longer a CIM team lead" in line for line in started.carried)


def test_report_due_dates_are_recomputed_from_the_status(full_year, staff, district):
    # Changed during the year: twice a year now (the new year starts with the level in force
    # at the end of the old one, schoolplan/cim_levels.py).
    cim_levels.change_level(
        district, status=CimStatus.TARGETED_2, effective_on=on(1, 1), user=staff
    )
    new = start(full_year, staff).year
    dues = ReportDue.objects.filter(school_year=new).order_by("number")
    # seed 001: Targeted reports twice a year, due 31 days after each half (progress/reports.py).
    assert [d.due_on for d in dues] == [
        date(YEAR + 2, 1, 31),
        date(YEAR + 2, 7, 31),
    ]
    district.refresh_from_db()
    assert district.cim_status == CimStatus.TARGETED_2


def test_family_languages_and_the_status_stay(full_year, staff, school):
    school.family_languages = ["en", "es", "vi"]
    school.save()
    start(full_year, staff)
    school.refresh_from_db()
    assert school.family_languages == ["en", "es", "vi"]


def test_classes_and_points_are_copied_unconfirmed(full_year, staff, school):
    new = start(full_year, staff).year
    [copy] = SchoolClass.objects.filter(school_year=new)
    old = SchoolClass.objects.get(school_year=full_year)
    assert (copy.name, copy.grade, copy.teacher, copy.confirmed) == (
        "3B",
        "Grade 3",
        old.teacher,
        False,
    )
    assert copy.carried_over_from == old
    assert list(copy.co_leaders.all()) == list(old.co_leaders.all())
    points = AssessmentPoint.objects.filter(school_year=new).order_by("date")
    assert [(p.name, p.date, p.confirmed) for p in points] == [
        ("Autumn summative", on(11, 2, start_year=YEAR + 1), False),
        ("Spring summative", on(3, 20, start_year=YEAR + 1), False),
    ]


def test_a_class_whose_teacher_left_is_not_copied(full_year, staff, school):
    SchoolClass.objects.get(school_year=full_year).teacher.memberships.all().delete()
    started = start(full_year, staff)
    assert not SchoolClass.objects.filter(school_year=started.year).exists()
    assert any("the teacher has left the school" in line for line in started.carried)


def test_workshop_series_keep_their_priority_window_a_year_on(full_year, staff):
    new = start(full_year, staff).year
    [series] = WorkshopSeries.objects.filter(school_year=new)
    assert (series.registration_opens, series.priority_closes, series.registration_closes) == (
        on(9, 1, start_year=YEAR + 1),
        on(9, 15, start_year=YEAR + 1),
        on(10, 1, start_year=YEAR + 1),
    )
    assert (series.elementary_capacity, series.secondary_capacity) == (24, 11)
    assert not series.sessions.exists()


def test_a_copied_series_reminds_no_one_until_it_has_sessions(full_year, staff, school):
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    new = start(full_year, staff).year
    series = WorkshopSeries.objects.get(school_year=new)
    day = series.priority_closes - timedelta(days=2)
    assert not [d for d in deadlines.collect(day) if d.rule == "workshop-priority"]


def test_nothing_of_the_old_year_changes(full_year, staff):
    def snapshot():
        year = SchoolYear.objects.get(pk=full_year.pk)
        return (
            [getattr(year, name) for name in default_dates(YEAR)],
            list(SchoolClass.objects.filter(school_year=year).values_list("name", "confirmed")),
            list(AssessmentPoint.objects.filter(school_year=year).values_list("date", "confirmed")),
            list(WorkshopSeries.objects.filter(school_year=year).values_list("priority_closes")),
            list(CimTeam.objects.filter(school_year=year).values_list("lead", "members")),
        )

    before = snapshot()
    start(full_year, staff)
    assert snapshot() == before


def test_a_second_start_is_refused(year, staff):
    start(year, staff)
    with pytest.raises(ValidationError, match=f"{NEXT} school year has already been started"):
        start(year, staff)
    assert SchoolYear.objects.filter(start_year=YEAR + 1).count() == 1


def test_a_failure_creates_nothing(full_year, staff, monkeypatch):
    def broken(old, new, *, user):
        raise RuntimeError("disk full")

    monkeypatch.setattr(
        next_year, "CARRY_OVERS", [*next_year.CARRY_OVERS, next_year.CarryOver(list, broken)]
    )
    with pytest.raises(RuntimeError):
        start(full_year, staff)
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()
    assert CimTeam.objects.count() == 1
    assert SchoolClass.objects.count() == 1


def test_invalid_dates_are_refused_with_the_window_named(year, staff):
    with pytest.raises(ValidationError, match="The Check In window must open after the Kick Off"):
        start(year, staff, check_in_opens=on(11, 1, start_year=YEAR + 1))
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()


# --- The page ---------------------------------------------------------------------------------


def url(year):
    return reverse("school_year_next", args=[year.district_id, year.pk])


def test_the_form_is_prefilled_a_year_on(client, year, staff):
    client.force_login(staff)
    response = client.get(url(year))
    assert response.status_code == 200
    assert f'value="{on(8, 1, start_year=YEAR + 1):%Y-%m-%d}"'.encode() in response.content
    assert b"What carries over" in response.content


def test_district_page_offers_the_start(client, year, staff):
    client.force_login(staff)
    response = client.get(reverse("district_detail", args=[year.district_id]))
    assert f"Start {NEXT} from {year.name}".encode() in response.content


def test_a_check_comes_before_the_year_is_created(client, year, staff):
    client.force_login(staff)
    dates = {k: f"{v:%Y-%m-%d}" for k, v in proposed_dates(year).items()}
    response = client.post(url(year), dates)
    assert response.status_code == 200
    assert f"Check, then start {NEXT}".encode() in response.content
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()
    response = client.post(url(year), {**dates, "confirmed": "1"})
    assert response.status_code == 302
    assert SchoolYear.objects.filter(district=year.district, start_year=YEAR + 1).exists()
    page = client.get(response["Location"]).content.decode()
    assert f"School year {NEXT} started." in page


def test_a_bad_date_is_shown_on_the_form(client, year, staff):
    client.force_login(staff)
    dates = {k: f"{v:%Y-%m-%d}" for k, v in proposed_dates(year).items()}
    dates["wrap_up_closes"] = f"{date(YEAR + 2, 7, 15):%Y-%m-%d}"
    response = client.post(url(year), {**dates, "confirmed": "1"})
    assert response.status_code == 200
    assert "The Wrap Up window must close within the school year" in response.content.decode()
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()


def test_a_second_start_from_the_page_says_so(client, year, staff):
    start(year, staff)
    client.force_login(staff)
    response = client.get(url(year), follow=True)
    assert f"{NEXT} school year has already been started".encode() in response.content


def test_another_districts_staff_get_404(client, year):
    client.force_login(member(Role.DISTRICT_STAFF, DistrictFactory()))
    assert client.get(url(year)).status_code == 404
    assert client.post(url(year), {"confirmed": "1"}).status_code == 404


def test_a_principal_gets_404_and_the_cim_lead_403(client, year, principal):
    client.force_login(principal)
    assert client.get(url(year)).status_code == 404
    client.force_login(member(Role.CIM_LEAD, year.district))
    assert client.get(url(year)).status_code == 403
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()


# --- The principal confirms the copies --------------------------------------------------------


@pytest.fixture
def copies(full_year, staff):
    return start(full_year, staff).year


def confirm_url(school):
    return reverse("cap_carried_over", args=[school.pk])


def test_principal_sees_the_copies_labelled_and_confirms_them(client, copies, school, principal):
    client.force_login(principal)
    overview = reverse("cap_overview", args=[school.pk])
    page = client.get(overview).content.decode()  # June: this year's page points to the next
    assert f"carried over into {NEXT} wait for the principal to confirm them" in page
    page = client.get(f"{overview}?year={YEAR + 1}").content.decode()
    assert "Carried over from" in page and "not confirmed yet" in page
    klass = SchoolClass.objects.get(school_year=copies)
    assert (
        "Carried over: not confirmed yet" in client.get(klass.get_absolute_url()).content.decode()
    )
    response = client.post(confirm_url(school), {"year": YEAR + 1, "confirm": f"class:{klass.pk}"})
    assert response.status_code == 302
    klass.refresh_from_db()
    assert klass.confirmed
    client.post(confirm_url(school), {"year": YEAR + 1, "confirm": "all"})
    assert not AssessmentPoint.objects.filter(school_year=copies, confirmed=False).exists()
    page = client.get(f"{overview}?year={YEAR + 1}").content.decode()
    assert "not confirmed yet" not in page


def test_principal_removes_a_copy(client, copies, school, principal):
    client.force_login(principal)
    point = AssessmentPoint.objects.filter(school_year=copies).first()
    client.post(confirm_url(school), {"year": YEAR + 1, "remove": f"point:{point.pk}"})
    assert not AssessmentPoint.objects.filter(pk=point.pk).exists()
    assert AssessmentPoint.objects.filter(pk=point.carried_over_from_id).exists()


def test_a_copy_whose_teacher_left_cannot_be_confirmed(client, copies, school, principal):
    klass = SchoolClass.objects.get(school_year=copies)
    klass.teacher.memberships.all().delete()
    client.force_login(principal)
    response = client.post(
        confirm_url(school), {"year": YEAR + 1, "confirm": f"class:{klass.pk}"}, follow=True
    )
    assert "the teacher is no longer on" in response.content.decode()
    klass.refresh_from_db()
    assert not klass.confirmed


def test_only_the_principal_confirms(client, copies, school, district):
    klass = SchoolClass.objects.get(school_year=copies)
    client.force_login(member(Role.SCHOOL_STAFF, school))
    assert client.post(confirm_url(school), {"year": YEAR + 1, "confirm": "all"}).status_code == 403
    other = SchoolFactory(district=DistrictFactory())
    client.force_login(member(Role.PRINCIPAL, other))
    assert client.post(confirm_url(school), {"year": YEAR + 1, "confirm": "all"}).status_code == 404
    response = client.post(confirm_url(other), {"year": YEAR + 1, "confirm": f"class:{klass.pk}"})
    assert response.status_code == 404  # the other district has no such year
    klass.refresh_from_db()
    assert not klass.confirmed


def test_the_principals_home_card_points_to_the_copies(copies, school, principal):
    found = [
        i
        for card in cards_for(principal, on(6, 20))
        for i in card.items
        if "carried over" in i.title
    ]
    assert found and found[0].link.endswith(f"?year={YEAR + 1}")


# --- The reminder -----------------------------------------------------------------------------


def reminders(day, user):
    return [d for d in deadlines.for_user(user, day) if d.rule == "school-year-next"]


def test_district_staff_are_reminded_to_start_the_next_year(year, staff):
    assert not reminders(on(5, 15), staff)  # too early
    [due] = reminders(on(6, 1), staff)
    assert f"start the {NEXT} school year before 1 Jul {YEAR + 1} (29 days left)" in due.title
    assert due.occasion == f"{YEAR + 1}-30d"
    assert reminders(on(6, 20), staff)[0].occasion == f"{YEAR + 1}-14d"
    assert due.link == url(year)
    start(year, staff)
    assert not reminders(on(6, 10), staff)


def test_after_1_july_the_missing_year_is_flagged(year, staff, principal):
    [due] = reminders(on(7, 15, start_year=YEAR + 1), staff)
    assert f"the {NEXT} school year is not set up" in due.title
    assert due.level == "danger"
    assert not reminders(on(7, 15, start_year=YEAR + 1), principal)


# --- Between two years ------------------------------------------------------------------------


def pages(school, district):
    return [
        reverse("home"),
        reverse("compliance", args=[district.pk]),
        reverse("cpm_year", args=[school.pk]),
        reverse("district_detail", args=[district.pk]),
        reverse("cap_overview", args=[school.pk]),
        reverse("school_detail", args=[school.pk]),
    ]


def get_all(client, school, district, users):
    out = {}
    for user in users:
        client.force_login(user)
        for page in pages(school, district):
            if page.startswith("/districts/") and Role.PRINCIPAL in user_roles(user):
                continue
            response = client.get(page)
            assert response.status_code == 200, (page, response.status_code)
            out[(user.pk, page)] = html.unescape(response.content.decode())
    return out


def user_roles(user):
    return set(user.memberships.values_list("role", flat=True))


AFTER_THE_YEAR = timedelta(days=1)  # 30 June + 1 day: the first day of the next year


@pytest.mark.parametrize(
    "day",
    [
        on(6, 30) + AFTER_THE_YEAR,
        on(7, 15, start_year=YEAR + 1),
        on(8, 31, start_year=YEAR + 1),
    ],
)
def test_a_year_not_set_up_is_said_everywhere(client, clock, year, school, staff, principal, day):
    clock.set(day)
    got = get_all(client, school, year.district, [staff, principal])
    home, dashboard = (
        got[(staff.pk, reverse("home"))],
        got[(staff.pk, pages(school, year.district)[1])],
    )
    said = f"{NEXT} is not set up yet: district staff start it from the district page."
    assert said in home
    assert said in got[(principal.pk, reverse("home"))]
    assert said in got[(principal.pk, reverse("cpm_year", args=[school.pk]))]
    # The dashboard shows the year just ended, with the way to start the next.
    assert said in dashboard and f"Compliance {year.name}" in dashboard
    assert url(year) in dashboard and url(year) in home


def test_the_first_day_of_a_started_year_says_when_kick_off_opens(
    client, clock, year, school, staff, principal
):
    start(year, staff)
    clock.set(on(6, 30) + AFTER_THE_YEAR)
    got = get_all(client, school, year.district, [staff, principal])
    said = f"The {NEXT} school year has started; Kick Off opens on 1 Aug {YEAR + 1}."
    assert said in got[(staff.pk, reverse("home"))]
    assert said in got[(principal.pk, reverse("home"))]
    dashboard = got[(staff.pk, reverse("compliance", args=[year.district_id]))]
    assert f"Compliance {NEXT}" in dashboard
    # The year just ended is one choice away.
    assert f'href="?year={YEAR}">See {year.name}, the year just ended' in dashboard


def test_after_the_last_window_closes_the_next_year_is_announced(
    client, clock, district, school, staff, principal
):
    year = SchoolYearFactory(district=district, wrap_up_closes=on(6, 15))
    clock.set(on(6, 20))
    got = get_all(client, school, district, [staff, principal])
    not_yet = f"All of {year.name}'s windows have closed. {NEXT} is not set up yet"
    assert not_yet in got[(principal.pk, reverse("home"))]
    start(year, staff)
    got = get_all(client, school, district, [staff, principal])
    said = (
        f"All of {year.name}'s windows have closed. The {NEXT} school year starts on "
        f"1 Jul {YEAR + 1}; Kick Off opens on 1 Aug {YEAR + 1}."
    )
    assert said in got[(principal.pk, reverse("home"))]
    dashboard = got[(staff.pk, reverse("compliance", args=[district.pk]))]
    # Until 1 July the dashboard shows the year just ended; the next is one choice away.
    assert (
        f"Compliance {year.name}" in dashboard
        and f'href="?year={YEAR + 1}">See {NEXT}' in dashboard
    )
    client.force_login(staff)
    ahead = client.get(reverse("compliance", args=[district.pk]) + f"?year={YEAR + 1}")
    assert ahead.status_code == 200 and f"Compliance {NEXT}" in ahead.content.decode()
    assert "nothing is due yet" in ahead.content.decode()


def test_no_school_year_at_all_is_never_an_empty_page(
    client, clock, district, school, staff, principal
):
    clock.set(on(7, 15))
    got = get_all(client, school, district, [staff, principal])
    assert "No school year" in got[(staff.pk, reverse("compliance", args=[district.pk]))]
    assert "has not set up the school year" in got[(principal.pk, reverse("home"))]


def test_between_years_pages_keep_a_fixed_query_count(client, clock, district, year, staff):
    clock.set(on(6, 30) + AFTER_THE_YEAR)
    client.force_login(staff)
    urls = [reverse("home"), reverse("compliance", args=[district.pk])]

    def counts():
        found = []
        for page in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            found.append(len(queries))
        return found

    SchoolFactory(district=district)
    few = counts()
    for _ in range(5):
        SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED, title_i=True)
    assert counts() == few
    assert School.objects.filter(district=district).count() == 6
