"""A new school year's Plan for Improvement starts from last year's (seed 001; issue 18).

The CIM team chooses, when it starts the year's plan, to begin from the district's plan of the
year before: its analysis (data findings, root causes, problem statements), High-Leverage
Strategies, activities and measurable outcomes are copied, each linked to the item it came from
(`carried_from`), so an outcome can be followed across years. Activities start again "not
started", a year on. progress copies the metrics (plans cannot import it: HOOKS). Last year's
plan is never changed, and it all happens in one transaction, into a plan started empty.
"""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan.next_year import a_year_on, year_name

from . import services
from .models import (
    Activity,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    ImplementationStatus,
    Outcome,
    PlanChange,
    PlanForImprovement,
    Strategy,
)

# (carried: Carried, user) -> [line]: what another app copied along (progress: the metrics).
HOOKS = []


def register(hook):
    HOOKS.append(hook)


@dataclass
class Carried:
    """What was copied: {last year's id: this year's item}, per kind."""

    old: PlanForImprovement
    new: PlanForImprovement
    activities: dict = field(default_factory=dict)
    outcomes: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)


def last_years_plan(district, year):
    """The district's plan of the school year before `year`, if it had one."""
    return (
        PlanForImprovement.objects.filter(
            district=district, school_year__start_year=year.start_year - 1
        )
        .select_related("school_year")
        .first()
    )


def moved(day):
    """A date a year on (29 February: the 28th)."""
    if day is None:
        return None
    return a_year_on(day) or date(day.year + 1, 2, 28)


def _plural(count, one, many):
    return f"{count} {one if count == 1 else many}"


@transaction.atomic
def start_from_last_year(*, district, year, user):
    """Start the district's plan for `year` from last year's; refused, writing nothing, if there
    was none or if this year's plan is already started."""
    last = last_years_plan(district, year)
    if last is None:
        raise ValidationError(
            f"{district} had no Plan for Improvement in {year_name(year.start_year - 1)}: "
            "start an empty plan.",
            code="no_last_plan",
        )
    plan, created = services.start_document(
        PlanForImprovement, user=user, district=district, school_year=year
    )
    if not created:
        raise ValidationError(
            f"The {year.name} Plan for Improvement has already been started: it is not copied "
            "again.",
            code="already_started",
        )
    carried = carry(last, plan, user=user)
    PlanChange.objects.create(
        plan=plan,
        by=user,
        action="copied",
        object_kind="plan",
        object_label=f"from the {last.school_year.name} plan",
        changes={"Carried over": ["", "; ".join(carried.lines)]},
    )
    return plan


def carry(last, plan, *, user):
    """Copy last year's plan into `plan` (empty); returns what was copied."""
    carried = Carried(old=last, new=plan)
    findings = {
        finding.pk: services.add(
            DataFinding,
            user=user,
            plan=plan,
            statement=finding.statement,
            source=finding.source,
            carried_from=finding,
        )
        for finding in last.findings.all()
    }
    causes = {
        cause.pk: services.add(
            CimRootCause,
            user=user,
            plan=plan,
            description=cause.description,
            findings=[findings[f.pk] for f in cause.findings.all()],
            carried_from=cause,
        )
        for cause in last.root_causes.prefetch_related("findings")
    }
    problems = {
        problem.pk: services.add(
            CimProblemStatement,
            user=user,
            plan=plan,
            statement=problem.statement,
            root_causes=[causes[c.pk] for c in problem.root_causes.all()],
            carried_from=problem,
        )
        for problem in last.problem_statements.prefetch_related("root_causes")
    }
    strategies = {
        strategy.pk: services.add(
            Strategy,
            user=user,
            plan=plan,
            position=strategy.position,
            title=strategy.title,
            description=strategy.description,
            root_causes=[causes[c.pk] for c in strategy.root_causes.all()],
            problem_statements=[problems[p.pk] for p in strategy.problem_statements.all()],
            carried_from=strategy,
        )
        for strategy in last.strategies.prefetch_related("root_causes", "problem_statements")
    }
    team = set(services.team_people(plan.district).values_list("pk", flat=True))
    for activity in Activity.objects.filter(strategy__plan=last).order_by("pk"):
        carried.activities[activity.pk] = services.add(
            Activity,
            user=user,
            strategy=strategies[activity.strategy_id],
            title=activity.title,
            # An owner who has left the district's team is not carried over.
            owner_id=activity.owner_id if activity.owner_id in team else None,
            starts_on=moved(activity.starts_on),
            ends_on=moved(activity.ends_on),
            status=ImplementationStatus.NOT_STARTED,
            carried_from=activity,
        )
    for outcome in Outcome.objects.filter(activity__strategy__plan=last).order_by("pk"):
        carried.outcomes[outcome.pk] = services.add(
            Outcome,
            user=user,
            activity=carried.activities[outcome.activity_id],
            description=outcome.description,
            carried_from=outcome,
        )
    if findings or causes or problems:
        carried.lines.append(
            "the analysis: "
            + ", ".join(
                [
                    _plural(len(findings), "data finding", "data findings"),
                    _plural(len(causes), "root cause", "root causes"),
                    _plural(len(problems), "problem statement", "problem statements"),
                ]
            )
        )
    carried.lines.append(
        ", ".join(
            [
                _plural(len(strategies), "High-Leverage Strategy", "High-Leverage Strategies"),
                _plural(len(carried.activities), "activity", "activities")
                + " (not started, dates a year on)",
                _plural(len(carried.outcomes), "measurable outcome", "measurable outcomes"),
            ]
        )
    )
    for hook in HOOKS:
        carried.lines += hook(carried, user=user)
    return carried


def start_plan(*, district, year, user, from_last_year=False):
    """The district's plan for year, started if need be. from_last_year: start it from the
    district's plan of the year before (plans.carry_over); refused if there is none, or if the
    year's plan has already been started (a copy is made once, into an empty plan)."""
    if not from_last_year:
        return services.start_document(
            PlanForImprovement, user=user, district=district, school_year=year
        )[0]
    return start_from_last_year(district=district, year=year, user=user)
