"""The invitation a roster import sends a new account (issue 21): a link to choose a password
that works once and expires after INVITATION_DAYS."""

import re
from datetime import timedelta

import pytest

from schoolplan.models import OutboxEmail, User
from schoolplan.roster import import_roster, read_roster

from ..clock import on
from ..roster_files import bundle_11

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a-brand-new-passphrase-42"


@pytest.fixture
def invitation(clock, district, school_year, settings):
    settings.SITE_URL = "https://schoolplan.example.org"
    clock.set(on(10, 1))
    import_roster(district, read_roster(bundle_11())[1], dry_run=False)
    email = OutboxEmail.objects.get(to=["ana.valdez@riverbend.example.org"])
    link = re.search(r"https://schoolplan\.example\.org(/accounts/invitation/\S+)", email.body)
    return email, link.group(1)


def choose_password(client, link):
    response = client.get(link, follow=True)
    assert "Welcome to SchoolPlan" in response.content.decode()
    form_url = response.redirect_chain[-1][0]
    return client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )


def test_the_invitation_names_the_account_and_sets_a_password_once(client, invitation):
    email, link = invitation
    assert email.subject == "Your SchoolPlan account at Riverbend USD"
    assert "Your username is: ana.valdez@riverbend.example.org" in email.body
    response = choose_password(client, link)
    assert "Your password is set. Sign in with it now." in response.content.decode()
    ana = User.objects.get(sourced_id="u1")
    assert ana.check_password(NEW_PASSWORD)
    # The link worked once.
    again = client.get(link, follow=True).content.decode()
    assert "This invitation no longer works" in again


def test_the_invitation_expires(client, clock, invitation, settings):
    _, link = invitation
    clock.set(on(10, 1) + timedelta(days=settings.INVITATION_DAYS + 1))
    page = client.get(link, follow=True).content.decode()
    assert "This invitation no longer works" in page
    assert not User.objects.get(sourced_id="u1").has_usable_password()


def test_a_tampered_link_is_refused(client, invitation):
    _, link = invitation
    page = client.get(link[:-3] + "xyz/", follow=True).content.decode()
    assert "This invitation no longer works" in page


def test_with_single_sign_on_the_invitation_names_the_provider(
    clock, district, school_year, settings
):
    settings.OIDC_ISSUER = "https://accounts.example.org"
    settings.OIDC_RP_CLIENT_ID = "schoolplan"
    settings.OIDC_PROVIDER_NAME = "Riverbend Google"
    clock.set(on(10, 1))
    import_roster(district, read_roster(bundle_11())[1], dry_run=False)
    email = OutboxEmail.objects.get(to=["ana.valdez@riverbend.example.org"])
    assert "You can also sign in with Riverbend Google" in email.body
