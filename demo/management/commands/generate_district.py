"""Generate a large district with a full school year of data, for benchmarks and scale tests.

    python manage.py generate_district --schools 1000
    python manage.py generate_district --districts 1000 --schools 10

Everything is written with bulk inserts; the district is named "Generated USD <n>" and can be
generated again beside earlier ones; --districts makes that many districts of --schools each
(issue 24: a state's 10,000 schools, bench/scale_bench.py), each in its own transaction. The
year is the one containing today unless --start-year says otherwise; its dates are the year's,
its times the district's wall clock.
"""

from datetime import date, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from meetings.models import (
    ActionItem,
    AssessmentPoint,
    CapMeeting,
    Invitation,
    Meeting,
    SchoolClass,
    WorkshopRegistration,
    WorkshopSeries,
    WorkshopSession,
)
from plans.models import EssaPlan
from progress.models import SpfSummary
from schoolplan import cim_levels, clock
from schoolplan.models import District, Membership, School, SchoolYear, User, default_dates

LEVELS = ["elementary"] * 6 + ["middle"] * 2 + ["high"] * 2


@transaction.atomic
def generate(schools=1000, start_year=None, label=None):
    """The district, its year (the one containing today unless start_year is given) and its
    schools with a year of meetings, plans and registrations."""
    label = label or f"{District.objects.count() + 1}"
    district = District.objects.create(name=f"Generated USD {label}", slug=f"generated-{label}")
    if start_year is None:
        start_year = SchoolYear.start_year_containing(clock.today(district))
    cim_levels.record_level(district, "intensive_2", date(start_year, 7, 1))

    def _at(day, hour):
        return clock.at(day, time(hour), district)

    year = SchoolYear.objects.create(
        district=district, start_year=start_year, **default_dates(start_year)
    )
    School.objects.bulk_create(
        School(
            district=district,
            name=f"School {n:04d} ({label})",
            public_slug=f"gen-{label}-{n}",
            level=LEVELS[n % len(LEVELS)],
            title_i=n % 3 == 0,
            essa_designation=("targeted", "comprehensive", "none", "none", "none")[n % 5],
            family_languages=["en", "es"],
        )
        for n in range(schools)
    )
    all_schools = list(School.objects.filter(district=district).order_by("pk"))
    User.objects.bulk_create(
        User(username=f"gen-{label}-{s.pk}", email=f"p{s.pk}@generated.example", first_name="P")
        for s in all_schools
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=f"gen-{label}-")}
    principal = {s.pk: users[f"gen-{label}-{s.pk}"] for s in all_schools}
    Membership.objects.bulk_create(
        Membership(user=principal[s.pk], role="principal", school=s) for s in all_schools
    )
    meetings = []
    for n, school in enumerate(all_schools):
        plan = [
            ("kick_off", date(start_year, 10, 28), "held"),
            ("check_in", date(start_year + 1, 2, 10), "held" if n % 4 else "planned"),
            ("wrap_up", date(start_year + 1, 5, 20), "planned" if n % 2 else None),
        ]
        for stage, day, status in plan:
            if status is None:
                continue
            meetings.append(
                Meeting(
                    district=district,
                    school=school,
                    school_year=year,
                    meeting_type="cpm",
                    cpm_stage=stage,
                    title=f"{stage} {school.name}",
                    starts_at=_at(day, 17),
                    ends_at=_at(day, 19),
                    status=status,
                    counts_as_spf_meeting=stage == "kick_off" and n % 2 == 0,
                    counts_as_title_i_meeting=stage == "kick_off" and school.title_i,
                )
            )
    for month in range(12):
        day = date(start_year + (month + 6) // 12, (month + 6) % 12 + 1, 15)
        meetings.append(
            Meeting(
                district=district,
                school_year=year,
                meeting_type="cim_review",
                host_kind="district",
                title=f"CIM review {day:%b %Y}",
                starts_at=_at(day, 15),
                ends_at=_at(day, 16),
                status="held" if month != 1 else "planned",
            )
        )
    Meeting.objects.bulk_create(meetings)
    SpfSummary.objects.bulk_create(
        SpfSummary(
            school=s,
            school_year=year,
            texts={"en": "Our results"},
            published_at=_at(date(start_year, 10, 25), 12),
        )
        for n, s in enumerate(all_schools)
        if n % 2
    )
    AssessmentPoint.objects.bulk_create(
        AssessmentPoint(school=s, school_year=year, name="Autumn", date=date(start_year, 11, 2))
        for s in all_schools
    )
    points = {p.school_id: p for p in AssessmentPoint.objects.filter(school__district=district)}
    SchoolClass.objects.bulk_create(
        SchoolClass(
            school=s, school_year=year, name=f"Class {k}", grade="3", teacher=principal[s.pk]
        )
        for s in all_schools
        for k in range(3)
    )
    cap_meetings = []
    for school_class in SchoolClass.objects.filter(school__district=district).order_by("pk")[::2]:
        day = date(start_year, 11, 16)
        cap_meetings.append(
            Meeting(
                district=district,
                school_id=school_class.school_id,
                school_year=year,
                meeting_type="cap",
                title=f"CAP {school_class.name}",
                starts_at=_at(day, 15),
                ends_at=_at(day, 16),
                status="held",
            )
        )
    created = Meeting.objects.bulk_create(cap_meetings)
    classes = list(SchoolClass.objects.filter(school__district=district).order_by("pk")[::2])
    CapMeeting.objects.bulk_create(
        CapMeeting(
            meeting=m,
            school_class=c,
            assessment_point=points[c.school_id],
            strengths="s",
            areas_of_focus="a",
        )
        for m, c in zip(created, classes, strict=True)
    )
    EssaPlan.objects.bulk_create(
        EssaPlan(school=s, school_year=year, status=("draft", "submitted", "accepted")[n % 3])
        for n, s in enumerate(all_schools)
        if s.essa_designation != "none"
    )
    series = WorkshopSeries.objects.create(
        district=district,
        school_year=year,
        title="Generated workshop",
        registration_opens=date(start_year, 12, 1),
        priority_closes=date(start_year, 12, 14),
        registration_closes=date(start_year + 1, 1, 15),
        elementary_capacity=schools,
        secondary_capacity=schools,
    )
    sessions = {}
    for level in ("elementary", "secondary"):
        day = date(start_year + 1, 2, 2)
        meeting = Meeting.objects.create(
            district=district,
            host_kind="district",
            school_year=year,
            meeting_type="workshop",
            title=f"Workshop ({level})",
            starts_at=_at(day, 9),
            ends_at=_at(day, 12),
        )
        sessions[level] = WorkshopSession.objects.create(
            meeting=meeting, series=series, level=level
        )
    WorkshopRegistration.objects.bulk_create(
        WorkshopRegistration(
            series=series,
            school=s,
            session=sessions["elementary" if s.level == "elementary" else "secondary"],
            status="registered",
            people=6,
            prework="Actions",
        )
        for n, s in enumerate(all_schools)
        if s.essa_designation != "none" and n % 2
    )
    items, invitations = [], []
    for meeting in Meeting.objects.filter(district=district, meeting_type="cpm"):
        owner = principal[meeting.school_id]
        invitations.append(Invitation(meeting=meeting, user=owner))
        items += [
            ActionItem(
                meeting=meeting,
                description=f"Action {k}",
                owner=owner,
                due_on=meeting.starts_at.date() + timedelta(days=30 * (k + 1)),
            )
            for k in range(2)
        ]
    ActionItem.objects.bulk_create(items)
    Invitation.objects.bulk_create(invitations)
    return district, year


def generate_districts(districts, schools=10, start_year=None):
    """districts districts of schools schools each (a state: many small LEAs); each is committed
    on its own, so a long run keeps what it made. Returns the districts."""
    return [generate(schools, start_year)[0] for _ in range(districts)]


class Command(BaseCommand):
    help = "Generate a district of many schools with a full school year of data."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=1000, help="Schools a district.")
        parser.add_argument(
            "--districts", type=int, default=1, help="How many districts of --schools to make."
        )
        parser.add_argument(
            "--start-year",
            type=int,
            default=None,
            help="The calendar year the school year starts in; default: the one containing today.",
        )

    def handle(self, *args, schools, districts, start_year, **options):
        if districts > 1:
            made = generate_districts(districts, schools, start_year)
            meetings = Meeting.objects.filter(district__in=made).count()
            self.stdout.write(
                f"{districts} districts ({made[0].name} to {made[-1].name}): "
                f"{districts * schools} schools, {meetings} meetings."
            )
            return
        district, year = generate(schools, start_year)
        meetings = Meeting.objects.filter(district=district).count()
        self.stdout.write(
            f"{district.name}: {schools} schools, {meetings} meetings in {year.name}."
        )
