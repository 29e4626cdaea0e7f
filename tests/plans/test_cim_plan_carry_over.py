"""A new school year's Plan for Improvement starts from last year's: its analysis, strategies,
activities and outcomes carried over with their metrics, so outcomes can be followed across
years (seed 001; issue 18; plans/carry_over.py, progress/plan_carry_over.py)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from plans import carry_over as plan_carry_over
from plans import services as plan_services
from plans.models import (
    Activity,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    Outcome,
    PlanForImprovement,
    Strategy,
)
from progress.models import Direction, Measurement, Metric
from schoolplan import next_year
from schoolplan.models import Role

from ..clock import YEAR, on, year_name
from ..factories import SchoolYearFactory, member

pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

LAST = YEAR - 1
LAST_NAME = year_name(LAST)


def last(month, day):
    return on(month, day, start_year=LAST)


@pytest.fixture
def lead(district, school_year):
    return member(Role.CIM_LEAD, district)


@pytest.fixture
def last_year(district):
    return SchoolYearFactory(district=district, start_year=LAST)


@pytest.fixture
def old_plan(district, last_year, lead, clock):
    """Last year's plan: an analysis, one strategy addressing it, two activities, an outcome
    with a metric measured through the year and an implementation metric never measured."""
    clock.set(last(8, 1))
    plan = plan_carry_over.start_plan(district=district, year=last_year, user=lead)
    finding = plan_services.add(
        DataFinding, user=lead, plan=plan, statement="18% of SWD at benchmark", source="Screener"
    )
    cause = plan_services.add(
        CimRootCause,
        user=lead,
        plan=plan,
        description="Tier 1 not differentiated",
        findings=[finding],
    )
    problem = plan_services.add(
        CimProblemStatement,
        user=lead,
        plan=plan,
        statement="SWD miss reading benchmarks",
        root_causes=[cause],
    )
    strategy = plan_services.add(
        Strategy,
        user=lead,
        plan=plan,
        title="Tier 1 literacy",
        position=1,
        root_causes=[cause],
        problem_statements=[problem],
    )
    coaching = plan_services.add(
        Activity,
        user=lead,
        strategy=strategy,
        title="Coach co-teachers",
        owner=lead,
        starts_on=last(9, 1),
        ends_on=last(5, 31),
        status="implemented",
    )
    walkthroughs = plan_services.add(
        Activity, user=lead, strategy=strategy, title="Walkthroughs", status="in_progress"
    )
    outcome = plan_services.add(
        Outcome, user=lead, activity=coaching, description="SWD at benchmark in reading"
    )
    metric = Metric.objects.create(
        outcome=outcome,
        name="At benchmark",
        unit="%",
        baseline=Decimal("18"),
        baseline_date=last(8, 15),
        target=Decimal("30"),
        target_date=last(6, 1),
    )
    for day, value in ((last(11, 15), "21"), (last(5, 14), "24")):
        Measurement.objects.create(metric=metric, date=day, value=Decimal(value))
    Metric.objects.create(
        activity=walkthroughs,
        kind="leading",
        name="Walkthroughs done",
        baseline=Decimal("0"),
        target=Decimal("20"),
        target_date=last(6, 1),
    )
    return plan


@pytest.fixture
def new_year(school_year, clock):
    clock.set(on(7, 15))  # the new school year has begun
    return school_year


def carry(district, year, user):
    return plan_carry_over.start_plan(district=district, year=year, user=user, from_last_year=True)


def snapshot(plan):
    return (
        list(plan.findings.values_list("statement", "version")),
        list(plan.root_causes.values_list("description", "findings", "version")),
        list(plan.problem_statements.values_list("statement", "root_causes", "version")),
        list(plan.strategies.values_list("title", "root_causes", "problem_statements", "version")),
        list(
            Activity.objects.filter(strategy__plan=plan).values_list(
                "title", "status", "starts_on", "ends_on", "owner", "version"
            )
        ),
        list(Outcome.objects.filter(activity__strategy__plan=plan).values_list("description")),
        list(
            Metric.objects.filter(outcome__activity__strategy__plan=plan).values_list(
                "baseline", "target", "target_date"
            )
        ),
        Measurement.objects.count(),
    )


# --- The service ------------------------------------------------------------------------------


def test_the_plan_is_copied_with_links_to_last_years(district, old_plan, new_year, lead):
    plan = carry(district, new_year, lead)
    assert plan.school_year == new_year
    [finding] = plan.findings.all()
    [cause] = plan.root_causes.all()
    [problem] = plan.problem_statements.all()
    [strategy] = plan.strategies.all()
    assert finding.carried_from == old_plan.findings.get()
    assert (finding.statement, finding.source) == ("18% of SWD at benchmark", "Screener")
    assert list(cause.findings.all()) == [finding]  # linked within the new plan
    assert list(problem.root_causes.all()) == [cause]
    assert list(strategy.root_causes.all()) == [cause]
    assert list(strategy.problem_statements.all()) == [problem]
    assert strategy.carried_from == old_plan.strategies.get()
    coaching, walkthroughs = strategy.activities.order_by("pk")
    assert coaching.carried_from.title == "Coach co-teachers"
    # Activities start again, a year on; an activity with no dates keeps none.
    assert (coaching.status, coaching.starts_on, coaching.ends_on, coaching.owner) == (
        "not_started",
        on(9, 1),
        on(5, 31),
        lead,
    )
    assert (walkthroughs.status, walkthroughs.starts_on) == ("not_started", None)
    [outcome] = coaching.outcomes.all()
    assert outcome.carried_from.description == "SWD at benchmark in reading"


def test_metrics_start_from_last_years_latest_value(district, old_plan, new_year, lead):
    plan = carry(district, new_year, lead)
    outcome = Outcome.objects.get(activity__strategy__plan=plan)
    metric = outcome.metric
    assert (metric.name, metric.unit, metric.direction) == ("At benchmark", "%", Direction.UP)
    assert (metric.baseline, metric.baseline_date) == (Decimal("24"), last(5, 14))
    assert (metric.target, metric.target_date) == (Decimal("30"), on(6, 1))
    assert not metric.measurements.exists()  # last year's values stay with last year's metric
    assert outcome.carried_from.metric.measurements.count() == 2
    # Never measured: its baseline is last year's.
    implementation = Metric.objects.get(activity__strategy__plan=plan)
    assert (implementation.kind, implementation.baseline, implementation.target) == (
        "leading",
        Decimal("0"),
        Decimal("20"),
    )


def test_a_target_reached_last_year_starts_at_the_new_baseline(district, old_plan, new_year, lead):
    old_metric = Metric.objects.get(outcome__activity__strategy__plan=old_plan)
    Measurement.objects.create(metric=old_metric, date=last(6, 10), value=Decimal("33"))
    plan = carry(district, new_year, lead)
    metric = Metric.objects.get(outcome__activity__strategy__plan=plan)
    assert (metric.baseline, metric.target) == (Decimal("33"), Decimal("33"))
    copied = plan.changes.get(action="copied")
    assert "set a new one for At benchmark" in copied.changes["Carried over"][1]


def test_last_years_plan_is_untouched(district, old_plan, new_year, lead):
    before = snapshot(old_plan)
    carry(district, new_year, lead)
    assert snapshot(PlanForImprovement.objects.get(pk=old_plan.pk)) == before


def test_the_history_says_what_was_carried(district, old_plan, new_year, lead):
    plan = carry(district, new_year, lead)
    copied = plan.changes.get(action="copied")
    assert copied.object_label == f"from the {LAST_NAME} plan"
    summary = copied.changes["Carried over"][1]
    assert "1 data finding, 1 root cause, 1 problem statement" in summary
    assert "1 High-Leverage Strategy, 2 activities" in summary and "2 metrics" in summary
    kinds = set(plan.changes.filter(action="added").values_list("object_kind", flat=True))
    assert {"High-Leverage Strategy", "activity", "outcome", "metric", "root cause"} <= kinds


def test_starting_twice_is_refused_and_copies_nothing_more(district, old_plan, new_year, lead):
    plan = carry(district, new_year, lead)
    with pytest.raises(ValidationError, match="has already been started"):
        carry(district, new_year, lead)
    assert Strategy.objects.filter(plan=plan).count() == 1
    assert PlanForImprovement.objects.filter(school_year=new_year).count() == 1


def test_an_empty_plan_already_started_is_not_filled(district, old_plan, new_year, lead):
    plan = plan_carry_over.start_plan(district=district, year=new_year, user=lead)
    with pytest.raises(ValidationError, match="has already been started"):
        carry(district, new_year, lead)
    assert not plan.strategies.exists() and not plan.findings.exists()


def test_an_empty_start_works_beside_last_years(district, old_plan, new_year, lead):
    plan = plan_carry_over.start_plan(district=district, year=new_year, user=lead)
    assert not plan.strategies.exists() and not plan.findings.exists()
    assert old_plan.strategies.count() == 1


def test_with_no_plan_last_year_the_copy_is_refused(district, last_year, new_year, lead):
    with pytest.raises(ValidationError, match=f"had no Plan for Improvement in {LAST_NAME}"):
        carry(district, new_year, lead)
    assert not PlanForImprovement.objects.exists()


def test_an_owner_who_left_the_team_is_not_carried(district, old_plan, new_year, lead):
    other = member(Role.CIM_MEMBER, district)
    activity = Activity.objects.get(title="Coach co-teachers")
    activity.owner = other
    activity.save()
    other.memberships.all().delete()
    plan = carry(district, new_year, lead)
    assert Activity.objects.get(strategy__plan=plan, title="Coach co-teachers").owner is None


def test_29_february_moves_to_the_28th(district, last_year, new_year, lead):
    from plans.carry_over import moved

    assert moved(date(2028, 2, 29)) == date(2029, 2, 28)
    assert moved(date(2027, 3, 1)) == date(2028, 3, 1)
    assert moved(None) is None


@pytest.mark.django_db(transaction=True)
def test_two_racing_starts_copy_once(district, old_plan, new_year, lead):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    results = []
    barrier = threading.Barrier(2)

    def start():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            carry(district, new_year, lead)
            results.append("started")
        except ValidationError:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "started"]
    plan = PlanForImprovement.objects.get(school_year=new_year)
    assert plan.strategies.count() == 1 and plan.findings.count() == 1


# --- The pages --------------------------------------------------------------------------------


def start_url(district, year):
    return reverse("plan_start", args=[district.pk]) + f"?year={year.start_year}"


def test_the_cim_page_offers_last_years_plan(client, district, old_plan, new_year, lead):
    client.force_login(lead)
    page = client.get(reverse("cim_home", args=[district.pk])).content.decode()
    assert f"Start from the {LAST_NAME} plan" in page
    assert 'value="last_year" checked' in page
    assert "Start an empty plan" in page


def test_without_last_years_plan_the_cim_page_starts_an_empty_one(client, district, new_year, lead):
    client.force_login(lead)
    page = client.get(reverse("cim_home", args=[district.pk])).content.decode()
    assert f"Start the {new_year.name} plan" in page
    assert "Start from the" not in page


def test_the_lead_starts_from_last_years_plan_on_the_page(
    client, district, old_plan, new_year, lead
):
    client.force_login(lead)
    response = client.post(start_url(district, new_year), {"start": "last_year"}, follow=True)
    plan = PlanForImprovement.objects.get(school_year=new_year)
    assert response.redirect_chain[-1][0] == plan.get_absolute_url()
    page = response.content.decode()
    assert f"The {new_year.name} plan starts from last year" in page
    assert "Tier 1 literacy" in page and f"from {LAST_NAME}" in page
    # Posting again (a second tab) copies nothing more.
    response = client.post(start_url(district, new_year), {"start": "last_year"}, follow=True)
    assert "has already been started" in response.content.decode()
    assert plan.strategies.count() == 1


def test_the_lead_starts_an_empty_plan_on_the_page(client, district, old_plan, new_year, lead):
    client.force_login(lead)
    response = client.post(start_url(district, new_year), {"start": "empty"})
    plan = PlanForImprovement.objects.get(school_year=new_year)
    assert response["Location"] == plan.get_absolute_url()
    assert not plan.strategies.exists()


@pytest.mark.parametrize("role", [Role.TA_PROVIDER, Role.DISTRICT_STAFF])
def test_only_the_cim_team_starts_the_plan(client, district, old_plan, new_year, role):
    client.force_login(member(role, district))
    response = client.post(start_url(district, new_year), {"start": "last_year"})
    assert response.status_code == 403
    assert not PlanForImprovement.objects.filter(school_year=new_year).exists()


def test_the_plan_page_shows_last_years_values(client, district, old_plan, new_year, lead):
    plan = carry(district, new_year, lead)
    client.force_login(lead)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert f"{LAST_NAME}: 18% → 24% ({last(5, 14):%-d %b %Y}), target 30%" in page
    old_metric = Metric.objects.get(outcome__activity__strategy__plan=old_plan)
    assert reverse("metric_detail", args=[old_metric.pk]) in page


def test_the_plan_page_keeps_a_flat_query_count(
    client, district, old_plan, new_year, lead, django_assert_max_num_queries
):
    plan = carry(district, new_year, lead)
    client.force_login(lead)
    with django_assert_max_num_queries(40) as few:
        assert client.get(plan.get_absolute_url()).status_code == 200
    count = len(few.captured_queries)
    # Five more carried outcomes, each with last year's metric and values, and more analysis.
    old_strategy = old_plan.strategies.get()
    for n in range(5):
        activity = plan_services.add(Activity, user=lead, strategy=old_strategy, title=f"A{n}")
        outcome = plan_services.add(Outcome, user=lead, activity=activity, description=f"O{n}")
        metric = Metric.objects.create(
            outcome=outcome, name=f"M{n}", baseline=1, target=2, target_date=last(6, 1)
        )
        Measurement.objects.create(metric=metric, date=last(10, 1), value=Decimal("1.5"))
        plan_services.add(DataFinding, user=lead, plan=old_plan, statement=f"F{n}")
    PlanForImprovement.objects.filter(pk=plan.pk).delete()
    plan = carry(district, new_year, lead)
    assert Outcome.objects.filter(activity__strategy__plan=plan).count() == 6
    with django_assert_max_num_queries(count):
        page = client.get(plan.get_absolute_url()).content.decode()
    assert page.count(f"{LAST_NAME}: ") >= 6


def test_starting_the_next_school_year_says_the_plan_can_carry_over(
    district, old_plan, last_year, lead, clock
):
    clock.set(last(6, 10))
    lines = next_year.preview(last_year)
    assert any(
        f"starts the {year_name(YEAR)} plan on the CIM page, from the {LAST_NAME} plan" in line
        for line in lines
    )
