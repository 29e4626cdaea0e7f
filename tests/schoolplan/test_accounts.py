import re

import pytest
from django.core import mail
from django.urls import reverse

from schoolplan.models import Role

from ..factories import PASSWORD, UserFactory, member

pytestmark = pytest.mark.django_db


def log_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_public(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Log in to SchoolPlan" in response.content


def test_principal_logs_in_and_sees_their_school(client, school, school_year):
    user = member(Role.PRINCIPAL, school)
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert b"Valdez Elementary" in client.get(reverse("home")).content


def test_wrong_password_says_so(client, db):
    user = UserFactory()
    response = log_in(client, user.username, "wrong")
    assert response.status_code == 200
    assert "didn’t match" in response.content.decode()


def test_login_is_throttled_after_five_failures(client, db, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, user.username, "wrong")
    response = log_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content
    assert "_auth_user_id" not in client.session


def test_throttling_is_per_account(client, db, settings):
    victim, other = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, victim.username, "wrong")
    assert log_in(client, other.username, PASSWORD).status_code == 302


def test_four_failures_then_success_is_allowed(client, db, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, user.username, "wrong")
    assert log_in(client, user.username, PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(client, db):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-password-2",
            "new_password2": "another-long-password-2",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-password-2")


def test_password_reset_by_email(
    client, db, settings, eager_celery, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://schoolplan.example.org"
    user = UserFactory(email="ana@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        response = client.post(reverse("password_reset"), {"email": "ana@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your SchoolPlan password"
    link = re.search(
        r"https://schoolplan.example.org(/accounts/reset/\S+)", mail.outbox[0].body
    ).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session-bound one
    response = client.post(
        form_url,
        {"new_password1": "a-new-long-password-3", "new_password2": "a-new-long-password-3"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-password-3")


def test_password_reset_for_unknown_address_sends_nothing(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302  # no hint whether the address exists
    assert mail.outbox == []


def test_admin_needs_staff(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(reverse("admin:schoolplan_district_changelist")).status_code == 200
