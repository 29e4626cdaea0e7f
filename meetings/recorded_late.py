"""Recorded, not scheduled (DOMAIN.md, "Rules made precise"): a meeting entered with its date
already past is a record of something held, not a plan. It needs its minutes and attendance
before it counts as held, the district is told it was recorded late, and compliance shows
"held, recorded late (date, by whom)": a missed month never silently turns into a held one.

The CIM monthly review uses it (a review dated in an earlier month, meetings/cim.py); the fields
and the wording are the engine's, so another meeting type can take the rule up the same way."""

from django.core.exceptions import ValidationError

from schoolplan import clock


def in_an_earlier_month(day, today):
    """seed 001: the CIM team's unit is the month; a review in an elapsed month fills a gap."""
    return (day.year, day.month) < (today.year, today.month)


def wording(meeting):
    """The one wording of a late record: the CIM page's months, the district's dashboard, the
    home cards and the district's e-mail all read it, e.g.
    "held, recorded late (4 Dec 2026, by Ana Lead)"."""
    day = clock.local_date(meeting.recorded_late_at, meeting.district)
    person = meeting.recorded_late_by
    who = person.display_name if person is not None else "an account since removed"
    stamp = f"recorded late ({day:%-d %b %Y}, by {who})"
    if meeting.is_held:
        return f"held, {stamp}"
    if meeting.is_cancelled:
        return f"cancelled, {stamp}"
    return f"{stamp}; minutes and attendance not yet recorded"


def has_attendance(meeting):
    return (
        meeting.family_attendees > 0
        or meeting.community_attendees > 0
        or meeting.invitations.filter(attended=True).exists()
    )


def require_attendance(meeting):
    """Before a late record is marked held: who was there (its minutes are required already).
    A plan can wait for its attendance; a record of a past meeting cannot do without it."""
    if meeting.recorded_late_at is not None and not has_attendance(meeting):
        raise ValidationError(
            {
                "attended": "This meeting was recorded late: tick who attended before marking "
                "it held."
            }
        )
