"""The SAMI's high-leverage actions and the workshop pre-work (seed 002; issue 23): 2 to 4
actions marked in the SAMI note catcher, picked as the registration's pre-work (text or a file
for a SAMI done on paper), optional at registration, due the day before the session, a reminder
two days before it while missing, and what the district sees."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings import prework as prework_rules
from meetings import sami as sami_rules
from meetings.models import WorkshopRegistration
from schoolplan import deadlines, reminders
from schoolplan.models import Reminder, Role

from ..clock import moment, on
from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from ..sami_helpers import (
    SESSION_DAY,
    register_without_prework,
    sami_with_items,
    series_with_session,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")  # DOMAIN.md: the workshops come from Des Moines


@pytest.fixture
def world(clock):
    clock.set(moment(on(3, 1), "10:00", CHICAGO))
    district = DistrictFactory(name="Des Moines", time_zone="America/Chicago")
    year = SchoolYearFactory(district=district, start_year=on(9, 1).year)
    school = SchoolFactory(district=district, name="Hubbell Elementary")
    principal = member(Role.PRINCIPAL, school)
    staff = member(Role.DISTRICT_STAFF, district)
    sami, items = sami_with_items(school, year, principal)
    series = series_with_session(district, year, staff)
    return {
        "district": district,
        "year": year,
        "school": school,
        "principal": principal,
        "staff": staff,
        "sami": sami,
        "items": items,
        "series": series,
    }


# --- Marking 2 to 4 high-leverage actions in the SAMI ----------------------------------------


@pytest.mark.parametrize("count", [0, 1, 5])
def test_marking_needs_two_to_four_high_leverage_actions(world, count):
    sami, items = world["sami"], world["items"]
    version = sami.high_leverage_version
    with pytest.raises(ValidationError, match=f"Choose 2 to 4 .* you chose {count}"):
        sami_rules.mark_high_leverage(
            sami, items=items[:count], user=world["principal"], expected_version=version
        )
    assert [i.name for i in sami.high_leverage_actions()] == [i.name for i in items[:3]]


def test_marking_four_replaces_the_marked_ones(world):
    sami, items = world["sami"], world["items"]
    sami_rules.mark_high_leverage(
        sami, items=items[1:5], user=world["principal"], expected_version=2
    )
    assert list(sami.high_leverage_actions()) == items[1:5]


def test_marking_refuses_another_schools_items(world):
    other = SchoolFactory(district=world["district"])
    _other_sami, other_items = sami_with_items(other, world["year"], member(Role.PRINCIPAL, other))
    with pytest.raises(ValidationError, match="items of this SAMI"):
        sami_rules.mark_high_leverage(
            world["sami"],
            items=[world["items"][0], other_items[0]],
            user=world["principal"],
            expected_version=2,
        )


def test_the_page_refuses_a_wrong_count_showing_the_ticks(client, world):
    client.force_login(world["principal"])
    one = world["items"][3]
    response = client.post(
        reverse("sami", args=[world["sami"].pk]), {"items": [one.pk], "expected_version": 2}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Choose 2 to 4 high-leverage actions" in page
    assert f'value="{one.pk}"' in page and "checked" in page
    assert not world["sami"].items.get(pk=one.pk).high_leverage


def test_a_stale_marking_is_refused_showing_both(client, world):
    colleague = member(Role.SCHOOL_STAFF, world["school"])
    items = world["items"]
    sami_rules.mark_high_leverage(
        world["sami"], items=items[3:5], user=colleague, expected_version=2
    )
    client.force_login(world["principal"])
    response = client.post(
        reverse("sami", args=[world["sami"].pk]),
        {"items": [i.pk for i in items[:2]], "expected_version": 2},
    )
    page = response.content.decode()
    assert "after you opened the page" in page
    assert "Family partnership; Assessment" in page  # theirs, beside the boxes with mine
    assert list(world["sami"].high_leverage_actions()) == items[3:5]
    # Having seen theirs, saving again is the person's choice.
    again = client.post(
        reverse("sami", args=[world["sami"].pk]),
        {"items": [i.pk for i in items[:2]], "expected_version": 3},
    )
    assert again.status_code == 302
    assert list(world["sami"].high_leverage_actions()) == items[:2]
    # The marking is kept in the SAMI's history, like its other changes.
    change = world["sami"].changes.filter(object_kind="high-leverage actions").first()
    assert change.by == world["principal"]
    assert change.changes["High-leverage actions"] == [
        "Family partnership; Assessment",
        "Universal tier; Data-based decisions",
    ]
    history = client.get(reverse("doc_history", kwargs={"doc": "sami", "pk": world["sami"].pk}))
    assert "High-leverage actions" in history.content.decode()


# --- The pre-work: optional at registration, due the day before the session --------------------


def test_registration_no_longer_needs_the_prework_and_shows_it_due(client, world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    assert prework_rules.prework_due_on(registration) == SESSION_DAY - timedelta(days=1)
    client.force_login(world["principal"])
    page = client.get(registration.get_absolute_url()).content.decode()
    due = SESSION_DAY - timedelta(days=1)
    assert f"Due by {due:%A} {due.day} {due:%B %Y}" in page
    assert reverse("workshop_prework", args=[registration.pk]) in page


def test_the_prework_is_picked_from_the_sami(client, world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    client.force_login(world["principal"])
    url = reverse("workshop_prework", args=[registration.pk])
    page = client.get(url).content.decode()
    for item in world["items"][:3]:  # the marked actions are offered, ticked
        assert item.name in page
    assert world["items"][3].name not in page
    response = client.post(
        url, {"actions": [i.pk for i in world["items"][:3]], "expected_version": 1}
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert list(registration.prework_actions.order_by("pk")) == world["items"][:3]
    assert registration.prework_by == world["principal"]
    page = client.get(registration.get_absolute_url()).content.decode()
    assert "Due by" not in page and "Universal tier" in page


def test_the_prework_needs_two_to_four_actions(world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    with pytest.raises(ValidationError, match="Choose 2 to 4"):
        prework_rules.give_prework(
            registration,
            user=world["principal"],
            expected_version=1,
            actions=world["items"][:1],
        )
    with pytest.raises(ValidationError, match="or type them or attach them"):
        prework_rules.give_prework(registration, user=world["principal"], expected_version=1)
    registration.refresh_from_db()
    assert not registration.prework_actions.exists() and registration.prework_version == 1


def test_the_prework_refuses_another_schools_sami_items(client, world):
    other = SchoolFactory(district=world["district"])
    _sami, other_items = sami_with_items(other, world["year"], member(Role.PRINCIPAL, other))
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    with pytest.raises(ValidationError, match="your school's SAMI"):
        prework_rules.give_prework(
            registration,
            user=world["principal"],
            expected_version=1,
            actions=[world["items"][0], other_items[0]],
        )
    client.force_login(world["principal"])  # the page offers only the school's own
    response = client.post(
        reverse("workshop_prework", args=[registration.pk]),
        {"actions": [world["items"][0].pk, other_items[0].pk], "expected_version": 1},
    )
    assert response.status_code == 200 and not registration.prework_actions.exists()


def test_text_or_a_file_stand_in_for_a_sami_done_on_paper(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    client.force_login(world["principal"])
    url = reverse("workshop_prework", args=[registration.pk])
    bad = client.post(
        url,
        {
            "prework": "1. Walkthroughs",
            "prework_file": SimpleUploadedFile("run.exe", b"x"),
            "expected_version": 1,
        },
    )
    page = bad.content.decode()
    assert "Attach a PDF, Word" in page and "1. Walkthroughs" in page  # typed text kept
    upload = SimpleUploadedFile("sami-actions.txt", b"1. Walkthroughs\n2. Math talk\n")
    response = client.post(url, {"prework_file": upload, "expected_version": 1})
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.prework_file_name.startswith("sami-actions")


def test_the_prework_closes_when_the_session_starts(world, clock):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    clock.set(moment(SESSION_DAY, "15:15", CHICAGO))
    with pytest.raises(ValidationError, match="The session has begun"):
        prework_rules.give_prework(
            registration,
            user=world["principal"],
            expected_version=1,
            actions=world["items"][:2],
        )


def test_a_stale_prework_save_is_refused_showing_both(client, world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    colleague = member(Role.SCHOOL_STAFF, world["school"])
    prework_rules.give_prework(
        registration, user=colleague, expected_version=1, prework="Their three actions"
    )
    client.force_login(world["principal"])
    response = client.post(
        reverse("workshop_prework", args=[registration.pk]),
        {"prework": "My two actions", "expected_version": 1},
    )
    page = response.content.decode()
    assert "after you opened the page" in page
    assert "Their three actions" in page and "My two actions" in page
    registration.refresh_from_db()
    assert registration.prework == "Their three actions"


def test_who_may_give_the_prework(client, world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    url = reverse("workshop_prework", args=[registration.pk])
    client.force_login(member(Role.SCHOOL_STAFF, world["school"]))
    assert client.get(url).status_code == 200
    client.force_login(world["staff"])  # the district reads it on the registration, not here
    assert client.get(url).status_code == 403
    other = SchoolFactory(district=world["district"])
    client.force_login(member(Role.PRINCIPAL, other))
    assert client.post(url, {"prework": "x", "expected_version": 1}).status_code == 404
    registration.refresh_from_db()
    assert registration.prework == ""


# --- The reminder two days before the session --------------------------------------------------


@pytest.mark.calendar
def test_a_reminder_two_days_before_the_session_while_the_prework_is_missing(world):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    teacher = member(Role.SCHOOL_STAFF, world["school"])

    def found(day):
        return [d for d in deadlines.collect(day) if d.rule == "workshop-prework"]

    assert not found(SESSION_DAY - timedelta(days=3))
    [deadline] = found(SESSION_DAY - timedelta(days=2))
    assert deadline.occasion == f"prework-{registration.pk}-2d"
    assert sorted(deadline.recipients) == sorted([world["principal"].pk, teacher.pk])
    assert deadline.due_on == SESSION_DAY - timedelta(days=1)
    prework_rules.give_prework(
        registration, user=teacher, expected_version=1, actions=world["items"][:3]
    )
    assert not found(SESSION_DAY - timedelta(days=2))


@pytest.mark.calendar
def test_the_reminder_goes_once_on_the_districts_day(
    world, clock, eager_celery, django_capture_on_commit_callbacks
):
    register_without_prework(world["series"], world["school"], world["principal"])
    # 23:00 in Des Moines three days before: already two days before in UTC, not there.
    clock.set(moment(SESSION_DAY - timedelta(days=3), "23:00", CHICAGO))
    with django_capture_on_commit_callbacks(execute=True):
        reminders.sweep()
    assert not Reminder.objects.filter(rule="workshop-prework").exists()
    clock.set(moment(SESSION_DAY - timedelta(days=2), "08:00", CHICAGO))
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.sweep()
    assert Reminder.objects.filter(rule="workshop-prework").count() == 1
    [message] = [m for m in mail.outbox if "pre-work" in m.subject]
    assert world["principal"].email in message.to


# --- What the district sees -------------------------------------------------------------------


def test_the_district_sees_the_prework_on_the_registration_list(
    client, world, django_assert_max_num_queries
):
    registration = register_without_prework(world["series"], world["school"], world["principal"])
    prework_rules.give_prework(
        registration, user=world["principal"], expected_version=1, actions=world["items"][:3]
    )
    client.force_login(world["staff"])
    url = reverse("workshop_series", args=[world["series"].pk])
    page = client.get(url).content.decode()
    for item in world["items"][:3]:
        assert item.name in page
    missing = SchoolFactory(district=world["district"])
    register_without_prework(world["series"], missing, member(Role.PRINCIPAL, missing))
    assert "Missing" in client.get(url).content.decode()
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(6):  # more schools with pre-work: no more queries
        school = SchoolFactory(district=world["district"])
        principal = member(Role.PRINCIPAL, school)
        _sami, items = sami_with_items(school, world["year"], principal)
        more = register_without_prework(world["series"], school, principal)
        prework_rules.give_prework(more, user=principal, expected_version=1, actions=items[:2])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    assert WorkshopRegistration.objects.count() == 8
