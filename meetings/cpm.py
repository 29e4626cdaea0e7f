"""Community Progress Monitoring (seed 000): the rules the CPM meeting type adds to the engine.

Every school hosts three CPM meetings a year, each in its window; a Title I school may let its
Kick Off count as its Title I annual parent meeting and its SPF meeting too. The year at a
glance, the home page and (later) reminders all read `cpm_year()`: nothing else computes
whether a requirement is met.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.dateformat import format as format_date

from schoolplan.models import CpmStage

from .models import Goal, Meeting, MeetingStatus, MeetingType

# seed 000: what each meeting is for, as a suggested agenda (title, minutes).
PURPOSE = {
    CpmStage.KICK_OFF: "understand how the school is doing on key performance areas and set goals",
    CpmStage.CHECK_IN: "analyse progress toward the goals set at Kick Off; maybe set new goals",
    CpmStage.WRAP_UP: "look at the year's progress and how families keep reaching toward the goals",
}
TITLE_I_AGENDA_ITEM = (
    "Title I annual meeting: the school's Title I program and families' right to be involved",
    20,
)


def _day(value):
    return format_date(value, "j M Y")


def suggested_agenda(school, year, stage, *, title_i=False, spf=False):
    """The agenda a new CPM meeting starts with, built from its purpose."""
    stage = CpmStage(stage)
    if stage == CpmStage.KICK_OFF:
        items = [
            ("Welcome, introductions and interpretation", 10),
            ("Our SPF results: how the school is doing on key performance areas", 20),
            ("What is working, and what needs to improve", 15),
            ("Setting our goals for the year", 20),
            ("Questions and next steps", 10),
        ]
        if title_i:
            items.insert(4, TITLE_I_AGENDA_ITEM)
        if spf:
            items.insert(2, ("SPF in detail: families' questions about the ratings", 10))
        return items
    goals = list(Goal.objects.filter(school=school, school_year=year))
    if stage == CpmStage.CHECK_IN:
        if goals:
            progress = [(f"Progress toward our goal: {goal.text}", 10) for goal in goals]
        else:
            progress = [("Progress toward the goals set at Kick Off (none recorded yet)", 20)]
        return [
            ("Welcome and introductions", 5),
            *progress,
            ("Do we need new goals?", 15),
            ("Questions and next steps", 10),
        ]
    summary = "; ".join(goal.text for goal in goals) or "the goals set at Kick Off"
    return [
        ("Welcome and introductions", 5),
        (f"The year's progress toward our goals: {summary}"[:300], 25),
        ("How families keep reaching toward the goals over the summer and next year", 20),
        ("Celebrations and thanks", 10),
        ("Questions", 10),
    ]


def check_window(year, stage, day):
    """Refuse a CPM meeting dated outside its window, naming the window. `day` is the meeting's
    date where the school is (a window closes at local midnight, DOMAIN.md, Time): 23:30 on its
    last day in Los Angeles is in, though it is the next day in UTC."""
    window = year.cpm_window(stage)
    if not window.contains(day):
        raise ValidationError(
            f"A {window.label} meeting must fall in the {window.label} window, {window.dates}; "
            f"{_day(day)} is outside it.",
            code="outside_window",
        )


def check_combination(school, stage, *, title_i, spf):
    """seed 000: only a Title I school's Kick Off may stand for its other meetings."""
    errors = {}
    if title_i and not school.title_i:
        errors["counts_as_title_i_meeting"] = (
            f"{school} is not a Title I school, so it has no Title I annual parent meeting "
            "to combine."
        )
    if (title_i or spf) and CpmStage(stage) != CpmStage.KICK_OFF:
        errors["counts_as_spf_meeting" if spf else "counts_as_title_i_meeting"] = (
            "Only a Kick Off can be combined with the Title I and SPF meetings."
        )
    if errors:
        raise ValidationError(errors)


def combination_warning(title_i, spf):
    if title_i or spf:
        return (
            "A combined meeting covers several subjects: the audience may not get through them "
            "all in one meeting. Keep each agenda item short and allow time for questions."
        )
    return ""


def same_stage_meetings(school, year, stage):
    return (
        Meeting.objects.cpm()
        .not_cancelled()
        .filter(school=school, school_year=year, cpm_stage=stage)
    )


# --- The year at a glance ------------------------------------------------------------------


@dataclass
class Requirement:
    key: str
    label: str
    window: object | None
    meetings: list = field(default_factory=list)
    state: str = "missing"  # met / scheduled / awaiting_minutes / due / upcoming / missed
    message: str = ""

    @property
    def level(self):
        return {
            "met": "success",
            "scheduled": "info",
            "awaiting_minutes": "warning",
            "upcoming": "secondary",
            "due": "warning",
            "missed": "danger",
        }[self.state]


@dataclass
class CpmYear:
    school: object
    year: object
    today: object
    requirements: list
    goals: list

    @property
    def next_step(self):
        # What can still be done comes first; a missed window is reported last.
        for wanted in ("awaiting_minutes", "due", "upcoming", "missed"):
            for requirement in self.requirements:
                if requirement.state == wanted:
                    return requirement
        return None


def _assess(requirement, meetings, today):
    requirement.meetings = meetings
    window = requirement.window
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    planned = [m for m in meetings if m.status == MeetingStatus.PLANNED]
    if held:
        requirement.state = "met"
        requirement.message = f"Held on {_day(held[0].local_date)}."
    elif planned and planned[0].local_date < today:
        requirement.state = "awaiting_minutes"
        requirement.message = (
            f"The meeting of {_day(planned[0].local_date)} has passed: record its minutes "
            "to mark it held."
        )
    elif planned:
        requirement.state = "scheduled"
        requirement.message = f"Scheduled for {_day(planned[0].local_date)}."
    elif window is not None and today > window.closes:
        requirement.state = "missed"
        requirement.message = (
            f"The {window.label} window closed on {_day(window.closes)} with no meeting held."
        )
    elif window is not None and today < window.opens:
        requirement.state = "upcoming"
        requirement.message = f"Schedule it for {window.dates}."
    else:
        requirement.state = "due"
        if window is not None:
            days = window.days_left(today)
            requirement.message = (
                f"Not scheduled yet; the {window.label} window closes on {_day(window.closes)} "
                f"({days} day{'s' if days != 1 else ''} left)."
            )
        else:
            requirement.message = "Not scheduled yet."


# seed 000: publishing the family SPF summary counts as sharing SPF results. progress (above
# this app) registers how to find when it was published: (school, year) -> date or None.
SPF_PUBLICATION_HOOKS = []


def _spf_published(spf, school, year):
    for hook in SPF_PUBLICATION_HOOKS:
        day = hook(school, year)
        if day is None:
            continue
        if spf.window.contains(day):
            if spf.state != "met":
                spf.state = "met"
                spf.message = f"Family summary published on {_day(day)}."
        elif spf.state != "met":
            spf.message += (
                f" The family summary was published on {_day(day)}, outside the window, so it "
                "does not count."
            )


def cpm_year(school, year, today):
    """Each CPM requirement of the school's year: met, scheduled, due, upcoming or missed."""
    meetings = list(
        Meeting.objects.filter(school=school, school_year=year)
        .not_cancelled()
        .select_related("district")  # each meeting's local date reads its district's zone
        .order_by("starts_at")
    )
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
    _spf_published(spf, school, year)
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
            title_i.state = "missed"
        requirements.append(title_i)
    goals = list(Goal.objects.filter(school=school, school_year=year))
    return CpmYear(school, year, today, requirements, goals)
