"""A principal schedules a Kick Off in the browser, records minutes and action items."""

from io import StringIO

import icalendar
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings.models import ActionItem, Meeting

from ..clock import YEAR, on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]


def test_principal_schedules_a_kick_off_and_records_it(page, screenshot, tmp_path, clock):
    # Early September: the Kick Off window is open (the server's clock and the page's).
    clock.set(on(9, 2), tick=True)
    call_command("demo_data", stdout=StringIO())
    start_year = YEAR
    log_in(page, "principal.maple", "schoolplan-demo")  # Maple Grove: no meetings yet

    page.get_by_role("link", name="Maple Grove Elementary").first.click()
    page.get_by_role("link", name="CPM year").click()
    expect(
        page.get_by_role("heading", name=f"Community Progress Monitoring {start_year}-")
    ).to_be_visible()
    screenshot(page, "10-cpm-year-empty")
    page.get_by_role("link", name="Schedule Kick Off CPM").click()

    # A December date is outside the Kick Off window: a clear error, nothing saved.
    page.get_by_label("Date").fill(f"{on(12, 3):%Y-%m-%d}")
    page.get_by_label("Place").fill("Maple Grove library, 12 Elm St")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_text("A Kick Off meeting must fall in the Kick Off window")).to_be_visible()
    screenshot(page, "11-kick-off-december-error")
    assert not Meeting.objects.filter(school__name="Maple Grove Elementary").exists()

    page.get_by_label("Date").fill(f"{on(9, 17):%Y-%m-%d}")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(
        page.get_by_role("heading", name=f"Kick Off community meeting {start_year}-")
    ).to_be_visible()
    expect(page.get_by_text("is scheduled")).to_be_visible()
    screenshot(page, "12-meeting-scheduled")

    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    path = tmp_path / "meeting.ics"
    download.value.save_as(path)
    event = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")[0]
    assert event.decoded("DTSTART").date() == on(9, 17)
    assert event.decoded("DTSTART").hour == 18

    page.get_by_role("link", name="Record minutes").click()
    page.get_by_label("Minutes").fill("We went through the SPF results with 25 families.")
    page.get_by_label("Family members attending").fill("25")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved.")).to_be_visible()

    for what in ("Translate the SPF summary into Spanish", "Invite families to the Check In"):
        page.get_by_label("What").fill(what)
        page.get_by_label("Owner").select_option(label="Helen Brooks")
        page.get_by_role("button", name="Add action item").click()
        expect(page.get_by_text("Action item added.")).to_be_visible()
    expect(page.locator("#action-list > li")).to_have_count(2)
    screenshot(page, "13-meeting-with-minutes-and-actions")
    assert ActionItem.objects.filter(meeting__school__name="Maple Grove Elementary").count() == 2
