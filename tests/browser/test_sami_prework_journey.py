"""The SAMI pre-work (seed 002; issue 23): a principal records the school's SAMI with its team
and rated items and marks three high-leverage actions; registers for a workshop without the
pre-work and sees it due; picks the three actions as the pre-work; the district sees them on the
series' registration list."""

from datetime import time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings import workshops
from meetings.models import Sami, WorkshopRegistration, WorkshopSeries
from schoolplan.models import District, School, SchoolYear, User

from ..clock import on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

TEAM = [("Maria Lopez", "Principal"), ("Dan Kim", "Math coach"), ("Grace Obi", "Grade 3 teacher")]
ITEMS = [
    ("Universal tier: core math instruction", "1 – Emerging"),
    ("Data-based decision making", "2 – Partially in place"),
    ("Family partnership in MTSS", "1 – Emerging"),
    ("Targeted tier: small-group intervention", "0 – Not started"),
]


def _series(district, today):
    staff = User.objects.get(username="district")
    series = workshops.create_series(
        district=district,
        year=SchoolYear.objects.of_district_on(district.pk, today),
        user=staff,
        title="Spring problem-solving workshop",
        description="",
        registration_opens=today - timedelta(days=10),
        priority_closes=today - timedelta(days=5),
        registration_closes=today + timedelta(days=10),
        elementary_capacity=24,
        secondary_capacity=11,
    )
    session_day = today + timedelta(days=14)
    workshops.add_session(
        series,
        user=staff,
        day=session_day,
        starts=time(15, 15),
        ends=time(18, 15),
        place="Dean Operations Center",
        level="elementary",
    )
    return series, session_day


def test_the_sami_prework_journey(page, screenshot, clock):
    clock.set(on(2, 10), tick=True)
    call_command("demo_data", stdout=StringIO())
    WorkshopRegistration.objects.all().delete()  # the journey records its own
    WorkshopSeries.objects.all().delete()
    Sami.objects.all().delete()
    district = District.objects.get(slug="riverbend-usd")
    today = clock.today()
    series, session_day = _series(district, today)
    valdez = School.objects.get(name="Valdez Elementary")

    # The principal starts the SAMI note catcher from the school's page.
    log_in(page, "principal", "schoolplan-demo")
    page.goto(valdez.get_absolute_url())
    page.get_by_role("link", name="SAMI note catcher").click()
    page.get_by_role("button", name="Start the").click()
    expect(page.get_by_text("SAMI note catcher started.")).to_be_visible()
    for name, role in TEAM:
        page.get_by_role("link", name="Add a team member").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Role").fill(role)
        page.get_by_role("button", name="Save").click()
    for name, rating in ITEMS:
        page.get_by_role("link", name="Add an item").click()
        page.get_by_label("SAMI item").fill(name)
        page.get_by_label("Rating").select_option(label=rating)
        page.get_by_label("Notes").fill(f"Our evidence on {name.lower()}.")
        page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit the ESSA data review notes").click()
    page.get_by_label("ESSA data review notes").fill("Grade 3-5 math: 31% met the standard.")
    page.get_by_role("button", name="Save").click()

    # Marking one is refused (2 to 4), with the tick kept; then three are saved.
    page.get_by_label(ITEMS[0][0]).check()
    page.get_by_role("button", name="Save the high-leverage actions").click()
    expect(page.get_by_text("Choose 2 to 4 high-leverage actions")).to_be_visible()
    expect(page.get_by_label(ITEMS[0][0])).to_be_checked()
    for name, _rating in ITEMS[1:3]:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Save the high-leverage actions").click()
    expect(page.get_by_text("High-leverage actions saved.")).to_be_visible()
    expect(page.get_by_text("High-leverage action", exact=True)).to_have_count(3)
    screenshot(page, "90-sami-note-catcher")

    # Registering no longer asks for the pre-work; the registration shows it due.
    page.get_by_role("link", name="Workshops", exact=True).first.click()
    page.get_by_role("link", name="Register").click()
    expect(page.get_by_label("Pre-work")).to_have_count(0)
    page.get_by_label("People attending").fill("7")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Registered.")).to_be_visible()
    due = session_day - timedelta(days=1)
    expect(page.get_by_text(f"Due by {due:%A} {due.day} {due:%B %Y}")).to_be_visible()
    screenshot(page, "91-workshop-prework-due")

    # The pre-work: the SAMI's three actions, proposed and ticked.
    page.get_by_role("link", name="Give the pre-work").click()
    for name, _rating in ITEMS[:3]:
        expect(page.get_by_label(name)).to_be_checked()
    expect(page.get_by_label(ITEMS[3][0])).to_have_count(0)
    screenshot(page, "92-workshop-prework-form")
    page.get_by_role("button", name="Save the pre-work").click()
    expect(page.get_by_text("Pre-work saved.")).to_be_visible()
    expect(page.get_by_text("Due by")).to_have_count(0)
    registration = WorkshopRegistration.objects.get(school=valdez)
    assert sorted(registration.prework_actions.values_list("name", flat=True)) == sorted(
        name for name, _rating in ITEMS[:3]
    )

    # The district sees them on the series' registration list.
    page.context.clear_cookies()
    log_in(page, "district", "schoolplan-demo")
    page.goto(f"/workshops/{series.pk}/")
    roster = page.get_by_role("table")
    for name, _rating in ITEMS[:3]:
        expect(roster.get_by_text(name)).to_be_visible()
    screenshot(page, "93-workshop-prework-district")
