"""Changing a plan: every change is recorded, and a save made from an out of date copy is
refused with what changed meanwhile (optimistic locking), so nothing is lost.

One mechanism for every plan: the CIM Plan for Improvement, a school's ESSA action plan and
Blueprint, and its cadre's family engagement plan. A model takes part by being registered in
TRACKED (the fields its history shows) and by naming its `document` (the plan it belongs to).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from meetings.models import Goal

from .models import (
    EDITABLE_STATUSES,
    ActionStep,
    Activity,
    Blueprint,
    Cadre,
    CadreAction,
    CadreMember,
    EssaPlan,
    EssaPlanStatus,
    FocusArea,
    Initiative,
    MonitoringRoutine,
    Outcome,
    PlanChange,
    PlanForImprovement,
    ProblemStatement,
    Resource,
    RootCause,
    Strategy,
    TaSession,
)

TRACKED = {
    Strategy: ["title", "description"],
    Activity: ["title", "owner", "starts_on", "ends_on", "status"],
    Outcome: ["description"],
    ProblemStatement: ["desired_state", "current_state", "gap"],
    RootCause: ["description", "evidence", "verified"],
    FocusArea: ["title", "initiatives"],
    ActionStep: ["description", "focus_area", "owner", "starts_on", "due_on", "status"],
    MonitoringRoutine: ["who", "what", "frequency"],
    Blueprint: ["theory_of_action"],
    Goal: ["area", "text"],
    Initiative: ["area", "title", "description"],
    Cadre: ["vision"],
    CadreMember: ["name", "group", "email"],
    CadreAction: ["description", "owner", "due_on", "status"],
    Resource: ["description", "contributor", "contributor_name", "value"],
}
KIND = {
    Strategy: "High-Leverage Strategy",
    Activity: "activity",
    Outcome: "outcome",
    ProblemStatement: "problem statement",
    RootCause: "root cause",
    FocusArea: "area of focus",
    ActionStep: "action step",
    MonitoringRoutine: "monitoring routine",
    Blueprint: "Blueprint",
    Goal: "goal",
    Initiative: "initiative",
    Cadre: "cadre's vision",
    CadreMember: "cadre member",
    CadreAction: "action",
    Resource: "resource",
}
# Which PlanChange field names each kind of plan document.
DOCUMENT_FIELD = {
    PlanForImprovement: "plan",
    EssaPlan: "essa_plan",
    Blueprint: "blueprint",
    Cadre: "cadre",
}


def track(model, fields, kind):
    """Let another app's model (progress.Metric) keep its history in its plan's."""
    TRACKED[model] = fields
    KIND[model] = kind


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


def blueprint_for(school, year):
    blueprint, _ = Blueprint.objects.get_or_create(school=school, school_year=year)
    return blueprint


def document_of(obj, create=True):
    """The plan obj belongs to. A school's goals belong to its Blueprint for the year; with
    create=False (a page that only reads) a missing Blueprint is not created: an unsaved one
    stands in, enough to check who may see it."""
    goal = obj if isinstance(obj, Goal) else getattr(obj, "goal", None)
    if goal is not None:
        if create:
            return blueprint_for(goal.school, goal.school_year)
        return Blueprint.objects.filter(
            school=goal.school, school_year=goal.school_year
        ).first() or Blueprint(school=goal.school, school_year=goal.school_year)
    return obj.document


def check_open(document):
    """A submitted or accepted ESSA plan is frozen until the district returns it."""
    if not isinstance(document, EssaPlan):
        return
    # Read (and lock) the status now: a submission may have happened since the page loaded.
    status = (
        EssaPlan.objects.select_for_update().values_list("status", flat=True).get(pk=document.pk)
    )
    if status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"The plan is {EssaPlanStatus(status).label.lower()}: it cannot be changed "
            "unless the district returns it for changes.",
            code="plan_frozen",
        )


def _shown(obj, field):
    value = getattr(obj, field)
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if hasattr(obj, f"get_{field}_display"):
        return getattr(obj, f"get_{field}_display")()
    if hasattr(value, "display_name"):
        return value.display_name
    return str(value)


def _label(model, field):
    return str(model._meta.get_field(field).verbose_name).capitalize()


def _record(obj, user, action, changes, document=None):
    document = document or document_of(obj)
    PlanChange.objects.create(
        **{DOCUMENT_FIELD[type(document)]: document},
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
    check_open(document_of(obj))
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
    check_open(document_of(current))
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
    # A version the page cannot have had (none sent, or beyond the current one): every change.
    if not isinstance(version, int) or not 0 <= version <= obj.version:
        version = 0
    return list(
        PlanChange.objects.filter(
            object_kind=KIND[type(obj)], object_id=obj.pk, version__gt=version
        )
        .select_related("by")
        .order_by("at", "pk")
    )


@transaction.atomic
def remove(obj, *, user):
    document = document_of(obj)
    check_open(document)
    _record(obj, user, "removed", {}, document)
    obj.delete()


@transaction.atomic
def start_document(model, *, user, **keys):
    """The plan document for keys (one per district or school and year), created if need be;
    returns (document, created). Its history starts with its creation."""
    document, created = model.objects.get_or_create(**keys)
    if created:
        PlanChange.objects.create(
            **{DOCUMENT_FIELD[model]: document},
            by=user,
            action="added",
            object_kind="plan",
            object_label=str(document),
        )
    return document, created


def start_plan(*, district, year, user):
    return start_document(PlanForImprovement, user=user, district=district, school_year=year)[0]


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
