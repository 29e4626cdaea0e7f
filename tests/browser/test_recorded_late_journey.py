"""issue 23 (seed 000, DOMAIN.md "Recorded, not scheduled"): in December a principal records
the Kick Off held in November but never entered, and the district sees it held, recorded late;
a Title I school that did not combine its Kick Off schedules its annual parent meeting alone."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings.models import Meeting, MeetingType

from ..clock import YEAR, on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

HELD_ON = on(11, 20)


def test_a_kick_off_held_in_november_is_recorded_late_in_december(page, screenshot, clock):
    clock.set(on(12, 4), tick=True)
    call_command("demo_data", stdout=StringIO())
    log_in(page, "principal.maple", "schoolplan-demo")  # Maple Grove: no meetings this year

    page.goto("/")
    page.get_by_role("link", name="Maple Grove Elementary").first.click()
    page.get_by_role("link", name="CPM year").click()
    kick_off = page.locator("section", has=page.get_by_role("heading", name="Kick Off CPM"))
    expect(kick_off.get_by_text("Missed", exact=True)).to_be_visible()
    kick_off.get_by_role("link", name="Record a Kick Off CPM already held").click()

    page.get_by_label("Date").fill(HELD_ON.isoformat())
    page.get_by_label("Place").fill("Maple Grove library, 12 Elm St")
    page.get_by_label("For families (optional)").fill("We shared our SPF results.")
    page.get_by_role("button", name="Schedule meeting").click()
    # Asked first: a past date records a meeting; what was typed is still there.
    expect(page.get_by_text("this records a meeting already held")).to_be_visible()
    expect(page.get_by_label("Place")).to_have_value("Maple Grove library, 12 Elm St")
    screenshot(page, "23-late-kick-off-asked")
    assert not Meeting.objects.filter(school__name="Maple Grove Elementary").exists()

    page.get_by_label("Yes, record it as a meeting already held").check()
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_text("is recorded, not scheduled")).to_be_visible()
    expect(page.get_by_text("Recorded after the fact.", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Invite people")).to_have_count(0)
    screenshot(page, "24-late-kick-off-recorded")

    page.get_by_role("link", name="Record its minutes and attendance").click()
    page.get_by_label("Minutes").fill("Ms Brooks shared the SPF results with 14 families.")
    page.get_by_label("The meeting took place: mark it held").check()
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("give how many family and community members attended")).to_be_visible()
    page.get_by_label("Family members attending").fill("14")
    page.get_by_role("button", name="Save minutes").click()
    expect(page.get_by_text("Minutes saved.")).to_be_visible()

    page.goto(page.url.split("/meetings/")[0] + "/")  # the site's root
    page.get_by_role("link", name="Maple Grove Elementary").first.click()
    page.get_by_role("link", name="CPM year").click()
    expect(kick_off.get_by_text("Held, recorded late", exact=True)).to_be_visible()
    expect(kick_off.get_by_text("by Helen Brooks")).to_be_visible()
    screenshot(page, "25-late-kick-off-held")

    page.context.clear_cookies()
    log_in(page, "district", "schoolplan-demo")
    district_id = Meeting.objects.get(school__name="Maple Grove Elementary").district_id
    page.goto(f"/districts/{district_id}/compliance/?year={YEAR}")
    row = page.get_by_role("row", name="Maple Grove Elementary")
    expect(row.get_by_text(f"Held {HELD_ON:%-d %b}, recorded late")).to_be_visible()
    screenshot(page, "26-dashboard-held-late")


def test_a_title_i_school_schedules_its_annual_parent_meeting_on_its_own(page, screenshot, clock):
    clock.set(on(12, 4), tick=True)
    call_command("demo_data", stdout=StringIO())
    log_in(page, "principal.harbor", "schoolplan-demo")  # Harbor View: Title I, no Kick Off

    page.goto("/")
    page.get_by_role("link", name="Harbor View Elementary").first.click()
    page.get_by_role("link", name="CPM year").click()
    title_i = page.locator(
        "section", has=page.get_by_role("heading", name="Title I annual parent meeting")
    )
    expect(title_i.get_by_text("hold it with the Kick Off, or on its own")).to_be_visible()
    title_i.get_by_role("link", name="Schedule the Title I annual parent meeting").click()

    page.get_by_label("Date").fill(on(1, 14).isoformat())
    page.get_by_label("Place").fill("Harbor View cafeteria")
    screenshot(page, "27-title-i-standalone-form")
    page.get_by_role("button", name="Schedule meeting").click()
    expect(page.get_by_text("is scheduled")).to_be_visible()
    meeting = Meeting.objects.get(
        school__name="Harbor View Elementary", meeting_type=MeetingType.TITLE_I_PARENT
    )
    assert meeting.recorded_late_at is None
    screenshot(page, "28-title-i-scheduled")

    page.goto(f"/schools/{meeting.school_id}/cpm/")
    expect(title_i.get_by_text("Scheduled", exact=True)).to_be_visible()
