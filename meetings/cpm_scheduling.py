"""Scheduling a CPM meeting (seed 000): the agenda it starts with, built from its purpose; the
window it must fall in; which meetings a Title I school's Kick Off may stand for."""

from django.core.exceptions import ValidationError

from schoolplan.models import CpmStage
from schoolplan.rows import long_day

from .models import Goal, Meeting, MeetingType

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


# seed 000 / DOMAIN.md: a Title I school holds its annual parent meeting on its own when it did
# not combine it with its Kick Off (or missed the Kick Off's window).
TITLE_I_STANDALONE_AGENDA = [
    ("Welcome, introductions and interpretation", 10),
    TITLE_I_AGENDA_ITEM,
    ("Our parent and family engagement policy and school-parent compact", 15),
    ("How families can be involved, and questions", 15),
]


def title_i_meetings(school, year):
    """The year's meetings that are (or also are) the school's Title I annual parent meeting."""
    from django.db.models import Q

    return (
        Meeting.objects.not_cancelled()
        .filter(school=school, school_year=year)
        .filter(Q(meeting_type=MeetingType.TITLE_I_PARENT) | Q(counts_as_title_i_meeting=True))
    )


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
        (f"The year's progress toward our goals: {summary}", 25),
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
            f"{long_day(day)} is outside it.",
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


def uncountable(meeting):
    """What the meeting says it also counts as but cannot (seed 000: the SPF meeting counts in
    the SPF sharing window only), so the form warns instead of claiming it (issue 23)."""
    if not meeting.counts_as_spf_meeting:
        return ""
    window = meeting.school_year.window("spf_sharing")
    if window.contains(meeting.local_date):
        return ""
    return (
        f"It cannot count as the SPF meeting: the SPF sharing window is {window.dates}, and "
        f"{long_day(meeting.local_date)} is outside it. Share the SPF results another way "
        "(publish the family summary), or hold an SPF meeting in the window."
    )


def same_stage_meetings(school, year, stage):
    return (
        Meeting.objects.cpm()
        .not_cancelled()
        .filter(school=school, school_year=year, cpm_stage=stage)
    )
