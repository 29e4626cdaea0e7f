"""Benchmark: a state's 10,000 schools (issue 24) — 1,000 districts of 10 schools, each with a
full school year of data (generate_district --districts), on PostgreSQL.

In one scratch database (schoolplan_scale_bench on the server of DATABASE_URL) it builds one
district alone and measures it, then grows the instance around it, and prints:
  - that district's compliance dashboard and its district staff's and a principal's home page:
    time and queries with the district alone and among 1,000 (ratio big / alone; target 1);
  - the reminder sweep (record + dispatch) over all schools against the sweep over a tenth of
    them, in the same run (ratio; linear is 10), with the queries of each district batch
    (deadlines.SWEEP_BATCH_DISTRICTS districts a batch: the same count in every batch);
  - the plans (EXPLAIN) of the heaviest queries of each, as node types, with any Seq Scan on a
    big table flagged (bench/explain.py).
Statistics are refreshed (ANALYZE) before each measurement, as autovacuum would after a load.

Run: uv run python bench/scale_bench.py [--districts 1000 --schools 10 --repeat 5 --sweeps 3]
     uv run python bench/scale_bench.py --short   (100 districts: about a minute)
"""

import argparse
import time
from datetime import date

from scratch import setup_django  # noqa: E402  (bench/scratch.py)

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--districts", type=int, default=1000)
parser.add_argument("--schools", type=int, default=10, help="schools a district")
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--sweeps", type=int, default=3, help="sweeps a day (their median)")
parser.add_argument("--short", action="store_true", help="100 districts, 3 repeats, 1 sweep")
args = parser.parse_args()
if args.short:
    args.districts, args.repeat, args.sweeps = 100, 3, 1

setup_django("schoolplan_scale_bench")

from django.conf import settings  # noqa: E402
from django.contrib.messages.storage.fallback import FallbackStorage  # noqa: E402
from django.contrib.sessions.backends.base import SessionBase  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from explain import describe, table_rows  # noqa: E402  (bench/explain.py)
from timing import median_time  # noqa: E402  (bench/timing.py)

from demo.management.commands.generate_district import generate_districts  # noqa: E402
from progress.views_compliance import dashboard  # noqa: E402
from schoolplan import clock, deadlines, reminders  # noqa: E402
from schoolplan.models import Membership, OutboxEmail, Reminder, School, SchoolYear, User  # noqa: E402
from schoolplan.views import home  # noqa: E402


class Counter:
    """Counts the statements run (no cap, unlike connection.queries)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def analyze():
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def grow(to, start):
    """Generate districts until there are `to`; seconds taken."""
    started = time.perf_counter()
    missing = to - SchoolYear.objects.values("district").distinct().count()
    generate_districts(missing, args.schools, start)
    analyze()
    return time.perf_counter() - started


def pages(district, year, staff, principal):
    """{page: a callable that serves it}: the district's dashboard and two home pages."""
    factory = RequestFactory()

    def serve(view, user, path, *view_args, **query):
        def run():
            request = factory.get(path, query)
            request.user, request.session = user, SessionBase()
            request._messages = FallbackStorage(request)
            response = view(request, *view_args)
            assert response.status_code == 200, response.status_code
            return response

        return run

    return {
        "compliance dashboard": serve(
            dashboard,
            staff,
            f"/districts/{district.pk}/compliance/",
            district.pk,
            year=year.start_year,
        ),
        "home (district staff)": serve(home, staff, "/"),
        "home (principal)": serve(home, principal, "/"),
    }


def measure(run):
    """(median seconds, queries, captured queries) of serving a page."""
    run()  # warm up templates and caches
    with CaptureQueriesContext(connection) as captured:
        run()
    seconds, _ = median_time(run, args.repeat)
    return seconds, len(captured.captured_queries), captured.captured_queries


def sweep(day):
    """The median of args.sweeps sweeps of day (by time); see sweep_once."""
    runs = sorted((sweep_once(day) for _ in range(args.sweeps)), key=lambda run: run[0])
    return runs[len(runs) // 2]


def sweep_once(day):
    """(seconds, statements, statements of each batch, captured queries, reminders) of a sweep
    from nothing recorded (the e-mails it queues are the workers' to send: not timed)."""
    Reminder.objects.all().delete()
    OutboxEmail.objects.all().delete()
    analyze()
    per_batch, original = [], reminders.record_batch

    def counted(district_ids, today=None):
        counter = Counter()
        with connection.execute_wrapper(counter):
            created = original(district_ids, today)
        per_batch.append(counter.count)
        return created

    reminders.record_batch = counted
    counter = Counter()
    try:
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(counter):
            started = time.perf_counter()
            reminders.sweep(day)
            seconds = time.perf_counter() - started
    finally:
        reminders.record_batch = original
    return seconds, counter.count, per_batch, captured.captured_queries, Reminder.objects.count()


def show_plans(title, queries, rows, top=3):
    """Print the heaviest queries' plans; every query's plan is read for Seq Scans on big
    tables. Returns those tables."""
    flagged = set()
    readable = [q for q in queries if q["sql"].split(None, 1)[0] in ("SELECT", "UPDATE", "DELETE")]
    print(f"\n{title}: the {top} heaviest of {len(readable)} queries read")
    heaviest = sorted(readable, key=lambda q: -float(q["time"]))
    with connection.cursor() as cursor:
        for n, query in enumerate(heaviest):
            line, seq = describe(cursor, query["sql"], rows)
            flagged.update(seq)
            if n < top or seq:
                print(f"-- {float(query['time']) * 1000:.1f} ms: {query['sql'][:140]}…")
                print(f"   {line}")
            if seq:
                print(f"   !! Seq Scan on big table(s): {', '.join(seq)}")
    return flagged


def main():
    # Measure the sweep itself: the e-mails it queues are sent by the workers, not timed here.
    reminders._ring_the_doorbell = lambda: None
    settings.ALLOWED_HOSTS = ["*"]
    assert connection.vendor == "postgresql", "the scale benchmark runs on PostgreSQL"
    call_command("migrate", verbosity=0)
    start = SchoolYear.start_year_containing(clock.today())
    tenth = max(args.districts // 10, 1)

    built = grow(1, start)
    year = SchoolYear.objects.get()
    district = year.district
    staff = User.objects.create(username="bench-staff", email="staff@bench.example")
    Membership.objects.create(user=staff, role="district_staff", district=district)
    principal = Membership.objects.filter(school__district=district, role="principal").first()
    served = pages(district, year, staff, principal.user)
    alone = {name: measure(run) for name, run in served.items()}

    built += grow(tenth, start)
    days = (date(start, 11, 27), date(start + 1, 5, 8))
    small_sweeps = [sweep(day) for day in days]

    built += grow(args.districts, start)
    print(
        f"instance: {args.districts} districts of {args.schools} schools "
        f"({School.objects.count()} schools, built in {built:.0f} s, PostgreSQL); "
        f"sweep batches of {deadlines.SWEEP_BATCH_DISTRICTS} districts"
    )
    big_sweeps = [sweep(day) for day in days]
    among = {name: measure(run) for name, run in served.items()}

    print(f"\nOne district ({args.schools} schools) alone and among {args.districts}:")
    for name in served:
        (t0, q0, _), (t1, q1, _) = alone[name], among[name]
        print(
            f"  {name}: alone {t0 * 1000:.0f} ms, {q0} queries; among {args.districts}: "
            f"{t1 * 1000:.0f} ms, {q1} queries | ratio big/alone {t1 / t0:.2f} "
            f"(queries {q1}/{q0}; medians of {args.repeat})"
        )
    print(
        f"\nReminder sweep over {tenth * args.schools} and {args.districts * args.schools} schools:"
    )
    for day, small, big in zip(days, small_sweeps, big_sweeps, strict=True):
        print(
            f"  {day}: {tenth * args.schools} schools {small[0]:.2f} s, {small[1]} queries, "
            f"{small[4]} reminders; {args.districts * args.schools} schools {big[0]:.2f} s, "
            f"{big[1]} queries, {big[4]} reminders | ratio {big[0] / small[0]:.1f} "
            f"(linear: {args.districts / tenth:.0f}; medians of {args.sweeps})"
        )
        print(f"    queries per district batch: {small[2]} | {big[2]}")

    rows = table_rows(connection.cursor())
    largest = sorted(rows.items(), key=lambda r: -r[1])[:6]
    print("\nLargest tables: " + ", ".join(f"{t} {n:,}" for t, n in largest))
    flagged = set()
    for name in served:
        flagged |= show_plans(name, among[name][2], rows)
    flagged |= show_plans(f"sweep {days[0]}", big_sweeps[0][3], rows, top=5)
    print("\nSeq Scans on big tables: " + (", ".join(sorted(flagged)) if flagged else "none"))


if __name__ == "__main__":
    main()
