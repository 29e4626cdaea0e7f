"""The SAMI note catcher's rules (seed 002): one per school and year, and the team marks 2 to 4
of its items as the high-leverage actions it brings to the workshop.

Its items, team and ESSA data review notes are added and changed through the plan documents'
mechanism (plans.documents, "sami"); the marking is its own part with its own version."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from schoolplan import clock

from .models import HIGH_LEVERAGE_MAX, HIGH_LEVERAGE_MIN, Sami


def check_high_leverage_count(count, what="high-leverage actions"):
    """seed 002: a school team identifies 2 to 4 high-leverage actions from its SAMI."""
    if not HIGH_LEVERAGE_MIN <= count <= HIGH_LEVERAGE_MAX:
        raise ValidationError(
            f"Choose {HIGH_LEVERAGE_MIN} to {HIGH_LEVERAGE_MAX} {what}: you chose {count}.",
            code="high_leverage_count",
        )


class HighLeverageConflict(ValidationError):
    """Someone marked the high-leverage actions after this page was loaded."""

    def __init__(self, sami):
        self.sami = sami
        self.current = list(sami.high_leverage_actions())
        super().__init__(
            "Not saved: the high-leverage actions were changed while you were choosing.",
            code="edit_conflict",
        )


def sami_of(school, year):
    """The school's SAMI for the year, or None."""
    if year is None:
        return None
    return Sami.objects.filter(school=school, school_year=year).first()


@transaction.atomic
def mark_high_leverage(sami, *, items, user, expected_version):
    """Mark exactly these items (2–4 of the SAMI's own) as its high-leverage actions."""
    current = Sami.objects.select_for_update().get(pk=sami.pk)
    if current.high_leverage_version != expected_version:
        raise HighLeverageConflict(current)
    chosen = {item.pk for item in items}
    if current.items.filter(pk__in=chosen).count() != len(chosen):
        raise ValidationError({"items": "Choose items of this SAMI."})
    try:
        check_high_leverage_count(len(chosen))
    except ValidationError as error:
        raise ValidationError({"items": error.messages}) from None
    current.items.filter(pk__in=chosen).update(high_leverage=True)
    current.items.exclude(pk__in=chosen).update(high_leverage=False)
    Sami.objects.filter(pk=current.pk).update(
        high_leverage_version=F("high_leverage_version") + 1,
        high_leverage_by=user,
        high_leverage_at=clock.now(),
    )
    current.refresh_from_db()
    return current
