"""In January, district staff move Riverbend from Intensive (Quarters 1 and 2 submitted) to
Targeted from 1 January: a date before Quarter 2 ends is refused with what was typed kept; the
check lists what stays, ends and starts; then the reports page shows Half 2 due and the CIM page
says what changed and when (issue 18, the monitoring level per school year)."""

import pytest
from playwright.sync_api import expect

from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from schoolplan.models import CimLevel, CimStatus, Role

from ..clock import YEAR, on
from ..factories import PASSWORD, UserFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]


def submitted(due, lead, clock, day):
    clock.set(day)
    report = report_workflow.start_report(due, user=lead)
    report.status, report.submitted_at = "submitted", clock.now()
    report.save()


def test_staff_move_the_district_from_intensive_to_targeted(
    page, screenshot, clock, district, school_year
):
    staff = member(
        Role.DISTRICT_STAFF,
        district,
        UserFactory(username="district.staff", first_name="Gloria", last_name="Estrada"),
    )
    lead = member(Role.CIM_LEAD, district)
    q1, q2, *_ = report_periods.ensure_due_dates(district, school_year)
    submitted(q1, lead, clock, on(10, 10))
    submitted(q2, lead, clock, on(1, 6))
    # The server's clock and the page's: 8 January, time running.
    clock.set(on(1, 8), tick=True)

    log_in(page, staff.username, PASSWORD)
    page.goto(f"/districts/{district.pk}/")
    page.get_by_role("link", name="CIM level").click()
    expect(page.get_by_role("heading", name="CIM monitoring level")).to_be_visible()
    expect(page.get_by_text(f"{school_year.name}: Intensive level 1 all year.")).to_be_visible()

    # A day inside the submitted Quarter 2 is refused; what was typed stays.
    page.get_by_label("CIM monitoring status").select_option(label="Targeted level 1")
    page.get_by_label("In force from").fill(f"{on(12, 15):%Y-%m-%d}")
    page.get_by_label("Note").fill("CDE letter of 6 January")
    page.get_by_role("button", name="Check the change").click()
    expect(page.get_by_text("is submitted and stays as it was")).to_be_visible()
    expect(page.get_by_label("Note")).to_have_value("CDE letter of 6 January")
    expect(page.get_by_label("In force from")).to_have_value(f"{on(12, 15):%Y-%m-%d}")
    expect(page.get_by_label("CIM monitoring status")).to_have_value(CimStatus.TARGETED_1)
    screenshot(page, "cim-level-01-refused")

    page.get_by_label("In force from").fill(f"{on(1, 1):%Y-%m-%d}")
    page.get_by_role("button", name="Check the change").click()
    expect(page.get_by_role("heading", name="Check the change, then record it")).to_be_visible()
    expect(page.get_by_text("Quarter 2 (1 Oct")).to_be_visible()
    expect(page.get_by_text("Half 2 (1 Jan")).to_be_visible()
    assert not CimLevel.objects.filter(effective_on=on(1, 1)).exists()
    screenshot(page, "cim-level-02-check")
    page.get_by_role("button", name="Record the change").click()

    said = (
        f"Intensive level 1 until 31 Dec {YEAR}; Targeted level 1 from 1 Jan {YEAR + 1}, "
        f"set by Gloria Estrada on 8 Jan {YEAR + 1}"
    )
    expect(
        page.get_by_role("heading", name="Compliance and Improvement Monitoring")
    ).to_be_visible()
    expect(page.locator("#cim-level")).to_contain_text(said)
    screenshot(page, "cim-level-03-cim-page")

    page.get_by_role("link", name="Progress reports").click()
    expect(page.locator("#cim-level")).to_contain_text(said)
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Quarter 1")
    expect(rows.nth(0)).to_contain_text("Submitted")
    expect(rows.nth(1)).to_contain_text("Quarter 2")
    expect(rows.nth(1)).to_contain_text("Submitted")
    expect(rows.nth(2)).to_contain_text("Half 2")
    expect(rows.nth(2)).to_contain_text(f"1 Jan {YEAR + 1} – 30 Jun {YEAR + 1}")
    expect(rows.nth(2)).to_contain_text(f"Due 31 Jul {YEAR + 1}")
    screenshot(page, "cim-level-04-reports")
