"""The CIM lead logs a monthly review: two measurements, an action item; the month turns green."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings.models import ActionItem, Meeting, MeetingType
from progress.models import Measurement

from ..clock import YEAR, on
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]


def test_lead_logs_a_monthly_review(page, screenshot, clock):
    # Mid-January (the server's clock and the page's); the review is logged for today.
    clock.set(on(1, 14), tick=True)
    call_command("demo_data", stdout=StringIO())
    today = clock.today()
    # This month starts without a held review.
    Meeting.objects.filter(
        meeting_type=MeetingType.CIM_REVIEW,
        starts_at__year=today.year,
        starts_at__month=today.month,
    ).delete()
    log_in(page, "cimlead", "schoolplan-demo")
    page.get_by_role("link", name="Riverbend Unified School District").first.click()
    page.get_by_role("link", name="CIM: reviews and plan").click()
    this_month = page.locator(".month-strip .month").filter(has_text=f"{today:%b %Y}")
    expect(this_month).to_have_class("month month-open")
    screenshot(page, "30-cim-before")

    page.get_by_role("link", name="Schedule a monthly review").click()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Start time").fill("00:00")
    page.get_by_label("End time").fill("00:45")
    page.get_by_label("Place").fill("District office, room 2")
    page.get_by_role("button", name="Schedule review").click()
    expect(page.get_by_text("is scheduled and the team invited")).to_be_visible()

    # Each row of the review saves on its own (the team records it together).
    def row_with(label):
        return page.locator("form[data-review-row]").filter(has=page.get_by_label(label))

    iep = row_with("IEPs on time now")
    iep.get_by_label("IEPs on time now").fill("95")
    iep.get_by_role("button", name="Save").click()
    expect(iep.get_by_text("Saved “Weekly case-manager check of IEP due dates”.")).to_be_visible()
    families = row_with("Family attendance now")
    families.get_by_label("Family attendance now").fill("74.5")
    families.get_by_label("Barriers").fill("Two co-teachers on leave")
    families.get_by_role("button", name="Save").click()
    expect(families.get_by_text("Saved “Offer interpreters")).to_be_visible()
    attendance = page.locator("#row-attendance")
    attendance.get_by_label("Carlos Medina").check()
    attendance.get_by_role("button", name="Save").click()
    expect(attendance.get_by_text("Saved the attendance.")).to_be_visible()
    minutes = page.locator("#row-minutes")
    minutes.get_by_label("Summary minutes").fill(
        "Reviewed both strategies; IEP timeliness near target."
    )
    minutes.get_by_label("The review took place").check()
    minutes.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the minutes. The review is marked held.")).to_be_visible()
    screenshot(page, "31-cim-review-recorded")

    page.get_by_role("link", name="Agenda, minutes and action items").click()
    page.get_by_label("What").fill("Ask HR for long-term substitutes for co-teaching")
    page.get_by_role("button", name="Add action item").click()
    expect(page.get_by_text("Action item added.")).to_be_visible()

    page.get_by_role("link", name=f"CIM {YEAR}-").click()
    this_month = page.locator(".month-strip .month").filter(has_text=f"{today:%b %Y}")
    expect(this_month).to_have_class("month month-held")
    screenshot(page, "32-cim-month-green")
    review = Meeting.objects.get(
        meeting_type=MeetingType.CIM_REVIEW,
        starts_at__date__gte=today.replace(day=1),
        status="held",
    )
    assert Measurement.objects.filter(review=review).count() == 2
    assert ActionItem.objects.filter(meeting=review).count() == 1
