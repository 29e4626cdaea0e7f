"""Metrics (DOMAIN: progress): the on-track rule at its edges, the trend chart, one metric's page,
and measurements in bulk and from CSV (all or nothing, row-numbered errors)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Goal
from plans import workflow
from plans.models import Initiative
from progress import measurements as bulk
from progress.charts import trend_svg
from progress.models import Measurement, Metric
from progress.status import Status, expected_on, status_of
from schoolplan.models import EssaDesignation, Role

from ..clock import YEAR, on
from ..factories import SchoolFactory, member
from ..school_plan_helpers import complete_plan

pytestmark = pytest.mark.django_db


# 365 days, whether or not a 29 February falls between (20 points a year).
BASELINE_DAY = on(9, 1)
TARGET_DAY = BASELINE_DAY + timedelta(days=365)


def path_metric(**fields):
    """Baseline 40 on 1 Sep of the school year, target 60 365 days later."""
    values = {
        "name": "Reading at grade level",
        "unit": "%",
        "baseline": Decimal("40"),
        "baseline_date": BASELINE_DAY,
        "target": Decimal("60"),
        "target_date": TARGET_DAY,
        "direction": "up",
    }
    values.update(fields)
    return Metric(**values)


MIDWAY = BASELINE_DAY + timedelta(days=182)  # the path expects 40 + 20 * 182/365 = 49.97
FIFTH = BASELINE_DAY + timedelta(days=73)  # the path expects exactly 44
OCT_1 = on(10, 1).isoformat()  # a measurement's day, as a form or a file gives it


def test_the_path_runs_straight_from_baseline_to_target():
    metric = path_metric()
    assert expected_on(metric, on(1, 1, start_year=YEAR - 1)) == Decimal("40")  # before it
    assert expected_on(metric, BASELINE_DAY) == Decimal("40")
    assert round(expected_on(metric, MIDWAY), 2) == Decimal("49.97")
    assert expected_on(metric, TARGET_DAY) == Decimal("60")
    assert expected_on(metric, on(1, 1, start_year=YEAR + 1)) == Decimal("60")  # after it


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("44.01", Status.ON_TRACK),  # beyond the path
        ("44", Status.ON_TRACK),  # on it
        ("43.99", Status.AT_RISK),  # behind it
        ("42", Status.AT_RISK),  # 2 behind: a tenth of the 20-point change, still at risk
        ("41.99", Status.OFF_TRACK),  # more than a tenth behind
        ("30", Status.OFF_TRACK),
    ],
)
def test_status_at_its_edges_when_higher_is_better(value, status):
    assert expected_on(path_metric(), FIFTH) == Decimal("44")
    assert status_of(path_metric(), Decimal(value), FIFTH) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [("50", Status.ON_TRACK), ("51.99", Status.AT_RISK), ("52.01", Status.OFF_TRACK)],
)
def test_status_when_lower_is_better(value, status):
    # Chronic absence from 60% down to 40%: half way, the path expects 50.
    metric = path_metric(
        baseline=Decimal("60"),
        target=Decimal("40"),
        direction="down",
        baseline_date=on(9, 1),
        target_date=on(9, 21),
    )
    assert status_of(metric, Decimal(value), on(9, 11)) == status


def test_after_the_target_date_only_the_target_is_on_track():
    metric = path_metric()
    later = TARGET_DAY + timedelta(days=90)
    assert status_of(metric, Decimal("60"), later) == Status.ON_TRACK
    assert status_of(metric, Decimal("58"), later) == Status.AT_RISK
    assert status_of(metric, Decimal("57.9"), later) == Status.OFF_TRACK


def test_no_measurement_no_status():
    assert status_of(path_metric()) == Status.NO_DATA


def test_without_a_baseline_date_the_path_starts_a_year_before_the_target():
    metric = path_metric(baseline_date=None)
    assert metric.path_starts == BASELINE_DAY


def test_a_target_the_wrong_way_round_is_refused():
    with pytest.raises(ValidationError, match="cannot be below the baseline"):
        path_metric(target=Decimal("30")).clean()
    with pytest.raises(ValidationError, match="cannot be above the baseline"):
        path_metric(direction="down").clean()
    with pytest.raises(ValidationError, match="must come after the baseline date"):
        path_metric(baseline_date=TARGET_DAY + timedelta(days=30)).clean()


def test_trend_chart_is_svg_with_the_path_values_and_a_description():
    metric = path_metric(name="<script>alert(1)</script>")
    values = [
        Measurement(date=on(11, 1), value=Decimal("43")),
        Measurement(date=MIDWAY, value=Decimal("48")),
    ]
    svg = trend_svg(metric, values)
    assert svg.startswith("<svg") and svg.count("<circle") == 2
    assert "stroke-dasharray" in svg  # the planned path
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert f"2 measurements, the latest 48% on {MIDWAY.day} {MIDWAY:%b %Y}" in svg
    assert "no measurement yet" in trend_svg(metric, [])


@pytest.fixture
def plan(school, school_year):
    school.essa_designation = EssaDesignation.TARGETED
    school.save()
    return complete_plan(school, school_year, member(Role.PRINCIPAL, school))


def test_metric_page_shows_chart_status_and_rule(client, plan):
    metric = plan.metrics.get(kind="leading")
    Measurement.objects.create(metric=metric, date=on(10, 1), value=Decimal("32"))
    client.force_login(member(Role.SCHOOL_STAFF, plan.school))
    page = client.get(reverse("metric_detail", args=[metric.pk])).content.decode()
    assert "<svg" in page and "How the status is worked out" in page
    assert str(metric.status.label) in page


def test_metric_of_another_school_is_a_404(client, plan, other_school):
    metric = plan.metrics.first()
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(reverse("metric_detail", args=[metric.pk])).status_code == 404
    url = reverse("metric_measure", args=[metric.pk])
    assert (
        client.post(url, {f"m{metric.pk}-date": OCT_1, f"m{metric.pk}-value": "1"}).status_code
        == 404
    )
    assert not Measurement.objects.exists()


def test_readers_who_may_not_edit_cannot_record(client, plan):
    metric = plan.metrics.first()
    client.force_login(member(Role.CIM_MEMBER, plan.school.district))  # reads the school's plans
    assert client.get(reverse("metric_detail", args=[metric.pk])).status_code == 200
    url = reverse("metric_measure", args=[metric.pk])
    assert (
        client.post(url, {f"m{metric.pk}-date": OCT_1, f"m{metric.pk}-value": "1"}).status_code
        == 403
    )


def _bulk_url(plan):
    return reverse("measurements_bulk", kwargs={"doc": "essa", "pk": plan.pk})


def test_bulk_entry_saves_all_or_nothing(client, plan):
    leading, lagging = plan.metrics.get(kind="leading"), plan.metrics.get(kind="lagging")
    client.force_login(member(Role.PRINCIPAL, plan.school))
    response = client.post(
        _bulk_url(plan),
        {
            f"date-{leading.pk}": OCT_1,
            f"value-{leading.pk}": "35",
            f"date-{lagging.pk}": OCT_1,
            f"value-{lagging.pk}": "a lot",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in page
    assert "“a lot” is not a number" in page
    assert 'value="35"' in page  # what was typed is kept
    assert not Measurement.objects.exists()
    client.post(
        _bulk_url(plan),
        {
            f"date-{leading.pk}": OCT_1,
            f"value-{leading.pk}": "35",
            f"date-{lagging.pk}": OCT_1,
            f"value-{lagging.pk}": "33,5%",
        },
    )
    assert sorted(Measurement.objects.values_list("value", flat=True)) == [
        Decimal("33.5"),
        Decimal("35"),
    ]


GOOD_CSV = (
    "metric,date,value,note\n{leading},{oct_1},35,first walkthrough\nLagging metric,{nov_1},32,\n"
)


def test_csv_import_of_measurements(client, plan):
    leading = plan.metrics.get(kind="leading")
    client.force_login(member(Role.PRINCIPAL, plan.school))
    upload = SimpleUploadedFile(
        "m.csv", GOOD_CSV.format(leading=leading.pk, oct_1=OCT_1, nov_1=on(11, 1)).encode()
    )
    response = client.post(_bulk_url(plan), {"action": "import", "file": upload})
    assert response.status_code == 302
    assert Measurement.objects.count() == 2
    assert Measurement.objects.get(metric=leading).note == "first walkthrough"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "The submitted file is empty."),
        ("metric,date,value\nLagging metric,{oct_1},3\u00e9\n", "not UTF-8"),
        (
            "metric,day,value\nLagging metric,{oct_1},3\n",
            "Line 1 of the file (the header): the columns must be",
        ),
        ("metric,date,value\n", "no measurements"),
        (
            "metric,date,value\nNo such,{oct_1},3\n",
            "Line 2 of the file (row 1 of measurements), column metric: no metric",
        ),
        (
            "metric,date,value\nLagging metric,01/10/{year},3\n",
            "Line 2 of the file (row 1 of measurements), column date",
        ),
        (
            "metric,date,value\nLagging metric,{oct_1},three\n",
            "Line 2 of the file (row 1 of measurements), column value",
        ),
        ("metric,date,value\nLagging metric,{oct_1},1e400\n", "out of range"),
        (
            "metric,date,value\nLagging metric,{oct_1},3,x,y\n",
            "Line 2 of the file (row 1 of measurements): it has 5 values",
        ),
        (
            "metric,date,value\nLagging metric,{oct_1},3\nLagging metric,{oct_2},=1+1\n",
            "Line 3 of the file (row 2 of measurements), column value",
        ),
    ],
)
def test_a_bad_measurement_file_saves_nothing(client, plan, content, message):
    client.force_login(member(Role.PRINCIPAL, plan.school))
    content = content.format(oct_1=OCT_1, oct_2=on(10, 2), year=YEAR)
    encoding = "latin-1" if "UTF-8" in message else "utf-8"
    upload = SimpleUploadedFile("m.csv", content.encode(encoding))
    response = client.post(_bulk_url(plan), {"action": "import", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page.replace("&quot;", '"').replace("&#x27;", "'")
    assert "Nothing was saved" in page or "empty" in message
    assert not Measurement.objects.exists()


def test_a_metric_of_another_plan_cannot_be_imported_into(client, plan, school, district):
    other_school = SchoolFactory(district=district, essa_designation=EssaDesignation.TARGETED)
    other = complete_plan(other_school, plan.school_year, member(Role.PRINCIPAL, other_school))
    foreign = other.metrics.first()
    rows = f"metric,date,value\n{foreign.pk},{OCT_1},3\n".encode()
    with pytest.raises(bulk.MeasurementImportError, match="no metric"):
        bulk.read_csv(rows, list(bulk.metrics_of(plan)))


def test_bulk_page_needs_the_plans_editors(client, plan, other_school):
    client.force_login(member(Role.CIM_MEMBER, plan.school.district))
    assert client.get(_bulk_url(plan)).status_code == 403
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(_bulk_url(plan)).status_code == 404


def test_blueprint_metrics_are_its_measures_its_initiatives_and_the_years_goals(plan):
    blueprint = workflow.start_blueprint(school=plan.school, year=plan.school_year, user=None)
    goal = Goal.objects.create(school=plan.school, school_year=plan.school_year, text="Read")
    initiative = Initiative.objects.create(blueprint=blueprint, area="reading", title="Phonics")
    common = {"unit": "%", "baseline": 1, "target": 2, "target_date": on(6, 1)}
    mine = {
        Metric.objects.create(name="measure", blueprint=blueprint, **common),
        Metric.objects.create(name="goal", goal=goal, **common),
        Metric.objects.create(name="initiative", initiative=initiative, **common),
    }
    assert set(bulk.metrics_of(blueprint)) == mine  # and not the ESSA plan's two
