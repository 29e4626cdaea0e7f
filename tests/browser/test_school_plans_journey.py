"""A principal drafts and submits the ESSA action plan; district staff return it with a comment.
A parent on the cadre reads the cadre's plan and survey; a family reads the Blueprint on a phone."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from plans.models import Blueprint, EssaPlan, EssaPlanStatus
from progress.models import Metric

from ..clock import on
from .conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.calendar
def test_principal_submits_and_district_returns_the_essa_plan(page, screenshot, clock):
    # March: the plan is written before its May 15 due date (the server's clock and the page's).
    clock.set(on(3, 10), tick=True)
    call_command("demo_data", stdout=StringIO())
    EssaPlan.objects.filter(school__name="Valdez Elementary").delete()  # start from nothing

    log_in(page, "principal", "schoolplan-demo")
    page.get_by_role("link", name="Valdez Elementary").first.click()
    page.get_by_role("link", name="ESSA action plan").click()
    page.get_by_role("button", name="Start the").click()
    expect(page.get_by_text("ESSA action plan started.")).to_be_visible()
    expect(page.get_by_role("button", name="Submit to the district")).to_be_disabled()

    page.get_by_role("link", name="Add a problem statement").click()
    page.get_by_label("Desired state").fill("40% of grades 3-5 meet the math standard.")
    page.get_by_label("Current state").fill("31% met it on the spring state test.")
    page.get_by_label("The gap").fill("9 points below target in grade 3-5 math")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Problem statement added.")).to_be_visible()

    page.get_by_role("link", name="Add a root cause to problem 1").click()
    page.get_by_label("Root cause").fill("Little language-rich problem solving in lessons")
    page.get_by_label("Evidence that verifies it").fill("Walkthroughs: 4 of 15 lessons.")
    page.get_by_label("Verified by the evidence").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Root cause added.")).to_be_visible()

    for name, kind, baseline, target in (
        ("Lessons with students explaining reasoning", "Leading", "27", "75"),
        ("Grade 3-5 students meeting the math standard", "Lagging", "31", "40"),
    ):
        page.get_by_role("link", name="Add a metric").click()
        page.get_by_label("Name").fill(name)
        page.get_by_label("Kind").select_option(label=kind)
        page.get_by_label("Unit").fill("%")
        page.locator("#id_baseline").fill(baseline)
        page.get_by_label("Baseline date").fill(f"{on(9, 1):%Y-%m-%d}")
        page.locator("#id_target").fill(target)
        page.get_by_label("Target date").fill(f"{on(5, 30):%Y-%m-%d}")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("Metric added.")).to_be_visible()
    screenshot(page, "60-essa-plan-draft")

    page.get_by_role("button", name="Submit to the district").click()
    expect(page.get_by_text("Submitted to the district.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a problem statement")).to_have_count(0)
    screenshot(page, "61-essa-plan-submitted")
    plan = EssaPlan.objects.get(school__name="Valdez Elementary")
    assert plan.status == EssaPlanStatus.SUBMITTED and plan.submitted_by.username == "principal"
    assert Metric.objects.filter(essa_plan=plan).count() == 2

    page.context.clear_cookies()
    log_in(page, "district", "schoolplan-demo")
    page.goto(plan.get_absolute_url())
    page.get_by_label("Comment for the school").fill(
        "Please add an action step for the math coaching, with its owner and dates."
    )
    page.get_by_role("button", name="Return for changes").click()
    expect(page.get_by_text("Returned to the school with your comment.")).to_be_visible()
    expect(page.get_by_text("Please add an action step for the math coaching")).to_be_visible()
    screenshot(page, "62-essa-plan-returned")
    plan.refresh_from_db()
    assert plan.status == EssaPlanStatus.RETURNED and plan.decided_by.username == "district"
    assert plan.events.first().comment.startswith("Please add an action step")

    # The principal sees the returned plan on the home page and can edit it again.
    page.context.clear_cookies()
    log_in(page, "principal", "schoolplan-demo")
    expect(page.get_by_text("ESSA action plan: returned for changes")).to_be_visible()
    page.goto(plan.get_absolute_url())
    expect(page.get_by_role("link", name="Add an action step")).to_be_visible()
    screenshot(page, "66-essa-plan-returned-principal")
    page.goto(Blueprint.objects.get(school=plan.school).get_absolute_url())
    expect(page.get_by_role("heading", name="Theory of action")).to_be_visible()
    screenshot(page, "67-blueprint")


def test_cadre_member_and_families(page, phone, screenshot):
    call_command("demo_data", stdout=StringIO())
    log_in(page, "parent", "schoolplan-demo")
    page.get_by_role("link", name="Family and Community Cadre").first.click()
    expect(page.get_by_role("heading", name="Our vision")).to_be_visible()
    screenshot(page, "63-cadre")
    page.get_by_role("link", name="Parent survey, fall").click()
    # The responses' count, beside the questions' (a count repeated in each question's table).
    expect(page.get_by_text("10", exact=True).first).to_be_visible()
    screenshot(page, "64-cadre-survey")

    blueprint = Blueprint.objects.get(school__name="Valdez Elementary")
    phone.goto(f"/families/{blueprint.school.public_slug}/blueprint/")
    expect(phone.get_by_role("heading", name="Our School Blueprint")).to_be_visible()
    screenshot(phone, "65-family-blueprint-phone")
