"""A principal publishes the SPF family summary; an anonymous visitor reads it in Spanish on a
375-px-wide phone screen."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from progress.models import SpfSummary
from schoolplan.models import School

from ..clock import on
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.calendar]


def test_principal_publishes_and_a_family_reads_it_in_spanish(
    page, chromium, live_server, screenshot, clock
):
    # Mid-October (the server's clock and the page's): the demo builds its years around today.
    clock.set(on(10, 15), tick=True)
    call_command("demo_data", stdout=StringIO())
    SpfSummary.objects.all().delete()  # the principal starts from the drafted text
    valdez = School.objects.get(name="Valdez Elementary")

    log_in(page, "principal", "schoolplan-demo")
    page.goto(f"/schools/{valdez.pk}/")
    page.get_by_role("link", name="SPF and family summary").click()
    expect(page.get_by_text("Not published")).to_be_visible()
    english = page.get_by_label("English")
    expect(english).to_contain_text("School Performance Framework (SPF) rating")
    english.fill(
        english.input_value().replace("…", "We will bring math talk into every classroom.")
    )
    spanish = page.get_by_label("Spanish")
    expect(spanish).to_contain_text("Marco de Desempeño Escolar")
    spanish.fill(
        spanish.input_value().replace(
            "…", "Llevaremos las conversaciones matemáticas a cada salón."
        )
    )
    screenshot(page, "70-spf-summary-draft")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.get_by_text("Published on the school's family page.")).to_be_visible()
    screenshot(page, "71-spf-summary-published")
    assert SpfSummary.objects.get(school=valdez).is_published

    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    clock.follow(context)  # the page's clock follows the server's (tests/clock.py)
    phone = context.new_page()
    phone.goto(f"/families/{valdez.public_slug}/")
    phone.get_by_role("link", name="Español").click()
    expect(phone.get_by_role("heading", name="Cómo le va a nuestra escuela")).to_be_visible()
    expect(
        phone.get_by_text("Llevaremos las conversaciones matemáticas a cada salón.")
    ).to_be_visible()
    expect(phone.locator("html")).to_have_attribute("lang", "es")
    # Readable on the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "72-family-page-spanish-phone")
    context.close()
