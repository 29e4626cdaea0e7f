"""Issue 24, 10,000 schools: the building blocks of bench/scale_bench.py, cheaply (the benchmark
itself is not run by the suite): generate_district --districts, the sweep's district batches
(the same reminders as one pass, the same queries in every batch) and the EXPLAIN helper."""

import importlib.util
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from schoolplan import deadlines, reminders
from schoolplan.models import (
    District,
    Membership,
    OutboxEmail,
    Reminder,
    ReminderChannel,
    School,
    SchoolYear,
)

from ..clock import YEAR, moment, on
from ..conftest import IN_CI

# The sweep is read on a day the generated year has reminders on (the Kick Off window's end).
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]

NOV_27 = on(11, 27)


@pytest.fixture
def three_districts(clock):
    clock.set(NOV_27)
    call_command(
        "generate_district", "--districts", "3", "--schools", "2", "--start-year", str(YEAR)
    )
    return list(District.objects.order_by("pk"))


def test_generate_districts_makes_each_district_with_its_schools_and_year(three_districts):
    assert len(three_districts) == 3
    for district in three_districts:
        assert School.objects.filter(district=district).count() == 2
        assert SchoolYear.objects.get(district=district).start_year == YEAR
        assert Membership.objects.filter(school__district=district, role="principal").count() == 2
        # Each school's CPM meetings and the district's monthly CIM reviews.
        assert Meeting.objects.filter(district=district, meeting_type="cpm").exists()
        assert Meeting.objects.filter(district=district, meeting_type="cim_review").count() == 12
    assert len({d.slug for d in three_districts}) == 3


def test_one_district_stays_the_default(clock):
    clock.set(NOV_27)
    call_command("generate_district", "--schools", "3", "--start-year", str(YEAR))
    assert District.objects.count() == 1 and School.objects.count() == 3


def _recorded():
    return set(Reminder.objects.values_list("rule", "subject", "recipient", "occasion"))


def _batched(monkeypatch, size, record):
    """What record() records with batches of size districts, and each batch's query count."""
    Reminder.objects.all().delete()
    OutboxEmail.objects.all().delete()
    monkeypatch.setattr(deadlines, "SWEEP_BATCH_DISTRICTS", size)
    counts, original = [], reminders.record_batch

    def counted(district_ids, today=None):
        with CaptureQueriesContext(connection) as context:
            created = original(district_ids, today)
        counts.append(len(context.captured_queries))
        return created

    monkeypatch.setattr(reminders, "record_batch", counted)
    created = record()
    return created, _recorded(), counts


@pytest.mark.parametrize("given_day", [True, False], ids=["given day", "each district's today"])
def test_the_sweep_in_batches_records_what_one_pass_records(
    three_districts, monkeypatch, clock, given_day
):
    clock.set(moment(NOV_27, "06:00"))

    def record():
        return reminders.record(NOV_27 if given_day else None)

    created, whole, counts = _batched(monkeypatch, 50, record)
    assert counts == [counts[0]] and created == len(whole) > 0  # one pass: everyone at once
    created, batched, counts = _batched(monkeypatch, 1, record)
    assert batched == whole and created == len(whole)
    # A batch's queries do not depend on which districts it holds.
    assert len(counts) == 3 and len(set(counts)) == 1


def _explain_module():
    path = Path(settings.BASE_DIR) / "bench" / "explain.py"
    spec = importlib.util.spec_from_file_location("bench_explain", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_explain_helper_gives_node_types_and_flags_seq_scans_on_big_tables(three_districts):
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("EXPLAIN (FORMAT JSON) needs PostgreSQL")
        pytest.skip("EXPLAIN (FORMAT JSON) needs PostgreSQL")
    explain = _explain_module()
    district = three_districts[0]
    with CaptureQueriesContext(connection) as context:
        list(School.objects.filter(district=district).order_by("name"))
    sql = context.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        line, flagged = explain.describe(cursor, sql)
        assert " Scan (" in f" {line}" and flagged == []
        # With every table counted as big, a Seq Scan on the schools' table is flagged.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        line, flagged = explain.describe(cursor, sql, rows={"schoolplan_school": 1}, big=0)
    assert "Seq Scan (schoolplan_school)" in line and flagged == ["schoolplan_school"]


def test_dispatch_in_batches_sends_each_reminder_once(three_districts, monkeypatch):
    reminders.record(NOV_27)
    recorded = Reminder.objects.count()
    monkeypatch.setattr(reminders, "DISPATCH_BATCH", 2)
    assert recorded > 2 and reminders.dispatch() == recorded
    assert not Reminder.objects.filter(channel=ReminderChannel.PENDING).exists()
    assert (
        OutboxEmail.objects.count()
        == Reminder.objects.filter(channel=ReminderChannel.EMAIL).count()
        > 0
    )
    assert reminders.dispatch() == 0  # nothing left: a second run adds nothing
