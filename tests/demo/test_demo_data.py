from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from meetings import cpm
from meetings.models import (
    ActionItem,
    AgendaItem,
    AssessmentPoint,
    CapMeeting,
    Goal,
    Meeting,
    MeetingStatus,
    MeetingType,
    Minutes,
    PupilNote,
    Sami,
    SchoolClass,
)
from plans.models import Blueprint, Cadre, EssaPlan, PlanChange, RootCause, SurveyResponse
from progress.models import Metric, ProgressReport, ReportDue, SpfResult, SpfSummary
from schoolplan import clock as app_clock
from schoolplan.models import District, Membership, Role, School, SchoolYear, User

from ..clock import on

# The demo depends on the day it is built (its dates are computed from today).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

# The days that have broken a calendar product (.ci/run's dates): a window's first and last
# days, May 15 and the day after, the year's last day, and the summer between two years.
DAYS = [(8, 1), (11, 30), (12, 1), (3, 31), (5, 15), (5, 16), (6, 30), (7, 15)]


def demo():
    call_command("demo_data", stdout=StringIO())


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list())
        for model in (
            District,
            School,
            SchoolYear,
            User,
            Membership,
            Meeting,
            AgendaItem,
            Minutes,
            Goal,
            ActionItem,
            AssessmentPoint,
            SchoolClass,
            CapMeeting,
            PupilNote,
            EssaPlan,
            Blueprint,
            Cadre,
            SurveyResponse,
            Metric,
            PlanChange,
            SpfResult,
            SpfSummary,
            ReportDue,
        )
    }


def test_demo_data_is_idempotent(capsys):
    call_command("demo_data")
    first = snapshot()
    assert first["Meeting"], "the demo shows some meetings"
    out = capsys.readouterr().out
    call_command("demo_data")
    assert snapshot() == first
    assert "0 records created" in capsys.readouterr().out
    assert "every password: schoolplan-demo" in out


def test_demo_data_is_realistic():
    demo()
    riverbend = District.objects.get(slug="riverbend-usd")
    schools = riverbend.schools.all()
    assert 10 <= schools.count() <= 14
    assert {s.level for s in schools} == {"elementary", "middle", "high"}
    assert schools.filter(title_i=True).exists() and schools.filter(title_i=False).exists()
    assert schools.exclude(essa_designation="none").exists()
    # The current year, and the one before (its meetings and SPF results sit beside this year's).
    assert SchoolYear.objects.filter(district=riverbend).count() == 2
    held = set(Membership.objects.values_list("role", flat=True))
    assert held == set(Role.values)
    for membership in Membership.objects.all():
        membership.full_clean()


def test_each_district_is_in_its_seeds_zone():
    demo()
    zones = dict(District.objects.values_list("slug", "time_zone"))
    assert zones == {"riverbend-usd": "America/Los_Angeles", "lakeside-sd": "America/Denver"}
    for district in District.objects.all():
        district.full_clean()


def test_demo_principal_can_log_in(client):
    demo()
    response = client.post(
        "/accounts/login/", {"username": "principal", "password": "schoolplan-demo"}
    )
    assert response.status_code == 302
    assert b"Valdez Elementary" in client.get("/").content


def test_demo_has_school_plans_to_show():
    demo()
    plan = EssaPlan.objects.get(school__name="Valdez Elementary")
    assert plan.status == "draft" and plan.problems.exists()
    assert set(plan.metrics.values_list("kind", flat=True)) == {"leading", "lagging"}
    assert Blueprint.objects.get(school=plan.school).is_published
    cadre = Cadre.objects.get(school=plan.school)
    assert cadre.members.filter(account__username="parent").exists()
    assert cadre.surveys.get().responses.count() == 10
    assert plan.changes.filter(action="added").count() > 1  # built through the history
    # seed 002: the SAMI note catcher, its three high-leverage actions, a root cause citing it.
    sami = Sami.objects.get(school=plan.school)
    assert sami.team.count() == 6 and sami.high_leverage_actions().count() == 3
    assert RootCause.objects.filter(problem__plan=plan, sami_items__sami=sami).exists()


def test_demo_has_spf_results_and_a_published_family_summary(client):
    demo()
    for slug, school_name in (
        ("riverbend-usd", "Valdez Elementary"),
        ("lakeside-sd", "Lakeside Elementary"),
    ):
        district = District.objects.get(slug=slug)
        assert (
            SpfResult.objects.filter(school__district=district).count()
            == 2 * district.schools.count()
        )
        summary = SpfSummary.objects.get(school__name=school_name)
        assert summary.is_published and set(summary.texts) == {"en", "es"}
        # Published in its year's SPF sharing window: last year's, until this year's opens.
        window = summary.school_year.window("spf_sharing")
        assert window.contains(app_clock.local_date(summary.published_at, district))
    valdez = School.objects.get(name="Valdez Elementary")
    page = client.get(f"/families/{valdez.public_slug}/es/").content.decode()
    assert "Cómo le va a nuestra escuela" in page and "Nuestros estudiantes avanzan" in page
    # Valdez's goals are translated where the page lists them (the published Blueprint's year
    # may have none yet, early in a year).
    assert "Raise grade 3-5 math proficiency" not in page
    latest = (
        Blueprint.objects.filter(school=valdez, status="published")
        .order_by("-school_year__start_year")
        .first()
    )
    if latest and Goal.objects.filter(school=valdez, school_year=latest.school_year_id).exists():
        assert "Subir la competencia en matemáticas" in page
    for meeting in Meeting.objects.filter(school=valdez, meeting_type=MeetingType.CPM):
        if meeting.is_planned and meeting.ends_at >= app_clock.now():
            assert meeting.title not in page and "Reunión comunitaria de" in page


def test_demo_has_a_submitted_progress_report_once_the_first_is_due():
    demo()
    riverbend = District.objects.get(slug="riverbend-usd")
    year = SchoolYear.objects.of_district_on(riverbend, app_clock.today(riverbend))
    first = ReportDue.objects.get(district=riverbend, school_year=year, number=1)
    if first.due_on >= app_clock.today(riverbend):  # early in the school year: nothing due yet
        assert not ProgressReport.objects.exists()
        return
    report = ProgressReport.objects.get()
    assert report.is_submitted and bytes(report.pdf).startswith(b"%PDF")
    assert report.due == first


def _open_or_next_window(year, today):
    return next(window for window in year.cpm_windows if window.closes >= today)


@pytest.mark.parametrize("month, day", DAYS, ids=[f"{m:02d}-{d:02d}" for m, d in DAYS])
def test_the_demo_year_is_live_on_any_day(client, clock, month, day):
    clock.set(on(month, day))
    demo()
    riverbend = District.objects.get(slug="riverbend-usd")
    today = app_clock.today(riverbend)
    year = SchoolYear.objects.of_district_on(riverbend, today)
    valdez = School.objects.get(name="Valdez Elementary")
    client.force_login(User.objects.get(username="principal"))

    # The current or next CPM window shows on the principal's home and CPM year page.
    window = _open_or_next_window(year, today)
    home = client.get("/")
    card = next(card for card in home.context["cards"] if card.title == valdez.name)
    assert card.year == year
    assert f'<div class="fw-semibold">{window.label}</div>' in home.content.decode()
    if window.contains(today):
        assert "Open now" in home.content.decode()  # the card's strip of windows
    glance = client.get(reverse("cpm_year", args=[valdez.pk])).context["glance"]
    assert glance.year == year
    requirement = next(r for r in glance.requirements if r.window == window)
    assert requirement.state in {"met", "scheduled", "due", "upcoming"}

    # Something is due: the home page lists a deadline for the principal.
    deadlines = home.context["deadlines"]
    assert deadlines and all(d.due_on >= today for d in deadlines if d.rule == "cpm-window")

    # Something was held: a CPM meeting with its minutes, in this year or the one just ended
    # (the held CAP meetings have minutes too, and count for no CPM window).
    held = Meeting.objects.filter(
        school=valdez,
        meeting_type=MeetingType.CPM,
        status=MeetingStatus.HELD,
        minutes__isnull=False,
    ).order_by("-starts_at")
    assert held.exists()
    last = held.first()
    assert last.school_year.start_year in (year.start_year, year.start_year - 1)
    assert last.local_date < today
    shown = client.get(reverse("cpm_year", args=[valdez.pk]), {"year": last.school_year.start_year})
    met = [r for r in shown.context["glance"].requirements if last in r.meetings]
    assert met and met[0].state == "met"


@pytest.mark.parametrize("month, day", DAYS, ids=[f"{m:02d}-{d:02d}" for m, d in DAYS])
def test_lakeside_is_a_live_colorado_district(client, clock, month, day):
    clock.set(on(month, day))
    demo()
    lakeside = District.objects.get(slug="lakeside-sd")
    assert lakeside.time_zone == "America/Denver"
    today = app_clock.today(lakeside)
    year = SchoolYear.objects.of_district_on(lakeside, today)
    school = School.objects.get(name="Lakeside Elementary")
    meetings = Meeting.objects.filter(district=lakeside, meeting_type=MeetingType.CPM)
    assert meetings.filter(status=MeetingStatus.HELD, minutes__isnull=False).exists()
    for meeting in meetings:
        # 17:30 where the school is: 16:30 in Riverbend's California.
        assert app_clock.local(meeting.starts_at, lakeside).strftime("%H:%M") == "17:30"
        assert app_clock.local(meeting.starts_at, "America/Los_Angeles").hour == 16

    client.force_login(User.objects.get(username="principal.lakeside"))
    home = client.get("/")
    assert home.context["deadlines"], "something is due for Lakeside's principal"
    glance = cpm.cpm_year(school, year, today)
    window = _open_or_next_window(year, today)
    assert next(r for r in glance.requirements if r.window == window).state != "missed"
    meeting = meetings.filter(school=school).order_by("-starts_at").first()
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "5:30 PM" in page


def test_running_the_demo_again_later_adds_what_that_day_calls_for(clock):
    clock.set(on(8, 1))
    demo()
    valdez = School.objects.get(name="Valdez Elementary")
    before = Meeting.objects.filter(school=valdez, status=MeetingStatus.HELD).count()
    clock.set(on(3, 31))
    demo()
    # The autumn and winter meetings have been held since; nothing was built twice.
    assert Meeting.objects.filter(school=valdez, status=MeetingStatus.HELD).count() > before
    titles = list(Meeting.objects.values_list("district_id", "school_id", "title"))
    assert len(titles) == len(set(titles))
    clock.set(on(7, 15, start_year=on(3, 31).year))  # into the next school year
    demo()
    riverbend = District.objects.get(slug="riverbend-usd")
    assert SchoolYear.objects.filter(district=riverbend).count() == 3
