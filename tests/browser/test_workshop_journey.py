"""District staff create a workshop series; a designated school registers in the priority
window, naming its team; a school without a designation is refused, then registers once the
window has passed. On the day district staff record attendance by name (and someone added on
the day), export it for paying off-contract time, and see the school's problem-solving step on
the dashboard (seed 002)."""

import csv
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings.models import WorkshopRegistration, WorkshopSeries
from schoolplan.models import District, School

from ..clock import on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]


def test_series_priority_window_and_registrations(page, screenshot, clock):
    # Mid-February: the spring series is set up (the server's clock and the page's).
    clock.set(on(2, 10), tick=True)
    call_command("demo_data", stdout=StringIO())
    WorkshopRegistration.objects.all().delete()  # the journey starts the series itself
    WorkshopSeries.objects.all().delete()
    district = District.objects.get(slug="riverbend-usd")
    today = clock.today()

    log_in(page, "district", "schoolplan-demo")
    page.goto(f"/districts/{district.pk}/")
    page.get_by_role("link", name="Workshops").click()
    page.get_by_label("Title").fill("Spring problem-solving workshop")
    page.get_by_label("Registration opens").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("ESSA priority window ends").fill((today + timedelta(days=5)).isoformat())
    page.get_by_label("Registration closes").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Elementary schools (whole series)").fill("24")
    page.get_by_label("Secondary schools (whole series)").fill("11")
    page.get_by_role("button", name="Create the series").click()
    expect(page.get_by_text("Series created")).to_be_visible()
    page.get_by_label("Date").fill((today + timedelta(days=45)).isoformat())
    page.get_by_label("Place").fill("District office, board room")
    page.get_by_label("School level").select_option("elementary")
    page.get_by_role("button", name="Add the session").click()
    expect(page.get_by_text("Session added.")).to_be_visible()
    screenshot(page, "80-workshop-series")

    # Valdez (TSI) registers inside the priority window.
    page.context.clear_cookies()
    log_in(page, "principal", "schoolplan-demo")
    valdez = School.objects.get(name="Valdez Elementary")
    page.goto(f"/schools/{valdez.pk}/workshops/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("People attending").fill("7")
    page.get_by_label("Dietary needs").fill("Two vegetarian")
    page.get_by_label("The team coming (optional)").fill(
        "Ana Valdez, principal\nTom Becker, grade 3 teacher\nAisha Khan, grade 5 teacher\n"
        "Luis Ortega, math coach\nGrace Liu, special education teacher\nSam Park, family liaison"
    )
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Registered.")).to_be_visible()
    expect(page.get_by_text("Luis Ortega, math coach")).to_be_visible()
    screenshot(page, "81-workshop-registered")

    # Chavez has no ESSA designation: refused, with the date it can register from.
    chavez = School.objects.get(name="Cesar Chavez Elementary")
    assert not chavez.has_essa_designation
    page.context.clear_cookies()
    log_in(page, "principal.chavez", "schoolplan-demo")
    page.goto(f"/schools/{chavez.pk}/workshops/")
    opens = today + timedelta(days=6)
    expect(page.get_by_text(f"Your school can register from {opens:%-d %B %Y}.")).to_be_visible()
    screenshot(page, "82-workshop-refused")

    # The priority window passes; now Chavez registers.
    WorkshopSeries.objects.update(priority_closes=today - timedelta(days=1))
    page.reload()
    page.get_by_role("link", name="Register").click()
    page.get_by_label("People attending").fill("6")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Registered.")).to_be_visible()
    assert set(WorkshopRegistration.objects.values_list("school__name", "status")) == {
        ("Valdez Elementary", "registered"),
        ("Cesar Chavez Elementary", "registered"),
    }

    page.context.clear_cookies()
    log_in(page, "district", "schoolplan-demo")
    page.goto(f"/workshops/{WorkshopSeries.objects.get().pk}/")
    expect(page.get_by_text("2 schools, 13 people")).to_be_visible()
    screenshot(page, "83-workshop-roster")

    # The session's day: district staff record who came, by name, and who joined on the day.
    session_day = today + timedelta(days=45)
    clock.set(session_day, tick=True, wall_time="18:30")
    log_in(page, "district", "schoolplan-demo")  # weeks later: the session has ended
    page.goto(f"/workshops/{WorkshopSeries.objects.get().pk}/")
    page.get_by_role("link", name=re.compile("Record attendance by name")).click()
    for name in ("Ana Valdez", "Tom Becker", "Aisha Khan", "Luis Ortega", "Grace Liu"):
        page.get_by_label(name).check()
    page.get_by_label("Added on the day (Valdez Elementary)").fill("Gus Hill, school counselor")
    page.get_by_label("Cesar Chavez Elementary came").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    expect(page.get_by_label("Gus Hill (school counselor)")).to_be_checked()
    expect(page.get_by_label("Sam Park (family liaison)")).not_to_be_checked()
    screenshot(page, "84-workshop-attendance")

    # The export for paying teachers' off-contract time: one row per person.
    with page.expect_download() as download:
        page.get_by_role("link", name="Attendance (CSV)").click()
    rows = list(csv.reader(StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:4] == ["School", "Name", "Role", "Session date"]
    day = session_day.isoformat()
    assert ["Valdez Elementary", "Gus Hill", "school counselor", day] in [r[:4] for r in rows]
    valdez_rows = {r[1]: r[7] for r in rows[1:] if r[0] == "Valdez Elementary"}
    assert valdez_rows["Tom Becker"] == "yes" and valdez_rows["Sam Park"] == "no"
    assert len(valdez_rows) == 7

    # The dashboard: both schools that came now stand at step 3 of the process.
    page.goto(f"/districts/{district.pk}/compliance/?sort=problem_solving&dir=desc")
    valdez_row = page.get_by_role("row", name=re.compile("Valdez Elementary"))
    expect(valdez_row.get_by_text("Step 3: action plan started")).to_be_visible()
    screenshot(page, "85-dashboard-problem-solving-step")
    page.goto(f"/schools/{valdez.pk}/problem-solving/")
    expect(page.get_by_text("Attended the workshop")).to_be_visible()
    screenshot(page, "86-school-problem-solving-step")
