"""The CPM requirements' deadlines (seed 000), read from the requirement model (meetings.cpm):
the reminders and the home page say what the CPM year page and the dashboard say."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from schoolplan.attention import LOOKAHEAD_DAYS
from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import CpmStage, ReminderCategory, Role, School
from schoolplan.phrases import Day, Phrase
from schoolplan.rows import day_and_year

from .cpm import requirements_for

CPM_DAYS_BEFORE = (30, 14, 3)  # DOMAIN: Reminders, defaults


def _schools_in(years, scope):
    return list(
        in_scope(
            School.objects.filter(district__in=list(years)), scope, district="district", school="pk"
        )
    )


@rule
def cpm_requirements(today, scope, reach):
    """seed 000: each CPM requirement still open, as the requirement model (meetings.cpm) finds
    it: a window closing with nothing scheduled (the principal is e-mailed 30, 14 and 3 days
    before), a meeting past whose minutes are due, a window missed, one opening soon. The school's
    staff see them on their home page."""
    years = current_years(today, scope)
    schools = _schools_in(years, scope)
    states = requirements_for(schools, years, today)
    ids = [s.pk for s in schools]
    principals = people_by("school", [Role.PRINCIPAL], ids)
    staff = people_by("school", [Role.SCHOOL_STAFF], ids)
    for school in schools:
        year = years[school.district_id]
        for requirement in states[school.pk]:
            deadline = _requirement_deadline(school, year, requirement, today, reach)
            if deadline is None:
                continue
            deadline.recipients = principals.get(school.pk, [])
            # The staff read it on their home page, on the CPM year page (not the form).
            deadline.watchers = staff.get(school.pk, [])
            deadline.watcher_link = reverse("cpm_year", args=[school.pk])
            yield deadline


# The reminder of a window closing (e-mailed): (a CPM meeting?, one day left?) -> its words.
WINDOW_CLOSING = {
    (True, True): gettext_noop(
        "%(school)s: schedule the %(meeting)s meeting; its window closes on %(day)s "
        "(%(left)s day left)"
    ),
    (True, False): gettext_noop(
        "%(school)s: schedule the %(meeting)s meeting; its window closes on %(day)s "
        "(%(left)s days left)"
    ),
    (False, True): gettext_noop(
        "%(school)s: share the SPF results with families; its window closes on %(day)s "
        "(%(left)s day left)"
    ),
    (False, False): gettext_noop(
        "%(school)s: share the SPF results with families; its window closes on %(day)s "
        "(%(left)s days left)"
    ),
}


def _requirement_deadline(school, year, requirement, today, reach):
    window = requirement.window
    stage = requirement.key if requirement.key in CpmStage.values else None
    where = reverse("cpm_year", args=[school.pk])
    if stage:
        where = reverse("schedule_cpm", args=[school.pk]) + f"?stage={stage}"
    common = {
        # "cpm-window": the reminder of a window closing; the other states only show.
        "rule": f"cpm-{requirement.state}"
        if requirement.state != "due" or not stage
        else "cpm-window",
        "category": ReminderCategory.CPM,
        "subject": f"school:{school.pk}",
    }
    label = requirement.label
    if requirement.state == "due" and window is not None:
        days = current_occasion(window.closes, today, CPM_DAYS_BEFORE, reach) if stage else None
        left = (window.closes - today).days
        return Deadline(
            **common,
            occasion=f"{year.start_year}-{stage}-{days}d" if days else None,
            title=Phrase(
                WINDOW_CLOSING[bool(stage), left == 1],
                school=school.name,
                meeting=label,
                day=Day(window.closes),
                left=left,
            ),
            due_on=window.closes,
            link=where,
            level="danger" if left <= 3 else "warning" if left <= 14 else "info",
        )
    if requirement.state == "due":  # the Title I meeting: some time in the year
        return Deadline(
            **common,
            occasion=None,
            title=f"{school.name}: {label}: not scheduled yet this school year",
            due_on=year.ends_on,
            link=where,
            level="info",
        )
    if requirement.state in ("awaiting_minutes", "recorded_late"):
        return Deadline(
            **common,
            occasion=None,
            title=f"{school.name}: {label}: {requirement.message}",
            due_on=requirement.day,
            link=requirement.url,
            level="warning",
        )
    if requirement.state == "missed":
        return Deadline(
            **common,
            occasion=None,
            title=f"{school.name}: {label}: {requirement.message}",
            due_on=window.closes if window is not None else year.ends_on,
            link=reverse("cpm_year", args=[school.pk]),
            level="danger",
        )
    if (
        requirement.state == "upcoming"
        and window is not None
        and (window.opens - today).days <= LOOKAHEAD_DAYS
    ):
        return Deadline(
            **common,
            occasion=None,
            title=f"{school.name}: {label}: the window opens on {day_and_year(window.opens)}; "
            f"schedule it for {window.dates}",
            due_on=window.closes,
            link=where,
            level="info",
        )
    return None
