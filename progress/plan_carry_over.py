"""A Plan for Improvement started from last year's keeps its metrics (plans.carry_over).

Each carried outcome's metric, and each carried activity's implementation metrics, are copied:
name, unit, direction, kind and target, the target date a year on. The new baseline is where
last year ended: its latest current value, with its date; with no value recorded, last year's
baseline. Last year's measurements stay with last year's metric, which the new one reaches
through its outcome (outcome.carried_from.metric): outcomes are followed across years.
"""

from plans import services as plan_services
from plans.carry_over import moved

from .models import Direction, Metric


def _reached(metric, baseline):
    if metric.direction == Direction.UP:
        return baseline > metric.target
    return baseline < metric.target


def _copy(metric, *, user, **parent):
    latest = metric.latest
    if latest is not None:
        baseline, baseline_date = latest.value, latest.date
    else:
        baseline, baseline_date = metric.baseline, metric.baseline_date
    target_date = moved(metric.target_date)
    if baseline_date is not None and target_date <= baseline_date:
        target_date = moved(baseline_date)
    # Last year went past its target: the copy's target starts where it ended, for the team to
    # raise (a target behind the baseline would be refused).
    reached = _reached(metric, baseline)
    copy = plan_services.add(
        Metric,
        user=user,
        **parent,
        kind=metric.kind,
        area=metric.area,
        name=metric.name,
        unit=metric.unit,
        baseline=baseline,
        baseline_date=baseline_date,
        target=baseline if reached else metric.target,
        target_date=target_date,
        direction=metric.direction,
    )
    return copy, reached


def carry_metrics(carried, *, user):
    """plans.carry_over hook: copy the metrics of the carried outcomes and activities."""
    metrics = Metric.objects.filter(outcome__in=list(carried.outcomes)) | Metric.objects.filter(
        activity__in=list(carried.activities)
    )
    copied, reached = 0, []
    for metric in metrics.prefetch_related("measurements").order_by("pk"):
        if metric.outcome_id:
            parent = {"outcome": carried.outcomes[metric.outcome_id]}
        else:
            parent = {"activity": carried.activities[metric.activity_id]}
        _, met = _copy(metric, user=user, **parent)
        copied += 1
        if met:
            reached.append(metric.name)
    if not copied:
        return []
    lines = [
        f"{copied} metric{'s' if copied != 1 else ''}, each starting from last year's latest "
        "value (or its baseline)"
    ]
    if reached:
        lines.append(
            "past their target last year, so their target is the new baseline: set a new one for "
            + ", ".join(reached)
        )
    return lines
