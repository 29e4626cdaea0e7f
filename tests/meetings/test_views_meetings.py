import pytest
from django.urls import reverse

from meetings import recording, services
from meetings.models import ActionItem, Meeting, Minutes
from schoolplan.models import Role

from ..clock import YEAR, on, year_name
from ..factories import SchoolYearFactory, member
from ..meeting_helpers import schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


@pytest.fixture
def meeting(school, principal):
    return schedule(school, principal)


def form_data(**changes):
    data = {
        "stage": "kick_off",
        "date": on(9, 15).isoformat(),
        "start_time": "18:00",
        "end_time": "19:30",
        "place": "School library",
        "languages_offered": ["en", "es"],
    }
    data.update(changes)
    return data


def test_principal_schedules_a_kick_off(client, clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    response = client.post(reverse("schedule_cpm", args=[school.pk]), form_data())
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == meeting.get_absolute_url()
    assert meeting.title == f"Kick Off community meeting {year_name()}"
    assert meeting.languages_offered == ["en", "es"]
    assert meeting.agenda_items.count() == 5


def test_december_date_shows_the_window_error(client, school, principal):
    client.force_login(principal)
    response = client.post(
        reverse("schedule_cpm", args=[school.pk]), form_data(date=on(12, 3).isoformat())
    )
    assert response.status_code == 200
    assert (
        f"A Kick Off meeting must fall in the Kick Off window, 1 Aug {YEAR} – 30 Nov {YEAR}; "
        f"3 Dec {YEAR} is outside it." in response.content.decode()
    )
    assert not Meeting.objects.exists()


def test_second_kick_off_asks_then_accepts_confirmation(client, clock, school, principal, meeting):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    response = client.post(url, form_data(date=on(10, 6).isoformat()))
    assert response.status_code == 200
    assert "already has a Kick Off this year" in response.content.decode()
    assert 'name="confirm_repeat"' in response.content.decode()
    assert Meeting.objects.count() == 1
    response = client.post(url, form_data(date=on(10, 6).isoformat(), confirm_repeat="on"))
    assert response.status_code == 302
    assert Meeting.objects.count() == 2


def test_end_before_start_is_refused(client, school, principal):
    client.force_login(principal)
    response = client.post(
        reverse("schedule_cpm", args=[school.pk]), form_data(start_time="19:00", end_time="18:00")
    )
    assert "The meeting must end after it starts." in response.content.decode()
    assert not Meeting.objects.exists()


def test_non_title_i_form_has_no_title_i_box(client, clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    school.title_i = False
    school.save()
    client.force_login(principal)
    response = client.get(reverse("schedule_cpm", args=[school.pk]))
    assert "counts_as_title_i_meeting" not in response.content.decode()
    response = client.post(
        reverse("schedule_cpm", args=[school.pk]), form_data(counts_as_title_i_meeting="on")
    )
    assert Meeting.objects.get().counts_as_title_i_meeting is False


def test_combined_meeting_warns_about_agenda_length(client, clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    response = client.post(
        reverse("schedule_cpm", args=[school.pk]),
        form_data(
            date=on(10, 28).isoformat(), counts_as_title_i_meeting="on", counts_as_spf_meeting="on"
        ),
        follow=True,
    )
    page = response.content.decode()
    assert "the audience may not get through them all in one meeting" in page
    assert "Combined meeting:" in page


# A cadre member does not even see the school's pages (cadre content only): 404, not 403.
@pytest.mark.parametrize(("role", "status"), [(Role.SCHOOL_STAFF, 403), (Role.CADRE_MEMBER, 404)])
def test_only_principals_schedule(client, school, school_year, role, status):
    client.force_login(member(role, school))
    assert client.get(reverse("schedule_cpm", args=[school.pk])).status_code == status
    url = reverse("schedule_cpm", args=[school.pk])
    assert client.post(url, form_data()).status_code == status
    assert not Meeting.objects.exists()


@pytest.mark.calendar
def test_teacher_records_minutes_but_cadre_member_cannot(client, clock, school, meeting):
    clock.set(on(9, 16))  # the day after the meeting
    # seed 004: a cadre member's account reaches cadre content only, not the CPM record.
    client.force_login(member(Role.CADRE_MEMBER, school))
    assert client.get(meeting.get_absolute_url()).status_code == 404
    url = reverse("minutes_edit", args=[meeting.pk])
    assert (
        client.post(url, {"text": "x", "family_attendees": 0, "community_attendees": 0}).status_code
        == 404
    )
    client.force_login(member(Role.SCHOOL_STAFF, school))
    response = client.post(
        url,
        {"text": "We met.", "family_attendees": 12, "community_attendees": 3, "mark_held": "on"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.family_attendees == 12
    assert Minutes.objects.get(meeting=meeting).text == "We met."


@pytest.mark.parametrize(
    ("role", "scope"), [(Role.PRINCIPAL, "other_school"), (Role.DISTRICT_STAFF, "other_district")]
)
def test_staff_of_another_school_get_404(client, meeting, other_school, role, scope):
    SchoolYearFactory(district=other_school.district)
    target = other_school if scope == "other_school" else other_school.district
    client.force_login(member(role, target))
    item = services.add_action_item(meeting, user=None, description="Call families")
    for name in ("meeting_detail", "meeting_edit", "meeting_cancel", "minutes_edit", "agenda_edit"):
        assert client.get(reverse(name, args=[meeting.pk])).status_code == 404, name
    assert client.post(reverse("action_add", args=[meeting.pk]), {}).status_code == 404
    assert (
        client.post(reverse("action_update", args=[item.pk]), {"status": "done"}).status_code == 404
    )
    assert client.get(reverse("cpm_year", args=[meeting.school.pk])).status_code == 404
    item.refresh_from_db()
    assert item.status == "open"


def test_sibling_school_principal_gets_404(client, meeting, district):
    from ..factories import SchoolFactory

    sibling = SchoolFactory(district=district)
    client.force_login(member(Role.PRINCIPAL, sibling))
    assert client.get(meeting.get_absolute_url()).status_code == 404


def test_action_items_on_the_meeting_page(client, school, principal, meeting):
    client.force_login(principal)
    url = reverse("action_add", args=[meeting.pk])
    response = client.post(
        url,
        {
            "action-description": "Translate the SPF summary",
            "action-owner": principal.pk,
            "action-due_on": on(10, 1).isoformat(),
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert item.owner == principal
    response = client.post(url, {"action-description": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert ActionItem.objects.count() == 1
    client.post(reverse("action_update", args=[item.pk]), {"status": "done", "note": "Sent"})
    item.refresh_from_db()
    assert item.status == "done"


@pytest.mark.calendar
def test_published_minutes_redirect_to_amendment(client, clock, school, principal, meeting):
    clock.set(on(9, 16))  # the day after the meeting
    recording.record_minutes(meeting, user=principal, text="Notes", mark_held=True)
    recording.publish_minutes(meeting, user=principal)
    client.force_login(principal)
    response = client.post(reverse("minutes_edit", args=[meeting.pk]), {"text": "Changed"})
    assert response.status_code == 302
    assert response.url == reverse("minutes_amend", args=[meeting.pk])
    assert Minutes.objects.get().text == "Notes"


def test_cancel_needs_confirmation_and_reason(client, principal, meeting):
    client.force_login(principal)
    url = reverse("meeting_cancel", args=[meeting.pk])
    response = client.post(url, {"reason": "Snow"})
    assert "Tick the box to confirm the cancellation." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.is_planned
    client.post(url, {"reason": "Snow", "confirm": "on"})
    meeting.refresh_from_db()
    assert meeting.is_cancelled and meeting.cancellation_reason == "Snow"


@pytest.mark.calendar
def test_cpm_year_page(client, clock, school, principal, meeting):
    clock.set(on(9, 1))  # the page shows the year around today
    client.force_login(principal)
    response = client.get(reverse("cpm_year", args=[school.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Kick Off CPM" in page and "Check In CPM" in page and "Wrap Up CPM" in page
    assert meeting.title in page


def test_school_meetings_list_queries_do_not_grow(
    client, school, principal, django_assert_max_num_queries
):
    client.force_login(principal)
    schedule(school, principal, "check_in", on(12, 10))
    url = reverse("school_meetings", args=[school.pk])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for day in (11, 12, 13, 14, 15, 16, 17, 18):
        schedule(school, principal, "check_in", on(1, day))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_home_shows_the_missing_kick_off(client, school, principal):
    from schoolplan.attention import cards_for

    cards = cards_for(principal, on(11, 22))
    texts = [item.title for item in cards[0].items]
    assert (
        f"{school.name}: schedule the Kick Off CPM meeting; its window closes on 30 Nov {YEAR} "
        "(8 days left)" in texts
    )


@pytest.mark.calendar
def test_meeting_page_flags_a_long_agenda_and_overdue_actions(client, clock, school, principal):
    clock.set(on(10, 20))  # the action was due on 1 October
    meeting = schedule(school, principal, day=on(10, 28), title_i=True, spf=True)
    assert meeting.agenda_too_long  # 105 minutes of suggested agenda in 90 minutes
    services.add_action_item(
        meeting, user=principal, description="Send the summary", due_on=on(10, 1)
    )
    client.force_login(principal)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "too long, shorten the agenda" in page
    assert "overdue" in page
    short = schedule(school, principal, "check_in", on(12, 10))
    assert not short.agenda_too_long


@pytest.mark.parametrize("posted", [["9" * 30], ["²"], ["1", "abc"]])
def test_ticked_people_that_are_not_ids_are_a_form_error(client, school, school_year, posted):
    """The invitation, attendance, co-leader, consensus and CIM team boxes: a 30-digit id was a
    500 on SQLite (the IN query overflowed); now it is the field's "not a valid value"."""
    from meetings.forms import InviteForm

    principal = member(Role.PRINCIPAL, school)
    meeting = schedule(school, principal)
    form = InviteForm({"people": posted}, meeting=meeting)
    assert not form.is_valid()
    assert "people" in form.errors
    client.force_login(principal)
    response = client.post(reverse("meeting_invite", args=[meeting.pk]), {"people": posted})
    assert response.status_code == 200


@pytest.mark.calendar
def test_minutes_saved_over_newer_minutes_are_refused_and_both_texts_shown(
    client, clock, school, principal, meeting
):
    """Two people on the minutes page: the second save names the version it loaded, is refused,
    keeps its text in the box and shows the first person's beside it; saving again keeps it."""
    clock.set(on(9, 16))  # the day after the meeting
    url = reverse("minutes_edit", args=[meeting.pk])
    client.force_login(principal)
    page = client.get(url).content.decode()
    assert 'name="version" value="0"' in page
    other = member(Role.SCHOOL_STAFF, school)
    recording.record_minutes(meeting, user=other, text="Ana's notes: the families asked about ELD.")
    mine = "Mine: twelve families came.\nWe agreed on three actions."
    posted = {"text": mine, "family_attendees": 12, "community_attendees": 0, "version": 0}
    response = client.post(url, posted)
    page = response.content.decode()
    assert response.status_code == 200
    assert Minutes.objects.get(meeting=meeting).text == "Ana's notes: the families asked about ELD."
    assert "Mine: twelve families came." in page and "We agreed on three actions." in page
    assert "the families asked about ELD." in page and other.display_name in page
    assert 'name="version" value="1"' in page
    # Saving again, now knowing theirs, keeps mine.
    response = client.post(url, {**posted, "version": 1})
    assert response.status_code == 302
    assert Minutes.objects.get(meeting=meeting).text == mine
    # A page that sends no version cannot overwrite minutes it never saw.
    response = client.post(
        url, {"text": "Blind save", "family_attendees": 0, "community_attendees": 0}
    )
    assert response.status_code == 200
    assert "Blind save" in response.content.decode()
    assert "Blind save" not in Minutes.objects.get(meeting=meeting).text


def test_the_form_warns_when_the_spf_meeting_cannot_count(client, clock, school, principal):
    """issue 23: a Kick Off ticked as the SPF meeting outside the SPF window is not claimed."""
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    response = client.post(url, form_data(counts_as_spf_meeting="on"), follow=True)
    page = response.content.decode()
    assert "It cannot count as the SPF meeting: the SPF sharing window is" in page
    inside = client.post(
        url,
        form_data(counts_as_spf_meeting="on", date=on(10, 28).isoformat(), confirm_repeat="on"),
        follow=True,
    )
    assert "It cannot count as the SPF meeting" not in inside.content.decode()
