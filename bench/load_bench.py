"""Benchmark: SchoolPlan under load (issue 12), against gunicorn, PostgreSQL and Redis.

1. Drops and creates its own PostgreSQL database (schoolplan_load by default, never the test
   database), migrates it, generates a district (generate_district, 300 schools by default) and
   gives it logins with a known password: the principals, CIM members, district staff; a Plan
   for Improvement to review. Collects the static files (production's hashed names).
2. Starts gunicorn on 127.0.0.1 (2 x cores workers; production settings on plain http,
   bench/load_settings.py) with Redis as cache and broker.
3. Runs locust headless (bench/locustfile.py, in its own process) with a realistic mix: many
   anonymous families on the families' pages (English, Spanish, .ics), principals scheduling
   CPM meetings, CIM members recording monthly reviews, district staff on the dashboard.
4. Runs it again, same users and duration, against the minimal view /health/ (one query).

Prints per kind of request: requests per second, p50/p95/p99 (ms) and failures; then the
whole run against the baseline: rps ratio and p95 ratio. Exits 1 if any request failed.
The Redis database given is the bench's: its Celery queue is emptied at the end (no worker
drains the e-mails queued while scheduling).

Run: uv run python bench/load_bench.py [--duration 60] [--users 40] [--short]
         [--database-url postgres://postgres@127.0.0.1:5432/schoolplan_load]
         [--redis-url redis://127.0.0.1:6379/13]
"""

import argparse
import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[1]
BENCH_DIR = BASE_DIR / "bench"
PASSWORD = "load-bench-password-1"


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=60, help="seconds per run")
    parser.add_argument("--users", type=int, default=40, help="simultaneous users")
    parser.add_argument("--spawn-rate", type=float, default=None, help="users started per second")
    parser.add_argument("--schools", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--wait", type=float, default=0, help="think time between requests (s)")
    parser.add_argument("--short", action="store_true", help="CI: 10 s runs, 12 users, 40 schools")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/schoolplan_load"
        ),
        help="PostgreSQL database to DROP and create (never the test database)",
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/13")
    )
    args = parser.parse_args()
    if args.short:
        args.duration, args.users, args.schools = 10, 12, 40
    args.spawn_rate = args.spawn_rate or max(args.users / 2, 1)
    return args


def recreate_database(url):
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name.startswith("test_"):
        sys.exit(f"refusing to drop {name!r}: give the benchmark a database of its own")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(args, data_file):
    """Migrate, generate the district and its logins; write what the locust users need."""
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "schoolplan.settings"
    os.environ.pop("REDIS_URL", None)  # generating queues nothing
    os.environ["LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from demo.management.commands.generate_district import generate
    from meetings.models import Meeting
    from plans import carry_over as plan_carry_over
    from plans import services as plan_services
    from plans.models import Activity, Outcome, Strategy
    from progress.models import Metric
    from schoolplan.models import Membership, School, User

    call_command("migrate", verbosity=0)
    district, year = generate(args.schools, label="load")
    hashed = make_password(PASSWORD)  # one hash for every login: generating stays fast
    User.objects.filter(username__startswith="gen-load-").update(password=hashed)
    staff = User.objects.create(username="load-district", password=hashed, email="d@load.example")
    Membership.objects.create(user=staff, role="district_staff", district=district)
    members = []
    for n in range(4):
        member = User.objects.create(
            username=f"load-cim-{n}", password=hashed, email=f"cim{n}@load.example"
        )
        role = "cim_lead" if n == 0 else "cim_member"
        Membership.objects.create(user=member, role=role, district=district)
        members.append(member)
    plan = plan_carry_over.start_plan(district=district, year=year, user=members[0])
    activities, metrics = [], []
    for s in range(2):
        strategy = plan_services.add(
            Strategy, user=members[0], plan=plan, title=f"Strategy {s + 1}"
        )
        for a in range(2):
            activity = plan_services.add(
                Activity, user=members[0], strategy=strategy, title=f"Activity {s + 1}.{a + 1}"
            )
            outcome = plan_services.add(
                Outcome, user=members[0], activity=activity, description="At benchmark"
            )
            metric = Metric.objects.create(
                outcome=outcome,
                name="At benchmark",
                unit="%",
                baseline=Decimal("18"),
                target=Decimal("30"),
                target_date=date(year.start_year + 1, 6, 1),
            )
            activities.append(activity.pk)
            metrics.append(metric.pk)
    schools = list(School.objects.filter(district=district).order_by("pk"))
    cpm = {}
    for school_id, pk in Meeting.objects.filter(district=district, meeting_type="cpm").values_list(
        "school_id", "pk"
    ):
        cpm.setdefault(school_id, []).append(pk)
    data = {
        "password": PASSWORD,
        "district": district.pk,
        # The Check In window of the generated year (January to March of its second half).
        "check_in_year": year.start_year + 1,
        "district_staff": staff.username,
        "cim_members": [m.username for m in members],
        "reviews": list(
            Meeting.objects.filter(district=district, meeting_type="cim_review")
            .order_by("pk")
            .values_list("pk", flat=True)
        ),
        "activities": activities,
        "metrics": metrics,
        "principals": [
            {"username": f"gen-load-{s.pk}", "school": s.pk} for s in schools[: max(args.users, 1)]
        ],
        "schools": [{"slug": s.public_slug} for s in schools],
        "schools_with_meetings": [
            {"slug": s.public_slug, "meetings": cpm[s.pk]} for s in schools if s.pk in cpm
        ],
    }
    data_file.write_text(json.dumps(data))
    return len(schools), Meeting.objects.filter(district=district).count()


def collect_static(env):
    """collectstatic into var/load-bench-static, unless it is newer than every static file."""
    manifest = BASE_DIR / "var" / "load-bench-static" / "staticfiles.json"
    sources = [
        path
        for folder in (BASE_DIR / "static", *BASE_DIR.glob("*/static"))
        for path in folder.rglob("*")
        if path.is_file()
    ]
    if manifest.exists() and all(
        path.stat().st_mtime < manifest.stat().st_mtime for path in sources
    ):
        return
    subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def warm_up(port, workers, data_file):
    """Before the clock runs, each worker (probably) compiles the public pages' templates
    and loads the Spanish catalogue: a few rounds of every signed-out page."""
    from urllib.request import urlopen

    data = json.loads(data_file.read_text())
    school = data["schools_with_meetings"][0]
    paths = [
        "/health/",
        "/accounts/login/",
        f"/families/{school['slug']}/",
        f"/families/{school['slug']}/es/",
        f"/families/{school['slug']}/meetings/{school['meetings'][0]}.ics",
    ]
    for _ in range(3 * workers):
        for path in paths:
            with urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as response:
                response.read()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH_DIR), str(BASE_DIR)]),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": args.database_url,
        "DB_CONN_MAX_AGE": "60",
        "REDIS_URL": args.redis_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Two-factor sign-in is measured by its own tests; these logins have a password only.
        "TWO_FACTOR_REQUIRED": "0",
    }


def start_gunicorn(args, env, port, log):
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "schoolplan.wsgi:application"),
            *("--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"),
            *("--timeout", "120", "--chdir", str(BASE_DIR), "--no-control-socket", "--preload"),
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn stopped; its log: {log.name}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    sys.exit("gunicorn did not start within 60 s")


def run_locust(args, port, data_file, folder, name, classes):
    prefix = folder / name
    command = [
        *(sys.executable, "-m", "locust", "-f", str(BENCH_DIR / "locustfile.py")),
        *("--headless", "--only-summary", "--host", f"http://127.0.0.1:{port}"),
        *("-u", str(args.users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s"),
        *("--csv", str(prefix), "--stop-timeout", "10", "--loglevel", "WARNING"),
        *classes,
    ]
    env = {**os.environ, "LOAD_BENCH_DATA": str(data_file), "LOAD_BENCH_WAIT": str(args.wait)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        command,
        cwd=BENCH_DIR,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / f"{name}.log", "w"),  # noqa: SIM115
        timeout=args.duration + 120,
    )
    with open(f"{prefix}_stats.csv") as stats:
        rows = list(csv.DictReader(stats))
    with open(f"{prefix}_failures.csv") as failures:
        failed = list(csv.DictReader(failures))
    with open(f"{prefix}_exceptions.csv") as exceptions:  # a user's code failing counts too
        failed += [
            {"Name": "exception", "Error": e["Message"], "Occurrences": e["Count"]}
            for e in csv.DictReader(exceptions)
        ]
    return rows, failed


def figures(row):
    return {
        "count": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": float(row["Requests/s"]),
        "p50": float(row["50%"] or 0),
        "p95": float(row["95%"] or 0),
        "p99": float(row["99%"] or 0),
    }


def line(name, f):
    return (
        f"  {name:<38} {f['count']:>7} {f['rps']:>8.1f} {f['p50']:>7.0f} {f['p95']:>7.0f} "
        f"{f['p99']:>7.0f} {f['failures']:>7}"
    )


def report(title, rows):
    print(f"\n{title}")
    print(
        f"  {'request':<38} {'count':>7} {'rps':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'errors':>7}"
    )
    total = None
    for row in rows:
        if row["Name"] == "Aggregated":
            total = figures(row)
        else:
            print(line(row["Name"], figures(row)))
    print(line("ALL", total))
    return total


def empty_celery_queue(redis_url):
    """No worker runs here: drop the e-mail wake-ups the run queued (the bench's Redis db)."""
    try:
        import redis

        client = redis.Redis.from_url(redis_url)
        client.delete("celery")
        client.close()
    except Exception as error:  # noqa: BLE001 (a report, not a failure)
        print(f"(could not empty the Celery queue: {error})")


def main():
    args = parse()
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="schoolplan-load-"))
    data_file = folder / "data.json"
    recreate_database(args.database_url)
    schools, meetings = prepare(args, data_file)
    env = server_env(args)
    collect_static(env)
    prepared = time.monotonic() - started
    port = free_port()
    log = open(folder / "gunicorn.log", "w")  # noqa: SIM115 (closed below)
    server = start_gunicorn(args, env, port, log)
    try:
        warm_up(port, args.workers, data_file)
        app_rows, app_failed = run_locust(
            args,
            port,
            data_file,
            folder,
            "app",
            ["FamilyUser", "PrincipalUser", "CimMemberUser", "DistrictStaffUser"],
        )
        base_rows, base_failed = run_locust(
            args, port, data_file, folder, "baseline", ["BaselineUser"]
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
        empty_celery_queue(args.redis_url)

    print(
        f"SchoolPlan under load: {schools} schools, {meetings} meetings; gunicorn "
        f"{args.workers} workers on {os.cpu_count()} cores; PostgreSQL "
        f"{urlsplit(args.database_url).path.lstrip('/')}, Redis {args.redis_url}; "
        f"{args.users} users, {args.duration} s per run, think time {args.wait} s "
        f"(prepared in {prepared:.0f} s)"
    )
    app = report("The realistic mix:", app_rows)
    base = report("Baseline, the minimal view (/health/, one query), same users:", base_rows)
    errors = (
        app["failures"]
        + base["failures"]
        + sum(int(f["Occurrences"]) for f in app_failed + base_failed if f["Name"] == "exception")
    )
    for failure in app_failed + base_failed:
        print(f"  FAILED {failure['Name']}: {failure['Error']} x{failure['Occurrences']}")
    rps_ratio = app["rps"] / base["rps"] if base["rps"] else float("nan")
    p95_ratio = app["p95"] / base["p95"] if base["p95"] else float("nan")
    print(
        f"\nmix: {app['rps']:.1f} rps, p50/p95/p99 {app['p50']:.0f}/{app['p95']:.0f}/"
        f"{app['p99']:.0f} ms; baseline: {base['rps']:.1f} rps, p50/p95/p99 {base['p50']:.0f}/"
        f"{base['p95']:.0f}/{base['p99']:.0f} ms"
    )
    print(
        f"ratios: rps mix/baseline {rps_ratio:.2f}, p95 mix/baseline {p95_ratio:.2f}; "
        f"errors: {errors}"
    )
    if errors or not app["count"] or not base["count"]:
        print(f"(logs in {folder})")
        sys.exit(1)
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
