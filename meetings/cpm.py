"""Community Progress Monitoring (seed 000): the rules the CPM meeting type adds to the engine.

Every school hosts three CPM meetings a year, each in its window; a Title I school may let its
Kick Off count as its Title I annual parent meeting and its SPF meeting too. Whether a
requirement is met is decided here only (see "The requirement model" below).
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from schoolplan.models import CpmStage
from schoolplan.rows import long_day, short_day

from . import recorded_late
from .cpm_records import MeetingRecord, meeting_records
from .models import Goal, Meeting, MeetingStatus, MeetingType

# --- The requirement model ------------------------------------------------------------------
# Whether a CPM requirement is met (held, scheduled, minutes due, missed; the SPF rule; Title I)
# is decided here and only here. The CPM year page, the home page, the school page, the
# compliance dashboard (cells, filters, summary, CSV, PDF) and the reminder rules all read
# `requirements_for` (many schools, a fixed number of queries) or `cpm_year` (one school).

# A requirement's state -> the kind of mark it gets where states of several sources meet (the
# dashboard cell, the home chart): minutes due is something still due.
KINDS = {
    "met": "met",
    "scheduled": "scheduled",
    "awaiting_minutes": "due",
    "due": "due",
    "upcoming": "upcoming",
    "missed": "missed",
}


@dataclass
class Requirement:
    key: str
    label: str
    window: object | None
    meetings: list = field(default_factory=list)
    # met / scheduled / awaiting_minutes / recorded_late / due / upcoming / missed
    state: str = "due"
    day: object = None  # the day of the meeting (or the summary) that decides it
    url: str = ""  # where the meeting that decides it is (a met or planned one)
    published_on: object = None  # SPF only: the family summary counted (seed 000)
    published_outside: object = None  # SPF only: published, but outside the window
    days_left: int = 0  # due: until the window closes
    ends: object = None  # Title I: the school year's last day
    starts: object = None  # a year started ahead: its first day
    late: str = ""  # decided by a late record: "recorded late (4 Dec 2026, by Ana Lead)"
    without_record: str = ""  # recorded_late: the state the requirement has without it

    @property
    def message(self):
        """The sentence the school's pages show (built when read: a dashboard of a thousand
        schools reads only `short`)."""
        window = self.window
        if self.state == "met":
            text = f"{'Family summary published' if self.published_on else 'Held'} on "
            text += f"{long_day(self.day)}" + (f", {self.late}." if self.late else ".")
        elif self.state == "recorded_late":
            text = (
                f"The meeting of {long_day(self.day)} was {self.late}. It counts, as held "
                "late, once its minutes and attendance are recorded."
            )
            if self.without_record == "missed" and window is not None:
                text = (
                    f"The {window.label} window closed on {long_day(window.closes)} with no "
                    f"meeting held on time. {text}"
                )
        elif self.state == "awaiting_minutes":
            text = (
                f"The meeting of {long_day(self.day)} has passed: record its minutes to mark it "
                "held."
            )
        elif self.state == "scheduled":
            text = f"Scheduled for {long_day(self.day)}."
        elif self.state == "missed" and window is not None:
            text = (
                f"The {window.label} window closed on {long_day(window.closes)} with no meeting "
                "held."
            )
            if self.key == "kick_off":
                # seed 000: the way forward after a missed Kick Off (issue 23).
                text += " Set the year's goals with families at the Check In instead."
        elif self.state == "missed":
            text = f"The school year ended on {long_day(self.ends)} with no meeting held."
        elif self.starts is not None:
            text = f"The school year starts on {long_day(self.starts)}."
        elif self.state == "upcoming":
            text = f"Schedule it for {window.dates}."
        elif window is not None:
            days = self.days_left
            text = (
                f"Not scheduled yet; the {window.label} window closes on {long_day(window.closes)} "
                f"({days} day{'s' if days != 1 else ''} left)."
            )
        elif self.key == "title_i":
            text = (
                "Not scheduled yet: hold it with the Kick Off, or on its own any day of the "
                "school year."
            )
        else:
            text = "Not scheduled yet."
        if self.published_outside is not None and self.state != "met":
            text += (
                f" The family summary was published on {long_day(self.published_outside)}, "
                "outside the window, so it does not count."
            )
        return text

    @property
    def short(self):
        """The few words of a dashboard cell."""
        if self.state == "met":
            what = "Summary published" if self.published_on else "Held"
            return f"{what} {short_day(self.day)}" + (f", {self.late}" if self.late else "")
        if self.state == "recorded_late":
            return f"Recorded late ({short_day(self.day)}), minutes due"
        if self.state == "awaiting_minutes":
            return f"Minutes due ({short_day(self.day)})"
        if self.state == "scheduled":
            return f"Scheduled {short_day(self.day)}"
        if self.state == "missed":
            return "Missed"
        if self.starts is not None:
            return f"From {short_day(self.starts)}"
        if self.state == "upcoming":
            return f"Opens {short_day(self.window.opens)}"
        if self.window is not None:
            return f"Nothing scheduled, closes {short_day(self.window.closes)}"
        return "Nothing scheduled"

    @property
    def level(self):
        if self.state == "met" and self.late:
            return "warning"  # held, not on time: as the dashboard flags it
        return {
            "met": "success",
            "scheduled": "info",
            "awaiting_minutes": "warning",
            "recorded_late": "warning",
            "upcoming": "secondary",
            "due": "warning",
            "missed": "danger",
        }[self.state]

    @property
    def kind(self):
        if self.state == "met" and self.late:
            return "late"  # held, but not on record in time: flagged, as a late CIM month is
        # A late record still without its minutes (DOMAIN.md, "Recorded, not scheduled") keeps
        # the kind the requirement has without it: a missed window stays missed until it is held.
        return KINDS[self.without_record if self.state == "recorded_late" else self.state]


@dataclass
class CpmYear:
    school: object
    year: object
    today: object
    requirements: list
    goals: list

    @property
    def next_step(self):
        # What can still be done comes first; a meeting still ahead comes before a later window
        # (issue 23: not the Wrap Up before the Check In has happened); a missed one is last.
        order = ("awaiting_minutes", "recorded_late", "due", "scheduled", "upcoming", "missed")
        for wanted in order:
            for requirement in self.requirements:
                if requirement.state == wanted:
                    return requirement
        return None


def _late(meeting):
    """A late record's stamp, or "" (meetings.recorded_late)."""
    if isinstance(meeting, MeetingRecord):
        return meeting.late
    return recorded_late.stamp(meeting) if meeting.recorded_late_at is not None else ""


def _assess(requirement, meetings, today):
    requirement.meetings = meetings
    window = requirement.window
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    # DOMAIN.md, "Recorded, not scheduled": a late record counts once held, never before (a
    # plan that has passed is "minutes due"; a record entered afterwards proves nothing yet).
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED and not _late(m)]
    if held:
        requirement.state, requirement.day = "met", held[0].local_date
        requirement.url = _url_of(held[0])
        requirement.late = _late(held[0])
    elif planned:
        requirement.day = planned[0].local_date
        requirement.state = "awaiting_minutes" if requirement.day < today else "scheduled"
        requirement.url = _url_of(planned[0])
    elif window is not None and today > window.closes:
        requirement.state = "missed"
    elif window is not None and today < window.opens:
        requirement.state = "upcoming"
    else:
        requirement.state = "due"
        if window is not None:
            requirement.days_left = window.days_left(today)


def _show_late_record(requirement):
    """A requirement that nothing else decides shows the late record waiting for its minutes
    (after the year's other rules: a Title I year's end, a year not started yet)."""
    if requirement.state in ("met", "scheduled", "awaiting_minutes"):
        return
    waiting = [m for m in requirement.meetings if m.status == MeetingStatus.PLANNED and _late(m)]
    if waiting:
        requirement.without_record, requirement.state = requirement.state, "recorded_late"
        requirement.day, requirement.late = waiting[0].local_date, _late(waiting[0])
        requirement.url = _url_of(waiting[0])


def _url_of(meeting):
    return meeting.url if isinstance(meeting, MeetingRecord) else meeting.get_absolute_url()


# seed 000: publishing the family SPF summary counts as sharing SPF results. progress (above
# this app) registers how to find when summaries were published:
# (school ids, school year ids) -> {school id: the day its summary of one of those years was
# published, in the school's calendar}. A school has one year among them (years are a
# district's), and one query answers for all.
SPF_PUBLICATION_HOOKS = []


def _published_days(school_ids, year_ids):
    days = {}
    for hook in SPF_PUBLICATION_HOOKS:
        for school_id, day in hook(school_ids, year_ids).items():
            days.setdefault(school_id, day)
    return days


def _count_publication(spf, day):
    if day is None or spf.state == "met":
        return
    if spf.window.contains(day):
        spf.state, spf.day, spf.published_on = "met", day, day
        spf.url = ""  # the family page: the reader adds it, it needs the school's slug
    else:
        spf.published_outside = day


def school_requirements(school, year, today, meetings, published_on=None):
    """The school's requirements for the year as of today, from its non-cancelled meetings of
    the year in date order (Meeting instances or MeetingRecords) and the day its family SPF
    summary was published (or None)."""
    requirements = []
    for stage in CpmStage:
        requirement = Requirement(stage.value, f"{stage.label} CPM", year.cpm_window(stage))
        _assess(
            requirement,
            [m for m in meetings if m.meeting_type == MeetingType.CPM and m.cpm_stage == stage],
            today,
        )
        requirements.append(requirement)
    # seed 000: share SPF results in the window; an SPF meeting (or a combined one) counts.
    spf_window = year.window("spf_sharing")
    spf = Requirement("spf", "SPF results shared with families", spf_window)
    _assess(
        spf,
        [
            m
            for m in meetings
            if (m.meeting_type == MeetingType.SPF or m.counts_as_spf_meeting)
            and spf_window.contains(m.local_date)
        ],
        today,
    )
    _count_publication(spf, published_on)
    requirements.append(spf)
    if school.title_i:
        title_i = Requirement("title_i", MeetingType.TITLE_I_PARENT.label, None)
        _assess(
            title_i,
            [
                m
                for m in meetings
                if m.meeting_type == MeetingType.TITLE_I_PARENT or m.counts_as_title_i_meeting
            ],
            today,
        )
        if title_i.state == "due" and today > year.ends_on:
            title_i.state, title_i.ends = "missed", year.ends_on
        requirements.append(title_i)
    if today < year.starts_on:  # a year started ahead (in June): nothing is due in it yet
        for requirement in requirements:
            if requirement.state == "due":
                requirement.state, requirement.starts = "upcoming", year.starts_on
    for requirement in requirements:
        _show_late_record(requirement)
    return requirements


def requirements_for(schools, years, today):
    """{school id: [Requirement]} for many schools at once, as of today (the rules run once per
    zone). `years`: one SchoolYear for all, or {district id: SchoolYear}; a school without one
    is left out. A fixed number of queries whatever the number of schools; given a QuerySet of
    schools, the queries read it as a subquery rather than binding a thousand ids."""
    ids = schools.values("pk") if isinstance(schools, QuerySet) else None
    year_of = {
        school: years.get(school.district_id) if isinstance(years, dict) else years
        for school in schools
    }
    year_of = {school: year for school, year in year_of.items() if year is not None}
    if ids is None:
        ids = [school.pk for school in year_of]
    year_ids = list({year.pk for year in year_of.values()})
    meetings = meeting_records(ids, year_ids)
    published = _published_days(ids, year_ids)
    return {
        school.pk: school_requirements(
            school, year, today, meetings.get(school.pk, []), published.get(school.pk)
        )
        for school, year in year_of.items()
    }


def cpm_year(school, year, today):
    """Each CPM requirement of the school's year: met, scheduled, due, upcoming or missed."""
    meetings = list(
        Meeting.objects.filter(school=school, school_year=year)
        .not_cancelled()
        # each meeting's local date reads its district's zone; a late record names its author
        .select_related("district", "recorded_late_by")
        .order_by("starts_at")
    )
    published = _published_days([school.pk], [year.pk]).get(school.pk)
    requirements = school_requirements(school, year, today, meetings, published)
    goals = list(Goal.objects.filter(school=school, school_year=year))
    return CpmYear(school, year, today, requirements, goals)
