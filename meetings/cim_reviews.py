"""CIM monthly reviews (seed 001): the team meets at least once a month; a month with no held
review is a compliance gap. The team page, the district dashboard and reminders all read
`monthly_compliance()`."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dateformat import format as format_date
from django.utils.text import capfirst

from schoolplan import clock
from schoolplan.models import CimTeam, SchoolYear

from . import notices, recorded_late
from .models import Invitation, Meeting, MeetingStatus, MeetingType
from .services import NeedsConfirmation, create_meeting, invite

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
    # held / late (held, but recorded after the month: never counted as held on time) /
    # gap / open (the current month, no review yet) / future
    state: str
    reviews: list

    @property
    def label(self):
        return format_date(self.first_day, "M Y")

    @property
    def is_gap(self):
        return self.state == "gap"

    @property
    def late_records(self):
        """Its reviews entered after the month had ended (a cancelled one records nothing)."""
        return [r for r in self.reviews if r.recorded_late_at is not None and not r.is_cancelled]

    @property
    def phrase(self):
        """What the month says, in the words the CIM page, the dashboard and the home cards
        share: "held", "held, recorded late (4 Dec 2026, by Ana Lead)", "gap", …"""
        late = self.late_records
        if self.state == "late":
            return recorded_late.wording(next(r for r in late if r.is_held))
        if self.state == "gap" and late:
            return f"gap: {recorded_late.wording(late[0])}"
        return {"held": "held", "gap": "gap", "open": "this month"}.get(self.state, "—")

    @property
    def text(self):
        return capfirst(self.phrase)


def _months(year):
    for offset in range(12):
        month = (7 + offset - 1) % 12 + 1
        yield date(year.start_year + (1 if month < 7 else 0), month, 1)


def monthly_compliance(district, year, today=None):
    """The school year's twelve months: held, late (held, recorded late), gap, open (this month,
    not yet held) or future.
    "This month" is the district's month: today is its today unless a day is given."""
    today = today or clock.today(district)
    reviews = list(
        Meeting.objects.filter(
            district=district, meeting_type=MeetingType.CIM_REVIEW, school_year=year
        )
        # A review's month is its local date's, in the district; a late record names its author.
        .select_related("district", "recorded_late_by")
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
        if any(r.recorded_late_at is None for r in held):
            state = "held"
        elif held:
            state = "late"  # DOMAIN.md: a late record shows as such, never as held on time
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


def invitees(team):
    """The year's team, lead first, and its TA provider (seed 001: Intensive LEAs work with one)."""
    if team is None:
        return []
    people = team.people
    if team.ta_provider is not None and team.ta_provider not in people:
        people.append(team.ta_provider)
    return people


def late_warning(day):
    """What the lead confirms before a review dated in an earlier month is recorded late."""
    return (
        f"{format_date(day, 'F Y')} is over: a review dated {day:%-d %b %Y} is recorded late, "
        "as a record of a review already held, not a plan. It needs its minutes and "
        "attendance, the district's staff are told, and the month shows as “held, recorded "
        "late” — not as held on time. No invitations are sent for it."
    )


@transaction.atomic
def schedule_review(
    *, user, district, starts_at, ends_at, place="", video_link="", confirm_late=False
):
    """The lead schedules a monthly review; the year's team is invited with its calendar entry.

    Dated in a month already over, it is a late record (DOMAIN.md, "Recorded, not scheduled"):
    only with confirm_late, stamped who and when, the district told, and nobody invited to a
    meeting that is past (the team is listed for its attendance)."""
    day = clock.local_date(starts_at, district)
    year = SchoolYear.objects.of_district_on(district, day)
    if year is None:
        raise ValidationError(f"{district} has no school year containing {day:%-d %b %Y}.")
    late = recorded_late.in_an_earlier_month(day, clock.today(district))
    if late and not confirm_late:
        raise NeedsConfirmation(late_warning(day), code="confirm_late")
    extra = {}
    if late:
        extra = recorded_late.stamp_fields(user)
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
        **extra,
    )
    people = invitees(team_for(district, year))
    if late:
        Invitation.objects.bulk_create([Invitation(meeting=meeting, user=p) for p in people])
        notices.notify_district_recorded_late(meeting)
    else:
        invite(meeting, user=user, people=people)
    return meeting
