"""issue 23: a scheduling form sent twice (a double click, a retry, two tabs, or two requests
at the same moment) schedules one meeting and tells the district once."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from meetings.models import Meeting
from schoolplan.models import OutboxEmail, Role

from ..clock import on
from ..conftest import IN_CI
from ..factories import member
from .test_views_meetings import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def principal(school, school_year):
    return member(Role.PRINCIPAL, school)


def _token(client, school):
    page = client.get(reverse("schedule_cpm", args=[school.pk])).content.decode()
    return re.search(r'name="submission" value="([0-9a-f]+)"', page).group(1)


def test_the_same_form_sent_twice_schedules_once(client, clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    data = form_data(submission=_token(client, school))

    first = client.post(url, data)
    again = client.post(url, data)

    meeting = Meeting.objects.get()
    assert first.url == again.url == meeting.get_absolute_url()
    assert OutboxEmail.objects.filter(key__startswith="cpm-notice:").count() == 1
    # A new form (a new token) is a new meeting, asked about like any second Kick Off.
    other = client.post(url, form_data(submission=_token(client, school), date=on(10, 6)))
    assert other.status_code == 200 and "already has a Kick Off" in other.content.decode()


def test_a_refused_form_keeps_its_token_for_the_corrected_sending(client, clock, school, principal):
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    token = _token(client, school)
    refused = client.post(url, form_data(submission=token, date=on(12, 3).isoformat()))
    assert refused.status_code == 200 and f'value="{token}"' in refused.content.decode()
    assert client.post(url, form_data(submission=token)).status_code == 302
    assert Meeting.objects.count() == 1


def test_another_person_s_token_is_not_theirs(client, clock, school, principal):
    """A token belongs to the person whose form it is."""
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    colleague = member(Role.PRINCIPAL, school)
    client.force_login(principal)
    url = reverse("schedule_cpm", args=[school.pk])
    token = _token(client, school)
    client.post(url, form_data(submission=token))
    other = Client()
    other.force_login(colleague)
    response = other.post(url, form_data(submission=token, date=on(10, 6), confirm_repeat="on"))
    assert response.status_code == 302 and Meeting.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_identical_requests_at_once_schedule_one_meeting(clock, school, principal):
    if connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI runs this on PostgreSQL")
        pytest.skip("concurrent transactions need PostgreSQL; CI runs this on it")
    clock.set(on(8, 20))  # scheduled ahead (a past date would record the meeting late)
    url = reverse("schedule_cpm", args=[school.pk])
    first = Client()
    first.force_login(principal)
    data = form_data(submission=_token(first, school))
    barrier = threading.Barrier(2)
    answers = []

    def send():
        from django.db import connection as thread_connection

        client = Client()
        client.force_login(principal)
        try:
            barrier.wait()
            answers.append(client.post(url, data))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    meeting = Meeting.objects.get()
    assert [a.status_code for a in answers] == [302, 302]
    assert {a.url for a in answers} == {meeting.get_absolute_url()}
    assert OutboxEmail.objects.filter(key__startswith="cpm-notice:").count() == 1
