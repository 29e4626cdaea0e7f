"""The CIM lead writes the plan's analysis (a data finding, a root cause, a problem statement),
links a strategy to it, and the next school year starts the plan from last year's: the carried
items are there, and the outcome shows last year's values (seed 001; issue 18)."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from plans import carry_over as plan_carry_over
from plans import services as plan_services
from plans.models import Activity, Outcome, PlanForImprovement, Strategy, TaSession
from progress.models import Measurement, Metric
from schoolplan.models import CimTeam, Role

from ..clock import YEAR, on, year_name
from ..factories import PASSWORD, DistrictFactory, SchoolYearFactory, UserFactory, member
from .conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

LAST = YEAR - 1


def last(month, day):
    return on(month, day, start_year=LAST)


def test_lead_writes_the_analysis_and_carries_the_plan_into_next_year(page, screenshot, clock):
    clock.set(last(10, 1), tick=True)
    district = DistrictFactory(name="Riverbend USD")
    last_year = SchoolYearFactory(district=district, start_year=LAST)
    this_year = SchoolYearFactory(district=district, start_year=YEAR)
    lead = UserFactory(username="lead", first_name="Ana", last_name="Reyes")
    member(Role.CIM_LEAD, district, user=lead)
    plan = plan_carry_over.start_plan(district=district, year=last_year, user=lead)
    strategy = plan_services.add(
        Strategy, user=lead, plan=plan, title="Strengthen Tier 1 literacy", position=1
    )
    activity = plan_services.add(
        Activity,
        user=lead,
        strategy=strategy,
        title="Coach co-teaching pairs",
        owner=lead,
        starts_on=last(9, 1),
        ends_on=last(5, 31),
        status="in_progress",
    )
    outcome = plan_services.add(
        Outcome, user=lead, activity=activity, description="Students with IEPs at benchmark"
    )
    metric = Metric.objects.create(
        outcome=outcome,
        name="At benchmark",
        unit="%",
        baseline=Decimal("18"),
        target=Decimal("30"),
        target_date=last(6, 1),
    )
    Measurement.objects.create(metric=metric, date=last(9, 20), value=Decimal("24"))

    log_in(page, "lead", PASSWORD)
    page.goto(plan.get_absolute_url())
    expect(page.get_by_text("No data findings yet")).to_be_visible()

    page.get_by_role("link", name="Add a data finding").click()
    page.get_by_label("What the data shows").fill(
        "18% of students with IEPs read at benchmark, against 41% of all students."
    )
    page.get_by_label("Source or evidence").fill("Fall benchmark screener")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Data finding added.")).to_be_visible()

    page.get_by_role("link", name="Add a root cause").click()
    # A root cause with no words is refused; the ticked finding stays ticked.
    page.get_by_label("F1: 18% of students with IEPs").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    expect(page.get_by_label("F1: 18% of students with IEPs")).to_be_checked()
    screenshot(page, "cim-plan-root-cause-refused")
    page.get_by_label("Root cause").fill(
        "Co-teachers plan separately, so Tier 1 reading is not differentiated."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Root cause added.")).to_be_visible()

    page.get_by_role("link", name="Add a problem statement").click()
    page.get_by_label("Problem statement").fill(
        "Students with disabilities are not reaching reading benchmarks."
    )
    page.get_by_label("R1: Co-teachers plan separately").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Problem statement added.")).to_be_visible()

    page.get_by_role("link", name="Edit strategy 1").click()
    page.get_by_label("P1: Students with disabilities").check()
    page.get_by_label("R1: Co-teachers plan separately").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    addresses = page.locator(f"#strategy-{strategy.pk}").locator("..").locator("..")
    expect(addresses.get_by_text("Addresses P1, R1")).to_be_visible()
    screenshot(page, "cim-plan-analysis")

    # The next school year: the CIM page offers last year's plan as the start.
    clock.set(on(7, 20), tick=True)
    log_in(page, "lead", PASSWORD)  # months later: the session has ended
    page.goto(reverse("cim_home", args=[district.pk]))
    expect(page.get_by_label(f"Start from the {year_name(LAST)} plan")).to_be_checked()
    screenshot(page, "cim-plan-start-choice")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.get_by_text(f"The {this_year.name} plan starts from last year's")).to_be_visible()
    new_plan = PlanForImprovement.objects.get(school_year=this_year)
    assert page.url.endswith(new_plan.get_absolute_url())
    expect(page.get_by_text("Co-teachers plan separately, so Tier 1")).to_be_visible()
    expect(page.get_by_role("heading", name="High-Leverage Strategy 1: Strengthen")).to_be_visible()
    expect(page.get_by_text(f"{year_name(LAST)}: 18% → 24%")).to_be_visible()
    expect(page.locator(".badge", has_text="Not started")).to_be_visible()
    screenshot(page, "cim-plan-carried-over")
    new_metric = Metric.objects.get(outcome__activity__strategy__plan=new_plan)
    assert new_metric.baseline == Decimal("24")
    assert new_metric.outcome.carried_from == outcome


def test_lead_logs_a_ta_session_held_not_one_to_come(page, screenshot, clock):
    clock.set(on(10, 15), tick=True)
    district = DistrictFactory(name="Riverbend USD")
    year = SchoolYearFactory(district=district, start_year=YEAR)
    lead = UserFactory(username="lead", first_name="Ana", last_name="Reyes")
    member(Role.CIM_LEAD, district, user=lead)
    provider = UserFactory(first_name="Tamsin", last_name="Aguilar")
    member(Role.TA_PROVIDER, district, user=provider)
    CimTeam.objects.create(district=district, school_year=year, lead=lead, ta_provider=provider)
    plan = plan_carry_over.start_plan(district=district, year=year, user=lead)

    log_in(page, "lead", PASSWORD)
    page.goto(reverse("ta_sessions", args=[plan.pk]))
    # The year's TA provider is the usual choice.
    expect(page.get_by_label("TA provider", exact=False).first).to_have_value(str(provider.pk))
    page.get_by_label("Date").fill(on(10, 20).isoformat())
    page.get_by_label("Topic").fill("Co-teaching walkthroughs")
    page.get_by_label("Notes").fill("Walkthrough tool shared with the co-teachers.")
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("the date cannot be after today")).to_be_visible()
    expect(page.get_by_label("Topic")).to_have_value("Co-teaching walkthroughs")
    expect(page.get_by_label("Notes")).to_have_value(
        "Walkthrough tool shared with the co-teachers."
    )
    screenshot(page, "cim-ta-session-future-refused")
    assert not TaSession.objects.exists()

    page.get_by_label("Date").fill(on(10, 14).isoformat())
    page.get_by_role("button", name="Log session").click()
    expect(page.get_by_text("TA session logged.")).to_be_visible()
    expect(page.locator(".list-group-item", has_text="Tamsin Aguilar")).to_be_visible()
    screenshot(page, "cim-ta-session-logged")
    assert TaSession.objects.get().provider_account == provider
