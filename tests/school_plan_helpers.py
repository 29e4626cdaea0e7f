from decimal import Decimal

from plans import services as plan_services
from plans import workflow
from plans.models import ProblemStatement, RootCause
from progress.models import Metric

from .clock import on


def metric(plan, kind, name=None):
    return plan_services.add(
        Metric,
        user=None,
        essa_plan=plan,
        kind=kind,
        name=name or f"{kind.capitalize()} metric",
        unit="%",
        baseline=Decimal("31"),
        target=Decimal("40"),
        target_date=on(6, 1),
    )


def complete_plan(school, year, user):
    """An ESSA plan with what a submission needs: a problem, its root cause, two metrics."""
    plan = workflow.start_essa_plan(school=school, year=year, user=user)
    problem = plan_services.add(
        ProblemStatement,
        user=user,
        plan=plan,
        desired_state="40% meet the math standard",
        current_state="31% do",
        gap="9 points in grade 3-5 math",
    )
    plan_services.add(
        RootCause,
        user=user,
        problem=problem,
        description="Little problem solving in lessons",
        evidence="Walkthroughs: 4 of 15 lessons",
        verified=True,
    )
    metric(plan, "leading")
    metric(plan, "lagging")
    return plan
