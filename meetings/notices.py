"""E-mails the meeting engine sends, each queued once per event through the outbox."""

from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as format_date

from schoolplan import clock
from schoolplan.mail import queue_email
from schoolplan.models import User
from schoolplan.permissions import MANAGE_DISTRICT

from . import recorded_late
from .models import MeetingType

CHANGE_WORDS = {
    "scheduled": "scheduled",
    "recorded": "recorded after the fact",
    "moved": "moved",
    "relocated": "moved to another place",
    "cancelled": "cancelled",
}


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def when(meeting):
    """The meeting's date and times in its host district's zone, which the reader shares, named
    so a reader elsewhere (or a server in UTC) cannot mistake it (DOMAIN.md, Time)."""
    start = clock.local(meeting.starts_at, meeting.district)
    end = clock.local(meeting.ends_at, meeting.district)
    return f"{format_date(start, 'l j F Y, g:i A')} – {format_date(end, 'g:i A T')}"


def where(meeting):
    return " · ".join(part for part in (meeting.place, meeting.video_link) if part) or "to be set"


def cpm_contact_told(meeting):
    """seed 000: the district's CPM contact hears of a CPM meeting's changes, when it has an
    e-mail on record; other meeting types are no business of the CPM contact."""
    return meeting.meeting_type == MeetingType.CPM and bool(meeting.district.cpm_contact_email)


def notify_district_of_cpm(meeting, change, before=None):
    """seed 000: 'let us know when you plan to host a CPM meeting' – tell the CPM contact. A
    move or a new place says what it was before (before: the meeting as it was)."""
    if meeting.meeting_type != MeetingType.CPM:
        return False
    district = meeting.district
    word = CHANGE_WORDS[change]
    if change == "recorded":
        # DOMAIN.md, "Recorded, not scheduled": a past date is a record, never a plan.
        lines = [
            f"{meeting.school} has recorded a CPM meeting after the fact: it was entered "
            "after the day it was held, not scheduled beforehand.",
            f"It is {recorded_late.wording(meeting)}; it counts as held, recorded late, once "
            "its minutes and attendance are recorded.",
        ]
    else:
        lines = [f"{meeting.school} has {word} a CPM meeting."]
    lines += [
        "",
        f"Meeting: {meeting.title}",
        f"Counts as: {', '.join(meeting.combined_requirements)}",
        f"When: {when(meeting)}",
    ]
    if before is not None and when(before) != when(meeting):
        lines.append(f"Was: {when(before)}")
    lines.append(f"Where: {where(meeting)}")
    if before is not None and where(before) != where(meeting):
        lines.append(f"Was: {where(before)}")
    if change == "cancelled":
        lines.append(f"Reason: {meeting.cancellation_reason}")
    lines += ["", f"Details: {absolute(meeting.get_absolute_url())}"]
    return queue_email(
        key=f"cpm-notice:{meeting.pk}:{meeting.sequence}:{change}",
        to=[district.cpm_contact_email],
        subject=f"CPM meeting {word}: {meeting.school} – {meeting.title}",
        body="\n".join(lines),
    )


def send_invitation(meeting, invitation):
    """The invitation (or its update, or its cancellation) with its iTIP calendar entry, which
    calendars apply by themselves (meetings.calendar.invitation_ics)."""
    from .calendar import invitation_ics, invitation_method

    user = invitation.user
    if meeting.is_cancelled:
        subject = f"Cancelled: {meeting.title}"
        opening = f"The meeting below is cancelled. Reason: {meeting.cancellation_reason}"
    elif meeting.sequence:
        subject = f"Updated: {meeting.title}"
        opening = "The meeting below has changed; the attached calendar entry replaces the old one."
    else:
        subject = f"Invitation: {meeting.title}"
        opening = f"{meeting.host} invites you to the meeting below."
    body = "\n".join(
        [
            f"Hello {user.display_name},",
            "",
            opening,
            "",
            f"{meeting.title}",
            f"When: {when(meeting)}",
            f"Where: {where(meeting)}",
            f"Interpretation: {', '.join(meeting.language_names) or 'none offered'}",
            "",
            f"Details: {absolute(meeting.get_absolute_url())}",
        ]
    )
    return queue_email(
        key=f"invitation:{meeting.pk}:{user.pk}:{meeting.sequence}:{meeting.status}",
        to=[user.email],
        subject=subject,
        body=body,
        attachment=(
            f"meeting-{meeting.pk}.ics",
            invitation_ics(meeting, user).decode(),
            f"text/calendar; method={invitation_method(meeting)}",
        ),
    )


def calendar_recipients(meeting):
    """The invitations that carried the meeting's calendar entry, so the people who hear of its
    changes. A late record of a meeting already held sent none: its list is for attendance."""
    if meeting.recorded_late_at is not None:
        return []
    return list(meeting.invitations.select_related("user"))


def _people(names):
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def cancellation_told(meeting):
    """What the cancel page says happens, per meeting type, from the rules that send it:
    the same recipients as cancel_meeting() e-mails, the CPM contact only for a CPM meeting."""
    invited = [i.user.display_name for i in calendar_recipients(meeting)]
    if invited:
        count = len(invited)
        who = "the one person invited" if count == 1 else f"the {count} people invited"
        told = f"An e-mail with an updated calendar entry goes to {who}: {_people(invited)}."
    elif meeting.recorded_late_at is not None:
        told = "It was recorded late and sent no invitations, so nobody is e-mailed."
    else:
        told = "Nobody has been invited yet, so nobody is e-mailed."
    if meeting.meeting_type == MeetingType.CPM:
        district = meeting.district
        if cpm_contact_told(meeting):
            contact = district.cpm_contact_name or district.cpm_contact_email
            told += f" {district}'s CPM contact ({contact}) is told."
        else:
            told += f" {district} has no CPM contact e-mail on record, so the district is not told."
    return told


def district_staff(district):
    """Who manages the district (its staff): told of what compliance must not miss."""
    return User.objects.filter(
        is_active=True,
        memberships__district=district,
        memberships__role__in=MANAGE_DISTRICT.district_roles,
    ).distinct()


def notify_district_recorded_late(meeting):
    """DOMAIN.md, "Recorded, not scheduled": the district is told a meeting was recorded late.
    One e-mail per staff member, once (the outbox key)."""
    district = meeting.district
    stamp = recorded_late.wording(meeting)
    compliance = absolute(reverse("compliance", args=[district.pk]))
    if meeting.school_id is None:  # a CIM review: its unit is the month (seed 001)
        entered, gap = "after its month had ended", "the month stays a gap"
    else:  # a school's meeting: its unit is the day (seed 000)
        entered = f"by {meeting.school} after the day it was held"
        gap = "the requirement stays as it was (missed, or still due)"
    # The CPM contact has heard already (notify_district_of_cpm, "recorded").
    contact = district.cpm_contact_email.lower() if cpm_contact_told(meeting) else ""
    queued = 0
    for person in district_staff(district):
        if contact and person.email.lower() == contact:
            continue
        body = "\n".join(
            [
                f"Hello {person.display_name},",
                "",
                f"{meeting.title} was entered {entered}: {stamp}.",
                f"It is dated {when(meeting)}.",
                "",
                f"It is a record of a meeting already held, not a plan. Until its minutes and "
                f"attendance are recorded {gap}; then it shows as held, recorded late, never as "
                "held on time.",
                "",
                f"The record: {absolute(meeting.get_absolute_url())}",
                f"Compliance: {compliance}",
            ]
        )
        queued += queue_email(
            key=f"recorded-late:{meeting.pk}:{person.pk}",
            to=[person.email],
            subject=f"Recorded late: {meeting.title} ({district})",
            body=body,
        )
    return queued
