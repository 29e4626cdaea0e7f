"""DOMAIN.md, "Recorded, not scheduled" (issue 23, seed 000): a CPM or Title I meeting dated
before today is recorded, not scheduled. On 4 December a Kick Off dated 20 November, inside its
closed window, was accepted with no warning, the district got "scheduled", and Kick Off and
Title I turned from Missed to Minutes due. Now: asked first, stamped, told as "recorded after
the fact", and held, recorded late (date, by whom) once its minutes and attendance are in."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import cpm, recording, services
from meetings.models import Meeting
from progress import compliance
from schoolplan.mail import send_queued
from schoolplan.models import OutboxEmail, Role, SchoolYear

from ..clock import YEAR, on
from ..factories import UserFactory, member
from ..meeting_helpers import at, schedule

pytestmark = pytest.mark.django_db

HELD_ON = on(11, 20)  # in the Kick Off window, which closed on 30 November
ENTERED_ON = on(12, 4)
STAMP = f"recorded late ({ENTERED_ON:%-d %b} {ENTERED_ON.year}, by Pat Principal)"


@pytest.fixture
def principal(school, school_year):
    user = UserFactory(first_name="Pat", last_name="Principal")
    member(Role.PRINCIPAL, school, user=user)
    return user


@pytest.fixture
def district_staff(school):
    return member(Role.DISTRICT_STAFF, school.district)


@pytest.fixture
def today(clock):
    clock.set(ENTERED_ON)
    return ENTERED_ON


def record_kick_off(school, principal, **options):
    return services.schedule_cpm_meeting(
        user=principal,
        school=school,
        stage="kick_off",
        starts_at=at(HELD_ON),
        ends_at=at(HELD_ON, 19, 30),
        place="Cafeteria",
        confirm_record_late=True,
        **options,
    )


def hold(meeting, user, families=12):
    recording.record_minutes(
        meeting,
        user=user,
        text="We shared the SPF results and set two goals.",
        family_attendees=families,
        mark_held=True,
    )
    meeting.refresh_from_db()
    return meeting


def requirements(school):
    year = SchoolYear.objects.get(district=school.district, start_year=YEAR)
    return {r.key: r for r in cpm.cpm_year(school, year, ENTERED_ON).requirements}


def test_a_past_date_is_asked_about_first_and_nothing_is_saved(school, principal, today):
    with pytest.raises(services.NeedsConfirmation) as asked:
        services.schedule_cpm_meeting(
            user=principal,
            school=school,
            stage="kick_off",
            starts_at=at(HELD_ON),
            ends_at=at(HELD_ON, 19, 30),
            place="Cafeteria",
        )
    assert asked.value.code == "confirm_record_late"
    assert "is past: this records a meeting already held" in asked.value.messages[0]
    assert not Meeting.objects.exists() and not OutboxEmail.objects.exists()


def test_a_recorded_meeting_is_stamped_and_the_district_told_recorded_not_scheduled(
    school, principal, district_staff, today
):
    meeting = record_kick_off(school, principal, title_i=True)
    assert meeting.recorded_late_at is not None and meeting.recorded_late_by == principal
    send_queued()
    subjects = {message.subject: message for message in mail.outbox}
    contact = subjects[f"CPM meeting recorded after the fact: Valdez Elementary – {meeting.title}"]
    assert contact.to == [school.district.cpm_contact_email]
    assert "recorded a CPM meeting after the fact" in contact.body
    assert STAMP in contact.body
    staff = subjects[f"Recorded late: {meeting.title} ({school.district})"]
    assert staff.to == [district_staff.email]
    assert "after the day it was held" in staff.body
    assert not any("scheduled" in subject for subject in subjects), "never 'scheduled'"


def test_a_missed_kick_off_stays_missed_until_the_record_is_held(school, principal, today):
    before = requirements(school)
    assert before["kick_off"].state == "missed" and before["title_i"].state == "due"

    meeting = record_kick_off(school, principal, title_i=True)
    waiting = requirements(school)
    kick_off = waiting["kick_off"]
    assert kick_off.state == "recorded_late"
    assert kick_off.kind == "missed", "not 'minutes due': a record proves nothing yet"
    assert kick_off.short == f"Recorded late ({HELD_ON:%-d %b}), minutes due"
    assert STAMP in kick_off.message and "window closed" in kick_off.message
    assert waiting["title_i"].state == "recorded_late" and waiting["title_i"].kind == "due"

    hold(meeting, principal)
    held = requirements(school)
    for key in ("kick_off", "title_i"):
        assert held[key].state == "met" and held[key].late == STAMP
        assert held[key].kind == "late", "held, but flagged: not held on time"
        assert held[key].short == f"Held {HELD_ON:%-d %b}, {STAMP}"


def test_the_dashboard_reads_the_same_states(school, principal, today):
    """The dashboard's bulk path (cpm_records) says what the CPM year page says."""
    meeting = record_kick_off(school, principal)
    year = SchoolYear.objects.get(district=school.district, start_year=YEAR)
    [row] = compliance.compute(school.district, year, ENTERED_ON)
    assert row.cells["kick_off"].text == f"Recorded late ({HELD_ON:%-d %b}), minutes due"
    assert row.cells["kick_off"].state == "missed"
    hold(meeting, principal)
    [row] = compliance.compute(school.district, year, ENTERED_ON)
    assert row.cells["kick_off"].text == f"Held {HELD_ON:%-d %b}, {STAMP}"
    assert row.cells["kick_off"].state == "late"


def test_a_late_record_needs_its_attendance_to_be_held(school, principal, today):
    meeting = record_kick_off(school, principal)
    with pytest.raises(ValidationError) as refused:
        hold(meeting, principal, families=0)
    assert "family_attendees" in refused.value.error_dict
    meeting.refresh_from_db()
    assert meeting.is_planned


def test_a_plan_that_has_passed_still_awaits_its_minutes_without_being_late(
    school, principal, today
):
    """Scheduled ahead, then passed: minutes due, not a late record (the rule is about when it
    was entered, not when it was held)."""
    meeting = schedule(school, principal, day=HELD_ON)
    assert meeting.recorded_late_at is None
    assert requirements(school)["kick_off"].state == "awaiting_minutes"


def test_a_plan_is_not_moved_into_the_past_nor_a_record_into_the_future(school, principal, today):
    plan = schedule(school, principal, stage="check_in", day=on(12, 10))
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(
            plan, user=principal, starts_at=at(on(12, 2)), ends_at=at(on(12, 2), 19)
        )
    assert "cannot be moved to a day already past" in refused.value.message_dict["date"][0]

    record = services.schedule_cpm_meeting(
        user=principal,
        school=school,
        stage="check_in",
        starts_at=at(on(12, 2)),
        ends_at=at(on(12, 2), 19),
        place="Library",
        confirm_repeat=True,
        confirm_record_late=True,
    )
    with pytest.raises(ValidationError) as refused:
        services.update_meeting(
            record, user=principal, starts_at=at(on(12, 9)), ends_at=at(on(12, 9), 19)
        )
    assert "recorded as already held" in refused.value.message_dict["date"][0]


def test_a_late_record_invites_nobody_by_e_mail(school, principal, today):
    record = record_kick_off(school, principal)
    teacher = member(Role.SCHOOL_STAFF, school)
    before = OutboxEmail.objects.count()
    services.invite(record, user=principal, people=[teacher])
    assert record.invitations.filter(user=teacher).exists(), "listed, for its attendance"
    assert OutboxEmail.objects.count() == before


def test_a_standalone_title_i_meeting_in_the_past_is_recorded_late(
    school, principal, district_staff, today
):
    with pytest.raises(services.NeedsConfirmation):
        services.schedule_title_i_meeting(
            user=principal,
            school=school,
            starts_at=at(on(10, 8)),
            ends_at=at(on(10, 8), 19),
            place="Library",
        )
    meeting = services.schedule_title_i_meeting(
        user=principal,
        school=school,
        starts_at=at(on(10, 8)),
        ends_at=at(on(10, 8), 19),
        place="Library",
        confirm_record_late=True,
    )
    assert meeting.recorded_late_by == principal
    assert OutboxEmail.objects.filter(to__icontains=district_staff.email).count() == 1
    assert requirements(school)["title_i"].state == "recorded_late"


def test_the_form_asks_keeps_what_was_typed_then_records(client, school, principal, today):
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    typed = {
        "stage": "kick_off",
        "title": "Our Kick Off with families",
        "date": HELD_ON.isoformat(),
        "start_time": "18:00",
        "end_time": "19:30",
        "place": "Cafeteria",
        "description": "What families heard: our SPF results and two goals.",
        "languages_offered": ["en", "es"],
    }
    asked = client.post(url, typed)
    assert asked.status_code == 200
    page = asked.content.decode()
    assert "this records a meeting already held" in page
    assert 'name="confirm_record_late"' in page and 'type="checkbox"' in page
    assert "What families heard: our SPF results and two goals." in page
    assert not Meeting.objects.exists()

    done = client.post(url, {**typed, "confirm_record_late": "on"}, follow=True)
    meeting = Meeting.objects.get()
    assert done.redirect_chain[-1][0] == meeting.get_absolute_url()
    page = done.content.decode()
    assert "is recorded, not scheduled" in page
    assert "Recorded after the fact." in page and STAMP in page
    assert "Invite people" not in page, "nobody is invited to a meeting already held"


def test_the_cpm_year_page_and_dashboard_say_held_recorded_late(
    client, school, principal, district_staff, today
):
    hold(record_kick_off(school, principal), principal)
    client.force_login(principal)
    page = client.get(reverse("cpm_year", args=[school.pk]), {"year": YEAR}).content.decode()
    assert "Held, recorded late" in page and STAMP in page
    client.force_login(district_staff)
    page = client.get(reverse("compliance", args=[school.district.pk]), {"year": YEAR})
    assert f"Held {HELD_ON:%-d %b}, {STAMP}" in page.content.decode()


def test_earlier_today_is_still_scheduling(school, principal, clock):
    """The unit is the day where the school is: this morning's meeting entered this afternoon
    is not late (its minutes are simply due)."""
    clock.set(at(ENTERED_ON, 15))
    meeting = services.schedule_cpm_meeting(
        user=principal,
        school=school,
        stage="check_in",
        starts_at=at(ENTERED_ON, 9),
        ends_at=at(ENTERED_ON, 10),
        place="Library",
    )
    assert meeting.recorded_late_at is None
