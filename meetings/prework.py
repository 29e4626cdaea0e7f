"""The workshop pre-work (seed 002, "Preparation Prior to the Workshop"): the 2–4 high-leverage
actions the school team identified in its SAMI note catcher, or (a SAMI done on paper) the same
as text or a file. A school may register without it and give it later, until the session starts;
it is due the day before the session, and the school is reminded two days before the session
while it is missing (meetings.deadlines.workshop_prework_missing)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef

from schoolplan import clock

from .models import RegistrationStatus, SamiItem, WorkshopRegistration
from .sami import check_high_leverage_count

# seed 002: the team prepares prior to the workshop and brings its actions to it; the pre-work
# is due by the day before the session (default) so that the facilitators can read it.
PREWORK_DUE_DAYS_BEFORE = 1
PREWORK_REMINDER_DAYS_BEFORE = (2,)  # issue 23: a reminder two days before the session


def prework_due_on(registration):
    """The day the pre-work is due, on the district's calendar."""
    return registration.session.meeting.local_date - timedelta(days=PREWORK_DUE_DAYS_BEFORE)


def missing_prework(queryset):
    """The registrations of queryset with no pre-work at all: no actions, no text, no file."""
    return queryset.filter(prework="", prework_file="").exclude(
        Exists(SamiItem.prework_for.through.objects.filter(workshopregistration=OuterRef("pk")))
    )


def sami_actions_offered(registration):
    """What the school may pick: the high-leverage actions of its SAMI of the series' year."""
    return SamiItem.objects.filter(
        sami__school=registration.school_id,
        sami__school_year=registration.series.school_year_id,
        high_leverage=True,
    )


class PreworkConflict(ValidationError):
    """Someone saved the pre-work after this page was loaded."""

    def __init__(self, current):
        self.current = current
        super().__init__(
            "Not saved: the pre-work was changed while you were editing it.", code="edit_conflict"
        )


@transaction.atomic
def give_prework(
    registration, *, user, expected_version, actions=(), prework="", prework_file=None, now=None
):
    """Save the school's pre-work: its SAMI's actions (2–4), and/or text or a file."""
    current = (
        WorkshopRegistration.objects.select_for_update(of=("self",))
        .select_related("session__meeting", "series")
        .get(pk=registration.pk)
    )
    if current.status == RegistrationStatus.CANCELLED:
        raise ValidationError("This registration was cancelled.", code="cancelled")
    if not current.open_to_the_school(now):
        raise ValidationError(
            "The session has begun: the pre-work can no longer be changed.", code="too_late"
        )
    if current.prework_version != expected_version:
        raise PreworkConflict(current)
    actions = list(actions)
    offered = set(
        SamiItem.objects.filter(
            sami__school=current.school_id, sami__school_year=current.series.school_year_id
        ).values_list("pk", flat=True)
    )
    if any(item.pk not in offered for item in actions):
        raise ValidationError({"actions": "Choose actions of your school's SAMI for this year."})
    if actions:
        try:
            check_high_leverage_count(len(actions))
        except ValidationError as error:
            raise ValidationError({"actions": error.messages}) from None
    prework = (prework or "").strip()
    if not actions and not prework and not prework_file and not current.prework_file:
        raise ValidationError(
            {
                "actions": "Choose the 2–4 high-leverage actions from your SAMI, or type them "
                "or attach them below."
            }
        )
    current.prework = prework
    if prework_file:
        current.prework_file = prework_file
    current.prework_by = user
    current.prework_at = clock.now()
    current.prework_version = F("prework_version") + 1
    current.save(
        update_fields=["prework", "prework_file", "prework_by", "prework_at", "prework_version"]
    )
    current.prework_actions.set(actions)
    current.refresh_from_db()
    return current


def prework_state(registration, now=None):
    """What the registration page shows of the pre-work: the actions, whether it is given,
    the day it is due, and whether it may still be given."""
    actions = list(registration.prework_actions.all())
    return {
        "actions": actions,
        "given": bool(actions or registration.prework.strip() or registration.prework_file),
        "due_on": prework_due_on(registration),
        "open": registration.open_to_the_school(now),
    }
