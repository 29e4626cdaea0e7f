"""Measurements keep their history (issue 18): one current value per metric and date; a
correction keeps the earlier value, who entered it and when; the CIM team corrects and removes
values with a reason; the chart, the status and the reports read the current value only."""

import importlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from plans.models import Outcome
from progress import measurements as bulk
from progress import services
from progress.charts import trend_svg
from progress.models import Measurement, Metric
from progress.reports import content as report_content
from progress.reports import periods as report_periods
from progress.reports import workflow as report_workflow
from progress.status import Status
from schoolplan.models import Role

from ..cim_helpers import make_plan
from ..clock import YEAR, moment, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, UserFactory, member

pytestmark = pytest.mark.django_db

DAY = on(10, 15)
MIGRATION = importlib.import_module("progress.migrations.0006_measurement_history")


@pytest.fixture
def team(district, school_year):
    lead = member(Role.CIM_LEAD, district, UserFactory(first_name="Ana", last_name="Lead"))
    ben = member(Role.CIM_MEMBER, district, UserFactory(first_name="Ben", last_name="Member"))
    return lead, ben


@pytest.fixture
def metric(district, school_year, team):
    return make_plan(district, school_year, team[0])[2]


def _versions(metric):
    return list(Measurement.history.filter(metric=metric).order_by("recorded_at", "pk"))


# --- The rule ---------------------------------------------------------------------------------


def test_a_correction_keeps_the_earlier_value_who_entered_it_and_when(metric, team, clock):
    lead, ben = team
    clock.set(moment(DAY, "15:00"))
    first = bulk.record_value(metric, day=DAY, value=Decimal("22"), user=lead)
    clock.set(moment(on(10, 16), "09:30"))
    second = bulk.record_value(
        metric, day=DAY, value="23.5", user=ben, reason="typo: the sheet says 23.5"
    )
    old, new = _versions(metric)
    assert old.pk == first.pk and new.pk == second.pk
    assert (old.value, old.recorded_by, old.recorded_at) == (22, lead, moment(DAY, "15:00"))
    assert (old.replaced_by, old.replaced_at) == (ben, moment(on(10, 16), "09:30"))
    assert (new.value, new.recorded_by, new.reason) == (
        Decimal("23.5"),
        ben,
        "typo: the sheet says 23.5",
    )
    assert new.replaced_at is None
    assert list(metric.measurements.all()) == [new]  # the default manager: current only
    assert Measurement.objects.get(metric=metric).value == Decimal("23.5")


def test_the_same_value_twice_is_one_row(metric, team):
    lead, ben = team
    first = bulk.record_value(metric, day=DAY, value=Decimal("22"), user=lead, note="walk")
    again = bulk.record_value(metric, day=DAY, value="22.00", user=ben, note="walk")
    assert again.pk == first.pk and again.recorded_by == lead
    assert Measurement.history.count() == 1
    # A different note is a new version, though.
    bulk.record_value(metric, day=DAY, value="22", user=ben, note="walkthrough, 3 rooms")
    assert Measurement.history.count() == 2


def test_the_database_holds_one_current_value_per_metric_and_date(metric):
    Measurement.objects.create(metric=metric, date=DAY, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.create(metric=metric, date=DAY, value=2)
    # Replaced versions are as many as history needs.
    Measurement.history.create(metric=metric, date=DAY, value=3, replaced_at=moment(DAY))
    Measurement.history.create(metric=metric, date=DAY, value=4, replaced_at=moment(DAY))
    assert Measurement.history.filter(metric=metric, date=DAY).count() == 3


def test_removal_needs_a_reason_and_keeps_the_value_in_the_history(metric, team, clock):
    lead, ben = team
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    for blank in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            bulk.remove_value(value, user=ben, reason=blank)
        assert "reason" in refused.value.message_dict
    assert Measurement.objects.get().pk == value.pk  # nothing written
    clock.set(moment(on(10, 20), "08:00"))
    bulk.remove_value(value, user=ben, reason="Measured the wrong cohort")
    assert not metric.measurements.exists()
    removed = Measurement.history.get()
    assert (removed.replaced_by, removed.removal_reason, removed.recorded_by) == (
        ben,
        "Measured the wrong cohort",
        lead,
    )
    assert removed.replaced_at == moment(on(10, 20), "08:00")
    # The date can have a value again: a new one, not a correction.
    again = bulk.record_value(metric, day=DAY, value=21, user=lead)
    assert again.reason == "" and Measurement.history.count() == 2


def test_correcting_needs_a_reason(metric, team):
    lead, ben = team
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    with pytest.raises(ValidationError) as refused:
        bulk.correct_value(value, user=ben, value="2,5O", reason="")
    assert set(refused.value.message_dict) == {"value", "reason"}
    with pytest.raises(ValidationError, match="nothing to correct"):
        bulk.correct_value(value, user=ben, value="22", reason="checked")
    assert Measurement.history.count() == 1


def test_correcting_a_version_someone_replaced_meanwhile_is_refused_naming_them(metric, team):
    lead, ben = team
    seen_by_lead = bulk.record_value(metric, day=DAY, value=22, user=lead)
    bulk.correct_value(seen_by_lead, user=ben, value=24, reason="recounted")
    with pytest.raises(bulk.StaleMeasurement) as refused:
        bulk.correct_value(seen_by_lead, user=lead, value=23, reason="typo")
    message = refused.value.messages[0]
    assert "Ben Member" in message and "24%" in message and "Yours: 23%" in message
    assert refused.value.current.value == 24
    assert [m.value for m in _versions(metric)] == [22, 24]  # nothing written
    # Removing what someone else removed meanwhile is refused too, naming them and their reason.
    current = Measurement.objects.get(metric=metric)
    bulk.remove_value(current, user=ben, reason="wrong cohort")
    with pytest.raises(bulk.StaleMeasurement, match="Ben Member removed.*wrong cohort"):
        bulk.remove_value(current, user=lead, reason="duplicate")


def test_record_measurement_goes_through_the_same_rule(metric, team):
    lead, ben = team
    services.record_measurement(metric, user=lead, date=DAY, value=Decimal("20"))
    services.record_measurement(metric, user=ben, date=DAY, value=Decimal("21"), reason="recount")
    assert [m.value for m in _versions(metric)] == [20, 21]
    assert Measurement.objects.get(metric=metric).recorded_by == ben


# --- Bulk entry and the CSV import ----------------------------------------------------------


def _bulk_url(metric):
    plan = metric.outcome.activity.strategy.plan
    return reverse("measurements_bulk", kwargs={"doc": "cim/plans", "pk": plan.pk})


def test_a_csv_row_for_a_recorded_date_corrects_it(client, metric, team):
    lead, ben = team
    bulk.record_value(metric, day=DAY, value=22, user=lead)
    client.force_login(ben)
    upload = SimpleUploadedFile(
        "october.csv",
        f"metric,date,value\n{metric.pk},{DAY},25\n{metric.pk},{on(11, 1)},26\n".encode(),
    )
    response = client.post(_bulk_url(metric), {"action": "import", "file": upload})
    assert response.status_code == 302
    old, new = _versions(metric)[:2]
    assert (old.value, old.replaced_by, new.value, new.reason) == (
        22,
        ben,
        25,
        "imported from october.csv",
    )
    assert sorted(m.value for m in metric.measurements.all()) == [25, 26]


def test_two_rows_for_one_date_in_a_file_are_refused_and_nothing_is_saved(client, metric, team):
    client.force_login(team[0])
    upload = SimpleUploadedFile(
        "m.csv",
        (
            f"metric,date,value\n{metric.pk},{on(11, 1)},1\n"
            f"At benchmark,{DAY},25\n{metric.pk},{DAY},26\n"
        ).encode(),
    )
    response = client.post(_bulk_url(metric), {"action": "import", "file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in page
    assert "Line 4 of the file (row 3 of measurements): “At benchmark” has a value for" in page
    assert "on line 3 (row 2 of measurements) already" in page
    assert not Measurement.history.exists()


def test_bulk_form_correction_needs_a_reason_and_keeps_what_was_typed(client, metric, team):
    lead, ben = team
    bulk.record_value(metric, day=DAY, value=22, user=lead)
    client.force_login(ben)
    typed = {f"date-{metric.pk}": DAY.isoformat(), f"value-{metric.pk}": "27,5"}
    response = client.post(_bulk_url(metric), typed)
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was saved" in page
    assert "has 22% already, entered by Ana Lead" in page and "Give a reason" in page
    assert 'value="27,5"' in page
    assert Measurement.history.count() == 1
    response = client.post(_bulk_url(metric), {**typed, "reason": "late data from site 2"})
    assert response.status_code == 302
    assert Measurement.objects.get(metric=metric).reason == "late data from site 2"
    assert Measurement.history.count() == 2


# --- What reads values: chart, status, reports ------------------------------------------------


def test_chart_status_and_report_use_the_current_value(metric, team, district, school_year):
    lead, ben = team
    bulk.record_value(metric, day=on(8, 20), value=Decimal("11"), user=lead)
    wrong = bulk.record_value(metric, day=on(9, 20), value=Decimal("99"), user=lead)
    bulk.correct_value(wrong, user=ben, value=Decimal("19"), reason="typo")
    removed = bulk.record_value(metric, day=on(9, 25), value=Decimal("77"), user=lead)
    bulk.remove_value(removed, user=ben, reason="wrong cohort")
    metric = Metric.objects.get(pk=metric.pk)
    svg = trend_svg(metric, list(metric.measurements.all()))
    assert svg.count("<circle") == 2 and "19%" in svg
    assert "99%" not in svg and "77%" not in svg
    assert metric.latest.value == 19 and metric.status != Status.NO_DATA
    due = report_periods.ensure_due_dates(district, school_year)[0]  # Quarter 1 (Intensive)
    report = report_workflow.start_report(due, user=lead)
    content = report_content.build_content(report)
    outcome = content["strategies"][0]["activities"][0]["outcomes"][0]
    assert [v["value"] for v in outcome["metric"]["values"]] == ["11.00", "19.00"]
    # The plan's page (progress shown per outcome) shows the current value too.
    outcome_metric = Outcome.objects.prefetch_related("metric__measurements").get().metric
    assert outcome_metric.latest.value == 19


def test_a_schools_plan_page_shows_the_corrected_value(client, school, school_year):
    from ..school_plan_helpers import complete_plan

    principal = member(Role.PRINCIPAL, school)
    plan = complete_plan(school, school_year, principal)
    essa_metric = plan.metrics.get(kind="leading")
    value = bulk.record_value(essa_metric, day=DAY, value=31, user=principal)
    bulk.correct_value(value, user=principal, value=34, reason="recount")
    client.force_login(principal)
    page = client.get(reverse("essa_plan", args=[plan.pk])).content.decode()
    assert "<strong>34" in page and "<strong>31" not in page


# --- The metric's page ----------------------------------------------------------------------


def test_the_metric_page_shows_who_entered_each_value_and_its_history(client, metric, team, clock):
    lead, ben = team
    clock.set(moment(DAY, "15:00"))
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    clock.set(moment(on(10, 16), "09:30"))
    bulk.correct_value(value, user=ben, value=23, reason="typo on the sheet")
    gone = bulk.record_value(metric, day=on(10, 1), value=40, user=lead)
    bulk.remove_value(gone, user=ben, reason="wrong cohort")
    client.force_login(lead)
    page = client.get(reverse("metric_detail", args=[metric.pk])).content.decode()
    assert "corrected" in page and "History" in page
    assert "Ben Member" in page and "16 Oct" in page  # the current value: who, when
    assert "entered by Ana Lead on 15 Oct" in page  # the earlier one, in the history
    assert "“typo on the sheet”" in page
    assert "Removed values" in page and "“wrong cohort”" in page
    assert reverse("measurement_correct", args=[Measurement.objects.get().pk]) in page


def test_correct_from_the_page_refused_keeps_what_was_typed(client, metric, team):
    lead, ben = team
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    client.force_login(ben)
    url = reverse("measurement_correct", args=[value.pk])
    assert "Ana Lead" in client.get(url).content.decode()
    response = client.post(url, {"value": "23,5", "note": "site 2", "reason": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="23,5"' in page and 'value="site 2"' in page
    assert "Say why the value is corrected" in page
    assert Measurement.history.count() == 1
    response = client.post(url, {"value": "23,5", "note": "site 2", "reason": "recount"})
    assert response.status_code == 302
    current = Measurement.objects.get()
    assert (current.value, current.note, current.reason) == (Decimal("23.5"), "site 2", "recount")


def test_a_stale_correction_shows_their_value_and_keeps_yours(client, metric, team):
    lead, ben = team
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    url = reverse("measurement_correct", args=[value.pk])
    bulk.correct_value(value, user=ben, value=24, reason="recounted")
    client.force_login(lead)
    response = client.post(url, {"value": "23", "reason": "typo"})
    page = response.content.decode()
    assert "Someone changed this value first" in page and "Ben Member" in page
    assert 'value="23"' in page and "typo</textarea>" in page
    theirs = Measurement.objects.get()
    assert theirs.value == 24
    # Saving again (the form now points at their value) puts ours in its place, deliberately.
    assert reverse("measurement_correct", args=[theirs.pk]) in page


def test_remove_asks_for_confirmation_and_a_reason(client, metric, team):
    lead, ben = team
    value = bulk.record_value(metric, day=DAY, value=22, user=lead)
    client.force_login(ben)
    url = reverse("measurement_remove", args=[value.pk])
    page = client.get(url).content.decode()
    assert "Remove the value" in page and Measurement.objects.exists()
    page = client.post(url, {"reason": "  "}).content.decode()
    assert "Say why the value is removed" in page and Measurement.objects.exists()
    assert client.post(url, {"reason": "entered twice"}).status_code == 302
    assert not Measurement.objects.exists()
    assert Measurement.history.get().removal_reason == "entered twice"


def test_recording_over_a_value_from_the_page_needs_a_reason(client, metric, team):
    lead, ben = team
    bulk.record_value(metric, day=DAY, value=22, user=lead)
    client.force_login(ben)
    prefix = f"m{metric.pk}"
    typed = {f"{prefix}-date": DAY.isoformat(), f"{prefix}-value": "26", "next": "/elsewhere/"}
    response = client.post(reverse("metric_measure", args=[metric.pk]), typed)
    page = response.content.decode()
    assert response.status_code == 200 and "Give a reason to correct it" in page
    assert 'value="26"' in page and 'name="next" value="/elsewhere/"' in page
    assert Measurement.history.count() == 1
    typed[f"{prefix}-reason"] = "the district's figure"
    response = client.post(reverse("metric_measure", args=[metric.pk]), typed)
    assert response.status_code == 302 and response["Location"] == "/elsewhere/"
    assert Measurement.objects.get().value == 26 and Measurement.history.count() == 2


@pytest.mark.parametrize("who", ["ta_provider", "principal", "other_district_lead"])
def test_only_the_cim_team_corrects_or_removes(client, metric, team, district, who):
    value = bulk.record_value(metric, day=DAY, value=22, user=team[0])
    person = {
        "ta_provider": lambda: member(Role.TA_PROVIDER, district),
        "principal": lambda: member(Role.PRINCIPAL, SchoolFactory(district=district)),
        "other_district_lead": lambda: member(Role.CIM_LEAD, _other_district()),
    }[who]()
    client.force_login(person)
    expected = 403 if who == "ta_provider" else 404  # the TA provider reads the CIM plan
    for name, data in (
        ("measurement_correct", {"value": "30", "reason": "x"}),
        ("measurement_remove", {"reason": "x"}),
    ):
        url = reverse(name, args=[value.pk])
        assert client.get(url).status_code == expected
        assert client.post(url, data).status_code == expected
    assert Measurement.history.count() == 1 and Measurement.objects.get().value == 22


def _other_district():
    other = DistrictFactory(name="Elsewhere USD")
    SchoolYearFactory(district=other, start_year=YEAR)
    return other


def test_a_cim_member_corrects_and_removes(client, metric, team):
    value = bulk.record_value(metric, day=DAY, value=22, user=team[0])
    client.force_login(team[1])
    url = reverse("measurement_correct", args=[value.pk])
    assert client.post(url, {"value": "30", "reason": "recount"}).status_code == 302
    current = Measurement.objects.get()
    url = reverse("measurement_remove", args=[current.pk])
    assert client.post(url, {"reason": "wrong cohort"}).status_code == 302
    assert not Measurement.objects.exists() and Measurement.history.count() == 2


def test_the_metric_page_queries_do_not_grow(
    client, metric, team, django_assert_max_num_queries, clock
):
    lead, ben = team
    client.force_login(lead)
    url = reverse("metric_detail", args=[metric.pk])

    def values(count):
        for n in range(count):
            day = on(7, 1) + timedelta(days=n)
            value = bulk.record_value(metric, day=day, value=n, user=lead)
            if n % 3 == 0:
                value = bulk.correct_value(value, user=ben, value=n + 1, reason="recount")
            if n % 7 == 0:
                bulk.remove_value(value, user=ben, reason="wrong")

    values(3)
    with django_assert_max_num_queries(12) as few:
        assert client.get(url).status_code == 200
    Measurement.history.filter(metric=metric).delete()
    values(80)  # 80 dates: 27 corrected, 12 removed
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert "Removed values" in page and "corrected" in page


# --- The data migration -----------------------------------------------------------------------


def test_the_migration_resolves_two_values_for_one_date(metric, team, clock):
    lead, ben = team
    with connection.cursor() as cursor:  # as the table was before: no one-value rule
        cursor.execute("DROP INDEX one_current_measurement_per_date")
    clock.set(moment(DAY, "15:00"))
    first = Measurement.objects.create(metric=metric, date=DAY, value=20, recorded_by=lead)
    clock.set(moment(DAY, "16:00"))
    second = Measurement.objects.create(metric=metric, date=DAY, value=21, recorded_by=ben)
    clock.set(moment(DAY, "17:00"))
    third = Measurement.objects.create(metric=metric, date=DAY, value=22, recorded_by=lead)
    alone = Measurement.objects.create(metric=metric, date=on(11, 1), value=30, recorded_by=ben)
    MIGRATION.resolve_duplicates(apps, None)
    rows = {m.pk: m for m in Measurement.history.all()}
    assert [m.pk for m in Measurement.objects.filter(metric=metric)] == [third.pk, alone.pk]
    assert (rows[first.pk].replaced_at, rows[first.pk].replaced_by) == (moment(DAY, "16:00"), ben)
    assert (rows[second.pk].replaced_at, rows[second.pk].replaced_by) == (
        moment(DAY, "17:00"),
        lead,
    )
    assert rows[third.pk].reason == MIGRATION.BEFORE_HISTORY
    assert rows[first.pk].recorded_by == lead  # "entered by" never changes
    assert rows[alone.pk].reason == "" and rows[alone.pk].replaced_at is None


# --- Several people at once (PostgreSQL) --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_values_for_one_date_leave_one_current_and_lose_none(district, school_year):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the partial unique index under load need PostgreSQL")
    lead = member(Role.CIM_LEAD, district)
    metric = make_plan(district, school_year, lead)[2]
    people = [member(Role.CIM_MEMBER, district) for _ in range(6)]
    barrier = threading.Barrier(len(people))
    errors = []

    def record(person, value):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            bulk.record_value(metric, day=DAY, value=value, user=person, reason="at the meeting")
        except Exception as error:  # noqa: BLE001 - the test reports any failure below
            errors.append(repr(error))
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=record, args=(person, Decimal(10 + n)))
        for n, person in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    versions = list(Measurement.history.filter(metric=metric, date=DAY))
    assert sorted(v.value for v in versions) == [Decimal(10 + n) for n in range(len(people))]
    current = [v for v in versions if v.replaced_at is None]
    assert len(current) == 1
    assert all(v.replaced_by is not None for v in versions if v.replaced_at is not None)
    assert {v.recorded_by for v in versions} == set(people)
