"""The cadre's work (seed 004): its CommPACT checklist, consensus records, members' accounts and
sharing the family engagement plan. Item edits (members, actions, resources, the vision) go
through plans.services like every plan item, so they keep a history and refuse stale saves."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from schoolplan import audit, clock
from schoolplan.mail import queue_email
from schoolplan.models import Membership, Role, User
from schoolplan.text import fit

from . import services
from .models import (
    STEP_ORDER,
    Cadre,
    CadreMember,
    CommpactStep,
    Consensus,
    PlanChange,
    PublishStatus,
    StepRecord,
)


@transaction.atomic
def start_cadre(*, school, year, user):
    cadre, created = services.start_document(Cadre, user=user, school=school, school_year=year)
    if created:  # the CommPACT checklist, ready to record
        StepRecord.objects.bulk_create(StepRecord(cadre=cadre, step=step) for step in STEP_ORDER)
    return cadre


@transaction.atomic
def record_step(step, *, user, done_on, notes):
    if done_on and done_on > clock.today(step.cadre.school):
        raise ValidationError({"done_on": "A step cannot be done in the future."})
    step.done_on = done_on
    step.notes = (notes or "").strip()
    step.save(update_fields=["done_on", "notes"])
    PlanChange.objects.create(
        cadre=step.cadre,
        by=user,
        action="changed",
        object_kind="CommPACT step",
        object_label=step.get_step_display(),
        object_id=step.pk,
        changes={"Done on": ["", done_on.isoformat() if done_on else ""]},
    )
    return step


@transaction.atomic
def record_consensus(step, *, user, agreed_on, decision, agreed_by):
    """seed 004: the cadre owns its decisions; a consensus names who agreed and when."""
    decision = (decision or "").strip()
    errors = {}
    if not decision:
        errors["decision"] = "Say what was agreed."
    if agreed_on and agreed_on > clock.today(step.cadre.school):
        errors["agreed_on"] = "A consensus cannot be dated in the future."
    members = list(agreed_by)
    if not members:
        errors["agreed_by"] = "Tick the members who agreed."
    elif any(member.cadre_id != step.cadre_id for member in members):
        errors["agreed_by"] = "Only this cadre's members can agree to its decisions."
    if errors:
        raise ValidationError(errors)
    consensus = Consensus.objects.create(
        step=step, agreed_on=agreed_on, decision=decision, recorded_by=user
    )
    consensus.agreed_by.set(members)
    if step.done_on is None:
        step.done_on = agreed_on
        step.save(update_fields=["done_on"])
    PlanChange.objects.create(
        cadre=step.cadre,
        by=user,
        action="agreed",
        object_kind="consensus",
        object_label=fit(PlanChange, "object_label", decision),
        object_id=consensus.pk,
        changes={"Who agreed": ["", ", ".join(m.name for m in members)]},
    )
    return consensus


@transaction.atomic
def share_plan(cadre, *, user):
    """seed 004 step 4.5: the consensus action plan is shared with all stakeholders."""
    cadre = Cadre.objects.select_for_update().get(pk=cadre.pk)
    if not cadre.actions.exists():
        raise ValidationError("Add the action plan's actions before sharing it.")
    if not Consensus.objects.filter(
        step__cadre=cadre, step__step=CommpactStep.ACTION_PLAN
    ).exists():
        raise ValidationError(
            "Record the cadre's consensus on the action plan before sharing it: the plan is "
            "the cadre's decision."
        )
    cadre.plan_status = PublishStatus.PUBLISHED
    cadre.shared_at = clock.now()
    cadre.shared_by = user
    cadre.save(update_fields=["plan_status", "shared_at", "shared_by"])
    StepRecord.objects.filter(cadre=cadre, step=CommpactStep.SHARE_PLAN, done_on=None).update(
        done_on=clock.today(cadre.school)
    )
    PlanChange.objects.create(
        cadre=cadre,
        by=user,
        action="shared",
        object_kind="action plan",
        object_label=fit(PlanChange, "object_label", cadre),
    )
    _send_shared_plan(cadre, user)
    audit.record(user, "cadre-plan-shared", cadre)
    return cadre


def _send_shared_plan(cadre, user):
    """seed 004: the plan goes to all stakeholders: the school's staff and the cadre."""
    school_people = Membership.objects.filter(
        school=cadre.school_id,
        role__in=(Role.PRINCIPAL, Role.SCHOOL_STAFF, Role.CADRE_MEMBER),
        user__is_active=True,
    ).values_list("user__email", flat=True)
    listed = cadre.members.exclude(email="").values_list("email", flat=True)
    recipients = sorted({address.lower() for address in [*school_people, *listed] if address})
    actions = "\n".join(
        f"- {action.description} (owner: {action.owner}"
        + (f", due {action.due_on:%-d %B %Y}" if action.due_on else "")
        + ")"
        for action in cadre.actions.all()
    )
    queue_email(
        f"cadre-plan-shared:{cadre.pk}:{cadre.shared_at:%Y%m%d%H%M%S}",
        recipients,
        f"Our family engagement action plan – {cadre.school}",
        f"The Family and Community Cadre of {cadre.school} agreed on its action plan for "
        f"{cadre.school_year.name}, shared by {user.display_name}.\n\n"
        + (f"Our vision:\n{cadre.vision}\n\n" if cadre.vision else "")
        + f"The actions:\n{actions}\n\n"
        f"{settings.SITE_URL}{cadre.get_absolute_url()}\n",
    )


@transaction.atomic
def add_member(cadre, *, user, give_account=False, **fields):
    """Add a member; with give_account, the member gets an account limited to cadre content."""
    if give_account:
        email = (fields.get("email") or "").strip().lower()
        if not email:
            raise ValidationError({"email": "An account needs an e-mail address."})
        account = User.objects.filter(email__iexact=email).first()
        if account is None:
            account = User(username=email[:150], email=email)
            name = fields.get("name", "").split(" ", 1)
            account.first_name, account.last_name = name[0], (name[1] if len(name) > 1 else "")
            # A random password, replaced through "forgot password" (which skips unusable ones).
            account.set_password(secrets.token_urlsafe(32))
            account.save()
        Membership.objects.get_or_create(
            user=account,
            role=Role.CADRE_MEMBER,
            school=cadre.school,
            defaults={"cadre_group": fields.get("group", "")},
        )
        fields["account"] = account
        queue_email(
            f"cadre-account:{cadre.pk}:{account.pk}",
            [email],
            f"You are on the {cadre.school} Family and Community Cadre",
            f"{user.display_name} added you to the Family and Community Cadre of "
            f"{cadre.school}.\n\nChoose a password to sign in: "
            f"{settings.SITE_URL}/accounts/password_reset/\n\nYou will see the cadre's "
            "plan, surveys and meetings.\n",
        )
    return services.add(CadreMember, user=user, cadre=cadre, **fields)


@transaction.atomic
def remove_member(member, *, user):
    """Remove a member; an account they hold only for this school's cadre loses its access."""
    account_id, school_id = member.account_id, member.cadre.school_id
    services.remove(member, user=user)
    if (
        account_id
        and not CadreMember.objects.filter(
            account_id=account_id, cadre__school_id=school_id
        ).exists()
    ):
        Membership.objects.filter(
            user_id=account_id, role=Role.CADRE_MEMBER, school_id=school_id
        ).delete()


def card_links(place, roles):
    """The home card's link for a cadre member: the cadre's pages (a card link hook)."""
    from django.urls import reverse

    if Role.CADRE_MEMBER not in roles or not hasattr(place, "district_id"):
        return []
    return [
        (
            "Family and Community Cadre: our vision, action plan, surveys and meetings.",
            reverse("school_cadre", args=[place.pk]),
        )
    ]
