from urllib.parse import urlsplit

import icalendar
import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from meetings import services
from meetings.calendar import create_feed
from meetings.models import CalendarFeed
from schoolplan.mail import send_queued
from schoolplan.models import Role

from ..clock import moment, on
from ..factories import member
from ..meeting_helpers import at, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def meeting(school, principal):
    return schedule(school, principal, day=on(9, 15), languages=["en", "es"])


def uid(meeting):
    """seed 000 / issue 23: unique to this installation, which SITE_URL names."""
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname}"


def events(content):
    return icalendar.Calendar.from_ical(content).walk("VEVENT")


def test_meeting_ics_parses_with_the_right_times_and_zone(client, principal, meeting):
    client.force_login(principal)
    response = client.get(reverse("meeting_ics", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="meeting-{meeting.pk}.ics"' in response["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid(meeting)
    assert str(event["SUMMARY"]) == meeting.title
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start == moment(on(9, 15), "18:00")
    assert end == moment(on(9, 15), "19:30")
    assert event["DTSTART"].params["TZID"] == "America/Los_Angeles"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Los_Angeles"]
    assert event["SEQUENCE"] == 0
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Interpretation: English, Spanish" in str(event["DESCRIPTION"])
    assert "Our SPF results" in str(event["DESCRIPTION"])


def test_moved_meeting_bumps_the_sequence_and_cancelled_says_so(client, clock, principal, meeting):
    clock.set(on(9, 1))  # moved ahead of its day (a plan is not moved into the past)
    services.update_meeting(
        meeting, user=principal, starts_at=at(on(9, 22)), ends_at=at(on(9, 22), 19)
    )
    services.cancel_meeting(meeting, user=principal, reason="Storm")
    client.force_login(principal)
    [event] = events(client.get(reverse("meeting_ics", args=[meeting.pk])).content)
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["SUMMARY"]).startswith("Cancelled: ")


def test_other_schools_staff_get_404_on_the_ics(client, meeting, other_school):
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(reverse("meeting_ics", args=[meeting.pk])).status_code == 404


def test_feed_needs_a_valid_token_and_no_login(client, school, principal, meeting):
    feed = create_feed(school, principal)
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert [str(e["UID"]) for e in events(response.content)] == [uid(meeting)]
    assert client.get(reverse("calendar_feed", args=["not-the-token"])).status_code == 404


def test_a_new_feed_revokes_the_old_one(client, school, principal, meeting):
    old = create_feed(school, principal)
    new = create_feed(school, principal)
    assert client.get(reverse("calendar_feed", args=[old.token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new.token])).status_code == 200


def test_principal_revokes_the_feed_with_confirmation(client, school, principal):
    feed = create_feed(school, principal)
    client.force_login(principal)
    url = reverse("school_calendar", args=[school.pk])
    assert feed.token in client.get(url).content.decode()
    client.post(url, {"action": "revoke"})
    assert CalendarFeed.objects.get().is_active  # not confirmed
    client.post(url, {"action": "revoke", "confirm": "on"})
    assert not CalendarFeed.objects.get().is_active
    client.logout()
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404


def test_staff_cannot_see_or_change_the_feed(client, school, principal):
    feed = create_feed(school, principal)
    client.force_login(member(Role.SCHOOL_STAFF, school))
    url = reverse("school_calendar", args=[school.pk])
    page = client.get(url).content.decode()
    assert feed.token not in page
    assert "The principal manages" in page
    assert client.post(url, {"action": "create"}).status_code == 403
    assert client.post(url, {"action": "revoke", "confirm": "on"}).status_code == 403
    assert CalendarFeed.objects.get().is_active


def test_other_school_gets_404_on_the_feed_page(client, school, other_school):
    client.force_login(member(Role.PRINCIPAL, other_school))
    assert client.get(reverse("school_calendar", args=[school.pk])).status_code == 404


def test_invitations_email_the_ics(school, principal, meeting):
    teacher = member(Role.SCHOOL_STAFF, school)
    parent = member(Role.CADRE_MEMBER, school)
    services.invite(meeting, user=principal, people=[teacher, parent])
    services.invite(meeting, user=principal, people=[teacher])  # already invited: nothing new
    send_queued()
    invitations = [m for m in mail.outbox if m.subject.startswith("Invitation: ")]
    assert sorted(m.to[0] for m in invitations) == sorted([teacher.email, parent.email])
    name, content, mimetype = invitations[0].attachments[0]
    assert (name, mimetype) == (f"meeting-{meeting.pk}.ics", "text/calendar; method=REQUEST")
    [event] = events(content.encode() if isinstance(content, str) else content)
    assert event.decoded("DTSTART") == moment(on(9, 15), "18:00")


def test_invitees_get_the_update_when_the_meeting_moves(clock, school, principal, meeting):
    clock.set(on(9, 1))  # moved ahead of its day (a plan is not moved into the past)
    teacher = member(Role.SCHOOL_STAFF, school)
    services.invite(meeting, user=principal, people=[teacher])
    services.update_meeting(
        meeting, user=principal, starts_at=at(on(9, 29)), ends_at=at(on(9, 29), 20)
    )
    send_queued()
    updates = [m for m in mail.outbox if m.subject.startswith("Updated: ")]
    assert [m.to for m in updates] == [[teacher.email]]
    [event] = events(updates[0].attachments[0][1].encode())
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART").date() == on(9, 29)


def test_district_staff_create_and_revoke_the_feed(client, school, district):
    client.force_login(member(Role.DISTRICT_STAFF, district))
    url = reverse("school_calendar", args=[school.pk])
    assert client.post(url, {"action": "create"}).status_code == 302
    feed = CalendarFeed.objects.get()
    assert feed.is_active
    assert reverse("calendar_feed", args=[feed.token]) in client.get(url).content.decode()
    client.post(url, {"action": "revoke", "confirm": "on"})
    assert not CalendarFeed.objects.get().is_active


def _invitation_parts(outbox_email):
    """The calendar part of an invitation e-mail as sent, and its parsed calendar."""
    from schoolplan.mail import _message

    message = _message(outbox_email).message()
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return part, icalendar.Calendar.from_ical(part.get_payload(decode=True))


def test_invitations_are_itip_requests_and_a_cancellation_cancels_the_same_event(
    school, principal, meeting, settings
):
    """issue 23: calendars apply the e-mailed entries themselves (RFC 5546)."""
    from schoolplan.models import OutboxEmail

    settings.SITE_URL = "https://plans.example.org"
    settings.DEFAULT_FROM_EMAIL = "SchoolPlan <noreply@plans.example.org>"
    teacher = member(Role.SCHOOL_STAFF, school)
    services.invite(meeting, user=principal, people=[teacher])
    invitation = OutboxEmail.objects.get(key__startswith="invitation:")
    part, calendar = _invitation_parts(invitation)
    assert part.get_param("method") == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.pk}@plans.example.org"
    assert str(event["ORGANIZER"]) == "mailto:noreply@plans.example.org"
    assert str(event["ATTENDEE"]) == f"mailto:{teacher.email}"
    assert event["SEQUENCE"] == 0

    services.cancel_meeting(meeting, user=principal, reason="Storm")
    cancellation = OutboxEmail.objects.exclude(pk=invitation.pk).get(key__startswith="invitation:")
    part, calendar = _invitation_parts(cancellation)
    assert part.get_param("method") == "CANCEL" and str(calendar["METHOD"]) == "CANCEL"
    [cancelled] = calendar.walk("VEVENT")
    assert str(cancelled["UID"]) == str(event["UID"])
    assert cancelled["SEQUENCE"] > event["SEQUENCE"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
