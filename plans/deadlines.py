"""The school plans' deadlines: the ESSA action plan (seed 002), read from its standing
(plans.essa): targeted-support schools' principals are e-mailed 21 and 7 days before May 15 and
on the day; the home page shows every designated school's plan still to do."""

from django.urls import reverse
from django.utils.translation import gettext_noop

from schoolplan.deadlines import (
    Deadline,
    current_occasion,
    current_years,
    in_scope,
    people_by,
    rule,
)
from schoolplan.models import EssaDesignation, ReminderCategory, Role, School
from schoolplan.phrases import Day, Phrase

from .essa import essa_standings
from .models import EssaPlanStatus

ESSA_DAYS_BEFORE = (21, 7, 0)  # DOMAIN: Reminders — May 15, and 21 and 7 days before
ESSA_LOOKAHEAD_DAYS = 60  # the home page's "due soon" starts here


# The words of the reminders that are e-mailed (schoolplan.phrases: said in the reader's language).
SUBMIT_BY = gettext_noop("%(school)s: submit the ESSA action plan by %(day)s")
SUBMIT_BY_ONE_DAY = gettext_noop(
    "%(school)s: submit the ESSA action plan by %(day)s (%(left)s day)"
)
SUBMIT_BY_DAYS = gettext_noop("%(school)s: submit the ESSA action plan by %(day)s (%(left)s days)")
RETURNED = gettext_noop("%(school)s: ESSA action plan: returned for changes")
RETURNED_RESUBMIT_BY = gettext_noop(
    "%(school)s: ESSA action plan: returned for changes; resubmit by %(day)s"
)


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
            left = (due - today).days
            words = SUBMIT_BY
            if left <= ESSA_LOOKAHEAD_DAYS:
                words = SUBMIT_BY_ONE_DAY if left == 1 else SUBMIT_BY_DAYS
            title = Phrase(words, school=school.name, day=Day(due), left=left)
            level = "danger" if left <= 7 else "warning" if left <= ESSA_LOOKAHEAD_DAYS else "info"
        else:
            title = f"{school.name}: ESSA action plan: " + (
                standing.text.lower() if standing.plan else "not started yet"
            )
        if standing.plan is not None and standing.plan.status == EssaPlanStatus.RETURNED:
            # The district's comment is waiting: say so first.
            title = (
                Phrase(RETURNED_RESUBMIT_BY, school=school.name, day=Day(due))
                if due and today <= due
                else Phrase(RETURNED, school=school.name)
            )
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
