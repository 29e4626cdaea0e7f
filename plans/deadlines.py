"""The school plans' deadlines: the ESSA action plan (seed 002), read from its standing
(plans.essa): targeted-support schools' principals are e-mailed 21 and 7 days before May 15 and
on the day; the home page shows every designated school's plan still to do."""

from django.urls import reverse

from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import EssaDesignation, ReminderCategory, Role, School

from .essa import essa_standings
from .models import EssaPlanStatus

ESSA_DAYS_BEFORE = (21, 7, 0)  # DOMAIN: Reminders — May 15, and 21 and 7 days before
ESSA_LOOKAHEAD_DAYS = 60  # the home page's "due soon" starts here


@rule
def essa_plan_due(today, scope, reach):
    years = current_years(today, scope)
    schools = list(
        in_scope(
            School.objects.filter(district__in=list(years)).exclude(
                essa_designation=EssaDesignation.NONE
            ),
            scope,
            district="district",
            school="pk",
        )
    )
    standings = essa_standings(schools, years, today)
    ids = [s.pk for s in schools]
    principals = people_by("school", [Role.PRINCIPAL], ids)
    staff = people_by("school", [Role.SCHOOL_STAFF], ids)
    for school in schools:
        standing = standings[school.pk]
        if standing.handed_in:
            continue
        year = years[school.district_id]
        due = standing.due_on
        occasion, level, name = None, "info", "essa-plan-status"
        if due is not None and today > due:
            title = f"{school.name}: the ESSA action plan was due {due:%-d %b %Y}"
            title += " and is not submitted" if standing.plan else " and is not started"
            level = "danger"
        elif due is not None:
            days = current_occasion(due, today, ESSA_DAYS_BEFORE, reach)
            if (due - today).days <= max(ESSA_DAYS_BEFORE):
                # The reminders' span: 21 days before to the day.
                name = "essa-plan"
                occasion = f"{year.start_year}-{days}d" if days is not None else None
            title = f"{school.name}: submit the ESSA action plan by {due:%-d %b %Y}"
            left = (due - today).days
            if left <= ESSA_LOOKAHEAD_DAYS:
                title += f" ({left} day{'s' if left != 1 else ''})"
            level = "danger" if left <= 7 else "warning" if left <= ESSA_LOOKAHEAD_DAYS else "info"
        else:
            title = f"{school.name}: ESSA action plan: " + (
                standing.text.lower() if standing.plan else "not started yet"
            )
        if standing.plan is not None and standing.plan.status == EssaPlanStatus.RETURNED:
            # The district's comment is waiting: say so first.
            title = f"{school.name}: ESSA action plan: returned for changes"
            title += f"; resubmit by {due:%-d %b %Y}" if due and today <= due else ""
            level = "danger"
        yield Deadline(
            rule=name,
            category=ReminderCategory.ESSA,
            subject=f"school:{school.pk}",
            occasion=occasion,
            title=title,
            due_on=due or year.ends_on,
            link=reverse("school_essa", args=[school.pk]),
            recipients=principals.get(school.pk, []),
            watchers=staff.get(school.pk, []),
            level=level,
        )
