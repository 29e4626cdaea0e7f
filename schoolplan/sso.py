"""Sign-in with the district's identity provider over OpenID Connect (issue 21): Google
Workspace, Microsoft Entra ID, Clever, ClassLink or any other OpenID Connect provider.

mozilla-django-oidc runs the authorization-code flow (state, nonce, PKCE, the token request, the
JWKS signature check). What SchoolPlan adds:

- configuration by environment (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
  OIDC_PROVIDER_NAME, OIDC_DISTRICT_DOMAINS, OIDC_MFA_ACR_VALUES); the endpoints come from the
  issuer's discovery document, read when first needed, never at start-up;
- the ID token's audience, issuer and expiry are checked too (the library checks neither
  audience nor issuer, and lets an expired token through as a server error);
- nobody is created: the verified e-mail must belong to an account the district's roster keeps
  (User.roster_district), in a district that allows the address's domain, with a current
  membership;
- every refusal has a reason the sign-in page shows, and the audit log records it, as it
  records every SSO sign-in;
- the provider's sign-in counts as the second step only where the district declares that its
  provider enforces two-factor sign-in (District.sso_enforces_mfa) and the ID token's amr or acr
  says it was used.
"""

import logging
import time

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import clock
from .audit import record
from .models import User
from .two_factor import PROVIDER_MFA_SESSION_KEY

log = logging.getLogger(__name__)
# RFC 8176 methods that are a second factor, or say several were used.
MFA_METHODS = {"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris", "retina", "sc"}
DISCOVERY_SECONDS = 3600
LEEWAY_SECONDS = 60


def enabled():
    return bool(settings.OIDC_ISSUER and settings.OIDC_RP_CLIENT_ID)


def provider_name():
    return settings.OIDC_PROVIDER_NAME


_discovered = {}


def discovery():
    """The issuer's OpenID configuration, fetched once an hour."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    found = _discovered.get(issuer)
    if found and found[0] > time.monotonic():
        return found[1]
    response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SsoRefused("issuer")
    _discovered[issuer] = (time.monotonic() + DISCOVERY_SECONDS, document)
    return document


def district_domains():
    """{district slug: {domain, ...}} from OIDC_DISTRICT_DOMAINS: "slug=a.org,b.org;slug2=c.org"."""
    found = {}
    for part in filter(None, (p.strip() for p in settings.OIDC_DISTRICT_DOMAINS.split(";"))):
        slug, _, domains = part.partition("=")
        found[slug.strip()] = {d.strip().lower() for d in domains.split(",") if d.strip()}
    return found


class SsoRefused(Exception):
    """Why a sign-in through the provider was refused; message() is what the person reads."""

    MESSAGES = {
        "state": "The sign-in took too long, or was started in another window. Try again.",
        "nonce": "The answer from {provider} did not belong to this sign-in. Try again.",
        "audience": "The answer from {provider} was meant for another application.",
        "issuer": "The answer did not come from {provider}.",
        "expired": "The answer from {provider} had expired. Try again.",
        "signature": "The answer from {provider} did not carry a valid signature.",
        "token": "The answer from {provider} could not be read.",
        "provider": "{provider} did not complete the sign-in. Try again, or use your password.",
        "no_email": "{provider} did not tell SchoolPlan your e-mail address.",
        "unverified": "{provider} has not verified the address {email}, so it cannot be used "
        "to sign in.",
        "domain": "Addresses at {domain} cannot sign in to SchoolPlan with {provider}.",
        "unknown": "No SchoolPlan account belongs to {email}. Accounts come from your "
        "district's roster: ask your district's SchoolPlan administrator.",
        "ended": "Your roles in SchoolPlan have ended, so {email} can no longer sign in. Ask "
        "your district's SchoolPlan administrator if this is a mistake.",
        "inactive": "The SchoolPlan account of {email} is turned off.",
    }

    def __init__(self, reason, email=""):
        super().__init__(reason)
        self.reason, self.email = reason, email

    def message(self):
        domain = self.email.rpartition("@")[2]
        return self.MESSAGES[self.reason].format(
            provider=provider_name(), email=self.email, domain=domain
        )


def refuse(request, refusal):
    """Record a refusal in the audit log, and keep it for the sign-in page."""
    record(
        None,
        "sso_refused",
        subject=f"sso:{refusal.reason}",
        summary=refusal.email or refusal.reason,
        request=request,
    )
    request.sso_refusal = refusal


class DistrictSsoBackend(OIDCAuthenticationBackend):
    """An authentication backend that answers only the provider's callback."""

    def __init__(self, *args, **kwargs):
        # Instantiated for every sign-in, password ones too: nothing is fetched here.
        self.UserModel = User
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    # The endpoints, from the discovery document when the flow needs them.
    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802  (the library's name)
        return discovery()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return discovery()["userinfo_endpoint"]

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return discovery()["jwks_uri"]

    def authenticate(self, request, **kwargs):
        if request is None or not enabled() or "nonce" not in kwargs:
            return None  # a password sign-in: not ours
        try:
            return super().authenticate(request, **kwargs)
        except SsoRefused as refusal:
            refuse(request, refusal)
        except (SuspiciousOperation, jwt.PyJWTError, ValueError, KeyError) as error:
            log.warning("SSO sign-in refused: %s", error)
            refuse(request, SsoRefused("token"))
        except requests.RequestException as error:
            log.warning("SSO provider unreachable or refused: %s", error)
            refuse(request, SsoRefused("provider"))
        return None

    def verify_token(self, token, **kwargs):
        """The ID token's signature (against the provider's JWKS), audience, issuer, expiry and
        nonce."""
        try:
            key = self.retrieve_matching_jwk(token)
        except SuspiciousOperation:
            raise SsoRefused("signature") from None  # signed with a key the provider never had
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=discovery()["issuer"],
                # The expiry is checked below, against the one clock.
                options={
                    "require": ["exp", "iat", "aud", "iss", "sub"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidAudienceError:
            raise SsoRefused("audience") from None
        except jwt.InvalidIssuerError:
            raise SsoRefused("issuer") from None
        except jwt.InvalidSignatureError:
            raise SsoRefused("signature") from None
        except jwt.PyJWTError:
            raise SsoRefused("token") from None
        if not isinstance(payload["exp"], int | float):
            raise SsoRefused("token")
        if payload["exp"] + LEEWAY_SECONDS < clock.now().timestamp():
            raise SsoRefused("expired")
        if "nonce" in kwargs and payload.get("nonce") != kwargs["nonce"]:
            raise SsoRefused("nonce")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        """The rostered account of the verified e-mail; never a new one."""
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        email = (claims.get("email") or "").strip().lower()
        if not email:
            raise SsoRefused("no_email")
        if claims.get("email_verified") is not True:
            raise SsoRefused("unverified", email)
        domain = email.rpartition("@")[2]
        slugs = [slug for slug, domains in district_domains().items() if domain in domains]
        if not slugs:
            raise SsoRefused("domain", email)
        users = list(
            User.objects.filter(email__iexact=email, roster_district__slug__in=slugs).exclude(
                sourced_id=""
            )[:2]
        )
        if len(users) != 1:
            raise SsoRefused("unknown", email)
        user = users[0]
        if not user.is_active:
            raise SsoRefused("inactive", email)
        if user.roles_ended:
            raise SsoRefused("ended", email)
        user.sso_second_step = second_step_done(user.roster_district, payload)
        return user


def second_step_done(district, payload):
    """Whether the provider's sign-in stands for SchoolPlan's second step: only where the
    district declares its provider enforces it, and the token says it happened."""
    if district is None or not district.sso_enforces_mfa:
        return False
    methods = payload.get("amr") or []
    if isinstance(methods, str):
        methods = [methods]
    acr = payload.get("acr", "")
    return bool(MFA_METHODS & set(methods)) or bool(acr and acr in settings.OIDC_MFA_ACR_VALUES)


class WhileEnabled:
    """The sign-in views answer only while single sign-on is set up (any method: 404)."""

    def dispatch(self, request, *args, **kwargs):
        if not enabled():
            raise Http404("Single sign-on is not set up.")
        return super().dispatch(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class SsoStart(WhileEnabled, OIDCAuthenticationRequestView):
    """The sign-in button: off to the provider (state, nonce and PKCE kept in the session)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = discovery()["authorization_endpoint"]
        except (requests.RequestException, ValueError, KeyError, SsoRefused) as error:
            log.warning("SSO discovery failed: %s", error)
            messages.error(request, SsoRefused("provider").message())
            return redirect("login")
        return super().get(request)


@method_decorator(login_not_required, name="dispatch")
class SsoCallback(WhileEnabled, OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signed in, or the sign-in page with why not."""

    def get(self, request):
        try:
            return super().get(request)
        except SuspiciousOperation:  # the state is not one this browser started
            refuse(request, SsoRefused("state"))
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        second_step = getattr(self.user, "sso_second_step", False)
        self.request.session[PROVIDER_MFA_SESSION_KEY] = second_step
        record(
            self.user,
            "sso_login",
            subject=f"district:{self.user.roster_district_id}",
            summary=f"{provider_name()}; second step by the provider: "
            + ("yes" if second_step else "no"),
            request=self.request,
        )
        return response

    def login_failure(self):
        refusal = getattr(self.request, "sso_refusal", None)
        if refusal is None:
            reason = "provider" if self.request.GET.get("error") else "state"
            refusal = SsoRefused(reason)
            refuse(self.request, refusal)
        messages.error(self.request, refusal.message())
        return redirect("login")
