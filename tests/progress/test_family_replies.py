"""Families answer a community meeting without an account (issue 22, "RSVP"): the form, its
guards against abuse, the private link, what the school sees and when contacts are forgotten."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from meetings.models import MeetingStatus, MeetingType
from progress import replies
from progress.models import FamilyReply
from schoolplan.models import OutboxEmail, Role

from ..clock import on
from ..factories import SchoolFactory, SchoolYearFactory, member
from ..meeting_helpers import check_in

pytestmark = pytest.mark.django_db

TODAY = on(12, 4)
MEETING_DAY = TODAY + timedelta(days=10)


@pytest.fixture
def meeting(school, clock):
    clock.set(TODAY)
    school.family_languages = ["en", "es", "vi", "ar"]
    school.save()
    year = SchoolYearFactory(district=school.district)
    return check_in(school, year, MEETING_DAY)


def _url(meeting, language="en"):
    slug = meeting.school.public_slug
    if language == "en":
        return reverse("family_reply", args=[slug, meeting.pk])
    return reverse("family_reply_in", args=[slug, language, meeting.pk])


def _answer(**changes):
    answer = {
        "coming": "yes",
        "adults": "2",
        "children": "3",
        "interpretation": "vi",
        "childcare": "on",
        "name": "Nguyen family",
        "email": "family@example.org",
        "phone": "",
        "website": "",
    }
    answer.update(changes)
    return {key: value for key, value in answer.items() if value is not None}


def _send(client, meeting, clock, language="en", wait=5, address="203.0.113.7", **changes):
    """Open the form, take wait seconds to fill it in, send it."""
    page = client.get(_url(meeting, language))
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.content.decode()).group(1)
    clock.advance(seconds=wait)
    return client.post(
        _url(meeting, language), {**_answer(**changes), "stamp": stamp}, REMOTE_ADDR=address
    )


def _change_link(response):
    return re.search(r'href="(http[^"]+/replies/[^"/]+/)"', response.content.decode()).group(1)


def test_a_family_answers_without_an_account_or_a_cookie(client, meeting, clock):
    page = client.get(_url(meeting))
    assert page.status_code == 200
    assert not page.cookies, "no cookie for a family's answer"
    assert "no-store" in page["Cache-Control"]
    assert "Check In for families" in page.content.decode()

    response = _send(client, meeting, clock)

    assert response.status_code == 200
    assert not response.cookies
    reply = FamilyReply.objects.get()
    assert (reply.coming, reply.adults, reply.children) == (True, 2, 3)
    assert (reply.interpretation, reply.childcare, reply.language) == ("vi", True, "en")
    assert reply.name == "Nguyen family" and reply.email == "family@example.org"
    link = _change_link(response)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in reply.token_hash, "only the token's hash is kept"
    mail = OutboxEmail.objects.get()
    assert mail.to == ["family@example.org"] and link in mail.body


def test_the_answer_and_its_email_are_in_the_page_language(client, meeting, clock):
    response = _send(client, meeting, clock, language="es")

    page = response.content.decode()
    assert "Gracias" in page and '<html lang="es"' in page
    link = _change_link(response)
    assert "/es/replies/" in link
    mail = OutboxEmail.objects.get()
    assert "Gracias por su respuesta" in mail.body and link in mail.body
    assert "diciembre" in mail.body or "enero" in mail.body


def test_not_coming_counts_nobody(client, meeting, clock):
    _send(client, meeting, clock, coming="no", adults="5", children="9", childcare="on")

    reply = FamilyReply.objects.get()
    assert (reply.coming, reply.adults, reply.children, reply.childcare) == (False, 0, 0, False)
    counts = replies.counts_for(meeting)
    assert (counts.families_not_coming, counts.expected) == (1, 0)


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"adults": "9"}, "adults", "at most 8 adults"),
        ({"children": "11"}, "children", "at most 10 children"),
        ({"adults": "0", "children": "2"}, "adults", "At least one adult"),
        ({"adults": "two"}, "adults", "whole number"),
        ({"coming": None}, "coming", "Tell us whether you will come"),
        ({"email": "not-an-address"}, "email", "name@example.com"),
        ({"phone": "call me maybe"}, "phone", "phone number"),
        ({"interpretation": "zz"}, "interpretation", "valid choice"),
        ({"name": "x" * 101}, "name", "at most 100"),
    ],
)
def test_bad_answers_are_refused_with_what_was_typed_kept(
    client, meeting, clock, changes, field, message
):
    response = _send(client, meeting, clock, **changes)

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert FamilyReply.objects.count() == 0 and OutboxEmail.objects.count() == 0
    assert 'value="Nguyen family"' in page or field == "name"
    assert 'value="family@example.org"' in page or field == "email"


def test_a_field_only_robots_fill_in_keeps_nothing(client, meeting, clock):
    response = _send(client, meeting, clock, website="http://spam.example")

    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert "/replies/" not in response.content.decode()
    assert FamilyReply.objects.count() == 0 and OutboxEmail.objects.count() == 0


def test_a_form_sent_faster_than_a_person_reads_is_refused(client, meeting, clock):
    response = _send(client, meeting, clock, wait=1)

    assert "Please check your answer, then send it again." in response.content.decode()
    assert FamilyReply.objects.count() == 0
    # Sent again from the page shown back (a fresh stamp), after a moment: kept.
    stamp = re.search(r'name="stamp" value="([^"]+)"', response.content.decode()).group(1)
    clock.advance(seconds=5)
    again = client.post(_url(meeting), {**_answer(), "stamp": stamp})
    assert "/replies/" in again.content.decode()
    assert FamilyReply.objects.count() == 1


@pytest.mark.parametrize("stamp", ["", "forged", "eyJhdCI6MH0:abc:def"])
def test_a_form_without_a_true_stamp_is_refused(client, meeting, clock, stamp):
    clock.advance(seconds=10)
    response = client.post(_url(meeting), {**_answer(), "stamp": stamp})

    assert "Please check your answer" in response.content.decode()
    assert FamilyReply.objects.count() == 0


def test_a_form_sent_twice_answers_once(client, meeting, clock):
    page = client.get(_url(meeting))
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.content.decode()).group(1)
    clock.advance(seconds=5)
    client.post(_url(meeting), {**_answer(), "stamp": stamp})
    again = client.post(_url(meeting), {**_answer(), "stamp": stamp})  # a reload

    assert "already have this answer" in again.content.decode()
    assert "/replies/" not in again.content.decode()
    assert FamilyReply.objects.count() == 1


def test_one_network_sends_at_most_the_limit_in_an_hour(client, meeting, clock):
    for _ in range(replies.REPLIES_PER_ADDRESS):
        assert _send(client, meeting, clock, address="198.51.100.9").status_code == 200

    refused = _send(client, meeting, clock, address="198.51.100.9", name="One too many")

    assert refused.status_code == 429
    assert "Too many answers" in refused.content.decode()
    assert 'value="One too many"' in refused.content.decode()
    assert FamilyReply.objects.count() == replies.REPLIES_PER_ADDRESS
    # Another network is not held back.
    assert _send(client, meeting, clock, address="192.0.2.1").status_code == 200


def test_the_private_link_changes_and_withdraws_the_answer(client, meeting, clock):
    link = _change_link(_send(client, meeting, clock))

    page = client.get(link)
    assert page.status_code == 200 and 'value="Nguyen family"' in page.content.decode()
    changed = client.post(
        link, {**_answer(adults="1", children="0", childcare=""), "action": "save"}
    )
    assert "Your answer is changed" in changed.content.decode()
    reply = FamilyReply.objects.get()
    assert (reply.adults, reply.children, reply.childcare) == (1, 0, False)

    confirm = client.post(link, {"action": "withdraw"})
    assert "Withdraw your answer?" in confirm.content.decode()
    reply.refresh_from_db()
    assert reply.withdrawn_at is None, "asked first"
    client.post(link, {"action": "withdraw-confirmed"})
    reply.refresh_from_db()
    assert reply.withdrawn_at is not None
    assert replies.counts_for(meeting).answers == 0

    client.post(link, {**_answer(), "action": "save"})
    reply.refresh_from_db()
    assert reply.withdrawn_at is None and replies.counts_for(meeting).families_coming == 1


def test_a_private_link_works_only_for_its_school_and_token(client, meeting, clock):
    link = _change_link(_send(client, meeting, clock))
    other = SchoolFactory(district=meeting.district)

    assert (
        client.get(link.replace(meeting.school.public_slug, other.public_slug)).status_code == 404
    )
    assert client.get(link.rstrip("/") + "x/").status_code == 404


def test_meetings_families_are_not_invited_to_take_no_answers(client, meeting, clock):
    meeting.meeting_type = MeetingType.CIM_REVIEW
    meeting.save()
    assert client.get(_url(meeting)).status_code == 404


@pytest.mark.parametrize("why", ["cancelled", "over"])
def test_a_cancelled_or_past_meeting_takes_no_more_answers(client, meeting, clock, why):
    link = _change_link(_send(client, meeting, clock))
    if why == "cancelled":
        meeting.status = MeetingStatus.CANCELLED
        meeting.save()
    else:
        clock.set(MEETING_DAY + timedelta(days=1))

    assert client.get(_url(meeting)).status_code == 410
    clock.advance(seconds=10)
    client.post(_url(meeting), _answer())
    assert FamilyReply.objects.count() == 1
    closed = client.get(link)
    assert "takes no more answers" in closed.content.decode()
    client.post(link, {**_answer(adults="5"), "action": "save"})
    assert FamilyReply.objects.get().adults == 2


def _reply(meeting, **fields):
    now = meeting.starts_at - timedelta(days=3)
    values = {"coming": True, "adults": 1, "language": "en", "created_at": now, "updated_at": now}
    return FamilyReply.objects.create(meeting=meeting, **{**values, **fields})


def test_the_counts_feed_attendance_and_interpretation_planning(meeting):
    _reply(meeting, adults=2, children=2, interpretation="es", childcare=True, token_hash="a")
    _reply(meeting, adults=1, children=1, interpretation="vi", token_hash="b")
    _reply(meeting, adults=1, interpretation="vi", childcare=True, token_hash="c")
    _reply(meeting, coming=False, adults=0, token_hash="d")
    _reply(meeting, adults=3, withdrawn_at=meeting.starts_at, token_hash="e")

    counts = replies.counts_for(meeting)

    assert (counts.answers, counts.families_coming, counts.families_not_coming) == (4, 3, 1)
    assert (counts.adults, counts.children, counts.expected) == (4, 3, 7)
    assert (counts.childcare_families, counts.childcare_children) == (2, 2)
    assert [(n.code, n.families, n.offered) for n in counts.languages] == [
        ("vi", 2, False),
        ("es", 1, True),
    ]
    assert [n.code for n in counts.unplanned_languages] == ["vi"]


def test_the_school_staff_see_the_list_and_district_staff_the_counts_only(client, meeting):
    _reply(meeting, adults=2, name="Private Name", email="private@example.org", token_hash="a")
    page_url = meeting.get_absolute_url()

    for role in (Role.PRINCIPAL, Role.SCHOOL_STAFF):
        client.force_login(member(role, meeting.school))
        page = client.get(page_url).content.decode()
        assert "Expected: 2 people" in page
        assert "Private Name" in page and "private@example.org" in page

    client.force_login(member(Role.DISTRICT_STAFF, meeting.district))
    page = client.get(page_url).content.decode()
    assert "Expected: 2 people" in page
    assert "Private Name" not in page and "private@example.org" not in page

    other_principal = member(Role.PRINCIPAL, SchoolFactory())
    client.force_login(other_principal)
    assert client.get(page_url).status_code == 404


def test_the_meeting_page_does_not_grow_in_queries_with_answers(
    client, meeting, django_assert_max_num_queries
):
    client.force_login(member(Role.PRINCIPAL, meeting.school))
    _reply(meeting, token_hash="first")
    with django_assert_max_num_queries(60) as few:
        client.get(meeting.get_absolute_url())
    for n in range(40):
        _reply(meeting, adults=1 + n % 3, interpretation="es", token_hash=f"t{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(meeting.get_absolute_url())
    assert "Expected: 80 people" in page.content.decode()


def test_nothing_a_family_sends_shows_on_the_families_page(client, meeting, clock):
    _send(client, meeting, clock, name="CANARY-family-name", email="canary@example.org")

    page = client.get(reverse("family_school", args=[meeting.school.public_slug]))
    text = page.content.decode()
    assert "Tell us if you are coming" in text
    assert "CANARY-family-name" not in text and "canary@example.org" not in text


@pytest.mark.calendar
def test_contacts_are_forgotten_thirty_days_after_the_meeting_and_the_counts_stay(
    client, meeting, clock
):
    link = _change_link(_send(client, meeting, clock))
    reply = FamilyReply.objects.get()
    day_29 = meeting.ends_at + timedelta(days=29)
    day_30 = meeting.ends_at + timedelta(days=30, minutes=1)

    assert replies.forget_contacts(now=day_29) == 0
    clock.set(day_30)
    assert replies.forget_reply_contacts() == 1

    reply.refresh_from_db()
    assert (reply.name, reply.email, reply.phone, reply.token_hash) == ("", "", "", None)
    assert reply.contact_forgotten_at is not None
    assert OutboxEmail.objects.count() == 0, "the e-mail that carried the link is gone too"
    assert client.get(link).status_code == 404
    counts = replies.counts_for(meeting)
    assert (counts.families_coming, counts.adults, counts.children) == (1, 2, 3)
    assert replies.forget_contacts() == 0, "once"


def test_the_flyer_and_the_messenger_text_lead_to_the_answer_form(meeting, settings):
    from progress.family_links import messenger_text, reply_url

    url = reply_url(meeting, "es")
    assert url.startswith(settings.SITE_URL.rstrip("/")) and url.endswith(_url(meeting, "es"))
    assert url in messenger_text(meeting, "es", "https://example.org/page")


def test_coming_families_with_an_address_are_reminded_once_in_their_language(meeting):
    _reply(meeting, email="vi@example.org", language="vi", adults=2, token_hash="a")
    _reply(meeting, email="ar@example.org", language="ar", childcare=True, token_hash="b")
    _reply(meeting, email="", language="es", token_hash="c")  # no address
    _reply(meeting, coming=False, adults=0, email="no@example.org", token_hash="d")
    _reply(meeting, email="gone@example.org", withdrawn_at=meeting.starts_at, token_hash="e")

    assert replies.remind_families(now=meeting.starts_at - timedelta(hours=31)) == 0
    the_day_before = meeting.starts_at - timedelta(hours=24)
    assert replies.remind_families(now=the_day_before) == 2
    assert replies.remind_families(now=the_day_before + timedelta(hours=1)) == 0, "once"

    vietnamese = OutboxEmail.objects.get(to=["vi@example.org"])
    assert vietnamese.subject.startswith("Nhắc nhở:") and "Ngày" in vietnamese.body
    assert "17:00" in vietnamese.body, "in the district's zone"
    arabic = OutboxEmail.objects.get(to=["ar@example.org"])
    assert arabic.subject.startswith("تذكير:") and "رعاية الأطفال" in arabic.body
    # The reminder is forgotten with the rest of the contact data.
    replies.forget_contacts(now=meeting.ends_at + timedelta(days=31))
    assert not OutboxEmail.objects.exists()
