"""Changing the Plan for Improvement: every change is recorded, and a save made from an out of
date copy is refused with what changed meanwhile (optimistic locking), so nothing is lost."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .models import Activity, Outcome, PlanChange, PlanForImprovement, Strategy, TaSession

TRACKED = {
    Strategy: ["title", "description"],
    Activity: ["title", "owner", "starts_on", "ends_on", "status"],
    Outcome: ["description"],
}
KIND = {Strategy: "High-Leverage Strategy", Activity: "activity", Outcome: "outcome"}


class EditConflict(ValidationError):
    """Someone saved the object after this copy was loaded."""

    def __init__(self, current, changes):
        self.current = current
        self.changes = changes
        lines = [
            f"{change.by or 'Someone'} changed this {KIND[type(current)]} at "
            f"{change.at:%-d %b %Y %H:%M}: "
            + "; ".join(
                f"{field}: {old or '—'} → {new or '—'}"
                for field, (old, new) in change.changes.items()
            )
            for change in changes
        ] or [f"Someone changed this {KIND[type(current)]} meanwhile."]
        super().__init__(
            "Not saved: this was changed while you were editing. "
            + " ".join(lines)
            + " Your changes are still in the form: check them against the new values and save "
            "again.",
            code="edit_conflict",
        )


def plan_of(obj):
    if isinstance(obj, Strategy):
        return obj.plan
    if isinstance(obj, Activity):
        return obj.strategy.plan
    return obj.activity.strategy.plan


def _shown(obj, field):
    value = getattr(obj, field)
    if value is None or value == "":
        return ""
    if hasattr(obj, f"get_{field}_display"):
        return getattr(obj, f"get_{field}_display")()
    if hasattr(value, "display_name"):
        return value.display_name
    return str(value)


def _label(model, field):
    return str(model._meta.get_field(field).verbose_name).capitalize()


def _record(obj, user, action, changes):
    PlanChange.objects.create(
        plan=plan_of(obj),
        by=user,
        action=action,
        object_kind=KIND[type(obj)],
        object_label=str(obj)[:300],
        object_id=obj.pk,
        version=getattr(obj, "version", None),
        changes=changes,
    )


@transaction.atomic
def add(model, *, user, **fields):
    obj = model(**fields)
    obj.full_clean()
    obj.save()
    _record(
        obj,
        user,
        "added",
        {_label(model, f): ["", _shown(obj, f)] for f in TRACKED[model] if _shown(obj, f)},
    )
    return obj


@transaction.atomic
def update(obj, *, user, expected_version, **fields):
    """Save fields onto obj if nobody saved it since expected_version; else EditConflict."""
    model = type(obj)
    current = model.objects.select_for_update().get(pk=obj.pk)
    if current.version != expected_version:
        raise EditConflict(current, _changes_since(current, expected_version))
    before = {f: _shown(current, f) for f in TRACKED[model]}
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    after = {f: _shown(current, f) for f in TRACKED[model]}
    changes = {
        _label(model, f): [before[f], after[f]] for f in TRACKED[model] if before[f] != after[f]
    }
    if not changes:
        return current
    # The version check is repeated in the UPDATE itself: of two racing saves, one wins.
    updated = model.objects.filter(pk=current.pk, version=expected_version).update(
        **{name: getattr(current, name) for name in fields}, version=F("version") + 1
    )
    if updated != 1:  # pragma: no cover - only without row locks
        fresh = model.objects.get(pk=obj.pk)
        raise EditConflict(fresh, _changes_since(fresh, expected_version))
    current.refresh_from_db()
    _record(current, user, "changed", changes)
    return current


def _changes_since(obj, version):
    return list(
        PlanChange.objects.filter(
            object_kind=KIND[type(obj)], object_id=obj.pk, version__gt=version
        )
        .select_related("by")
        .order_by("at", "pk")
    )


@transaction.atomic
def remove(obj, *, user):
    _record(obj, user, "removed", {})
    obj.delete()


@transaction.atomic
def start_plan(*, district, year, user):
    plan, created = PlanForImprovement.objects.get_or_create(district=district, school_year=year)
    if created:
        PlanChange.objects.create(
            plan=plan, by=user, action="added", object_kind="plan", object_label=str(plan)
        )
    return plan


@transaction.atomic
def log_ta_session(plan, *, user, **fields):
    # seed 001: TA sessions belong to Intensive LEAs.
    if not plan.district.is_intensive:
        raise ValidationError("Only districts in Intensive monitoring work with a TA provider.")
    strategy = fields.get("strategy")
    if strategy is not None and strategy.plan_id != plan.pk:
        raise ValidationError({"strategy": "Choose a strategy of this plan."})
    session = TaSession(plan=plan, logged_by=user, **fields)
    session.full_clean()
    session.save()
    return session
