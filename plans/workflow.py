"""The school plans' workflows: the ESSA action plan goes draft → submitted → returned or
accepted (seed 002); the School Blueprint is drafted, then published for families.

Views check who may do what (schoolplan.permissions); these functions keep the rules: which
transitions exist, what a submission must contain, and when it is late.
"""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from meetings import sami as sami_rules
from meetings.models import Sami
from schoolplan import audit, clock
from schoolplan.mail import queue_email
from schoolplan.models import Membership, Role
from schoolplan.text import fit

from .models import (
    EDITABLE_STATUSES,
    Blueprint,
    EssaPlan,
    EssaPlanEvent,
    EssaPlanStatus,
    PlanChange,
    PublishStatus,
)
from .services import start_document


def start_essa_plan(*, school, year, user):
    return start_document(EssaPlan, user=user, school=school, school_year=year)[0]


def start_blueprint(*, school, year, user):
    return start_document(Blueprint, user=user, school=school, school_year=year)[0]


def start_sami(*, school, year, user):
    return start_document(Sami, user=user, school=school, school_year=year)[0]


@transaction.atomic
def mark_high_leverage(sami, *, items, user, expected_version):
    """Mark the SAMI's 2–4 high-leverage actions (meetings.sami) and keep the change in the
    SAMI's history, like every change to a plan document."""
    before = "; ".join(str(item) for item in sami.high_leverage_actions())
    sami = sami_rules.mark_high_leverage(
        sami, items=items, user=user, expected_version=expected_version
    )
    after = "; ".join(str(item) for item in sami.high_leverage_actions())
    if before != after:
        PlanChange.objects.create(
            sami=sami,
            by=user,
            action="changed",
            object_kind="high-leverage actions",
            object_label=fit(PlanChange, "object_label", sami),
            object_id=sami.pk,
            version=sami.high_leverage_version,
            changes={"High-leverage actions": [before, after]},
        )
    return sami


# What apps above plans require of an ESSA plan before it goes to the district (progress: its
# leading and lagging metrics): check(plan) -> [what is missing, in the user's words].
# Registered in the app's AppConfig.ready(); see docs/ARCHITECTURE.md.
SUBMISSION_CHECKS = []


def register_submission_check(check):
    SUBMISSION_CHECKS.append(check)
    return check


def missing_for_submission(plan):
    """What the plan still needs before it can go to the district, in the user's words."""
    missing = []
    problems = list(plan.problems.prefetch_related("root_causes"))
    if not problems:
        missing.append("at least one problem statement")
    for problem in problems:
        if not problem.root_causes.all():
            missing.append(f"a root cause for the problem “{problem.gap}”")
    for check in SUBMISSION_CHECKS:
        missing.extend(check(plan))
    return missing


def is_late(plan, when=None):
    """seed 002: targeted-support schools submit by the year's ESSA due date (May 15), which
    ends at midnight where the school is (DOMAIN.md, Time). `when`: a moment (now by default)
    or a day of the school's calendar."""
    if not plan.must_submit:
        return False
    when = clock.now() if when is None else when
    if isinstance(when, datetime):
        return when >= clock.midnight_after(plan.due_on, plan.school)
    return when > plan.due_on


def _locked(plan):
    return (
        EssaPlan.objects.select_for_update()
        .select_related("school__district", "school_year")
        .get(pk=plan.pk)
    )


@transaction.atomic
def submit(plan, *, user):
    plan = _locked(plan)
    if plan.status not in EDITABLE_STATUSES:
        raise ValidationError(
            f"The plan is already {plan.get_status_display().lower()}.", code="not_draft"
        )
    missing = missing_for_submission(plan)
    if missing:
        raise ValidationError(
            "Before submitting, add " + "; ".join(missing) + ".", code="incomplete"
        )
    now = clock.now()
    plan.status = EssaPlanStatus.SUBMITTED
    plan.submitted_at = now
    plan.submitted_by = user
    plan.submitted_late = is_late(plan, now)
    plan.decided_at = plan.decided_by = None
    plan.save()
    event = EssaPlanEvent.objects.create(
        plan=plan, status=plan.status, by=user, late=plan.submitted_late
    )
    audit.record(user, "essa-plan-submitted", plan)
    reviewers = Membership.objects.filter(
        district=plan.school.district_id, role=Role.DISTRICT_STAFF, user__is_active=True
    ).values_list("user__email", flat=True)
    queue_email(
        f"essa-plan-submitted:{event.pk}",
        list(reviewers),
        f"ESSA action plan submitted: {plan.school}",
        f"{user.display_name} submitted the ESSA action plan of {plan.school} for "
        f"{plan.school_year.name}"
        + (" (after the due date)" if plan.submitted_late else "")
        + f".\n\nReview it: {settings.SITE_URL}{plan.get_absolute_url()}\n",
    )
    return plan


def _decide(plan, *, user, status, comment):
    plan = _locked(plan)
    if plan.status != EssaPlanStatus.SUBMITTED:
        raise ValidationError(
            "Only a submitted plan can be accepted or returned; this one is "
            f"{plan.get_status_display().lower()}.",
            code="not_submitted",
        )
    plan.status = status
    plan.decided_at = clock.now()
    plan.decided_by = user
    plan.save()
    event = EssaPlanEvent.objects.create(plan=plan, status=status, by=user, comment=comment)
    audit.record(user, f"essa-plan-{status}", plan, summary=comment[:300] or str(plan))
    principals = Membership.objects.filter(
        school=plan.school_id, role=Role.PRINCIPAL, user__is_active=True
    ).values_list("user__email", flat=True)
    queue_email(
        f"essa-plan-{status}:{event.pk}",
        list(principals),
        f"ESSA action plan {event.get_status_display().lower()}: {plan.school}",
        f"{user.display_name} {event.get_status_display().lower()} the ESSA action plan of "
        f"{plan.school} for {plan.school_year.name}."
        + (f"\n\nTheir comment:\n{comment}" if comment else "")
        + f"\n\n{settings.SITE_URL}{reverse('essa_plan', args=[plan.pk])}\n",
    )
    return plan


@transaction.atomic
def return_for_changes(plan, *, user, comment):
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(
            {"comment": "Say what needs to change: the school sees this comment."}
        )
    return _decide(plan, user=user, status=EssaPlanStatus.RETURNED, comment=comment)


@transaction.atomic
def accept(plan, *, user, comment=""):
    return _decide(plan, user=user, status=EssaPlanStatus.ACCEPTED, comment=(comment or "").strip())


@transaction.atomic
def publish_blueprint(blueprint, *, user):
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    if not blueprint.theory_of_action.strip() and not blueprint.goals.exists():
        raise ValidationError(
            "Write the theory of action or add a goal before publishing: families would see "
            "an empty page."
        )
    blueprint.status = PublishStatus.PUBLISHED
    blueprint.published_at = clock.now()
    blueprint.published_by = user
    blueprint.save(update_fields=["status", "published_at", "published_by"])
    audit.record(user, "blueprint-published", blueprint)
    PlanChange.objects.create(
        blueprint=blueprint,
        by=user,
        action="published",
        object_kind="Blueprint",
        object_label=fit(PlanChange, "object_label", blueprint),
    )
    return blueprint


@transaction.atomic
def unpublish_blueprint(blueprint, *, user):
    blueprint = Blueprint.objects.select_for_update().get(pk=blueprint.pk)
    blueprint.status = PublishStatus.DRAFT
    blueprint.save(update_fields=["status"])
    audit.record(user, "blueprint-unpublished", blueprint)
    PlanChange.objects.create(
        blueprint=blueprint,
        by=user,
        action="withdrawn",
        object_kind="Blueprint",
        object_label=fit(PlanChange, "object_label", blueprint),
    )
    return blueprint
