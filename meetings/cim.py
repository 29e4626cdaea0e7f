"""CIM monthly reviews (seed 001): the team meets at least once a month; a month with no held
review is a compliance gap. The team page, the district dashboard and reminders all read
`monthly_compliance()`."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateformat import format as format_date

from schoolplan import clock
from schoolplan.models import CimTeam, SchoolYear

from .models import Invitation, Meeting, MeetingStatus, MeetingType
from .services import create_meeting

AGENDA = [
    ("Actions from the last review", 10),
    ("Each High-Leverage Strategy: implementation of its activities", 30),
    ("Data gathered toward each measurable outcome", 20),
    ("Barriers and next steps", 15),
    ("Decisions and action items", 10),
]


@dataclass
class Month:
    first_day: date
    state: str  # held / gap / open (the current month, no review yet) / future
    reviews: list

    @property
    def label(self):
        return format_date(self.first_day, "M Y")

    @property
    def is_gap(self):
        return self.state == "gap"


def _months(year):
    for offset in range(12):
        month = (7 + offset - 1) % 12 + 1
        yield date(year.start_year + (1 if month < 7 else 0), month, 1)


def monthly_compliance(district, year, today=None):
    """The school year's twelve months: held, gap, open (this month, not yet held) or future.
    "This month" is the district's month: today is its today unless a day is given."""
    today = today or clock.today(district)
    reviews = list(
        Meeting.objects.filter(
            district=district, meeting_type=MeetingType.CIM_REVIEW, school_year=year
        )
        .select_related("district")  # a review's month is its local date's, in the district
        .order_by("starts_at")
    )
    months = []
    for first_day in _months(year):
        in_month = [
            r
            for r in reviews
            if (r.local_date.year, r.local_date.month) == (first_day.year, first_day.month)
        ]
        held = [r for r in in_month if r.status == MeetingStatus.HELD]
        current = (today.year, today.month) == (first_day.year, first_day.month)
        if held:
            state = "held"
        elif first_day > today:
            state = "future"
        elif current:
            state = "open"
        else:
            state = "gap"  # the month ended with no held review (a cancelled one does not count)
        months.append(Month(first_day, state, in_month))
    return months


def team_for(district, year):
    return CimTeam.objects.filter(district=district, school_year=year).first()


@transaction.atomic
def schedule_review(*, user, district, starts_at, ends_at, place="", video_link=""):
    """The lead schedules a monthly review; the year's team is invited."""
    day = clock.local_date(starts_at, district)
    year = SchoolYear.objects.of_district_on(district, day)
    if year is None:
        raise ValidationError(f"{district} has no school year containing {day:%-d %b %Y}.")
    meeting = create_meeting(
        district=district,
        school=None,
        host_kind="district",
        school_year=year,
        meeting_type=MeetingType.CIM_REVIEW,
        title=f"CIM monthly review – {format_date(day, 'F Y')}",
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_link=video_link,
        created_by=user,
        agenda=AGENDA,
    )
    team = team_for(district, year)
    if team is not None:
        Invitation.objects.bulk_create(
            [Invitation(meeting=meeting, user=person) for person in team.people]
        )
    return meeting
