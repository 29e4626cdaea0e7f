"""Benchmark: the district compliance dashboard at 1,000 schools.

Generates a district of 1,000 schools with a full school year of data (generate_district) in a
throw-away SQLite database, then measures side by side, in the same run, the server time of
  - the dashboard (every school x every requirement, from the compliance model), and
  - a baseline view rendering a 1,000-row table of the same shape from one query,
and prints the ratio (target: within 1.5x), the number of queries, and the query plans (EXPLAIN)
of the dashboard's heaviest queries.

Run: uv run python bench/dashboard_bench.py [--schools 1000] [--repeat 5]
"""

import argparse
import os

from scratch import setup_django  # noqa: E402  (bench/scratch.py)

setup_django()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from timing import median_time  # noqa: E402  (bench/timing.py)

from demo.management.commands.generate_district import generate  # noqa: E402
from progress.views_compliance import dashboard  # noqa: E402
from schoolplan.models import Membership, School, User  # noqa: E402

BASELINE = engines["django"].from_string(
    "<table>{% for s in schools %}<tr><th>{{ s.0 }}</th>"
    "{% for c in columns %}<td>{{ s.1 }} {{ s.2 }}</td>{% endfor %}</tr>{% endfor %}</table>"
)


def baseline_view(request, district):
    """A 1,000-row table of the dashboard's shape, from one query."""
    schools = list(
        School.objects.filter(district=district)
        .order_by("name")
        .values_list("name", "level", "essa_designation")
    )
    return HttpResponse(BASELINE.render({"schools": schools, "columns": range(8)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    district, year = generate(args.schools, label="bench")
    staff = User.objects.create(username="bench-staff")
    Membership.objects.create(user=staff, role="district_staff", district=district)
    factory = RequestFactory()

    def dashboard_request():
        request = factory.get(f"/districts/{district.pk}/compliance/", {"year": year.start_year})
        request.user = staff
        response = dashboard(request, district.pk)
        assert response.status_code == 200
        return response

    def baseline_request():
        return baseline_view(factory.get("/"), district)

    dashboard_request()  # warm up templates and caches for both
    baseline_request()
    with CaptureQueriesContext(connection) as queries:
        page = dashboard_request()
    ours, _ = median_time(dashboard_request, args.repeat)
    base, _ = median_time(baseline_request, args.repeat)
    rows = page.content.count(b"<tr") - 2
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(dashboard_request)
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(30)
    print(f"district: {args.schools} schools ({connection.vendor}); dashboard rows: {rows}")
    print(f"dashboard: {ours * 1000:.0f} ms, {len(queries.captured_queries)} queries")
    print(f"baseline (1,000-row table from one query): {base * 1000:.0f} ms")
    print(f"ratio dashboard/baseline: {ours / base:.2f} (target <= 1.5; medians of {args.repeat})")
    print("\nThe heaviest queries, with their plans:")
    heaviest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    with connection.cursor() as cursor:
        for query in heaviest:
            print(f"\n-- {query['time']} s: {query['sql'][:160]}…")
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            for line in cursor.fetchall():
                print("   ", line[-1])


if __name__ == "__main__":
    main()
