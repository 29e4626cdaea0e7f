import threading

import pytest
from django.db import connection
from django.urls import reverse

from plans import services as plan_services
from plans.models import Activity, PlanChange, TaSession
from progress.models import ActivityReview, Comment, Measurement
from schoolplan.models import CimStatus, Role

from ..cim_helpers import make_plan, review_on
from ..clock import YEAR, moment, on
from ..factories import DistrictFactory, SchoolYearFactory, member, set_cim_status

# The plan is worked on in October; its monthly review is on the 15th (a held review must have
# begun; the CIM home's strip reads this month).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

REVIEW_DAY = on(10, 15)


@pytest.fixture
def lead(district, school_year):
    return member(Role.CIM_LEAD, district)


@pytest.fixture
def setup(district, school_year, lead, clock):
    clock.set(on(10, 1))
    plan, activity, metric = make_plan(district, school_year, lead)
    return {"plan": plan, "activity": activity, "metric": metric}


@pytest.fixture
def review(setup, district, lead, clock):
    """The October review, scheduled that morning; it is over by the time the test records it."""
    clock.set(moment(REVIEW_DAY, "09:00"))
    october = review_on(district, lead, REVIEW_DAY)
    clock.set(moment(REVIEW_DAY, "16:30"))
    return october


def test_history_records_each_change(setup, lead):
    activity = setup["activity"]
    plan_services.update(activity, user=lead, expected_version=1, status="in_progress")
    plan_services.remove(activity.outcomes.get(), user=lead)
    history = list(setup["plan"].changes.order_by("at", "pk"))
    kinds = [(c.action, c.object_kind) for c in history]
    assert kinds == [
        ("added", "plan"),
        ("added", "High-Leverage Strategy"),
        ("added", "activity"),
        ("added", "outcome"),
        ("changed", "activity"),
        ("removed", "outcome"),
    ]
    change = history[4]
    assert change.by == lead
    assert change.changes == {"Implementation status": ["Not started", "In progress"]}


def test_team_reads_the_history_page(client, setup, district):
    member_user = member(Role.CIM_MEMBER, district)
    client.force_login(member_user)
    page = client.get(
        reverse("doc_history", kwargs={"doc": "cim/plans", "pk": setup["plan"].pk})
    ).content.decode()
    assert "Coach co-teachers" in page


def test_two_racing_saves_one_wins_the_other_is_refused(setup, lead, district):
    other = member(Role.CIM_MEMBER, district)
    first_copy = Activity.objects.get(pk=setup["activity"].pk)
    second_copy = Activity.objects.get(pk=setup["activity"].pk)
    plan_services.update(first_copy, user=lead, expected_version=1, status="implemented")
    with pytest.raises(plan_services.EditConflict) as error:
        plan_services.update(second_copy, user=other, expected_version=1, title="Renamed")
    assert "Implementation status: Not started → Implemented" in error.value.messages[0]
    activity = Activity.objects.get(pk=setup["activity"].pk)
    assert (activity.status, activity.title, activity.version) == (
        "implemented",
        "Coach co-teachers",
        2,
    )


def test_the_refused_save_keeps_the_users_input(client, setup, lead):
    activity = setup["activity"]
    plan_services.update(activity, user=lead, expected_version=1, status="implemented")
    client.force_login(lead)
    url = reverse(
        "doc_item_edit",
        kwargs={
            "doc": "cim/plans",
            "pk": setup["plan"].pk,
            "kind": "activity",
            "item_pk": activity.pk,
        },
    )
    response = client.post(
        url, {"title": "My new title", "status": "in_progress", "expected_version": 1}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this first" in page
    assert 'value="My new title"' in page
    activity.refresh_from_db()
    assert activity.title == "Coach co-teachers"
    # Having seen the change, saving again goes through.
    response = client.post(
        url, {"title": "My new title", "status": "in_progress", "expected_version": 2}
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("My new title", 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_in_threads_exactly_one_wins(district, school_year):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    lead = member(Role.CIM_LEAD, district)
    _, activity, _ = make_plan(district, school_year, lead)
    results = []
    barrier = threading.Barrier(2)

    def save(status):
        from django.db import connection as thread_connection

        try:
            copy = Activity.objects.get(pk=activity.pk)
            barrier.wait()
            plan_services.update(copy, user=lead, expected_version=1, status=status)
            results.append("saved")
        except plan_services.EditConflict:
            results.append("refused")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(s,)) for s in ("implemented", "sustained")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["refused", "saved"]
    assert Activity.objects.get(pk=activity.pk).version == 2


def _row(activity, **fields):
    """An activity's row of the review, as the page sends it (progress/views_review.py)."""
    return {
        "version": 0,
        "status": activity.status,
        "status_was": activity.status,
        "plan_status_was": activity.status,
        **fields,
    }


def test_review_records_status_and_measurements(client, setup, review, lead):
    client.force_login(lead)
    activity, metric = setup["activity"], setup["metric"]
    response = client.post(
        reverse("review_activity", args=[review.pk, activity.pk]),
        _row(
            activity,
            status="implemented",
            barriers="Sub shortages",
            next_steps="Cover rota",
            **{f"value-{metric.pk}": "22.5"},
        ),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("review_minutes", args=[review.pk]),
        {"version": 0, "text": "All strategies reviewed.", "mark_held": "on"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_held
    assert Measurement.objects.get(metric=metric).value == 22.5
    assert Measurement.objects.get(metric=metric).date == REVIEW_DAY
    entry = ActivityReview.objects.get(review=review)
    assert (entry.status, entry.barriers) == ("implemented", "Sub shortages")
    activity.refresh_from_db()
    assert activity.status == "implemented"
    assert PlanChange.objects.filter(object_kind="activity", action="changed").count() == 1


def test_bad_measurement_saves_nothing(client, setup, review, lead):
    client.force_login(lead)
    activity, metric = setup["activity"], setup["metric"]
    response = client.post(
        reverse("review_activity", args=[review.pk, activity.pk]),
        _row(activity, status="implemented", **{f"value-{metric.pk}": "about twenty"}),
    )
    assert "is not a number" in response.content.decode()
    review.refresh_from_db()
    assert review.is_planned
    assert not Measurement.objects.exists() and not ActivityReview.objects.exists()
    activity.refresh_from_db()
    assert activity.status == "not_started"


def test_ta_provider_reads_and_comments_only(client, setup, district, review):
    ta = member(Role.TA_PROVIDER, district)
    plan, activity = setup["plan"], setup["activity"]
    client.force_login(ta)
    for url in (
        reverse("cim_home", args=[district.pk]),
        plan.get_absolute_url(),
        reverse("review_record", args=[review.pk]),
        reverse("doc_history", kwargs={"doc": "cim/plans", "pk": plan.pk}),
        review.get_absolute_url(),
    ):
        assert client.get(url).status_code == 200, url
    forbidden = [
        reverse("doc_item_add", kwargs={"doc": "cim/plans", "pk": plan.pk, "kind": "strategy"}),
        reverse(
            "doc_item_edit",
            kwargs={"doc": "cim/plans", "pk": plan.pk, "kind": "activity", "item_pk": activity.pk},
        ),
        reverse("review_activity", args=[review.pk, activity.pk]),
        reverse("review_minutes", args=[review.pk]),
        reverse("review_schedule", args=[district.pk]),
        reverse("metric_edit", args=[setup["metric"].outcome_id]),
        reverse("ta_sessions", args=[plan.pk]),
    ]
    for url in forbidden:
        assert client.post(url, {"title": "x", "status": "implemented"}).status_code == 403, url
    assert (
        client.post(
            reverse("comment_add", args=[plan.pk]), {"text": "Consider a walkthrough tool."}
        ).status_code
        == 302
    )
    assert Comment.objects.get().author == ta
    activity.refresh_from_db()
    assert activity.status == "not_started"


def test_ta_provider_of_another_district_gets_404(client, setup, district, review):
    elsewhere = DistrictFactory(cim_status=CimStatus.INTENSIVE_1)
    SchoolYearFactory(district=elsewhere)
    client.force_login(member(Role.TA_PROVIDER, elsewhere))
    for url in (
        reverse("cim_home", args=[district.pk]),
        setup["plan"].get_absolute_url(),
        reverse("review_record", args=[review.pk]),
        review.get_absolute_url(),
    ):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER])
def test_school_roles_do_not_reach_the_cim_plan(client, setup, school, role):
    client.force_login(member(role, school))
    assert client.get(setup["plan"].get_absolute_url()).status_code == 404


def test_ta_sessions_logged_by_the_team(client, setup, lead):
    client.force_login(lead)
    plan = setup["plan"]
    strategy = plan.strategies.get()
    response = client.post(
        reverse("ta_sessions", args=[plan.pk]),
        {
            "date": on(9, 20).isoformat(),  # held before today (1 October)
            "provider": "County TA Center",
            "topic": "Co-teaching walkthroughs",
            "strategy": strategy.pk,
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert TaSession.objects.get().strategy == strategy


def test_no_ta_sessions_outside_intensive(client, setup, district, lead):
    set_cim_status(district, CimStatus.TARGETED_1)
    client.force_login(lead)
    assert client.get(reverse("ta_sessions", args=[setup["plan"].pk])).status_code == 404


def test_cim_home_shows_the_strip(client, setup, district, lead):
    client.force_login(lead)
    page = client.get(reverse("cim_home", args=[district.pk])).content.decode()
    assert "Monthly reviews" in page and f"Jul {YEAR}" in page


def test_cim_pages_queries_do_not_grow(
    client, setup, district, lead, review, django_assert_max_num_queries
):
    plan = setup["plan"]
    client.force_login(lead)
    urls = [
        plan.get_absolute_url(),
        reverse("review_record", args=[review.pk]),
        reverse("cim_home", args=[district.pk]),
        reverse("doc_history", kwargs={"doc": "cim/plans", "pk": plan.pk}),
    ]
    counts = {}
    for url in urls:
        with django_assert_max_num_queries(30) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    from decimal import Decimal

    from plans.models import Activity, Outcome, Strategy
    from progress.models import Measurement, Metric

    for n in range(6):
        strategy = plan_services.add(Strategy, user=lead, plan=plan, title=f"S{n}")
        activity = plan_services.add(Activity, user=lead, strategy=strategy, title=f"A{n}")
        outcome = plan_services.add(Outcome, user=lead, activity=activity, description=f"O{n}")
        metric = Metric.objects.create(
            outcome=outcome, name=f"M{n}", baseline=1, target=2, target_date=on(6, 1)
        )
        Measurement.objects.create(metric=metric, date=on(10, 1), value=Decimal("1.5"))
        review_on(district, lead, on(9, 1 + n))
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_review_from_a_stale_page_is_refused_and_saves_nothing(
    client, setup, district, lead, review
):
    activity, metric = setup["activity"], setup["metric"]
    other = member(Role.CIM_MEMBER, district)
    plan_services.update(activity, user=other, expected_version=1, status="in_progress")
    client.force_login(lead)
    response = client.post(
        reverse("review_activity", args=[review.pk, activity.pk]),
        {
            "version": 0,
            "status": "implemented",
            # The page was loaded before the other change.
            "status_was": "not_started",
            "plan_status_was": "not_started",
            f"value-{metric.pk}": "22",
        },
    )
    page = response.content.decode()
    assert "after you loaded it" in page
    assert "In progress (in the plan)" in page
    activity.refresh_from_db()
    assert (activity.status, activity.version) == ("in_progress", 2)
    assert not Measurement.objects.exists() and not ActivityReview.objects.exists()
    review.refresh_from_db()
    assert review.is_planned


@pytest.mark.parametrize(
    "version, value, message",
    [
        # Each was a 500: int("²") after str.isdigit(); a version of 30 digits overflowing the
        # database; no version at all with a changed status; a value no column holds.
        ("²", "22", "after you loaded it"),
        ("9" * 30, "22", "after you loaded it"),
        ("", "22", "after you loaded it"),
        ("0", "1e400", "out of range"),
        ("0", "NaN", "out of range"),
        ("0", "1.234", "more than two decimal places"),
    ],
)
def test_review_refuses_hand_edited_values_and_saves_nothing(
    client, setup, lead, review, version, value, message
):
    activity, metric = setup["activity"], setup["metric"]
    client.force_login(lead)
    response = client.post(
        reverse("review_activity", args=[review.pk, activity.pk]),
        _row(
            activity,
            version=version,
            status="implemented",
            attended=["²", "9" * 30, str(lead.pk)],
            **{f"value-{metric.pk}": value},
        ),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Measurement.objects.exists() and not ActivityReview.objects.exists()
    activity.refresh_from_db()
    assert activity.version == 1


@pytest.mark.parametrize("posted", ["abc", "²", "9" * 30])
def test_a_comment_on_a_review_that_is_not_an_id_is_a_404(client, setup, lead, posted):
    client.force_login(lead)
    url = reverse("comment_add", args=[setup["plan"].pk])
    assert client.post(url, {"text": "x", "review": posted}).status_code == 404


def test_nul_characters_in_review_text_are_dropped_not_a_500(client, setup, lead, review):
    """PostgreSQL refuses NUL in text: the hand-read review fields were a 500 there."""
    activity = setup["activity"]
    client.force_login(lead)
    response = client.post(
        reverse("review_activity", args=[review.pk, activity.pk]),
        _row(activity, barriers="a\x00b"),
    )
    assert response.status_code == 302
    response = client.post(
        reverse("review_minutes", args=[review.pk]), {"version": 0, "text": "x\x00y"}
    )
    assert response.status_code == 302
    assert ActivityReview.objects.get(activity=activity).barriers == "ab"
    assert review.minutes.text == "xy"
    url = reverse("comment_add", args=[setup["plan"].pk])
    assert client.post(url, {"text": "c\x00d"}).status_code == 302
