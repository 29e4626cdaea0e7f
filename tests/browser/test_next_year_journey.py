"""In June, district staff start the next school year in the browser, check it and see it; then
the principal confirms the CAP classes carried over, and on 1 July the home page says what comes
next (issue 17, part 3)."""

import re

import pytest
from playwright.sync_api import expect

from meetings.models import AssessmentPoint, SchoolClass
from schoolplan.models import Role, SchoolYear

from ..cap_helpers import make_class, make_point
from ..clock import YEAR, on, year_name
from ..factories import PASSWORD, UserFactory, member
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.calendar, pytest.mark.django_db(transaction=True)]

NEXT = year_name(YEAR + 1)


def person(username, role, scope, first_name, last_name):
    return member(
        role, scope, UserFactory(username=username, first_name=first_name, last_name=last_name)
    )


def test_district_starts_the_next_year_and_the_principal_confirms_the_classes(
    page, screenshot, clock, school, school_year
):
    district = school.district
    person("district.staff", Role.DISTRICT_STAFF, district, "Dana", "Reyes")
    person("valdez.principal", Role.PRINCIPAL, school, "Marisol", "Vega")
    teacher = person("valdez.teacher", Role.SCHOOL_STAFF, school, "Owen", "Park")
    make_class(school, school_year, teacher, name="3B")
    make_point(school, school_year, name="Autumn summative", day=on(11, 2))
    make_point(school, school_year, name="Spring summative", day=on(3, 20))
    # The server's clock and the page's: June of the current school year, time running.
    clock.set(on(6, 10), tick=True)

    log_in(page, "district.staff", PASSWORD)
    page.goto(f"/districts/{district.pk}/")
    page.get_by_role("link", name=f"Start {NEXT} from {school_year.name}").click()
    expect(page.get_by_role("heading", name=f"Start the {NEXT} school year")).to_be_visible()
    # Prefilled a year on; what carries over is listed beside the form.
    expect(page.get_by_label("Kick Off window opens")).to_have_value(
        f"{on(8, 1, start_year=YEAR + 1):%Y-%m-%d}"
    )
    expect(page.get_by_label("ESSA action plan due")).to_have_value(
        f"{on(5, 15, start_year=YEAR + 1):%Y-%m-%d}"
    )
    expect(page.get_by_text("1 CAP class and 2 assessment points")).to_be_visible()
    screenshot(page, "95-next-year-form")

    # A Check In opening inside the Kick Off window is refused, naming the window.
    page.get_by_label("Check In window opens").fill(f"{on(11, 1, start_year=YEAR + 1):%Y-%m-%d}")
    page.get_by_role("button", name="Check the dates").click()
    expect(page.get_by_text("must open after the Kick Off window closes")).to_be_visible()
    page.get_by_label("Check In window opens").fill(f"{on(12, 1, start_year=YEAR + 1):%Y-%m-%d}")
    page.get_by_role("button", name="Check the dates").click()
    expect(page.get_by_role("heading", name=f"Check, then start {NEXT}")).to_be_visible()
    assert not SchoolYear.objects.filter(start_year=YEAR + 1).exists()
    screenshot(page, "96-next-year-check")
    page.get_by_role("button", name=f"Start {NEXT}").click()
    expect(page.get_by_text(f"School year {NEXT} started.")).to_be_visible()
    expect(page.get_by_role("heading", name=NEXT, exact=True)).to_be_visible()
    screenshot(page, "97-next-year-started")

    # The compliance dashboard still shows this year; the new one is one choice away.
    page.get_by_role("link", name="Compliance dashboard").click()
    expect(page.get_by_role("heading", name=f"Compliance {school_year.name}")).to_be_visible()
    page.get_by_label("Year").select_option(str(YEAR + 1))
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"Compliance {NEXT}")).to_be_visible()
    screenshot(page, "93-next-year-dashboard")

    page.context.clear_cookies()
    log_in(page, "valdez.principal", PASSWORD)
    waiting = page.get_by_role("link", name=re.compile(f"carried over into {NEXT}"))
    expect(waiting).to_be_visible()
    waiting.click()
    expect(page.get_by_role("heading", name=re.compile("not confirmed yet"))).to_be_visible()
    screenshot(page, "98-next-year-carried-over")
    page.get_by_role("button", name="Confirm class 3B").click()
    expect(page.get_by_text(f"Confirmed for {NEXT}: 1.")).to_be_visible()
    page.get_by_role("button", name="Confirm all 2").click()
    expect(page.get_by_text("not confirmed yet")).to_have_count(0)
    new = SchoolYear.objects.get(start_year=YEAR + 1)
    assert SchoolClass.objects.get(school_year=new).confirmed
    assert all(p.confirmed for p in AssessmentPoint.objects.filter(school_year=new))
    screenshot(page, "99-next-year-confirmed")

    # 1 July: the new year has begun and no window is open yet; the home page says what's next.
    clock.set(on(7, 1, start_year=YEAR + 1), tick=True)
    log_in(page, "valdez.principal", PASSWORD)  # three weeks on, the session has ended
    expect(
        page.get_by_text(f"The {NEXT} school year has started; Kick Off opens on 1 Aug {YEAR + 1}.")
    ).to_be_visible()
    screenshot(page, "94-next-year-first-day")
