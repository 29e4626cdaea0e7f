"""Recording progress: metrics, measurements, and what a CIM monthly review records."""

from django.core.exceptions import ValidationError
from django.db import transaction

from meetings import services as meeting_services
from plans import services as plan_services
from plans.models import Activity

from .models import ActivityReview, Comment, Measurement, Metric


@transaction.atomic
def save_metric(outcome, *, user, **fields):
    metric = getattr(outcome, "metric", None) or Metric(outcome=outcome)
    for name, value in fields.items():
        setattr(metric, name, value)
    metric.full_clean()
    metric.save()
    return metric


def record_measurement(metric, *, user, date, value, note=""):
    measurement = Measurement(metric=metric, date=date, value=value, note=note, recorded_by=user)
    measurement.full_clean()
    measurement.save()
    return measurement


@transaction.atomic
def record_review(
    review,
    *,
    user,
    activities,
    measurements,
    minutes,
    attended=(),
    mark_held=False,
):
    """Everything the team records at a monthly review, validated first, written at once.

    activities: {Activity: {"status", "barriers", "next_steps", "expected_version"}}
    measurements: {Metric: value or None}, dated the review's day.
    """
    for activity in activities:
        if activity.strategy.plan.district_id != review.district_id:
            raise ValidationError("An activity of another district's plan.")
    # A status changed from an out-of-date page is refused by the plan's optimistic lock
    # (plans.services.update); the transaction then undoes everything recorded before it.
    for activity, entry in activities.items():
        ActivityReview.objects.update_or_create(
            review=review,
            activity=activity,
            defaults={
                "status": entry["status"],
                "barriers": entry["barriers"].strip(),
                "next_steps": entry["next_steps"].strip(),
                "recorded_by": user,
            },
        )
        if entry["status"] != activity.status:
            plan_services.update(
                activity,
                user=user,
                expected_version=entry["expected_version"],
                status=entry["status"],
            )
    day = review.local_date
    for metric, value in measurements.items():
        if value is None:
            continue
        Measurement.objects.update_or_create(
            metric=metric,
            review=review,
            defaults={"date": day, "value": value, "recorded_by": user},
        )
    meeting_services.record_minutes(
        review, user=user, text=minutes, attended=attended, mark_held=mark_held
    )
    return review


@transaction.atomic
def add_comment(plan, *, user, text, review=None):
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the comment."})
    if review is not None and review.district_id != plan.district_id:
        raise ValidationError("That review is not this district's.")
    return Comment.objects.create(plan=plan, review=review, author=user, text=text)


def plan_activities(plan):
    return (
        Activity.objects.filter(strategy__plan=plan)
        .select_related("strategy", "owner")
        .prefetch_related("outcomes__metric__measurements")
        .order_by("strategy__position", "strategy__pk", "starts_on", "pk")
    )
