"""The school plans' deadline: the ESSA action plan of targeted-support schools (seed 002)."""

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

from .models import EDITABLE_STATUSES, EssaPlan

ESSA_DAYS_BEFORE = (21, 7, 0)  # DOMAIN: Reminders — May 15, and 21 and 7 days before


@rule
def essa_plan_due(today, scope, reach):
    years = current_years(today, scope)
    schools = list(
        in_scope(
            School.objects.filter(
                district__in=list(years), essa_designation=EssaDesignation.TARGETED
            ),
            scope,
            district="district",
            school="pk",
        ).values_list("pk", "district_id", "name")
    )
    done = set(
        EssaPlan.objects.filter(
            school__in=[s[0] for s in schools], school_year__in=[y.pk for y in years.values()]
        )
        .exclude(status__in=EDITABLE_STATUSES)
        .values_list("school_id", flat=True)
    )
    principals = people_by("school", [Role.PRINCIPAL], [s[0] for s in schools])
    for school_id, district_id, name in schools:
        due = years[district_id].essa_plan_due
        if school_id in done or (due - today).days > max(ESSA_DAYS_BEFORE) or today > due:
            continue
        days = current_occasion(due, today, ESSA_DAYS_BEFORE, reach)
        yield Deadline(
            rule="essa-plan",
            category=ReminderCategory.ESSA,
            subject=f"school:{school_id}",
            occasion=f"{years[district_id].start_year}-{days}d" if days is not None else None,
            title=f"{name}: submit the ESSA action plan by {due:%-d %b %Y}",
            due_on=due,
            link=reverse("school_essa", args=[school_id]),
            recipients=principals.get(school_id, []),
            level="danger" if (due - today).days <= 7 else "warning",
        )
