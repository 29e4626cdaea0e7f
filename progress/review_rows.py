"""Recording a CIM monthly review together (seed 001; DOMAIN.md, 2026-12: several people type
at once, and nobody's words may be lost).

The review page saves in rows: one per activity (its implementation status, barriers, next steps
and its outcomes' values for the review's day), the attendance and the minutes. A save says what
the row showed when it was loaded: the row's version, and the status and values it showed. A save
over someone else's newer text is refused for that row only (RowConflict, with what is saved
now), so the page can show both texts; nothing is ever overwritten silently.

The review and the plan agree: an activity's status in the plan changes only when the person
changed it on the review, and the plan's history says it came from the review of that month.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.dateformat import format as format_date

from meetings.recording import RecordConflict, require_record_open
from plans import services as plan_services
from plans.models import Activity, ImplementationStatus, PlanChange
from schoolplan import clock

from . import measurements
from .models import ActivityReview, Measurement

STATUS_LABELS = dict(ImplementationStatus.choices)


def month_of(review):
    return format_date(review.local_date, "F Y")


def source_of(review):
    """How the plan's history names a change made at this review."""
    return f"the review of {month_of(review)}"


def shown_value(value):
    """A measured value as the review's box shows it: 22.5, not 22.50."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass
class ActivityState:
    """What an activity's row shows from what is saved now."""

    activity: Activity
    version: int  # the review's entry for the activity (0: none yet)
    status: str  # on the review: its entry's, else the plan's
    plan_status: str
    barriers: str
    next_steps: str
    values: dict  # metric pk -> the current Measurement of the review's day, or None
    saved_by: object = None
    saved_at: datetime | None = None

    @property
    def stamp(self):
        """Changes whenever anything the row shows changes: the page's poll compares it."""
        values = ",".join(
            f"{pk}:{m.pk if m else '-'}"
            for pk, m in sorted(self.values.items(), key=lambda item: item[0])
        )
        return f"{self.version}|{self.status}|{self.plan_status}|{values}"


def _metrics(activity):
    """The metrics of the activity's outcomes (prefetched by services.plan_activities)."""
    return [o.metric for o in activity.outcomes.all() if getattr(o, "metric", None) is not None]


def activity_states(review, activities):
    """{activity pk: ActivityState} for the review's rows, in two queries whatever their number."""
    entries = {
        e.activity_id: e
        for e in ActivityReview.objects.filter(review=review).select_related("recorded_by")
    }
    metric_ids = [m.pk for a in activities for m in _metrics(a)]
    current = {
        m.metric_id: m
        for m in Measurement.objects.filter(
            metric_id__in=metric_ids, date=review.local_date
        ).select_related("recorded_by")
    }
    return {a.pk: _state(a, entries.get(a.pk), current) for a in activities}


def _state(activity, entry, current):
    return ActivityState(
        activity=activity,
        version=entry.version if entry else 0,
        status=entry.status if entry else activity.status,
        plan_status=activity.status,
        barriers=entry.barriers if entry else "",
        next_steps=entry.next_steps if entry else "",
        values={m.pk: current.get(m.pk) for m in _metrics(activity)},
        saved_by=entry.recorded_by if entry else None,
        saved_at=entry.recorded_at if entry else None,
    )


@dataclass
class Theirs:
    """Someone else's saved text for one box, which collides with what was typed in it."""

    text: str
    by: object = None
    at: datetime | None = None


class RowConflict(RecordConflict):
    """An activity's row was saved by someone else after it was loaded. `state`: the row as it
    is saved now; `theirs`: box name -> Theirs, for the boxes both people changed."""

    def __init__(self, *, state, theirs, by, at, review):
        self.state = state
        super().__init__(
            "this activity", theirs=theirs, by=by, at=at, version=state.version, place=review
        )


@dataclass
class ActivityEntry:
    """What a person sent from an activity's row, each part with what the row showed then."""

    version: int | None  # None: the page sent no version it could have had
    status: str
    status_was: str
    plan_status_was: str
    barriers: str
    barriers_was: str
    next_steps: str
    next_steps_was: str
    values: dict = field(default_factory=dict)  # Metric -> Decimal, or None (box emptied)
    values_was: dict = field(default_factory=dict)  # metric pk -> Decimal or None

    def changed(self, name):
        return getattr(self, name) != getattr(self, f"{name}_was")

    def value_changed(self, metric):
        return metric.pk not in self.values_was or self.values[metric] != self.values_was[metric.pk]


def check_recordable(review):
    """A review's rows change until its minutes are published; a cancelled one has none."""
    require_record_open(review)


@transaction.atomic
def save_activity_row(review, activity, *, user, entry):
    """Record one activity's row of the review; returns the row's ActivityState as saved.

    Refused with RowConflict, writing nothing, when the row was saved by someone else since it
    loaded, when the person changed the status and someone changed it in the plan meanwhile, or
    when the person changed a value that someone else changed meanwhile."""
    if entry.status not in STATUS_LABELS:
        raise ValidationError({"status": "Choose an implementation status."})
    check_recordable(review)
    # Saves of one activity's row take turns: the activity stays locked until this one commits.
    locked = Activity.objects.select_for_update().get(pk=activity.pk)
    stored = (
        ActivityReview.objects.select_for_update(of=("self",))
        .select_related("recorded_by")
        .filter(review=review, activity=locked)
        .first()
    )
    day = review.local_date
    metrics = list(entry.values)
    current = {
        m.metric_id: m
        for m in Measurement.objects.select_for_update(of=("self",))
        .filter(metric__in=metrics, date=day)
        .select_related("recorded_by")
    }
    version = stored.version if stored else 0
    theirs = _collisions(review, locked, stored, current, entry, version)
    if theirs or entry.version != version:
        activity.status = locked.status  # the row shows the plan as it is now
        state = _state(activity, stored, current)
        by, at = _who(stored, theirs)
        raise RowConflict(state=state, theirs=theirs, by=by, at=at, review=review)

    status_changed = entry.changed("status")
    base = stored.status if stored else locked.status
    status = entry.status if status_changed else base
    barriers, next_steps = entry.barriers.strip(), entry.next_steps.strip()
    if stored is None:
        try:
            with transaction.atomic():
                ActivityReview.objects.create(
                    review=review,
                    activity=locked,
                    status=status,
                    barriers=barriers,
                    next_steps=next_steps,
                    recorded_by=user,
                    version=1,
                )
        except IntegrityError:
            # Without row locks (SQLite) another first save of the row got in first.
            raise _lost_race(review, activity, locked, current) from None
    elif (status, barriers, next_steps) != (stored.status, stored.barriers, stored.next_steps):
        # The version check is repeated in the UPDATE itself: of two racing saves, one wins.
        saved = ActivityReview.objects.filter(pk=stored.pk, version=version).update(
            status=status,
            barriers=barriers,
            next_steps=next_steps,
            recorded_by=user,
            recorded_at=clock.now(),
            version=F("version") + 1,
        )
        if saved != 1:  # only without row locks (SQLite): another save got in first
            raise _lost_race(review, activity, locked, current)
    if status_changed and locked.status != entry.status:
        plan_services.update(
            locked,
            user=user,
            expected_version=locked.version,
            status=entry.status,
            source=source_of(review),
        )
    _record_values(review, metrics, current, entry, user)
    return activity_states(review, [_fresh(activity)])[activity.pk]


def _lost_race(review, activity, locked, current):
    stored = ActivityReview.objects.select_related("recorded_by").get(
        review=review, activity=locked
    )
    activity.status = locked.status
    return RowConflict(
        state=_state(activity, stored, current),
        theirs={},
        by=stored.recorded_by,
        at=stored.recorded_at,
        review=review,
    )


def _fresh(activity):
    activity.refresh_from_db(fields=["status", "version"])
    return activity


def _collisions(review, locked, stored, current, entry, version):
    """The boxes both people changed since the row loaded: box name -> Theirs."""
    theirs = {}
    if entry.version != version and stored is not None:
        for name in ("barriers", "next_steps"):
            mine, saved = getattr(entry, name).strip(), getattr(stored, name)
            if entry.changed(name) and saved != getattr(entry, f"{name}_was") and saved != mine:
                theirs[name] = Theirs(saved, stored.recorded_by, stored.recorded_at)
        if entry.changed("status") and stored.status not in (entry.status_was, entry.status):
            theirs["status"] = Theirs(
                STATUS_LABELS[stored.status], stored.recorded_by, stored.recorded_at
            )
    if (
        entry.changed("status")
        and locked.status not in (entry.plan_status_was, entry.status)
        and "status" not in theirs
    ):
        change = (
            PlanChange.objects.filter(object_kind="activity", object_id=locked.pk)
            .select_related("by")
            .order_by("-at", "-pk")
            .first()
        )
        theirs["status"] = Theirs(
            f"{STATUS_LABELS[locked.status]} (in the plan)",
            change.by if change else None,
            change.at if change else None,
        )
    for metric in entry.values:
        if not entry.value_changed(metric):
            continue
        now = current.get(metric.pk)
        saved = now.value if now else None
        was = entry.values_was.get(metric.pk, saved)
        if saved != was and saved != entry.values[metric]:
            by, at = _value_author(metric, review, now)
            theirs[f"value-{metric.pk}"] = Theirs(shown_value(saved) or "(removed)", by, at)
    return theirs


def _value_author(metric, review, now):
    if now is not None:
        return now.recorded_by, now.recorded_at
    removed = (
        Measurement.history.filter(metric=metric, date=review.local_date)
        .exclude(replaced_at=None)
        .select_related("replaced_by")
        .order_by("-replaced_at", "-pk")
        .first()
    )
    return (removed.replaced_by, removed.replaced_at) if removed else (None, None)


def _who(stored, theirs):
    """Who saved what the row collides with, and when: the latest of them."""
    dated = [t for t in theirs.values() if t.at is not None]
    if stored is not None:
        dated.append(Theirs("", stored.recorded_by, stored.recorded_at))
    if not dated:
        return None, None
    latest = max(dated, key=lambda t: t.at)
    return latest.by, latest.at


def _record_values(review, metrics, current, entry, user):
    """The values the person changed, dated the review's day (progress.measurements keeps the
    earlier value of a correction, and a removal, with its reason)."""
    day = review.local_date
    for metric in metrics:
        if not entry.value_changed(metric):
            continue
        value, now = entry.values[metric], current.get(metric.pk)
        if value is None:
            if now is not None:
                measurements.remove_value(now, user=user, reason=f"Cleared on {source_of(review)}.")
            continue
        measurements.record_value(
            metric,
            day=day,
            value=value,
            user=user,
            review=review,
            reason=f"Corrected on {source_of(review)}." if now is not None else "",
        )
