"""Several people press Save on the same row of a CIM review at the same moment (issue 18): on
PostgreSQL, exactly one save wins; every other is refused with its own text shown back beside
the winner's; no update is lost. Row locks need PostgreSQL: skipped on SQLite, a failure in CI."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings.models import Invitation, Minutes
from progress.models import ActivityReview
from schoolplan.models import Role

from ..cim_helpers import make_plan, review_on
from ..clock import moment, on
from ..conftest import IN_CI
from ..factories import member
from ..review_helpers import HTMX, activity_url, loaded, loaded_activity, row_fields

pytestmark = [
    pytest.mark.services,
    pytest.mark.calendar,
    pytest.mark.django_db(transaction=True),
]

PEOPLE = 5
REVIEW_DAY = on(10, 15)


@pytest.fixture
def team(district, school_year, clock):
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run the concurrent review saves on PostgreSQL")
        pytest.skip("row locks need PostgreSQL; CI runs this on it")
    clock.set(on(10, 1))
    lead = member(Role.CIM_LEAD, district)
    _, activity, _ = make_plan(district, school_year, lead)
    clock.set(moment(REVIEW_DAY, "09:00"))
    review = review_on(district, lead, REVIEW_DAY)
    people = [member(Role.CIM_MEMBER, district) for _ in range(PEOPLE)]
    for person in people:
        Invitation.objects.create(meeting=review, user=person)
    clock.set(moment(REVIEW_DAY, "16:30"))
    clients = []
    for person in people:
        client = Client()
        client.force_login(person)
        clients.append(client)
    return {"review": review, "activity": activity, "people": people, "clients": clients}


def _at_once(clients, url, posts):
    """Each client posts its data at the same moment; [(index, status, html)]."""
    barrier = threading.Barrier(len(clients))
    answers = []

    def save(index):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            response = clients[index].post(url, posts[index], **HTMX)
            answers.append((index, response.status_code, response.content.decode()))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(answers)


def _judge(answers, saved_text, words, form_id, box):
    """Exactly one won; the others were refused showing their words in the box and the
    winner's beside it; the winner's words are saved: nothing was lost."""
    assert [status for _, status, _ in answers] == [200] * len(answers)
    winners = [i for i, _, html in answers if "Not saved" not in html]
    assert len(winners) == 1, [html[:300] for _, _, html in answers]
    (winner,) = winners
    assert saved_text == words[winner]
    for index, _, html in answers:
        if index == winner:
            continue
        assert "Not saved" in html
        assert row_fields(html, form_id)[box] == words[index]  # theirs kept in the box
        assert words[winner] in html  # the winner's, beside it


@pytest.mark.parametrize("first", [True, False], ids=["new row", "saved row"])
def test_one_activity_row_saved_by_five_at_once(team, first):
    review, activity, clients = team["review"], team["activity"], team["clients"]
    url = activity_url(review, activity)
    if not first:
        fields = loaded_activity(clients[0], review, activity)
        clients[0].post(url, {**fields, "barriers": "Saved before"}, **HTMX)
    loaded_rows = [loaded_activity(c, review, activity) for c in clients]
    version = int(loaded_rows[0]["version"])
    words = [f"Barrier words of person {i}" for i in range(PEOPLE)]
    posts = [{**loaded_rows[i], "barriers": words[i]} for i in range(PEOPLE)]
    answers = _at_once(clients, url, posts)
    entry = ActivityReview.objects.get(review=review, activity=activity)
    assert entry.version == version + 1
    _judge(answers, entry.barriers, words, f"row-activity-{activity.pk}", "barriers")


def test_the_minutes_saved_by_five_at_once(team):
    review, clients = team["review"], team["clients"]
    url = reverse("review_minutes", args=[review.pk])
    loaded_rows = [loaded(c, review, "minutes") for c in clients]
    words = [f"Minutes words of person {i}" for i in range(PEOPLE)]
    answers = _at_once(clients, url, [{**loaded_rows[i], "text": words[i]} for i in range(PEOPLE)])
    minutes = Minutes.objects.get(meeting=review)
    assert minutes.version == 1
    _judge(answers, minutes.text, words, "row-minutes", "text")


def test_the_attendance_saved_by_five_at_once(team):
    review, clients, people = team["review"], team["clients"], team["people"]
    url = reverse("review_attendance", args=[review.pk])
    loaded_rows = [loaded(c, review, "attendance") for c in clients]
    # Each ticks only themselves.
    posts = [{**loaded_rows[i], "attended": [people[i].pk]} for i in range(PEOPLE)]
    answers = _at_once(clients, url, posts)
    assert [status for _, status, _ in answers] == [200] * PEOPLE
    winners = [i for i, _, html in answers if "Not saved" not in html]
    assert len(winners) == 1
    ticked = set(review.invitations.filter(attended=True).values_list("user", flat=True))
    assert ticked == {people[winners[0]].pk}
    review.refresh_from_db()
    assert review.attendance_version == 1
    for index, _, html in answers:
        if index != winners[0]:
            kept = row_fields(html, "row-attendance")["attended"]
            kept = {int(v) for v in ([kept] if isinstance(kept, str) else kept)}
            # Their own tick kept, the winner's taken in: saving again loses neither.
            assert kept == {people[index].pk, people[winners[0]].pk}
