"""Recording progress: metrics, measurements, comments on the CIM work. What a monthly review
records, row by row, is progress.review_rows."""

from django.core.exceptions import ValidationError
from django.db import transaction

from plans.models import Activity

from .models import Comment, Metric
from .notices import notify_lead_of_comment


@transaction.atomic
def save_metric(outcome, *, user, **fields):
    metric = getattr(outcome, "metric", None) or Metric(outcome=outcome)
    for name, value in fields.items():
        setattr(metric, name, value)
    metric.full_clean()
    metric.save()
    return metric


def record_measurement(metric, *, user, date, value, note="", reason="", review=None):
    """One value per metric and date: a date that has one already is corrected (its earlier
    value kept). The rule lives in progress.measurements.record_value."""
    from .measurements import record_value

    return record_value(
        metric, day=date, value=value, user=user, review=review, note=note, reason=reason
    )


@transaction.atomic
def add_comment(plan, *, user, text, review=None):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if review is not None and review.district_id != plan.district_id:
        raise ValidationError("That review is not this district's.")
    comment = Comment.objects.create(plan=plan, review=review, author=user, text=text)
    notify_lead_of_comment(comment)
    return comment


def plan_activities(plan):
    return (
        Activity.objects.filter(strategy__plan=plan)
        .select_related("strategy", "owner")
        .prefetch_related("outcomes__metric__measurements")
        .order_by("strategy__position", "strategy__pk", "starts_on", "pk")
    )
