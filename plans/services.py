"""Changing a plan: every change is recorded, and a save made from an out of date copy is
refused with what changed meanwhile (optimistic locking), so nothing is lost.

One mechanism for every plan: the CIM Plan for Improvement, a school's ESSA action plan and
Blueprint, and its cadre's family engagement plan. A model takes part by being registered in
TRACKED (the fields its history shows) and by naming its `document` (the plan it belongs to).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from meetings.models import Goal, Sami, SamiItem, SamiTeamMember
from schoolplan import clock
from schoolplan.models import Membership, Role, User
from schoolplan.rows import day_and_time
from schoolplan.text import fit

from .models import (
    EDITABLE_STATUSES,
    ActionStep,
    Activity,
    Blueprint,
    Cadre,
    CadreAction,
    CadreMember,
    CimProblemStatement,
    CimRootCause,
    DataFinding,
    EssaPlan,
    EssaPlanStatus,
    FocusArea,
    Initiative,
    MonitoringRoutine,
    Outcome,
    PlanChange,
    PlanForImprovement,
    ProblemStatement,
    ResearchModel,
    Resource,
    RootCause,
    Strategy,
    TaSession,
)

TRACKED = {
    Strategy: ["title", "description", "root_causes", "problem_statements"],
    Activity: ["title", "owner", "starts_on", "ends_on", "status"],
    Outcome: ["description"],
    DataFinding: ["statement", "source"],
    CimRootCause: ["description", "findings"],
    CimProblemStatement: ["statement", "root_causes"],
    ProblemStatement: ["desired_state", "current_state", "gap"],
    RootCause: ["description", "evidence", "verified", "sami_items"],
    FocusArea: ["title", "initiatives"],
    ActionStep: ["description", "focus_area", "owner", "starts_on", "due_on", "status"],
    MonitoringRoutine: ["who", "what", "frequency"],
    Blueprint: ["theory_of_action"],
    Goal: ["area", "text"],
    Initiative: ["area", "title", "description"],
    Cadre: ["vision"],
    CadreMember: ["name", "group", "email"],
    CadreAction: ["description", "owner", "due_on", "status"],
    ResearchModel: ["name", "source", "notes", "adopted"],
    Resource: ["description", "contributor", "contributor_name", "value"],
    Sami: ["essa_review"],
    SamiItem: ["name", "rating", "notes"],
    SamiTeamMember: ["name", "role"],
}
KIND = {
    Strategy: "High-Leverage Strategy",
    Activity: "activity",
    Outcome: "outcome",
    DataFinding: "data finding",
    CimRootCause: "root cause",
    CimProblemStatement: "problem statement",
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
    ResearchModel: "research model",
    Resource: "resource",
    Sami: "ESSA data review notes",
    SamiItem: "SAMI item",
    SamiTeamMember: "team member",
}
# Which PlanChange field names each kind of plan document.
DOCUMENT_FIELD = {
    PlanForImprovement: "plan",
    EssaPlan: "essa_plan",
    Blueprint: "blueprint",
    Cadre: "cadre",
    Sami: "sami",
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
            f"{day_and_time(clock.local(change.at))}: "  # the page's district zone
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

    def by_field(self):
        """{field name: (its saved value as shown, the last change to it)} for each field
        changed meanwhile: the page shows the other person's text beside the box with yours."""
        model = type(self.current)
        names = {_label(model, name): name for name in TRACKED.get(model, [])}
        fields = {}
        for change in self.changes:  # oldest first: the last change to a field wins
            for label in change.changes or {}:
                if label in names:
                    fields[names[label]] = (_shown(self.current, names[label]), change)
        return fields


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


def _many(model, fields):
    """Take the many-to-many links out of fields ({name: items}): they are set after saving."""
    return {
        name: fields.pop(name)
        for name in list(fields)
        if getattr(model._meta.get_field(name), "many_to_many", False)
    }


def _shown(obj, field, links=None):
    if links is not None and field in links:
        return "; ".join(str(item) for item in sorted(links[field], key=lambda item: item.pk))
    if getattr(type(obj)._meta.get_field(field), "many_to_many", False):
        return "; ".join(str(item) for item in getattr(obj, field).order_by("pk"))
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


def _record(obj, user, action, changes, document=None, source=""):
    document = document or document_of(obj)
    PlanChange.objects.create(
        **{DOCUMENT_FIELD[type(document)]: document},
        by=user,
        action=action,
        object_kind=KIND[type(obj)],
        object_label=fit(PlanChange, "object_label", obj),
        object_id=obj.pk,
        version=getattr(obj, "version", None),
        changes=changes,
        source=fit(PlanChange, "source", source),
    )


@transaction.atomic
def add(model, *, user, **fields):
    links = _many(model, fields)
    obj = model(**fields)
    check_open(document_of(obj))
    obj.full_clean()
    obj.save()
    for name, items in links.items():
        getattr(obj, name).set(items)
    _record(
        obj,
        user,
        "added",
        {_label(model, f): ["", _shown(obj, f)] for f in TRACKED[model] if _shown(obj, f)},
    )
    return obj


@transaction.atomic
def update(obj, *, user, expected_version, source="", **fields):
    """Save fields onto obj if nobody saved it since expected_version; else EditConflict.
    source: where the change was made, when not on the plan ("the review of October 2026")."""
    model = type(obj)
    current = model.objects.select_for_update().get(pk=obj.pk)
    check_open(document_of(current))
    if current.version != expected_version:
        raise EditConflict(current, _changes_since(current, expected_version))
    before = {f: _shown(current, f) for f in TRACKED[model]}
    links = _many(model, fields)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    after = {f: _shown(current, f, links) for f in TRACKED[model]}
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
    for name, items in links.items():
        getattr(current, name).set(items)
    current.refresh_from_db()
    _record(current, user, "changed", changes, source=source)
    return current


def _changes_since(obj, version):
    # A version the page cannot have had (none sent, or beyond the current one): every change.
    if not isinstance(version, int) or not 0 <= version <= obj.version:
        version = 0
    # Within obj's own plan: an ESSA root cause and a CIM one share their kind's name.
    document = document_of(obj, create=False)
    if document.pk is None:  # a goal whose Blueprint was never made has no history
        return []
    return list(
        PlanChange.objects.filter(
            object_kind=KIND[type(obj)],
            object_id=obj.pk,
            version__gt=version,
            **{DOCUMENT_FIELD[type(document)]: document},
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
            object_label=fit(PlanChange, "object_label", document),
        )
    return document, created


def team_people(district):
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(
                district=district,
                role__in=(Role.CIM_LEAD, Role.CIM_MEMBER, Role.DISTRICT_STAFF),
            ),
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


def ta_providers(district):
    """The district's TA provider accounts (seed 001: Intensive LEAs have one assigned)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__district=district,
            memberships__role=Role.TA_PROVIDER,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


@transaction.atomic
def log_ta_session(plan, *, user, **fields):
    # seed 001: TA sessions belong to Intensive LEAs.
    if not plan.district.is_intensive:
        raise ValidationError("Only districts in Intensive monitoring work with a TA provider.")
    errors = {}
    strategy = fields.get("strategy")
    if strategy is not None and strategy.plan_id != plan.pk:
        errors["strategy"] = "Choose a strategy of this plan."
    account = fields.get("provider_account")
    if account is not None and not ta_providers(plan.district).filter(pk=account.pk).exists():
        errors["provider_account"] = (
            f"{account.display_name} is not a TA provider of {plan.district}."
        )
    fields["provider"] = (fields.get("provider") or "").strip()
    if account is None and not fields["provider"]:
        errors["provider"] = "Choose the TA provider's account, or type the provider's name."
    today = clock.today(plan.district)
    # A session is logged once it has been held (issue 18), in the district's today.
    if fields.get("date") and fields["date"] > today:
        errors["date"] = (
            f"A TA session is logged after it is held: the date cannot be after today, "
            f"{today:%-d %b %Y}."
        )
    if errors:
        raise ValidationError(errors)
    if account is not None and not fields["provider"]:
        fields["provider"] = account.display_name  # the report lists sessions by this name
    session = TaSession(plan=plan, logged_by=user, **fields)
    session.full_clean()
    session.save()
    return session
