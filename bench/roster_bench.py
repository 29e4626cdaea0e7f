"""Benchmark: the roster import (issue 21) of a generated OneRoster bundle of 200 schools, 6,000
staff and 8,000 classes, against a baseline in the same run: bulk-inserting the same rows
(schools, accounts, memberships, classes, co-teachers) with no checks at all.

Prints the import's time (reading and checking the bundle, the dry run, writing, queuing the
invitations), the baseline's, their ratio, and the queries per row at full and at half size
(the same figure: no query is made row by row). Then the same bundle again (nothing to change).

Runs in a throw-away SQLite database, or with --postgres in a scratch database
(schoolplan_roster_bench) on the server of DATABASE_URL.

Run: uv run python bench/roster_bench.py [--schools 200 --staff 6000 --classes 8000] [--postgres]
"""

import argparse
import os
import time

from scratch import setup_django  # noqa: E402  (bench/scratch.py)

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--schools", type=int, default=200)
parser.add_argument("--staff", type=int, default=6000)
parser.add_argument("--classes", type=int, default=8000)
parser.add_argument("--postgres", action="store_true")
args = parser.parse_args()

setup_django("schoolplan_roster_bench" if args.postgres else None)

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from meetings.models import SchoolClass  # noqa: E402
from schoolplan import clock  # noqa: E402
from schoolplan.models import (  # noqa: E402
    District,
    Membership,
    Role,
    School,
    SchoolYear,
    User,
    default_dates,
)
from schoolplan.roster import import_roster, read_roster  # noqa: E402


def generate(schools, staff, classes, domain="bench.example.org"):
    """{file name: bytes} of a OneRoster 1.1 bundle; one principal a school, the rest teachers
    and aides spread over the schools, every class with a teacher and every fourth with a
    co-teacher of its school."""
    manifest = (
        "propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.orgs,bulk\n"
        "file.users,bulk\nfile.classes,bulk\nfile.enrollments,bulk\n"
        "file.academicSessions,absent\nfile.courses,absent\n"
    )
    orgs = [
        "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
        "d,,,Bench,district,,",
    ]
    orgs += [f"s{n},,,School {n:04d},school,,d" for n in range(schools)]
    users = [
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password"
    ]
    at_school = {n: [] for n in range(schools)}
    for n in range(staff):
        school = n % schools
        role = "principal" if n < schools else ("aide" if n % 7 == 0 else "teacher")
        if role != "principal":
            at_school[school].append(n)
        users.append(
            f"u{n},,,true,s{school},{role},user{n},,Given{n},Family{n},,,user{n}@{domain},,,,,"
        )
    class_rows = [
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ]
    enrollments = [
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ]
    for n in range(classes):
        school = n % schools
        teachers = at_school[school]
        class_rows.append(f"c{n},,,Class {n},{n % 12 + 1:02d},,C{n},scheduled,,s{school},,,,")
        enrollments.append(f"e{n},,,c{n},s{school},u{teachers[n % len(teachers)]},teacher,true,,")
        if n % 4 == 0:
            co = teachers[(n + 1) % len(teachers)]
            enrollments.append(f"f{n},,,c{n},s{school},u{co},teacher,false,,")
    files = {
        "manifest.csv": manifest,
        "orgs.csv": "\n".join(orgs),
        "users.csv": "\n".join(users),
        "classes.csv": "\n".join(class_rows),
        "enrollments.csv": "\n".join(enrollments),
    }
    return {name: text.encode() for name, text in files.items()}


def new_district(name):
    district = District.objects.create(name=name, slug=name.lower().replace(" ", "-"))
    start = clock.today(district).year - (clock.today(district).month < 7)
    SchoolYear.objects.create(district=district, start_year=start, **default_dates(start))
    return district


def timed_import(district, files):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        _, roster = read_roster(files)
        plan = import_roster(district, roster, dry_run=False)
        seconds = time.perf_counter() - start
    assert not plan.problems, plan.problems[:5]
    if os.environ.get("BENCH_SHOW_QUERIES"):
        from collections import Counter

        shapes = Counter(q["sql"][:90] for q in queries.captured_queries)
        for shape, n in shapes.most_common(8):
            print(f"    {n:6d}  {shape}")
    return seconds, len(queries.captured_queries), plan


def baseline(district, files):
    """The same rows, bulk-inserted with no reading, checking or planning beyond the bare
    minimum to name them (the rows are built from the plan's counts, not the files)."""
    _, roster = read_roster(files)  # not timed: the baseline is the writing alone
    start = time.perf_counter()
    with transaction.atomic():
        schools = School.objects.bulk_create(
            [
                School(district=district, name=name, sourced_id=sid, public_slug=f"b-{sid}")
                for sid, (name, _) in roster.schools.items()
            ],
            batch_size=1000,
        )
        school_of = {school.sourced_id: school for school in schools}
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(
                    username=f"b-{p.email}",
                    email=p.email,
                    first_name=p.given_name,
                    last_name=p.family_name,
                    sourced_id=sid,
                    roster_district=district,
                    password=password,
                )
                for sid, p in roster.people.items()
            ],
            batch_size=1000,
        )
        user_of = {user.sourced_id: user for user in users}
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user_of[sid],
                    school=school_of[school],
                    role=Role.PRINCIPAL if kind == "principal" else Role.SCHOOL_STAFF,
                )
                for sid, p in roster.people.items()
                for school, kind in p.schools.items()
            ],
            batch_size=1000,
        )
        year = SchoolYear.objects.get(district=district)
        made = SchoolClass.objects.bulk_create(
            [
                SchoolClass(
                    school=school_of[c.school],
                    school_year=year,
                    name=c.title,
                    grade=c.grades,
                    teacher=user_of[c.teachers[0]],
                    sourced_id=sid,
                )
                for sid, c in roster.classes.items()
            ],
            batch_size=1000,
        )
        through = SchoolClass.co_leaders.through
        teams = {c.sourced_id: c for c in made}
        through.objects.bulk_create(
            [
                through(schoolclass_id=teams[sid].pk, user_id=user_of[t].pk)
                for sid, c in roster.classes.items()
                for t in c.teachers[1:]
            ],
            batch_size=1000,
        )
    return time.perf_counter() - start


def rows_of(plan):
    return sum(n for kind in plan.counts.values() for n in kind.values())


def main():
    call_command("migrate", verbosity=0)
    # The invitations are queued in the outbox, as in production; sending them is the worker's
    # work, not the import's: the task goes to the in-memory broker and stays there.
    from schoolplan.celery import app

    app.conf.task_always_eager = False
    full = generate(args.schools, args.staff, args.classes)
    half = generate(args.schools // 2, args.staff // 2, args.classes // 2, "half.example.org")
    size = f"{args.schools} schools, {args.staff} staff, {args.classes} classes"
    print(f"Roster import, {size} ({'PostgreSQL' if args.postgres else 'SQLite'})")

    seconds, queries, plan = timed_import(new_district("Bench"), full)
    rows = rows_of(plan)
    print(f"  import:   {seconds:7.2f} s  {rows} rows written  {queries} queries")
    base = baseline(new_district("Baseline"), full)
    print(f"  baseline: {base:7.2f} s  (bulk inserts of the same rows, no checks)")
    print(f"  ratio:    {seconds / base:7.2f}x the baseline")

    half_seconds, half_queries, half_plan = timed_import(new_district("Half"), half)
    half_rows = rows_of(half_plan)
    print(
        f"  queries per row: {queries / rows:.4f} at full size, "
        f"{half_queries / half_rows:.4f} at half size ({half_queries} queries, {half_rows} rows)"
    )
    again, again_queries, again_plan = timed_import(District.objects.get(slug="bench"), full)
    print(
        f"  the same bundle again: {again:.2f} s, {again_queries} queries, "
        f"{rows_of(again_plan)} changes"
    )


if __name__ == "__main__":
    main()
