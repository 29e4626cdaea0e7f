"""The rules of single sign-on that need no provider (issue 21); the flow itself, with a real
provider, is tests/browser/test_sso_journey.py."""

import pytest
from django.urls import reverse

from schoolplan.sso import district_domains, second_step_done

from ..factories import DistrictFactory

pytestmark = pytest.mark.django_db


def test_each_district_names_its_own_domains(settings):
    settings.OIDC_DISTRICT_DOMAINS = (
        " riverbend-usd=Riverbend.k12.ca.us, rbusd.org ; lincoln=lusd.org;"
    )
    assert district_domains() == {
        "riverbend-usd": {"riverbend.k12.ca.us", "rbusd.org"},
        "lincoln": {"lusd.org"},
    }


@pytest.mark.parametrize(
    ("declared", "claims", "counts"),
    [
        (False, {"amr": ["pwd", "mfa"]}, False),  # not declared: the token alone is not enough
        (True, {"amr": ["pwd"]}, False),
        (True, {"amr": ["pwd", "mfa"]}, True),
        (True, {"amr": "otp"}, True),  # a provider that sends one method as a string
        (True, {"acr": "urn:example:mfa"}, True),  # listed in OIDC_MFA_ACR_VALUES
        (True, {"acr": "urn:example:password"}, False),
        (True, {}, False),
    ],
)
def test_the_provider_s_second_factor_counts_only_where_declared(
    settings, declared, claims, counts
):
    settings.OIDC_MFA_ACR_VALUES = ["urn:example:mfa"]
    district = DistrictFactory(sso_enforces_mfa=declared)
    assert second_step_done(district, claims) is counts


def test_without_an_issuer_there_is_no_button_and_no_sign_in_page(client, settings):
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback") + "?code=x&state=y").status_code == 404


def test_with_an_issuer_the_sign_in_page_offers_the_provider(client, settings):
    settings.OIDC_ISSUER = "https://accounts.example.org"
    settings.OIDC_RP_CLIENT_ID = "schoolplan"
    settings.OIDC_PROVIDER_NAME = "Riverbend Google"
    page = client.get(reverse("login") + "?next=/schools/").content.decode()
    assert 'href="/accounts/sso/?next=/schools/"' in page
    assert "Sign in with Riverbend Google" in page
