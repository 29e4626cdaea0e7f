"""Sign-in with the district's identity provider (issue 21), in the browser, against a real
OpenID Connect provider on loopback (tests/sso_provider: django-oauth-toolkit in its own
process): the button, the provider's login, back signed in as the rostered person. Every
refusal (wrong audience, expired, bad signature, wrong nonce or state, unknown or unverified
e-mail, a domain not allowed, memberships ended) names its reason on the sign-in page, signs
nobody in, creates nobody and is in the audit log. The provider's tokens carry the real time,
so these tests keep the real clock."""

import pytest
from playwright.sync_api import expect

from schoolplan import sso
from schoolplan.models import AuditEvent, Role, User
from schoolplan.roster import import_roster, read_roster

from ..factories import DistrictFactory, SchoolFactory, SchoolYearFactory, member
from ..roster_files import USERS_11, bundle_11
from ..sso_helpers import PROVIDER_PASSWORD, oidc_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOMAIN = "riverbend.example.org"
ANA = f"ana.valdez@{DOMAIN}"
PROVIDER_USERS = [
    {"username": "ana", "email": ANA, "given_name": "Ana", "family_name": "Valdez"},
    {"username": "ana-mfa", "email": ANA, "amr": ["pwd", "mfa"]},
    {"username": "ana-pwd", "email": ANA, "amr": ["pwd"]},
    {"username": "audience", "email": ANA, "misbehave": "wrong-audience"},
    {"username": "expired", "email": ANA, "misbehave": "expired"},
    {"username": "signature", "email": ANA, "misbehave": "bad-signature"},
    {"username": "nonce", "email": ANA, "misbehave": "wrong-nonce"},
    {"username": "unknown", "email": f"nobody@{DOMAIN}"},
    {"username": "unverified", "email": ANA, "email_verified": False},
    {"username": "domain", "email": "ana.valdez@elsewhere.example.com"},
    {"username": "priya", "email": f"priya@{DOMAIN}"},
]


@pytest.fixture(scope="module")
def provider(live_server, tmp_path_factory):
    callback = f"{live_server.url}/accounts/sso/callback/"
    with oidc_provider(PROVIDER_USERS, [callback], tmp_path_factory.mktemp("provider")) as found:
        yield found


@pytest.fixture
def rostered(district, settings, provider, eager_celery):
    """Riverbend's roster imported (Ana principal, Sam and Priya staff), then Priya leaves;
    single sign-on set up for its domain."""
    SchoolYearFactory(district=district)
    import_roster(district, read_roster(bundle_11())[1], dry_run=False)
    leaving = USERS_11.replace("u3,,,", "u3,tobedeleted,,")
    import_roster(district, read_roster(bundle_11(**{"users.csv": leaving}))[1], dry_run=False)
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_RP_CLIENT_ID = provider.client_id
    settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
    settings.OIDC_PROVIDER_NAME = "Riverbend Google"
    settings.OIDC_DISTRICT_DOMAINS = f"{district.slug}={DOMAIN}"
    settings.TWO_FACTOR_REQUIRED = False
    sso._discovered.clear()
    return district


def sign_in_with_provider(page, provider_user):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Riverbend Google").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Provider username").fill(provider_user)
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in to the provider").click()


def test_sign_in_with_the_district_s_provider(page, rostered, screenshot, provider):
    page.goto("/accounts/login/")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()  # the password form too
    screenshot(page, "98-sign-in-with-provider")
    sign_in_with_provider(page, "ana")
    expect(page.get_by_role("button", name="Ana Valdez")).to_be_visible()
    ana = User.objects.get(email=ANA)
    event = AuditEvent.objects.get(action="sso_login")
    assert event.user == ana and "second step by the provider: no" in event.summary
    # An SSO session is like any other: another district's school is not there.
    elsewhere = SchoolFactory(district=DistrictFactory())
    member(Role.PRINCIPAL, elsewhere)
    response = page.goto(elsewhere.get_absolute_url())
    assert response.status == 404


REFUSALS = [
    ("audience", "was meant for another application"),
    ("expired", "had expired"),
    ("signature", "did not carry a valid signature"),
    ("nonce", "did not belong to this sign-in"),
    ("unknown", f"No SchoolPlan account belongs to nobody@{DOMAIN}"),
    ("unverified", f"has not verified the address {ANA}"),
    ("domain", "Addresses at elsewhere.example.com cannot sign in to SchoolPlan"),
    ("priya", f"Your roles in SchoolPlan have ended, so priya@{DOMAIN} can no longer sign in"),
]


@pytest.mark.parametrize(("provider_user", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusals_say_why_and_sign_nobody_in(page, rostered, provider_user, message, screenshot):
    accounts = User.objects.count()
    sign_in_with_provider(page, provider_user)
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.get_by_role("heading", name="Log in to SchoolPlan")).to_be_visible()
    if provider_user == "unknown":
        screenshot(page, "99-sign-in-refused-unknown")
    assert User.objects.count() == accounts  # nobody created
    assert not AuditEvent.objects.filter(action__in=["login", "sso_login"]).exists()
    assert AuditEvent.objects.filter(action="sso_refused").count() == 1


def test_a_forged_state_is_refused(page, rostered):
    page.goto("/accounts/sso/callback/?code=stolen&state=forged")
    expect(
        page.get_by_text("The sign-in took too long, or was started in another window")
    ).to_be_visible()
    assert AuditEvent.objects.get(action="sso_refused").subject == "sso:state"


@pytest.mark.parametrize(
    ("declared", "provider_user", "second_step_asked"),
    [
        (False, "ana-mfa", True),  # the district has not declared its provider enforces it
        (True, "ana-pwd", True),  # declared, but this token says a password only
        (True, "ana-mfa", False),  # declared, and the token says a second factor was used
    ],
)
def test_the_provider_s_second_factor_counts_only_where_declared(
    page, rostered, settings, declared, provider_user, second_step_asked
):
    settings.TWO_FACTOR_REQUIRED = True  # Ana is a principal: her role reads pupil notes
    rostered.sso_enforces_mfa = declared
    rostered.save()
    sign_in_with_provider(page, provider_user)
    setup = page.get_by_role("heading", name="Set up two-factor sign-in")
    if second_step_asked:
        expect(setup).to_be_visible()
    else:
        expect(page.get_by_role("button", name="Ana Valdez")).to_be_visible()
        expect(setup).to_have_count(0)
