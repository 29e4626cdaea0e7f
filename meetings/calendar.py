"""Meetings as iCalendar (RFC 5545): one .ics per meeting, and each school's private feed."""

import secrets
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import STAFF_ONLY_TYPES, CalendarFeed, Meeting


def _zone():
    return ZoneInfo(settings.TIME_ZONE)


def meeting_event(meeting, *, for_families=False):
    """The meeting as an event; for families, without the names of the agenda's presenters."""
    tz = _zone()
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.pk}@schoolplan")
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(tz))
    event.add("dtend", meeting.ends_at.astimezone(tz))
    event.add("summary", f"Cancelled: {meeting.title}" if meeting.is_cancelled else meeting.title)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    lines = [f"Host: {meeting.host}"]
    agenda = list(meeting.agenda_items.all())
    if agenda:
        lines.append("Agenda:")
        for item in agenda:
            extra = ", ".join(
                part
                for part in (
                    "" if for_families else item.presenter,
                    f"{item.duration_minutes} min" if item.duration_minutes else "",
                )
                if part
            )
            lines.append(f"{item.position}. {item.title}" + (f" ({extra})" if extra else ""))
    if meeting.language_names:
        lines.append(f"Interpretation: {', '.join(meeting.language_names)}")
    if meeting.video_link:
        lines.append(f"Video: {meeting.video_link}")
    if meeting.is_cancelled and meeting.cancellation_reason:
        lines.append(f"Cancelled: {meeting.cancellation_reason}")
    event.add("description", "\n".join(lines))
    return event


def calendar_for(meetings, name, *, for_families=False):
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//SchoolPlan//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, for_families=for_families))
    calendar.add_missing_timezones()
    return calendar


def meeting_ics(meeting):
    return calendar_for([meeting], meeting.title).to_ical()


def school_feed_ics(school):
    # Cancelled meetings stay in the feed, as CANCELLED, so subscribed calendars drop them.
    # Staff-only meetings (CAP) never go into an address that works without a login.
    meetings = (
        Meeting.objects.filter(school=school)
        .exclude(meeting_type__in=STAFF_ONLY_TYPES)
        .prefetch_related("agenda_items")
    )
    return calendar_for(meetings, f"{school.name} meetings").to_ical()


@transaction.atomic
def create_feed(school, user):
    """A new private feed address; the old one stops working at once."""
    CalendarFeed.objects.filter(school=school, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return CalendarFeed.objects.create(
        school=school, token=secrets.token_urlsafe(32), created_by=user
    )


def revoke_feed(feed):
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
