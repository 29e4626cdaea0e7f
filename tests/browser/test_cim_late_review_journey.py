"""The CIM lead enters last month's review after the month has ended: the form says it will be
recorded late and keeps what was typed; the months strip then says so, never plain "Held"."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from meetings import recording
from meetings.models import Meeting, MeetingType
from schoolplan.models import User

from ..clock import on
from .conftest import log_in
from .test_accessibility import AXE, Audit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

ENTERED_ON, HELD_ON = on(12, 4), on(11, 19)  # last month's review, entered in December


def test_lead_records_last_months_review_late(page, screenshot, clock):
    audit = Audit(AXE.read_text()) if AXE.exists() else None

    def axe(where):
        if audit is not None:
            audit.check(page, where, where)

    clock.set(ENTERED_ON, tick=True)
    call_command("demo_data", stdout=StringIO())
    # Last month has no review: the demo's is taken away.
    Meeting.objects.filter(
        meeting_type=MeetingType.CIM_REVIEW,
        starts_at__year=HELD_ON.year,
        starts_at__month=HELD_ON.month,
    ).delete()
    log_in(page, "cimlead", "schoolplan-demo")
    page.get_by_role("link", name="Riverbend Unified School District").first.click()
    page.get_by_role("link", name="CIM: reviews and plan").click()
    november = page.locator(".month-strip .month").filter(has_text=f"{HELD_ON:%b %Y}")
    expect(november).to_have_class("month month-gap")

    page.get_by_role("link", name="Schedule a monthly review").click()
    page.get_by_label("Date").fill(HELD_ON.isoformat())
    page.get_by_label("Start time").fill("15:00")
    page.get_by_label("End time").fill("16:30")
    page.get_by_label("Place").fill("District office, room 2")
    page.get_by_role("button", name="Schedule review").click()
    expect(page.get_by_text("This review will be recorded late.")).to_be_visible()
    # Nothing typed is lost, and nothing is saved until the lead confirms.
    expect(page.get_by_label("Date")).to_have_value(HELD_ON.isoformat())
    expect(page.get_by_label("Place")).to_have_value("District office, room 2")
    last_month = Meeting.objects.filter(
        meeting_type=MeetingType.CIM_REVIEW,
        starts_at__year=HELD_ON.year,
        starts_at__month=HELD_ON.month,
    )
    assert not last_month.exists()
    screenshot(page, "cim-late-review-warning")
    axe("the late warning")

    page.get_by_label("Yes, this review was held on that day: record it late").check()
    page.get_by_role("button", name="Schedule review").click()
    expect(page.get_by_text("is recorded late: record its minutes")).to_be_visible()

    # Its minutes and who attended (the review page is the team's; here, the service).
    review = last_month.get()
    assert review.recorded_late_at is not None
    lead = User.objects.get(username="cimlead")
    recording.record_minutes(
        review, user=lead, text="Reviewed both strategies.", attended=[lead], mark_held=True
    )
    page.goto(f"/districts/{review.district_id}/cim/")
    november = page.locator(".month-strip .month").filter(has_text=f"{HELD_ON:%b %Y}")
    expect(november).to_have_class("month month-late")
    stamp = f"recorded late ({ENTERED_ON:%-d %b %Y}, by Carlos Medina)"
    expect(november).to_contain_text(f"Held, {stamp}")
    screenshot(page, "cim-late-review-strip")
    axe("the CIM page")

    # The district's dashboard says it in the same words, flagged (not "✔").
    page.goto(f"/districts/{review.district_id}/compliance/")
    reviews = page.locator("#cim").locator("xpath=..").get_by_role("listitem").first
    expect(reviews).to_contain_text(f"{HELD_ON:%b %Y}: held, {stamp}")
    expect(reviews).not_to_contain_text("✔")
    screenshot(page, "cim-late-review-dashboard")
    axe("the dashboard")
    assert audit is None or not audit.violations, audit.report()
