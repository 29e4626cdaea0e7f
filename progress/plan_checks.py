"""What progress requires of a school's ESSA action plan before it is submitted (seed 002): a
leading and a lagging metric (plans.workflow.register_submission_check)."""

from .models import Metric, MetricKind


def metrics_present(plan):
    kinds = set(Metric.objects.filter(essa_plan=plan).values_list("kind", flat=True))
    missing = []
    if MetricKind.LEADING not in kinds:
        missing.append("a leading metric")
    if MetricKind.LAGGING not in kinds:
        missing.append("a lagging metric")
    return missing
