"""The ESSA action plan's standing (seed 002): its due date and whether it is on time, late or
missing. The dashboard and its CSV, the school's pages, the home page and the reminder rule
all read it here; nothing else compares a plan with May 15."""

from dataclasses import dataclass

from django.db.models import QuerySet

from schoolplan import clock
from schoolplan.models import EssaDesignation
from schoolplan.rows import short_day

from .models import EssaPlan, EssaPlanStatus, essa_due_on


@dataclass
class EssaStanding:
    state: str  # n/a / upcoming / due / partial / missed / met / late
    text: str
    due_on: object = None  # None: no deadline (not targeted)
    plan: object = None

    @property
    def handed_in(self):
        """Submitted or accepted: nothing is left for the school to do by the due date."""
        return self.plan is not None and self.plan.status in (
            EssaPlanStatus.SUBMITTED,
            EssaPlanStatus.ACCEPTED,
        )


def essa_standing(school, plan, year, today, zone=None):
    """Where the school's plan for year stands on today (its district's day); `zone` reads the
    submission's day (default: the school's district)."""
    if school.essa_designation == EssaDesignation.NONE:
        return EssaStanding("n/a", "Not required")
    due_on = essa_due_on(school, year)
    overdue = due_on is not None and today > due_on
    if plan is None:
        if due_on is None or today < year.starts_on:  # no deadline, or a year started ahead
            return EssaStanding("upcoming", "Not started", due_on)
        return EssaStanding("missed" if overdue else "due", "Not started", due_on)
    submitted = (
        short_day(clock.local_date(plan.submitted_at, zone or school)) if plan.submitted_at else ""
    )
    if plan.status == EssaPlanStatus.ACCEPTED:
        # Accepted or not, a plan handed in after the due date stays late (the district must
        # see who missed May 15).
        if plan.submitted_late:
            return EssaStanding("late", f"Accepted; submitted late {submitted}", due_on, plan)
        return EssaStanding("met", "Accepted", due_on, plan)
    if plan.status == EssaPlanStatus.SUBMITTED:
        if plan.submitted_late:
            return EssaStanding("late", f"Submitted late {submitted}", due_on, plan)
        return EssaStanding("met", f"Submitted {submitted}", due_on, plan)
    label = "Returned for changes" if plan.status == EssaPlanStatus.RETURNED else "Draft"
    return EssaStanding("missed" if overdue else "partial", label, due_on, plan)


def essa_standings(schools, years, today, zone=None):
    """{school id: EssaStanding} for many schools (one query). `years`: one SchoolYear, or
    {district id: SchoolYear}; `today`: one day for all (the rules run once per zone). Given a
    QuerySet of schools, the query reads it as a subquery."""
    ids = schools.values("pk") if isinstance(schools, QuerySet) else None
    schools = list(schools)

    def year_of(school):
        return years.get(school.district_id) if isinstance(years, dict) else years

    year_ids = {year_of(s).pk for s in schools if year_of(s) is not None}
    plans = {
        plan.school_id: plan
        for plan in EssaPlan.objects.filter(
            school__in=[s.pk for s in schools] if ids is None else ids, school_year__in=year_ids
        ).only("school_id", "school_year_id", "status", "submitted_at", "submitted_late")
    }
    return {
        s.pk: essa_standing(s, plans.get(s.pk), year_of(s), today, zone)
        for s in schools
        if year_of(s) is not None
    }
