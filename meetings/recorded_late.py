"""Recorded, not scheduled (DOMAIN.md, "Rules made precise"): a meeting entered with its date
already past is a record of something held, not a plan. It needs its minutes and attendance
before it counts as held, the district is told it was recorded late, and compliance shows
"held, recorded late (date, by whom)": a missed month never silently turns into a held one.

The CIM monthly review uses it (a review dated in an earlier month, meetings/cim.py), and so do
the CPM meetings and the Title I annual parent meeting (a meeting dated before today, seed 000,
issue 23: a Kick Off "scheduled" on 4 Dec for 20 Nov turned a missed window into minutes due).
The fields and the wording are the engine's, so another meeting type takes the rule up the
same way."""

from django.core.exceptions import ValidationError

from schoolplan import clock
from schoolplan.rows import long_day


def in_an_earlier_month(day, today):
    """seed 001: the CIM team's unit is the month; a review in an elapsed month fills a gap."""
    return (day.year, day.month) < (today.year, today.month)


def before_today(day, today):
    """seed 000: a community meeting is planned for a day; one dated before today (where the
    school is) has been held, or not, already: entering it is recording it."""
    return day < today


def stamp_fields(user):
    """What a late record keeps: when it was entered and by whom."""
    return {"recorded_late_at": clock.now(), "recorded_late_by": user}


def stamp_of(day, person_name):
    """ "recorded late (4 Dec 2026, by Ana Lead)": the one wording, from the day it was entered
    (in the district's calendar) and who entered it (None: an account since removed)."""
    return f"recorded late ({day:%-d %b %Y}, by {person_name or 'an account since removed'})"


def stamp(meeting):
    person = meeting.recorded_late_by
    day = clock.local_date(meeting.recorded_late_at, meeting.district)
    return stamp_of(day, person.display_name if person is not None else None)


def wording(meeting):
    """The one wording of a late record: the CIM page's months, the CPM year page, the
    district's dashboard, the home cards and the district's e-mail all read it, e.g.
    "held, recorded late (4 Dec 2026, by Ana Lead)"."""
    text = stamp(meeting)
    if meeting.is_held:
        return f"held, {text}"
    if meeting.is_cancelled:
        return f"cancelled, {text}"
    return f"{text}; minutes and attendance not yet recorded"


def confirmation(day):
    """What a scheduling form asks before it records a meeting dated before today."""
    return (
        f"{long_day(day)} is past: this records a meeting already held, it does not schedule "
        "one. It will show as held, recorded late (today, by you), once its minutes and "
        "attendance are recorded, and the district is told it was recorded after the fact. "
        "Record it?"
    )


def saved_message(meeting):
    """What the person hears once a past date has recorded the meeting."""
    return (
        f"{meeting.title} is recorded, not scheduled: its date is past. {meeting.district} "
        "has been told it was recorded after the fact. Record its minutes and attendance "
        "now: it counts as held, recorded late, once they are recorded."
    )


def has_attendance(meeting):
    return (
        meeting.family_attendees > 0
        or meeting.community_attendees > 0
        or meeting.invitations.filter(attended=True).exists()
    )


def require_attendance(meeting):
    """Before a late record is marked held: who was there (its minutes are required already).
    A plan can wait for its attendance; a record of a past meeting cannot do without it."""
    if meeting.recorded_late_at is None or has_attendance(meeting):
        return
    if meeting.school_id is None:  # a district's meeting ticks its invited team
        raise ValidationError(
            {
                "attended": "This meeting was recorded late: tick who attended before marking "
                "it held."
            }
        )
    raise ValidationError(
        {
            "family_attendees": "This meeting was recorded late: give how many family and "
            "community members attended before marking it held."
        }
    )
