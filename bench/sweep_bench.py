"""Benchmark: the reminder sweep over a generated district of 1,000 schools with a year of data.

Builds the district in a throw-away SQLite database (or the PostgreSQL of DATABASE_URL, in a
scratch database it creates), then times, on a few days of the year, the deadline rules
(`deadlines.collect`) and the whole sweep (record + dispatch), against a baseline in the same
run: one query reading every school's id and name. Prints times, ratios, reminders and queries.

The sending of the queued e-mails (workers' work, one SMTP exchange each) is not timed.

Run: uv run python bench/sweep_bench.py [--schools 1000]
"""

import argparse
import time
from datetime import date, datetime, timedelta

from scratch import setup_django  # noqa: E402  (bench/scratch.py)

setup_django()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from meetings.models import ActionItem, Invitation, Meeting  # noqa: E402
from schoolplan import cim_levels, clock, deadlines, reminders  # noqa: E402
from schoolplan.models import (  # noqa: E402
    District,
    Membership,
    OutboxEmail,
    Reminder,
    School,
    SchoolYear,
    User,
    default_dates,
)


def build(schools, start):
    district = District.objects.create(name="Bench USD", slug="bench")
    cim_levels.record_level(district, "intensive_2", date(start, 7, 1))
    SchoolYear.objects.create(district=district, start_year=start, **default_dates(start))
    year = SchoolYear.objects.get(district=district)
    School.objects.bulk_create(
        School(
            district=district,
            name=f"School {n:04d}",
            public_slug=f"school-{n}",
            level="elementary",
            essa_designation="targeted" if n % 5 == 0 else "none",
            family_languages=["en", "es"],
        )
        for n in range(schools)
    )
    all_schools = list(School.objects.filter(district=district))
    User.objects.bulk_create(
        User(username=f"p{s.pk}", email=f"p{s.pk}@bench.example", first_name="P")
        for s in all_schools
    )
    users = {u.username: u for u in User.objects.all()}
    Membership.objects.bulk_create(
        Membership(user=users[f"p{s.pk}"], role="principal", school=s) for s in all_schools
    )
    lead = User.objects.create(username="lead", email="lead@bench.example")
    Membership.objects.create(user=lead, role="cim_lead", district=district)
    tz = clock.zone_of(district)
    meetings = []
    for n, school in enumerate(all_schools):
        # A year of data: Kick Off held, Check In scheduled for half the schools.
        for stage, day in (("kick_off", date(start, 9, 20)), ("check_in", date(start + 1, 2, 10))):
            if stage == "check_in" and n % 2:
                continue
            starts_at = datetime.combine(day, datetime.min.time(), tz) + timedelta(hours=17)
            meetings.append(
                Meeting(
                    district=district,
                    school=school,
                    school_year=year,
                    meeting_type="cpm",
                    cpm_stage=stage,
                    title=f"{stage} {school.name}",
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=2),
                    status="held" if stage == "kick_off" else "planned",
                )
            )
    Meeting.objects.bulk_create(meetings)
    items, invitations = [], []
    for meeting in Meeting.objects.filter(district=district).select_related("school"):
        owner = users[f"p{meeting.school_id}"]
        invitations.append(Invitation(meeting=meeting, user=owner))
        for k in range(4):
            items.append(
                ActionItem(
                    meeting=meeting,
                    description=f"Action {k}",
                    owner=owner,
                    due_on=meeting.starts_at.date() + timedelta(days=30 * (k + 1)),
                )
            )
    ActionItem.objects.bulk_create(items)
    Invitation.objects.bulk_create(invitations)
    return len(meetings), len(items)


def timed(run, repeat=3):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    # Measure the sweep itself: the e-mails it queues are sent by the workers, not timed here.
    reminders._ring_the_doorbell = lambda: None
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=1000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    # The school year under way (or the one just ended, in July); its dates are fixed below.
    start = SchoolYear.start_year_containing(clock.today())
    meetings, items = build(args.schools, start)
    print(
        f"district: {args.schools} schools, {meetings} meetings, {items} action items "
        f"(built in {time.perf_counter() - started:.1f} s, {connection.vendor})"
    )
    for day in (date(start, 11, 27), date(start + 1, 1, 10), date(start + 1, 5, 8)):
        baseline, _ = timed(lambda: list(School.objects.values_list("pk", "name")))
        with CaptureQueriesContext(connection) as queries:
            rules, found = timed(lambda day=day: list(deadlines.collect(day)), repeat=1)
        Reminder.objects.all().delete()
        OutboxEmail.objects.all().delete()
        with CaptureQueriesContext(connection) as sweep_queries:
            sweep, _ = timed(lambda day=day: reminders.sweep(day), repeat=1)
        print(
            f"{day}: {len(found)} open deadlines, {Reminder.objects.count()} reminders, "
            f"{OutboxEmail.objects.count()} e-mails | rules {rules:.3f} s "
            f"({len(queries.captured_queries)} queries), sweep {sweep:.3f} s "
            f"({len(sweep_queries.captured_queries)} queries) | baseline {baseline * 1000:.1f} ms "
            f"| sweep/baseline {sweep / baseline:.0f}x"
        )


if __name__ == "__main__":
    main()
