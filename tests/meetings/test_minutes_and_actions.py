import pytest
from django.core.exceptions import ValidationError

from meetings import recording, services
from meetings.models import ActionStatus, Minutes, PublishedMinutesError
from schoolplan.models import Role

from ..clock import on
from ..factories import member
from ..meeting_helpers import schedule

# A meeting is marked held once it has begun: each test says when it is.
pytestmark = [pytest.mark.django_db, pytest.mark.calendar]


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def held(clock, school, principal):
    meeting = schedule(school, principal, day=on(9, 15))
    clock.set(on(9, 16))  # the day after it
    recording.record_minutes(meeting, user=principal, text="We looked at the SPF.", mark_held=True)
    return meeting


def test_marking_held_needs_minutes(clock, school, principal):
    clock.set(on(9, 16))  # the meeting has been: only the minutes are missing
    meeting = schedule(school, principal)
    with pytest.raises(ValidationError) as error:
        recording.record_minutes(meeting, user=principal, text="  ", mark_held=True)
    assert error.value.message_dict == {
        "text": ["Write the minutes before marking the meeting held."]
    }
    meeting.refresh_from_db()
    assert meeting.is_planned


def test_a_future_meeting_cannot_be_marked_held(clock, school, principal):
    clock.set(on(9, 1))
    meeting = schedule(school, principal, day=on(9, 15))
    with pytest.raises(ValidationError, match="has not started yet"):
        recording.record_minutes(meeting, user=principal, text="Notes", mark_held=True)
    meeting.refresh_from_db()
    assert meeting.is_planned


def test_held_with_attendance(held, principal):
    assert held.is_held
    recording.record_minutes(
        held,
        user=principal,
        text="We looked at the SPF.",
        family_attendees=23,
        community_attendees=4,
    )
    held.refresh_from_db()
    assert (held.family_attendees, held.community_attendees) == (23, 4)


def test_published_minutes_are_immutable(held, principal):
    recording.publish_minutes(held, user=principal)
    minutes = Minutes.objects.get(meeting=held)
    minutes.text = "Rewritten history"
    with pytest.raises(PublishedMinutesError):
        minutes.save()
    with pytest.raises(ValidationError, match="published"):
        recording.record_minutes(held, user=principal, text="Again")
    assert Minutes.objects.get(meeting=held).text == "We looked at the SPF."


def test_publishing_needs_a_held_meeting(school, principal):
    meeting = schedule(school, principal)
    with pytest.raises(ValidationError, match="mark the meeting held"):
        recording.publish_minutes(meeting, user=principal)


def test_amendment_keeps_the_earlier_text(held, principal):
    recording.publish_minutes(held, user=principal)
    recording.amend_minutes(
        held,
        user=principal,
        text="We looked at the SPF and set two goals.",
        decisions="",
        reason="Goals were left out",
    )
    minutes = Minutes.objects.get(meeting=held)
    assert minutes.text == "We looked at the SPF and set two goals."
    amendment = minutes.amendments.get()
    assert amendment.previous_text == "We looked at the SPF."
    assert amendment.reason == "Goals were left out"
    assert amendment.amended_by == principal


def test_amendment_needs_a_reason(held, principal):
    recording.publish_minutes(held, user=principal)
    with pytest.raises(ValidationError) as error:
        recording.amend_minutes(held, user=principal, text="New", decisions="", reason="")
    assert "reason" in error.value.message_dict
    assert Minutes.objects.get(meeting=held).amendments.count() == 0


def test_action_items_keep_a_history(held, principal):
    owner = member(Role.SCHOOL_STAFF, held.school)
    item = services.add_action_item(
        held,
        user=principal,
        description="Translate the SPF summary",
        owner=owner,
        due_on=on(10, 1),
    )
    services.update_action_item(item, user=owner, status=ActionStatus.DONE, note="Sent to families")
    history = [(u.old_status, u.new_status, u.note, u.by) for u in item.updates.all()]
    assert history == [
        ("", "open", "Agreed.", principal),
        ("open", "done", "Sent to families", owner),
    ]
    assert item.is_overdue(on(10, 2)) is False  # done


def test_dropping_an_action_needs_a_reason(held, principal):
    item = services.add_action_item(held, user=principal, description="Survey families")
    with pytest.raises(ValidationError):
        services.update_action_item(item, user=principal, status=ActionStatus.DROPPED)
    item.refresh_from_db()
    assert item.status == ActionStatus.OPEN
    assert item.updates.count() == 1


def test_open_action_past_due_is_overdue(held, principal):
    item = services.add_action_item(
        held, user=principal, description="Survey families", due_on=on(10, 1)
    )
    assert item.is_overdue(on(10, 2))
    assert not item.is_overdue(on(10, 1))


def test_after_publishing_no_new_actions_but_follow_up_continues(held, principal):
    item = services.add_action_item(held, user=principal, description="Survey families")
    recording.publish_minutes(held, user=principal)
    with pytest.raises(ValidationError, match="published"):
        services.add_action_item(held, user=principal, description="Late addition")
    services.update_action_item(item, user=principal, status=ActionStatus.DONE)
    item.refresh_from_db()
    assert item.status == ActionStatus.DONE


def test_goals_only_at_kick_off_or_check_in(school, principal):
    wrap_up = schedule(school, principal, "wrap_up", on(5, 20))
    with pytest.raises(ValidationError, match="Kick Off or a Check In"):
        services.add_goal(wrap_up, user=principal, text="More")
