"""Password reset: through the outbox, links from SITE_URL, throttled per address and per
account (schoolplan.password_reset)."""

import pytest
from django.core import mail
from django.core.cache import cache

from schoolplan.models import OutboxEmail
from schoolplan.password_reset import RESET_PER_ACCOUNT, RESET_PER_ADDRESS

from ..factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/accounts/password_reset/"


@pytest.fixture(autouse=True)
def fresh_counts():
    cache.clear()
    yield
    cache.clear()


def ask(client, email, address="198.51.100.7"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=address)


def test_the_link_goes_through_the_outbox_and_starts_with_site_url(
    client, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://schoolplan.example.org"
    UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, "ana@example.org")
    assert response.status_code == 302
    (queued,) = OutboxEmail.objects.filter(key__startswith="password-reset:")
    assert queued.to == ["ana@example.org"]
    assert "https://schoolplan.example.org/accounts/reset/" in queued.body
    assert "testserver" not in queued.body
    # After the commit the outbox sender (in-process here) delivered it, once.
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = ask(client, "nobody@example.org")
    assert response.status_code == 302 and not OutboxEmail.objects.exists()


def test_one_account_gets_at_most_three_links_an_hour_from_any_number_of_addresses(client):
    UserFactory(email="ana@example.org")
    for n in range(RESET_PER_ACCOUNT + 2):
        response = ask(client, "ana@example.org", address=f"198.51.100.{n + 1}")
        assert response.status_code == 302  # the page never tells
    assert OutboxEmail.objects.count() == RESET_PER_ACCOUNT


def test_one_address_may_ask_five_times_an_hour_then_is_told_why(client):
    for n in range(RESET_PER_ADDRESS):
        assert ask(client, f"someone{n}@example.org").status_code == 302
    response = ask(client, "typed@example.org")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many password resets" in page
    assert 'value="typed@example.org"' in page  # what was typed is kept
    assert ask(client, "other@example.org", address="203.0.113.9").status_code == 302
