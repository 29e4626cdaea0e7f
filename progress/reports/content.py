"""What a CIM progress report says: its content built from the Plan for Improvement, the period's
held reviews and measurements (aggregates only), and the narrative the team prefills from the
previous report."""

from django.db.models import Prefetch

from meetings.models import Meeting, MeetingStatus, MeetingType
from plans.models import Activity, Outcome, PlanForImprovement, Strategy
from schoolplan import clock
from schoolplan.models import INTENSIVE_STATUSES, CimStatus

from ..models import (
    ActivityReview,
    Measurement,
)
from .periods import level_in_force
from .routing import cim_lead, report_routing


def _text(value):
    return "" if value is None else str(value)


def _review_notes(reviews):
    """The latest review's barriers and next steps per activity (the period's newest word)."""
    notes = {}
    for review in sorted(reviews, key=lambda r: (r.review.starts_at, r.pk)):
        notes[review.activity_id] = review
    return notes


def build_content(report):
    """Everything the report says, as plain data (JSON): frozen into the report on submission.
    Its days are the district's (DOMAIN.md, Time)."""
    with clock.zone(report.due.district):
        return _content(report)


def _content(report):
    due = report.due
    district = due.district
    level = level_in_force(due)
    intensive = level in INTENSIVE_STATUSES
    plan = PlanForImprovement.objects.filter(district=district, school_year=due.school_year).first()
    starts, ends = due.period_starts, due.period_ends
    review_list = list(held_reviews(due).order_by("starts_at"))
    activity_reviews = list(
        ActivityReview.objects.filter(review__in=review_list).select_related("review")
    )
    by_activity = _review_notes(activity_reviews)
    strategies = []
    if plan is not None:
        outcomes = Outcome.objects.select_related("metric").prefetch_related(
            Prefetch(
                "metric__measurements",
                Measurement.objects.filter(date__lte=ends).order_by("date", "pk"),
            )
        )
        activities = Activity.objects.select_related("owner").prefetch_related(
            Prefetch("outcomes", outcomes)
        )
        for strategy in plan.strategies.prefetch_related(Prefetch("activities", activities)):
            narrative = report.narratives.get(str(strategy.pk), {})
            items = []
            for activity in strategy.activities.all():
                review = by_activity.get(activity.pk)
                outcome_rows = []
                for outcome in activity.outcomes.all():
                    metric = getattr(outcome, "metric", None)
                    outcome_rows.append(
                        {
                            "description": outcome.description,
                            "metric": _metric_data(metric, starts, ends) if metric else None,
                        }
                    )
                items.append(
                    {
                        "title": activity.title,
                        "owner": activity.owner.display_name if activity.owner else "",
                        "status": (
                            review.get_status_display() if review else activity.get_status_display()
                        ),
                        "reviewed": review.review.local_date.isoformat() if review else "",
                        "outcomes": outcome_rows,
                    }
                )
            strategies.append(
                {
                    "id": strategy.pk,
                    "title": strategy.title,
                    "description": strategy.description,
                    "activities": items,
                    "barriers": narrative.get("barriers", ""),
                    "next_steps": narrative.get("next_steps", ""),
                    "ta_sessions": [
                        {"date": s.date.isoformat(), "provider": s.provider, "topic": s.topic}
                        for s in strategy.ta_sessions.filter(date__gte=starts, date__lte=ends)
                    ]
                    if intensive
                    else [],
                }
            )
    headline, recipients = report_routing(report)
    lead = cim_lead(report)
    selpa_form = None
    if level == CimStatus.TARGETED_2 and report.selpa_form_name:
        selpa_form = {
            "name": report.selpa_form_name,
            "type": report.selpa_form_type,
            "sha256": report.selpa_form_sha256,
        }
        headline += (
            " The SELPA's own form is attached and sent; this PDF is the LEA's record of all "
            "the template's information."
        )
    return {
        "lea": {
            "name": district.name,
            "status": CimStatus(level).label,
            "intensive": intensive,
            "selpa": district.selpa_name,
            "consultant": district.cde_consultant_name,
            "time_zone": district.time_zone,
        },
        "period": {
            "label": due.label,
            "year": due.school_year.name,
            "starts": starts.isoformat(),
            "ends": ends.isoformat(),
            "due": due.due_on.isoformat(),
        },
        "version": report.version,
        "corrects": report.corrects.version if report.corrects_id else None,
        "prepared_by": report.prepared_by.display_name if report.prepared_by else "",
        "signed_off_by": report.signed_off_by.display_name if report.signed_off_by else "",
        "signed_off_at": clock.local(report.signed_off_at).isoformat()
        if report.signed_off_at
        else "",
        "summary": report.summary,
        "reviews_held": [clock.local_date(m.starts_at).isoformat() for m in review_list],
        "strategies": strategies,
        "routing": headline,
        "recipients": [[r.who, r.address] for r in recipients],
        # Answers go to the CIM lead, who is copied (issue 18).
        "cim_lead": {"name": lead.display_name, "email": lead.email} if lead else None,
        "selpa_form": selpa_form,
    }


def _metric_data(metric, starts, ends):
    values = [
        {"date": m.date.isoformat(), "value": str(m.value)} for m in metric.measurements.all()
    ]
    in_period = [v for v in values if v["date"] >= starts.isoformat()]
    return {
        "name": metric.name,
        "unit": metric.unit,
        "baseline": str(metric.baseline),
        "baseline_date": metric.baseline_date.isoformat() if metric.baseline_date else "",
        "target": str(metric.target),
        "target_date": metric.target_date.isoformat(),
        "direction": metric.direction,
        "values": values,
        "in_period": in_period,
    }


def strategy_ids(report):
    """The High-Leverage Strategies the report speaks of (its narrative is kept per strategy):
    one query, not the whole report's content."""
    return list(
        Strategy.objects.filter(
            plan__district=report.due.district_id, plan__school_year=report.due.school_year_id
        ).values_list("pk", flat=True)
    )


def held_reviews(due):
    """The CIM reviews a report speaks of: held in its period (the district's days; the caller
    reads them in the district's zone)."""
    return Meeting.objects.filter(
        district=due.district,
        meeting_type=MeetingType.CIM_REVIEW,
        status=MeetingStatus.HELD,
        starts_at__date__gte=due.period_starts,
        starts_at__date__lte=due.period_ends,
    )


def prefill(report):
    """The narrative parts, from the period's reviews: barriers and next steps per strategy."""
    due = report.due
    with clock.zone(due.district):  # the period's days are the district's
        return _prefill(report, due)


def _prefill(report, due):
    reviews = ActivityReview.objects.filter(review__in=held_reviews(due)).select_related(
        "review", "activity"
    )
    latest = _review_notes(list(reviews))
    narratives = {}
    for strategy_id in strategy_ids(report):
        parts = [r for r in latest.values() if r.activity.strategy_id == strategy_id]
        narratives[str(strategy_id)] = {
            "barriers": "\n".join(f"{r.activity.title}: {r.barriers}" for r in parts if r.barriers),
            "next_steps": "\n".join(
                f"{r.activity.title}: {r.next_steps}" for r in parts if r.next_steps
            ),
        }
    return narratives
