"""What the plans app says when district staff start the next school year
(schoolplan/next_year.py). The Plan for Improvement is not copied then: the CIM team chooses, on
the new year's CIM page, to start it from last year's or empty (plans.carry_over)."""

from schoolplan.next_year import year_name

from .models import PlanForImprovement


def _lines(old):
    if not PlanForImprovement.objects.filter(school_year=old).exists():
        return []
    return [
        f"The Plan for Improvement: the CIM team starts the {year_name(old.start_year + 1)} plan "
        f"on the CIM page, from the {old.name} plan (its analysis, strategies, activities, "
        "outcomes and metrics carry over) or empty."
    ]


def preview(old):
    return _lines(old)


def copy(old, new, *, user):
    return _lines(old)
