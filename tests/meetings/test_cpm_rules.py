import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from meetings import cpm, services
from meetings.models import AgendaItem, Meeting, MeetingStatus, MeetingType
from schoolplan.models import Role

from ..clock import YEAR, on, year_name
from ..factories import SchoolFactory, member
from ..meeting_helpers import LA, at, schedule

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


@pytest.mark.parametrize(
    ("stage", "day"),
    [
        ("kick_off", on(8, 1)),
        ("kick_off", on(11, 30)),
        ("check_in", on(12, 1)),
        ("check_in", on(3, 31)),
        ("wrap_up", on(4, 1)),
        ("wrap_up", on(6, 30)),
    ],
)
def test_edges_of_each_window_are_accepted(school, principal, stage, day):
    meeting = schedule(school, principal, stage, day)
    assert meeting.cpm_stage == stage
    assert meeting.school_year.start_year == YEAR


def _day(value):
    return f"{value.day} {value:%b %Y}"  # "1 Aug 2026", as the messages write a date


@pytest.mark.parametrize(
    ("stage", "day", "window"),
    [
        ("kick_off", on(12, 1), ("Kick Off", on(8, 1), on(11, 30))),
        ("kick_off", on(7, 31), ("Kick Off", on(8, 1), on(11, 30))),
        ("check_in", on(11, 30), ("Check In", on(12, 1), on(3, 31))),
        ("wrap_up", on(3, 31), ("Wrap Up", on(4, 1), on(6, 30))),
    ],
)
def test_date_outside_its_window_is_refused_naming_the_window(
    school, principal, stage, day, window
):
    label, opens, closes = window
    with pytest.raises(ValidationError) as error:
        schedule(school, principal, stage, day)
    assert error.value.messages == [
        f"A {label} meeting must fall in the {label} window, {_day(opens)} – {_day(closes)}; "
        f"{_day(day)} is outside it."
    ]
    assert not school.meetings.exists()


def test_window_is_judged_in_the_districts_time_zone(clock, school, principal):
    clock.set(on(11, 1))  # scheduled ahead (a past date would record the meeting late)
    # 11:30 PM on Nov 30 in California is Dec 1 in UTC: still the Kick Off window.
    meeting = services.schedule_cpm_meeting(
        user=principal,
        school=school,
        stage="kick_off",
        starts_at=at(on(11, 30), 23, 0),
        ends_at=at(on(11, 30), 23, 30),
        place="Gym",
    )
    assert meeting.local_date == on(11, 30)


def test_june_30_in_the_next_school_year_has_no_year(school, principal):
    with pytest.raises(ValidationError) as error:
        schedule(school, principal, "kick_off", on(8, 15, start_year=YEAR + 1))
    assert f"has not set up the school year {year_name(YEAR + 1)}" in error.value.messages[0]


def test_a_district_may_move_a_window(school, school_year, principal):
    school_year.kick_off_closes = on(10, 31)
    school_year.check_in_opens = on(11, 1)
    school_year.save()
    with pytest.raises(ValidationError):
        schedule(school, principal, "kick_off", on(11, 15))
    assert schedule(school, principal, "check_in", on(11, 15)).cpm_stage == "check_in"


def test_second_kick_off_needs_confirmation(school, principal):
    schedule(school, principal)
    with pytest.raises(services.NeedsConfirmation) as error:
        schedule(school, principal, day=on(10, 1))
    assert "already has a Kick Off this year" in error.value.messages[0]
    schedule(school, principal, day=on(10, 1), confirm_repeat=True)
    assert school.meetings.count() == 2


def test_a_second_check_in_on_the_same_day_needs_confirmation(school, principal):
    """issue 23: like a second Kick Off; another day's Check In is simply another meeting."""
    schedule(school, principal, "check_in", on(12, 10))
    schedule(school, principal, "check_in", on(1, 14))
    with pytest.raises(services.NeedsConfirmation) as error:
        schedule(school, principal, "check_in", on(12, 10))
    assert "already has a Check In on that day" in error.value.messages[0]
    schedule(school, principal, "check_in", on(12, 10), confirm_repeat=True)
    assert school.meetings.count() == 3


def test_a_cancelled_kick_off_does_not_count_as_the_first(school, principal):
    first = schedule(school, principal)
    services.cancel_meeting(first, user=principal, reason="Fire drill")
    schedule(school, principal, day=on(10, 1))  # no confirmation needed


def test_second_check_in_needs_no_confirmation(school, principal):
    schedule(school, principal, "check_in", on(12, 10))
    schedule(school, principal, "check_in", on(2, 10))


def test_kick_off_agenda_covers_spf_results_and_goals(school, principal):
    meeting = schedule(school, principal)
    titles = list(meeting.agenda_items.values_list("title", flat=True))
    assert any("SPF results" in t for t in titles)
    assert any("goals" in t for t in titles)
    assert list(meeting.agenda_items.values_list("position", flat=True)) == [1, 2, 3, 4, 5]


def test_check_in_agenda_lists_the_kick_off_goals(school, principal):
    kick_off = schedule(school, principal)
    services.add_goal(kick_off, user=principal, text="80% attendance every month")
    services.add_goal(kick_off, user=principal, text="Double family attendance at CPM")
    check_in = schedule(school, principal, "check_in", on(12, 10))
    titles = list(check_in.agenda_items.values_list("title", flat=True))
    assert "Progress toward our goal: 80% attendance every month" in titles
    assert "Progress toward our goal: Double family attendance at CPM" in titles


def test_wrap_up_agenda_is_about_the_years_progress(school, principal):
    meeting = schedule(school, principal, "wrap_up", on(5, 20))
    titles = " ".join(meeting.agenda_items.values_list("title", flat=True))
    assert "The year's progress toward our goals" in titles
    assert "keep reaching toward the goals" in titles


def test_title_i_school_combines_kick_off_with_title_i_and_spf(school, principal):
    meeting = schedule(school, principal, day=on(10, 28), title_i=True, spf=True)
    assert meeting.combined_requirements == [
        "Kick Off CPM",
        "Title I annual parent meeting",
        "SPF meeting",
    ]
    assert AgendaItem.objects.filter(meeting=meeting, title__startswith="Title I annual").exists()
    meeting.status = MeetingStatus.HELD
    meeting.save()
    glance = cpm.cpm_year(school, meeting.school_year, on(11, 22))
    states = {r.key: r.state for r in glance.requirements}
    assert states["kick_off"] == "met"
    assert states["title_i"] == "met"
    assert states["spf"] == "met"


def test_combined_spf_meeting_outside_the_sharing_window_does_not_count_for_it(school, principal):
    meeting = schedule(school, principal, day=on(9, 15), spf=True)
    meeting.status = MeetingStatus.HELD
    meeting.save()
    glance = cpm.cpm_year(school, meeting.school_year, on(11, 22))
    states = {r.key: r.state for r in glance.requirements}
    assert states["kick_off"] == "met"
    assert states["spf"] == "missed"


def test_non_title_i_school_cannot_claim_the_title_i_meeting(district, school_year):
    school = SchoolFactory(district=district, title_i=False)
    principal = member(Role.PRINCIPAL, school)
    with pytest.raises(ValidationError) as error:
        schedule(school, principal, title_i=True)
    assert "is not a Title I school" in error.value.messages[0]
    glance = cpm.cpm_year(school, school_year, on(11, 22))
    assert "title_i" not in {r.key for r in glance.requirements}


def test_only_a_kick_off_is_combined(school, principal):
    with pytest.raises(ValidationError) as error:
        schedule(school, principal, "check_in", on(12, 10), spf=True)
    assert "Only a Kick Off can be combined" in error.value.messages[0]


def test_year_at_a_glance_states(school, school_year, principal):
    today = on(11, 22)
    glance = cpm.cpm_year(school, school_year, today)
    states = {r.key: r.state for r in glance.requirements}
    assert states == {
        "kick_off": "due",
        "check_in": "upcoming",
        "wrap_up": "upcoming",
        "spf": "missed",
        "title_i": "due",
    }
    assert glance.next_step.key == "kick_off"  # the missed SPF window cannot be fixed now
    schedule(school, principal, day=on(11, 25))
    glance = cpm.cpm_year(school, school_year, today)
    assert glance.requirements[0].state == "scheduled"
    later = cpm.cpm_year(school, school_year, on(12, 2))
    assert later.requirements[0].state == "awaiting_minutes"
    assert "record its minutes" in later.requirements[0].message


def test_missed_window_when_nothing_was_held(school, school_year):
    glance = cpm.cpm_year(school, school_year, on(12, 5))
    kick_off = glance.requirements[0]
    assert kick_off.state == "missed"
    assert kick_off.message == (
        f"The Kick Off window closed on {_day(on(11, 30))} with no meeting held. "
        "Set the year's goals with families at the Check In instead."  # issue 23: what next
    )
    title_i = next(r for r in glance.requirements if r.key == "title_i")
    assert title_i.state == "due" and "on its own any day of the school year" in title_i.message


def test_time_zone_constant_matches_settings(settings):
    assert str(LA) == settings.TIME_ZONE


def test_the_next_step_is_a_check_in_ahead_not_the_wrap_up(school, school_year, principal):
    """issue 23: the banner does not jump to the Wrap Up before the Check In has happened."""
    school.title_i = False
    school.save()
    kick_off = schedule(school, principal, day=on(9, 15))
    kick_off.status = MeetingStatus.HELD
    kick_off.save()
    schedule(school, principal, "check_in", on(12, 10))

    glance = cpm.cpm_year(school, school_year, on(12, 4))

    states = {r.key: r.state for r in glance.requirements}
    assert (states["check_in"], states["wrap_up"]) == ("scheduled", "upcoming")
    assert glance.next_step.key == "check_in"


def test_no_link_to_schedule_a_meeting_whose_window_has_closed(
    client, school, school_year, principal, clock
):
    """issue 23: "Schedule another Kick Off" after its window would only be refused."""
    kick_off = schedule(school, principal, day=on(9, 15))
    kick_off.status = MeetingStatus.HELD
    kick_off.save()
    client.force_login(principal)
    url = f"/schools/{school.pk}/cpm/"
    clock.set(on(11, 20))
    assert "Schedule another Kick Off" in client.get(url).content.decode()
    clock.set(on(12, 4))
    page = client.get(url).content.decode()
    assert "Schedule another Kick Off" not in page
    assert "Schedule the Check In" in page or "Schedule Check In" in page


def test_a_title_i_school_holds_its_annual_meeting_on_its_own(
    client, school, school_year, principal, clock
):
    """seed 000 / issue 23: after a missed Kick Off, the Title I meeting on its own; it counts."""
    clock.set(on(12, 5))
    client.force_login(principal)
    year_page = client.get(f"/schools/{school.pk}/cpm/").content.decode()
    assert "Schedule the Title I annual parent meeting" in year_page
    url = reverse("schedule_title_i", args=[school.pk])
    form = client.get(url).content.decode()
    token = re.search(r'name="submission" value="([0-9a-f]+)"', form).group(1)
    data = {
        "date": on(1, 20).isoformat(),
        "start_time": "18:00",
        "end_time": "19:00",
        "place": "Library",
        "languages_offered": ["en", "es"],
        "submission": token,
    }
    response = client.post(url, data)
    meeting = Meeting.objects.get(meeting_type=MeetingType.TITLE_I_PARENT)
    assert response.url == meeting.get_absolute_url()
    assert meeting.title == f"Title I annual parent meeting {year_name()}"
    assert meeting.is_for_families
    assert client.post(url, data).url == meeting.get_absolute_url(), "sent twice: once"
    glance = cpm.cpm_year(school, school_year, on(12, 5))
    assert next(r for r in glance.requirements if r.key == "title_i").state == "scheduled"
    # A second one is asked about first.
    with pytest.raises(services.NeedsConfirmation, match="already has its Title I annual"):
        services.schedule_title_i_meeting(
            user=principal, school=school, starts_at=at(on(2, 3)), ends_at=at(on(2, 3), 19)
        )


def test_only_a_title_i_school_and_its_managers_schedule_one(client, school, principal):
    url = reverse("schedule_title_i", args=[school.pk])
    client.force_login(member(Role.SCHOOL_STAFF, school))
    assert client.get(url).status_code in (403, 404)
    school.title_i = False
    school.save()
    client.force_login(principal)
    assert client.get(url).status_code == 404
    with pytest.raises(ValidationError, match="not a Title I school"):
        services.schedule_title_i_meeting(
            user=principal, school=school, starts_at=at(on(2, 3)), ends_at=at(on(2, 3), 19)
        )
