"""District staff filter the compliance dashboard to the schools with a gap and open one
school's evidence."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from schoolplan.models import District

from ..clock import on
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.calendar]


def test_filter_to_gaps_and_open_the_evidence(page, screenshot, clock):
    # Mid-October (the server's clock and the page's): the demo builds its years around today.
    clock.set(on(10, 15), tick=True)
    call_command("demo_data", stdout=StringIO())
    district = District.objects.get(slug="riverbend-usd")
    log_in(page, "district", "schoolplan-demo")
    page.goto(f"/districts/{district.pk}/")
    page.get_by_role("link", name="Compliance dashboard").click()
    expect(page.get_by_role("heading", name="Compliance")).to_be_visible()
    all_rows = page.locator("table.compliance-table tbody tr").count()
    page.get_by_label("Has a gap").check()
    page.get_by_role("button", name="Show").click()
    rows = page.locator("table.compliance-table tbody tr")
    expect(rows.first).to_be_visible()
    gap_rows = rows.count()
    assert 0 < gap_rows <= all_rows
    assert page.locator("table.compliance-table tbody tr.has-gap").count() == gap_rows
    screenshot(page, "90-compliance-gaps")
    # A cell of a school with a gap links to its evidence (here an ESSA plan not started).
    evidence = page.locator("tr.has-gap td a", has_text="Not started").first
    href = evidence.get_attribute("href")
    evidence.click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    expect(page.get_by_role("heading", name="ESSA action plan")).to_be_visible()
    screenshot(page, "91-compliance-evidence")


def test_the_district_home_shows_the_gaps_and_leads_to_them(page, phone, screenshot, clock):
    # Early December: Kick Off has closed, some demo schools missed it.
    clock.set(on(12, 5), tick=True)
    call_command("demo_data", stdout=StringIO())
    log_in(page, "district", "schoolplan-demo")
    gaps = page.get_by_role("link", name=re.compile(r"\d+ of \d+ schools have gaps"))
    expect(gaps).to_be_visible()
    chart = page.get_by_role("img", name=re.compile("Schools by requirement and state"))
    expect(chart).to_be_visible()
    screenshot(page, "92-district-home-gaps")
    gaps.click()
    expect(page.get_by_role("heading", name="Compliance")).to_be_visible()
    assert page.get_by_label("Has a gap").is_checked()
    rows = page.locator("table.compliance-table tbody tr")
    assert rows.count() == page.locator("table.compliance-table tbody tr.has-gap").count() > 0
    log_in(phone, "district", "schoolplan-demo")
    expect(phone.get_by_role("img", name=re.compile("Schools by requirement"))).to_be_visible()
    screenshot(phone, "93-district-home-gaps-phone")
