"""E-mails the meeting engine sends, each queued once per event through the outbox."""

from django.conf import settings
from django.utils.dateformat import format as format_date

from schoolplan import clock
from schoolplan.mail import queue_email

from .models import MeetingType

CHANGE_WORDS = {
    "scheduled": "scheduled",
    "moved": "moved",
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


def notify_district_of_cpm(meeting, change):
    """seed 000: 'let us know when you plan to host a CPM meeting' – tell the CPM contact."""
    if meeting.meeting_type != MeetingType.CPM:
        return False
    district = meeting.district
    word = CHANGE_WORDS[change]
    lines = [
        f"{meeting.school} has {word} a CPM meeting.",
        "",
        f"Meeting: {meeting.title}",
        f"Counts as: {', '.join(meeting.combined_requirements)}",
        f"When: {when(meeting)}",
        f"Where: {where(meeting)}",
    ]
    if change == "cancelled":
        lines.append(f"Reason: {meeting.cancellation_reason}")
    lines += ["", f"Details: {absolute(meeting.get_absolute_url())}"]
    return queue_email(
        key=f"cpm-notice:{meeting.pk}:{meeting.sequence}:{change}",
        to=[district.cpm_contact_email],
        subject=f"CPM meeting {word}: {meeting.school} – {meeting.title}",
        body="\n".join(lines),
    )


def send_invitation(meeting, invitation, ics):
    """The invitation (or its update) with the meeting's .ics attached."""
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
        attachment=(f"meeting-{meeting.pk}.ics", ics.decode(), "text/calendar"),
    )
