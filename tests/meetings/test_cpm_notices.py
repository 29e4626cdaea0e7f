"""seed 000: scheduling, moving or cancelling a CPM meeting tells the district – once per change."""

import pytest
from django.core import mail

from meetings import services
from schoolplan.mail import send_queued
from schoolplan.models import OutboxEmail, Role

from ..clock import on
from ..factories import member
from ..meeting_helpers import at, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


def long_day(day):
    return f"{day:%A} {day.day} {day:%B %Y}"  # "Tuesday 15 September 2026", as e-mails write it


def sent_subjects():
    return [message.subject for message in mail.outbox]


def test_scheduling_notifies_the_cpm_contact_once(
    school, principal, django_capture_on_commit_callbacks, eager_celery
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = schedule(school, principal)
    # The Celery task (in-process here) sent it on commit.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school.district.cpm_contact_email]
    assert message.subject == f"CPM meeting scheduled: Valdez Elementary – {meeting.title}"
    assert f"{long_day(on(9, 15))}, 6:00 PM – 7:30 PM" in message.body
    assert f"/meetings/{meeting.pk}/" in message.body
    # Sending again finds nothing left to send.
    assert send_queued() == 0
    assert len(mail.outbox) == 1


def test_moving_notifies_again_but_an_unchanged_save_does_not(clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    meeting = schedule(school, principal)
    services.update_meeting(meeting, user=principal, languages_offered=["en"])
    assert OutboxEmail.objects.count() == 1
    services.update_meeting(
        meeting, user=principal, starts_at=at(on(9, 22)), ends_at=at(on(9, 22), 20)
    )
    assert OutboxEmail.objects.count() == 2
    send_queued()
    send_queued()
    assert sent_subjects() == [
        f"CPM meeting scheduled: Valdez Elementary – {meeting.title}",
        f"CPM meeting moved: Valdez Elementary – {meeting.title}",
    ]
    moved = mail.outbox[1].body
    # issue 23: the old time and the new one.
    assert f"When: {long_day(on(9, 22))}, 6:00 PM – 8:00 PM" in moved
    assert f"Was: {long_day(on(9, 15))}, 6:00 PM – 7:30 PM" in moved


def test_a_new_place_notifies_the_district_with_the_old_one(school, principal):
    """issue 23: a change of place is news for the district too."""
    meeting = schedule(school, principal, place="Cafeteria")
    services.update_meeting(meeting, user=principal, place="Library")

    notice = OutboxEmail.objects.get(key__endswith=":relocated")
    assert (
        notice.subject == f"CPM meeting moved to another place: Valdez Elementary – {meeting.title}"
    )
    assert "Where: Library" in notice.body and "Was: Cafeteria" in notice.body
    assert "Was: " + long_day(on(9, 15)) not in notice.body, "the time did not change"


def test_moving_out_of_the_window_is_refused_and_nothing_is_sent(school, principal):
    meeting = schedule(school, principal)
    with pytest.raises(Exception, match="must fall in the Kick Off window"):
        services.update_meeting(
            meeting,
            user=principal,
            starts_at=at(on(12, 2)),
            ends_at=at(on(12, 2), 20),
        )
    meeting.refresh_from_db()
    assert meeting.local_date == on(9, 15)
    assert OutboxEmail.objects.count() == 1


def test_cancelling_notifies_with_the_reason(school, principal):
    meeting = schedule(school, principal)
    services.cancel_meeting(meeting, user=principal, reason="The gym floods")
    send_queued()
    assert sent_subjects()[-1] == f"CPM meeting cancelled: Valdez Elementary – {meeting.title}"
    assert "Reason: The gym floods" in mail.outbox[-1].body


def test_cancelling_needs_a_reason(school, principal):
    meeting = schedule(school, principal)
    with pytest.raises(Exception, match="Say why"):
        services.cancel_meeting(meeting, user=principal, reason="  ")
    meeting.refresh_from_db()
    assert meeting.is_planned


def test_no_contact_means_no_notice_and_no_error(school, principal):
    school.district.cpm_contact_email = ""
    school.district.save()
    schedule(school, principal)
    assert OutboxEmail.objects.count() == 0


def test_a_failed_send_is_retried_not_lost(school, principal, clock, monkeypatch):
    schedule(school, principal)
    from django.core.mail import EmailMessage

    def broken(self, fail_silently=False):
        raise OSError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    assert send_queued() == 0
    row = OutboxEmail.objects.get()
    assert (row.sent_at, row.attempts, row.last_error) == (None, 1, "SMTP down")
    # It waits a minute (backing off) before the next try; then it goes.
    assert row.next_attempt_at > clock.now()
    monkeypatch.undo()
    assert send_queued() == 0
    OutboxEmail.objects.update(next_attempt_at=clock.now())
    assert send_queued() == 1
    assert len(mail.outbox) == 1
