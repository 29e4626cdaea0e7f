"""A CIM team member corrects a value on the metric's page: refused once without a reason, the
typed value is still there; with a reason it is saved, and the history shows the earlier value,
who entered it and why it was replaced (issue 18)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from progress import measurements
from progress.models import Measurement
from schoolplan.models import Role

from ..cim_helpers import make_plan
from ..clock import moment, on
from ..factories import PASSWORD, UserFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_corrects_a_value_and_finds_its_history(
    page, screenshot, clock, district, school_year
):
    lead = member(Role.CIM_LEAD, district, UserFactory(first_name="Ana", last_name="Ruiz"))
    ben = member(
        Role.CIM_MEMBER,
        district,
        UserFactory(username="ben", first_name="Ben", last_name="Okafor"),
    )
    clock.set(moment(on(10, 15), "15:30"))
    metric = make_plan(district, school_year, lead)[2]
    measurements.record_value(metric, day=on(9, 20), value=Decimal("19"), user=lead)
    measurements.record_value(metric, day=on(10, 15), value=Decimal("22"), user=lead)
    clock.set(moment(on(10, 16), "09:00"), tick=True)

    log_in(page, "ben", PASSWORD)
    page.goto(f"/metrics/{metric.pk}/")
    page.get_by_role("link", name="Correct the value for 15 Oct").click()
    page.get_by_label("Corrected value").fill("23,5")
    page.get_by_role("button", name="Save the correction").click()
    # Refused: no reason. What was typed is still there, the reason beside the field.
    expect(page.get_by_text("Say why the value is corrected")).to_be_visible()
    expect(page.get_by_label("Corrected value")).to_have_value("23,5")
    screenshot(page, "measurement-correct-refused")
    assert Measurement.history.filter(metric=metric).count() == 2

    page.get_by_label("Reason for the correction").fill("The sheet says 23.5; 22 was a typo")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("Corrected the value for 15 Oct")).to_be_visible()
    row = page.locator("tr", has_text="15 Oct")
    expect(row.get_by_text("corrected", exact=True)).to_be_visible()
    row.get_by_text("History").click()
    expect(row.get_by_text("entered by Ana Ruiz on 15 Oct")).to_be_visible()
    expect(row.get_by_text("replaced by Ben Okafor")).to_be_visible()
    expect(row.get_by_text("“The sheet says 23.5; 22 was a typo”").first).to_be_visible()
    screenshot(page, "measurement-history")
    current = Measurement.objects.get(metric=metric, date=on(10, 15))
    assert (current.value, current.recorded_by) == (Decimal("23.5"), ben)
