"""Meetings as iCalendar (RFC 5545): one .ics per meeting, and each school's private feed.

Times are written in the host district's zone, with its TZID and a VTIMEZONE (DOMAIN.md, Time):
a calendar then shows 17:30 in Denver as 17:30 in March and in November, whatever zone the
server or the reader's calendar is in.

Invitation e-mails carry iTIP (RFC 5546) entries, so calendars update themselves: REQUEST for an
invitation or a change, CANCEL for a cancellation, always the same UID and a higher SEQUENCE.
UIDs name this installation (SITE_URL's host): two SchoolPlans never share one."""

import secrets
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from schoolplan import clock

from .models import STAFF_ONLY_TYPES, CalendarFeed, Meeting


def meeting_uid(meeting):
    """Unique to the meeting and to this installation (RFC 5545 UID)."""
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname or 'schoolplan'}"


def meeting_event(meeting, *, for_families=False):
    """The meeting as an event; for families, without the names of the agenda's presenters. Its
    words are in the active language (the families' page's, for their calendar file)."""
    event = icalendar.Event()
    event.add("uid", meeting_uid(meeting))
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", clock.now())
    # A ZoneInfo-aware time is written with its TZID: the wall time in the host's district.
    event.add("dtstart", clock.local(meeting.starts_at, meeting.district))
    event.add("dtend", clock.local(meeting.ends_at, meeting.district))
    cancelled = _("Cancelled: %(title)s") % {"title": meeting.title}
    event.add("summary", cancelled if meeting.is_cancelled else meeting.title)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    if meeting.place:
        event.add("location", meeting.place)
    if meeting.video_link:
        event.add("url", meeting.video_link)
    lines = [_("Host: %(host)s") % {"host": meeting.host}]
    if meeting.description:
        lines.append(meeting.description)
    agenda = list(meeting.agenda_items.all())
    if agenda:
        lines.append(_("Agenda:"))
        for item in agenda:
            extra = ", ".join(
                part
                for part in (
                    "" if for_families else item.presenter,
                    _("%(minutes)s min") % {"minutes": item.duration_minutes}
                    if item.duration_minutes
                    else "",
                )
                if part
            )
            lines.append(f"{item.position}. {item.title}" + (f" ({extra})" if extra else ""))
    if meeting.language_names:
        languages = ", ".join(meeting.language_names)
        lines.append(_("Interpretation: %(languages)s") % {"languages": languages})
    if meeting.video_link:
        lines.append(_("Video: %(link)s") % {"link": meeting.video_link})
    if meeting.is_cancelled and meeting.cancellation_reason:
        lines.append(_("Cancelled: %(reason)s") % {"reason": meeting.cancellation_reason})
    event.add("description", "\n".join(lines))
    return event


def calendar_for(meetings, name, *, place=None, for_families=False, method="PUBLISH"):
    """A calendar of meetings; `place` (the school or district it belongs to, else the first
    meeting's district) names its zone for calendar apps that read X-WR-TIMEZONE."""
    meetings = list(meetings)
    if place is None and meetings:
        place = meetings[0].district
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//SchoolPlan//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(clock.zone_of(place)))
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, for_families=for_families))
    calendar.add_missing_timezones()
    return calendar


def meeting_ics(meeting):
    return calendar_for([meeting], meeting.title).to_ical()


def invitation_method(meeting):
    return "CANCEL" if meeting.is_cancelled else "REQUEST"


def invitation_ics(meeting, user):
    """The iTIP entry of one person's invitation: the organizer (our sender, named after the
    meeting's host) and the person as its attendee, as calendars need to apply it."""
    calendar = calendar_for([meeting], meeting.title, method=invitation_method(meeting))
    event = calendar.walk("VEVENT")[0]
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address}")
    organizer.params["CN"] = icalendar.vText(str(meeting.host) or name)
    event.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{user.email}")
    attendee.params.update(
        {
            "CN": icalendar.vText(user.display_name),
            "ROLE": icalendar.vText("REQ-PARTICIPANT"),
            "PARTSTAT": icalendar.vText("NEEDS-ACTION"),
            "RSVP": icalendar.vText("FALSE"),
        }
    )
    event.add("attendee", attendee)
    return calendar.to_ical()


def school_feed_ics(school):
    # Cancelled meetings stay in the feed, as CANCELLED, so subscribed calendars drop them.
    # Staff-only meetings (CAP) never go into an address that works without a login.
    meetings = (
        Meeting.objects.filter(school=school)
        .exclude(meeting_type__in=STAFF_ONLY_TYPES)
        .select_related("school", "district")
        .prefetch_related("agenda_items")
    )
    return calendar_for(meetings, f"{school.name} meetings", place=school).to_ical()


@transaction.atomic
def create_feed(school, user):
    """A new private feed address; the old one stops working at once."""
    CalendarFeed.objects.filter(school=school, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )
    return CalendarFeed.objects.create(
        school=school, token=secrets.token_urlsafe(32), created_by=user
    )


def revoke_feed(feed):
    feed.revoked_at = clock.now()
    feed.save(update_fields=["revoked_at"])
