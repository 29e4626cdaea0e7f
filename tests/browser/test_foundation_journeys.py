import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from schoolplan.models import School

from ..clock import YEAR, on
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.calendar]

DEMO_PASSWORD = "schoolplan-demo"


@pytest.fixture
def demo(db, clock):
    # Mid-October (the server's clock and the page's): the demo builds its years around today,
    # and near a due date the home page adds reminders that name the school too.
    clock.set(on(10, 15), tick=True)
    call_command("demo_data", stdout=StringIO())


def test_principal_logs_in_and_sees_their_school(page, demo, screenshot):
    page.goto("/")
    expect(page).to_have_url("/accounts/login/?next=/")
    screenshot(page, "01-login")
    log_in(page, "principal", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="What needs your attention")).to_be_visible()
    expect(page.get_by_role("link", name="Valdez Elementary", exact=True)).to_be_visible()
    # The school's card: the year's windows, and what needs the principal (its deadlines).
    expect(page.get_by_role("list", name=re.compile("Windows of school year"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Valdez Elementary: ")).first).to_be_visible()
    screenshot(page, "02-principal-home")

    page.get_by_role("link", name="Valdez Elementary", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Valdez Elementary")).to_be_visible()
    expect(page.get_by_text("Spanish")).to_be_visible()
    screenshot(page, "03-principal-school")


def test_principal_gets_not_found_for_another_school(page, demo, screenshot):
    log_in(page, "principal", DEMO_PASSWORD)
    other = School.objects.get(name="Lakeside Elementary")
    response = page.goto(f"/schools/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    expect(page.get_by_text("Lakeside Elementary")).to_have_count(0)
    screenshot(page, "04-other-school-404")


def test_district_staff_fix_a_window_after_a_clear_error(page, demo, screenshot):
    log_in(page, "district", DEMO_PASSWORD)
    page.get_by_role("link", name="Riverbend Unified School District").first.click()
    screenshot(page, "05-district")
    page.get_by_role("link", name="Edit windows").first.click()
    # The July after the school year ends.
    page.get_by_label("Wrap Up window closes").fill(on(7, 15, start_year=YEAR + 1).isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The Wrap Up window must close within the school year")).to_be_visible()
    screenshot(page, "06-window-error")
    page.get_by_label("Wrap Up window closes").fill(
        page.get_by_label("Wrap Up window opens").input_value().replace("-04-01", "-06-20")
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert").filter(has_text="saved")).to_be_visible()


def test_phone_layout_has_a_menu_button(phone, demo, screenshot):
    log_in(phone, "principal", DEMO_PASSWORD)
    menu = phone.get_by_role("button", name="Show navigation")
    expect(menu).to_be_visible()
    menu.click()
    expect(phone.get_by_role("link", name="Schools")).to_be_visible()
    expect(phone.locator("#main-nav.show")).to_be_visible()  # the slide-down has finished
    expect(phone.get_by_role("button", name="Ana Valdez")).to_be_visible()
    screenshot(phone, "07-phone-home")


def test_family_page_needs_no_login(page, demo, screenshot):
    page.goto("/families/riverbend-valdez-elementary/")
    expect(page.get_by_role("heading", name="Valdez Elementary")).to_be_visible()
    screenshot(page, "08-family-page")
